//! Start-up: open and migrate the database, build the state and the router, serve.
//!
//! [`spawn`] binds the address it is given and reports the port it really got, so tests
//! run the real application on port 0.

use crate::config::{AdminCommand, DbArgs, SeedArgs, ServeArgs};
use anyhow::Context;
use app::components::seo::SiteOrigin;
use app::models::account::Role;
use app::models::i18n::Locale;
use app::models::reco::RetrainSchedule;
use app::ssr::accounts::AuthSettings;
use app::ssr::catalog::CatalogService;
use app::ssr::commerce::CommerceSettings;
use app::ssr::db::{connect, Db, DbConfig};
use app::ssr::ratelimit::RateLimits;
use app::ssr::state::AppState;
use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// Opens the database and applies pending migrations.
pub async fn open_database(config: &DbConfig) -> anyhow::Result<Db> {
    let db = connect(config).await?;
    let applied = app::ssr::migrate::run(&db)
        .await
        .context("the database schema could not be brought up to date")?;
    if !applied.is_empty() {
        tracing::info!(?applied, "database migrated");
    }
    Ok(db)
}

/// Builds the shared state: catalog read model over `db`, account settings.
pub async fn build_state(
    db: Db,
    leptos_options: LeptosOptions,
    auth: AuthSettings,
    commerce: CommerceSettings,
) -> anyhow::Result<AppState> {
    let catalog = Arc::new(
        CatalogService::load(db.clone())
            .await
            .context("loading the catalog")?,
    );
    Ok(AppState {
        trainer: Arc::new(
            crate::recsys::trainer::StoreTrainer::new(db.clone(), RetrainSchedule::default())
                .with_catalog(catalog.clone()),
        ),
        db,
        catalog,
        auth: Arc::new(auth),
        commerce: Arc::new(commerce),
        leptos_options,
        // Serving sets the configured directory; tests keep their uploads in a directory
        // of their own.
        media: Arc::new(app::ssr::media::DiskStore::new(
            std::env::temp_dir().join(format!("shuzhai-media-{}", std::process::id())),
        )),
    })
}

