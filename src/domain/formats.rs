//! The graph in the formats investigators' tools read: the data-set JSON
//! (`seed` loads it back), FollowTheMoney entities (Aleph, OpenSanctions'
//! tooling; [`ftm`]), GraphML (yEd, Gephi, networkx), GEXF (Gephi), CSV tables
//! (spreadsheets, Gephi's importer), CSL-JSON for the sources (reference
//! managers, citation processors) and a citation brief in Markdown or HTML
//! ([`brief`]).
//!
//! Each is written from a data set whole, with every property a tool can show:
//! kinds and types, names in both languages, dates with their precision and
//! whether they were inferred, sums, areas, roles, statuses, notes, and the
//! evidence (a count and its sources on edges; each quote in the CSV's evidence
//! table). Records come in the data set's order (ids), so two exports of one
//! graph are the same bytes. No I/O here: `actorgraph export --format` writes
//! what these return.

pub mod brief;
pub mod ftm;

use std::fmt::Write as _;

use super::dataset::{RawActor, RawDocument, RawRelation, RawSource, FORMAT};
use super::Dataset;
use super::{Actor, ActorId, DateValue, PartialDate, Relation, RelationId, RelationType, Source};

/// What `actorgraph export` and `GET /export` write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The data-set format (`seed` and `importGraph` load it back).
    Json,
    /// FollowTheMoney entities, one JSON object per line.
    Ftm,
    Graphml,
    Gexf,
    /// Three tables: nodes, edges, evidence.
    Csv,
    /// The sources as CSL-JSON.
    Csl,
    /// A citation brief in Markdown.
    Brief,
    /// A citation brief as an HTML page.
    BriefHtml,
}

impl Format {
    /// The media type of what the format writes (of each table, for CSV).
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json | Format::Csl => "application/json; charset=utf-8",
            Format::Ftm => "application/x-ndjson; charset=utf-8",
            Format::Graphml => "application/graphml+xml; charset=utf-8",
            Format::Gexf => "application/gexf+xml; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Brief => "text/markdown; charset=utf-8",
            Format::BriefHtml => "text/html; charset=utf-8",
        }
    }

    /// The file name extension of what the format writes.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Ftm => "ftm.json",
            Format::Graphml => "graphml",
            Format::Gexf => "gexf",
            Format::Csv => "csv",
            Format::Csl => "csl.json",
            Format::Brief => "md",
            Format::BriefHtml => "html",
        }
    }
}

/// How an export's graph was chosen: around actors, between two, or whole; and
/// the relation filter it passed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    /// The actors whose neighbourhoods are in it.
    pub around: Vec<ActorId>,
    /// Hops around them.
    pub depth: usize,
    /// The two ends of the paths in it.
    pub ends: Option<(ActorId, ActorId)>,
    /// Only relations of these types (all when empty).
    pub types: Vec<RelationType>,
    /// Only relations that hold at this date.
    pub as_of: Option<PartialDate>,
}

/// What an export writes: records (actors, the relations among them, the
/// sources they cite), how they were chosen, and the paths among them.
#[derive(Debug, Clone)]
pub struct Subgraph {
    pub data: Dataset,
    pub scope: Scope,
    /// Paths between `scope.ends`, shortest first, as relation ids, each with
    /// whether the path walks it from its `to` to its `from`.
    pub paths: Vec<Vec<(RelationId, bool)>>,
    /// True when a limit cut the selection short.
    pub truncated: bool,
}

impl Subgraph {
    /// A whole data set.
    pub fn whole(data: Dataset) -> Self {
        Subgraph {
            data,
            scope: Scope::default(),
            paths: Vec::new(),
            truncated: false,
        }
    }
}

/// The data-set document of these records (audit fields are not part of it).
pub fn document(data: &Dataset) -> RawDocument {
    RawDocument {
        format: Some(FORMAT.to_string()),
        sources: data.sources.iter().map(RawSource::from).collect(),
        actors: data.actors.iter().map(RawActor::from).collect(),
        relations: data.relations.iter().map(RawRelation::from).collect(),
    }
}

