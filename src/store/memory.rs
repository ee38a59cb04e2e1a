//! The embedded store: the whole graph in memory, loaded from a validated data set.
//! It is the default when no database is configured, so `cargo run` serves a
//! working API on a fresh machine.

use std::collections::{BinaryHeap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, RwLock};

use async_trait::async_trait;
use imbl::{OrdMap, OrdSet};

use super::journal::{Journal, JournalError};
use super::names::NameIndex;
use super::{
    rules, ActorFilter, ActorSortBy, Change, ChangeKind, ChangeQuery, Imported, ListOrder,
    LogEntry, Page, PageRequest, Record, RecordKind, RelationFilter, RelationQuery, Repository,
    SortBy, SortKey, SourceQuery, Stats, StoreError, StoreResult, Write, WriteError,
};
use crate::deadline;
use crate::domain::aggregate::{Aggregate, Group};
use crate::domain::filter::RelationCount;
use crate::domain::{
    search, text, Actor, ActorId, Claim, ClaimId, Dataset, Meta, Relation, RelationId,
    RelationType, Source, SourceId,
};

/// A search match by its sort key (`search::sort_key`), for the heap of the best.
/// A search match: its rank, its id, the actor. Ordered as its `rank:id` cursor
/// key ([`search::sort_key`]) is, without making the key's string.
struct Ranked<'a>(u8, &'a str, &'a Actor);

impl PartialEq for Ranked<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self.0, self.1) == (other.0, other.1)
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
        (self.0, self.1).cmp(&(other.0, other.1))
    }
}

struct ActorEntry {
    actor: Actor,
    /// Folded names and aliases, computed once at load.
    keys: Vec<String>,
}

/// The graph and the indexes the repository's reads need, in persistent maps:
/// a clone shares everything with the original, and a write to the clone copies
/// only the paths it touches, so a write never copies the graph.
#[derive(Clone, Default)]
struct State {
    actors: OrdMap<ActorId, Arc<ActorEntry>>,
    relations: OrdMap<RelationId, Arc<Relation>>,
    /// For each actor, its relations as (relation id, whether the actor is `from`),
    /// in relation id order.
    incident: imbl::HashMap<ActorId, OrdSet<(RelationId, bool)>>,
    /// Relations per type, so whole-graph lists know their total without a scan.
    type_counts: HashMap<RelationType, usize>,
    sources: OrdMap<SourceId, Arc<Source>>,
    /// Each source's folded text ([`text::search_text`]), what a search reads.
    folded: OrdMap<SourceId, Arc<str>>,
    /// For each source, the relations with evidence from it.
    citing: imbl::HashMap<SourceId, OrdSet<RelationId>>,
    /// Intake's candidate claims.
    claims: OrdMap<ClaimId, Arc<Claim>>,
    /// The ids of merged actors, each with the actor it was merged into.
    merged: imbl::HashMap<ActorId, ActorId>,
}

/// The embedded store: the graph in memory for reads, its records and change log
/// in a [`Journal`] (files in a data directory, or memory for an ephemeral
/// store). A write is decided on the current graph, committed to the journal (on
/// disk before it is answered), then published as the next graph; readers keep
/// the graph they started with.
pub struct MemoryStore {
    inner: Arc<Inner>,
}

struct Inner {
    state: RwLock<Arc<State>>,
    /// Where names are (kept in step with the graph by the writer).
    names: NameIndex,
    /// Held by the one write running (writes are decided, committed and
    /// published one at a time).
    writer: Mutex<()>,
    journal: Journal,
}

/// Why a store could not be opened on its data directory.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("the seed data set: {0}")]
    Seed(String),
}

impl MemoryStore {
    /// An ephemeral store holding a validated data set; its records are stamped
    /// as created now by `seed` (not logged: it is where the store starts).
    pub fn new(data: Dataset) -> Self {
        let seeded = Meta::next(None, "seed", chrono::Utc::now());
        let mut data = data;
        for a in &mut data.actors {
            a.meta = seeded.clone();
        }
        for r in &mut data.relations {
            r.meta = seeded.clone();
        }
        for s in &mut data.sources {
            s.meta = seeded.clone();
        }
        Self::with_journal(
            State::new(data.actors, data.relations, data.sources),
            Journal::ephemeral(),
        )
    }

    fn with_journal(state: State, journal: Journal) -> Self {
        let names = NameIndex::build(
            state
                .actors
                .values()
                .map(|e| (&e.actor.id, e.keys.as_slice())),
        );
        MemoryStore {
            inner: Arc::new(Inner {
                names,
                state: RwLock::new(Arc::new(state)),
                writer: Mutex::new(()),
                journal,
            }),
        }
    }