/// Leptos options for a site built into `site_root`.
pub fn leptos_options(site_root: &str, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("shuzhai")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// Largest request body accepted (forms and server-function calls), in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The HTTP application: pages, server functions, covers, static files, behind the
/// security layers (headers, cross-site check, sessions, body limit).
pub fn router(state: AppState) -> Router {
    let origin = state.auth.origin.clone();
    let routes = generate_route_list(App);
    let context = {
        let origin = origin.clone();
        move || {
            provide_context(SiteOrigin(origin.clone()));
            crate::security::page_policy();
        }
    };
    let shell_options = state.leptos_options.clone();
    let hsts = state.auth.secure_cookies;
    let origin: Arc<str> = origin.into();
    Router::new()
        .route("/pkg/{file}", get(crate::assets::pkg))
        .route("/covers/{file}", get(crate::covers::cover))
        .route("/avatars/{file}", get(crate::covers::avatar))
        .route("/account/export.json", get(crate::export::download))
        .route("/notes.md", get(crate::export::notes))
        .route("/lang", axum::routing::post(crate::language::switch))
        .route("/studio/analytics.csv", get(crate::analytics::csv))
        .route("/healthz", get(health))
        .route("/sitemap.xml", get(crate::sitemap::sitemap))
        .route("/media/{file}", get(crate::media::serve))
        .route("/studio/media", axum::routing::post(crate::media::upload))
        .route(
            "/studio/uploads",
            axum::routing::post(crate::uploads::start),
        )
        .route(
            "/studio/uploads/{id}",
            get(crate::uploads::status).put(crate::uploads::piece),
        )
        .route(
            "/studio/uploads/{id}/finish",
            axum::routing::post(crate::uploads::finish),
        )
        .route("/robots.txt", get(crate::sitemap::robots))
        .route("/webhooks/stripe", axum::routing::post(stripe_webhook))
        .route("/reco/current", get(crate::recsys::serve::current))
        .route(
            "/reco/factors/{version}",
            get(crate::recsys::serve::factors),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(shell_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn(
            crate::security::editor_body_limit,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(crate::security::server_fn_status))
        .layer(from_fn_with_state(state.clone(), crate::security::session))
        .layer(from_fn_with_state(origin, crate::security::same_site_only))
        .layer(from_fn_with_state(hsts, crate::security::security_headers))
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .with_state(state)
}

/// `POST /webhooks/stripe`: Stripe's events, verified by their signature.
async fn stripe_webhook(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> (axum::http::StatusCode, String) {
    use app::ssr::commerce::WebhookReply;
    use axum::http::StatusCode;
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let reply =
        app::ssr::commerce::stripe_webhook(&state.db, &state.commerce, signature, &body, now).await;
    if matches!(reply, WebhookReply::Applied(_)) {
        if let Err(e) = app::ssr::commerce::gift::deliver(&state.db, &state.auth).await {
            tracing::error!(error = %e, "could not send gift e-mails");
        }
    }
    match reply {
        WebhookReply::Applied(m) | WebhookReply::Ignored(m) => (StatusCode::OK, m),
        WebhookReply::Rejected(m) => {
            tracing::warn!(reason = %m, "Stripe webhook rejected");
            (StatusCode::BAD_REQUEST, m)
        }
        WebhookReply::Unknown(m) => (StatusCode::NOT_FOUND, m),
    }
}

/// `/healthz`: 200 when the database answers a query. (A query rather than the SDK's
/// `health()`, which a SurrealDB 3.3 server refuses over ws:// as "Method not allowed".)
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, &'static str) {
    let answered = match state.db.query("RETURN 1").await {
        Ok(response) => response.check().map(|_| ()),
        Err(e) => Err(e),
    };
    match answered {
        Ok(()) => (axum::http::StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable",
            )
        }
    }
}

/// A running server.
pub struct Running {
    /// The address it listens on (with the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// The server task; ends when the shutdown future resolves.
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds `addr` and serves `router` until `shutdown` resolves.
pub async fn spawn(
    addr: SocketAddr,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    });
    Ok(Running { addr, task })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// `server serve`.
pub async fn serve(db_args: &DbArgs, args: ServeArgs) -> anyhow::Result<()> {
    let db = open_database(&db_args.config()).await?;
    if args.seed_demo && crate::seed::is_empty(&db).await? {
        tracing::info!("empty database: loading the demo catalog (once)");
        crate::seed::demo(&db)
            .await
            .context("seeding the demo catalog")?;
    }
    let options = leptos_options(&args.site_root, args.addr);
    if !std::path::Path::new(&args.site_root).join("pkg").exists() {
        tracing::warn!(site_root = %args.site_root, "no built site here: pages render, but scripts and styles will be missing (build with `cargo leptos build --release`)");
    }
    let origin = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.addr));
    let limits = if args.loose_limits_per_address {
        tracing::warn!("per-address sign-in limits are loosened a hundredfold (for tests only)");
        RateLimits::loose_per_ip()
    } else {
        RateLimits::default()
    };
    let auth = AuthSettings::new(&origin, limits, args.mail.mailer()?);
    if matches!(auth.mailer, app::ssr::mail::Mailer::Outbox) {
        tracing::info!(
            "no SMTP server configured: mail goes to the outbox (admins read it at /admin/outbox)"
        );
    }
    match app::ssr::commerce::reconcile(&db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            orders = n,
            "granted paid orders that a stop had interrupted"
        ),
        Err(e) => tracing::error!(error = %e, "could not finish interrupted orders"),
    }
    match app::ssr::commerce::gift::deliver(&db, &auth).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(gifts = n, "sent gift e-mails that a stop had held back"),
        Err(e) => tracing::error!(error = %e, "could not send gift e-mails"),
    }
    let commerce = args.payments.commerce(args.tax_rate_bp, &origin)?;
    tracing::info!(provider = commerce.provider.name(), "payments");
    let mut state = build_state(db.clone(), options, auth, commerce).await?;
    state.media = Arc::new(app::ssr::media::DiskStore::new(&args.media_dir));
    let db_for_analytics = db.clone();
    let trainer = Arc::new(
        crate::recsys::trainer::StoreTrainer::new(
            db,
            RetrainSchedule {
                every_hours: args.reco_retrain_hours,
                after_events: args.reco_retrain_events,
            },
        )
        .with_catalog(state.catalog.clone()),
    );
    trainer.watch(Duration::from_secs(60));
    if args.analytics_every_secs > 0 {
        crate::analytics::watch(
            db_for_analytics,
            crate::analytics::Schedule {
                every: Duration::from_secs(args.analytics_every_secs),
                reports: Duration::from_secs(args.analytics_report_minutes * 60),
                retention_days: args.event_retention_days,
                batch_events: args.analytics_batch_events.map_or_else(
                    || app::ssr::analytics::rollup::batch_for(&db_args.config().url),
                    |n| n as usize,
                ),
            },
        );
    }
    state.trainer = trainer;
    if args.catalog_refresh_secs > 0 {
        let catalog = state.catalog.clone();
        let every = Duration::from_secs(args.catalog_refresh_secs);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = catalog.refresh().await {
                    tracing::warn!(error = %e, "catalog refresh failed; serving the previous catalog");
                }
            }
        });
    }
    {
        // Drafts scheduled to go live: checked every 15 seconds.
        let db = state.db.clone();
        let catalog = state.catalog.clone();
        let auth = state.auth.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(15));
            loop {
                tick.tick().await;
                match app::ssr::editor::publish_due(&db, &auth).await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(items = n, "published scheduled drafts");
                        if let Err(e) = catalog.refresh().await {
                            tracing::warn!(error = %e, "catalog refresh after scheduled publishing failed");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "checking scheduled drafts failed"),
                }
            }
        });
    }
    let running = spawn(args.addr, router(state), shutdown_signal()).await?;
    tracing::info!("Shuzhai is serving on http://{}", running.addr);
    running
        .task
        .await
        .context("server task")?
        .context("serving")?;
    Ok(())
}

