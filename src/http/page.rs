//! The HTML pages' security headers: a Content-Security-Policy that lets a page
//! load only this server's assets (or the pinned CDN's, when the npm install of
//! `web/` is missing) and run only its own inline script, named by a nonce made
//! for each response; no framing by other sites; no referrer.

use actix_web::HttpResponse;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};

use super::assets::Assets;

/// A fresh nonce for one page's inline script.
fn nonce() -> String {
    let mut bytes = [0u8; 18];
    // The system's generator does not fail on the systems we run on; if it did,
    // a fixed nonce would still allow only the page's own script, and be logged.
    if SystemRandom::new().fill(&mut bytes).is_err() {
        tracing::error!("the system random generator failed; using a fixed CSP nonce");
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The policy of a page whose inline script carries `nonce`.
fn policy(nonce: &str, assets: &Assets) -> String {
    let cdn = assets
        .cdn_origin()
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self' 'nonce-{nonce}'{cdn}; \
         style-src 'self' 'unsafe-inline'{cdn}; img-src 'self' data:; font-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// An HTML page: its `<script>` elements without `src` get the nonce, and the
/// response the security headers.
pub fn html(page: &str, assets: &Assets) -> HttpResponse {
    let nonce = nonce();
    let page = page.replace("<script>", &format!("<script nonce=\"{nonce}\">"));
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", policy(&nonce, assets)))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("Cache-Control", "no-store"))
        .body(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_page_gets_its_own_nonce_on_its_inline_scripts_only() {
        let assets = Assets::default();
        let a = html(
            "<script src=\"/x.js\"></script><script>go()</script>",
            &assets,
        );
        let b = html("<script>go()</script>", &assets);
        let csp = |r: &HttpResponse| {
            r.headers()
                .get("Content-Security-Policy")
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_ne!(csp(&a), csp(&b));
        assert!(csp(&a).contains("frame-ancestors 'none'"));
        assert!(!csp(&a).contains("unsafe-eval"));
    }
}
