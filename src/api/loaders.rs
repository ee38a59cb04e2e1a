//! DataLoaders: batch the reads that many resolvers of one request make, so a page
//! of relations costs one store call for all their actors, one for all their
//! sources, and one for the relation lists of all actors in the page, instead of
//! one call per item (N+1). A new set is made per request, so no data is cached
//! across requests.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};

use crate::domain::{Actor, ActorId, Relation, Source, SourceId};
use crate::store::{LogEntry, Page, RecordKind, RelationQuery, Repository, StoreError};

/// Loads actors by id.
pub struct ActorLoader(Arc<dyn Repository>);
/// Loads sources by id.
pub struct SourceLoader(Arc<dyn Repository>);
/// Loads relation pages (an actor's relations with filters and paging).
pub struct RelationPageLoader(Arc<dyn Repository>);

impl Loader<ActorId> for ActorLoader {
    type Value = Actor;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[ActorId]) -> Result<HashMap<ActorId, Actor>, Self::Error> {
        let actors = self.0.actors_by_ids(keys).await.map_err(Arc::new)?;
        Ok(actors.into_iter().map(|a| (a.id.clone(), a)).collect())
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

/// Loads the histories of records: each one's last changes, in one call for all
/// the records of a page.
pub struct HistoryLoader(Arc<dyn Repository>);

impl Loader<(RecordKind, String)> for HistoryLoader {
    type Value = Vec<LogEntry>;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[(RecordKind, String)],
    ) -> Result<HashMap<(RecordKind, String), Vec<LogEntry>>, Self::Error> {
        let lists = self.0.histories(keys).await.map_err(Arc::new)?;
        Ok(keys.iter().cloned().zip(lists).collect())
    }
}

/// The loaders and the prefetch cache of one request.
pub struct Loaders {
    pub cache: super::prefetch::Cache,
    pub actors: DataLoader<ActorLoader>,
    pub sources: DataLoader<SourceLoader>,
    pub relation_pages: DataLoader<RelationPageLoader>,
    pub histories: DataLoader<HistoryLoader>,
}

impl Loaders {
    /// A fresh set over `repo`.
    pub fn new(repo: &Arc<dyn Repository>) -> Self {
        Loaders {
            cache: Default::default(),
            actors: DataLoader::new(ActorLoader(repo.clone()), tokio::spawn),
            sources: DataLoader::new(SourceLoader(repo.clone()), tokio::spawn),
            relation_pages: DataLoader::new(RelationPageLoader(repo.clone()), tokio::spawn),
            histories: DataLoader::new(HistoryLoader(repo.clone()), tokio::spawn),
        }
    }
}
