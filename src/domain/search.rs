//! Name matching shared by every store, so that all of them find the same actors.
//!
//! Korean and English names are compared in a folded form: Unicode NFKC (so that
//! full-width letters and decomposed Hangul match their usual forms), lowercased,
//! with everything but letters and digits removed. Spacing in Korean names varies
//! between writers (`클라우드 발전법` / `클라우드발전법`), and hyphens in romanised names
//! too (`Yoon Jong-rok` / `Yoon Jongrok`); folding makes them equal. A query matches
//! an actor when its folded form is a substring of a folded name or alias.

use unicode_normalization::UnicodeNormalization;

use super::Actor;

/// Folds a name or a query for matching.
pub fn fold(s: &str) -> String {
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The folded forms of an actor's names and aliases, without repeats.
pub fn search_keys(actor: &Actor) -> Vec<String> {
    let mut keys: Vec<String> = actor
        .name_ko
        .iter()
        .chain(actor.name_en.iter())
        .chain(actor.aliases.iter())
        .map(|s| fold(s))
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Whether any key contains the folded query. An empty query matches everything.
pub fn matches(keys: &[String], folded_query: &str) -> bool {
    folded_query.is_empty() || keys.iter().any(|k| k.contains(folded_query))
}

/// How well a name matches: 0 when a name or alias is the query, 1 when one starts
/// with it, 2 when one contains it; `None` when none does. Search results are
/// ordered by rank, then id, in every store.
pub fn rank(keys: &[String], folded_query: &str) -> Option<u8> {
    // Most actors do not match at all: one pass tells, before ranking the rest.
    if !matches(keys, folded_query) {
        None
    } else if keys.iter().any(|k| k == folded_query) {
        Some(0)
    } else if keys.iter().any(|k| k.starts_with(folded_query)) {
        Some(1)
    } else {
        Some(2)
    }
}

/// How many characters the n-grams that narrow a search for the folded query
/// have: three for a query of three characters or more, two for one of two;
/// `None` for a shorter query, which no n-gram index narrows (scan instead). Every
/// store's name index keeps the bigrams and trigrams of each key.
pub fn gram_width(folded_query: &str) -> Option<usize> {
    match folded_query.chars().count() {
        0 | 1 => None,
        2 => Some(2),
        _ => Some(3),
    }
}

/// Adds the n-grams of `n` characters of `text` to `out`.
fn grams_of(text: &str, n: usize, out: &mut Vec<String>) {
    let chars: Vec<char> = text.chars().collect();
    out.extend(chars.windows(n).map(|w| w.iter().collect::<String>()));
}

/// The n-grams a name index keeps for an actor's folded keys: every distinct run
/// of two and of three characters of each key (none spans two keys), sorted.
pub fn index_grams<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    for key in keys {
        grams_of(key, 2, &mut out);
        grams_of(key, 3, &mut out);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The distinct n-grams every key that contains the folded query holds
/// ([`gram_width`]), sorted; `None` when the query is too short to be narrowed.
pub fn query_grams(folded_query: &str) -> Option<Vec<String>> {
    let n = gram_width(folded_query)?;
    let mut out = Vec::new();
    grams_of(folded_query, n, &mut out);
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// The sort key of a search result, as the store pages by it: `rank:id`.
pub fn sort_key(rank: u8, id: &str) -> String {
    format!("{rank}:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_that_contains_a_query_holds_every_gram_of_it() {
        let keys = ["amazonwebservices", "아마존웹서비스", "aws"];
        let index = index_grams(keys);
        for query in [
            "amazon",
            "webserv",
            "aws",
            "아마존",
            "서비스",
            "웹서",
            "ws",
            "am",
        ] {
            let grams = query_grams(query).unwrap();
            assert!(!grams.is_empty(), "{query}");
            assert!(grams.iter().all(|g| index.contains(g)), "{query}");
        }
        assert_eq!(query_grams("a"), None, "one character: no gram narrows it");
        assert_eq!(
            query_grams("웹서").unwrap(),
            vec!["웹서"],
            "two: its bigram"
        );
        assert_eq!(query_grams("abab").unwrap(), vec!["aba", "bab"], "distinct");
        assert!(
            !index.contains(&"saw".to_string()),
            "no gram spans two keys"
        );
    }

    #[test]
    fn folding_ignores_case_spacing_and_punctuation() {
        assert_eq!(fold("Amazon Web Services"), "amazonwebservices");
        assert_eq!(fold("Yoon Jong-rok"), fold("yoon jongrok"));
        assert_eq!(fold("클라우드 발전법"), fold("클라우드발전법"));
        assert_eq!(fold("KT Corp."), "ktcorp");
    }

    #[test]
    fn full_width_and_decomposed_forms_fold_to_the_usual_ones() {
        assert_eq!(fold("ＡＷＳ"), "aws");
        let decomposed: String = "클라우드".nfd().collect();
        assert_ne!(decomposed, "클라우드");
        assert_eq!(fold(&decomposed), fold("클라우드"));
    }

    #[test]
    fn exact_names_rank_before_prefixes_before_substrings() {
        let kt = vec![fold("KT"), fold("KT Corporation")];
        let association = vec![fold("Korea Cloud Industry Association")];
        assert_eq!(rank(&kt, &fold("kt")), Some(0));
        assert_eq!(rank(&kt, &fold("KT Corp")), Some(1));
        assert_eq!(rank(&association, &fold("cia")), Some(2), "asso-cia-tion");
        assert_eq!(rank(&association, &fold("amazon")), None);
        assert!(sort_key(0, "kt") < sort_key(2, "cia"));
    }

    #[test]
    fn a_query_matches_by_substring_of_any_key() {
        let keys = vec![
            fold("한국클라우드산업협회"),
            fold("Korea Cloud Industry Association"),
        ];
        assert!(matches(&keys, &fold("클라우드")));
        assert!(matches(&keys, &fold("cloud industry")));
        assert!(!matches(&keys, &fold("amazon")));
        assert!(matches(&keys, ""));
    }
}
