//! Hostile input: what an anonymous client can send to a public server, over HTTP
//! and WebSocket, on every backend. Each attack must get a coded refusal or a
//! bounded answer, every exchange must end (a hang fails the test after
//! [`BOUND`], a generous bound that says "it did not hang", not "it was fast"), and
//! the server must answer normally afterwards. What each attack costs the server
//! is measured by `scripts/attack` and recorded in docs/hostile-input.md; these
//! tests assert codes and sizes only.

use std::time::Duration;

use actorgraph::config::ServeArgs;
use actorgraph::domain::Dataset;
use awc::http::{header, StatusCode};
use awc::ws::{Frame, Message};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};

use crate::backends::{for_each_backend, Maker};
use crate::helpers::{codes, seed_dataset, TestApp};

/// Longest any one exchange may take before the test calls it a hang.
const BOUND: Duration = Duration::from_secs(30);

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// The app over a fresh store of `make` holding `data`, with adjusted options;
/// `None` when the backend is not available here.
async fn app(make: Maker, data: Dataset, adjust: impl FnOnce(&mut ServeArgs)) -> Option<TestApp> {
    let repo = make(data).await?;
    Some(TestApp::spawn_on_with(repo, adjust).await)
}

/// An answer: status, headers, body (JSON, or null) and its size.
struct Answer {
    status: StatusCode,
    headers: awc::http::header::HeaderMap,
    body: Value,
    bytes: usize,
}

impl Answer {
    fn codes(&self) -> Vec<String> {
        match &self.body {
            Value::Array(items) => items.iter().flat_map(codes).collect(),
            body => codes(body),
        }
    }

    /// The only code of the answer, which must have exactly one error.
    fn code(&self) -> String {
        let codes = self.codes();
        assert_eq!(codes.len(), 1, "one error expected: {:#}", self.body);
        codes[0].clone()
    }
}

async fn answer(
    mut response: awc::ClientResponse<
        impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
    >,
) -> Answer {
    let bytes = tokio::time::timeout(BOUND, response.body().limit(64 * 1024 * 1024))
        .await
        .expect("the body arrives")
        .expect("a readable body");
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        bytes: bytes.len(),
    }
}

/// POSTs a JSON body (given as text, so that it may be anything).
async fn post_text(app: &TestApp, accept: &str, body: String) -> Answer {
    let response = tokio::time::timeout(
        BOUND,
        awc::Client::default()
            .post(app.url("/graphql"))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .insert_header((header::ACCEPT, accept))
            .send_body(body),
    )
    .await
    .expect("the server answers")
    .expect("a response");
    answer(response).await
}

async fn post(app: &TestApp, body: Value) -> Answer {
    post_text(app, GRAPHQL_RESPONSE, body.to_string()).await
}

async fn query(app: &TestApp, q: &str) -> Answer {
    post(app, json!({ "query": q })).await
}

/// Percent-encodes every byte but unreserved ones.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn get(app: &TestApp, query_string: &str) -> Answer {
    let response = tokio::time::timeout(
        BOUND,
        awc::Client::default()
            .get(app.url(&format!("/graphql?{query_string}")))
            .insert_header((header::ACCEPT, GRAPHQL_RESPONSE))
            .send(),
    )
    .await
    .expect("the server answers")
    .expect("a response");
    answer(response).await
}

/// The server still answers: its health and an ordinary query.
async fn assert_healthy(app: &TestApp) {
    let health = tokio::time::timeout(BOUND, awc::Client::default().get(app.url("/health")).send())
        .await
        .expect("health answers")
        .expect("a response");
    assert_eq!(health.status(), StatusCode::OK);
    let a = query(app, "{ actor(id: \"cia\") { id } }").await;
    assert_eq!(
        a.body,
        json!({"data": {"actor": {"id": "cia"}}}),
        "{:#}",
        a.body
    );
}

fn aliases(n: usize, field: &str) -> String {
    let fields: String = (0..n).map(|i| format!("a{i}: {field} ")).collect();
    format!("{{ {fields} }}")
}

/// Fragments F0…F{levels-1}, each spreading the next `fan` times; the last
/// selects `leaf`.
fn fan_out(levels: usize, fan: usize, leaf: &str) -> String {
    let mut q = String::from("{ ...F0 }\n");
    for i in 0..levels - 1 {
        q.push_str(&format!(
            "fragment F{i} on Query {{ {} }}\n",
            format!("...F{} ", i + 1).repeat(fan)
        ));
    }
    q.push_str(&format!("fragment F{} on Query {{ {leaf} }}", levels - 1));
    q
}

