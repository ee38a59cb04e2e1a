//! The walker: level-by-level fetching, one store call per kind of record per
//! level of the query, whatever the number of results.
//!
//! A root field, once it has its actors or relations, hands the rest of the
//! query's selection to [`run`], which walks it breadth-first. At each level it
//! gathers every key the level's resolvers will ask for (the relation pages of all
//! actors, the `from`/`to` actors and evidence sources of all relations, the
//! histories), and has each [loader](super::loaders) fetch its keys in one call; the
//! four kinds of a level are fetched together. The resolvers then find their
//! records read. The cost of a request is therefore bounded by the depth of the
//! query, never by the number of results, which matters most over Bolt, where each
//! call is a network round trip.
//!
//! The walker reads the selection by field and argument names; [`field`] lists the
//! names, and [`RelationsArgs`] reads `Actor.relations`' arguments for the resolver
//! and the walker alike. A test checks both against the schema, so a renamed field
//! or argument fails the build's tests instead of silently losing the batching.

use async_graphql::{InputType, SelectionField, Value};

use super::error::{ApiError, ApiResult};
use super::filter::RelationWhere;
use super::loaders::{HistoryKey, Loaders};
use super::order::Paging;
use super::types::parse_as_of;
use crate::domain::{ActorId, Direction, Relation, RelationType, SourceId};
use crate::store::{RecordKind, RelationFilter, RelationQuery};

/// The names of the fields the walker follows, as the schema spells them.
pub mod field {
    /// `Actor.relations`.
    pub const RELATIONS: &str = "relations";
    /// `RelationConnection.aggregate`.
    pub const AGGREGATE: &str = "aggregate";
    /// `RelationConnection.edges` and `ActorConnection.edges`.
    pub const EDGES: &str = "edges";
    /// `RelationEdge.node` and `ActorEdge.node`.
    pub const NODE: &str = "node";
    /// `Relation.from`.
    pub const FROM: &str = "from";
    /// `Relation.to`.
    pub const TO: &str = "to";
    /// `Relation.evidence`.
    pub const EVIDENCE: &str = "evidence";
    /// `Evidence.source`.
    pub const SOURCE: &str = "source";
    /// `Actor.history`, `Relation.history`, `Source.history`.
    pub const HISTORY: &str = "history";
    /// `Neighborhood.center`.
    pub const CENTER: &str = "center";
    /// `Neighborhood.nodes`.
    pub const NODES: &str = "nodes";
    /// `NeighborhoodNode.actor`.
    pub const ACTOR: &str = "actor";
    /// `TimelineEntry.relation` and `PathHop.relation`.
    pub const RELATION: &str = "relation";
    /// `Path.hops`.
    pub const HOPS: &str = "hops";
    /// `Path.actors`.
    pub const ACTORS: &str = "actors";
}

/// The arguments of `Actor.relations`: given by the resolver, or read by the walker
/// from the selection, and turned into the same store query (the loader's key).
#[derive(Clone, Default)]
pub struct RelationsArgs {
    pub direction: Direction,
    pub types: Option<Vec<RelationType>>,
    pub paging: Paging,
    pub as_of: Option<String>,
    pub where_: Option<RelationWhere>,
}

impl RelationsArgs {
    /// The arguments' names, as the schema spells them (checked by a test).
    pub const NAMES: [&'static str; 9] = [
        "direction",
        "types",
        "first",
        "after",
        "last",
        "before",
        "orderBy",
        "asOf",
        "where",
    ];

    /// The arguments of a selected `relations` field (variables substituted).
    /// `None` when they are invalid: the resolver then reports the error itself.
    fn of_selection(field: &SelectionField<'_>) -> Option<Self> {
        let args = field.arguments().ok()?;
        let [direction, types, first, after, last, before, order_by, as_of, where_] = Self::NAMES;
        Some(RelationsArgs {
            direction: arg(&args, direction).ok()?.unwrap_or_default(),
            types: arg(&args, types).ok()?,
            paging: Paging {
                first: arg(&args, first).ok()?,
                after: arg(&args, after).ok()?,
                last: arg(&args, last).ok()?,
                before: arg(&args, before).ok()?,
                order_by: arg(&args, order_by).ok()?,
            },
            as_of: arg(&args, as_of).ok()?,
            where_: arg(&args, where_).ok()?,
        })
    }

    /// The store query of these arguments, for one actor or for the whole graph.
    pub fn query(&self, actor: Option<ActorId>) -> Result<RelationQuery, ApiError> {
        let condition = self
            .where_
            .as_ref()
            .map(|w| w.condition("where"))
            .transpose()?;
        let (page, order) = self.paging.read()?;
        let as_of = parse_as_of(self.as_of.as_deref())?;
        let types = self.types.clone().unwrap_or_default();
        Ok(RelationQuery {
            total: true,
            filter: RelationFilter::new(actor, self.direction, types)
                .at(as_of)
                .passing(condition),
            order,
            page,
        })
    }
}

