//! Intake's candidate claims over GraphQL: the `Claim` type, the `claims` list,
//! and what a claim has to do with the relations already stored (corroboration
//! and contradiction). Accepting and rejecting are mutations
//! (`api/mutation/review.rs`).

use async_graphql::{Context, Enum, Object, SimpleObject, ID};

use super::error::ApiResult;
use super::paging::PageInfo;
use super::sources::offset_of_units;
use super::types::{loaders, ActorNode, AreaNode, DateNode, MoneyNode, RelationNode, SourceNode};
use crate::domain::claim::{draft_date, verb};
use crate::domain::{Claim, ClaimEnd, Direction, Relation, RelationType, Review};
use crate::store::{Page, PageRequest, RelationFilter, RelationQuery};

/// Where a claim's review stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStatus {
    /// Not decided yet.
    Pending,
    /// Accepted: written as a relation, or as more evidence of one.
    Accepted,
    /// Rejected, with a reason.
    Rejected,
}

impl ClaimStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Pending => "pending",
            ClaimStatus::Accepted => "accepted",
            ClaimStatus::Rejected => "rejected",
        }
    }
}

/// How many stored relations of one pair a claim is compared with.
const SAME_PAIR: usize = 100;

/// A candidate claim.
pub struct ClaimNode(pub Claim);

/// A relation an article's sentence may state, proposed by intake for a person
/// to accept (it is then written as a relation, or as evidence of the stored
/// relation it corroborates), edit while accepting, or reject.
#[Object(name = "Claim")]
impl ClaimNode {
    /// Stable id, e.g. `amazon-korea-cloud-2015-c3`.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 1 when proposed, one more on each review.
    async fn version(&self) -> u64 {
        self.0.meta.version
    }
    /// The source the quote comes from.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<SourceNode> {
        Ok(SourceNode(
            loaders(ctx)?.linked_source(&self.0.source).await?,
        ))
    }
    /// The sentence, exactly as the source has it: the evidence.
    async fn quote(&self) -> &str {
        &self.0.quote
    }
    /// Where the quote starts in the source's text, in UTF-16 code units.
    async fn start(&self) -> i32 {
        offset_of_units(self.0.at)
    }
    /// Where it ends (exclusive), in UTF-16 code units.
    async fn end(&self) -> i32 {
        offset_of_units(self.0.at + self.0.quote.encode_utf16().count())
    }
    /// The suggested type.
    #[graphql(name = "type")]
    async fn kind(&self) -> Option<RelationType> {
        RelationType::parse(&self.0.draft.kind)
    }
    /// Where the relation would go from.
    async fn from(&self, ctx: &Context<'_>) -> ApiResult<ClaimEndNode> {
        end_node(ctx, &self.0.from).await
    }
    /// Where it would go to.
    async fn to(&self, ctx: &Context<'_>) -> ApiResult<ClaimEndNode> {
        end_node(ctx, &self.0.to).await
    }
    /// The relation's one-line summary, as it would be written (editable when
    /// accepting).
    async fn summary(&self) -> &str {
        &self.0.draft.summary
    }
    /// When it began (or happened), resolved against the publication date.
    async fn start_date(&self) -> Option<DateNode> {
        draft_date(&self.0.draft.start).map(DateNode)
    }
    /// When it ended or ends.
    async fn end_date(&self) -> Option<DateNode> {
        draft_date(&self.0.draft.end).map(DateNode)
    }
    /// The sum the sentence gives.
    async fn amount(&self) -> Option<MoneyNode> {
        self.0.draft.amount.as_ref().map(|m| MoneyNode {
            value: m.value,
            currency: m.currency.clone(),
        })
    }
    /// The floor area, for leases.
    async fn area(&self) -> Option<AreaNode> {
        self.0.draft.area.as_ref().map(|a| AreaNode {
            square_metres: a.square_metres,
            approximate: a.approximate,
        })
    }
    /// The post, for positions.
    async fn role(&self) -> Option<&str> {
        self.0.draft.role.as_deref()
    }
    /// A status in the data's words (`signed`, `pending`…).
    async fn status(&self) -> Option<&str> {
        self.0.draft.status.as_deref()
    }
    /// The words that led to it: cue words, a title, or the two ends' kinds.
    async fn cues(&self) -> &[String] {
        &self.0.cues
    }
    /// How sure intake was, 0 to 1.
    async fn confidence(&self) -> f64 {
        self.0.confidence
    }
    /// Pending, accepted or rejected.
    async fn review(&self) -> ClaimStatus {
        match self.0.review {
            Review::Pending => ClaimStatus::Pending,
            Review::Accepted { .. } => ClaimStatus::Accepted,
            Review::Rejected { .. } => ClaimStatus::Rejected,
        }
    }
    /// The relation an accepted claim was written as (or added evidence to).
    async fn relation_id(&self) -> Option<ID> {
        match &self.0.review {
            Review::Accepted { relation } => Some(ID(relation.to_string())),
            _ => None,
        }
    }
    /// Why it was rejected.
    async fn reason(&self) -> Option<&str> {
        match &self.0.review {
            Review::Rejected { reason } => Some(reason),
            _ => None,
        }
    }
    /// Stored relations with the claim's ends and type: accepting the claim adds
    /// its sentence to the first as evidence (corroboration) instead of writing
    /// a second relation.
    async fn corroborates(&self, ctx: &Context<'_>) -> ApiResult<Vec<RelationNode>> {
        Ok(same_pair(ctx, &self.0)
            .await?
            .into_iter()
            .map(RelationNode)
            .collect())
    }
    /// Stored relations with the claim's ends and type that say otherwise about
    /// its dates, sum or status: both quotes, to weigh before accepting.
    async fn contradicts(&self, ctx: &Context<'_>) -> ApiResult<Vec<Contradiction>> {
        Ok(same_pair(ctx, &self.0)
            .await?
            .into_iter()
            .filter_map(|r| {
                let fields = differences(&self.0, &r);
                (!fields.is_empty()).then_some(Contradiction {
                    fields,
                    relation: RelationNode(r),
                })
            })
            .collect())
    }
    /// The last changes of this claim, oldest first: its proposal and its review,
    /// who made each and when.
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
            crate::store::RecordKind::Claim,
            self.0.id.as_str(),
            last,
        )
        .await
    }
}

