//! The data-set document format (`seed/*.json`, and later `importGraph`) and its
//! validation.
//!
//! A document is read into the `Raw*` types, which accept any strings, so that one
//! pass can report *every* problem (unknown kinds, dangling ids, quotes missing from
//! their source…) with a JSON-pointer path, instead of stopping at the first. Only
//! [`validate`] turns raw documents into the domain's records. The format is
//! documented in `docs/data-format.md`.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{
    Actor, ActorId, ActorKind, Area, DateValue, Evidence, Money, PartialDate, Relation, RelationId,
    RelationType, Source, SourceId,
};

/// The value of the optional `format` field this version reads.
pub const FORMAT: &str = "actorgraph/1";

/// Length limits, in characters.
pub mod limits {
    /// A name or an alias.
    pub const NAME: usize = 200;
    /// How many aliases one actor may have.
    pub const ALIASES: usize = 50;
    /// An actor's description.
    pub const DESCRIPTION: usize = 2_000;
    /// A relation's summary.
    pub const SUMMARY: usize = 1_000;
    /// A role, status or publisher.
    pub const SHORT: usize = 200;
    /// An editor's note.
    pub const NOTE: usize = 2_000;
    /// One evidence quote.
    pub const QUOTE: usize = 5_000;
    /// How many evidence items one relation may have.
    pub const EVIDENCE: usize = 50;
    /// A source title or URL.
    pub const TITLE: usize = 2_000;
    /// A source's full text.
    pub const SOURCE_TEXT: usize = 5_000_000;
}

/// One data-set document, as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawDocument {
    /// Format marker; when present it must be `actorgraph/1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Source documents.
    #[serde(default)]
    pub sources: Vec<RawSource>,
    /// Actors.
    #[serde(default)]
    pub actors: Vec<RawActor>,
    /// Relations.
    #[serde(default)]
    pub relations: Vec<RawRelation>,
}

impl RawDocument {
    /// Reads a document from JSON. Records must be objects with named fields:
    /// serde would also take a struct as a positional array (`["kt", "COMPANY"]`),
    /// which passes over the check of unknown fields and silently depends on
    /// field order, so an array where the format has an object is refused with
    /// its JSON path.
    pub fn from_json(value: serde_json::Value) -> Result<Self, String> {
        let doc: RawDocument = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
        let written = serde_json::to_value(&doc).map_err(|e| e.to_string())?;
        match positional(&value, &written, String::new()) {
            Some(path) => Err(format!(
                "`{}` is an array where the format has an object: write its fields by name",
                if path.is_empty() { "/" } else { &path }
            )),
            None => Ok(doc),
        }
    }
}

/// The JSON path of the first array of `input` that reads as an object of
/// `parsed` (the same document as the format writes it).
fn positional(
    input: &serde_json::Value,
    parsed: &serde_json::Value,
    path: String,
) -> Option<String> {
    use serde_json::Value;
    match (input, parsed) {
        (Value::Array(_), Value::Object(_)) => Some(path),
        (Value::Object(i), Value::Object(o)) => i.iter().find_map(|(k, v)| {
            o.get(k)
                .and_then(|w| positional(v, w, format!("{path}/{k}")))
        }),
        (Value::Array(i), Value::Array(o)) => i
            .iter()
            .zip(o)
            .enumerate()
            .find_map(|(n, (v, w))| positional(v, w, format!("{path}/{n}"))),
        _ => None,
    }
}

/// A source as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawSource {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    pub language: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<RawDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The full text inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Or a file holding it, relative to the document (seed files only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_file: Option<String>,
}

/// An actor as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawActor {
    pub id: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_ko: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Ids of actors merged into this one, which still find it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_ids: Vec<String>,
}

/// A relation as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRelation {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub from: String,
    pub to: String,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<RawMoney>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<RawDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<RawDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<RawArea>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub evidence: Vec<RawEvidence>,
}

/// Money as written: `{"value": 600000000, "currency": "USD"}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMoney {
    pub value: f64,
    pub currency: String,
}

