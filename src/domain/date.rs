//! Dates with a precision: a year, a month or a day (`2015`, `2024-02`, `2015-01-16`).
//!
//! Sources rarely give full dates, and news articles often give a day without its
//! year. A date therefore keeps the precision it was stated with, and a [`DateValue`]
//! says whether (part of) it was inferred rather than read, with a note saying how.

use std::{cmp::Ordering, fmt, str::FromStr};

/// How much of a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
pub enum DatePrecision {
    /// Only the year is known: `2015`.
    Year,
    /// The year and month are known: `2024-02`.
    Month,
    /// The full calendar date is known: `2015-01-16`.
    Day,
}

/// A calendar date known to a year, a month or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    year: u16,
    month: Option<u8>,
    day: Option<u8>,
}

/// Why a string is not a valid date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid date: write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2015, 2024-02, 2015-01-16) with a real month and day")]
pub struct DateError(pub String);

impl PartialDate {
    /// The precision the date was given with.
    pub fn precision(&self) -> DatePrecision {
        match (self.month, self.day) {
            (None, _) => DatePrecision::Year,
            (Some(_), None) => DatePrecision::Month,
            (Some(_), Some(_)) => DatePrecision::Day,
        }
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month (1–12), when known.
    pub fn month(&self) -> Option<u8> {
        self.month
    }

    /// The day of the month, when known.
    pub fn day(&self) -> Option<u8> {
        self.day
    }

    /// The first and last day this date may stand for, as (year, month, day).
    /// `2024-02` spans 2024-02-01 to 2024-02-29.
    pub fn span(&self) -> ((u16, u8, u8), (u16, u8, u8)) {
        let (m0, m1) = self.month.map_or((1, 12), |m| (m, m));
        let d0 = self.day.unwrap_or(1);
        let d1 = self.day.unwrap_or_else(|| days_in_month(self.year, m1));
        ((self.year, m0, d0), (self.year, m1, d1))
    }

    /// The key dates sort by, as they are written: by year, month and day, a
    /// coarser date before the finer ones it contains (`2015`, `2015-01`,
    /// `2015-01-01`), which is also the order of their text.
    pub fn sort_key(&self) -> (u16, u8, u8) {
        (self.year, self.month.unwrap_or(0), self.day.unwrap_or(0))
    }

    /// Compares two dates at the coarser of their precisions: `2015` and
    /// `2015-01-16` are equal there, so neither comes before the other.
    pub fn cmp_coarse(&self, other: &Self) -> Ordering {
        let key = |d: &Self, p: DatePrecision| match p {
            DatePrecision::Year => (d.year, 0, 0),
            DatePrecision::Month => (d.year, d.month.unwrap_or(0), 0),
            DatePrecision::Day => (d.year, d.month.unwrap_or(0), d.day.unwrap_or(0)),
        };
        let p = self.precision().min(other.precision());
        key(self, p).cmp(&key(other, p))
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn fixed_digits(part: &str, len: usize) -> Option<u16> {
    (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
        .then(|| part.parse().ok())
        .flatten()
}

impl FromStr for PartialDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateError(s.chars().take(40).collect());
        let mut parts = s.split('-');
        let year = parts
            .next()
            .and_then(|p| fixed_digits(p, 4))
            .ok_or_else(err)?;
        let month = match parts.next() {
            None => None,
            Some(p) => Some(fixed_digits(p, 2).ok_or_else(err)? as u8),
        };
        let day = match parts.next() {
            None => None,
            Some(p) => Some(fixed_digits(p, 2).ok_or_else(err)? as u8),
        };
        if parts.next().is_some() || year == 0 {
            return Err(err());
        }
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(err());
            }
            if let Some(d) = day {
                if d == 0 || d > days_in_month(year, m) {
                    return Err(err());
                }
            }
        }
        Ok(Self { year, month, day })
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

/// A date as a claim states it: the date, and whether any of it was inferred.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateValue {
    /// The date at its precision.
    pub date: PartialDate,
    /// True when the source does not state the date (or its year) and it was
    /// worked out from context.
    pub inferred: bool,
    /// How the date was read or inferred. Required when `inferred` is true.
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates_keep_the_precision_they_were_written_with() {
        assert_eq!(d("2015").precision(), DatePrecision::Year);
        assert_eq!(d("2024-02").precision(), DatePrecision::Month);
        assert_eq!(d("2015-01-16").precision(), DatePrecision::Day);
        for s in ["2015", "2024-02", "2015-01-16"] {
            assert_eq!(d(s).to_string(), s);
        }
    }

    #[test]
    fn impossible_or_malformed_dates_are_rejected() {
        for bad in [
            "",
            "15",
            "2015-1",
            "2015-13",
            "2015-00",
            "2015-02-30",
            "2015-01-16T00:00",
            "2015/01/16",
            "2015-01-16-01",
            "0000",
            "２０１５",
            "2015-04-31",
        ] {
            assert!(
                bad.parse::<PartialDate>().is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn february_29_exists_only_in_leap_years() {
        assert!("2024-02-29".parse::<PartialDate>().is_ok());
        assert!("2000-02-29".parse::<PartialDate>().is_ok());
        assert!("2023-02-29".parse::<PartialDate>().is_err());
        assert!("1900-02-29".parse::<PartialDate>().is_err());
    }

    #[test]
    fn coarse_comparison_treats_a_year_as_containing_its_days() {
        assert_eq!(d("2015").cmp_coarse(&d("2015-01-16")), Ordering::Equal);
        assert_eq!(d("2014").cmp_coarse(&d("2015-01-16")), Ordering::Less);
        assert_eq!(d("2024-02").cmp_coarse(&d("2024-01-31")), Ordering::Greater);
    }

    #[test]
    fn a_month_spans_its_real_number_of_days() {
        assert_eq!(d("2024-02").span(), ((2024, 2, 1), (2024, 2, 29)));
        assert_eq!(d("2014").span(), ((2014, 1, 1), (2014, 12, 31)));
    }
}
