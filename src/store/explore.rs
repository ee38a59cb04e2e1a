//! Graph exploration on top of the repository: neighbourhoods and paths.
//!
//! Both walk the graph breadth-first with one batched `find_relations` call per
//! hop, so they give the same answers on every store and cost a number of round
//! trips bounded by the depth (or `maxHops`), never by the size of the answer.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use crate::domain::{Actor, ActorId, Direction, Relation, RelationId};
use crate::store::{PageRequest, RelationFilter, RelationQuery, Repository, StoreResult};

/// An actor of a neighbourhood and its distance in hops from the centre.
#[derive(Debug, Clone)]
pub struct Reached {
    pub actor: Actor,
    pub distance: usize,
}

/// The subgraph around an actor.
#[derive(Debug, Clone)]
pub struct Neighborhood {
    /// Actors by distance, then id; the centre first.
    pub nodes: Vec<Reached>,
    /// Relations among them, by id.
    pub edges: Vec<Relation>,
    /// True when the node limit cut the walk short, or an actor had more relations
    /// than were read: the subgraph is then not the whole neighbourhood.
    pub truncated: bool,
}

/// The relations of each actor of `frontier` that pass `filter` (in both
/// directions), in one call, at most `limit` per actor; and whether any actor had
/// more.
async fn expand(
    repo: &dyn Repository,
    frontier: &[ActorId],
    filter: &RelationFilter,
    direction: Direction,
    limit: usize,
) -> StoreResult<(Vec<(ActorId, Relation)>, bool)> {
    if frontier.is_empty() {
        return Ok((vec![], false));
    }
    let queries: Vec<RelationQuery> = frontier
        .iter()
        .map(|id| RelationQuery {
            order: Default::default(),
            total: true,
            filter: RelationFilter {
                actor: Some(id.clone()),
                direction,
                ..filter.clone()
            },
            page: PageRequest {
                first: limit,
                after: None,
            },
        })
        .collect();
    let pages = repo.find_relations(&queries).await?;
    let cut = pages.iter().any(|p| p.has_next_page);
    let found = frontier
        .iter()
        .zip(pages)
        .flat_map(|(id, p)| p.items.into_iter().map(move |r| (id.clone(), r)))
        .collect();
    Ok((found, cut))
}

fn other_end<'a>(r: &'a Relation, from: &ActorId) -> &'a ActorId {
    if &r.from == from {
        &r.to
    } else {
        &r.from
    }
}

/// The actors within `depth` hops of `center` and the relations among them,
/// reading at most `limit` actors. `None` when the centre does not exist.
pub async fn neighborhood(
    repo: &dyn Repository,
    center: &ActorId,
    depth: usize,
    filter: &RelationFilter,
    limit: usize,
) -> StoreResult<Option<Neighborhood>> {
    if repo
        .actors_by_ids(std::slice::from_ref(center))
        .await?
        .is_empty()
    {
        return Ok(None);
    }
    let mut distance: HashMap<ActorId, usize> = HashMap::from([(center.clone(), 0)]);
    let mut edges: BTreeMap<RelationId, Relation> = BTreeMap::new();
    let mut frontier = vec![center.clone()];
    let mut truncated = false;
    for level in 1..=depth {
        let (found, cut) = expand(repo, &frontier, filter, Direction::Both, limit).await?;
        truncated |= cut;
        let mut next = Vec::new();
        for (from, r) in found {
            let other = other_end(&r, &from).clone();
            if !distance.contains_key(&other) {
                if distance.len() >= limit {
                    truncated = true;
                    continue;
                }
                distance.insert(other.clone(), level);
                next.push(other);
            }
            edges.insert(r.id.clone(), r);
        }
        frontier = next;
    }
    let ids: Vec<ActorId> = distance.keys().cloned().collect();
    let mut nodes: Vec<Reached> = repo
        .actors_by_ids(&ids)
        .await?
        .into_iter()
        .map(|actor| Reached {
            distance: distance[&actor.id],
            actor,
        })
        .collect();
    nodes.sort_by(|a, b| (a.distance, &a.actor.id).cmp(&(b.distance, &b.actor.id)));
    Ok(Some(Neighborhood {
        nodes,
        edges: edges.into_values().collect(),
        truncated,
    }))
}

/// One step of a path: a relation, walked with or against its direction.
#[derive(Debug, Clone)]
pub struct Hop {
    pub relation: Relation,
    /// True when the path walks the relation from its `to` to its `from`.
    pub reversed: bool,
}

/// How far `paths` may look.
#[derive(Debug, Clone)]
pub struct PathLimits {
    pub max_hops: usize,
    /// How many paths to return.
    pub first: usize,
    /// Follow relations only in their own direction.
    pub directed: bool,
    /// Actors the search may read before it stops widening.
    pub max_actors: usize,
    /// Relations read per actor.
    pub per_actor: usize,
}

