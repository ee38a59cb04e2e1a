//! Shared test helpers: the seeded service, a spawned HTTP app, and a repository
//! wrapper that counts store calls.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use actorgraph::api::GraphqlService;
use actorgraph::config::ServeArgs;
use actorgraph::domain::aggregate::Aggregate;
use actorgraph::domain::{
    Actor, ActorId, Claim, ClaimId, Dataset, Relation, RelationId, Source, SourceId,
};
use actorgraph::startup::Application;
use actorgraph::store::memory::MemoryStore;
use actorgraph::store::{
    ActorFilter, ClaimQuery, Page, PageRequest, RelationFilter, RelationQuery, Repository,
    SourceQuery, Stats, StoreResult,
};
use async_trait::async_trait;
use serde_json::Value;

/// The repository's `seed/` folder.
pub fn seed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seed")
}

/// The seeded data set, validated.
pub fn seed_dataset() -> Dataset {
    actorgraph::seed::load(&seed_path()).expect("the seed data set is valid")
}

/// A service over the seeded embedded store.
pub fn seeded_service() -> GraphqlService {
    GraphqlService::new(Arc::new(MemoryStore::new(seed_dataset())))
}

/// Runs a query with variables and returns the whole response as JSON.
pub async fn run(service: &GraphqlService, query: &str, variables: Value) -> Value {
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    serde_json::to_value(service.execute(request).await).expect("responses serialise")
}

/// The ids of a connection's nodes, in order.
pub fn edge_ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_string())
        .collect()
}

/// Runs a query that must succeed and returns its `data`.
pub async fn data(service: &GraphqlService, query: &str, variables: Value) -> Value {
    let response = run(service, query, variables).await;
    assert!(
        response.get("errors").is_none(),
        "unexpected errors: {response:#}"
    );
    response["data"].clone()
}

/// The `extensions.code` of every error of a response.
pub fn codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A server on a free port of 127.0.0.1, over the seeded embedded store.
pub struct TestApp {
    pub address: String,
}

impl TestApp {
    /// Starts the real application in the background.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the real application over a given store.
    pub async fn spawn_on(repo: Arc<dyn Repository>) -> TestApp {
        Self::start(Self::args(), repo)
    }

    /// Starts the real application over a given store, with adjusted options.
    pub async fn spawn_on_with(
        repo: Arc<dyn Repository>,
        adjust: impl FnOnce(&mut ServeArgs),
    ) -> TestApp {
        let mut args = Self::args();
        adjust(&mut args);
        Self::start(args, repo)
    }

    /// Starts it with adjusted options.
    pub async fn spawn_with(adjust: impl FnOnce(&mut ServeArgs)) -> TestApp {
        let mut args = Self::args();
        adjust(&mut args);
        let repo = Arc::new(MemoryStore::new(
            actorgraph::seed::load(&args.seed).expect("valid seed"),
        ));
        Self::start(args, repo)
    }

