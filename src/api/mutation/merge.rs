//! `mergeActors`: two records of one actor become one. The merged actor's
//! relations move to the kept one (with their evidence), those between the two
//! go (a relation cannot join an actor to itself), the kept actor takes the
//! merged one's names as aliases (and any name or description it lacks) and its
//! id, which still finds it (`Actor.mergedIds`), and the merged actor is deleted:
//! one write, in the history under the admin's key.

use async_graphql::{Context, SimpleObject, ID};

use super::commit::{commit, internal, not_found, validate_one};
use crate::api::error::{ApiError, ApiResult};
use crate::api::types::{repo, ActorNode};
use crate::auth::Caller;
use crate::domain::dataset::{limits, RawActor};
use crate::domain::{search, Actor, ActorId, Direction, RawDocument};
use crate::store::{PageRequest, Record, RelationFilter, RelationQuery, Write};

/// How many relations one merge moves at most.
pub const MAX_MERGED_RELATIONS: usize = 5_000;

/// What a merge did.
#[derive(SimpleObject)]
pub struct MergeResult {
    /// The kept actor, as it is now.
    pub actor: ActorNode,
    /// The relations moved to it from the merged actor.
    pub moved: Vec<ID>,
    /// The relations between the two, deleted.
    pub dropped: Vec<ID>,
}

/// The actor's own record (not the one a merged id leads to).
async fn own(ctx: &Context<'_>, id: &ActorId, argument: &'static str) -> ApiResult<Actor> {
    repo(ctx)?
        .actors_by_ids(std::slice::from_ref(id))
        .await?
        .into_iter()
        .find(|a| a.id == *id)
        .ok_or_else(|| not_found(argument, "actor", id.as_str()))
}

/// The kept actor with the merged one's names, aliases, description and ids.
fn absorbed(keep: &Actor, merge: &Actor) -> RawActor {
    let mut raw = RawActor::from(keep);
    if raw.name_ko.is_none() {
        raw.name_ko = merge.name_ko.clone();
    }
    if raw.name_en.is_none() {
        raw.name_en = merge.name_en.clone();
    }
    if raw.description.is_none() {
        raw.description = merge.description.clone();
    }
    let mut keys: Vec<String> = [&raw.name_ko, &raw.name_en]
        .into_iter()
        .flatten()
        .chain(raw.aliases.iter())
        .map(|n| search::fold(n))
        .collect();
    for name in merge
        .name_ko
        .iter()
        .chain(merge.name_en.iter())
        .chain(merge.aliases.iter())
    {
        let folded = search::fold(name);
        if !keys.contains(&folded) {
            keys.push(folded);
            raw.aliases.push(name.clone());
        }
    }
    for id in std::iter::once(&merge.id).chain(merge.merged_ids.iter()) {
        if !raw.merged_ids.contains(&id.to_string()) {
            raw.merged_ids.push(id.to_string());
        }
    }
    raw
}

/// `mergeActors`.
pub(super) async fn merge(
    ctx: &Context<'_>,
    caller: &Caller,
    keep: ActorId,
    merge: ActorId,
) -> ApiResult<MergeResult> {
    if keep == merge {
        return Err(ApiError::bad_input(
            "merge",
            "`keep` and `merge` are the same actor: name two",
        ));
    }
    let kept = own(ctx, &keep, "keep").await?;
    let merged = own(ctx, &merge, "merge").await?;
    let query = RelationQuery {
        total: false,
        filter: RelationFilter::new(Some(merge.clone()), Direction::Both, Vec::new()),
        order: Default::default(),
        page: PageRequest {
            first: MAX_MERGED_RELATIONS,
            after: None,
        },
    };
    let page = repo(ctx)?
        .find_relations(std::slice::from_ref(&query))
        .await?
        .pop()
        .ok_or_else(|| ApiError::Store(internal("no relation page")))?;
    if page.has_next_page {
        return Err(ApiError::bad_input(
            "merge",
            format!("`{merge}` has more than {MAX_MERGED_RELATIONS} relations, more than one merge moves: move some with updateRelation first"),
        ));
    }
    let raw = absorbed(&kept, &merged);
    if raw.aliases.len() > limits::ALIASES {
        return Err(ApiError::bad_input(
            "merge",
            format!(
                "together the two have {} aliases, more than {}: remove some from either first",
                raw.aliases.len(),
                limits::ALIASES
            ),
        ));
    }
    let doc = RawDocument {
        actors: vec![raw],
        ..Default::default()
    };
    let mut actor = validate_one(repo(ctx)?.as_ref(), "keep", doc)
        .await?
        .actors
        .pop()
        .ok_or_else(|| ApiError::Store(internal("validation returned no actor")))?;
    actor.meta = kept.meta.clone();
    let mut writes = Vec::new();
    let (mut moved, mut dropped) = (Vec::new(), Vec::new());
    for r in page.items {
        let version = r.meta.version;
        let between = (r.from == merge && r.to == keep) || (r.from == keep && r.to == merge);
        if between {
            dropped.push(ID(r.id.to_string()));
            writes.push(Write::DeleteRelation {
                id: r.id,
                expected: Some(version),
            });
            continue;
        }
        let mut r = r;
        if r.from == merge {
            r.from = keep.clone();
        }
        if r.to == merge {
            r.to = keep.clone();
        }
        moved.push(ID(r.id.to_string()));
        writes.push(Write::UpdateRelation {
            relation: r,
            expected: version,
        });
    }
    writes.push(Write::DeleteActor {
        id: merge.clone(),
        expected: Some(merged.meta.version),
        cascade: false,
    });
    writes.push(Write::UpdateActor {
        actor,
        expected: kept.meta.version,
    });
    let changes = commit(ctx, caller, Write::Batch(writes), "keep").await?;
    let actor = changes
        .into_iter()
        .rev()
        .find_map(|c| match c.record {
            Record::Actor(a) if a.id == keep => Some(a),
            _ => None,
        })
        .ok_or_else(|| ApiError::Store(internal("a merge wrote no actor")))?;
    Ok(MergeResult {
        actor: ActorNode(actor),
        moved,
        dropped,
    })
}
