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

/// How many mistakes a search forgives a folded query: none under three
/// characters, one (a character missing, extra or wrong) from three, two from
/// eight, none over [`MAX_FUZZY_LEN`]. Two mistakes in a short query would find
/// too much (`racer` is two edits from `ract` in `interactive`).
pub fn allowed_edits(folded_query: &str) -> usize {
    match folded_query.chars().count() {
        0..=2 => 0,
        3..=7 => 1,
        n if n > MAX_FUZZY_LEN => 0,
        _ => 2,
    }
}

/// The fewest edits (a character inserted, deleted or replaced) that turn `query`
/// into some substring of `key`: the edit distance with free ends in the key.
/// Written here because the distance crates compare whole strings (or bytes, and
/// a Hangul syllable is three), and a name holds the query. Myers' bit-parallel
/// algorithm for a query of at most 64 characters (every query a search forgives:
/// [`MAX_FUZZY_LEN`]), one machine word per character of the key; Sellers' table,
/// one column at a time, for a longer one.
pub fn substring_distance(key: &str, query: &str) -> usize {
    let m = query.chars().count();
    if m == 0 {
        return 0;
    }
    if m > 64 {
        return sellers(key, query);
    }
    // For each character of the query, the bit of each position it stands at.
    let mut peq: Vec<(char, u64)> = Vec::with_capacity(m);
    for (i, c) in query.chars().enumerate() {
        match peq.iter_mut().find(|(p, _)| *p == c) {
            Some((_, bits)) => *bits |= 1 << i,
            None => peq.push((c, 1 << i)),
        }
    }
    let last = 1u64 << (m - 1);
    // The vertical deltas of the table's column (+1 / -1 per row), and the
    // score of its last row: the edits of the whole query ending here.
    let (mut pv, mut mv, mut score) = (u64::MAX, 0u64, m);
    let mut best = m;
    for c in key.chars() {
        let eq = peq.iter().find(|(p, _)| *p == c).map_or(0, |(_, b)| *b);
        let xv = eq | mv;
        let xh = (((eq & pv).wrapping_add(pv)) ^ pv) | eq;
        let ph = mv | !(xh | pv);
        let mh = pv & xh;
        if ph & last != 0 {
            score += 1;
        } else if mh & last != 0 {
            score -= 1;
        }
        // The first row stays 0: a substring may start anywhere in the key.
        let (ph, mh) = (ph << 1, mh << 1);
        pv = mh | !(xv | ph);
        mv = ph & xv;
        best = best.min(score);
    }
    best
}

/// [`substring_distance`] by the full table (Sellers): the reference, and the way
/// for queries longer than a machine word.
fn sellers(key: &str, query: &str) -> usize {
    let q: Vec<char> = query.chars().collect();
    // `column[i]`: the edits from the first `i` characters of the query to a
    // substring of the key ending here; any start in the key is free.
    let mut column: Vec<usize> = (0..=q.len()).collect();
    let mut best = q.len();
    for k in key.chars() {
        let mut diagonal = column[0];
        for i in 1..=q.len() {
            let replaced = diagonal + usize::from(q[i - 1] != k);
            diagonal = column[i];
            column[i] = replaced.min(column[i] + 1).min(column[i - 1] + 1);
        }
        best = best.min(column[q.len()]);
    }
    best
}

/// How a search ranks an actor's keys, forgiving mistakes: [`rank`]'s 0 to 2
/// (equal, starts with, contains), else 3 when a key holds the query with one
/// mistake and 4 with two, within [`allowed_edits`] (`아마죤` and `Amazn` find
/// Amazon, `클라우드법` the Cloud Development Act); `None` when nothing matches.
/// Which names are measured at all is the store's to say: those holding one of
/// the query's [`fuzzy_grams`] that at most [`MAX_FUZZY_POSTINGS`] names hold
/// (a mistake leaves some of a name's letters in a row as the query has them).
pub fn forgiving_rank(keys: &[String], folded_query: &str) -> Option<u8> {
    rank(keys, folded_query).or_else(|| fuzzy_rank(keys, folded_query))
}

/// [`forgiving_rank`] for keys that do not contain the query: 3 or 4, or `None`.
pub fn fuzzy_rank<S: AsRef<str>>(keys: &[S], folded_query: &str) -> Option<u8> {
    let allowed = allowed_edits(folded_query);
    if allowed == 0 {
        return None;
    }
    let d = keys
        .iter()
        .map(|k| substring_distance(k.as_ref(), folded_query))
        .min()?;
    (1..=allowed)
        .contains(&d)
        .then(|| 2 + u8::try_from(d).unwrap_or(u8::MAX))
}

