//! Sources as a list to search and page, and what leads from a source to the
//! relations it states: the search hits' matching sentences, `Source.relations`
//! and `Source.evidence`.
//!
//! Matching sentences are found in the API from the source's text
//! ([`crate::domain::text`]), so every store gives the same ones; the stores
//! only say which sources contain the search (each with an index of its own).

use async_graphql::{ComplexObject, Context, SimpleObject};

use super::cursor;
use super::error::{ApiError, ApiResult};
use super::paging::PageInfo;
use super::types::{loaders, RelationNode, SourceNode};
use crate::domain::text::{self, Folded};
use crate::domain::{Relation, Source, SourceId};
use crate::store::{Page, PageRequest, RelationFilter, RelationQuery};

/// How many of the relations quoting a source a hit's matches and
/// `Source.evidence` read at most (by id): a bound on the work, far above what
/// one article states.
pub const CITING_MAX: usize = 1_000;

/// Matches shown per hit when `first` is not given, and the most accepted.
pub const DEFAULT_MATCHES: usize = 5;
pub const MAX_MATCHES: usize = 20;

/// Quotes shown by `Source.evidence` when `first` is not given, and the most.
pub const DEFAULT_QUOTES: usize = 100;
pub const MAX_QUOTES: usize = 100;

/// A source in a page, with its cursor and, for a search, where the text matches.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct SourceEdge {
    /// Pass as `after` to get the sources that follow this one.
    pub cursor: String,
    /// The source.
    pub node: SourceNode,
    /// The folded search, when the list is a search.
    #[graphql(skip)]
    pub search: Option<String>,
    /// The source's text and its folded form, made once for `matches` and
    /// `matchCount`.
    #[graphql(skip)]
    pub folded: tokio::sync::OnceCell<(String, Folded)>,
}

/// A page of sources (Relay connection), in id order.
#[derive(SimpleObject)]
pub struct SourceConnection {
    /// The sources of this page, with their cursors (and a search's matches).
    pub edges: Vec<SourceEdge>,
    /// Where this page sits in the list.
    pub page_info: PageInfo,
    /// How many sources the whole list has, all pages together.
    pub total_count: i32,
}

impl SourceConnection {
    /// Wraps a store page; `search` (folded) is kept on the edges for their matches.
    pub fn new(page: Page<Source>, request: &PageRequest, search: Option<String>) -> Self {
        let edges: Vec<SourceEdge> = page
            .items
            .into_iter()
            .map(|s| SourceEdge {
                cursor: cursor::encode(s.id.as_str()),
                node: SourceNode(s),
                search: search.clone(),
                folded: tokio::sync::OnceCell::new(),
            })
            .collect();
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        SourceConnection {
            page_info: super::paging::page_info(&cursors, page.has_next_page, request),
            edges,
            total_count: i32::try_from(page.total_count).unwrap_or(i32::MAX),
        }
    }
}

/// Reads a `first` bounded by `max` (default `default`).
fn bounded(arg: &'static str, first: Option<i32>, default: usize, max: usize) -> ApiResult<usize> {
    match first {
        None => Ok(default),
        Some(n) if n >= 0 && n as usize <= max => Ok(n as usize),
        Some(n) => Err(ApiError::bad_input(
            arg,
            format!("`{arg}` is {n}; ask for 0 to {max}"),
        )),
    }
}

/// The cost of a list of at most `first` (default `default`) items.
pub fn list_cost(first: Option<i32>, default: usize, child_complexity: usize) -> usize {
    let n = first.map_or(default, |n| n.max(0) as usize).max(1);
    1 + n.min(MAX_QUOTES) * child_complexity
}

#[ComplexObject]
impl SourceEdge {
    /// For a search, the passages of the text where it matches, in text order: each
    /// the sentence that holds the words (or the sentences, when they span more
    /// than one), with the relations that quote it. Empty without a search.
    #[graphql(complexity = "list_cost(first, DEFAULT_MATCHES, child_complexity) + CITING_COST")]
    async fn matches(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many matches: 0 to 20, default 5.")] first: Option<i32>,
    ) -> ApiResult<Vec<SourceMatch>> {
        let first = bounded("first", first, DEFAULT_MATCHES, MAX_MATCHES)?;
        let Some(search) = self.search.as_deref().filter(|s| !s.is_empty()) else {
            return Ok(vec![]);
        };
        let (text, folded) = self.folded(ctx).await?;
        let runs = folded.find(search);
        if runs.is_empty() || first == 0 {
            return Ok(vec![]);
        }
        let quotes = quotations(ctx, &self.node.0.id, text).await?;
        Ok(runs
            .iter()
            .take(first)
            .map(|run| {
                let span = folded.span(run);
                let mut relations: Vec<Relation> = quotes
                    .iter()
                    .filter(|q| q.at.as_ref().is_some_and(|at| overlaps(at, &span)))
                    .map(|q| q.relation.clone())
                    .collect();
                relations.sort_by(|a, b| a.id.cmp(&b.id));
                relations.dedup_by(|a, b| a.id == b.id);
                SourceMatch {
                    text: text[span.clone()].to_string(),
                    start: offset(text, span.start),
                    end: offset(text, span.end),
                    sentence: offset_i32(run.start),
                    relations: relations.into_iter().map(RelationNode).collect(),
                }
            })
            .collect())
    }

