//! The GraphQL object types: thin wrappers over domain records whose resolvers read
//! linked records through the request's [`Loaders`].

// Resolvers take one parameter per GraphQL argument; a list of arguments is the
// schema's shape, not a function doing too much.
#![allow(clippy::too_many_arguments)]

use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::error::{ApiError, ApiResult};
use super::filter::RelationWhere;
use super::loaders::Loaders;
use super::order::{Paging, RelationOrder};
use super::paging::{page_cost, RelationConnection};
use super::prefetch::RelationsArgs;
use crate::domain::{
    self, Actor, ActorKind, DatePrecision, Direction, Relation, RelationType, Source,
};

/// The request's loaders. They are attached to every request by
/// [`super::GraphqlService`]; a request without them is a wiring bug.
pub(crate) fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a Loaders> {
    ApiError::data::<Loaders>(ctx)
}

/// The store behind the schema (put in the schema's data by [`super::GraphqlService`]).
///
/// Every root resolver goes through here, so once the request's deadline has
/// passed, the fields still to run stop at once (TIMEOUT) instead of each
/// starting its store work.
pub(crate) fn repo<'a>(
    ctx: &Context<'a>,
) -> ApiResult<&'a std::sync::Arc<dyn crate::store::Repository>> {
    crate::deadline::check()?;
    ApiError::data::<std::sync::Arc<dyn crate::store::Repository>>(ctx)
}

/// Reads an id argument; a malformed one is BAD_USER_INPUT naming the argument.
pub(crate) fn parse_id<T>(
    argument: &'static str,
    id: &str,
    parse: fn(String) -> Result<T, domain::IdError>,
) -> Result<T, ApiError> {
    parse(id.to_string()).map_err(|e| ApiError::bad_input(argument, e.to_string()))
}

/// A language of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum Language {
    /// Korean.
    Ko,
    /// English.
    En,
}

/// Something that acts or is acted on: a company, agency, person, party, bill, place…
pub struct ActorNode(pub Actor);

