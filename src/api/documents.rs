//! The parsed documents of recent queries, by their exact text.
//!
//! A web app sends the same few documents over and over with new variables, and
//! parsing one costs more than answering it from the embedded store. The cache
//! keeps the document that [`limits::parse`](super::limits::parse) and the
//! enum-literal check accepted, keyed by the whole query text (a hit compares the
//! text, not only its hash, so it is exactly the same document). Validation is not
//! cached: it depends on the variables and runs on every request.
//!
//! The cache is bounded twice: in entries, dropping the least recently used, and
//! in the size of the texts it takes, so that distinct large documents sent to
//! fill it cannot hold more than [`MAX_ENTRIES`] × [`MAX_TEXT_BYTES`] of text
//! (and their parsed form, a small multiple of it).

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;

/// Documents kept.
pub const MAX_ENTRIES: usize = 256;
/// Longest query text kept; longer ones are parsed on each request.
pub const MAX_TEXT_BYTES: usize = 8 * 1024;

/// Recently accepted documents, by query text.
pub struct Documents(Mutex<LruCache<Box<str>, Arc<ExecutableDocument>>>);

impl Default for Documents {
    fn default() -> Self {
        Documents(Mutex::new(LruCache::new(
            NonZeroUsize::new(MAX_ENTRIES).expect("MAX_ENTRIES is not zero"),
        )))
    }
}

impl Documents {
    fn entries(&self) -> std::sync::MutexGuard<'_, LruCache<Box<str>, Arc<ExecutableDocument>>> {
        // The map is consistent after any panic of a holder (each call is one
        // LruCache operation): recover it rather than fail requests.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The document accepted earlier for exactly this text.
    pub fn get(&self, query: &str) -> Option<ExecutableDocument> {
        let doc = self.entries().get(query).cloned()?;
        // Cloned outside the lock: the executor takes the document and changes it.
        Some((*doc).clone())
    }

    /// Remembers the document accepted for `query` (unless the text is too long).
    pub fn put(&self, query: &str, doc: &ExecutableDocument) {
        if query.len() <= MAX_TEXT_BYTES {
            self.entries().put(query.into(), Arc::new(doc.clone()));
        }
    }

    /// Documents held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(q).unwrap()
    }

    #[test]
    fn a_hit_is_the_document_of_exactly_that_text() {
        let docs = Documents::default();
        let a = "{ actor(id: \"cia\") { name } }";
        docs.put(a, &parse(a));
        assert!(docs.get(a).is_some());
        // Same hash-relevant prefix, other text: no hit.
        assert!(docs.get("{ actor(id: \"cia\") { name id } }").is_none());
        assert!(docs.get("{ actor(id: \"cia\") {  name } }").is_none());
        let got = docs.get(a).unwrap();
        assert_eq!(format!("{:?}", got), format!("{:?}", parse(a)));
    }

    #[test]
    fn it_holds_a_bounded_number_of_short_texts() {
        let docs = Documents::default();
        for i in 0..MAX_ENTRIES + 50 {
            let q = format!("{{ a{i}: stats {{ actors }} }}");
            docs.put(&q, &parse(&q));
        }
        assert_eq!(docs.len(), MAX_ENTRIES);
        // The least recently used went first.
        assert!(docs.get("{ a0: stats { actors } }").is_none());
        let last = format!("{{ a{}: stats {{ actors }} }}", MAX_ENTRIES + 49);
        assert!(docs.get(&last).is_some());

        let long = format!("{{ stats {{ actors }} }}{}", " ".repeat(MAX_TEXT_BYTES));
        docs.put(&long, &parse(&long));
        assert!(docs.get(&long).is_none());
    }
}
