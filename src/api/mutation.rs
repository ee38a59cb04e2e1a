//! Writes. Each needs an API key (see [`crate::auth`]): `editor` creates and edits,
//! `admin` may also delete and import.
//!
//! Every write is validated by the domain's rules (the seed loader's), written all
//! or nothing by the store, and then published to the change feed.

use std::future::Future;

use async_graphql::{Context, InputObject, Json, MaybeUndefined, Object, SimpleObject, ID};

use super::error::{ApiError, ApiResult};
use super::events::ChangeBus;
use super::types::{parse_id, repo, ActorNode, RelationNode, SourceNode};
use crate::auth::{Auth, Caller, Role};
use crate::domain::dataset::{
    RawActor, RawArea, RawDate, RawDateFull, RawEvidence, RawMoney, RawRelation, RawSource,
};
use crate::domain::{
    self, ActorId, ActorKind, Dataset, Existing, Problem, RawDocument, RelationId, RelationType,
    SourceId,
};
use crate::store::{Change, ImportReport, KindReport, Record, Repository, Write};

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

/// What `deleteActor` deleted.
#[derive(SimpleObject)]
pub struct DeleteActorResult {
    /// The actor as it was.
    pub actor: ActorNode,
    /// The relations deleted with it (`cascade: true`), as they were.
    pub deleted_relations: Vec<RelationNode>,
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

/// The GraphQL name of a field of the written form (`from` is `fromId` in inputs…).
fn input_field(segment: &str) -> &str {
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
fn to_argument(argument: &str, p: Problem) -> Problem {
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
async fn validate_one(
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

/// A version argument as a store version.
fn version(argument: &'static str, v: Option<i64>) -> Result<Option<u64>, ApiError> {
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
async fn commit(
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
    if let Ok(bus) = ctx.data::<ChangeBus>() {
        bus.publish(changes.clone(), &caller.label);
    }
    Ok(changes)
}

fn internal(detail: &str) -> std::sync::Arc<crate::store::StoreError> {
    std::sync::Arc::new(crate::store::StoreError::InvalidRecord {
        backend: "api",
        detail: detail.to_string(),
    })
}

/// How many times an edit without `expectedVersion` is applied again over
/// concurrent changes before it gives up.
const EDIT_ATTEMPTS: usize = 10;

/// Reads the record, applies the edit, and writes it against the version read
/// (or `expected`, when the client gave one). When the client gave none and the
/// record changed between the read and the write, the edit is applied again to
/// the new state: the client asked for no locking, so a concurrent edit is not
/// its conflict. Each round some writer wins, so with fewer than
/// [`EDIT_ATTEMPTS`] writers at once every edit lands; past that, CONFLICT.
async fn edit<F, Fut>(
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
fn with_expected(write: Write, expected: Option<u64>) -> Write {
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

fn first_actor(changes: Vec<Change>) -> Result<ActorNode, ApiError> {
    changes
        .into_iter()
        .rev()
        .find_map(|c| match c.record {
            Record::Actor(a) => Some(ActorNode(a)),
            _ => None,
        })
        .ok_or_else(|| ApiError::Store(internal("a write returned no actor")))
}

fn first_relation(changes: Vec<Change>) -> Result<RelationNode, ApiError> {
    changes
        .into_iter()
        .find_map(|c| match c.record {
            Record::Relation(r) => Some(RelationNode(r)),
            _ => None,
        })
        .ok_or_else(|| ApiError::Store(internal("a write returned no relation")))
}

fn first_source(changes: Vec<Change>) -> Result<SourceNode, ApiError> {
    changes
        .into_iter()
        .find_map(|c| match c.record {
            Record::Source(s) => Some(SourceNode(s)),
            _ => None,
        })
        .ok_or_else(|| ApiError::Store(internal("a write returned no source")))
}

fn not_found(argument: &'static str, what: &str, id: &str) -> ApiError {
    ApiError::NotFound {
        argument,
        message: format!("No {what} has the id `{id}`."),
    }
}

async fn current_actor(repo: &dyn Repository, id: &ActorId) -> Result<domain::Actor, ApiError> {
    repo.actors_by_ids(std::slice::from_ref(id))
        .await?
        .pop()
        .ok_or_else(|| not_found("id", "actor", id.as_str()))
}

async fn current_relation(
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
async fn relation_update(
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

/// A date: `{value: "2015-01", inferred: true, note: "…"}`, at the precision the
/// source gives (as `DateValue` reads back).
#[derive(InputObject, Clone)]
pub struct DateInput {
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub value: String,
    /// True when the source does not state the date and an editor worked it out
    /// (then `note` must say how).
    #[graphql(default)]
    pub inferred: bool,
    /// How the date was worked out, or another caveat.
    pub note: Option<String>,
}

impl From<&DateInput> for RawDate {
    fn from(d: &DateInput) -> Self {
        RawDate::Full(RawDateFull {
            date: d.value.clone(),
            inferred: d.inferred,
            note: d.note.clone(),
        })
    }
}

/// A sum of money.
#[derive(InputObject, Clone)]
pub struct MoneyInput {
    /// In the currency's main unit (dollars, not cents); 0 or more.
    pub value: f64,
    /// ISO 4217 code, e.g. `USD`, `KRW`.
    pub currency: String,
}

/// A floor area.
#[derive(InputObject, Clone)]
pub struct AreaInput {
    /// Square metres; more than 0.
    pub square_metres: f64,
    /// True when the source gives it as approximate.
    #[graphql(default)]
    pub approximate: bool,
}

/// A passage of a source that states a relation.
#[derive(InputObject, Clone)]
pub struct EvidenceInput {
    /// The source quoted; it must exist (`createSource` or `importGraph`).
    pub source_id: ID,
    /// The exact words of the source, as a substring of its text.
    pub quote: String,
}

impl From<&EvidenceInput> for RawEvidence {
    fn from(e: &EvidenceInput) -> Self {
        RawEvidence {
            source: e.source_id.to_string(),
            quote: e.quote.clone(),
        }
    }
}

/// A new actor.
#[derive(InputObject)]
pub struct CreateActorInput {
    /// A slug: lowercase letters, digits and single hyphens, e.g. `korea-telecom`.
    pub id: ID,
    /// What the actor is.
    pub kind: ActorKind,
    /// Name in Korean (at least one of the two names).
    pub name_ko: Option<String>,
    /// Name in English (at least one of the two names).
    pub name_en: Option<String>,
    /// Other names, abbreviations and spellings.
    #[graphql(default)]
    pub aliases: Vec<String>,
    /// A short description.
    pub description: Option<String>,
}

/// Changes to an actor: a field left out stays as it is; `null` clears it.
#[derive(InputObject)]
pub struct UpdateActorInput {
    /// A new kind (the actor keeps its relations).
    pub kind: Option<ActorKind>,
    /// Name in Korean.
    pub name_ko: MaybeUndefined<String>,
    /// Name in English.
    pub name_en: MaybeUndefined<String>,
    /// Replaces the aliases.
    pub aliases: Option<Vec<String>>,
    /// A short description.
    pub description: MaybeUndefined<String>,
}

/// A new relation. `fromId` and `toId` must exist, and every quote must be found
/// in its source's text.
#[derive(InputObject)]
pub struct CreateRelationInput {
    /// A slug, e.g. `kt-lease-amazon`.
    pub id: ID,
    /// What the relation states; it fixes the direction (see `RelationType`).
    #[graphql(name = "type")]
    pub kind: RelationType,
    /// The actor the relation goes from.
    pub from_id: ID,
    /// The actor the relation goes to.
    pub to_id: ID,
    /// One line saying what the relation is.
    pub summary: String,
    /// Money involved.
    pub amount: Option<MoneyInput>,
    /// When it began (or the day it happened).
    pub start: Option<DateInput>,
    /// When it ended or ends; not before `start`.
    pub end: Option<DateInput>,
    /// The role or title, for positions.
    pub role: Option<String>,
    /// Floor area, for leases.
    pub area: Option<AreaInput>,
    /// State in the source's words: signed, pending…
    pub status: Option<String>,
    /// An editor's caveat on how the evidence supports the relation.
    pub note: Option<String>,
    /// The passages that state it; at least one.
    pub evidence: Vec<EvidenceInput>,
}

/// Changes to a relation: a field left out stays as it is; `null` clears it.
#[derive(InputObject)]
pub struct UpdateRelationInput {
    /// A new type.
    #[graphql(name = "type")]
    pub kind: Option<RelationType>,
    /// A new start actor.
    pub from_id: Option<ID>,
    /// A new end actor.
    pub to_id: Option<ID>,
    /// A new summary.
    pub summary: Option<String>,
    /// Money involved.
    pub amount: MaybeUndefined<MoneyInput>,
    /// When it began.
    pub start: MaybeUndefined<DateInput>,
    /// When it ended or ends.
    pub end: MaybeUndefined<DateInput>,
    /// The role or title.
    pub role: MaybeUndefined<String>,
    /// Floor area.
    pub area: MaybeUndefined<AreaInput>,
    /// State in the source's words.
    pub status: MaybeUndefined<String>,
    /// An editor's caveat.
    pub note: MaybeUndefined<String>,
    /// Replaces all the evidence (see also `addEvidence`, `removeEvidence`).
    pub evidence: Option<Vec<EvidenceInput>>,
}

/// A new source document, with its full text.
#[derive(InputObject)]
pub struct CreateSourceInput {
    /// A slug, e.g. `etnews-2015-02-cloud`.
    pub id: ID,
    /// Title.
    pub title: String,
    /// Publisher.
    pub publisher: Option<String>,
    /// BCP 47 language tag of the text, e.g. `ko`.
    pub language: String,
    /// Publication date.
    pub published: Option<DateInput>,
    /// Where it was published.
    pub url: Option<String>,
    /// An editor's note.
    pub note: Option<String>,
    /// The full text, which evidence quotes are checked against.
    pub text: String,
}

/// Changes to a source's description: a field left out stays; `null` clears it.
/// The text cannot change: quotes were verified against it.
#[derive(InputObject)]
pub struct UpdateSourceInput {
    /// Title.
    pub title: Option<String>,
    /// Publisher.
    pub publisher: MaybeUndefined<String>,
    /// BCP 47 language tag.
    pub language: Option<String>,
    /// Publication date.
    pub published: MaybeUndefined<DateInput>,
    /// Where it was published.
    pub url: MaybeUndefined<String>,
    /// An editor's note.
    pub note: MaybeUndefined<String>,
}

/// Applies a field of a partial update: left out keeps, `null` clears.
fn patch<T, R>(field: &mut Option<R>, value: &MaybeUndefined<T>, convert: impl Fn(&T) -> R) {
    match value {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => *field = None,
        MaybeUndefined::Value(v) => *field = Some(convert(v)),
    }
}

fn money(m: &MoneyInput) -> RawMoney {
    RawMoney {
        value: m.value,
        currency: m.currency.clone(),
    }
}

fn area(a: &AreaInput) -> RawArea {
    RawArea {
        square_metres: a.square_metres,
        approximate: a.approximate,
    }
}

/// Writes to the graph.
#[derive(Default)]
pub struct MutationRoot;

/// Writes to the graph. Each needs an API key, sent as `Authorization: Bearer <key>`
/// (make one with `actorgraph key`): the editor role creates and edits, the admin
/// role may also delete and import. Input is checked by the same rules as seed
/// files; a refused write changes nothing. Every write is published to the
/// subscriptions (`actorChanged`, `relationChanged`).
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
        if !document.0.is_object() {
            return Err(ApiError::bad_input(
                "document",
                "`document` must be a JSON object (a data-set document); see docs/data-format.md",
            )
            .into());
        }
        let raw = RawDocument::from_json(document.0).map_err(|e| {
            ApiError::bad_input(
                "document",
                format!(
                    "`document` is not a data-set document: {}; see docs/data-format.md",
                    crate::api::excerpt(&e, 300)
                ),
            )
        })?;
        let repo = repo(ctx)?;
        let existing = existing_references(repo.as_ref(), &raw).await?;
        let data =
            domain::validate_against(&[("document", &raw)], &existing).map_err(|problems| {
                ApiError::Invalid {
                    argument: "document",
                    problems,
                }
            })?;
        let imported = repo
            .import(&data, &caller.label)
            .await
            .map_err(ApiError::from)?;
        let report = imported.report;
        tracing::info!(
            key = %caller.label,
            actors_created = report.actors.created, actors_updated = report.actors.updated,
            relations_created = report.relations.created, relations_updated = report.relations.updated,
            "importGraph"
        );
        if let Ok(bus) = ctx.data::<ChangeBus>() {
            bus.publish(imported.changes, &caller.label);
        }
        Ok(report.into())
    }

    /// Creates an actor. CONFLICT if the id is taken. Needs the editor role.
    async fn create_actor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The actor.")] input: CreateActorInput,
    ) -> ApiResult<ActorNode> {
        let caller = require(ctx, Role::Editor)?;
        let raw = RawActor {
            id: input.id.to_string(),
            kind: input.kind.as_str().to_string(),
            name_ko: input.name_ko,
            name_en: input.name_en,
            aliases: input.aliases,
            description: input.description,
        };
        let actor = validated!(repo(ctx)?.as_ref(), "input", actors, raw)?;
        Ok(first_actor(
            commit(ctx, caller, Write::CreateActor(actor), "input").await?,
        )?)
    }

    /// Changes some fields of an actor. With `expectedVersion`, fails with
    /// CONFLICT (and `extensions.currentVersion`) if the actor is no longer at
    /// that version. Needs the editor role.
    async fn update_actor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The actor's id.")] id: ID,
        #[graphql(desc = "The fields to change.")] input: UpdateActorInput,
        #[graphql(desc = "The `version` you read; the update fails if it moved on.")]
        expected_version: Option<i64>,
    ) -> ApiResult<ActorNode> {
        let caller = require(ctx, Role::Editor)?;
        let id = parse_id("id", &id, ActorId::parse)?;
        let expected = version("expectedVersion", expected_version)?;
        let repo = repo(ctx)?.as_ref();
        let (id, input) = (&id, &input);
        let changes = edit(ctx, caller, expected, "id", || async move {
            let current = current_actor(repo, id).await?;
            let mut raw = RawActor::from(&current);
            if let Some(k) = input.kind {
                raw.kind = k.as_str().to_string();
            }
            patch(&mut raw.name_ko, &input.name_ko, String::clone);
            patch(&mut raw.name_en, &input.name_en, String::clone);
            if let Some(a) = &input.aliases {
                raw.aliases = a.clone();
            }
            patch(&mut raw.description, &input.description, String::clone);
            let actor = validated!(repo, "input", actors, raw)?;
            Ok(Write::UpdateActor {
                actor,
                expected: current.meta.version,
            })
        })
        .await?;
        Ok(first_actor(changes)?)
    }

    /// Deletes an actor. One that still has relations is refused with CONFLICT
    /// unless `cascade` is true, which deletes its relations with it. Needs the
    /// admin role.
    async fn delete_actor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The actor's id.")] id: ID,
        #[graphql(
            default = false,
            desc = "Also delete the actor's relations (else an actor with relations is not deleted)."
        )]
        cascade: bool,
        #[graphql(desc = "The `version` you read; the delete fails if it moved on.")]
        expected_version: Option<i64>,
    ) -> ApiResult<DeleteActorResult> {
        let caller = require(ctx, Role::Admin)?;
        let id = parse_id("id", &id, ActorId::parse)?;
        let expected = version("expectedVersion", expected_version)?;
        let changes = commit(
            ctx,
            caller,
            Write::DeleteActor {
                id,
                expected,
                cascade,
            },
            "id",
        )
        .await?;
        let deleted_relations = changes
            .iter()
            .filter_map(|c| match &c.record {
                Record::Relation(r) => Some(RelationNode(r.clone())),
                _ => None,
            })
            .collect();
        Ok(DeleteActorResult {
            actor: first_actor(changes)?,
            deleted_relations,
        })
    }

    /// Creates a relation between two existing actors, with its evidence (every
    /// quote must be found in its source). CONFLICT if the id is taken. Needs the
    /// editor role.
    async fn create_relation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relation.")] input: CreateRelationInput,
    ) -> ApiResult<RelationNode> {
        let caller = require(ctx, Role::Editor)?;
        let raw = RawRelation {
            id: input.id.to_string(),
            kind: input.kind.as_str().to_string(),
            from: input.from_id.to_string(),
            to: input.to_id.to_string(),
            summary: input.summary,
            amount: input.amount.as_ref().map(money),
            start: input.start.as_ref().map(RawDate::from),
            end: input.end.as_ref().map(RawDate::from),
            role: input.role,
            area: input.area.as_ref().map(area),
            status: input.status,
            note: input.note,
            evidence: input.evidence.iter().map(RawEvidence::from).collect(),
        };
        let relation = validated!(repo(ctx)?.as_ref(), "input", relations, raw)?;
        Ok(first_relation(
            commit(ctx, caller, Write::CreateRelation(relation), "input").await?,
        )?)
    }

    /// Changes some fields of a relation, its type and endpoints included. With
    /// `expectedVersion`, fails with CONFLICT if the relation moved on. Needs the
    /// editor role.
    async fn update_relation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relation's id.")] id: ID,
        #[graphql(desc = "The fields to change.")] input: UpdateRelationInput,
        #[graphql(desc = "The `version` you read; the update fails if it moved on.")]
        expected_version: Option<i64>,
    ) -> ApiResult<RelationNode> {
        let caller = require(ctx, Role::Editor)?;
        let id = parse_id("id", &id, RelationId::parse)?;
        let expected = version("expectedVersion", expected_version)?;
        let repo = repo(ctx)?.as_ref();
        let (id, input) = (&id, &input);
        let changes = edit(ctx, caller, expected, "id", || async move {
            let current = current_relation(repo, "id", id).await?;
            let mut raw = RawRelation::from(&current);
            if let Some(k) = input.kind {
                raw.kind = k.as_str().to_string();
            }
            if let Some(f) = &input.from_id {
                raw.from = f.to_string();
            }
            if let Some(t) = &input.to_id {
                raw.to = t.to_string();
            }
            if let Some(s) = &input.summary {
                raw.summary = s.clone();
            }
            patch(&mut raw.amount, &input.amount, money);
            patch(&mut raw.start, &input.start, |d| RawDate::from(d));
            patch(&mut raw.end, &input.end, |d| RawDate::from(d));
            patch(&mut raw.role, &input.role, String::clone);
            patch(&mut raw.area, &input.area, area);
            patch(&mut raw.status, &input.status, String::clone);
            patch(&mut raw.note, &input.note, String::clone);
            if let Some(e) = &input.evidence {
                raw.evidence = e.iter().map(RawEvidence::from).collect();
            }
            relation_update(repo, "input", raw, current.meta.version).await
        })
        .await?;
        Ok(first_relation(changes)?)
    }