/// The files of an export: one unnamed file, or (CSV) named tables.
pub fn render(format: Format, sub: &Subgraph) -> Vec<(&'static str, Vec<u8>)> {
    let one = |text: String| vec![("", text.into_bytes())];
    match format {
        Format::Json => {
            let mut json = serde_json::to_vec_pretty(&document(&sub.data)).unwrap_or_default();
            json.push(b'\n');
            vec![("", json)]
        }
        Format::Ftm => one(ftm::entities(&sub.data)),
        Format::Graphml => one(graphml(&sub.data)),
        Format::Gexf => one(gexf(&sub.data)),
        Format::Csl => one(csl(&sub.data)),
        Format::Brief => one(brief::markdown(sub)),
        Format::BriefHtml => one(brief::html_page(sub)),
        Format::Csv => csv(&sub.data)
            .into_iter()
            .map(|(name, text)| (name, text.into_bytes()))
            .collect(),
    }
}

/// XML text with `&`, `<`, `>`, `"` and `'` escaped, and the characters XML 1.0
/// cannot hold (controls other than tab and line breaks) left out.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// A property's value, as text, when the record has one.
type Prop<T> = (&'static str, &'static str, fn(&T) -> Option<String>);

fn date(d: &Option<DateValue>) -> Option<String> {
    d.as_ref().map(|d| d.date.to_string())
}

fn precision(d: &Option<DateValue>) -> Option<String> {
    d.as_ref()
        .map(|d| format!("{:?}", d.date.precision()).to_lowercase())
}

fn inferred(d: &Option<DateValue>) -> Option<String> {
    d.as_ref().map(|d| d.inferred.to_string())
}

/// The properties of nodes: name (as GraphML keys and GEXF attributes), type,
/// value.
fn node_props() -> Vec<Prop<Actor>> {
    vec![
        ("label", "string", |a| Some(a.display_name().to_string())),
        ("kind", "string", |a| Some(a.kind.as_str().to_string())),
        ("nameKo", "string", |a| a.name_ko.clone()),
        ("nameEn", "string", |a| a.name_en.clone()),
        ("aliases", "string", |a| {
            (!a.aliases.is_empty()).then(|| a.aliases.join("; "))
        }),
        ("description", "string", |a| a.description.clone()),
    ]
}

/// The properties of edges.
fn edge_props() -> Vec<Prop<Relation>> {
    vec![
        ("type", "string", |r| Some(r.kind.as_str().to_string())),
        ("summary", "string", |r| Some(r.summary.clone())),
        ("start", "string", |r| date(&r.start)),
        ("startPrecision", "string", |r| precision(&r.start)),
        ("startInferred", "boolean", |r| inferred(&r.start)),
        ("end", "string", |r| date(&r.end)),
        ("endPrecision", "string", |r| precision(&r.end)),
        ("endInferred", "boolean", |r| inferred(&r.end)),
        ("amount", "double", |r| {
            r.amount.as_ref().map(|m| m.value.to_string())
        }),
        ("currency", "string", |r| {
            r.amount.as_ref().map(|m| m.currency.clone())
        }),
        ("areaSquareMetres", "double", |r| {
            r.area.as_ref().map(|a| a.square_metres.to_string())
        }),
        ("role", "string", |r| r.role.clone()),
        ("status", "string", |r| r.status.clone()),
        ("note", "string", |r| r.note.clone()),
        ("evidenceCount", "int", |r| {
            Some(r.evidence.len().to_string())
        }),
        ("sources", "string", |r| {
            let mut ids: Vec<&str> = r.evidence.iter().map(|e| e.source.as_str()).collect();
            ids.dedup();
            Some(ids.join("; "))
        }),
    ]
}

