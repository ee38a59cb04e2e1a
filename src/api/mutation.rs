//! Writes. Each needs an API key (see [`crate::auth`]).

use async_graphql::{Context, Json, Object, SimpleObject};

use super::error::{ApiError, ApiResult};
use crate::auth::{Auth, Caller, Role};
use crate::domain::{self, Existing, RawDocument};
use crate::store::{ImportReport, KindReport, Repository};

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

/// What an import did to one kind of record.
#[derive(SimpleObject)]
pub struct ImportCounts {
    /// Records that were new.
    pub created: i32,
    /// Records that existed and differed, now replaced.
    pub updated: i32,
    /// Records that existed as they are in the document.
    pub unchanged: i32,
}

impl From<KindReport> for ImportCounts {
    fn from(k: KindReport) -> Self {
        let n = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
        ImportCounts {
            created: n(k.created),
            updated: n(k.updated),
            unchanged: n(k.unchanged),
        }
    }
}

/// What `importGraph` did.
#[derive(SimpleObject)]
pub struct ImportResult {
    /// Sources.
    pub sources: ImportCounts,
    /// Actors.
    pub actors: ImportCounts,
    /// Relations.
    pub relations: ImportCounts,
    /// False when the store already held the document exactly (nothing written).
    pub changed: bool,
}

impl From<ImportReport> for ImportResult {
    fn from(r: ImportReport) -> Self {
        ImportResult {
            changed: !r.unchanged(),
            sources: r.sources.into(),
            actors: r.actors.into(),
            relations: r.relations.into(),
        }
    }
}

/// The records a document refers to without containing: they must already exist.
async fn existing_references(
    repo: &dyn Repository,
    doc: &RawDocument,
) -> Result<Existing, ApiError> {
    let own_actors: std::collections::HashSet<&str> =
        doc.actors.iter().map(|a| a.id.as_str()).collect();
    let own_sources: std::collections::HashSet<&str> =
        doc.sources.iter().map(|s| s.id.as_str()).collect();
    let mut actor_ids: Vec<domain::ActorId> = doc
        .relations
        .iter()
        .flat_map(|r| [r.from.as_str(), r.to.as_str()])
        .filter(|id| !own_actors.contains(id))
        .filter_map(|id| domain::ActorId::parse(id.to_string()).ok())
        .collect();
    actor_ids.sort();
    actor_ids.dedup();
    let mut source_ids: Vec<domain::SourceId> = doc
        .relations
        .iter()
        .flat_map(|r| r.evidence.iter().map(|e| e.source.as_str()))
        .filter(|id| !own_sources.contains(id))
        .filter_map(|id| domain::SourceId::parse(id.to_string()).ok())
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

/// Writes to the graph.
#[derive(Default)]
pub struct MutationRoot;

/// Writes to the graph. Each needs an API key, sent as `Authorization: Bearer <key>`
/// (make one with `actorgraph key`).
#[Object(name = "Mutation")]
impl MutationRoot {
    /// Imports a document in the data-set format of `seed/` (`{"sources": […],
    /// "actors": […], "relations": […]}`, sources with their full `text`), so that
    /// scripts can seed over HTTP. Its relations may refer to actors and sources
    /// already in the graph. The document is validated whole first: a bad one writes
    /// nothing and fails with BAD_USER_INPUT, `extensions.problems` listing every
    /// problem with its JSON path. A good one is written all or nothing: new records
    /// are created, changed ones replaced, the rest left as they are, so running the
    /// same import again changes nothing. Needs an API key with the admin role.
    async fn import_graph(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The data-set document, as JSON.")] document: Json<serde_json::Value>,
    ) -> ApiResult<ImportResult> {
        let caller = require(ctx, Role::Admin)?;
        let raw: RawDocument = serde_json::from_value(document.0).map_err(|e| {
            ApiError::bad_input(
                "document",
                format!("`document` is not a data-set document: {e}; see docs/data-format.md"),
            )
        })?;
        let repo = super::types::repo(ctx)?;
        let existing = existing_references(repo.as_ref(), &raw).await?;
        let data = domain::validate_against(&[("document", &raw)], &existing)
            .map_err(ApiError::InvalidDocument)?;
        let report = repo.import(&data).await.map_err(ApiError::from)?;
        tracing::info!(
            key = %caller.label,
            actors_created = report.actors.created, actors_updated = report.actors.updated,
            relations_created = report.relations.created, relations_updated = report.relations.updated,
            "importGraph"
        );
        Ok(report.into())
    }
}
