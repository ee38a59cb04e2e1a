//! The GraphiQL playground, opening on an example query over the seeded data.

use actix_web::HttpResponse;
use serde_json::json;

const PAGE: &str = include_str!("playground.html");
const EXAMPLE: &str = include_str!("example.graphql");

/// The playground's HTML.
pub fn html() -> String {
    let config = json!({"endpoint": "/graphql", "defaultQuery": EXAMPLE});
    // `</` would end the script element early if a query ever contained it.
    let config = config.to_string().replace("</", "<\\/");
    PAGE.replace("/*CONFIG*/{}", &config)
}

/// GET /playground.
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html())
}

/// The example query the playground opens on.
pub fn example_query() -> &'static str {
    EXAMPLE
}
