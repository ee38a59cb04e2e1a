//! Command line and environment. Every flag has an environment variable; both are
//! listed in `.env.sample` and the README.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::api::Limits;

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
    Serve(Box<ServeArgs>),
    /// Validate a data set and list every problem; exits 1 when there are any.
    Validate {
        /// A data-set .json file, or a folder of them.
        #[arg(env = "ACTORGRAPH_SEED", default_value = "seed")]
        path: PathBuf,
    },
    /// Print the GraphQL schema (SDL), as committed in schema/schema.graphql.
    Schema,
    /// Load a data set into the Neo4j database (or the embedded store's data
    /// directory): validate it, then write what differs.
    Seed(SeedArgs),
    /// Write the whole graph (sources with their text) in the data-set format, from
    /// the Neo4j database or the embedded store; `seed` loads it back into either.
    Export(ExportArgs),
    /// Bring in an article: store FILE's text verbatim as a source with its
    /// candidate claims (pending review, see `/review`), read against the stored
    /// actors, and print what intake found.
    Intake(IntakeArgs),
    /// Run intake on data sets' sources against their actors alone (not their
    /// relations) and print how many of their relations the candidates find
    /// (recall) and how many candidates are right (precision); see docs/intake.md.
    MeasureIntake {
        /// Data-set .json files or folders.
        #[arg(default_values = ["seed", "tests/intake"])]
        paths: Vec<PathBuf>,
    },
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

/// Where the embedded store keeps its data (used when no Neo4j database is
/// configured).
#[derive(Debug, Clone, clap::Args)]
pub struct EmbeddedArgs {
    /// The embedded store's directory: its records and change log
    /// (`actorgraph.redb`). A new or empty directory is seeded from --seed once;
    /// after that the directory is the data. One process at a time.
    #[arg(long, env = "ACTORGRAPH_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Keep the embedded store in memory only: start from --seed, lose every
    /// write when the process stops (tests, demos, benchmarks).
    #[arg(long, env = "ACTORGRAPH_EPHEMERAL")]
    pub ephemeral: bool,
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

    /// Clients reading while the write rounds run again (0: no second run).
    #[arg(long, default_value_t = 4)]
    pub readers: usize,

    /// Without a Neo4j database: benchmark the durable embedded store in this
    /// directory (the synthetic data set is written into it when it is empty,
    /// then the store is opened again from disk, timed); without it, an
    /// ephemeral store.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,

    #[command(flatten)]
    pub neo4j: Neo4jArgs,
}

/// How `export` runs.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The file to write (replaced whole, only once the export is complete);
    /// standard output when omitted. For `csv`, a directory for its three tables.
    #[arg(long, short)]
    pub out: Option<PathBuf>,

    /// The format: `json` (the data-set format, which `seed` loads back), `ftm`
    /// (FollowTheMoney entities as JSON lines), `graphml` (yEd, Gephi, networkx),
    /// `gexf` (Gephi), `csv` (nodes, edges and evidence tables), `csl` (the
    /// sources as CSL-JSON), `brief` (a citation brief in Markdown) or
    /// `brief-html` (the same as an HTML page).
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,

    /// Only the neighbourhoods of these actors (a comma-separated list, or the
    /// option repeated), e.g. `--around cia,kt`.
    #[arg(long, value_delimiter = ',')]
    pub around: Vec<String>,

    /// Hops around each of `--around`: 1 to 3.
    #[arg(long, default_value_t = 1)]
    pub depth: usize,

    /// Most actors read per neighbourhood: 1 to 500.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,

    /// With `--to`: the shortest paths between two actors (and the actors along them).
    #[arg(long)]
    pub from: Option<String>,

    /// With `--from`: where the paths end.
    #[arg(long)]
    pub to: Option<String>,

    /// Longest path: 1 to 6 hops.
    #[arg(long, default_value_t = 4)]
    pub max_hops: usize,

    /// Most paths: 1 to 20.
    #[arg(long, default_value_t = 5)]
    pub paths: usize,

    /// Follow relations only from their `from` to their `to` when finding paths.
    #[arg(long)]
    pub directed: bool,

    /// Only relations of these types (comma-separated), e.g. `CONTRACT,LEASE`.
    #[arg(long, value_delimiter = ',')]
    pub types: Vec<String>,

    /// Only relations that hold at this date: `2015`, `2015-01` or `2015-01-16`.
    #[arg(long)]
    pub as_of: Option<String>,

    /// Without a Neo4j database: the data set a new (or --ephemeral) embedded
    /// store starts from.
    #[arg(long, env = "ACTORGRAPH_SEED", default_value = "seed")]
    pub seed: PathBuf,

    #[command(flatten)]
    pub embedded: EmbeddedArgs,

    /// Records read per store call.
    #[arg(long, default_value_t = 5_000)]
    pub page_size: usize,

    #[command(flatten)]
    pub neo4j: Neo4jArgs,
}

