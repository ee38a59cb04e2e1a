//! The embedded store: the whole graph in memory, loaded from a validated data set.
//! It is the default when no database is configured, so `cargo run` serves a
//! working API on a fresh machine.

use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;

use super::{
    rules, ActorFilter, Change, ChangeQuery, Imported, LogEntry, Page, PageRequest, RecordKind,
    RelationQuery, Repository, Stats, StoreResult, Write, WriteError,
};
use crate::deadline;
use crate::domain::{
    search, Actor, ActorId, Dataset, Direction, Meta, Relation, RelationId, RelationType, Source,
    SourceId,
};

/// A search match by its sort key (`search::sort_key`), for the heap of the best.
struct Ranked<'a>(String, &'a Actor);

impl PartialEq for Ranked<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Ranked<'_> {}

impl PartialOrd for Ranked<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

#[derive(Clone)]
struct ActorEntry {
    actor: Actor,
    /// Folded names and aliases, computed once at load.
    keys: Vec<String>,
}

/// The graph and the indexes the repository's reads need.
#[derive(Clone)]
struct State {
    actors: BTreeMap<ActorId, ActorEntry>,
    relations: BTreeMap<RelationId, Relation>,
    /// For each actor, its relations as (relation id, whether the actor is `from`),
    /// sorted by relation id.
    incident: HashMap<ActorId, Vec<(RelationId, bool)>>,
    /// Relations per type, so whole-graph lists know their total without a scan.
    type_counts: HashMap<RelationType, usize>,
    sources: BTreeMap<SourceId, Source>,
}

/// An in-memory graph. Reads share a lock; an import builds the whole next state
/// aside and swaps it in, so readers see either the old graph or the new one.
pub struct MemoryStore {
    state: RwLock<Arc<State>>,
    /// The change log, appended under the write lock (kept apart from the graph:
    /// a snapshot of the graph does not copy it). In memory: it goes with the
    /// process, like the graph.
    log: std::sync::Mutex<Log>,
}

/// The change log, and where each record's entries are in it.
#[derive(Default)]
struct Log {
    entries: Vec<LogEntry>,
    by_record: HashMap<(RecordKind, String), Vec<usize>>,
}

impl MemoryStore {
    /// Builds the store from a validated data set; its records are stamped as
    /// created now by `seed`.
    pub fn new(mut data: Dataset) -> Self {
        let seeded = Meta::next(None, "seed", chrono::Utc::now());
        for a in &mut data.actors {
            a.meta = seeded.clone();
        }
        for r in &mut data.relations {
            r.meta = seeded.clone();
        }
        for s in &mut data.sources {
            s.meta = seeded.clone();
        }
        MemoryStore {
            state: RwLock::new(Arc::new(State::new(data))),
            log: Default::default(),
        }
    }

    /// The current graph (cheap: a shared pointer).
    fn read(&self) -> Arc<State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The graph, for writing: writers wait for each other.
    fn write_lock(&self) -> std::sync::RwLockWriteGuard<'_, Arc<State>> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends the changes of one write to the log, numbered on from the last.
    fn log(&self, changes: &[Change], by: &str, at: chrono::DateTime<chrono::Utc>) {
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for change in changes {
            let seq = log.entries.len() as u64 + 1;
            let entry = LogEntry::of(seq, change, by, at);
            let index = log.entries.len();
            log.by_record
                .entry((entry.kind, entry.id.clone()))
                .or_default()
                .push(index);
            log.entries.push(entry);
        }
    }

    /// How many actors, relations and sources the store holds.
    pub fn counts(&self) -> (usize, usize, usize) {
        let s = self.read();
        (s.actors.len(), s.relations.len(), s.sources.len())
    }
}

