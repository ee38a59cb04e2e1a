//! What a write does, decided once for every store.
//!
//! A store runs a [`Write`] in three steps inside its own transaction (or under
//! its own lock): it reads the records [`needs`] names, [`decide`] checks them
//! against the write and says what to put and delete, stamped, and which changes
//! to report; the store then carries out the [`Step`]s. The rules (ids free,
//! endpoints present, versions as expected, an actor's relations go with it only on
//! `cascade`, who and when on every record) live here only; a store only reads and
//! puts. `decide` is pure, so the rules are tested here without a store, and the
//! contract suite checks that every store carries them out alike. An import is
//! planned here too ([`plan_import`]): what is new, what changed, how it is
//! stamped and what it reports.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Change, ChangeKind, ImportReport, KindReport, Record, Write, WriteError};
use crate::domain::{
    Actor, ActorId, Claim, ClaimId, Dataset, Meta, Relation, RelationId, Source, SourceId,
};

/// The stored records a write's checks read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Needs {
    pub actors: Vec<ActorId>,
    pub relations: Vec<RelationId>,
    pub sources: Vec<SourceId>,
    /// Actors whose relations (from or to them) are read too.
    pub relations_of: Vec<ActorId>,
    pub claims: Vec<ClaimId>,
}

/// What a store read for [`Needs`]: what exists, by id (absent ids are absent).
#[derive(Debug, Default, Clone)]
pub struct Fetched {
    pub actors: HashMap<ActorId, Actor>,
    pub relations: HashMap<RelationId, Relation>,
    pub sources: HashMap<SourceId, Source>,
    pub relations_of: HashMap<ActorId, Vec<Relation>>,
    pub claims: HashMap<ClaimId, Claim>,
}

/// One change of the stored records, carried out in order.
// A write has a handful of steps, gone when it commits: boxing buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Creates an actor, or replaces `was` (its relations stay with it, whatever
    /// its kind now).
    PutActor { actor: Actor, was: Option<Actor> },
    /// Deletes an actor; the steps before it deleted its relations.
    DeleteActor(ActorId),
    /// Creates a relation, or replaces `was` (its type and ends may differ).
    PutRelation {
        relation: Relation,
        was: Option<Relation>,
    },
    /// Deletes a relation, as stored.
    DeleteRelation(Relation),
    /// Creates a source, or replaces `was`.
    PutSource { source: Source, was: Option<Source> },
    /// Creates a claim, or replaces `was`.
    PutClaim { claim: Claim, was: Option<Claim> },
}

/// What a write does: the steps, and the changes to report (records as the write
/// leaves them; as they were, for deletions).
#[derive(Debug, Clone)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub changes: Vec<Change>,
}

/// The records the checks of `write` read.
pub fn needs(write: &Write) -> Needs {
    let mut n = Needs::default();
    match write {
        Write::Batch(writes) => {
            for w in writes {
                let more = needs(w);
                n.actors.extend(more.actors);
                n.relations.extend(more.relations);
                n.sources.extend(more.sources);
                n.relations_of.extend(more.relations_of);
                n.claims.extend(more.claims);
            }
            for list in [&mut n.actors, &mut n.relations_of] {
                list.sort();
                list.dedup();
            }
            n.relations.sort();
            n.relations.dedup();
            n.sources.sort();
            n.sources.dedup();
            n.claims.sort();
            n.claims.dedup();
            return n;
        }
        Write::CreateClaims(claims) => {
            n.claims.extend(claims.iter().map(|c| c.id.clone()));
            n.sources.extend(claims.iter().map(|c| c.source.clone()));
            n.sources.sort();
            n.sources.dedup();
            return n;
        }
        Write::UpdateClaim { claim, .. } => {
            n.claims.push(claim.id.clone());
            return n;
        }
        _ => {}
    }
    // A new record's id must be free in the other kinds too (ids are unique
    // across actors, relations and sources: Relay's `node(id:)`).
    let mut others = |id: &str, actor: bool, relation: bool, source: bool| {
        if actor {
            n.actors.extend(ActorId::parse(id).ok());
        }
        if relation {
            n.relations.extend(RelationId::parse(id).ok());
        }
        if source {
            n.sources.extend(SourceId::parse(id).ok());
        }
    };
    match write {
        Write::CreateActor(a) => others(a.id.as_str(), false, true, true),
        Write::CreateRelation(r) => others(r.id.as_str(), true, false, true),
        Write::CreateSource(s) => others(s.id.as_str(), true, true, false),
        _ => {}
    }
    match write {
        Write::CreateActor(a) | Write::UpdateActor { actor: a, .. } => n.actors.push(a.id.clone()),
        Write::DeleteActor { id, .. } => {
            n.actors.push(id.clone());
            n.relations_of.push(id.clone());
        }
        Write::CreateRelation(r) | Write::UpdateRelation { relation: r, .. } => {
            n.relations.push(r.id.clone());
            n.actors.push(r.from.clone());
            n.actors.push(r.to.clone());
        }
        Write::DeleteRelation { id, .. } => n.relations.push(id.clone()),
        Write::CreateSource(s) | Write::UpdateSource { source: s, .. } => {
            n.sources.push(s.id.clone())
        }
        Write::CreateClaims(_) | Write::UpdateClaim { .. } | Write::Batch(_) => {}
    }
    n
}