/// How `intake` runs.
#[derive(Debug, Clone, clap::Args)]
pub struct IntakeArgs {
    /// The article: a UTF-8 text file, stored byte for byte.
    pub file: PathBuf,
    /// The source's id; default: the file's name, as a slug.
    #[arg(long)]
    pub id: Option<String>,
    /// The article's title; default: its first line.
    #[arg(long)]
    pub title: Option<String>,
    /// When it was published: YYYY, YYYY-MM or YYYY-MM-DD (dates without a year
    /// in the text are resolved against it).
    #[arg(long)]
    pub published: Option<String>,
    /// The text's language.
    #[arg(long, default_value = "ko", value_parser = ["ko", "en"])]
    pub language: String,
    /// Read and print only: store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON (the claims as stored) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Without a Neo4j database: the data set a new embedded store starts from.
    #[arg(long, env = "ACTORGRAPH_SEED", default_value = "seed")]
    pub seed: PathBuf,
    #[command(flatten)]
    pub embedded: EmbeddedArgs,
    #[command(flatten)]
    pub neo4j: Neo4jArgs,
}

/// What `export` writes.
pub use crate::domain::formats::Format as ExportFormat;

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

    /// Without a Neo4j database: the embedded store's directory to load into (the
    /// server must not be running on it).
    #[arg(long, env = "ACTORGRAPH_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

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
    /// an ephemeral embedded store instead of --seed; for benchmarks.
    #[arg(long, value_name = "ACTORS")]
    pub synthetic: Option<usize>,

    #[command(flatten)]
    pub embedded: EmbeddedArgs,

    /// With a Neo4j database: how often, in milliseconds, the change feed reads
    /// the log for writes made through other instances (its own writes wake it
    /// at once).
    #[arg(long, env = "ACTORGRAPH_FEED_POLL_MS", default_value_t = 250)]
    pub feed_poll_ms: u64,

    #[command(flatten)]
    pub neo4j: Neo4jArgs,

    #[command(flatten)]
    pub limits: LimitArgs,
}

/// What one client may ask of the server: each flag bounds a cost before the work
/// (see the README's table of limits). The defaults are far above what real
/// clients send: GraphiQL's introspection query and every documented example pass.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Longest query text, in bytes (large values belong in variables).
    #[arg(long, env = "ACTORGRAPH_MAX_QUERY_BYTES", default_value_t = Limits::MAX_QUERY_BYTES)]
    pub max_query_bytes: usize,

    /// Most tokens in a query text.
    #[arg(long, env = "ACTORGRAPH_MAX_TOKENS", default_value_t = Limits::MAX_TOKENS)]
    pub max_tokens: usize,

    /// Deepest nesting of brackets in a query: selections, lists, objects, arguments.
    #[arg(long, env = "ACTORGRAPH_MAX_NESTING", default_value_t = Limits::MAX_NESTING)]
    pub max_nesting: usize,

    /// Deepest selection nesting (GraphiQL's introspection query needs 13).
    #[arg(long, env = "ACTORGRAPH_MAX_DEPTH", default_value_t = Limits::MAX_DEPTH)]
    pub max_depth: usize,

    /// Most fields and fragment spreads in a query, fragments expanded.
    #[arg(long, env = "ACTORGRAPH_MAX_FIELDS", default_value_t = Limits::MAX_FIELDS)]
    pub max_fields: usize,

    /// Most aliased fields in a query, fragments expanded.
    #[arg(long, env = "ACTORGRAPH_MAX_ALIASES", default_value_t = Limits::MAX_ALIASES)]
    pub max_aliases: usize,

    /// Most directives in a query.
    #[arg(long, env = "ACTORGRAPH_MAX_DIRECTIVES", default_value_t = Limits::MAX_DIRECTIVES)]
    pub max_directives: usize,

    /// Largest complexity of a request (a batch shares one budget): each field
    /// costs 1, and a list multiplies what is nested in it by how many items it
    /// may return.
    #[arg(long, env = "ACTORGRAPH_MAX_COMPLEXITY", default_value_t = Limits::MAX_COMPLEXITY)]
    pub max_complexity: usize,

    /// Most operations in a batch (a JSON array of requests).
    #[arg(long, env = "ACTORGRAPH_MAX_BATCH", default_value_t = Limits::MAX_BATCH)]
    pub max_batch: usize,

    /// Largest response body, in bytes.
    #[arg(long, env = "ACTORGRAPH_MAX_RESPONSE_BYTES", default_value_t = Limits::MAX_RESPONSE_BYTES)]
    pub max_response_bytes: usize,

    /// Longest a read may run, in milliseconds, before it is stopped (TIMEOUT).
    #[arg(long, env = "ACTORGRAPH_REQUEST_TIMEOUT_MS", default_value_t = Limits::TIMEOUT_MS)]
    pub request_timeout_ms: u64,

    /// Longest the server waits for a request's body, in milliseconds.
    #[arg(long, env = "ACTORGRAPH_BODY_TIMEOUT_MS", default_value_t = Self::BODY_TIMEOUT_MS)]
    pub body_timeout_ms: u64,

    /// Requests per second each client may send, sustained (0: no rate limit). A
    /// client is its API key's label, else its IP address (IPv6: its /64).
    #[arg(long, env = "ACTORGRAPH_RATE_LIMIT", default_value_t = Self::RATE_LIMIT)]
    pub rate_limit: u32,

    /// Requests a client may send at once above its rate.
    #[arg(long, env = "ACTORGRAPH_RATE_BURST", default_value_t = Self::RATE_BURST)]
    pub rate_burst: u32,

    /// Subscriptions one WebSocket connection may hold at once.
    #[arg(long, env = "ACTORGRAPH_MAX_SUBSCRIPTIONS", default_value_t = Self::MAX_SUBSCRIPTIONS)]
    pub max_subscriptions: usize,

    /// WebSocket connections one client (IP address) may hold at once.
    #[arg(long, env = "ACTORGRAPH_MAX_WS_PER_CLIENT", default_value_t = Self::MAX_WS_PER_CLIENT)]
    pub max_ws_per_client: usize,

    /// Milliseconds a WebSocket client has to send `connection_init` (else 4408).
    #[arg(long, env = "ACTORGRAPH_WS_INIT_TIMEOUT_MS", default_value_t = Self::WS_INIT_TIMEOUT_MS)]
    pub ws_init_timeout_ms: u64,

    /// Seconds between the server's WebSocket pings; a connection that answers
    /// nothing for three of them is closed.
    #[arg(long, env = "ACTORGRAPH_WS_PING_SECONDS", default_value_t = Self::WS_PING_SECONDS)]
    pub ws_ping_seconds: u64,
}