    /// Deletes a relation. Needs the admin role.
    async fn delete_relation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relation's id.")] id: ID,
        #[graphql(desc = "The `version` you read; the delete fails if it moved on.")]
        expected_version: Option<i64>,
    ) -> ApiResult<RelationNode> {
        let caller = require(ctx, Role::Admin)?;
        let id = parse_id("id", &id, RelationId::parse)?;
        let expected = version("expectedVersion", expected_version)?;
        let changes = commit(ctx, caller, Write::DeleteRelation { id, expected }, "id").await?;
        Ok(first_relation(changes)?)
    }

    /// Adds a passage to a relation's evidence; the quote must be found in the
    /// source's text. Needs the editor role.
    async fn add_evidence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relation's id.")] relation_id: ID,
        #[graphql(desc = "The passage.")] evidence: EvidenceInput,
        #[graphql(desc = "The `version` you read; the change fails if it moved on.")]
        expected_version: Option<i64>,
    ) -> ApiResult<RelationNode> {
        let caller = require(ctx, Role::Editor)?;
        let id = parse_id("relationId", &relation_id, RelationId::parse)?;
        let expected = version("expectedVersion", expected_version)?;
        let repo = repo(ctx)?.as_ref();
        let (id, evidence) = (&id, &evidence);
        let changes = edit(ctx, caller, expected, "relationId", || async move {
            let current = current_relation(repo, "relationId", id).await?;
            let new = RawEvidence::from(evidence);
            if current
                .evidence
                .iter()
                .any(|e| e.source.as_str() == new.source && e.quote == new.quote)
            {
                return Err(ApiError::bad_input(
                    "evidence",
                    "The relation already cites this passage of this source.",
                ));
            }
            let mut raw = RawRelation::from(&current);
            raw.evidence.push(new);
            let at = raw.evidence.len() - 1;
            relation_update(repo, "input", raw, current.meta.version)
                .await
                .map_err(|e| evidence_problems(e, at))
        })
        .await?;
        Ok(first_relation(changes)?)
    }

    /// Removes a passage from a relation's evidence (matched by source and exact
    /// quote). A relation keeps at least one: delete the relation instead. Needs
    /// the editor role.
    async fn remove_evidence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relation's id.")] relation_id: ID,
        #[graphql(desc = "The passage, as cited.")] evidence: EvidenceInput,
        #[graphql(desc = "The `version` you read; the change fails if it moved on.")]
        expected_version: Option<i64>,
    ) -> ApiResult<RelationNode> {
        let caller = require(ctx, Role::Editor)?;
        let id = parse_id("relationId", &relation_id, RelationId::parse)?;
        let expected = version("expectedVersion", expected_version)?;
        let repo = repo(ctx)?.as_ref();
        let (id, evidence) = (&id, &evidence);
        let changes = edit(ctx, caller, expected, "relationId", || async move {
            let current = current_relation(repo, "relationId", id).await?;
            let mut raw = RawRelation::from(&current);
            let before = raw.evidence.len();
            raw.evidence
                .retain(|e| !(e.source == evidence.source_id.as_str() && e.quote == evidence.quote));
            if raw.evidence.len() == before {
                return Err(ApiError::NotFound {
                    argument: "evidence",
                    message: format!(
                        "Relation `{id}` does not cite this passage of `{}`; its evidence lists each source and quote.",
                        evidence.source_id.as_str()
                    ),
                });
            }
            if raw.evidence.is_empty() {
                return Err(ApiError::bad_input(
                    "evidence",
                    "This is the relation's only evidence, and a relation must keep at least one: add another first, or delete the relation.",
                ));
            }
            relation_update(repo, "input", raw, current.meta.version).await
        })
        .await?;
        Ok(first_relation(changes)?)
    }

    /// Creates a source document with its full text. CONFLICT if the id is taken.
    /// Needs the editor role.
    async fn create_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source.")] input: CreateSourceInput,
    ) -> ApiResult<SourceNode> {
        let caller = require(ctx, Role::Editor)?;
        let raw = RawSource {
            id: input.id.to_string(),
            title: input.title,
            publisher: input.publisher,
            language: input.language,
            published_at: input.published.as_ref().map(RawDate::from),
            url: input.url,
            note: input.note,
            text: Some(input.text),
            text_file: None,
        };
        let source = validated!(repo(ctx)?.as_ref(), "input", sources, raw)?;
        Ok(first_source(
            commit(ctx, caller, Write::CreateSource(source), "input").await?,
        )?)
    }

    /// Changes a source's description (title, publisher, date, URL, note). Its
    /// text cannot change, since quotes were verified against it: a corrected text
    /// is a new source. With `expectedVersion`, fails with CONFLICT if the source
    /// moved on. Needs the editor role.
    async fn update_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source's id.")] id: ID,
        #[graphql(desc = "The fields to change.")] input: UpdateSourceInput,
        #[graphql(desc = "The `version` you read; the update fails if it moved on.")]
        expected_version: Option<i64>,
    ) -> ApiResult<SourceNode> {
        let caller = require(ctx, Role::Editor)?;
        let id = parse_id("id", &id, SourceId::parse)?;
        let expected = version("expectedVersion", expected_version)?;
        let repo = repo(ctx)?.as_ref();
        let (id, input) = (&id, &input);
        let changes = edit(ctx, caller, expected, "id", || async move {
            let current = repo
                .sources_by_ids(std::slice::from_ref(id))
                .await?
                .pop()
                .ok_or_else(|| not_found("id", "source", id.as_str()))?;
            let mut raw = RawSource::from(&current);
            if let Some(t) = &input.title {
                raw.title = t.clone();
            }
            patch(&mut raw.publisher, &input.publisher, String::clone);
            if let Some(l) = &input.language {
                raw.language = l.clone();
            }
            patch(&mut raw.published_at, &input.published, |d| {
                RawDate::from(d)
            });
            patch(&mut raw.url, &input.url, String::clone);
            patch(&mut raw.note, &input.note, String::clone);
            let source = validated!(repo, "input", sources, raw)?;
            Ok(Write::UpdateSource {
                source,
                expected: current.meta.version,
            })
        })
        .await?;
        Ok(first_source(changes)?)
    }
}

/// Problems of an added passage, reported against the `evidence` argument.
fn evidence_problems(e: ApiError, at: usize) -> ApiError {
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
