//! Aggregates of a list of relations: how many, their amounts per currency, the
//! span of their dates, and how they divide by type and by the kind of the actor
//! at their other end.
//!
//! Every store builds them with [`Aggregate`]: the embedded store adds each
//! relation, the Neo4j store adds the groups its query returns (relations of one
//! type, currency and kind of other end, already summed), so both answer alike.

use std::collections::BTreeMap;

use super::{ActorKind, PartialDate, Relation, RelationType};

/// The amounts of one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct AmountStats {
    /// ISO 4217 code.
    pub currency: String,
    /// How many relations have an amount in this currency.
    pub count: usize,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl AmountStats {
    /// The mean of the amounts.
    pub fn average(&self) -> f64 {
        self.sum / self.count.max(1) as f64
    }
}

/// The earliest and latest of the relations' start (or end) dates. Dates order as
/// they are written: by year, month and day, a coarser date before the finer ones
/// it contains (`2015` before `2015-01`), as everywhere dates are sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    pub earliest: PartialDate,
    pub latest: PartialDate,
    /// How many relations have the date.
    pub count: usize,
}

impl DateSpan {
    fn of(date: PartialDate) -> Self {
        DateSpan {
            earliest: date,
            latest: date,
            count: 1,
        }
    }

    fn merge(&mut self, other: DateSpan) {
        if other.earliest.sort_key() < self.earliest.sort_key() {
            self.earliest = other.earliest;
        }
        if other.latest.sort_key() > self.latest.sort_key() {
            self.latest = other.latest;
        }
        self.count += other.count;
    }
}

/// Relations alike in type, currency and kind of other end, summed: what a store
/// adds to an [`Aggregate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub kind: RelationType,
    /// The kind of the actor at the other end (for an actor's relations).
    pub other: Option<ActorKind>,
    pub count: usize,
    /// The group's amounts, when its relations have some (one currency).
    pub amounts: Option<AmountStats>,
    pub start: Option<DateSpan>,
    pub end: Option<DateSpan>,
}

impl Group {
    /// One relation as a group, with the kind of its other end.
    pub fn of(r: &Relation, other: Option<ActorKind>) -> Self {
        Group {
            kind: r.kind,
            other,
            count: 1,
            amounts: r.amount.as_ref().map(|m| AmountStats {
                currency: m.currency.clone(),
                count: 1,
                sum: m.value,
                min: m.value,
                max: m.value,
            }),
            start: r.start.as_ref().map(|d| DateSpan::of(d.date)),
            end: r.end.as_ref().map(|d| DateSpan::of(d.date)),
        }
    }
}

/// The aggregate of a list of relations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregate {
    pub count: usize,
    /// Per currency, by currency code.
    amounts: BTreeMap<String, AmountStats>,
    pub start: Option<DateSpan>,
    pub end: Option<DateSpan>,
    by_type: BTreeMap<RelationType, usize>,
    /// `None` for a list that is not one actor's relations.
    by_other_kind: Option<BTreeMap<ActorKind, usize>>,
}

impl Aggregate {
    /// An empty aggregate; `of_actor` when the list is one actor's relations, so
    /// that it counts the kinds at their other ends.
    pub fn new(of_actor: bool) -> Self {
        Aggregate {
            by_other_kind: of_actor.then(BTreeMap::new),
            ..Aggregate::default()
        }
    }

    /// Adds a group of relations.
    pub fn add(&mut self, group: Group) {
        self.count += group.count;
        *self.by_type.entry(group.kind).or_default() += group.count;
        if let (Some(by_kind), Some(kind)) = (self.by_other_kind.as_mut(), group.other) {
            *by_kind.entry(kind).or_default() += group.count;
        }
        if let Some(a) = group.amounts {
            match self.amounts.get_mut(&a.currency) {
                Some(s) => {
                    s.count += a.count;
                    s.sum += a.sum;
                    s.min = s.min.min(a.min);
                    s.max = s.max.max(a.max);
                }
                None => {
                    self.amounts.insert(a.currency.clone(), a);
                }
            }
        }
        for (mine, theirs) in [(&mut self.start, group.start), (&mut self.end, group.end)] {
            match (mine.as_mut(), theirs) {
                (Some(m), Some(t)) => m.merge(t),
                (None, Some(t)) => *mine = Some(t),
                _ => {}
            }
        }
    }

    /// The amounts per currency, by currency code.
    pub fn amounts(&self) -> impl Iterator<Item = &AmountStats> {
        self.amounts.values()
    }

    /// The number of relations of each type present, in the types' order.
    pub fn by_type(&self) -> impl Iterator<Item = (RelationType, usize)> + '_ {
        self.by_type.iter().map(|(k, n)| (*k, *n))
    }

    /// The number of relations whose other end is of each kind present, in the
    /// kinds' order; `None` for a list that is not one actor's relations.
    pub fn by_other_kind(&self) -> Option<Vec<(ActorKind, usize)>> {
        self.by_other_kind
            .as_ref()
            .map(|m| m.iter().map(|(k, n)| (*k, *n)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::filter::tests::relation;

    #[test]
    fn groups_add_up_per_currency_type_and_kind() {
        let mut a = Aggregate::new(true);
        for (r, kind) in [
            (
                relation(RelationType::Contract, Some((600.0, "USD")), Some("2013")),
                ActorKind::Company,
            ),
            (
                relation(
                    RelationType::Contract,
                    Some((100.0, "USD")),
                    Some("2013-06"),
                ),
                ActorKind::Company,
            ),
            (
                relation(RelationType::Lease, Some((5.0, "KRW")), Some("2012-12-31")),
                ActorKind::Government,
            ),
            (
                relation(RelationType::Lease, None, None),
                ActorKind::Company,
            ),
        ] {
            a.add(Group::of(&r, Some(kind)));
        }
        assert_eq!(a.count, 4);
        let usd = a.amounts().find(|s| s.currency == "USD").unwrap();
        assert_eq!(
            (usd.count, usd.sum, usd.min, usd.max),
            (2, 700.0, 100.0, 600.0)
        );
        assert_eq!(usd.average(), 350.0);
        assert_eq!(
            a.amounts().map(|s| s.currency.as_str()).collect::<Vec<_>>(),
            ["KRW", "USD"]
        );
        let start = a.start.unwrap();
        assert_eq!(
            (
                start.earliest.to_string(),
                start.latest.to_string(),
                start.count
            ),
            ("2012-12-31".into(), "2013-06".into(), 3)
        );
        assert_eq!(a.end, None);
        assert_eq!(
            a.by_type().collect::<Vec<_>>(),
            [(RelationType::Contract, 2), (RelationType::Lease, 2)]
        );
        assert_eq!(
            a.by_other_kind().unwrap(),
            [(ActorKind::Company, 3), (ActorKind::Government, 1)]
        );
        assert_eq!(Aggregate::new(false).by_other_kind(), None);
    }
}
