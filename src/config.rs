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
    /// Load a data set into the Neo4j database: validate it, then write what differs.
    Seed(SeedArgs),
    /// Benchmark the store alone (no GraphQL, no HTTP); see scripts/bench.
    BenchStore(BenchArgs),
    /// Make a new API key: prints the key (for the client) and its entry (for the server).
    Key {
        /// `editor` may write data; `admin` may also import and delete.
        #[arg(long, default_value = "editor", value_parser = ["editor", "admin"])]
        role: String,
        /// A name for logs, e.g. the script or person using the key.
        #[arg(long, default_value = "unnamed")]
        label: String,
    },
}

/// How `bench-store` runs.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Actors of the synthetic data set (five relations each).
    #[arg(long, default_value_t = 100_000)]
    pub synthetic: usize,

    /// With a Neo4j database: the data set is already loaded (by `seed --synthetic`).
    #[arg(long)]
    pub no_load: bool,

    /// Sequential runs per query, for the latency figures.
    #[arg(long, default_value_t = 200)]
    pub iterations: usize,

    /// Concurrent loops per query, for the throughput figure.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,

    /// Seconds of concurrent load per query.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,

    /// Rounds of record writes to time (create, update, relate, delete); 0 skips them.
    #[arg(long, default_value_t = 200)]
    pub writes: usize,

    #[command(flatten)]
    pub neo4j: Neo4jArgs,
}

/// How `seed` runs.
#[derive(Debug, Clone, clap::Args)]
pub struct SeedArgs {
    /// A data-set .json file, or a folder of them.
    #[arg(
        env = "ACTORGRAPH_SEED",
        default_value = "seed",
        conflicts_with = "synthetic"
    )]
    pub path: PathBuf,

    /// Validate and report only; write nothing (no database needed).
    #[arg(long)]
    pub dry_run: bool,

    /// Delete the data set's records (by id) before writing them; needs --yes.
    #[arg(long)]
    pub reset: bool,

    /// Confirms --reset.
    #[arg(long)]
    pub yes: bool,

    /// Load a generated data set of this many actors (five relations each) instead of PATH.
    #[arg(long, value_name = "ACTORS")]
    pub synthetic: Option<usize>,

    /// Rows per batched UNWIND statement.
    #[arg(long, default_value_t = 1_000)]
    pub batch_size: usize,

    #[command(flatten)]
    pub neo4j: Neo4jArgs,
}

/// The Neo4j database. Without `--neo4j-uri` the server uses its embedded store.
#[derive(Debug, Clone, clap::Args)]
pub struct Neo4jArgs {
    /// Bolt address of the database, e.g. `bolt://127.0.0.1:7687`.
    #[arg(long, env = "NEO4J_URI")]
    pub neo4j_uri: Option<String>,

    /// Database user.
    #[arg(long, env = "NEO4J_USER", default_value = "neo4j")]
    pub neo4j_user: String,

    /// Database password.
    #[arg(
        long,
        env = "NEO4J_PASSWORD",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub neo4j_password: String,

    /// Database name; the server's default when omitted.
    #[arg(long, env = "NEO4J_DATABASE")]
    pub neo4j_database: Option<String>,

    /// Longest a query may run, in milliseconds.
    #[arg(long, env = "NEO4J_QUERY_TIMEOUT_MS", default_value_t = 10_000)]
    pub neo4j_query_timeout_ms: u64,

    /// Connections in the pool.
    #[arg(long, env = "NEO4J_MAX_CONNECTIONS", default_value_t = 16)]
    pub neo4j_max_connections: usize,
}

impl Neo4jArgs {
    /// The store configuration, when a database is configured.
    pub fn config(&self) -> Option<crate::store::neo4j::Neo4jConfig> {
        let uri = self.neo4j_uri.clone().filter(|u| !u.trim().is_empty())?;
        Some(crate::store::neo4j::Neo4jConfig {
            uri,
            user: self.neo4j_user.clone(),
            password: self.neo4j_password.clone(),
            database: self.neo4j_database.clone().filter(|d| !d.is_empty()),
            query_timeout: std::time::Duration::from_millis(self.neo4j_query_timeout_ms.max(1)),
            max_connections: self.neo4j_max_connections.max(1),
        })
    }
}

/// How `serve` runs.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "ACTORGRAPH_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Data set loaded into the embedded store at start (a .json file or a folder of
    /// them); unused with a Neo4j database, which `actorgraph seed` fills.
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

    /// API keys that may write, as `role:sha256hex[:label]` entries (comma-separated);
    /// make one with `actorgraph key`. Without any key the API is read-only.
    #[arg(
        long = "api-key",
        env = "ACTORGRAPH_API_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub api_keys: Vec<String>,

    /// A file of API key entries, one per line (`#` starts a comment).
    #[arg(long, env = "ACTORGRAPH_API_KEYS_FILE")]
    pub api_keys_file: Option<PathBuf>,

    /// Require an API key (any role) for reads too; by default reads are public.
    #[arg(long, env = "ACTORGRAPH_REQUIRE_KEY_FOR_READS")]
    pub require_key_for_reads: bool,

    /// Serve a generated data set of this many actors (five relations each) from
    /// the embedded store instead of --seed; for benchmarks.
    #[arg(long, value_name = "ACTORS")]
    pub synthetic: Option<usize>,

    #[command(flatten)]
    pub neo4j: Neo4jArgs,
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
