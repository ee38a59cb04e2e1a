//! The `where` argument of relation lists: its input types, and how it becomes a
//! [`Condition`] (src/domain/filter.rs), refusing what cannot mean anything with
//! BAD_USER_INPUT and the path of the part to fix (`where.OR[1].amount.gt`).

use async_graphql::{InputObject, ID};

use super::error::ApiError;
use crate::domain::filter::{self, Compare, Condition, DateField, Number, RelationCount, Test};
use crate::domain::{ActorId, Direction, PartialDate, RelationType, SourceId};

/// The longest text a `…Contains` test may look for.
const MAX_TEXT: usize = 200;

/// Which relations to keep. Every field given must hold; `AND`, `OR` and `NOT`
/// combine conditions. A test on something a relation does not have (an amount, a
/// date, a status) does not hold, and `NOT` makes it hold.
#[derive(InputObject, Clone, Default, Debug)]
pub struct RelationWhere {
    /// Every one of these conditions holds.
    #[graphql(name = "AND")]
    pub and: Option<Vec<RelationWhere>>,
    /// At least one of these conditions holds.
    #[graphql(name = "OR")]
    pub or: Option<Vec<RelationWhere>>,
    /// This condition does not hold.
    #[graphql(name = "NOT")]
    pub not: Option<Box<RelationWhere>>,
    /// The relation's type is one of these.
    pub types: Option<Vec<RelationType>>,
    /// The relation goes from one of these actors.
    pub from_id: Option<Vec<ID>>,
    /// The relation goes to one of these actors.
    pub to_id: Option<Vec<ID>>,
    /// One of these actors is at the relation's end that `direction` names: its
    /// start (OUT), its end (IN), or either (BOTH, the default).
    pub actor: Option<ActorEndWhere>,
    /// The relation's amount: in a currency, and compared with bounds in it.
    pub amount: Option<AmountWhere>,
    /// When the relation began, compared at the coarser of the two precisions
    /// (a start of `2015` is neither before nor after `2015-03`).
    pub start: Option<DateWhere>,
    /// When the relation ended, compared as `start`.
    pub end: Option<DateWhere>,
    /// The relation's status is one of these, ignoring case (`signed`, `pending`…).
    pub status: Option<Vec<String>>,
    /// The relation's role is one of these, ignoring case.
    pub role: Option<Vec<String>>,
    /// One of the relation's evidence passages comes from one of these sources.
    pub source_id: Option<Vec<ID>>,
    /// The relation's summary contains this text, ignoring case.
    pub summary_contains: Option<String>,
    /// One of the relation's quotes contains this text, ignoring case.
    pub quote_contains: Option<String>,
}

/// Actors at an end of a relation.
#[derive(InputObject, Clone, Debug)]
pub struct ActorEndWhere {
    /// The actors' ids (at least one).
    pub ids: Vec<ID>,
    /// OUT: the relation goes from one of them; IN: to one of them; BOTH
    /// (default): either.
    #[graphql(default)]
    pub direction: Direction,
}

/// Bounds on an amount. Amounts compare only within one currency, so a bound
/// needs `currency`.
#[derive(InputObject, Clone, Default, Debug)]
pub struct AmountWhere {
    /// ISO 4217 code, e.g. `USD`: the relation has an amount in this currency.
    pub currency: Option<String>,
    /// The amount is greater than this.
    pub gt: Option<f64>,
    /// The amount is at least this.
    pub gte: Option<f64>,
    /// The amount is less than this.
    pub lt: Option<f64>,
    /// The amount is at most this.
    pub lte: Option<f64>,
}

/// Bounds on a date (`2015`, `2015-01` or `2015-01-16`), compared at the coarser of
/// the two precisions.
#[derive(InputObject, Clone, Default, Debug)]
pub struct DateWhere {
    /// After this date.
    pub gt: Option<String>,
    /// On or after this date.
    pub gte: Option<String>,
    /// Before this date.
    pub lt: Option<String>,
    /// On or before this date.
    pub lte: Option<String>,
    /// The date was worked out from context (true) or stated by the source (false).
    pub inferred: Option<bool>,
    /// The relation has this date at all (true) or not (false).
    pub exists: Option<bool>,
}

