//! Whether a name may be an actor we know: the same name or alias, one that holds
//! the other, a near spelling, or an abbreviation (`미래부` for `미래창조과학부`,
//! `클라우드법` for `클라우드 발전법`), compared folded as search folds.

use crate::domain::search;

/// Why a name may be an actor's, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Likeness {
    /// A name or alias is the name.
    Same,
    /// A name or alias holds the name, or the name holds one.
    Contains,
    /// A name or alias holds the name with a mistake or two.
    NearSpelling,
    /// The name's characters appear in order in a name or alias, from its first
    /// (a Korean abbreviation keeps syllables of the full name).
    Abbreviation,
}

impl Likeness {
    /// How sure the likeness makes a match, 0 to 1.
    pub fn score(self) -> f64 {
        match self {
            Likeness::Same => 1.0,
            Likeness::Contains => 0.8,
            Likeness::NearSpelling => 0.7,
            Likeness::Abbreviation => 0.6,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Likeness::Same => "same name",
            Likeness::Contains => "contains",
            Likeness::NearSpelling => "near spelling",
            Likeness::Abbreviation => "abbreviation",
        }
    }
}

/// Whether `short`'s characters appear in order in `long`, starting with its first.
fn subsequence(short: &str, long: &str) -> bool {
    let mut long_chars = long.chars();
    let mut first = true;
    for c in short.chars() {
        if first {
            if long_chars.next() != Some(c) {
                return false;
            }
            first = false;
            continue;
        }
        if !long_chars.any(|l| l == c) {
            return false;
        }
    }
    true
}

/// How a folded name is like an actor with these folded keys (its names and
/// aliases, [`search::search_keys`]), if it is.
pub fn likeness(folded: &str, keys: &[String]) -> Option<Likeness> {
    let n = folded.chars().count();
    if n < 2 {
        return None;
    }
    if keys.iter().any(|k| k == folded) {
        return Some(Likeness::Same);
    }
    if keys
        .iter()
        .any(|k| k.contains(folded) || (k.chars().count() >= 2 && folded.contains(k.as_str())))
    {
        return Some(Likeness::Contains);
    }
    if search::fuzzy_rank(keys, folded).is_some() {
        return Some(Likeness::NearSpelling);
    }
    let abbreviates = |short: &str, long: &str| {
        let (s, l) = (short.chars().count(), long.chars().count());
        s >= 3 && s * 3 >= l && s < l && subsequence(short, long)
    };
    if keys
        .iter()
        .any(|k| abbreviates(folded, k) || abbreviates(k, folded))
    {
        return Some(Likeness::Abbreviation);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| search::fold(n)).collect()
    }

    #[test]
    fn names_written_differently_are_recognised() {
        let act = keys(&["클라우드 발전법", "Cloud Development Act"]);
        assert!(matches!(
            likeness(&search::fold("클라우드법"), &act),
            Some(Likeness::NearSpelling | Likeness::Abbreviation)
        ));
        let long = keys(&["클라우드컴퓨팅 발전 및 이용자 보호에 관한 법률"]);
        assert!(likeness(&search::fold("클라우드컴퓨팅법"), &long).is_some());
        assert_eq!(
            likeness(&search::fold("클라우드 발전법"), &act),
            Some(Likeness::Same)
        );
        assert_eq!(
            likeness(&search::fold("클라우드발전법안"), &act),
            Some(Likeness::Contains)
        );
        let ministry = keys(&["미래창조과학부"]);
        assert!(likeness("미래부", &ministry).is_some());
        let science = keys(&["과학기술정보통신부"]);
        assert_eq!(
            likeness("과기정통부", &science),
            Some(Likeness::Abbreviation)
        );
        let amazon = keys(&["아마존", "Amazon"]);
        assert_eq!(likeness("amazn", &amazon), Some(Likeness::NearSpelling));
        assert_eq!(likeness("알리바바", &amazon), None);
    }
}