    /// The durable store in `dir`: the graph its files hold, or, in a new (empty)
    /// directory, the data set `seed` gives, imported by `seed` like any other
    /// write (logged). Only one process may open a directory.
    pub fn open(
        dir: &std::path::Path,
        seed: impl FnOnce() -> Result<Dataset, String>,
    ) -> Result<(Self, Opened), OpenError> {
        let journal = Journal::open(dir)?;
        if journal.is_empty()? {
            let data = seed().map_err(OpenError::Seed)?;
            let store = Self::with_journal(State::default(), journal);
            store.inner.import(&data, "seed")?;
            return Ok((store, Opened::Seeded));
        }
        let loaded = journal.load()?;
        let mut state = State::new(loaded.actors, loaded.relations, loaded.sources);
        state.claims = loaded
            .claims
            .into_iter()
            .map(|c| (c.id.clone(), Arc::new(c)))
            .collect();
        Ok((Self::with_journal(state, journal), Opened::Loaded))
    }

    /// The current graph (cheap: a shared pointer).
    fn read(&self) -> Arc<State> {
        self.inner.read()
    }

    /// How many actors, relations and sources the store holds.
    pub fn counts(&self) -> (usize, usize, usize) {
        let s = self.read();
        (s.actors.len(), s.relations.len(), s.sources.len())
    }

    /// Imports a data set on the calling thread (for commands, outside a server).
    pub fn import_now(&self, data: &Dataset, by: &str) -> Result<Imported, JournalError> {
        self.inner.import(data, by)
    }

    /// The bytes the store's file holds (records, log, indexes, metadata).
    pub fn stored_bytes(&self) -> Result<u64, JournalError> {
        self.inner.journal.stored_bytes()
    }

    /// Where the store's files are (None: ephemeral).
    pub fn data_file(&self) -> Option<&std::path::Path> {
        self.inner.journal.path()
    }

    /// Runs `f` on the store's writer off the async worker (a commit waits for
    /// the disk); it runs to its end even if the caller stops waiting, so a
    /// write is never half published.
    async fn on_writer<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Inner) -> T + Send + 'static,
    ) -> StoreResult<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&inner))
            .await
            .map_err(|e| StoreError::Unavailable {
                backend: "memory",
                source: anyhow::anyhow!("the write stopped: {e}"),
            })
    }
}

/// What opening a data directory found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// The directory was new: the seed was imported.
    Seeded,
    /// The graph was loaded from the directory.
    Loaded,
}

