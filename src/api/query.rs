//! The root query fields.

// Resolvers take one parameter per GraphQL argument; a list of arguments is the
// schema's shape, not a function doing too much.
#![allow(clippy::too_many_arguments)]

use async_graphql::{Context, Object, ID};

use super::error::{ApiError, ApiResult};
use super::filter::{ActorWhere, RelationWhere};
use super::node::{self, Node};
use super::order::{ActorOrder, Paging, RelationOrder};
use super::paging::{page_cost, page_request, ActorConnection, RelationConnection};
use super::prefetch::{self, field, node_selection, RelationsArgs, Start};
use super::sources::SourceConnection;
use super::types::{
    loaders, parse_id, repo, ActorKindCount, ActorNode, RelationNode, RelationTypeCount,
    SourceNode, StatsNode,
};
use crate::domain::filter::{Anchor, Condition};
use crate::domain::{search, ActorId, ActorKind, Direction, RelationId, RelationType, SourceId};
use crate::store::{ActorFilter, ListOrder, SourceQuery};

/// The longest `search` text accepted, in characters.
pub const MAX_SEARCH_LEN: usize = 200;

/// Complexity of a `search`: it reads every actor's names, whatever the page size.
pub const SEARCH_COST: usize = 50;

fn search_cost(search: &Option<String>) -> usize {
    if search.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        SEARCH_COST
    } else {
        0
    }
}

/// Refuses a `search` longer than [`MAX_SEARCH_LEN`].
fn check_search_len(search: &str) -> ApiResult<()> {
    let len = search.chars().count();
    if len > MAX_SEARCH_LEN {
        return Err(ApiError::bad_input(
            "search",
            format!("`search` is {len} characters long; the limit is {MAX_SEARCH_LEN}"),
        ));
    }
    Ok(())
}

/// Read access to the graph.
#[derive(Default)]
pub struct QueryRoot;

