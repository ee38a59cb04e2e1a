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

use actorgraph::domain::aggregate::Aggregate;
use actorgraph::domain::{
    Actor, ActorId, Claim, ClaimId, Dataset, Relation, RelationId, Source, SourceId,
};
use actorgraph::store::memory::MemoryStore;
use actorgraph::store::neo4j::{ImportOptions, Neo4jConfig, Neo4jStore};
use actorgraph::store::{
    ActorFilter, ClaimQuery, Page, PageRequest, RelationFilter, RelationQuery, Repository,
    SourceQuery, Stats, StoreResult,
};
use futures_util::future::BoxFuture;

/// Makes a fresh store holding exactly `data`; `None` when the backend is not
/// available here (the test then returns early).
pub type Maker = fn(Dataset) -> BoxFuture<'static, Option<Arc<dyn Repository>>>;

pub fn memory(data: Dataset) -> BoxFuture<'static, Option<Arc<dyn Repository>>> {
    Box::pin(async move { Some(Arc::new(MemoryStore::new(data)) as Arc<dyn Repository>) })
}

pub fn bolt(data: Dataset) -> BoxFuture<'static, Option<Arc<dyn Repository>>> {
    Box::pin(async move {
        let database = fresh_bolt_database()?;
        let store = Neo4jStore::connect(&database.config)
            .await
            .expect("the Bolt server answers");
        store
            .import_with(&data, &ImportOptions::default())
            .await
            .expect("the data set imports over Bolt");
        Some(Arc::new(TestStore {
            store: Some(store),
            _database: database,
        }) as Arc<dyn Repository>)
    })
}

/// A database of one test; dropped (with its files) when the test is done, so
/// the server does not run out of file handles over a run.
pub struct TestDatabase {
    pub config: Neo4jConfig,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = &self.config.database {
            // Best effort: a database left behind is removed at the next start.
            let _ = admin(&self.config, &format!("drop database {name}"));
        }
    }
}

/// A store on a test database: closes its connections, then drops the database.
struct TestStore {
    store: Option<Neo4jStore>,
    _database: TestDatabase,
}

impl Drop for TestStore {
    fn drop(&mut self) {
        // The pool must close before the database goes.
        self.store.take();
    }
}

impl TestStore {
    fn inner(&self) -> &Neo4jStore {
        self.store
            .as_ref()
            .expect("the store lives until the test store is dropped")
    }
}

