//! Who a text names: mentions of known actors (by any name or alias, in either
//! language, folded as search folds, with Korean particles attached), and
//! candidate new actors (people by their titles, bodies by their endings, bills
//! and laws, companies by their cues).

use std::collections::HashMap;
use std::ops::Range;

use super::words::{self, is_hangul, Token};
use crate::domain::{search, Actor, ActorId, ActorKind};

/// Phrases longer than this many tokens are not names.
const MAX_TOKENS: usize = 7;
/// Folded names longer than this are not looked up.
const MAX_KEY_CHARS: usize = 48;

/// A known actor's name where the text gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownMention {
    /// Byte range of the name in the text (without its particle).
    pub span: Range<usize>,
    /// The actors with that name (more than one when it is ambiguous), by id.
    pub actors: Vec<ActorId>,
    /// The particle after the name (`가`, `과`…), empty when none.
    pub particle: String,
}

/// Whether a match of `key` that leaves `rest` of its last token is a whole name:
/// a Latin name may not run on into Latin letters (`Amazonian`), a Korean one runs
/// on only into a particle, unless the name is long enough (three characters) not
/// to be part of a longer word by chance (`한국클라우드산업협회장`).
fn whole(key: &str, rest: &str) -> bool {
    let (Some(last), Some(next)) = (key.chars().last(), rest.chars().next()) else {
        return true;
    };
    if is_hangul(next) && !is_hangul(last) {
        return true;
    }
    if !is_hangul(next) {
        return false;
    }
    words::is_particle(rest) || key.chars().count() >= 3
}

/// Each way a name may start at a token and end within a later one: the folded
/// text, the token it ends in, the byte length of the part of that token it
/// takes, and the rest of that token.
fn spans<'t>(tokens: &'t [Token<'t>], start: usize) -> Vec<(String, usize, usize, &'t str)> {
    let mut out = Vec::new();
    let mut folded = String::new();
    for (j, t) in tokens.iter().enumerate().skip(start).take(MAX_TOKENS) {
        let before = folded.clone();
        for (cut, _) in t
            .text
            .char_indices()
            .skip(1)
            .chain(std::iter::once((t.text.len(), ' ')))
        {
            let key = format!("{before}{}", search::fold(&t.text[..cut]));
            if key.chars().count() > MAX_KEY_CHARS {
                break;
            }
            let rest = &t.text[cut..];
            if key.chars().count() >= 2 && whole(&key, rest) {
                out.push((key, j, cut, rest));
            }
        }
        folded.push_str(&search::fold(t.text));
        if folded.chars().count() > MAX_KEY_CHARS {
            break;
        }
    }
    out
}

