//! The commands other than `serve`: `validate`, `schema`, `seed`, `export`,
//! `measure-intake`, `bench-store` and `key`.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use crate::config::{BenchArgs, ExportArgs, SeedArgs};
use crate::store::memory::{MemoryStore, Opened};
use crate::store::neo4j::{ImportOptions, ImportReport, KindReport, Neo4jStore};
use crate::{seed, synthetic};

/// `actorgraph validate PATH`.
pub fn validate(path: &std::path::Path) -> ExitCode {
    match seed::load(path) {
        Ok(data) => {
            println!(
                "{}: valid ({} sources, {} actors, {} relations)",
                path.display(),
                data.sources.len(),
                data.actors.len(),
                data.relations.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// `actorgraph intake FILE`: the article stored with its claims (as `cli`), as
/// the `intake` mutation does, and what intake found, printed.
pub async fn intake(args: crate::config::IntakeArgs) -> anyhow::Result<ExitCode> {
    use crate::domain::dataset::{RawDate, RawSource};
    use crate::domain::{validate, ClaimEnd, RawDocument};
    use crate::store::{Record, Write};
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("could not read {} as UTF-8 text", args.file.display()))?;
    let id = args.id.clone().unwrap_or_else(|| slug(&args.file));
    let title = args.title.clone().unwrap_or_else(|| {
        text.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("Untitled")
            .chars()
            .take(200)
            .collect()
    });
    let doc = RawDocument {
        sources: vec![RawSource {
            id,
            title,
            language: args.language.clone(),
            published_at: args.published.clone().map(RawDate::Plain),
            text: Some(text),
            ..Default::default()
        }],
        ..Default::default()
    };
    let name = args.file.display().to_string();
    let source = match validate(&[(name.as_str(), &doc)]) {
        Ok(mut data) => data
            .sources
            .pop()
            .ok_or_else(|| anyhow::anyhow!("the file gave no source"))?,
        Err(problems) => {
            for p in problems {
                eprintln!("{p}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let repo = open_store(&args.neo4j, &args.embedded, &args.seed).await?;
    let published = source.published_at.as_ref().map(|d| d.date);
    let reading = crate::api::intake::read_article(repo.as_ref(), &source.text, published.as_ref())
        .await
        .context("could not read the stored actors")?;
    let mut claims = crate::api::intake::claims_of(&source, &reading);
    if !args.dry_run {
        let changes = repo
            .write(
                Write::Batch(vec![
                    Write::CreateSource(source.clone()),
                    Write::CreateClaims(claims),
                ]),
                "cli",
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        claims = changes
            .into_iter()
            .filter_map(|c| match c.record {
                Record::Claim(c) => Some(c),
                _ => None,
            })
            .collect();
    }
    if args.json {
        let json: Vec<_> = claims
            .iter()
            .map(crate::domain::claim::ClaimRecord::from)
            .collect();
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        let end = |e: &ClaimEnd| match e {
            ClaimEnd::Known(id) => id.to_string(),
            ClaimEnd::New(n) => format!("{} (new {})", n.name, n.kind.as_str()),
        };
        let a = &reading.analysis;
        println!(
            "{}: {} sentences, {} mentions, {} new names, {} claims",
            source.id,
            a.sentences.len(),
            a.mentions.len(),
            a.new_actors.len(),
            claims.len()
        );
        for n in &a.new_actors {
            let dups: Vec<String> = n.duplicates.iter().map(|(d, _)| d.to_string()).collect();
            println!(
                "new   {} ({}, {}){}",
                n.name,
                n.kind.as_str(),
                n.cue,
                if dups.is_empty() {
                    String::new()
                } else {
                    format!(" may be {}", dups.join(", "))
                }
            );
        }
        for c in &claims {
            println!(
                "{}  {} -{}-> {}  [{:.2}; {}]\n      {}",
                c.id,
                end(&c.from),
                c.draft.kind,
                end(&c.to),
                c.confidence,
                c.cues.join(", "),
                c.quote
            );
        }
        if args.dry_run {
            println!("(dry run: nothing stored)");
        } else {
            println!("stored, pending review: /review?source={}", source.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A file's name as an id: lowercase letters and digits, runs of anything else
/// as single hyphens.
fn slug(path: &std::path::Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "article".to_string()
    } else {
        out
    }
}

/// `actorgraph measure-intake PATH…`: each data-set file on its own (a folder's
/// files one by one: test articles may share ids).
pub fn measure_intake(paths: &[std::path::PathBuf]) -> anyhow::Result<ExitCode> {
    use crate::domain::intake::quality::{of_dataset, Quality};
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() && !path.join("sources").is_dir() {
            let mut inner: Vec<_> = std::fs::read_dir(path)
                .with_context(|| format!("could not read {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            inner.sort();
            files.extend(inner);
        } else {
            files.push(path.clone());
        }
    }
    let pct = |x: f64| format!("{:5.1}%", x * 100.0);
    println!(
        "{:<28} {:>9} {:>7} {:>7} {:>10} {:>9} {:>11}",
        "source", "relations", "found", "typed", "candidates", "right", "typed right"
    );
    let mut total = Quality::default();
    for file in files {
        let data = seed::load(&file).map_err(|e| anyhow::anyhow!("{e}"))?;
        for (id, q) in of_dataset(&data) {
            println!(
                "{:<28} {:>9} {:>7} {:>7} {:>10} {:>9} {:>11}",
                id.as_str(),
                q.relations,
                pct(q.recall()),
                pct(q.typed_recall()),
                q.candidates,
                pct(q.precision()),
                pct(q.typed_precision())
            );
            if !q.missed.is_empty() {
                println!("  missed: {}", q.missed.join(", "));
            }
            total.add(&q);
        }
    }
    println!(
        "{:<28} {:>9} {:>7} {:>7} {:>10} {:>9} {:>11}",
        "all",
        total.relations,
        pct(total.recall()),
        pct(total.typed_recall()),
        total.candidates,
        pct(total.precision()),
        pct(total.typed_precision())
    );
    Ok(ExitCode::SUCCESS)
}

fn line(name: &str, k: &KindReport) -> String {
    let mut s = format!(
        "{name:<10} {:>8} created  {:>8} updated  {:>8} unchanged",
        k.created, k.updated, k.unchanged
    );
    if k.deleted > 0 {
        s.push_str(&format!("  ({} deleted first by --reset)", k.deleted));
    }
    s
}

/// The report `seed` prints.
pub fn report_text(report: &ImportReport) -> String {
    [
        line("sources", &report.sources),
        line("actors", &report.actors),
        line("relations", &report.relations),
    ]
    .join("\n")
}

/// `actorgraph seed`.
pub async fn seed(args: SeedArgs) -> anyhow::Result<ExitCode> {
    if args.reset && !args.yes {
        eprintln!("--reset deletes the data set's actors, relations and sources before writing them; add --yes to confirm");
        return Ok(ExitCode::from(2));
    }
    let started = std::time::Instant::now();
    let loaded = match args.synthetic {
        Some(n) => synthetic::dataset(n, 5).map_err(seed::SeedError::Invalid),
        None => seed::load(&args.path),
    };
    let data = match loaded {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}\nnothing was written");
            return Ok(ExitCode::FAILURE);
        }
    };
    let what = args.synthetic.map_or_else(
        || args.path.display().to_string(),
        |n| format!("synthetic data set of {n} actors"),
    );
    println!(
        "{what}: valid ({} sources, {} actors, {} relations)",
        data.sources.len(),
        data.actors.len(),
        data.relations.len()
    );
    if args.dry_run {
        println!("dry run: nothing written");
        return Ok(ExitCode::SUCCESS);
    }
    let Some(config) = args.neo4j.config() else {
        return seed_embedded(&args, &data, started);
    };
    let store = Neo4jStore::connect(&config)
        .await
        .with_context(|| format!("could not reach the Neo4j database at {}", config.uri))?;
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress: Arc<dyn Fn(usize, usize) + Send + Sync> = Arc::new(move |done, total| {
        // A bar on a terminal; a line every tenth of the way in logs.
        if interactive {
            let width = 30;
            let filled = done * width / total.max(1);
            eprint!(
                "\rwriting [{}{}] {done}/{total} statements",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
            if done == total {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        } else if total >= 10 && (done * 10 / total) != ((done - 1) * 10 / total) {
            eprintln!("writing: {done}/{total} statements");
        }
    });
    let options = ImportOptions {
        reset: args.reset,
        batch_size: args.batch_size,
        progress: Some(progress),
        ..Default::default()
    };
    let report = store
        .import_with(&data, &options)
        .await
        .context("the import failed; the transaction was rolled back")?
        .report;
    print_seeded(&report, &data, started);
    Ok(ExitCode::SUCCESS)
}

/// `seed` into the embedded store's data directory: one import (logged, on disk
/// when this returns).
fn seed_embedded(
    args: &SeedArgs,
    data: &crate::domain::Dataset,
    started: std::time::Instant,
) -> anyhow::Result<ExitCode> {
    if args.reset {
        eprintln!("--reset is for a Neo4j database; to start the embedded store afresh, stop the server and remove {}", args.data_dir.display());
        return Ok(ExitCode::from(2));
    }
    // A new directory starts empty here: it gets this data set, not the default seed.
    let (store, _) =
        MemoryStore::open(&args.data_dir, || Ok(Default::default())).with_context(|| {
            format!(
                "could not open the embedded store in {}",
                args.data_dir.display()
            )
        })?;
    let report = store
        .import_now(data, "seed")
        .context("the import failed; nothing was written")?
        .report;
    print_seeded(&report, data, started);
    Ok(ExitCode::SUCCESS)
}

fn print_seeded(report: &ImportReport, data: &crate::domain::Dataset, started: std::time::Instant) {
    println!("{}", report_text(report));
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{} in {elapsed:.1} s ({:.0} relations/s)",
        if report.unchanged() {
            "nothing changed"
        } else {
            "done"
        },
        data.relations.len() as f64 / elapsed.max(1e-9)
    );
}

/// The embedded store as `args` configure it: the data directory (seeded from
/// `seed` when new), or an ephemeral store holding `seed`. Logs what it opened.
pub fn open_embedded(
    args: &crate::config::EmbeddedArgs,
    seed: &std::path::Path,
    synthetic: Option<usize>,
) -> anyhow::Result<MemoryStore> {
    let load = || -> Result<crate::domain::Dataset, String> {
        match synthetic {
            Some(n) => {
                synthetic::dataset(n, 5).map_err(|p| seed::SeedError::Invalid(p).to_string())
            }
            None => seed::load(seed).map_err(|e| {
                format!("{e} (run from the repository root, or set --seed / ACTORGRAPH_SEED)")
            }),
        }
    };
    let what = synthetic.map_or_else(
        || seed.display().to_string(),
        |n| format!("synthetic data set of {n} actors"),
    );
    if args.ephemeral || synthetic.is_some() {
        let store = MemoryStore::new(load().map_err(anyhow::Error::msg)?);
        let (actors, relations, sources) = store.counts();
        tracing::info!(store = "memory", seed = %what, actors, relations, sources, "using the embedded store, ephemeral");
        tracing::warn!("the ephemeral store keeps writes in memory only: they are lost when the process stops (drop --ephemeral/--synthetic to keep them in --data-dir)");
        return Ok(store);
    }
    let started = std::time::Instant::now();
    let (store, opened) = MemoryStore::open(&args.data_dir, load).with_context(|| {
        format!(
            "could not open the embedded store in {}",
            args.data_dir.display()
        )
    })?;
    let (actors, relations, sources) = store.counts();
    let dir = args.data_dir.display().to_string();
    let millis = started.elapsed().as_millis() as u64;
    match opened {
        Opened::Seeded => {
            tracing::info!(store = "memory", data_dir = %dir, seed = %what, actors, relations, sources, millis, "new data directory: seeded it")
        }
        Opened::Loaded => {
            tracing::info!(store = "memory", data_dir = %dir, actors, relations, sources, millis, "loaded the embedded store from its data directory")
        }
    }
    Ok(store)
}

/// The durable embedded store in `dir` for the benchmark: the synthetic data set
/// is written into an empty directory (timed), then the store is opened again
/// from disk (timed: the start-up a server makes).
fn open_durable_bench(dir: &std::path::Path, actors: usize) -> anyhow::Result<Arc<MemoryStore>> {
    let t = std::time::Instant::now();
    let (store, opened) = MemoryStore::open(dir, || {
        synthetic::dataset(actors, 5).map_err(|p| seed::SeedError::Invalid(p).to_string())
    })?;
    let (a, r, _) = store.counts();
    if opened == Opened::Seeded {
        let secs = t.elapsed().as_secs_f64();
        println!(
            "load  durable store: {r} relations in {secs:.2} s ({:.0} relations/s), written to {}",
            r as f64 / secs.max(1e-9),
            dir.display()
        );
    }
    drop(store);
    let t = std::time::Instant::now();
    let (store, _) = MemoryStore::open(dir, || Err("the directory was filled".into()))?;
    let size = std::fs::metadata(dir.join(crate::store::journal::FILE)).map_or(0, |m| m.len());
    println!(
        "open  durable store from disk: {a} actors, {r} relations in {:.2} s ({:.0} MiB file)",
        t.elapsed().as_secs_f64(),
        size as f64 / 1_048_576.0
    );
    Ok(Arc::new(store))
}

/// The store a command works on: the Neo4j database when one is configured, else
/// the embedded store's data directory (seeded from `seed` when new).
async fn open_store(
    neo4j: &crate::config::Neo4jArgs,
    embedded: &crate::config::EmbeddedArgs,
    seed: &std::path::Path,
) -> anyhow::Result<Arc<dyn crate::store::Repository>> {
    Ok(match neo4j.config() {
        Some(config) => Arc::new(
            Neo4jStore::connect(&config)
                .await
                .with_context(|| format!("could not reach the Neo4j database at {}", config.uri))?,
        ),
        None => Arc::new(open_embedded(embedded, seed, None)?),
    })
}

/// `actorgraph export`: the store's graph, whole or a part of it, in one of the
/// export formats.
pub async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    use crate::config::ExportFormat;
    use crate::store::export::SelectionParams;
    let join = |v: &[String]| (!v.is_empty()).then(|| v.join(","));
    let params = SelectionParams {
        around: join(&args.around),
        depth: Some(args.depth.to_string()),
        limit: Some(args.limit.to_string()),
        from: args.from.clone(),
        to: args.to.clone(),
        max_hops: Some(args.max_hops.to_string()),
        paths: Some(args.paths.to_string()),
        directed: Some(args.directed.to_string()),
        types: join(&args.types),
        as_of: args.as_of.clone(),
    };
    let selection = params
        .selection()
        .map_err(|(name, problem)| anyhow::anyhow!("--{}: {problem}", kebab(name)))?;
    let repo = open_store(&args.neo4j, &args.embedded, &args.seed).await?;
    let started = std::time::Instant::now();
    let sub = crate::store::export::select(repo.as_ref(), &selection, args.page_size)
        .await
        .map_err(|e| match e {
            crate::store::export::SelectError::NotFound(name, id) => {
                anyhow::anyhow!("--{}: no actor has the id `{id}`", kebab(name))
            }
            e => anyhow::Error::new(e).context("could not read the graph"),
        })?;
    let summary = format!(
        "{} sources, {} actors, {} relations{}",
        sub.data.sources.len(),
        sub.data.actors.len(),
        sub.data.relations.len(),
        if sub.truncated {
            " (cut short by --limit)"
        } else {
            ""
        }
    );
    let files = crate::domain::formats::render(args.format, &sub);
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    match (&args.out, args.format) {
        (None, ExportFormat::Csv) => {
            anyhow::bail!(
                "csv writes three tables (nodes.csv, edges.csv, evidence.csv): give --out DIR"
            )
        }
        (None, _) => std::io::stdout()
            .write_all(&files[0].1)
            .context("could not write to standard output")?,
        (Some(path), _) => {
            if args.format == ExportFormat::Csv {
                std::fs::create_dir_all(path)
                    .with_context(|| format!("could not create {}", path.display()))?;
            }
            for (name, content) in &files {
                let target = if name.is_empty() {
                    path.clone()
                } else {
                    path.join(name)
                };
                // Written aside, then renamed: a failed export leaves the old file whole.
                let partial = target.with_extension("partial");
                std::fs::write(&partial, content)
                    .with_context(|| format!("could not write {}", partial.display()))?;
                std::fs::rename(&partial, &target).with_context(|| {
                    format!("could not move the export to {}", target.display())
                })?;
            }
            eprintln!(
                "exported {summary} ({} store) as {:?} to {}: {bytes} bytes in {:.2} s",
                repo.backend(),
                args.format,
                path.display(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An option's name on the command line: `maxHops` → `max-hops`.
fn kebab(name: &str) -> String {
    name.chars()
        .flat_map(|c| {
            if c.is_ascii_uppercase() {
                vec!['-', c.to_ascii_lowercase()]
            } else {
                vec![c]
            }
        })
        .collect()
}

/// `actorgraph bench-store`.
pub async fn bench_store(args: BenchArgs) -> anyhow::Result<ExitCode> {
    // The embedded store is CPU-bound: give the loops a multi-threaded runtime of
    // their own rather than the server's single-threaded one.
    tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        runtime.block_on(bench_store_inner(args))
    })
    .await?
}

async fn bench_store_inner(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let duration = std::time::Duration::from_secs(args.seconds.max(1));
    let mut durable: Option<Arc<MemoryStore>> = None;
    let repo: Arc<dyn crate::store::Repository> = match args.neo4j.config() {
        Some(config) => {
            let store = Neo4jStore::connect(&config)
                .await
                .with_context(|| format!("could not reach {}", config.uri))?;
            if !args.no_load {
                let data =
                    synthetic::dataset(args.synthetic, 5).map_err(seed::SeedError::Invalid)?;
                let relations = data.relations.len();
                let t = std::time::Instant::now();
                store.import_with(&data, &ImportOptions::default()).await?;
                let secs = t.elapsed().as_secs_f64();
                println!(
                    "load  neo4j store: {relations} relations in {secs:.2} s ({:.0} relations/s)",
                    relations as f64 / secs.max(1e-9)
                );
            }
            Arc::new(store)
        }
        None => match &args.data_dir {
            Some(dir) => {
                let store = open_durable_bench(dir, args.synthetic)?;
                durable = Some(store.clone());
                store
            }
            None => {
                let data =
                    synthetic::dataset(args.synthetic, 5).map_err(seed::SeedError::Invalid)?;
                let (repo, line) = crate::bench::load_memory(data);
                println!("{line}");
                repo
            }
        },
    };
    let stored = || -> anyhow::Result<u64> {
        Ok(match &durable {
            Some(store) => store.stored_bytes()?,
            None => 0,
        })
    };
    for (name, _) in crate::bench::QUERIES {
        println!(
            "{}",
            crate::bench::measure(
                repo.clone(),
                name,
                args.iterations,
                args.concurrency,
                duration
            )
            .await?
        );
    }
    if args.writes > 0 {
        let (stored_before, seq_before) = (stored()?, repo.last_change().await?);
        let lines =
            crate::bench::measure_writes(repo.clone(), args.writes, args.concurrency, args.readers)
                .await
                .map_err(|e| anyhow::anyhow!("write benchmark: {e}"))?;
        for line in lines {
            println!("{line}");
        }
        if durable.is_some() {
            let changes = repo.last_change().await? - seq_before;
            let grown = stored()?.saturating_sub(stored_before) as f64 / 1_048_576.0;
            println!(
                "disk  stored data grew {grown:.1} MiB for {changes} changes (records, log, index): {:.2} MiB per 10,000 changes",
                grown * 10_000.0 / changes.max(1) as f64
            );
        }
        let (entries, bytes) = crate::bench::log_size(repo.as_ref())
            .await
            .map_err(|e| anyhow::anyhow!("reading the change log: {e}"))?;
        println!(
            "log   {entries} entries, {:.1} MiB of content: {:.2} MiB per 10,000 changes",
            bytes as f64 / 1_048_576.0,
            bytes as f64 / 1_048_576.0 * 10_000.0 / entries.max(1) as f64
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `actorgraph key`.
pub fn key(role: &str, label: &str) -> anyhow::Result<ExitCode> {
    if label.contains(':') || label.contains(',') {
        anyhow::bail!("the label may not contain `:` or `,`");
    }
    let key = crate::auth::generate().map_err(anyhow::Error::msg)?;
    println!("key (give it to the client; it is not stored anywhere): {key}");
    println!(
        "entry (add it to ACTORGRAPH_API_KEYS or the keys file): {role}:{}:{label}",
        crate::auth::hash(&key)
    );
    Ok(ExitCode::SUCCESS)
}
