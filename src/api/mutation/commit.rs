//! Between a resolver and the store: who may write, validation of one record as a
//! document of its own (the seed's rules), the write with its retries over
//! concurrent edits, and publishing what changed.

use std::future::Future;

use async_graphql::Context;

use crate::api::error::ApiError;
use crate::api::events::Feed;
use crate::api::types::{repo, ActorNode, RelationNode, SourceNode};
use crate::auth::{Auth, Caller, Role};
use crate::domain::dataset::RawRelation;
use crate::domain::{self, ActorId, Dataset, Existing, Problem, RawDocument, RelationId, SourceId};
use crate::store::{Change, Record, Repository, Write};

/// The caller, when its key allows `role`.
pub(crate) fn require<'a>(ctx: &Context<'a>, role: Role) -> Result<&'a Caller, ApiError> {
    match ctx.data_opt::<Auth>().unwrap_or(&Auth::Anonymous) {
        Auth::Anonymous => Err(ApiError::Unauthenticated(format!(
            "This needs an API key with the {} role: send `Authorization: Bearer <key>`.",
            role.as_str()
        ))),
        Auth::Invalid => Err(ApiError::Unauthenticated(
            "The API key is not valid: send `Authorization: Bearer <key>` with a key the server knows.".into(),
        )),
        Auth::Caller(c) if c.role >= role => Ok(c),
        Auth::Caller(c) => Err(ApiError::Forbidden(format!(
            "This needs the {} role; the key `{}` has the {} role.",
            role.as_str(),
            c.label,
            c.role.as_str()
        ))),
    }
}

/// The records a document refers to without containing: they must already exist.
pub(super) async fn existing_references(
    repo: &dyn Repository,
    doc: &RawDocument,
) -> Result<Existing, ApiError> {
    let own_actors: std::collections::HashSet<&str> =
        doc.actors.iter().map(|a| a.id.as_str()).collect();
    let own_sources: std::collections::HashSet<&str> =
        doc.sources.iter().map(|s| s.id.as_str()).collect();
    let mut actor_ids: Vec<ActorId> = doc
        .relations
        .iter()
        .flat_map(|r| [r.from.as_str(), r.to.as_str()])
        .filter(|id| !own_actors.contains(id))
        .filter_map(|id| ActorId::parse(id.to_string()).ok())
        .collect();
    actor_ids.sort();
    actor_ids.dedup();
    let mut source_ids: Vec<SourceId> = doc
        .relations
        .iter()
        .flat_map(|r| r.evidence.iter().map(|e| e.source.as_str()))
        .filter(|id| !own_sources.contains(id))
        .filter_map(|id| SourceId::parse(id.to_string()).ok())
        .collect();
    source_ids.sort();
    source_ids.dedup();
    let actors = if actor_ids.is_empty() {
        vec![]
    } else {
        repo.actors_by_ids(&actor_ids).await?
    };
    let sources = if source_ids.is_empty() {
        vec![]
    } else {
        repo.sources_by_ids(&source_ids).await?
    };
    Ok(Existing {
        actor_ids: actors.into_iter().map(|a| a.id.to_string()).collect(),
        source_texts: sources
            .into_iter()
            .map(|s| (s.id.to_string(), s.text))
            .collect(),
    })
}

