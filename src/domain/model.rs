//! The validated records of the graph. Values of these types only come out of
//! [`crate::domain::dataset::validate`], so code that holds one may rely on its rules.

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};

use super::{ActorId, ActorKind, DateValue, PartialDate, RelationId, RelationType, SourceId};

/// A record's history as the store keeps it: how many times it was written, when
/// and by whom. A store sets it on every write; a record read from a document has
/// the default (version 0, nothing recorded).
///
/// Metadata is not part of a record's content: two records with the same content
/// are equal whatever their history (so an import that brings back what the store
/// holds changes nothing, and leaves the version alone).
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// 1 when created, one more on each update; 0 for a record written before
    /// versions were kept. Updates may name the version they expect
    /// (optimistic locking).
    pub version: u64,
    /// When the record was created.
    pub created_at: Option<DateTime<Utc>>,
    /// The key label (or `seed`) that created it (shared: most records of a load
    /// or an import have the same).
    pub created_by: Option<Arc<str>>,
    /// When it was last written (its creation, until it is updated).
    pub updated_at: Option<DateTime<Utc>>,
    /// The key label (or `seed`) that last wrote it.
    pub updated_by: Option<Arc<str>>,
}

impl PartialEq for Meta {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Meta {
    /// The metadata of a record written by `by` at `at`: a creation when there was
    /// no record (`old` is `None`), else the next version of `old`.
    /// Times are kept to the millisecond, as every store can hold them.
    pub fn next(old: Option<&Meta>, by: &str, at: DateTime<Utc>) -> Meta {
        let at = at.trunc_subsecs(3);
        let by: Arc<str> = Arc::from(by);
        match old {
            None => Meta {
                version: 1,
                created_at: Some(at),
                created_by: Some(by.clone()),
                updated_at: Some(at),
                updated_by: Some(by),
            },
            Some(old) => Meta {
                version: old.version + 1,
                created_at: old.created_at.or(Some(at)),
                created_by: old.created_by.clone().or_else(|| Some(by.clone())),
                updated_at: Some(at),
                updated_by: Some(by),
            },
        }
    }
}

/// Something that acts or is acted on: a company, agency, person, bill, place…
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// Stable slug id.
    pub id: ActorId,
    /// What the actor is.
    pub kind: ActorKind,
    /// Name in Korean, when known.
    pub name_ko: Option<String>,
    /// Name in English, when known. At least one of the two names is present.
    pub name_en: Option<String>,
    /// Other names, abbreviations and spellings, in any language.
    pub aliases: Vec<String>,
    /// A short description.
    pub description: Option<String>,
    /// The ids of actors merged into this one (`mergeActors`): they still find it.
    pub merged_ids: Vec<ActorId>,
    /// Version, creation and last update (not part of the content).
    pub meta: Meta,
}

impl Actor {
    /// The name to show when no language is asked for: English, else Korean.
    pub fn display_name(&self) -> &str {
        self.name_en
            .as_deref()
            .or(self.name_ko.as_deref())
            .unwrap_or(self.id.as_str())
    }
}

/// A sum of money.
#[derive(Debug, Clone, PartialEq)]
pub struct Money {
    /// The amount in the currency's main unit (dollars, not cents); finite and ≥ 0.
    pub value: f64,
    /// ISO 4217 currency code, e.g. `USD`, `KRW`.
    pub currency: String,
}

/// A floor area.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// Square metres; finite and > 0.
    pub square_metres: f64,
    /// True when the source gives the figure as approximate ("about 3,200 m²").
    pub approximate: bool,
}

/// A passage of a source that states a relation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Evidence {
    /// The source the quote comes from.
    pub source: SourceId,
    /// An exact substring of the source's text.
    pub quote: String,
}