impl Fetched {
    /// What the records read look like after `step`: the next write of a batch
    /// is checked against them.
    fn apply(&mut self, step: &Step) {
        match step {
            Step::PutActor { actor, .. } => {
                self.actors.insert(actor.id.clone(), actor.clone());
            }
            Step::DeleteActor(id) => {
                self.actors.remove(id);
                self.relations_of.remove(id);
            }
            Step::PutRelation { relation, was } => {
                if let Some(old) = was {
                    self.forget_relation(old);
                }
                self.relations.insert(relation.id.clone(), relation.clone());
                for end in [&relation.from, &relation.to] {
                    if let Some(list) = self.relations_of.get_mut(end) {
                        list.push(relation.clone());
                    }
                }
            }
            Step::DeleteRelation(r) => {
                self.forget_relation(r);
                self.relations.remove(&r.id);
            }
            Step::PutSource { source, .. } => {
                self.sources.insert(source.id.clone(), source.clone());
            }
            Step::PutClaim { claim, .. } => {
                self.claims.insert(claim.id.clone(), claim.clone());
            }
        }
    }

    fn forget_relation(&mut self, r: &Relation) {
        for end in [&r.from, &r.to] {
            if let Some(list) = self.relations_of.get_mut(end) {
                list.retain(|x| x.id != r.id);
            }
        }
    }
}

/// Refuses a write made against another version than the stored one.
fn check_version(
    what: &'static str,
    id: &str,
    stored: &Meta,
    expected: Option<u64>,
) -> Result<(), WriteError> {
    match expected {
        Some(expected) if expected != stored.version => Err(WriteError::Stale {
            what,
            id: id.to_string(),
            expected,
            actual: stored.version,
        }),
        _ => Ok(()),
    }
}

/// Refuses a new record whose id a record of another kind holds.
fn id_free(f: &Fetched, id: &str) -> Result<(), WriteError> {
    let taken = if ActorId::parse(id).is_ok_and(|a| f.actors.contains_key(&a)) {
        Some("actor")
    } else if RelationId::parse(id).is_ok_and(|r| f.relations.contains_key(&r)) {
        Some("relation")
    } else if SourceId::parse(id).is_ok_and(|s| f.sources.contains_key(&s)) {
        Some("source")
    } else {
        None
    };
    taken.map_or(Ok(()), |what| Err(WriteError::exists(what, &id)))
}

/// A stored actor the write needs, by its own id (a store reads a merged id as
/// the actor it was merged into, which takes the id from new records but is not
/// the actor a write naming it means).
fn stored_actor<'a>(f: &'a Fetched, id: &ActorId) -> Result<&'a Actor, WriteError> {
    f.actors
        .get(id)
        .filter(|a| a.id == *id)
        .ok_or_else(|| WriteError::not_found("actor", id))
}

