//! `RelationConnection.aggregate`: figures over every relation of a list, not only
//! its page, read through the request's aggregate loader (one store call for a
//! level's connections, as for their pages).

use async_graphql::{Object, SimpleObject};

use super::types::RelationTypeCount;
use crate::domain::aggregate::{Aggregate, AmountStats, DateSpan};
use crate::domain::ActorKind;

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Figures over every relation of a list (all its pages): how many, their amounts
/// per currency, the span of their dates, and how they divide by type and by the
/// kind of the actor at their other end.
pub struct RelationAggregateNode(pub Aggregate);

/// Figures over every relation of a list (all its pages).
#[Object(name = "RelationAggregate")]
impl RelationAggregateNode {
    /// How many relations the list has (as `totalCount`).
    async fn count(&self) -> i32 {
        count(self.0.count)
    }

    /// The amounts, one entry per currency (amounts in different currencies are
    /// never added together), by currency code; empty when no relation of the
    /// list has an amount.
    async fn amounts(&self) -> Vec<AmountAggregate> {
        self.0.amounts().map(AmountAggregate::from).collect()
    }

    /// The earliest and latest start dates; null when no relation has one.
    async fn start(&self) -> Option<DateSpanNode> {
        self.0.start.map(DateSpanNode)
    }

    /// The earliest and latest end dates; null when no relation has one.
    async fn end(&self) -> Option<DateSpanNode> {
        self.0.end.map(DateSpanNode)
    }

    /// How many relations have each type, for the types present, in the order of
    /// `RelationType`.
    async fn by_type(&self) -> Vec<RelationTypeCount> {
        self.0
            .by_type()
            .map(|(kind, n)| RelationTypeCount {
                kind,
                count: count(n),
            })
            .collect()
    }

    /// For one actor's relations (`Actor.relations`, `relations(actorId:)`, or
    /// a `where` that ties every relation to one actor): how many have an actor
    /// of each kind at their other end, for the kinds present, in the order of
    /// `ActorKind`. Null for a list that is not one actor's relations.
    async fn by_other_end_kind(&self) -> Option<Vec<OtherEndKindCount>> {
        self.0.by_other_kind().map(|kinds| {
            kinds
                .into_iter()
                .map(|(kind, n)| OtherEndKindCount {
                    kind,
                    count: count(n),
                })
                .collect()
        })
    }
}

/// How many of an actor's relations have an actor of a kind at their other end.
#[derive(SimpleObject)]
pub struct OtherEndKindCount {
    /// The kind of the actor at the other end.
    pub kind: ActorKind,
    /// Relations whose other end is of that kind.
    pub count: i32,
}

/// The amounts of a list's relations in one currency.
#[derive(SimpleObject)]
pub struct AmountAggregate {
    /// ISO 4217 currency code, e.g. `USD`.
    pub currency: String,
    /// How many relations have an amount in this currency.
    pub count: i32,
    /// Their total, in the currency's main unit.
    pub sum: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    /// Their mean: `sum / count`.
    pub average: f64,
}

impl From<&AmountStats> for AmountAggregate {
    fn from(s: &AmountStats) -> Self {
        AmountAggregate {
            currency: s.currency.clone(),
            count: count(s.count),
            sum: s.sum,
            min: s.min,
            max: s.max,
            average: s.average(),
        }
    }
}

/// The earliest and latest of a list's start (or end) dates.
pub struct DateSpanNode(pub DateSpan);

/// The earliest and latest of a list's start (or end) dates, each at the precision
/// it was stated with. Dates order as written: by year, month and day, a coarser
/// date before the finer ones it contains (`2015` before `2015-01`).
#[Object(name = "DateSpan")]
impl DateSpanNode {
    /// The earliest date: `2015`, `2024-02` or `2015-01-16`.
    async fn earliest(&self) -> String {
        self.0.earliest.to_string()
    }

    /// The latest date.
    async fn latest(&self) -> String {
        self.0.latest.to_string()
    }

    /// How many relations have the date.
    async fn count(&self) -> i32 {
        count(self.0.count)
    }
}
