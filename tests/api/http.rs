//! End to end: the real application on a free port, spoken to over HTTP.

use awc::http::{header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn post_json(
    app: &TestApp,
    accept: Option<&str>,
    body: Value,
) -> (StatusCode, String, Value) {
    let client = awc::Client::default();
    let mut request = client
        .post(app.url("/graphql"))
        .insert_header((header::CONTENT_TYPE, "application/json"));
    if let Some(a) = accept {
        request = request.insert_header((header::ACCEPT, a));
    }
    let mut response = request
        .send_body(body.to_string())
        .await
        .expect("the server answers");
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = response.body().await.unwrap();
    (
        response.status(),
        content_type,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[actix_web::test]
async fn a_post_query_returns_the_data_as_json() {
    let app = TestApp::spawn().await;
    let (status, content_type, body) = post_json(
        &app,
        None,
        json!({"query": "{ actor(id: \"kt\") { nameKo nameEn } }"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(
        body,
        json!({"data": {"actor": {"nameKo": "KT", "nameEn": "KT Corporation"}}})
    );
}

#[actix_web::test]
async fn a_get_query_with_variables_works() {
    let app = TestApp::spawn().await;
    let mut response = awc::Client::default()
        .get(app.url("/graphql"))
        .query(&[
            ("query", "query($id: ID!) { actor(id: $id) { name } }"),
            ("variables", r#"{"id": "doug-wolfe"}"#),
        ])
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["actor"]["name"], "Doug Wolfe");
}

#[actix_web::test]
async fn request_errors_are_400_for_graphql_response_json_and_200_for_plain_json() {
    let app = TestApp::spawn().await;
    let bad = json!({"query": "{ actors(first: 5 { totalCount } }"});
    let (status, content_type, body) =
        post_json(&app, Some("application/graphql-response+json"), bad.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(content_type.starts_with("application/graphql-response+json"));
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_PARSE_FAILED"
    );
    assert!(
        body.get("data").is_none(),
        "a request error has no data entry: {body}"
    );
    let (status, content_type, _) = post_json(&app, Some("application/json"), bad).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("application/json"));
}

#[actix_web::test]
async fn a_field_error_keeps_status_200_and_partial_data() {
    let app = TestApp::spawn().await;
    let (status, _, body) = post_json(
        &app,
        Some("application/graphql-response+json"),
        json!({"query": "{ good: actor(id: \"cia\") { id } bad: actor(id: \"Not An Id\") { id } }"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["good"]["id"], "cia");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["path"], json!(["bad"]));
}

#[actix_web::test]
async fn a_body_that_is_not_a_graphql_request_is_400_with_a_code() {
    let app = TestApp::spawn().await;
    let client = awc::Client::default();
    for body in [
        "{not json",
        r#"{"quer": "{ sources { totalCount } }"}"#,
        "[]",
    ] {
        let mut response = client
            .post(app.url("/graphql"))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .send_body(body)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let json: Value = response.json().await.unwrap();
        assert_eq!(
            json["errors"][0]["extensions"]["code"], "BAD_REQUEST",
            "{body}"
        );
    }
}

#[actix_web::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = TestApp::spawn_with(|args| args.max_body_bytes = 1_000).await;
    let big = json!({"query": format!("{{ sources {{ totalCount }} }} # {}", "x".repeat(2_000))});
    let (status, _, body) = post_json(&app, None, big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    let mut response = awc::Client::default()
        .post(app.url("/graphql"))
        .insert_header((header::CONTENT_TYPE, "text/plain"))
        .send_body("{ sources { totalCount } }")
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let json: Value = response.json().await.unwrap();
    assert_eq!(
        json["errors"][0]["extensions"]["code"],
        "UNSUPPORTED_MEDIA_TYPE"
    );
}

#[actix_web::test]
async fn an_accept_header_without_json_is_406() {
    let app = TestApp::spawn().await;
    let (status, _, body) = post_json(
        &app,
        Some("text/csv"),
        json!({"query": "{ sources { totalCount } }"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_ACCEPTABLE");
}

#[actix_web::test]
async fn mutations_over_get_and_other_methods_are_405() {
    let app = TestApp::spawn().await;
    let client = awc::Client::default();
    let response = client
        .get(app.url("/graphql"))
        .query(&[("query", "mutation { x }")])
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers().get(header::ALLOW).unwrap(), "POST");
    let response = client.delete(app.url("/graphql")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[actix_web::test]
async fn a_batch_of_requests_gets_a_batch_of_responses() {
    let app = TestApp::spawn().await;
    let (status, _, body) = post_json(
        &app,
        None,
        json!([{"query": "{ actor(id: \"cia\") { id } }"}, {"query": "{ actor(id: \"kt\") { id } }"}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!([{"data": {"actor": {"id": "cia"}}}, {"data": {"actor": {"id": "kt"}}}])
    );
}

#[actix_web::test]
async fn browsers_get_the_playground_with_the_example_query() {
    let app = TestApp::spawn().await;
    let client = awc::Client::default();
    for path in ["/playground", "/graphql"] {
        let mut response = client
            .get(app.url(path))
            .insert_header((header::ACCEPT, "text/html"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
        assert!(html.contains("GraphiQL"), "{path}");
        assert!(
            html.contains("Who is connected to the CIA"),
            "{path} opens on the example query"
        );
        assert!(
            !html.contains("/*CONFIG*/"),
            "{path}: the configuration is filled in"
        );
    }
}

#[actix_web::test]
async fn health_reports_the_store_in_use() {
    let app = TestApp::spawn().await;
    let mut response = awc::Client::default()
        .get(app.url("/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": "ok", "store": "memory", "subscriptions": 0})
    );
}

#[actix_web::test]
async fn the_sdl_is_served_for_code_generators() {
    let app = TestApp::spawn().await;
    let mut response = awc::Client::default()
        .get(app.url("/schema.graphql"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
    assert_eq!(body, actorgraph::api::sdl());
}

#[actix_web::test]
async fn cors_preflight_allows_browser_apps_to_post() {
    let app = TestApp::spawn().await;
    let response = awc::Client::default()
        .request(awc::http::Method::OPTIONS, app.url("/graphql"))
        .insert_header((header::ORIGIN, "http://localhost:5173"))
        .insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, "POST"))
        .insert_header((header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type"))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(
        response
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        "*"
    );
}

#[actix_web::test]
async fn cors_can_be_limited_to_listed_origins() {
    let app =
        TestApp::spawn_with(|args| args.cors_origins = vec!["https://app.example".into()]).await;
    let client = awc::Client::default();
    let allowed = client
        .get(app.url("/health"))
        .insert_header((header::ORIGIN, "https://app.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        "https://app.example"
    );
    let other = client
        .get(app.url("/health"))
        .insert_header((header::ORIGIN, "https://evil.example"))
        .send()
        .await
        .unwrap();
    assert!(other
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
}

#[actix_web::test]
async fn the_api_serves_the_neo4j_store_over_http() {
    let Some(repo) = crate::backends::bolt(crate::helpers::seed_dataset()).await else {
        return;
    };
    let app = TestApp::spawn_on(repo).await;
    let mut health = awc::Client::default()
        .get(app.url("/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(
        health.json::<Value>().await.unwrap(),
        json!({"status": "ok", "store": "neo4j", "subscriptions": 0})
    );
    let (status, _, body) = post_json(
        &app,
        Some("application/graphql-response+json"),
        json!({"query": "{ relation(id: \"cia-contract-amazon\") { amount { value currency } evidence { quote } } }"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["data"]["relation"]["amount"],
        json!({"value": 600000000.0, "currency": "USD"})
    );
    assert!(body["data"]["relation"]["evidence"][0]["quote"]
        .as_str()
        .unwrap()
        .contains("6억 달러"));
}

#[actix_web::test]
async fn the_playground_the_explorer_and_the_review_page_load_their_assets_from_this_server() {
    let web_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/node_modules");
    if !web_dir.join("cytoscape/dist/cytoscape.min.js").exists() {
        // CI installs them (.ci/run); without `npm ci --prefix web` the pages use a CDN.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install the web assets first"
        );
        eprintln!("skipped: run `npm ci --prefix web` to test the local assets");
        return;
    }
    let app = TestApp::spawn().await;
    let client = awc::Client::default();
    let pages = [
        (
            "/playground",
            vec![
                "graphiql.min.js",
                "graphiql.min.css",
                "react.production.min.js",
                "react-dom.production.min.js",
            ],
        ),
        ("/explore", vec!["cytoscape.min.js"]),
        ("/review", vec![]),
    ];
    for (page, assets) in pages {
        let mut response = client.get(app.url(page)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        let html = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
        assert!(
            !html.contains("https://"),
            "{page} loads nothing from the internet"
        );
        assert!(!html.contains("{{"), "{page}: the template is filled in");
        for asset in assets {
            assert!(
                html.contains(&format!("/assets/{asset}")),
                "{page} uses {asset}"
            );
            let mut file = client
                .get(app.url(&format!("/assets/{asset}")))
                .send()
                .await
                .unwrap();
            assert_eq!(file.status(), StatusCode::OK, "{asset}");
            assert!(
                file.body().limit(10_000_000).await.unwrap().len() > 1_000,
                "{asset}"
            );
        }
    }
    for name in ["..%2F..%2FCargo.toml", "package.json", "nope.js"] {
        let response = client
            .get(app.url(&format!("/assets/{name}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{name}");
    }
}

#[actix_web::test]
async fn health_is_503_when_the_store_does_not_answer() {
    let app = TestApp::spawn_on(std::sync::Arc::new(crate::helpers::FailingRepository)).await;
    let mut response = awc::Client::default()
        .get(app.url("/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"status": "unavailable", "store": "test"}));
}

#[actix_web::test]
async fn a_script_imports_over_http_with_a_key_made_by_the_key_command() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_actorgraph"))
        .args(["key", "--role", "admin", "--label", "import-script"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let key = text
        .lines()
        .find_map(|l| {
            l.split_once(": ")
                .filter(|(k, _)| k.starts_with("key"))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap();
    let entry = text
        .lines()
        .find_map(|l| {
            l.split_once(": ")
                .filter(|(k, _)| k.starts_with("entry"))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap();
    assert!(entry.starts_with("admin:") && entry.ends_with(":import-script"));
    assert!(!entry.contains(&key), "the server keeps only the hash");

    let app = TestApp::spawn_with(|args| args.api_keys = vec![entry.clone()]).await;
    let mutation = json!({"query": "mutation($d: JSON!) { importGraph(document: $d) { changed actors { created } } }",
        "variables": {"d": {"actors": [{"id": "nsa", "kind": "GOVERNMENT_AGENCY", "nameEn": "National Security Agency"}]}}});
    let client = awc::Client::default();
    let send = |auth: Option<String>| {
        let mut request = client
            .post(app.url("/graphql"))
            .insert_header((header::CONTENT_TYPE, "application/json"));
        if let Some(a) = auth {
            request = request.insert_header((header::AUTHORIZATION, a));
        }
        request.send_body(mutation.to_string())
    };
    let mut denied = send(None).await.unwrap();
    let body: Value = denied.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let mut wrong = send(Some("Bearer agk_not-a-key".into())).await.unwrap();
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let mut ok = send(Some(format!("Bearer {key}"))).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(
        body["data"]["importGraph"],
        json!({"changed": true, "actors": {"created": 1}}),
        "{body}"
    );
}

#[actix_web::test]
async fn reads_can_be_made_to_require_a_key() {
    let key = "agk_reader";
    let entry = format!("editor:{}:reader", actorgraph::auth::hash(key));
    let app = TestApp::spawn_with(|args| {
        args.api_keys = vec![entry];
        args.require_key_for_reads = true;
    })
    .await;
    let (status, _, body) =
        post_json(&app, None, json!({"query": "{ sources { totalCount } }"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let mut ok = awc::Client::default()
        .post(app.url("/graphql"))
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::AUTHORIZATION, format!("Bearer {key}")))
        .send_body(json!({"query": "{ sources { edges { node { id } } } }"}).to_string())
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(
        body["data"]["sources"]["edges"][0]["node"]["id"],
        "amazon-korea-cloud-2015"
    );
    let health = awc::Client::default()
        .get(app.url("/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK, "health stays public");
}

/// Sends a WebSocket upgrade for /graphql offering `protocols`; the status line and
/// the headers of the answer.
async fn upgrade(app: &TestApp, protocols: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "GET /graphql HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: {protocols}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let mut head = String::new();
    while !head.contains("\r\n\r\n") {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("an answer within 10 s")
            .unwrap();
        if n == 0 {
            break;
        }
        head.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    head.to_ascii_lowercase()
}

#[actix_web::test]
async fn websocket_upgrades_speak_graphql_transport_ws_and_refuse_unknown_protocols() {
    let app = TestApp::spawn().await;
    let head = upgrade(&app, "graphql-transport-ws").await;
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(
        head.contains("sec-websocket-protocol: graphql-transport-ws"),
        "{head}"
    );
    let head = upgrade(&app, "mqtt, wamp").await;
    assert!(head.starts_with("http/1.1 400"), "{head}");
    assert!(head.contains("application/json"), "{head}");
}
