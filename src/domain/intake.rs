//! Intake: from an article's text to candidate claims, each with the exact
//! sentence that states it, for a person to accept, edit or reject.
//!
//! [`analyse`] reads a text against the actors it may name (the caller looks them
//! up first: [`mentions::phrases`] are the folded phrases that could be names) and
//! finds, sentence by sentence ([`crate::domain::text::sentences`]):
//!
//! - mentions of known actors, by any name or alias in either language, folded as
//!   search folds, with Korean particles attached (`아마존과`, `CIA가`, `국회는`);
//! - candidate new actors: people by their titles (`…의원`, `…장관`, `Minister …`),
//!   bodies by the endings of their names (`…협회`, `…위원회`, `…부`), bills and laws
//!   (`…법`, `…법안`, `…에 관한 법률`, `… Act`), companies by the word before them
//!   (`클라우드기업 더존비즈온`), each with the known actors it may duplicate;
//! - candidate claims: each pair of actors a sentence names that a cue word types
//!   (`계약`, `임차`, `촉구`, `비판`, `참석`, `수혜`… and their English counterparts,
//!   [`cues::CUES`]) or whose kinds alone suggest a type (a person and a party:
//!   membership), turned the way the type goes, with the dates of the sentence
//!   resolved against the publication date ([`when`]), its sum of money and floor
//!   area ([`amounts`]), the words that led to it and a confidence.
//!
//! No dictionary of Korean morphemes is used: `lindera`'s Korean dictionary is
//! downloaded when it builds, which our machines cannot do, and the particles
//! that matter here are a short closed list ([`words`]). The figures of what this
//! finds on the seed article and on our own test articles are in
//! `docs/intake.md`.

pub mod amounts;
pub mod cues;
pub mod mentions;
pub mod quality;
pub mod resolve;
pub mod when;
pub mod words;

use std::collections::HashMap;
use std::ops::Range;

use super::{search, Actor, ActorId, ActorKind, Area, DateValue, Money, PartialDate, RelationType};
use mentions::{KnownMention, NewMention};

/// Who a mention or a claim's end is: a known actor, or a candidate new one (by
/// its index in [`Analysis::new_actors`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Party {
    Known(ActorId),
    New(usize),
}

/// A place where the text names an actor.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// The sentence (index into [`Analysis::sentences`]).
    pub sentence: usize,
    /// Byte range of the name in the text.
    pub span: Range<usize>,
    pub party: Party,
    /// Other known actors with the same name, when it is ambiguous.
    pub also: Vec<ActorId>,
}

/// A candidate new actor: a name the text gives that no known actor has.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActor {
    /// The name as first written.
    pub name: String,
    pub kind: ActorKind,
    /// The words that made it a candidate (a title, an ending, a cue word).
    pub cue: String,
    pub confidence: f64,
    /// Known actors it may be, best first, with why.
    pub duplicates: Vec<(ActorId, resolve::Likeness)>,
}

/// A candidate claim: a relation a sentence may state.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// The sentence (index into [`Analysis::sentences`]), which is the quote.
    pub sentence: usize,
    pub from: Party,
    pub to: Party,
    pub kind: RelationType,
    /// The words that led to it: cue words, a title, or the two kinds.
    pub cues: Vec<String>,
    pub confidence: f64,
    pub start: Option<DateValue>,
    pub end: Option<DateValue>,
    pub amount: Option<Money>,
    pub area: Option<Area>,
    pub role: Option<String>,
    pub status: Option<String>,
}

/// What intake found in a text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    /// The sentences, as byte ranges of the text.
    pub sentences: Vec<Range<usize>>,
    pub mentions: Vec<Mention>,
    pub new_actors: Vec<NewActor>,
    /// Strongest first within each sentence, sentences in text order.
    pub claims: Vec<Claim>,
}

