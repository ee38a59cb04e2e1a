//! `GET /export` on every backend: the formats, the parts of the graph, and the
//! limits of a public read (codes, not timings).

use std::time::Duration;

use actorgraph::config::ServeArgs;
use actorgraph::domain::Dataset;
use awc::http::{header, StatusCode};
use serde_json::Value;

use crate::backends::{for_each_backend, Maker};
use crate::helpers::{seed_dataset, TestApp};

/// Longest one exchange may take before the test calls it a hang.
const BOUND: Duration = Duration::from_secs(60);

async fn app(make: Maker, data: Dataset, adjust: impl FnOnce(&mut ServeArgs)) -> Option<TestApp> {
    let repo = make(data).await?;
    Some(TestApp::spawn_on_with(repo, adjust).await)
}

/// An answer: status, content type, disposition, body.
struct Answer {
    status: StatusCode,
    content_type: String,
    disposition: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// `extensions.code` of the first error.
    fn code(&self) -> String {
        self.json()["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn argument(&self) -> String {
        self.json()["errors"][0]["extensions"]["argument"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

async fn export(app: &TestApp, query: &str) -> Answer {
    let mut response = tokio::time::timeout(
        BOUND,
        awc::Client::default()
            .get(app.url(&format!("/export?{query}")))
            .send(),
    )
    .await
    .expect("the server answers")
    .expect("a response");
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &header::HeaderValue| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (content_type, disposition) = (
        header(header::CONTENT_TYPE),
        header(header::CONTENT_DISPOSITION),
    );
    let body = response
        .body()
        .limit(64 * 1024 * 1024)
        .await
        .expect("a body")
        .to_vec();
    Answer {
        status: response.status(),
        content_type,
        disposition,
        body,
    }
}

pub async fn every_format_is_served_for_a_part_of_the_graph(make: Maker) {
    let Some(app) = app(make, seed_dataset(), |_| {}).await else {
        return;
    };
    let part = "around=cia&depth=1";
    let a = export(&app, &format!("format=json&{part}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert!(a.content_type.starts_with("application/json"));
    assert_eq!(
        a.disposition,
        "attachment; filename=\"actorgraph-cia.json\""
    );
    let doc = a.json();
    let mut actors: Vec<&str> = doc["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    actors.sort();
    assert_eq!(
        actors,
        ["amazon", "aws", "cia", "doug-wolfe", "united-states"]
    );
    assert_eq!(doc["relations"].as_array().unwrap().len(), 4);
    assert_eq!(doc["sources"].as_array().unwrap().len(), 1);
    // The part is a data set of its own: it validates and could be seeded.
    let raw: actorgraph::domain::RawDocument = serde_json::from_value(doc).unwrap();
    actorgraph::domain::validate(&[("part", &raw)]).expect("a part validates");

    for (format, media, marker) in [
        (
            "ftm",
            "application/x-ndjson",
            "\"schema\":\"ContractAward\"",
        ),
        ("graphml", "application/graphml+xml", "<node id=\"cia\">"),
        ("gexf", "application/gexf+xml", "<node id=\"cia\""),
        ("csl", "application/json", "\"article-newspaper\""),
        (
            "brief",
            "text/markdown",
            "# Central Intelligence Agency and its relations within 1 hop",
        ),
        (
            "brief-html",
            "text/html",
            "<h1>Central Intelligence Agency and its relations",
        ),
        ("csv", "text/csv", "id,source,target,type"),
    ] {
        let a = export(&app, &format!("format={format}&{part}")).await;
        assert_eq!(a.status, StatusCode::OK, "{format}: {}", a.text());
        assert!(
            a.content_type.starts_with(media),
            "{format}: {}",
            a.content_type
        );
        assert!(a.text().contains(marker), "{format}: {}", a.text());
    }
    let nodes = export(&app, &format!("format=csv&table=nodes&{part}")).await;
    assert_eq!(nodes.text().lines().count(), 6, "a header and five actors");
    let evidence = export(&app, &format!("format=csv&table=evidence&{part}")).await;
    assert!(evidence.text().starts_with("relation,source,quote\r\n"));
    assert_eq!(
        evidence.disposition,
        "attachment; filename=\"actorgraph-cia-evidence.csv\""
    );
}

pub async fn paths_filters_and_the_whole_graph_are_exported_alike_on_every_store(make: Maker) {
    let Some(app) = app(make, seed_dataset(), |_| {}).await else {
        return;
    };
    let whole = export(&app, "").await.json();
    assert_eq!(whole["actors"].as_array().unwrap().len(), 27);
    assert_eq!(whole["relations"].as_array().unwrap().len(), 40);

    let brief = export(&app, "format=brief&from=cia&to=kt&paths=2").await;
    assert_eq!(brief.status, StatusCode::OK);
    let text = brief.text();
    assert!(
        text.starts_with("# How Central Intelligence Agency is connected to KT Corporation\n"),
        "{text}"
    );
    assert_eq!(text.matches("\n## Path ").count(), 2, "{text}");

    let contracts = export(&app, "types=CONTRACT").await.json();
    let types: Vec<&str> = contracts["relations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert!(
        !types.is_empty() && types.iter().all(|t| *t == "CONTRACT"),
        "{types:?}"
    );

    // The pending bills have no start: they hold at any date, the others do not.
    let dated = export(&app, "asOf=2000&around=kt&depth=2").await.json();
    let relations = dated["relations"].as_array().unwrap();
    assert!(
        relations.iter().all(|r| r.get("start").is_none()),
        "{relations:#?}"
    );
}

pub async fn wrong_parameters_get_coded_errors_that_say_what_to_fix(make: Maker) {
    let Some(app) = app(make, seed_dataset(), |_| {}).await else {
        return;
    };
    for (query, status, code, argument) in [
        (
            "format=pdf",
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "format",
        ),
        (
            "around=nobody",
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "around",
        ),
        (
            "from=cia&to=nobody",
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "to",
        ),
        ("from=cia", StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "to"),
        (
            "around=cia&depth=4",
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "depth",
        ),
        (
            "asOf=yesterday",
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "asOf",
        ),
        (
            "colour=red",
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "colour",
        ),
    ] {
        let a = export(&app, query).await;
        assert_eq!(a.status, status, "{query}: {}", a.text());
        assert_eq!(a.code(), code, "{query}");
        assert_eq!(a.argument(), argument, "{query}");
        let message = a.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.len() > 20, "{query}: {message}");
    }
    // What the walk may cost is bounded before it runs.
    let many: Vec<String> = (0..20).map(|i| format!("a{i}")).collect();
    let a = export(
        &app,
        &format!("around={}&depth=3&limit=500", many.join(",")),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.code(), "QUERY_TOO_COMPLEX", "{}", a.text());
}

pub async fn exports_are_limited_like_reads(make: Maker) {
    // Larger than the response limit.
    let Some(small) = app(make, seed_dataset(), |args| {
        args.limits.max_response_bytes = 4_096
    })
    .await
    else {
        return;
    };
    let a = export(&small, "format=json").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.code(), "RESPONSE_TOO_LARGE");
    assert!(a.body.len() < 1_024);
    assert!(a.text().contains("actorgraph export"), "{}", a.text());

    // A whole graph over the record limit is refused before it is read.
    let big = actorgraph::synthetic::dataset(6_000, 3).unwrap();
    let Some(big) = app(make, big, |_| {}).await else {
        return;
    };
    let a = export(&big, "format=graphml").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.code(), "RESPONSE_TOO_LARGE", "{}", a.text());
    assert!(a.text().contains("records"), "{}", a.text());
    let part = export(&big, "format=graphml&around=syn-0000001").await;
    assert_eq!(part.status, StatusCode::OK, "{}", part.text());
    assert!(part.text().contains("<node id=\"syn-0000001\">"));
}

pub async fn an_export_past_its_deadline_answers_timeout(make: Maker) {
    let data = actorgraph::synthetic::dataset(3_000, 3).unwrap();
    let Some(app) = app(make, data, |args| args.limits.request_timeout_ms = 1).await else {
        return;
    };
    let a = export(&app, "format=json").await;
    assert_eq!(a.status, StatusCode::GATEWAY_TIMEOUT, "{}", a.text());
    assert_eq!(a.code(), "TIMEOUT");
}

for_each_backend!(actix; crate::export;
    every_format_is_served_for_a_part_of_the_graph,
    paths_filters_and_the_whole_graph_are_exported_alike_on_every_store,
    wrong_parameters_get_coded_errors_that_say_what_to_fix,
    exports_are_limited_like_reads,
    an_export_past_its_deadline_answers_timeout,
);

#[actix_web::test]
async fn a_web_app_of_another_origin_reads_the_file_name_and_the_truncation_flag() {
    let app = TestApp::spawn().await;
    let response = awc::Client::default()
        .get(app.url("/export?format=graphml&around=cia"))
        .insert_header((header::ORIGIN, "https://newsroom.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let exposed = response
        .headers()
        .get(header::ACCESS_CONTROL_EXPOSE_HEADERS)
        .expect("headers exposed to scripts")
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for name in [
        "content-disposition",
        "x-actorgraph-truncated",
        "retry-after",
    ] {
        assert!(exposed.contains(name), "{exposed}");
    }
    assert_eq!(
        response.headers().get("x-actorgraph-truncated").unwrap(),
        "false"
    );
}

#[actix_web::test]
async fn other_methods_than_get_are_405() {
    let app = TestApp::spawn().await;
    let response = awc::Client::default()
        .post(app.url("/export?format=json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers().get(header::ALLOW).unwrap(), "GET");
}

#[actix_web::test]
async fn exports_follow_the_key_and_rate_rules_of_reads() {
    let app = TestApp::spawn_with(|args| {
        args.require_key_for_reads = true;
        args.api_keys = vec![format!(
            "editor:{}:reader",
            actorgraph::auth::hash("agk_test_reader")
        )];
    })
    .await;
    let a = export(&app, "format=json").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.code(), "UNAUTHENTICATED");

    let app = TestApp::spawn_with(|args| {
        args.limits.rate_limit = 1;
        args.limits.rate_burst = 2;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(export(&app, "format=csl").await.status);
    }
    assert_eq!(statuses[0], StatusCode::OK);
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}