impl Inner {
    fn read(&self) -> Arc<State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn lock_writer(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn publish(&self, next: State) {
        *self
            .state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(next);
    }

    /// Commits `changes` to the journal, indexes the names they bring, then
    /// publishes `next`.
    fn commit(
        &self,
        next: State,
        changes: &[Change],
        by: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), JournalError> {
        self.journal.commit(changes, by, at)?;
        for c in changes {
            match (&c.record, c.kind) {
                (Record::Actor(a), ChangeKind::Created | ChangeKind::Updated) => {
                    if let Some(e) = next.actors.get(&a.id) {
                        self.names.add(&a.id, &e.keys);
                    }
                }
                (Record::Actor(a), ChangeKind::Deleted) => self.names.forget(&a.id),
                _ => {}
            }
        }
        self.publish(next);
        Ok(())
    }

    fn import(&self, data: &Dataset, by: &str) -> Result<Imported, JournalError> {
        let _writer = self.lock_writer();
        let current = self.read();
        let at = chrono::Utc::now();
        let plan = rules::plan_import(
            data,
            |id| current.sources.get(id).map(|s| &**s),
            |id| current.actors.get(id).map(|e| &e.actor),
            |id| current.relations.get(id).map(|r| &**r),
            by,
            at,
        );
        if !plan.changes.is_empty() {
            let mut next = (*current).clone();
            plan.sources.into_iter().for_each(|x| next.put_source(x));
            plan.actors.into_iter().for_each(|x| next.put_actor(x));
            plan.relations
                .into_iter()
                .for_each(|x| next.put_relation(x));
            self.commit(next, &plan.changes, by, at)?;
        }
        Ok(Imported {
            report: plan.report,
            changes: plan.changes,
        })
    }

    /// Under the writer: read what the checks need, let the shared rules decide
    /// ([`rules::decide`]), carry out the steps on the next graph, commit, publish.
    fn write(&self, write: Write, by: &str) -> Result<Vec<Change>, WriteError> {
        let _writer = self.lock_writer();
        let current = self.read();
        let fetched = current.fetch(&rules::needs(&write));
        let at = chrono::Utc::now();
        let plan = rules::decide(write, &fetched, by, at)?;
        let mut next = (*current).clone();
        for step in plan.steps {
            next.apply(step);
        }
        self.commit(next, &plan.changes, by, at)
            .map_err(|e| WriteError::Store(e.into()))?;
        Ok(plan.changes)
    }
}

impl State {
    fn new(actors: Vec<Actor>, relations: Vec<Relation>, sources: Vec<Source>) -> Self {
        let merged: imbl::HashMap<ActorId, ActorId> = actors
            .iter()
            .flat_map(|a| a.merged_ids.iter().map(|m| (m.clone(), a.id.clone())))
            .collect();
        let mut incident: std::collections::HashMap<ActorId, Vec<(RelationId, bool)>> =
            std::collections::HashMap::new();
        let mut type_counts: HashMap<RelationType, usize> = HashMap::new();
        let mut citing: std::collections::HashMap<SourceId, OrdSet<RelationId>> =
            std::collections::HashMap::new();
        for r in &relations {
            for e in &r.evidence {
                citing
                    .entry(e.source.clone())
                    .or_default()
                    .insert(r.id.clone());
            }
            incident
                .entry(r.from.clone())
                .or_default()
                .push((r.id.clone(), true));
            incident
                .entry(r.to.clone())
                .or_default()
                .push((r.id.clone(), false));
            *type_counts.entry(r.kind).or_default() += 1;
        }
        Self {
            actors: actors
                .into_iter()
                .map(|actor| {
                    let keys = search::search_keys(&actor);
                    (actor.id.clone(), Arc::new(ActorEntry { actor, keys }))
                })
                .collect(),
            relations: relations
                .into_iter()
                .map(|r| (r.id.clone(), Arc::new(r)))
                .collect(),
            incident: incident
                .into_iter()
                .map(|(id, list)| (id, list.into_iter().collect()))
                .collect(),
            type_counts,
            folded: sources
                .iter()
                .map(|s| (s.id.clone(), Arc::from(text::search_text(&s.text))))
                .collect(),
            sources: sources
                .into_iter()
                .map(|s| (s.id.clone(), Arc::new(s)))
                .collect(),
            citing: citing.into_iter().collect(),
            claims: OrdMap::new(),
            merged,
        }
    }

    /// Adds or replaces an actor (its relations stay).
    fn put_actor(&mut self, actor: Actor) {
        if let Some(old) = self.actors.get(&actor.id) {
            for m in &old.actor.merged_ids {
                self.merged.remove(m);
            }
        }
        for m in &actor.merged_ids {
            self.merged.insert(m.clone(), actor.id.clone());
        }
        let keys = search::search_keys(&actor);
        self.actors
            .insert(actor.id.clone(), Arc::new(ActorEntry { actor, keys }));
    }

    /// The actor with this id, or the one it was merged into.
    fn actor_or_keeper(&self, id: &ActorId) -> Option<&Arc<ActorEntry>> {
        self.actors
            .get(id)
            .or_else(|| self.merged.get(id).and_then(|k| self.actors.get(k)))
    }

    fn put_source(&mut self, source: Source) {
        let folded = text::search_text(&source.text);
        self.folded.insert(source.id.clone(), Arc::from(folded));
        self.sources.insert(source.id.clone(), Arc::new(source));
    }

    /// Adds or replaces a relation, keeping the indexes in step.
    fn put_relation(&mut self, r: Relation) {
        self.remove_relation(&r.id);
        for (actor, is_from) in [(&r.from, true), (&r.to, false)] {
            self.incident
                .entry(actor.clone())
                .or_default()
                .insert((r.id.clone(), is_from));
        }
        *self.type_counts.entry(r.kind).or_default() += 1;
        for e in &r.evidence {
            self.citing
                .entry(e.source.clone())
                .or_default()
                .insert(r.id.clone());
        }
        self.relations.insert(r.id.clone(), Arc::new(r));
    }

    /// Removes a relation and its index entries; returns it.
    fn remove_relation(&mut self, id: &RelationId) -> Option<Arc<Relation>> {
        let r = self.relations.remove(id)?;
        for (actor, is_from) in [(&r.from, true), (&r.to, false)] {
            if let Some(list) = self.incident.get_mut(actor) {
                list.remove(&(id.clone(), is_from));
            }
        }
        if let Some(n) = self.type_counts.get_mut(&r.kind) {
            *n = n.saturating_sub(1);
        }
        for e in &r.evidence {
            if let Some(list) = self.citing.get_mut(&e.source) {
                list.remove(id);
            }
        }
        Some(r)
    }

