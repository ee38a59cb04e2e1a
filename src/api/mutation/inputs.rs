//! The input types of the writes, and how they become the written form of a
//! record (`domain::dataset::Raw*`), which the domain validates.

use async_graphql::{InputObject, MaybeUndefined, ID};

use crate::domain::dataset::{RawArea, RawDate, RawDateFull, RawEvidence, RawMoney};
use crate::domain::{ActorKind, RelationType};

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
pub(super) fn patch<T, R>(
    field: &mut Option<R>,
    value: &MaybeUndefined<T>,
    convert: impl Fn(&T) -> R,
) {
    match value {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => *field = None,
        MaybeUndefined::Value(v) => *field = Some(convert(v)),
    }
}

pub(super) fn money(m: &MoneyInput) -> RawMoney {
    RawMoney {
        value: m.value,
        currency: m.currency.clone(),
    }
}

pub(super) fn area(a: &AreaInput) -> RawArea {
    RawArea {
        square_metres: a.square_metres,
        approximate: a.approximate,
    }
}