/// The folded phrases of `text` that could be a name: what to look up among the
/// stored actors' names and aliases before [`known`].
pub fn phrases(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in crate::domain::text::sentences(text) {
        let tokens = words::tokens(text, s);
        for i in 0..tokens.len() {
            out.extend(spans(&tokens, i).into_iter().map(|(k, ..)| k));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The mentions of `actors` in `text[range]`: at each place the longest name,
/// and no two overlapping (the longer wins).
pub fn known(
    text: &str,
    range: Range<usize>,
    names: &HashMap<String, Vec<ActorId>>,
) -> Vec<KnownMention> {
    let tokens = words::tokens(text, range);
    let mut found: Vec<KnownMention> = Vec::new();
    for i in 0..tokens.len() {
        let best = spans(&tokens, i)
            .into_iter()
            .filter_map(|(key, j, cut, rest)| names.get(&key).map(|ids| (j, cut, rest, ids)))
            .next_back();
        if let Some((j, cut, rest, ids)) = best {
            let span = tokens[i].span.start..tokens[j].span.start + cut;
            found.push(KnownMention {
                span,
                actors: ids.clone(),
                particle: rest.to_string(),
            });
        }
    }
    // The longest first; a shorter one inside a longer one goes.
    let mut by_length: Vec<KnownMention> = found;
    by_length.sort_by_key(|m| (std::cmp::Reverse(m.span.len()), m.span.start));
    let mut kept: Vec<KnownMention> = Vec::new();
    for m in by_length {
        if !kept.iter().any(|k| overlaps(&k.span, &m.span)) {
            kept.push(m);
        }
    }
    kept.sort_by_key(|m| m.span.start);
    kept
}

pub fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// The folded names and aliases of `actors`, each with the actors that have it.
pub fn name_map<'a>(actors: impl IntoIterator<Item = &'a Actor>) -> HashMap<String, Vec<ActorId>> {
    let mut map: HashMap<String, Vec<ActorId>> = HashMap::new();
    for a in actors {
        for key in search::search_keys(a) {
            if key.chars().count() >= 2 {
                let ids = map.entry(key).or_default();
                if !ids.contains(&a.id) {
                    ids.push(a.id.clone());
                    ids.sort();
                }
            }
        }
    }
    map
}

/// A name the text gives that no known actor has, with why it looks like one.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMention {
    pub span: Range<usize>,
    /// The name as written (without its particle).
    pub name: String,
    pub kind: ActorKind,
    /// The words that made it a candidate (a title, an ending, a cue).
    pub cue: String,
    /// How sure the reading is, 0 to 1.
    pub confidence: f64,
    /// The title after a person's name, when that is the cue (for positions).
    pub title: Option<String>,
    /// The particle after the name.
    pub particle: String,
}

/// Nouns that name an event by its kind (`간담회`, `hearing`): a text that names a
/// known event only so (`더존비즈온에서 열린 간담회`) still mentions it.
pub const EVENT_HEADS: &[&str] = &[
    "간담회",
    "토론회",
    "공청회",
    "청문회",
    "기자회견",
    "세미나",
    "포럼",
    "총회",
    "회의",
    "박람회",
    "정상회담",
    "meeting",
    "hearing",
    "conference",
    "summit",
    "forum",
];

/// The event nouns `text` uses, each once, in list order: what to look up
/// among the known events before [`events`].
pub fn event_heads(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    EVENT_HEADS
        .iter()
        .copied()
        .filter(|h| lower.contains(h))
        .collect()
}

/// The event a known event's names end with `head` (its last word, without a
/// part in brackets).
pub fn event_head(actor: &Actor) -> Option<&'static str> {
    let ends = |name: &str| {
        let bare = name
            .split(['(', '（'])
            .next()
            .unwrap_or(name)
            .trim()
            .to_lowercase();
        EVENT_HEADS.iter().copied().find(|h| bare.ends_with(h))
    };
    actor
        .name_ko
        .iter()
        .chain(actor.name_en.iter())
        .find_map(|n| ends(n))
}

/// Mentions of known events by their kind's noun alone, in `text[range]`: where
/// one known event (of `events`, by head noun) has that head, and no name covers
/// the place.
pub fn events(
    text: &str,
    range: Range<usize>,
    events: &HashMap<&'static str, Vec<ActorId>>,
    known: &[KnownMention],
) -> Vec<KnownMention> {
    let mut out = Vec::new();
    for t in words::tokens(text, range) {
        let (stem, particle) = words::strip_particle(t.text);
        let lower = stem.to_lowercase();
        let Some(ids) = events.get(lower.as_str()) else {
            continue;
        };
        let span = t.span.start..t.span.start + stem.len();
        if ids.len() == 1 && !known.iter().any(|k| overlaps(&k.span, &span)) {
            out.push(KnownMention {
                span,
                actors: ids.clone(),
                particle: particle.to_string(),
            });
        }
    }
    out
}

