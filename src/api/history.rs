//! The change log over GraphQL: `changes`, every change a committed write made,
//! oldest first, with who made it, when, and the record before and after.

use async_graphql::{Context, Enum, Json, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::paging::{page_cost, page_request, PageInfo};
use super::subscription::ChangeType;
use super::types::{loaders, repo};
use crate::store::{ChangeQuery, LogEntry, Record, RecordKind, HISTORY_MAX};

/// The kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum RecordType {
    /// An actor.
    Actor,
    /// A relation (with its evidence).
    Relation,
    /// A source document.
    Source,
    /// A candidate claim of intake (its review: who accepted or rejected it).
    Claim,
}

impl From<RecordType> for RecordKind {
    fn from(t: RecordType) -> Self {
        match t {
            RecordType::Actor => RecordKind::Actor,
            RecordType::Relation => RecordKind::Relation,
            RecordType::Source => RecordKind::Source,
            RecordType::Claim => RecordKind::Claim,
        }
    }
}

impl From<RecordKind> for RecordType {
    fn from(k: RecordKind) -> Self {
        match k {
            RecordKind::Actor => RecordType::Actor,
            RecordKind::Relation => RecordType::Relation,
            RecordKind::Source => RecordType::Source,
            RecordKind::Claim => RecordType::Claim,
        }
    }
}

/// One field a change set, with its value before and after (null: absent).
#[derive(SimpleObject)]
pub struct FieldChange {
    /// The field's name in the data-set format (`nameEn`, `evidence`, `start`…).
    pub field: String,
    /// Its value before the change.
    pub before: Option<Json<Value>>,
    /// Its value after the change.
    pub after: Option<Json<Value>>,
}

/// The fields that differ between two contents, by name.
fn field_changes(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let object = |v: Option<&Value>| v.and_then(Value::as_object).unwrap_or(&empty).clone();
    let (before, after) = (object(before), object(after));
    let names: std::collections::BTreeSet<&String> = after.keys().chain(before.keys()).collect();
    names
        .into_iter()
        .filter(|name| before.get(*name) != after.get(*name))
        .map(|name| FieldChange {
            field: name.clone(),
            before: before.get(name).cloned().map(Json),
            after: after.get(name).cloned().map(Json),
        })
        .collect()
}

/// A change of the log: what happened to which record, who did it and when, and
/// the record's content before and after.
pub struct ChangeEntryNode(pub LogEntry);

/// A change of the log: what happened to which record, who did it and when, and
/// the record's content before and after.
#[Object(name = "ChangeEntry")]
impl ChangeEntryNode {
    /// The change's number: 1 for the store's first, one more for each after, in
    /// the order the writes committed, without gaps. Pass it as `after` to read on.
    async fn seq(&self) -> i64 {
        i64::try_from(self.0.seq).unwrap_or(i64::MAX)
    }

    /// When the write was made.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// The label of the API key that made it (`seed` for the seed command).
    async fn by(&self) -> &str {
        &self.0.by
    }

    /// What kind of record changed.
    async fn record_type(&self) -> RecordType {
        self.0.kind.into()
    }

    /// The id of the record that changed (unique within its kind).
    async fn record_id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// What happened to it.
    async fn change(&self) -> ChangeType {
        self.0.change.into()
    }

    /// The record's version after the change (for a deletion: its last).
    async fn version(&self) -> i64 {
        i64::try_from(self.0.version).unwrap_or(i64::MAX)
    }

    /// The record's content before the change, in the data-set format (null for a
    /// creation).
    async fn before(&self) -> Option<Json<Value>> {
        self.0.before.as_ref().map(|r| Json(r.content()))
    }

    /// The record's content after the change, in the data-set format (null for a
    /// deletion).
    async fn after(&self) -> Option<Json<Value>> {
        self.0.after.as_ref().map(|r| Json(r.content()))
    }

    /// The fields the change set, by name, each with its value before and after
    /// (every field, for a creation or a deletion).
    async fn fields(&self) -> Vec<FieldChange> {
        let content = |r: &Option<Record>| r.as_ref().map(Record::content);
        field_changes(
            content(&self.0.before).as_ref(),
            content(&self.0.after).as_ref(),
        )
    }
}

/// Default and largest `last` of `history`.
const HISTORY_DEFAULT: i32 = 20;

