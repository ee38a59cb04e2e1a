//! Reviewing intake's claims: `acceptClaim` writes the claim's relation (and any
//! new actor) through the ordinary validation, or adds its sentence as evidence
//! to the stored relation with the same ends and type (corroboration), and marks
//! the claim accepted, all in one write under the reviewer's key; `rejectClaim`
//! marks it rejected with a reason. Both are in the history of the claim (and
//! of what they wrote).

use async_graphql::{Context, InputObject, ID};

use super::commit::{commit, internal, not_found, validate_one};
use super::inputs::DateInput;
use crate::api::error::{ApiError, ApiResult};
use crate::api::types::repo;
use crate::auth::Caller;
use crate::domain::dataset::{limits, RawActor, RawDate, RawEvidence, RawRelation};
use crate::domain::{
    ActorId, ActorKind, Claim, ClaimEnd, ClaimId, RawDocument, RelationId, RelationType, Review,
    MAX_ID_LEN,
};
use crate::store::{Record, Repository, Write};

/// A new actor to create for an end of a claim that no stored actor is.
#[derive(InputObject, Clone)]
pub struct NewActorInput {
    /// A slug: lowercase letters, digits and single hyphens, e.g. `cloud-act`.
    pub id: ID,
    /// What the actor is; default: the kind intake suggested.
    pub kind: Option<ActorKind>,
    /// Name in Korean; default: the name as the text gives it, when Korean.
    pub name_ko: Option<String>,
    /// Name in English; default: the name as the text gives it, when not Korean.
    pub name_en: Option<String>,
    /// Other names, abbreviations and spellings.
    #[graphql(default)]
    pub aliases: Vec<String>,
    /// A short description.
    pub description: Option<String>,
}

/// Changes to a claim's draft while accepting it: a field left out keeps the
/// claim's value.
#[derive(InputObject, Clone, Default)]
pub struct ClaimEdits {
    /// Another type.
    #[graphql(name = "type")]
    pub kind: Option<RelationType>,
    /// A stored actor as the `from` end (e.g. one of a new name's duplicates).
    pub from_id: Option<ID>,
    /// A stored actor as the `to` end.
    pub to_id: Option<ID>,
    /// The actor to create as the `from` end, when it is a new name.
    pub new_from: Option<NewActorInput>,
    /// The actor to create as the `to` end, when it is a new name.
    pub new_to: Option<NewActorInput>,
    /// The new relation's id; default: `<from>-<type>-<to>` (with a number
    /// when taken).
    pub relation_id: Option<ID>,
    /// The one-line summary.
    pub summary: Option<String>,
    /// When it began.
    pub start: Option<DateInput>,
    /// When it ended.
    pub end: Option<DateInput>,
    /// The role, for positions.
    pub role: Option<String>,
    /// The status in the source's words.
    pub status: Option<String>,
    /// An editor's caveat.
    pub note: Option<String>,
    /// Write a relation of its own even when a stored relation has the same ends
    /// and type (by default the sentence becomes evidence of that one).
    #[graphql(default)]
    pub separate: bool,
}

fn conflict(message: String) -> ApiError {
    ApiError::Conflict {
        message,
        current_version: None,
    }
}

/// The claim `id`, pending, at `expected` when given.
async fn pending(repo: &dyn Repository, id: &ClaimId, expected: Option<u64>) -> ApiResult<Claim> {
    let claim = repo
        .claims_by_ids(std::slice::from_ref(id))
        .await?
        .pop()
        .ok_or_else(|| not_found("id", "claim", id.as_str()))?;
    if let Some(e) = expected {
        if e != claim.meta.version {
            return Err(ApiError::Conflict {
                message: format!(
                    "claim `{id}` is at version {}, not {e}: read it again",
                    claim.meta.version
                ),
                current_version: Some(claim.meta.version),
            });
        }
    }
    match &claim.review {
        Review::Pending => Ok(claim),
        Review::Accepted { relation } => Err(conflict(format!(
            "claim `{id}` was already accepted, as relation `{relation}`"
        ))),
        Review::Rejected { .. } => Err(conflict(format!("claim `{id}` was already rejected"))),
    }
}

