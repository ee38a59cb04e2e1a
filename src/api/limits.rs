//! What a request may cost, checked before the work it would cause.
//!
//! A GraphQL document is small text that can ask for a great deal: a value nested
//! a thousand levels deep overflows the parser's stack, fragments that each spread
//! the next ten times expand to billions of fields, aliases repeat an expensive
//! field thousands of times. So a document goes through three gates, each linear in
//! its size and none of them recursive over anything the client controls:
//!
//! 1. [`scan`] reads the text once as GraphQL tokens (no parser) and refuses it when
//!    it has too many bytes, tokens or directives, or nests brackets too deep; only
//!    then is it parsed, and the parser's recursion is bounded by that depth;
//! 2. [`check_document`] counts the fields and fragment spreads the document would
//!    have with every fragment expanded, and its aliases, without expanding: each
//!    fragment is counted once and its count reused wherever it is spread (cycles
//!    are refused here, before anything else walks them);
//! 3. async-graphql's own limits then run on a document known to be small: the
//!    selection depth and the complexity, where list fields cost what they may
//!    return (see `paging::page_cost` and the field annotations).
//!
//! A batch shares one complexity budget ([`Budget`]), and the response, the time
//! and the errors of a request are bounded too (see `GraphqlService`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, ServerError};

use super::error::ErrorCode;

/// The bounds of one request. [`Limits::default`] holds the documented defaults,
/// which the command line can change (`config::LimitArgs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Longest query text, in bytes (large values belong in variables).
    pub max_query_bytes: usize,
    /// Most tokens (names, punctuation, values) in the query text.
    pub max_tokens: usize,
    /// Deepest nesting of brackets (`{`, `[`, `(`), selections and values alike.
    pub max_nesting: usize,
    /// Most fields and fragment spreads, once every fragment is expanded.
    pub max_fields: usize,
    /// Most aliased fields, once every fragment is expanded.
    pub max_aliases: usize,
    /// Most directives (`@include`, `@skip`…) in the document.
    pub max_directives: usize,
    /// Deepest selection nesting.
    pub max_depth: usize,
    /// Largest complexity of a request, or of a whole batch together.
    pub max_complexity: usize,
    /// Most operations in a batch.
    pub max_batch: usize,
    /// Largest response body, in bytes.
    pub max_response_bytes: usize,
    /// Most errors listed in one response (the rest are summed up in one more).
    pub max_errors: usize,
    /// Longest a read may run; a write that has started is let finish.
    pub timeout: Duration,
}

impl Limits {
    pub const MAX_QUERY_BYTES: usize = 256 * 1024;
    pub const MAX_TOKENS: usize = 20_000;
    pub const MAX_NESTING: usize = 64;
    pub const MAX_FIELDS: usize = 2_000;
    pub const MAX_ALIASES: usize = 200;
    pub const MAX_DIRECTIVES: usize = 100;
    pub const MAX_DEPTH: usize = 16;
    pub const MAX_COMPLEXITY: usize = 20_000;
    pub const MAX_BATCH: usize = 16;
    pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
    pub const MAX_ERRORS: usize = 20;
    pub const TIMEOUT_MS: u64 = 5_000;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_query_bytes: Self::MAX_QUERY_BYTES,
            max_tokens: Self::MAX_TOKENS,
            max_nesting: Self::MAX_NESTING,
            max_fields: Self::MAX_FIELDS,
            max_aliases: Self::MAX_ALIASES,
            max_directives: Self::MAX_DIRECTIVES,
            max_depth: Self::MAX_DEPTH,
            max_complexity: Self::MAX_COMPLEXITY,
            max_batch: Self::MAX_BATCH,
            max_response_bytes: Self::MAX_RESPONSE_BYTES,
            max_errors: Self::MAX_ERRORS,
            timeout: Duration::from_millis(Self::TIMEOUT_MS),
        }
    }
}

/// A refused request: its code and what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

impl Refusal {
    fn new(code: ErrorCode, message: String) -> Self {
        Refusal { code, message }
    }

    fn too_large(message: String) -> Self {
        Refusal::new(ErrorCode::QueryTooLarge, message)
    }
}

