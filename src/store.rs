//! The repository: what the API needs from a store, in domain terms.
//!
//! The trait never takes raw queries, so a backend can be swapped without touching
//! the API: [`memory::MemoryStore`] (embedded, the default) and, in a later issue, a
//! Neo4j store. Both must pass the same contract suite (`tests/api/contract.rs`).
//!
//! Every list is ordered by id and paged by keyset (`after` is the last id seen),
//! which every backend can answer the same way, with the same cursors. Reads that
//! the GraphQL layer batches (actors by id, relation pages for many actors) take a
//! slice, so one request costs one call per level of the query, not one per item.

pub mod explore;
pub mod export;
pub mod journal;
pub mod memory;
pub mod names;
pub mod neo4j;
pub mod records;
pub mod rules;

use async_trait::async_trait;

use crate::domain::aggregate::Aggregate;
use crate::domain::filter::{Condition, RelationCount};
use crate::domain::{
    Actor, ActorId, ActorKind, Claim, ClaimId, Direction, PartialDate, Relation, RelationId,
    RelationType, Source, SourceId,
};

/// What can go wrong inside a store. None of it is the client's fault; the API
/// logs the detail and shows the client a generic error with a code.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend could not be reached or refused the request.
    #[error("the {backend} store is unavailable")]
    Unavailable {
        backend: &'static str,
        #[source]
        source: anyhow::Error,
    },
    /// The backend did not answer in time.
    #[error("the {backend} store did not answer within {millis} ms")]
    Timeout { backend: &'static str, millis: u64 },
    /// The request's deadline passed while the store worked for it
    /// ([`crate::deadline`]); the work stopped.
    #[error("the request's deadline passed")]
    DeadlineExceeded,
    /// The backend returned a record that breaks the domain's rules.
    #[error("the {backend} store returned an invalid record: {detail}")]
    InvalidRecord {
        backend: &'static str,
        detail: String,
    },
}

impl From<crate::deadline::Expired> for StoreError {
    fn from(_: crate::deadline::Expired) -> Self {
        StoreError::DeadlineExceeded
    }
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Which slice of an ordered list to return.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// How many items at most.
    pub first: usize,
    /// Return only items whose id sorts after this one.
    pub after: Option<String>,
}

/// One page of an ordered list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in id order.
    pub items: Vec<T>,
    /// Whether more items follow the last one.
    pub has_next_page: bool,
    /// How many items the whole list has, all pages together.
    pub total_count: usize,
    /// The items' sort keys, when the list is in an order whose keys only the
    /// store knows (actors by number of relations): for their cursors. Else empty.
    pub keys: Vec<Option<SortKey>>,
}

/// An empty last page (without a bound on `T`, which a derive would add).
impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            items: Vec::new(),
            has_next_page: false,
            total_count: 0,
            keys: Vec::new(),
        }
    }
}

impl<T: Clone> Page<T> {
    /// Builds a page from an id-ordered iterator over every matching item, cloning
    /// only the items of the page.
    pub fn collect<'a, I>(all: I, request: &PageRequest) -> Self
    where
        I: Iterator<Item = (&'a str, &'a T)>,
        T: 'a,
    {
        let mut items = Vec::with_capacity(request.first.min(128));
        let mut total_count = 0;
        let mut has_next_page = false;
        for (id, item) in all {
            total_count += 1;
            if request.after.as_deref().is_some_and(|after| id <= after) {
                continue;
            }
            if items.len() < request.first {
                items.push(item.clone());
            } else {
                has_next_page = true;
            }
        }
        Page {
            keys: Vec::new(),
            items,
            has_next_page,
            total_count,
        }
    }
}

/// Which actors to list, and in which order. Without `search`, actors come in
/// `order` (by id unless it says otherwise) and a page's `after` is an id; with
/// it, they come best match first (then by id), and `after` is the `rank:id` key of
/// [`crate::domain::search::sort_key`] (`order` is then the default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActorFilter {
    /// Text to find in names and aliases (see [`crate::domain::search`]).
    pub search: Option<String>,
    /// Only names that hold the search as written: no forgiven mistakes
    /// ([`crate::domain::search::forgiving_rank`]).
    pub exact: bool,
    /// Only these kinds; empty means all.
    pub kinds: Vec<ActorKind>,
    /// Only actors with these numbers of relations (each holds).
    pub relations: Vec<RelationCount>,
    /// The order of a list without `search`, and which way the page reads it.
    pub order: ListOrder<ActorSortBy>,
}

