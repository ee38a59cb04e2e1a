//! The embedded store: the whole graph in memory, loaded from a validated data set.
//! It is the default when no database is configured, so `cargo run` serves a
//! working API on a fresh machine.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;

use super::{
    diff, ActorFilter, ImportReport, Page, PageRequest, RelationQuery, Repository, Stats,
    StoreResult,
};
use crate::domain::{
    search, Actor, ActorId, Dataset, Direction, Relation, RelationId, RelationType, Source,
    SourceId,
};

struct ActorEntry {
    actor: Actor,
    /// Folded names and aliases, computed once at load.
    keys: Vec<String>,
}

/// The graph and the indexes the repository's reads need.
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
}

impl MemoryStore {
    /// Builds the store from a validated data set.
    pub fn new(data: Dataset) -> Self {
        MemoryStore {
            state: RwLock::new(Arc::new(State::new(data))),
        }
    }

    /// The current graph (cheap: a shared pointer).
    fn read(&self) -> Arc<State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
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

    /// The whole graph as a data set (to merge an import into).
    fn to_dataset(&self) -> Dataset {
        Dataset {
            sources: self.sources.values().cloned().collect(),
            actors: self.actors.values().map(|e| e.actor.clone()).collect(),
            relations: self.relations.values().cloned().collect(),
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
        // Searching: best matches first, then by id (see `search::rank`).
        let mut ranked: Vec<(String, &Actor)> = s
            .actors
            .values()
            .filter(of_kind)
            .filter_map(|e| {
                search::rank(&e.keys, &query)
                    .map(|r| (search::sort_key(r, e.actor.id.as_str()), &e.actor))
            })
            .collect();
        ranked.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Page::collect(
            ranked.iter().map(|(key, a)| (key.as_str(), *a)),
            page,
        ))
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
        Ok(queries.iter().map(|q| s.relation_page(q)).collect())
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

    async fn import(&self, data: &Dataset) -> StoreResult<ImportReport> {
        let mut guard = self
            .state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let current = guard.clone();
        let (sources, sources_report) =
            diff(&data.sources, |x| current.sources.get(&x.id), |_| false);
        let (actors, actors_report) = diff(
            &data.actors,
            |x| current.actors.get(&x.id).map(|e| &e.actor),
            |_| false,
        );
        let (relations, relations_report) =
            diff(&data.relations, |x| current.relations.get(&x.id), |_| false);
        let report = ImportReport {
            sources: sources_report,
            actors: actors_report,
            relations: relations_report,
        };
        if sources.is_empty() && actors.is_empty() && relations.is_empty() {
            return Ok(report);
        }
        // Build the next graph whole, then swap it in: readers never see half of it.
        let mut next = current.to_dataset();
        let by_id = |ids: Vec<String>| -> HashMap<String, usize> {
            ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect()
        };
        let source_at = by_id(next.sources.iter().map(|x| x.id.to_string()).collect());
        for s in sources {
            match source_at.get(s.id.as_str()) {
                Some(&i) => next.sources[i] = s.clone(),
                None => next.sources.push(s.clone()),
            }
        }
        let actor_at = by_id(next.actors.iter().map(|x| x.id.to_string()).collect());
        for a in actors {
            match actor_at.get(a.id.as_str()) {
                Some(&i) => next.actors[i] = a.clone(),
                None => next.actors.push(a.clone()),
            }
        }
        let relation_at = by_id(next.relations.iter().map(|x| x.id.to_string()).collect());
        for r in relations {
            match relation_at.get(r.id.as_str()) {
                Some(&i) => next.relations[i] = r.clone(),
                None => next.relations.push(r.clone()),
            }
        }
        *guard = Arc::new(State::new(next));
        Ok(report)
    }

    async fn timeline(
        &self,
        filter: &super::RelationFilter,
        limit: usize,
    ) -> StoreResult<Vec<Relation>> {
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
        dated.sort_by(|a, b| a.timeline_key().cmp(&b.timeline_key()));
        Ok(dated.into_iter().take(limit).cloned().collect())
    }

    async fn stats(&self) -> StoreResult<Stats> {
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
