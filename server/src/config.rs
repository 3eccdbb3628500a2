//! The command line. Every setting is a flag with an environment-variable fallback.

use app::ssr::db::{AuthLevel, DbConfig};
use app::ssr::mail::{Mailer, SmtpSettings, SmtpTls};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;

/// Shuzhai 书斋 — a storefront for creators of paid knowledge.
#[derive(Debug, Parser)]
#[command(name = "server", version, about, long_about = None)]
pub struct Cli {
    /// Database connection.
    #[command(flatten)]
    pub db: DbArgs,
    /// Log filter, e.g. `info`, `server=debug,tower_http=debug`.
    #[arg(
        long,
        env = "RUST_LOG",
        default_value = "info,surrealdb=warn,surrealdb_core=warn",
        global = true
    )]
    pub log: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the store over HTTP.
    Serve(Box<ServeArgs>),
    /// Apply pending schema migrations and exit.
    Migrate,
    /// Migrate, then fill the database with data.
    Seed(SeedArgs),
    /// Manage people from the command line.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Compare the recommendation models on MovieLens-style rating files (no database).
    Eval(EvalArgs),
    /// Train the recommendation model on the store's data now, or go back to the last one.
    #[command(subcommand)]
    Reco(RecoCommand),
}

/// `reco` sub-commands.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum RecoCommand {
    /// Train a new model version and make it the one browsers download.
    Train,
    /// Make the previous model version active again.
    Rollback,
}

/// `eval`: which ratings, how to split them, how to print.
#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    /// Training ratings (`user item rating timestamp`, tab-, comma- or `::`-separated).
    #[arg(long, requires = "test", conflicts_with = "ratings")]
    pub train: Option<std::path::PathBuf>,
    /// Test ratings, in the same layout.
    #[arg(long, requires = "train")]
    pub test: Option<std::path::PathBuf>,
    /// One ratings file, split at random into training and test ratings.
    #[arg(long)]
    pub ratings: Option<std::path::PathBuf>,
    /// The share of `--ratings` used for training.
    #[arg(long, default_value_t = 0.8)]
    pub split: f64,
    /// Seed of the split and of the models' random starts.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// ALS factors.
    #[arg(long, default_value_t = 64)]
    pub factors: usize,
    /// ALS iterations.
    #[arg(long, default_value_t = 15)]
    pub iterations: usize,
    /// ALS regularisation λ.
    #[arg(long, default_value_t = 25.0)]
    pub lambda: f32,
    /// ALS confidence scale α.
    #[arg(long, default_value_t = 1.5)]
    pub alpha: f32,
    /// ALS conjugate-gradient steps per solve (0: exact Cholesky solves).
    #[arg(long, default_value_t = 3)]
    pub cg_steps: usize,
    /// SGD factorisation: factors.
    #[arg(long, default_value_t = 50)]
    pub sgd_factors: usize,
    /// SGD factorisation: passes over the ratings.
    #[arg(long, default_value_t = 80)]
    pub sgd_epochs: usize,
    /// SGD factorisation: learning rate.
    #[arg(long, default_value_t = 0.005)]
    pub sgd_learning_rate: f32,
    /// SGD factorisation: regularisation.
    #[arg(long, default_value_t = 0.1)]
    pub sgd_lambda: f32,
    /// One JSON object per model instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `admin` sub-commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin account. The password is read from SHUZHAI_ADMIN_PASSWORD, or from
    /// the first line of standard input.
    Create {
        /// E-mail address of the new admin.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long, default_value = "Store admin")]
        name: String,
    },
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// `surrealkv://PATH` (embedded, on disk), `mem://` (embedded, in memory) or
    /// `ws://HOST:PORT` / `wss://HOST:PORT` (a SurrealDB server).
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        default_value = "surrealkv://./data/shuzhai.db",
        global = true
    )]
    pub url: String,
    /// SurrealDB namespace.
    #[arg(
        long = "database-namespace",
        env = "DATABASE_NAMESPACE",
        default_value = "shuzhai",
        global = true
    )]
    pub namespace: String,
    /// SurrealDB database.
    #[arg(
        long = "database-name",
        env = "DATABASE_NAME",
        default_value = "store",
        global = true
    )]
    pub database: String,
    /// User for a remote SurrealDB server.
    #[arg(long = "database-user", env = "DATABASE_USER", global = true)]
    pub username: Option<String>,
    /// Password for `--database-user`.
    #[arg(
        long = "database-password",
        env = "DATABASE_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub password: Option<String>,
    /// Level at which `--database-user` is defined.
    #[arg(long = "database-auth-level", env = "DATABASE_AUTH_LEVEL", value_enum, default_value_t = Level::Root, global = true)]
    pub auth_level: Level,
}

