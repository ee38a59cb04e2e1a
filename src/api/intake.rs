//! Intake over the API: reads an article against the stored actors
//! ([`read_article`]) and shows what [`crate::domain::intake`] found in it.
//!
//! The store is asked three things, a bounded number of times whatever the text:
//! the actors holding one of the text's phrases as a name ([`Repository::actors_named`],
//! one call), the known events its event nouns may name (one search per noun the
//! text uses, of a fixed list), and the stored actors the candidate new actors
//! may duplicate (at most [`MAX_NEW_LOOKUPS`] names: one look-up of them all, and
//! one or two searches each, [`similar`]).

use std::collections::HashMap;

use async_graphql::{Enum, Object, SimpleObject};

use super::claims::{default_summary, ClaimNode};
use super::sources::offset;
use super::types::{ActorNode, SourceNode};
use crate::domain::dataset::{RawArea, RawDate, RawEvidence, RawMoney, RawRelation};
use crate::domain::intake::{self, mentions, resolve::Likeness, Analysis, Party};
use crate::domain::{
    search, text, Actor, ActorId, ActorKind, Claim, ClaimEnd, ClaimId, Meta, NewEnd, PartialDate,
    Review, Source,
};
use crate::store::{ActorFilter, PageRequest, Repository, StoreResult};

/// The longest text intake reads, in bytes: the phrases looked up grow with it
/// (about twenty per word).
pub const MAX_INTAKE_BYTES: usize = 100_000;

/// How many candidate new actors are looked up for duplicates.
pub const MAX_NEW_LOOKUPS: usize = 25;

/// How many stored actors one name's look-up reads.
const LOOKUP_PAGE: usize = 20;

/// What intake read in a text, and the stored actors it names or may duplicate.
pub struct Reading {
    pub analysis: Analysis,
    pub actors: HashMap<ActorId, Actor>,
}

/// Reads `text` (published at `published`) against the store's actors.
pub async fn read_article(
    repo: &dyn Repository,
    text: &str,
    published: Option<&PartialDate>,
) -> StoreResult<Reading> {
    let mut actors: HashMap<ActorId, Actor> = HashMap::new();
    let named = repo.actors_named(&mentions::phrases(text)).await?;
    actors.extend(named.into_iter().map(|a| (a.id.clone(), a)));
    for head in mentions::event_heads(text) {
        let filter = ActorFilter {
            search: Some(head.to_string()),
            exact: true,
            kinds: vec![ActorKind::Event],
            ..ActorFilter::default()
        };
        let page = repo.find_actors(&filter, &first(LOOKUP_PAGE)).await?;
        actors.extend(page.items.into_iter().map(|a| (a.id.clone(), a)));
    }
    let list = |actors: &HashMap<ActorId, Actor>| {
        let mut v: Vec<Actor> = actors.values().cloned().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    };
    let analysis = intake::analyse(text, published, &list(&actors));
    if analysis.new_actors.is_empty() {
        return Ok(Reading { analysis, actors });
    }
    let names: Vec<String> = analysis
        .new_actors
        .iter()
        .take(MAX_NEW_LOOKUPS)
        .map(|n| n.name.clone())
        .collect();
    for a in similar(repo, &names).await? {
        actors.insert(a.id.clone(), a);
    }
    let analysis = intake::analyse(text, published, &list(&actors));
    Ok(Reading { analysis, actors })
}

/// Stored actors that names may be (candidates for [`resolve::likeness`]): those
/// that have a name as a name or alias, near spellings and names that hold it,
/// and, for a name with a telling ending (`클라우드법`), those that hold its stem
/// (`클라우드`), among which abbreviations are found. Three store calls a name at
/// most.
///
/// [`resolve::likeness`]: crate::domain::intake::resolve::likeness
pub async fn similar(repo: &dyn Repository, names: &[String]) -> StoreResult<Vec<Actor>> {
    let mut found: HashMap<ActorId, Actor> = HashMap::new();
    let folded: Vec<String> = names
        .iter()
        .map(|n| search::fold(n))
        .filter(|f| f.chars().count() >= 2)
        .collect();
    for a in repo.actors_named(&folded).await? {
        found.insert(a.id.clone(), a);
    }
    let mut searches: Vec<String> = Vec::new();
    for f in &folded {
        searches.push(f.clone());
        let n = f.chars().count();
        let stem: String = f.chars().take(n.saturating_sub(1).max(2)).collect();
        if stem.chars().count() >= 2 && stem != *f {
            searches.push(stem);
        }
    }
    searches.sort();
    searches.dedup();
    for s in searches {
        let filter = ActorFilter {
            search: Some(s),
            ..ActorFilter::default()
        };
        let page = repo.find_actors(&filter, &first(LOOKUP_PAGE)).await?;
        found.extend(page.items.into_iter().map(|a| (a.id.clone(), a)));
    }
    Ok(found.into_values().collect())
}

