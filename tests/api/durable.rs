//! The durable embedded store, run as the server process a user runs: what it
//! acknowledged survives SIGKILL, a clean restart serves the same graph, and the
//! change feed resumes from the log. With a Bolt server: two instances on one
//! database share the feed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use actorgraph::store::neo4j::Neo4jConfig;
use awc::http::header;
use awc::ws::Frame;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};

use crate::backends::fresh_bolt_database;
use crate::helpers::seed_path;

const KEY: &str = "agk_durable_test_key";

/// A server process of its own.
struct Server {
    child: Child,
    api: Api,
}

/// Requests to a server, with the admin key.
#[derive(Clone)]
struct Api {
    base: String,
}

impl std::ops::Deref for Server {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Server {
    /// Starts `actorgraph serve` on the data directory `dir` (or on `neo4j`),
    /// with one admin key labelled `writer`, and waits until it answers.
    async fn start(dir: Option<&Path>, neo4j: Option<&Neo4jConfig>) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_actorgraph"));
        cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--rate-limit", "0", "--workers", "2"])
            .arg("--seed")
            .arg(seed_path())
            .arg("--api-key")
            .arg(format!("admin:{}:writer", actorgraph::auth::hash(KEY)))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for var in [
            "NEO4J_URI",
            "NEO4J_USER",
            "NEO4J_PASSWORD",
            "NEO4J_DATABASE",
            "ACTORGRAPH_EPHEMERAL",
            "ACTORGRAPH_DATA_DIR",
        ] {
            cmd.env_remove(var);
        }
        if let Some(dir) = dir {
            cmd.arg("--data-dir").arg(dir);
        }
        if let Some(c) = neo4j {
            cmd.env("NEO4J_URI", &c.uri)
                .env("NEO4J_USER", &c.user)
                .env("NEO4J_PASSWORD", &c.password)
                .env("ACTORGRAPH_FEED_POLL_MS", "100");
            if let Some(db) = &c.database {
                cmd.env("NEO4J_DATABASE", db);
            }
        }
        let child = cmd.spawn().expect("the binary runs");
        let server = Server {
            child,
            api: Api {
                base: format!("http://127.0.0.1:{port}"),
            },
        };
        for _ in 0..300 {
            if awc::Client::default()
                .get(format!("{}/health", server.base))
                .send()
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not start");
    }

    /// Stops the server as SIGTERM does, and waits for it.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }

    /// Kills the server with SIGKILL, and waits for it.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    /// A test that fails leaves no server behind.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Api {
    /// The response to a GraphQL request sent with the admin key (None when the
    /// connection failed: the server is gone).
    async fn post(&self, query: &str, variables: Value) -> Option<Value> {
        let mut response = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish()
            .post(format!("{}/graphql", self.base))
            .insert_header((header::AUTHORIZATION, format!("Bearer {KEY}")))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .send_body(json!({"query": query, "variables": variables}).to_string())
            .await
            .ok()?;
        let body = response.body().limit(64 << 20).await.ok()?;
        serde_json::from_slice(&body).ok()
    }

    /// Data of a request that must succeed.
    async fn data(&self, query: &str, variables: Value) -> Value {
        let r = self.post(query, variables).await.expect("an answer");
        assert!(r.get("errors").is_none(), "{query}: {r}");
        r["data"].clone()
    }
}

fn data_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("actorgraph-durable-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const CREATE: &str = r#"mutation($id: ID!, $name: String!) {
    createActor(input: {id: $id, kind: COMPANY, nameEn: $name}) { id version } }"#;
const UPDATE: &str = r#"mutation($d: String!) {
    updateActor(id: "kt", input: {description: $d}) { version } }"#;

/// Everything a reader sees of the graph, its metadata and its log.
async fn snapshot(server: &Server) -> Value {
    let actors = server
        .data(
            r#"{ actors(first: 100) { totalCount edges { node {
                id kind nameKo nameEn aliases description
                version createdAt createdBy updatedAt updatedBy
                history(last: 5) { seq by change fields { field before after } } } } } }"#,
            json!({}),
        )
        .await;
    let relations = server
        .data(
            r#"{ relations(first: 100) { totalCount edges { node {
                id type from { id } to { id } summary startDate endDate role status note
                amount { value currency } evidence { quote source { id } }
                version createdAt createdBy updatedAt updatedBy } } } }"#,
            json!({}),
        )
        .await;
    let log = server
        .data(
            r#"{ changes(first: 100) { edges { cursor node { seq at by recordId change version before after } } } }"#,
            json!({}),
        )
        .await;
    let claims = server
        .data(
            r#"{ claims(first: 100) { edges { node {
                id version review reason relationId quote type summary
                from { name actor { id } } to { name actor { id } }
                history { by change } } } } }"#,
            json!({}),
        )
        .await;
    json!({"actors": actors, "relations": relations, "log": log, "claims": claims})
}

