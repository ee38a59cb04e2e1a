//! The change feed over GraphQL subscriptions (served over WebSocket with the
//! `graphql-transport-ws` protocol by [`crate::http`]).

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Subscription, ID};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};

use super::error::{ApiError, ApiResult};
use super::events::Feed;
use super::history::parse_seq;
use super::types::{parse_id, ActorNode, RelationNode, SourceNode};
use crate::domain::{ActorId, ActorKind, RelationId, RelationType, SourceId};
use crate::store::{ChangeKind, ChangeQuery, LogEntry, Record, RecordKind};

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ChangeType {
    /// The record is new.
    Created,
    /// The record was changed.
    Updated,
    /// The record was deleted.
    Deleted,
}

impl From<ChangeKind> for ChangeType {
    fn from(k: ChangeKind) -> Self {
        match k {
            ChangeKind::Created => ChangeType::Created,
            ChangeKind::Updated => ChangeType::Updated,
            ChangeKind::Deleted => ChangeType::Deleted,
        }
    }
}

/// An event type of the feed: the change, the record as the change left it (in
/// `$field`, for records of `Record::$variant`), who made it and when.
macro_rules! change_event {
    ($name:ident, $variant:ident, $node:ident, $field:ident, $doc:literal, $field_doc:literal) => {
        #[doc = $doc]
        pub struct $name {
            event: Arc<LogEntry>,
        }

        #[doc = $doc]
        #[Object]
        impl $name {
            /// The change's number in the log (as in `changes`): pass the last
            /// one received as `after` when subscribing again, to miss nothing.
            async fn seq(&self) -> i64 {
                i64::try_from(self.event.seq).unwrap_or(i64::MAX)
            }

            /// What happened.
            async fn change(&self) -> ChangeType {
                self.event.change.into()
            }

            #[doc = $field_doc]
            async fn $field(&self) -> Option<$node> {
                match self.event.record() {
                    Some(Record::$variant(r)) => Some($node(r.clone())),
                    _ => None,
                }
            }

            /// The label of the API key that made the change.
            async fn by(&self) -> &str {
                &self.event.by
            }

            /// When the change was made.
            async fn at(&self) -> DateTime<Utc> {
                self.event.at
            }
        }
    };
}

change_event!(
    ActorChange,
    Actor,
    ActorNode,
    actor,
    "A change to an actor: what happened, the actor as it left it, who and when.",
    "The actor after the change (for a deletion: as it was last)."
);
change_event!(
    RelationChange,
    Relation,
    RelationNode,
    relation,
    "A change to a relation: what happened, the relation as it left it (with its evidence), who and when.",
    "The relation after the change (for a deletion: as it was last)."
);
change_event!(
    SourceChange,
    Source,
    SourceNode,
    source,
    "A change to a source document: what happened (sources are created and updated, never deleted), the source as it left it, who and when.",
    "The source after the change."
);

/// The feed's entries of `kind` (of record `id`, when given) after `after` (the
/// present when omitted) that `keep` accepts and whose change is one of
/// `changes` (when given), each wrapped by `wrap`. A store failure ends the
/// stream with its error; the subscriber resumes with `after`.
async fn events<T: Send + 'static>(
    ctx: &Context<'_>,
    after: Option<ID>,
    kind: RecordKind,
    id: Option<String>,
    changes: Option<Vec<ChangeType>>,
    keep: impl Fn(&Record) -> bool + Send + 'static,
    wrap: fn(Arc<LogEntry>) -> T,
) -> Result<impl Stream<Item = ApiResult<T>>, ApiError> {
    let after = after.map(|a| parse_seq(&a)).transpose()?;
    let feed = ApiError::data::<Feed>(ctx)?.clone();
    let filter = ChangeQuery {
        id,
        kinds: vec![kind],
        ..Default::default()
    };
    let stream = feed.subscribe(after, filter).await?;
    Ok(stream.filter_map(move |item| {
        let out = match item {
            Err(e) => Some(Err(ApiError::Store(e))),
            Ok(entry) => {
                let wanted = changes
                    .as_ref()
                    .is_none_or(|c| c.contains(&entry.change.into()));
                let kept = entry.record().is_some_and(&keep);
                (wanted && kept).then(|| Ok(wrap(entry)))
            }
        };
        std::future::ready(out)
    }))
}

