//! The Neo4j store (Neo4j 5 over Bolt, through neo4rs). Neo4j and neo4rs types
//! stay inside this module; every query is a parameterised `.cypher` file beside it.
//!
//! The graph model (also in `docs/neo4j.md`):
//! - `(:Actor:<Kind> {id, kind, nameKo, nameEn, aliases, description, searchText})`,
//!   where `<Kind>` is the kind in PascalCase (`:GovernmentAgency`) and `searchText`
//!   holds the folded names and aliases joined by `|` (see `domain::search`);
//! - `(:Actor)-[:<TYPE> {id, from, to, summary, amountValue, amountCurrency,
//!   startDate, startInferred, startNote, endDate, endInferred, endNote, role,
//!   areaSquareMetres, areaApproximate, status, note, evidenceSources,
//!   evidenceQuotes}]->(:Actor)`, the type being the relation type (`CONTRACT`);
//!   evidence is kept on the relationship as two parallel lists, so a relation
//!   comes back with its evidence in the same round trip;
//! - `(:Source {id, title, publisher, language, publishedAt, publishedInferred,
//!   publishedNote, url, note, text})`;
//! - the name index: `(:ActorName {id, kind, searchText})-[:HAS_GRAM]->(:NameGram
//!   {g, n})`, one `ActorName` per actor and one `NameGram` per bigram or trigram
//!   of the folded names, `n` counting its links (name_grams.cypher).
//!
//! Queries run on a small runtime of the store's own: actix runs each HTTP worker
//! on a single-threaded runtime, and a pooled Bolt connection must not depend on
//! whichever worker happened to open it.

pub mod filter;
mod import;
mod write;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use neo4rs::{query, BoltType, ConfigBuilder, Graph, Query};
use serde::de::DeserializeOwned;

use super::records::{name_row, ActorRecord, ClaimNodeRecord, RelationRecord, SourceRecord};
use super::{
    ActorFilter, ActorSortBy, Change, ChangeKind, Imported, Page, PageRequest, Record,
    RelationFilter, RelationQuery, Repository, SortBy, SortKey, SourceQuery, Stats, StoreError,
    StoreResult, Write, WriteError,
};
pub use super::{ImportReport, KindReport};
use crate::domain::aggregate::{Aggregate, AmountStats, DateSpan, Group};
use crate::domain::{
    search, Actor, ActorId, ActorKind, Claim, ClaimId, Direction, PartialDate, Relation,
    RelationId, RelationType, Source, SourceId,
};
pub use import::{ImportOptions, Progress};

const BACKEND: &str = "neo4j";

const SETUP: &str = include_str!("neo4j/setup.cypher");
const PING: &str = include_str!("neo4j/ping.cypher");
const ACTORS_BY_IDS: &str = include_str!("neo4j/actors_by_ids.cypher");
const FIND_ACTORS: &str = include_str!("neo4j/find_actors.cypher");
const SEARCH_ACTORS: &str = include_str!("neo4j/search_actors.cypher");
const FIND_ACTORS_ORDERED: &str = include_str!("neo4j/find_actors_ordered.cypher");
const FUZZY_ACTORS: &str = include_str!("neo4j/fuzzy_actors.cypher");
const RELATIONS_BY_IDS: &str = include_str!("neo4j/relations_by_ids.cypher");
const BACKFILL_RELATION_KEYS: &str = include_str!("neo4j/backfill_relation_keys.cypher");
const BACKFILL_CITATIONS: &str = include_str!("neo4j/backfill_citations.cypher");
const RECORD_IDS_READY: &str = include_str!("neo4j/record_ids_ready.cypher");
const BACKFILL_RECORD_IDS: &str = include_str!("neo4j/backfill_record_ids.cypher");
const UNFOLDED_SOURCES: &str = include_str!("neo4j/unfolded_sources.cypher");
const FOLD_SOURCES: &str = include_str!("neo4j/fold_sources.cypher");
const FIND_SOURCES: &str = include_str!("neo4j/find_sources.cypher");
const SEARCH_SOURCES: &str = include_str!("neo4j/search_sources.cypher");
static RELATION_PAGES_OF_SOURCES: Filtered =
    Filtered::new(include_str!("neo4j/relation_pages_of_sources.cypher"));
static RELATION_AGGREGATES_OF_SOURCES: Filtered =
    Filtered::new(include_str!("neo4j/relation_aggregates_of_sources.cypher"));
static RELATION_PAGES_OF_ACTORS: Filtered =
    Filtered::new(include_str!("neo4j/relation_pages_of_actors.cypher"));
static RELATION_PAGES_WITH_ENDS: Filtered = Filtered::new(include_str!(
    "neo4j/relation_pages_of_actors_with_ends.cypher"
));
static RELATION_PAGE_ALL: Filtered = Filtered::new(include_str!("neo4j/relation_page_all.cypher"));
static RELATION_PAGE_ALL_UNCOUNTED: Filtered =
    Filtered::new(include_str!("neo4j/relation_page_all_uncounted.cypher"));
static RELATION_PAGES_ORDERED: Filtered =
    Filtered::new(include_str!("neo4j/relation_pages_ordered.cypher"));
static RELATION_PAGE_ORDERED_ALL: Filtered =
    Filtered::new(include_str!("neo4j/relation_page_ordered_all.cypher"));
static RELATION_AGGREGATES_OF_ACTORS: Filtered =
    Filtered::new(include_str!("neo4j/relation_aggregates_of_actors.cypher"));
static RELATION_AGGREGATE_ALL: Filtered =
    Filtered::new(include_str!("neo4j/relation_aggregate_all.cypher"));
const COUNTS: &str = include_str!("neo4j/counts.cypher");
const RELATION_COUNT: &str = include_str!("neo4j/relation_count.cypher");
const RECOUNT: &str = include_str!("neo4j/recount.cypher");
const NAME_INDEX_READY: &str = include_str!("neo4j/name_index_ready.cypher");
const NAME_INDEX_DONE: &str = include_str!("neo4j/name_index_done.cypher");
const SEARCH_TEXTS: &str = include_str!("neo4j/search_texts.cypher");
/// How many actors one transaction of the name index's build indexes.
const NAME_INDEX_BATCH: usize = 1_000;
pub(super) const COUNT_CHANGES: &str = include_str!("neo4j/count_changes.cypher");
static RELATION_PAGE_TYPED: Typed = Typed::new(include_str!("neo4j/relation_page_typed.cypher"));
static RELATION_PAGE_TYPED_UNCOUNTED: Typed =
    Typed::new(include_str!("neo4j/relation_page_typed_uncounted.cypher"));

/// Queries with their places in the caller's list.
type Indexed<'a> = Vec<(usize, &'a RelationQuery)>;

/// The count (count_changes.cypher) a record is one of; claims are not counted.
fn count_key(record: &Record) -> Option<String> {
    match record {
        Record::Actor(a) => Some(format!("actor:{}", a.kind.as_str())),
        Record::Relation(r) => Some(format!("relation:{}", r.kind.as_str())),
        Record::Source(_) => Some("source".to_string()),
        Record::Claim(_) => None,
    }
}

/// How `changes` move the graph's counts: one `{key, n}` row per count that moves.
pub(super) fn count_deltas<'a>(
    changes: impl IntoIterator<Item = &'a Change>,
) -> Vec<serde_json::Value> {
    let mut deltas = std::collections::BTreeMap::<String, i64>::new();
    for c in changes {
        let (minus, plus) = match c.kind {
            ChangeKind::Created => (None, Some(&c.record)),
            ChangeKind::Updated => (c.before.as_ref(), Some(&c.record)),
            ChangeKind::Deleted => (Some(&c.record), None),
        };
        if let Some(key) = minus.and_then(count_key) {
            *deltas.entry(key).or_default() -= 1;
        }
        if let Some(key) = plus.and_then(count_key) {
            *deltas.entry(key).or_default() += 1;
        }
    }
    deltas
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|(key, n)| serde_json::json!({"key": key, "n": n}))
        .collect()
}

