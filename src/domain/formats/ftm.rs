//! The graph as FollowTheMoney entities (JSON lines), for Aleph, OpenSanctions'
//! tooling and anything else that reads `ftm` streams.
//!
//! - Each source is an `Article` (a kind of `Document`) with its full text as
//!   `bodyText`.
//! - Each actor is the schema that fits its kind: `Company`, `PublicBody`
//!   (governments, agencies, legislatures, with a `topics` value), `Organization`
//!   (associations, parties), `Person`, `Territory` (countries), `Address`
//!   (places), `Asset` (products), `Event`, `PlainText` (bills: FtM has no schema
//!   for legislation, and a bill is a text), and `LegalEntity` for sectors and
//!   markets (parties taken together; `classification` says which). Both names
//!   are `name` values; aliases are `alias`.
//! - Each relation is the interval schema that fits its type and its ends:
//!   `ContractAward` (with a `Contract` whose `authority` is the client),
//!   `Ownership`, `Membership`, `Directorship`, `Employment` or `Occupancy` (with
//!   a `Position`) for posts, else `UnknownLink` with the type as its `role`.
//!   Every one carries `startDate`/`endDate` at their precision (FtM dates are
//!   ISO prefixes: `2015`, `2015-01`), `summary`, the quotes in `description`
//!   (each with its source; inferred dates say so there), the sources as
//!   `proof` and `sourceUrl`, and our id as `recordId`.
//!
//! Entity ids are ours with a prefix per kind of record (`actor-cia`,
//! `source-…`, `relation-…`), so they never collide.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::domain::{Actor, ActorKind, Dataset, DateValue, Relation, RelationType, Source};

/// One entity: its id, schema and property values.
struct Entity {
    id: String,
    schema: &'static str,
    properties: BTreeMap<&'static str, Vec<String>>,
}

impl Entity {
    fn new(id: String, schema: &'static str) -> Self {
        Entity {
            id,
            schema,
            properties: BTreeMap::new(),
        }
    }

    /// Adds a value (blank ones and repeats are left out).
    fn add(&mut self, property: &'static str, value: impl Into<String>) {
        let value = value.into();
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let values = self.properties.entry(property).or_default();
        if !values.iter().any(|v| v == value) {
            values.push(value.to_string());
        }
    }

    fn add_all<S: Into<String>>(
        &mut self,
        property: &'static str,
        values: impl IntoIterator<Item = S>,
    ) {
        for v in values {
            self.add(property, v);
        }
    }

    fn line(&self, out: &mut String) {
        let line = serde_json::json!({
            "id": self.id,
            "schema": self.schema,
            "properties": self.properties,
        });
        let _ = writeln!(out, "{line}");
    }
}

/// The FtM schema of an actor's kind, and a `topics` value when one says more.
fn actor_schema(kind: ActorKind) -> (&'static str, Option<&'static str>) {
    match kind {
        ActorKind::Company => ("Company", None),
        ActorKind::Government => ("PublicBody", Some("gov.national")),
        ActorKind::GovernmentAgency => ("PublicBody", Some("gov")),
        ActorKind::Legislature => ("PublicBody", Some("gov.legislative")),
        ActorKind::Association => ("Organization", None),
        ActorKind::PoliticalParty => ("Organization", Some("pol.party")),
        ActorKind::Person => ("Person", None),
        ActorKind::Bill => ("PlainText", None),
        ActorKind::Country => ("Territory", None),
        ActorKind::Place => ("Address", None),
        ActorKind::Product => ("Asset", None),
        ActorKind::Event => ("Event", None),
        ActorKind::Sector | ActorKind::Market => ("LegalEntity", None),
    }
}

/// Whether a schema we write is, or descends from, `LegalEntity`.
fn is_legal_entity(schema: &str) -> bool {
    matches!(
        schema,
        "LegalEntity" | "Person" | "Organization" | "PublicBody" | "Company"
    )
}

