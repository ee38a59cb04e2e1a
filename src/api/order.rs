//! `orderBy`, `last` and `before` on relation lists: the order a list is sorted
//! in, and the page to read of it, forward (`first`/`after`) or backward
//! (`last`/`before`), with keyset cursors that carry the position of an item in
//! its order.

use async_graphql::{Enum, InputObject};

use super::cursor;
use super::error::ApiError;
use super::paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::domain::Relation;
use crate::store::{ActorSortBy, ListOrder, PageRequest, SortBy, SortKey};

/// What a list of relations is sorted by; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Enum)]
pub enum RelationOrderField {
    /// The id (the default order).
    #[default]
    Id,
    /// The start date, as written: by year, month and day, a coarser date before
    /// the finer ones it contains (`2015` before `2015-01`).
    Start,
    /// The end date, as `START`.
    End,
    /// The amount in one currency (`currency` says which).
    Amount,
    /// The type's name.
    Type,
}

/// Which way a list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Enum)]
pub enum OrderDirection {
    /// Smallest, earliest or first in the alphabet first.
    #[default]
    Asc,
    /// Largest, latest or last in the alphabet first.
    Desc,
}

/// The order of a list of relations: by a field, ascending or descending, then by
/// id in the same direction. Relations without the field (no start date, no
/// amount in the currency) come after all the others, in either direction.
#[derive(Debug, Clone, Default, InputObject)]
pub struct RelationOrder {
    /// What to sort by.
    pub field: RelationOrderField,
    /// Ascending (default) or descending.
    #[graphql(default)]
    pub direction: OrderDirection,
    /// For `AMOUNT` (and only then): the ISO 4217 currency whose amounts are
    /// compared, e.g. `USD`. Amounts in other currencies count as absent.
    pub currency: Option<String>,
}

impl RelationOrder {
    /// The store's order, or a refusal naming `orderBy`.
    fn sort_by(&self) -> Result<SortBy, ApiError> {
        let refuse = |m: &str| ApiError::bad_input("orderBy", m.to_string());
        match (self.field, &self.currency) {
            (RelationOrderField::Amount, None) => Err(refuse(
                "`orderBy.currency` is missing: amounts compare only within one currency, so say which (e.g. USD)",
            )),
            (RelationOrderField::Amount, Some(c)) => {
                if iso_currency::Currency::from_code(c).is_none() {
                    return Err(refuse(&format!(
                        "`orderBy.currency`: `{c}` is not an ISO 4217 currency code (e.g. USD, KRW, EUR)"
                    )));
                }
                Ok(SortBy::Amount(c.clone()))
            }
            (_, Some(_)) => Err(refuse(
                "`orderBy.currency` goes only with `field: AMOUNT`: leave it out",
            )),
            (RelationOrderField::Id, None) => Ok(SortBy::Id),
            (RelationOrderField::Start, None) => Ok(SortBy::Start),
            (RelationOrderField::End, None) => Ok(SortBy::End),
            (RelationOrderField::Type, None) => Ok(SortBy::Type),
        }
    }
}

/// The name of an order as its cursors carry it (`amount:USD` for amounts).
fn order_name(by: &SortBy) -> String {
    match by {
        SortBy::Amount(c) => format!("amount:{c}"),
        other => other.name().to_string(),
    }
}

/// The cursor of a relation in a list in `order`: its id for the id order (as
/// cursors always were), else its position (the order's name, its key, its id).
pub fn relation_cursor(order: &ListOrder, r: &Relation) -> String {
    list_cursor(order, order.by.key(r).as_ref(), r.id.as_str())
}

/// What a list of actors is sorted by; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Enum)]
pub enum ActorOrderField {
    /// The id (the default order without `search`).
    #[default]
    Id,
    /// The Korean name, ignoring case (Hangul in dictionary order); actors
    /// without one come last.
    NameKo,
    /// The English name, ignoring case; actors without one come last.
    NameEn,
    /// The number of relations, of all types, either way.
    Relations,
}

