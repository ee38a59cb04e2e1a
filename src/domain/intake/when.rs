//! Dates in an article's words, resolved against its publication date.
//!
//! News gives most dates without a year (`지난 1월 16일`, `오는 12일`), relative to
//! the day it appeared (`지난달 6일`, `지난해 말`), or relative to the date it
//! mentioned last (`같은 달 21일`). Each date found keeps the precision it was
//! written with; when any part of it comes from the publication date (or from the
//! date before it), it is `inferred`, with a note that quotes the words and says
//! how. Without a publication date, only dates with their year are read.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::domain::{DateValue, PartialDate};

/// Why the patterns below cannot fail to compile: they are constants, and each
/// is compiled by this module's unit tests (a pattern that did not compile
/// would fail them, not a request).
const PATTERN: &str = "a constant pattern, compiled by the unit tests";

/// A date found in a sentence: where, the words, and what they resolve to.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundDate {
    /// Byte range in the text.
    pub span: Range<usize>,
    pub value: DateValue,
}

/// Patterns, each compiled once per process (constants, not state).
static KO_FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(지난|오는|올해|작년|지난해|내년)\s*)?(?:(\d{4})\s*년\s*)?(\d{1,2})\s*월(?:\s*(\d{1,2})\s*일)?").expect(PATTERN)
});
static KO_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(지난달|이달|다음달|같은\s*달|지난|오는)\s*(\d{1,2})\s*일").expect(PATTERN)
});
static KO_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(\d{4})\s*년(?:도)?|(재작년|지난해|작년|올해|내년))(?:\s*(초|말|상반기|하반기))?",
    )
    .expect(PATTERN)
});
static EN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(\d{1,2})\s+)?(January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?(?:,?\s+(\d{4}))?\b").expect(PATTERN)
});
static EN_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(?:in|since|until|by|from)\s+(\d{4})\b|(last|next|this)\s+(year|month))")
        .expect(PATTERN)
});

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_number(name: &str) -> Option<u8> {
    let lower = name.to_lowercase();
    MONTHS
        .iter()
        .position(|m| lower.starts_with(m))
        .and_then(|i| u8::try_from(i + 1).ok())
}

/// A date from its parts, when they make one.
fn date(year: i32, month: Option<u8>, day: Option<u8>) -> Option<PartialDate> {
    let text = match (month, day) {
        (Some(m), Some(d)) => format!("{year:04}-{m:02}-{d:02}"),
        (Some(m), None) => format!("{year:04}-{m:02}"),
        _ => format!("{year:04}"),
    };
    text.parse().ok()
}

/// The month before or after `(year, month)`.
fn shift_month(year: i32, month: u8, by: i32) -> (i32, u8) {
    let n = year * 12 + i32::from(month) - 1 + by;
    (n.div_euclid(12), (n.rem_euclid(12) + 1) as u8)
}

fn stated(d: PartialDate) -> DateValue {
    DateValue {
        date: d,
        inferred: false,
        note: None,
    }
}

fn inferred(d: PartialDate, note: String) -> DateValue {
    DateValue {
        date: d,
        inferred: true,
        note: Some(note),
    }
}

/// What a date is resolved against.
struct Context<'a> {
    published: Option<&'a PartialDate>,
    /// The last date the text gave before, for `같은 달`.
    previous: Option<&'a PartialDate>,
}

impl Context<'_> {
    /// A date whose year (and perhaps month) comes from the publication date.
    fn resolved(&self, d: PartialDate, words: &str, missing: &str) -> DateValue {
        let published = self.published.map(|p| p.to_string()).unwrap_or_default();
        inferred(
            d,
            format!("The article says '{words}' without {missing}; inferred from its publication date ({published})."),
        )
    }
}

/// One reading: where in the sentence, and the date.
type Reading = (Range<usize>, DateValue);

/// Reads the dates of `text[range]`, in text order, resolved against `published`
/// and `previous` (the last date the text gave before this range, for `같은 달`).
/// Where two readings overlap, the first pattern's wins: days before months
/// before years, Korean before English.
pub fn dates(
    text: &str,
    range: Range<usize>,
    published: Option<&PartialDate>,
    previous: Option<&PartialDate>,
) -> Vec<FoundDate> {
    let sentence = &text[range.clone()];
    let cx = Context {
        published,
        previous,
    };
    let mut found: Vec<FoundDate> = Vec::new();
    let readers: [fn(&str, &Context) -> Vec<Reading>; 5] = [
        korean_days,
        korean_months,
        korean_years,
        english_dates,
        english_years,
    ];
    for read in readers {
        for (span, value) in read(sentence, &cx) {
            let span = range.start + span.start..range.start + span.end;
            if !found
                .iter()
                .any(|f| f.span.start < span.end && span.start < f.span.end)
            {
                found.push(FoundDate { span, value });
            }
        }
    }
    found.sort_by_key(|f| f.span.start);
    found
}