/// What an actor list is sorted by (then by id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ActorSortBy {
    #[default]
    Id,
    /// The Korean name, ignoring case (Hangul syllables sort in dictionary order
    /// by their code points); actors without one have no key.
    NameKo,
    /// The English name, ignoring case; actors without one have no key.
    NameEn,
    /// The number of relations, of all types, either way.
    Relations,
}

impl ActorSortBy {
    /// The name the stores' queries use.
    pub fn name(self) -> &'static str {
        match self {
            ActorSortBy::Id => "id",
            ActorSortBy::NameKo => "nameKo",
            ActorSortBy::NameEn => "nameEn",
            ActorSortBy::Relations => "relations",
        }
    }

    /// An actor's key for the orders its record answers (`None` for
    /// `Relations`, which the store counts, and for a name it lacks).
    pub fn record_key(self, a: &Actor) -> Option<SortKey> {
        match self {
            ActorSortBy::Id => Some(SortKey::Text(a.id.to_string())),
            ActorSortBy::NameKo => a.name_ko.as_ref().map(|n| SortKey::Text(n.to_lowercase())),
            ActorSortBy::NameEn => a.name_en.as_ref().map(|n| SortKey::Text(n.to_lowercase())),
            ActorSortBy::Relations => None,
        }
    }
}

impl ListOrder<ActorSortBy> {
    /// Whether the list is read by id forward (the stores' default reading).
    pub fn by_id_forward(&self) -> bool {
        self.by == ActorSortBy::Id && !self.descending && !self.backward
    }
}

/// Which relations to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RelationFilter {
    /// Only relations of this actor, followed in `direction`.
    pub actor: Option<ActorId>,
    /// Only relations with evidence from this source (without `actor`).
    pub source: Option<SourceId>,
    /// Direction from `actor`; ignored without one.
    pub direction: Direction,
    /// Only these types (sorted, without repeats); empty means all.
    pub types: Vec<RelationType>,
    /// Only relations that hold at this date (see [`Relation::valid_at`]).
    pub as_of: Option<PartialDate>,
    /// Only relations that pass this condition (`where`).
    pub condition: Option<Condition>,
}

impl RelationFilter {
    /// Normalises `types` so that equal filters compare (and batch) as equal.
    pub fn new(actor: Option<ActorId>, direction: Direction, mut types: Vec<RelationType>) -> Self {
        types.sort();
        types.dedup();
        Self {
            actor,
            source: None,
            direction,
            types,
            as_of: None,
            condition: None,
        }
    }

    /// The relations with evidence from `source`, of these types.
    pub fn citing(source: SourceId, types: Vec<RelationType>) -> Self {
        Self {
            source: Some(source),
            ..Self::new(None, Direction::Both, types)
        }
    }

    /// Whether the list is anchored (on an actor or a source), not the whole graph's.
    pub fn anchored(&self) -> bool {
        self.actor.is_some() || self.source.is_some()
    }

    /// The same filter, limited to relations that pass `condition`. When the
    /// condition requires some types, the filter reads only those (of its own).
    pub fn passing(mut self, condition: Option<Condition>) -> Self {
        if let Some(required) = condition.as_ref().and_then(Condition::required_types) {
            let narrowed: Vec<RelationType> = if self.types.is_empty() {
                required
            } else {
                self.types
                    .iter()
                    .copied()
                    .filter(|t| required.contains(t))
                    .collect()
            };
            // No type in common: nothing passes, which the condition itself says.
            if !narrowed.is_empty() {
                self.types = narrowed;
            }
        }
        self.condition = condition;
        self
    }

    /// Whether the list is every relation of its types (no date or condition),
    /// so that kept counts by type answer its total.
    pub fn counts_by_type(&self) -> bool {
        self.as_of.is_none() && self.condition.is_none()
    }

    /// The same filter, limited to relations that hold at `date`.
    pub fn at(mut self, date: Option<PartialDate>) -> Self {
        self.as_of = date;
        self
    }

