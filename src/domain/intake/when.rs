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

/// A date found in a sentence: where, the words, and what they resolve to.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundDate {
    /// Byte range in the text.
    pub span: Range<usize>,
    pub value: DateValue,
}

/// Patterns, each compiled once per process (constants, not state).
static KO_FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(지난|오는|올해|작년|지난해|내년)\s*)?(?:(\d{4})\s*년\s*)?(\d{1,2})\s*월(?:\s*(\d{1,2})\s*일)?").unwrap()
});
static KO_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(지난달|이달|다음달|같은\s*달|지난|오는)\s*(\d{1,2})\s*일").unwrap()
});
static KO_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(\d{4})\s*년(?:도)?|(재작년|지난해|작년|올해|내년))(?:\s*(초|말|상반기|하반기))?",
    )
    .unwrap()
});
static EN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(\d{1,2})\s+)?(January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?(?:,?\s+(\d{4}))?\b").unwrap()
});
static EN_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(?:in|since|until|by|from)\s+(\d{4})\b|(last|next|this)\s+(year|month))")
        .unwrap()
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

/// Reads the dates of `text[range]`, in text order, resolved against `published`
/// and `previous` (the last date the text gave before this range, for `같은 달`).
pub fn dates(
    text: &str,
    range: Range<usize>,
    published: Option<&PartialDate>,
    previous: Option<&PartialDate>,
) -> Vec<FoundDate> {
    let sentence = &text[range.clone()];
    let mut found: Vec<FoundDate> = Vec::new();
    let mut taken: Vec<Range<usize>> = Vec::new();
    let pub_desc = published.map(|p| p.to_string()).unwrap_or_default();
    let push =
        |found: &mut Vec<FoundDate>, taken: &mut Vec<Range<usize>>, span: Range<usize>, v| {
            if taken
                .iter()
                .any(|t| t.start < span.end && span.start < t.end)
            {
                return;
            }
            taken.push(span.clone());
            found.push(FoundDate {
                span: range.start + span.start..range.start + span.end,
                value: v,
            });
        };
    for c in KO_DAY.captures_iter(sentence) {
        let (Some(all), Some(rel), Some(day)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let day: u8 = day.as_str().parse().unwrap_or(0);
        let words = all.as_str();
        let rel: String = rel.as_str().split_whitespace().collect();
        let value = match (rel.as_str(), published, previous) {
            ("같은달", _, Some(prev)) if prev.month().is_some() => {
                date(i32::from(prev.year()), prev.month(), Some(day)).map(|d| {
                    inferred(d, format!("The article says '{words}' (the {day}th of the month it named before, {}); the year and month come from that date.", &prev.to_string()[..7]))
                })
            }
            (r, Some(p), _) if p.month().is_some() && r != "같은달" => {
                let (y, m) = (i32::from(p.year()), p.month().unwrap_or(1));
                let (y, m) = match r {
                    "지난달" => shift_month(y, m, -1),
                    "다음달" => shift_month(y, m, 1),
                    "지난" if p.day().is_some_and(|pd| day >= pd) => shift_month(y, m, -1),
                    "오는" if p.day().is_some_and(|pd| day <= pd) => shift_month(y, m, 1),
                    _ => (y, m),
                };
                date(y, Some(m), Some(day)).map(|d| {
                    inferred(d, format!("The article says '{words}' without a month or year; both are inferred from its publication date ({pub_desc})."))
                })
            }
            _ => None,
        };
        if let Some(v) = value {
            push(&mut found, &mut taken, all.range(), v);
        }
    }
    for c in KO_FULL.captures_iter(sentence) {
        let Some(all) = c.get(0) else { continue };
        let month: u8 = c.get(3).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        if !(1..=12).contains(&month) {
            continue;
        }
        let day: Option<u8> = c.get(4).and_then(|d| d.as_str().parse().ok());
        let words = all.as_str();
        let value = if let Some(year) = c.get(2).and_then(|y| y.as_str().parse::<i32>().ok()) {
            date(year, Some(month), day).map(stated)
        } else if let Some(p) = published {
            let py = i32::from(p.year());
            let pm = p.month();
            let year = match c.get(1).map(|r| r.as_str()) {
                Some("작년" | "지난해") => py - 1,
                Some("내년") => py + 1,
                Some("올해") => py,
                // A past month after the publication's month is last year's; a
                // coming one before it, next year's.
                Some("지난") if pm.is_some_and(|pm| month > pm) => py - 1,
                Some("오는") if pm.is_some_and(|pm| month < pm) => py + 1,
                None if pm.is_some_and(|pm| month > pm) => py - 1,
                _ => py,
            };
            date(year, Some(month), day).map(|d| {
                inferred(d, format!("The article says '{words}' without a year; {year} is inferred from its publication date ({pub_desc})."))
            })
        } else {
            None
        };
        if let Some(v) = value {
            push(&mut found, &mut taken, all.range(), v);
        }
    }
    for c in KO_YEAR.captures_iter(sentence) {
        let Some(all) = c.get(0) else { continue };
        let words = all.as_str();
        let value = if let Some(year) = c.get(1).and_then(|y| y.as_str().parse::<i32>().ok()) {
            date(year, None, None).map(stated)
        } else if let (Some(rel), Some(p)) = (c.get(2), published) {
            let py = i32::from(p.year());
            let year = match rel.as_str() {
                "재작년" => py - 2,
                "지난해" | "작년" => py - 1,
                "내년" => py + 1,
                _ => py,
            };
            date(year, None, None).map(|d| {
                inferred(d, format!("The article says '{words}'; {year} is inferred from its publication date ({pub_desc})."))
            })
        } else {
            None
        };
        if let Some(v) = value {
            push(&mut found, &mut taken, all.range(), v);
        }
    }
    for c in EN_DATE.captures_iter(sentence) {
        let Some(all) = c.get(0) else { continue };
        let Some(month) = c.get(2).and_then(|m| month_number(m.as_str())) else {
            continue;
        };
        // "May" alone is too often the verb.
        if c.get(1).is_none() && c.get(3).is_none() && c.get(4).is_none() {
            continue;
        }
        let day: Option<u8> = c.get(1).or(c.get(3)).and_then(|d| d.as_str().parse().ok());
        let words = all.as_str();
        let value = if let Some(year) = c.get(4).and_then(|y| y.as_str().parse::<i32>().ok()) {
            date(year, Some(month), day).map(stated)
        } else if let Some(p) = published {
            let py = i32::from(p.year());
            let year = if p.month().is_some_and(|pm| month > pm) {
                py - 1
            } else {
                py
            };
            date(year, Some(month), day).map(|d| {
                inferred(d, format!("The article says '{words}' without a year; {year} is inferred from its publication date ({pub_desc})."))
            })
        } else {
            None
        };
        if let Some(v) = value {
            push(&mut found, &mut taken, all.range(), v);
        }
    }
    for c in EN_YEAR.captures_iter(sentence) {
        let Some(all) = c.get(0) else { continue };
        let words = all.as_str();
        let value = if let Some(year) = c.get(1).and_then(|y| y.as_str().parse::<i32>().ok()) {
            let span = c.get(1).map(|y| y.range()).unwrap_or(all.range());
            if let Some(v) = date(year, None, None).map(stated) {
                push(&mut found, &mut taken, span, v);
            }
            continue;
        } else if let (Some(rel), Some(unit), Some(p)) = (c.get(2), c.get(3), published) {
            let by = match rel.as_str().to_lowercase().as_str() {
                "last" => -1,
                "next" => 1,
                _ => 0,
            };
            let py = i32::from(p.year());
            if unit.as_str().eq_ignore_ascii_case("year") {
                date(py + by, None, None)
            } else if let Some(pm) = p.month() {
                let (y, m) = shift_month(py, pm, by);
                date(y, Some(m), None)
            } else {
                None
            }
            .map(|d| {
                inferred(d, format!("The article says '{words}'; resolved against its publication date ({pub_desc})."))
            })
        } else {
            None
        };
        if let Some(v) = value {
            push(&mut found, &mut taken, all.range(), v);
        }
    }
    found.sort_by_key(|f| f.span.start);
    found
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