pub async fn deeply_nested_values_are_refused_before_the_parser_runs(make: Maker) {
    let Some(app) = app(make, seed_dataset(), |_| {}).await else {
        return;
    };
    let lists = format!(
        "{{ actor(id: {}1{}) {{ id }} }}",
        "[".repeat(1_530),
        "]".repeat(1_530)
    );
    let objects = format!(
        "{{ actor(id: {}1{}) {{ id }} }}",
        "{a:".repeat(2_000),
        "}".repeat(2_000)
    );
    let selections = format!(
        "{{ {} }}",
        "actor(id: \"cia\") { relations { edges { node { from ".repeat(40)
    );
    for q in [&lists, &objects, &selections] {
        let a = query(&app, q).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert_eq!(a.code(), "QUERY_TOO_DEEP");
        assert!(
            a.body.get("data").is_none(),
            "a refused request has no data"
        );
        let a = get(&app, &format!("query={}", encode(q))).await;
        assert_eq!(a.code(), "QUERY_TOO_DEEP");
    }
    // Deep JSON variables stop at the JSON parser's own depth limit.
    let deep = format!(
        "{{\"query\": \"{{ __typename }}\", \"variables\": {{\"v\": {}1{}}}}}",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let a = post_text(&app, GRAPHQL_RESPONSE, deep).await;
    assert_eq!(a.code(), "BAD_REQUEST");
    assert_healthy(&app).await;
}

pub async fn fragment_fan_out_is_refused_before_it_is_expanded(make: Maker) {
    let Some(app) = app(make, seed_dataset(), |_| {}).await else {
        return;
    };
    // 10^9 fields in 832 bytes; 4^11 in 686.
    for q in [
        fan_out(10, 10, "actors { edges { node { id name } } }"),
        fan_out(12, 4, "__typename"),
    ] {
        let a = query(&app, &q).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert_eq!(a.code(), "QUERY_TOO_LARGE");
    }
    let cycle = "{ ...A } fragment A on Query { ...B ...B } fragment B on Query { ...A ...A }";
    assert_eq!(query(&app, cycle).await.code(), "GRAPHQL_VALIDATION_FAILED");
    assert_healthy(&app).await;
}

pub async fn aliases_of_expensive_fields_cost_what_they_may_return(make: Maker) {
    let Some(app) = app(make, seed_dataset(), |_| {}).await else {
        return;
    };
    let timeline = "timeline(first: 500) { relation { evidence { source { text } } } }";
    // Too many aliases at all, whatever they ask.
    assert_eq!(
        query(&app, &aliases(3_000, timeline)).await.code(),
        "QUERY_TOO_LARGE"
    );
    // Few aliases, each of which may return a great deal.
    for q in [
        aliases(10, timeline),
        aliases(
            10,
            "paths(fromId: \"cia\", toId: \"kt\", maxHops: 6) { length }",
        ),
        aliases(
            30,
            "neighborhood(id: \"cia\", depth: 3, limit: 500) { nodes { actor { id } } }",
        ),
        aliases(20, "sources(first: 100) { edges { node { text } } }"),
    ] {
        let a = query(&app, &q).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert_eq!(a.code(), "QUERY_TOO_COMPLEX", "{q}");
    }
    // Under the limits, an answer.
    let searches = query(
        &app,
        &aliases(150, "actors(search: \"a\", first: 0) { totalCount }"),
    )
    .await;
    assert_eq!(searches.status, StatusCode::OK, "{:#}", searches.body);
    assert_eq!(
        searches.body["data"].as_object().map(|o| o.len()),
        Some(150)
    );
    assert_healthy(&app).await;
}

pub async fn a_batch_is_capped_and_shares_one_budget(make: Maker) {
    let Some(app) = app(make, seed_dataset(), |_| {}).await else {
        return;
    };
    let one = json!({"query": "{ actors(first: 1) { totalCount } }"});
    let a = post(&app, Value::Array(vec![one; 17])).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.code(), "TOO_MANY_OPERATIONS");

    // Each is allowed alone; sixteen together are not.
    let heavy = json!({"query": "{ neighborhood(id: \"cia\", limit: 500) { nodes { actor { id name } } } }"});
    let a = post(&app, Value::Array(vec![heavy; 16])).await;
    let answers = a.body.as_array().expect("a batch answer");
    assert_eq!(answers.len(), 16);
    assert!(answers[0].get("errors").is_none(), "{:#}", answers[0]);
    assert_eq!(
        answers[15]["errors"][0]["extensions"]["code"],
        "QUERY_TOO_COMPLEX"
    );
    assert_healthy(&app).await;
}