/// Changes as they are made, through any write of this API (see docs/subscriptions.md).
#[derive(Default)]
pub struct SubscriptionRoot;

/// Changes as they are committed, read from the change log: each write (a record
/// mutation, `importGraph`, `actorgraph seed`, through any API instance on the
/// same store) sends one event per record it created, updated or deleted, in
/// the order of the log, each with its number (`seq`). Subscribe with `after`
/// to receive what was missed first (after a reconnection, say).
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Actors created, updated or deleted (from now on, or after `after`).
    async fn actor_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The number (`seq`) of the last change you received: the changes after it come first, from the log, then the new ones, none missed and none twice. Omitted: from now on."
        )]
        after: Option<ID>,
        #[graphql(desc = "Only this actor.")] id: Option<ID>,
        #[graphql(desc = "Only actors of these kinds.")] kinds: Option<Vec<ActorKind>>,
        #[graphql(desc = "Only these changes (default: all).")] changes: Option<Vec<ChangeType>>,
    ) -> Result<impl Stream<Item = ApiResult<ActorChange>>, ApiError> {
        let id = id.map(|i| parse_id("id", &i, ActorId::parse)).transpose()?;
        let only = id.as_ref().map(|i| i.as_str().to_string());
        let keep = move |record: &Record| match record {
            Record::Actor(a) => kinds.as_ref().is_none_or(|k| k.contains(&a.kind)),
            _ => false,
        };
        events(
            ctx,
            after,
            RecordKind::Actor,
            only,
            changes,
            keep,
            |event| ActorChange { event },
        )
        .await
    }

    /// Relations created, updated (evidence included) or deleted (from now on,
    /// or after `after`).
    async fn relation_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The number (`seq`) of the last change you received: the changes after it come first, from the log, then the new ones, none missed and none twice. Omitted: from now on."
        )]
        after: Option<ID>,
        #[graphql(desc = "Only this relation.")] id: Option<ID>,
        #[graphql(desc = "Only relations from or to this actor.")] actor_id: Option<ID>,
        #[graphql(desc = "Only relations of these types.")] types: Option<Vec<RelationType>>,
        #[graphql(desc = "Only these changes (default: all).")] changes: Option<Vec<ChangeType>>,
    ) -> Result<impl Stream<Item = ApiResult<RelationChange>>, ApiError> {
        let id = id
            .map(|i| parse_id("id", &i, RelationId::parse))
            .transpose()?;
        let actor = actor_id
            .map(|i| parse_id("actorId", &i, ActorId::parse))
            .transpose()?;
        let only = id.as_ref().map(|i| i.as_str().to_string());
        let keep = move |record: &Record| match record {
            Record::Relation(r) => {
                actor.as_ref().is_none_or(|a| *a == r.from || *a == r.to)
                    && types.as_ref().is_none_or(|t| t.contains(&r.kind))
            }
            _ => false,
        };
        events(
            ctx,
            after,
            RecordKind::Relation,
            only,
            changes,
            keep,
            |event| RelationChange { event },
        )
        .await
    }

    /// Sources created or updated (from now on, or after `after`): a new
    /// article to quote, a corrected title…
    async fn source_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The number (`seq`) of the last change you received: the changes after it come first, from the log, then the new ones, none missed and none twice. Omitted: from now on."
        )]
        after: Option<ID>,
        #[graphql(desc = "Only this source.")] id: Option<ID>,
        #[graphql(desc = "Only these changes (default: all).")] changes: Option<Vec<ChangeType>>,
    ) -> Result<impl Stream<Item = ApiResult<SourceChange>>, ApiError> {
        let id = id
            .map(|i| parse_id("id", &i, SourceId::parse))
            .transpose()?;
        let only = id.as_ref().map(|i| i.as_str().to_string());
        let keep = |record: &Record| matches!(record, Record::Source(_));
        events(
            ctx,
            after,
            RecordKind::Source,
            only,
            changes,
            keep,
            |event| SourceChange { event },
        )
        .await
    }
}