    /// Whether a relation passes the type filter.
    pub fn admits_type(&self, t: RelationType) -> bool {
        self.types.is_empty() || self.types.contains(&t)
    }

    /// Whether a relation passes the type, date and condition filters (not the
    /// actor one).
    pub fn admits(&self, r: &Relation) -> bool {
        self.admits_type(r.kind)
            && self.as_of.as_ref().is_none_or(|d| r.valid_at(d))
            && self.condition.as_ref().is_none_or(|c| c.holds(r))
    }
}

/// Which sources to list: those whose text contains `search` (already folded,
/// [`crate::domain::search::fold`]; every source when empty), in id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceQuery {
    pub search: String,
    /// Whether to read the sources' full texts (else they come empty).
    pub text: bool,
    pub page: PageRequest,
}

/// Which claims to list: of one source, in one review state (`pending`,
/// `accepted`, `rejected`), or all; in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimQuery {
    pub source: Option<SourceId>,
    pub review: Option<&'static str>,
    pub page: PageRequest,
}

impl ClaimQuery {
    /// Whether a claim passes the source and review filters.
    pub fn admits(&self, c: &Claim) -> bool {
        self.source.as_ref().is_none_or(|s| *s == c.source)
            && self.review.is_none_or(|r| r == c.review.as_str())
    }
}

/// A filtered, paged request for relations.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RelationQuery {
    /// Whether the page's `total_count` is wanted; when not, a store may leave it
    /// at 0 rather than count (a count of the whole graph's relations scans them
    /// on Neo4j).
    pub total: bool,
    pub filter: RelationFilter,
    /// The list's order, and which way the page reads it. `page.after` is the id
    /// of the relation the page starts after.
    pub order: ListOrder,
    pub page: PageRequest,
}

impl RelationQuery {
    /// Whether the page reads the list in its default order (by id, forward),
    /// which the stores answer from their id indexes.
    pub fn by_id_forward(&self) -> bool {
        self.order.by == SortBy::Id && !self.order.descending && !self.order.backward
    }
}

/// What a relation list is sorted by (then by id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum SortBy {
    #[default]
    Id,
    /// The start date (as written: a coarser date before the finer ones it contains).
    Start,
    /// The end date.
    End,
    /// The type's name.
    Type,
    /// The amount in this currency; relations without one have no key.
    Amount(String),
}

impl SortBy {
    /// The name the stores' queries use.
    pub fn name(&self) -> &'static str {
        match self {
            SortBy::Id => "id",
            SortBy::Start => "start",
            SortBy::End => "end",
            SortBy::Type => "type",
            SortBy::Amount(_) => "amount",
        }
    }

    /// A relation's sort key; `None` when it has none (no such date, no amount
    /// in the currency).
    pub fn key(&self, r: &Relation) -> Option<SortKey> {
        match self {
            SortBy::Id => Some(SortKey::Text(r.id.to_string())),
            SortBy::Start => r.start.as_ref().map(|d| SortKey::Text(d.date.to_string())),
            SortBy::End => r.end.as_ref().map(|d| SortKey::Text(d.date.to_string())),
            SortBy::Type => Some(SortKey::Text(r.kind.as_str().to_string())),
            SortBy::Amount(currency) => r
                .amount
                .as_ref()
                .filter(|m| &m.currency == currency)
                .map(|m| SortKey::Number(m.value.into())),
        }
    }
}

/// A sort key's value: text (ids, dates as written, type names) or a number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SortKey {
    Text(String),
    Number(Amount),
}

/// A finite amount, ordered and hashed by value (amounts are validated finite).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount(pub f64);

impl From<f64> for Amount {
    fn from(v: f64) -> Self {
        Amount(v)
    }
}

impl Eq for Amount {}

impl PartialOrd for Amount {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Amount {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl std::hash::Hash for Amount {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

/// The order of a list (of relations by [`SortBy`], of actors by
/// [`ActorSortBy`]) and which way a page reads it.
///
/// A list is sorted by its key, ascending or `descending`, then by id in the
/// same direction; items without the key come after all those with it, in
/// either direction. A page reads the list forward from `page.after`, or, when
/// `backward` (Relay's `last`/`before`), the reverse of the list from there,
/// which the API turns back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ListOrder<B = SortBy> {
    pub by: B,
    pub descending: bool,
    pub backward: bool,
    /// The sort key of the item `page.after` names (none when it has none, or
    /// for the id order, whose key is the id).
    pub after_key: Option<SortKey>,
}

impl<B> ListOrder<B> {
    /// Whether keys (and ids) are read in descending order: the list's
    /// direction, reversed by a backward reading.
    pub fn key_descending(&self) -> bool {
        self.descending != self.backward
    }