impl State {
    fn new(data: Dataset) -> Self {
        let mut incident: HashMap<ActorId, Vec<(RelationId, bool)>> = HashMap::new();
        for r in &data.relations {
            incident
                .entry(r.from.clone())
                .or_default()
                .push((r.id.clone(), true));
            incident
                .entry(r.to.clone())
                .or_default()
                .push((r.id.clone(), false));
        }
        for list in incident.values_mut() {
            list.sort();
        }
        let mut type_counts: HashMap<RelationType, usize> = HashMap::new();
        for r in &data.relations {
            *type_counts.entry(r.kind).or_default() += 1;
        }
        let actors = data
            .actors
            .into_iter()
            .map(|actor| {
                let keys = search::search_keys(&actor);
                (actor.id.clone(), ActorEntry { actor, keys })
            })
            .collect();
        Self {
            actors,
            relations: data
                .relations
                .into_iter()
                .map(|r| (r.id.clone(), r))
                .collect(),
            incident,
            type_counts,
            sources: data
                .sources
                .into_iter()
                .map(|s| (s.id.clone(), s))
                .collect(),
        }
    }

    /// Adds or replaces an actor (its relations stay).
    fn put_actor(&mut self, actor: Actor) {
        let keys = search::search_keys(&actor);
        self.actors
            .insert(actor.id.clone(), ActorEntry { actor, keys });
    }

    fn put_source(&mut self, source: Source) {
        self.sources.insert(source.id.clone(), source);
    }

    /// Adds or replaces a relation, keeping the indexes in step.
    fn put_relation(&mut self, r: Relation) {
        self.remove_relation(&r.id);
        for (actor, is_from) in [(&r.from, true), (&r.to, false)] {
            let list = self.incident.entry(actor.clone()).or_default();
            let entry = (r.id.clone(), is_from);
            let at = list.binary_search(&entry).unwrap_or_else(|at| at);
            list.insert(at, entry);
        }
        *self.type_counts.entry(r.kind).or_default() += 1;
        self.relations.insert(r.id.clone(), r);
    }

    /// Removes a relation and its index entries; returns it.
    fn remove_relation(&mut self, id: &RelationId) -> Option<Relation> {
        let r = self.relations.remove(id)?;
        for actor in [&r.from, &r.to] {
            if let Some(list) = self.incident.get_mut(actor) {
                list.retain(|(rid, _)| rid != id);
            }
        }
        if let Some(n) = self.type_counts.get_mut(&r.kind) {
            *n = n.saturating_sub(1);
        }
        Some(r)
    }

    /// The stored records a write's checks read ([`rules::needs`]).
    fn fetch(&self, needs: &rules::Needs) -> rules::Fetched {
        let mut f = rules::Fetched::default();
        for id in &needs.actors {
            if let Some(e) = self.actors.get(id) {
                f.actors.insert(id.clone(), e.actor.clone());
            }
        }
        for id in &needs.relations {
            if let Some(r) = self.relations.get(id) {
                f.relations.insert(id.clone(), r.clone());
            }
        }
        for id in &needs.sources {
            if let Some(s) = self.sources.get(id) {
                f.sources.insert(id.clone(), s.clone());
            }
        }
        for id in &needs.relations_of {
            let of = self
                .incident
                .get(id)
                .into_iter()
                .flatten()
                .filter_map(|(r, _)| self.relations.get(r).cloned())
                .collect();
            f.relations_of.insert(id.clone(), of);
        }
        f
    }

    /// Carries out one step of a write.
    fn apply(&mut self, step: rules::Step) {
        match step {
            rules::Step::PutActor { actor, .. } => self.put_actor(actor),
            rules::Step::DeleteActor(id) => {
                self.actors.remove(&id);
                self.incident.remove(&id);
            }
            rules::Step::PutRelation { relation, .. } => self.put_relation(relation),
            rules::Step::DeleteRelation(r) => {
                self.remove_relation(&r.id);
            }
            rules::Step::PutSource { source, .. } => self.put_source(source),
        }
    }

    fn relation_page(&self, q: &RelationQuery) -> Page<Relation> {
        let f = &q.filter;
        let Some(actor) = &f.actor else {
            return self.global_relation_page(q);
        };
        let list = self
            .incident
            .get(actor)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let wanted = |is_from: bool| match f.direction {
            Direction::Out => is_from,
            Direction::In => !is_from,
            Direction::Both => true,
        };
        Page::collect(
            list.iter()
                .filter(|(_, is_from)| wanted(*is_from))
                .filter_map(|(id, _)| self.relations.get(id))
                .filter(|r| f.admits(r))
                .map(|r| (r.id.as_str(), r)),
            &q.page,
        )
    }