/// The shortest distinct simple paths from `from` to `to` of at most `max_hops`
/// hops, shortest first (then by the ids along them), at most `first` of them.
/// `None` when either end does not exist; an empty list when no path exists.
pub async fn paths(
    repo: &dyn Repository,
    from: &ActorId,
    to: &ActorId,
    filter: &RelationFilter,
    limits: &PathLimits,
) -> StoreResult<Option<Vec<Vec<Hop>>>> {
    if repo.actors_by_ids(&[from.clone(), to.clone()]).await?.len() < if from == to { 1 } else { 2 }
    {
        return Ok(None);
    }
    if from == to {
        return Ok(Some(vec![]));
    }
    let direction = if limits.directed {
        Direction::Out
    } else {
        Direction::Both
    };
    // Breadth-first from `from`, keeping every relation read: the walk's graph.
    let mut adjacency: HashMap<ActorId, Vec<(Relation, ActorId, bool)>> = HashMap::new();
    let mut seen: HashSet<ActorId> = HashSet::from([from.clone()]);
    let mut frontier = vec![from.clone()];
    for _ in 0..limits.max_hops {
        if frontier.is_empty() || seen.len() >= limits.max_actors {
            break;
        }
        let (found, _) = expand(repo, &frontier, filter, direction, limits.per_actor).await?;
        let mut next = Vec::new();
        for (at, r) in found {
            let other = other_end(&r, &at).clone();
            let reversed = r.to == at;
            if seen.insert(other.clone()) {
                next.push(other.clone());
            }
            adjacency.entry(at).or_default().push((r, other, reversed));
        }
        frontier = next;
    }
    // Hops from each actor to `to` over the walk's graph (backwards), to prune.
    let mut to_target: HashMap<&ActorId, usize> = HashMap::from([(to, 0)]);
    let mut reverse: HashMap<&ActorId, Vec<&ActorId>> = HashMap::new();
    for (at, list) in &adjacency {
        for (_, other, _) in list {
            reverse.entry(other).or_default().push(at);
        }
    }
    let mut queue = VecDeque::from([to]);
    while let Some(a) = queue.pop_front() {
        let d = to_target[a];
        for b in reverse.get(a).into_iter().flatten() {
            if !to_target.contains_key(b) {
                to_target.insert(b, d + 1);
                queue.push_back(b);
            }
        }
    }
    if !to_target.contains_key(from) {
        return Ok(Some(vec![]));
    }
    // Depth-first over simple paths that can still reach `to` within the limit.
    let mut search = PathSearch {
        to,
        max_hops: limits.max_hops,
        adjacency: &adjacency,
        to_target: &to_target,
        stack: Vec::new(),
        on_path: HashSet::from([from.clone()]),
        found: Vec::new(),
        steps: 0,
        expired: false,
    };
    search.walk(from);
    if search.expired {
        return Err(crate::deadline::Expired.into());
    }
    let mut found = search.found;
    found.sort_by(|a, b| {
        a.len().cmp(&b.len()).then_with(|| {
            let ids = |p: &Vec<Hop>| {
                p.iter()
                    .map(|h| h.relation.id.to_string())
                    .collect::<Vec<_>>()
            };
            ids(a).cmp(&ids(b))
        })
    });
    found.truncate(limits.first);
    Ok(Some(found))
}

/// The state of the depth-first enumeration of paths.
struct PathSearch<'a> {
    to: &'a ActorId,
    max_hops: usize,
    adjacency: &'a HashMap<ActorId, Vec<(Relation, ActorId, bool)>>,
    /// Hops from each actor to `to`; actors that cannot reach it are absent.
    to_target: &'a HashMap<&'a ActorId, usize>,
    stack: Vec<Hop>,
    on_path: HashSet<ActorId>,
    found: Vec<Vec<Hop>>,
    /// Steps taken, and whether the request's deadline stopped the walk.
    steps: usize,
    expired: bool,
}

impl PathSearch<'_> {
    /// Enough paths to rank: more than anyone pages through, and a bound on work.
    const MAX_FOUND: usize = 1_000;

    fn walk(&mut self, at: &ActorId) {
        if self.found.len() >= Self::MAX_FOUND || self.expired {
            return;
        }
        // Dead ends cost steps too: the deadline bounds what MAX_FOUND does not.
        self.steps += 1;
        if self.steps.is_multiple_of(crate::deadline::STEPS) && crate::deadline::expired() {
            self.expired = true;
            return;
        }
        if at == self.to {
            self.found.push(self.stack.clone());
            return;
        }
        let adjacency = self.adjacency;
        for (r, other, reversed) in adjacency.get(at).into_iter().flatten() {
            let Some(remaining) = self.to_target.get(other) else {
                continue;
            };
            if self.stack.len() + 1 + remaining > self.max_hops || self.on_path.contains(other) {
                continue;
            }
            self.on_path.insert(other.clone());
            self.stack.push(Hop {
                relation: r.clone(),
                reversed: *reversed,
            });
            self.walk(other);
            self.stack.pop();
            self.on_path.remove(other);
        }
    }
}