/// The new actor (an earlier name of the same kind) that a name is a short form
/// of, as articles write a body's or a bill's full name first and a part of it
/// afterwards (`클라우드 발전법` … `발전법`, `발전 법안`). People are left alone: a
/// part of a person's name is not that person.
fn short_form_of(kind: ActorKind, folded: &str, earlier: &[NewActor]) -> Option<usize> {
    if kind == ActorKind::Person {
        return None;
    }
    // `법안` and `법` end the same bill's names.
    let core = |s: &str| {
        let s = s
            .strip_suffix("법안")
            .map_or_else(|| s.to_string(), |b| format!("{b}법"));
        s
    };
    let short = core(folded);
    if short.chars().count() < 3 {
        return None;
    }
    earlier.iter().position(|a| {
        let long = core(&search::fold(&a.name));
        a.kind == kind && long.len() > short.len() && long.contains(&short)
    })
}

/// An end of a claim as the pairing sees it.
#[derive(Debug, Clone)]
struct Participant {
    party: Party,
    kind: ActorKind,
    span: Range<usize>,
    role: words::Role,
    /// The title that follows the name's organisation, for positions: set on a
    /// body followed by a title (`미래부 2차관`).
    title_after: Option<String>,
    /// Whether the title comes between the body and a person named after it
    /// (English: `KT Chairman Hwang`).
    title_before_person: bool,
    /// Whether its particle marks the sentence's topic (`은/는`).
    topic: bool,
    /// Not named in the sentence: the topic of the sentences before it (Korean
    /// carries a topic on: `클라우드 발전법은 …. 사실상 … 부흥시킬 최후의 카드다`).
    carried: bool,
    /// For a carried topic: whether it may act in the sentence (be a `from`),
    /// which it may only where the sentence has no topic of its own.
    acts: bool,
}

/// Types whose day-dated claims are events: they end the day they start.
const EVENTS: &[RelationType] = &[
    RelationType::Attendance,
    RelationType::Venue,
    RelationType::Statement,
    RelationType::Criticism,
    RelationType::Lobbying,
    RelationType::Support,
];

/// Reads `text` (published at `published`, when known) against `actors`, the
/// known actors it may name (those holding one of its [`mentions::phrases`]; more
/// only cost time) and those its new names may duplicate.
pub fn analyse(text: &str, published: Option<&PartialDate>, actors: &[Actor]) -> Analysis {
    let names = mentions::name_map(actors);
    let kinds: HashMap<&ActorId, ActorKind> = actors.iter().map(|a| (&a.id, a.kind)).collect();
    let keys: Vec<(&ActorId, Vec<String>)> = actors
        .iter()
        .map(|a| (&a.id, search::search_keys(a)))
        .collect();
    let sentences = crate::domain::text::sentences(text);
    let mut analysis = Analysis {
        sentences: sentences.clone(),
        ..Analysis::default()
    };
    let mut new_index: HashMap<String, usize> = HashMap::new();
    let mut events: HashMap<&'static str, Vec<ActorId>> = HashMap::new();
    for a in actors.iter().filter(|a| a.kind == ActorKind::Event) {
        if let Some(head) = mentions::event_head(a) {
            events.entry(head).or_default().push(a.id.clone());
        }
    }
    let mut previous_date: Option<PartialDate> = None;
    let mut topic: Option<Participant> = None;
    for (i, range) in sentences.iter().enumerate() {
        let mut known = mentions::known(text, range.clone(), &names);
        let by_kind = mentions::events(text, range.clone(), &events, &known);
        known.extend(by_kind);
        known.sort_by_key(|k| k.span.start);
        let new = mentions::new_actors(text, range.clone(), &known);
        let mut participants = participants(text, &known, &kinds);
        for n in &new {
            let folded = search::fold(&n.name);
            let index = match new_index.get(&folded) {
                Some(i) => *i,
                None => {
                    let index = short_form_of(n.kind, &folded, &analysis.new_actors)
                        .unwrap_or_else(|| {
                            analysis.new_actors.push(new_actor(n, &keys));
                            analysis.new_actors.len() - 1
                        });
                    new_index.insert(folded, index);
                    index
                }
            };
            analysis.mentions.push(Mention {
                sentence: i,
                span: n.span.clone(),
                party: Party::New(index),
                also: Vec::new(),
            });
            participants.push(Participant {
                party: Party::New(index),
                kind: n.kind,
                span: n.span.clone(),
                role: words::role(&n.particle),
                title_after: None,
                title_before_person: false,
                topic: words::is_topic(&n.particle),
                carried: false,
                acts: true,
            });
        }
        for k in &known {
            analysis.mentions.push(Mention {
                sentence: i,
                span: k.span.clone(),
                party: Party::Known(k.actors[0].clone()),
                also: k.actors[1..].to_vec(),
            });
        }
        participants.sort_by_key(|p| p.span.start);
        mark_titles(text, range, &mut participants);
        // The sentence's topic (`은/는`), else its first subject, is what the
        // next sentences may continue.
        let own_topic = participants.iter().any(|p| p.topic);
        let subject = participants
            .iter()
            .find(|p| p.topic)
            .or_else(|| participants.iter().find(|p| p.role == words::Role::Subject))
            .cloned();
        if let Some(t) = &topic {
            if !participants.iter().any(|p| p.party == t.party) {
                participants.push(Participant {
                    carried: true,
                    acts: !own_topic,
                    span: range.start..range.start,
                    role: words::Role::Subject,
                    title_after: None,
                    ..t.clone()
                });
            }
        }
        if subject.is_some() {
            topic = subject;
        }
        let dates = when::dates(text, range.clone(), published, previous_date.as_ref());
        if let Some(last) = dates.last() {
            previous_date = Some(last.value.date);
        }
        let context = Context {
            text,
            sentence: range.clone(),
            dates,
            money: amounts::money(text, range.clone()),
            areas: amounts::areas(text, range.clone()),
            next_areas: sentences
                .get(i + 1)
                .map(|next| amounts::areas(text, next.clone()))
                .unwrap_or_default(),
        };
        analysis.claims.extend(pair(i, &participants, &context));
    }
    analysis.mentions.sort_by_key(|m| m.span.start);
    analysis
}