/// An area as written: `{"squareMetres": 3200, "approximate": true}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawArea {
    pub square_metres: f64,
    #[serde(default)]
    pub approximate: bool,
}

/// Evidence as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvidence {
    pub source: String,
    pub quote: String,
}

/// A date as written: either a plain `"2024-02"` (stated in the source) or
/// `{"date": "2015-01-16", "inferred": true, "note": "…"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawDate {
    Plain(String),
    Full(RawDateFull),
}

/// The long form of [`RawDate`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDateFull {
    pub date: String,
    #[serde(default)]
    pub inferred: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One thing wrong with a data set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Which document: a file name, or `input` for a document sent over the API.
    pub document: String,
    /// JSON pointer to the offending value, e.g. `/relations/3/evidence/0/quote`.
    pub path: String,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.document, self.path, self.message)
    }
}

/// A validated data set: every rule of the domain holds for it.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub sources: Vec<Source>,
    pub actors: Vec<Actor>,
    pub relations: Vec<Relation>,
}

/// Collects problems with the document and path they belong to.
struct Checker<'a> {
    document: &'a str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn report(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            document: self.document.to_string(),
            path: path.into(),
            message: message.into(),
        });
    }

    /// Checks a piece of free text: not blank, no surrounding spaces, within `max`
    /// characters, and no control characters (line breaks only where `multiline`).
    fn text(&mut self, path: &str, value: &str, max: usize, multiline: bool) -> bool {
        let before = self.problems.len();
        if value.trim().is_empty() {
            self.report(path, "must not be empty");
            return false;
        }
        if value.trim() != value {
            self.report(path, "must not start or end with white space");
        }
        let len = value.chars().count();
        if len > max {
            self.report(
                path,
                format!("is {len} characters long; the limit is {max}"),
            );
        }
        let bad_control =
            |c: char| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r'));
        if value.chars().any(bad_control) {
            self.report(path, "must not contain control characters");
        }
        self.problems.len() == before
    }

    fn opt_text(&mut self, path: &str, value: &Option<String>, max: usize) -> Option<String> {
        let v = value.as_ref()?;
        self.text(path, v, max, true).then(|| v.clone())
    }

    fn id<T>(
        &mut self,
        path: &str,
        value: &str,
        parse: fn(String) -> Result<T, super::IdError>,
    ) -> Option<T> {
        match parse(value.to_string()) {
            Ok(id) => Some(id),
            Err(e) => {
                self.report(path, e.to_string());
                None
            }
        }
    }

    fn date(&mut self, path: &str, raw: &Option<RawDate>) -> Option<DateValue> {
        let (text, inferred, note) = match raw.as_ref()? {
            RawDate::Plain(s) => (s.as_str(), false, None),
            RawDate::Full(f) => (f.date.as_str(), f.inferred, f.note.as_ref()),
        };
        let date = match text.parse::<PartialDate>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.report(format!("{path}/date"), e.to_string());
                None
            }
        };
        let note = match note {
            Some(n) => self
                .text(&format!("{path}/note"), n, limits::NOTE, false)
                .then(|| n.clone()),
            None if inferred => {
                self.report(
                    format!("{path}/note"),
                    "an inferred date needs a note saying how it was inferred (e.g. which year the source implies and why)",
                );
                None
            }
            None => None,
        };
        Some(DateValue {
            date: date?,
            inferred,
            note,
        })
    }
}

fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    primary_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Records that exist outside the documents (already in a store), which the
/// documents' relations may refer to: actor ids, and sources with their text (so
/// that quotes from them can be checked).
#[derive(Debug, Clone, Default)]
pub struct Existing {
    pub actor_ids: HashSet<String>,
    pub source_texts: HashMap<String, String>,
}

/// Validates one or more documents as a single data set (ids must be unique across
/// them, and relations may refer to actors and sources of any of them).
///
/// Returns the data set, or every problem found.
pub fn validate(documents: &[(&str, &RawDocument)]) -> Result<Dataset, Vec<Problem>> {
    validate_against(documents, &Existing::default())
}

