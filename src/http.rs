//! HTTP: GraphQL over HTTP at `/graphql`, the playground, the explorer, the review
//! page, exports (`/export`), the SDL and health checks.
//!
//! `/graphql` follows the GraphQL-over-HTTP draft: POST with an `application/json`
//! body, GET with `query`, `operationName`, `variables` in the query string (queries
//! only); responses in `application/graphql-response+json` when the client accepts
//! it, else `application/json`, with the status codes the draft gives for each.

pub mod assets;
mod explorer;
mod export;
mod graphql;
mod page;
pub mod playground;
pub mod rate;
mod review;
pub mod ws;

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::api::GraphqlService;

/// What every handler shares.
pub struct AppState {
    pub service: GraphqlService,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The playground's browser assets.
    pub assets: assets::Assets,
    /// The API keys writes are checked against.
    pub keys: crate::auth::ApiKeys,
    /// Whether reads need a key too.
    pub require_key_for_reads: bool,
    /// Longest the server waits for a request body.
    pub body_timeout: std::time::Duration,
    /// Requests per client.
    pub rate: rate::RateLimits,
    /// The WebSocket transport's limits, and the connections each client holds.
    pub ws: ws::WsLimits,
    /// Origins allowed by CORS; `*` allows any. WebSocket upgrades from a browser
    /// page of another origin are refused.
    pub cors_origins: Vec<String>,
    /// Turns true when the server begins to stop: WebSocket connections close
    /// (1001) instead of holding the stop for its whole grace period.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

/// Mounts every route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/graphql",
        web::get()
            .guard(actix_web::guard::fn_guard(ws::is_upgrade))
            .to(ws::subscribe),
    )
    .route("/graphql", web::post().to(graphql::post))
    .route("/graphql", web::get().to(graphql::get))
    .route("/graphql", web::route().to(graphql::method_not_allowed))
    .route("/playground", web::get().to(playground::page))
    .route("/explore", web::get().to(explorer::page))
    .route("/review", web::get().to(review::page))
    .route("/export", web::get().to(export::export))
    .route("/export", web::route().to(export::method_not_allowed))
    .route("/assets/{name}", web::get().to(assets::serve))
    .route("/schema.graphql", web::get().to(schema_sdl))
    .route("/health", web::get().to(health))
    .route("/favicon.ico", web::get().to(HttpResponse::NoContent))
    .route("/", web::get().to(root));
}

async fn root() -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("Location", "/playground"))
        .finish()
}

/// The SDL, for code generators and humans.
async fn schema_sdl() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(crate::api::sdl())
}

/// Liveness and readiness: 200 when the store answers, 503 when it does not; also
/// how many subscriptions this instance is serving.
async fn health(state: web::Data<AppState>) -> HttpResponse {
    let repo = state.service.repository();
    let subscriptions = state.service.changes().subscribers();
    match repo.ping().await {
        Ok(()) => HttpResponse::Ok()
            .json(json!({"status": "ok", "store": repo.backend(), "subscriptions": subscriptions})),
        Err(e) => {
            tracing::warn!(error = %e, "health check: store unavailable");
            HttpResponse::ServiceUnavailable()
                .json(json!({"status": "unavailable", "store": repo.backend()}))
        }
    }
}
