//! Writes of one record ([`Repository::write`]), each in one transaction: take the
//! write lock (`lock.cypher`), read what the checks need ([`rules::needs`]), let
//! [`rules::decide`] check and stamp (the rules every store shares), carry out its
//! steps in this graph model, commit. A refused write rolls back, so it leaves
//! nothing behind.
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

use super::{bolt, classify, invalid, Neo4jStore, APPEND_CHANGES};
use super::{ACTORS_BY_IDS, RELATIONS_BY_IDS, SOURCES_BY_IDS};
use crate::domain::{Actor, ActorId, Relation, RelationId, Source, SourceId};
use crate::store::records::{
    actor_name_row, actor_props, change_props, claim_props, relation_props, source_props,
    timestamp, ActorRecord, ClaimNodeRecord, RelationRecord, SourceRecord,
};
use crate::store::rules;
use crate::store::{Change, LogEntry, StoreResult, Write, WriteError};

pub(super) const LOCK: &str = include_str!("lock.cypher");
pub(super) const RELATIONS_OF_ACTOR: &str = include_str!("relations_of_actor.cypher");
const UPSERT_CLAIMS: &str = include_str!("upsert_claims.cypher");
use super::import::{
    CREATE_RELATIONS, DELETE_ACTORS, DELETE_RELATIONS, NAME_GRAMS, UPSERT_ACTORS, UPSERT_SOURCES,
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

/// The statement that keeps an actor's entry in the name index (name_grams.cypher).
fn index_name(a: &Actor) -> Result<Query, WriteError> {
    Ok(query(NAME_GRAMS).param("rows", rows_param(json!([actor_name_row(a)]))?))
}

fn create_relations(rs: &[Relation]) -> Result<Query, WriteError> {
    let rows: Vec<serde_json::Value> = rs
        .iter()
        .map(|r| json!({"type": r.kind.as_str(), "props": relation_props(r)}))
        .collect();
    Ok(query(CREATE_RELATIONS).param("rows", rows_param(json!(rows))?))
}

fn delete_relations(rs: &[Relation]) -> Result<Query, WriteError> {
    let rows: Vec<serde_json::Value> = rs
        .iter()
        .map(|r| json!({"id": r.id.as_str(), "from": r.from.as_str()}))
        .collect();
    Ok(query(DELETE_RELATIONS).param("rows", rows_param(json!(rows))?))
}

fn delete_actor(id: &ActorId) -> Query {
    query(DELETE_ACTORS).param("ids", vec![id.as_str().to_string()])
}

/// The statement that logs `changes` (see append_changes.cypher).
fn append_changes(changes: &[Change], by: &str, at: DateTime<Utc>) -> Result<Query, WriteError> {
    let rows: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| change_props(&LogEntry::of(0, c, by, at)))
        .collect();
    Ok(query(APPEND_CHANGES).param("rows", rows_param(json!(rows))?))
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

    /// Reads what the write's checks need ([`rules::needs`]).
    async fn fetch(&mut self, needs: &rules::Needs) -> Result<rules::Fetched, WriteError> {
        let mut f = rules::Fetched::default();
        for id in &needs.actors {
            if let Some(a) = self.actor(id).await? {
                f.actors.insert(id.clone(), a);
            }
        }
        for id in &needs.relations {
            if let Some(r) = self.relation(id).await? {
                f.relations.insert(id.clone(), r);
            }
        }
        for id in &needs.sources {
            if let Some(s) = self.source(id).await? {
                f.sources.insert(id.clone(), s);
            }
        }
        if !needs.claims.is_empty() {
            let ids: Vec<String> = needs.claims.iter().map(|c| c.to_string()).collect();
            let rows: Vec<ClaimNodeRecord> = self
                .rows(query(super::CLAIMS_BY_IDS).param("ids", ids), "claim")
                .await?;
            for r in rows {
                let c = r.into_domain().map_err(|e| WriteError::Store(invalid(e)))?;
                f.claims.insert(c.id.clone(), c);
            }
        }
        for id in &needs.relations_of {
            let of = self
                .relations(query(RELATIONS_OF_ACTOR).param("id", id.as_str()))
                .await?;
            f.relations_of.insert(id.clone(), of);
        }
        Ok(f)
    }

    /// Carries out the steps of a write ([`rules::decide`]), in this graph model.
    async fn carry_out(&mut self, steps: Vec<rules::Step>) -> Result<(), WriteError> {
        let mut steps = steps.into_iter().peekable();
        while let Some(step) = steps.next() {
            match step {
                rules::Step::PutActor { actor, was } => {
                    match was {
                        Some(old) if old.kind != actor.kind => {
                            // Labels are fixed at creation on ArcadeDB: re-create the
                            // node and its relationships.
                            let relations = self
                                .relations(query(RELATIONS_OF_ACTOR).param("id", actor.id.as_str()))
                                .await?;
                            self.run(delete_actor(&actor.id)).await?;
                            self.run(upsert_actor(&actor)?).await?;
                            if !relations.is_empty() {
                                self.run(create_relations(&relations)?).await?;
                            }
                        }
                        _ => self.run(upsert_actor(&actor)?).await?,
                    }
                    self.run(index_name(&actor)?).await?;
                }
                rules::Step::DeleteActor(id) => self.run(delete_actor(&id)).await?,
                rules::Step::PutRelation { relation, was } => {
                    // Replaced whole: the type or the endpoints may have changed.
                    if let Some(old) = &was {
                        self.run(delete_relations(std::slice::from_ref(old))?)
                            .await?;
                    }
                    self.run(create_relations(std::slice::from_ref(&relation))?)
                        .await?;
                }
                rules::Step::DeleteRelation(first) => {
                    // A cascade deletes many: one statement for the run of them.
                    let mut run = vec![first];
                    while let Some(rules::Step::DeleteRelation(_)) = steps.peek() {
                        if let Some(rules::Step::DeleteRelation(r)) = steps.next() {
                            run.push(r);
                        }
                    }
                    self.run(delete_relations(&run)?).await?;
                }
                rules::Step::PutSource { source, .. } => self.run(upsert_source(&source)?).await?,
                rules::Step::PutClaim { claim, .. } => {
                    // A batch of new claims: one statement for the run of them.
                    let mut run = vec![claim];
                    while let Some(rules::Step::PutClaim { .. }) = steps.peek() {
                        if let Some(rules::Step::PutClaim { claim, .. }) = steps.next() {
                            run.push(claim);
                        }
                    }
                    let rows: Vec<serde_json::Value> = run.iter().map(claim_props).collect();
                    self.run(query(UPSERT_CLAIMS).param("rows", rows_param(json!(rows))?))
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Checks and writes; the caller commits or rolls back.
    async fn apply(
        &mut self,
        write: Write,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Change>, WriteError> {
        let fetched = self.fetch(&rules::needs(&write)).await?;
        let plan = rules::decide(write, &fetched, by, at)?;
        self.carry_out(plan.steps).await?;
        self.run(append_changes(&plan.changes, by, at)?).await?;
        let deltas = super::count_deltas(&plan.changes);
        if !deltas.is_empty() {
            self.run(query(super::COUNT_CHANGES).param("deltas", rows_param(json!(deltas))?))
                .await?;
        }
        Ok(plan.changes)
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