/// The known actors a sentence names, as claim ends (the first of an ambiguous
/// name's actors), each once.
fn participants(
    text: &str,
    known: &[KnownMention],
    kinds: &HashMap<&ActorId, ActorKind>,
) -> Vec<Participant> {
    known
        .iter()
        .filter_map(|k| {
            let id = k.actors.first()?;
            Some(Participant {
                party: Party::Known(id.clone()),
                kind: *kinds.get(id)?,
                span: k.span.clone(),
                role: words::role(&k.particle),
                // `한국클라우드산업협회장`: the head of the body just named.
                title_after: k.particle.starts_with('장').then(|| {
                    format!(
                        "{}장",
                        text[k.span.clone()]
                            .chars()
                            .rev()
                            .take(2)
                            .collect::<Vec<_>>()
                            .into_iter()
                            .rev()
                            .collect::<String>()
                    )
                }),
                title_before_person: false,
                topic: words::is_topic(&k.particle),
                carried: false,
                acts: true,
            })
        })
        .collect()
}

/// Marks the bodies followed by a title token (`미래부 2차관`, `KT 공공고객본부장`).
/// A person named before them takes the particle of the title (`최원식 새정치민주연합
/// 의원등이`: the lawmaker is the subject).
fn mark_titles(text: &str, sentence: &Range<usize>, parts: &mut [Participant]) {
    let tokens = words::tokens(text, sentence.clone());
    let mut title_roles: Vec<(usize, &str)> = Vec::new();
    for p in parts.iter_mut() {
        if p.kind == ActorKind::Person {
            continue;
        }
        if p.title_after.is_some() {
            // `협회장은`: the title is in the name's own token.
            let rest = &text[p.span.end..];
            let particle = words::strip_particle(
                rest.split(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or(""),
            )
            .1;
            title_roles.push((p.span.start, particle));
            continue;
        }
        let next = tokens.iter().find(|t| t.span.start >= p.span.end);
        if let Some(t) = next {
            if mentions::EN_TITLES.contains(&t.text.to_lowercase().as_str()) {
                p.title_after = Some(t.text.to_string());
                p.title_before_person = true;
                continue;
            }
            if mentions::title_of(t.text).is_some() {
                let (title, particle) = words::strip_particle(t.text);
                p.title_after = Some(title.to_string());
                title_roles.push((p.span.start, particle));
            }
        }
    }
    for (at, particle) in title_roles {
        if let Some(person) = parts
            .iter_mut()
            .filter(|p| p.kind == ActorKind::Person && p.span.start < at)
            .last()
        {
            if person.role == words::Role::Other {
                person.role = words::role(particle);
                person.topic = words::is_topic(particle);
            }
        }
    }
    // `새누리당 이영희 의원은`: a body, a person, then the title: the person holds
    // the title in the body, and takes the title's particle.
    for i in 0..parts.len() {
        if parts[i].kind != ActorKind::Person || parts[i].role != words::Role::Other {
            continue;
        }
        let Some(t) = tokens.iter().find(|t| t.span.start >= parts[i].span.end) else {
            continue;
        };
        if mentions::title_of(t.text).is_none() {
            continue;
        }
        let (title, particle) = words::strip_particle(t.text);
        parts[i].role = words::role(particle);
        parts[i].topic = words::is_topic(particle);
        let person_start = parts[i].span.start;
        let before = tokens
            .iter()
            .rev()
            .find(|t| t.span.end <= person_start)
            .map(|t| t.span.clone());
        if let Some(body) = parts
            .iter_mut()
            .find(|p| p.kind != ActorKind::Person && before.as_ref().is_some_and(|b| *b == p.span))
        {
            if body.title_after.is_none() {
                body.title_after = Some(title.to_string());
                body.title_before_person = true;
            }
        }
    }
}

/// What a sentence says besides who: its dates, sums and areas.
struct Context<'a> {
    text: &'a str,
    sentence: Range<usize>,
    dates: Vec<when::FoundDate>,
    money: Vec<amounts::FoundMoney>,
    areas: Vec<amounts::FoundArea>,
    /// The areas of the next sentence (`사무 공간만 약 3200m²`), which leases
    /// often give apart.
    next_areas: Vec<amounts::FoundArea>,
}

