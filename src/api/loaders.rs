//! The one read path of a request's linked records: actors, sources, relation pages
//! and histories, each loaded through its [`Keyed`] loader.
//!
//! A loader keeps what the request has read, so a record is fetched once however
//! many fields show it, and fetches what it lacks in one store call per batch:
//!
//! - **Ahead, level by level.** A root field, once it has its records, gives the
//!   rest of the query's selection to the walker ([`super::prefetch`]), which asks
//!   each loader for all the keys of one level at once ([`Keyed::fetch`]): one store
//!   call per kind of record per level, whatever the number of results. Over Bolt
//!   each call is a network round trip, so this bounds a request by its depth.
//! - **On demand.** Resolvers only ask their loader ([`Keyed::one`]). What the walk
//!   fetched is answered from memory; anything it did not foresee goes through an
//!   async-graphql [`DataLoader`], which batches the resolvers that ask at about the
//!   same time (a timer-based batching, hence not the walk's guarantee).
//!
//! A new set is made per request: nothing is cached across requests.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use async_graphql::dataloader::{DataLoader, Loader};

use super::error::{ApiError, ApiResult};
use crate::domain::aggregate::Aggregate;
use crate::domain::{Actor, ActorId, Relation, Source, SourceId};
use crate::store::{
    LogEntry, Page, RecordKind, RelationFilter, RelationQuery, Repository, StoreError,
};

/// The key of a record's history: its kind and id.
pub type HistoryKey = (RecordKind, String);

/// Fetches actors by id.
pub struct ActorLoader(Arc<dyn Repository>);
/// Fetches sources by id.
pub struct SourceLoader(Arc<dyn Repository>);
/// Fetches relation pages (an actor's relations with filters and paging).
pub struct RelationPageLoader(Arc<dyn Repository>);
/// Fetches the histories of records: each one's last changes.
pub struct HistoryLoader(Arc<dyn Repository>);
/// Fetches the aggregates of relation lists.
pub struct AggregateLoader(Arc<dyn Repository>);

impl Loader<ActorId> for ActorLoader {
    type Value = Actor;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[ActorId]) -> Result<HashMap<ActorId, Actor>, Self::Error> {
        let actors = self.0.actors_by_ids(keys).await.map_err(Arc::new)?;
        // An id of a merged actor finds the actor it was merged into.
        let mut by_id: HashMap<ActorId, Actor> = HashMap::with_capacity(actors.len());
        for a in actors {
            for m in &a.merged_ids {
                by_id.entry(m.clone()).or_insert_with(|| a.clone());
            }
            by_id.insert(a.id.clone(), a);
        }
        Ok(keys
            .iter()
            .filter_map(|k| by_id.get(k).map(|a| (k.clone(), a.clone())))
            .collect())
    }
}

impl Loader<SourceId> for SourceLoader {
    type Value = Source;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[SourceId]) -> Result<HashMap<SourceId, Source>, Self::Error> {
        let sources = self.0.sources_by_ids(keys).await.map_err(Arc::new)?;
        Ok(sources.into_iter().map(|s| (s.id.clone(), s)).collect())
    }
}

impl Loader<RelationQuery> for RelationPageLoader {
    type Value = Page<Relation>;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[RelationQuery],
    ) -> Result<HashMap<RelationQuery, Page<Relation>>, Self::Error> {
        let pages = self.0.find_relations(keys).await.map_err(Arc::new)?;
        Ok(keys.iter().cloned().zip(pages).collect())
    }
}

impl Loader<HistoryKey> for HistoryLoader {
    type Value = Vec<LogEntry>;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[HistoryKey],
    ) -> Result<HashMap<HistoryKey, Vec<LogEntry>>, Self::Error> {
        let lists = self.0.histories(keys).await.map_err(Arc::new)?;
        Ok(keys.iter().cloned().zip(lists).collect())
    }
}

impl Loader<RelationFilter> for AggregateLoader {
    type Value = Aggregate;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[RelationFilter],
    ) -> Result<HashMap<RelationFilter, Aggregate>, Self::Error> {
        let aggregates = self.0.aggregate_relations(keys).await.map_err(Arc::new)?;
        Ok(keys.iter().cloned().zip(aggregates).collect())
    }
}

/// One kind of record of a request: what was read, and the loader for the rest.
pub struct Keyed<K, L: Loader<K>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    read: Mutex<HashMap<K, L::Value>>,
    loader: DataLoader<L>,
}

impl<K, L> Keyed<K, L>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K, Error = Arc<StoreError>>,
{
    fn new(loader: L) -> Self {
        Keyed {
            read: Mutex::new(HashMap::new()),
            loader: DataLoader::new(loader, tokio::spawn),
        }
    }

