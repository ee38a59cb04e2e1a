//! A citation brief: the relations of an export told as sentences, each followed
//! by the sentence of the source that states it and a numbered note to that
//! source, in Markdown (footnotes as `[^1]`, which GitHub, Pandoc and
//! Python-Markdown render) or HTML. Paths between two actors come first, hop by
//! hop; then the other relations, by date; then who is who; then the sources.
//!
//! The brief is built once as a [`Brief`] and written by either renderer, so
//! both say the same.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::ftm::type_words;
use super::Subgraph;
use crate::domain::{Actor, DateValue, Relation, RelationType, Source};

/// A piece of a sentence: plain words, or an actor's name (set in bold).
enum Span {
    Text(String),
    Name(String),
}

/// One claim: its sentence, its facts, and its quotes with their notes.
struct Item {
    sentence: Vec<Span>,
    quotes: Vec<Quote>,
}

impl Item {
    /// The sentence as text of a markup: each piece escaped, names set in bold
    /// (`bold` gets the escaped name).
    fn render(&self, escape: fn(&str) -> String, bold: impl Fn(String) -> String) -> String {
        self.sentence
            .iter()
            .map(|span| match span {
                Span::Text(t) => escape(t),
                Span::Name(n) => bold(escape(n)),
            })
            .collect()
    }
}

struct Quote {
    text: String,
    language: String,
    note: usize,
}

struct Section {
    heading: String,
    items: Vec<Item>,
}

/// A note: a source, cited.
struct Note {
    number: usize,
    citation: String,
    url: Option<String>,
}

struct Brief {
    title: String,
    lead: Vec<String>,
    sections: Vec<Section>,
    /// Who is who: (name, what).
    actors: Vec<(String, String)>,
    notes: Vec<Note>,
}

fn verb(t: RelationType, role: Option<&str>) -> String {
    let role = role.filter(|r| !r.is_empty());
    match t {
        RelationType::Contract => "has a contract with".into(),
        RelationType::Lobbying => "lobbied on".into(),
        RelationType::Lease => "leases".into(),
        RelationType::Regulation => "regulates".into(),
        RelationType::Position => match role {
            Some(r) => format!("holds the post of {r} at"),
            None => "holds a post at".into(),
        },
        RelationType::Membership => "is a member of".into(),
        RelationType::Ownership => "owns".into(),
        RelationType::Support => "supports".into(),
        RelationType::Statement => "made a statement about".into(),
        RelationType::Criticism => "criticised".into(),
        RelationType::Attendance => "attended".into(),
        RelationType::Venue => "took place at".into(),
        RelationType::Usage => "uses".into(),
        RelationType::PartOf => "is part of".into(),
        RelationType::BasedIn => "is based in".into(),
        RelationType::PendingIn => "is pending in".into(),
        RelationType::LinkedWith => "is linked with".into(),
        RelationType::ExpectedBenefit => "is expected to benefit".into(),
        RelationType::ExpectedHarm => "is expected to harm".into(),
        RelationType::MarketPresence => "is present in".into(),
        RelationType::Production => "makes".into(),
    }
}

fn date(d: &DateValue) -> String {
    if d.inferred {
        format!("{} (inferred)", d.date)
    } else {
        d.date.to_string()
    }
}

/// What qualifies a claim: its dates, sum, area, status.
fn facts(r: &Relation) -> Vec<String> {
    let mut out = Vec::new();
    match (&r.start, &r.end) {
        (Some(s), Some(e)) => out.push(format!("{} to {}", date(s), date(e))),
        (Some(s), None) => out.push(format!("from {}", date(s))),
        (None, Some(e)) => out.push(format!("until {}", date(e))),
        (None, None) => {}
    }
    if let Some(m) = &r.amount {
        out.push(format!("{} {}", thousands(m.value), m.currency));
    }
    if let Some(a) = &r.area {
        let about = if a.approximate { "about " } else { "" };
        out.push(format!("{about}{} m²", thousands(a.square_metres)));
    }
    if let Some(s) = &r.status {
        out.push(format!("status: {s}"));
    }
    out
}

