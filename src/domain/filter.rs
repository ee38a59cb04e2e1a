//! `where` conditions on relations: a tree of tests joined by all / any / not,
//! with one meaning for every store. The embedded store evaluates the tree
//! ([`Condition::holds`]); the Neo4j store evaluates the same tree written in
//! postfix order ([`Condition::postfix`]) with one static Cypher expression, so no
//! statement is built from a client's text.
//!
//! A test on a field the relation does not have is false (a relation without an
//! amount is neither above nor below any amount), and `not` makes it true. Dates
//! compare at the coarser of the two precisions, as `asOf` does: a start of `2015`
//! is neither before nor after `2015-03`, so it passes `gte: "2015-03"` and
//! `lte: "2015-03"` but not `gt` or `lt`. Text tests ignore case.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use super::{ActorId, Direction, PartialDate, Relation, RelationType, SourceId};

/// How many tests and joins a condition may hold: bounds the work per relation.
pub const MAX_NODES: usize = 64;

/// How deep joins may nest.
pub const MAX_DEPTH: usize = 8;

/// A finite amount that compares and hashes by value (so that equal conditions
/// batch together).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Number(f64);

impl Number {
    /// `value`, when it is finite (`-0` is `0`).
    pub fn new(value: f64) -> Option<Self> {
        value.is_finite().then_some(Number(value + 0.0))
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl Eq for Number {}

impl Hash for Number {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

/// A comparison with a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compare {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Compare {
    /// Whether `ordering` (the value against the bound) passes.
    pub fn passes(self, ordering: Ordering) -> bool {
        match self {
            Compare::Gt => ordering.is_gt(),
            Compare::Gte => ordering.is_ge(),
            Compare::Lt => ordering.is_lt(),
            Compare::Lte => ordering.is_le(),
        }
    }

    /// The operator's name in the schema (`gt`, …).
    pub fn name(self) -> &'static str {
        match self {
            Compare::Gt => "gt",
            Compare::Gte => "gte",
            Compare::Lt => "lt",
            Compare::Lte => "lte",
        }
    }
}

/// Which of a relation's dates a test reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateField {
    Start,
    End,
}

/// One test on a relation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Test {
    /// Its type is one of these.
    Type(Vec<RelationType>),
    /// It goes from one of these actors.
    From(Vec<ActorId>),
    /// It goes to one of these actors.
    To(Vec<ActorId>),
    /// It has an amount in this currency.
    Currency(String),
    /// It has an amount in this currency that compares so with the bound.
    Amount {
        currency: String,
        compare: Compare,
        bound: Number,
    },
    /// It has this date, and the date compares so with the bound (at the coarser
    /// precision of the two).
    Date {
        field: DateField,
        compare: Compare,
        bound: PartialDate,
    },
    /// It has this date, inferred (or stated, with `false`).
    DateInferred { field: DateField, inferred: bool },
    /// It has this date at all.
    DateExists(DateField),
    /// Its status is one of these (as written, ignoring case).
    Status(Vec<String>),
    /// Its role is one of these (as written, ignoring case).
    Role(Vec<String>),
    /// One of its evidence passages comes from one of these sources.
    Source(Vec<SourceId>),
    /// Its summary contains this text (ignoring case).
    SummaryContains(String),
    /// One of its quotes contains this text (ignoring case).
    QuoteContains(String),
}

/// A condition: tests joined by all / any / not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Test(Test),
}