/// An end of the relation to write: a stored actor's id, and the actor to
/// create first when the end is new.
fn end(
    claim_end: &ClaimEnd,
    stored: Option<&ID>,
    new: Option<&NewActorInput>,
    which: &'static str,
) -> ApiResult<(String, Option<RawActor>)> {
    if let Some(id) = stored {
        return Ok((id.to_string(), None));
    }
    match (claim_end, new) {
        (_, Some(n)) => {
            let (kind, name) = match claim_end {
                ClaimEnd::New(e) => (e.kind, Some(e.name.clone())),
                ClaimEnd::Known(_) => (ActorKind::Company, None),
            };
            let korean = name
                .as_deref()
                .is_some_and(|n| n.chars().any(crate::domain::intake::words::is_hangul));
            let raw = RawActor {
                id: n.id.to_string(),
                kind: n.kind.unwrap_or(kind).as_str().to_string(),
                name_ko: n.name_ko.clone().or(name.clone().filter(|_| korean)),
                name_en: n.name_en.clone().or(name.filter(|_| !korean)),
                aliases: n.aliases.clone(),
                description: n.description.clone(),
                merged_ids: Vec::new(),
            };
            Ok((n.id.to_string(), Some(raw)))
        }
        (ClaimEnd::Known(id), None) => Ok((id.to_string(), None)),
        (ClaimEnd::New(e), None) => {
            let hint = if e.duplicates.is_empty() {
                String::new()
            } else {
                let ids: Vec<String> = e.duplicates.iter().map(|d| format!("`{d}`")).collect();
                format!(" (it may be {})", ids.join(" or "))
            };
            Err(ApiError::bad_input(
                "edits",
                format!(
                    "the claim's `{which}` is a name no stored actor had, `{}` ({}): pass `edits.{which}Id` with a stored actor{hint}, or `edits.new{}` with an id to create it",
                    e.name,
                    e.kind.as_str(),
                    if which == "from" { "From" } else { "To" }
                ),
            ))
        }
    }
}

/// A free relation id for `from`, `kind`, `to`: `<from>-<type>-<to>`, numbered
/// when taken.
async fn relation_id(
    repo: &dyn Repository,
    from: &str,
    kind: RelationType,
    to: &str,
) -> ApiResult<String> {
    let base: String = format!(
        "{from}-{}-{to}",
        kind.as_str().to_lowercase().replace('_', "-")
    )
    .chars()
    .take(MAX_ID_LEN - 3)
    .collect();
    let base = base.trim_end_matches('-').to_string();
    let candidates: Vec<String> = std::iter::once(base.clone())
        .chain((2..=20).map(|n| format!("{base}-{n}")))
        .collect();
    let ids: Vec<RelationId> = candidates
        .iter()
        .filter_map(|c| RelationId::parse(c.clone()).ok())
        .collect();
    let taken: Vec<String> = repo
        .relations_by_ids(&ids)
        .await?
        .into_iter()
        .map(|r| r.id.to_string())
        .collect();
    candidates
        .into_iter()
        .find(|c| !taken.contains(c))
        .ok_or_else(|| {
            ApiError::bad_input(
                "edits",
                format!("relations `{base}` to `{base}-20` all exist: pass `edits.relationId`"),
            )
        })
}