/// Whether a schema we write is, or descends from, `Organization`.
fn is_organization(schema: &str) -> bool {
    matches!(schema, "Organization" | "PublicBody" | "Company")
}

/// Whether a schema we write is, or descends from, `Asset`.
fn is_asset(schema: &str) -> bool {
    matches!(schema, "Asset" | "Company")
}

/// FtM languages are ISO 639-2 codes.
fn language(code: &str) -> Option<&'static str> {
    Some(match code {
        "ko" => "kor",
        "en" => "eng",
        "ja" => "jpn",
        "zh" => "zho",
        "fr" => "fra",
        "de" => "deu",
        "es" => "spa",
        _ => return None,
    })
}

fn actor_id(id: &str) -> String {
    format!("actor-{id}")
}

fn source_id(id: &str) -> String {
    format!("source-{id}")
}

/// The words of a relation type, for `role` and sentences: `expected benefit`.
pub fn type_words(t: RelationType) -> String {
    t.as_str().replace('_', " ").to_lowercase()
}

fn source_entity(s: &Source) -> Entity {
    let mut e = Entity::new(source_id(s.id.as_str()), "Article");
    e.add("title", s.title.clone());
    e.add("name", s.title.clone());
    e.add("bodyText", s.text.clone());
    if let Some(lang) = language(&s.language) {
        e.add("language", lang);
    }
    if let Some(d) = &s.published_at {
        e.add("publishedAt", d.date.to_string());
    }
    e.add_all("publisher", s.publisher.clone());
    e.add_all("sourceUrl", s.url.clone());
    e.add_all("notes", s.note.clone());
    e
}

fn actor_entity(a: &Actor) -> Entity {
    let (schema, topic) = actor_schema(a.kind);
    let mut e = Entity::new(actor_id(a.id.as_str()), schema);
    e.add("name", a.display_name().to_string());
    e.add_all("name", a.name_en.clone());
    e.add_all("name", a.name_ko.clone());
    e.add_all("alias", a.aliases.iter().cloned());
    e.add_all("description", a.description.clone());
    e.add_all("topics", topic);
    match a.kind {
        ActorKind::Bill => e.add("title", a.display_name().to_string()),
        ActorKind::Place => e.add("full", a.display_name().to_string()),
        ActorKind::Sector => e.add("classification", "sector"),
        ActorKind::Market => e.add("classification", "market"),
        _ => {}
    }
    e
}

/// A date's words in a description when it was inferred.
fn inferred(label: &str, d: &Option<DateValue>) -> Option<String> {
    let d = d.as_ref().filter(|d| d.inferred)?;
    Some(match &d.note {
        Some(note) => format!("{label} {} is inferred: {note}", d.date),
        None => format!(
            "{label} {} is inferred (the source does not state it).",
            d.date
        ),
    })
}

/// The properties every relation's entity has, whatever its schema.
fn interval(e: &mut Entity, r: &Relation, sources: &HashMap<&str, &Source>, with_amount: bool) {
    e.add("summary", r.summary.clone());
    e.add("recordId", r.id.to_string());
    if let Some(d) = &r.start {
        e.add("startDate", d.date.to_string());
    }
    if let Some(d) = &r.end {
        e.add("endDate", d.date.to_string());
    }
    let mut description = Vec::new();
    for ev in &r.evidence {
        let title = sources
            .get(ev.source.as_str())
            .map_or(ev.source.as_str(), |s| s.title.as_str());
        description.push(format!("“{}” ({title})", ev.quote));
        e.add("proof", source_id(ev.source.as_str()));
        if let Some(url) = sources.get(ev.source.as_str()).and_then(|s| s.url.clone()) {
            e.add("sourceUrl", url);
        }
    }
    description.extend(inferred("The start", &r.start));
    description.extend(inferred("The end", &r.end));
    if let (Some(m), false) = (&r.amount, with_amount) {
        description.push(format!("Amount: {} {}.", m.value, m.currency));
    }
    if let Some(a) = &r.area {
        let about = if a.approximate { "about " } else { "" };
        description.push(format!("Area: {about}{} m².", a.square_metres));
    }
    description.extend(r.note.iter().map(|n| format!("Note: {n}")));
    e.add("description", description.join("\n"));
    if let Some(s) = &r.status {
        e.add("status", s.clone());
    }
}