/// The stored actors a name may be, best first (then by id), at most `limit`.
pub async fn actor_matches(
    repo: &dyn Repository,
    name: &str,
    limit: usize,
) -> StoreResult<Vec<(Actor, Likeness)>> {
    let folded = search::fold(name);
    let mut matches: Vec<(Actor, Likeness)> = similar(repo, &[name.to_string()])
        .await?
        .into_iter()
        .filter_map(|a| {
            let l = intake::resolve::likeness(&folded, &search::search_keys(&a))?;
            Some((a, l))
        })
        .collect();
    matches.sort_by(|x, y| x.1.cmp(&y.1).then_with(|| x.0.id.cmp(&y.0.id)));
    matches.truncate(limit);
    Ok(matches)
}

fn first(n: usize) -> PageRequest {
    PageRequest {
        first: n,
        after: None,
    }
}

/// What `intake` found in a new source.
pub struct IntakeNode {
    pub source: Source,
    pub reading: Reading,
    /// The claims as stored.
    pub claims: Vec<Claim>,
}

/// A new source and what intake found in it: who it names, who it may add, and
/// the claims its sentences may state, each with its sentence as the quote,
/// stored as pending for a person to accept, edit or reject.
#[Object(name = "Intake")]
impl IntakeNode {
    /// The source, as stored.
    async fn source(&self) -> SourceNode {
        SourceNode(self.source.clone())
    }

    /// How many sentences the text has.
    async fn sentence_count(&self) -> usize {
        self.reading.analysis.sentences.len()
    }

    /// Where the text names an actor, known or new, in text order.
    async fn mentions(&self) -> Vec<MentionNode<'_>> {
        self.reading
            .analysis
            .mentions
            .iter()
            .map(|m| MentionNode { m, of: self })
            .collect()
    }

    /// Names no stored actor has, that look like an actor's: each with the
    /// stored actors it may duplicate.
    async fn new_actors(&self) -> Vec<CandidateActorNode<'_>> {
        self.reading
            .analysis
            .new_actors
            .iter()
            .enumerate()
            .map(|(index, a)| CandidateActorNode { index, a, of: self })
            .collect()
    }

    /// The candidate claims, stored for review (`claims(sourceId:)` lists them
    /// again): sentences in text order, the strongest first within each.
    async fn claims(&self) -> Vec<ClaimNode> {
        self.claims.iter().cloned().map(ClaimNode).collect()
    }
}

impl IntakeNode {
    fn actor(&self, id: &ActorId) -> Option<ActorNode> {
        self.reading.actors.get(id).cloned().map(ActorNode)
    }

    fn text(&self) -> &str {
        &self.source.text
    }
}

/// Where the text names an actor.
pub struct MentionNode<'a> {
    m: &'a intake::Mention,
    of: &'a IntakeNode,
}

/// A place where a text names an actor: a stored one, or a candidate new one.
#[Object(name = "IntakeMention")]
impl MentionNode<'_> {
    /// The name as written.
    async fn text(&self) -> &str {
        &self.of.text()[self.m.span.clone()]
    }
    /// Where the name starts in the text, in UTF-16 code units (JavaScript's `slice`).
    async fn start(&self) -> i32 {
        offset(self.of.text(), self.m.span.start)
    }
    /// Where it ends (exclusive), in UTF-16 code units.
    async fn end(&self) -> i32 {
        offset(self.of.text(), self.m.span.end)
    }
    /// The sentence it is in (0 for the first).
    async fn sentence(&self) -> usize {
        self.m.sentence
    }
    /// The stored actor named, when it is one.
    async fn actor(&self) -> Option<ActorNode> {
        match &self.m.party {
            Party::Known(id) => self.of.actor(id),
            Party::New(_) => None,
        }
    }
    /// The candidate new actor named (its `index` in `newActors`), when it is one.
    async fn new_actor(&self) -> Option<usize> {
        match &self.m.party {
            Party::New(i) => Some(*i),
            Party::Known(_) => None,
        }
    }
    /// Other stored actors with the same name, when it is ambiguous.
    async fn also(&self) -> Vec<ActorNode> {
        self.m
            .also
            .iter()
            .filter_map(|id| self.of.actor(id))
            .collect()
    }
}

/// Why a name may be a stored actor's.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Likeness")]
pub enum LikenessKind {
    /// A name or alias is the name.
    SameName,
    /// A name or alias holds the name, or the name holds one.
    Contains,
    /// A name or alias holds the name with a mistake or two.
    NearSpelling,
    /// The name keeps characters of a name or alias, in order, from its first
    /// (`미래부` for `미래창조과학부`).
    Abbreviation,
}

