//! Command line and environment. Every flag has an environment variable; both are
//! listed in `.env.sample` and the README.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// actorgraph: a GraphQL API over an evidence-backed graph of actors and relations.
#[derive(Debug, Parser)]
#[command(
    name = "actorgraph",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do; without a command, `serve`.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options of `serve`, also accepted without the command.
    #[command(flatten)]
    pub serve: ServeArgs,

    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, env = "ACTORGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API, the playground and /health.
    Serve(ServeArgs),
    /// Validate a data set and list every problem; exits 1 when there are any.
    Validate {
        /// A data-set .json file, or a folder of them.
        #[arg(env = "ACTORGRAPH_SEED", default_value = "seed")]
        path: PathBuf,
    },
    /// Print the GraphQL schema (SDL), as committed in schema/schema.graphql.
    Schema,
}

/// How `serve` runs.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "ACTORGRAPH_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Data set loaded into the embedded store at start: a .json file or a folder of them.
    #[arg(long, env = "ACTORGRAPH_SEED", default_value = "seed")]
    pub seed: PathBuf,

    /// Origins allowed by CORS, comma-separated; `*` allows any origin.
    #[arg(
        long,
        env = "ACTORGRAPH_CORS_ORIGINS",
        default_value = "*",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "ACTORGRAPH_MAX_BODY_BYTES", default_value_t = 1_048_576)]
    pub max_body_bytes: usize,

    /// The npm install of the playground's assets (`npm ci --prefix web`); when it is
    /// missing, the playground loads them from a CDN.
    #[arg(long, env = "ACTORGRAPH_WEB_DIR", default_value = "web/node_modules")]
    pub web_dir: PathBuf,

    /// HTTP worker threads; defaults to the number of CPU cores.
    #[arg(long, env = "ACTORGRAPH_WORKERS")]
    pub workers: Option<usize>,
}

/// Log output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_command_means_serve_with_defaults() {
        let cli = Cli::try_parse_from(["actorgraph"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.seed, PathBuf::from("seed"));
    }

    #[test]
    fn serve_flags_work_with_and_without_the_command() {
        let a = Cli::try_parse_from(["actorgraph", "--bind", "0.0.0.0:9000"]).unwrap();
        assert_eq!(a.serve.bind, "0.0.0.0:9000");
        let b = Cli::try_parse_from(["actorgraph", "serve", "--bind", "0.0.0.0:9000"]).unwrap();
        assert!(matches!(b.command, Some(Command::Serve(ref s)) if s.bind == "0.0.0.0:9000"));
    }

    #[test]
    fn cors_origins_are_comma_separated() {
        let cli = Cli::try_parse_from([
            "actorgraph",
            "--cors-origins",
            "https://a.example,https://b.example",
        ])
        .unwrap();
        assert_eq!(
            cli.serve.cors_origins,
            vec!["https://a.example", "https://b.example"]
        );
    }
}
