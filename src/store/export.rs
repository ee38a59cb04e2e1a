//! The whole graph in the data-set format, read from any store through the
//! repository: a backup, and a way to move a graph between stores, since
//! `actorgraph seed` (or `importGraph`) loads the document back into either.
//!
//! Sources come with their full text inline; records in id order, so that two
//! exports of the same graph are the same bytes. Versions and audit fields are not
//! part of the format (a loaded graph starts its own history). The export reads
//! page by page and is not one transaction: export a store nobody writes to. A
//! relation whose actor was deleted between two pages is left out of the formats
//! `select` writes (and the log says so); `document` keeps it, and `seed`'s
//! validation refuses it.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::dataset::RawDocument;
use crate::domain::formats::{Scope, Subgraph};
use crate::domain::{ActorId, Dataset, Direction, Relation, RelationId};
use crate::store::explore::{self, PathLimits};
use crate::store::{
    ActorFilter, PageRequest, RelationFilter, RelationQuery, Repository, StoreError, StoreResult,
};

/// Deepest neighbourhood an export takes.
pub const MAX_DEPTH: usize = 3;
/// Most actors read per neighbourhood.
pub const MAX_NODES: usize = 500;
/// Most actors an export may be centred on.
pub const MAX_AROUND: usize = 20;
/// Longest path an export looks for.
pub const MAX_HOPS: usize = 6;
/// Most paths an export takes.
pub const MAX_PATHS: usize = 20;

/// Which part of the graph to export: the neighbourhoods of `around`, the
/// shortest paths between `from` and `to`, or both; the whole graph when neither
/// is given. Relations pass `filter` (types, `asOf`) in every case.
#[derive(Debug, Clone)]
pub struct Selection {
    pub around: Vec<ActorId>,
    /// 1 to [`MAX_DEPTH`].
    pub depth: usize,
    /// Actors read per neighbourhood: 1 to [`MAX_NODES`].
    pub limit: usize,
    pub from: Option<ActorId>,
    pub to: Option<ActorId>,
    /// 1 to [`MAX_HOPS`].
    pub max_hops: usize,
    /// 1 to [`MAX_PATHS`].
    pub paths: usize,
    /// Follow relations only in their own direction.
    pub directed: bool,
    pub filter: RelationFilter,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            around: Vec::new(),
            depth: 1,
            limit: 100,
            from: None,
            to: None,
            max_hops: 4,
            paths: 5,
            directed: false,
            filter: RelationFilter::default(),
        }
    }
}

impl Selection {
    /// Whether it is the whole graph.
    pub fn is_whole(&self) -> bool {
        self.around.is_empty() && self.from.is_none() && self.to.is_none()
    }

    /// What is wrong with it: (the argument, what to do), when anything is.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        let out_of = |v: usize, max: usize| v == 0 || v > max;
        if self.from.is_some() != self.to.is_some() {
            let missing = if self.from.is_some() { "to" } else { "from" };
            return Some((missing, "paths need both `from` and `to`".into()));
        }
        if self.around.len() > MAX_AROUND {
            return Some((
                "around",
                format!(
                    "{} actors; export around at most {MAX_AROUND}",
                    self.around.len()
                ),
            ));
        }
        let bounded = [
            ("depth", self.depth, MAX_DEPTH),
            ("limit", self.limit, MAX_NODES),
            ("maxHops", self.max_hops, MAX_HOPS),
            ("paths", self.paths, MAX_PATHS),
        ];
        bounded
            .into_iter()
            .find(|(_, value, max)| out_of(*value, *max))
            .map(|(name, value, max)| (name, format!("`{name}` is {value}; use 1 to {max}")))
    }
}

/// A selection as text, as `GET /export`'s query string and the command line
/// give it: lists are comma-separated, numbers and dates are parsed here.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelectionParams {
    pub around: Option<String>,
    pub depth: Option<String>,
    pub limit: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub max_hops: Option<String>,
    pub paths: Option<String>,
    pub directed: Option<String>,
    pub types: Option<String>,
    pub as_of: Option<String>,
}