/// Validates documents that add to existing records: their relations may also refer
/// to the actors and sources of `existing`.
pub fn validate_against(
    documents: &[(&str, &RawDocument)],
    existing: &Existing,
) -> Result<Dataset, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out = Dataset::default();

    // Sources and actors first: relations are checked against them.
    let mut source_texts: HashMap<String, String> = HashMap::new();
    let mut actor_ids: HashSet<String> = HashSet::new();
    let mut relation_ids: HashSet<String> = HashSet::new();

    for (name, doc) in documents {
        let mut c = Checker {
            document: name,
            problems: Vec::new(),
        };
        if let Some(f) = &doc.format {
            if f != FORMAT {
                c.report(
                    "/format",
                    format!("unknown format `{f}`; this version reads `{FORMAT}`"),
                );
            }
        }
        for (i, s) in doc.sources.iter().enumerate() {
            if let Some(source) = check_source(&mut c, i, s, &source_texts) {
                source_texts.insert(source.id.to_string(), source.text.clone());
                out.sources.push(source);
            }
        }
        for (i, a) in doc.actors.iter().enumerate() {
            if let Some(actor) = check_actor(&mut c, i, a, &actor_ids) {
                actor_ids.insert(actor.id.to_string());
                out.actors.push(actor);
            } else if !a.id.is_empty() {
                // Known as an id even when invalid otherwise, so that relations to it
                // are not also reported as dangling.
                actor_ids.insert(a.id.clone());
            }
        }
        problems.extend(c.problems);
    }
    // Ids are unique across kinds too (Relay's `node(id:)` finds a record by id
    // alone): an id another kind took first is reported where it comes again.
    let mut kinds: HashMap<&str, &str> = HashMap::new();
    for (name, doc) in documents {
        let mut c = Checker {
            document: name,
            problems: Vec::new(),
        };
        let ids = doc
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| ("source", "sources", i, s.id.as_str()))
            .chain(
                doc.actors
                    .iter()
                    .enumerate()
                    .map(|(i, a)| ("actor", "actors", i, a.id.as_str())),
            )
            .chain(
                doc.relations
                    .iter()
                    .enumerate()
                    .map(|(i, r)| ("relation", "relations", i, r.id.as_str())),
            );
        for (kind, list, i, id) in ids {
            if id.is_empty() {
                continue;
            }
            match kinds.get(id) {
                Some(first) if *first != kind => {
                    let article = if first.starts_with('a') { "an" } else { "a" };
                    c.report(
                        format!("/{list}/{i}/id"),
                        format!("`{id}` is already the id of {article} {first}: ids are unique across actors, relations and sources"),
                    )
                }
                Some(_) => {}
                None => {
                    kinds.insert(id, kind);
                }
            }
        }
        problems.extend(c.problems);
    }
    // A source that failed validation may still be named by evidence; do not
    // report those quotes twice.
    let all_source_ids: HashSet<&str> = documents
        .iter()
        .flat_map(|(_, d)| d.sources.iter().map(|s| s.id.as_str()))
        .collect();

    for (name, doc) in documents {
        let mut c = Checker {
            document: name,
            problems: Vec::new(),
        };
        for (i, r) in doc.relations.iter().enumerate() {
            let ctx = RelationContext {
                existing,
                actor_ids: &actor_ids,
                source_texts: &source_texts,
                all_source_ids: &all_source_ids,
                seen: &relation_ids,
            };
            if let Some(rel) = check_relation(&mut c, i, r, &ctx) {
                relation_ids.insert(rel.id.to_string());
                out.relations.push(rel);
            } else {
                relation_ids.insert(r.id.clone());
            }
        }
        problems.extend(c.problems);
    }

    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests;