/// The pattern in which a typed template writes its relationship type.
const TEMPLATE_TYPE: &str = "[r:CONTRACT]";

/// A template whose relationship type is a placeholder (relation_page_typed.cypher):
/// one statement per relation type, made once by writing a `RelationType`
/// variant's name (a compile-time constant, never client text) in the pattern.
struct Typed {
    template: &'static str,
    texts: std::sync::OnceLock<Vec<String>>,
}

impl Typed {
    const fn new(template: &'static str) -> Self {
        Typed {
            template,
            texts: std::sync::OnceLock::new(),
        }
    }

    /// The statement for relations of `kind`, with or without a `where` condition.
    fn text(&self, kind: RelationType, condition: bool) -> &str {
        let texts = self.texts.get_or_init(|| {
            [false, true]
                .into_iter()
                .flat_map(|condition| {
                    let template = with_where(self.template, condition);
                    RelationType::ALL
                        .iter()
                        .map(move |k| {
                            template.replace(TEMPLATE_TYPE, &format!("[r:{}]", k.as_str()))
                        })
                        .collect::<Vec<_>>()
                })
                .collect()
        });
        let i = RelationType::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or_default();
        &texts[i + usize::from(condition) * RelationType::ALL.len()]
    }
}

/// A direction as the queries spell it.
fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::Out => "OUT",
        Direction::In => "IN",
        Direction::Both => "BOTH",
    }
}

/// Where a relation query filters by its `where` condition: a placeholder that
/// keeps every relation, which [`with_where`] replaces by the expression of
/// relation_where.cypher. The reference is `$where` in statements of one query and
/// `q.where` in those that unwind many.
const WHERE_PLACEHOLDERS: [&str; 2] = ["$where", "q.where"];

/// `template` with its `where` placeholders replaced by relation_where.cypher's
/// expression (a compile-time constant: the condition itself is a parameter), or,
/// for queries without a condition, left out (the step costs a fifth of a typed
/// page's time on ArcadeDB even with nothing to test).
fn with_where(template: &str, condition: bool) -> String {
    let text = filter::RELATION_WHERE;
    let expression = text
        .split_once("WITH r, ")
        .and_then(|(_, rest)| rest.split_once(" AS kept"))
        .map(|(expression, _)| expression)
        .expect("relation_where.cypher projects `WITH r, <expression> AS kept`");
    let mut out = template.to_string();
    for reference in WHERE_PLACEHOLDERS {
        let placeholder = format!("size({reference}) = 0 AS kept");
        if condition {
            out = out.replace(
                &placeholder,
                &format!("{} AS kept", expression.replace("$where", reference)),
            );
        } else {
            // The step is `WITH r[, …], <placeholder>` and the `WHERE kept` line after it.
            let mut lines = Vec::new();
            let mut skip_where = false;
            for line in out.lines() {
                if line.trim_start().starts_with("WITH r") && line.ends_with(&placeholder) {
                    skip_where = true;
                } else if skip_where && line.trim() == "WHERE kept" {
                    skip_where = false;
                } else {
                    lines.push(line);
                }
            }
            out = lines.join("\n") + "\n";
        }
    }
    out
}

/// A statement whose `where` placeholders are replaced once, at first use: one
/// text for queries with a condition, one for those without.
struct Filtered {
    template: &'static str,
    texts: std::sync::OnceLock<[String; 2]>,
}

impl Filtered {
    const fn new(template: &'static str) -> Self {
        Filtered {
            template,
            texts: std::sync::OnceLock::new(),
        }
    }

    fn text(&self, condition: bool) -> &str {
        let texts = self.texts.get_or_init(|| {
            [
                with_where(self.template, false),
                with_where(self.template, true),
            ]
        });
        &texts[usize::from(condition)]
    }
}

const SOURCES_BY_IDS: &str = include_str!("neo4j/sources_by_ids.cypher");
const ACTORS_NAMED: &str = include_str!("neo4j/actors_named.cypher");
pub(super) const CLAIMS_BY_IDS: &str = include_str!("neo4j/claims_by_ids.cypher");
const FIND_CLAIMS: &str = include_str!("neo4j/find_claims.cypher");
const ALL_SOURCES: &str = include_str!("neo4j/all_sources.cypher");
const STATS: &str = include_str!("neo4j/stats.cypher");
const TIMELINE_OF_ACTOR: &str = include_str!("neo4j/timeline_of_actor.cypher");
const TIMELINE_ALL: &str = include_str!("neo4j/timeline_all.cypher");
const CHANGES: &str = include_str!("neo4j/changes.cypher");
const LAST_CHANGE: &str = include_str!("neo4j/last_change.cypher");
const HISTORIES: &str = include_str!("neo4j/histories.cypher");
pub(super) const APPEND_CHANGES: &str = include_str!("neo4j/append_changes.cypher");

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct Neo4jConfig {
    /// e.g. `bolt://127.0.0.1:7687`.
    pub uri: String,
    pub user: String,
    pub password: String,
    /// The database; the server's default when `None`.
    pub database: Option<String>,
    /// Longest a query may take before it fails with a timeout.
    pub query_timeout: Duration,
    /// Connections in the pool.
    pub max_connections: usize,
}

/// Drops the store's runtime without blocking, which dropping a runtime inside
/// another one would otherwise do (and panic).
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// A repository over a Neo4j database.
#[derive(Clone)]
pub struct Neo4jStore {
    graph: Graph,
    runtime: Arc<OwnRuntime>,
    handle: tokio::runtime::Handle,
    timeout: Duration,
    /// Writes of this process queue here rather than collide in the database
    /// (which serialises them anyway, see `write.rs`); the lock node still orders
    /// them against other processes.
    writes: Arc<tokio::sync::Mutex<()>>,
    /// Whether the name index holds every actor (name_index_ready.cypher), so
    /// that searches may use it; set at connection, once it does.
    names: Arc<AtomicBool>,
}

fn unavailable(e: impl Into<anyhow::Error>) -> StoreError {
    StoreError::Unavailable {
        backend: BACKEND,
        source: e.into(),
    }
}

fn classify(e: neo4rs::Error) -> StoreError {
    match e {
        neo4rs::Error::DeserializationError(d) => StoreError::InvalidRecord {
            backend: BACKEND,
            detail: d.to_string(),
        },
        // A server's message may quote the whole statement (ArcadeDB's syntax
        // errors do): logs and the seed command show the start of it.
        other => unavailable(anyhow::anyhow!(excerpt(&other.to_string(), 400))),
    }
}

/// At most `max` characters of `text`.
fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!(
            "{}… ({} more characters)",
            &text[..at],
            text[at..].chars().count()
        ),
    }
}

fn invalid(detail: String) -> StoreError {
    StoreError::InvalidRecord {
        backend: BACKEND,
        detail,
    }
}

/// Turns a JSON value into a Bolt parameter.
fn bolt(value: serde_json::Value) -> StoreResult<BoltType> {
    BoltType::try_from(value)
        .map_err(|e| invalid(format!("parameter not representable in Bolt: {e}")))
}

