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

/// A change to an actor.
pub struct ActorChange {
    event: Arc<Event>,
}

impl ActorChange {
    fn record(&self) -> Option<&crate::domain::Actor> {
        match &self.event.change.record {
            Record::Actor(a) => Some(a),
            _ => None,
        }
    }
}

/// A change to an actor: what happened, the actor as it left it, who and when.
#[Object]
impl ActorChange {
    /// What happened.
    async fn change(&self) -> ChangeType {
        self.event.change.kind.into()
    }

    /// The actor after the change (for a deletion: as it was last).
    async fn actor(&self) -> Option<ActorNode> {
        self.record().cloned().map(ActorNode)
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

/// A change to a relation.
pub struct RelationChange {
    event: Arc<Event>,
}

impl RelationChange {
    fn record(&self) -> Option<&crate::domain::Relation> {
        match &self.event.change.record {
            Record::Relation(r) => Some(r),
            _ => None,
        }
    }
}

/// A change to a relation: what happened, the relation as it left it (with its
/// evidence), who and when.
#[Object]
impl RelationChange {
    /// What happened.
    async fn change(&self) -> ChangeType {
        self.event.change.kind.into()
    }

    /// The relation after the change (for a deletion: as it was last).
    async fn relation(&self) -> Option<RelationNode> {
        self.record().cloned().map(RelationNode)
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

/// A change to a source document.
pub struct SourceChange {
    event: Arc<Event>,
}

impl SourceChange {
    fn record(&self) -> Option<&crate::domain::Source> {
        match &self.event.change.record {
            Record::Source(s) => Some(s),
            _ => None,
        }
    }
}

/// A change to a source document: what happened, the source as it left it, who and
/// when.
#[Object]
impl SourceChange {
    /// What happened (sources are created and updated, never deleted).
    async fn change(&self) -> ChangeType {
        self.event.change.kind.into()
    }

    /// The source after the change.
    async fn source(&self) -> Option<SourceNode> {
        self.record().cloned().map(SourceNode)
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

fn changes_filter(changes: Option<Vec<ChangeType>>) -> impl Fn(&Event) -> bool {
    move |e| {
        changes
            .as_ref()
            .is_none_or(|c| c.contains(&e.change.kind.into()))
    }
}

fn feed(ctx: &Context<'_>) -> ApiResult<ChangeBus> {
    Ok(ctx.data::<ChangeBus>()?.clone())
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
        let wanted = changes_filter(changes);
        Ok(feed(ctx)?.subscribe().filter_map(move |item| {
            let out = match item {
                Err(missed) => Some(Err(ApiError::ChangesMissed(missed).into())),
                Ok(event) => match &event.change.record {
                    Record::Actor(a)
                        if wanted(&event)
                            && id.as_ref().is_none_or(|i| *i == a.id)
                            && kinds.as_ref().is_none_or(|k| k.contains(&a.kind)) =>
                    {
                        Some(Ok(ActorChange {
                            event: event.clone(),
                        }))
                    }
                    _ => None,
                },
            };
            std::future::ready(out)
        }))
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
        let wanted = changes_filter(changes);
        Ok(feed(ctx)?.subscribe().filter_map(move |item| {
            let out = match item {
                Err(missed) => Some(Err(ApiError::ChangesMissed(missed).into())),
                Ok(event) => match &event.change.record {
                    Record::Relation(r)
                        if wanted(&event)
                            && id.as_ref().is_none_or(|i| *i == r.id)
                            && actor.as_ref().is_none_or(|a| *a == r.from || *a == r.to)
                            && types.as_ref().is_none_or(|t| t.contains(&r.kind)) =>
                    {
                        Some(Ok(RelationChange {
                            event: event.clone(),
                        }))
                    }
                    _ => None,
                },
            };
            std::future::ready(out)
        }))
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
        let wanted = changes_filter(changes);
        Ok(feed(ctx)?.subscribe().filter_map(move |item| {
            let out = match item {
                Err(missed) => Some(Err(ApiError::ChangesMissed(missed).into())),
                Ok(event) => match &event.change.record {
                    Record::Source(s)
                        if wanted(&event) && id.as_ref().is_none_or(|i| *i == s.id) =>
                    {
                        Some(Ok(SourceChange {
                            event: event.clone(),
                        }))
                    }
                    _ => None,
                },
            };
            std::future::ready(out)
        }))
    }
}
