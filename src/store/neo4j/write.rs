//! Writes of one record ([`Repository::write`]), each in one transaction: take the
//! write lock (`lock.cypher`), read what the checks need, check, write, commit. A
//! refused write rolls back, so it leaves nothing behind.
//!
//! The lock makes the checks hold until the commit: on Neo4j a second writer waits
//! for the first to commit and then reads what it wrote (so of two creations of one
//! id, the second finds the first and is refused); on ArcadeDB, which checks record
//! versions at commit instead of locking, the second writer fails at commit and the
//! store runs it again, with the same outcome.

use std::time::Duration;

use chrono::{DateTime, Utc};
use neo4rs::{query, Graph, Query, Txn};
use serde::de::DeserializeOwned;
use serde_json::json;

use super::records::{
    actor_props, relation_props, source_props, timestamp, ActorRecord, RelationRecord, SourceRecord,
};
use super::{bolt, classify, invalid, Neo4jStore};
use super::{ACTORS_BY_IDS, RELATIONS_BY_IDS, SOURCES_BY_IDS};
use crate::domain::{Actor, ActorId, Meta, Relation, RelationId, Source, SourceId};
use crate::store::{check_version, Change, ChangeKind, Record, StoreResult, Write, WriteError};

pub(super) const LOCK: &str = include_str!("lock.cypher");
pub(super) const RELATIONS_OF_ACTOR: &str = include_str!("relations_of_actor.cypher");
use super::import::{
    CREATE_RELATIONS, DELETE_ACTORS, DELETE_RELATIONS, UPSERT_ACTORS, UPSERT_SOURCES,
};

/// How many times a write that lost a race with another is run again.
pub(super) const RETRIES: u32 = 10;

/// The statement that takes the write lock, stamped with the time.
pub(super) fn lock(at: &DateTime<Utc>) -> Query {
    query(LOCK).param("at", timestamp(at))
}

/// Whether an error means that another transaction won a race: Neo4j's transient
/// errors (deadlocks, lock timeouts) and constraint failures, and ArcadeDB's
/// failed version check at commit.
pub(super) fn lost_race(e: &neo4rs::Error) -> bool {
    match e {
        neo4rs::Error::Neo4j(n) => {
            n.code().contains("TransientError")
                || n.code().contains("ConstraintValidationFailed")
                || n.message().contains("ConcurrentModification")
                || n.message().contains("DuplicatedKey")
        }
        _ => false,
    }
}

fn write_error(e: neo4rs::Error) -> WriteError {
    if lost_race(&e) {
        tracing::debug!(error = %e, "write lost a race; it will run again");
        return WriteError::Busy;
    }
    WriteError::Store(classify(e))
}

fn rows_param(rows: serde_json::Value) -> Result<neo4rs::BoltType, WriteError> {
    bolt(rows).map_err(WriteError::Store)
}

fn upsert_actor(a: &Actor) -> Result<Query, WriteError> {
    Ok(query(UPSERT_ACTORS).param("rows", rows_param(json!([actor_props(a)]))?))
}

fn create_relations(rs: &[Relation]) -> Result<Query, WriteError> {
    let rows: Vec<serde_json::Value> = rs
        .iter()
        .map(|r| json!({"type": r.kind.as_str(), "props": relation_props(r)}))
        .collect();
    Ok(query(CREATE_RELATIONS).param("rows", rows_param(json!(rows))?))
}

fn delete_relation(r: &Relation) -> Result<Query, WriteError> {
    Ok(query(DELETE_RELATIONS).param(
        "rows",
        rows_param(json!([{"id": r.id.as_str(), "from": r.from.as_str()}]))?,
    ))
}

fn delete_actor(id: &ActorId) -> Query {
    query(DELETE_ACTORS).param("ids", vec![id.as_str().to_string()])
}

fn upsert_source(s: &Source) -> Result<Query, WriteError> {
    Ok(query(UPSERT_SOURCES).param("rows", rows_param(json!([source_props(s)]))?))
}

/// A write transaction and the reads it makes.
struct Tx {
    txn: Txn,
}

impl Tx {
    async fn rows<T: DeserializeOwned>(
        &mut self,
        q: Query,
        column: &'static str,
    ) -> Result<Vec<T>, WriteError> {
        let mut stream = self.txn.execute(q).await.map_err(write_error)?;
        let mut out = Vec::new();
        while let Some(row) = stream.next(self.txn.handle()).await.map_err(write_error)? {
            out.push(
                row.get::<T>(column)
                    .map_err(|e| WriteError::Store(invalid(format!("column `{column}`: {e}"))))?,
            );
        }
        Ok(out)
    }

