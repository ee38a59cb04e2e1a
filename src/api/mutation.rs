//! Writes. Each needs an API key (see [`crate::auth`]): `editor` creates and edits,
//! `admin` may also delete and import.
//!
//! Every write is validated by the domain's rules (the seed loader's), written all
//! or nothing by the store, and then published to the change feed.
//!
//! Every mutation field is nullable, as GraphQL's conventions have it (Relay's,
//! GitHub's, Shopify's): a write that fails answers `null` with its error at the
//! field's path, and the other mutations of the same request, run one after the
//! other as the spec says, keep their answers. A non-null field's error would
//! null all of `data`, hiding the results of writes that were made.
//!
//! Split by job: [`inputs`] (the input types and their written form), [`commit`]
//! (roles, validation, writing with retries, publishing), [`results`] (what
//! imports and deletions return), and here the resolvers, which map inputs.

mod commit;
mod inputs;
mod merge;
mod results;
mod review;

use async_graphql::{Context, Json, Object, ID};

use super::claims::ClaimNode;
use super::error::{ApiError, ApiResult};
use super::events::Feed;
use super::intake::{claims_of, read_article, IntakeNode, MAX_INTAKE_BYTES};
use super::types::{parse_id, repo, ActorNode, RelationNode, SourceNode};
use crate::auth::Role;
use crate::domain::dataset::{RawActor, RawDate, RawEvidence, RawRelation, RawSource};
use crate::domain::{self, ActorId, RawDocument, RelationId, SourceId};
use crate::store::{Record, Write};
use commit::*;
use inputs::*;
use results::*;

