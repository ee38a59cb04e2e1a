//! Candidate claims: what intake proposes ([`super::intake`]), stored for a
//! person to review.
//!
//! A claim is a draft relation in the data-set format ([`RawRelation`]: its type,
//! ends, dates, sum, area, role, status and the sentence as its one piece of
//! evidence) and what led to it (cues, confidence). An end intake could not tie to
//! a stored actor is a [`NewEnd`]: the name as written, the kind its cue suggests,
//! and the stored actors it may duplicate. The draft is only checked when it is
//! accepted, by the ordinary validation of a relation, so an accepted claim is
//! exactly as valid as a relation written by hand.

use serde::{Deserialize, Serialize};

use super::dataset::RawRelation;
use super::{ActorId, ActorKind, ClaimId, Meta, RelationId, RelationType, SourceId};

/// An end of a claim that is not a stored actor (yet).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEnd {
    /// The name as the text gives it.
    pub name: String,
    /// The kind its cue suggests.
    pub kind: ActorKind,
    /// Stored actors it may be, best first (at intake).
    pub duplicates: Vec<ActorId>,
}

/// A [`NewEnd`] as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEndRecord {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub duplicates: Vec<String>,
}

/// An end of a claim.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimEnd {
    Known(ActorId),
    New(NewEnd),
}

/// Where a claim's review stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Review {
    /// Not decided.
    Pending,
    /// Accepted: written as (or as evidence of) this relation.
    Accepted { relation: RelationId },
    /// Rejected, for this reason.
    Rejected { reason: String },
}

impl Review {
    pub fn as_str(&self) -> &'static str {
        match self {
            Review::Pending => "pending",
            Review::Accepted { .. } => "accepted",
            Review::Rejected { .. } => "rejected",
        }
    }
}

/// A candidate claim.
#[derive(Debug, Clone)]
pub struct Claim {
    pub id: ClaimId,
    /// The source the quote comes from.
    pub source: SourceId,
    /// The sentence: an exact substring of the source's text.
    pub quote: String,
    /// Where the sentence starts in the source's text, in UTF-16 code units (the
    /// text never changes).
    pub at: usize,
    /// The draft relation (`from`/`to` empty where the end is new; `id` empty
    /// until accepted).
    pub draft: RawRelation,
    /// The draft's ends.
    pub from: ClaimEnd,
    pub to: ClaimEnd,
    /// The words that led to it.
    pub cues: Vec<String>,
    /// How sure intake was, 0 to 1.
    pub confidence: f64,
    pub review: Review,
    /// Version, creation and last update (not part of the content).
    pub meta: Meta,
}

/// Claims are equal when their content is (metadata aside, as for records).
impl PartialEq for Claim {
    fn eq(&self, other: &Self) -> bool {
        serde_json::to_value(ClaimRecord::from(self)).ok()
            == serde_json::to_value(ClaimRecord::from(other)).ok()
    }
}

/// A claim as stored and logged: plain fields, read back by [`ClaimRecord::into_domain`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClaimRecord {
    pub id: String,
    pub source: String,
    pub quote: String,
    #[serde(default)]
    pub at: usize,
    pub draft: RawRelation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_from: Option<NewEndRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_to: Option<NewEndRecord>,
    #[serde(default)]
    pub cues: Vec<String>,
    pub confidence: f64,
    /// `pending`, `accepted` or `rejected`.
    pub review: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl From<&Claim> for ClaimRecord {
    fn from(c: &Claim) -> Self {
        let new = |e: &ClaimEnd| match e {
            ClaimEnd::New(n) => Some(NewEndRecord {
                name: n.name.clone(),
                kind: n.kind.as_str().to_string(),
                duplicates: n.duplicates.iter().map(ToString::to_string).collect(),
            }),
            ClaimEnd::Known(_) => None,
        };
        ClaimRecord {
            id: c.id.to_string(),
            source: c.source.to_string(),
            quote: c.quote.clone(),
            at: c.at,
            draft: c.draft.clone(),
            new_from: new(&c.from),
            new_to: new(&c.to),
            cues: c.cues.clone(),
            confidence: c.confidence,
            review: c.review.as_str().to_string(),
            relation: match &c.review {
                Review::Accepted { relation } => Some(relation.to_string()),
                _ => None,
            },
            reason: match &c.review {
                Review::Rejected { reason } => Some(reason.clone()),
                _ => None,
            },
        }
    }
}

impl ClaimRecord {
    /// The claim, with `meta` as its metadata.
    pub fn into_domain(self, meta: Meta) -> Result<Claim, String> {
        let end = |new: Option<NewEndRecord>, id: &str| match new {
            Some(n) => Ok(ClaimEnd::New(NewEnd {
                kind: ActorKind::parse(&n.kind)
                    .ok_or_else(|| format!("unknown kind `{}`", n.kind))?,
                name: n.name,
                duplicates: n
                    .duplicates
                    .into_iter()
                    .filter_map(|d| ActorId::parse(d).ok())
                    .collect(),
            })),
            None => ActorId::parse(id.to_string())
                .map(ClaimEnd::Known)
                .map_err(|e| e.to_string()),
        };
        let review = match self.review.as_str() {
            "pending" => Review::Pending,
            "accepted" => Review::Accepted {
                relation: RelationId::parse(self.relation.unwrap_or_default())
                    .map_err(|e| e.to_string())?,
            },
            "rejected" => Review::Rejected {
                reason: self.reason.unwrap_or_default(),
            },
            other => return Err(format!("unknown review state `{other}`")),
        };
        Ok(Claim {
            id: ClaimId::parse(self.id).map_err(|e| e.to_string())?,
            source: SourceId::parse(self.source).map_err(|e| e.to_string())?,
            quote: self.quote,
            at: self.at,
            from: end(self.new_from, &self.draft.from)?,
            to: end(self.new_to, &self.draft.to)?,
            draft: self.draft,
            cues: self.cues,
            confidence: self.confidence,
            review,
            meta,
        })
    }
}

/// What a relation of type `t` says, in words a default summary can use
/// (`Amazon leases GS Tower`).
pub fn verb(t: RelationType) -> &'static str {
    match t {
        RelationType::Contract => "has a contract with",
        RelationType::Lobbying => "lobbies on",
        RelationType::Lease => "leases",
        RelationType::Regulation => "regulates",
        RelationType::Position => "holds a post at",
        RelationType::Membership => "is a member of",
        RelationType::Ownership => "owns",
        RelationType::Support => "supports",
        RelationType::Statement => "makes a statement on",
        RelationType::Criticism => "criticises",
        RelationType::Attendance => "attends",
        RelationType::Venue => "takes place at",
        RelationType::Usage => "uses",
        RelationType::PartOf => "is part of",
        RelationType::BasedIn => "is based in",
        RelationType::PendingIn => "is pending in",
        RelationType::LinkedWith => "is linked with",
        RelationType::ExpectedBenefit => "is expected to benefit",
        RelationType::ExpectedHarm => "is expected to harm",
        RelationType::MarketPresence => "is present in",
        RelationType::Production => "makes",
    }
}

/// A date as a draft writes it, read back (`None` when it is not one).
pub fn draft_date(raw: &Option<super::dataset::RawDate>) -> Option<super::DateValue> {
    use super::dataset::RawDate;
    let (date, inferred, note) = match raw.as_ref()? {
        RawDate::Plain(s) => (s.as_str(), false, None),
        RawDate::Full(f) => (f.date.as_str(), f.inferred, f.note.clone()),
    };
    Some(super::DateValue {
        date: date.parse().ok()?,
        inferred,
        note,
    })
}