impl From<Refusal> for ServerError {
    fn from(r: Refusal) -> Self {
        let mut e = ServerError::new(r.message, None);
        e.extensions
            .get_or_insert_with(Default::default)
            .set("code", r.code.as_str());
        e
    }
}

/// What [`scan`] counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scanned {
    pub tokens: usize,
    pub nesting: usize,
    pub directives: usize,
}

/// Reads `query` once as GraphQL tokens, refusing it as soon as it passes a bound.
/// Bytes that are no GraphQL token count as one each and are left for the parser
/// to report.
pub fn scan(query: &str, limits: &Limits) -> Result<Scanned, Refusal> {
    if query.len() > limits.max_query_bytes {
        return Err(Refusal::too_large(format!(
            "The query text is {} bytes long; the limit is {}. Pass large values as variables.",
            query.len(),
            limits.max_query_bytes
        )));
    }
    let bytes = query.as_bytes();
    let mut seen = Scanned::default();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                seen.nesting = seen.nesting.max(depth);
                if depth > limits.max_nesting {
                    return Err(Refusal::new(
                        ErrorCode::QueryTooDeep,
                        format!(
                            "The query nests brackets (selections, lists, objects, arguments) more than {} deep; nest less or split the query.",
                            limits.max_nesting
                        ),
                    ));
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'@' => {
                seen.directives += 1;
                if seen.directives > limits.max_directives {
                    return Err(Refusal::too_large(format!(
                        "The query has more than {} directives; the limit is {}.",
                        limits.max_directives, limits.max_directives
                    )));
                }
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            _ => i += 1,
        }
        seen.tokens += 1;
        if seen.tokens > limits.max_tokens {
            return Err(Refusal::too_large(format!(
                "The query has more than {} tokens; ask for less in one request.",
                limits.max_tokens
            )));
        }
    }
    Ok(seen)
}

/// Fields (with fragment spreads) and aliases of a selection, fragments expanded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Size {
    pub fields: usize,
    pub aliases: usize,
}

impl Size {
    fn add(self, other: Size, times: usize) -> Size {
        Size {
            fields: self
                .fields
                .saturating_add(other.fields.saturating_mul(times)),
            aliases: self
                .aliases
                .saturating_add(other.aliases.saturating_mul(times)),
        }
    }
}

/// A selection set's own size, and the fragments it spreads (with repeats).
/// Recursion follows the nesting of the text, which [`scan`] bounded.
fn own_size<'a>(set: &'a SelectionSet, size: &mut Size, spreads: &mut Vec<&'a Name>) {
    for item in &set.items {
        size.fields = size.fields.saturating_add(1);
        match &item.node {
            Selection::Field(f) => {
                if f.node.alias.is_some() {
                    size.aliases = size.aliases.saturating_add(1);
                }
                own_size(&f.node.selection_set.node, size, spreads);
            }
            Selection::InlineFragment(f) => own_size(&f.node.selection_set.node, size, spreads),
            Selection::FragmentSpread(s) => spreads.push(&s.node.fragment_name.node),
        }
    }
}

/// Sums a selection's own size with the expanded sizes of the fragments it spreads.
fn expanded(own: Size, spreads: &[&Name], totals: &HashMap<&Name, Size>) -> Size {
    let mut counts: HashMap<&Name, usize> = HashMap::new();
    for s in spreads {
        *counts.entry(*s).or_default() += 1;
    }
    counts.into_iter().fold(own, |size, (name, times)| {
        // An unknown fragment is the validator's to report; it adds nothing here.
        totals
            .get(name)
            .map_or(size, |total| size.add(*total, times))
    })
}