/// A typed, directed, evidenced link between two actors.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    /// Stable slug id.
    pub id: RelationId,
    /// What the relation states; fixes its direction.
    pub kind: RelationType,
    /// The actor the relation goes from.
    pub from: ActorId,
    /// The actor the relation goes to (never `from`).
    pub to: ActorId,
    /// One line saying what the relation is.
    pub summary: String,
    /// Money involved, when any.
    pub amount: Option<Money>,
    /// When the relation began (or the day it happened).
    pub start: Option<DateValue>,
    /// When the relation ended or ends; never before `start`.
    pub end: Option<DateValue>,
    /// The role or title, for positions.
    pub role: Option<String>,
    /// Floor area, for leases.
    pub area: Option<Area>,
    /// State of the relation in the source's words: signed, pending, dominant…
    pub status: Option<String>,
    /// An editor's caveat on how the evidence supports the relation.
    pub note: Option<String>,
    /// The passages that state the relation; never empty.
    pub evidence: Vec<Evidence>,
    /// Version, creation and last update (not part of the content).
    pub meta: Meta,
}

impl Relation {
    /// The date a timeline shows the relation at: its start, else its end.
    pub fn timeline_date(&self) -> Option<&DateValue> {
        self.start.as_ref().or(self.end.as_ref())
    }

    /// Timeline order: by that date as written (zero-padded, so text order is date
    /// order, a coarser date before the finer ones it contains), then by id. Every
    /// store orders timelines by this key.
    pub fn timeline_key(&self) -> Option<(String, &str)> {
        self.timeline_date()
            .map(|d| (d.date.to_string(), self.id.as_str()))
    }

    /// Whether the relation holds at `date`: it started on or before it and ends on
    /// or after it, comparing at the coarser precision of the two (a relation that
    /// starts in `2015` holds on `2015-01-01`), and an open end holds for ever.
    pub fn valid_at(&self, date: &PartialDate) -> bool {
        self.start
            .as_ref()
            .is_none_or(|s| s.date.cmp_coarse(date).is_le())
            && self
                .end
                .as_ref()
                .is_none_or(|e| e.date.cmp_coarse(date).is_ge())
    }
}

/// A document that relations are drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Stable slug id.
    pub id: SourceId,
    /// Title (or an editor's description when the document has none; see `note`).
    pub title: String,
    /// Publisher, when known.
    pub publisher: Option<String>,
    /// BCP 47 language tag of the text, e.g. `ko`.
    pub language: String,
    /// Publication date at its precision.
    pub published_at: Option<DateValue>,
    /// Where the document was published, when known.
    pub url: Option<String>,
    /// An editor's note on the source.
    pub note: Option<String>,
    /// The full text; every evidence quote is a substring of it.
    pub text: String,
    /// Version, creation and last update (not part of the content).
    pub meta: Meta,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relation(start: Option<&str>, end: Option<&str>) -> Relation {
        let date = |s: &str| DateValue {
            date: s.parse().unwrap(),
            inferred: false,
            note: None,
        };
        Relation {
            id: RelationId::parse("r").unwrap(),
            kind: RelationType::Lease,
            from: ActorId::parse("a").unwrap(),
            to: ActorId::parse("b").unwrap(),
            summary: "s".into(),
            amount: None,
            start: start.map(date),
            end: end.map(date),
            role: None,
            area: None,
            status: None,
            note: None,
            evidence: vec![],
            meta: Default::default(),
        }
    }

    fn at(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_relation_holds_between_its_start_and_end_inclusive() {
        let lease = relation(Some("2014"), Some("2024-02"));
        assert!(
            lease.valid_at(&at("2014-01-01")),
            "2014 contains its first day"
        );
        assert!(lease.valid_at(&at("2020")));
        assert!(
            lease.valid_at(&at("2024-02-29")),
            "February 2024 contains its last day"
        );
        assert!(!lease.valid_at(&at("2013-12-31")));
        assert!(!lease.valid_at(&at("2024-03")));
    }

    #[test]
    fn open_ends_hold_for_ever() {
        assert!(relation(None, None).valid_at(&at("1900")));
        assert!(relation(Some("2015-01-16"), None).valid_at(&at("2030")));
        assert!(!relation(Some("2015-01-16"), None).valid_at(&at("2015-01-15")));
        assert!(relation(None, Some("2010")).valid_at(&at("1990-05")));
    }
}