/// A number with thousands separators (`600,000,000`); fractions kept.
fn thousands(v: f64) -> String {
    let text = v.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

fn citation(s: &Source) -> String {
    let mut parts = vec![s.title.clone()];
    parts.extend(s.publisher.clone());
    if let Some(d) = &s.published_at {
        parts.push(d.date.to_string());
    }
    let mut c = parts.join(", ");
    c.push('.');
    c
}

struct Builder<'a> {
    actors: HashMap<&'a str, &'a Actor>,
    sources: HashMap<&'a str, &'a Source>,
    notes: Vec<Note>,
    numbers: HashMap<&'a str, usize>,
}

impl<'a> Builder<'a> {
    fn name(&self, id: &str) -> String {
        self.actors
            .get(id)
            .map_or_else(|| id.to_string(), |a| a.display_name().to_string())
    }

    fn note(&mut self, source: &'a str) -> usize {
        if let Some(n) = self.numbers.get(source) {
            return *n;
        }
        let number = self.notes.len() + 1;
        let (citation, url) = match self.sources.get(source) {
            Some(s) => (citation(s), s.url.clone()),
            None => (format!("Source `{source}`."), None),
        };
        self.notes.push(Note {
            number,
            citation,
            url,
        });
        self.numbers.insert(source, number);
        number
    }

    fn item(&mut self, r: &'a Relation) -> Item {
        let mut sentence = vec![
            Span::Name(self.name(r.from.as_str())),
            Span::Text(format!(" {} ", verb(r.kind, r.role.as_deref()))),
            Span::Name(self.name(r.to.as_str())),
        ];
        let facts = facts(r);
        if !facts.is_empty() {
            sentence.push(Span::Text(format!(" ({})", facts.join("; "))));
        }
        let summary = r.summary.trim().trim_end_matches('.');
        sentence.push(Span::Text(format!(": {summary}.")));
        if let Some(note) = &r.note {
            sentence.push(Span::Text(format!(" Note: {}", note.trim())));
        }
        let quotes = r
            .evidence
            .iter()
            .map(|e| Quote {
                text: e.quote.clone(),
                language: self
                    .sources
                    .get(e.source.as_str())
                    .map_or_else(String::new, |s| s.language.clone()),
                note: self.note(e.source.as_str()),
            })
            .collect();
        Item { sentence, quotes }
    }
}