/// Refuses a document that, fragments expanded, has more fields or aliases than
/// allowed, or whose fragments spread themselves. Each fragment is counted once;
/// the walk over fragments uses an explicit stack, so a long chain of them cannot
/// overflow the thread's.
pub fn check_document(doc: &ExecutableDocument, limits: &Limits) -> Result<Size, Refusal> {
    let mut own: HashMap<&Name, (Size, Vec<&Name>)> = HashMap::new();
    for (name, fragment) in &doc.fragments {
        let mut size = Size::default();
        let mut spreads = Vec::new();
        own_size(&fragment.node.selection_set.node, &mut size, &mut spreads);
        own.insert(name, (size, spreads));
    }

    #[derive(PartialEq)]
    enum State {
        Visiting,
        Done,
    }
    let mut state: HashMap<&Name, State> = HashMap::new();
    let mut totals: HashMap<&Name, Size> = HashMap::new();
    let mut names: Vec<&Name> = own.keys().copied().collect();
    names.sort();
    for root in names {
        if state.contains_key(root) {
            continue;
        }
        state.insert(root, State::Visiting);
        let mut stack: Vec<(&Name, usize)> = vec![(root, 0)];
        while let Some((name, next)) = stack.last_mut() {
            let (size, spreads) = &own[*name];
            if let Some(spread) = spreads.get(*next) {
                *next += 1;
                if !own.contains_key(*spread) {
                    continue;
                }
                match state.get(*spread) {
                    Some(State::Visiting) => {
                        return Err(Refusal::new(
                            ErrorCode::GraphqlValidationFailed,
                            format!(
                                "The fragment `{}` spreads itself (through `{}`); fragments must not form cycles.",
                                super::codes::excerpt(spread, 60),
                                super::codes::excerpt(name, 60)
                            ),
                        ))
                    }
                    Some(State::Done) => {}
                    None => {
                        state.insert(spread, State::Visiting);
                        stack.push((spread, 0));
                    }
                }
            } else {
                let total = expanded(*size, spreads, &totals);
                if total.fields > limits.max_fields {
                    return Err(too_many_fields(limits));
                }
                let name = *name;
                totals.insert(name, total);
                state.insert(name, State::Done);
                stack.pop();
            }
        }
    }

    let mut whole = Size::default();
    for (_, operation) in doc.operations.iter() {
        let mut size = Size::default();
        let mut spreads = Vec::new();
        own_size(&operation.node.selection_set.node, &mut size, &mut spreads);
        whole = whole.add(expanded(size, &spreads, &totals), 1);
    }
    if whole.fields > limits.max_fields {
        return Err(too_many_fields(limits));
    }
    if whole.aliases > limits.max_aliases {
        return Err(Refusal::too_large(format!(
            "The query has {} aliased fields once its fragments are expanded; the limit is {}.",
            whole.aliases, limits.max_aliases
        )));
    }
    Ok(whole)
}

fn too_many_fields(limits: &Limits) -> Refusal {
    Refusal::too_large(format!(
        "The query would select more than {} fields once its fragments are expanded; ask for less, or split it into several requests.",
        limits.max_fields
    ))
}

/// Scans, parses and checks a query: the document, or the refusal as a coded error.
pub fn parse(query: &str, limits: &Limits) -> Result<ExecutableDocument, ServerError> {
    scan(query, limits)?;
    let doc = async_graphql::parser::parse_query(query).map_err(|e| {
        let mut err = ServerError::from(Refusal::new(
            ErrorCode::GraphqlParseFailed,
            super::codes::excerpt(&e.to_string(), 300),
        ));
        err.locations = e.positions().collect();
        err
    })?;
    check_document(&doc, limits)?;
    Ok(doc)
}

/// The complexity one request, or a whole batch, may still spend. The complexity
/// of each operation is known once it is validated, before it runs; an operation
/// that would overspend is refused.
#[derive(Debug)]
pub struct Budget(AtomicUsize);

impl Budget {
    pub fn new(complexity: usize) -> Self {
        Budget(AtomicUsize::new(complexity))
    }

