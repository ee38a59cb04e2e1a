//! The GraphiQL playground, opening on an example query over the seeded data, with
//! the analysts' questions of the README in the tabs beside it.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::assets::Assets;
use super::AppState;

const PAGE: &str = include_str!("playground.html");
const EXAMPLE: &str = include_str!("example.graphql");

/// The playground's tabs: the example it opens on, then the analysts' questions of
/// the README, each answered in one query. The queries are anonymous: GraphiQL
/// (3.8) sends the operation name of the tab it showed before with a default
/// tab's query, which the server refuses when the names differ.
pub const EXAMPLES: [&str; 4] = [
    EXAMPLE,
    include_str!("example-contracts.graphql"),
    include_str!("example-oldest-first.graphql"),
    include_str!("example-sentences.graphql"),
];

/// The playground's HTML, loading its assets from this server when installed.
pub fn html(assets: &Assets) -> String {
    let config = json!({"endpoint": "/graphql", "defaultQuery": EXAMPLE, "tabs": EXAMPLES});
    // `</` would end the script element early if a query ever contained it.
    let config = config.to_string().replace("</", "<\\/");
    let mut page = PAGE.replace("/*CONFIG*/{}", &config);
    for name in [
        "graphiql.min.css",
        "graphiql.min.js",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphql-ws.min.js",
    ] {
        page = page.replace(&format!("{{{{{name}}}}}"), &assets.url(name));
    }
    page
}

/// GET /playground.
pub async fn page(state: web::Data<AppState>) -> HttpResponse {
    page_response(&state.assets)
}

/// The playground page with its security headers.
pub fn page_response(assets: &Assets) -> HttpResponse {
    super::page::html(&html(assets), assets)
}

/// The example query the playground opens on.
pub fn example_query() -> &'static str {
    EXAMPLE
}
