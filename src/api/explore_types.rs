//! GraphQL types and root fields of graph exploration (`neighborhood`, `paths`).

// Resolvers take one parameter per GraphQL argument; a list of arguments is the
// schema's shape, not a function doing too much.
#![allow(clippy::too_many_arguments)]

use async_graphql::{Context, Object, SimpleObject, ID};

use super::error::{ApiError, ApiResult};
use super::prefetch::{self, below, field, Start};
use super::types::{loaders, parse_as_of, parse_id, repo, ActorNode, DateNode, RelationNode};
use crate::domain::{ActorId, Direction, RelationType};
use crate::store::explore::{self, PathLimits};
use crate::store::RelationFilter;

/// Deepest `neighborhood` accepted.
pub const MAX_DEPTH: i32 = 3;
/// Largest node limit of `neighborhood`.
pub const MAX_NODES: i32 = 500;
/// Longest path `paths` looks for.
pub const MAX_HOPS: i32 = 6;
/// Most paths `paths` returns.
pub const MAX_PATHS: i32 = 20;
/// Longest `timeline`.
pub const MAX_TIMELINE: i32 = 500;

/// Complexity of the walk of a path search, per hop of `maxHops`: it may read the
/// relations of thousands of actors, whatever it returns.
pub const PATH_WALK_COST: usize = 500;

/// Complexity of `neighborhood`: the walk reads the relations of up to `limit`
/// actors at each of `depth` levels, and the answer has up to `limit` nodes.
pub fn neighborhood_cost(depth: i32, limit: i32, child_complexity: usize) -> usize {
    let depth = depth.clamp(1, MAX_DEPTH) as usize;
    let limit = limit.clamp(1, MAX_NODES) as usize;
    1 + limit * depth + limit * child_complexity
}

/// Complexity of `paths`: the walk, and up to `first` paths of `maxHops` hops.
pub fn paths_cost(max_hops: i32, first: i32, child_complexity: usize) -> usize {
    let hops = max_hops.clamp(1, MAX_HOPS) as usize;
    let first = first.clamp(1, MAX_PATHS) as usize;
    1 + PATH_WALK_COST * hops + first * hops * child_complexity
}

/// Complexity of `timeline`: up to `first` entries.
pub fn timeline_cost(first: i32, child_complexity: usize) -> usize {
    1 + first.clamp(1, MAX_TIMELINE) as usize * child_complexity
}

/// A dated relation on a timeline.
#[derive(SimpleObject)]
pub struct TimelineEntry {
    /// When: the relation's start, else its end, at its precision; `inferred` marks a
    /// date (or year) the source does not state.
    pub date: DateNode,
    /// The relation, with its evidence.
    pub relation: RelationNode,
}

/// An actor of a neighbourhood, with its distance from the centre.
#[derive(SimpleObject)]
pub struct NeighborhoodNode {
    /// The actor.
    pub actor: ActorNode,
    /// Hops from the centre (0 for the centre itself).
    pub distance: i32,
}

/// The subgraph around an actor, ready to draw: actors as nodes, relations as edges.
#[derive(SimpleObject)]
pub struct Neighborhood {
    /// The actor at the centre.
    pub center: ActorNode,
    /// Actors within `depth` hops, by distance then id; the centre first.
    pub nodes: Vec<NeighborhoodNode>,
    /// Relations of the actors within `depth - 1` hops that lead to actors of `nodes`, by id.
    pub edges: Vec<RelationNode>,
    /// True when `limit` (or the number of relations read per actor) cut the walk
    /// short: there is more around the centre than `nodes` shows.
    pub truncated: bool,
}

/// One step of a path: a relation, and which way the path walks it.
#[derive(SimpleObject)]
pub struct PathHop {
    /// The relation, with its own direction, dates, money and evidence.
    pub relation: RelationNode,
    /// True when the path walks the relation against its direction (from its `to`
    /// to its `from`).
    pub reversed: bool,
}

/// A path between two actors.
#[derive(SimpleObject)]
pub struct Path {
    /// Number of hops.
    pub length: i32,
    /// The hops in order from `fromId` to `toId`.
    pub hops: Vec<PathHop>,
    /// The actors along the path, from `fromId` to `toId`.
    pub actors: Vec<ActorNode>,
}