    /// Takes `cost` from the budget; false (and nothing taken) if it is not there.
    pub fn spend(&self, cost: usize) -> bool {
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(cost)
            })
            .is_ok()
    }

    /// What is left.
    pub fn left(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    fn code(r: Result<impl std::fmt::Debug, Refusal>) -> ErrorCode {
        r.expect_err("refused").code
    }

    #[test]
    fn an_ordinary_query_passes_every_gate() {
        let q = "query Q($id: ID!) { actor(id: $id) { ...A relations(first: 5) { edges { node { id } } } } } fragment A on Actor { id name @include(if: true) }";
        let s = scan(q, &limits()).unwrap();
        assert_eq!(s.directives, 1);
        let doc = parse(q, &limits()).unwrap();
        let size = check_document(&doc, &limits()).unwrap();
        assert_eq!(
            size,
            Size {
                fields: 8,
                aliases: 0
            }
        );
    }

    #[test]
    fn deeply_nested_values_are_refused_before_parsing() {
        let q = format!(
            "{{ actor(id: {}1{}) {{ id }} }}",
            "[".repeat(2_000),
            "]".repeat(2_000)
        );
        assert_eq!(code(scan(&q, &limits())), ErrorCode::QueryTooDeep);
        let q = format!("{{ a(x: {}1{}) }}", "{a:".repeat(5_000), "}".repeat(5_000));
        assert_eq!(code(scan(&q, &limits())), ErrorCode::QueryTooDeep);
    }

    #[test]
    fn brackets_inside_strings_and_comments_do_not_count() {
        let q = format!(
            "{{ actors(search: \"{}\") {{ totalCount }} }} # {}\n{{ a(x: \"\"\"{}\\\"\"\"\"\"\") }}",
            "[".repeat(500),
            "{".repeat(500),
            "(".repeat(500)
        );
        assert_eq!(scan(&q, &limits()).unwrap().nesting, 2);
    }

    #[test]
    fn too_many_tokens_bytes_or_directives_are_refused() {
        let q = format!("{{ {} }}", "a ".repeat(30_000));
        assert_eq!(code(scan(&q, &limits())), ErrorCode::QueryTooLarge);
        let q = "a".repeat(Limits::MAX_QUERY_BYTES + 1);
        assert_eq!(code(scan(&q, &limits())), ErrorCode::QueryTooLarge);
        let q = format!("{{ id {} }}", "@skip(if: false) ".repeat(200));
        assert_eq!(code(scan(&q, &limits())), ErrorCode::QueryTooLarge);
    }

    #[test]
    fn fragment_fan_out_is_counted_without_expanding_it() {
        // F0 spreads F1 ten times, …, F8 spreads F9 ten times: 10^9 fields expanded.
        let mut q = String::from("{ ...F0 }\n");
        for i in 0..9 {
            q.push_str(&format!(
                "fragment F{i} on Query {{ {} }}\n",
                format!("...F{} ", i + 1).repeat(10)
            ));
        }
        q.push_str("fragment F9 on Query { __typename }");
        let doc = async_graphql::parser::parse_query(&q).unwrap();
        let started = std::time::Instant::now();
        assert_eq!(
            code(check_document(&doc, &limits())),
            ErrorCode::QueryTooLarge
        );
        // Not a timing assertion on the machine: a bound on the work, 10^9 fields
        // would take minutes.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn a_long_chain_of_fragments_does_not_overflow_the_stack() {
        let n = 5_000;
        let mut q = String::from("{ ...F0 }\n");
        for i in 0..n {
            q.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1));
        }
        q.push_str(&format!("fragment F{n} on Query {{ __typename }}"));
        let big = Limits {
            max_tokens: 1_000_000,
            max_query_bytes: 10_000_000,
            max_fields: 1_000_000,
            ..limits()
        };
        let doc = async_graphql::parser::parse_query(&q).unwrap();
        let size = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || check_document(&doc, &big))
            .unwrap()
            .join()
            .unwrap()
            .unwrap();
        assert_eq!(size.fields, n + 2);
    }

    #[test]
    fn fragment_cycles_are_refused() {
        let q = "{ ...A } fragment A on Query { ...B ...B } fragment B on Query { ...A ...A }";
        let doc = async_graphql::parser::parse_query(q).unwrap();
        assert_eq!(
            code(check_document(&doc, &limits())),
            ErrorCode::GraphqlValidationFailed
        );
    }

    #[test]
    fn aliases_are_counted_through_fragments() {
        let q = format!(
            "{{ ...A ...A ...A }} fragment A on Query {{ {} }}",
            (0..70)
                .map(|i| format!("a{i}: __typename "))
                .collect::<String>()
        );
        let doc = async_graphql::parser::parse_query(&q).unwrap();
        assert_eq!(
            code(check_document(&doc, &limits())),
            ErrorCode::QueryTooLarge
        );
    }

    #[test]
    fn a_budget_is_spent_until_it_is_gone() {
        let b = Budget::new(10);
        assert!(b.spend(6));
        assert!(!b.spend(6));
        assert!(b.spend(4));
        assert_eq!(b.left(), 0);
    }
}