/// The graph as GraphML: directed, one node per actor and one edge per relation
/// (parallel edges kept, each with its relation's id).
pub fn graphml(data: &Dataset) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n",
    );
    let nodes = node_props();
    let edges = edge_props();
    for (name, ty, _) in &nodes {
        let _ = writeln!(
            out,
            "  <key id=\"n_{name}\" for=\"node\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        );
    }
    for (name, ty, _) in &edges {
        let _ = writeln!(
            out,
            "  <key id=\"e_{name}\" for=\"edge\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        );
    }
    out.push_str("  <graph id=\"actorgraph\" edgedefault=\"directed\">\n");
    for a in &data.actors {
        let _ = writeln!(out, "    <node id=\"{}\">", xml(a.id.as_str()));
        for (name, _, value) in &nodes {
            if let Some(v) = value(a) {
                let _ = writeln!(out, "      <data key=\"n_{name}\">{}</data>", xml(&v));
            }
        }
        out.push_str("    </node>\n");
    }
    for r in &data.relations {
        let _ = writeln!(
            out,
            "    <edge id=\"{}\" source=\"{}\" target=\"{}\">",
            xml(r.id.as_str()),
            xml(r.from.as_str()),
            xml(r.to.as_str())
        );
        for (name, _, value) in &edges {
            if let Some(v) = value(r) {
                let _ = writeln!(out, "      <data key=\"e_{name}\">{}</data>", xml(&v));
            }
        }
        out.push_str("    </edge>\n");
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

/// The GEXF attribute declarations of a class of records (`prefix` + the
/// property's position is the attribute's id).
fn attributes<T>(out: &mut String, class: &str, prefix: &str, props: &[Prop<T>]) {
    let _ = writeln!(out, "    <attributes class=\"{class}\">");
    for (i, (name, ty, _)) in props.iter().enumerate() {
        let ty = if *ty == "int" { "integer" } else { ty };
        let _ = writeln!(
            out,
            "      <attribute id=\"{prefix}{i}\" title=\"{name}\" type=\"{ty}\"/>"
        );
    }
    out.push_str("    </attributes>\n");
}

/// A record's GEXF attribute values (`prefix` + the property's position is the
/// attribute's id).
fn attvalues<T>(out: &mut String, prefix: &str, props: &[Prop<T>], record: &T) {
    for (i, (_, _, value)) in props.iter().enumerate() {
        if let Some(v) = value(record) {
            let _ = writeln!(
                out,
                "          <attvalue for=\"{prefix}{i}\" value=\"{}\"/>",
                xml(&v)
            );
        }
    }
}

/// The graph as GEXF 1.2 (Gephi's format): directed, static, the same
/// properties as attributes (the node label is the display name, the edge label
/// the type).
pub fn gexf(data: &Dataset) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n  \
         <meta>\n    <creator>actorgraph</creator>\n    \
         <description>Actors and the evidenced relations between them</description>\n  </meta>\n  \
         <graph defaultedgetype=\"directed\" mode=\"static\">\n",
    );
    let nodes: Vec<Prop<Actor>> = node_props().into_iter().skip(1).collect();
    let edges: Vec<Prop<Relation>> = edge_props();
    attributes(&mut out, "node", "n", &nodes);
    attributes(&mut out, "edge", "e", &edges);
    out.push_str("    <nodes>\n");
    for a in &data.actors {
        let _ = writeln!(
            out,
            "      <node id=\"{}\" label=\"{}\">\n        <attvalues>",
            xml(a.id.as_str()),
            xml(a.display_name())
        );
        attvalues(&mut out, "n", &nodes, a);
        out.push_str("        </attvalues>\n      </node>\n");
    }
    out.push_str("    </nodes>\n    <edges>\n");
    for r in &data.relations {
        let _ = writeln!(
            out,
            "      <edge id=\"{}\" source=\"{}\" target=\"{}\" label=\"{}\">\n        <attvalues>",
            xml(r.id.as_str()),
            xml(r.from.as_str()),
            xml(r.to.as_str()),
            r.kind.as_str()
        );
        attvalues(&mut out, "e", &edges, r);
        out.push_str("        </attvalues>\n      </edge>\n");
    }
    out.push_str("    </edges>\n  </graph>\n</gexf>\n");
    out
}

/// A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_table<T>(rows: &[T], props: &[Prop<T>], first: (&str, fn(&T) -> String)) -> String {
    let mut out = String::new();
    let header: Vec<&str> = std::iter::once(first.0)
        .chain(props.iter().map(|(name, _, _)| *name))
        .collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in rows {
        let fields: Vec<String> = std::iter::once(csv_field(&(first.1)(row)))
            .chain(
                props
                    .iter()
                    .map(|(_, _, value)| csv_field(&value(row).unwrap_or_default())),
            )
            .collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The graph as three CSV tables (RFC 4180, UTF-8, CRLF): `nodes.csv` (`id` and
/// the node properties), `edges.csv` (`id`, `source`, `target` and the edge
/// properties; Gephi's importer reads these column names) and `evidence.csv`
/// (one row per quote: relation, source, quote).
pub fn csv(data: &Dataset) -> Vec<(&'static str, String)> {
    let nodes = csv_table(
        &data.actors,
        &node_props(),
        ("id", |a: &Actor| a.id.to_string()),
    );
    let mut edge_props = edge_props();
    let ends: Vec<Prop<Relation>> = vec![
        ("source", "string", |r| Some(r.from.to_string())),
        ("target", "string", |r| Some(r.to.to_string())),
    ];
    edge_props.splice(0..0, ends);
    let edges = csv_table(
        &data.relations,
        &edge_props,
        ("id", |r: &Relation| r.id.to_string()),
    );
    let mut evidence = String::from("relation,source,quote\r\n");
    for r in &data.relations {
        for e in &r.evidence {
            let _ = write!(
                evidence,
                "{},{},{}\r\n",
                csv_field(r.id.as_str()),
                csv_field(e.source.as_str()),
                csv_field(&e.quote)
            );
        }
    }
    vec![
        ("nodes.csv", nodes),
        ("edges.csv", edges),
        ("evidence.csv", evidence),
    ]
}

/// A source as a CSL-JSON item: a news article, its partial date as
/// `date-parts` (`[[2015, 2]]`), its language, publisher and URL.
fn csl_item(s: &Source) -> serde_json::Value {
    let mut item = serde_json::json!({
        "id": s.id.as_str(),
        "type": "article-newspaper",
        "title": s.title,
        "language": s.language,
    });
    if let Some(p) = &s.publisher {
        item["publisher"] = serde_json::json!(p);
        item["container-title"] = serde_json::json!(p);
    }
    if let Some(u) = &s.url {
        item["URL"] = serde_json::json!(u);
    }
    if let Some(d) = &s.published_at {
        let mut parts = vec![u32::from(d.date.year())];
        parts.extend(d.date.month().map(u32::from));
        parts.extend(d.date.day().map(u32::from));
        item["issued"] = serde_json::json!({"date-parts": [parts]});
        if d.inferred {
            item["issued"]["circa"] = serde_json::json!(true);
        }
    }
    let notes: Vec<&str> = [
        s.note.as_deref(),
        s.published_at.as_ref().and_then(|d| d.note.as_deref()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !notes.is_empty() {
        item["note"] = serde_json::json!(notes.join(" "));
    }
    item
}

/// The sources as CSL-JSON (an array of items), for reference managers and
/// citation processors.
pub fn csl(data: &Dataset) -> String {
    let items: Vec<serde_json::Value> = data.sources.iter().map(csl_item).collect();
    let mut out = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Dataset {
        crate::synthetic::dataset(3, 2).unwrap()
    }

    #[test]
    fn xml_text_is_escaped_and_controls_are_dropped() {
        assert_eq!(
            xml("A & B <\"x'\">\u{1}"),
            "A &amp; B &lt;&quot;x&apos;&quot;&gt;"
        );
    }

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn every_actor_and_relation_is_written_once() {
        let data = seed();
        let g = graphml(&data);
        assert_eq!(g.matches("<node ").count(), data.actors.len());
        assert_eq!(g.matches("<edge ").count(), data.relations.len());
        let x = gexf(&data);
        assert_eq!(x.matches("<node ").count(), data.actors.len());
        assert_eq!(x.matches("<edge ").count(), data.relations.len());
        let tables = csv(&data);
        assert_eq!(tables[0].1.lines().count(), data.actors.len() + 1);
        assert_eq!(tables[1].1.lines().count(), data.relations.len() + 1);
    }

    #[test]
    fn a_partial_date_becomes_csl_date_parts() {
        let mut data = seed();
        data.sources[0].published_at = Some(DateValue {
            date: "2015-02".parse().unwrap(),
            inferred: true,
            note: Some("from the text".into()),
        });
        let items: serde_json::Value = serde_json::from_str(&csl(&data)).unwrap();
        assert_eq!(
            items[0]["issued"]["date-parts"],
            serde_json::json!([[2015, 2]])
        );
        assert_eq!(items[0]["issued"]["circa"], true);
    }
}
