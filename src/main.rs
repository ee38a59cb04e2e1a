use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use actorgraph::config::{Cli, Command, ServeArgs};
use actorgraph::startup::Application;
use actorgraph::store::neo4j::Neo4jStore;
use actorgraph::store::Repository;
use actorgraph::{api, cli, telemetry};

/// See Cargo.toml: glibc's allocator was the largest cost of a nested query.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        Some(Command::MeasureIntake { paths }) => cli::measure_intake(&paths),
        Some(Command::Intake(intake_args)) => cli::intake(intake_args).await,
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
/// in its data directory (or ephemeral).
async fn open_store(args: &ServeArgs) -> anyhow::Result<Arc<dyn Repository>> {
    if let Some(config) = args.neo4j.config() {
        let store = Neo4jStore::connect(&config)
            .await
            .with_context(|| format!("could not reach the Neo4j database at {}", config.uri))?;
        tracing::info!(store = "neo4j", uri = %config.uri, database = config.database.as_deref().unwrap_or("(default)"), "using the Neo4j store");
        return Ok(Arc::new(store));
    }
    Ok(Arc::new(cli::open_embedded(
        &args.embedded,
        &args.seed,
        args.synthetic,
    )?))
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