/// The strongest reading of each pair of a sentence's participants.
fn pair(sentence: usize, parts: &[Participant], cx: &Context) -> Vec<Claim> {
    let text = &cx.text[cx.sentence.clone()];
    let found_cues = cues::find(text);
    let mut seen: Vec<&Party> = Vec::new();
    let unique: Vec<&Participant> = parts
        .iter()
        .filter(|p| {
            if seen.contains(&&p.party) {
                false
            } else {
                seen.push(&p.party);
                true
            }
        })
        .collect();
    let crowd = unique.len().saturating_sub(2) as f64;
    let mut claims = Vec::new();
    for (i, a) in unique.iter().enumerate() {
        for b in &unique[i + 1..] {
            if let Some(c) = read_pair(sentence, (a, b), &found_cues, cx, crowd) {
                claims.push(c);
            }
        }
    }
    claims.sort_by(|x, y| y.confidence.total_cmp(&x.confidence));
    claims
}

/// The best reading of a pair so far.
struct Reading {
    kind: RelationType,
    /// Whether the pair's first is the `from`.
    a_first: bool,
    confidence: f64,
    cues: Vec<String>,
    role: Option<String>,
}

/// How a pair reads: by a title between them, a cue word, or their kinds alone.
fn read_pair(
    sentence: usize,
    (a, b): (&Participant, &Participant),
    found: &[(usize, &'static str, RelationType)],
    cx: &Context,
    crowd: f64,
) -> Option<Claim> {
    let offset = |p: &Participant| p.span.start - cx.sentence.start;
    let later = offset(a).max(offset(b));
    let carried = a.carried || b.carried;
    // (type, from is a, confidence, cues, role)
    let mut best: Option<Reading> = None;
    let mut consider =
        |t: RelationType, a_first: bool, conf: f64, cue: String, role: Option<String>| {
            if best.as_ref().is_none_or(|b| conf > b.confidence) {
                best = Some(Reading {
                    kind: t,
                    a_first,
                    confidence: conf,
                    cues: vec![cue],
                    role,
                });
            }
        };
    // A person named before a body and its title holds a post there (or, in a
    // party, is a member).
    for (person, body, a_first) in [(a, b, true), (b, a, false)] {
        // `윤종록 미래부 2차관`; in English `KT Chairman Hwang Chang-gyu`.
        let order = person.span.start < body.span.start || body.title_before_person;
        if !carried && person.kind == ActorKind::Person && order {
            if let Some(title) = &body.title_after {
                let t = if body.kind == ActorKind::PoliticalParty {
                    RelationType::Membership
                } else {
                    RelationType::Position
                };
                if cues::fits(t, person.kind, body.kind) {
                    consider(
                        t,
                        a_first,
                        0.8,
                        format!("title {title}"),
                        Some(title.clone()),
                    );
                }
            }
        }
    }
    for (at, word, t) in found {
        let fits_ab = cues::fits(*t, a.kind, b.kind);
        let fits_ba = cues::fits(*t, b.kind, a.kind);
        if !fits_ab && !fits_ba {
            continue;
        }
        let a_first = match (fits_ab, fits_ba) {
            (true, false) => true,
            (false, true) => false,
            // Either way: the owner of the cue (`미국의 지원`), else the one the
            // particles make the agent, else the first named.
            _ => match (owns(a, *at, cx), owns(b, *at, cx)) {
                (true, false) => true,
                (false, true) => false,
                _ => agency(a) >= agency(b),
            },
        };
        let (from, to) = if a_first { (a, b) } else { (b, a) };
        // The topic before acts only in a sentence without a topic of its own,
        // and a statement's speaker is named where it is quoted.
        if from.carried && (!from.acts || *t == RelationType::Statement) {
            continue;
        }
        // A Korean verb follows what it ties: a cue after both names is theirs.
        let after = if *at > later { 0.1 } else { 0.0 };
        let mut conf = 0.55 + after - 0.07 * crowd.min(4.0) + agency(from) * 0.1;
        if matches!(to.role, words::Role::Object | words::Role::Partner) {
            conf += 0.05;
        }
        let mut why = (*word).to_string();
        if carried {
            conf *= 0.8;
            why.push_str(" (with the topic of the sentences before)");
        }
        consider(*t, a_first, conf, why, None);
    }
    for (from, to, a_first) in [(a, b, true), (b, a, false)] {
        if carried {
            break;
        }
        if let Some((t, conf)) = cues::by_kinds(from.kind, to.kind) {
            let conf = conf - 0.05 * crowd.min(4.0);
            consider(
                t,
                a_first,
                conf,
                format!("kinds {} → {}", from.kind.as_str(), to.kind.as_str()),
                None,
            );
        }
    }
    let Reading {
        mut kind,
        a_first,
        mut confidence,
        cues: cue_words,
        role,
    } = best?;
    if confidence < MIN_CONFIDENCE {
        return None;
    }
    let (from, to) = if a_first { (a, b) } else { (b, a) };
    // An association urging a bill or a public body is lobbying it.
    if kind == RelationType::Support
        && cues::fits(RelationType::Lobbying, from.kind, to.kind)
        && from.kind == ActorKind::Association
    {
        kind = RelationType::Lobbying;
    }
    if matches!(from.party, Party::New(_)) || matches!(to.party, Party::New(_)) {
        confidence *= 0.9;
    }
    let (start, end) = dates_of(kind, cx);
    Some(Claim {
        sentence,
        from: from.party.clone(),
        to: to.party.clone(),
        kind,
        cues: cue_words,
        confidence: (confidence * 100.0).round() / 100.0,
        start,
        end,
        amount: matches!(
            kind,
            RelationType::Contract
                | RelationType::Lease
                | RelationType::Ownership
                | RelationType::Lobbying
                | RelationType::Support
        )
        .then(|| cx.money.first().map(|m| m.money.clone()))
        .flatten(),
        area: (kind == RelationType::Lease)
            .then(|| {
                cx.areas
                    .first()
                    .or(cx.next_areas.first())
                    .map(|a| a.area.clone())
            })
            .flatten(),
        role,
        status: status(kind, &cx.text[cx.sentence.clone()]),
    })
}

/// How much a name's particle makes it the one that acts: a subject (`가`, `는`)
/// or owner (`의`) more, an object (`를`) or a place (`에서`) less.
fn agency(p: &Participant) -> f64 {
    match p.role {
        words::Role::Subject => 1.0,
        words::Role::Possessive => 0.5,
        words::Role::Object | words::Role::Place => -1.5,
        words::Role::Partner | words::Role::Other => 0.0,
    }
}

/// Whether `p` is the owner of the cue at `at` (bytes into the sentence): `X의`
/// right before it.
fn owns(p: &Participant, at: usize, cx: &Context) -> bool {
    let cue = cx.sentence.start + at;
    p.role == words::Role::Possessive
        && p.span.end <= cue
        && cx.text[p.span.end..cue].trim() == "의"
}

/// Candidates weaker than this are not offered: a pair that only its kinds, in
/// a crowded sentence, suggest.
pub const MIN_CONFIDENCE: f64 = 0.4;

/// A claim's start and end from the sentence's dates: one followed by `까지` or
/// preceded by `until` ends it, the first other starts it; an event's day-dated
/// start is its end too.
fn dates_of(kind: RelationType, cx: &Context) -> (Option<DateValue>, Option<DateValue>) {
    let mut start = None;
    let mut end = None;
    for d in &cx.dates {
        let after = &cx.text[d.span.end..cx.sentence.end];
        let before = &cx.text[cx.sentence.start..d.span.start];
        let until = after.trim_start().starts_with("까지")
            || before.trim_end().to_lowercase().ends_with("until")
            || before.trim_end().to_lowercase().ends_with("through");
        if until {
            end = end.or(Some(d.value.clone()));
        } else {
            start = start.or(Some(d.value.clone()));
        }
    }
    if end.is_none() && EVENTS.contains(&kind) {
        if let Some(s) = &start {
            if s.date.day().is_some() {
                end = Some(s.clone());
            }
        }
    }
    (start, end)
}

/// A status in the words the data uses, when the sentence gives one.
fn status(kind: RelationType, sentence: &str) -> Option<String> {
    let lower = sentence.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let s = match kind {
        RelationType::Contract | RelationType::Lease if has(&["맺", "체결", "signed"]) => {
            "signed"
        }
        RelationType::PendingIn => "pending",
        RelationType::MarketPresence if has(&["대표되는", "장악", "domina"]) => "dominant",
        RelationType::MarketPresence
            if has(&["가능성", "노리", "노린", "타진", "may ", "could "]) =>
        {
            "possible entry"
        }
        RelationType::MarketPresence if has(&["진출한", "entered"]) => "entered",
        _ => return None,
    };
    Some(s.to_string())
}

/// A new name as a candidate actor, with the known actors it may duplicate.
fn new_actor(n: &NewMention, keys: &[(&ActorId, Vec<String>)]) -> NewActor {
    let folded = search::fold(&n.name);
    let mut duplicates: Vec<(ActorId, resolve::Likeness)> = keys
        .iter()
        .filter_map(|(id, k)| resolve::likeness(&folded, k).map(|l| ((*id).clone(), l)))
        .collect();
    duplicates.sort_by(|x, y| x.1.cmp(&y.1).then_with(|| x.0.cmp(&y.0)));
    NewActor {
        name: n.name.clone(),
        kind: n.kind,
        cue: n.cue.clone(),
        confidence: n.confidence,
        duplicates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_names(text: &str) -> Vec<(String, ActorKind)> {
        analyse(text, None, &[])
            .new_actors
            .into_iter()
            .map(|a| (a.name, a.kind))
            .collect()
    }

    #[test]
    fn a_short_form_of_a_body_or_bill_named_before_is_the_same_new_actor() {
        let text = "클라우드 발전법이 국회에 계류돼 있다. 업계는 발전법 제정을 촉구했다. \
                    그는 반드시 발전 법안이 통과해야 한다고 말했다.";
        assert_eq!(
            new_names(text),
            [("클라우드 발전법".to_string(), ActorKind::Bill)]
        );
        let analysis = analyse(text, None, &[]);
        assert_eq!(
            analysis
                .mentions
                .iter()
                .filter(|m| m.party == Party::New(0))
                .count(),
            3,
            "each form is a mention of the one bill"
        );
    }

    #[test]
    fn a_shorter_name_written_first_stays_apart() {
        // The shorter name first: nothing earlier to be a short form of.
        let names = new_names("발전법이 논의됐다. 클라우드 발전법도 함께 논의됐다.");
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