/// Level of a SurrealDB user.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Level {
    /// Root user.
    Root,
    /// Namespace user.
    Namespace,
    /// Database user.
    Database,
}

impl DbArgs {
    /// The database configuration these flags describe.
    pub fn config(&self) -> DbConfig {
        DbConfig {
            url: self.url.clone(),
            namespace: self.namespace.clone(),
            database: self.database.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
            auth_level: match self.auth_level {
                Level::Root => AuthLevel::Root,
                Level::Namespace => AuthLevel::Namespace,
                Level::Database => AuthLevel::Database,
            },
        }
    }
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SHUZHAI_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// The store's public URL, used in canonical links (defaults to http://ADDR).
    #[arg(long, env = "SHUZHAI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Directory with the built site (`pkg/` and the public assets).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Directory where uploaded images, audio, video and files are kept (by the SHA-256 of
    /// their bytes).
    #[arg(long, env = "SHUZHAI_MEDIA_DIR", default_value = "./data/media")]
    pub media_dir: String,
    /// Fill an empty database with the demo catalog on start-up.
    #[arg(long, env = "SHUZHAI_SEED_DEMO")]
    pub seed_demo: bool,
    /// How often (seconds) to reload the catalog from the database, for a database shared by
    /// several servers; 0 turns it off.
    #[arg(long, env = "SHUZHAI_CATALOG_REFRESH_SECS", default_value_t = 60)]
    pub catalog_refresh_secs: u64,
    /// Retrain the recommendation model every this many hours; 0 turns the timer off.
    #[arg(long, env = "SHUZHAI_RECO_RETRAIN_HOURS", default_value_t = 24)]
    pub reco_retrain_hours: u32,
    /// Retrain the recommendation model once this many new interactions were recorded since
    /// the active model was trained; 0 turns it off.
    #[arg(long, env = "SHUZHAI_RECO_RETRAIN_EVENTS", default_value_t = 500)]
    pub reco_retrain_events: u32,
    /// Fold new interaction events and sales into the analytics totals every this many
    /// seconds; 0 turns the job off.
    #[arg(long, env = "SHUZHAI_ANALYTICS_EVERY_SECS", default_value_t = 30)]
    pub analytics_every_secs: u64,
    /// Recompute cohorts, segments and forecasts at most every this many minutes.
    #[arg(long, env = "SHUZHAI_ANALYTICS_REPORT_MINUTES", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub analytics_report_minutes: u64,
    /// Delete raw interaction events older than this many days once they are counted in
    /// the daily totals.
    #[arg(long, env = "SHUZHAI_EVENT_RETENTION_DAYS", default_value_t = 730, value_parser = clap::value_parser!(u32).range(30..=3650))]
    pub event_retention_days: u32,
    /// Write the analytics totals every this many events while catching up on a long
    /// history (default: 1,000,000, or 500 for the in-memory engine).
    #[arg(long, env = "SHUZHAI_ANALYTICS_BATCH_EVENTS", value_parser = clap::value_parser!(u64).range(100..=100_000_000))]
    pub analytics_batch_events: Option<u64>,
    /// Tax included in every price, in basis points of the net price (600 = 6 %); the
    /// cart and receipts show it as its own line.
    #[arg(long, env = "SHUZHAI_TAX_RATE_BP", default_value_t = 600, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub tax_rate_bp: u32,
    /// Make the per-address limits on sign-in, sign-up and password resets a hundred times
    /// looser (the per-account ones stay): for test suites that sign many people in from
    /// one address. Never on a store facing the internet.
    #[arg(long, env = "SHUZHAI_LOOSE_LIMITS_PER_ADDRESS")]
    pub loose_limits_per_address: bool,
    /// Outgoing mail.
    #[command(flatten)]
    pub mail: MailArgs,
    /// Payments.
    #[command(flatten)]
    pub payments: PaymentArgs,
}