    /// The stored records a write's checks read ([`rules::needs`]).
    fn fetch(&self, needs: &rules::Needs) -> rules::Fetched {
        let mut f = rules::Fetched::default();
        for id in &needs.actors {
            if let Some(e) = self.actor_or_keeper(id) {
                f.actors.insert(id.clone(), e.actor.clone());
            }
        }
        for id in &needs.relations {
            if let Some(r) = self.relations.get(id) {
                f.relations.insert(id.clone(), (**r).clone());
            }
        }
        for id in &needs.sources {
            if let Some(s) = self.sources.get(id) {
                f.sources.insert(id.clone(), (**s).clone());
            }
        }
        for id in &needs.relations_of {
            let of = self
                .incident
                .get(id)
                .into_iter()
                .flatten()
                .filter_map(|(r, _)| self.relations.get(r).map(|r| (**r).clone()))
                .collect();
            f.relations_of.insert(id.clone(), of);
        }
        for id in &needs.claims {
            if let Some(c) = self.claims.get(id) {
                f.claims.insert(id.clone(), (**c).clone());
            }
        }
        f
    }

    /// Carries out one step of a write.
    fn apply(&mut self, step: rules::Step) {
        match step {
            rules::Step::PutActor { actor, .. } => self.put_actor(actor),
            rules::Step::DeleteActor(id) => {
                if let Some(old) = self.actors.remove(&id) {
                    for m in &old.actor.merged_ids {
                        self.merged.remove(m);
                    }
                }
                self.incident.remove(&id);
            }
            rules::Step::PutRelation { relation, .. } => self.put_relation(relation),
            rules::Step::DeleteRelation(r) => {
                self.remove_relation(&r.id);
            }
            rules::Step::PutSource { source, .. } => self.put_source(source),
            rules::Step::PutClaim { claim, .. } => {
                self.claims.insert(claim.id.clone(), Arc::new(claim));
            }
        }
    }

    /// The relations with evidence from a source, in id order.
    fn citing(&self, source: &SourceId) -> impl Iterator<Item = &Arc<Relation>> {
        self.citing
            .get(source)
            .into_iter()
            .flatten()
            .filter_map(|id| self.relations.get(id))
    }

    fn relation_page(&self, q: &RelationQuery) -> Page<Relation> {
        let f = &q.filter;
        if let Some(source) = &f.source {
            let admitted = self.citing(source).filter(|r| f.admits(r));
            return if q.by_id_forward() {
                Page::collect(admitted.map(|r| (r.id.as_str(), &**r)), &q.page)
            } else {
                ordered_page(admitted.map(|r| &**r), q, None)
            };
        }
        let Some(actor) = &f.actor else {
            // The id order either way is a range of the ids; another, a scan.
            return if q.order.by == SortBy::Id {
                self.global_relation_page(q)
            } else {
                let total_count = self.global_total(q);
                let admitted = self.relations.values().filter(|r| f.admits(r));
                ordered_page(admitted.map(|r| &**r), q, Some(total_count))
            };
        };
        if !q.by_id_forward() {
            let admitted = self
                .incident
                .get(actor)
                .into_iter()
                .flatten()
                .filter(|(_, is_from)| f.direction.follows(*is_from))
                .filter_map(|(id, _)| self.relations.get(id))
                .filter(|r| f.admits(r));
            return ordered_page(admitted.map(|r| &**r), q, None);
        }
        Page::collect(
            self.incident
                .get(actor)
                .into_iter()
                .flatten()
                .filter(|(_, is_from)| f.direction.follows(*is_from))
                .filter_map(|(id, _)| self.relations.get(id))
                .filter(|r| f.admits(r))
                .map(|r| (r.id.as_str(), &**r)),
            &q.page,
        )
    }

    /// The aggregate of the relations `f` admits: an actor's from its incident
    /// list, the whole graph's by a scan (checking the deadline as it goes).
    fn aggregate(&self, f: &RelationFilter) -> StoreResult<Aggregate> {
        if let Some(source) = &f.source {
            let mut aggregate = Aggregate::new(false);
            for r in self.citing(source).filter(|r| f.admits(r)) {
                aggregate.add(Group::of(r, None));
            }
            return Ok(aggregate);
        }
        let Some(actor) = &f.actor else {
            let mut aggregate = Aggregate::new(false);
            for (i, r) in self.relations.values().enumerate() {
                if i % 4096 == 0 {
                    deadline::check()?;
                }
                if f.admits(r) {
                    aggregate.add(Group::of(r, None));
                }
            }
            return Ok(aggregate);
        };
        let mut aggregate = Aggregate::new(true);
        for (id, is_from) in self.incident.get(actor).into_iter().flatten() {
            let Some(r) = self.relations.get(id) else {
                continue;
            };
            if f.direction.follows(*is_from) && f.admits(r) {
                let other = if *is_from { &r.to } else { &r.from };
                let kind = self.actors.get(other).map(|e| e.actor.kind);
                aggregate.add(Group::of(r, kind));
            }
        }
        Ok(aggregate)
    }

