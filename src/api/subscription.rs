//! The change feed over GraphQL subscriptions (served over WebSocket with the
//! `graphql-transport-ws` protocol by [`crate::http`]).

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Subscription, ID};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};

use super::error::{ApiError, ApiResult};
use super::events::{ChangeBus, Event};
use super::types::{parse_id, ActorNode, RelationNode, SourceNode};
use crate::domain::{ActorId, ActorKind, RelationId, RelationType, SourceId};
use crate::store::{ChangeKind, Record};

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
            event: Arc<Event>,
        }

        #[doc = $doc]
        #[Object]
        impl $name {
            /// What happened.
            async fn change(&self) -> ChangeType {
                self.event.change.kind.into()
            }

            #[doc = $field_doc]
            async fn $field(&self) -> Option<$node> {
                match &self.event.change.record {
                    Record::$variant(r) => Some($node(r.clone())),
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

/// The events of the feed that `keep` accepts (and whose change is one of
/// `changes`, when given), each wrapped by `wrap`; a subscriber that fell behind
/// gets a CHANGES_MISSED error in the stream and carries on.
fn events<T: Send + 'static>(
    ctx: &Context<'_>,
    changes: Option<Vec<ChangeType>>,
    keep: impl Fn(&Record) -> bool + Send + 'static,
    wrap: fn(Arc<Event>) -> T,
) -> async_graphql::Result<impl Stream<Item = ApiResult<T>>> {
    let bus = ctx.data::<ChangeBus>()?.clone();
    Ok(bus.subscribe().filter_map(move |item| {
        let out = match item {
            Err(missed) => Some(Err(ApiError::ChangesMissed(missed).into())),
            Ok(event) => {
                let wanted = changes
                    .as_ref()
                    .is_none_or(|c| c.contains(&event.change.kind.into()));
                (wanted && keep(&event.change.record)).then(|| Ok(wrap(event)))
            }
        };
        std::future::ready(out)
    }))
}

/// Changes as they are made, through any write of this API (see docs/subscriptions.md).
#[derive(Default)]
pub struct SubscriptionRoot;

/// Changes as they are made: each write made through this API instance (a record
/// mutation or `importGraph`) sends one event per record it created, updated or
/// deleted, in the order written. A subscriber that falls too far behind gets a
/// CHANGES_MISSED error in the stream and keeps receiving.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Actors created, updated or deleted from now on.
    async fn actor_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this actor.")] id: Option<ID>,
        #[graphql(desc = "Only actors of these kinds.")] kinds: Option<Vec<ActorKind>>,
        #[graphql(desc = "Only these changes (default: all).")] changes: Option<Vec<ChangeType>>,
    ) -> async_graphql::Result<impl Stream<Item = ApiResult<ActorChange>>> {
        let id = id.map(|i| parse_id("id", &i, ActorId::parse)).transpose()?;
        let keep = move |record: &Record| match record {
            Record::Actor(a) => {
                id.as_ref().is_none_or(|i| *i == a.id)
                    && kinds.as_ref().is_none_or(|k| k.contains(&a.kind))
            }
            _ => false,
        };
        events(ctx, changes, keep, |event| ActorChange { event })
    }

    /// Relations created, updated (evidence included) or deleted from now on.
    async fn relation_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this relation.")] id: Option<ID>,
        #[graphql(desc = "Only relations from or to this actor.")] actor_id: Option<ID>,
        #[graphql(desc = "Only relations of these types.")] types: Option<Vec<RelationType>>,
        #[graphql(desc = "Only these changes (default: all).")] changes: Option<Vec<ChangeType>>,
    ) -> async_graphql::Result<impl Stream<Item = ApiResult<RelationChange>>> {
        let id = id
            .map(|i| parse_id("id", &i, RelationId::parse))
            .transpose()?;
        let actor = actor_id
            .map(|i| parse_id("actorId", &i, ActorId::parse))
            .transpose()?;
        let keep = move |record: &Record| match record {
            Record::Relation(r) => {
                id.as_ref().is_none_or(|i| *i == r.id)
                    && actor.as_ref().is_none_or(|a| *a == r.from || *a == r.to)
                    && types.as_ref().is_none_or(|t| t.contains(&r.kind))
            }
            _ => false,
        };
        events(ctx, changes, keep, |event| RelationChange { event })
    }

    /// Sources created or updated from now on (a new article to quote, a
    /// corrected title…).
    async fn source_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this source.")] id: Option<ID>,
        #[graphql(desc = "Only these changes (default: all).")] changes: Option<Vec<ChangeType>>,
    ) -> async_graphql::Result<impl Stream<Item = ApiResult<SourceChange>>> {
        let id = id
            .map(|i| parse_id("id", &i, SourceId::parse))
            .transpose()?;
        let keep = move |record: &Record| match record {
            Record::Source(s) => id.as_ref().is_none_or(|i| *i == s.id),
            _ => false,
        };
        events(ctx, changes, keep, |event| SourceChange { event })
    }
}