/// Checks `write` against what was read and says what it does, stamped as made
/// by `by` at `at`. A refused write has no plan: nothing is to be written.
pub fn decide(write: Write, f: &Fetched, by: &str, at: DateTime<Utc>) -> Result<Plan, WriteError> {
    let stamp = |old: Option<&Meta>| Meta::next(old, by, at);
    let plan = |steps, changes| Ok(Plan { steps, changes });
    match write {
        Write::Batch(writes) => {
            // Each write is checked against what the ones before it left.
            let mut seen = f.clone();
            let mut all = Plan {
                steps: Vec::new(),
                changes: Vec::new(),
            };
            for w in writes {
                let p = decide(w, &seen, by, at)?;
                for step in &p.steps {
                    seen.apply(step);
                }
                all.steps.extend(p.steps);
                all.changes.extend(p.changes);
            }
            Ok(all)
        }
        Write::CreateClaims(claims) => {
            let mut steps = Vec::with_capacity(claims.len());
            let mut changes = Vec::with_capacity(claims.len());
            for mut claim in claims {
                if !f.sources.contains_key(&claim.source) {
                    return Err(WriteError::not_found("source", &claim.source));
                }
                if f.claims.contains_key(&claim.id) {
                    return Err(WriteError::exists("claim", &claim.id));
                }
                claim.meta = stamp(None);
                changes.push(Change::new(
                    ChangeKind::Created,
                    Record::Claim(claim.clone()),
                ));
                steps.push(Step::PutClaim { claim, was: None });
            }
            plan(steps, changes)
        }
        Write::UpdateClaim {
            mut claim,
            expected,
        } => {
            let old = f
                .claims
                .get(&claim.id)
                .ok_or_else(|| WriteError::not_found("claim", &claim.id))?;
            check_version("claim", old.id.as_str(), &old.meta, Some(expected))?;
            claim.meta = stamp(Some(&old.meta));
            let change = Change::update(Record::Claim(claim.clone()), Record::Claim(old.clone()));
            plan(
                vec![Step::PutClaim {
                    claim,
                    was: Some(old.clone()),
                }],
                vec![change],
            )
        }
        Write::CreateActor(mut actor) => {
            id_free(f, actor.id.as_str())?;
            actor.meta = stamp(None);
            let change = Change::new(ChangeKind::Created, Record::Actor(actor.clone()));
            plan(vec![Step::PutActor { actor, was: None }], vec![change])
        }
        Write::UpdateActor {
            mut actor,
            expected,
        } => {
            let old = stored_actor(f, &actor.id)?;
            check_version("actor", old.id.as_str(), &old.meta, Some(expected))?;
            actor.meta = stamp(Some(&old.meta));
            let change = Change::update(Record::Actor(actor.clone()), Record::Actor(old.clone()));
            plan(
                vec![Step::PutActor {
                    actor,
                    was: Some(old.clone()),
                }],
                vec![change],
            )
        }
        Write::DeleteActor {
            id,
            expected,
            cascade,
        } => {
            let old = stored_actor(f, &id)?;
            check_version("actor", id.as_str(), &old.meta, expected)?;
            let relations = f.relations_of.get(&id).cloned().unwrap_or_default();
            if !relations.is_empty() && !cascade {
                return Err(WriteError::HasRelations {
                    id: id.to_string(),
                    count: relations.len(),
                });
            }
            let mut steps = Vec::with_capacity(relations.len() + 1);
            let mut changes = Vec::with_capacity(relations.len() + 1);
            for r in relations {
                changes.push(Change::new(
                    ChangeKind::Deleted,
                    Record::Relation(r.clone()),
                ));
                steps.push(Step::DeleteRelation(r));
            }
            steps.push(Step::DeleteActor(id));
            changes.push(Change::new(ChangeKind::Deleted, Record::Actor(old.clone())));
            plan(steps, changes)
        }
        Write::CreateRelation(mut relation) => {
            id_free(f, relation.id.as_str())?;
            stored_actor(f, &relation.from)?;
            stored_actor(f, &relation.to)?;
            relation.meta = stamp(None);
            let change = Change::new(ChangeKind::Created, Record::Relation(relation.clone()));
            plan(
                vec![Step::PutRelation {
                    relation,
                    was: None,
                }],
                vec![change],
            )
        }
        Write::UpdateRelation {
            mut relation,
            expected,
        } => {
            let old = f
                .relations
                .get(&relation.id)
                .ok_or_else(|| WriteError::not_found("relation", &relation.id))?;
            check_version("relation", old.id.as_str(), &old.meta, Some(expected))?;
            stored_actor(f, &relation.from)?;
            stored_actor(f, &relation.to)?;
            relation.meta = stamp(Some(&old.meta));
            let change = Change::update(
                Record::Relation(relation.clone()),
                Record::Relation(old.clone()),
            );
            plan(
                vec![Step::PutRelation {
                    relation,
                    was: Some(old.clone()),
                }],
                vec![change],
            )
        }
        Write::DeleteRelation { id, expected } => {
            let old = f
                .relations
                .get(&id)
                .ok_or_else(|| WriteError::not_found("relation", &id))?;
            check_version("relation", id.as_str(), &old.meta, expected)?;
            let change = Change::new(ChangeKind::Deleted, Record::Relation(old.clone()));
            plan(vec![Step::DeleteRelation(old.clone())], vec![change])
        }
        Write::CreateSource(mut source) => {
            id_free(f, source.id.as_str())?;
            source.meta = stamp(None);
            let change = Change::new(ChangeKind::Created, Record::Source(source.clone()));
            plan(vec![Step::PutSource { source, was: None }], vec![change])
        }
        Write::UpdateSource {
            mut source,
            expected,
        } => {
            let old = f
                .sources
                .get(&source.id)
                .ok_or_else(|| WriteError::not_found("source", &source.id))?;
            check_version("source", old.id.as_str(), &old.meta, Some(expected))?;
            source.meta = stamp(Some(&old.meta));
            let change =
                Change::update(Record::Source(source.clone()), Record::Source(old.clone()));
            plan(
                vec![Step::PutSource {
                    source,
                    was: Some(old.clone()),
                }],
                vec![change],
            )
        }
    }
}