pub async fn a_read_past_its_deadline_answers_timeout(make: Maker) {
    let Some(app) = app(make, seed_dataset(), |args| {
        args.limits.request_timeout_ms = 1
    })
    .await
    else {
        return;
    };
    let a = query(
        &app,
        &aliases(190, "actors(search: \"a\", first: 1) { totalCount }"),
    )
    .await;
    assert_eq!(a.status, StatusCode::GATEWAY_TIMEOUT, "{:#}", a.body);
    assert_eq!(a.code(), "TIMEOUT");
    assert!(a.body.get("data").is_none());
    let health = awc::Client::default()
        .get(app.url("/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

pub async fn responses_and_errors_are_bounded(make: Maker) {
    let Some(app) = app(make, seed_dataset(), |args| {
        args.limits.max_response_bytes = 4_096
    })
    .await
    else {
        return;
    };
    let a = query(&app, "{ sources { edges { node { id text } } } }").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.code(), "RESPONSE_TOO_LARGE");
    assert!(a.bytes < 1_024);

    // Errors quote an excerpt of what they name, and a few of many errors.
    let long = format!("{{ {} }}", "x".repeat(200_000));
    let a = query(&app, &long).await;
    assert_eq!(a.code(), "GRAPHQL_VALIDATION_FAILED");
    assert!(a.bytes < 2_048, "{} bytes", a.bytes);
    let many: String = (0..150).map(|i| format!("unknown{i} ")).collect();
    let a = query(&app, &format!("{{ {many} }}")).await;
    let codes = a.codes();
    assert_eq!(codes.len(), 21, "20 errors and one that counts the rest");
    assert!(codes.iter().all(|c| c == "GRAPHQL_VALIDATION_FAILED"));
    let skips = format!("{{ __typename {} }}", "@skip(if: false) ".repeat(50_000));
    let a = post_text(&app, GRAPHQL_RESPONSE, json!({"query": skips}).to_string()).await;
    assert!(
        matches!(a.code().as_str(), "QUERY_TOO_LARGE"),
        "{:#}",
        a.body
    );
    assert!(a.bytes < 1_024);
    assert_healthy(&app).await;
}

// --- WebSocket ---

enum Ws {
    Text(Value),
    Close(Option<u16>),
    Ended,
}

async fn ws_next<S>(conn: &mut S) -> Ws
where
    S: futures_util::Stream<Item = Result<Frame, awc::error::WsProtocolError>> + Unpin,
{
    loop {
        let frame = tokio::time::timeout(BOUND, conn.next())
            .await
            .expect("the server says something");
        return match frame {
            Some(Ok(Frame::Text(t))) => {
                Ws::Text(serde_json::from_slice(&t).expect("JSON messages"))
            }
            Some(Ok(Frame::Close(reason))) => Ws::Close(reason.map(|r| u16::from(r.code))),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => Ws::Ended,
        };
    }
}

async fn ws_send<S>(conn: &mut S, message: Value)
where
    S: futures_util::Sink<Message> + Unpin,
    S::Error: std::fmt::Debug,
{
    conn.send(Message::Text(message.to_string().into()))
        .await
        .expect("sent");
}

/// The close code the server ends the connection with.
async fn closed_with<S>(conn: &mut S) -> Option<u16>
where
    S: futures_util::Stream<Item = Result<Frame, awc::error::WsProtocolError>> + Unpin,
{
    loop {
        match ws_next(conn).await {
            Ws::Text(_) => continue,
            Ws::Close(code) => return code,
            Ws::Ended => return None,
        }
    }
}

/// The code of the refusal of operation `id`: an `error` message, or a `next`
/// whose payload has only errors (async-graphql answers a refused document so),
/// skipping what the server says of other operations.
async fn refusal<S>(conn: &mut S, id: &str) -> String
where
    S: futures_util::Stream<Item = Result<Frame, awc::error::WsProtocolError>> + Unpin,
{
    loop {
        let Ws::Text(m) = ws_next(conn).await else {
            panic!("the connection stays open after a refused operation")
        };
        if m["id"] != id || m["type"] == "complete" {
            continue;
        }
        let errors = match m["type"].as_str() {
            Some("error") => m["payload"].clone(),
            Some("next") => {
                assert!(m["payload"].get("data").is_none_or(Value::is_null), "{m}");
                m["payload"]["errors"].clone()
            }
            _ => panic!("a refusal: {m}"),
        };
        return errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or("<none>")
            .to_string();
    }
}

fn ws_url(app: &TestApp) -> String {
    app.url("/graphql").replacen("http", "ws", 1)
}

macro_rules! ws_connect {
    ($app:expr) => {
        awc::Client::default()
            .ws(ws_url($app))
            .protocols(["graphql-transport-ws"])
            .connect()
            .await
            .map(|(_, conn)| conn)
    };
}

fn subscribe(id: &str, query: &str) -> Value {
    json!({"type": "subscribe", "id": id, "payload": {"query": query}})
}

const FEED: &str = "subscription { actorChanged { change } }";

pub async fn websocket_attacks_get_the_protocols_close_codes(make: Maker) {
    let Some(app) = app(make, seed_dataset(), |args| {
        args.limits.max_subscriptions = 2;
        args.limits.ws_init_timeout_ms = 300;
        args.max_body_bytes = 8_192;
    })
    .await
    else {
        return;
    };
    let init = json!({"type": "connection_init"});

    // Hostile documents over WebSocket meet the same limits as over HTTP.
    let mut c = ws_connect!(&app).expect("connects");
    ws_send(&mut c, init.clone()).await;
    assert!(matches!(ws_next(&mut c).await, Ws::Text(m) if m["type"] == "connection_ack"));
    let nested = format!(
        "{{ actor(id: {}1{}) {{ id }} }}",
        "[".repeat(2_000),
        "]".repeat(2_000)
    );
    let nested = format!("{nested:.8000}");
    ws_send(&mut c, subscribe("deep", &nested)).await;
    assert_eq!(refusal(&mut c, "deep").await, "QUERY_TOO_DEEP");
    ws_send(&mut c, subscribe("fan", &fan_out(10, 10, "__typename"))).await;
    assert_eq!(refusal(&mut c, "fan").await, "QUERY_TOO_LARGE");

    // At most two subscriptions; the third is refused, the connection stays.
    ws_send(&mut c, subscribe("1", FEED)).await;
    ws_send(&mut c, subscribe("2", FEED)).await;
    ws_send(&mut c, subscribe("3", FEED)).await;
    assert_eq!(refusal(&mut c, "3").await, "TOO_MANY_SUBSCRIPTIONS");
    // A second subscription under an id in use: 4409.
    ws_send(&mut c, subscribe("1", FEED)).await;
    assert_eq!(closed_with(&mut c).await, Some(4409));

    // Subscribing before connection_init: 4401.
    let mut c = ws_connect!(&app).expect("connects");
    ws_send(&mut c, subscribe("1", FEED)).await;
    assert_eq!(closed_with(&mut c).await, Some(4401));

    // Never sending connection_init: 4408 once the wait is over.
    let mut c = ws_connect!(&app).expect("connects");
    assert_eq!(closed_with(&mut c).await, Some(4408));

    // Not a protocol message: 4400.
    let mut c = ws_connect!(&app).expect("connects");
    c.send(Message::Text("{\"hello\": 1}".into()))
        .await
        .unwrap();
    assert_eq!(closed_with(&mut c).await, Some(4400));

    // A frame over the size limit: 1009.
    let mut c = ws_connect!(&app).expect("connects");
    ws_send(&mut c, init.clone()).await;
    let _ack = ws_next(&mut c).await;
    ws_send(
        &mut c,
        subscribe("big", &format!("{{ __typename }} # {}", "x".repeat(20_000))),
    )
    .await;
    assert_eq!(closed_with(&mut c).await, Some(1009));
    assert_healthy(&app).await;
}

pub async fn a_flood_of_websocket_messages_neither_stalls_the_connection_nor_the_server(
    make: Maker,
) {
    let Some(app) = app(make, seed_dataset(), |_| {}).await else {
        return;
    };
    let mut c = ws_connect!(&app).expect("connects");
    ws_send(&mut c, json!({"type": "connection_init"})).await;
    assert!(matches!(ws_next(&mut c).await, Ws::Text(m) if m["type"] == "connection_ack"));
    for i in 0..5_000 {
        ws_send(&mut c, subscribe(&format!("s{i}"), FEED)).await;
    }
    ws_send(&mut c, json!({"type": "ping"})).await;
    let (mut refused, mut pong) = (0, false);
    while !pong {
        match ws_next(&mut c).await {
            Ws::Text(m) if m["type"] == "pong" => pong = true,
            Ws::Text(m) if m["type"] == "error" => refused += 1,
            Ws::Text(_) => {}
            _ => panic!("the connection stays open"),
        }
    }
    // At most 100 run (fewer if the rate ran out first); the rest were refused.
    assert!(refused >= 4_900, "{refused} refused");
    assert_healthy(&app).await;
}

#[actix_web::test]
async fn websocket_connections_are_limited_per_client_and_by_origin() {
    let app = TestApp::spawn_with(|args| {
        args.limits.max_ws_per_client = 2;
        args.cors_origins = vec!["https://app.example".into()];
    })
    .await;
    let from = |origin: &'static str| {
        awc::Client::default()
            .ws(ws_url(&app))
            .protocols(["graphql-transport-ws"])
            .origin(origin)
            .connect()
    };
    match from("https://evil.example").await {
        Err(awc::error::WsClientError::InvalidResponseStatus(s)) => {
            assert_eq!(s, StatusCode::FORBIDDEN)
        }
        other => panic!(
            "a page of another origin is refused: {:?}",
            other.map(|_| ())
        ),
    }
    let _a = from("https://app.example")
        .await
        .expect("an allowed origin connects");
    let _b = ws_connect!(&app).expect("a second connection");
    match ws_connect!(&app) {
        Err(awc::error::WsClientError::InvalidResponseStatus(s)) => {
            assert_eq!(s, StatusCode::TOO_MANY_REQUESTS)
        }
        other => panic!("a third connection is refused: {:?}", other.map(|_| ())),
    }
    drop(_a);
    // The slot comes back once the server sees the connection go.
    let mut again = None;
    for _ in 0..50 {
        if let Ok(c) = ws_connect!(&app) {
            again = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(again.is_some(), "a freed connection slot can be used again");
}

// --- HTTP hygiene ---

pub async fn a_slow_body_is_cut_off_with_408(make: Maker) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Some(app) = app(make, seed_dataset(), |args| {
        args.limits.body_timeout_ms = 300
    })
    .await
    else {
        return;
    };
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(BOUND, stream.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("REQUEST_TIMEOUT"), "{text}");
    assert_healthy(&app).await;
}

pub async fn clients_past_their_rate_get_429_with_retry_after(make: Maker) {
    let Some(app) = app(make, seed_dataset(), |args| {
        args.limits.rate_limit = 1;
        args.limits.rate_burst = 3;
    })
    .await
    else {
        return;
    };
    let q = json!({"query": "{ __typename }"});
    for _ in 0..3 {
        assert_eq!(post(&app, q.clone()).await.status, StatusCode::OK);
    }
    let a = post(&app, q.clone()).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.code(), "RATE_LIMITED");
    let wait: u64 = a
        .headers
        .get(header::RETRY_AFTER)
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    // A batch costs one request per operation.
    tokio::time::sleep(Duration::from_secs(wait + 1)).await;
    let a = post(&app, Value::Array(vec![q; 5])).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
}

for_each_backend!(actix; crate::hostile;
    deeply_nested_values_are_refused_before_the_parser_runs,
    fragment_fan_out_is_refused_before_it_is_expanded,
    aliases_of_expensive_fields_cost_what_they_may_return,
    a_batch_is_capped_and_shares_one_budget,
    a_read_past_its_deadline_answers_timeout,
    responses_and_errors_are_bounded,
    websocket_attacks_get_the_protocols_close_codes,
    a_flood_of_websocket_messages_neither_stalls_the_connection_nor_the_server,
    a_slow_body_is_cut_off_with_408,
    clients_past_their_rate_get_429_with_retry_after,
);

#[actix_web::test]
async fn an_anonymous_get_is_refused_before_its_query_is_read_when_reads_need_a_key() {
    let entry = format!(
        "editor:{}:reader",
        actorgraph::auth::hash("agk_test_reader")
    );
    let app = TestApp::spawn_with(|args| {
        args.require_key_for_reads = true;
        args.api_keys = vec![entry];
    })
    .await;
    let nested = format!(
        "{{ actor(id: {}1{}) {{ id }} }}",
        "[".repeat(3_000),
        "]".repeat(3_000)
    );
    let a = get(&app, &format!("query={}", encode(&nested))).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.code(), "UNAUTHENTICATED");
    let health = awc::Client::default()
        .get(app.url("/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

#[actix_web::test]
async fn get_takes_the_operation_name_of_the_graphql_over_http_draft() {
    let app = TestApp::spawn().await;
    let doc = "query A { actor(id: \"cia\") { id } } query B { actor(id: \"kt\") { id } }";
    let a = get(&app, &format!("query={}&operationName=B", encode(doc))).await;
    assert_eq!(a.body, json!({"data": {"actor": {"id": "kt"}}}));
    let a = get(&app, &format!("query={}&operationName=C", encode(doc))).await;
    assert_eq!(a.code(), "OPERATION_RESOLUTION_FAILURE");
}

#[actix_web::test]
async fn responses_keep_the_order_of_the_selection() {
    let app = TestApp::spawn().await;
    let response = awc::Client::default()
        .post(app.url("/graphql"))
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .send_body(json!({"query": "{ actor(id: \"cia\") { name kind id } }"}).to_string())
        .await;
    let body = response.unwrap().body().await.unwrap();
    let text = String::from_utf8_lossy(&body);
    let at = |field: &str| {
        text.find(&format!("\"{field}\""))
            .unwrap_or_else(|| panic!("{field} in {text}"))
    };
    assert!(at("name") < at("kind") && at("kind") < at("id"), "{text}");
}

#[actix_web::test]
async fn enum_arguments_must_be_enum_values_not_strings() {
    let app = TestApp::spawn().await;
    let a = query(&app, "{ actors(kinds: [\"COMPANY\"]) { totalCount } }").await;
    assert_eq!(a.code(), "GRAPHQL_VALIDATION_FAILED");
    let a = query(&app, "{ actors(kinds: [COMPANY]) { totalCount } }").await;
    assert!(a.body["data"]["actors"]["totalCount"].as_i64().unwrap() > 0);
    // In variables, JSON has no enums: there the name as a string is the way.
    let a = post(&app, json!({"query": "query($k: [ActorKind!]) { actors(kinds: $k) { totalCount } }", "variables": {"k": ["COMPANY"]}})).await;
    assert!(a.body["data"]["actors"]["totalCount"].as_i64().unwrap() > 0);
}

#[actix_web::test]
async fn pages_send_a_content_security_policy_and_refuse_framing() {
    let app = TestApp::spawn().await;
    for (path, accept) in [
        ("/playground", "text/html"),
        ("/explore", "text/html"),
        ("/graphql", "text/html"),
    ] {
        let response = awc::Client::default()
            .get(app.url(path))
            .insert_header((header::ACCEPT, accept))
            .send()
            .await
            .unwrap();
        let h = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        let csp = h("content-security-policy");
        assert!(csp.contains("script-src 'self' 'nonce-"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
    }
}

#[actix_web::test]
async fn import_graph_takes_a_document_only_as_an_object_with_named_fields() {
    let entry = format!(
        "admin:{}:importer",
        actorgraph::auth::hash("agk_test_admin")
    );
    let app = TestApp::spawn_with(|args| args.api_keys = vec![entry]).await;
    let mutation = "mutation($d: JSON!) { importGraph(document: $d) { changed } }";
    for document in [
        json!([null, [], [["x", "COMPANY"]], []]),
        json!({"actors": [["positional-co", "COMPANY", null, "Positional Co"]]}),
    ] {
        let response = awc::Client::default()
            .post(app.url("/graphql"))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .insert_header((header::AUTHORIZATION, "Bearer agk_test_admin"))
            .send_body(json!({"query": mutation, "variables": {"d": document}}).to_string())
            .await
            .unwrap();
        let a = answer(response).await;
        assert_eq!(a.code(), "BAD_USER_INPUT", "{:#}", a.body);
    }
    let a = query(&app, "{ actor(id: \"positional-co\") { id } }").await;
    assert_eq!(a.body["data"]["actor"], Value::Null, "nothing was written");
}

// --- Arbitrary input ---

#[actix_web::test]
async fn arbitrary_bytes_and_documents_never_panic_the_http_layer() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    let app = TestApp::spawn_with(|args| args.limits.rate_limit = 0).await;
    let mut runner = TestRunner::deterministic();
    // Raw bodies: anything at all, as JSON or not.
    let bytes = proptest::collection::vec(proptest::num::u8::ANY, 0..512);
    // Documents: GraphQL tokens of this schema and of no schema, in any order.
    let token = proptest::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ":",
        "...",
        "@",
        "$",
        "!",
        "=",
        "|",
        "&",
        "\"",
        "\"\"\"",
        "#",
        "query",
        "mutation",
        "subscription",
        "fragment",
        "on",
        "actor",
        "actors",
        "relations",
        "id",
        "name",
        "kinds",
        "first",
        "after",
        "search",
        "edges",
        "node",
        "paths",
        "fromId",
        "toId",
        "neighborhood",
        "timeline",
        "sources",
        "text",
        "COMPANY",
        "skip",
        "include",
        "if",
        "true",
        "null",
        "1",
        "-2.5e3",
        "\"cia\"",
        "F",
        "__typename",
        "__schema",
        "\n",
        "\u{feff}",
        "é",
        "😀",
        "\\u0000",
    ]);
    let document = proptest::collection::vec(token, 0..200).prop_map(|t| t.join(" "));
    for case in 0..300 {
        let body: Vec<u8> = if case % 2 == 0 {
            bytes.new_tree(&mut runner).unwrap().current()
        } else {
            let doc = document.new_tree(&mut runner).unwrap().current();
            json!({"query": doc, "variables": {"id": "cia"}})
                .to_string()
                .into_bytes()
        };
        let response = tokio::time::timeout(
            BOUND,
            awc::Client::default()
                .post(app.url("/graphql"))
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .send_body(body.clone()),
        )
        .await
        .expect("an answer")
        .expect("a response");
        assert!(
            response.status().as_u16() < 500,
            "{} for {:?}",
            response.status(),
            String::from_utf8_lossy(&body)
        );
    }
    assert_healthy(&app).await;
}

#[test]
fn arbitrary_documents_never_panic_the_limits_or_the_parser() {
    use actorgraph::api::{limits, Limits};
    use proptest::prelude::*;
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(2_000));
    runner
        .run(&".{0,400}", |doc| {
            let _ = limits::parse(&doc, &Limits::default());
            Ok(())
        })
        .unwrap();
    runner
        .run(&"[{}\\[\\]() a-z:\\.@$\"#,]{0,400}", |doc| {
            let _ = limits::parse(&doc, &Limits::default());
            Ok(())
        })
        .unwrap();
}

// --- Stopping ---

#[actix_web::test]
async fn a_stop_signal_ends_the_server_with_a_heavy_read_in_flight() {
    use std::process::{Command, Stdio};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_actorgraph"))
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--synthetic",
            "20000",
        ])
        .args([
            "--request-timeout-ms",
            "1500",
            "--rate-limit",
            "0",
            "--workers",
            "1",
        ])
        .env("NEO4J_URI", "")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
    };
    let mut up = false;
    for _ in 0..300 {
        if awc::Client::default()
            .get(app.url("/health"))
            .send()
            .await
            .is_ok()
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server starts");
    let heavy = aliases(
        190,
        "actors(search: \"actor 1\", first: 100) { totalCount edges { node { id name } } }",
    );
    let in_flight = actix_web::rt::spawn({
        let url = app.url("/graphql");
        async move {
            awc::Client::builder()
                .timeout(BOUND)
                .finish()
                .post(url)
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .send_body(json!({ "query": heavy }).to_string())
                .await
                .map(|r| r.status())
        }
    });
    let mut feed = ws_connect!(&app).expect("a WebSocket connection");
    ws_send(&mut feed, json!({"type": "connection_init"})).await;
    assert!(matches!(ws_next(&mut feed).await, Ws::Text(m) if m["type"] == "connection_ack"));
    ws_send(&mut feed, subscribe("1", FEED)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    assert!(signalled.unwrap().success());
    let mut exited = None;
    for _ in 0..300 {
        if let Some(status) = server.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let Some(status) = exited else {
        let _ = server.kill();
        panic!("the server did not stop within 30 s of SIGTERM");
    };
    assert!(status.success(), "a graceful stop: {status}");
    // The WebSocket was told that the server is going away, not cut.
    assert_eq!(closed_with(&mut feed).await, Some(1001));
    // The read in flight was answered (by its deadline at the latest) or cut off
    // with the connection; either way the client was not left hanging.
    let _ = in_flight.await;
}
