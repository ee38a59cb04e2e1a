//! The visual explorer at `/explore`: a page of our own that draws the graph with
//! Cytoscape.js and reads everything through the public GraphQL API.

use actix_web::{web, HttpResponse};

use super::AppState;

const PAGE: &str = include_str!("explorer.html");

/// GET /explore.
pub async fn page(state: web::Data<AppState>) -> HttpResponse {
    let html = PAGE
        .replace(
            "{{cytoscape.min.js}}",
            &state.assets.url("cytoscape.min.js"),
        )
        .replace(
            "{{graphql-ws.min.js}}",
            &state.assets.url("graphql-ws.min.js"),
        );
    super::page::html(&html, &state.assets)
}