    // A poisoned lock only means a resolver panicked while inserting; the map is
    // still whole (each use is one map operation), so recover it.
    fn read(&self) -> std::sync::MutexGuard<'_, HashMap<K, L::Value>> {
        self.read
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The record of `key`, or `None` when the store has none.
    pub async fn one(&self, key: &K) -> ApiResult<Option<L::Value>> {
        if let Some(value) = self.read().get(key) {
            return Ok(Some(value.clone()));
        }
        let value = self.loader.load_one(key.clone()).await?;
        if let Some(v) = &value {
            self.read().insert(key.clone(), v.clone());
        }
        Ok(value)
    }

    /// Those of `keys` not read yet, each once.
    fn missing(&self, keys: impl IntoIterator<Item = K>) -> Vec<K> {
        let read = self.read();
        let mut seen = std::collections::HashSet::new();
        keys.into_iter()
            .filter(|k| !read.contains_key(k) && seen.insert(k.clone()))
            .collect()
    }

    /// Fetches those of `keys` not read yet, in one store call.
    pub async fn fetch(&self, keys: impl IntoIterator<Item = K>) -> ApiResult<()> {
        let missing = self.missing(keys);
        if missing.is_empty() {
            return Ok(());
        }
        let values = self.loader.loader().load(&missing).await?;
        self.read().extend(values);
        Ok(())
    }

    /// Keeps records read elsewhere (by a root field).
    pub fn keep(&self, values: impl IntoIterator<Item = (K, L::Value)>) {
        self.read().extend(values);
    }

    /// `f` of a record already read, for the walker (which reads what it just
    /// fetched, without copying it).
    pub fn with<T>(&self, key: &K, f: impl FnOnce(&L::Value) -> T) -> Option<T> {
        self.read().get(key).map(f)
    }
}

/// The loaders of one request.
pub struct Loaders {
    repo: Arc<dyn Repository>,
    pub actors: Keyed<ActorId, ActorLoader>,
    pub sources: Keyed<SourceId, SourceLoader>,
    pub relation_pages: Keyed<RelationQuery, RelationPageLoader>,
    pub histories: Keyed<HistoryKey, HistoryLoader>,
    pub aggregates: Keyed<RelationFilter, AggregateLoader>,
}

impl Loaders {
    /// A fresh set over `repo`.
    pub fn new(repo: &Arc<dyn Repository>) -> Self {
        Loaders {
            repo: repo.clone(),
            actors: Keyed::new(ActorLoader(repo.clone())),
            sources: Keyed::new(SourceLoader(repo.clone())),
            relation_pages: Keyed::new(RelationPageLoader(repo.clone())),
            histories: Keyed::new(HistoryLoader(repo.clone())),
            aggregates: Keyed::new(AggregateLoader(repo.clone())),
        }
    }

    /// An actor another record links to: the store must have it.
    pub async fn linked_actor(&self, id: &ActorId) -> ApiResult<Actor> {
        self.actors
            .one(id)
            .await?
            .ok_or_else(|| missing("actor", id.as_str()))
    }

    /// A source an evidence quotes: the store must have it.
    pub async fn linked_source(&self, id: &SourceId) -> ApiResult<Source> {
        self.sources
            .one(id)
            .await?
            .ok_or_else(|| missing("source", id.as_str()))
    }

    /// A page of relations (always answered, empty when nothing matches).
    pub async fn page(&self, query: &RelationQuery) -> ApiResult<Page<Relation>> {
        self.relation_pages
            .one(query)
            .await?
            .ok_or_else(|| missing("relation page", "of the query"))
    }

    /// The aggregate of a relation list (always answered).
    pub async fn aggregate(&self, filter: &RelationFilter) -> ApiResult<Aggregate> {
        self.aggregates
            .one(filter)
            .await?
            .ok_or_else(|| missing("relation aggregate", "of the list"))
    }

    /// A record's history (empty when it has none).
    pub async fn history(&self, key: &HistoryKey) -> ApiResult<Vec<LogEntry>> {
        Ok(self.histories.one(key).await?.unwrap_or_default())
    }

    /// Fetches the pages of `queries` not read yet, with the actors at the ends of
    /// their relations, in one store call (for a level that shows them next).
    pub async fn fetch_pages_with_ends(
        &self,
        queries: impl IntoIterator<Item = RelationQuery>,
    ) -> ApiResult<()> {
        let missing = self.relation_pages.missing(queries);
        if missing.is_empty() {
            return Ok(());
        }
        let (pages, actors) = self.repo.find_relations_with_ends(&missing).await?;
        self.relation_pages.keep(missing.into_iter().zip(pages));
        self.keep_actors(actors);
        Ok(())
    }

    /// Keeps actors read by a root field.
    pub fn keep_actors(&self, actors: impl IntoIterator<Item = Actor>) {
        self.actors
            .keep(actors.into_iter().map(|a| (a.id.clone(), a)));
    }
}

/// A record the store should hold but did not return: the store is inconsistent.
fn missing(what: &str, id: &str) -> ApiError {
    ApiError::from(StoreError::InvalidRecord {
        backend: "api",
        detail: format!("{what} `{id}` was not returned"),
    })
}