/// The problems of a data set whose records take ids that stored records of
/// another kind hold (ids are unique across actors, relations and sources, for
/// Relay's `node(id:)`), each at its record's id: three batched reads, one per
/// kind of stored record.
pub(super) async fn ids_held_by_other_kinds(
    repo: &dyn Repository,
    document: &str,
    data: &Dataset,
) -> Result<Vec<Problem>, ApiError> {
    let actors: Vec<&str> = data.actors.iter().map(|a| a.id.as_str()).collect();
    let sources: Vec<&str> = data.sources.iter().map(|s| s.id.as_str()).collect();
    let relations: Vec<&str> = data.relations.iter().map(|r| r.id.as_str()).collect();
    // The ids of two kinds, to look up among the stored records of the third.
    let others = |a: &[&str], b: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = a.iter().chain(b).map(|s| s.to_string()).collect();
        v.sort();
        v.dedup();
        v
    };
    let as_actor: Vec<ActorId> = others(&sources, &relations)
        .into_iter()
        .filter_map(|id| ActorId::parse(id).ok())
        .collect();
    let as_source: Vec<SourceId> = others(&actors, &relations)
        .into_iter()
        .filter_map(|id| SourceId::parse(id).ok())
        .collect();
    let as_relation: Vec<RelationId> = others(&actors, &sources)
        .into_iter()
        .filter_map(|id| RelationId::parse(id).ok())
        .collect();
    let (stored_actors, stored_sources, stored_relations) = futures_util::try_join!(
        async {
            if as_actor.is_empty() {
                Ok(vec![])
            } else {
                repo.actors_by_ids(&as_actor).await
            }
        },
        async {
            if as_source.is_empty() {
                Ok(vec![])
            } else {
                repo.sources_by_ids(&as_source).await
            }
        },
        async {
            if as_relation.is_empty() {
                Ok(vec![])
            } else {
                repo.relations_by_ids(&as_relation).await
            }
        },
    )?;
    let held: std::collections::HashMap<String, &str> = stored_actors
        .iter()
        .map(|a| (a.id.to_string(), "an actor"))
        .chain(
            stored_sources
                .iter()
                .map(|s| (s.id.to_string(), "a source")),
        )
        .chain(
            stored_relations
                .iter()
                .map(|r| (r.id.to_string(), "a relation")),
        )
        .collect();
    let mut problems = Vec::new();
    for (kind, list, own) in [
        ("actors", &actors, "an actor"),
        ("sources", &sources, "a source"),
        ("relations", &relations, "a relation"),
    ] {
        for (i, id) in list.iter().enumerate() {
            if let Some(holder) = held.get(*id).filter(|h| **h != own) {
                problems.push(Problem {
                    document: document.to_string(),
                    path: format!("/{kind}/{i}/id"),
                    message: format!(
                        "`{id}` is the id of {holder} already stored; ids are unique across actors, relations and sources: choose another"
                    ),
                });
            }
        }
    }
    Ok(problems)
}

/// The GraphQL name of a field of the written form (`from` is `fromId` in inputs…).
pub(super) fn input_field(segment: &str) -> &str {
    match segment {
        "from" => "fromId",
        "to" => "toId",
        "source" => "sourceId",
        "date" => "value",
        "publishedAt" => "published",
        other => other,
    }
}

/// A validation problem of a one-record document, with its path rewritten to the
/// argument: `/relations/0/evidence/1/source` → `input.evidence.1.sourceId`.
pub(super) fn to_argument(argument: &str, p: Problem) -> Problem {
    let segments: Vec<&str> = p.path.split('/').skip(3).map(input_field).collect();
    let path = std::iter::once(argument)
        .chain(segments)
        .collect::<Vec<_>>()
        .join(".");
    Problem {
        document: argument.to_string(),
        path,
        message: p.message,
    }
}

/// Validates a document of one record (the domain's rules, as for seed files),
/// reporting problems against `argument`.
pub(super) async fn validate_one(
    repo: &dyn Repository,
    argument: &'static str,
    doc: RawDocument,
) -> Result<Dataset, ApiError> {
    let existing = existing_references(repo, &doc).await?;
    domain::validate_against(&[(argument, &doc)], &existing).map_err(|problems| ApiError::Invalid {
        argument,
        problems: problems
            .into_iter()
            .map(|p| to_argument(argument, p))
            .collect(),
    })
}

/// A record validated as a document of its own, taken out of the data set.
macro_rules! validated {
    ($repo:expr, $argument:expr, $field:ident, $raw:expr) => {{
        let doc = RawDocument {
            $field: vec![$raw],
            ..Default::default()
        };
        validate_one($repo, $argument, doc)
            .await?
            .$field
            .pop()
            .ok_or_else(|| ApiError::Store(internal("validation returned no record")))
    }};
}
pub(super) use validated;

/// A version argument as a store version.
pub(super) fn version(argument: &'static str, v: Option<i64>) -> Result<Option<u64>, ApiError> {
    v.map(|v| {
        u64::try_from(v).map_err(|_| {
            ApiError::bad_input(
                argument,
                format!("`{argument}` must be 0 or more (the `version` of the record you read)"),
            )
        })
    })
    .transpose()
}

/// Writes, publishes what changed, and returns it.
pub(super) async fn commit(
    ctx: &Context<'_>,
    caller: &Caller,
    write: Write,
    argument: &'static str,
) -> Result<Vec<Change>, ApiError> {
    let changes = repo(ctx)
        .map_err(|_| ApiError::Store(internal("schema without a store")))?
        .write(write, &caller.label)
        .await
        .map_err(|e| ApiError::from_write(e, argument))?;
    tracing::info!(key = %caller.label, changes = changes.len(), "write");
    if let Ok(feed) = ctx.data::<Feed>() {
        feed.written();
    }
    Ok(changes)
}