    /// Whether relations without the key are read first (a backward reading).
    pub fn absent_first(&self) -> bool {
        self.backward
    }

    /// How two positions (a sort key, or none, and an id) compare in the reading.
    pub fn compare(
        &self,
        a: (Option<&SortKey>, &str),
        b: (Option<&SortKey>, &str),
    ) -> std::cmp::Ordering {
        use std::cmp::Ordering::{Greater, Less};
        let within = |o: std::cmp::Ordering| {
            if self.key_descending() {
                o.reverse()
            } else {
                o
            }
        };
        let absent_last = |o: std::cmp::Ordering| {
            if self.absent_first() {
                o.reverse()
            } else {
                o
            }
        };
        match (a.0, b.0) {
            (Some(_), None) => absent_last(Less),
            (None, Some(_)) => absent_last(Greater),
            (Some(x), Some(y)) => within(x.cmp(y).then_with(|| a.1.cmp(b.1))),
            (None, None) => within(a.1.cmp(b.1)),
        }
    }

    /// The position of the page's cursor (`after`, an id): its key (for the id
    /// order, the id itself) and its id.
    pub fn cursor<'a>(&self, after: &'a str, by_id: bool) -> (Option<SortKey>, &'a str) {
        let key = if by_id {
            Some(SortKey::Text(after.to_string()))
        } else {
            self.after_key.clone()
        };
        (key, after)
    }
}

impl ListOrder<SortBy> {
    /// Whether a relation comes after the page's cursor (`after`, an id) in the
    /// reading; every relation does without a cursor.
    pub fn is_after(&self, r: &Relation, after: Option<&str>) -> bool {
        let Some(after) = after else {
            return true;
        };
        let (after_key, after) = self.cursor(after, self.by == SortBy::Id);
        let key = self.by.key(r);
        self.compare((key.as_ref(), r.id.as_str()), (after_key.as_ref(), after))
            .is_gt()
    }
}

/// The ids of the actors at either end of the pages' relations, sorted, each once.
pub fn ends_of(pages: &[Page<Relation>]) -> Vec<ActorId> {
    let mut ids: Vec<ActorId> = pages
        .iter()
        .flat_map(|p| p.items.iter().flat_map(|r| [r.from.clone(), r.to.clone()]))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The domain-level store interface.
#[async_trait]
pub trait Repository: Send + Sync + 'static {
    /// A short name for logs and `/health`: `memory`, `neo4j`.
    fn backend(&self) -> &'static str;

    /// Checks that the store answers.
    async fn ping(&self) -> StoreResult<()>;

    /// The actors with these ids; unknown ids are left out. Any order.
    async fn actors_by_ids(&self, ids: &[ActorId]) -> StoreResult<Vec<Actor>>;

    /// The actors one of whose names or aliases, folded
    /// ([`crate::domain::search::search_keys`]), is one of `keys` (folded, at
    /// least two characters): what intake looks up for the phrases of a text that
    /// could be names ([`crate::domain::intake::mentions::phrases`]). Any order.
    async fn actors_named(&self, keys: &[String]) -> StoreResult<Vec<Actor>>;

    /// A page of the actors that pass `filter`, in id order.
    async fn find_actors(
        &self,
        filter: &ActorFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Actor>>;

    /// The relations with these ids; unknown ids are left out. Any order.
    async fn relations_by_ids(&self, ids: &[RelationId]) -> StoreResult<Vec<Relation>>;

    /// One page per query, in the order of `queries`: the relation lists of many
    /// actors in one call.
    async fn find_relations(&self, queries: &[RelationQuery]) -> StoreResult<Vec<Page<Relation>>>;

    /// [`Repository::find_relations`], with the actors at the ends of the pages'
    /// relations (each once, any order): what a query showing the relations'
    /// `from` and `to` needs next, read in the same call where the store can (one
    /// round trip on Neo4j instead of two). By default, two calls.
    async fn find_relations_with_ends(
        &self,
        queries: &[RelationQuery],
    ) -> StoreResult<(Vec<Page<Relation>>, Vec<Actor>)> {
        let pages = self.find_relations(queries).await?;
        let ids = ends_of(&pages);
        let actors = if ids.is_empty() {
            vec![]
        } else {
            self.actors_by_ids(&ids).await?
        };
        Ok((pages, actors))
    }

    /// The aggregate of the relations each filter admits (all of them, not a
    /// page), in the order of `filters`: the aggregates of a level's connections
    /// in one call. An actor's aggregate reads its relations; the whole graph's
    /// reads every relation of its types.
    async fn aggregate_relations(&self, filters: &[RelationFilter]) -> StoreResult<Vec<Aggregate>>;

    /// The sources with these ids; unknown ids are left out. Any order.
    async fn sources_by_ids(&self, ids: &[SourceId]) -> StoreResult<Vec<Source>>;

    /// A page of the sources that pass `query`, in id order; their texts are
    /// empty unless `query.text`.
    async fn find_sources(&self, query: &SourceQuery) -> StoreResult<Page<Source>>;

    /// The claims with these ids; unknown ids are left out. Any order.
    async fn claims_by_ids(&self, ids: &[ClaimId]) -> StoreResult<Vec<Claim>>;

    /// A page of the claims that pass `query`, in id order.
    async fn find_claims(&self, query: &ClaimQuery) -> StoreResult<Page<Claim>>;

    /// Every source, in id order.
    async fn all_sources(&self) -> StoreResult<Vec<Source>>;

    /// How many records of each kind the store holds.
    async fn stats(&self) -> StoreResult<Stats>;

    /// Writes a validated data set: creates what is new, replaces what differs, and
    /// leaves the rest (and every record the data set does not name) alone, all or
    /// nothing. Records written are stamped as written by `by` ([`Meta::next`]).
    /// Reports what it did per kind of record, and the records it wrote.
    async fn import(&self, data: &crate::domain::Dataset, by: &str) -> StoreResult<Imported>;

    /// Writes one record (or deletes one), all or nothing, as `by`; returns what
    /// changed, in order (a cascading delete lists the relations before the actor).
    /// The store checks what only it can check atomically: that a new id is free,
    /// that endpoints exist, that the record is at the expected version, and that
    /// an actor deleted without `cascade` has no relations. Validation of the
    /// record itself is the caller's (the domain's rules, before calling).
    async fn write(&self, write: Write, by: &str) -> Result<Vec<Change>, WriteError>;

    /// The number of the change log's last entry (0 when it is empty).
    async fn last_change(&self) -> StoreResult<u64>;

    /// Entries of the change log that pass `query`, oldest first (a page whose
    /// `total_count` is not counted: 0).
    async fn changes(&self, query: &ChangeQuery) -> StoreResult<Page<LogEntry>>;

    /// The last [`HISTORY_MAX`] entries of each record (kind and id), oldest
    /// first, one list per record in the order asked: the histories of a page of
    /// records in one call.
    async fn histories(&self, records: &[(RecordKind, String)]) -> StoreResult<Vec<Vec<LogEntry>>>;

    /// The dated relations that pass `filter` (actor, either direction; types),
    /// in timeline order ([`Relation::timeline_key`]), at most `limit`.
    async fn timeline(&self, filter: &RelationFilter, limit: usize) -> StoreResult<Vec<Relation>>;
}

/// A write of one record. Updates replace the whole record (the API merges an edit
/// into the stored record and validates the result) and carry the version that
/// the edit was made against: a store holding another version refuses it.
// A write is built, decided and dropped within one request: boxing its larger
// variants (a claim with its draft) buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Write {
    CreateActor(Actor),
    UpdateActor {
        actor: Actor,
        expected: u64,
    },
    DeleteActor {
        id: ActorId,
        expected: Option<u64>,
        cascade: bool,
    },
    CreateRelation(Relation),
    UpdateRelation {
        relation: Relation,
        expected: u64,
    },
    DeleteRelation {
        id: RelationId,
        expected: Option<u64>,
    },
    CreateSource(Source),
    UpdateSource {
        source: Source,
        expected: u64,
    },
    /// Creates candidate claims of one source (which must exist).
    CreateClaims(Vec<Claim>),
    /// Replaces a claim (its review), at the expected version.
    UpdateClaim {
        claim: Claim,
        expected: u64,
    },
    /// Several writes, all or nothing, each checked against what the ones
    /// before it left (an accepted claim: its new actor, its relation, its review).
    Batch(Vec<Write>),
}

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Created,
    Updated,
    Deleted,
}