/// One step of a condition in postfix order: push a test's outcome, or combine
/// the last `n` outcomes (`All`/`Any`) or negate the last one.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<'a> {
    Test(&'a Test),
    All(usize),
    Any(usize),
    Not,
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

impl Test {
    /// Whether the relation passes the test.
    pub fn holds(&self, r: &Relation) -> bool {
        let date = |field: &DateField| match field {
            DateField::Start => r.start.as_ref(),
            DateField::End => r.end.as_ref(),
        };
        match self {
            Test::Type(types) => types.contains(&r.kind),
            Test::From(ids) => ids.contains(&r.from),
            Test::To(ids) => ids.contains(&r.to),
            Test::Currency(currency) => r.amount.as_ref().is_some_and(|m| &m.currency == currency),
            Test::Amount {
                currency,
                compare,
                bound,
            } => r.amount.as_ref().is_some_and(|m| {
                &m.currency == currency
                    && m.value
                        .partial_cmp(&bound.get())
                        .is_some_and(|o| compare.passes(o))
            }),
            Test::Date {
                field,
                compare,
                bound,
            } => date(field).is_some_and(|d| compare.passes(d.date.cmp_coarse(bound))),
            Test::DateInferred { field, inferred } => {
                date(field).is_some_and(|d| d.inferred == *inferred)
            }
            Test::DateExists(field) => date(field).is_some(),
            Test::Status(values) => r
                .status
                .as_deref()
                .is_some_and(|s| values.iter().any(|v| lower(v) == lower(s))),
            Test::Role(values) => r
                .role
                .as_deref()
                .is_some_and(|s| values.iter().any(|v| lower(v) == lower(s))),
            Test::Source(ids) => r.evidence.iter().any(|e| ids.contains(&e.source)),
            Test::SummaryContains(text) => lower(&r.summary).contains(&lower(text)),
            Test::QuoteContains(text) => {
                let text = lower(text);
                r.evidence.iter().any(|e| lower(&e.quote).contains(&text))
            }
        }
    }
}

impl Condition {
    /// Whether the relation passes the condition. `All` of nothing passes, `Any`
    /// of nothing does not.
    pub fn holds(&self, r: &Relation) -> bool {
        match self {
            Condition::All(parts) => parts.iter().all(|c| c.holds(r)),
            Condition::Any(parts) => parts.iter().any(|c| c.holds(r)),
            Condition::Not(c) => !c.holds(r),
            Condition::Test(t) => t.holds(r),
        }
    }

    /// How many tests and joins the condition holds.
    pub fn nodes(&self) -> usize {
        match self {
            Condition::All(parts) | Condition::Any(parts) => {
                1 + parts.iter().map(Condition::nodes).sum::<usize>()
            }
            Condition::Not(c) => 1 + c.nodes(),
            Condition::Test(_) => 1,
        }
    }

    /// How deep its joins nest (a test alone: 0).
    pub fn depth(&self) -> usize {
        match self {
            Condition::All(parts) | Condition::Any(parts) => {
                1 + parts.iter().map(Condition::depth).max().unwrap_or(0)
            }
            Condition::Not(c) => 1 + c.depth(),
            Condition::Test(_) => 0,
        }
    }

    /// The condition in postfix order, each join after its parts.
    pub fn postfix(&self) -> Vec<Step<'_>> {
        let mut out = Vec::with_capacity(self.nodes());
        self.push_postfix(&mut out);
        out
    }

    fn push_postfix<'a>(&'a self, out: &mut Vec<Step<'a>>) {
        match self {
            Condition::All(parts) => {
                parts.iter().for_each(|c| c.push_postfix(out));
                out.push(Step::All(parts.len()));
            }
            Condition::Any(parts) => {
                parts.iter().for_each(|c| c.push_postfix(out));
                out.push(Step::Any(parts.len()));
            }
            Condition::Not(c) => {
                c.push_postfix(out);
                out.push(Step::Not);
            }
            Condition::Test(t) => out.push(Step::Test(t)),
        }
    }

    /// The relation types every passing relation has, when the condition says
    /// (a `Type` test among the parts of a top-level `All`, or alone): what a
    /// store may read instead of every type. `None` when any type may pass.
    pub fn required_types(&self) -> Option<Vec<RelationType>> {
        match self {
            Condition::Test(Test::Type(types)) => {
                let mut types = types.clone();
                types.sort();
                types.dedup();
                Some(types)
            }
            Condition::All(parts) => parts
                .iter()
                .filter_map(Condition::required_types)
                .reduce(|a, b| a.into_iter().filter(|t| b.contains(t)).collect()),
            _ => None,
        }
    }
}

