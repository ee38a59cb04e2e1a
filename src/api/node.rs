//! Relay's global object identification: the `Node` interface on actors,
//! relations and sources, and `node(id:)` / `nodes(ids:)`, which find a record
//! by id whatever its kind. Ids are unique across the three kinds (the write
//! rules and the data-set validation refuse an id another kind holds), so an id
//! names one record; the ids stay the readable slugs.

use async_graphql::{Context, Interface, ID};

use super::error::{ApiError, ApiResult};
use super::prefetch::{self, Start};
use super::types::{loaders, parse_id, repo, ActorNode, RelationNode, SourceNode};
use crate::domain::{ActorId, RelationId, SourceId};

/// The most ids one `nodes` call takes.
pub const MAX_NODES: usize = 100;

/// A record with a globally unique id: an actor, a relation or a source. Ids are
/// unique across the three kinds, so `node(id:)` finds any of them, and Relay
/// clients can refetch and cache records by id alone.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The record's id: a readable slug, unique across actors, relations and sources."
))]
pub enum Node {
    Actor(ActorNode),
    Relation(RelationNode),
    Source(SourceNode),
}

/// The records with these ids, in their order (`None` for an id no record has):
/// the actors, relations and sources are each read in one store call, and what
/// the selection shows below them in one call per level.
pub async fn nodes(ctx: &Context<'_>, ids: &[ID]) -> ApiResult<Vec<Option<Node>>> {
    if ids.len() > MAX_NODES {
        return Err(ApiError::bad_input(
            "ids",
            format!("{} ids: ask for at most {MAX_NODES} at a time", ids.len()),
        ));
    }
    let actor_ids: Vec<ActorId> = ids
        .iter()
        .map(|id| parse_id("ids", id, ActorId::parse))
        .collect::<Result<_, _>>()?;
    let repo = repo(ctx)?;
    let loaders = loaders(ctx)?;
    let relation_ids: Vec<RelationId> = ids
        .iter()
        .filter_map(|id| RelationId::parse(id.to_string()).ok())
        .collect();
    let source_ids: Vec<SourceId> = ids
        .iter()
        .filter_map(|id| SourceId::parse(id.to_string()).ok())
        .collect();
    let selection: Vec<_> = ctx.field().selection_set().collect();
    let (relations, actors, sources) = futures_util::join!(
        repo.relations_by_ids(&relation_ids),
        loaders.actors.fetch(actor_ids.clone()),
        loaders.sources.fetch(source_ids.clone()),
    );
    let relations = relations?;
    actors?;
    sources?;
    let found: Vec<ActorId> = actor_ids
        .iter()
        .filter(|id| loaders.actors.with(id, |_| ()).is_some())
        .cloned()
        .collect();
    prefetch::run(
        loaders,
        vec![
            Start::Actors(found, selection.clone()),
            Start::Relations(relations.clone(), selection),
        ],
    )
    .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let id = id.as_str();
        let actor = ActorId::parse(id.to_string()).ok().and_then(|a| {
            loaders
                .actors
                .with(&a, |a| Node::Actor(ActorNode(a.clone())))
        });
        let node = actor
            .or_else(|| {
                relations
                    .iter()
                    .find(|r| r.id.as_str() == id)
                    .map(|r| Node::Relation(RelationNode(r.clone())))
            })
            .or_else(|| {
                SourceId::parse(id.to_string()).ok().and_then(|s| {
                    loaders
                        .sources
                        .with(&s, |s| Node::Source(SourceNode(s.clone())))
                })
            });
        out.push(node);
    }
    Ok(out)
}