/// Complexity of `history`: up to `last` entries.
pub fn history_cost(last: Option<i32>, child_complexity: usize) -> usize {
    let last = last.unwrap_or(HISTORY_DEFAULT).clamp(1, HISTORY_MAX as i32) as usize;
    1 + last * child_complexity
}

/// The last `last` changes of a record, oldest first, read for all the records of
/// a level of the query at once (see [`super::loaders`]).
pub(crate) async fn history(
    ctx: &Context<'_>,
    kind: RecordKind,
    id: &str,
    last: Option<i32>,
) -> ApiResult<Vec<ChangeEntryNode>> {
    let last = match last {
        None => HISTORY_DEFAULT as usize,
        Some(n) if (1..=HISTORY_MAX as i32).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::bad_input(
                "last",
                format!("`last` is {n}; ask for 1 to {HISTORY_MAX} changes, or page through `changes(recordId:)`"),
            ))
        }
    };
    let key = (kind, id.to_string());
    let entries = loaders(ctx)?.history(&key).await?;
    let skip = entries.len().saturating_sub(last);
    Ok(entries
        .into_iter()
        .skip(skip)
        .map(ChangeEntryNode)
        .collect())
}

/// A change with its cursor (its number).
#[derive(SimpleObject)]
pub struct ChangeEdge {
    /// The change's number, as text: pass it as `after` to read the changes after it.
    pub cursor: String,
    /// The change.
    pub node: ChangeEntryNode,
}

/// A page of the change log, oldest first.
#[derive(SimpleObject)]
pub struct ChangeConnection {
    /// The changes of this page, with their cursors.
    pub edges: Vec<ChangeEdge>,
    /// Where this page sits in the log.
    pub page_info: PageInfo,
}

/// The change log's root field.
#[derive(Default)]
pub struct ChangesQuery;

/// An `after` argument: a change's number.
pub fn parse_seq(text: &str) -> ApiResult<u64> {
    text.trim().parse::<u64>().map_err(|_| {
        ApiError::bad_input(
            "after",
            "`after` is a change's number (`seq`, or an edge's `cursor`), e.g. \"42\"",
        )
    })
}

/// The change log.
#[Object]
impl ChangesQuery {
    /// The change log: every record created, updated or deleted by a committed
    /// write (a mutation, `importGraph`, `actorgraph seed`), oldest first, with who,
    /// when, and the record before and after. A deleted record's history stays
    /// here: `changes(recordId: "…", kinds: [ACTOR])`.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "A change's number (`seq`, or an edge's `cursor`): return the changes after it."
        )]
        after: Option<String>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Only changes of records with this id (with `kinds`, of one record).")]
        record_id: Option<ID>,
        #[graphql(desc = "Only changes of these kinds of record; all when omitted or empty.")]
        kinds: Option<Vec<RecordType>>,
    ) -> ApiResult<ChangeConnection> {
        let after_seq = after.as_deref().map(parse_seq).transpose()?.unwrap_or(0);
        let page = page_request(first, None)?;
        let query = ChangeQuery {
            after: after_seq,
            first: page.first,
            id: record_id.map(|id| id.0),
            kinds: kinds
                .unwrap_or_default()
                .into_iter()
                .map(RecordKind::from)
                .collect(),
        };
        let found = repo(ctx)?.changes(&query).await?;
        let edges: Vec<ChangeEdge> = found
            .items
            .into_iter()
            .map(|e| ChangeEdge {
                cursor: e.seq.to_string(),
                node: ChangeEntryNode(e),
            })
            .collect();
        Ok(ChangeConnection {
            page_info: PageInfo {
                has_next_page: found.has_next_page,
                has_previous_page: after_seq > 0,
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_lists_only_the_fields_it_changed() {
        let before = serde_json::json!({"id": "kt", "kind": "COMPANY", "nameEn": "KT", "aliases": ["케이티"]});
        let after = serde_json::json!({"id": "kt", "kind": "COMPANY", "nameEn": "KT Corp.", "description": "Telecoms"});
        let fields = field_changes(Some(&before), Some(&after));
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["aliases", "description", "nameEn"]);
        assert!(fields[0].after.is_none());
        assert_eq!(field_changes(None, Some(&after)).len(), 4);
    }
}