/// Who takes payments. The sandbox (the default) needs nothing; Stripe needs its secret
/// key and the webhook endpoint's signing secret (point Stripe's webhook at
/// `<public URL>/webhooks/stripe`).
#[derive(Debug, Clone, Args)]
pub struct PaymentArgs {
    /// `sandbox` (test cards, no money moves) or `stripe`.
    #[arg(long, env = "SHUZHAI_PAYMENTS", value_enum, default_value_t = Provider::Sandbox)]
    pub payments: Provider,
    /// Stripe secret API key (`sk_live_…` / `sk_test_…`).
    #[arg(long, env = "STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,
    /// The webhook endpoint's signing secret (`whsec_…`).
    #[arg(long, env = "STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,
    /// Stripe's API address (changed only to test against a fake).
    #[arg(
        long,
        env = "STRIPE_API_BASE",
        default_value = "https://api.stripe.com"
    )]
    pub stripe_api_base: String,
}

/// A payment provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Provider {
    /// The built-in sandbox.
    Sandbox,
    /// Stripe Checkout.
    Stripe,
}

impl PaymentArgs {
    /// The commerce settings these flags describe.
    pub fn commerce(
        &self,
        tax_rate_bp: u32,
        origin: &str,
    ) -> anyhow::Result<app::ssr::commerce::CommerceSettings> {
        use app::ssr::commerce::{stripe::Stripe, CommerceSettings};
        match self.payments {
            Provider::Sandbox => Ok(CommerceSettings::sandbox(tax_rate_bp)),
            Provider::Stripe => {
                let key = self.stripe_secret_key.as_deref().filter(|k| !k.is_empty());
                let secret = self
                    .stripe_webhook_secret
                    .as_deref()
                    .filter(|k| !k.is_empty());
                let (Some(key), Some(secret)) = (key, secret) else {
                    anyhow::bail!(
                        "--payments stripe needs --stripe-secret-key and --stripe-webhook-secret"
                    );
                };
                Ok(CommerceSettings::stripe(
                    tax_rate_bp,
                    Stripe::new(key, secret, &self.stripe_api_base, origin),
                ))
            }
        }
    }
}

/// Outgoing mail. Without `--smtp-host`, mail goes to the outbox that admins read in the
/// store.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    /// SMTP server host name.
    #[arg(long, env = "SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port (465 for implicit TLS, 587 for STARTTLS).
    #[arg(long, env = "SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    /// SMTP login.
    #[arg(long, env = "SMTP_USER")]
    pub smtp_user: Option<String>,
    /// Password for `--smtp-user`.
    #[arg(long, env = "SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// How the connection is secured.
    #[arg(long, env = "SMTP_TLS", value_enum, default_value_t = TlsMode::Starttls)]
    pub smtp_tls: TlsMode,
    /// The From address of mail the store sends.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Shuzhai <no-reply@localhost>"
    )]
    pub mail_from: String,
}

/// SMTP transport security.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TlsMode {
    /// STARTTLS, required.
    Starttls,
    /// TLS from the start.
    Implicit,
    /// No encryption (a local relay only).
    None,
}

impl MailArgs {
    /// Where mail goes, by these flags.
    pub fn mailer(&self) -> anyhow::Result<Mailer> {
        let Some(host) = self.smtp_host.clone().filter(|h| !h.trim().is_empty()) else {
            return Ok(Mailer::Outbox);
        };
        if self.smtp_user.is_some() != self.smtp_password.is_some() {
            anyhow::bail!("--smtp-user and --smtp-password go together: give both or neither");
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            anyhow::bail!("--mail-from is not a valid address: {}", self.mail_from);
        }
        Ok(Mailer::Smtp(SmtpSettings {
            host,
            port: self.smtp_port,
            username: self.smtp_user.clone(),
            password: self.smtp_password.clone(),
            tls: match self.smtp_tls {
                TlsMode::Starttls => SmtpTls::StartTls,
                TlsMode::Implicit => SmtpTls::Implicit,
                TlsMode::None => SmtpTls::None,
            },
            from: self.mail_from.clone(),
        }))
    }
}

/// Options of `seed`.
#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// Load the deterministic demo catalog (creators, 200 items, 500 learners, interactions).
    #[arg(long)]
    pub demo: bool,
    /// Seed even if the database already has items (the demo records are overwritten, other data is kept).
    #[arg(long)]
    pub force: bool,
    /// Multiply the demo learners and their histories this many times (for benchmarks:
    /// `--scale 100` makes 50,000 learners); each copy's history is shifted by some hours.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub scale: u32,
}