    /// Whether the actor has the numbers of relations that `counts` ask for. The
    /// actor's incident list says each relation's direction: a count of all types
    /// reads only that list, one of some types reads the relations too.
    fn has_relation_counts(&self, actor: &ActorId, counts: &[RelationCount]) -> bool {
        let incident = self.incident.get(actor);
        counts.iter().all(|c| {
            let entries = incident.into_iter().flatten();
            let n = if c.types.is_empty() {
                entries
                    .filter(|(_, is_from)| c.direction.follows(*is_from))
                    .count()
            } else {
                entries
                    .filter_map(|(id, _)| self.relations.get(id))
                    .filter(|r| c.counts(actor, r))
                    .count()
            };
            c.admits(n)
        })
    }

    /// The total of a whole-graph list, when wanted: from the per-type counts, or,
    /// with a date filter or a condition, which they do not know, by a scan.
    fn global_total(&self, q: &RelationQuery) -> usize {
        let f = &q.filter;
        if !q.total {
            0
        } else if !f.counts_by_type() {
            self.relations.values().filter(|r| f.admits(r)).count()
        } else if f.types.is_empty() {
            self.relations.len()
        } else {
            f.types
                .iter()
                .map(|t| self.type_counts.get(t).copied().unwrap_or(0))
                .sum()
        }
    }

    /// A page of the whole graph's relations in id order, either way: a range scan
    /// from the cursor, so the cost follows the page size; the total (when wanted)
    /// from the per-type counts, or, with a date filter or a condition, which they
    /// do not know, by a scan.
    fn global_relation_page(&self, q: &RelationQuery) -> Page<Relation> {
        let f = &q.filter;
        let total_count = self.global_total(q);
        let cursor = match q.page.after.as_deref() {
            None => Bound::Unbounded,
            Some(after) => Bound::Excluded(after),
        };
        // The id order read descending (`DESC`, or `last`) walks the ids down.
        let ids: Box<dyn Iterator<Item = (&RelationId, &Arc<Relation>)>> =
            if q.order.key_descending() {
                Box::new(
                    self.relations
                        .range::<_, str>((Bound::Unbounded, cursor))
                        .rev(),
                )
            } else {
                Box::new(self.relations.range::<_, str>((cursor, Bound::Unbounded)))
            };
        let mut matching = ids.map(|(_, r)| r).filter(|r| f.admits(r));
        let items: Vec<Relation> = matching
            .by_ref()
            .take(q.page.first)
            .map(|r| (**r).clone())
            .collect();
        let has_next_page = matching.next().is_some();
        Page {
            keys: Vec::new(),
            items,
            has_next_page,
            total_count,
        }
    }
}

/// A copy of a source without its text.
fn without_text(s: &Source) -> Source {
    Source {
        id: s.id.clone(),
        title: s.title.clone(),
        publisher: s.publisher.clone(),
        language: s.language.clone(),
        published_at: s.published_at.clone(),
        url: s.url.clone(),
        note: s.note.clone(),
        text: String::new(),
        meta: s.meta.clone(),
    }
}

/// A page of a list in another order than by id forward: the relations after the
/// cursor, the page's worth of the first of them in the reading, sorted. `total`
/// is the list's total when known; else it is counted here.
fn ordered_page<'a>(
    admitted: impl Iterator<Item = &'a Relation>,
    q: &RelationQuery,
    total: Option<usize>,
) -> Page<Relation> {
    let order = &q.order;
    let after = q
        .page
        .after
        .as_deref()
        .map(|a| order.cursor(a, order.by == SortBy::Id));
    let keyed = admitted.map(|r| (order.by.key(r), r.id.as_str(), r));
    let (page, count) = first_after(keyed, order, after, q.page.first);
    Page {
        keys: Vec::new(),
        total_count: total.unwrap_or(count),
        ..page
    }
}