/// What every relation passing a condition is tied to, when the condition says:
/// one actor, at an end ([`Condition::anchor`]), or one quoted source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    Actor(ActorId, Direction),
    Source(SourceId),
}

impl Condition {
    /// The one actor or source every relation that passes the condition is tied
    /// to, when a part that must hold says so: `fromId: [x]` (x, OUT), `toId:
    /// [x]` (x, IN), either of the two (x, BOTH), `sourceId: [s]`. A list of
    /// the whole graph with such a condition is the anchor's list with it: the
    /// stores answer that from the anchor's relations instead of every one.
    pub fn anchor(&self) -> Option<Anchor> {
        let single = |ids: &[ActorId]| (ids.len() == 1).then(|| ids[0].clone());
        match self {
            Condition::Test(Test::From(ids)) => {
                single(ids).map(|a| Anchor::Actor(a, Direction::Out))
            }
            Condition::Test(Test::To(ids)) => single(ids).map(|a| Anchor::Actor(a, Direction::In)),
            Condition::Test(Test::Source(ids)) if ids.len() == 1 => {
                Some(Anchor::Source(ids[0].clone()))
            }
            Condition::Any(parts) => match parts.as_slice() {
                [Condition::Test(Test::From(a)), Condition::Test(Test::To(b))]
                | [Condition::Test(Test::To(b)), Condition::Test(Test::From(a))]
                    if a == b =>
                {
                    single(a).map(|a| Anchor::Actor(a, Direction::Both))
                }
                _ => None,
            },
            // An actor anchor first (its list is the shorter, usually).
            Condition::All(parts) => {
                let anchors: Vec<Anchor> = parts.iter().filter_map(Condition::anchor).collect();
                anchors
                    .iter()
                    .find(|a| matches!(a, Anchor::Actor(..)))
                    .or(anchors.first())
                    .cloned()
            }
            _ => None,
        }
    }
}

/// How many relations of some types, in a direction, an actor must have: `min`
/// or more, and `max` or fewer when given (`min: 1` for "some", `max: 0` for
/// "none").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RelationCount {
    /// The types counted; all when empty.
    pub types: Vec<RelationType>,
    /// OUT: relations the actor is the `from` of; IN: the `to` of; BOTH: either.
    pub direction: Direction,
    pub min: u32,
    pub max: Option<u32>,
}

impl RelationCount {
    /// Whether `r`, one of `actor`'s relations, is counted.
    pub fn counts(&self, actor: &ActorId, r: &Relation) -> bool {
        let direction = match self.direction {
            Direction::Out => &r.from == actor,
            Direction::In => &r.to == actor,
            Direction::Both => true,
        };
        direction && (self.types.is_empty() || self.types.contains(&r.kind))
    }

    /// Whether an actor with `n` counted relations passes.
    pub fn admits(&self, n: usize) -> bool {
        n >= self.min as usize && self.max.is_none_or(|max| n <= max as usize)
    }
}