/// Titles that follow (in Korean) a person's name, with the organisation between.
pub const TITLES: &[&str] = &[
    "최고정보책임자",
    "최고경영자",
    "대표이사",
    "사무국장",
    "사무총장",
    "협회장",
    "위원장",
    "본부장",
    "이사장",
    "부사장",
    "대변인",
    "대통령",
    "센터장",
    "비서관",
    "연구원",
    "책임자",
    "창업자",
    "의원",
    "장관",
    "차관",
    "국장",
    "사장",
    "회장",
    "총리",
    "부장",
    "이사",
    "교수",
    "청장",
    "원장",
    "처장",
    "실장",
    "팀장",
    "의장",
    "전무",
    "상무",
    "소장",
    "총장",
    "대표",
];

/// English titles before a name (`Minister Kim`), lowercased.
pub const EN_TITLES: &[&str] = &[
    "minister",
    "senator",
    "lawmaker",
    "representative",
    "rep",
    "ceo",
    "cio",
    "cto",
    "chairman",
    "chairwoman",
    "chair",
    "president",
    "director",
    "spokesperson",
    "spokesman",
    "secretary",
    "mr",
    "ms",
    "mrs",
    "dr",
    "chief",
    "founder",
    "governor",
    "mayor",
];

/// Korean endings of bodies' names, and the kind each suggests.
const BODY_ENDINGS: &[(&str, ActorKind)] = &[
    ("연합회", ActorKind::Association),
    ("협회", ActorKind::Association),
    ("학회", ActorKind::Association),
    ("조합", ActorKind::Association),
    ("위원회", ActorKind::GovernmentAgency),
    ("공사", ActorKind::GovernmentAgency),
    ("공단", ActorKind::GovernmentAgency),
    ("재단", ActorKind::Association),
    ("의회", ActorKind::Legislature),
    ("그룹", ActorKind::Company),
    ("전자", ActorKind::Company),
    ("통신", ActorKind::Company),
    ("은행", ActorKind::Company),
    ("증권", ActorKind::Company),
    ("당", ActorKind::PoliticalParty),
    ("부", ActorKind::GovernmentAgency),
    ("청", ActorKind::GovernmentAgency),
    ("원", ActorKind::GovernmentAgency),
];

/// Words that end like a body's name but are not one.
const NOT_BODIES: &[&str] = &[
    "일부",
    "전부",
    "내부",
    "외부",
    "정부",
    "본부",
    "세부",
    "간부",
    "여부",
    "상부",
    "하부",
    "대부분",
    "회원",
    "위원",
    "의원",
    "직원",
    "공무원",
    "연구원",
    "사원",
    "요원",
    "인원",
    "지원",
    "자원",
    "정원",
    "기원",
    "차원",
    "민원",
    "일원",
    "동원",
    "복원",
    "환원",
    "요청",
    "신청",
    "담당",
    "상당",
    "해당",
    "정당",
    "적당",
    "타당",
    "부당",
    "할당",
    "배당",
    "식당",
    "마당",
    "충당",
    "감당",
    "전당",
    "관계자",
    "무관",
    "공사장",
    "통신망",
    "전자상거래",
    "명실상부",
    "국내외",
    "이전부",
    "대부",
];

/// Words before a company's name that say it is one.
const COMPANY_CUES: &[&str] = &["기업", "업체", "회사", "스타트업", "계열사", "자회사"];

/// Endings of bills' and laws' names.
const BILL_ENDINGS: &[&str] = &["개정안", "법안", "법률", "법"];

/// Words that end in 법 but are not laws.
const NOT_BILLS: &[&str] = &[
    "방법",
    "불법",
    "문법",
    "사법",
    "입법",
    "해법",
    "편법",
    "합법",
    "수법",
    "기법",
    "용법",
    "어법",
    "화법",
    "위법",
    "적법",
    "비법",
    "요법",
    "탈법",
    "작법",
    "발전법은",
    "법",
];