fn check_source(
    c: &mut Checker,
    i: usize,
    s: &RawSource,
    seen: &HashMap<String, String>,
) -> Option<Source> {
    let p = format!("/sources/{i}");
    let before = c.problems.len();
    let id = c.id(&format!("{p}/id"), &s.id, SourceId::parse);
    if seen.contains_key(&s.id) {
        c.report(
            format!("{p}/id"),
            format!("source id `{}` is used twice", s.id),
        );
    }
    c.text(&format!("{p}/title"), &s.title, limits::TITLE, false);
    let publisher = c.opt_text(&format!("{p}/publisher"), &s.publisher, limits::SHORT);
    if !is_language_tag(&s.language) {
        c.report(
            format!("{p}/language"),
            format!(
                "`{}` is not a language tag: use a BCP 47 tag such as `ko` or `en`",
                s.language
            ),
        );
    }
    let published_at = c.date(&format!("{p}/publishedAt"), &s.published_at);
    let url = c.opt_text(&format!("{p}/url"), &s.url, limits::TITLE);
    if let Some(u) = &url {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            c.report(format!("{p}/url"), "must be an http:// or https:// address");
        }
    }
    let note = c.opt_text(&format!("{p}/note"), &s.note, limits::NOTE);
    let text = match (&s.text, &s.text_file) {
        (Some(t), _) => {
            if t.trim().is_empty() {
                c.report(format!("{p}/text"), "must not be empty");
            } else if t.len() > limits::SOURCE_TEXT {
                c.report(
                    format!("{p}/text"),
                    format!("is {} bytes; the limit is {}", t.len(), limits::SOURCE_TEXT),
                );
            }
            Some(t.clone())
        }
        (None, Some(_)) => {
            c.report(format!("{p}/textFile"), "was not read: `textFile` is only resolved when loading a seed folder; send the text inline in `text`");
            None
        }
        (None, None) => {
            c.report(
                format!("{p}/text"),
                "is missing: give the full text in `text` (or `textFile` in a seed file)",
            );
            None
        }
    };
    let (Some(id), Some(text)) = (id, text) else {
        return None;
    };
    (c.problems.len() == before).then(|| Source {
        id,
        title: s.title.clone(),
        publisher,
        language: s.language.clone(),
        published_at,
        url,
        note,
        text,
        meta: Default::default(),
    })
}

fn check_actor(c: &mut Checker, i: usize, a: &RawActor, seen: &HashSet<String>) -> Option<Actor> {
    let p = format!("/actors/{i}");
    let before = c.problems.len();
    let id = c.id(&format!("{p}/id"), &a.id, ActorId::parse);
    if seen.contains(&a.id) {
        c.report(
            format!("{p}/id"),
            format!("actor id `{}` is used twice", a.id),
        );
    }
    let kind = ActorKind::parse(&a.kind);
    if kind.is_none() {
        c.report(
            format!("{p}/kind"),
            format!(
                "unknown actor kind `{}`; expected one of {}",
                a.kind,
                ActorKind::expected()
            ),
        );
    }
    if a.name_ko.is_none() && a.name_en.is_none() {
        c.report(
            format!("{p}/nameEn"),
            "an actor needs a name: give `nameKo`, `nameEn` or both",
        );
    }
    let name_ko = c.opt_text(&format!("{p}/nameKo"), &a.name_ko, limits::NAME);
    let name_en = c.opt_text(&format!("{p}/nameEn"), &a.name_en, limits::NAME);
    if a.aliases.len() > limits::ALIASES {
        c.report(
            format!("{p}/aliases"),
            format!(
                "has {} aliases; the limit is {}",
                a.aliases.len(),
                limits::ALIASES
            ),
        );
    }
    let mut seen_aliases = HashSet::new();
    for (j, alias) in a.aliases.iter().enumerate() {
        let ap = format!("{p}/aliases/{j}");
        if c.text(&ap, alias, limits::NAME, false) && !seen_aliases.insert(alias.as_str()) {
            c.report(ap, format!("alias `{alias}` is listed twice"));
        }
    }
    let description = c.opt_text(
        &format!("{p}/description"),
        &a.description,
        limits::DESCRIPTION,
    );
    let mut merged_ids = Vec::with_capacity(a.merged_ids.len());
    for (j, m) in a.merged_ids.iter().enumerate() {
        let mp = format!("{p}/mergedIds/{j}");
        match ActorId::parse(m.clone()) {
            Ok(m) if m.as_str() == a.id || merged_ids.contains(&m) => {
                c.report(mp, format!("`{m}` is the actor's own id or listed twice"))
            }
            Ok(m) => merged_ids.push(m),
            Err(e) => c.report(mp, e.to_string()),
        }
    }
    let (Some(id), Some(kind)) = (id, kind) else {
        return None;
    };
    (c.problems.len() == before).then(|| Actor {
        id,
        kind,
        name_ko,
        name_en,
        aliases: a.aliases.clone(),
        description,
        merged_ids,
        meta: Default::default(),
    })
}