/// `지난달 6일`, `오는 12일`, `같은 달 21일`: a day of a month the words name
/// relative to the publication date or to the date before.
fn korean_days(sentence: &str, cx: &Context) -> Vec<Reading> {
    let mut out = Vec::new();
    for c in KO_DAY.captures_iter(sentence) {
        let (Some(all), Some(rel), Some(day)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let day: u8 = day.as_str().parse().unwrap_or(0);
        let words = all.as_str();
        let rel: String = rel.as_str().split_whitespace().collect();
        let value = if rel == "같은달" {
            cx.previous.filter(|p| p.month().is_some()).and_then(|prev| {
                date(i32::from(prev.year()), prev.month(), Some(day)).map(|d| {
                    inferred(d, format!("The article says '{words}' (the {day}th of the month it named before, {}); the year and month come from that date.", &prev.to_string()[..7]))
                })
            })
        } else {
            cx.published.filter(|p| p.month().is_some()).and_then(|p| {
                let (y, m) = (i32::from(p.year()), p.month().unwrap_or(1));
                let (y, m) = match rel.as_str() {
                    "지난달" => shift_month(y, m, -1),
                    "다음달" => shift_month(y, m, 1),
                    "지난" if p.day().is_some_and(|pd| day >= pd) => shift_month(y, m, -1),
                    "오는" if p.day().is_some_and(|pd| day <= pd) => shift_month(y, m, 1),
                    _ => (y, m),
                };
                date(y, Some(m), Some(day)).map(|d| cx.resolved(d, words, "a month or year"))
            })
        };
        out.extend(value.map(|v| (all.range(), v)));
    }
    out
}

/// `2024년 2월`, `지난 1월 16일`, `2월`: a month (and day), with its year or
/// the publication's (the year before for a past month after it, the year after
/// for a coming one before it).
fn korean_months(sentence: &str, cx: &Context) -> Vec<Reading> {
    let mut out = Vec::new();
    for c in KO_FULL.captures_iter(sentence) {
        let Some(all) = c.get(0) else { continue };
        let month: u8 = c.get(3).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        if !(1..=12).contains(&month) {
            continue;
        }
        let day: Option<u8> = c.get(4).and_then(|d| d.as_str().parse().ok());
        let value = if let Some(year) = c.get(2).and_then(|y| y.as_str().parse::<i32>().ok()) {
            date(year, Some(month), day).map(stated)
        } else {
            cx.published.and_then(|p| {
                let py = i32::from(p.year());
                let later = p.month().is_some_and(|pm| month > pm);
                let earlier = p.month().is_some_and(|pm| month < pm);
                let year = match c.get(1).map(|r| r.as_str()) {
                    Some("작년" | "지난해") => py - 1,
                    Some("내년") => py + 1,
                    Some("올해") => py,
                    Some("지난") | None if later => py - 1,
                    Some("오는") if earlier => py + 1,
                    _ => py,
                };
                date(year, Some(month), day).map(|d| cx.resolved(d, all.as_str(), "a year"))
            })
        };
        out.extend(value.map(|v| (all.range(), v)));
    }
    out
}

/// `2010년`, `지난해 말`, `올해`: a year, as written or relative to the publication.
fn korean_years(sentence: &str, cx: &Context) -> Vec<Reading> {
    let mut out = Vec::new();
    for c in KO_YEAR.captures_iter(sentence) {
        let Some(all) = c.get(0) else { continue };
        let value = if let Some(year) = c.get(1).and_then(|y| y.as_str().parse::<i32>().ok()) {
            date(year, None, None).map(stated)
        } else if let (Some(rel), Some(p)) = (c.get(2), cx.published) {
            let py = i32::from(p.year());
            let year = match rel.as_str() {
                "재작년" => py - 2,
                "지난해" | "작년" => py - 1,
                "내년" => py + 1,
                _ => py,
            };
            date(year, None, None).map(|d| cx.resolved(d, all.as_str(), "a number"))
        } else {
            None
        };
        out.extend(value.map(|v| (all.range(), v)));
    }
    out
}

/// `16 January 2015`, `January 21`, `Feb. 2024`: a month with a day or a year
/// (a month alone is too often another word: `May`).
fn english_dates(sentence: &str, cx: &Context) -> Vec<Reading> {
    let mut out = Vec::new();
    for c in EN_DATE.captures_iter(sentence) {
        let Some(all) = c.get(0) else { continue };
        let Some(month) = c.get(2).and_then(|m| month_number(m.as_str())) else {
            continue;
        };
        if c.get(1).is_none() && c.get(3).is_none() && c.get(4).is_none() {
            continue;
        }
        let day: Option<u8> = c.get(1).or(c.get(3)).and_then(|d| d.as_str().parse().ok());
        let value = if let Some(year) = c.get(4).and_then(|y| y.as_str().parse::<i32>().ok()) {
            date(year, Some(month), day).map(stated)
        } else {
            cx.published.and_then(|p| {
                let py = i32::from(p.year());
                let year = if p.month().is_some_and(|pm| month > pm) {
                    py - 1
                } else {
                    py
                };
                date(year, Some(month), day).map(|d| cx.resolved(d, all.as_str(), "a year"))
            })
        };
        out.extend(value.map(|v| (all.range(), v)));
    }
    out
}

/// `in 2010`, `last year`, `next month`.
fn english_years(sentence: &str, cx: &Context) -> Vec<Reading> {
    let mut out = Vec::new();
    for c in EN_YEAR.captures_iter(sentence) {
        let Some(all) = c.get(0) else { continue };
        if let Some(y) = c.get(1) {
            if let Some(v) = y
                .as_str()
                .parse::<i32>()
                .ok()
                .and_then(|y| date(y, None, None))
            {
                out.push((y.range(), stated(v)));
            }
            continue;
        }
        let (Some(rel), Some(unit), Some(p)) = (c.get(2), c.get(3), cx.published) else {
            continue;
        };
        let by = match rel.as_str().to_lowercase().as_str() {
            "last" => -1,
            "next" => 1,
            _ => 0,
        };
        let py = i32::from(p.year());
        let d = if unit.as_str().eq_ignore_ascii_case("year") {
            date(py + by, None, None)
        } else {
            p.month().and_then(|pm| {
                let (y, m) = shift_month(py, pm, by);
                date(y, Some(m), None)
            })
        };
        if let Some(d) = d {
            out.push((all.range(), cx.resolved(d, all.as_str(), "a date")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str, published: &str) -> Vec<String> {
        let p: PartialDate = published.parse().unwrap();
        dates(s, 0..s.len(), Some(&p), None)
            .into_iter()
            .map(|f| {
                format!(
                    "{}{}",
                    f.value.date,
                    if f.value.inferred { "?" } else { "" }
                )
            })
            .collect()
    }

    #[test]
    fn korean_dates_without_a_year_take_the_publication_year_and_say_so() {
        assert_eq!(
            read("지난 1월 16일 열린 간담회", "2015-02"),
            ["2015-01-16?"]
        );
        assert_eq!(
            read("그리고 시간이 흘러 2월, 결국", "2015-02"),
            ["2015-02?"]
        );
        assert_eq!(read("지난 11월 3일", "2015-02"), ["2014-11-03?"]);
        assert_eq!(read("오는 3월 1일", "2015-12-20"), ["2016-03-01?"]);
        let p: PartialDate = "2015-02".parse().unwrap();
        let s = "지난 1월 16일";
        let note = dates(s, 0..s.len(), Some(&p), None)[0]
            .value
            .note
            .clone()
            .unwrap();
        assert!(
            note.contains("'지난 1월 16일'") && note.contains("2015"),
            "{note}"
        );
    }

    #[test]
    fn days_resolve_against_the_publication_day_and_the_date_before() {
        assert_eq!(read("지난달 6일 발표했다", "2015-03-10"), ["2015-02-06?"]);
        assert_eq!(read("오는 12일 열린다", "2015-03-10"), ["2015-03-12?"]);
        assert_eq!(read("오는 2일 열린다", "2015-03-10"), ["2015-04-02?"]);
        let prev: PartialDate = "2015-01-16".parse().unwrap();
        let s = "급기야 같은 달 21일에는";
        let found = dates(s, 0..s.len(), None, Some(&prev));
        assert_eq!(found[0].value.date.to_string(), "2015-01-21");
        assert!(found[0].value.inferred);
    }

    #[test]
    fn stated_years_are_read_as_written() {
        assert_eq!(read("2024년 2월까지 맺었다", "2015-02"), ["2024-02"]);
        assert_eq!(read("2010년 4월 제프 베조스는", "2015-02"), ["2010-04"]);
        assert_eq!(read("아마존은 지난해 말 서울", "2015-02"), ["2014?"]);
        assert_eq!(read("signed on 16 January 2015", "2015-02"), ["2015-01-16"]);
        assert_eq!(
            read("on January 21, the association", "2015-02"),
            ["2015-01-21?"]
        );
        assert_eq!(read("in 2010 Bezos wrote", "2015-02"), ["2010"]);
        assert!(read("It may rain", "2015-02").is_empty());
    }
}