/// What an import writes (its new and changed records, stamped), what it reports,
/// and the changes it makes, in the order sources, actors, relations.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    pub sources: Vec<Source>,
    pub actors: Vec<Actor>,
    pub relations: Vec<Relation>,
    pub report: ImportReport,
    pub changes: Vec<Change>,
}

/// Compares a data set with the stored records of its ids (each lookup gives the
/// stored record, `None` when there is none) and plans the import: what is new
/// is created at version 1, what differs is replaced at its version + 1, the rest
/// is left alone (so the same import twice changes nothing). Metadata is not
/// content: a record that differs only by it is unchanged.
pub fn plan_import<'a>(
    data: &Dataset,
    old_source: impl Fn(&SourceId) -> Option<&'a Source>,
    old_actor: impl Fn(&ActorId) -> Option<&'a Actor>,
    old_relation: impl Fn(&RelationId) -> Option<&'a Relation>,
    by: &str,
    at: DateTime<Utc>,
) -> ImportPlan {
    let (sources, sources_report) = diff(&data.sources, |x| old_source(&x.id), |_| false);
    let (actors, actors_report) = diff(&data.actors, |x| old_actor(&x.id), |_| false);
    let (relations, relations_report) = diff(&data.relations, |x| old_relation(&x.id), |_| false);
    let (sources, mut changes) = stamp(
        &sources,
        |x| old_source(&x.id),
        |x| &x.meta,
        |x, m| x.meta = m,
        Record::Source,
        by,
        at,
    );
    let (actors, actor_changes) = stamp(
        &actors,
        |x| old_actor(&x.id),
        |x| &x.meta,
        |x, m| x.meta = m,
        Record::Actor,
        by,
        at,
    );
    let (relations, relation_changes) = stamp(
        &relations,
        |x| old_relation(&x.id),
        |x| &x.meta,
        |x, m| x.meta = m,
        Record::Relation,
        by,
        at,
    );
    changes.extend(actor_changes);
    changes.extend(relation_changes);
    ImportPlan {
        sources,
        actors,
        relations,
        report: ImportReport {
            sources: sources_report,
            actors: actors_report,
            relations: relations_report,
        },
        changes,
    }
}