/// The statements of a `.cypher` script: separated by `;` at the end of a line,
/// with `//` comment lines dropped.
fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in script.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("//") {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if trimmed.ends_with(';') {
            out.push(current.trim().trim_end_matches(';').to_string());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

impl Neo4jStore {
    /// Connects, checks that the database answers, and creates the constraints and
    /// indexes it needs (idempotently).
    pub async fn connect(config: &Neo4jConfig) -> StoreResult<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("neo4j-store")
            .enable_all()
            .build()
            .map_err(unavailable)?;
        let handle = runtime.handle().clone();
        let mut builder = ConfigBuilder::default()
            .uri(config.uri.clone())
            .user(config.user.clone())
            .password(config.password.clone())
            .max_connections(config.max_connections)
            .connection_timeout(config.query_timeout)
            .tcp_keepalive(Some(Duration::from_secs(30)));
        if let Some(db) = &config.database {
            builder = builder.db(db.clone());
        }
        let neo_config = builder.build().map_err(unavailable)?;
        let graph = Graph::connect(neo_config).map_err(unavailable)?;
        let store = Neo4jStore {
            graph,
            runtime: Arc::new(OwnRuntime(Some(runtime))),
            handle,
            timeout: config.query_timeout,
            writes: Arc::default(),
            names: Arc::default(),
        };
        store.ping().await?;
        store.setup().await?;
        // Within the store's longest allowance, since it reads every relationship.
        store
            .on_runtime_within(Duration::from_secs(3_600), |graph| async move {
                graph
                    .run(query(BACKFILL_RELATION_KEYS))
                    .await
                    .map_err(classify)?;
                graph.run(query(BACKFILL_CITATIONS)).await.map_err(classify)
            })
            .await?;
        store.fold_sources().await?;
        store.register_ids().await?;
        store.recount().await?;
        store.index_names().await?;
        Ok(store)
    }

    /// Keeps the folded text of the sources written without it (by a version that
    /// kept none), which a source search reads.
    async fn fold_sources(&self) -> StoreResult<()> {
        #[derive(serde::Deserialize)]
        struct Unfolded {
            id: String,
            text: String,
        }
        let unfolded: Vec<Unfolded> = self.table(query(UNFOLDED_SOURCES)).await?;
        for batch in unfolded.chunks(NAME_INDEX_BATCH) {
            let rows: Vec<serde_json::Value> = batch
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "id": s.id,
                        "text": s.text,
                        "searchText": crate::domain::text::search_text(&s.text),
                    })
                })
                .collect();
            let rows = bolt(serde_json::Value::Array(rows))?;
            self.locked(move || vec![query(FOLD_SOURCES).param("rows", rows.clone())])
                .await?;
        }
        Ok(())
    }

    /// Gives every record written before the registry of ids (`RecordId`) its
    /// entry, once (backfill_record_ids.cypher), under the writer lock.
    async fn register_ids(&self) -> StoreResult<()> {
        let ready: Vec<bool> = self.rows(query(RECORD_IDS_READY), "ready").await?;
        if ready.first() != Some(&true) {
            self.locked(|| vec![query(BACKFILL_RECORD_IDS)]).await?;
        }
        Ok(())
    }

    /// Takes the graph's counts by reading everything, when they were never taken
    /// (recount.cypher), in one transaction under the writer lock.
    async fn recount(&self) -> StoreResult<()> {
        self.locked(|| vec![query(RECOUNT)]).await
    }

    /// Builds the name index (name_grams.cypher) on a database whose actors were
    /// written without it (by a version that kept none), then marks it whole; until
    /// then this process searches by reading the actors. Writes keep it from then
    /// on, so the build reads each batch's searchText and skips actors written since.
    async fn index_names(&self) -> StoreResult<()> {
        let ready: Vec<bool> = self.rows(query(NAME_INDEX_READY), "ready").await?;
        if ready.first() != Some(&true) {
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Text {
                id: String,
                kind: String,
                #[serde(default)]
                search_text: Option<String>,
            }
            let texts: Vec<Text> = self
                .on_runtime_within(Duration::from_secs(3_600), |graph| async move {
                    let mut stream = graph.execute(query(SEARCH_TEXTS)).await.map_err(classify)?;
                    let mut out = Vec::new();
                    while let Some(row) = stream.next().await.map_err(classify)? {
                        out.push(row.get("actor").map_err(|e| invalid(e.to_string()))?);
                    }
                    Ok(out)
                })
                .await?;
            if !texts.is_empty() {
                tracing::info!(actors = texts.len(), "building the name index");
            }
            for batch in texts.chunks(NAME_INDEX_BATCH) {
                let rows: Vec<serde_json::Value> = batch
                    .iter()
                    .map(|t| name_row(&t.id, &t.kind, t.search_text.as_deref().unwrap_or("")))
                    .collect();
                let rows = bolt(serde_json::Value::Array(rows))?;
                self.locked(move || vec![query(import::NAME_GRAMS).param("rows", rows.clone())])
                    .await?;
            }
            self.locked(|| vec![query(NAME_INDEX_DONE)]).await?;
        }
        self.names.store(true, Ordering::Release);
        Ok(())
    }

    /// Runs `statements` in one transaction that holds the writer lock, again when
    /// it lost a race with another writer.
    async fn locked<F>(&self, statements: F) -> StoreResult<()>
    where
        F: Fn() -> Vec<Query> + Send + 'static,
    {
        self.on_runtime_within(Duration::from_secs(3_600), |graph| async move {
            let mut attempt = 0;
            loop {
                let mut txn = graph.start_txn().await.map_err(classify)?;
                let mut ran = txn.run(write::lock(&chrono::Utc::now())).await;
                for q in statements() {
                    if ran.is_err() {
                        break;
                    }
                    ran = txn.run(q).await;
                }
                let done = match ran {
                    Ok(()) => txn.commit().await,
                    Err(e) => {
                        let _ = txn.rollback().await;
                        Err(e)
                    }
                };
                match done {
                    Ok(()) => return Ok(()),
                    Err(e) if write::lost_race(&e) && attempt < 5 => {
                        tokio::time::sleep(write::backoff(attempt)).await;
                        attempt += 1;
                    }
                    Err(e) => return Err(classify(e)),
                }
            }
        })
        .await
    }

    /// Creates constraints and indexes; safe to run any number of times.
    pub async fn setup(&self) -> StoreResult<()> {
        for statement in statements(SETUP) {
            self.run(query(&statement)).await?;
        }
        Ok(())
    }

    /// Runs a read with the graph on the store's runtime, within the query timeout
    /// and the request's deadline, whichever comes first: the work runs on another
    /// runtime, so the request's own timer would not stop it.
    async fn on_runtime<T, F, Fut>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(Graph) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = StoreResult<T>> + Send + 'static,
    {
        match crate::deadline::remaining() {
            Some(left) if left < self.timeout => match self.on_runtime_within(left, work).await {
                Err(StoreError::Timeout { .. }) => Err(StoreError::DeadlineExceeded),
                other => other,
            },
            _ => self.on_runtime_within(self.timeout, work).await,
        }
    }

    /// Runs `work` with the graph on the store's runtime, within `timeout`.
    async fn on_runtime_within<T, F, Fut>(&self, timeout: Duration, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(Graph) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = StoreResult<T>> + Send + 'static,
    {
        let _keep_alive = &self.runtime;
        let graph = self.graph.clone();
        let task = self.handle.spawn(async move {
            tokio::time::timeout(timeout, work(graph))
                .await
                .unwrap_or(Err(StoreError::Timeout {
                    backend: BACKEND,
                    millis: timeout.as_millis() as u64,
                }))
        });
        task.await.map_err(unavailable)?
    }

    /// Runs a query and deserialises column `column` of every row.
    async fn rows<T: DeserializeOwned + Send + 'static>(
        &self,
        q: Query,
        column: &'static str,
    ) -> StoreResult<Vec<T>> {
        self.on_runtime(move |graph| async move {
            let mut stream = graph.execute(q).await.map_err(classify)?;
            let mut out = Vec::new();
            while let Some(row) = stream.next().await.map_err(classify)? {
                out.push(
                    row.get::<T>(column)
                        .map_err(|e| invalid(format!("column `{column}`: {e}")))?,
                );
            }
            Ok(out)
        })
        .await
    }

    /// Runs a query and deserialises each whole row (its columns as fields).
    async fn table<T: DeserializeOwned + Send + 'static>(&self, q: Query) -> StoreResult<Vec<T>> {
        self.on_runtime(move |graph| async move {
            let mut stream = graph.execute(q).await.map_err(classify)?;
            let mut out = Vec::new();
            while let Some(row) = stream.next().await.map_err(classify)? {
                out.push(row.to::<T>().map_err(|e| invalid(e.to_string()))?);
            }
            Ok(out)
        })
        .await
    }

    /// Runs a query for its effect.
    async fn run(&self, q: Query) -> StoreResult<()> {
        self.on_runtime(
            move |graph| async move { graph.run(q).await.map(|_| ()).map_err(classify) },
        )
        .await
    }

    /// One page of the whole graph's relations. Its total, when asked for, comes
    /// from the kept counts (relation_count.cypher) unless `asOf` filters (or the
    /// database has no counts yet): then the page statements count by reading.
    async fn global_relation_page(&self, q: &RelationQuery) -> StoreResult<Page<Relation>> {
        let kept = q.total && q.filter.counts_by_type();
        if kept {
            let types: &[RelationType] = if q.filter.types.is_empty() {
                RelationType::ALL
            } else {
                &q.filter.types
            };
            let keys: Vec<String> = types.iter().map(|t| format!("relation:{t}")).collect();
            #[derive(serde::Deserialize)]
            struct Kept {
                ready: bool,
                total: i64,
            }
            let (rows, count) = futures_util::try_join!(
                self.global_relation_rows(q, false),
                self.table::<Kept>(query(RELATION_COUNT).param("keys", keys)),
            )?;
            let count = single(count, "the relation count")?;
            if count.ready {
                let rows = PageRow {
                    total: count.total,
                    page: rows.page,
                };
                return to_page(rows, q.page.first, RelationRecord::into_domain);
            }
        }
        let rows = self.global_relation_rows(q, q.total).await?;
        to_page(rows, q.page.first, RelationRecord::into_domain)
    }

    /// The rows of one page of the whole graph's relations, counted by reading
    /// when `count`. Filtered by some types, one typed statement per type (they
    /// run together) and the pages merged by id, so that only those types'
    /// relationships are read; else one statement over all.
    async fn global_relation_rows(
        &self,
        q: &RelationQuery,
        count: bool,
    ) -> StoreResult<PageRow<RelationRecord>> {
        let as_of = q.filter.as_of.map(|d| d.to_string());
        let conditioned = q.filter.condition.is_some();
        let condition = bolt(filter::program(q.filter.condition.as_ref()))?;
        let limit = (q.page.first + 1) as i64;
        let types = &q.filter.types;
        if types.is_empty() || types.len() >= RelationType::ALL.len() {
            let text = if count {
                RELATION_PAGE_ALL.text(conditioned)
            } else {
                RELATION_PAGE_ALL_UNCOUNTED.text(conditioned)
            };
            let cypher = query(text)
                .param(
                    "types",
                    types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                )
                .param("after", q.page.after.clone())
                .param("limit", limit)
                .param("asOf", as_of)
                .param("where", condition);
            return single(self.table(cypher).await?, "the relation page query");
        }
        let template = if count {
            &RELATION_PAGE_TYPED
        } else {
            &RELATION_PAGE_TYPED_UNCOUNTED
        };
        let mut distinct = types.clone();
        distinct.sort();
        distinct.dedup();
        let pages = futures_util::future::try_join_all(distinct.iter().map(|kind| {
            let cypher = query(template.text(*kind, conditioned))
                .param("after", q.page.after.clone())
                .param("limit", limit)
                .param("asOf", as_of.clone())
                .param("where", condition.clone());
            async move {
                let rows: Vec<PageRow<RelationRecord>> = self.table(cypher).await?;
                single(rows, "the typed relation page query")
            }
        }))
        .await?;
        let mut merged = PageRow {
            total: pages.iter().map(|p| p.total).sum(),
            page: pages.into_iter().flat_map(|p| p.page).collect(),
        };
        merged.page.sort_by(|a, b| a.id.cmp(&b.id));
        merged.page.truncate(q.page.first + 1);
        Ok(merged)
    }

    /// The pages of `queries` in their order (and with `ends`, the actors at the
    /// ends of their relations). Actor-anchored queries and whole-graph ones take
    /// different plans: the anchored ones are answered in one round trip, the
    /// whole-graph ones (root fields, one at a time) each by its own.
    async fn relations_in_order(
        &self,
        queries: &[RelationQuery],
        ends: bool,
    ) -> StoreResult<(Vec<Page<Relation>>, Vec<Actor>)> {
        let (cited, queries_left): (Indexed<'_>, Indexed<'_>) = queries
            .iter()
            .enumerate()
            .partition(|(_, q)| q.filter.source.is_some());
        let (anchored, global): (Indexed<'_>, Indexed<'_>) = queries_left
            .into_iter()
            .partition(|(_, q)| q.filter.actor.is_some());
        // Lists in another order than by id forward take their own statements.
        let (anchored, ordered): (Indexed<'_>, Indexed<'_>) =
            anchored.into_iter().partition(|(_, q)| q.by_id_forward());
        let by_id: Vec<&RelationQuery> = anchored.iter().map(|(_, q)| *q).collect();
        let by_key: Vec<&RelationQuery> = ordered.iter().map(|(_, q)| *q).collect();
        let by_source: Vec<&RelationQuery> = cited.iter().map(|(_, q)| *q).collect();
        let (
            (anchored_pages, mut actors),
            (ordered_pages, ordered_ends),
            (cited_pages, cited_ends),
        ) = futures_util::try_join!(
            self.relation_pages(ends, &by_id),
            self.ordered_relation_pages(&RELATION_PAGES_ORDERED, &by_key),
            self.ordered_relation_pages(&RELATION_PAGES_OF_SOURCES, &by_source),
        )?;
        if ends {
            actors.extend(ordered_ends);
            actors.extend(cited_ends);
        }
        let mut global_pages = Vec::with_capacity(global.len());
        for (_, q) in &global {
            global_pages.push(if q.by_id_forward() {
                self.global_relation_page(q).await?
            } else {
                self.global_ordered_page(q).await?
            });
        }
        if ends && !global_pages.is_empty() {
            let ids = super::ends_of(&global_pages);
            if !ids.is_empty() {
                actors.extend(self.actors_by_ids(&ids).await?);
            }
        }
        let mut out: Vec<Option<Page<Relation>>> = vec![None; queries.len()];
        for ((i, _), page) in anchored
            .iter()
            .zip(anchored_pages)
            .chain(ordered.iter().zip(ordered_pages))
            .chain(cited.iter().zip(cited_pages))
            .chain(global.iter().zip(global_pages))
        {
            out[*i] = Some(page);
        }
        Ok((out.into_iter().flatten().collect(), actors))
    }

    /// The actors whose names hold the folded query `search` with a mistake or
    /// two but not as written ([`FUZZY_ACTORS`]): their rank (3 or 4) and id, in
    /// rank then id order.
    async fn fuzzy_matches(
        &self,
        filter: &ActorFilter,
        kinds: Vec<String>,
        search: &str,
    ) -> StoreResult<Vec<(u8, ActorId)>> {
        let q = query(FUZZY_ACTORS)
            .param("grams", search::fuzzy_grams(search))
            .param("maxPostings", search::MAX_FUZZY_POSTINGS as i64)
            .param("search", search)
            .param("kinds", kinds)
            .param("relations", relation_counts(filter)?);
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Candidate {
            id: String,
            search_text: String,
        }
        let mut near = Vec::new();
        for c in self.table::<Candidate>(q).await? {
            let keys: Vec<&str> = c.search_text.split('|').collect();
            if let Some(rank) = search::fuzzy_rank(&keys, search) {
                near.push((
                    rank,
                    ActorId::parse(c.id).map_err(|e| invalid(e.to_string()))?,
                ));
            }
        }
        near.sort();
        Ok(near)
    }

    /// A page of actors (no search) in another order than by id forward
    /// ([`FIND_ACTORS_ORDERED`]), with the keys of its actors.
    async fn ordered_actors(
        &self,
        filter: &ActorFilter,
        kinds: Vec<String>,
        page: &PageRequest,
    ) -> StoreResult<Page<Actor>> {
        let order = &filter.order;
        let after = page.after.as_deref().map(|id| {
            let (key, id) = order.cursor(id, order.by == ActorSortBy::Id);
            serde_json::json!({"absent": key.is_none(), "key": key.as_ref().map(key_json), "id": id})
        });
        let q = query(FIND_ACTORS_ORDERED)
            .param("relations", relation_counts(filter)?)
            .param("kinds", kinds)
            .param("orderBy", order.by.name())
            .param("keyDesc", order.key_descending())
            .param("absentFirst", order.absent_first())
            .param("after", bolt(serde_json::json!(after))?)
            .param("limit", (page.first + 1) as i64);
        #[derive(serde::Deserialize)]
        struct Key {
            k: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Row {
            total: i64,
            page: Vec<ActorRecord>,
            keys: Vec<Key>,
        }
        let row = single(self.table::<Row>(q).await?, "find_actors_ordered")?;
        let keys = row
            .keys
            .into_iter()
            .map(|k| {
                k.k.map(|text| match order.by {
                    ActorSortBy::Relations => text
                        .parse::<f64>()
                        .map(|n| SortKey::Number(n.into()))
                        .map_err(|_| invalid(format!("relation count `{text}`"))),
                    _ => Ok(SortKey::Text(text)),
                })
                .transpose()
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let mut out = to_page(
            PageRow {
                total: row.total,
                page: row.page,
            },
            page.first,
            ActorRecord::into_domain,
        )?;
        out.keys = keys.into_iter().take(out.items.len()).collect();
        Ok(out)
    }

    /// Anchored pages in any order, in one round trip, with the actors at their
    /// relations' ends: actor-anchored ones in other orders than by id forward
    /// ([`RELATION_PAGES_ORDERED`]), or source-anchored ones
    /// ([`RELATION_PAGES_OF_SOURCES`]).
    async fn ordered_relation_pages(
        &self,
        statement: &Filtered,
        queries: &[&RelationQuery],
    ) -> StoreResult<(Vec<Page<Relation>>, Vec<Actor>)> {
        if queries.is_empty() {
            return Ok((vec![], vec![]));
        }
        let params: Vec<serde_json::Value> =
            queries.iter().map(|q| anchored_params(q, true)).collect();
        let conditioned = queries.iter().any(|q| q.filter.condition.is_some());
        let q = query(statement.text(conditioned))
            .param("queries", bolt(serde_json::Value::Array(params))?);
        let answer = single(
            self.table::<PagesWithEnds>(q).await?,
            "ordered relation pages",
        )?;
        indexed_pages(queries, answer.pages, answer.ends)
    }

    /// One page of the whole graph's relations in another order than by id
    /// forward ([`RELATION_PAGE_ORDERED_ALL`]); the page's relations are read by
    /// id, then put back in the reading's order here.
    async fn global_ordered_page(&self, q: &RelationQuery) -> StoreResult<Page<Relation>> {
        let f = &q.filter;
        let mut cypher = query(RELATION_PAGE_ORDERED_ALL.text(f.condition.is_some()))
            .param(
                "types",
                f.types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            )
            .param("limit", (q.page.first + 1) as i64)
            .param("asOf", f.as_of.map(|d| d.to_string()))
            .param("where", bolt(filter::program(f.condition.as_ref()))?);
        for (k, v) in order_params(q).as_object().into_iter().flatten() {
            cypher = cypher.param(k, bolt(v.clone())?);
        }
        let row = single(
            self.table::<PageRow<RelationRecord>>(cypher).await?,
            "the ordered relation page query",
        )?;
        let mut page = to_page(row, q.page.first, RelationRecord::into_domain)?;
        let order = &q.order;
        page.items.sort_by(|a, b| {
            let (ka, kb) = (order.by.key(a), order.by.key(b));
            order.compare((ka.as_ref(), a.id.as_str()), (kb.as_ref(), b.id.as_str()))
        });
        if !q.total {
            page.total_count = 0;
        }
        Ok(page)
    }

    /// Actor-anchored pages in one round trip, and with `ends`, the actors at their
    /// relations' ends ([`RELATION_PAGES_WITH_ENDS`]).
    async fn relation_pages(
        &self,
        ends: bool,
        queries: &[&RelationQuery],
    ) -> StoreResult<(Vec<Page<Relation>>, Vec<Actor>)> {
        if queries.is_empty() {
            return Ok((vec![], vec![]));
        }
        let params: Vec<serde_json::Value> =
            queries.iter().map(|q| anchored_params(q, false)).collect();
        let params = bolt(serde_json::Value::Array(params))?;
        // One statement for all: with the condition step when any query has one.
        let conditioned = queries.iter().any(|q| q.filter.condition.is_some());
        let (rows, ends) = if ends {
            let q = query(RELATION_PAGES_WITH_ENDS.text(conditioned)).param("queries", params);
            let answer = single(
                self.table::<PagesWithEnds>(q).await?,
                "relation pages with ends",
            )?;
            (answer.pages, answer.ends)
        } else {
            let q = query(RELATION_PAGES_OF_ACTORS.text(conditioned)).param("queries", params);
            (self.table::<IndexedPage>(q).await?, vec![])
        };
        indexed_pages(queries, rows, ends)
    }
}

/// A page of the statements that unwind many queries: the query's index, the
/// list's total, and the page with one item more than asked for.
#[derive(serde::Deserialize)]
struct IndexedPage {
    i: i64,
    total: i64,
    page: Vec<RelationRecord>,
}

/// The one row of the statements that return pages with the actors at their ends.
#[derive(serde::Deserialize)]
struct PagesWithEnds {
    pages: Vec<IndexedPage>,
    ends: Vec<ActorRecord>,
}

/// The pages of `queries` from the rows of a statement that unwinds them, in the
/// queries' order, and the actors at their ends.
fn indexed_pages(
    queries: &[&RelationQuery],
    rows: Vec<IndexedPage>,
    ends: Vec<ActorRecord>,
) -> StoreResult<(Vec<Page<Relation>>, Vec<Actor>)> {
    let mut pages: Vec<Option<Page<Relation>>> = vec![None; queries.len()];
    for row in rows {
        let i = usize::try_from(row.i).map_err(|_| invalid("negative query index".into()))?;
        let first = queries
            .get(i)
            .ok_or_else(|| invalid("query index out of range".into()))?
            .page
            .first;
        let page = PageRow {
            total: row.total,
            page: row.page,
        };
        pages[i] = Some(to_page(page, first, RelationRecord::into_domain)?);
    }
    let pages = pages
        .into_iter()
        .map(|p| p.ok_or_else(|| invalid("a relation query got no answer".into())))
        .collect::<StoreResult<Vec<_>>>()?;
    let ends = ends
        .into_iter()
        .map(ActorRecord::into_domain)
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    Ok((pages, ends))
}

/// The order of a list, the way a page reads it and the page's cursor, as the
/// ordered page queries read them (relation_pages_ordered.cypher).
fn order_params(q: &RelationQuery) -> serde_json::Value {
    let order = &q.order;
    let after = q.page.after.as_deref().map(|id| {
        let (key, id) = order.cursor(id, order.by == SortBy::Id);
        serde_json::json!({"absent": key.is_none(), "key": key.as_ref().map(key_json), "id": id})
    });
    serde_json::json!({
        "orderBy": order.by.name(),
        "currency": match &order.by {
            SortBy::Amount(c) => Some(c.as_str()),
            _ => None,
        },
        "keyDesc": order.key_descending(),
        "absentFirst": order.absent_first(),
        "after": after,
    })
}

/// The `$relations` parameter of the actor queries: the numbers of relations an
/// actor must have.
fn relation_counts(filter: &ActorFilter) -> StoreResult<BoltType> {
    let counts: Vec<serde_json::Value> = filter
        .relations
        .iter()
        .map(|c| {
            serde_json::json!({
                "types": c.types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                "direction": direction_name(c.direction),
                "min": c.min,
                "max": c.max,
            })
        })
        .collect();
    bolt(serde_json::Value::Array(counts))
}

/// A sort key as the ordered queries read it.
fn key_json(k: &SortKey) -> serde_json::Value {
    match k {
        SortKey::Text(t) => serde_json::json!(t),
        SortKey::Number(n) => serde_json::json!(n.0),
    }
}

/// An anchored page query as the batched page statements read it (`q`):
/// its filter, its size, and its cursor, as an id (`after`) for the id order
/// forward, or with the order and the reading (`ordered`, [`order_params`]).
fn anchored_params(q: &RelationQuery, ordered: bool) -> serde_json::Value {
    let mut params = filter_params(&q.filter);
    params["limit"] = serde_json::json!(q.page.first + 1);
    if ordered {
        for (k, v) in order_params(q).as_object().into_iter().flatten() {
            params[k] = v.clone();
        }
    } else {
        params["after"] = serde_json::json!(q.page.after);
    }
    params
}

/// An anchored relation filter as the batched queries read it (`q`).
fn filter_params(f: &RelationFilter) -> serde_json::Value {
    serde_json::json!({
        "actor": f.actor.as_ref().map(|a| a.as_str()),
        "source": f.source.as_ref().map(|s| s.as_str()),
        "direction": direction_name(f.direction),
        "types": f.types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "asOf": f.as_of.map(|d| d.to_string()),
        "where": filter::program(f.condition.as_ref()),
    })
}

/// A row of the aggregate queries: a group of relations alike in type, currency
/// and kind of other end, summed (relation_aggregates_of_actors.cypher).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupRow {
    i: i64,
    #[serde(rename = "type")]
    kind: String,
    currency: Option<String>,
    other_kind: Option<String>,
    n: i64,
    amounts: i64,
    amount_sum: Option<f64>,
    amount_min: Option<f64>,
    amount_max: Option<f64>,
    starts: i64,
    start_min: Option<String>,
    start_max: Option<String>,
    ends: i64,
    end_min: Option<String>,
    end_max: Option<String>,
}

impl GroupRow {
    fn into_domain(self) -> Result<Group, String> {
        let count = |n: i64| usize::try_from(n).map_err(|_| format!("negative count {n}"));
        let span = |n: i64, min: Option<String>, max: Option<String>| -> Result<_, String> {
            match (count(n)?, min, max) {
                (0, _, _) => Ok(None),
                (count, Some(min), Some(max)) => {
                    let date = |s: String| {
                        s.parse::<PartialDate>()
                            .map_err(|e| format!("aggregate date: {e}"))
                    };
                    Ok(Some(DateSpan {
                        earliest: date(min)?,
                        latest: date(max)?,
                        count,
                    }))
                }
                _ => Err("a dated group without its dates".into()),
            }
        };
        let amounts = match (count(self.amounts)?, self.currency) {
            (0, _) | (_, None) => None,
            (n, Some(currency)) => Some(AmountStats {
                currency,
                count: n,
                sum: self.amount_sum.unwrap_or_default(),
                min: self.amount_min.unwrap_or_default(),
                max: self.amount_max.unwrap_or_default(),
            }),
        };
        Ok(Group {
            kind: RelationType::parse(&self.kind)
                .ok_or_else(|| format!("unknown relation type `{}`", self.kind))?,
            other: self
                .other_kind
                .map(|k| ActorKind::parse(&k).ok_or_else(|| format!("unknown actor kind `{k}`")))
                .transpose()?,
            count: count(self.n)?,
            amounts,
            start: span(self.starts, self.start_min, self.start_max)?,
            end: span(self.ends, self.end_min, self.end_max)?,
        })
    }
}

/// The single row of a page query: the total, and the page with one item more than
/// asked for, which tells whether another page follows.
#[derive(serde::Deserialize)]
struct PageRow<R> {
    total: i64,
    page: Vec<R>,
}

/// Turns a page row into a page of domain records.
fn to_page<R, T>(
    row: PageRow<R>,
    first: usize,
    convert: fn(R) -> Result<T, String>,
) -> StoreResult<Page<T>> {
    let mut items = row
        .page
        .into_iter()
        .map(convert)
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    let has_next_page = items.len() > first;
    items.truncate(first);
    Ok(Page {
        keys: Vec::new(),
        items,
        has_next_page,
        total_count: row.total.max(0) as usize,
    })
}

/// The one row a page query returns.
fn single<R>(rows: Vec<R>, what: &str) -> StoreResult<R> {
    rows.into_iter()
        .next()
        .ok_or_else(|| invalid(format!("{what} returned no row")))
}

fn id_list<T: AsRef<str>>(ids: &[T]) -> Vec<String> {
    ids.iter().map(|i| i.as_ref().to_string()).collect()
}

#[async_trait]
impl Repository for Neo4jStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn ping(&self) -> StoreResult<()> {
        self.rows::<i64>(query(PING), "one").await.map(|_| ())
    }

    async fn actors_by_ids(&self, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let records: Vec<ActorRecord> = self
            .rows(query(ACTORS_BY_IDS).param("ids", id_list(ids)), "actor")
            .await?;
        records
            .into_iter()
            .map(ActorRecord::into_domain)
            .collect::<Result<_, _>>()
            .map_err(invalid)
    }

    async fn find_actors(
        &self,
        filter: &ActorFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Actor>> {
        let search = filter
            .search
            .as_deref()
            .map(search::fold)
            .unwrap_or_default();
        let kinds: Vec<String> = filter
            .kinds
            .iter()
            .map(|k| k.as_str().to_string())
            .collect();
        if search.is_empty() && !filter.order.by_id_forward() {
            return self.ordered_actors(filter, kinds, page).await;
        }
        // Searching pages by `rank:id`, listing by id (see `ActorFilter`).
        let (after_rank, after_id): (i64, Option<String>) = match (&page.after, search.is_empty()) {
            (None, _) => (0, None),
            (Some(id), true) => (0, Some(id.clone())),
            (Some(key), false) => match key.split_once(':') {
                Some((rank, id)) => (rank.parse().unwrap_or(0), Some(id.to_string())),
                None => (0, Some(key.clone())),
            },
        };
        // A search of two characters or more reads its candidates from the name
        // index (search_actors.cypher); a shorter one, or any before the index is
        // whole, reads the actors (find_actors.cypher, served by the text index on
        // Neo4j). Both count, and keep only the top of the ranking for the page.
        let grams = if self.names.load(Ordering::Acquire) {
            search::query_grams(&search)
        } else {
            None
        };
        // Through the index, the names a mistake or two away are candidates too
        // (fuzzy_actors.cypher): they rank after every name that holds the query.
        let fuzzy = grams.is_some() && search::allowed_edits(&search) > 0 && !filter.exact;
        let q = match grams {
            Some(grams) => query(SEARCH_ACTORS).param("grams", grams),
            None => query(FIND_ACTORS),
        };
        let q = q
            .param("relations", relation_counts(filter)?)
            .param("kinds", kinds.clone())
            .param("search", search.clone())
            .param("afterRank", after_rank)
            .param("afterId", after_id.clone())
            .param("limit", (page.first + 1) as i64);
        if !fuzzy {
            let rows: Vec<PageRow<ActorRecord>> = self.table(q).await?;
            return to_page(
                single(rows, "find_actors")?,
                page.first,
                ActorRecord::into_domain,
            );
        }
        let (rows, near) = futures_util::try_join!(
            self.table::<PageRow<ActorRecord>>(q),
            self.fuzzy_matches(filter, kinds, &search),
        )?;
        let mut found = to_page(
            single(rows, "find_actors")?,
            page.first,
            ActorRecord::into_domain,
        )?;
        found.total_count += near.len();
        // The near matches after the cursor fill what the page has room for.
        let room =
            (page.first + 1).saturating_sub(found.items.len() + usize::from(found.has_next_page));
        let after = after_id
            .as_deref()
            .map(|id| (u8::try_from(after_rank).unwrap_or(0), id));
        let wanted: Vec<ActorId> = near
            .iter()
            .filter(|(rank, id)| after.is_none_or(|a| (*rank, id.as_str()) > a))
            .take(room)
            .map(|(_, id)| id.clone())
            .collect();
        if !wanted.is_empty() {
            let mut actors = self.actors_by_ids(&wanted).await?;
            actors.sort_by_key(|a| wanted.iter().position(|id| *id == a.id));
            found.items.extend(actors);
            found.has_next_page = found.items.len() > page.first;
            found.items.truncate(page.first);
        }
        Ok(found)
    }

    async fn relations_by_ids(&self, ids: &[RelationId]) -> StoreResult<Vec<Relation>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let records: Vec<RelationRecord> = self
            .rows(
                query(RELATIONS_BY_IDS).param("ids", id_list(ids)),
                "relation",
            )
            .await?;
        records
            .into_iter()
            .map(RelationRecord::into_domain)
            .collect::<Result<_, _>>()
            .map_err(invalid)
    }

    async fn find_relations(&self, queries: &[RelationQuery]) -> StoreResult<Vec<Page<Relation>>> {
        Ok(self.relations_in_order(queries, false).await?.0)
    }

    async fn find_relations_with_ends(
        &self,
        queries: &[RelationQuery],
    ) -> StoreResult<(Vec<Page<Relation>>, Vec<Actor>)> {
        self.relations_in_order(queries, true).await
    }

    async fn aggregate_relations(&self, filters: &[RelationFilter]) -> StoreResult<Vec<Aggregate>> {
        let mut out: Vec<Aggregate> = filters
            .iter()
            .map(|f| Aggregate::new(f.actor.is_some()))
            .collect();
        let (anchored, global): (Vec<_>, Vec<_>) =
            (0..filters.len()).partition(|i| filters[*i].anchored());
        let (cited, anchored): (Vec<_>, Vec<_>) = anchored
            .into_iter()
            .partition(|i| filters[*i].source.is_some());
        for (statement, indexes) in [
            (&RELATION_AGGREGATES_OF_ACTORS, anchored),
            (&RELATION_AGGREGATES_OF_SOURCES, cited),
        ] {
            if indexes.is_empty() {
                continue;
            }
            let params: Vec<serde_json::Value> = indexes
                .iter()
                .map(|i| filter_params(&filters[*i]))
                .collect();
            let conditioned = indexes.iter().any(|i| filters[*i].condition.is_some());
            let q = query(statement.text(conditioned))
                .param("queries", bolt(serde_json::Value::Array(params))?);
            for row in self.table::<GroupRow>(q).await? {
                let i = usize::try_from(row.i)
                    .ok()
                    .and_then(|i| indexes.get(i))
                    .ok_or_else(|| invalid("aggregate query index out of range".into()))?;
                out[*i].add(row.into_domain().map_err(invalid)?);
            }
        }
        // Whole-graph aggregates: root fields, one at a time.
        for i in global {
            let f = &filters[i];
            let q = query(RELATION_AGGREGATE_ALL.text(f.condition.is_some()))
                .param(
                    "types",
                    f.types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                )
                .param("asOf", f.as_of.map(|d| d.to_string()))
                .param("where", bolt(filter::program(f.condition.as_ref()))?);
            for row in self.table::<GroupRow>(q).await? {
                out[i].add(row.into_domain().map_err(invalid)?);
            }
        }
        Ok(out)
    }

    async fn actors_named(&self, keys: &[String]) -> StoreResult<Vec<Actor>> {
        let rows: Vec<serde_json::Value> = keys
            .iter()
            .filter_map(|k| {
                let grams = search::query_grams(k)?;
                Some(serde_json::json!({"key": k, "grams": grams}))
            })
            .collect();
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<String> = self
            .rows(
                query(ACTORS_NAMED).param("rows", bolt(serde_json::json!(rows))?),
                "id",
            )
            .await?;
        let ids: Vec<ActorId> = ids
            .into_iter()
            .filter_map(|i| ActorId::parse(i).ok())
            .collect();
        self.actors_by_ids(&ids).await
    }

    async fn claims_by_ids(&self, ids: &[ClaimId]) -> StoreResult<Vec<Claim>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let records: Vec<ClaimNodeRecord> = self
            .rows(query(CLAIMS_BY_IDS).param("ids", id_list(ids)), "claim")
            .await?;
        records
            .into_iter()
            .map(ClaimNodeRecord::into_domain)
            .collect::<Result<_, _>>()
            .map_err(invalid)
    }

    async fn find_claims(&self, q: &crate::store::ClaimQuery) -> StoreResult<Page<Claim>> {
        let rows: Vec<ClaimNodeRecord> = self
            .rows(
                query(FIND_CLAIMS)
                    .param("source", q.source.as_ref().map(|s| s.as_str().to_string()))
                    .param("review", q.review.map(str::to_string))
                    .param("after", q.page.after.clone().unwrap_or_default())
                    .param("limit", (q.page.first + 1) as i64),
                "claim",
            )
            .await?;
        let mut items: Vec<Claim> = rows
            .into_iter()
            .map(ClaimNodeRecord::into_domain)
            .collect::<Result<_, _>>()
            .map_err(invalid)?;
        let has_next_page = items.len() > q.page.first;
        items.truncate(q.page.first);
        Ok(Page {
            items,
            has_next_page,
            total_count: 0,
            keys: Vec::new(),
        })
    }

    async fn sources_by_ids(&self, ids: &[SourceId]) -> StoreResult<Vec<Source>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let records: Vec<SourceRecord> = self
            .rows(query(SOURCES_BY_IDS).param("ids", id_list(ids)), "source")
            .await?;
        records
            .into_iter()
            .map(SourceRecord::into_domain)
            .collect::<Result<_, _>>()
            .map_err(invalid)
    }

    async fn find_sources(&self, q: &SourceQuery) -> StoreResult<Page<Source>> {
        let statement = if q.search.is_empty() {
            FIND_SOURCES
        } else {
            SEARCH_SOURCES
        };
        let cypher = query(statement)
            .param("search", q.search.clone())
            .param("after", q.page.after.clone())
            .param("limit", (q.page.first + 1) as i64)
            .param("text", q.text);
        let row = single(
            self.table::<PageRow<SourceRecord>>(cypher).await?,
            "the source page query",
        )?;
        to_page(row, q.page.first, SourceRecord::into_domain)
    }

    async fn all_sources(&self) -> StoreResult<Vec<Source>> {
        let records: Vec<SourceRecord> = self.rows(query(ALL_SOURCES), "source").await?;
        records
            .into_iter()
            .map(SourceRecord::into_domain)
            .collect::<Result<_, _>>()
            .map_err(invalid)
    }

    async fn import(&self, data: &crate::domain::Dataset, by: &str) -> StoreResult<Imported> {
        let options = ImportOptions {
            by: by.to_string(),
            ..ImportOptions::default()
        };
        self.import_with(data, &options).await
    }

    async fn write(&self, write: Write, by: &str) -> Result<Vec<Change>, WriteError> {
        self.write_record(write, by).await
    }

    async fn timeline(
        &self,
        filter: &super::RelationFilter,
        limit: usize,
    ) -> StoreResult<Vec<Relation>> {
        let types: Vec<String> = filter
            .types
            .iter()
            .map(|t| t.as_str().to_string())
            .collect();
        let q = match &filter.actor {
            Some(actor) => query(TIMELINE_OF_ACTOR).param("actor", actor.as_str()),
            None => query(TIMELINE_ALL),
        }
        .param("types", types)
        .param("limit", limit as i64);
        let records: Vec<RelationRecord> = self.rows(q, "relation").await?;
        let relations = records
            .into_iter()
            .map(RelationRecord::into_domain)
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        // Already in timeline order: the query sorts by (date, id), and ids are unique.
        Ok(relations)
    }

    async fn last_change(&self) -> StoreResult<u64> {
        let seq: Vec<i64> = self.rows(query(LAST_CHANGE), "seq").await?;
        Ok(seq
            .first()
            .and_then(|s| u64::try_from(*s).ok())
            .unwrap_or(0))
    }

    async fn changes(&self, q: &super::ChangeQuery) -> StoreResult<Page<super::LogEntry>> {
        let kinds: Vec<String> = q.kinds.iter().map(|k| k.as_str().to_string()).collect();
        let query = query(CHANGES)
            .param("after", i64::try_from(q.after).unwrap_or(i64::MAX))
            .param("id", q.id.clone())
            .param("kinds", kinds)
            .param("limit", q.first as i64 + 1);
        let records: Vec<super::records::ChangeRecord> = self.rows(query, "entry").await?;
        let mut items = records
            .into_iter()
            .map(super::records::ChangeRecord::into_domain)
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        let has_next_page = items.len() > q.first;
        items.truncate(q.first);
        Ok(Page {
            keys: Vec::new(),
            items,
            has_next_page,
            total_count: 0,
        })
    }

    async fn histories(
        &self,
        records: &[(super::RecordKind, String)],
    ) -> StoreResult<Vec<Vec<super::LogEntry>>> {
        #[derive(serde::Deserialize)]
        struct Row {
            i: i64,
            entries: Vec<super::records::ChangeRecord>,
        }
        let rows: Vec<serde_json::Value> = records
            .iter()
            .enumerate()
            .map(|(i, (kind, id))| serde_json::json!({"i": i, "kind": kind.as_str(), "id": id}))
            .collect();
        let q = query(HISTORIES)
            .param("records", bolt(serde_json::Value::Array(rows))?)
            .param("limit", super::HISTORY_MAX as i64);
        let found: Vec<Row> = self.table::<Row>(q).await?;
        let mut out = vec![Vec::new(); records.len()];
        for row in found {
            let mut entries = row
                .entries
                .into_iter()
                .map(super::records::ChangeRecord::into_domain)
                .collect::<Result<Vec<_>, _>>()
                .map_err(invalid)?;
            entries.sort_by_key(|e| e.seq);
            if let Some(slot) = usize::try_from(row.i).ok().and_then(|i| out.get_mut(i)) {
                *slot = entries;
            }
        }
        Ok(out)
    }

    async fn stats(&self) -> StoreResult<Stats> {
        #[derive(serde::Deserialize)]
        struct Count {
            key: String,
            count: i64,
        }
        #[derive(serde::Deserialize)]
        struct Row {
            actors: Vec<Count>,
            relations: Vec<Count>,
            sources: i64,
            /// Whether the counts were read from the kept ones (counts.cypher).
            #[serde(default)]
            ready: Option<bool>,
        }
        // The kept counts; read by counting only on a database that has none.
        let mut row = single(self.table::<Row>(query(COUNTS)).await?, "counts")?;
        if row.ready == Some(false) {
            row = single(self.table::<Row>(query(STATS)).await?, "stats")?;
        }
        /// Reads `key: count` pairs whose keys must be words of a vocabulary.
        fn counts<T>(
            rows: Vec<Count>,
            parse: fn(&str) -> Option<T>,
        ) -> StoreResult<Vec<(T, usize)>> {
            rows.into_iter()
                .map(|c| {
                    let key = parse(&c.key)
                        .ok_or_else(|| invalid(format!("unknown kind or type `{}`", c.key)))?;
                    Ok((key, usize::try_from(c.count).unwrap_or(0)))
                })
                .collect()
        }
        let actors = counts(row.actors, ActorKind::parse)?;
        let relations = counts(row.relations, RelationType::parse)?;
        let sources = usize::try_from(row.sources).unwrap_or(0);
        Ok(Stats::from_counts(actors, relations, sources))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ActorKind, RelationType};

    #[test]
    fn the_setup_script_splits_into_its_statements() {
        let s = statements(SETUP);
        assert!(s.iter().all(
            |st| (st.starts_with("CREATE ") || st.starts_with("MERGE ")) && !st.ends_with(';')
        ));
        assert!(s.iter().any(|st| st.contains("actor_id")));
    }

    #[test]
    fn every_actor_kind_has_its_merge_in_the_upsert_query() {
        let upsert = include_str!("neo4j/upsert_actors.cypher");
        for kind in ActorKind::ALL {
            assert!(upsert.contains(&format!("row.kind = '{kind}'")), "{kind}");
            assert!(
                upsert.contains(&format!(
                    "(a:Actor:{} {{id: row.id}})",
                    crate::store::records::label(*kind)
                )),
                "{kind}"
            );
        }
    }

    #[test]
    fn every_relation_type_has_its_create_and_its_constraint() {
        let create = include_str!("neo4j/create_relations.cypher");
        for t in RelationType::ALL {
            assert!(create.contains(&format!("row.type = '{t}'")), "{t}");
            assert!(create.contains(&format!("CREATE (a)-[r:{t}]->(b)")), "{t}");
            assert!(SETUP.contains(&format!("()-[r:{t}]-()")), "{t}");
        }
    }

    #[test]
    fn a_typed_template_gives_one_statement_per_type_differing_only_in_the_type() {
        let code = |text: &str| -> String {
            text.lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        for typed in [&RELATION_PAGE_TYPED, &RELATION_PAGE_TYPED_UNCOUNTED] {
            let template = code(typed.template);
            let uses = template.matches(TEMPLATE_TYPE).count();
            assert!(uses >= 1);
            // `CONTRACT` appears nowhere else in the statement than in the pattern.
            assert_eq!(template.matches("CONTRACT").count(), uses);
            for t in RelationType::ALL {
                let text = typed.text(*t, true);
                let pattern = format!("[r:{t}]");
                assert_eq!(code(text).matches(&pattern).count(), uses, "{t}");
                assert_eq!(
                    text.replace(&pattern, TEMPLATE_TYPE),
                    with_where(typed.template, true),
                    "{t}"
                );
            }
        }
    }

    #[test]
    fn every_relation_page_statement_reads_the_where_condition() {
        for condition in [true, false] {
            let statements = [
                ("pages of actors", RELATION_PAGES_OF_ACTORS.text(condition)),
                ("pages with ends", RELATION_PAGES_WITH_ENDS.text(condition)),
                ("page of all", RELATION_PAGE_ALL.text(condition)),
                (
                    "page of all, uncounted",
                    RELATION_PAGE_ALL_UNCOUNTED.text(condition),
                ),
                (
                    "typed page",
                    RELATION_PAGE_TYPED.text(RelationType::Lease, condition),
                ),
                (
                    "typed page, uncounted",
                    RELATION_PAGE_TYPED_UNCOUNTED.text(RelationType::Lease, condition),
                ),
                (
                    "aggregates of actors",
                    RELATION_AGGREGATES_OF_ACTORS.text(condition),
                ),
                ("aggregate of all", RELATION_AGGREGATE_ALL.text(condition)),
                ("ordered pages", RELATION_PAGES_ORDERED.text(condition)),
                (
                    "ordered page of all",
                    RELATION_PAGE_ORDERED_ALL.text(condition),
                ),
            ];
            for (name, text) in statements {
                assert!(
                    !text.contains("= 0 AS kept"),
                    "{name}: a placeholder is left"
                );
                let placed = text.matches("AS kept").count();
                assert_eq!(text.matches("reduce(stack").count(), placed, "{name}");
                if condition {
                    assert!(placed >= 1, "{name}: no condition");
                } else {
                    assert_eq!(placed, 0, "{name}: a condition step without a condition");
                }
            }
        }
        assert!(RELATION_PAGE_TYPED
            .text(RelationType::Lease, false)
            .contains("[r:LEASE]"));
    }
}