/// The order of a list of actors: by a field, ascending or descending, then by id
/// in the same direction.
#[derive(Debug, Clone, Default, InputObject)]
pub struct ActorOrder {
    /// What to sort by.
    pub field: ActorOrderField,
    /// Ascending (default) or descending.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl ActorOrder {
    /// The store's order, and whether it is descending.
    pub fn sort_by(&self) -> (ActorSortBy, bool) {
        let by = match self.field {
            ActorOrderField::Id => ActorSortBy::Id,
            ActorOrderField::NameKo => ActorSortBy::NameKo,
            ActorOrderField::NameEn => ActorSortBy::NameEn,
            ActorOrderField::Relations => ActorSortBy::Relations,
        };
        (by, self.direction == OrderDirection::Desc)
    }
}

/// The paging arguments of a relation list.
#[derive(Clone, Default)]
pub struct Paging {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub order_by: Option<RelationOrder>,
}

/// An order a list can be read in, as its cursors name it.
pub trait Order: Clone {
    /// The name keyed cursors carry; `None` for the id order, whose cursors are
    /// plain ids (as they always were).
    fn cursor_name(&self) -> Option<String>;
    /// Whether its keys are numbers (else text).
    fn numeric(&self) -> bool;
}

impl Order for SortBy {
    fn cursor_name(&self) -> Option<String> {
        match self {
            SortBy::Id => None,
            by => Some(order_name(by)),
        }
    }
    fn numeric(&self) -> bool {
        matches!(self, SortBy::Amount(_))
    }
}

impl Order for ActorSortBy {
    fn cursor_name(&self) -> Option<String> {
        match self {
            ActorSortBy::Id => None,
            by => Some(format!("actors:{}", by.name())),
        }
    }
    fn numeric(&self) -> bool {
        *self == ActorSortBy::Relations
    }
}

/// The cursor of an item at (`key`, `id`) in a list in `order`.
pub fn list_cursor<B: Order>(order: &ListOrder<B>, key: Option<&SortKey>, id: &str) -> String {
    match order.by.cursor_name() {
        None => cursor::encode(id),
        Some(name) => cursor::encode_keyed(&name, key, id),
    }
}

impl Paging {
    /// The page to read and the order to read it in; a refusal names the
    /// argument to fix.
    pub fn read(&self) -> Result<(PageRequest, ListOrder), ApiError> {
        let by = self
            .order_by
            .as_ref()
            .map(RelationOrder::sort_by)
            .transpose()?
            .unwrap_or_default();
        let descending = self
            .order_by
            .as_ref()
            .is_some_and(|o| o.direction == OrderDirection::Desc);
        self.read_in(by, descending)
    }

