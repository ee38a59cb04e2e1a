//! Sums of money and floor areas in an article's words: `6억 달러` (600,000,000
//! USD), `US$600 million`, `약 3200m²` (about 3,200 m²), `970평`.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::domain::{Area, Money};

/// Why the patterns below cannot fail to compile: they are constants, and each
/// is compiled by this module's unit tests (a pattern that did not compile
/// would fail them, not a request).
const PATTERN: &str = "a constant pattern, compiled by the unit tests";

/// A sum of money found in a text, with its byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundMoney {
    pub span: Range<usize>,
    pub money: Money,
}

/// A floor area found in a text, with its byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundArea {
    pub span: Range<usize>,
    pub area: Area,
}

static KO_MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:\d[\d,]*(?:\.\d+)?\s*(?:조|억|천만|백만|만|천)\s*)+|\d[\d,]*(?:\.\d+)?\s*)(달러|원|엔|유로|위안)").expect(PATTERN)
});
static KO_PART: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d[\d,]*(?:\.\d+)?)\s*(조|억|천만|백만|만|천)?").expect(PATTERN)
});
static EN_PREFIXED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(US\$|\$|€|£|₩|¥|\b(?:USD|KRW|EUR|GBP|JPY|CNY)\s?)(\d[\d,]*(?:\.\d+)?)(?:\s*(trillion|billion|million|thousand|bn|m|k)\b)?").expect(PATTERN)
});
static EN_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d[\d,]*(?:\.\d+)?)(?:\s*(trillion|billion|million|thousand))?\s+(dollars|won|euros|yen|pounds)\b").expect(PATTERN)
});
static AREA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(약|about|around|some|nearly|approximately|roughly)?\s*(\d[\d,]*(?:\.\d+)?)\s*(m²|㎡|m2\b|제곱미터|square\s+met(?:re|er)s|sq\.?\s*m\b|평|square\s+feet|sq\.?\s*ft\b)").expect(PATTERN)
});

fn number(s: &str) -> Option<f64> {
    s.replace(',', "").parse().ok()
}

fn korean_unit(u: &str) -> f64 {
    match u {
        "조" => 1e12,
        "억" => 1e8,
        "천만" => 1e7,
        "백만" => 1e6,
        "만" => 1e4,
        "천" => 1e3,
        _ => 1.0,
    }
}

fn english_unit(u: &str) -> f64 {
    match u.to_lowercase().as_str() {
        "trillion" => 1e12,
        "billion" | "bn" => 1e9,
        "million" | "m" => 1e6,
        "thousand" | "k" => 1e3,
        _ => 1.0,
    }
}

fn currency(word: &str) -> Option<&'static str> {
    Some(match word.trim().to_uppercase().as_str() {
        "달러" | "US$" | "$" | "USD" | "DOLLARS" => "USD",
        "원" | "₩" | "KRW" | "WON" => "KRW",
        "엔" | "¥" | "JPY" | "YEN" => "JPY",
        "유로" | "€" | "EUR" | "EUROS" => "EUR",
        "위안" | "CNY" => "CNY",
        "£" | "GBP" | "POUNDS" => "GBP",
        _ => return None,
    })
}

/// The sums of money in `text[range]`, in text order.
pub fn money(text: &str, range: Range<usize>) -> Vec<FoundMoney> {
    let s = &text[range.clone()];
    let mut out = Vec::new();
    for c in KO_MONEY.captures_iter(s) {
        let (Some(all), Some(num), Some(cur)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let value: f64 = KO_PART
            .captures_iter(num.as_str())
            .filter_map(|p| {
                let n = number(p.get(1)?.as_str())?;
                Some(n * p.get(2).map_or(1.0, |u| korean_unit(u.as_str())))
            })
            .sum();
        if let Some(cur) = currency(cur.as_str()) {
            out.push(found(&range, all.range(), value, cur));
        }
    }
    // `$600 million` (currency first), `300 million won` (currency last).
    for (re, num, unit, cur) in [(&*EN_PREFIXED, 2, 3, 1), (&*EN_NAMED, 1, 2, 3)] {
        for c in re.captures_iter(s) {
            let (Some(all), Some(n), Some(cur)) = (c.get(0), c.get(num), c.get(cur)) else {
                continue;
            };
            let (Some(n), Some(cur)) = (number(n.as_str()), currency(cur.as_str())) else {
                continue;
            };
            let value = n * c.get(unit).map_or(1.0, |u| english_unit(u.as_str()));
            out.push(found(&range, all.range(), value, cur));
        }
    }
    out.sort_by_key(|m| m.span.start);
    out
}

fn found(range: &Range<usize>, at: Range<usize>, value: f64, currency: &str) -> FoundMoney {
    FoundMoney {
        span: range.start + at.start..range.start + at.end,
        money: Money {
            value: value.round(),
            currency: currency.to_string(),
        },
    }
}

/// The floor areas in `text[range]`, in square metres, in text order; a figure
/// the text gives twice (`약 3200m²(약 970평)`) is kept once, in metres.
pub fn areas(text: &str, range: Range<usize>) -> Vec<FoundArea> {
    let s = &text[range.clone()];
    let mut out: Vec<FoundArea> = Vec::new();
    for c in AREA.captures_iter(s) {
        let (Some(all), Some(num), Some(unit)) = (c.get(0), c.get(2), c.get(3)) else {
            continue;
        };
        let Some(n) = number(num.as_str()) else {
            continue;
        };
        let unit = unit.as_str().to_lowercase();
        let factor = if unit == "평" {
            3.305_785
        } else if unit.contains("ft") || unit.contains("feet") {
            0.092_903
        } else {
            1.0
        };
        let square_metres = (n * factor).round();
        if square_metres <= 0.0 {
            continue;
        }
        let area = Area {
            square_metres,
            approximate: c.get(1).is_some() || factor != 1.0,
        };
        // The same figure in another unit, right after the first.
        if factor != 1.0 && !out.is_empty() {
            continue;
        }
        out.push(FoundArea {
            span: range.start + all.start()..range.start + all.end(),
            area,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(s: &str) -> Vec<(f64, String)> {
        money(s, 0..s.len())
            .into_iter()
            .map(|m| (m.money.value, m.money.currency))
            .collect()
    }

    #[test]
    fn korean_and_english_sums_are_read_with_their_currency() {
        assert_eq!(sums("아마존과 6억 달러 규모의 계약"), [(6e8, "USD".into())]);
        assert_eq!(sums("3조 2000억원을 투자"), [(3.2e12, "KRW".into())]);
        assert_eq!(sums("1,500만 원"), [(1.5e7, "KRW".into())]);
        assert_eq!(sums("a US$600 million contract"), [(6e8, "USD".into())]);
        assert_eq!(sums("for $2.5 billion"), [(2.5e9, "USD".into())]);
        assert_eq!(sums("paid 300 million won"), [(3e8, "KRW".into())]);
        assert!(sums("33%를 넘기지").is_empty());
    }

    #[test]
    fn areas_are_read_in_square_metres_once() {
        let s = "사무 공간만 약 3200m²(약 970평) 규모다.";
        let found = areas(s, 0..s.len());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].area.square_metres, 3200.0);
        assert!(found[0].area.approximate);
        let s = "a 1,000 square metres office";
        assert!(!areas(s, 0..s.len())[0].area.approximate);
    }
}
