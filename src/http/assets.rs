//! Browser assets of the playground (GraphiQL and React) and the explorer
//! (Cytoscape.js, its fCoSE layout and SVG export), served from the npm
//! install in `web/` so that the playground works on a closed network. They are
//! read once at start-up from a fixed list, so no request can name another file.
//! When they are missing (no `npm ci` was run), the playground falls back to a CDN
//! and the log says so.

use std::collections::HashMap;
use std::path::Path;

use actix_web::{web, HttpResponse};

use super::AppState;

/// (name under `/assets/`, path below `node_modules`, content type, CDN address).
const FILES: [(&str, &str, &str, &str); 10] = [
    (
        "graphiql.min.css",
        "graphiql/graphiql.min.css",
        "text/css; charset=utf-8",
        "https://unpkg.com/graphiql@3.8.3/graphiql.min.css",
    ),
    (
        "graphiql.min.js",
        "graphiql/graphiql.min.js",
        "text/javascript; charset=utf-8",
        "https://unpkg.com/graphiql@3.8.3/graphiql.min.js",
    ),
    (
        "react.production.min.js",
        "react/umd/react.production.min.js",
        "text/javascript; charset=utf-8",
        "https://unpkg.com/react@18.3.1/umd/react.production.min.js",
    ),
    (
        "react-dom.production.min.js",
        "react-dom/umd/react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        "https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js",
    ),
    (
        "graphql-ws.min.js",
        "graphql-ws/umd/graphql-ws.min.js",
        "text/javascript; charset=utf-8",
        "https://unpkg.com/graphql-ws@6.4.2/umd/graphql-ws.min.js",
    ),
    (
        "cytoscape.min.js",
        "cytoscape/dist/cytoscape.min.js",
        "text/javascript; charset=utf-8",
        "https://unpkg.com/cytoscape@3.35.0/dist/cytoscape.min.js",
    ),
    (
        "layout-base.js",
        "layout-base/layout-base.js",
        "text/javascript; charset=utf-8",
        "https://unpkg.com/layout-base@2.0.1/layout-base.js",
    ),
    (
        "cose-base.js",
        "cose-base/cose-base.js",
        "text/javascript; charset=utf-8",
        "https://unpkg.com/cose-base@2.2.0/cose-base.js",
    ),
    (
        "cytoscape-fcose.js",
        "cytoscape-fcose/cytoscape-fcose.js",
        "text/javascript; charset=utf-8",
        "https://unpkg.com/cytoscape-fcose@2.2.0/cytoscape-fcose.js",
    ),
    (
        "cytoscape-svg.js",
        "cytoscape-svg/cytoscape-svg.js",
        "text/javascript; charset=utf-8",
        "https://unpkg.com/cytoscape-svg@0.4.0/cytoscape-svg.js",
    ),
];

/// The playground's assets, held in memory.
#[derive(Default)]
pub struct Assets {
    files: HashMap<&'static str, (web::Bytes, &'static str)>,
}

impl Assets {
    /// Reads the assets from `node_modules`; empty (CDN mode) when any is missing.
    pub fn load(node_modules: &Path) -> Self {
        let mut files = HashMap::new();
        for (name, rel, content_type, _) in FILES {
            match std::fs::read(node_modules.join(rel)) {
                Ok(bytes) => {
                    files.insert(name, (web::Bytes::from(bytes), content_type));
                }
                Err(e) => {
                    tracing::warn!(
                        file = %node_modules.join(rel).display(), error = %e,
                        "playground assets not installed (run `npm ci --prefix web`); the playground will load them from a CDN"
                    );
                    return Assets::default();
                }
            }
        }
        tracing::info!(dir = %node_modules.display(), "playground assets served locally");
        Assets { files }
    }

    /// Whether the assets are served by this server.
    pub fn local(&self) -> bool {
        !self.files.is_empty()
    }

    /// Where the pages load their assets from when this server does not serve
    /// them: the CDN's origin, for the pages' Content-Security-Policy.
    pub fn cdn_origin(&self) -> Option<&'static str> {
        (!self.local()).then_some("https://unpkg.com")
    }

    /// The address the playground loads `name` from.
    pub fn url(&self, name: &str) -> String {
        if self.local() {
            format!("/assets/{name}")
        } else {
            FILES
                .iter()
                .find(|f| f.0 == name)
                .map(|f| f.3.to_string())
                .unwrap_or_default()
        }
    }
}

/// GET /assets/{name}.
pub async fn serve(state: web::Data<AppState>, name: web::Path<String>) -> HttpResponse {
    match state.assets.files.get(name.as_str()) {
        Some((bytes, content_type)) => HttpResponse::Ok()
            .content_type(*content_type)
            // The files are pinned versions: let browsers keep them for a day.
            .insert_header(("Cache-Control", "public, max-age=86400"))
            .body(bytes.clone()),
        None => HttpResponse::NotFound().finish(),
    }
}