    /// The page to read of a list sorted by `by`, and the reading.
    pub fn read_in<B: Order>(
        &self,
        by: B,
        descending: bool,
    ) -> Result<(PageRequest, ListOrder<B>), ApiError> {
        let refuse = |argument, m: &str| ApiError::bad_input(argument, m.to_string());
        if self.first.is_some() && self.last.is_some() {
            return Err(refuse(
                "last",
                "`first` and `last` together: page forward with `first` and `after`, or backward with `last` and `before`",
            ));
        }
        if self.after.is_some() && self.before.is_some() {
            return Err(refuse(
                "before",
                "`after` and `before` together: page forward with `after`, or backward with `before`",
            ));
        }
        if self.first.is_some() && self.before.is_some() {
            return Err(refuse(
                "before",
                "`before` pages backward: pass it with `last`, not `first`",
            ));
        }
        if self.last.is_some() && self.after.is_some() {
            return Err(refuse(
                "after",
                "`after` pages forward: pass it with `first`, not `last`",
            ));
        }
        let backward = self.last.is_some() || self.before.is_some();
        let (size, size_name) = if backward {
            (self.last, "last")
        } else {
            (self.first, "first")
        };
        let first = match size {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if (0..=MAX_PAGE_SIZE as i32).contains(&n) => n as usize,
            Some(n) => {
                return Err(ApiError::bad_input(
                    size_name,
                    format!("`{size_name}` is {n}; ask for 0 to {MAX_PAGE_SIZE} items and page on with a cursor"),
                ))
            }
        };
        let (cursor, cursor_name) = if backward {
            (self.before.as_deref(), "before")
        } else {
            (self.after.as_deref(), "after")
        };
        let mut after_key = None;
        let after = match cursor {
            None => None,
            Some(c) => {
                let foreign = || {
                    ApiError::bad_input(
                        cursor_name,
                        format!("`{cursor_name}` is not a cursor of this list: pass a cursor of an earlier page in the same `orderBy`"),
                    )
                };
                match by.cursor_name() {
                    None => Some(cursor::decode(c).ok_or_else(foreign)?),
                    Some(wanted) => {
                        let (name, key, id) = cursor::decode_keyed(c).ok_or_else(foreign)?;
                        let kind_fits = match &key {
                            None => true,
                            Some(SortKey::Number(_)) => by.numeric(),
                            Some(SortKey::Text(_)) => !by.numeric(),
                        };
                        if name != wanted || !kind_fits {
                            return Err(foreign());
                        }
                        after_key = key;
                        Some(id)
                    }
                }
            }
        };
        Ok((
            PageRequest { first, after },
            ListOrder {
                by,
                descending,
                backward,
                after_key,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(p: Paging) -> &'static str {
        match p.read() {
            Err(ApiError::BadUserInput { argument, .. }) => argument,
            other => panic!("not refused: {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn paging_both_ways_at_once_or_an_amount_without_currency_is_refused() {
        let amount = |currency: Option<&str>| RelationOrder {
            field: RelationOrderField::Amount,
            direction: OrderDirection::Asc,
            currency: currency.map(String::from),
        };
        for (p, argument) in [
            (
                Paging {
                    first: Some(1),
                    last: Some(1),
                    ..Paging::default()
                },
                "last",
            ),
            (
                Paging {
                    after: Some(cursor::encode("a")),
                    before: Some(cursor::encode("b")),
                    ..Paging::default()
                },
                "before",
            ),
            (
                Paging {
                    last: Some(101),
                    ..Paging::default()
                },
                "last",
            ),
            (
                Paging {
                    order_by: Some(amount(None)),
                    ..Paging::default()
                },
                "orderBy",
            ),
            (
                Paging {
                    order_by: Some(amount(Some("XYZ"))),
                    ..Paging::default()
                },
                "orderBy",
            ),
            (
                Paging {
                    order_by: Some(RelationOrder {
                        currency: Some("USD".into()),
                        ..RelationOrder::default()
                    }),
                    ..Paging::default()
                },
                "orderBy",
            ),
            // A cursor of the id order is not one of the start order.
            (
                Paging {
                    after: Some(cursor::encode("a")),
                    order_by: Some(RelationOrder {
                        field: RelationOrderField::Start,
                        ..RelationOrder::default()
                    }),
                    ..Paging::default()
                },
                "after",
            ),
            // Nor is a cursor of amounts in dollars one of amounts in won.
            (
                Paging {
                    before: Some(cursor::encode_keyed(
                        "amount:USD",
                        Some(&SortKey::Number(5.0.into())),
                        "a",
                    )),
                    order_by: Some(amount(Some("KRW"))),
                    ..Paging::default()
                },
                "before",
            ),
        ] {
            assert_eq!(refused(p), argument);
        }
    }

    #[test]
    fn a_keyed_cursor_gives_back_its_position() {
        let c = cursor::encode_keyed("start", Some(&SortKey::Text("2015-01".into())), "x");
        let (page, order) = Paging {
            last: Some(3),
            before: Some(c),
            order_by: Some(RelationOrder {
                field: RelationOrderField::Start,
                direction: OrderDirection::Desc,
                currency: None,
            }),
            ..Paging::default()
        }
        .read()
        .unwrap();
        assert_eq!(page.first, 3);
        assert_eq!(page.after.as_deref(), Some("x"));
        assert!(order.backward && order.descending);
        assert_eq!(order.after_key, Some(SortKey::Text("2015-01".into())));
    }
}
