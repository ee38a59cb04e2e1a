//! Conversions between domain records and the properties stored in the graph.
//! Reading goes through the domain's parsers, so a record that breaks the rules
//! (edited by hand in the database, say) is an error, not a panic.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::domain::claim::ClaimRecord;
use crate::domain::{
    search, Actor, ActorId, ActorKind, Area, Claim, DateValue, Evidence, Meta, Money, PartialDate,
    Relation, RelationId, RelationType, Source, SourceId,
};
use crate::store::{Record, RecordKind};

/// The node label of a kind: `GOVERNMENT_AGENCY` → `GovernmentAgency` (as written
/// in `upsert_actors.cypher`; a test checks the two agree).
#[cfg(test)]
pub fn label(kind: ActorKind) -> String {
    kind.as_str()
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_string() + &chars.as_str().to_lowercase()
            })
        })
        .collect()
}

fn insert_opt(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_string(), v);
    }
}

fn insert_date(map: &mut Map<String, Value>, prefix: &str, date: &Option<DateValue>) {
    if let Some(d) = date {
        map.insert(format!("{prefix}Date"), json!(d.date.to_string()));
        map.insert(format!("{prefix}Inferred"), json!(d.inferred));
        insert_opt(
            map,
            &format!("{prefix}Note"),
            d.note.as_ref().map(|n| json!(n)),
        );
    }
}

fn read_date(
    date: Option<String>,
    inferred: Option<bool>,
    note: Option<String>,
) -> Result<Option<DateValue>, String> {
    let Some(text) = date else { return Ok(None) };
    let date: PartialDate = text
        .parse()
        .map_err(|e: crate::domain::DateError| e.to_string())?;
    Ok(Some(DateValue {
        date,
        inferred: inferred.unwrap_or(false),
        note,
    }))
}

/// A timestamp as stored: RFC 3339 in UTC with milliseconds, so that text order
/// is time order.
pub fn timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn insert_meta(map: &mut Map<String, Value>, meta: &Meta) {
    map.insert("version".into(), json!(meta.version));
    insert_opt(
        map,
        "createdAt",
        meta.created_at.as_ref().map(|t| json!(timestamp(t))),
    );
    insert_opt(
        map,
        "createdBy",
        meta.created_by.as_deref().map(|v| json!(v)),
    );
    insert_opt(
        map,
        "updatedAt",
        meta.updated_at.as_ref().map(|t| json!(timestamp(t))),
    );
    insert_opt(
        map,
        "updatedBy",
        meta.updated_by.as_deref().map(|v| json!(v)),
    );
}

/// The metadata properties of a node or relationship, as read back (absent on
/// records written before they were kept).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetaRecord {
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    updated_by: Option<String>,
}

impl MetaRecord {
    fn into_domain(self) -> Result<Meta, String> {
        let time = |t: Option<String>| -> Result<Option<DateTime<Utc>>, String> {
            t.map(|t| {
                DateTime::parse_from_rfc3339(&t)
                    .map(|d| d.with_timezone(&Utc))
                    .map_err(|e| format!("timestamp `{t}`: {e}"))
            })
            .transpose()
        };
        Ok(Meta {
            version: u64::try_from(self.version.unwrap_or(0))
                .map_err(|_| "negative version".to_string())?,
            created_at: time(self.created_at)?,
            created_by: self.created_by.map(Arc::from),
            updated_at: time(self.updated_at)?,
            updated_by: self.updated_by.map(Arc::from),
        })
    }
}

/// The properties of an actor node.
pub fn actor_props(a: &Actor) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(a.id.as_str()));
    m.insert("kind".into(), json!(a.kind.as_str()));
    insert_opt(&mut m, "nameKo", a.name_ko.as_ref().map(|v| json!(v)));
    insert_opt(&mut m, "nameEn", a.name_en.as_ref().map(|v| json!(v)));
    m.insert("aliases".into(), json!(a.aliases));
    insert_opt(
        &mut m,
        "description",
        a.description.as_ref().map(|v| json!(v)),
    );
    if !a.merged_ids.is_empty() {
        m.insert("mergedIds".into(), json!(a.merged_ids));
    }
    m.insert("searchText".into(), json!(search::search_keys(a).join("|")));
    insert_meta(&mut m, &a.meta);
    Value::Object(m)
}