/// Read access to the graph: actors, relations and their sources.
#[Object(name = "RecordQuery")]
impl QueryRoot {
    /// One actor by id, e.g. `cia`; null when no actor has that id.
    async fn actor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The actor's id, e.g. `cia`.")] id: ID,
    ) -> ApiResult<Option<ActorNode>> {
        let id = parse_id("id", &id, ActorId::parse)?;
        // Checks the deadline. The walk then reads the actor together with its first
        // level (its relation pages), instead of before it: one round trip less in
        // sequence. For an unknown id those pages are empty.
        repo(ctx)?;
        let loaders = loaders(ctx)?;
        let selection = ctx.field().selection_set().collect();
        prefetch::run(loaders, vec![Start::Actors(vec![id.clone()], selection)]).await?;
        Ok(loaders.actors.with(&id, |a| ActorNode(a.clone())))
    }

    /// Actors, optionally filtered: in id order, or best match first when searching
    /// (a name or alias equal to the query, then starting with it, then containing
    /// it; ties by id). `search` matches Korean and English
    /// names and aliases by substring, ignoring case, spacing and punctuation:
    /// `클라우드` finds the association and the act, `aws` finds Amazon Web Services.
    #[graphql(complexity = "page_cost(first.or(last), child_complexity) + search_cost(&search)")]
    async fn actors(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Text to find in names and aliases, in Korean or English (at most 200 characters)."
        )]
        search: Option<String>,
        #[graphql(
            desc = "With `search`: also find the names that hold it with a mistake or two, after those that hold it as written (default true); false for those only."
        )]
        forgive: Option<bool>,
        #[graphql(desc = "Only actors of these kinds; all when omitted or empty.")] kinds: Option<
            Vec<ActorKind>,
        >,
        #[graphql(desc = "Page size, reading forward: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "A cursor from an earlier page: return the actors after it.")]
        after: Option<String>,
        #[graphql(
            desc = "Page size, reading backward from the end of the list or from `before`: 0 to 100 (not with `search`)."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "A cursor from an earlier page: return the actors before it (with `last`)."
        )]
        before: Option<String>,
        #[graphql(
            desc = "The order of the list (not with `search`, whose results come best match first): by id (default), Korean or English name, or number of relations; ascending or descending."
        )]
        order_by: Option<ActorOrder>,
        #[graphql(
            name = "where",
            desc = "Only actors that pass this condition: numbers of relations of some types, in a direction (some, none, at least, at most)."
        )]
        where_: Option<ActorWhere>,
    ) -> ApiResult<ActorConnection> {
        if search.is_some() {
            if order_by.is_some() {
                return Err(ApiError::bad_input(
                    "orderBy",
                    "`search` results come best match first: leave out `orderBy`, or `search`",
                ));
            }
            if last.is_some() || before.is_some() {
                return Err(ApiError::bad_input(
                    if last.is_some() { "last" } else { "before" },
                    "`search` results page forward only: use `first` and `after`",
                ));
            }
        }
        let (by, descending) = order_by
            .as_ref()
            .map(ActorOrder::sort_by)
            .unwrap_or_default();
        let paging = Paging {
            first,
            after: after.clone(),
            last,
            before,
            order_by: None,
        };
        let (page, order) = if search.is_some() {
            (page_request(first, after)?, ListOrder::default())
        } else {
            paging.read_in(by, descending)?
        };
        let relations = where_
            .map(|w| w.relation_counts("where"))
            .transpose()?
            .unwrap_or_default();
        if let Some(s) = &search {
            check_search_len(s)?;
        }
        // Search results are ordered best match first, and their cursors say so.
        let folded = search.as_deref().map(search::fold).unwrap_or_default();
        let key = |a: &crate::domain::Actor| {
            if folded.is_empty() {
                a.id.to_string()
            } else {
                let rank = search::forgiving_rank(&search::search_keys(a), &folded).unwrap_or(4);
                search::sort_key(rank, a.id.as_str())
            }
        };
        let ordered = !order.by_id_forward();
        let filter = ActorFilter {
            search,
            exact: forgive == Some(false),
            kinds: kinds.unwrap_or_default(),
            relations,
            order,
        };
        let repo = repo(ctx)?;
        let result = repo.find_actors(&filter, &page).await?;
        let loaders = loaders(ctx)?;
        loaders.keep_actors(result.items.iter().cloned());
        let ids = result.items.iter().map(|a| a.id.clone()).collect();
        prefetch::run(
            loaders,
            vec![Start::Actors(ids, node_selection(&ctx.field()))],
        )
        .await?;
        if ordered {
            return Ok(ActorConnection::ordered(result, &page, &filter.order));
        }
        Ok(ActorConnection::new(result, &page, key))
    }

    /// One relation by id, e.g. `cia-contract-amazon`; null when no relation has that id.
    async fn relation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relation's id, e.g. `cia-contract-amazon`.")] id: ID,
    ) -> ApiResult<Option<RelationNode>> {
        let id = parse_id("id", &id, RelationId::parse)?;
        let repo = repo(ctx)?;
        let found = repo.relations_by_ids(std::slice::from_ref(&id)).await?;
        let selection = ctx.field().selection_set().collect();
        prefetch::run(
            loaders(ctx)?,
            vec![Start::Relations(found.clone(), selection)],
        )
        .await?;
        Ok(found.into_iter().next().map(RelationNode))
    }

    /// Relations, optionally only those of one actor and of some types: in id
    /// order, or in `orderBy`'s, read forward (`first`/`after`) or backward
    /// (`last`/`before`); `aggregate` gives figures over the whole list.
    #[graphql(complexity = "page_cost(first.or(last), child_complexity)")]
    async fn relations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only relations of these types; all when omitted or empty.")]
        types: Option<Vec<RelationType>>,
        #[graphql(desc = "Only relations of this actor (see `direction`).")] actor_id: Option<ID>,
        #[graphql(
            default,
            desc = "With `actorId`: OUT for relations from the actor, IN for those to it, BOTH (default) for all."
        )]
        direction: Direction,
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
        let actor = actor_id
            .map(|id| parse_id("actorId", &id, ActorId::parse))
            .transpose()?;
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
        let mut query = args.query(actor)?;
        // A whole-graph list whose condition ties every relation to one actor or
        // one source is that anchor's list, read from its relations alone.
        if !query.filter.anchored() {
            match query.filter.condition.as_ref().and_then(Condition::anchor) {
                Some(Anchor::Actor(id, direction)) => {
                    query.filter.actor = Some(id);
                    query.filter.direction = direction;
                }
                Some(Anchor::Source(id)) => query.filter.source = Some(id),
                None => {}
            }
        }
        // Counting the whole graph's relations is a scan on Neo4j: only when asked.
        query.total = ctx.look_ahead().field("totalCount").exists();
        let repo = repo(ctx)?;
        let loaders = loaders(ctx)?;
        let nodes = node_selection(&ctx.field());
        // The actors at the relations' ends come in the same call when shown.
        let queries = std::slice::from_ref(&query);
        let pages = async {
            if nodes
                .iter()
                .any(|f| matches!(f.name(), field::FROM | field::TO))
            {
                let (pages, actors) = repo.find_relations_with_ends(queries).await?;
                loaders.keep_actors(actors);
                Ok(pages)
            } else {
                repo.find_relations(queries).await
            }
        };
        // The aggregate, when shown, in a call beside the page's.
        let aggregate = async {
            if ctx.look_ahead().field(field::AGGREGATE).exists() {
                loaders.aggregates.fetch([query.filter.clone()]).await
            } else {
                Ok(())
            }
        };
        let (pages, aggregate) = futures_util::join!(pages, aggregate);
        let mut pages = pages?;
        aggregate?;
        let result = pages.pop().unwrap_or_else(|| crate::store::Page {
            keys: Vec::new(),
            items: vec![],
            has_next_page: false,
            total_count: 0,
        });
        let start = Start::Relations(result.items.clone(), nodes);
        prefetch::run(loaders, vec![start]).await?;
        Ok(RelationConnection::new(result, &query))
    }

    /// How many actors of each kind and relations of each type the graph holds.
    async fn stats(&self, ctx: &Context<'_>) -> ApiResult<StatsNode> {
        let stats = repo(ctx)?.stats().await?;
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Ok(StatsNode {
            actors: count(stats.actors_by_kind.iter().map(|(_, n)| n).sum()),
            relations: count(stats.relations_by_type.iter().map(|(_, n)| n).sum()),
            sources: count(stats.sources),
            actors_by_kind: stats
                .actors_by_kind
                .into_iter()
                .map(|(kind, n)| ActorKindCount {
                    kind,
                    count: count(n),
                })
                .collect(),
            relations_by_type: stats
                .relations_by_type
                .into_iter()
                .map(|(kind, n)| RelationTypeCount {
                    kind,
                    count: count(n),
                })
                .collect(),
        })
    }

    /// Stored actors a name may be, best first: the same name or alias, one that
    /// holds it (or that it holds), a near spelling, or an abbreviation
    /// (`미래부` of `미래창조과학부`), in either language, folded as search folds.
    /// For entity resolution before adding an actor, or before `mergeActors`.
    #[graphql(complexity = "1 + 10 * child_complexity")]
    async fn actor_matches(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The name, as a text gives it (at most 200 characters).")] name: String,
        #[graphql(desc = "How many at most: 1 to 10, default 10.")] first: Option<i32>,
    ) -> ApiResult<Vec<super::intake::ActorMatchNode>> {
        check_search_len(&name)?;
        let limit = match first {
            None => 10,
            Some(n @ 1..=10) => n as usize,
            Some(n) => {
                return Err(ApiError::bad_input(
                    "first",
                    format!("`first` is {n}; ask for 1 to 10 matches"),
                ))
            }
        };
        let found = super::intake::actor_matches(repo(ctx)?.as_ref(), &name, limit).await?;
        Ok(found
            .into_iter()
            .map(|(a, l)| super::intake::ActorMatchNode {
                actor: super::types::ActorNode(a),
                likeness: l.into(),
                score: l.score(),
            })
            .collect())
    }

    /// Intake's candidate claims in id order (a source's in the order of its
    /// sentences): of one source, in one review state, or all. Review them with
    /// `acceptClaim` and `rejectClaim`.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn claims(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the claims of this source.")] source_id: Option<ID>,
        #[graphql(desc = "Only the claims in this review state.")] status: Option<
            super::claims::ClaimStatus,
        >,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "A cursor from an earlier page: return the claims after it.")]
        after: Option<String>,
    ) -> ApiResult<super::claims::ClaimConnection> {
        let page = page_request(first, after)?;
        let source = source_id
            .map(|id| parse_id("sourceId", &id, crate::domain::SourceId::parse))
            .transpose()?;
        let query = crate::store::ClaimQuery {
            source,
            review: status.map(super::claims::ClaimStatus::as_str),
            page: page.clone(),
        };
        let found = repo(ctx)?.find_claims(&query).await?;
        Ok(super::claims::ClaimConnection::new(found, &page))
    }

    /// Source documents in id order: all of them, or those whose full text
    /// contains `search`, in Korean or English, ignoring case, spacing and
    /// punctuation as the actor search does (`국가정보원` finds `국가 정보원은`).
    /// A search hit's edge shows the passages that match (`matches`), each with
    /// the relations that quote it. The full `text` is read only when asked for.
    #[graphql(complexity = "page_cost(first, child_complexity) + search_cost(&search)")]
    async fn sources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Text to find in the sources' full texts (at most 200 characters).")]
        search: Option<String>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "A cursor from an earlier page: return the sources after it.")]
        after: Option<String>,
    ) -> ApiResult<SourceConnection> {
        let page = page_request(first, after)?;
        if let Some(s) = &search {
            check_search_len(s)?;
        }
        let folded = search.as_deref().map(search::fold);
        // The texts are read with the page when the page shows them, or searches
        // them for its matches; else each is left in the store.
        let edges = ctx.look_ahead().field("edges");
        let node = edges.field("node");
        let text = node.field("text").exists()
            || node.field("evidence").exists()
            || (folded.is_some()
                && (edges.field("matches").exists() || edges.field("matchCount").exists()));
        let query = SourceQuery {
            search: folded.clone().unwrap_or_default(),
            text,
            page: page.clone(),
        };
        let found = repo(ctx)?.find_sources(&query).await?;
        Ok(SourceConnection::new(found, &page, folded))
    }

    /// Any record by id, whatever its kind (Relay's global object
    /// identification): an actor, a relation or a source; null when no record has
    /// the id. Ask for fields with fragments: `... on Actor { name }`.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's id, e.g. `cia` or `cia-contract-amazon`.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        Ok(node::nodes(ctx, std::slice::from_ref(&id))
            .await?
            .into_iter()
            .next()
            .flatten())
    }

    /// Records by id, whatever their kind, in the order of `ids` (null for an id
    /// no record has); at most 100 ids.
    #[graphql(complexity = "1 + ids.len().max(1) * child_complexity")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The records' ids: 1 to 100.")] ids: Vec<ID>,
    ) -> ApiResult<Vec<Option<Node>>> {
        node::nodes(ctx, &ids).await
    }

    /// One source by id; null when no source has that id.
    async fn source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source's id, e.g. `amazon-korea-cloud-2015`.")] id: ID,
    ) -> ApiResult<Option<SourceNode>> {
        let id = parse_id("id", &id, SourceId::parse)?;
        let source = loaders(ctx)?.sources.one(&id).await?;
        Ok(source.map(SourceNode))
    }
}