struct RelationContext<'a> {
    existing: &'a Existing,
    actor_ids: &'a HashSet<String>,
    source_texts: &'a HashMap<String, String>,
    all_source_ids: &'a HashSet<&'a str>,
    seen: &'a HashSet<String>,
}

fn check_relation(
    c: &mut Checker,
    i: usize,
    r: &RawRelation,
    ctx: &RelationContext,
) -> Option<Relation> {
    let p = format!("/relations/{i}");
    let before = c.problems.len();
    let id = c.id(&format!("{p}/id"), &r.id, RelationId::parse);
    if ctx.seen.contains(&r.id) {
        c.report(
            format!("{p}/id"),
            format!("relation id `{}` is used twice", r.id),
        );
    }
    let kind = RelationType::parse(&r.kind);
    if kind.is_none() {
        c.report(
            format!("{p}/type"),
            format!(
                "unknown relation type `{}`; expected one of {}",
                r.kind,
                RelationType::expected()
            ),
        );
    }
    let mut endpoint = |field: &str, value: &str| {
        let path = format!("{p}/{field}");
        let id = c.id(&path, value, ActorId::parse)?;
        if !ctx.actor_ids.contains(value) && !ctx.existing.actor_ids.contains(value) {
            c.report(path, format!("no actor has the id `{value}`"));
            return None;
        }
        Some(id)
    };
    let from = endpoint("from", &r.from);
    let to = endpoint("to", &r.to);
    if r.from == r.to {
        c.report(
            format!("{p}/to"),
            "a relation must join two different actors",
        );
    }
    c.text(&format!("{p}/summary"), &r.summary, limits::SUMMARY, false);
    let amount = r.amount.as_ref().and_then(|m| {
        let ap = format!("{p}/amount");
        let before = c.problems.len();
        if !m.value.is_finite() || m.value < 0.0 {
            c.report(format!("{ap}/value"), "must be a number ≥ 0");
        }
        if iso_currency::Currency::from_code(&m.currency).is_none() {
            c.report(
                format!("{ap}/currency"),
                format!(
                    "`{}` is not an ISO 4217 currency code (e.g. USD, KRW, EUR)",
                    m.currency
                ),
            );
        }
        (c.problems.len() == before).then(|| Money {
            value: m.value,
            currency: m.currency.clone(),
        })
    });
    let start = c.date(&format!("{p}/start"), &r.start);
    let end = c.date(&format!("{p}/end"), &r.end);
    if let (Some(s), Some(e)) = (&start, &end) {
        if s.date.cmp_coarse(&e.date).is_gt() {
            c.report(
                format!("{p}/end"),
                format!("ends ({}) before it starts ({})", e.date, s.date),
            );
        }
    }
    let role = c.opt_text(&format!("{p}/role"), &r.role, limits::SHORT);
    let area = r.area.as_ref().and_then(|a| {
        if a.square_metres.is_finite() && a.square_metres > 0.0 {
            Some(Area {
                square_metres: a.square_metres,
                approximate: a.approximate,
            })
        } else {
            c.report(format!("{p}/area/squareMetres"), "must be a number > 0");
            None
        }
    });
    let status = c.opt_text(&format!("{p}/status"), &r.status, limits::SHORT);
    let note = c.opt_text(&format!("{p}/note"), &r.note, limits::NOTE);
    if r.evidence.is_empty() {
        c.report(
            format!("{p}/evidence"),
            "a relation needs at least one evidence item: a source id and an exact quote from it",
        );
    }
    if r.evidence.len() > limits::EVIDENCE {
        c.report(
            format!("{p}/evidence"),
            format!(
                "has {} items; the limit is {}",
                r.evidence.len(),
                limits::EVIDENCE
            ),
        );
    }
    let mut evidence = Vec::with_capacity(r.evidence.len());
    for (j, e) in r.evidence.iter().enumerate() {
        let ep = format!("{p}/evidence/{j}");
        let source = c.id(&format!("{ep}/source"), &e.source, SourceId::parse);
        let quote_ok = c.text(&format!("{ep}/quote"), &e.quote, limits::QUOTE, true);
        match ctx.source_texts.get(&e.source).or_else(|| ctx.existing.source_texts.get(&e.source)) {
            Some(text) if quote_ok && !text.contains(&e.quote) => c.report(
                format!("{ep}/quote"),
                format!("is not in the text of source `{}`: a quote must be an exact substring of its source (same spacing and punctuation)", e.source),
            ),
            None if !ctx.all_source_ids.contains(e.source.as_str()) => {
                c.report(format!("{ep}/source"), format!("no source has the id `{}`", e.source))
            }
            _ => {}
        }
        if let Some(source) = source {
            let item = Evidence {
                source,
                quote: e.quote.clone(),
            };
            if evidence.contains(&item) {
                c.report(ep, "repeats an earlier evidence item of this relation");
            } else {
                evidence.push(item);
            }
        }
    }
    let (Some(id), Some(kind), Some(from), Some(to)) = (id, kind, from, to) else {
        return None;
    };
    (c.problems.len() == before).then(|| Relation {
        id,
        kind,
        from,
        to,
        summary: r.summary.clone(),
        amount,
        start,
        end,
        role,
        area,
        status,
        note,
        evidence,
        meta: Default::default(),
    })
}