/// How many `relations` entries an actor condition may hold.
const MAX_RELATION_COUNTS: usize = 8;

/// Which actors to keep, beyond `search` and `kinds`.
#[derive(InputObject, Clone, Default, Debug)]
pub struct ActorWhere {
    /// The actor has these numbers of relations; every entry holds.
    pub relations: Option<Vec<RelationCountWhere>>,
}

/// A number of relations of some types, in a direction. Without bounds: at least
/// one ("has some"); `lte: 0`: none.
#[derive(InputObject, Clone, Default, Debug)]
pub struct RelationCountWhere {
    /// The types counted; all when omitted.
    pub types: Option<Vec<RelationType>>,
    /// OUT: relations from the actor; IN: relations to it; BOTH (default): all.
    #[graphql(default)]
    pub direction: Direction,
    /// At least this many.
    pub gte: Option<i32>,
    /// At most this many.
    pub lte: Option<i32>,
}

impl ActorWhere {
    /// The relation counts this input asks for, or a refusal naming the part to
    /// fix; `path` names this input (`where`).
    pub fn relation_counts(&self, path: &str) -> Result<Vec<RelationCount>, ApiError> {
        let Some(list) = &self.relations else {
            return Ok(vec![]);
        };
        let at = format!("{path}.relations");
        listed(&at, list)?;
        if list.len() > MAX_RELATION_COUNTS {
            return Err(refuse(
                &at,
                format!("{} entries; at most {MAX_RELATION_COUNTS}", list.len()),
            ));
        }
        list.iter()
            .enumerate()
            .map(|(i, c)| c.count(&format!("{at}[{i}]")))
            .collect()
    }
}

impl RelationCountWhere {
    fn count(&self, path: &str) -> Result<RelationCount, ApiError> {
        let bound = |name: &str, v: Option<i32>| -> Result<Option<u32>, ApiError> {
            v.map(|n| {
                u32::try_from(n)
                    .map_err(|_| refuse(&format!("{path}.{name}"), "a count is 0 or more"))
            })
            .transpose()
        };
        let (min, max) = (bound("gte", self.gte)?, bound("lte", self.lte)?);
        let min = match (min, max) {
            (Some(min), _) => min,
            (None, Some(_)) => 0,
            (None, None) => 1,
        };
        if max.is_some_and(|max| max < min) {
            return Err(refuse(path, "no count is within these bounds"));
        }
        let mut types = self.types.clone().unwrap_or_default();
        if self.types.is_some() {
            listed(&format!("{path}.types"), &types)?;
        }
        types.sort();
        types.dedup();
        Ok(RelationCount {
            types,
            direction: self.direction,
            min,
            max,
        })
    }
}

fn refuse(path: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::bad_input("where", format!("`{path}`: {message}"))
}

/// A non-empty list, or a refusal naming it.
fn listed<T>(path: &str, values: &[T]) -> Result<(), ApiError> {
    if values.is_empty() {
        Err(refuse(
            path,
            "the list is empty: give at least one value, or leave it out",
        ))
    } else {
        Ok(())
    }
}

/// A lower and an upper bound, each with its comparison, when given.
type Range<T> = (Option<(Compare, T)>, Option<(Compare, T)>);

/// The lower and the upper bound of `gt`/`gte` and `lt`/`lte`, one of each at most.
fn bounds<T: Clone>(
    path: &str,
    gt: &Option<T>,
    gte: &Option<T>,
    lt: &Option<T>,
    lte: &Option<T>,
) -> Result<Range<T>, ApiError> {
    let one = |strict: &Option<T>, loose: &Option<T>, s: Compare, l: Compare| match (strict, loose)
    {
        (Some(_), Some(_)) => Err(refuse(
            path,
            format!("give one of `{}` and `{}`", s.name(), l.name()),
        )),
        (Some(v), None) => Ok(Some((s, v.clone()))),
        (None, Some(v)) => Ok(Some((l, v.clone()))),
        (None, None) => Ok(None),
    };
    Ok((
        one(gt, gte, Compare::Gt, Compare::Gte)?,
        one(lt, lte, Compare::Lt, Compare::Lte)?,
    ))
}

