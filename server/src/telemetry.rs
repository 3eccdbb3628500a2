//! Logging: human-readable lines on stderr, filtered by `RUST_LOG`-style directives.

use tracing_subscriber::EnvFilter;

/// Installs the global logger once (later calls, e.g. from several tests, do nothing).
pub fn init(directives: &str) {
    let filter = EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
