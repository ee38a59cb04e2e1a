//! The review page at `/review`: an editor pastes or uploads an article, sees the
//! names and candidate claims intake found highlighted in the text, and accepts,
//! edits or rejects each claim from the keyboard or the mouse; an admin merges
//! duplicate actors. A page of our own, with no third-party script: everything
//! goes through the public GraphQL API with the key the editor types (kept in
//! the tab's session storage only).

use actix_web::{web, HttpResponse};

use super::AppState;

const PAGE: &str = include_str!("review.html");

/// GET /review.
pub async fn page(state: web::Data<AppState>) -> HttpResponse {
    super::page::html(PAGE, &state.assets)
}