/// Evaluates a postfix program the way the Neo4j store's Cypher does (a stack of
/// outcomes), so that tests can check the two readings agree.
pub fn run_postfix(steps: &[Step<'_>], r: &Relation) -> Option<bool> {
    let mut stack: Vec<bool> = Vec::new();
    for step in steps {
        match step {
            Step::Test(t) => stack.push(t.holds(r)),
            Step::All(n) | Step::Any(n) => {
                let at = stack.len().checked_sub(*n)?;
                let parts = stack.split_off(at);
                stack.push(match step {
                    Step::All(_) => parts.iter().all(|b| *b),
                    _ => parts.iter().any(|b| *b),
                });
            }
            Step::Not => {
                let last = stack.pop()?;
                stack.push(!last);
            }
        }
    }
    match stack.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::{DateValue, Evidence, Meta, Money};

    /// A relation from the CIA to Amazon with this type, amount and start (for
    /// the domain's tests).
    pub(crate) fn relation(
        kind: RelationType,
        amount: Option<(f64, &str)>,
        start: Option<&str>,
    ) -> Relation {
        Relation {
            id: crate::domain::RelationId::parse("r".to_string()).unwrap(),
            kind,
            from: ActorId::parse("cia".to_string()).unwrap(),
            to: ActorId::parse("amazon".to_string()).unwrap(),
            summary: "The CIA buys cloud services from Amazon".to_string(),
            amount: amount.map(|(value, currency)| Money {
                value,
                currency: currency.to_string(),
            }),
            start: start.map(|s| DateValue {
                date: s.parse().unwrap(),
                inferred: false,
                note: None,
            }),
            end: None,
            role: None,
            area: None,
            status: Some("Signed".to_string()),
            note: None,
            evidence: vec![Evidence {
                source: SourceId::parse("article".to_string()).unwrap(),
                quote: "아마존은 CIA와 6억 달러 규모의 계약을 맺었다".to_string(),
            }],
            meta: Meta::default(),
        }
    }

    fn test(t: Test) -> Condition {
        Condition::Test(t)
    }

    fn date(compare: Compare, bound: &str) -> Condition {
        test(Test::Date {
            field: DateField::Start,
            compare,
            bound: bound.parse().unwrap(),
        })
    }

    #[test]
    fn dates_compare_at_the_coarser_precision() {
        let r = relation(RelationType::Contract, None, Some("2015"));
        assert!(date(Compare::Gte, "2015-03").holds(&r));
        assert!(date(Compare::Lte, "2015-03").holds(&r));
        assert!(!date(Compare::Gt, "2015-03").holds(&r));
        assert!(!date(Compare::Lt, "2015-03").holds(&r));
        assert!(date(Compare::Gt, "2014-12-31").holds(&r));
        let undated = relation(RelationType::Contract, None, None);
        assert!(!date(Compare::Gte, "1900").holds(&undated));
        assert!(Condition::Not(Box::new(date(Compare::Gte, "1900"))).holds(&undated));
    }

    #[test]
    fn amounts_compare_within_their_currency_only() {
        let r = relation(RelationType::Contract, Some((600e6, "USD")), None);
        let above = |currency: &str, bound: f64| {
            test(Test::Amount {
                currency: currency.to_string(),
                compare: Compare::Gt,
                bound: Number::new(bound).unwrap(),
            })
        };
        assert!(above("USD", 1e6).holds(&r));
        assert!(!above("KRW", 1e6).holds(&r));
        assert!(!above("USD", 600e6).holds(&r));
        let none = relation(RelationType::Contract, None, None);
        assert!(!above("USD", 0.0).holds(&none));
    }

    #[test]
    fn text_tests_ignore_case_and_read_every_quote() {
        let r = relation(RelationType::Contract, None, None);
        assert!(test(Test::SummaryContains("cloud SERVICES".into())).holds(&r));
        assert!(test(Test::QuoteContains("6억 달러".into())).holds(&r));
        assert!(test(Test::QuoteContains("cia와".into())).holds(&r));
        assert!(test(Test::Status(vec!["signed".into()])).holds(&r));
        assert!(!test(Test::Role(vec!["signed".into()])).holds(&r));
    }

    #[test]
    fn the_postfix_reading_agrees_with_the_tree() {
        let contract = relation(RelationType::Contract, Some((600e6, "USD")), Some("2013"));
        let lobbying = relation(RelationType::Lobbying, None, Some("2015-01"));
        let conditions = [
            Condition::All(vec![]),
            Condition::Any(vec![]),
            Condition::Any(vec![
                test(Test::Type(vec![RelationType::Lobbying])),
                Condition::All(vec![
                    test(Test::Currency("USD".into())),
                    Condition::Not(Box::new(date(Compare::Gt, "2014"))),
                ]),
            ]),
            Condition::Not(Box::new(Condition::All(vec![
                date(Compare::Gte, "2013"),
                date(Compare::Lte, "2015"),
                test(Test::Type(vec![RelationType::Contract])),
            ]))),
        ];
        for c in &conditions {
            for r in [&contract, &lobbying] {
                assert_eq!(run_postfix(&c.postfix(), r), Some(c.holds(r)), "{c:?}");
            }
        }
        assert!(conditions[2].holds(&contract) && conditions[2].holds(&lobbying));
        assert!(!conditions[3].holds(&contract) && conditions[3].holds(&lobbying));
    }

    #[test]
    fn a_relation_count_counts_the_actors_relations_of_its_types_and_direction() {
        let r = relation(RelationType::Contract, None, None); // cia -> amazon
        let cia = ActorId::parse("cia".to_string()).unwrap();
        let amazon = ActorId::parse("amazon".to_string()).unwrap();
        let count = |types: Vec<RelationType>, direction| RelationCount {
            types,
            direction,
            min: 1,
            max: None,
        };
        assert!(count(vec![], Direction::Out).counts(&cia, &r));
        assert!(!count(vec![], Direction::Out).counts(&amazon, &r));
        assert!(count(vec![], Direction::In).counts(&amazon, &r));
        assert!(count(vec![RelationType::Contract], Direction::Both).counts(&amazon, &r));
        assert!(!count(vec![RelationType::Lease], Direction::Both).counts(&cia, &r));
        let none = RelationCount {
            max: Some(0),
            min: 0,
            ..count(vec![], Direction::Both)
        };
        assert!(none.admits(0) && !none.admits(1));
        assert!(
            count(vec![], Direction::Both).admits(1) && !count(vec![], Direction::Both).admits(0)
        );
    }

    #[test]
    fn the_types_a_condition_requires_narrow_what_a_store_reads() {
        let t = |types: Vec<RelationType>| test(Test::Type(types));
        use RelationType::{Contract, Lease, Lobbying};
        assert_eq!(
            t(vec![Lobbying, Contract]).required_types(),
            Some(vec![Contract, Lobbying])
        );
        let both = Condition::All(vec![
            t(vec![Contract, Lobbying]),
            date(Compare::Gte, "2013"),
            t(vec![Lobbying, Lease]),
        ]);
        assert_eq!(both.required_types(), Some(vec![Lobbying]));
        let either = Condition::Any(vec![t(vec![Contract]), t(vec![Lease])]);
        assert_eq!(either.required_types(), None, "not said at the top");
        assert_eq!(date(Compare::Gte, "2013").required_types(), None);
    }

    #[test]
    fn a_condition_naming_one_actor_or_source_at_an_end_anchors_the_list() {
        let id = |s: &str| ActorId::parse(s.to_string()).unwrap();
        let from = || Condition::Test(Test::From(vec![id("kt")]));
        let to = || Condition::Test(Test::To(vec![id("kt")]));
        let source = SourceId::parse("s".to_string()).unwrap();
        let cited = Condition::Test(Test::Source(vec![source.clone()]));
        assert_eq!(
            from().anchor(),
            Some(Anchor::Actor(id("kt"), Direction::Out))
        );
        assert_eq!(to().anchor(), Some(Anchor::Actor(id("kt"), Direction::In)));
        assert_eq!(
            Condition::Any(vec![from(), to()]).anchor(),
            Some(Anchor::Actor(id("kt"), Direction::Both))
        );
        assert_eq!(cited.anchor(), Some(Anchor::Source(source.clone())));
        assert_eq!(
            Condition::All(vec![cited.clone(), to()]).anchor(),
            Some(Anchor::Actor(id("kt"), Direction::In)),
            "an actor before a source"
        );
        assert_eq!(
            Condition::All(vec![cited]).anchor(),
            Some(Anchor::Source(source))
        );
        // Not when a part may fail to hold, or names more than one.
        assert_eq!(Condition::Not(Box::new(from())).anchor(), None);
        assert_eq!(
            Condition::Any(vec![from(), Condition::Test(Test::Type(vec![]))]).anchor(),
            None
        );
        let two = Condition::Test(Test::From(vec![id("kt"), id("cia")]));
        assert_eq!(two.anchor(), None);
        let other = Condition::Any(vec![from(), Condition::Test(Test::To(vec![id("cia")]))]);
        assert_eq!(other.anchor(), None);
    }
}