pub(crate) use commit::require;

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
    ) -> ApiResult<Option<ImportResult>> {
        let caller = require(ctx, Role::Admin)?;
        if !document.0.is_object() {
            return Err(ApiError::bad_input(
                "document",
                "`document` must be a JSON object (a data-set document); see docs/data-format.md",
            ));
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
        let problems = ids_held_by_other_kinds(repo.as_ref(), "document", &data).await?;
        if !problems.is_empty() {
            return Err(ApiError::Invalid {
                argument: "document",
                problems,
            });
        }
        let imported = repo.import(&data, &caller.label).await?;
        let report = imported.report;
        tracing::info!(
            key = %caller.label,
            actors_created = report.actors.created, actors_updated = report.actors.updated,
            relations_created = report.relations.created, relations_updated = report.relations.updated,
            "importGraph"
        );
        if let Ok(feed) = ctx.data::<Feed>() {
            feed.written();
        }
        Ok(Some(report.into()))
    }

    /// Creates an actor. CONFLICT if the id is taken. Needs the editor role.
    async fn create_actor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The actor.")] input: CreateActorInput,
    ) -> ApiResult<Option<ActorNode>> {
        let caller = require(ctx, Role::Editor)?;
        let raw = RawActor {
            id: input.id.to_string(),
            kind: input.kind.as_str().to_string(),
            name_ko: input.name_ko,
            name_en: input.name_en,
            aliases: input.aliases,
            description: input.description,
            merged_ids: Vec::new(),
        };
        let actor = validated!(repo(ctx)?.as_ref(), "input", actors, raw)?;
        Ok(Some(first_actor(
            commit(ctx, caller, Write::CreateActor(actor), "input").await?,
        )?))
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
    ) -> ApiResult<Option<ActorNode>> {
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
        Ok(Some(first_actor(changes)?))
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
    ) -> ApiResult<Option<DeleteActorResult>> {
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
        Ok(Some(DeleteActorResult {
            actor: first_actor(changes)?,
            deleted_relations,
        }))
    }

    /// Creates a relation between two existing actors, with its evidence (every
    /// quote must be found in its source). CONFLICT if the id is taken. Needs the
    /// editor role.
    async fn create_relation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relation.")] input: CreateRelationInput,
    ) -> ApiResult<Option<RelationNode>> {
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
        Ok(Some(first_relation(
            commit(ctx, caller, Write::CreateRelation(relation), "input").await?,
        )?))
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
    ) -> ApiResult<Option<RelationNode>> {
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
        Ok(Some(first_relation(changes)?))
    }

    /// Deletes a relation. Needs the admin role.
    async fn delete_relation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relation's id.")] id: ID,
        #[graphql(desc = "The `version` you read; the delete fails if it moved on.")]
        expected_version: Option<i64>,
    ) -> ApiResult<Option<RelationNode>> {
        let caller = require(ctx, Role::Admin)?;
        let id = parse_id("id", &id, RelationId::parse)?;
        let expected = version("expectedVersion", expected_version)?;
        let changes = commit(ctx, caller, Write::DeleteRelation { id, expected }, "id").await?;
        Ok(Some(first_relation(changes)?))
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
    ) -> ApiResult<Option<RelationNode>> {
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
        Ok(Some(first_relation(changes)?))
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
    ) -> ApiResult<Option<RelationNode>> {
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
        Ok(Some(first_relation(changes)?))
    }

    /// Creates a source document with its full text. CONFLICT if the id is taken.
    /// Needs the editor role.
    async fn create_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source.")] input: CreateSourceInput,
    ) -> ApiResult<Option<SourceNode>> {
        let caller = require(ctx, Role::Editor)?;
        Ok(Some(SourceNode(
            create_source(ctx, caller, input, "input").await?,
        )))
    }

    /// Merges two records of one actor (`actorMatches` finds them): `merge`'s
    /// relations move to `keep` with their evidence (those between the two are
    /// deleted), `keep` takes `merge`'s names as aliases (and any name or
    /// description it lacks), `merge` is deleted and its id still finds `keep`
    /// (`Actor.mergedIds`). One write, in the history of every record it
    /// touched. Needs the admin role.
    async fn merge_actors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The actor to keep.")] keep: ID,
        #[graphql(desc = "The actor to merge into it (deleted).")] merge: ID,
    ) -> ApiResult<Option<merge::MergeResult>> {
        let caller = require(ctx, Role::Admin)?;
        let keep = parse_id("keep", &keep, ActorId::parse)?;
        let merged = parse_id("merge", &merge, ActorId::parse)?;
        Ok(Some(merge::merge(ctx, caller, keep, merged).await?))
    }

    /// Accepts a candidate claim of intake: writes its relation through the
    /// ordinary validation (creating a new end's actor from `edits.newFrom` /
    /// `edits.newTo`, or tying it to a stored one with `edits.fromId` /
    /// `edits.toId`), or, when a stored relation has the same ends and type,
    /// adds the claim's sentence to it as evidence (corroboration; `edits.separate`
    /// writes a relation of its own). The claim is marked accepted in the same
    /// write, under your key, so the history says who did what. Needs the
    /// editor role.
    async fn accept_claim(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The claim's id.")] id: ID,
        #[graphql(desc = "Changes to the claim's draft.")] edits: Option<review::ClaimEdits>,
        #[graphql(desc = "The `version` you read; fails with CONFLICT if the claim moved on.")]
        expected_version: Option<i64>,
    ) -> ApiResult<Option<ClaimNode>> {
        let caller = require(ctx, Role::Editor)?;
        let id = parse_id("id", &id, domain::ClaimId::parse)?;
        let expected = version("expectedVersion", expected_version)?;
        let claim = review::accept(ctx, caller, id, edits.unwrap_or_default(), expected).await?;
        Ok(Some(ClaimNode(claim)))
    }

    /// Rejects a candidate claim of intake, saying why. Nothing else is written.
    /// Needs the editor role.
    async fn reject_claim(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The claim's id.")] id: ID,
        #[graphql(desc = "Why: it misreads the sentence, the sentence does not say it…")]
        reason: String,
        #[graphql(desc = "The `version` you read; fails with CONFLICT if the claim moved on.")]
        expected_version: Option<i64>,
    ) -> ApiResult<Option<ClaimNode>> {
        let caller = require(ctx, Role::Editor)?;
        let id = parse_id("id", &id, domain::ClaimId::parse)?;
        let expected = version("expectedVersion", expected_version)?;
        let claim = review::reject(ctx, caller, id, reason, expected).await?;
        Ok(Some(ClaimNode(claim)))
    }

    /// Brings in an article: stores it as `createSource` does, then reads it
    /// against the stored actors and answers what it names (stored actors, and
    /// names that look like new ones, with the stored actors they may duplicate)
    /// and the claims its sentences may state, each quoting its sentence exactly,
    /// with a suggested type, direction, dates (resolved against `published`),
    /// sum and area, the words that led to it and a confidence. Nothing but the
    /// source is written: the candidates are for a person to review. Needs the
    /// editor role.
    async fn intake(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The article: its text verbatim, title, language and publication date.")]
        source: CreateSourceInput,
    ) -> ApiResult<Option<IntakeNode>> {
        let caller = require(ctx, Role::Editor)?;
        if source.text.len() > MAX_INTAKE_BYTES {
            return Err(ApiError::BadUserInput {
                argument: "source",
                message: format!(
                    "the text is {} bytes long; intake reads at most {MAX_INTAKE_BYTES} (a long article is about 20000): split it, or store it with createSource",
                    source.text.len()
                ),
            });
        }
        let source = valid_source(ctx, source, "source").await?;
        let published = source.published_at.as_ref().map(|d| d.date);
        let reading = read_article(repo(ctx)?.as_ref(), &source.text, published.as_ref()).await?;
        let claims = claims_of(&source, &reading);
        // The source and its claims, all or nothing.
        let changes = commit(
            ctx,
            caller,
            Write::Batch(vec![
                Write::CreateSource(source),
                Write::CreateClaims(claims),
            ]),
            "source",
        )
        .await?;
        let mut stored = None;
        let mut claims = Vec::new();
        for c in changes {
            match c.record {
                Record::Source(s) => stored = Some(s),
                Record::Claim(c) => claims.push(c),
                _ => {}
            }
        }
        let source = stored.ok_or_else(|| ApiError::Store(internal("intake wrote no source")))?;
        Ok(Some(IntakeNode {
            source,
            reading,
            claims,
        }))
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
    ) -> ApiResult<Option<SourceNode>> {
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
        Ok(Some(first_source(changes)?))
    }
}

/// `createSource`'s work: validates the input as a data set's source and writes it.
async fn create_source(
    ctx: &Context<'_>,
    caller: &crate::auth::Caller,
    input: CreateSourceInput,
    argument: &'static str,
) -> ApiResult<domain::Source> {
    let source = valid_source(ctx, input, argument).await?;
    Ok(first_source(commit(ctx, caller, Write::CreateSource(source), argument).await?)?.0)
}

/// A source input validated as a data set's source.
async fn valid_source(
    ctx: &Context<'_>,
    input: CreateSourceInput,
    argument: &'static str,
) -> ApiResult<domain::Source> {
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
    validated!(repo(ctx)?.as_ref(), argument, sources, raw)
}