/// Something that acts or is acted on: a company, agency, person, party, bill, place…
#[Object(name = "Actor")]
impl ActorNode {
    /// The last changes of this actor, oldest first: who made each, when, and the
    /// fields it changed with their old and new values. `changes(recordId:)` pages
    /// through all of them, also once the actor is deleted.
    #[graphql(complexity = "super::history::history_cost(last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many of the latest changes: 1 to 100, default 20.")] last: Option<
            i32,
        >,
    ) -> ApiResult<Vec<super::history::ChangeEntryNode>> {
        super::history::history(
            ctx,
            crate::store::RecordKind::Actor,
            self.0.id.as_str(),
            last,
        )
        .await
    }

    /// Stable id: a readable slug such as `cia` or `cloud-development-act`.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What the actor is.
    async fn kind(&self) -> ActorKind {
        self.0.kind
    }

    /// Times the actor was written: 1 when created, one more on each update (0
    /// for a record stored before versions were kept). Pass it as
    /// `expectedVersion` to an update so that it fails with CONFLICT if someone
    /// changed the actor since you read it.
    async fn version(&self) -> i64 {
        i64::try_from(self.0.meta.version).unwrap_or(i64::MAX)
    }

    /// When the actor was created (null for a record stored before this was kept).
    async fn created_at(&self) -> Option<DateTime<Utc>> {
        self.0.meta.created_at
    }

    /// Who created the actor: the label of the API key, or `seed`.
    async fn created_by(&self) -> Option<&str> {
        self.0.meta.created_by.as_deref()
    }

    /// When the actor was last written (its creation until it is updated).
    async fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.0.meta.updated_at
    }

    /// Who last wrote the actor: the label of the API key, or `seed`.
    async fn updated_by(&self) -> Option<&str> {
        self.0.meta.updated_by.as_deref()
    }

    /// The name to display. Without `language`, the English name when there is one,
    /// else the Korean. With `language`, that language's name, falling back to the other.
    async fn name(
        &self,
        #[graphql(
            desc = "The language wanted; the other is used when the actor has no name in it."
        )]
        language: Option<Language>,
    ) -> &str {
        let a = &self.0;
        match language {
            Some(Language::Ko) => a.name_ko.as_deref().unwrap_or_else(|| a.display_name()),
            _ => a.display_name(),
        }
    }

    /// The Korean name, when known.
    async fn name_ko(&self) -> Option<&str> {
        self.0.name_ko.as_deref()
    }

    /// The English name, when known.
    async fn name_en(&self) -> Option<&str> {
        self.0.name_en.as_deref()
    }

    /// Other names, abbreviations and spellings, in either language (e.g. `AWS`).
    async fn aliases(&self) -> &[String] {
        &self.0.aliases
    }

    /// The ids of actors merged into this one (`mergeActors`): `actor(id:)` with
    /// any of them answers this actor.
    async fn merged_ids(&self) -> Vec<ID> {
        self.0
            .merged_ids
            .iter()
            .map(|m| ID(m.to_string()))
            .collect()
    }

    /// A short description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The actor's relations, in id order or in `orderBy`'s. `direction` OUT gives
    /// the relations this actor is the `from` of, IN those it is the `to` of, BOTH
    /// (default) all.
    #[graphql(complexity = "page_cost(first.or(last), child_complexity)")]
    async fn relations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default,
            desc = "OUT: relations from this actor; IN: relations to it; BOTH (default): all."
        )]
        direction: Direction,
        #[graphql(desc = "Only relations of these types; all when omitted or empty.")]
        types: Option<Vec<RelationType>>,
        #[graphql(desc = "Page size, reading forward: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "A cursor from an earlier page: return the relations after it.")]
        after: Option<String>,
        #[graphql(
            desc = "Page size, reading backward from the end of the list or from `before`: 0 to 100."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "A cursor from an earlier page: return the relations before it (with `last`)."
        )]
        before: Option<String>,
        #[graphql(
            desc = "The order of the list: by id (default), start or end date, amount in a currency, or type; ascending or descending."
        )]
        order_by: Option<RelationOrder>,
        #[graphql(
            desc = "Only relations that hold at this date (`2015`, `2015-01` or `2015-01-16`): started on or before it and not ended before it, at the coarser precision; open ends hold."
        )]
        as_of: Option<String>,
        #[graphql(
            name = "where",
            desc = "Only relations that pass this condition (tests on the type, the ends, the amount, the dates, the status, the role, the sources and the text, joined by AND, OR and NOT)."
        )]
        where_: Option<RelationWhere>,
    ) -> ApiResult<RelationConnection> {
        let args = RelationsArgs {
            direction,
            types,
            paging: Paging {
                first,
                after,
                last,
                before,
                order_by,
            },
            as_of,
            where_,
        };
        let query = args.query(Some(self.0.id.clone()))?;
        let result = loaders(ctx)?.page(&query).await?;
        Ok(RelationConnection::new(result, &query))
    }
}

/// Reads an `asOf` argument: a date at any precision.
pub(crate) fn parse_as_of(as_of: Option<&str>) -> Result<Option<domain::PartialDate>, ApiError> {
    as_of
        .map(|s| {
            s.parse::<domain::PartialDate>()
                .map_err(|e| ApiError::bad_input("asOf", e.to_string()))
        })
        .transpose()
}

/// A typed, directed link between two actors, with the passages that state it.
pub struct RelationNode(pub Relation);