// Records back to their written form, so that an edit (an update's changed fields
// over the stored record) is validated by the same rules as a document.

impl From<&DateValue> for RawDate {
    fn from(d: &DateValue) -> Self {
        if !d.inferred && d.note.is_none() {
            return RawDate::Plain(d.date.to_string());
        }
        RawDate::Full(RawDateFull {
            date: d.date.to_string(),
            inferred: d.inferred,
            note: d.note.clone(),
        })
    }
}

impl From<&Actor> for RawActor {
    fn from(a: &Actor) -> Self {
        RawActor {
            id: a.id.to_string(),
            kind: a.kind.as_str().to_string(),
            name_ko: a.name_ko.clone(),
            name_en: a.name_en.clone(),
            aliases: a.aliases.clone(),
            description: a.description.clone(),
            merged_ids: a.merged_ids.iter().map(ToString::to_string).collect(),
        }
    }
}

impl From<&Relation> for RawRelation {
    fn from(r: &Relation) -> Self {
        RawRelation {
            id: r.id.to_string(),
            kind: r.kind.as_str().to_string(),
            from: r.from.to_string(),
            to: r.to.to_string(),
            summary: r.summary.clone(),
            amount: r.amount.as_ref().map(|m| RawMoney {
                value: m.value,
                currency: m.currency.clone(),
            }),
            start: r.start.as_ref().map(RawDate::from),
            end: r.end.as_ref().map(RawDate::from),
            role: r.role.clone(),
            area: r.area.as_ref().map(|a| RawArea {
                square_metres: a.square_metres,
                approximate: a.approximate,
            }),
            status: r.status.clone(),
            note: r.note.clone(),
            evidence: r
                .evidence
                .iter()
                .map(|e| RawEvidence {
                    source: e.source.to_string(),
                    quote: e.quote.clone(),
                })
                .collect(),
        }
    }
}

impl From<&Source> for RawSource {
    fn from(s: &Source) -> Self {
        RawSource {
            id: s.id.to_string(),
            title: s.title.clone(),
            publisher: s.publisher.clone(),
            language: s.language.clone(),
            published_at: s.published_at.as_ref().map(RawDate::from),
            url: s.url.clone(),
            note: s.note.clone(),
            text: Some(s.text.clone()),
            text_file: None,
        }
    }
}
