//! Loading a data set into Neo4j (`actorgraph seed`).
//!
//! The import first reads what the database already holds under the data set's
//! ids, compares it record by record, and then writes only what differs, in one
//! transaction: a second run over the same data writes nothing and reports every
//! record unchanged, and a failure half-way leaves the database as it was.
//! Records the database holds that the data set does not name are left alone.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use neo4rs::{query, Query};

use super::{bolt, classify, Neo4jStore};
use crate::domain::{Actor, ActorId, Dataset, Relation, RelationId, Source, SourceId};
use crate::store::records::{
    actor_name_row, actor_props, change_props, relation_props, source_props,
};
use crate::store::{
    rules, Change, ChangeKind, ImportReport, Imported, KindReport, LogEntry, Record, Repository,
    StoreResult,
};

pub(super) const UPSERT_SOURCES: &str = include_str!("upsert_sources.cypher");
pub(super) const UPSERT_ACTORS: &str = include_str!("upsert_actors.cypher");
pub(super) const NAME_GRAMS: &str = include_str!("name_grams.cypher");
pub(super) const CREATE_RELATIONS: &str = include_str!("create_relations.cypher");
pub(super) const DELETE_RELATIONS: &str = include_str!("delete_relations.cypher");
pub(super) const DELETE_ACTORS: &str = include_str!("delete_actors.cypher");
const GUARD_ACTORS: &str = include_str!("guard_actors.cypher");
const GUARD_RELATIONS: &str = include_str!("guard_relations.cypher");
const DELETE_SOURCES: &str = include_str!("delete_sources.cypher");

/// Reports progress: (statements done, statements in all).
pub type Progress = Arc<dyn Fn(usize, usize) + Send + Sync>;

/// How to import.
#[derive(Clone)]
pub struct ImportOptions {
    /// Delete the data set's records (by id) before writing them again.
    pub reset: bool,
    /// Rows per `UNWIND` statement.
    pub batch_size: usize,
    /// The longest the whole import may take.
    pub timeout: Duration,
    /// Called after each statement of the write transaction.
    pub progress: Option<Progress>,
    /// Who the written records are stamped as written by.
    pub by: String,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            reset: false,
            batch_size: 1_000,
            timeout: Duration::from_secs(3_600),
            progress: None,
            by: "seed".to_string(),
        }
    }
}

fn batches(
    cypher: &'static str,
    rows: Vec<serde_json::Value>,
    batch_size: usize,
    param: &str,
) -> StoreResult<Vec<Query>> {
    rows.chunks(batch_size.max(1))
        .map(
            |chunk| Ok(query(cypher).param(param, bolt(serde_json::Value::Array(chunk.to_vec()))?)),
        )
        .collect()
}

impl Neo4jStore {
    async fn existing<K, T, I>(
        &self,
        ids: Vec<I>,
        fetch: impl AsyncFetch<I, T>,
        key: impl Fn(&T) -> K,
        chunk: usize,
    ) -> StoreResult<HashMap<K, T>>
    where
        K: std::hash::Hash + Eq,
    {
        let mut out = HashMap::new();
        for part in ids.chunks(chunk.max(1)) {
            for item in fetch.fetch(self, part).await? {
                out.insert(key(&item), item);
            }
        }
        Ok(out)
    }

    /// Imports a validated data set. The import compares the data set with what it
    /// reads first, then writes in one transaction; if a record it writes changed
    /// in between (a concurrent write), the transaction finds it after taking the
    /// write lock, rolls back, and the import starts over from the reading.
    pub async fn import_with(
        &self,
        data: &Dataset,
        options: &ImportOptions,
    ) -> StoreResult<Imported> {
        self.setup().await?;
        let mut attempt = 0;
        loop {
            let gate = self.writes.lock().await;
            let attempted = self.import_once(data, options).await?;
            drop(gate);
            if let Some(done) = attempted {
                return Ok(done);
            }
            attempt += 1;
            if attempt > super::write::RETRIES {
                return Err(super::unavailable(anyhow::anyhow!(
                    "concurrent writes kept changing the records of the import"
                )));
            }
            tokio::time::sleep(super::write::backoff(attempt)).await;
        }
    }