/// A typed, directed link between two actors, with the passages of sources that state it.
#[Object(name = "Relation")]
impl RelationNode {
    /// The last changes of this relation, oldest first: who made each, when, and the
    /// fields it changed with their old and new values. `changes(recordId:)` pages
    /// through all of them, also once the relation is deleted.
    #[graphql(complexity = "super::history::history_cost(last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many of the latest changes: 1 to 100, default 20.")] last: Option<
            i32,
        >,
    ) -> ApiResult<Vec<super::history::ChangeEntryNode>> {
        super::history::history(
            ctx,
            crate::store::RecordKind::Relation,
            self.0.id.as_str(),
            last,
        )
        .await
    }

    /// Stable id: a readable slug such as `cia-contract-amazon`.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What the relation states. The type fixes the direction: see `RelationType`.
    #[graphql(name = "type")]
    async fn kind(&self) -> RelationType {
        self.0.kind
    }

    /// Times the relation was written: 1 when created, one more on each update (0
    /// for a record stored before versions were kept). Pass it as
    /// `expectedVersion` to an update so that it fails with CONFLICT if someone
    /// changed the relation since you read it.
    async fn version(&self) -> i64 {
        i64::try_from(self.0.meta.version).unwrap_or(i64::MAX)
    }

    /// When the relation was created (null for a record stored before this was kept).
    async fn created_at(&self) -> Option<DateTime<Utc>> {
        self.0.meta.created_at
    }

    /// Who created the relation: the label of the API key, or `seed`.
    async fn created_by(&self) -> Option<&str> {
        self.0.meta.created_by.as_deref()
    }

    /// When the relation was last written (its creation until it is updated).
    async fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.0.meta.updated_at
    }

    /// Who last wrote the relation: the label of the API key, or `seed`.
    async fn updated_by(&self) -> Option<&str> {
        self.0.meta.updated_by.as_deref()
    }

    /// The actor the relation goes from.
    async fn from(&self, ctx: &Context<'_>) -> ApiResult<ActorNode> {
        load_actor(ctx, &self.0.from).await
    }

    /// The actor the relation goes to.
    async fn to(&self, ctx: &Context<'_>) -> ApiResult<ActorNode> {
        load_actor(ctx, &self.0.to).await
    }

    /// One line saying what the relation is.
    async fn summary(&self) -> &str {
        &self.0.summary
    }

    /// Money involved, when the source gives an amount.
    async fn amount(&self) -> Option<MoneyNode> {
        self.0.amount.as_ref().map(|m| MoneyNode {
            value: m.value,
            currency: m.currency.clone(),
        })
    }

    /// When the relation began (or the day it happened), at its precision:
    /// `2015`, `2024-02` or `2015-01-16`. See `start` for whether it was inferred.
    async fn start_date(&self) -> Option<String> {
        self.0.start.as_ref().map(|d| d.date.to_string())
    }

    /// When the relation ended or ends, at its precision. See `end`.
    async fn end_date(&self) -> Option<String> {
        self.0.end.as_ref().map(|d| d.date.to_string())
    }

    /// The start date with its precision and whether it was inferred.
    async fn start(&self) -> Option<DateNode> {
        self.0.start.clone().map(DateNode)
    }

    /// The end date with its precision and whether it was inferred.
    async fn end(&self) -> Option<DateNode> {
        self.0.end.clone().map(DateNode)
    }

    /// The role or title, for positions (e.g. `Chief Information Officer`).
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }

    /// Floor area, for leases.
    async fn area(&self) -> Option<AreaNode> {
        self.0.area.as_ref().map(|a| AreaNode {
            square_metres: a.square_metres,
            approximate: a.approximate,
        })
    }

    /// The relation's state in the source's terms: `signed`, `pending`, `dominant`…
    async fn status(&self) -> Option<&str> {
        self.0.status.as_deref()
    }

    /// An editor's caveat on how the evidence supports the relation.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The passages that state the relation: each an exact quote of its source,
    /// checked when the data was loaded. Never empty.
    async fn evidence(&self) -> Vec<EvidenceNode> {
        self.0.evidence.iter().cloned().map(EvidenceNode).collect()
    }
}

async fn load_actor(ctx: &Context<'_>, id: &domain::ActorId) -> ApiResult<ActorNode> {
    Ok(ActorNode(loaders(ctx)?.linked_actor(id).await?))
}

/// A sum of money.
#[derive(SimpleObject)]
#[graphql(name = "Money")]
pub struct MoneyNode {
    /// The amount in the currency's main unit (e.g. dollars), e.g. 600000000.
    pub value: f64,
    /// ISO 4217 currency code, e.g. `USD`, `KRW`.
    pub currency: String,
}

