//! Level-by-level prefetching: one store call per kind of record per level of the
//! query, whatever the number of results.
//!
//! A root field, once it has its actors or relations, walks the rest of the query's
//! selection breadth-first. At each level it gathers every key that the level's
//! resolvers will ask for (the relation pages of all actors, the `from`/`to` actors
//! and evidence sources of all relations), fetches each kind in one call, and keeps
//! the records in a per-request [`Cache`] that the resolvers read. The cost of a
//! request is therefore bounded by the depth of the query, never by the number of
//! results, which matters most over Bolt, where each call is a network round trip.
//!
//! DataLoaders remain as the fallback for anything the walk did not foresee; their
//! batching is time-based and so does not give the same guarantee.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_graphql::{InputType, SelectionField, Value};

use super::error::ApiError;
use super::types::relation_query;
use crate::domain::{Actor, ActorId, Direction, Relation, RelationType, Source, SourceId};
use crate::store::{LogEntry, Page, RecordKind, RelationQuery, Repository};

/// A record whose history a resolver will ask for.
type HistoryKey = (RecordKind, String);

/// Records fetched ahead for the resolvers of one request.
#[derive(Default)]
pub struct Cache {
    actors: Mutex<HashMap<ActorId, Actor>>,
    sources: Mutex<HashMap<SourceId, Source>>,
    pages: Mutex<HashMap<RelationQuery, Page<Relation>>>,
    histories: Mutex<HashMap<HistoryKey, Vec<LogEntry>>>,
}

// A poisoned lock only means another resolver panicked while inserting; the map
// is still usable, so recover it rather than fail the request.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Cache {
    /// A prefetched actor.
    pub fn actor(&self, id: &ActorId) -> Option<Actor> {
        lock(&self.actors).get(id).cloned()
    }

    /// A prefetched source.
    pub fn source(&self, id: &SourceId) -> Option<Source> {
        lock(&self.sources).get(id).cloned()
    }

    /// A prefetched relation page.
    pub fn page(&self, q: &RelationQuery) -> Option<Page<Relation>> {
        lock(&self.pages).get(q).cloned()
    }

    /// A prefetched history.
    pub fn history(&self, key: &HistoryKey) -> Option<Vec<LogEntry>> {
        lock(&self.histories).get(key).cloned()
    }

    /// Remembers sources fetched by a root field.
    pub fn put_sources(&self, sources: impl IntoIterator<Item = Source>) {
        lock(&self.sources).extend(sources.into_iter().map(|s| (s.id.clone(), s)));
    }

    /// Remembers actors fetched by a root field.
    pub fn put_actors(&self, actors: impl IntoIterator<Item = Actor>) {
        lock(&self.actors).extend(actors.into_iter().map(|a| (a.id.clone(), a)));
    }
}

/// What a relation leads to: the keys the next level needs.
struct Ends {
    id: String,
    from: ActorId,
    to: ActorId,
    sources: Vec<SourceId>,
}

impl From<&Relation> for Ends {
    fn from(r: &Relation) -> Self {
        Ends {
            id: r.id.to_string(),
            from: r.from.clone(),
            to: r.to.clone(),
            sources: r.evidence.iter().map(|e| e.source.clone()).collect(),
        }
    }
}

/// One level of the walk: sets of records, each with the selection made on them.
#[derive(Default)]
struct Level<'a> {
    actors: Vec<(Vec<ActorId>, Vec<SelectionField<'a>>)>,
    relations: Vec<(Vec<Ends>, Vec<SelectionField<'a>>)>,
}

impl Level<'_> {
    fn is_empty(&self) -> bool {
        self.actors.is_empty() && self.relations.is_empty()
    }
}

/// The fields selected on the nodes of a connection field (`edges { node { … } }`).
pub fn node_selection<'a>(connection: &SelectionField<'a>) -> Vec<SelectionField<'a>> {
    connection
        .selection_set()
        .filter(|f| f.name() == "edges")
        .flat_map(|edges| {
            edges
                .selection_set()
                .filter(|f| f.name() == "node")
                .collect::<Vec<_>>()
        })
        .flat_map(|node| node.selection_set().collect::<Vec<_>>())
        .collect()
}

/// Reads an argument of a selected field; `None` when absent or null.
fn arg<T: InputType>(args: &[(async_graphql::Name, Value)], name: &str) -> Result<Option<T>, ()> {
    match args.iter().find(|(n, _)| n.as_str() == name) {
        None | Some((_, Value::Null)) => Ok(None),
        Some((_, v)) => T::parse(Some(v.clone())).map(Some).map_err(|_| ()),
    }
}

/// The relation query an `Actor.relations` selection makes for one actor, built by
/// the same function the resolver uses, so the cache keys agree. `None` when the
/// arguments are invalid: the resolver will then report the error itself.
fn relations_queries(field: &SelectionField<'_>, actors: &[ActorId]) -> Option<Vec<RelationQuery>> {
    let args = field.arguments().ok()?;
    let direction: Direction = arg(&args, "direction").ok()?.unwrap_or_default();
    let types: Option<Vec<RelationType>> = arg(&args, "types").ok()?;
    let first: Option<i32> = arg(&args, "first").ok()?;
    let after: Option<String> = arg(&args, "after").ok()?;
    let as_of: Option<String> = arg(&args, "asOf").ok()?;
    actors
        .iter()
        .map(|id| {
            relation_query(
                Some(id.clone()),
                direction,
                types.clone(),
                first,
                after.clone(),
                as_of.as_deref(),
            )
            .ok()
        })
        .collect()
}