/// English endings of bodies' and bills' names.
const EN_ENDINGS: &[(&str, ActorKind)] = &[
    ("Association", ActorKind::Association),
    ("Federation", ActorKind::Association),
    ("Foundation", ActorKind::Association),
    ("Agency", ActorKind::GovernmentAgency),
    ("Ministry", ActorKind::GovernmentAgency),
    ("Commission", ActorKind::GovernmentAgency),
    ("Committee", ActorKind::GovernmentAgency),
    ("Department", ActorKind::GovernmentAgency),
    ("Bureau", ActorKind::GovernmentAgency),
    ("Office", ActorKind::GovernmentAgency),
    ("Authority", ActorKind::GovernmentAgency),
    ("Service", ActorKind::GovernmentAgency),
    ("Party", ActorKind::PoliticalParty),
    ("Assembly", ActorKind::Legislature),
    ("Parliament", ActorKind::Legislature),
    ("Congress", ActorKind::Legislature),
    ("Senate", ActorKind::Legislature),
    ("Corporation", ActorKind::Company),
    ("Corp", ActorKind::Company),
    ("Inc", ActorKind::Company),
    ("Ltd", ActorKind::Company),
    ("Group", ActorKind::Company),
    ("Company", ActorKind::Company),
    ("Act", ActorKind::Bill),
    ("Bill", ActorKind::Bill),
    ("Law", ActorKind::Bill),
];

/// Capitalised words that start sentences but not names (lower-cased).
const EN_NOT_IN_NAMES: &[&str] = &[
    "the",
    "a",
    "an",
    "however",
    "meanwhile",
    "but",
    "and",
    "also",
    "then",
    "this",
    "that",
    "these",
    "those",
    "its",
    "their",
    "his",
    "her",
    "our",
    "in",
    "on",
    "at",
    "by",
    "for",
    "from",
    "with",
    "after",
    "before",
    "when",
    "while",
    "as",
    "if",
    "since",
    "so",
    "yet",
    "still",
    "now",
    "today",
    "yesterday",
    "last",
    "next",
];

/// Whether a Korean word is a verb or adjective form that modifies the noun after
/// it (`하는`, `지속적인`, `관련된`, `묻힌`): such words are not part of a name.
fn modifier(word: &str) -> bool {
    [
        "는", "은", "인", "던", "할", "된", "될", "한", "운", "적", "을", "힌", "린", "킨", "낸",
    ]
    .iter()
    .any(|e| word.ends_with(e))
        && !word.ends_with("관한")
}

/// Adverbs that stand before names in running text (`결국 클라우드 발전법은`).
const ADVERBS: &[&str] = &[
    "결국",
    "물론",
    "반드시",
    "또한",
    "이미",
    "아직",
    "다시",
    "특히",
    "바로",
    "모두",
    "함께",
    "우선",
    "마침내",
    "드디어",
    "이제",
    "현재",
    "당시",
    "최근",
    "실제로",
    "급기야",
    "오히려",
    "또",
    "곧",
    "더",
    "가장",
    "이번",
    "해당",
    "당장",
    "여전히",
    "계속",
    "즉",
];

/// Whether a Korean word ends a clause or is an adverb (`인식하고`, `무관하게`,
/// `조속히`, `결국`): a name does not run on before it.
fn not_in_name(word: &str) -> bool {
    ADVERBS.contains(&word)
        || [
            "하고", "되고", "하게", "되게", "하며", "하면", "해서", "하여", "으며", "지만", "도록",
            "없이", "속히", "나서",
        ]
        .iter()
        .any(|e| word.ends_with(e))
}

fn syllables(s: &str) -> usize {
    s.chars().count()
}

fn all_hangul(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_hangul)
}

fn capitalised(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_uppercase()) && s.chars().all(|c| c.is_alphabetic())
}

/// The title a token is or ends with (after its particle is off), and the part
/// before it (a division: `공공고객` of `공공고객본부장`).
pub fn title_of(token: &str) -> Option<(&str, &'static str)> {
    let (stem, _) = words::strip_particle(token);
    let stem = stem.trim_start_matches(|c: char| c.is_ascii_digit());
    TITLES
        .iter()
        .find(|t| stem.ends_with(**t))
        .map(|t| (&stem[..stem.len() - t.len()], *t))
}