/// A record as a write left it (as it was last, for a deletion).
// Records live in a write's changes and the log's pages, a few at a time.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Actor(Actor),
    Relation(Relation),
    Source(Source),
    Claim(Claim),
}

/// One record changed by a write or an import.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: ChangeKind,
    /// The record as the change left it (as it was last, for a deletion).
    pub record: Record,
    /// The record before an update, for the change log.
    pub before: Option<Record>,
}

impl Change {
    pub fn new(kind: ChangeKind, record: Record) -> Self {
        Change {
            kind,
            record,
            before: None,
        }
    }

    /// An update of `before` into `record`.
    pub fn update(record: Record, before: Record) -> Self {
        Change {
            kind: ChangeKind::Updated,
            record,
            before: Some(before),
        }
    }
}

/// The kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Actor,
    Relation,
    Source,
    Claim,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Actor => "actor",
            RecordKind::Relation => "relation",
            RecordKind::Source => "source",
            RecordKind::Claim => "claim",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "actor" => Some(RecordKind::Actor),
            "relation" => Some(RecordKind::Relation),
            "source" => Some(RecordKind::Source),
            "claim" => Some(RecordKind::Claim),
            _ => None,
        }
    }
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Updated => "updated",
            ChangeKind::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "created" => Some(ChangeKind::Created),
            "updated" => Some(ChangeKind::Updated),
            "deleted" => Some(ChangeKind::Deleted),
            _ => None,
        }
    }
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Actor(_) => RecordKind::Actor,
            Record::Relation(_) => RecordKind::Relation,
            Record::Source(_) => RecordKind::Source,
            Record::Claim(_) => RecordKind::Claim,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Actor(a) => a.id.as_str(),
            Record::Relation(r) => r.id.as_str(),
            Record::Source(s) => s.id.as_str(),
            Record::Claim(c) => c.id.as_str(),
        }
    }

    pub fn meta(&self) -> &crate::domain::Meta {
        match self {
            Record::Actor(a) => &a.meta,
            Record::Relation(r) => &r.meta,
            Record::Source(s) => &s.meta,
            Record::Claim(c) => &c.meta,
        }
    }

    /// The record's content in the data-set format (no metadata): what the log
    /// keeps of it, and compares field by field.
    pub fn content(&self) -> serde_json::Value {
        use crate::domain::dataset::{RawActor, RawRelation, RawSource};
        let value = match self {
            Record::Actor(a) => serde_json::to_value(RawActor::from(a)),
            Record::Relation(r) => serde_json::to_value(RawRelation::from(r)),
            Record::Source(s) => serde_json::to_value(RawSource::from(s)),
            Record::Claim(c) => serde_json::to_value(crate::domain::claim::ClaimRecord::from(c)),
        };
        // The written forms are plain structs of strings and numbers.
        value.unwrap_or(serde_json::Value::Null)
    }
}

