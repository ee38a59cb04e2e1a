//! The backends every suite runs against, and the macro that instantiates a suite
//! for each.
//!
//! - `memory`: the embedded store;
//! - `bolt`: the Neo4j store over Bolt, against the server named by `NEO4J_URI`
//!   (ArcadeDB in CI: `scripts/arcadedb start`). Each test gets a database of its
//!   own, created through ArcadeDB's HTTP server API, so tests that list or search
//!   everything see only their own data. Without `NEO4J_URI` these tests print why
//!   and pass locally; in CI (`CI` set) they fail.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actorgraph::domain::Dataset;
use actorgraph::store::memory::MemoryStore;
use actorgraph::store::neo4j::{ImportOptions, Neo4jConfig, Neo4jStore};
use actorgraph::store::Repository;
use futures_util::future::BoxFuture;

/// Makes a fresh store holding exactly `data`; `None` when the backend is not
/// available here (the test then returns early).
pub type Maker = fn(Dataset) -> BoxFuture<'static, Option<Arc<dyn Repository>>>;

pub fn memory(data: Dataset) -> BoxFuture<'static, Option<Arc<dyn Repository>>> {
    Box::pin(async move { Some(Arc::new(MemoryStore::new(data)) as Arc<dyn Repository>) })
}

pub fn bolt(data: Dataset) -> BoxFuture<'static, Option<Arc<dyn Repository>>> {
    Box::pin(async move {
        let store = fresh_bolt_store().await?;
        store
            .import(&data, &ImportOptions::default())
            .await
            .expect("the data set imports over Bolt");
        Some(Arc::new(store) as Arc<dyn Repository>)
    })
}

/// The Bolt server's settings, from the environment.
pub fn bolt_config() -> Option<Neo4jConfig> {
    let uri = std::env::var("NEO4J_URI").ok().filter(|u| !u.is_empty());
    let Some(uri) = uri else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the Bolt tests, but NEO4J_URI is not set (see scripts/arcadedb)"
        );
        eprintln!("skipped: NEO4J_URI is not set; run `scripts/arcadedb start` and `export $(scripts/arcadedb env)`");
        return None;
    };
    Some(Neo4jConfig {
        uri,
        user: std::env::var("NEO4J_USER").unwrap_or_else(|_| "root".into()),
        password: std::env::var("NEO4J_PASSWORD").unwrap_or_default(),
        database: None,
        query_timeout: Duration::from_secs(30),
        max_connections: 4,
    })
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// The settings of a new, empty database on the Bolt server.
pub fn fresh_bolt_database() -> Option<Neo4jConfig> {
    let mut config = bolt_config()?;
    let name = format!(
        "t{}x{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::SeqCst)
    );
    create_database(&config, &name);
    config.database = Some(name);
    Some(config)
}

/// A connected store on a new, empty database.
pub async fn fresh_bolt_store() -> Option<Neo4jStore> {
    let config = fresh_bolt_database()?;
    Some(
        Neo4jStore::connect(&config)
            .await
            .expect("the Bolt server answers"),
    )
}

/// Creates a database through ArcadeDB's HTTP API (`ARCADEDB_HTTP_URL`, default
/// `http://127.0.0.1:2480`). Neo4j Community has a single database; against Neo4j
/// these tests would need a server per run instead.
fn create_database(config: &Neo4jConfig, name: &str) {
    let base =
        std::env::var("ARCADEDB_HTTP_URL").unwrap_or_else(|_| "http://127.0.0.1:2480".into());
    let output = std::process::Command::new("curl")
        .args([
            "-fsS",
            "-u",
            &format!("{}:{}", config.user, config.password),
        ])
        .args(["-H", "content-type: application/json"])
        .args(["-d", &format!(r#"{{"command": "create database {name}"}}"#)])
        .arg(format!("{base}/api/v1/server"))
        .output()
        .expect("curl runs");
    assert!(
        output.status.success(),
        "could not create database {name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Instantiates the named async test functions of a suite module for each backend:
/// `for_each_backend!(path::to::suite; test_a, test_b)` makes `memory::test_a`,
/// `bolt::test_a`, … each calling `suite::test_a(maker)`.
macro_rules! for_each_backend {
    ($suite:path; $($name:ident),+ $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $name() {
                    use $suite as suite;
                    suite::$name($crate::backends::memory).await;
                }
            )+
        }
        mod bolt {
            $(
                #[tokio::test]
                async fn $name() {
                    use $suite as suite;
                    suite::$name($crate::backends::bolt).await;
                }
            )+
        }
    };
}
pub(crate) use for_each_backend;