/// An actor's row for the name index (name_grams.cypher): the folded keys a search
/// tests, joined by `|` as in the actor's `searchText`, and their n-grams.
pub fn name_row(id: &str, kind: &str, search_text: &str) -> Value {
    json!({
        "id": id,
        "kind": kind,
        "searchText": search_text,
        "grams": search::index_grams(search_text.split('|')),
    })
}

/// [`name_row`] of an actor as it is written.
pub fn actor_name_row(a: &Actor) -> Value {
    name_row(
        a.id.as_str(),
        a.kind.as_str(),
        &search::search_keys(a).join("|"),
    )
}

/// An actor as read back.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorRecord {
    pub(crate) id: String,
    kind: String,
    #[serde(default)]
    name_ko: Option<String>,
    #[serde(default)]
    name_en: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    merged_ids: Option<Vec<String>>,
    #[serde(flatten)]
    meta: MetaRecord,
}

impl ActorRecord {
    pub fn into_domain(self) -> Result<Actor, String> {
        Ok(Actor {
            id: ActorId::parse(self.id).map_err(|e| e.to_string())?,
            kind: ActorKind::parse(&self.kind)
                .ok_or_else(|| format!("unknown actor kind `{}`", self.kind))?,
            name_ko: self.name_ko,
            name_en: self.name_en,
            aliases: self.aliases.unwrap_or_default(),
            description: self.description,
            merged_ids: self
                .merged_ids
                .unwrap_or_default()
                .into_iter()
                .map(|m| ActorId::parse(m).map_err(|e| e.to_string()))
                .collect::<Result<_, _>>()?,
            meta: self.meta.into_domain()?,
        })
    }
}

/// The properties of a relationship (its type is the relationship type).
pub fn relation_props(r: &Relation) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(r.id.as_str()));
    m.insert("from".into(), json!(r.from.as_str()));
    m.insert("to".into(), json!(r.to.as_str()));
    m.insert("summary".into(), json!(r.summary));
    if let Some(a) = &r.amount {
        m.insert("amountValue".into(), json!(a.value));
        m.insert("amountCurrency".into(), json!(a.currency));
    }
    insert_date(&mut m, "start", &r.start);
    insert_date(&mut m, "end", &r.end);
    insert_opt(&mut m, "role", r.role.as_ref().map(|v| json!(v)));
    if let Some(a) = &r.area {
        m.insert("areaSquareMetres".into(), json!(a.square_metres));
        m.insert("areaApproximate".into(), json!(a.approximate));
    }
    insert_opt(&mut m, "status", r.status.as_ref().map(|v| json!(v)));
    insert_opt(&mut m, "note", r.note.as_ref().map(|v| json!(v)));
    m.insert(
        "evidenceSources".into(),
        json!(r
            .evidence
            .iter()
            .map(|e| e.source.as_str())
            .collect::<Vec<_>>()),
    );
    m.insert(
        "evidenceQuotes".into(),
        json!(r
            .evidence
            .iter()
            .map(|e| e.quote.as_str())
            .collect::<Vec<_>>()),
    );
    insert_meta(&mut m, &r.meta);
    Value::Object(m)
}

/// A relation as read back (`r {.*, type: type(r)}`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationRecord {
    pub(crate) id: String,
    #[serde(rename = "type")]
    kind: String,
    from: String,
    to: String,
    summary: String,
    #[serde(default)]
    amount_value: Option<f64>,
    #[serde(default)]
    amount_currency: Option<String>,
    #[serde(default)]
    start_date: Option<String>,
    #[serde(default)]
    start_inferred: Option<bool>,
    #[serde(default)]
    start_note: Option<String>,
    #[serde(default)]
    end_date: Option<String>,
    #[serde(default)]
    end_inferred: Option<bool>,
    #[serde(default)]
    end_note: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    area_square_metres: Option<f64>,
    #[serde(default)]
    area_approximate: Option<bool>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    evidence_sources: Vec<String>,
    #[serde(default)]
    evidence_quotes: Vec<String>,
    #[serde(flatten)]
    meta: MetaRecord,
}