    /// One attempt: `None` when a concurrent write got in the way.
    async fn import_once(
        &self,
        data: &Dataset,
        options: &ImportOptions,
    ) -> StoreResult<Option<Imported>> {
        let at = chrono::Utc::now();
        let chunk = options.batch_size.max(1) * 10;
        let actor_ids: Vec<ActorId> = data.actors.iter().map(|a| a.id.clone()).collect();
        let source_ids: Vec<SourceId> = data.sources.iter().map(|s| s.id.clone()).collect();
        let relation_ids: Vec<RelationId> = data.relations.iter().map(|r| r.id.clone()).collect();

        let mut old_actors = self
            .existing(
                actor_ids.clone(),
                ActorsFetch,
                |a: &Actor| a.id.clone(),
                chunk,
            )
            .await?;
        let mut old_sources = self
            .existing(
                source_ids.clone(),
                SourcesFetch,
                |s: &Source| s.id.clone(),
                chunk,
            )
            .await?;
        let mut old_relations = self
            .existing(
                relation_ids,
                RelationsFetch,
                |r: &Relation| r.id.clone(),
                chunk,
            )
            .await?;

        let mut statements: Vec<Query> = Vec::new();
        let mut report = ImportReport::default();
        // What --reset deletes, logged before what the import writes.
        let mut deleted: Vec<Change> = Vec::new();
        if options.reset {
            // Relations first (anchored on their current start), then the actors
            // (with any other relationships they have), then the sources.
            let rows = old_relations
                .values()
                .map(|r| serde_json::json!({"id": r.id.as_str(), "from": r.from.as_str()}))
                .collect();
            statements.extend(batches(DELETE_RELATIONS, rows, options.batch_size, "rows")?);
            let ids = old_actors
                .keys()
                .map(|id| serde_json::json!(id.as_str()))
                .collect();
            statements.extend(batches(DELETE_ACTORS, ids, options.batch_size, "ids")?);
            let ids = old_sources
                .keys()
                .map(|id| serde_json::json!(id.as_str()))
                .collect();
            statements.extend(batches(DELETE_SOURCES, ids, options.batch_size, "ids")?);
            report.relations.deleted = old_relations.len();
            report.actors.deleted = old_actors.len();
            report.sources.deleted = old_sources.len();
            // In id order within each kind, so the log reads the same every time.
            let gone = |record| Change::new(ChangeKind::Deleted, record);
            let mut relations: Vec<Relation> = old_relations.drain().map(|(_, r)| r).collect();
            relations.sort_by(|a, b| a.id.cmp(&b.id));
            let mut actors: Vec<Actor> = old_actors.drain().map(|(_, a)| a).collect();
            actors.sort_by(|a, b| a.id.cmp(&b.id));
            let mut sources: Vec<Source> = old_sources.drain().map(|(_, s)| s).collect();
            sources.sort_by(|a, b| a.id.cmp(&b.id));
            deleted.extend(relations.into_iter().map(|r| gone(Record::Relation(r))));
            deleted.extend(actors.into_iter().map(|a| gone(Record::Actor(a))));
            deleted.extend(sources.into_iter().map(|s| gone(Record::Source(s))));
        }

        // An actor whose kind changed must be re-created (labels are fixed at
        // creation on ArcadeDB), which drops its relationships: those the import
        // does not write anyway are carried over as they are (same content and
        // version; not reported, since nothing about them changes).
        let recreated: HashSet<&ActorId> = data
            .actors
            .iter()
            .filter(|a| old_actors.get(&a.id).is_some_and(|old| old.kind != a.kind))
            .map(|a| &a.id)
            .collect();
        let plan = rules::plan_import(
            data,
            |id| old_sources.get(id),
            |id| old_actors.get(id),
            |id| old_relations.get(id),
            &options.by,
            at,
        );
        let (sources, actors, relations) = (&plan.sources, &plan.actors, &plan.relations);
        let mut carried: Vec<Relation> = Vec::new();
        {
            let writing: HashSet<&RelationId> = relations.iter().map(|r| &r.id).collect();
            for id in &recreated {
                for r in self.relations_of(id).await? {
                    if !writing.contains(&r.id) && !carried.iter().any(|c| c.id == r.id) {
                        carried.push(r);
                    }
                }
            }
        }
        report.sources = KindReport {
            deleted: report.sources.deleted,
            ..plan.report.sources
        };
        report.actors = KindReport {
            deleted: report.actors.deleted,
            ..plan.report.actors
        };
        report.relations = KindReport {
            deleted: report.relations.deleted,
            ..plan.report.relations
        };

        // What the import expects to find when it writes (see guard_*.cypher).
        let mut guards = Vec::new();
        if !options.reset {
            let rows = actors
                .iter()
                .map(|a| {
                    let old = old_actors.get(&a.id).map(|o| o.meta.version);
                    serde_json::json!({"id": a.id.as_str(), "version": old})
                })
                .collect();
            guards.extend(batches(GUARD_ACTORS, rows, options.batch_size, "rows")?);
            let rows = relations
                .iter()
                .map(|r| {
                    let old = old_relations.get(&r.id);
                    serde_json::json!({
                        "id": r.id.as_str(),
                        "from": old.map_or(r.from.as_str(), |o| o.from.as_str()),
                        "version": old.map(|o| o.meta.version),
                    })
                })
                .chain(carried.iter().map(|r| {
                    serde_json::json!({"id": r.id.as_str(), "from": r.from.as_str(), "version": r.meta.version})
                }))
                .collect();
            guards.extend(batches(GUARD_RELATIONS, rows, options.batch_size, "rows")?);
        }

        let ids = recreated
            .iter()
            .map(|id| serde_json::json!(id.as_str()))
            .collect();
        statements.extend(batches(DELETE_ACTORS, ids, options.batch_size, "ids")?);
        statements.extend(batches(
            UPSERT_SOURCES,
            sources.iter().map(source_props).collect(),
            options.batch_size,
            "rows",
        )?);
        statements.extend(batches(
            UPSERT_ACTORS,
            actors.iter().map(actor_props).collect(),
            options.batch_size,
            "rows",
        )?);
        statements.extend(batches(
            NAME_GRAMS,
            actors.iter().map(actor_name_row).collect(),
            options.batch_size,
            "rows",
        )?);
        let stale = relations
            .iter()
            .filter_map(|r| old_relations.get(&r.id))
            .map(|old| serde_json::json!({"id": old.id.as_str(), "from": old.from.as_str()}))
            .collect();
        statements.extend(batches(
            DELETE_RELATIONS,
            stale,
            options.batch_size,
            "rows",
        )?);
        let rows = relations
            .iter()
            .chain(&carried)
            .map(|r| serde_json::json!({"type": r.kind.as_str(), "props": relation_props(r)}))
            .collect();
        statements.extend(batches(CREATE_RELATIONS, rows, options.batch_size, "rows")?);
        // The log, last: every change the import reports (after what --reset
        // deleted), numbered under the lock.
        let rows = deleted
            .iter()
            .chain(&plan.changes)
            .map(|c| change_props(&LogEntry::of(0, c, &options.by, at)))
            .collect();
        statements.extend(batches(
            super::APPEND_CHANGES,
            rows,
            options.batch_size,
            "rows",
        )?);
        // And the counts they move (one row per count: a single batch).
        let deltas = super::count_deltas(deleted.iter().chain(&plan.changes));
        if !deltas.is_empty() {
            statements.extend(batches(super::COUNT_CHANGES, deltas, usize::MAX, "deltas")?);
        }

        if statements.is_empty() {
            return Ok(Some(Imported {
                report,
                changes: plan.changes,
            }));
        }
        let progress = options.progress.clone();
        let lock = super::write::lock(&at);
        let committed = self
            .on_runtime_within(options.timeout, move |graph| async move {
                let total = statements.len();
                let mut txn = graph.start_txn().await.map_err(classify)?;
                // Rolls back (best effort: the server also does when the connection
                // goes) and says whether to try again.
                async fn give_up(txn: neo4rs::Txn, e: neo4rs::Error) -> StoreResult<bool> {
                    let _ = txn.rollback().await;
                    if super::write::lost_race(&e) {
                        Ok(false)
                    } else {
                        Err(classify(e))
                    }
                }
                if let Err(e) = txn.run(lock).await {
                    return give_up(txn, e).await;
                }
                for guard in guards {
                    let stale = match count(&mut txn, guard).await {
                        Ok(n) => n,
                        Err(e) => return give_up(txn, e).await,
                    };
                    if stale > 0 {
                        let _ = txn.rollback().await;
                        return Ok(false);
                    }
                }
                for (done, statement) in statements.into_iter().enumerate() {
                    if let Err(e) = txn.run(statement).await {
                        return give_up(txn, e).await;
                    }
                    if let Some(p) = &progress {
                        p(done + 1, total);
                    }
                }
                match txn.commit().await {
                    Ok(()) => Ok(true),
                    Err(e) if super::write::lost_race(&e) => Ok(false),
                    Err(e) => Err(classify(e)),
                }
            })
            .await?;
        Ok(committed.then_some(Imported {
            report,
            changes: deleted.into_iter().chain(plan.changes).collect(),
        }))
    }
}