    /// A page of the whole graph's relations: a range scan from the cursor, with
    /// the total from the per-type counts, so the cost follows the page size.
    fn global_relation_page(&self, q: &RelationQuery) -> Page<Relation> {
        let f = &q.filter;
        if f.as_of.is_some() {
            // The per-type counts do not know dates: count by scanning.
            return Page::collect(
                self.relations
                    .values()
                    .filter(|r| f.admits(r))
                    .map(|r| (r.id.as_str(), r)),
                &q.page,
            );
        }
        let total_count = if f.types.is_empty() {
            self.relations.len()
        } else {
            f.types
                .iter()
                .map(|t| self.type_counts.get(t).copied().unwrap_or(0))
                .sum()
        };
        let start = match q.page.after.as_deref() {
            None => Bound::Unbounded,
            Some(after) => Bound::Excluded(after),
        };
        let mut matching = self
            .relations
            .range::<str, _>((start, Bound::Unbounded))
            .map(|(_, r)| r)
            .filter(|r| f.admits_type(r.kind));
        let items: Vec<Relation> = matching.by_ref().take(q.page.first).cloned().collect();
        let has_next_page = matching.next().is_some();
        Page {
            items,
            has_next_page,
            total_count,
        }
    }
}

#[async_trait]
impl Repository for MemoryStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }

    async fn actors_by_ids(&self, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        let s = self.read();
        Ok(ids
            .iter()
            .filter_map(|id| s.actors.get(id))
            .map(|e| e.actor.clone())
            .collect())
    }

    async fn find_actors(
        &self,
        filter: &ActorFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Actor>> {
        deadline::check()?;
        let s = self.read();
        let query = filter
            .search
            .as_deref()
            .map(search::fold)
            .unwrap_or_default();
        let of_kind =
            |e: &&ActorEntry| filter.kinds.is_empty() || filter.kinds.contains(&e.actor.kind);
        if query.is_empty() {
            return Ok(Page::collect(
                s.actors
                    .values()
                    .filter(of_kind)
                    .map(|e| (e.actor.id.as_str(), &e.actor)),
                page,
            ));
        }
        // Searching: best matches first, then by id (see `search::rank`). Only the
        // page (and one more, to know whether another follows) is kept, in a heap:
        // memory follows the page size, not the number of matches, also when many
        // searches of one request run interleaved. The scan paces itself: it stops
        // at the request's deadline and lets other requests of the worker in.
        let after = page.after.as_deref();
        let keep = page.first + 1;
        let mut best: BinaryHeap<Ranked<'_>> = BinaryHeap::with_capacity(keep.min(1_024));
        let mut total_count = 0;
        let mut step = 0;
        for e in s.actors.values().filter(of_kind) {
            deadline::pace(&mut step).await?;
            let Some(r) = search::rank(&e.keys, &query) else {
                continue;
            };
            total_count += 1;
            let key = search::sort_key(r, e.actor.id.as_str());
            if after.is_some_and(|a| key.as_str() <= a) {
                continue;
            }
            if best.len() < keep {
                best.push(Ranked(key, &e.actor));
            } else if best.peek().is_some_and(|worst| key < worst.0) {
                best.pop();
                best.push(Ranked(key, &e.actor));
            }
        }
        let mut kept = best.into_sorted_vec();
        let has_next_page = kept.len() > page.first;
        kept.truncate(page.first);
        Ok(Page {
            items: kept.into_iter().map(|r| r.1.clone()).collect(),
            has_next_page,
            total_count,
        })
    }

    async fn relations_by_ids(&self, ids: &[RelationId]) -> StoreResult<Vec<Relation>> {
        let s = self.read();
        Ok(ids
            .iter()
            .filter_map(|id| s.relations.get(id))
            .cloned()
            .collect())
    }

    async fn find_relations(&self, queries: &[RelationQuery]) -> StoreResult<Vec<Page<Relation>>> {
        let s = self.read();
        let mut pages = Vec::with_capacity(queries.len());
        for q in queries {
            // One page costs its size, or a scan for date filters over the whole graph.
            deadline::check()?;
            pages.push(s.relation_page(q));
        }
        Ok(pages)
    }

    async fn sources_by_ids(&self, ids: &[SourceId]) -> StoreResult<Vec<Source>> {
        let s = self.read();
        Ok(ids
            .iter()
            .filter_map(|id| s.sources.get(id))
            .cloned()
            .collect())
    }

    async fn all_sources(&self) -> StoreResult<Vec<Source>> {
        let s = self.read();
        Ok(s.sources.values().cloned().collect())
    }

    async fn import(&self, data: &Dataset, by: &str) -> StoreResult<Imported> {
        let mut guard = self.write_lock();
        let current = &**guard;
        let at = chrono::Utc::now();
        let plan = rules::plan_import(
            data,
            |id| current.sources.get(id),
            |id| current.actors.get(id).map(|e| &e.actor),
            |id| current.relations.get(id),
            by,
            at,
        );
        if !plan.changes.is_empty() {
            // Readers holding the current graph keep it (copy on write); new readers
            // wait for the lock and see the whole import.
            let state = Arc::make_mut(&mut guard);
            plan.sources.into_iter().for_each(|x| state.put_source(x));
            plan.actors.into_iter().for_each(|x| state.put_actor(x));
            plan.relations
                .into_iter()
                .for_each(|x| state.put_relation(x));
        }
        Ok(Imported {
            report: plan.report,
            changes: plan.changes,
        })
    }

    /// Under the write lock: read what the checks need, let the shared rules
    /// decide ([`rules::decide`]), carry out the steps on a copy of the graph that
    /// readers see once it is whole.
    async fn write(&self, write: Write, by: &str) -> Result<Vec<Change>, WriteError> {
        let mut guard = self.write_lock();
        let fetched = guard.fetch(&rules::needs(&write));
        let at = chrono::Utc::now();
        // A refused write returns here, before the graph is copied or changed.
        let plan = rules::decide(write, &fetched, by, at)?;
        let state = Arc::make_mut(&mut guard);
        for step in plan.steps {
            state.apply(step);
        }
        self.log(&plan.changes, by, at);
        Ok(plan.changes)
    }

    async fn timeline(
        &self,
        filter: &super::RelationFilter,
        limit: usize,
    ) -> StoreResult<Vec<Relation>> {
        deadline::check()?;
        let s = self.read();
        let candidates: Box<dyn Iterator<Item = &Relation>> = match &filter.actor {
            Some(actor) => Box::new(
                s.incident
                    .get(actor)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|(id, _)| s.relations.get(id)),
            ),
            None => Box::new(s.relations.values()),
        };
        let mut dated: Vec<&Relation> = candidates
            .filter(|r| filter.admits(r) && r.timeline_date().is_some())
            .collect();
        deadline::check()?;
        dated.sort_by(|a, b| a.timeline_key().cmp(&b.timeline_key()));
        Ok(dated.into_iter().take(limit).cloned().collect())
    }

    async fn changes(&self, query: &ChangeQuery) -> StoreResult<Page<LogEntry>> {
        deadline::check()?;
        let log = self
            .log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Entry n sits at index n - 1: start right after `after`.
        let start = usize::try_from(query.after)
            .unwrap_or(usize::MAX)
            .min(log.entries.len());
        let mut matching = log.entries[start..].iter().filter(|e| query.admits(e));
        let items: Vec<LogEntry> = matching.by_ref().take(query.first).cloned().collect();
        let has_next_page = matching.next().is_some();
        Ok(Page {
            items,
            has_next_page,
            total_count: 0,
        })
    }

    async fn histories(&self, records: &[(RecordKind, String)]) -> StoreResult<Vec<Vec<LogEntry>>> {
        deadline::check()?;
        let log = self
            .log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Ok(records
            .iter()
            .map(|key| {
                let at = log
                    .by_record
                    .get(key)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                at[at.len().saturating_sub(super::HISTORY_MAX)..]
                    .iter()
                    .map(|&i| log.entries[i].clone())
                    .collect()
            })
            .collect())
    }

    async fn stats(&self) -> StoreResult<Stats> {
        deadline::check()?;
        let s = self.read();
        let mut by_kind: HashMap<crate::domain::ActorKind, usize> = HashMap::new();
        for e in s.actors.values() {
            *by_kind.entry(e.actor.kind).or_default() += 1;
        }
        Ok(Stats::from_counts(
            by_kind,
            s.type_counts.clone(),
            s.sources.len(),
        ))
    }
}