/// A floor area.
#[derive(SimpleObject)]
#[graphql(name = "Area")]
pub struct AreaNode {
    /// Square metres.
    pub square_metres: f64,
    /// True when the source gives the figure as approximate ("about 3,200 m²").
    pub approximate: bool,
}

/// A date known to a year, a month or a day, as a source states it.
pub struct DateNode(pub domain::DateValue);

/// A date known to a year, a month or a day, as a source states it, and whether it was inferred.
#[Object(name = "DateValue")]
impl DateNode {
    /// The date at its precision: `2015`, `2024-02` or `2015-01-16`.
    async fn value(&self) -> String {
        self.0.date.to_string()
    }

    /// How much of the date is known.
    async fn precision(&self) -> DatePrecision {
        self.0.date.precision()
    }

    /// The year.
    async fn year(&self) -> i32 {
        i32::from(self.0.date.year())
    }

    /// The month (1–12), when known.
    async fn month(&self) -> Option<i32> {
        self.0.date.month().map(i32::from)
    }

    /// The day of the month, when known.
    async fn day(&self) -> Option<i32> {
        self.0.date.day().map(i32::from)
    }

    /// True when the source does not state this date (or its year) and it was
    /// worked out from context; `note` says how.
    async fn inferred(&self) -> bool {
        self.0.inferred
    }

    /// How the date was read or inferred.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// A passage of a source that states a relation.
pub struct EvidenceNode(pub domain::Evidence);

/// A passage of a source that states a relation.
#[Object(name = "Evidence")]
impl EvidenceNode {
    /// The passage, exactly as it stands in the source's text.
    async fn quote(&self) -> &str {
        &self.0.quote
    }

    /// The source the passage comes from.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<SourceNode> {
        Ok(SourceNode(
            loaders(ctx)?.linked_source(&self.0.source).await?,
        ))
    }
}

/// A document that relations are drawn from.
pub struct SourceNode(pub Source);

