use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use actorgraph::config::{Cli, Command, ServeArgs};
use actorgraph::startup::Application;
use actorgraph::store::memory::MemoryStore;
use actorgraph::store::neo4j::Neo4jStore;
use actorgraph::store::Repository;
use actorgraph::{api, cli, seed, telemetry};

#[actix_web::main]
async fn main() -> ExitCode {
    let args = Cli::parse();
    telemetry::init(args.log_format);
    let result = match args.command {
        Some(Command::Schema) => {
            print!("{}", api::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Validate { path }) => Ok(cli::validate(&path)),
        Some(Command::Seed(seed_args)) => cli::seed(seed_args).await,
        Some(Command::Export(export_args)) => cli::export(export_args).await,
        Some(Command::BenchStore(bench_args)) => cli::bench_store(bench_args).await,
        Some(Command::Key { role, label }) => cli::key(&role, &label),
        Some(Command::Serve(serve_args)) => serve(*serve_args).await,
        None => serve(args.serve).await,
    };
    result.unwrap_or_else(|e| {
        tracing::error!("{e:#}");
        eprintln!("error: {e:#}");
        ExitCode::FAILURE
    })
}

/// The configured store: Neo4j when `NEO4J_URI` is set, else the embedded store
/// loaded from the seed data set.
async fn open_store(args: &ServeArgs) -> anyhow::Result<Arc<dyn Repository>> {
    if let Some(config) = args.neo4j.config() {
        let store = Neo4jStore::connect(&config)
            .await
            .with_context(|| format!("could not reach the Neo4j database at {}", config.uri))?;
        tracing::info!(store = "neo4j", uri = %config.uri, database = config.database.as_deref().unwrap_or("(default)"), "using the Neo4j store");
        return Ok(Arc::new(store));
    }
    if let Some(n) = args.synthetic {
        let data = actorgraph::synthetic::dataset(n, 5).map_err(seed::SeedError::Invalid)?;
        let store = MemoryStore::new(data);
        let (actors, relations, _) = store.counts();
        tracing::info!(
            store = "memory",
            actors,
            relations,
            "using the embedded store with a synthetic data set"
        );
        return Ok(Arc::new(store));
    }
    let data = seed::load(&args.seed).with_context(|| {
        format!(
            "could not load the seed data set `{}` (run from the repository root, or set --seed / ACTORGRAPH_SEED)",
            args.seed.display()
        )
    })?;
    let store = MemoryStore::new(data);
    let (actors, relations, sources) = store.counts();
    tracing::info!(store = "memory", seed = %args.seed.display(), actors, relations, sources, "using the embedded store (no NEO4J_URI set)");
    tracing::warn!("the embedded store keeps writes in memory only: they are lost when the server stops (set NEO4J_URI to keep them)");
    Ok(Arc::new(store))
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args).await?;
    let app = Application::build(&args, store)?;
    let addr = app.addr();
    tracing::info!(
        "serving GraphQL on http://{addr}/graphql (playground: http://{addr}/playground)"
    );
    app.run_until_stopped()
        .await
        .context("the server stopped with an error")?;
    Ok(ExitCode::SUCCESS)
}