/// A stored relation that disagrees with a claim.
#[derive(SimpleObject)]
pub struct Contradiction {
    /// The stored relation, with its quotes.
    pub relation: RelationNode,
    /// Where they differ: `start`, `end`, `amount`, `status`.
    pub fields: Vec<String>,
}

/// The fields a claim gives that a stored relation gives otherwise.
fn differences(c: &Claim, r: &Relation) -> Vec<String> {
    let mut out = Vec::new();
    let date = |d: &Option<crate::domain::DateValue>| d.as_ref().map(|d| d.date);
    if let Some(s) = draft_date(&c.draft.start) {
        if date(&r.start).is_some_and(|rs| rs.cmp_coarse(&s.date).is_ne()) {
            out.push("start".to_string());
        }
    }
    if let Some(e) = draft_date(&c.draft.end) {
        if date(&r.end).is_some_and(|re| re.cmp_coarse(&e.date).is_ne()) {
            out.push("end".to_string());
        }
    }
    if let (Some(a), Some(b)) = (&c.draft.amount, &r.amount) {
        if a.currency != b.currency || (a.value - b.value).abs() > f64::EPSILON * a.value.abs() {
            out.push("amount".to_string());
        }
    }
    if let (Some(a), Some(b)) = (&c.draft.status, &r.status) {
        if !a.eq_ignore_ascii_case(b) {
            out.push("status".to_string());
        }
    }
    out
}

/// The stored relations with a claim's ends and type (none when an end is new),
/// through the request's relation-page loader: a page of claims costs one
/// store call.
pub async fn same_pair(ctx: &Context<'_>, c: &Claim) -> ApiResult<Vec<Relation>> {
    let (ClaimEnd::Known(from), ClaimEnd::Known(to), Some(kind)) =
        (&c.from, &c.to, RelationType::parse(&c.draft.kind))
    else {
        return Ok(Vec::new());
    };
    let page = loaders(ctx)?
        .page(&same_pair_query(from.clone(), kind, SAME_PAIR))
        .await?;
    Ok(page.items.into_iter().filter(|r| &r.to == to).collect())
}

