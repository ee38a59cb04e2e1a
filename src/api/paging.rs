//! Page arguments (`first`, `after`; `last` and `before` are read in
//! [`super::order`]) and the Relay connection types.

use async_graphql::{ComplexObject, Context, SimpleObject};

use super::aggregate::RelationAggregateNode;
use super::cursor;
use super::error::{ApiError, ApiResult};
use super::order::{list_cursor, relation_cursor};
use super::types::{loaders, ActorNode, RelationNode};
use crate::domain::{Actor, Relation};
use crate::store::{
    ActorSortBy, ListOrder, Page, PageRequest, RelationFilter, RelationQuery, SortKey,
};

/// Page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// The largest `first` accepted.
pub const MAX_PAGE_SIZE: usize = 100;

/// Checks `first` and `after` and turns them into a store page request.
pub fn page_request(first: Option<i32>, after: Option<String>) -> Result<PageRequest, ApiError> {
    let first = match first {
        None => DEFAULT_PAGE_SIZE,
        Some(n) if (0..=MAX_PAGE_SIZE as i32).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::bad_input(
                "first",
                format!(
                    "`first` is {n}; ask for 0 to {MAX_PAGE_SIZE} items and page on with `after`"
                ),
            ))
        }
    };
    let after = match after {
        None => None,
        Some(c) => Some(cursor::decode(&c).ok_or_else(|| {
            ApiError::bad_input("after", "`after` is not a cursor: pass the `endCursor` or an edge `cursor` of an earlier page")
        })?),
    };
    Ok(PageRequest { first, after })
}

/// The cost, for query-complexity limits, of a connection field: its children
/// count once per item it may return.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let n = first.map_or(DEFAULT_PAGE_SIZE, |n| {
        n.clamp(0, MAX_PAGE_SIZE as i32) as usize
    });
    1 + n.max(1) * child_complexity
}

/// Where a page sits in its list (Relay).
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Whether more items follow this page: fetch them with `after: endCursor`.
    /// On a page read backward (`last`), true when `before` was given.
    pub has_next_page: bool,
    /// Whether items come before this page: fetch them with `last` and `before:
    /// startCursor`. On a page read forward, true when `after` was given.
    pub has_previous_page: bool,
    /// Cursor of the first item of the page; null when the page is empty.
    pub start_cursor: Option<String>,
    /// Cursor of the last item of the page; null when the page is empty.
    pub end_cursor: Option<String>,
}

/// An actor in a page, with its cursor.
#[derive(SimpleObject)]
pub struct ActorEdge {
    /// Pass as `after` to get the items that follow this one.
    pub cursor: String,
    /// The actor.
    pub node: ActorNode,
}

/// A page of actors (Relay connection): in id order, or best match first when searching.
#[derive(SimpleObject)]
pub struct ActorConnection {
    /// The actors of this page, with their cursors.
    pub edges: Vec<ActorEdge>,
    /// Where this page sits in the list.
    pub page_info: PageInfo,
    /// How many actors the whole list has, all pages together.
    pub total_count: i32,
}

/// A relation in a page, with its cursor.
#[derive(SimpleObject)]
pub struct RelationEdge {
    /// Pass as `after` to get the items that follow this one.
    pub cursor: String,
    /// The relation.
    pub node: RelationNode,
}

/// A page of relations (Relay connection), in id order or in the list's `orderBy`,
/// with the aggregate of the whole list.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct RelationConnection {
    /// The relations of this page, with their cursors.
    pub edges: Vec<RelationEdge>,
    /// Where this page sits in the list.
    pub page_info: PageInfo,
    /// How many relations the whole list has, all pages together.
    pub total_count: i32,
    /// The list's filter, for its aggregate.
    #[graphql(skip)]
    pub filter: RelationFilter,
}

/// Where a page read forward or backward sits: backward, whether items come
/// before it is what the store says follows its reading, and items follow it
/// when a `before` cursor was given.
fn reading_page_info(
    cursors: &[String],
    has_next_page: bool,
    request: &PageRequest,
    backward: bool,
) -> PageInfo {
    if backward {
        PageInfo {
            has_next_page: request.after.is_some(),
            has_previous_page: has_next_page,
            start_cursor: cursors.first().cloned(),
            end_cursor: cursors.last().cloned(),
        }
    } else {
        page_info(cursors, has_next_page, request)
    }
}