impl RelationRecord {
    pub fn into_domain(self) -> Result<Relation, String> {
        if self.evidence_sources.len() != self.evidence_quotes.len() {
            return Err(format!(
                "relation `{}`: evidence sources and quotes differ in number",
                self.id
            ));
        }
        let evidence = self
            .evidence_sources
            .into_iter()
            .zip(self.evidence_quotes)
            .map(|(source, quote)| {
                Ok(Evidence {
                    source: SourceId::parse(source).map_err(|e| e.to_string())?,
                    quote,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let amount = match (self.amount_value, self.amount_currency) {
            (Some(value), Some(currency)) => Some(Money { value, currency }),
            (None, None) => None,
            _ => {
                return Err(format!(
                    "relation `{}`: an amount needs both value and currency",
                    self.id
                ))
            }
        };
        Ok(Relation {
            id: RelationId::parse(self.id).map_err(|e| e.to_string())?,
            kind: RelationType::parse(&self.kind)
                .ok_or_else(|| format!("unknown relation type `{}`", self.kind))?,
            from: ActorId::parse(self.from).map_err(|e| e.to_string())?,
            to: ActorId::parse(self.to).map_err(|e| e.to_string())?,
            summary: self.summary,
            amount,
            start: read_date(self.start_date, self.start_inferred, self.start_note)?,
            end: read_date(self.end_date, self.end_inferred, self.end_note)?,
            role: self.role,
            area: self.area_square_metres.map(|square_metres| Area {
                square_metres,
                approximate: self.area_approximate.unwrap_or(false),
            }),
            status: self.status,
            note: self.note,
            evidence,
            meta: self.meta.into_domain()?,
        })
    }
}

/// The properties of a source node.
pub fn source_props(s: &Source) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(s.id.as_str()));
    m.insert("title".into(), json!(s.title));
    insert_opt(&mut m, "publisher", s.publisher.as_ref().map(|v| json!(v)));
    m.insert("language".into(), json!(s.language));
    insert_date(&mut m, "published", &s.published_at);
    insert_opt(&mut m, "url", s.url.as_ref().map(|v| json!(v)));
    insert_opt(&mut m, "note", s.note.as_ref().map(|v| json!(v)));
    m.insert("text".into(), json!(s.text));
    m.insert(
        "searchText".into(),
        json!(crate::domain::text::search_text(&s.text)),
    );
    insert_meta(&mut m, &s.meta);
    Value::Object(m)
}

/// A source as read back.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRecord {
    id: String,
    title: String,
    #[serde(default)]
    publisher: Option<String>,
    language: String,
    #[serde(default)]
    published_date: Option<String>,
    #[serde(default)]
    published_inferred: Option<bool>,
    #[serde(default)]
    published_note: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    note: Option<String>,
    text: String,
    #[serde(flatten)]
    meta: MetaRecord,
}

impl SourceRecord {
    pub fn into_domain(self) -> Result<Source, String> {
        Ok(Source {
            id: SourceId::parse(self.id).map_err(|e| e.to_string())?,
            title: self.title,
            publisher: self.publisher,
            language: self.language,
            published_at: read_date(
                self.published_date,
                self.published_inferred,
                self.published_note,
            )?,
            url: self.url,
            note: self.note,
            text: self.text,
            meta: self.meta.into_domain()?,
        })
    }
}

/// The properties of a claim node: what lists filter on (source, review state),
/// and the claim itself as JSON text: it is read and written whole.
pub fn claim_props(c: &Claim) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(c.id.as_str()));
    m.insert("source".into(), json!(c.source.as_str()));
    m.insert("review".into(), json!(c.review.as_str()));
    m.insert(
        "content".into(),
        json!(serde_json::to_string(&ClaimRecord::from(c)).unwrap_or_default()),
    );
    insert_meta(&mut m, &c.meta);
    Value::Object(m)
}

/// A claim node as read back.
#[derive(Debug, Deserialize)]
pub struct ClaimNodeRecord {
    content: String,
    #[serde(flatten)]
    meta: MetaRecord,
}