fn build(sub: &Subgraph) -> Brief {
    let data = &sub.data;
    let mut b = Builder {
        actors: data.actors.iter().map(|a| (a.id.as_str(), a)).collect(),
        sources: data.sources.iter().map(|s| (s.id.as_str(), s)).collect(),
        notes: Vec::new(),
        numbers: HashMap::new(),
    };
    let relations: HashMap<&str, &Relation> =
        data.relations.iter().map(|r| (r.id.as_str(), r)).collect();
    let scope = &sub.scope;
    let mut title = match (&scope.ends, scope.around.as_slice()) {
        (Some((from, to)), _) => format!(
            "How {} is connected to {}",
            b.name(from.as_str()),
            b.name(to.as_str())
        ),
        (None, []) => "The graph".to_string(),
        (None, around) => {
            let names: Vec<String> = around.iter().map(|id| b.name(id.as_str())).collect();
            let hops = if scope.depth == 1 { "hop" } else { "hops" };
            let their = if names.len() == 1 { "its" } else { "their" };
            format!(
                "{} and {their} relations within {} {hops}",
                names.join(", "),
                scope.depth
            )
        }
    };
    if let Some(d) = &scope.as_of {
        let _ = write!(title, ", as of {d}");
    }
    let mut lead = vec![format!(
        "{} actors and {} relations. Each statement is followed by the sentence of the source that states it and a note to that source; dates marked “inferred” are not stated in the source but read from it.",
        data.actors.len(),
        data.relations.len()
    )];
    if !scope.types.is_empty() {
        let types: Vec<String> = scope.types.iter().map(|t| type_words(*t)).collect();
        lead.push(format!(
            "Only relations of these types: {}.",
            types.join(", ")
        ));
    }
    if sub.truncated {
        lead.push("The selection was cut short by its limits: some actors or relations around it are not here.".into());
    }
    let mut sections = Vec::new();
    let mut told = std::collections::HashSet::new();
    for (i, path) in sub.paths.iter().enumerate() {
        let mut heading = format!("Path {}", i + 1);
        let hops: Vec<(&Relation, bool)> = path
            .iter()
            .filter_map(|(id, reversed)| Some((*relations.get(id.as_str())?, *reversed)))
            .collect();
        if let Some((first, reversed)) = hops.first() {
            let start = if *reversed { &first.to } else { &first.from };
            let _ = write!(heading, ": {}", b.name(start.as_str()));
            for (r, reversed) in &hops {
                let (arrow, next) = if *reversed {
                    ("←", &r.from)
                } else {
                    ("→", &r.to)
                };
                let _ = write!(heading, " {arrow} {}", b.name(next.as_str()));
            }
        }
        let items = path
            .iter()
            .filter_map(|(id, _)| relations.get(id.as_str()))
            .map(|r| {
                told.insert(r.id.as_str());
                b.item(r)
            })
            .collect();
        sections.push(Section { heading, items });
    }
    let mut rest: Vec<&Relation> = data
        .relations
        .iter()
        .filter(|r| !told.contains(r.id.as_str()))
        .collect();
    // By date (undated last), then by id: a chronology.
    rest.sort_by(|x, y| {
        let key = |r: &Relation| r.timeline_date().map(|d| d.date.sort_key());
        match (key(x), key(y)) {
            (Some(a), Some(c)) => a.cmp(&c),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then_with(|| x.id.cmp(&y.id))
    });
    if !rest.is_empty() {
        let heading = if sections.is_empty() {
            "Relations"
        } else {
            "Other relations"
        };
        let items = rest.into_iter().map(|r| b.item(r)).collect();
        sections.push(Section {
            heading: heading.into(),
            items,
        });
    }
    let actors = data
        .actors
        .iter()
        .map(|a| {
            let mut names = vec![a.display_name().to_string()];
            for other in [&a.name_en, &a.name_ko].into_iter().flatten() {
                if !names.contains(other) {
                    names.push(other.clone());
                }
            }
            let mut what = a.kind.as_str().replace('_', " ").to_lowercase();
            if let Some(d) = &a.description {
                let _ = write!(what, "; {}", d.trim());
            }
            (names.join(" · "), what)
        })
        .collect();
    Brief {
        title,
        lead,
        sections,
        actors,
        notes: b.notes,
    }
}

/// Markdown text with the characters Markdown reads as markup escaped.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '{' | '}'
        ) {
            out.push('\\');
        }
        match c {
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The brief in Markdown, footnotes as `[^1]`.
pub fn markdown(sub: &Subgraph) -> String {
    let brief = build(sub);
    let mut out = format!("# {}\n\n", md(&brief.title));
    for p in &brief.lead {
        let _ = writeln!(out, "{}\n", md(p));
    }
    for s in &brief.sections {
        let _ = writeln!(out, "## {}\n", md(&s.heading));
        for (i, item) in s.items.iter().enumerate() {
            let sentence = item.render(md, |n| format!("**{n}**"));
            let _ = writeln!(out, "{}. {sentence}", i + 1);
            for q in &item.quotes {
                let _ = writeln!(out, "\n   > “{}”[^{}]", md(&q.text), q.note);
            }
            out.push('\n');
        }
    }
    if !brief.actors.is_empty() {
        out.push_str("## Who is who\n\n");
        for (name, what) in &brief.actors {
            let _ = writeln!(out, "- **{}**: {}", md(name), md(what));
        }
        out.push('\n');
    }
    for n in &brief.notes {
        let _ = write!(out, "[^{}]: {}", n.number, md(&n.citation));
        if let Some(url) = &n.url {
            let _ = write!(out, " <{}>", url.replace(['<', '>', ' '], ""));
        }
        out.push('\n');
    }
    out
}

/// The brief as one HTML page, notes as a numbered list the quotes link to.
pub fn html_page(sub: &Subgraph) -> String {
    let brief = build(sub);
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>body{{font-family:system-ui,\"Noto Sans KR\",sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2430}}\
         blockquote{{margin:.4rem 0 .8rem;padding:.3rem .8rem;border-left:3px solid #5470c6;background:#f5f7fc}}\
         sup a{{text-decoration:none}}</style>\n</head>\n<body>\n<article>\n<h1>{}</h1>\n",
        html(&brief.title),
        html(&brief.title)
    );
    for p in &brief.lead {
        let _ = writeln!(out, "<p>{}</p>", html(p));
    }
    for s in &brief.sections {
        let _ = writeln!(out, "<section>\n<h2>{}</h2>\n<ol>", html(&s.heading));
        for item in &s.items {
            let sentence = item.render(html, |n| format!("<strong>{n}</strong>"));
            let _ = writeln!(out, "<li><p>{sentence}</p>");
            for q in &item.quotes {
                let lang = if q.language.is_empty() {
                    String::new()
                } else {
                    format!(" lang=\"{}\"", html(&q.language))
                };
                let _ = writeln!(
                    out,
                    "<blockquote{lang}><p>“{}”<sup><a href=\"#note-{n}\" aria-label=\"source {n}\">{n}</a></sup></p></blockquote>",
                    html(&q.text),
                    n = q.note
                );
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n</section>\n");
    }
    if !brief.actors.is_empty() {
        out.push_str("<section>\n<h2>Who is who</h2>\n<ul>\n");
        for (name, what) in &brief.actors {
            let _ = writeln!(
                out,
                "<li><strong>{}</strong>: {}</li>",
                html(name),
                html(what)
            );
        }
        out.push_str("</ul>\n</section>\n");
    }
    out.push_str("<section>\n<h2>Sources</h2>\n<ol>\n");
    for n in &brief.notes {
        let _ = write!(out, "<li id=\"note-{}\">{}", n.number, html(&n.citation));
        if let Some(url) = &n.url {
            let _ = write!(out, " <a href=\"{}\">{}</a>", html(url), html(url));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n</section>\n</article>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::formats::Scope;

    fn seed() -> Subgraph {
        Subgraph::whole(crate::seed::load(std::path::Path::new("seed")).unwrap())
    }

    #[test]
    fn every_quote_is_cited_with_a_note_that_exists() {
        let sub = seed();
        let text = markdown(&sub);
        let cited: std::collections::HashSet<&str> = sub
            .data
            .relations
            .iter()
            .flat_map(|r| r.evidence.iter().map(|e| e.source.as_str()))
            .collect();
        let notes = text.matches("\n[^").count();
        assert_eq!(notes, cited.len(), "one note per source cited");
        for r in &sub.data.relations {
            for e in &r.evidence {
                assert!(text.contains(&md(&e.quote)), "{} quoted", r.id);
            }
        }
        for n in 1..=notes {
            assert!(text.contains(&format!("”[^{n}]\n")), "note {n} cited");
            assert!(text.contains(&format!("\n[^{n}]: ")), "note {n} defined");
        }
        let page = html_page(&sub);
        for n in 1..=notes {
            assert!(page.contains(&format!("href=\"#note-{n}\"")));
            assert!(page.contains(&format!("id=\"note-{n}\"")));
        }
    }

    #[test]
    fn a_path_is_told_hop_by_hop_under_a_heading_that_walks_it() {
        let mut sub = seed();
        let r = sub.data.relations[0].clone();
        sub.scope = Scope {
            ends: Some((r.to.clone(), r.from.clone())),
            ..Scope::default()
        };
        sub.paths = vec![vec![(r.id.clone(), true)]];
        let text = markdown(&sub);
        let from = sub.data.actors.iter().find(|a| a.id == r.from).unwrap();
        let to = sub.data.actors.iter().find(|a| a.id == r.to).unwrap();
        assert!(text.starts_with(&format!(
            "# How {} is connected to {}",
            md(to.display_name()),
            md(from.display_name())
        )));
        assert!(text.contains(&format!(
            "## Path 1: {} ← {}",
            md(to.display_name()),
            md(from.display_name())
        )));
        assert!(text.contains("## Other relations"));
    }

    #[test]
    fn markup_in_names_is_escaped() {
        assert_eq!(md("a*b_[c]"), "a\\*b\\_\\[c\\]");
        assert_eq!(html("<b>&"), "&lt;b&gt;&amp;");
        assert_eq!(thousands(600000000.0), "600,000,000");
        assert_eq!(thousands(3200.5), "3,200.5");
        assert_eq!(thousands(-1234.0), "-1,234");
    }
}
