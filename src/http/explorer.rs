//! The visual explorer at `/explore`: a page of our own that draws the graph with
//! Cytoscape.js and reads everything through the public GraphQL API.

use actix_web::{web, HttpResponse};

use super::AppState;

const PAGE: &str = include_str!("explorer.html");

/// GET /explore.
pub async fn page(state: web::Data<AppState>) -> HttpResponse {
    let html = [
        "cytoscape.min.js",
        "layout-base.js",
        "cose-base.js",
        "cytoscape-fcose.js",
        "cytoscape-svg.js",
        "graphql-ws.min.js",
    ]
    .iter()
    .fold(PAGE.to_string(), |page, name| {
        page.replace(&format!("{{{{{name}}}}}"), &state.assets.url(name))
    });
    super::page::html(&html, &state.assets)
}