/// The n-grams that lead a forgiving search to its candidates: the query's
/// distinct trigrams, and its bigrams when the query is too short for a trigram
/// to survive every mistake allowed (none for a query that forgives nothing),
/// sorted. A name within a mistake or two of the query keeps at least one of
/// them, unless the mistakes break every one (`axc` for `abc`): such a name is
/// not found. Trigrams are rarer than bigrams: they still lead somewhere when
/// every bigram of the query is common (`r42` in `Synthetic Actor 4242`).
pub fn fuzzy_grams(folded_query: &str) -> Vec<String> {
    let edits = allowed_edits(folded_query);
    if edits == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    grams_of(folded_query, 3, &mut out);
    // A mistake breaks at most three trigrams: when the query has more than
    // three per mistake allowed, one survives every time, and the commoner
    // bigrams would only add candidates.
    if folded_query.chars().count() - 2 <= 3 * edits {
        grams_of(folded_query, 2, &mut out);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// An n-gram that more names than this hold leads to no candidates of a
/// forgiving search: it narrows nothing (every store counts the names holding
/// it now, so the answers are the same on every store). It bounds the names a
/// forgiving search measures to this many per n-gram of the query.
pub const MAX_FUZZY_POSTINGS: usize = 2_000;

/// The longest folded query a search forgives: a longer one is pasted rather
/// than typed, and measuring it against names costs its length each.
pub const MAX_FUZZY_LEN: usize = 40;

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
    fn a_search_forgives_a_missing_extra_or_wrong_character() {
        let amazon = vec![fold("Amazon"), fold("아마존")];
        let act = vec![fold("클라우드 발전법"), fold("Cloud Development Act")];
        assert_eq!(forgiving_rank(&amazon, &fold("Amazon")), Some(0));
        assert_eq!(forgiving_rank(&amazon, &fold("Amazn")), Some(3));
        assert_eq!(forgiving_rank(&amazon, &fold("아마죤")), Some(3));
        assert_eq!(forgiving_rank(&amazon, &fold("Amazzon")), Some(3));
        // One edit from `클라우드발` (the name's end is free): 법 for 발.
        assert_eq!(forgiving_rank(&act, &fold("클라우드법")), Some(3));
        assert_eq!(forgiving_rank(&act, &fold("클라우드전법")), Some(3));
        assert_eq!(
            forgiving_rank(&act, &fold("크라우드 전법")),
            None,
            "two, in six"
        );
        assert_eq!(forgiving_rank(&act, &fold("Clod Devlopment")), Some(4));
        assert_eq!(
            forgiving_rank(&act, &fold("크라우드 발잔법")),
            None,
            "two, in seven"
        );
        assert_eq!(forgiving_rank(&act, &fold("Cloud Devlopment")), Some(3));
        // Short queries are taken as written; too many mistakes are no match.
        assert_eq!(forgiving_rank(&amazon, &fold("az")), Some(2));
        assert_eq!(forgiving_rank(&amazon, &fold("ax")), None);
        assert_eq!(forgiving_rank(&amazon, &fold("amx")), Some(3));
        assert_eq!(forgiving_rank(&amazon, &fold("bmx")), None);
        assert_eq!(forgiving_rank(&amazon, &fold("kakaotalk")), None);
        assert_eq!(substring_distance("abc", ""), 0);
        assert_eq!(substring_distance("", "abc"), 3);
        assert_eq!(substring_distance("xxabcxx", "abd"), 1);
        assert!(fuzzy_grams("ab").is_empty());
        assert_eq!(fuzzy_grams("아마죤"), vec!["마죤", "아마", "아마죤"]);
        // Six characters, one mistake: four trigrams, one always kept.
        assert_eq!(fuzzy_grams("abcdef"), vec!["abc", "bcd", "cde", "def"]);
        assert_eq!(fuzzy_grams("abcde").len(), 3 + 4, "five: bigrams too");
        let long = "a".repeat(MAX_FUZZY_LEN + 1);
        assert_eq!(allowed_edits(&long), 0, "a long query is taken as written");
    }

    #[test]
    fn the_bit_parallel_distance_is_the_tables() {
        // Every pair of short strings over a small alphabet (with a syllable),
        // and some longer ones, measured both ways.
        let alphabet = ['a', 'b', 'c', '가'];
        let words = |n: usize| -> Vec<String> {
            let mut out = vec![String::new()];
            for _ in 0..n {
                out = out
                    .iter()
                    .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                    .collect();
            }
            out
        };
        let queries: Vec<String> = (1..=4).flat_map(words).collect();
        let keys: Vec<String> = (0..=5).flat_map(words).collect();
        for q in &queries {
            for k in keys.iter().step_by(7) {
                assert_eq!(substring_distance(k, q), sellers(k, q), "{k} / {q}");
            }
        }
        let long = "syntheticactor4242합성행위자4242sa4242";
        for q in [
            "syntheticactor4242",
            "synthetcactor4242",
            "행위쟈42",
            "4242sa",
            "zzzz",
        ] {
            assert_eq!(substring_distance(long, q), sellers(long, q), "{q}");
        }
        let sixty_five = "x".repeat(65);
        assert_eq!(
            substring_distance("xx", &sixty_five),
            63,
            "past a word: the table"
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