#[actix_web::test]
async fn a_clean_restart_serves_the_same_graph_and_history() {
    let dir = data_dir("restart");
    let server = Server::start(Some(&dir), None).await;
    server
        .data(CREATE, json!({"id": "durable-co", "name": "Durable Co"}))
        .await;
    server.data(UPDATE, json!({"d": "Edited once"})).await;
    server
        .data(
            r#"mutation { deleteRelation(id: "cia-contract-amazon") { id } }"#,
            json!({}),
        )
        .await;
    server
        .data(
            r#"mutation { deleteActor(id: "doug-wolfe", cascade: true) { actor { id } } }"#,
            json!({}),
        )
        .await;
    // An article brought in, one claim accepted, one rejected.
    let intake = server
        .data(
            r#"mutation { intake(source: {id: "restart-article", title: "T", language: "ko",
                text: "중앙정보국(CIA)이 아마존과 계약을 맺었다. KT는 국회를 비판했다."}) {
                claims { id } } }"#,
            json!({}),
        )
        .await;
    let claims = intake["intake"]["claims"].as_array().unwrap().clone();
    assert!(claims.len() >= 2, "{intake}");
    server
        .data(
            r#"mutation($id: ID!) { acceptClaim(id: $id, edits: {separate: true}) { id } }"#,
            json!({"id": claims[0]["id"]}),
        )
        .await;
    server
        .data(
            r#"mutation($id: ID!) { rejectClaim(id: $id, reason: "No.") { id } }"#,
            json!({"id": claims[1]["id"]}),
        )
        .await;
    let before = snapshot(&server).await;
    assert_eq!(before["actors"]["actors"]["totalCount"], 27);
    let reviews: Vec<&Value> = before["claims"]["claims"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["review"])
        .collect();
    assert!(reviews.contains(&&json!("ACCEPTED")) && reviews.contains(&&json!("REJECTED")));
    server.stop();

    let again = Server::start(Some(&dir), None).await;
    let after = snapshot(&again).await;
    pretty_assertions::assert_eq!(before, after);
    // The seed was loaded into the new directory once, and logged as such.
    let first = &after["log"]["changes"]["edges"][0]["node"];
    assert_eq!(first["by"], "seed");
    again.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix_web::test]
