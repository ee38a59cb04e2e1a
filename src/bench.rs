//! `actorgraph bench-store`: the raw store side of the benchmark (`scripts/bench`
//! runs the HTTP side with wrk). It times loading a synthetic data set, then the
//! store calls behind each benchmark query, without GraphQL or HTTP, so that the
//! API layer's overhead shows as the ratio between the two.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::domain::filter::{Compare, Condition, Number, RelationCount, Test};
use crate::domain::{ActorId, Dataset, Direction, RelationType, SourceId};
use crate::store::{
    ActorFilter, ActorSortBy, ListOrder, PageRequest, RelationFilter, RelationQuery, Repository,
    SortBy, SourceQuery, StoreResult,
};

/// The benchmark's queries as GraphQL, by name: the HTTP side sends these.
pub const QUERIES: [(&str, &str); 14] = [
    (
        "actor-two-levels",
        r#"{ actor(id: "syn-0000042") { name relations(first: 10) { edges { node { type to { name relations(first: 10) { edges { node { type to { name } } } } } } } } } }"#,
    ),
    (
        "relations-page",
        r#"{ relations(types: [CONTRACT, LOBBYING], first: 20) { totalCount edges { node { id summary from { name } to { name } } } } }"#,
    ),
    (
        "relations-where",
        r#"{ relations(types: [CONTRACT, LOBBYING], where: {amount: {currency: "USD", lte: 100000}}, first: 20) { totalCount edges { node { id summary from { name } to { name } } } } }"#,
    ),
    (
        "relations-ordered",
        r#"{ relations(types: [CONTRACT, LOBBYING], orderBy: {field: AMOUNT, currency: "USD", direction: DESC}, first: 20) { totalCount edges { node { id summary from { name } to { name } } } } }"#,
    ),
    (
        "relations-last",
        r#"{ relations(types: [CONTRACT, LOBBYING], last: 20) { totalCount edges { node { id summary from { name } to { name } } } } }"#,
    ),
    (
        "actor-aggregate",
        r#"{ actor(id: "syn-0000042") { name relations(first: 10) { aggregate { count amounts { currency sum average } byType { type count } byOtherEndKind { kind count } } edges { node { type to { name } } } } } }"#,
    ),
    (
        "relations-aggregate",
        r#"{ relations(types: [CONTRACT, LOBBYING], first: 0) { aggregate { count amounts { currency sum min max } byType { type count } } } }"#,
    ),
    (
        "actors-where",
        r#"{ actors(where: {relations: [{direction: IN, gte: 5}]}, first: 10) { totalCount edges { node { id name kind } } } }"#,
    ),
    (
        "actors-ordered",
        r#"{ actors(orderBy: {field: RELATIONS, direction: DESC}, first: 10) { totalCount edges { node { id name kind } } } }"#,
    ),
    (
        "search",
        r#"{ actors(search: "Synthetic Actor 4242", first: 10) { totalCount edges { node { id name kind } } } }"#,
    ),
    (
        "search-typo",
        r#"{ actors(search: "Synthetc Actor 4242", first: 10) { totalCount edges { node { id name kind } } } }"#,
    ),
    (
        "sources-search",
        r#"{ sources(search: "Synthetic Actor 4242", first: 10) { totalCount edges { node { id title } matchCount matches(first: 3) { text relations { id type } } } } }"#,
    ),
    (
        "source-relations",
        r#"{ source(id: "syn-src-00042") { title relations(first: 20) { totalCount edges { node { id summary from { name } to { name } } } } } }"#,
    ),
    (
        "search-short-typo",
        r#"{ actors(search: "행위쟈 42", first: 10) { totalCount edges { node { id name kind } } } }"#,
    ),
];

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
                order: Default::default(),
                total: true,
                filter: RelationFilter::new(Some(id), Direction::Both, vec![]),
                page: page(10),
            };
            // Each level's pages come with the actors at their ends.
            let (first, _ends) = repo.find_relations_with_ends(&[q(root)]).await?;
            let level1: Vec<_> = first.iter().flat_map(|p| p.items.iter().cloned()).collect();
            let tos: Vec<ActorId> = level1.iter().map(|r| r.to.clone()).collect();
            let (second, names2) = repo
                .find_relations_with_ends(&tos.iter().cloned().map(q).collect::<Vec<_>>())
                .await?;
            let level2: Vec<_> = second
                .iter()
                .flat_map(|p| p.items.iter().cloned())
                .collect();
            Ok(actor.len() + level1.len() + level2.len() + names2.len())
        }
        "relations-page" | "relations-where" | "relations-ordered" | "relations-last" => {
            // The same page, kept to small amounts for `relations-where`, in
            // descending amounts for `relations-ordered`, read backward for
            // `relations-last`.
            let condition = match name {
                "relations-where" => Some(Condition::Test(Test::Amount {
                    currency: "USD".into(),
                    compare: Compare::Lte,
                    bound: Number::new(100_000.0).ok_or_else(|| invalid("bound".into()))?,
                })),
                _ => None,
            };
            let order = match name {
                "relations-ordered" => ListOrder {
                    by: SortBy::Amount("USD".into()),
                    descending: true,
                    ..ListOrder::default()
                },
                "relations-last" => ListOrder {
                    backward: true,
                    ..ListOrder::default()
                },
                _ => ListOrder::default(),
            };
            let q = RelationQuery {
                order,
                total: true,
                filter: RelationFilter::new(
                    None,
                    Direction::Both,
                    vec![RelationType::Contract, RelationType::Lobbying],
                )
                .passing(condition),
                page: page(20),
            };
            let (pages, ends) = repo.find_relations_with_ends(&[q]).await?;
            Ok(pages.iter().map(|p| p.items.len()).sum::<usize>() + ends.len())
        }
        "actor-aggregate" => {
            // The actor's page (with the ends) and its aggregate, side by side.
            let root = ActorId::parse("syn-0000042").map_err(|e| invalid(e.to_string()))?;
            let filter = RelationFilter::new(Some(root.clone()), Direction::Both, vec![]);
            let q = RelationQuery {
                order: Default::default(),
                total: true,
                filter: filter.clone(),
                page: page(10),
            };
            let (actor, pages, aggregates) = futures_util::try_join!(
                repo.actors_by_ids(std::slice::from_ref(&root)),
                repo.find_relations_with_ends(std::slice::from_ref(&q)),
                repo.aggregate_relations(std::slice::from_ref(&filter)),
            )?;
            Ok(actor.len() + pages.0.len() + aggregates.iter().map(|a| a.count).sum::<usize>())
        }
        "relations-aggregate" => {
            let filter = RelationFilter::new(
                None,
                Direction::Both,
                vec![RelationType::Contract, RelationType::Lobbying],
            );
            let q = RelationQuery {
                order: Default::default(),
                total: false,
                filter: filter.clone(),
                page: page(0),
            };
            let (pages, aggregates) = futures_util::try_join!(
                repo.find_relations(std::slice::from_ref(&q)),
                repo.aggregate_relations(std::slice::from_ref(&filter)),
            )?;
            Ok(pages.len() + aggregates.iter().map(|a| a.count).sum::<usize>())
        }
        "actors-ordered" => {
            let filter = ActorFilter {
                order: ListOrder {
                    by: ActorSortBy::Relations,
                    descending: true,
                    ..ListOrder::default()
                },
                ..ActorFilter::default()
            };
            Ok(repo.find_actors(&filter, &page(10)).await?.items.len())
        }
        "actors-where" => {
            let filter = ActorFilter {
                relations: vec![RelationCount {
                    types: vec![],
                    direction: Direction::In,
                    min: 5,
                    max: None,
                }],
                ..ActorFilter::default()
            };
            Ok(repo.find_actors(&filter, &page(10)).await?.items.len())
        }
        "sources-search" => {
            let query = SourceQuery {
                search: crate::domain::search::fold("Synthetic Actor 4242"),
                text: true,
                page: page(10),
            };
            let hits = repo.find_sources(&query).await?;
            // The matches' relations: those quoting each hit, in one call.
            let citing: Vec<RelationQuery> = hits
                .items
                .iter()
                .map(|s| RelationQuery {
                    order: Default::default(),
                    total: false,
                    filter: RelationFilter::citing(s.id.clone(), vec![]),
                    page: page(crate::api::CITING_MAX),
                })
                .collect();
            let pages = repo.find_relations(&citing).await?;
            Ok(hits.items.len() + pages.iter().map(|p| p.items.len()).sum::<usize>())
        }
        "source-relations" => {
            let id = SourceId::parse("syn-src-00042").map_err(|e| invalid(e.to_string()))?;
            let source = repo.sources_by_ids(std::slice::from_ref(&id)).await?;
            let q = RelationQuery {
                order: Default::default(),
                total: true,
                filter: RelationFilter::citing(id, vec![]),
                page: page(20),
            };
            let (pages, ends) = repo.find_relations_with_ends(&[q]).await?;
            Ok(source.len() + pages[0].items.len() + ends.len())
        }
        _ => {
            let search = match name {
                "search-typo" => "Synthetc Actor 4242",
                "search-short-typo" => "행위쟈 42",
                _ => "Synthetic Actor 4242",
            };
            let filter = ActorFilter {
                search: Some(search.into()),
                ..ActorFilter::default()
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

/// What the change log holds: its entries, and the bytes of their content and
/// fields as the log keeps them (JSON text), read page by page.
pub async fn log_size(repo: &dyn Repository) -> StoreResult<(usize, usize)> {
    let (mut entries, mut bytes, mut after) = (0, 0, 0);
    loop {
        let page = repo
            .changes(&crate::store::ChangeQuery {
                after,
                first: 1_000,
                ..Default::default()
            })
            .await?;
        for e in &page.items {
            entries += 1;
            bytes += e.by.len() + e.id.len() + 40; // number, time, kind, change, version
            bytes += e.before.as_ref().map_or(0, |r| {
                crate::store::records::record_json(r).to_string().len()
            });
            bytes += e.after.as_ref().map_or(0, |r| {
                crate::store::records::record_json(r).to_string().len()
            });
            after = e.seq;
        }
        if !page.has_next_page {
            return Ok((entries, bytes));
        }
    }
}

/// `n` round trips to the blocking pool that each write one byte to a file and
/// fsync it: what any durable write costs on this machine, whatever the store.
async fn fsync_floor(n: usize) -> std::io::Result<Vec<Duration>> {
    use std::io::Write as _;
    let path = std::env::temp_dir().join(format!("actorgraph-fsync-{}", std::process::id()));
    let file = Arc::new(std::sync::Mutex::new(std::fs::File::create(&path)?));
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let file = file.clone();
        let t = Instant::now();
        tokio::task::spawn_blocking(move || {
            let mut f = file.lock().unwrap_or_else(|p| p.into_inner());
            f.write_all(b"x")?;
            f.sync_data()
        })
        .await
        .map_err(std::io::Error::other)??;
        samples.push(t.elapsed());
    }
    let _ = std::fs::remove_file(&path);
    Ok(samples)
}

/// The raw cost of record writes: `n` rounds of create actor → update it → create a
/// relation from it (a copy of an existing one) → delete the actor with it
/// (cascade), one after the other for the latencies, then `concurrency` loops of
/// the same rounds on their own actors for the rate. With `readers`, the
/// sequential rounds run again while that many clients read (the two-level
/// actor read and the relations page, in turn). Prints one line per kind of
/// write (median, p99, max) and one for the rate; the records are gone afterwards.
pub async fn measure_writes(
    repo: Arc<dyn Repository>,
    n: usize,
    concurrency: usize,
    readers: usize,
) -> Result<Vec<String>, crate::store::WriteError> {
    use crate::store::Write;
    let template = repo
        .find_relations(&[crate::store::RelationQuery {
            order: Default::default(),
            total: true,
            filter: Default::default(),
            page: page(1),
        }])
        .await?
        .pop()
        .and_then(|p| p.items.into_iter().next())
        .ok_or_else(|| invalid("no relation to copy".into()))?;
    let actor_template = repo
        .actors_by_ids(std::slice::from_ref(&template.to))
        .await?
        .pop()
        .ok_or_else(|| invalid("no actor to copy".into()))?;

    async fn round(
        repo: &dyn Repository,
        actor: &crate::domain::Actor,
        relation: &crate::domain::Relation,
        tag: &str,
        times: &mut [Vec<Duration>; 4],
    ) -> Result<(), crate::store::WriteError> {
        // The process id keeps a re-run clear of what a failed run left.
        let id = ActorId::parse(format!("bench-writer-{}-{tag}", std::process::id()))
            .map_err(|e| invalid(e.to_string()))?;
        let mut a = actor.clone();
        a.id = id.clone();
        let mut r = relation.clone();
        r.id = crate::domain::RelationId::parse(format!("{id}-rel"))
            .map_err(|e| invalid(e.to_string()))?;
        r.from = id.clone();
        let writes = [
            Write::CreateActor(a.clone()),
            Write::UpdateActor {
                actor: crate::domain::Actor {
                    description: Some("updated".into()),
                    ..a
                },
                expected: 1,
            },
            Write::CreateRelation(r),
            Write::DeleteActor {
                id,
                expected: None,
                cascade: true,
            },
        ];
        for (i, w) in writes.into_iter().enumerate() {
            let t = Instant::now();
            repo.write(w, "bench").await?;
            times[i].push(t.elapsed());
        }
        Ok(())
    }

    /// `n` sequential rounds: one line per kind of write.
    async fn sequential(
        repo: &dyn Repository,
        actor: &crate::domain::Actor,
        relation: &crate::domain::Relation,
        n: usize,
        tag: &str,
        label: &str,
    ) -> Result<Vec<String>, crate::store::WriteError> {
        let mut times: [Vec<Duration>; 4] = Default::default();
        for i in 0..n {
            round(repo, actor, relation, &format!("{tag}{i}"), &mut times).await?;
        }
        let mut lines = Vec::new();
        for (name, samples) in [
            "create actor",
            "update actor",
            "create relation",
            "delete (cascade)",
        ]
        .iter()
        .zip(times.iter_mut())
        {
            samples.sort();
            lines.push(format!(
                "write {name:<18} median {:>9.3} ms   p99 {:>9.3} ms   max {:>9.3} ms   ({n} sequential, {label})",
                percentile(samples, 0.5).as_secs_f64() * 1e3,
                percentile(samples, 0.99).as_secs_f64() * 1e3,
                samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            ));
        }
        Ok(lines)
    }

    let mut lines = sequential(
        repo.as_ref(),
        &actor_template,
        &template,
        n,
        "s",
        "no readers",
    )
    .await?;
    if readers > 0 {
        // Clients reading as fast as they are answered, while the writes run.
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut tasks = Vec::new();
        for r in 0..readers {
            let (repo, stop) = (repo.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                let mut done = 0usize;
                let names = ["actor-two-levels", "relations-page"];
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    raw_query(repo.as_ref(), names[(r + done) % names.len()]).await?;
                    done += 1;
                }
                Ok::<usize, crate::store::StoreError>(done)
            }));
        }
        let started = Instant::now();
        let label = format!("{readers} readers");
        let under = sequential(repo.as_ref(), &actor_template, &template, n, "r", &label).await;
        // The floor under the same load: a one-byte write and fsync of a file on
        // the blocking pool, with nothing of the store in it.
        let floor = fsync_floor(n).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut reads = 0;
        for t in tasks {
            reads += t.await.map_err(|e| invalid(e.to_string()))??;
        }
        lines.extend(under?);
        if let Ok(mut samples) = floor {
            samples.sort();
            lines.push(format!(
                "floor {:<18} median {:>9.3} ms   p99 {:>9.3} ms   max {:>9.3} ms   ({n} sequential, {label})",
                "1-byte write+fsync",
                percentile(&samples, 0.5).as_secs_f64() * 1e3,
                percentile(&samples, 0.99).as_secs_f64() * 1e3,
                samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            ));
        }
        lines.push(format!(
            "read  {:<18} {:>9.0} queries/s by {readers} readers during the writes",
            "actor + relations",
            reads as f64 / started.elapsed().as_secs_f64()
        ));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..concurrency {
        let (repo, a, r) = (repo.clone(), actor_template.clone(), template.clone());
        tasks.push(tokio::spawn(async move {
            let mut times: [Vec<Duration>; 4] = Default::default();
            for i in 0..n.div_ceil(concurrency.max(1)) {
                round(repo.as_ref(), &a, &r, &format!("c{c}x{i}"), &mut times).await?;
            }
            Ok::<usize, crate::store::WriteError>(times[0].len() * 4)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.map_err(|e| invalid(e.to_string()))??;
    }
    lines.push(format!(
        "write {:<18} {:>9.0} writes/s (concurrency {concurrency}, {total} writes)",
        "mixed rounds",
        total as f64 / started.elapsed().as_secs_f64()
    ));
    Ok(lines)
}