impl LimitArgs {
    pub const BODY_TIMEOUT_MS: u64 = 10_000;
    pub const RATE_LIMIT: u32 = 50;
    pub const RATE_BURST: u32 = 200;
    pub const MAX_SUBSCRIPTIONS: usize = 100;
    pub const MAX_WS_PER_CLIENT: usize = 32;
    pub const WS_INIT_TIMEOUT_MS: u64 = 10_000;
    pub const WS_PING_SECONDS: u64 = 15;
}

impl Default for LimitArgs {
    fn default() -> Self {
        // The same defaults as the flags': parsed from no arguments, without the
        // environment (which `try_parse_from` would read).
        let limits = Limits::default();
        LimitArgs {
            max_query_bytes: limits.max_query_bytes,
            max_tokens: limits.max_tokens,
            max_nesting: limits.max_nesting,
            max_depth: limits.max_depth,
            max_fields: limits.max_fields,
            max_aliases: limits.max_aliases,
            max_directives: limits.max_directives,
            max_complexity: limits.max_complexity,
            max_batch: limits.max_batch,
            max_response_bytes: limits.max_response_bytes,
            request_timeout_ms: Limits::TIMEOUT_MS,
            body_timeout_ms: Self::BODY_TIMEOUT_MS,
            rate_limit: Self::RATE_LIMIT,
            rate_burst: Self::RATE_BURST,
            max_subscriptions: Self::MAX_SUBSCRIPTIONS,
            max_ws_per_client: Self::MAX_WS_PER_CLIENT,
            ws_init_timeout_ms: Self::WS_INIT_TIMEOUT_MS,
            ws_ping_seconds: Self::WS_PING_SECONDS,
        }
    }
}

impl LimitArgs {
    /// The limits of the GraphQL layer.
    pub fn limits(&self) -> Limits {
        Limits {
            max_query_bytes: self.max_query_bytes,
            max_tokens: self.max_tokens,
            max_nesting: self.max_nesting,
            max_fields: self.max_fields,
            max_aliases: self.max_aliases,
            max_directives: self.max_directives,
            max_depth: self.max_depth,
            max_complexity: self.max_complexity,
            max_batch: self.max_batch.max(1),
            max_response_bytes: self.max_response_bytes,
            max_errors: Limits::MAX_ERRORS,
            timeout: std::time::Duration::from_millis(self.request_timeout_ms.max(1)),
        }
    }
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
    fn limit_defaults_are_the_flags_defaults() {
        let cli = Cli::try_parse_from(["actorgraph"]).unwrap();
        // The environment may set some; compare the ones CI and tests never set.
        let flags = cli.serve.limits;
        let defaults = LimitArgs::default();
        assert_eq!(flags.max_fields, defaults.max_fields);
        assert_eq!(flags.max_nesting, defaults.max_nesting);
        assert_eq!(flags.ws_ping_seconds, defaults.ws_ping_seconds);
        assert_eq!(defaults.limits(), Limits::default());
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