/// `server migrate`.
pub async fn migrate(db_args: &DbArgs) -> anyhow::Result<()> {
    open_database(&db_args.config()).await?;
    println!("database schema is up to date");
    Ok(())
}

/// `server seed`.
pub async fn seed(db_args: &DbArgs, args: SeedArgs) -> anyhow::Result<()> {
    if !args.demo {
        anyhow::bail!("nothing to seed: pass --demo to load the demo catalog");
    }
    let db = open_database(&db_args.config()).await?;
    if !args.force && !crate::seed::is_empty(&db).await? {
        anyhow::bail!(
            "the database already has items; pass --force to load the demo catalog anyway"
        );
    }
    let stats = crate::seed::demo(&db).await?;
    println!("{stats}");
    if args.scale > 1 {
        let started = std::time::Instant::now();
        let (learners, events) = crate::seed::scale(&db, args.scale).await?;
        println!(
            "scaled ×{}: {learners} more learners, {events} more interaction events in {:.0} s",
            args.scale,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// `server admin …`.
pub async fn admin(db_args: &DbArgs, cmd: AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::Create { email, name } => {
            let password = match std::env::var("SHUZHAI_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("reading the password from standard input")?;
                    line.trim_end_matches(['\n', '\r']).to_string()
                }
            };
            let db = open_database(&db_args.config()).await?;
            let roles = [Role::Admin, Role::Creator, Role::Learner];
            app::ssr::accounts::create_user(&db, &email, &name, &password, &roles)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            println!("admin account created for {}", email.trim().to_lowercase());
            Ok(())
        }
    }
}

/// An account error as a sentence for the command line.
fn describe(e: &app::error::AppError) -> String {
    match e {
        app::error::AppError::Invalid(list) => list
            .iter()
            .map(|f| format!("{}: {}", f.field, f.problem.text(Locale::En)))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// `server eval`: fits every recommendation model on the training ratings and prints how
/// each ranks the test ratings.
pub fn eval(args: &crate::config::EvalArgs) -> anyhow::Result<()> {
    use crate::recsys::eval::{evaluate, read_ratings, split, table};
    let (train, test) = match (&args.train, &args.test, &args.ratings) {
        (Some(train), Some(test), None) => (read_ratings(train)?, read_ratings(test)?),
        (None, None, Some(all)) => {
            if !(args.split > 0.0 && args.split < 1.0) {
                anyhow::bail!("--split is the training share, between 0 and 1 (e.g. 0.8)");
            }
            split(read_ratings(all)?, args.split, args.seed)
        }
        _ => anyhow::bail!("give --train FILE --test FILE, or --ratings FILE [--split 0.8]"),
    };
    let als = crate::recsys::als::AlsParams::default()
        .factors(args.factors)
        .iterations(args.iterations)
        .lambda(args.lambda)
        .alpha(args.alpha)
        .cg_steps(args.cg_steps)
        .seed(args.seed);
    let sgd = crate::recsys::sgd::SgdParams::default()
        .factors(args.sgd_factors)
        .epochs(args.sgd_epochs)
        .learning_rate(args.sgd_learning_rate)
        .lambda(args.sgd_lambda)
        .seed(args.seed);
    let reports = evaluate(&train, &test, &als, &sgd)?;
    if args.json {
        for r in &reports {
            println!("{}", r.json());
        }
    } else {
        println!("{} training and {} test ratings", train.len(), test.len());
        print!("{}", table(&reports));
    }
    Ok(())
}

/// `server reco train` / `server reco rollback`.
pub async fn reco(db_args: &DbArgs, cmd: crate::config::RecoCommand) -> anyhow::Result<()> {
    use crate::config::RecoCommand;
    use crate::recsys::train::{quiet, rollback, store_params, train_and_activate};
    let db = open_database(&db_args.config()).await?;
    match cmd {
        RecoCommand::Train => {
            let t = train_and_activate(&db, &store_params(), "cli", quiet()).await?;
            println!(
                "model version {} is active: {} learners, {} items ({} new ones placed by their tags), \
                 {} interactions, fitted in {:.2} s; NDCG@10 on held-out interactions {:.4} (popularity {:.4})",
                t.version, t.users, t.items, t.cold_items, t.interactions, t.fit_seconds, t.ndcg, t.popularity_ndcg
            );
        }
        RecoCommand::Rollback => {
            let v = rollback(&db).await?;
            println!("model version {v} is active again");
        }
    }
    Ok(())
}