/// Whether a range from `lower` to `upper` (ordered by `cmp`) can hold anything.
fn empty_range<T>(
    lower: &Option<(Compare, T)>,
    upper: &Option<(Compare, T)>,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> bool {
    match (lower, upper) {
        (Some((lc, l)), Some((uc, u))) => match cmp(l, u) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => *lc == Compare::Gt || *uc == Compare::Lt,
            std::cmp::Ordering::Less => false,
        },
        _ => false,
    }
}

impl AmountWhere {
    fn tests(&self, path: &str, out: &mut Vec<Condition>) -> Result<(), ApiError> {
        let (lower, upper) = bounds(path, &self.gt, &self.gte, &self.lt, &self.lte)?;
        let Some(currency) = &self.currency else {
            if lower.is_some() || upper.is_some() {
                return Err(refuse(
                    path,
                    "a bound needs `currency`: amounts in different currencies do not compare",
                ));
            }
            return Err(refuse(path, "give `currency`, and bounds in it if any"));
        };
        if iso_currency::Currency::from_code(currency).is_none() {
            return Err(refuse(
                &format!("{path}.currency"),
                format!("`{currency}` is not an ISO 4217 currency code (e.g. USD, KRW, EUR)"),
            ));
        }
        if empty_range(&lower, &upper, |a: &f64, b: &f64| a.total_cmp(b)) {
            return Err(refuse(path, "no amount is within these bounds"));
        }
        if lower.is_none() && upper.is_none() {
            out.push(Condition::Test(Test::Currency(currency.clone())));
        }
        for (compare, value) in lower.into_iter().chain(upper) {
            let bound = Number::new(value).ok_or_else(|| {
                refuse(&format!("{path}.{}", compare.name()), "not a finite number")
            })?;
            out.push(Condition::Test(Test::Amount {
                currency: currency.clone(),
                compare,
                bound,
            }));
        }
        Ok(())
    }
}

impl DateWhere {
    fn tests(
        &self,
        path: &str,
        field: DateField,
        out: &mut Vec<Condition>,
    ) -> Result<(), ApiError> {
        let parse = |name: &str, value: &Option<String>| -> Result<Option<PartialDate>, ApiError> {
            value
                .as_deref()
                .map(|v| v.parse().map_err(|e| refuse(&format!("{path}.{name}"), e)))
                .transpose()
        };
        let (gt, gte, lt, lte) = (
            parse("gt", &self.gt)?,
            parse("gte", &self.gte)?,
            parse("lt", &self.lt)?,
            parse("lte", &self.lte)?,
        );
        let (lower, upper) = bounds(path, &gt, &gte, &lt, &lte)?;
        if empty_range(&lower, &upper, |a: &PartialDate, b: &PartialDate| {
            a.cmp_coarse(b)
        }) {
            return Err(refuse(path, "no date is within these bounds"));
        }
        let tested = lower.is_some() || upper.is_some() || self.inferred.is_some();
        match self.exists {
            Some(false) if tested => {
                return Err(refuse(
                    path,
                    "`exists: false` leaves no date to compare or to be inferred",
                ))
            }
            Some(false) => out.push(Condition::Not(Box::new(Condition::Test(Test::DateExists(
                field,
            ))))),
            Some(true) if !tested => out.push(Condition::Test(Test::DateExists(field))),
            _ => {}
        }
        for (compare, bound) in lower.into_iter().chain(upper) {
            out.push(Condition::Test(Test::Date {
                field,
                compare,
                bound,
            }));
        }
        if let Some(inferred) = self.inferred {
            out.push(Condition::Test(Test::DateInferred { field, inferred }));
        }
        Ok(())
    }
}