/// Candidate new actors in `text[range]`, leaving out what `known` covers: at
/// each word, the first reading that fits (a person by a title, an English
/// person or body or bill, a Korean bill, body or company).
pub fn new_actors(text: &str, range: Range<usize>, known: &[KnownMention]) -> Vec<NewMention> {
    let scan = Scan {
        text,
        tokens: words::tokens(text, range),
        known,
    };
    let mut out: Vec<NewMention> = Vec::new();
    for k in 0..scan.tokens.len() {
        let readings = if title_of(scan.tokens[k].text).is_some() {
            vec![scan.person(k)]
        } else {
            vec![scan.english_person(k), scan.english_name(k), scan.korean(k)]
        };
        for m in readings.into_iter().flatten() {
            if !scan.is_known(&m.span) && !out.iter().any(|o| overlaps(&o.span, &m.span)) {
                out.push(m);
            }
        }
    }
    out.sort_by_key(|m| m.span.start);
    out
}

/// The words of a sentence, read for new names.
struct Scan<'a> {
    text: &'a str,
    tokens: Vec<Token<'a>>,
    known: &'a [KnownMention],
}

impl Scan<'_> {
    fn is_known(&self, span: &Range<usize>) -> bool {
        self.known.iter().any(|k| overlaps(&k.span, span))
    }

    /// A candidate named by the text in `span`.
    fn mention(
        &self,
        span: Range<usize>,
        kind: ActorKind,
        cue: &str,
        confidence: f64,
    ) -> NewMention {
        NewMention {
            name: self.text[span.clone()].to_string(),
            span,
            kind,
            cue: cue.to_string(),
            confidence,
            title: None,
            particle: String::new(),
        }
    }

    /// A person before the title at `k`: one or two short Korean words, then up
    /// to two words (known bodies, acronyms, divisions), then the title.
    fn person(&self, k: usize) -> Option<NewMention> {
        let t = &self.tokens[k];
        let (_, title) = title_of(t.text)?;
        let mut at = k;
        let mut skipped = 0;
        while at > 0 && skipped < 2 {
            let prev = &self.tokens[at - 1];
            let body = self.is_known(&prev.span)
                || prev.text.chars().all(|c| c.is_ascii_uppercase())
                || !all_hangul(prev.text)
                || syllables(prev.text) > 4;
            if !body {
                break;
            }
            at -= 1;
            skipped += 1;
        }
        let mut name: Vec<&Token> = Vec::new();
        while at > 0 && name.len() < 2 {
            let prev = &self.tokens[at - 1];
            let n = syllables(prev.text);
            if !(all_hangul(prev.text)
                && (1..=4).contains(&n)
                && words::strip_particle(prev.text).1.is_empty()
                && title_of(prev.text).is_none()
                && !self.is_known(&prev.span))
            {
                break;
            }
            name.insert(0, prev);
            at -= 1;
            // A Korean name is one word of two to four syllables; a foreign one,
            // two short words.
            if n >= 3 {
                break;
            }
        }
        let total: usize = name.iter().map(|t| syllables(t.text)).sum();
        if name.is_empty() || !(2..=6).contains(&total) || (name.len() == 1 && total < 3) {
            return None;
        }
        let span = name[0].span.start..name[name.len() - 1].span.end;
        let mut m = self.mention(span, ActorKind::Person, title, 0.7);
        m.title = Some(words::strip_particle(t.text).0.to_string());
        Some(m)
    }

    /// English: a title, then two or three capitalised words (and the lowercase
    /// part of a hyphenated one: `Yang-hee`).
    fn english_person(&self, k: usize) -> Option<NewMention> {
        let t = &self.tokens[k];
        if !EN_TITLES.contains(&t.text.to_lowercase().as_str()) {
            return None;
        }
        let mut run: Vec<&Token> = Vec::new();
        for n in &self.tokens[k + 1..] {
            let joined = run
                .last()
                .is_some_and(|p: &&Token| &self.text[p.span.end..n.span.start] == "-");
            if (capitalised(n.text) && run.len() < 3) || joined {
                run.push(n);
            } else {
                break;
            }
        }
        if run.len() < 2 {
            return None;
        }
        let span = run[0].span.start..run[run.len() - 1].span.end;
        let mut m = self.mention(span, ActorKind::Person, t.text, 0.6);
        m.title = Some(t.text.to_string());
        Some(m)
    }

    /// Whether only spaces stand between the tokens at `a` and `a + 1`.
    fn spaced(&self, a: usize) -> bool {
        self.text[self.tokens[a].span.end..self.tokens[a + 1].span.start]
            .chars()
            .all(char::is_whitespace)
    }

    /// English bodies and bills: capitalised words ending in a telling noun
    /// (`Korea Cloud Industry Association`), or a telling noun followed by `of` and
    /// capitalised words (`Ministry of Science and ICT`). A name's words are
    /// separated by spaces only, and do not start with a function word or a
    /// sentence adverb (`The`, `However`).
    fn english_name(&self, k: usize) -> Option<NewMention> {
        let t = &self.tokens[k];
        let (_, kind) = EN_ENDINGS.iter().find(|(e, _)| t.text == *e)?;
        let mut at = k;
        while at > 0 && k - at < 6 && self.spaced(at - 1) {
            let prev = self.tokens[at - 1].text;
            if capitalised(prev)
                || prev.chars().all(|c| c.is_ascii_uppercase())
                || ["of", "and", "for"].contains(&prev)
            {
                at -= 1;
            } else {
                break;
            }
        }
        while at < k
            && (!capitalised(self.tokens[at].text)
                || EN_NOT_IN_NAMES.contains(&self.tokens[at].text.to_lowercase().as_str()))
        {
            at += 1;
        }
        // `… of Science and ICT` after the noun.
        let mut end = k;
        if self.tokens.get(k + 1).is_some_and(|n| n.text == "of") && self.spaced(k) {
            let mut next = k + 2;
            while next < self.tokens.len() && next - k <= 5 && self.spaced(next - 1) {
                let w = self.tokens[next].text;
                if capitalised(w) || w.chars().all(|c| c.is_ascii_uppercase()) {
                    end = next;
                } else if w != "and" {
                    break;
                }
                next += 1;
            }
        }
        (at < k || end > k).then(|| {
            let span = self.tokens[at].span.start..self.tokens[end].span.end;
            self.mention(span, *kind, t.text, 0.6)
        })
    }

    /// The Korean readings of the word at `k`: a bill, else a body, else a company.
    fn korean(&self, k: usize) -> Option<NewMention> {
        let t = &self.tokens[k];
        let (stem, particle) = words::strip_particle(t.text);
        if !all_hangul(stem) {
            return None;
        }
        let mut m = self
            .bill(k, stem)
            .or_else(|| self.body(k, stem))
            .or_else(|| self.company(k, stem))?;
        m.particle = particle.to_string();
        Some(m)
    }

    /// Bills and laws: `…법`, `…법안`, `…에 관한 법률`, with the words before that
    /// have no particle.
    fn bill(&self, k: usize, stem: &str) -> Option<NewMention> {
        let t = &self.tokens[k];
        let ending = BILL_ENDINGS.iter().find(|e| stem.ends_with(**e))?;
        let base = &stem[..stem.len() - ending.len()];
        let about =
            k >= 2 && self.tokens[k - 1].text == "관한" && self.tokens[k - 2].text.ends_with('에');
        // `법안` alone takes the words before it as its name.
        let alone = base.is_empty()
            && k > 0
            && all_hangul(self.tokens[k - 1].text)
            && words::strip_particle(self.tokens[k - 1].text).1.is_empty()
            && !modifier(self.tokens[k - 1].text);
        if !((syllables(base) >= 2 && !NOT_BILLS.contains(&stem)) || about || alone) {
            return None;
        }
        let mut at = k;
        let limit = if about { 7 } else { 3 };
        while at > 0 && k - at < limit {
            let prev = &self.tokens[at - 1];
            let bare = (words::strip_particle(prev.text).1.is_empty()
                && !modifier(prev.text)
                && !not_in_name(prev.text))
                || (about && prev.text.ends_with('에'))
                || prev.text == "관한";
            // Only spaces between the words of a name: a comma or a bracket ends it.
            let spaced = self.text[prev.span.end..self.tokens[at].span.start]
                .chars()
                .all(char::is_whitespace);
            if all_hangul(prev.text)
                && bare
                && spaced
                && !self.is_known(&prev.span)
                && title_of(prev.text).is_none()
                && !NOT_BILLS.contains(&prev.text)
            {
                at -= 1;
            } else {
                break;
            }
        }
        if (about && at == k - 2) || (alone && at == k) {
            return None;
        }
        let span = self.tokens[at].span.start..t.span.start + stem.len();
        Some(self.mention(span, ActorKind::Bill, ending, if about { 0.8 } else { 0.6 }))
    }

    /// Bodies by the endings of their names (`…협회`, `…위원회`, `…부`).
    fn body(&self, k: usize, stem: &str) -> Option<NewMention> {
        let t = &self.tokens[k];
        let (ending, kind) = BODY_ENDINGS.iter().find(|(e, _)| stem.ends_with(*e))?;
        let base = &stem[..stem.len() - ending.len()];
        // A one-syllable ending needs a longer stem (`일부` is no ministry).
        let short = syllables(ending) == 1;
        let long_enough = syllables(base) >= if short { 2 } else { 1 };
        let fits = long_enough
            && !NOT_BODIES.contains(&stem)
            && !base.ends_with(['억', '만', '천', '조'])
            && !TITLES.iter().any(|t| stem.ends_with(t));
        fits.then(|| {
            let span = t.span.start..t.span.start + stem.len();
            self.mention(span, *kind, ending, if short { 0.4 } else { 0.6 })
        })
    }

    /// Companies after a word that says so: `클라우드기업 더존비즈온`.
    fn company(&self, k: usize, stem: &str) -> Option<NewMention> {
        let t = &self.tokens[k];
        let before = self.tokens.get(k.checked_sub(1)?)?.text;
        let cue = COMPANY_CUES.iter().find(|c| before.ends_with(**c))?;
        (syllables(stem) >= 2).then(|| {
            self.mention(
                t.span.start..t.span.start + stem.len(),
                ActorKind::Company,
                cue,
                0.5,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(id: &str, ko: &str, en: &str, aliases: &[&str]) -> Actor {
        Actor {
            id: ActorId::parse(id).unwrap(),
            kind: ActorKind::Company,
            name_ko: Some(ko.into()),
            name_en: Some(en.into()),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            description: None,
            merged_ids: Vec::new(),
            meta: Default::default(),
        }
    }

    fn found(text: &str, actors: &[Actor]) -> Vec<(String, String, String)> {
        let names = name_map(actors);
        known(text, 0..text.len(), &names)
            .into_iter()
            .map(|m| {
                (
                    text[m.span].to_string(),
                    m.actors[0].to_string(),
                    m.particle,
                )
            })
            .collect()
    }

    #[test]
    fn known_names_are_found_with_their_particles_in_either_language() {
        let actors = [
            actor("amazon", "아마존", "Amazon", &[]),
            actor("cia", "중앙정보국", "Central Intelligence Agency", &["CIA"]),
            actor("act", "클라우드 발전법", "Cloud Development Act", &[]),
            actor("assembly", "국회", "National Assembly", &[]),
            actor(
                "assoc",
                "한국클라우드산업협회",
                "Korea Cloud Industry Association",
                &[],
            ),
        ];
        let text = "중앙정보국(CIA)이 아마존과 계약했고, 클라우드발전법을 국회는 미뤘다. 송희경 한국클라우드산업협회장은 Amazon's cloud를 말했다. Amazonian 아마존닷컴";
        assert_eq!(
            found(text, &actors),
            [
                ("중앙정보국".into(), "cia".into(), "".into()),
                ("CIA".into(), "cia".into(), "".into()),
                ("아마존".into(), "amazon".into(), "과".into()),
                ("클라우드발전법".into(), "act".into(), "을".into()),
                ("국회".into(), "assembly".into(), "는".into()),
                ("한국클라우드산업협회".into(), "assoc".into(), "장은".into()),
                ("Amazon".into(), "amazon".into(), "".into()),
                ("아마존".into(), "amazon".into(), "닷컴".into()),
            ]
        );
        assert!(phrases(text).contains(&"아마존".to_string()));
    }

    fn candidates(text: &str) -> Vec<(String, ActorKind)> {
        new_actors(text, 0..text.len(), &[])
            .into_iter()
            .map(|m| (m.name, m.kind))
            .collect()
    }

    #[test]
    fn people_are_found_by_their_titles_and_bodies_by_their_endings() {
        assert_eq!(
            candidates("홍길동 산업통상자원부 장관은 말했다."),
            [
                ("홍길동".into(), ActorKind::Person),
                ("산업통상자원부".into(), ActorKind::GovernmentAgency)
            ]
        );
        assert_eq!(
            candidates("더그 울프 CIA 최고정보책임자는"),
            [("더그 울프".into(), ActorKind::Person)]
        );
        assert_eq!(
            candidates("클라우드컴퓨팅 발전 및 이용자 보호에 관한 법률이 통과됐다"),
            [(
                "클라우드컴퓨팅 발전 및 이용자 보호에 관한 법률".into(),
                ActorKind::Bill
            )]
        );
        assert_eq!(
            candidates("유료방송 합산규제 법안이 탄력을 받으며 클라우드법도"),
            [
                ("유료방송 합산규제 법안".into(), ActorKind::Bill),
                ("클라우드법".into(), ActorKind::Bill)
            ]
        );
        // Adverbs, clause endings, modifiers and punctuation end a bill's name.
        assert_eq!(
            candidates("결국 클라우드 발전법은 논란에 묻힌 유료방송 합산규제 법안과 함께"),
            [
                ("클라우드 발전법".into(), ActorKind::Bill),
                ("유료방송 합산규제 법안".into(), ActorKind::Bill)
            ]
        );
        assert_eq!(
            candidates("그런 점, 유료방송 합산규제 법안이"),
            [("유료방송 합산규제 법안".into(), ActorKind::Bill)]
        );
        assert_eq!(
            candidates("무관하게 클라우드 발전법이"),
            [("클라우드 발전법".into(), ActorKind::Bill)]
        );
        assert_eq!(
            candidates("광고 규제법이"),
            [("광고 규제법".into(), ActorKind::Bill)],
            "a noun ending in 고 stays in the name"
        );
        assert_eq!(
            candidates("클라우드기업 더존비즈온에서 열린 간담회"),
            [("더존비즈온".into(), ActorKind::Company)]
        );
        assert_eq!(
            candidates("However, The Korea Cloud Industry Association met the Ministry of Science and ICT."),
            [
                ("Korea Cloud Industry Association".into(), ActorKind::Association),
                ("Ministry of Science and ICT".into(), ActorKind::GovernmentAgency)
            ]
        );
        assert_eq!(
            candidates("In January, The Federal Communications Commission said so"),
            [(
                "Federal Communications Commission".into(),
                ActorKind::GovernmentAgency
            )]
        );
        assert_eq!(
            candidates("Minister Choi Yang-hee told the Korea Cloud Industry Association"),
            [
                ("Choi Yang-hee".into(), ActorKind::Person),
                (
                    "Korea Cloud Industry Association".into(),
                    ActorKind::Association
                )
            ]
        );
        assert!(candidates("일부 기업은 정부의 지원을 요청했다").is_empty());
    }
}