/// The first `first` of `items` (each with its sort key and id) after the cursor
/// in the reading of `order`, and how many items there were: a partial sort
/// (linear in the items, not n log n), then the page sorted. The page keeps the
/// items' keys.
fn first_after<'a, T: Clone + 'a, B>(
    items: impl Iterator<Item = (Option<SortKey>, &'a str, &'a T)>,
    order: &ListOrder<B>,
    after: Option<(Option<SortKey>, &str)>,
    first: usize,
) -> (Page<T>, usize) {
    let mut count = 0;
    let mut keyed: Vec<(Option<SortKey>, &str, &T)> = items
        .inspect(|_| count += 1)
        .filter(|(key, id, _)| {
            after.as_ref().is_none_or(|(after_key, after_id)| {
                order
                    .compare((key.as_ref(), id), (after_key.as_ref(), after_id))
                    .is_gt()
            })
        })
        .collect();
    let cmp = |a: &(Option<SortKey>, &str, &T), b: &(Option<SortKey>, &str, &T)| {
        order.compare((a.0.as_ref(), a.1), (b.0.as_ref(), b.1))
    };
    let wanted = first + 1;
    if keyed.len() > wanted {
        keyed.select_nth_unstable_by(wanted - 1, cmp);
        keyed.truncate(wanted);
    }
    keyed.sort_unstable_by(cmp);
    let has_next_page = keyed.len() > first;
    keyed.truncate(first);
    let (keys, items) = keyed.into_iter().map(|(k, _, t)| (k, t.clone())).unzip();
    (
        Page {
            items,
            has_next_page,
            total_count: count,
            keys,
        },
        count,
    )
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
        let mut out: Vec<Actor> = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(e) = s.actor_or_keeper(id) {
                if !out.iter().any(|a| a.id == e.actor.id) {
                    out.push(e.actor.clone());
                }
            }
        }
        Ok(out)
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
        let of_kind = |e: &&Arc<ActorEntry>| {
            (filter.kinds.is_empty() || filter.kinds.contains(&e.actor.kind))
                && s.has_relation_counts(&e.actor.id, &filter.relations)
        };
        if query.is_empty() && !filter.order.by_id_forward() {
            // Another order: every actor that passes, keyed, then the page.
            let order = &filter.order;
            let after = page
                .after
                .as_deref()
                .map(|a| order.cursor(a, order.by == ActorSortBy::Id));
            let key = |e: &ActorEntry| match order.by {
                ActorSortBy::Relations => Some(SortKey::Number(
                    (s.incident.get(&e.actor.id).map_or(0, |r| r.len()) as f64).into(),
                )),
                by => by.record_key(&e.actor),
            };
            let keyed = s
                .actors
                .values()
                .filter(of_kind)
                .map(|e| (key(e), e.actor.id.as_str(), &e.actor));
            return Ok(first_after(keyed, order, after, page.first).0);
        }
        if query.is_empty() {
            return Ok(Page::collect(
                s.actors
                    .values()
                    .filter(of_kind)
                    .map(|e| (e.actor.id.as_str(), &e.actor)),
                page,
            ));
        }
        // Searching: best matches first, then by id (see `search::rank`). The
        // name index gives the candidates (all actors for a one-character query),
        // each checked against this graph. Only the page (and one more, to know
        // whether another follows) is kept, in a heap: memory follows the page
        // size, not the number of matches, also when many searches of one request
        // run interleaved. The loop paces itself: it stops at the request's
        // deadline and lets other requests of the worker in.
        // With the candidates of a forgiving search (names with a mistake or
        // two), which rank after every name that holds the query; only those
        // are measured against it, as on every store.
        let near: std::collections::HashSet<ActorId> = if filter.exact {
            Default::default()
        } else {
            self.inner
                .names
                .fuzzy_candidates(&query, |id, gram| {
                    s.actors
                        .get(id)
                        .is_some_and(|e| e.keys.iter().any(|k| k.contains(gram)))
                })
                .into_iter()
                .collect()
        };
        let candidates = self.inner.names.candidates(&query).map(|mut ids| {
            ids.extend(near.iter().cloned());
            ids.sort_unstable();
            ids.dedup();
            ids
        });
        let entries: Box<dyn Iterator<Item = &Arc<ActorEntry>> + Send> = match &candidates {
            Some(ids) => Box::new(ids.iter().filter_map(|id| s.actors.get(id))),
            None => Box::new(s.actors.values()),
        };
        // The cursor `rank:id`, read as the Neo4j store reads it.
        let after: Option<(u8, &str)> = page.after.as_deref().map(|a| match a.split_once(':') {
            Some((rank, id)) => (rank.parse().unwrap_or(0), id),
            None => (0, a),
        });
        let keep = page.first + 1;
        let mut best: BinaryHeap<Ranked<'_>> = BinaryHeap::with_capacity(keep.min(1_024));
        let mut total_count = 0;
        let mut step = 0;
        for e in entries.filter(of_kind) {
            deadline::pace(&mut step).await?;
            let rank = search::rank(&e.keys, &query).or_else(|| {
                near.contains(&e.actor.id)
                    .then(|| search::fuzzy_rank(&e.keys, &query))
                    .flatten()
            });
            let Some(r) = rank else {
                continue;
            };
            total_count += 1;
            let ranked = Ranked(r, e.actor.id.as_str(), &e.actor);
            if after.is_some_and(|a| (ranked.0, ranked.1) <= a) {
                continue;
            }
            if best.len() < keep {
                best.push(ranked);
            } else if best.peek().is_some_and(|worst| ranked < *worst) {
                best.pop();
                best.push(ranked);
            }
        }
        let mut kept = best.into_sorted_vec();
        let has_next_page = kept.len() > page.first;
        kept.truncate(page.first);
        Ok(Page {
            keys: Vec::new(),
            items: kept.into_iter().map(|r| r.2.clone()).collect(),
            has_next_page,
            total_count,
        })
    }

    async fn relations_by_ids(&self, ids: &[RelationId]) -> StoreResult<Vec<Relation>> {
        let s = self.read();
        Ok(ids
            .iter()
            .filter_map(|id| s.relations.get(id))
            .map(|r| (**r).clone())
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

    async fn aggregate_relations(&self, filters: &[RelationFilter]) -> StoreResult<Vec<Aggregate>> {
        let s = self.read();
        filters.iter().map(|f| s.aggregate(f)).collect()
    }

    async fn actors_named(&self, keys: &[String]) -> StoreResult<Vec<Actor>> {
        // One pass over the actors' folded keys: an editor's intake reads a text
        // once, and a scan of a million actors takes tens of milliseconds.
        let wanted: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
        let s = self.read();
        let mut out = Vec::new();
        for (n, e) in s.actors.values().enumerate() {
            if n % 4096 == 0 {
                deadline::check()?;
            }
            if e.keys.iter().any(|k| wanted.contains(k.as_str())) {
                out.push(e.actor.clone());
            }
        }
        Ok(out)
    }

    async fn claims_by_ids(&self, ids: &[ClaimId]) -> StoreResult<Vec<Claim>> {
        let s = self.read();
        Ok(ids
            .iter()
            .filter_map(|id| s.claims.get(id))
            .map(|c| (**c).clone())
            .collect())
    }

    async fn find_claims(&self, query: &super::ClaimQuery) -> StoreResult<Page<Claim>> {
        deadline::check()?;
        let s = self.read();
        let all = s
            .claims
            .iter()
            .filter(|(_, c)| query.admits(c))
            .map(|(id, c)| (id.as_str(), &**c));
        Ok(Page::collect(all, &query.page))
    }

    async fn sources_by_ids(&self, ids: &[SourceId]) -> StoreResult<Vec<Source>> {
        let s = self.read();
        Ok(ids
            .iter()
            .filter_map(|id| s.sources.get(id))
            .map(|x| (**x).clone())
            .collect())
    }

    async fn find_sources(&self, query: &SourceQuery) -> StoreResult<Page<Source>> {
        let s = self.read();
        let mut total_count = 0;
        let mut items = Vec::new();
        let mut has_next_page = false;
        for (i, (id, folded)) in s.folded.iter().enumerate() {
            if i % 256 == 0 {
                deadline::check()?;
            }
            if !folded.contains(query.search.as_str()) {
                continue;
            }
            total_count += 1;
            if query
                .page
                .after
                .as_deref()
                .is_some_and(|a| id.as_str() <= a)
            {
                continue;
            }
            if items.len() == query.page.first {
                has_next_page = true;
                continue;
            }
            if let Some(source) = s.sources.get(id) {
                items.push(if query.text {
                    (**source).clone()
                } else {
                    without_text(source)
                });
            }
        }
        Ok(Page {
            items,
            has_next_page,
            total_count,
            keys: Vec::new(),
        })
    }

    async fn all_sources(&self) -> StoreResult<Vec<Source>> {
        let s = self.read();
        Ok(s.sources.values().map(|x| (**x).clone()).collect())
    }

    async fn import(&self, data: &Dataset, by: &str) -> StoreResult<Imported> {
        let data = data.clone();
        let by = by.to_string();
        self.on_writer(move |inner| inner.import(&data, &by))
            .await?
            .map_err(StoreError::from)
    }

    async fn write(&self, write: Write, by: &str) -> Result<Vec<Change>, WriteError> {
        let by = by.to_string();
        self.on_writer(move |inner| inner.write(write, &by)).await?
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
                    .into_iter()
                    .flatten()
                    .filter_map(|(id, _)| s.relations.get(id).map(|r| &**r)),
            ),
            None => Box::new(s.relations.values().map(|r| &**r)),
        };
        let mut dated: Vec<&Relation> = candidates
            .filter(|r| filter.admits(r) && r.timeline_date().is_some())
            .collect();
        deadline::check()?;
        dated.sort_by(|a, b| a.timeline_key().cmp(&b.timeline_key()));
        Ok(dated.into_iter().take(limit).cloned().collect())
    }

    async fn last_change(&self) -> StoreResult<u64> {
        self.inner.journal.last_seq().map_err(StoreError::from)
    }

    async fn changes(&self, query: &ChangeQuery) -> StoreResult<Page<LogEntry>> {
        deadline::check()?;
        self.inner.journal.changes(query)
    }

    async fn histories(&self, records: &[(RecordKind, String)]) -> StoreResult<Vec<Vec<LogEntry>>> {
        deadline::check()?;
        self.inner.journal.histories(records, super::HISTORY_MAX)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What a scan of every actor answers: (total, ids of the first page).
    fn scanned(store: &MemoryStore, query: &str, first: usize) -> (usize, Vec<String>) {
        let s = store.read();
        let q = search::fold(query);
        // The forgiving search's rule, read plainly: a bigram or trigram of the query that
        // at most MAX_FUZZY_POSTINGS actors hold leads to the names a mistake or
        // two away.
        let usable: Vec<String> = search::fuzzy_grams(&q)
            .into_iter()
            .filter(|g| {
                s.actors
                    .values()
                    .filter(|e| e.keys.iter().any(|k| k.contains(g.as_str())))
                    .count()
                    <= search::MAX_FUZZY_POSTINGS
            })
            .collect();
        let mut hits: Vec<String> = s
            .actors
            .values()
            .filter_map(|e| {
                let near = || {
                    usable
                        .iter()
                        .any(|g| e.keys.iter().any(|k| k.contains(g.as_str())))
                        .then(|| search::fuzzy_rank(&e.keys, &q))
                        .flatten()
                };
                search::rank(&e.keys, &q)
                    .or_else(near)
                    .map(|r| search::sort_key(r, e.actor.id.as_str()))
            })
            .collect();
        hits.sort();
        let total = hits.len();
        let ids = hits
            .into_iter()
            .take(first)
            .map(|k| k.split_once(':').unwrap().1.to_string())
            .collect();
        (total, ids)
    }

    async fn searched(store: &MemoryStore, query: &str, first: usize) -> (usize, Vec<String>) {
        let filter = ActorFilter {
            search: Some(query.to_string()),
            ..Default::default()
        };
        let page = store
            .find_actors(&filter, &PageRequest { first, after: None })
            .await
            .unwrap();
        let ids = page
            .items
            .iter()
            .map(|a| a.id.as_str().to_string())
            .collect();
        (page.total_count, ids)
    }

    #[tokio::test]
    async fn a_search_through_the_name_index_answers_what_a_scan_answers() {
        let store = MemoryStore::new(crate::synthetic::dataset(3_000, 1).unwrap());
        // A rename, a deletion and a new actor after the index was built.
        let mut renamed = store
            .actors_by_ids(&[ActorId::parse("syn-0000042".to_string()).unwrap()])
            .await
            .unwrap()
            .remove(0);
        renamed.name_en = Some("Korea Telecom Holdings".into());
        store
            .write(
                Write::UpdateActor {
                    actor: renamed,
                    expected: 1,
                },
                "t",
            )
            .await
            .unwrap();
        store
            .write(
                Write::DeleteActor {
                    id: ActorId::parse("syn-0000043".to_string()).unwrap(),
                    expected: None,
                    cascade: true,
                },
                "t",
            )
            .await
            .unwrap();
        let mut added = store
            .actors_by_ids(&[ActorId::parse("syn-0000044".to_string()).unwrap()])
            .await
            .unwrap()
            .remove(0);
        added.id = ActorId::parse("telecom-newcomer".to_string()).unwrap();
        added.name_ko = Some("신규 통신사".into());
        store.write(Write::CreateActor(added), "t").await.unwrap();

        for query in [
            "Synthetic Actor 42",
            "synthetic actor 43",
            "actor 4",
            "telecom",
            "Korea Telecom",
            "합성 행위자 12",
            "행위",
            "통신",
            "SA1",
            "s",
            "4",
            "no such name",
            "Synthetic Actor 1000",
            // Forgiven: a letter wrong, missing or extra, in either language.
            "Synthtic Actor 42",
            "Korea Telcom",
            "Korea Teleecom Holdings",
            "신규 통싱사",
            "합성 행위쟈 12",
            "axtor 1234",
        ] {
            assert_eq!(
                searched(&store, query, 5).await,
                scanned(&store, query, 5),
                "{query}"
            );
        }
    }
}