/// The page of `from`'s relations of type `kind` (at most `first`), among which
/// those with a claim's other end are found.
pub fn same_pair_query(
    from: crate::domain::ActorId,
    kind: RelationType,
    first: usize,
) -> RelationQuery {
    RelationQuery {
        total: false,
        filter: RelationFilter::new(Some(from), Direction::Out, vec![kind]),
        order: Default::default(),
        page: PageRequest { first, after: None },
    }
}

/// An end of a claim.
pub struct ClaimEndNode {
    actor: Option<ActorNode>,
    name: String,
    kind: Option<crate::domain::ActorKind>,
    duplicates: Vec<ActorNode>,
}

async fn end_node(ctx: &Context<'_>, end: &ClaimEnd) -> ApiResult<ClaimEndNode> {
    let loaders = loaders(ctx)?;
    Ok(match end {
        ClaimEnd::Known(id) => {
            let actor = loaders.actors.one(id).await?;
            ClaimEndNode {
                name: actor
                    .as_ref()
                    .map_or_else(|| id.to_string(), |a| a.display_name().to_string()),
                kind: actor.as_ref().map(|a| a.kind),
                actor: actor.map(ActorNode),
                duplicates: Vec::new(),
            }
        }
        ClaimEnd::New(n) => {
            loaders.actors.fetch(n.duplicates.iter().cloned()).await?;
            let mut duplicates = Vec::new();
            for id in &n.duplicates {
                if let Some(a) = loaders.actors.one(id).await? {
                    duplicates.push(ActorNode(a));
                }
            }
            ClaimEndNode {
                actor: None,
                name: n.name.clone(),
                kind: Some(n.kind),
                duplicates,
            }
        }
    })
}

/// An end of a claim: a stored actor, or a name the text gives that no stored
/// actor has (to create, or to tie to one of its possible duplicates when
/// accepting).
#[Object(name = "ClaimEnd")]
impl ClaimEndNode {
    /// The stored actor, when the end is one (null when it was deleted since).
    async fn actor(&self) -> Option<&ActorNode> {
        self.actor.as_ref()
    }
    /// The name to show: the actor's, or the text's.
    async fn name(&self) -> &str {
        &self.name
    }
    /// The actor's kind, or the kind intake suggests for a new name.
    async fn kind(&self) -> Option<crate::domain::ActorKind> {
        self.kind
    }
    /// Whether the end is a name no stored actor had at intake.
    async fn is_new(&self) -> bool {
        self.actor.is_none()
    }
    /// For a new name: stored actors it may be, best first.
    async fn duplicates(&self) -> &[ActorNode] {
        &self.duplicates
    }
}

/// A claim in a page, with its cursor.
#[derive(SimpleObject)]
pub struct ClaimEdge {
    /// Pass as `after` to get the claims that follow this one.
    pub cursor: String,
    /// The claim.
    pub node: ClaimNode,
}

/// A page of claims (Relay connection), in id order: a source's claims in the
/// order of its sentences.
#[derive(SimpleObject)]
pub struct ClaimConnection {
    /// The claims of this page, with their cursors.
    pub edges: Vec<ClaimEdge>,
    /// Where this page sits in the list.
    pub page_info: PageInfo,
}

impl ClaimConnection {
    pub fn new(page: Page<Claim>, request: &PageRequest) -> Self {
        let edges: Vec<ClaimEdge> = page
            .items
            .into_iter()
            .map(|c| ClaimEdge {
                cursor: super::cursor::encode(c.id.as_str()),
                node: ClaimNode(c),
            })
            .collect();
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        ClaimConnection {
            page_info: super::paging::page_info(&cursors, page.has_next_page, request),
            edges,
        }
    }
}

/// The summary a claim's relation gets unless the reviewer writes one:
/// `Amazon leases GS Tower.`
pub fn default_summary(from: &str, kind: RelationType, to: &str) -> String {
    format!("{from} {} {to}.", verb(kind))
}