/// Whether a post's title is a director's or officer's (a board seat, the head
/// of a company), for `Directorship` rather than `Employment`.
fn is_directorship(role: &str) -> bool {
    let role = role.to_lowercase();
    [
        "ceo",
        "chief",
        "director",
        "president",
        "chair",
        "board",
        "founder",
        "대표",
        "사장",
        "회장",
        "이사",
    ]
    .iter()
    .any(|w| role.contains(w))
}

/// The entities of one relation (one, or two where FtM wants a contract or a
/// post of its own).
fn relation_entities(
    r: &Relation,
    schema_of: &HashMap<&str, &'static str>,
    names: &HashMap<&str, &str>,
    sources: &HashMap<&str, &Source>,
) -> Vec<Entity> {
    let id = format!("relation-{}", r.id);
    let (from, to) = (actor_id(r.from.as_str()), actor_id(r.to.as_str()));
    let from_schema = schema_of.get(r.from.as_str()).copied().unwrap_or("");
    let to_schema = schema_of.get(r.to.as_str()).copied().unwrap_or("");
    let role = r.role.clone().unwrap_or_default();
    let mut out = Vec::new();
    let mut e = match r.kind {
        RelationType::Contract if is_legal_entity(from_schema) && is_legal_entity(to_schema) => {
            let mut contract = Entity::new(format!("contract-{}", r.id), "Contract");
            contract.add("title", r.summary.clone());
            contract.add("name", r.summary.clone());
            contract.add("authority", from.clone());
            if let Some(m) = &r.amount {
                contract.add("amount", m.value.to_string());
                contract.add("currency", m.currency.clone());
            }
            if let Some(d) = &r.start {
                contract.add("contractDate", d.date.to_string());
            }
            for ev in &r.evidence {
                contract.add("proof", source_id(ev.source.as_str()));
            }
            let mut award = Entity::new(id, "ContractAward");
            award.add("contract", contract.id.clone());
            award.add("supplier", to);
            if let Some(m) = &r.amount {
                award.add("amount", m.value.to_string());
                award.add("currency", m.currency.clone());
            }
            out.push(contract);
            award
        }
        RelationType::Ownership if is_legal_entity(from_schema) && is_asset(to_schema) => {
            let mut e = Entity::new(id, "Ownership");
            e.add("owner", from);
            e.add("asset", to);
            e
        }
        RelationType::Membership if is_legal_entity(from_schema) && is_organization(to_schema) => {
            let mut e = Entity::new(id, "Membership");
            e.add("member", from);
            e.add("organization", to);
            e.add("role", role);
            e
        }
        RelationType::Position if from_schema == "Person" && to_schema == "Company" => {
            let schema = if is_directorship(&role) {
                "Directorship"
            } else {
                "Employment"
            };
            let mut e = Entity::new(id, schema);
            let (holder, place) = if schema == "Directorship" {
                ("director", "organization")
            } else {
                ("employee", "employer")
            };
            e.add(holder, from);
            e.add(place, to);
            e.add("role", role);
            e
        }
        RelationType::Position if from_schema == "Person" && is_organization(to_schema) => {
            let org = names.get(r.to.as_str()).copied().unwrap_or(r.to.as_str());
            let mut post = Entity::new(format!("position-{}", r.id), "Position");
            post.add(
                "name",
                if role.is_empty() {
                    format!("Post at {org}")
                } else {
                    format!("{role}, {org}")
                },
            );
            post.add("organization", to);
            let mut e = Entity::new(id, "Occupancy");
            e.add("holder", from);
            e.add("post", post.id.clone());
            out.push(post);
            e
        }
        _ => {
            let mut e = Entity::new(id, "UnknownLink");
            e.add("subject", from);
            e.add("object", to);
            e.add("role", type_words(r.kind));
            e.add("role", role);
            e
        }
    };
    let with_amount = e.schema == "ContractAward";
    interval(&mut e, r, sources, with_amount);
    out.push(e);
    out
}