pub(super) fn internal(detail: &str) -> std::sync::Arc<crate::store::StoreError> {
    std::sync::Arc::new(crate::store::StoreError::InvalidRecord {
        backend: "api",
        detail: detail.to_string(),
    })
}

/// How many times an edit without `expectedVersion` is applied again over
/// concurrent changes before it gives up.
pub(super) const EDIT_ATTEMPTS: usize = 10;

/// Reads the record, applies the edit, and writes it against the version read
/// (or `expected`, when the client gave one). When the client gave none and the
/// record changed between the read and the write, the edit is applied again to
/// the new state: the client asked for no locking, so a concurrent edit is not
/// its conflict. Each round some writer wins, so with fewer than
/// [`EDIT_ATTEMPTS`] writers at once every edit lands; past that, CONFLICT.
pub(super) async fn edit<F, Fut>(
    ctx: &Context<'_>,
    caller: &Caller,
    expected: Option<u64>,
    argument: &'static str,
    build: F,
) -> Result<Vec<Change>, ApiError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Write, ApiError>>,
{
    let mut attempts = 0;
    loop {
        let write = with_expected(build().await?, expected);
        match commit(ctx, caller, write, argument).await {
            Err(ApiError::Conflict {
                current_version: Some(_),
                ..
            }) if expected.is_none() && attempts < EDIT_ATTEMPTS => attempts += 1,
            other => return other,
        }
    }
}

/// The write, against the client's expected version when it gave one.
pub(super) fn with_expected(write: Write, expected: Option<u64>) -> Write {
    let Some(v) = expected else { return write };
    match write {
        Write::UpdateActor { actor, .. } => Write::UpdateActor { actor, expected: v },
        Write::UpdateRelation { relation, .. } => Write::UpdateRelation {
            relation,
            expected: v,
        },
        Write::UpdateSource { source, .. } => Write::UpdateSource {
            source,
            expected: v,
        },
        other => other,
    }
}

pub(super) fn first_actor(changes: Vec<Change>) -> Result<ActorNode, ApiError> {
    changes
        .into_iter()
        .rev()
        .find_map(|c| match c.record {
            Record::Actor(a) => Some(ActorNode(a)),
            _ => None,
        })
        .ok_or_else(|| ApiError::Store(internal("a write returned no actor")))
}

pub(super) fn first_relation(changes: Vec<Change>) -> Result<RelationNode, ApiError> {
    changes
        .into_iter()
        .find_map(|c| match c.record {
            Record::Relation(r) => Some(RelationNode(r)),
            _ => None,
        })
        .ok_or_else(|| ApiError::Store(internal("a write returned no relation")))
}

pub(super) fn first_source(changes: Vec<Change>) -> Result<SourceNode, ApiError> {
    changes
        .into_iter()
        .find_map(|c| match c.record {
            Record::Source(s) => Some(SourceNode(s)),
            _ => None,
        })
        .ok_or_else(|| ApiError::Store(internal("a write returned no source")))
}

pub(super) fn not_found(argument: &'static str, what: &str, id: &str) -> ApiError {
    ApiError::NotFound {
        argument,
        message: format!("No {what} has the id `{id}`."),
    }
}

pub(super) async fn current_actor(
    repo: &dyn Repository,
    id: &ActorId,
) -> Result<domain::Actor, ApiError> {
    repo.actors_by_ids(std::slice::from_ref(id))
        .await?
        .pop()
        .ok_or_else(|| not_found("id", "actor", id.as_str()))
}

pub(super) async fn current_relation(
    repo: &dyn Repository,
    argument: &'static str,
    id: &RelationId,
) -> Result<domain::Relation, ApiError> {
    repo.relations_by_ids(std::slice::from_ref(id))
        .await?
        .pop()
        .ok_or_else(|| not_found(argument, "relation", id.as_str()))
}

/// A validated relation, as an update of the stored one.
pub(super) async fn relation_update(
    repo: &dyn Repository,
    argument: &'static str,
    raw: RawRelation,
    version: u64,
) -> Result<Write, ApiError> {
    let relation = validated!(repo, argument, relations, raw)?;
    Ok(Write::UpdateRelation {
        relation,
        expected: version,
    })
}

/// Problems of an added passage, reported against the `evidence` argument.
pub(super) fn evidence_problems(e: ApiError, at: usize) -> ApiError {
    let ApiError::Invalid { problems, .. } = e else {
        return e;
    };
    let prefix = format!("input.evidence.{at}");
    ApiError::Invalid {
        argument: "evidence",
        problems: problems
            .into_iter()
            .map(|p| Problem {
                path: p.path.replacen(&prefix, "evidence", 1),
                ..p
            })
            .collect(),
    }
}