    /// For a search, how many passages of the text match (see `matches`); 0
    /// without a search.
    #[graphql(complexity = 10)]
    async fn match_count(&self, ctx: &Context<'_>) -> ApiResult<i32> {
        let Some(search) = self.search.as_deref().filter(|s| !s.is_empty()) else {
            return Ok(0);
        };
        let (_, folded) = self.folded(ctx).await?;
        Ok(offset_i32(folded.find(search).len()))
    }
}

impl SourceEdge {
    /// The source's text and its folded form, made at the first ask.
    async fn folded(&self, ctx: &Context<'_>) -> ApiResult<&(String, Folded)> {
        self.folded
            .get_or_try_init(|| async {
                let text = source_text(ctx, &self.node.0).await?;
                let folded = Folded::new(&text);
                Ok((text, folded))
            })
            .await
    }
}

/// The cost of reading the relations that quote a source.
pub const CITING_COST: usize = 20;

/// A passage of a source where a search matches.
#[derive(SimpleObject)]
pub struct SourceMatch {
    /// The passage exactly as it stands in the text: the sentence (or sentences)
    /// holding the words searched for.
    pub text: String,
    /// Where the passage starts in the source's `text`, in UTF-16 code units (as
    /// JavaScript's `String.prototype.slice` counts).
    pub start: i32,
    /// Where the passage ends in the source's `text` (exclusive), in UTF-16 code units.
    pub end: i32,
    /// The number of the passage's first sentence in the text, from 0.
    pub sentence: i32,
    /// The relations with a quote of this source that overlaps the passage, in id order.
    pub relations: Vec<RelationNode>,
}

/// A quote of a source in the evidence of a relation.
#[derive(SimpleObject)]
pub struct Quotation {
    /// The quote, exactly as it stands in the source's text.
    pub quote: String,
    /// Where the quote first stands in the source's `text`, in UTF-16 code units.
    pub start: i32,
    /// Where it ends (exclusive), in UTF-16 code units.
    pub end: i32,
    /// The relation the quote is evidence for.
    pub relation: RelationNode,
}

/// A relation's quote of a source, with where it first stands in the text.
struct Quoted {
    relation: Relation,
    quote: String,
    at: Option<std::ops::Range<usize>>,
}

/// The source's full text: the one it was read with, or read now when the list
/// that gave it left the text out (a stored text is never empty).
async fn source_text(ctx: &Context<'_>, source: &Source) -> ApiResult<String> {
    if !source.text.is_empty() {
        return Ok(source.text.clone());
    }
    Ok(loaders(ctx)?.linked_source(&source.id).await?.text)
}

/// The quotes of a source in the evidence of the relations that cite it (the
/// first [`CITING_MAX`] of them by id), in the order they stand in the text,
/// then by relation id. The relations come through the page loader: the sources
/// of a page are read in one store call.
async fn quotations(ctx: &Context<'_>, source: &SourceId, text: &str) -> ApiResult<Vec<Quoted>> {
    let query = RelationQuery {
        total: false,
        filter: RelationFilter::citing(source.clone(), vec![]),
        order: Default::default(),
        page: PageRequest {
            first: CITING_MAX,
            after: None,
        },
    };
    let page = loaders(ctx)?.page(&query).await?;
    let mut quotes: Vec<Quoted> = page
        .items
        .into_iter()
        .flat_map(|r| {
            r.evidence
                .iter()
                .filter(|e| &e.source == source)
                .map(|e| Quoted {
                    relation: r.clone(),
                    quote: e.quote.clone(),
                    at: text.find(&e.quote).map(|at| at..at + e.quote.len()),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    quotes.sort_by(|a, b| {
        let at = |q: &Quoted| q.at.as_ref().map_or(usize::MAX, |r| r.start);
        at(a)
            .cmp(&at(b))
            .then_with(|| a.relation.id.cmp(&b.relation.id))
    });
    Ok(quotes)
}

/// Whether two byte ranges share a byte.
fn overlaps(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

pub(super) fn offset(text: &str, byte: usize) -> i32 {
    offset_i32(text::utf16_offset(text, byte))
}

/// A count of UTF-16 code units as a GraphQL `Int`.
pub(super) fn offset_of_units(n: usize) -> i32 {
    offset_i32(n)
}

fn offset_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// `Source.evidence`: the source's quotes with their relations, in text order.
pub async fn evidence(
    ctx: &Context<'_>,
    source: &Source,
    first: Option<i32>,
) -> ApiResult<Vec<Quotation>> {
    let first = bounded("first", first, DEFAULT_QUOTES, MAX_QUOTES)?;
    let text = source_text(ctx, source).await?;
    let quotes = quotations(ctx, &source.id, &text).await?;
    Ok(quotes
        .into_iter()
        .take(first)
        .map(|q| {
            let at = q.at.unwrap_or(0..0);
            Quotation {
                start: offset(&text, at.start),
                end: offset(&text, at.end),
                quote: q.quote,
                relation: RelationNode(q.relation),
            }
        })
        .collect())
}