impl Neo4jStore {
    /// Every relation of one actor, in either direction.
    async fn relations_of(&self, id: &ActorId) -> StoreResult<Vec<Relation>> {
        let q = query(super::write::RELATIONS_OF_ACTOR).param("id", id.as_str());
        let records: Vec<crate::store::records::RelationRecord> = self.rows(q, "relation").await?;
        records
            .into_iter()
            .map(crate::store::records::RelationRecord::into_domain)
            .collect::<Result<_, _>>()
            .map_err(super::invalid)
    }
}

/// The `stale` count a guard query returns.
async fn count(txn: &mut neo4rs::Txn, q: Query) -> Result<i64, neo4rs::Error> {
    let mut stream = txn.execute(q).await?;
    let mut total = 0;
    while let Some(row) = stream.next(txn.handle()).await? {
        total += row
            .get::<i64>("stale")
            .map_err(neo4rs::Error::DeserializationError)?;
    }
    Ok(total)
}

/// Fetches records by id in one call (a small seam so `existing` serves all three kinds).
trait AsyncFetch<I, T> {
    async fn fetch(&self, store: &Neo4jStore, ids: &[I]) -> StoreResult<Vec<T>>;
}

struct ActorsFetch;
struct SourcesFetch;
struct RelationsFetch;

impl AsyncFetch<ActorId, Actor> for ActorsFetch {
    async fn fetch(&self, store: &Neo4jStore, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        store.actors_by_ids(ids).await
    }
}

impl AsyncFetch<SourceId, Source> for SourcesFetch {
    async fn fetch(&self, store: &Neo4jStore, ids: &[SourceId]) -> StoreResult<Vec<Source>> {
        store.sources_by_ids(ids).await
    }
}

impl AsyncFetch<RelationId, Relation> for RelationsFetch {
    async fn fetch(&self, store: &Neo4jStore, ids: &[RelationId]) -> StoreResult<Vec<Relation>> {
        store.relations_by_ids(ids).await
    }
}