/// The records of `write` (an import's new and changed records), stamped as
/// written by `by` at `at` (each new one at version 1, each changed one at its
/// stored version + 1), and the changes they make. `existing` gives the stored
/// record (`None`: the record is new), `meta` its metadata, `set_meta` stamps a
/// record, and `record` wraps it for the change feed and the log.
fn stamp<'a, T: Clone + 'a>(
    write: &[&T],
    existing: impl Fn(&T) -> Option<&'a T>,
    meta: impl Fn(&T) -> &Meta,
    set_meta: impl Fn(&mut T, Meta),
    record: impl Fn(T) -> Record,
    by: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> (Vec<T>, Vec<Change>) {
    let mut out = Vec::with_capacity(write.len());
    let mut changes = Vec::with_capacity(write.len());
    for item in write {
        let old = existing(item);
        let mut next = (*item).clone();
        set_meta(&mut next, Meta::next(old.map(&meta), by, at));
        changes.push(match old {
            Some(old) => Change::update(record(next.clone()), record(old.clone())),
            None => Change::new(ChangeKind::Created, record(next.clone())),
        });
        out.push(next);
    }
    (out, changes)
}

/// Sorts the records of a data set into those to write (new or changed; `force`
/// marks more as changed) and counts them, against the existing record of each
/// (`existing` looks it up by the record's id).
fn diff<'a, 'b, T: PartialEq + 'b>(
    wanted: &'a [T],
    existing: impl Fn(&T) -> Option<&'b T>,
    force: impl Fn(&T) -> bool,
) -> (Vec<&'a T>, KindReport) {
    let mut write = Vec::new();
    let mut report = KindReport::default();
    for item in wanted {
        match existing(item) {
            None => {
                report.created += 1;
                write.push(item);
            }
            Some(old) if old != item || force(item) => {
                report.updated += 1;
                write.push(item);
            }
            Some(_) => report.unchanged += 1,
        }
    }
    (write, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph() -> crate::domain::Dataset {
        crate::synthetic::dataset(3, 1).unwrap()
    }

    fn fetched(data: &crate::domain::Dataset, needs: &Needs) -> Fetched {
        let mut f = Fetched::default();
        for id in &needs.actors {
            if let Some(a) = data.actors.iter().find(|a| &a.id == id) {
                f.actors.insert(id.clone(), a.clone());
            }
        }
        for id in &needs.relations {
            if let Some(r) = data.relations.iter().find(|r| &r.id == id) {
                f.relations.insert(id.clone(), r.clone());
            }
        }
        for id in &needs.relations_of {
            let of: Vec<Relation> = data
                .relations
                .iter()
                .filter(|r| &r.from == id || &r.to == id)
                .cloned()
                .collect();
            f.relations_of.insert(id.clone(), of);
        }
        f
    }

    fn run(data: &crate::domain::Dataset, w: Write) -> Result<Plan, WriteError> {
        let f = fetched(data, &needs(&w));
        decide(w, &f, "tester", Utc::now())
    }

    #[test]
    fn a_taken_id_a_missing_end_and_a_stale_version_are_refused() {
        let data = graph();
        let taken = run(&data, Write::CreateActor(data.actors[0].clone()));
        assert!(matches!(taken, Err(WriteError::Exists { .. })));
        let mut r = data.relations[0].clone();
        r.id = RelationId::parse("new-relation".to_string()).unwrap();
        r.to = ActorId::parse("nobody".to_string()).unwrap();
        assert!(matches!(
            run(&data, Write::CreateRelation(r)),
            Err(WriteError::NotFound { what: "actor", .. })
        ));
        let stale = Write::UpdateActor {
            actor: data.actors[0].clone(),
            expected: 7,
        };
        assert!(matches!(
            run(&data, stale),
            Err(WriteError::Stale {
                actual: 0,
                expected: 7,
                ..
            })
        ));
    }

    #[test]
    fn an_actor_with_relations_goes_only_with_cascade_and_takes_them_first() {
        let data = graph();
        let id = data.actors[0].id.clone();
        let refused = run(
            &data,
            Write::DeleteActor {
                id: id.clone(),
                expected: None,
                cascade: false,
            },
        );
        assert!(matches!(
            refused,
            Err(WriteError::HasRelations { count: 2, .. })
        ));
        let plan = run(
            &data,
            Write::DeleteActor {
                id: id.clone(),
                expected: None,
                cascade: true,
            },
        )
        .unwrap();
        assert!(matches!(plan.steps.last(), Some(Step::DeleteActor(a)) if *a == id));
        assert_eq!(plan.steps.len(), 3);
        assert!(plan.changes.iter().all(|c| c.kind == ChangeKind::Deleted));
    }

    #[test]
    fn written_records_are_stamped_with_who_and_the_next_version() {
        let data = graph();
        let mut a = data.actors[1].clone();
        a.description = Some("changed".into());
        let plan = run(
            &data,
            Write::UpdateActor {
                actor: a,
                expected: 0,
            },
        )
        .unwrap();
        let Step::PutActor {
            actor,
            was: Some(was),
        } = &plan.steps[0]
        else {
            panic!("an update replaces the stored actor")
        };
        assert_eq!(actor.meta.version, was.meta.version + 1);
        assert_eq!(actor.meta.updated_by.as_deref(), Some("tester"));
    }
}