/// One entry of the change log: a record created, updated or deleted by a
/// committed write, numbered without gaps in the order of the commits.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// 1 for the first change a store logged, one more for each after.
    pub seq: u64,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The key label (or `seed`) that made the change.
    pub by: String,
    pub kind: RecordKind,
    pub id: String,
    pub change: ChangeKind,
    /// The record's version after the change (for a deletion: its last).
    pub version: u64,
    /// The record before an update or a deletion (with its metadata).
    pub before: Option<Record>,
    /// The record after a creation or an update (with its metadata).
    pub after: Option<Record>,
}

impl LogEntry {
    /// The entry number `seq` for `change`, made by `by` at `at`.
    pub fn of(seq: u64, change: &Change, by: &str, at: chrono::DateTime<chrono::Utc>) -> Self {
        let (before, after) = match change.kind {
            ChangeKind::Created => (None, Some(change.record.clone())),
            ChangeKind::Updated => (change.before.clone(), Some(change.record.clone())),
            ChangeKind::Deleted => (Some(change.record.clone()), None),
        };
        LogEntry {
            seq,
            at,
            by: by.to_string(),
            kind: change.record.kind(),
            id: change.record.id().to_string(),
            change: change.kind,
            version: change.record.meta().version,
            before,
            after,
        }
    }
}

