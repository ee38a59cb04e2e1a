use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use actorgraph::config::{Cli, Command};
use actorgraph::startup::Application;
use actorgraph::store::memory::MemoryStore;
use actorgraph::{api, seed, telemetry};

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let result = match cli.command {
        Some(Command::Schema) => {
            print!("{}", api::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Validate { path }) => Ok(validate(&path)),
        Some(Command::Serve(args)) => serve(args).await,
        None => serve(cli.serve).await,
    };
    result.unwrap_or_else(|e| {
        tracing::error!("{e:#}");
        eprintln!("error: {e:#}");
        ExitCode::FAILURE
    })
}

fn validate(path: &std::path::Path) -> ExitCode {
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

async fn serve(args: actorgraph::config::ServeArgs) -> anyhow::Result<ExitCode> {
    let data = seed::load(&args.seed).with_context(|| {
        format!("could not load the seed data set `{}` (run from the repository root, or set --seed / ACTORGRAPH_SEED)", args.seed.display())
    })?;
    let store = MemoryStore::new(data);
    let (actors, relations, sources) = store.counts();
    tracing::info!(store = "memory", seed = %args.seed.display(), actors, relations, sources, "embedded store loaded (no database configured)");
    let app = Application::build(&args, Arc::new(store))?;
    let addr = app.addr();
    tracing::info!(
        "serving GraphQL on http://{addr}/graphql (playground: http://{addr}/playground)"
    );
    app.run_until_stopped()
        .await
        .context("the server stopped with an error")?;
    Ok(ExitCode::SUCCESS)
}