#[ComplexObject]
impl RelationConnection {
    /// Figures over every relation of the list, all pages together: the count,
    /// the amounts per currency (sum, min, max, average), the earliest and latest
    /// dates, and counts by type and by kind of the other end. Read in one store
    /// call for all the connections of a level.
    async fn aggregate(&self, ctx: &Context<'_>) -> ApiResult<RelationAggregateNode> {
        let aggregate = loaders(ctx)?.aggregate(&self.filter).await?;
        Ok(RelationAggregateNode(aggregate))
    }
}

/// Where a page read forward from `request.after` sits, from its cursors.
pub(super) fn page_info(
    cursors: &[String],
    has_next_page: bool,
    request: &PageRequest,
) -> PageInfo {
    PageInfo {
        has_next_page,
        has_previous_page: request.after.is_some(),
        start_cursor: cursors.first().cloned(),
        end_cursor: cursors.last().cloned(),
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl ActorConnection {
    /// Wraps a store page; `key` gives the sort key each cursor carries (the id,
    /// or `rank:id` for search results).
    pub fn new(page: Page<Actor>, request: &PageRequest, key: impl Fn(&Actor) -> String) -> Self {
        let edges: Vec<ActorEdge> = page
            .items
            .into_iter()
            .map(|a| ActorEdge {
                cursor: cursor::encode(&key(&a)),
                node: ActorNode(a),
            })
            .collect();
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        ActorConnection {
            page_info: page_info(&cursors, page.has_next_page, request),
            edges,
            total_count: count(page.total_count),
        }
    }
}

impl ActorConnection {
    /// Wraps a store page of a list read in `order` (not by id forward): a page
    /// read backward is turned back into the list's order; cursors carry each
    /// actor's position (its key, from the store when it gave the keys).
    pub fn ordered(
        mut page: Page<Actor>,
        request: &PageRequest,
        order: &ListOrder<ActorSortBy>,
    ) -> Self {
        let mut keys: Vec<Option<SortKey>> = if page.keys.len() == page.items.len() {
            std::mem::take(&mut page.keys)
        } else {
            page.items.iter().map(|a| order.by.record_key(a)).collect()
        };
        if order.backward {
            page.items.reverse();
            keys.reverse();
        }
        let edges: Vec<ActorEdge> = page
            .items
            .into_iter()
            .zip(keys)
            .map(|(a, key)| ActorEdge {
                cursor: list_cursor(order, key.as_ref(), a.id.as_str()),
                node: ActorNode(a),
            })
            .collect();
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        ActorConnection {
            page_info: reading_page_info(&cursors, page.has_next_page, request, order.backward),
            edges,
            total_count: count(page.total_count),
        }
    }
}

impl RelationConnection {
    /// Wraps a store page. A page read backward (`last`) is turned back into the
    /// list's order; whether items come before it is then what the store says
    /// follows its reading.
    pub fn new(mut page: Page<Relation>, query: &RelationQuery) -> Self {
        let request = &query.page;
        if query.order.backward {
            page.items.reverse();
        }
        let edges: Vec<RelationEdge> = page
            .items
            .into_iter()
            .map(|r| RelationEdge {
                cursor: relation_cursor(&query.order, &r),
                node: RelationNode(r),
            })
            .collect();
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        RelationConnection {
            page_info: reading_page_info(
                &cursors,
                page.has_next_page,
                request,
                query.order.backward,
            ),
            edges,
            total_count: count(page.total_count),
            filter: query.filter.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_defaults_and_limits() {
        assert_eq!(page_request(None, None).unwrap().first, DEFAULT_PAGE_SIZE);
        assert_eq!(page_request(Some(0), None).unwrap().first, 0);
        assert_eq!(page_request(Some(100), None).unwrap().first, 100);
        assert!(page_request(Some(101), None).is_err());
        assert!(page_request(Some(-1), None).is_err());
    }

    #[test]
    fn a_foreign_cursor_is_bad_input() {
        let err = page_request(None, Some("page-2".into())).unwrap_err();
        assert!(matches!(
            err,
            ApiError::BadUserInput {
                argument: "after",
                ..
            }
        ));
    }
}