impl ClaimNodeRecord {
    pub fn into_domain(self) -> Result<Claim, String> {
        serde_json::from_str::<ClaimRecord>(&self.content)
            .map_err(|e| format!("claim: {e}"))?
            .into_domain(self.meta.into_domain()?)
    }
}

/// A record as the change log and the embedded store's files keep it: its
/// properties with its metadata (and a relation's type; without an actor's
/// or a source's search text, which are derived).
pub fn record_json(record: &Record) -> Value {
    match record {
        Record::Actor(a) => {
            let mut v = actor_props(a);
            if let Value::Object(m) = &mut v {
                m.remove("searchText");
            }
            v
        }
        Record::Relation(r) => {
            let mut v = relation_props(r);
            if let Value::Object(m) = &mut v {
                m.insert("type".into(), json!(r.kind.as_str()));
            }
            v
        }
        Record::Source(s) => {
            let mut v = source_props(s);
            if let Value::Object(m) = &mut v {
                m.remove("searchText");
            }
            v
        }
        Record::Claim(c) => claim_props(c),
    }
}

/// A record of `kind` read back from [`record_json`]'s form.
pub fn record_from_json(kind: RecordKind, bytes: &[u8]) -> Result<Record, String> {
    let json = |e: serde_json::Error| format!("{} record: {e}", kind.as_str());
    Ok(match kind {
        RecordKind::Actor => Record::Actor(
            serde_json::from_slice::<ActorRecord>(bytes)
                .map_err(json)?
                .into_domain()?,
        ),
        RecordKind::Relation => Record::Relation(
            serde_json::from_slice::<RelationRecord>(bytes)
                .map_err(json)?
                .into_domain()?,
        ),
        RecordKind::Source => Record::Source(
            serde_json::from_slice::<SourceRecord>(bytes)
                .map_err(json)?
                .into_domain()?,
        ),
        RecordKind::Claim => Record::Claim(
            serde_json::from_slice::<ClaimNodeRecord>(bytes)
                .map_err(json)?
                .into_domain()?,
        ),
    })
}

/// The properties of a change-log node (without its number, which the append
/// query gives).
pub fn change_props(e: &crate::store::LogEntry) -> Value {
    let text = |v: &Option<Record>| v.as_ref().map(|r| record_json(r).to_string());
    json!({
        "at": timestamp(&e.at),
        "by": e.by,
        "kind": e.kind.as_str(),
        "id": e.id,
        "change": e.change.as_str(),
        "version": e.version,
        "before": text(&e.before),
        "after": text(&e.after),
    })
}

/// A change-log node as read.
#[derive(Debug, Deserialize)]
pub struct ChangeRecord {
    seq: i64,
    at: String,
    by: String,
    kind: String,
    id: String,
    change: String,
    version: i64,
    before: Option<String>,
    after: Option<String>,
}

impl ChangeRecord {
    pub fn into_domain(self) -> Result<crate::store::LogEntry, String> {
        let kind = crate::store::RecordKind::parse(&self.kind)
            .ok_or_else(|| format!("change {}: kind `{}`", self.seq, self.kind))?;
        let seq = self.seq;
        let json = |s: Option<String>| -> Result<Option<Record>, String> {
            s.map(|s| {
                record_from_json(kind, s.as_bytes()).map_err(|e| format!("change {seq}: {e}"))
            })
            .transpose()
        };
        Ok(crate::store::LogEntry {
            seq: u64::try_from(self.seq).map_err(|e| e.to_string())?,
            at: DateTime::parse_from_rfc3339(&self.at)
                .map_err(|e| format!("change {}: time `{}`: {e}", self.seq, self.at))?
                .with_timezone(&Utc),
            by: self.by,
            kind,
            id: self.id,
            change: crate::store::ChangeKind::parse(&self.change)
                .ok_or_else(|| format!("change {}: `{}`", self.seq, self.change))?,
            version: u64::try_from(self.version).map_err(|e| e.to_string())?,
            before: json(self.before)?,
            after: json(self.after)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_the_kinds_in_pascal_case() {
        assert_eq!(label(ActorKind::GovernmentAgency), "GovernmentAgency");
        assert_eq!(label(ActorKind::Company), "Company");
        assert_eq!(label(ActorKind::PoliticalParty), "PoliticalParty");
    }
}