fn text(path: &str, value: &str) -> Result<String, ApiError> {
    if value.trim().is_empty() {
        return Err(refuse(path, "give some text to look for, or leave it out"));
    }
    if value.chars().count() > MAX_TEXT {
        return Err(refuse(path, format!("at most {MAX_TEXT} characters")));
    }
    Ok(value.to_string())
}

fn ids<T>(
    path: &str,
    values: &[ID],
    parse: impl Fn(String) -> Result<T, crate::domain::IdError>,
) -> Result<Vec<T>, ApiError> {
    listed(path, values)?;
    values
        .iter()
        .enumerate()
        .map(|(i, id)| parse(id.to_string()).map_err(|e| refuse(&format!("{path}[{i}]"), e)))
        .collect()
}

impl RelationWhere {
    /// The condition this input states, or a refusal naming the part to fix;
    /// `path` names this input (`where`).
    pub fn condition(&self, path: &str) -> Result<Condition, ApiError> {
        let c = self.parts(path)?;
        if c.nodes() > filter::MAX_NODES {
            return Err(refuse(
                path,
                format!(
                    "{} tests and joins; at most {}",
                    c.nodes(),
                    filter::MAX_NODES
                ),
            ));
        }
        if c.depth() > filter::MAX_DEPTH {
            return Err(refuse(
                path,
                format!("nested {} deep; at most {}", c.depth(), filter::MAX_DEPTH),
            ));
        }
        Ok(c)
    }