#[async_trait::async_trait]
impl Repository for TestStore {
    fn backend(&self) -> &'static str {
        self.inner().backend()
    }
    async fn ping(&self) -> StoreResult<()> {
        self.inner().ping().await
    }
    async fn actors_by_ids(&self, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        self.inner().actors_by_ids(ids).await
    }
    async fn find_actors(
        &self,
        filter: &ActorFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Actor>> {
        self.inner().find_actors(filter, page).await
    }
    async fn relations_by_ids(&self, ids: &[RelationId]) -> StoreResult<Vec<Relation>> {
        self.inner().relations_by_ids(ids).await
    }
    async fn find_relations(&self, queries: &[RelationQuery]) -> StoreResult<Vec<Page<Relation>>> {
        self.inner().find_relations(queries).await
    }
    async fn find_relations_with_ends(
        &self,
        queries: &[RelationQuery],
    ) -> StoreResult<(Vec<Page<Relation>>, Vec<Actor>)> {
        self.inner().find_relations_with_ends(queries).await
    }
    async fn aggregate_relations(&self, filters: &[RelationFilter]) -> StoreResult<Vec<Aggregate>> {
        self.inner().aggregate_relations(filters).await
    }
    async fn claims_by_ids(&self, ids: &[ClaimId]) -> StoreResult<Vec<Claim>> {
        self.inner().claims_by_ids(ids).await
    }

    async fn find_claims(&self, query: &ClaimQuery) -> StoreResult<Page<Claim>> {
        self.inner().find_claims(query).await
    }

    async fn actors_named(&self, keys: &[String]) -> StoreResult<Vec<Actor>> {
        self.inner().actors_named(keys).await
    }

    async fn sources_by_ids(&self, ids: &[SourceId]) -> StoreResult<Vec<Source>> {
        self.inner().sources_by_ids(ids).await
    }
    async fn find_sources(&self, query: &SourceQuery) -> StoreResult<Page<Source>> {
        self.inner().find_sources(query).await
    }
    async fn all_sources(&self) -> StoreResult<Vec<Source>> {
        self.inner().all_sources().await
    }
    async fn stats(&self) -> StoreResult<Stats> {
        self.inner().stats().await
    }
    async fn import(&self, data: &Dataset, by: &str) -> StoreResult<actorgraph::store::Imported> {
        self.inner().import(data, by).await
    }
    async fn write(
        &self,
        write: actorgraph::store::Write,
        by: &str,
    ) -> Result<Vec<actorgraph::store::Change>, actorgraph::store::WriteError> {
        self.inner().write(write, by).await
    }
    async fn timeline(
        &self,
        filter: &actorgraph::store::RelationFilter,
        limit: usize,
    ) -> StoreResult<Vec<Relation>> {
        self.inner().timeline(filter, limit).await
    }
    async fn last_change(&self) -> StoreResult<u64> {
        self.inner().last_change().await
    }
    async fn changes(
        &self,
        query: &actorgraph::store::ChangeQuery,
    ) -> StoreResult<Page<actorgraph::store::LogEntry>> {
        self.inner().changes(query).await
    }
    async fn histories(
        &self,
        records: &[(actorgraph::store::RecordKind, String)],
    ) -> StoreResult<Vec<Vec<actorgraph::store::LogEntry>>> {
        self.inner().histories(records).await
    }
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

/// A new, empty database on the Bolt server, dropped when the value is.
pub fn fresh_bolt_database() -> Option<TestDatabase> {
    let mut config = bolt_config()?;
    let name = format!(
        "t{}x{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::SeqCst)
    );
    let created = admin(&config, &format!("create database {name}"));
    assert!(
        created.is_ok(),
        "could not create database {name}: {created:?}"
    );
    config.database = Some(name);
    Some(TestDatabase { config })
}

/// Posts a JSON body to ArcadeDB's HTTP API (`ARCADEDB_HTTP_URL`, default
/// `http://127.0.0.1:2480`) at `path`; the answer's JSON.
fn arcadedb_http(
    config: &Neo4jConfig,
    path: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let base =
        std::env::var("ARCADEDB_HTTP_URL").unwrap_or_else(|_| "http://127.0.0.1:2480".into());
    let output = std::process::Command::new("curl")
        .args([
            "-fsS",
            "-u",
            &format!("{}:{}", config.user, config.password),
        ])
        .args(["-H", "content-type: application/json"])
        .args(["-d", &body.to_string()])
        .arg(format!("{base}{path}"))
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())
}

/// Runs a server command through ArcadeDB's HTTP API. Neo4j Community has a single
/// database; against Neo4j these tests would need a server per run instead.
fn admin(config: &Neo4jConfig, command: &str) -> Result<(), String> {
    arcadedb_http(
        config,
        "/api/v1/server",
        serde_json::json!({ "command": command }),
    )
    .map(|_| ())
}

/// Instantiates the named async test functions of a suite module for each backend:
/// `for_each_backend!(path::to::suite; test_a, test_b)` makes `memory::test_a`,
/// `bolt::test_a`, … each calling `suite::test_a(maker)`.
macro_rules! for_each_backend {
    // Tests that spawn the HTTP app need actix's runtime (its tasks are local).
    (actix; $suite:path; $($name:ident),+ $(,)?) => {
        mod memory {
            $(
                #[actix_web::test]
                async fn $name() {
                    use $suite as suite;
                    suite::$name($crate::backends::memory).await;
                }
            )+
        }
        mod bolt {
            $(
                #[actix_web::test]
                async fn $name() {
                    use $suite as suite;
                    suite::$name($crate::backends::bolt).await;
                }
            )+
        }
    };
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

/// Runs a Cypher query on a test database through ArcadeDB's HTTP API and returns
/// its rows: for tests that check (or disturb) how the Neo4j store lays data out.
pub fn cypher_rows(config: &Neo4jConfig, cypher: &str) -> Vec<serde_json::Value> {
    cypher_rows_with(config, cypher, serde_json::json!({}))
}

/// [`cypher_rows`] with parameters.
pub fn cypher_rows_with(
    config: &Neo4jConfig,
    cypher: &str,
    params: serde_json::Value,
) -> Vec<serde_json::Value> {
    let database = config.database.as_deref().expect("a test database");
    let body = arcadedb_http(
        config,
        &format!("/api/v1/command/{database}"),
        serde_json::json!({ "language": "cypher", "command": cypher, "params": params }),
    )
    .unwrap_or_else(|e| panic!("{cypher}: {e}"));
    body["result"].as_array().cloned().unwrap_or_default()
}
