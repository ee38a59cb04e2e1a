//! Builds the HTTP server around a store; used by `main` and by the end-to-end tests,
//! which bind port 0 to get a free port.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::{http::header, middleware, web, App, HttpServer};
use anyhow::Context;

use crate::api::GraphqlService;
use crate::auth::ApiKeys;
use crate::config::ServeArgs;
use crate::http::{self, assets::Assets, rate::RateLimits, ws::WsLimits, AppState};
use crate::store::Repository;

/// A bound, not yet running server.
pub struct Application {
    server: Server,
    addr: SocketAddr,
    /// Tells the WebSocket connections that the server is stopping.
    shutdown: tokio::sync::watch::Sender<bool>,
}

fn cors(origins: &[String]) -> Cors {
    let base = Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers([header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION])
        // What a web app reads of an answer besides its body: the file name of an
        // export, whether a limit cut it short, how long to wait after a 429.
        .expose_headers([
            header::CONTENT_DISPOSITION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-actorgraph-truncated"),
        ])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        base.allow_any_origin().send_wildcard()
    } else {
        origins
            .iter()
            .fold(base, |cors, origin| cors.allowed_origin(origin))
    }
}

/// The API keys from `--api-key` entries and the keys file.
fn api_keys(args: &ServeArgs) -> anyhow::Result<ApiKeys> {
    let mut keys =
        ApiKeys::parse(args.api_keys.iter().map(String::as_str)).map_err(anyhow::Error::msg)?;
    if let Some(path) = &args.api_keys_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read the API keys file {}", path.display()))?;
        let from_file =
            ApiKeys::parse(text.lines()).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        keys.extend(from_file);
    }
    Ok(keys)
}

impl Application {
    /// Binds `args.bind` and prepares the server over `repo`.
    pub fn build(args: &ServeArgs, repo: Arc<dyn Repository>) -> anyhow::Result<Self> {
        let keys = api_keys(args)?;
        if args.require_key_for_reads && keys.is_empty() {
            anyhow::bail!(
                "--require-key-for-reads needs at least one API key (see `actorgraph key`)"
            );
        }
        if keys.is_empty() {
            tracing::info!("no API keys configured: the API is read-only (see `actorgraph key`)");
        } else {
            tracing::info!(keys = keys.len(), "API keys loaded; writes need one");
        }
        let listener = TcpListener::bind(&args.bind)
            .with_context(|| format!("could not listen on {}", args.bind))?;
        let addr = listener.local_addr().context("no local address")?;
        let (shutdown, stopping) = tokio::sync::watch::channel(false);
        let limits = &args.limits;
        let timeout = Duration::from_millis(limits.request_timeout_ms.max(1));
        let shared_store = repo.backend() != "memory";
        let service = GraphqlService::with_limits(repo, limits.limits());
        if shared_store {
            service
                .changes()
                .set_poll(Some(Duration::from_millis(args.feed_poll_ms.max(10))));
        }
        let state = web::Data::new(AppState {
            service,
            max_body_bytes: args.max_body_bytes,
            assets: Assets::load(&args.web_dir),
            keys,
            require_key_for_reads: args.require_key_for_reads,
            body_timeout: Duration::from_millis(limits.body_timeout_ms.max(1)),
            rate: RateLimits::new(limits.rate_limit, limits.rate_burst),
            ws: WsLimits::new(
                limits.max_subscriptions,
                limits.max_ws_per_client,
                Duration::from_millis(limits.ws_init_timeout_ms.max(1)),
                Duration::from_secs(limits.ws_ping_seconds.max(1)),
            ),
            cors_origins: args.cors_origins.clone(),
            shutdown: stopping,
        });
        let origins = args.cors_origins.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(cors(&origins))
                .wrap(middleware::Compress::default())
                .wrap(
                    middleware::DefaultHeaders::new()
                        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
                )
                // The path only: a query string may carry a key or a query.
                .wrap(
                    middleware::Logger::new("%a \"%{method}xi %{path}xi\" %s %b %Dms")
                        .custom_request_replace("method", |req| req.method().to_string())
                        .custom_request_replace("path", |req| req.path().to_string()),
                )
                .configure(http::routes)
        })
        // Slow headers: 408 after this long.
        .client_request_timeout(Duration::from_secs(5))
        // A stop waits for requests in flight, which their deadline bounds.
        .shutdown_timeout(timeout.as_secs() + 5)
        // Signals are ours (see `run_until_stopped`): WebSockets close first.
        .disable_signals()
        .listen(listener)
        .context("could not start the HTTP server")?;
        if let Some(workers) = args.workers {
            server = server.workers(workers.max(1));
        }
        Ok(Application {
            server: server.run(),
            addr,
            shutdown,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until the process is stopped. SIGINT or SIGTERM stop it gracefully:
    /// WebSocket connections are closed (1001), requests in flight finish (their
    /// deadline bounds them), new connections are refused.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let shutdown = self.shutdown;
        actix_web::rt::spawn(async move {
            if let Err(e) = stop_signal().await {
                tracing::error!(error = %e, "cannot listen for stop signals; stop the server with SIGKILL");
                return;
            }
            tracing::info!(
                "stopping: closing WebSocket connections and finishing requests in flight"
            );
            let _ = shutdown.send(true);
            handle.stop(true).await;
        });
        self.server.await
    }
}

/// Waits for SIGINT or SIGTERM.
async fn stop_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}