/// `acceptClaim`.
pub(super) async fn accept(
    ctx: &Context<'_>,
    caller: &Caller,
    id: ClaimId,
    edits: ClaimEdits,
    expected: Option<u64>,
) -> ApiResult<Claim> {
    let repo = repo(ctx)?.as_ref();
    let claim = pending(repo, &id, expected).await?;
    let (from, new_from) = end(
        &claim.from,
        edits.from_id.as_ref(),
        edits.new_from.as_ref(),
        "from",
    )?;
    let (to, new_to) = end(&claim.to, edits.to_id.as_ref(), edits.new_to.as_ref(), "to")?;
    let kind = match edits.kind {
        Some(k) => k,
        None => RelationType::parse(&claim.draft.kind)
            .ok_or_else(|| ApiError::Store(internal("a claim with an unknown type")))?,
    };
    let mut draft: RawRelation = claim.draft.clone();
    draft.kind = kind.as_str().to_string();
    draft.from = from.clone();
    draft.to = to.clone();
    if let Some(s) = &edits.summary {
        draft.summary = s.clone();
    }
    if let Some(d) = &edits.start {
        draft.start = Some(RawDate::from(d));
    }
    if let Some(d) = &edits.end {
        draft.end = Some(RawDate::from(d));
    }
    for (field, value) in [
        (&mut draft.role, &edits.role),
        (&mut draft.status, &edits.status),
        (&mut draft.note, &edits.note),
    ] {
        if value.is_some() {
            *field = value.clone();
        }
    }
    let new_actors: Vec<RawActor> = new_from.into_iter().chain(new_to).collect();
    // Corroboration: the sentence becomes evidence of the stored relation with
    // the same ends and type, unless the reviewer wants one of its own.
    let same = if edits.separate || edits.relation_id.is_some() || !new_actors.is_empty() {
        None
    } else {
        same_pair(repo, &from, kind, &to).await?
    };
    let mut writes = Vec::new();
    let relation =
        match same {
            Some(mut stored) => {
                let evidence = RawEvidence {
                    source: claim.source.to_string(),
                    quote: claim.quote.clone(),
                };
                let mut raw = RawRelation::from(&stored);
                if !raw
                    .evidence
                    .iter()
                    .any(|e| e.source == evidence.source && e.quote == evidence.quote)
                {
                    raw.evidence.push(evidence);
                }
                let doc = RawDocument {
                    relations: vec![raw],
                    ..Default::default()
                };
                let checked = validate_one(repo, "edits", doc).await?;
                let version = stored.meta.version;
                stored =
                    checked.relations.into_iter().next().ok_or_else(|| {
                        ApiError::Store(internal("validation returned no relation"))
                    })?;
                let id = stored.id.clone();
                writes.push(Write::UpdateRelation {
                    relation: stored,
                    expected: version,
                });
                id
            }
            None => {
                draft.id = match &edits.relation_id {
                    Some(id) => id.to_string(),
                    None => relation_id(repo, &from, kind, &to).await?,
                };
                let doc = RawDocument {
                    actors: new_actors,
                    relations: vec![draft],
                    ..Default::default()
                };
                let checked = validate_one(repo, "edits", doc).await?;
                writes.extend(checked.actors.into_iter().map(Write::CreateActor));
                let relation =
                    checked.relations.into_iter().next().ok_or_else(|| {
                        ApiError::Store(internal("validation returned no relation"))
                    })?;
                let id = relation.id.clone();
                writes.push(Write::CreateRelation(relation));
                id
            }
        };
    let version = claim.meta.version;
    let mut accepted = claim;
    accepted.review = Review::Accepted { relation };
    writes.push(Write::UpdateClaim {
        claim: accepted,
        expected: version,
    });
    reviewed(commit(ctx, caller, Write::Batch(writes), "id").await?)
}

/// The stored relation from `from` to `to` of type `kind` (the first by id).
async fn same_pair(
    repo: &dyn Repository,
    from: &str,
    kind: RelationType,
    to: &str,
) -> ApiResult<Option<crate::domain::Relation>> {
    let Ok(from) = ActorId::parse(from.to_string()) else {
        return Ok(None);
    };
    // Read from the store itself, not the request's loaders: a write decides on
    // what is stored now.
    let query = crate::api::claims::same_pair_query(from, kind, 1_000);
    let mut pages = repo.find_relations(std::slice::from_ref(&query)).await?;
    Ok(pages
        .pop()
        .and_then(|p| p.items.into_iter().find(|r| r.to.as_str() == to)))
}

/// `rejectClaim`.
pub(super) async fn reject(
    ctx: &Context<'_>,
    caller: &Caller,
    id: ClaimId,
    reason: String,
    expected: Option<u64>,
) -> ApiResult<Claim> {
    let reason = reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > limits::NOTE {
        return Err(ApiError::bad_input(
            "reason",
            format!(
                "say why the claim is rejected, in 1 to {} characters",
                limits::NOTE
            ),
        ));
    }
    let repo = repo(ctx)?.as_ref();
    let claim = pending(repo, &id, expected).await?;
    let version = claim.meta.version;
    let mut rejected = claim;
    rejected.review = Review::Rejected { reason };
    reviewed(
        commit(
            ctx,
            caller,
            Write::UpdateClaim {
                claim: rejected,
                expected: version,
            },
            "id",
        )
        .await?,
    )
}

/// The claim a review wrote.
fn reviewed(changes: Vec<crate::store::Change>) -> ApiResult<Claim> {
    changes
        .into_iter()
        .rev()
        .find_map(|c| match c.record {
            Record::Claim(c) => Some(c),
            _ => None,
        })
        .ok_or_else(|| ApiError::Store(internal("a review wrote no claim")))
}