/// Starting records of a walk.
pub enum Start {
    Actors(Vec<ActorId>),
    Relations(Vec<Relation>),
}

/// Walks `selection` below `start`, filling the request's cache.
pub async fn run(
    repo: &dyn Repository,
    cache: &Cache,
    start: Start,
    selection: Vec<SelectionField<'_>>,
) -> Result<(), ApiError> {
    let mut level = Level::default();
    match start {
        Start::Actors(ids) => level.actors.push((ids, selection)),
        Start::Relations(rels) => level
            .relations
            .push((rels.iter().map(Ends::from).collect(), selection)),
    }
    while !level.is_empty() {
        // What this level's resolvers will ask for.
        let mut page_wants: Vec<(RelationQuery, Vec<SelectionField<'_>>)> = Vec::new();
        for (ids, fields) in &level.actors {
            for f in fields.iter().filter(|f| f.name() == "relations") {
                let below = node_selection(f);
                for q in relations_queries(f, ids).into_iter().flatten() {
                    page_wants.push((q, below.clone()));
                }
            }
        }
        let mut actor_wants: Vec<(Vec<ActorId>, Vec<SelectionField<'_>>)> = Vec::new();
        let mut source_ids: HashSet<SourceId> = HashSet::new();
        let mut history_keys: HashSet<HistoryKey> = HashSet::new();
        for (ids, fields) in &level.actors {
            if fields.iter().any(|f| f.name() == "history") {
                history_keys.extend(ids.iter().map(|id| (RecordKind::Actor, id.to_string())));
            }
        }
        for (ends, fields) in &level.relations {
            for f in fields {
                match f.name() {
                    "history" => {
                        history_keys
                            .extend(ends.iter().map(|e| (RecordKind::Relation, e.id.clone())));
                    }
                    "from" => actor_wants.push((
                        ends.iter().map(|e| e.from.clone()).collect(),
                        f.selection_set().collect(),
                    )),
                    "to" => actor_wants.push((
                        ends.iter().map(|e| e.to.clone()).collect(),
                        f.selection_set().collect(),
                    )),
                    "evidence" if f.selection_set().any(|g| g.name() == "source") => {
                        source_ids.extend(ends.iter().flat_map(|e| e.sources.iter().cloned()));
                    }
                    _ => {}
                }
            }
        }

        // One call per kind, for what is not cached yet; the three run together.
        let queries: Vec<RelationQuery> = {
            let cached = lock(&cache.pages);
            let mut seen = HashSet::new();
            page_wants
                .iter()
                .map(|(q, _)| q)
                .filter(|q| !cached.contains_key(*q) && seen.insert(*q))
                .cloned()
                .collect()
        };
        let actor_ids: Vec<ActorId> = {
            let cached = lock(&cache.actors);
            let wanted: HashSet<&ActorId> =
                actor_wants.iter().flat_map(|(ids, _)| ids.iter()).collect();
            wanted
                .into_iter()
                .filter(|id| !cached.contains_key(*id))
                .cloned()
                .collect()
        };
        let source_ids: Vec<SourceId> = {
            let cached = lock(&cache.sources);
            source_ids
                .into_iter()
                .filter(|id| !cached.contains_key(id))
                .collect()
        };
        let history_keys: Vec<HistoryKey> = {
            let cached = lock(&cache.histories);
            history_keys
                .into_iter()
                .filter(|k| !cached.contains_key(k))
                .collect()
        };
        let (pages, actors, sources, histories) = futures_util::join!(
            async {
                if queries.is_empty() {
                    Ok(vec![])
                } else {
                    repo.find_relations(&queries).await
                }
            },
            async {
                if actor_ids.is_empty() {
                    Ok(vec![])
                } else {
                    repo.actors_by_ids(&actor_ids).await
                }
            },
            async {
                if source_ids.is_empty() {
                    Ok(vec![])
                } else {
                    repo.sources_by_ids(&source_ids).await
                }
            },
            async {
                if history_keys.is_empty() {
                    Ok(vec![])
                } else {
                    repo.histories(&history_keys).await
                }
            },
        );
        lock(&cache.histories).extend(history_keys.into_iter().zip(histories?));
        lock(&cache.pages).extend(queries.into_iter().zip(pages?));
        cache.put_actors(actors?);
        lock(&cache.sources).extend(sources?.into_iter().map(|s| (s.id.clone(), s)));

        // The next level: relations of the pages, actors that have selections below.
        let mut next = Level::default();
        {
            let pages = lock(&cache.pages);
            for (q, below) in page_wants {
                if below.is_empty() {
                    continue;
                }
                if let Some(page) = pages.get(&q) {
                    next.relations
                        .push((page.items.iter().map(Ends::from).collect(), below));
                }
            }
        }
        for (ids, below) in actor_wants {
            if below
                .iter()
                .any(|f| matches!(f.name(), "relations" | "history"))
            {
                next.actors.push((ids, below));
            }
        }
        level = next;
    }
    Ok(())
}