    async fn run(&mut self, q: Query) -> Result<(), WriteError> {
        self.txn.run(q).await.map(|_| ()).map_err(write_error)
    }

    async fn actor(&mut self, id: &ActorId) -> Result<Option<Actor>, WriteError> {
        let q = query(ACTORS_BY_IDS).param("ids", vec![id.as_str().to_string()]);
        let rows: Vec<ActorRecord> = self.rows(q, "actor").await?;
        rows.into_iter()
            .next()
            .map(ActorRecord::into_domain)
            .transpose()
            .map_err(|e| WriteError::Store(invalid(e)))
    }

    async fn require_actor(&mut self, id: &ActorId) -> Result<Actor, WriteError> {
        self.actor(id)
            .await?
            .ok_or_else(|| WriteError::not_found("actor", id))
    }

    async fn relations(&mut self, q: Query) -> Result<Vec<Relation>, WriteError> {
        let rows: Vec<RelationRecord> = self.rows(q, "relation").await?;
        rows.into_iter()
            .map(RelationRecord::into_domain)
            .collect::<Result<_, _>>()
            .map_err(|e| WriteError::Store(invalid(e)))
    }

    async fn relation(&mut self, id: &RelationId) -> Result<Option<Relation>, WriteError> {
        let q = query(RELATIONS_BY_IDS).param("ids", vec![id.as_str().to_string()]);
        Ok(self.relations(q).await?.into_iter().next())
    }

    async fn source(&mut self, id: &SourceId) -> Result<Option<Source>, WriteError> {
        let q = query(SOURCES_BY_IDS).param("ids", vec![id.as_str().to_string()]);
        let rows: Vec<SourceRecord> = self.rows(q, "source").await?;
        rows.into_iter()
            .next()
            .map(SourceRecord::into_domain)
            .transpose()
            .map_err(|e| WriteError::Store(invalid(e)))
    }