    fn parts(&self, path: &str) -> Result<Condition, ApiError> {
        let at = |name: &str| format!("{path}.{name}");
        let mut all = Vec::new();
        if let Some(types) = &self.types {
            listed(&at("types"), types)?;
            all.push(Condition::Test(Test::Type(types.clone())));
        }
        if let Some(v) = &self.from_id {
            all.push(Condition::Test(Test::From(ids(
                &at("fromId"),
                v,
                ActorId::parse,
            )?)));
        }
        if let Some(v) = &self.to_id {
            all.push(Condition::Test(Test::To(ids(
                &at("toId"),
                v,
                ActorId::parse,
            )?)));
        }
        if let Some(end) = &self.actor {
            let listed = ids(&at("actor.ids"), &end.ids, ActorId::parse)?;
            let from = || Condition::Test(Test::From(listed.clone()));
            let to = || Condition::Test(Test::To(listed.clone()));
            all.push(match end.direction {
                Direction::Out => from(),
                Direction::In => to(),
                Direction::Both => Condition::Any(vec![from(), to()]),
            });
        }
        if let Some(a) = &self.amount {
            a.tests(&at("amount"), &mut all)?;
        }
        if let Some(d) = &self.start {
            d.tests(&at("start"), DateField::Start, &mut all)?;
        }
        if let Some(d) = &self.end {
            d.tests(&at("end"), DateField::End, &mut all)?;
        }
        if let Some(v) = &self.status {
            listed(&at("status"), v)?;
            all.push(Condition::Test(Test::Status(v.clone())));
        }
        if let Some(v) = &self.role {
            listed(&at("role"), v)?;
            all.push(Condition::Test(Test::Role(v.clone())));
        }
        if let Some(v) = &self.source_id {
            all.push(Condition::Test(Test::Source(ids(
                &at("sourceId"),
                v,
                SourceId::parse,
            )?)));
        }
        if let Some(v) = &self.summary_contains {
            all.push(Condition::Test(Test::SummaryContains(text(
                &at("summaryContains"),
                v,
            )?)));
        }
        if let Some(v) = &self.quote_contains {
            all.push(Condition::Test(Test::QuoteContains(text(
                &at("quoteContains"),
                v,
            )?)));
        }
        if let Some(list) = &self.and {
            listed(&at("AND"), list)?;
            for (i, w) in list.iter().enumerate() {
                all.push(w.parts(&format!("{path}.AND[{i}]"))?);
            }
        }
        if let Some(list) = &self.or {
            listed(&at("OR"), list)?;
            let any = list
                .iter()
                .enumerate()
                .map(|(i, w)| w.parts(&format!("{path}.OR[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            all.push(Condition::Any(any));
        }
        if let Some(w) = &self.not {
            all.push(Condition::Not(Box::new(w.parts(&at("NOT"))?)));
        }
        Ok(match all.len() {
            1 => all.pop().unwrap_or(Condition::All(vec![])),
            _ => Condition::All(all),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(w: RelationWhere) -> String {
        match w.condition("where") {
            Err(ApiError::BadUserInput { message, .. }) => message,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn what_cannot_mean_anything_is_refused_with_the_path_to_fix() {
        let amount = |a: AmountWhere| RelationWhere {
            amount: Some(a),
            ..Default::default()
        };
        let m = refused(amount(AmountWhere {
            gt: Some(1.0),
            ..Default::default()
        }));
        assert!(
            m.starts_with("`where.amount`: a bound needs `currency`"),
            "{m}"
        );
        let m = refused(amount(AmountWhere {
            currency: Some("USD".into()),
            gt: Some(1.0),
            gte: Some(2.0),
            ..Default::default()
        }));
        assert!(m.contains("give one of `gt` and `gte`"), "{m}");
        let m = refused(amount(AmountWhere {
            currency: Some("USD".into()),
            gt: Some(5.0),
            lte: Some(5.0),
            ..Default::default()
        }));
        assert!(m.contains("no amount is within these bounds"), "{m}");
        let m = refused(amount(AmountWhere {
            currency: Some("dollars".into()),
            ..Default::default()
        }));
        assert!(m.starts_with("`where.amount.currency`"), "{m}");
        let nested = RelationWhere {
            or: Some(vec![
                RelationWhere::default(),
                RelationWhere {
                    start: Some(DateWhere {
                        gte: Some("2015-13".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            ]),
            ..Default::default()
        };
        let m = refused(nested);
        assert!(m.starts_with("`where.OR[1].start.gte`"), "{m}");
        let m = refused(RelationWhere {
            end: Some(DateWhere {
                gte: Some("2016".into()),
                lt: Some("2015-06".into()),
                ..Default::default()
            }),
            ..Default::default()
        });
        assert!(m.contains("no date is within these bounds"), "{m}");
        let m = refused(RelationWhere {
            types: Some(vec![]),
            ..Default::default()
        });
        assert!(m.starts_with("`where.types`: the list is empty"), "{m}");
        let m = refused(RelationWhere {
            start: Some(DateWhere {
                exists: Some(false),
                inferred: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        });
        assert!(m.contains("exists: false"), "{m}");
    }

    #[test]
    fn deep_or_large_conditions_are_refused_before_any_work() {
        let mut w = RelationWhere::default();
        for _ in 0..filter::MAX_DEPTH + 1 {
            w = RelationWhere {
                not: Some(Box::new(w)),
                ..Default::default()
            };
        }
        assert!(refused(w).contains("deep"));
        let wide = RelationWhere {
            or: Some(vec![
                RelationWhere {
                    summary_contains: Some("x".into()),
                    ..Default::default()
                };
                filter::MAX_NODES
            ]),
            ..Default::default()
        };
        assert!(refused(wide).contains("tests and joins"));
    }

    #[test]
    fn the_fields_of_one_input_must_all_hold() {
        let w = RelationWhere {
            types: Some(vec![RelationType::Contract]),
            amount: Some(AmountWhere {
                currency: Some("USD".into()),
                gte: Some(1e6),
                ..Default::default()
            }),
            start: Some(DateWhere {
                exists: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        };
        let c = w.condition("where").unwrap();
        assert_eq!(c.required_types(), Some(vec![RelationType::Contract]));
        assert!(
            matches!(&c, Condition::All(parts) if parts.len() == 3),
            "{c:?}"
        );
    }
}