impl LogEntry {
    /// The record as the change left it (as it was last, for a deletion).
    pub fn record(&self) -> Option<&Record> {
        self.after.as_ref().or(self.before.as_ref())
    }
}

/// How many entries of a record's history one call returns at most (its latest).
pub const HISTORY_MAX: usize = 100;

/// Which entries of the change log to read: those after `after`, oldest first,
/// at most `first`; only of records with this id, or of these kinds of record,
/// when given (ids are unique within a kind: both together name one record).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeQuery {
    pub after: u64,
    pub first: usize,
    pub id: Option<String>,
    pub kinds: Vec<RecordKind>,
}

impl ChangeQuery {
    /// Whether an entry passes the id and kind filters.
    pub fn admits(&self, e: &LogEntry) -> bool {
        self.id.as_ref().is_none_or(|id| *id == e.id)
            && (self.kinds.is_empty() || self.kinds.contains(&e.kind))
    }
}

/// Why a write was refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The record (or an actor a relation needs) does not exist.
    #[error("no {what} has the id `{id}`")]
    NotFound { what: &'static str, id: String },
    /// A record with the new record's id exists.
    #[error("a {what} with the id `{id}` already exists")]
    Exists { what: &'static str, id: String },
    /// The record is not at the version the write was made against.
    #[error("{what} `{id}` is at version {actual}, not {expected}")]
    Stale {
        what: &'static str,
        id: String,
        expected: u64,
        actual: u64,
    },
    /// The actor still has relations and the caller did not ask for them to go.
    #[error("actor `{id}` still has {count} relation(s)")]
    HasRelations { id: String, count: usize },
    /// A concurrent write to the same records won; nothing was written.
    #[error("a concurrent write to the same records won")]
    Busy,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WriteError {
    /// No `what` has the id.
    pub fn not_found(what: &'static str, id: &impl AsRef<str>) -> Self {
        WriteError::NotFound {
            what,
            id: id.as_ref().to_string(),
        }
    }

    /// A `what` has the id already.
    pub fn exists(what: &'static str, id: &impl AsRef<str>) -> Self {
        WriteError::Exists {
            what,
            id: id.as_ref().to_string(),
        }
    }
}

/// What an import did, and the records it wrote (stamped).
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub report: ImportReport,
    pub changes: Vec<Change>,
}

/// What an import did to one kind of record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct KindReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Deleted by `--reset` before writing.
    pub deleted: usize,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub sources: KindReport,
    pub actors: KindReport,
    pub relations: KindReport,
}

impl ImportReport {
    /// Whether the import changed nothing.
    pub fn unchanged(&self) -> bool {
        [self.sources, self.actors, self.relations]
            .iter()
            .all(|k| k.created == 0 && k.updated == 0 && k.deleted == 0)
    }
}

/// Counts of what a store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Actors per kind, for every kind (zero included), in declaration order.
    pub actors_by_kind: Vec<(ActorKind, usize)>,
    /// Relations per type, for every type (zero included), in declaration order.
    pub relations_by_type: Vec<(RelationType, usize)>,
    /// Sources.
    pub sources: usize,
}

impl Stats {
    /// Builds the full, ordered lists from whatever counts a backend found.
    pub fn from_counts(
        actors: impl IntoIterator<Item = (ActorKind, usize)>,
        relations: impl IntoIterator<Item = (RelationType, usize)>,
        sources: usize,
    ) -> Self {
        let actors: std::collections::HashMap<ActorKind, usize> = actors.into_iter().collect();
        let relations: std::collections::HashMap<RelationType, usize> =
            relations.into_iter().collect();
        Stats {
            actors_by_kind: ActorKind::ALL
                .iter()
                .map(|k| (*k, actors.get(k).copied().unwrap_or(0)))
                .collect(),
            relations_by_type: RelationType::ALL
                .iter()
                .map(|t| (*t, relations.get(t).copied().unwrap_or(0)))
                .collect(),
            sources,
        }
    }
}