    fn start(args: ServeArgs, repo: Arc<dyn Repository>) -> TestApp {
        let app = Application::build(&args, repo).expect("the app starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        TestApp { address }
    }

    fn args() -> ServeArgs {
        ServeArgs {
            bind: "127.0.0.1:0".into(),
            seed: seed_path(),
            cors_origins: vec!["*".into()],
            max_body_bytes: 1_048_576,
            web_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("web/node_modules"),
            workers: Some(1),
            synthetic: None,
            embedded: actorgraph::config::EmbeddedArgs {
                data_dir: PathBuf::from("unused"),
                ephemeral: true,
            },
            feed_poll_ms: 250,
            api_keys: vec![],
            api_keys_file: None,
            require_key_for_reads: false,
            neo4j: actorgraph::config::Neo4jArgs {
                neo4j_uri: None,
                neo4j_user: String::new(),
                neo4j_password: String::new(),
                neo4j_database: None,
                neo4j_query_timeout_ms: 10_000,
                neo4j_max_connections: 4,
            },
            limits: actorgraph::config::LimitArgs::default(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }
}

/// Counts the calls made to a repository, to prove that requests are batched.
pub struct CountingRepository {
    inner: Arc<dyn Repository>,
    calls: AtomicUsize,
}

impl CountingRepository {
    pub fn new(inner: Arc<dyn Repository>) -> Arc<Self> {
        Arc::new(CountingRepository {
            inner,
            calls: AtomicUsize::new(0),
        })
    }

    /// Calls so far; resets the counter.
    pub fn take(&self) -> usize {
        self.calls.swap(0, Ordering::SeqCst)
    }

    fn tick(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl Repository for CountingRepository {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    async fn ping(&self) -> StoreResult<()> {
        self.tick();
        self.inner.ping().await
    }
    async fn actors_by_ids(&self, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        self.tick();
        self.inner.actors_by_ids(ids).await
    }
    async fn find_actors(
        &self,
        filter: &ActorFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Actor>> {
        self.tick();
        self.inner.find_actors(filter, page).await
    }
    async fn relations_by_ids(&self, ids: &[RelationId]) -> StoreResult<Vec<Relation>> {
        self.tick();
        self.inner.relations_by_ids(ids).await
    }
    async fn find_relations(&self, queries: &[RelationQuery]) -> StoreResult<Vec<Page<Relation>>> {
        self.tick();
        self.inner.find_relations(queries).await
    }
    async fn find_relations_with_ends(
        &self,
        queries: &[RelationQuery],
    ) -> StoreResult<(Vec<Page<Relation>>, Vec<Actor>)> {
        self.tick();
        self.inner.find_relations_with_ends(queries).await
    }
    async fn aggregate_relations(&self, filters: &[RelationFilter]) -> StoreResult<Vec<Aggregate>> {
        self.tick();
        self.inner.aggregate_relations(filters).await
    }
    async fn claims_by_ids(&self, ids: &[ClaimId]) -> StoreResult<Vec<Claim>> {
        self.tick();
        self.inner.claims_by_ids(ids).await
    }

    async fn find_claims(&self, query: &ClaimQuery) -> StoreResult<Page<Claim>> {
        self.tick();
        self.inner.find_claims(query).await
    }

    async fn actors_named(&self, keys: &[String]) -> StoreResult<Vec<Actor>> {
        self.tick();
        self.inner.actors_named(keys).await
    }

    async fn sources_by_ids(&self, ids: &[SourceId]) -> StoreResult<Vec<Source>> {
        self.tick();
        self.inner.sources_by_ids(ids).await
    }
    async fn find_sources(&self, query: &SourceQuery) -> StoreResult<Page<Source>> {
        self.tick();
        self.inner.find_sources(query).await
    }
    async fn all_sources(&self) -> StoreResult<Vec<Source>> {
        self.tick();
        self.inner.all_sources().await
    }
    async fn stats(&self) -> StoreResult<Stats> {
        self.tick();
        self.inner.stats().await
    }
    async fn import(&self, data: &Dataset, by: &str) -> StoreResult<actorgraph::store::Imported> {
        self.tick();
        self.inner.import(data, by).await
    }
    async fn write(
        &self,
        write: actorgraph::store::Write,
        by: &str,
    ) -> Result<Vec<actorgraph::store::Change>, actorgraph::store::WriteError> {
        self.tick();
        self.inner.write(write, by).await
    }
    async fn timeline(
        &self,
        filter: &actorgraph::store::RelationFilter,
        limit: usize,
    ) -> StoreResult<Vec<Relation>> {
        self.tick();
        self.inner.timeline(filter, limit).await
    }
    async fn last_change(&self) -> StoreResult<u64> {
        self.tick();
        self.inner.last_change().await
    }
    async fn changes(
        &self,
        query: &actorgraph::store::ChangeQuery,
    ) -> StoreResult<Page<actorgraph::store::LogEntry>> {
        self.tick();
        self.inner.changes(query).await
    }
    async fn histories(
        &self,
        records: &[(actorgraph::store::RecordKind, String)],
    ) -> StoreResult<Vec<Vec<actorgraph::store::LogEntry>>> {
        self.tick();
        self.inner.histories(records).await
    }
}

/// A made-up data set: `actors` actors in a ring, each the start of `per_actor`
/// relations to the next ones.
pub fn synthetic(actors: usize, per_actor: usize) -> Dataset {
    actorgraph::synthetic::dataset(actors, per_actor).expect("synthetic data is valid")
}

/// A store that is down: every call fails with an error whose detail must never
/// reach a client.
pub struct FailingRepository;

pub const SECRET_DETAIL: &str = "connection refused by 10.1.2.3:7687 (password hunter2)";

fn down<T>() -> StoreResult<T> {
    Err(actorgraph::store::StoreError::Unavailable {
        backend: "test",
        source: anyhow::anyhow!(SECRET_DETAIL),
    })
}

#[async_trait]
impl Repository for FailingRepository {
    fn backend(&self) -> &'static str {
        "test"
    }
    async fn ping(&self) -> StoreResult<()> {
        down()
    }
    async fn actors_by_ids(&self, _: &[ActorId]) -> StoreResult<Vec<Actor>> {
        down()
    }
    async fn find_actors(&self, _: &ActorFilter, _: &PageRequest) -> StoreResult<Page<Actor>> {
        down()
    }
    async fn relations_by_ids(&self, _: &[RelationId]) -> StoreResult<Vec<Relation>> {
        down()
    }
    async fn find_relations(&self, _: &[RelationQuery]) -> StoreResult<Vec<Page<Relation>>> {
        down()
    }
    async fn find_relations_with_ends(
        &self,
        _: &[RelationQuery],
    ) -> StoreResult<(Vec<Page<Relation>>, Vec<Actor>)> {
        down()
    }
    async fn aggregate_relations(&self, _: &[RelationFilter]) -> StoreResult<Vec<Aggregate>> {
        down()
    }
    async fn claims_by_ids(&self, _: &[ClaimId]) -> StoreResult<Vec<Claim>> {
        down()
    }
    async fn find_claims(&self, _: &ClaimQuery) -> StoreResult<Page<Claim>> {
        down()
    }
    async fn actors_named(&self, _: &[String]) -> StoreResult<Vec<Actor>> {
        down()
    }

    async fn sources_by_ids(&self, _: &[SourceId]) -> StoreResult<Vec<Source>> {
        down()
    }
    async fn find_sources(&self, _: &SourceQuery) -> StoreResult<Page<Source>> {
        down()
    }
    async fn all_sources(&self) -> StoreResult<Vec<Source>> {
        down()
    }
    async fn stats(&self) -> StoreResult<Stats> {
        down()
    }
    async fn import(&self, _: &Dataset, _: &str) -> StoreResult<actorgraph::store::Imported> {
        down()
    }
    async fn write(
        &self,
        _: actorgraph::store::Write,
        _: &str,
    ) -> Result<Vec<actorgraph::store::Change>, actorgraph::store::WriteError> {
        Ok(down()?)
    }
    async fn timeline(
        &self,
        _: &actorgraph::store::RelationFilter,
        _: usize,
    ) -> StoreResult<Vec<Relation>> {
        down()
    }
    async fn last_change(&self) -> StoreResult<u64> {
        down()
    }
    async fn changes(
        &self,
        _: &actorgraph::store::ChangeQuery,
    ) -> StoreResult<Page<actorgraph::store::LogEntry>> {
        down()
    }
    async fn histories(
        &self,
        _: &[(actorgraph::store::RecordKind, String)],
    ) -> StoreResult<Vec<Vec<actorgraph::store::LogEntry>>> {
        down()
    }
}

/// The `startDate` of each relation of a connection (`edges { node { startDate } }`),
/// in its order; every relation must have one.
pub fn start_dates(connection: &Value) -> Vec<&str> {
    connection["edges"]
        .as_array()
        .expect("a connection")
        .iter()
        .map(|e| e["node"]["startDate"].as_str().expect("a start date"))
        .collect()
}

/// The ids of the last `n` of `relations` sorted by type then id, ascending or
/// (`descending`) descending: what `orderBy: {field: TYPE}` with `last: n` gives.
pub fn last_by_type(
    relations: &[&actorgraph::domain::Relation],
    descending: bool,
    n: usize,
) -> Vec<String> {
    let mut by_type: Vec<(&str, &str)> = relations
        .iter()
        .map(|r| (r.kind.as_str(), r.id.as_str()))
        .collect();
    by_type.sort();
    if descending {
        by_type.reverse();
    }
    let from = by_type.len().saturating_sub(n);
    by_type[from..]
        .iter()
        .map(|(_, id)| id.to_string())
        .collect()
}

/// The paths of the problems of a response's first error (`extensions.problems`).
pub fn problem_paths(response: &Value) -> Vec<&str> {
    response["errors"][0]["extensions"]["problems"]
        .as_array()
        .map(|problems| problems.iter().filter_map(|p| p["path"].as_str()).collect())
        .unwrap_or_default()
}
