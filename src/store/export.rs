//! The whole graph in the data-set format, read from any store through the
//! repository: a backup, and a way to move a graph between stores, since
//! `actorgraph seed` (or `importGraph`) loads the document back into either.
//!
//! Sources come with their full text inline; records in id order, so that two
//! exports of the same graph are the same bytes. Versions and audit fields are not
//! part of the format (a loaded graph starts its own history). The export reads
//! page by page and is not one transaction: export a store nobody writes to, or
//! load the result with `seed`, whose validation refuses a relation whose actor
//! was deleted between two pages.

use crate::domain::dataset::{RawActor, RawDocument, RawRelation, RawSource, FORMAT};
use crate::store::{ActorFilter, PageRequest, RelationQuery, Repository, StoreResult};

/// Every source, actor and relation of `repo`, read `page_size` at a time.
pub async fn document(repo: &dyn Repository, page_size: usize) -> StoreResult<RawDocument> {
    let page_size = page_size.max(1);
    let sources = repo
        .all_sources()
        .await?
        .iter()
        .map(RawSource::from)
        .collect();

    let mut actors = Vec::new();
    let mut after = None;
    loop {
        let page = PageRequest {
            first: page_size,
            after: after.take(),
        };
        let found = repo.find_actors(&ActorFilter::default(), &page).await?;
        actors.extend(found.items.iter().map(RawActor::from));
        match (found.has_next_page, found.items.last()) {
            (true, Some(last)) => after = Some(last.id.to_string()),
            _ => break,
        }
    }

    let mut relations = Vec::new();
    let mut after = None;
    loop {
        let query = RelationQuery {
            order: Default::default(),
            total: true,
            filter: Default::default(),
            page: PageRequest {
                first: page_size,
                after: after.take(),
            },
        };
        let found = repo
            .find_relations(std::slice::from_ref(&query))
            .await?
            .pop()
            .unwrap_or(crate::store::Page {
                keys: Vec::new(),
                items: vec![],
                has_next_page: false,
                total_count: 0,
            });
        relations.extend(found.items.iter().map(RawRelation::from));
        match (found.has_next_page, found.items.last()) {
            (true, Some(last)) => after = Some(last.id.to_string()),
            _ => break,
        }
    }

    Ok(RawDocument {
        format: Some(FORMAT.to_string()),
        sources,
        actors,
        relations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory::MemoryStore;

    #[tokio::test]
    async fn an_export_validates_back_into_the_same_records_across_pages() {
        let data = crate::synthetic::dataset(250, 3).unwrap();
        let store = MemoryStore::new(data.clone());
        let doc = document(&store, 7).await.unwrap();
        assert_eq!(doc.actors.len(), 250);
        assert_eq!(doc.relations.len(), data.relations.len());
        let again = crate::domain::validate(&[("export", &doc)]).expect("an export is valid");
        let ids = |d: &crate::domain::Dataset| {
            (
                d.actors
                    .iter()
                    .map(|a| a.id.to_string())
                    .collect::<Vec<_>>(),
                d.relations
                    .iter()
                    .map(|r| r.id.to_string())
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(ids(&again), ids(&data));
        let strip = |d: crate::domain::Dataset| {
            let mut d = d;
            d.actors
                .iter_mut()
                .for_each(|a| a.meta = Default::default());
            d.relations
                .iter_mut()
                .for_each(|r| r.meta = Default::default());
            d.sources
                .iter_mut()
                .for_each(|s| s.meta = Default::default());
            (d.actors, d.relations, d.sources)
        };
        assert_eq!(strip(again), strip(data));
    }
}
