//! The embedded store's name index: the bigrams and trigrams of every actor's
//! folded names and aliases ([`search::search_keys`]), each with the actors whose
//! keys hold it. A search of three characters or more reads the trigrams of the
//! query and intersects their lists; of two, its bigram; the candidates are then
//! checked against the graph ([`search::rank`]), so the answers are the scan's.
//!
//! The index only grows between start-ups: a renamed or deleted actor keeps its
//! old n-grams (the check against the graph drops it), so a reader holding an
//! older graph still finds what that graph holds. Writers add an actor's n-grams
//! before they publish the graph that has it.
//!
//! [`search::search_keys`]: crate::domain::search::search_keys
//! [`search::rank`]: crate::domain::search::rank

use std::collections::HashMap;
use std::sync::RwLock;

use crate::domain::{search, ActorId};

/// An n-gram of two or three characters, packed (21 bits a character).
type Gram = u64;

/// Hashes a packed n-gram with one multiplication (Fibonacci hashing): the keys
/// are ours, not a client's, and SipHash made building the index at a million
/// actors 1.7 times slower than loading the graph.
#[derive(Default)]
struct GramHasher(u64);

impl std::hash::Hasher for GramHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(self.0 ^ u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ self.0.rotate_left(5)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

type GramMap = HashMap<Gram, Vec<u32>, std::hash::BuildHasherDefault<GramHasher>>;

#[derive(Default)]
struct Grams {
    /// Actors by number, and numbers by actor (a number is never reused).
    ids: Vec<ActorId>,
    numbers: HashMap<ActorId, u32>,
    /// The actors whose keys hold each n-gram, by number, ascending.
    bigrams: GramMap,
    trigrams: GramMap,
    /// How many actors were renamed or deleted since the index was built: a
    /// list holds at most this many stale entries.
    changed: usize,
}

/// The n-gram index of actor names.
#[derive(Default)]
pub struct NameIndex {
    grams: RwLock<Grams>,
}

fn pack(chars: &[char]) -> Gram {
    chars
        .iter()
        .fold(0u64, |acc, c| (acc << 21) | u64::from(u32::from(*c)))
}

/// The distinct n-grams of `n` characters of `text`.
fn grams_of(text: &str, n: usize) -> Vec<Gram> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Gram> = chars.windows(n).map(pack).collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn insert(list: &mut Vec<u32>, number: u32) {
    if let Err(at) = list.binary_search(&number) {
        list.insert(at, number);
    }
}

impl NameIndex {
    /// An index of these actors' keys.
    pub fn build<'a>(actors: impl IntoIterator<Item = (&'a ActorId, &'a [String])>) -> Self {
        let index = NameIndex::default();
        {
            let mut g = index.write();
            for (id, keys) in actors {
                g.add(id, keys);
            }
        }
        index
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Grams> {
        self.grams
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds the n-grams of an actor's keys (new, or renamed).
    pub fn add(&self, id: &ActorId, keys: &[String]) {
        self.write().add(id, keys);
    }

    /// The actors that may match the folded query `query` (a superset of those
    /// that do, in the graph of any time since start-up), or `None` when the
    /// index cannot narrow it (a query of one character): scan instead.
    pub fn candidates(&self, query: &str) -> Option<Vec<ActorId>> {
        let n = search::gram_width(query)?;
        let g = self
            .grams
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let table = if n == 2 { &g.bigrams } else { &g.trigrams };
        let mut lists = Vec::new();
        for gram in grams_of(query, n) {
            match table.get(&gram) {
                Some(list) => lists.push(list.as_slice()),
                None => return Some(Vec::new()),
            }
        }
        lists.sort_by_key(|l| l.len());
        let (first, rest) = lists.split_first()?;
        Some(
            first
                .iter()
                .filter(|number| rest.iter().all(|l| l.binary_search(number).is_ok()))
                .map(|&number| g.ids[number as usize].clone())
                .collect(),
        )
    }
}

impl NameIndex {
    /// The candidates of a forgiving search for the folded query: the actors
    /// holding one of its [`search::fuzzy_grams`] (bigrams, trigrams) that at most
    /// [`search::MAX_FUZZY_POSTINGS`] actors of the graph hold. `holds` says
    /// whether an actor of the graph holds a gram now (the index keeps old
    /// names): a list longer than the bound and every actor changed since the
    /// start is too long whatever they hold now, and is not checked. Each once,
    /// any order.
    pub fn fuzzy_candidates(
        &self,
        query: &str,
        holds: impl Fn(&ActorId, &str) -> bool,
    ) -> Vec<ActorId> {
        let g = self
            .grams
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut numbers: Vec<u32> = Vec::new();
        for gram in search::fuzzy_grams(query) {
            let chars: Vec<char> = gram.chars().collect();
            let table = if chars.len() == 2 {
                &g.bigrams
            } else {
                &g.trigrams
            };
            let Some(list) = table.get(&pack(&chars)) else {
                continue;
            };
            if list.len() > search::MAX_FUZZY_POSTINGS + g.changed {
                continue;
            }
            let live: Vec<u32> = list
                .iter()
                .copied()
                .filter(|n| holds(&g.ids[*n as usize], &gram))
                .collect();
            if live.len() <= search::MAX_FUZZY_POSTINGS {
                numbers.extend(live);
            }
        }
        numbers.sort_unstable();
        numbers.dedup();
        numbers
            .into_iter()
            .map(|n| g.ids[n as usize].clone())
            .collect()
    }

    /// Notes that an actor was deleted: its n-grams stay, and are stale.
    pub fn forget(&self, id: &ActorId) {
        let mut g = self.write();
        if g.numbers.contains_key(id) {
            g.changed += 1;
        }
    }
}

impl Grams {
    fn add(&mut self, id: &ActorId, keys: &[String]) {
        let number = match self.numbers.get(id) {
            Some(n) => {
                self.changed += 1;
                *n
            }
            None => {
                let n = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
                self.ids.push(id.clone());
                self.numbers.insert(id.clone(), n);
                n
            }
        };
        for key in keys {
            for gram in grams_of(key, 2) {
                insert(self.bigrams.entry(gram).or_default(), number);
            }
            for gram in grams_of(key, 3) {
                insert(self.trigrams.entry(gram).or_default(), number);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search::fold;

    fn id(s: &str) -> ActorId {
        ActorId::parse(s.to_string()).unwrap()
    }

    fn index(actors: &[(&str, &[&str])]) -> NameIndex {
        let keyed: Vec<(ActorId, Vec<String>)> = actors
            .iter()
            .map(|(i, names)| (id(i), names.iter().map(|n| fold(n)).collect()))
            .collect();
        NameIndex::build(keyed.iter().map(|(i, k)| (i, k.as_slice())))
    }

    fn found(index: &NameIndex, query: &str) -> Option<Vec<String>> {
        index.candidates(&fold(query)).map(|mut c| {
            c.sort();
            c.into_iter().map(|i| i.as_str().to_string()).collect()
        })
    }

    #[test]
    fn candidates_hold_every_actor_whose_keys_contain_the_query() {
        let i = index(&[
            ("kt", &["KT", "케이티"]),
            (
                "kcia",
                &["Korea Cloud Industry Association", "한국클라우드산업협회"],
            ),
            ("aws", &["Amazon Web Services", "AWS"]),
        ]);
        assert_eq!(found(&i, "cloud").unwrap(), vec!["kcia"]);
        assert_eq!(found(&i, "클라우드").unwrap(), vec!["kcia"]);
        assert_eq!(found(&i, "협회").unwrap(), vec!["kcia"], "two syllables");
        assert_eq!(found(&i, "kt").unwrap(), vec!["kt"]);
        assert_eq!(found(&i, "amazon").unwrap(), vec!["aws"]);
        assert!(found(&i, "oracle").unwrap().is_empty());
        assert_eq!(found(&i, "k"), None, "one character: scan");
    }

    #[test]
    fn candidates_may_be_more_than_the_matches_never_fewer() {
        // Both trigrams of "abcd" are in "abcxbcd", the query is not.
        let i = index(&[("one", &["abcxbcd"])]);
        assert_eq!(found(&i, "abcd").unwrap(), vec!["one"]);
    }

    #[test]
    fn a_renamed_actor_is_found_by_both_names_until_the_graph_says_otherwise() {
        let i = index(&[("kt", &["KT Corporation"])]);
        i.add(&id("kt"), &[fold("Korea Telecom")]);
        assert_eq!(found(&i, "telecom").unwrap(), vec!["kt"]);
        assert_eq!(found(&i, "corporation").unwrap(), vec!["kt"]);
    }
}