impl SelectionParams {
    /// The selection, or (the parameter, what to do) when a value is wrong.
    pub fn selection(&self) -> Result<Selection, (&'static str, String)> {
        let defaults = Selection::default();
        let number = |name: &'static str, v: &Option<String>, default: usize| match v {
            None => Ok(default),
            Some(t) => t
                .trim()
                .parse::<usize>()
                .map_err(|_| (name, format!("`{name}` is `{t}`; give a whole number"))),
        };
        let actor = |name: &'static str, t: &str| {
            ActorId::parse(t.trim()).map_err(|e| (name, format!("`{t}` is not an actor id: {e}")))
        };
        let list = |v: &Option<String>| -> Vec<String> {
            v.iter()
                .flat_map(|t| t.split(','))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect()
        };
        let around = list(&self.around)
            .iter()
            .map(|t| actor("around", t))
            .collect::<Result<Vec<_>, _>>()?;
        let types = list(&self.types)
            .iter()
            .map(|t| {
                crate::domain::RelationType::parse(&t.to_uppercase()).ok_or_else(|| {
                    (
                        "types",
                        format!(
                            "`{t}` is not a relation type; use one of {}",
                            crate::domain::RelationType::expected()
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let as_of = self
            .as_of
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| {
                t.trim()
                    .parse::<crate::domain::PartialDate>()
                    .map_err(|e| ("asOf", e.to_string()))
            })
            .transpose()?;
        let directed = match self.directed.as_deref().map(str::trim) {
            None | Some("" | "false" | "0") => false,
            Some("true" | "1") => true,
            Some(t) => {
                return Err((
                    "directed",
                    format!("`directed` is `{t}`; use true or false"),
                ))
            }
        };
        let selection = Selection {
            around,
            depth: number("depth", &self.depth, defaults.depth)?,
            limit: number("limit", &self.limit, defaults.limit)?,
            from: self.from.as_deref().map(|t| actor("from", t)).transpose()?,
            to: self.to.as_deref().map(|t| actor("to", t)).transpose()?,
            max_hops: number("maxHops", &self.max_hops, defaults.max_hops)?,
            paths: number("paths", &self.paths, defaults.paths)?,
            directed,
            filter: RelationFilter::new(None, Direction::Both, types).at(as_of),
        };
        match selection.problem() {
            Some(p) => Err(p),
            None => Ok(selection),
        }
    }
}

/// Why a selection could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// An actor it names does not exist: (the argument, the id).
    #[error("no actor has the id `{1}` (`{0}`)")]
    NotFound(&'static str, ActorId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The records `selection` chooses, read from `repo`: actors in id order, the
/// relations among them that pass its filter, and the sources they cite (with
/// their text). The whole graph is read `page_size` records at a time.
pub async fn select(
    repo: &dyn Repository,
    selection: &Selection,
    page_size: usize,
) -> Result<Subgraph, SelectError> {
    let scope = Scope {
        around: selection.around.clone(),
        depth: selection.depth,
        ends: selection.from.clone().zip(selection.to.clone()),
        types: selection.filter.types.clone(),
        as_of: selection.filter.as_of,
    };
    if selection.is_whole() {
        let mut data = dataset(repo, page_size).await?;
        // Pages are not one transaction: a relation whose actor was deleted
        // between two pages is left out, never written with a dangling end.
        let ids: std::collections::HashSet<&ActorId> = data.actors.iter().map(|a| &a.id).collect();
        let dangling: std::collections::HashSet<RelationId> = data
            .relations
            .iter()
            .filter(|r| !ids.contains(&r.from) || !ids.contains(&r.to))
            .map(|r| r.id.clone())
            .collect();
        if !dangling.is_empty() {
            tracing::warn!(
                relations = dangling.len(),
                "export: relations whose actor was deleted while the export read are left out"
            );
            data.relations.retain(|r| !dangling.contains(&r.id));
        }
        let filter = &selection.filter;
        if !filter.types.is_empty() || filter.as_of.is_some() {
            data.relations.retain(|r| filter.admits(r));
            let cited = cited_sources(&data.relations);
            data.sources.retain(|s| cited.contains(&s.id));
        }
        return Ok(Subgraph {
            data,
            scope,
            paths: Vec::new(),
            truncated: false,
        });
    }
    let mut relations: BTreeMap<RelationId, Relation> = BTreeMap::new();
    let mut actors: BTreeSet<ActorId> = BTreeSet::new();
    let mut truncated = false;
    let filter = RelationFilter {
        actor: None,
        direction: Direction::Both,
        ..selection.filter.clone()
    };
    for center in &selection.around {
        let n = explore::neighborhood(repo, center, selection.depth, &filter, selection.limit)
            .await?
            .ok_or_else(|| SelectError::NotFound("around", center.clone()))?;
        truncated |= n.truncated;
        actors.extend(n.nodes.into_iter().map(|r| r.actor.id));
        relations.extend(n.edges.into_iter().map(|r| (r.id.clone(), r)));
    }
    let mut paths = Vec::new();
    if let Some((from, to)) = selection.from.as_ref().zip(selection.to.as_ref()) {
        let limits = PathLimits {
            max_hops: selection.max_hops,
            first: selection.paths,
            directed: selection.directed,
            max_actors: 10_000,
            per_actor: 500,
        };
        let found = explore::paths(repo, from, to, &filter, &limits).await?;
        let Some(found) = found else {
            let missing = if repo
                .actors_by_ids(std::slice::from_ref(from))
                .await?
                .is_empty()
            {
                ("from", from.clone())
            } else {
                ("to", to.clone())
            };
            return Err(SelectError::NotFound(missing.0, missing.1));
        };
        actors.insert(from.clone());
        actors.insert(to.clone());
        for path in found {
            paths.push(
                path.iter()
                    .map(|h| (h.relation.id.clone(), h.reversed))
                    .collect(),
            );
            for h in path {
                actors.insert(h.relation.from.clone());
                actors.insert(h.relation.to.clone());
                relations.insert(h.relation.id.clone(), h.relation);
            }
        }
    }
    let ids: Vec<ActorId> = actors.into_iter().collect();
    let mut actors = repo.actors_by_ids(&ids).await?;
    actors.sort_by(|a, b| a.id.cmp(&b.id));
    let relations: Vec<Relation> = relations.into_values().collect();
    let cited: Vec<_> = cited_sources(&relations).into_iter().collect();
    let mut sources = repo.sources_by_ids(&cited).await?;
    sources.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Subgraph {
        data: Dataset {
            sources,
            actors,
            relations,
        },
        scope,
        paths,
        truncated,
    })
}

fn cited_sources(relations: &[Relation]) -> BTreeSet<crate::domain::SourceId> {
    relations
        .iter()
        .flat_map(|r| r.evidence.iter().map(|e| e.source.clone()))
        .collect()
}

/// Every source, actor and relation of `repo`, read `page_size` at a time.
pub async fn document(repo: &dyn Repository, page_size: usize) -> StoreResult<RawDocument> {
    Ok(crate::domain::formats::document(
        &dataset(repo, page_size).await?,
    ))
}

/// Every source, actor and relation of `repo` as records, read `page_size` at a
/// time: what every export format is written from.
pub async fn dataset(repo: &dyn Repository, page_size: usize) -> StoreResult<Dataset> {
    let page_size = page_size.max(1);
    let sources = repo.all_sources().await?;
    let actors = every_page(
        page_size,
        |a: &crate::domain::Actor| a.id.to_string(),
        |page| async move { repo.find_actors(&ActorFilter::default(), &page).await },
    )
    .await?;
    let relations = every_page(
        page_size,
        |r: &Relation| r.id.to_string(),
        |page| async move {
            let query = RelationQuery {
                order: Default::default(),
                total: true,
                filter: Default::default(),
                page,
            };
            Ok(repo
                .find_relations(std::slice::from_ref(&query))
                .await?
                .pop()
                .unwrap_or_default())
        },
    )
    .await?;
    Ok(Dataset {
        sources,
        actors,
        relations,
    })
}

/// The items of every page `read` gives, in id order, `page_size` at a time
/// (each page after the last id of the one before).
async fn every_page<T, F, Fut>(
    page_size: usize,
    id: impl Fn(&T) -> String,
    read: F,
) -> StoreResult<Vec<T>>
where
    F: Fn(PageRequest) -> Fut,
    Fut: std::future::Future<Output = StoreResult<crate::store::Page<T>>>,
{
    let mut items = Vec::new();
    let mut after = None;
    loop {
        let page = read(PageRequest {
            first: page_size,
            after: after.take(),
        })
        .await?;
        let next = page
            .has_next_page
            .then(|| page.items.last().map(&id))
            .flatten();
        items.extend(page.items);
        match next {
            Some(last) => after = Some(last),
            None => return Ok(items),
        }
    }
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