    /// Checks and writes; the caller commits or rolls back.
    async fn apply(
        &mut self,
        write: Write,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Change>, WriteError> {
        let stamp = |old: Option<&Meta>| Meta::next(old, by, at);
        match write {
            Write::CreateActor(mut actor) => {
                if self.actor(&actor.id).await?.is_some() {
                    return Err(WriteError::exists("actor", &actor.id));
                }
                actor.meta = stamp(None);
                self.run(upsert_actor(&actor)?).await?;
                Ok(vec![Change::new(ChangeKind::Created, Record::Actor(actor))])
            }
            Write::UpdateActor {
                mut actor,
                expected,
            } => {
                let old = self.require_actor(&actor.id).await?;
                check_version("actor", old.id.as_str(), &old.meta, Some(expected))?;
                actor.meta = stamp(Some(&old.meta));
                if old.kind == actor.kind {
                    self.run(upsert_actor(&actor)?).await?;
                } else {
                    // Labels are fixed at creation on ArcadeDB: re-create the node and
                    // its relationships.
                    let relations = self
                        .relations(query(RELATIONS_OF_ACTOR).param("id", actor.id.as_str()))
                        .await?;
                    self.run(delete_actor(&actor.id)).await?;
                    self.run(upsert_actor(&actor)?).await?;
                    if !relations.is_empty() {
                        self.run(create_relations(&relations)?).await?;
                    }
                }
                Ok(vec![Change::new(ChangeKind::Updated, Record::Actor(actor))])
            }
            Write::DeleteActor {
                id,
                expected,
                cascade,
            } => {
                let old = self.require_actor(&id).await?;
                check_version("actor", id.as_str(), &old.meta, expected)?;
                let relations = self
                    .relations(query(RELATIONS_OF_ACTOR).param("id", id.as_str()))
                    .await?;
                if !relations.is_empty() && !cascade {
                    return Err(WriteError::HasRelations {
                        id: id.to_string(),
                        count: relations.len(),
                    });
                }
                self.run(delete_actor(&id)).await?;
                let mut changes: Vec<Change> = relations
                    .into_iter()
                    .map(|r| Change::new(ChangeKind::Deleted, Record::Relation(r)))
                    .collect();
                changes.push(Change::new(ChangeKind::Deleted, Record::Actor(old)));
                Ok(changes)
            }
            Write::CreateRelation(mut relation) => {
                if self.relation(&relation.id).await?.is_some() {
                    return Err(WriteError::exists("relation", &relation.id));
                }
                self.require_actor(&relation.from).await?;
                self.require_actor(&relation.to).await?;
                relation.meta = stamp(None);
                self.run(create_relations(std::slice::from_ref(&relation))?)
                    .await?;
                Ok(vec![Change::new(
                    ChangeKind::Created,
                    Record::Relation(relation),
                )])
            }
            Write::UpdateRelation {
                mut relation,
                expected,
            } => {
                let old = self
                    .relation(&relation.id)
                    .await?
                    .ok_or_else(|| WriteError::not_found("relation", &relation.id))?;
                check_version("relation", old.id.as_str(), &old.meta, Some(expected))?;
                self.require_actor(&relation.from).await?;
                self.require_actor(&relation.to).await?;
                relation.meta = stamp(Some(&old.meta));
                // Replaced whole: the type or the endpoints may have changed.
                self.run(delete_relation(&old)?).await?;
                self.run(create_relations(std::slice::from_ref(&relation))?)
                    .await?;
                Ok(vec![Change::new(
                    ChangeKind::Updated,
                    Record::Relation(relation),
                )])
            }
            Write::DeleteRelation { id, expected } => {
                let old = self
                    .relation(&id)
                    .await?
                    .ok_or_else(|| WriteError::not_found("relation", &id))?;
                check_version("relation", id.as_str(), &old.meta, expected)?;
                self.run(delete_relation(&old)?).await?;
                Ok(vec![Change::new(
                    ChangeKind::Deleted,
                    Record::Relation(old),
                )])
            }
            Write::CreateSource(mut source) => {
                if self.source(&source.id).await?.is_some() {
                    return Err(WriteError::exists("source", &source.id));
                }
                source.meta = stamp(None);
                self.run(upsert_source(&source)?).await?;
                Ok(vec![Change::new(
                    ChangeKind::Created,
                    Record::Source(source),
                )])
            }
            Write::UpdateSource {
                mut source,
                expected,
            } => {
                let old = self
                    .source(&source.id)
                    .await?
                    .ok_or_else(|| WriteError::not_found("source", &source.id))?;
                check_version("source", old.id.as_str(), &old.meta, Some(expected))?;
                source.meta = stamp(Some(&old.meta));
                self.run(upsert_source(&source)?).await?;
                Ok(vec![Change::new(
                    ChangeKind::Updated,
                    Record::Source(source),
                )])
            }
        }
    }
}

/// Runs one write in its own transaction.
async fn once(graph: Graph, write: Write, by: String) -> Result<Vec<Change>, WriteError> {
    let txn = graph.start_txn().await.map_err(write_error)?;
    let mut tx = Tx { txn };
    let at = Utc::now();
    let outcome = match tx.run(lock(&at)).await {
        Ok(()) => tx.apply(write, &by, at).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(changes) => {
            tx.txn.commit().await.map_err(write_error)?;
            Ok(changes)
        }
        Err(e) => {
            // Best effort: the server also rolls back when the connection goes.
            let _ = tx.txn.rollback().await;
            Err(e)
        }
    }
}

/// A wait before running a write again: doubling from 10 ms up to a second, and
/// spread a little, so that writers that collided do not collide again.
pub(super) fn backoff(attempt: u32) -> Duration {
    let spread = u64::from(Utc::now().timestamp_subsec_micros() % 20);
    Duration::from_millis((10u64 << attempt.min(7)).min(1_000) + spread)
}

impl Neo4jStore {
    /// Runs a write, again when it lost a race with another writer.
    pub(super) async fn write_record(
        &self,
        write: Write,
        by: &str,
    ) -> Result<Vec<Change>, WriteError> {
        let mut attempt = 0;
        loop {
            let (w, b) = (write.clone(), by.to_string());
            let gate = self.writes.lock().await;
            let result: StoreResult<Result<Vec<Change>, WriteError>> = self
                .on_runtime_within(self.timeout, move |graph| async move {
                    Ok(once(graph, w, b).await)
                })
                .await;
            drop(gate);
            match result? {
                Err(WriteError::Busy) if attempt < RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(backoff(attempt)).await;
                }
                other => return other,
            }
        }
    }
}