async fn every_acknowledged_write_survives_sigkill_and_none_is_half_done() {
    let dir = data_dir("kill");
    let server = Server::start(Some(&dir), None).await;
    // Two clients write as fast as they are answered: one creates actors, the
    // other edits one; each remembers what was acknowledged.
    let creates = actix_web::rt::spawn({
        let server = server.api.clone();
        async move {
            let mut acked = Vec::new();
            for i in 0.. {
                let id = format!("kill-{i:05}");
                match server
                    .post(CREATE, json!({"id": id, "name": format!("Kill {i}")}))
                    .await
                {
                    Some(r) if r.get("errors").is_none() => acked.push(i),
                    _ => return acked,
                }
            }
            acked
        }
    });
    let edits = actix_web::rt::spawn({
        let server = server.api.clone();
        async move {
            let mut last = None;
            for i in 1.. {
                match server.post(UPDATE, json!({"d": format!("edit {i}")})).await {
                    Some(r) if r.get("errors").is_none() => last = Some(i),
                    _ => return last,
                }
            }
            last
        }
    });
    // Let the stream run, then kill the process in the middle of it.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    server.kill();
    let acked = creates.await.unwrap();
    let last_edit = edits.await.unwrap().expect("some edits were acknowledged");
    eprintln!(
        "acknowledged before SIGKILL: {} creations, {last_edit} edits",
        acked.len()
    );
    assert!(acked.len() >= 10, "a stream of writes ran: {}", acked.len());

    let again = Server::start(Some(&dir), None).await;
    let found = again.data(r#"{ stats { actors } }"#, json!({})).await;
    // The stream creates actors and edits one: the actors beyond the seed's.
    let seeded = crate::helpers::seed_dataset().actors.len();
    let total = found["stats"]["actors"].as_u64().unwrap() as usize - seeded;
    // Every acknowledged creation is there; at most the one in flight besides.
    assert!(
        total == acked.len() || total == acked.len() + 1,
        "{} acknowledged, {total} found",
        acked.len()
    );
    for i in acked.iter().copied().filter(|i| *i < 100) {
        let id = format!("kill-{i:05}");
        let a = again
            .data(
                "query($id: ID!) { actor(id: $id) { nameEn version } }",
                json!({"id": id}),
            )
            .await;
        assert_eq!(a["actor"]["nameEn"], format!("Kill {i}"), "{id}");
        assert_eq!(a["actor"]["version"], 1);
    }
    let kt = again
        .data(r#"{ actor(id: "kt") { description version } }"#, json!({}))
        .await;
    let description = kt["actor"]["description"].as_str().unwrap().to_string();
    assert!(
        description == format!("edit {last_edit}")
            || description == format!("edit {}", last_edit + 1),
        "last acknowledged edit {last_edit}, found `{description}`"
    );
    // The seed's version 1, then one version per edit that landed.
    let edits_landed = description
        .trim_start_matches("edit ")
        .parse::<u64>()
        .unwrap();
    assert_eq!(kt["actor"]["version"], 1 + edits_landed);
    // The log holds exactly what the records show: one entry per landed write.
    let log = again
        .data(
            r#"{ changes(recordId: "kt", kinds: [ACTOR], first: 100) { edges { node { change version } } } }"#,
            json!({}),
        )
        .await;
    let entries = log["changes"]["edges"].as_array().unwrap();
    assert_eq!(entries.len() as u64, 1 + edits_landed.min(99));
    again.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix_web::test]
async fn a_second_process_on_the_same_data_directory_is_refused() {
    let dir = data_dir("lock");
    let server = Server::start(Some(&dir), None).await;
    let other = Command::new(env!("CARGO_BIN_EXE_actorgraph"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .env_remove("NEO4J_URI")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs");
    assert!(!other.status.success());
    let said = String::from_utf8_lossy(&other.stderr);
    assert!(
        said.contains("in use by another actorgraph process"),
        "{said}"
    );
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

// --- The feed across restarts and instances ---

type Conn = actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>;

async fn ws(server: &Server) -> Conn {
    let (_, mut conn) = awc::Client::default()
        .ws(format!("{}/graphql", server.base.replacen("http", "ws", 1)))
        .protocols(["graphql-transport-ws"])
        .connect()
        .await
        .expect("a WebSocket connection");
    send(&mut conn, json!({"type": "connection_init"})).await;
    assert_eq!(next(&mut conn).await["type"], "connection_ack");
    conn
}

async fn send(conn: &mut Conn, message: Value) {
    conn.send(awc::ws::Message::Text(message.to_string().into()))
        .await
        .expect("sent");
}

async fn next(conn: &mut Conn) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(20), conn.next())
            .await
            .expect("a message within 20 s");
        match frame {
            Some(Ok(Frame::Text(t))) => return serde_json::from_slice(&t).expect("JSON"),
            Some(Ok(_)) => continue,
            other => panic!("the connection ended: {other:?}"),
        }
    }
}

/// The next `n` events of subscription `id`: (seq, actor id).
async fn events(conn: &mut Conn, n: usize) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    while out.len() < n {
        let m = next(conn).await;
        assert_eq!(m["type"], "next", "{m}");
        let e = &m["payload"]["data"]["actorChanged"];
        out.push((
            e["seq"].as_u64().expect("a number"),
            e["actor"]["id"].as_str().unwrap().to_string(),
        ));
    }
    out
}

/// Reads events of the subscription until actor `id`'s; its number.
async fn until(conn: &mut Conn, id: &str) -> u64 {
    loop {
        let (seq, actor) = events(conn, 1).await.remove(0);
        if actor == id {
            return seq;
        }
    }
}

fn subscribe(after: Option<u64>) -> Value {
    let query = match after {
        Some(a) => format!("subscription {{ actorChanged(after: {a}) {{ seq actor {{ id }} }} }}"),
        None => "subscription { actorChanged { seq actor { id } } }".to_string(),
    };
    json!({"type": "subscribe", "id": "1", "payload": {"query": query}})
}

/// Subscribe on `reader`, write on `writer`: the event arrives; stop `reader`,
/// write twice, start it again: resuming after the last number gets both.
async fn the_feed_resumes(
    start: impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Server>>>,
    writer: &Server,
) {
    let reader = start().await;
    let mut feed = ws(&reader).await;
    // From the log's start, so that the write below is seen whenever the
    // subscription gets going.
    send(&mut feed, subscribe(Some(0))).await;
    writer
        .data(CREATE, json!({"id": "feed-one", "name": "Feed One"}))
        .await;
    let seen = until(&mut feed, "feed-one").await;
    drop(feed);
    reader.kill();

    writer
        .data(CREATE, json!({"id": "feed-two", "name": "Feed Two"}))
        .await;
    writer
        .data(CREATE, json!({"id": "feed-three", "name": "Feed Three"}))
        .await;
    let reader = start().await;
    let mut feed = ws(&reader).await;
    send(&mut feed, subscribe(Some(seen))).await;
    let missed = events(&mut feed, 2).await;
    assert_eq!(
        missed,
        vec![
            (seen + 1, "feed-two".to_string()),
            (seen + 2, "feed-three".to_string())
        ]
    );
    // And on from there, live, without a repeat.
    writer
        .data(CREATE, json!({"id": "feed-four", "name": "Feed Four"}))
        .await;
    assert_eq!(
        events(&mut feed, 1).await,
        vec![(seen + 3, "feed-four".to_string())]
    );
    drop(feed);
    reader.stop();
}

#[actix_web::test]
async fn the_embedded_feed_resumes_after_a_restart_from_the_log() {
    let dir = data_dir("feed");
    // One process: it writes and it is the reader (stopped and started again).
    let start = {
        let dir = dir.clone();
        move || -> std::pin::Pin<Box<dyn std::future::Future<Output = Server>>> {
            let dir = dir.clone();
            Box::pin(async move { Server::start(Some(&dir), None).await })
        }
    };
    let server = start().await;
    let mut feed = ws(&server).await;
    send(&mut feed, subscribe(Some(0))).await;
    server
        .data(CREATE, json!({"id": "feed-one", "name": "Feed One"}))
        .await;
    let seen = until(&mut feed, "feed-one").await;
    server
        .data(CREATE, json!({"id": "feed-two", "name": "Feed Two"}))
        .await;
    drop(feed);
    server.kill();
    let server = start().await;
    let mut feed = ws(&server).await;
    send(&mut feed, subscribe(Some(seen))).await;
    assert_eq!(
        events(&mut feed, 1).await,
        vec![(seen + 1, "feed-two".to_string())]
    );
    drop(feed);
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix_web::test]
async fn two_instances_on_one_bolt_database_share_the_feed() {
    let Some(database) = fresh_bolt_database() else {
        return;
    };
    let config = database.config.clone();
    let writer = Server::start(None, Some(&config)).await;
    let start = {
        let config = config.clone();
        move || -> std::pin::Pin<Box<dyn std::future::Future<Output = Server>>> {
            let config = config.clone();
            Box::pin(async move { Server::start(None, Some(&config)).await })
        }
    };
    the_feed_resumes(start, &writer).await;
    writer.stop();
}
