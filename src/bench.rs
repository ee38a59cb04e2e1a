//! `actorgraph bench-store`: the raw store side of the benchmark (`scripts/bench`
//! runs the HTTP side with wrk). It times loading a synthetic data set, then the
//! store calls behind each benchmark query, without GraphQL or HTTP, so that the
//! API layer's overhead shows as the ratio between the two.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::domain::{ActorId, Dataset, Direction, RelationType};
use crate::store::{
    ActorFilter, PageRequest, RelationFilter, RelationQuery, Repository, StoreResult,
};

/// The benchmark's queries as GraphQL, by name: the HTTP side sends these.
pub const QUERIES: [(&str, &str); 3] = [
    (
        "actor-two-levels",
        r#"{ actor(id: "syn-0000042") { name relations(first: 10) { edges { node { type to { name relations(first: 10) { edges { node { type to { name } } } } } } } } } }"#,
    ),
    (
        "relations-page",
        r#"{ relations(types: [CONTRACT, LOBBYING], first: 20) { totalCount edges { node { id summary from { name } to { name } } } } }"#,
    ),
    (
        "search",
        r#"{ actors(search: "Synthetic Actor 4242", first: 10) { totalCount edges { node { id name kind } } } }"#,
    ),
];

fn ends(relations: &[crate::domain::Relation]) -> Vec<ActorId> {
    let mut ids: Vec<ActorId> = relations
        .iter()
        .flat_map(|r| [r.from.clone(), r.to.clone()])
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn page(first: usize) -> PageRequest {
    PageRequest { first, after: None }
}

/// The store calls the API makes for each query (what its prefetcher asks for).
pub async fn raw_query(repo: &dyn Repository, name: &str) -> StoreResult<usize> {
    match name {
        "actor-two-levels" => {
            let root = ActorId::parse("syn-0000042").map_err(|e| invalid(e.to_string()))?;
            let actor = repo.actors_by_ids(std::slice::from_ref(&root)).await?;
            let q = |id: ActorId| RelationQuery {
                filter: RelationFilter::new(Some(id), Direction::Both, vec![]),
                page: page(10),
            };
            let first = repo.find_relations(&[q(root)]).await?;
            let level1: Vec<_> = first.iter().flat_map(|p| p.items.iter().cloned()).collect();
            let tos: Vec<ActorId> = level1.iter().map(|r| r.to.clone()).collect();
            let _names = repo.actors_by_ids(&tos).await?;
            let second = repo
                .find_relations(&tos.iter().cloned().map(q).collect::<Vec<_>>())
                .await?;
            let level2: Vec<_> = second
                .iter()
                .flat_map(|p| p.items.iter().cloned())
                .collect();
            let names2 = repo
                .actors_by_ids(&level2.iter().map(|r| r.to.clone()).collect::<Vec<_>>())
                .await?;
            Ok(actor.len() + level1.len() + level2.len() + names2.len())
        }
        "relations-page" => {
            let q = RelationQuery {
                filter: RelationFilter::new(
                    None,
                    Direction::Both,
                    vec![RelationType::Contract, RelationType::Lobbying],
                ),
                page: page(20),
            };
            let pages = repo.find_relations(&[q]).await?;
            let items: Vec<_> = pages.into_iter().flat_map(|p| p.items).collect();
            Ok(items.len() + repo.actors_by_ids(&ends(&items)).await?.len())
        }
        _ => {
            let filter = ActorFilter {
                search: Some("Synthetic Actor 4242".into()),
                kinds: vec![],
            };
            Ok(repo.find_actors(&filter, &page(10)).await?.items.len())
        }
    }
}

fn invalid(detail: String) -> crate::store::StoreError {
    crate::store::StoreError::InvalidRecord {
        backend: "bench",
        detail,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// One line of the raw table: median and p99 of `iterations` sequential runs, and
/// the rate of `concurrency` loops running together for `duration`.
pub async fn measure(
    repo: Arc<dyn Repository>,
    name: &'static str,
    iterations: usize,
    concurrency: usize,
    duration: Duration,
) -> StoreResult<String> {
    raw_query(repo.as_ref(), name).await?; // warm up
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        raw_query(repo.as_ref(), name).await?;
        samples.push(t.elapsed());
    }
    samples.sort();
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let repo = repo.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0usize;
            while Instant::now() < deadline {
                raw_query(repo.as_ref(), name).await?;
                done += 1;
            }
            Ok::<usize, crate::store::StoreError>(done)
        }));
    }
    let started = Instant::now();
    let mut total = 0;
    for t in tasks {
        total += t.await.map_err(|e| invalid(e.to_string()))??;
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    Ok(format!(
        "raw   {name:<18} median {:>9.3} ms   p99 {:>9.3} ms   {:>9.0} queries/s (concurrency {concurrency})",
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        rate
    ))
}

/// Loads `data` into a new embedded store and reports the throughput.
pub fn load_memory(data: Dataset) -> (Arc<dyn Repository>, String) {
    let relations = data.relations.len();
    let t = Instant::now();
    let store = crate::store::memory::MemoryStore::new(data);
    let secs = t.elapsed().as_secs_f64();
    (
        Arc::new(store),
        format!(
            "load  embedded store: {relations} relations in {secs:.2} s ({:.0} relations/s)",
            relations as f64 / secs.max(1e-9)
        ),
    )
}