/// The graph as FollowTheMoney entities, one JSON object per line: sources, then
/// actors, then relations, each in id order.
pub fn entities(data: &Dataset) -> String {
    let sources: HashMap<&str, &Source> = data.sources.iter().map(|s| (s.id.as_str(), s)).collect();
    let schema_of: HashMap<&str, &'static str> = data
        .actors
        .iter()
        .map(|a| (a.id.as_str(), actor_schema(a.kind).0))
        .collect();
    let names: HashMap<&str, &str> = data
        .actors
        .iter()
        .map(|a| (a.id.as_str(), a.display_name()))
        .collect();
    let mut out = String::new();
    for s in &data.sources {
        source_entity(s).line(&mut out);
    }
    for a in &data.actors {
        actor_entity(a).line(&mut out);
    }
    for r in &data.relations {
        for e in relation_entities(r, &schema_of, &names, &sources) {
            e.line(&mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Dataset {
        crate::seed::load(std::path::Path::new("seed")).expect("the seed loads")
    }

    fn lines(data: &Dataset) -> Vec<serde_json::Value> {
        entities(data)
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect()
    }

    #[test]
    fn every_record_becomes_an_entity_and_every_quote_is_kept() {
        let data = seed();
        let all = lines(&data);
        let ids: std::collections::HashSet<&str> =
            all.iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), all.len(), "ids are unique");
        for a in &data.actors {
            assert!(ids.contains(actor_id(a.id.as_str()).as_str()), "{}", a.id);
        }
        for r in &data.relations {
            let e = all
                .iter()
                .find(|e| e["id"] == format!("relation-{}", r.id))
                .expect("each relation is an entity");
            let description = e["properties"]["description"][0].as_str().unwrap();
            for ev in &r.evidence {
                assert!(description.contains(&ev.quote), "{}: quote kept", r.id);
            }
            assert!(e["properties"]["proof"][0]
                .as_str()
                .unwrap()
                .starts_with("source-"));
        }
    }

    #[test]
    fn a_contract_is_an_award_of_a_contract_by_its_client() {
        let data = seed();
        let all = lines(&data);
        let r = data
            .relations
            .iter()
            .find(|r| r.kind == RelationType::Contract && r.amount.is_some())
            .expect("the seed has a contract with a sum");
        let award = all
            .iter()
            .find(|e| e["id"] == format!("relation-{}", r.id))
            .unwrap();
        assert_eq!(award["schema"], "ContractAward");
        assert_eq!(award["properties"]["supplier"][0], actor_id(r.to.as_str()));
        let contract = all
            .iter()
            .find(|e| e["id"] == award["properties"]["contract"][0])
            .expect("the contract is exported");
        assert_eq!(
            contract["properties"]["authority"][0],
            actor_id(r.from.as_str())
        );
    }

    #[test]
    fn dates_keep_their_precision() {
        let mut data = seed();
        data.relations.truncate(1);
        data.relations[0].start = Some(DateValue {
            date: "2015-02".parse().unwrap(),
            inferred: true,
            note: Some("“지난달” in an article of March 2015".into()),
        });
        let all = lines(&data);
        let e = all.last().unwrap();
        assert_eq!(e["properties"]["startDate"][0], "2015-02");
        assert!(e["properties"]["description"][0]
            .as_str()
            .unwrap()
            .contains("The start 2015-02 is inferred: “지난달”"));
    }
}