/// A document that relations are drawn from, with its full text.
#[Object(name = "Source")]
impl SourceNode {
    /// The last changes of this source, oldest first: who made each, when, and the
    /// fields it changed with their old and new values. `changes(recordId:)` pages
    /// through all of them, also once the source is deleted.
    #[graphql(complexity = "super::history::history_cost(last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many of the latest changes: 1 to 100, default 20.")] last: Option<
            i32,
        >,
    ) -> ApiResult<Vec<super::history::ChangeEntryNode>> {
        super::history::history(
            ctx,
            crate::store::RecordKind::Source,
            self.0.id.as_str(),
            last,
        )
        .await
    }

    /// Stable id, e.g. `amazon-korea-cloud-2015`.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Times the source was written: 1 when created, one more on each update (0
    /// for a record stored before versions were kept). Pass it as
    /// `expectedVersion` to an update so that it fails with CONFLICT if someone
    /// changed the source since you read it.
    async fn version(&self) -> i64 {
        i64::try_from(self.0.meta.version).unwrap_or(i64::MAX)
    }

    /// When the source was created (null for a record stored before this was kept).
    async fn created_at(&self) -> Option<DateTime<Utc>> {
        self.0.meta.created_at
    }

    /// Who created the source: the label of the API key, or `seed`.
    async fn created_by(&self) -> Option<&str> {
        self.0.meta.created_by.as_deref()
    }

    /// When the source was last written (its creation until it is updated).
    async fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.0.meta.updated_at
    }

    /// Who last wrote the source: the label of the API key, or `seed`.
    async fn updated_by(&self) -> Option<&str> {
        self.0.meta.updated_by.as_deref()
    }

    /// The title, or an editor's description when the document has none (see `note`).
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The publisher, when known.
    async fn publisher(&self) -> Option<&str> {
        self.0.publisher.as_deref()
    }

    /// BCP 47 language tag of the text, e.g. `ko`.
    async fn language(&self) -> &str {
        &self.0.language
    }

    /// Publication date at its precision, e.g. `2015-02`. See `published`.
    async fn published_at(&self) -> Option<String> {
        self.0.published_at.as_ref().map(|d| d.date.to_string())
    }

    /// Publication date with its precision and whether it was inferred.
    async fn published(&self) -> Option<DateNode> {
        self.0.published_at.clone().map(DateNode)
    }

    /// Where the document was published, when known.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// An editor's note on the source.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The full text. Every evidence quote of this source is an exact substring of it.
    #[graphql(complexity = 10)]
    async fn text(&self, ctx: &Context<'_>) -> ApiResult<String> {
        // A list that did not ask for the texts leaves them out (a stored text is
        // never empty): read this one now.
        if self.0.text.is_empty() {
            return Ok(loaders(ctx)?.linked_source(&self.0.id).await?.text);
        }
        Ok(self.0.text.clone())
    }

    /// The relations with a quote of this source in their evidence (Relay
    /// connection), with the same arguments as `Actor.relations`: by id by default.
    #[graphql(complexity = "page_cost(first.or(last), child_complexity)")]
    async fn relations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only relations of these types; all when omitted or empty.")]
        types: Option<Vec<RelationType>>,
        #[graphql(desc = "Page size, reading forward: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "A cursor from an earlier page: return the relations after it.")]
        after: Option<String>,
        #[graphql(
            desc = "Page size, reading backward from the end of the list or from `before`: 0 to 100."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "A cursor from an earlier page: return the relations before it (with `last`)."
        )]
        before: Option<String>,
        #[graphql(
            desc = "The order of the list: by id (default), start or end date, amount in a currency, or type; ascending or descending."
        )]
        order_by: Option<RelationOrder>,
        #[graphql(
            desc = "Only relations that hold at this date (`2015`, `2015-01` or `2015-01-16`), as in `Actor.relations`."
        )]
        as_of: Option<String>,
        #[graphql(
            name = "where",
            desc = "Only relations that pass this condition, as in `Actor.relations`."
        )]
        where_: Option<RelationWhere>,
    ) -> ApiResult<RelationConnection> {
        let args = RelationsArgs {
            direction: Direction::Both,
            types,
            paging: Paging {
                first,
                after,
                last,
                before,
                order_by,
            },
            as_of,
            where_,
        };
        let mut query = args.query(None)?;
        query.filter.source = Some(self.0.id.clone());
        let result = loaders(ctx)?.page(&query).await?;
        Ok(RelationConnection::new(result, &query))
    }

    /// The quotes of this source in the evidence of relations, in the order they
    /// stand in the text (then by relation id), each with its relation and where
    /// it stands: what the source says, claim by claim. Reads at most the first
    /// 1,000 relations quoting the source, by id.
    #[graphql(
        complexity = "super::sources::list_cost(first, super::sources::DEFAULT_QUOTES, child_complexity) + super::sources::CITING_COST"
    )]
    async fn evidence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many quotes: 0 to 100, default 100.")] first: Option<i32>,
    ) -> ApiResult<Vec<super::sources::Quotation>> {
        super::sources::evidence(ctx, &self.0, first).await
    }
}

/// Counts of what the graph holds.
#[derive(SimpleObject)]
#[graphql(name = "Stats")]
pub struct StatsNode {
    /// Actors in all.
    pub actors: i32,
    /// Relations in all.
    pub relations: i32,
    /// Source documents.
    pub sources: i32,
    /// Actors per kind, every kind listed (zero included), in the order of `ActorKind`.
    pub actors_by_kind: Vec<ActorKindCount>,
    /// Relations per type, every type listed (zero included), in the order of `RelationType`.
    pub relations_by_type: Vec<RelationTypeCount>,
}

/// How many actors have a kind.
#[derive(SimpleObject)]
pub struct ActorKindCount {
    /// The kind.
    pub kind: ActorKind,
    /// Actors of that kind.
    pub count: i32,
}

/// How many relations have a type.
#[derive(SimpleObject)]
pub struct RelationTypeCount {
    /// The type.
    #[graphql(name = "type")]
    pub kind: RelationType,
    /// Relations of that type.
    pub count: i32,
}
