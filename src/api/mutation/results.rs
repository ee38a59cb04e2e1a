//! What the writes return besides the records they wrote.

use async_graphql::SimpleObject;

use crate::api::types::ActorNode;
use crate::api::types::RelationNode;
use crate::store::{ImportReport, KindReport};

/// What an import did to one kind of record.
#[derive(SimpleObject)]
pub struct ImportCounts {
    /// Records that were new.
    pub created: i32,
    /// Records that existed and differed, now replaced.
    pub updated: i32,
    /// Records that existed as they are in the document.
    pub unchanged: i32,
}

impl From<KindReport> for ImportCounts {
    fn from(k: KindReport) -> Self {
        let n = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
        ImportCounts {
            created: n(k.created),
            updated: n(k.updated),
            unchanged: n(k.unchanged),
        }
    }
}

/// What `importGraph` did.
#[derive(SimpleObject)]
pub struct ImportResult {
    /// Sources.
    pub sources: ImportCounts,
    /// Actors.
    pub actors: ImportCounts,
    /// Relations.
    pub relations: ImportCounts,
    /// False when the store already held the document exactly (nothing written).
    pub changed: bool,
}

impl From<ImportReport> for ImportResult {
    fn from(r: ImportReport) -> Self {
        ImportResult {
            changed: !r.unchanged(),
            sources: r.sources.into(),
            actors: r.actors.into(),
            relations: r.relations.into(),
        }
    }
}

/// What `deleteActor` deleted.
#[derive(SimpleObject)]
pub struct DeleteActorResult {
    /// The actor as it was.
    pub actor: ActorNode,
    /// The relations deleted with it (`cascade: true`), as they were.
    pub deleted_relations: Vec<RelationNode>,
}