fn bounded(argument: &'static str, value: i32, min: i32, max: i32) -> Result<usize, ApiError> {
    if (min..=max).contains(&value) {
        Ok(value as usize)
    } else {
        Err(ApiError::bad_input(
            argument,
            format!("`{argument}` is {value}; use {min} to {max}"),
        ))
    }
}

/// Graph exploration fields of the root query.
#[derive(Default)]
pub struct ExploreQuery;

#[Object]
impl ExploreQuery {
    /// The subgraph around an actor: the actors within `depth` hops and the
    /// relations that lead to them, ready to draw. At most `limit` actors are read;
    /// `truncated` says when there was more. An unknown `id` is NOT_FOUND: the field
    /// is null with that error, and the request's other fields keep their answers.
    #[graphql(complexity = "neighborhood_cost(depth, limit, child_complexity)")]
    async fn neighborhood(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The actor at the centre, e.g. `cia`.")] id: ID,
        #[graphql(default = 1, desc = "Hops from the centre: 1 to 3, default 1.")] depth: i32,
        #[graphql(desc = "Only relations of these types; all when omitted or empty.")]
        types: Option<Vec<RelationType>>,
        #[graphql(
            desc = "Only relations that hold at this date (`2015`, `2015-01` or `2015-01-16`)."
        )]
        as_of: Option<String>,
        #[graphql(default = 100, desc = "Most actors to read: 1 to 500, default 100.")] limit: i32,
    ) -> ApiResult<Option<Neighborhood>> {
        let center = parse_id("id", &id, ActorId::parse)?;
        let depth = bounded("depth", depth, 1, MAX_DEPTH)?;
        let limit = bounded("limit", limit, 1, MAX_NODES)?;
        let filter = RelationFilter::new(None, Direction::Both, types.unwrap_or_default())
            .at(parse_as_of(as_of.as_deref())?);
        let found =
            explore::neighborhood(repo(ctx)?.as_ref(), &center, depth, &filter, limit).await?;
        let Some(n) = found else {
            return Err(ApiError::NotFound {
                argument: "id",
                message: format!("no actor has the id `{center}`"),
            });
        };
        // The rest of the query, walked from the actors and relations read.
        let loaders = loaders(ctx)?;
        loaders.keep_actors(n.nodes.iter().map(|r| r.actor.clone()));
        let selection: Vec<_> = ctx.field().selection_set().collect();
        let ids = n.nodes.iter().map(|r| r.actor.id.clone()).collect();
        let starts = vec![
            Start::Actors(vec![center.clone()], below(&selection, field::CENTER)),
            Start::Actors(ids, below(&below(&selection, field::NODES), field::ACTOR)),
            Start::Relations(n.edges.clone(), below(&selection, field::EDGES)),
        ];
        prefetch::run(loaders, starts).await?;
        let center_actor = n.nodes.first().map(|r| r.actor.clone());
        Ok(Some(Neighborhood {
            center: ActorNode(center_actor.ok_or_else(|| ApiError::NotFound {
                argument: "id",
                message: format!("no actor has the id `{center}`"),
            })?),
            nodes: n
                .nodes
                .into_iter()
                .map(|r| NeighborhoodNode {
                    distance: r.distance as i32,
                    actor: ActorNode(r.actor),
                })
                .collect(),
            edges: n.edges.into_iter().map(RelationNode).collect(),
            truncated: n.truncated,
        }))
    }

    /// Dated relations in date order (by start, else end; coarser dates before the
    /// finer ones they contain; then by id): an actor's when `actorId` is given,
    /// else the whole graph's. Undated relations are left out.
    #[graphql(complexity = "timeline_cost(first, child_complexity)")]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this actor's relations (either direction), e.g. `amazon`.")]
        actor_id: Option<ID>,
        #[graphql(desc = "Only relations of these types; all when omitted or empty.")]
        types: Option<Vec<RelationType>>,
        #[graphql(default = 100, desc = "Most entries: 1 to 500, default 100.")] first: i32,
    ) -> ApiResult<Vec<TimelineEntry>> {
        let actor = actor_id
            .map(|id| parse_id("actorId", &id, ActorId::parse))
            .transpose()?;
        let limit = bounded("first", first, 1, MAX_TIMELINE)?;
        let filter = RelationFilter::new(actor, Direction::Both, types.unwrap_or_default());
        let relations = repo(ctx)?.timeline(&filter, limit).await?;
        let selection: Vec<_> = ctx.field().selection_set().collect();
        let start = Start::Relations(relations.clone(), below(&selection, field::RELATION));
        prefetch::run(loaders(ctx)?, vec![start]).await?;
        Ok(relations
            .into_iter()
            .filter_map(|r| {
                let date = r.timeline_date()?.clone();
                Some(TimelineEntry {
                    date: DateNode(date),
                    relation: RelationNode(r),
                })
            })
            .collect())
    }

    /// The shortest paths between two actors, each as a list of hops whose relations
    /// carry their evidence: "how is the CIA connected to KT?". Relations are walked
    /// in either direction unless `directed` is true. Shortest first, then by the ids
    /// along them; an empty list when no path of at most `maxHops` exists. An unknown
    /// id is NOT_FOUND.
    #[graphql(complexity = "paths_cost(max_hops, first, child_complexity)")]
    async fn paths(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Where paths start, e.g. `cia`.")] from_id: ID,
        #[graphql(desc = "Where paths end, e.g. `kt`.")] to_id: ID,
        #[graphql(default = 4, desc = "Longest path: 1 to 6 hops, default 4.")] max_hops: i32,
        #[graphql(desc = "Only relations of these types; all when omitted or empty.")]
        types: Option<Vec<RelationType>>,
        #[graphql(default = 5, desc = "Most paths: 1 to 20, default 5.")] first: i32,
        #[graphql(
            default = false,
            desc = "Follow relations only from their `from` to their `to`."
        )]
        directed: bool,
        #[graphql(
            desc = "Only relations that hold at this date (`2015`, `2015-01` or `2015-01-16`)."
        )]
        as_of: Option<String>,
    ) -> ApiResult<Vec<Path>> {
        let from = parse_id("fromId", &from_id, ActorId::parse)?;
        let to = parse_id("toId", &to_id, ActorId::parse)?;
        let limits = PathLimits {
            max_hops: bounded("maxHops", max_hops, 1, MAX_HOPS)?,
            first: bounded("first", first, 1, MAX_PATHS)?,
            directed,
            max_actors: 10_000,
            per_actor: 500,
        };
        let filter = RelationFilter::new(None, Direction::Both, types.unwrap_or_default())
            .at(parse_as_of(as_of.as_deref())?);
        let repo = repo(ctx)?;
        let Some(found) = explore::paths(repo.as_ref(), &from, &to, &filter, &limits).await? else {
            let missing = if repo
                .actors_by_ids(std::slice::from_ref(&from))
                .await?
                .is_empty()
            {
                ("fromId", &from)
            } else {
                ("toId", &to)
            };
            return Err(ApiError::NotFound {
                argument: missing.0,
                message: format!("no actor has the id `{}`", missing.1),
            });
        };
        // The actors along each path, from `from` to `to`.
        let along: Vec<Vec<ActorId>> = found
            .iter()
            .map(|hops| {
                std::iter::once(from.clone())
                    .chain(hops.iter().map(|h| {
                        if h.reversed {
                            h.relation.from.clone()
                        } else {
                            h.relation.to.clone()
                        }
                    }))
                    .collect()
            })
            .collect();
        let loaders = loaders(ctx)?;
        let selection: Vec<_> = ctx.field().selection_set().collect();
        let relations = found.iter().flatten().map(|h| h.relation.clone()).collect();
        let starts = vec![
            Start::Actors(along.concat(), below(&selection, field::ACTORS)),
            Start::Relations(
                relations,
                below(&below(&selection, field::HOPS), field::RELATION),
            ),
        ];
        prefetch::run(loaders, starts).await?;
        let mut paths = Vec::with_capacity(found.len());
        for (hops, ids) in found.into_iter().zip(along) {
            let mut actors = Vec::with_capacity(ids.len());
            for id in &ids {
                actors.push(ActorNode(loaders.linked_actor(id).await?));
            }
            paths.push(Path {
                length: hops.len() as i32,
                hops: hops
                    .into_iter()
                    .map(|h| PathHop {
                        relation: RelationNode(h.relation),
                        reversed: h.reversed,
                    })
                    .collect(),
                actors,
            });
        }
        Ok(paths)
    }
}