impl From<Likeness> for LikenessKind {
    fn from(l: Likeness) -> Self {
        match l {
            Likeness::Same => LikenessKind::SameName,
            Likeness::Contains => LikenessKind::Contains,
            Likeness::NearSpelling => LikenessKind::NearSpelling,
            Likeness::Abbreviation => LikenessKind::Abbreviation,
        }
    }
}

/// A stored actor a name may be.
#[derive(SimpleObject)]
#[graphql(name = "ActorMatch")]
pub struct ActorMatchNode {
    /// The stored actor.
    pub actor: ActorNode,
    /// Why the name may be this actor's.
    pub likeness: LikenessKind,
    /// How sure, 0 to 1.
    pub score: f64,
}

/// A candidate new actor.
pub struct CandidateActorNode<'a> {
    index: usize,
    a: &'a intake::NewActor,
    of: &'a IntakeNode,
}

/// A name the text gives that no stored actor has, and that looks like an
/// actor's by its title, its ending or the word before it.
#[Object(name = "CandidateActor")]
impl CandidateActorNode<'_> {
    /// Its place in `newActors`, which claims' ends and mentions refer to.
    async fn index(&self) -> usize {
        self.index
    }
    /// The name as the text first gives it.
    async fn name(&self) -> &str {
        &self.a.name
    }
    /// The kind its cue suggests.
    async fn kind(&self) -> ActorKind {
        self.a.kind
    }
    /// The words that made it a candidate: a title (`의원`), an ending (`협회`),
    /// a word before it (`기업`).
    async fn cue(&self) -> &str {
        &self.a.cue
    }
    /// How sure the reading is, 0 to 1.
    async fn confidence(&self) -> f64 {
        self.a.confidence
    }
    /// Stored actors it may be, best first: merge into one rather than add a
    /// duplicate.
    async fn duplicates(&self) -> Vec<ActorMatchNode> {
        self.a
            .duplicates
            .iter()
            .filter_map(|(id, l)| {
                Some(ActorMatchNode {
                    actor: self.of.actor(id)?,
                    likeness: (*l).into(),
                    score: l.score(),
                })
            })
            .collect()
    }
}

/// The claims intake found in `source`, as stored for review: each a draft
/// relation quoting its sentence, with ids in sentence order
/// (`<source>-c0001`…).
pub fn claims_of(source: &Source, reading: &Reading) -> Vec<Claim> {
    let a = &reading.analysis;
    // Room for `-c` and four digits within the id's length.
    let base: String = source
        .id
        .as_str()
        .chars()
        .take(crate::domain::MAX_ID_LEN - 8)
        .collect();
    let base = base.trim_end_matches('-');
    let end = |p: &Party| -> (ClaimEnd, String, String) {
        match p {
            Party::Known(id) => (
                ClaimEnd::Known(id.clone()),
                id.to_string(),
                reading
                    .actors
                    .get(id)
                    .map_or_else(|| id.to_string(), |x| x.display_name().to_string()),
            ),
            Party::New(i) => {
                let n = &a.new_actors[*i];
                (
                    ClaimEnd::New(NewEnd {
                        name: n.name.clone(),
                        kind: n.kind,
                        duplicates: n.duplicates.iter().map(|(id, _)| id.clone()).collect(),
                    }),
                    String::new(),
                    n.name.clone(),
                )
            }
        }
    };
    a.claims
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let range = a.sentences[c.sentence].clone();
            let quote = source.text[range.clone()].to_string();
            let (from, from_id, from_name) = end(&c.from);
            let (to, to_id, to_name) = end(&c.to);
            Some(Claim {
                id: ClaimId::parse(format!("{base}-c{:04}", i + 1)).ok()?,
                source: source.id.clone(),
                at: text::utf16_offset(&source.text, range.start),
                draft: RawRelation {
                    id: String::new(),
                    kind: c.kind.as_str().to_string(),
                    from: from_id,
                    to: to_id,
                    summary: default_summary(&from_name, c.kind, &to_name),
                    amount: c.amount.as_ref().map(|m| RawMoney {
                        value: m.value,
                        currency: m.currency.clone(),
                    }),
                    start: c.start.as_ref().map(RawDate::from),
                    end: c.end.as_ref().map(RawDate::from),
                    role: c.role.clone(),
                    area: c.area.as_ref().map(|x| RawArea {
                        square_metres: x.square_metres,
                        approximate: x.approximate,
                    }),
                    status: c.status.clone(),
                    note: None,
                    evidence: vec![RawEvidence {
                        source: source.id.to_string(),
                        quote: quote.clone(),
                    }],
                },
                quote,
                from,
                to,
                cues: c.cues.clone(),
                confidence: c.confidence,
                review: Review::Pending,
                meta: Meta::default(),
            })
        })
        .collect()
}