/// Reads an argument of a selected field; `None` when absent or null.
fn arg<T: InputType>(args: &[(async_graphql::Name, Value)], name: &str) -> Result<Option<T>, ()> {
    match args.iter().find(|(n, _)| n.as_str() == name) {
        None | Some((_, Value::Null)) => Ok(None),
        Some((_, v)) => T::parse(Some(v.clone())).map(Some).map_err(|_| ()),
    }
}

/// The fields selected on the nodes of a connection field (`edges { node { … } }`).
pub fn node_selection<'a>(connection: &SelectionField<'a>) -> Vec<SelectionField<'a>> {
    connection
        .selection_set()
        .filter(|f| f.name() == field::EDGES)
        .flat_map(|edges| {
            edges
                .selection_set()
                .filter(|f| f.name() == field::NODE)
                .collect::<Vec<_>>()
        })
        .flat_map(|node| node.selection_set().collect::<Vec<_>>())
        .collect()
}

/// The fields selected below each field named `name` of `selection`.
pub fn below<'a>(selection: &[SelectionField<'a>], name: &str) -> Vec<SelectionField<'a>> {
    selection
        .iter()
        .filter(|f| f.name() == name)
        .flat_map(|f| f.selection_set().collect::<Vec<_>>())
        .collect()
}

/// What a relation leads to: the keys the next level needs.
struct Ends {
    id: String,
    from: ActorId,
    to: ActorId,
    sources: Vec<SourceId>,
}

impl From<&Relation> for Ends {
    fn from(r: &Relation) -> Self {
        Ends {
            id: r.id.to_string(),
            from: r.from.clone(),
            to: r.to.clone(),
            sources: r.evidence.iter().map(|e| e.source.clone()).collect(),
        }
    }
}

