//! `server` — run the Shuzhai store, migrate or seed its database, evaluate the
//! recommender. See `server --help`.

use clap::Parser;
use server::config::{Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    server::telemetry::init(&cli.log);
    let result = match cli.command {
        Command::Serve(args) => server::startup::serve(&cli.db, *args).await,
        Command::Migrate => server::startup::migrate(&cli.db).await,
        Command::Seed(args) => server::startup::seed(&cli.db, args).await,
        Command::Admin(cmd) => server::startup::admin(&cli.db, cmd).await,
        Command::Eval(args) => server::startup::eval(&args),
        Command::Reco(cmd) => server::startup::reco(&cli.db, cmd).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