/// Where a walk starts: records with the fields selected on them.
pub enum Start<'a> {
    /// Actors by id: those the loaders have not read yet are fetched with the
    /// first level.
    Actors(Vec<ActorId>, Vec<SelectionField<'a>>),
    /// Relations, read already.
    Relations(Vec<Relation>, Vec<SelectionField<'a>>),
}

/// One level of the walk: sets of records, each with the selection made on them.
#[derive(Default)]
struct Level<'a> {
    actors: Vec<(Vec<ActorId>, Vec<SelectionField<'a>>)>,
    relations: Vec<(Vec<Ends>, Vec<SelectionField<'a>>)>,
}

impl Level<'_> {
    fn is_empty(&self) -> bool {
        self.actors.is_empty() && self.relations.is_empty()
    }
}

/// Walks the selections below `starts`, level by level, having the loaders fetch
/// each level's records.
pub async fn run(loaders: &Loaders, starts: Vec<Start<'_>>) -> ApiResult<()> {
    let mut level = Level::default();
    for start in starts {
        match start {
            Start::Actors(ids, selection) => level.actors.push((ids, selection)),
            Start::Relations(rels, selection) => level
                .relations
                .push((rels.iter().map(Ends::from).collect(), selection)),
        }
    }
    while !level.is_empty() {
        // What this level's resolvers will ask for.
        let mut pages: Vec<(RelationQuery, Vec<SelectionField<'_>>)> = Vec::new();
        let mut histories: Vec<HistoryKey> = Vec::new();
        let mut aggregates: Vec<RelationFilter> = Vec::new();
        for (ids, fields) in &level.actors {
            for f in fields.iter().filter(|f| f.name() == field::RELATIONS) {
                let Some(args) = RelationsArgs::of_selection(f) else {
                    continue;
                };
                let nodes = node_selection(f);
                // Read (and its `where` checked) once for the field, then anchored
                // on each actor.
                let Ok(query) = args.query(None) else {
                    continue;
                };
                let aggregated = f.selection_set().any(|g| g.name() == field::AGGREGATE);
                for id in ids {
                    let mut q = query.clone();
                    q.filter.actor = Some(id.clone());
                    if aggregated {
                        aggregates.push(q.filter.clone());
                    }
                    pages.push((q, nodes.clone()));
                }
            }
            if fields.iter().any(|f| f.name() == field::HISTORY) {
                histories.extend(ids.iter().map(|id| (RecordKind::Actor, id.to_string())));
            }
        }
        // The level's own actors (read already, unless a start named them by id)
        // and the ends of its relations.
        let mut actors: Vec<(Vec<ActorId>, Vec<SelectionField<'_>>)> = Vec::new();
        let own = level.actors.iter().flat_map(|(ids, _)| ids.iter().cloned());
        let mut sources: Vec<SourceId> = Vec::new();
        for (ends, fields) in &level.relations {
            for f in fields {
                match f.name() {
                    field::HISTORY => {
                        histories.extend(ends.iter().map(|e| (RecordKind::Relation, e.id.clone())))
                    }
                    field::FROM => actors.push((
                        ends.iter().map(|e| e.from.clone()).collect(),
                        f.selection_set().collect(),
                    )),
                    field::TO => actors.push((
                        ends.iter().map(|e| e.to.clone()).collect(),
                        f.selection_set().collect(),
                    )),
                    field::EVIDENCE if f.selection_set().any(|g| g.name() == field::SOURCE) => {
                        sources.extend(ends.iter().flat_map(|e| e.sources.iter().cloned()));
                    }
                    _ => {}
                }
            }
        }

        // One call per kind, for what is not read yet; the four run together. When
        // the pages' relations show their `from` or `to`, the pages come with the
        // actors at their ends, which the next level would otherwise fetch.
        let with_ends = pages.iter().any(|(_, nodes)| {
            nodes
                .iter()
                .any(|f| matches!(f.name(), field::FROM | field::TO))
        });
        // An actor is at an end of its own relations, so with the ends the level's
        // own actors usually come with their pages: those still missing (an actor
        // without relations, or a page that does not show it) are fetched after,
        // which spares a statement in the common case. Without the ends they are
        // fetched with the rest.
        let own: Vec<ActorId> = own.collect();
        let (own_now, own_after) = if with_ends && !pages.is_empty() {
            (Vec::new(), own)
        } else {
            (own, Vec::new())
        };
        let queries = pages.iter().map(|(q, _)| q.clone());
        let ends = actors.iter().flat_map(|(ids, _)| ids.iter().cloned());
        let (p, a, s, h, g) = futures_util::join!(
            async {
                if with_ends {
                    loaders.fetch_pages_with_ends(queries).await
                } else {
                    loaders.relation_pages.fetch(queries).await
                }
            },
            loaders.actors.fetch(own_now.into_iter().chain(ends)),
            loaders.sources.fetch(sources),
            loaders.histories.fetch(histories),
            loaders.aggregates.fetch(aggregates),
        );
        p?;
        a?;
        s?;
        h?;
        g?;
        loaders.actors.fetch(own_after).await?;

        // The next level: relations of the pages, actors that have selections below.
        let mut next = Level::default();
        for (q, nodes) in pages {
            if nodes.is_empty() {
                continue;
            }
            if let Some(ends) = loaders
                .relation_pages
                .with(&q, |page| page.items.iter().map(Ends::from).collect())
            {
                next.relations.push((ends, nodes));
            }
        }
        for (ids, fields) in actors {
            if fields
                .iter()
                .any(|f| matches!(f.name(), field::RELATIONS | field::HISTORY))
            {
                next.actors.push((ids, fields));
            }
        }
        level = next;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields (type, field) the walker follows, and `Actor.relations`' arguments,
    /// exist in the schema under these names.
    #[tokio::test]
    async fn the_walker_follows_the_schema_names() {
        let schema = crate::api::schema_builder(&crate::api::Limits::default()).finish();
        let answer = schema
            .execute(r#"{ types: __schema { types { name fields { name args { name } } } } }"#)
            .await
            .into_result()
            .expect("introspection runs");
        let json = answer.data.into_json().expect("json");
        let types = json["types"]["types"].as_array().expect("types");
        let fields_of = |ty: &str| -> Vec<serde_json::Value> {
            types
                .iter()
                .find(|t| t["name"] == ty)
                .and_then(|t| t["fields"].as_array().cloned())
                .unwrap_or_else(|| panic!("no type {ty}"))
        };
        let has = |ty: &str, name: &str| fields_of(ty).iter().any(|f| f["name"] == name);
        for (ty, name) in [
            ("Actor", field::RELATIONS),
            ("RelationConnection", field::AGGREGATE),
            ("Actor", field::HISTORY),
            ("RelationConnection", field::EDGES),
            ("RelationEdge", field::NODE),
            ("ActorConnection", field::EDGES),
            ("ActorEdge", field::NODE),
            ("Relation", field::FROM),
            ("Relation", field::TO),
            ("Relation", field::EVIDENCE),
            ("Relation", field::HISTORY),
            ("Evidence", field::SOURCE),
            ("Source", field::HISTORY),
            ("Neighborhood", field::CENTER),
            ("Neighborhood", field::NODES),
            ("Neighborhood", field::EDGES),
            ("NeighborhoodNode", field::ACTOR),
            ("TimelineEntry", field::RELATION),
            ("Path", field::HOPS),
            ("PathHop", field::RELATION),
            ("Path", field::ACTORS),
        ] {
            assert!(has(ty, name), "the schema has no `{ty}.{name}`");
        }
        let relations = fields_of("Actor")
            .into_iter()
            .find(|f| f["name"] == field::RELATIONS)
            .expect("Actor.relations");
        let mut args: Vec<String> = relations["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(|a| a["name"].as_str().expect("name").to_string())
            .collect();
        args.sort();
        let mut names: Vec<String> = RelationsArgs::NAMES.map(String::from).to_vec();
        names.sort();
        assert_eq!(
            args, names,
            "`Actor.relations` takes other arguments than the walker reads"
        );
    }
}
