//! The GraphQL API: schema, resolvers and loaders, with no HTTP in it. The HTTP
//! and WebSocket transports ([`crate::http`]) and the tests all run requests
//! through [`GraphqlService`], which holds each one to the [`Limits`] before
//! async-graphql parses it (see [`limits`]), attaches the per-request loaders and
//! the complexity budget, runs it under its deadline, and gives every error its
//! code.

mod aggregate;
mod claims;
mod codes;
mod cursor;
mod documents;
pub mod error;
pub mod events;
mod explore_types;
mod filter;
pub(crate) mod history;
pub(crate) mod intake;
pub mod limits;
mod loaders;
mod mutation;
mod node;
mod order;
pub mod paging;
mod prefetch;
mod query;
mod sources;
mod strict;
mod subscription;
mod types;

use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::MergedObject;
use async_graphql::{BatchRequest, BatchResponse, Request, Response, Schema, ServerError};

pub use codes::code_of as codes_of;
pub use codes::excerpt;
pub use error::ErrorCode;
pub use explore_types::PATH_WALK_COST;
pub use limits::Limits;

use crate::deadline;
use limits::Budget;
pub use query::QueryRoot;
pub use sources::CITING_MAX;

/// The root query: reads of records, graph exploration, and the change log.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct Query(
    QueryRoot,
    explore_types::ExploreQuery,
    history::ChangesQuery,
);

use crate::auth::Auth;
use crate::store::Repository;

/// The schema type.
pub type AppSchema = Schema<Query, mutation::MutationRoot, subscription::SubscriptionRoot>;

/// Builds the schema without data, with the depth and complexity limits of
/// `limits`; enough to print the SDL.
pub fn schema_builder(
    limits: &Limits,
) -> async_graphql::SchemaBuilder<Query, mutation::MutationRoot, subscription::SubscriptionRoot> {
    Schema::build(
        Query::default(),
        mutation::MutationRoot,
        subscription::SubscriptionRoot,
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    // Selection nesting past `max_depth` is refused anyway; this bounds the
    // recursion of async-graphql's own walk over the document before that check.
    .limit_recursive_depth(limits.max_depth.max(32))
}

/// The schema in SDL, as committed in `schema/schema.graphql`.
pub fn sdl() -> String {
    schema_builder(&Limits::default()).finish().sdl()
}

/// The schema bound to a store, built once and shared by every request.
#[derive(Clone)]
pub struct GraphqlService {
    /// For single operations: no extension (see [`codes`]).
    schema: AppSchema,
    /// For the operations of a batch: the extension that spends their shared
    /// complexity budget.
    batch_schema: AppSchema,
    repo: Arc<dyn Repository>,
    feed: events::Feed,
    limits: Arc<Limits>,
    strict: Arc<strict::EnumArguments>,
    documents: Arc<documents::Documents>,
}

/// What [`GraphqlService::prepare`] learnt of a request it let through.
struct Prepared {
    request: Request,
    /// The operation writes (a mutation): once started it is let finish.
    writes: bool,
    /// The operation is a subscription: it has no deadline.
    subscribes: bool,
}

impl GraphqlService {
    /// Builds the schema over `repo`, with the default limits.
    pub fn new(repo: Arc<dyn Repository>) -> Self {
        Self::with_limits(repo, Limits::default())
    }

    /// Builds the schema over `repo`, with `limits`.
    pub fn with_limits(repo: Arc<dyn Repository>, limits: Limits) -> Self {
        // Only the Neo4j store is written by other processes: it is polled.
        let poll = (repo.backend() != "memory").then_some(events::DEFAULT_POLL);
        let feed = events::Feed::new(repo.clone(), poll);
        let schema = schema_builder(&limits)
            .data(repo.clone())
            .data(feed.clone())
            .data(limits.clone())
            .finish();
        let batch_schema = schema_builder(&limits)
            .extension(codes::ErrorCodes)
            .data(repo.clone())
            .data(feed.clone())
            .data(limits.clone())
            .finish();
        let strict = Arc::new(strict::EnumArguments::from_sdl(&schema.sdl()));
        GraphqlService {
            schema,
            batch_schema,
            repo,
            feed,
            limits: Arc::new(limits),
            strict,
            documents: Default::default(),
        }
    }

    /// The limits requests are held to.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The schema, for transports that run it themselves (the WebSocket one).
    pub fn schema(&self) -> &AppSchema {
        &self.schema
    }

    /// The change feed: the subscriptions' view of the change log.
    pub fn changes(&self) -> &events::Feed {
        &self.feed
    }

    /// The data a WebSocket connection's operations share: the caller (each
    /// operation gets its own loaders, see the [`async_graphql::Executor`] impl).
    pub fn connection_data(&self, auth: Auth) -> async_graphql::Data {
        let mut data = async_graphql::Data::default();
        data.insert(auth);
        data
    }

    /// Runs a subscription (or any operation) as a stream, for in-process clients
    /// and tests; each response passes through the error-code tagging.
    pub fn execute_stream(
        &self,
        request: impl Into<Request>,
        auth: Auth,
    ) -> futures_util::stream::BoxStream<'static, Response> {
        let mut data = async_graphql::Data::default();
        data.insert(auth);
        async_graphql::Executor::execute_stream(self, request.into(), Some(Arc::new(data)))
    }

    /// The store behind the API.
    pub fn repository(&self) -> &Arc<dyn Repository> {
        &self.repo
    }

    /// Holds the request's document to the limits (before async-graphql parses or
    /// walks it) and attaches what its resolvers need: loaders, and the complexity
    /// budget (shared by the operations of a batch). A refused request comes back
    /// as the response to send.
    fn prepare(
        &self,
        mut request: Request,
        budget: &Arc<Budget>,
    ) -> Result<Prepared, Box<Response>> {
        let doc = match self.documents.get(&request.query) {
            Some(doc) => doc,
            None => {
                let doc = limits::parse(&request.query, &self.limits)
                    .and_then(|doc| self.strict.check(&doc).map(|()| doc))
                    .map_err(|e| Box::new(self.finish(Response::from_errors(vec![e]))))?;
                self.documents.put(&request.query, &doc);
                doc
            }
        };
        let ty = operation_type(&doc, request.operation_name.as_deref());
        request.set_parsed_query(doc);
        Ok(Prepared {
            request: request
                .data(loaders::Loaders::new(&self.repo))
                .data(budget.clone()),
            writes: ty == Some(OperationType::Mutation),
            subscribes: ty == Some(OperationType::Subscription),
        })
    }

    /// Tags, shortens and counts the errors of a response.
    fn finish(&self, response: Response) -> Response {
        codes::finish(response, &self.limits)
    }

    /// Runs `execution` (one request, already prepared) under `deadline`: loops
    /// of the store stop once it passes, and a read still running then is dropped
    /// and answered with TIMEOUT. A write is let finish, so that it is never cut
    /// between its checks and its commit.
    async fn bounded(
        &self,
        execution: impl std::future::Future<Output = Response>,
        deadline: Instant,
        writes: bool,
    ) -> Response {
        let execution = deadline::scope(deadline, execution);
        let response = if writes {
            execution.await
        } else {
            match tokio::time::timeout_at(deadline.into(), execution).await {
                Ok(response) => response,
                Err(_) => return self.finish(timed_out()),
            }
        };
        let stopped = response
            .errors
            .iter()
            .any(|e| codes::code_of(e) == Some(ErrorCode::Timeout.as_str()));
        if stopped && !writes {
            // Fields cut short by the deadline would make a partial answer look whole.
            return self.finish(timed_out());
        }
        self.finish(response)
    }

    /// Runs one request without a key (reads only).
    pub async fn execute(&self, request: impl Into<Request>) -> Response {
        self.execute_as(request, Auth::Anonymous).await
    }

    /// Runs one request for a caller.
    pub async fn execute_as(&self, request: impl Into<Request>, auth: Auth) -> Response {
        let budget = Arc::new(Budget::new(self.limits.max_complexity));
        let deadline = Instant::now() + self.limits.timeout;
        self.run(request.into(), auth, &budget, deadline, &self.schema)
            .await
    }

    /// Runs one request sent where only queries may run (HTTP GET): a mutation or a
    /// subscription is refused with METHOD_NOT_ALLOWED, from the document parsed
    /// once for everything.
    pub async fn execute_query(&self, request: impl Into<Request>, auth: Auth) -> Response {
        let budget = Arc::new(Budget::new(self.limits.max_complexity));
        let deadline = Instant::now() + self.limits.timeout;
        match self.prepare(request.into(), &budget) {
            Ok(p) if p.writes || p.subscribes => {
                let mut e = ServerError::new(
                    "Only queries may be sent with GET; send mutations with POST.",
                    None,
                );
                e.extensions
                    .get_or_insert_with(Default::default)
                    .set("code", ErrorCode::MethodNotAllowed.as_str());
                self.finish(Response::from_errors(vec![e]))
            }
            Ok(p) => {
                let execution = self.schema.execute(p.request.data(auth));
                self.bounded(execution, deadline, p.writes).await
            }
            Err(refused) => *refused,
        }
    }

    async fn run(
        &self,
        request: Request,
        auth: Auth,
        budget: &Arc<Budget>,
        deadline: Instant,
        schema: &AppSchema,
    ) -> Response {
        match self.prepare(request, budget) {
            Ok(p) => {
                let execution = schema.execute(p.request.data(auth));
                self.bounded(execution, deadline, p.writes).await
            }
            Err(refused) => *refused,
        }
    }

    /// Runs a single request or a batch for a caller. The operations of a batch
    /// run one after the other, each with its own loaders, and share one
    /// complexity budget and one deadline. The caller checks the batch's size
    /// against [`Limits::max_batch`] first.
    pub async fn execute_batch(&self, batch: BatchRequest, auth: Auth) -> BatchResponse {
        match batch {
            BatchRequest::Single(r) => BatchResponse::Single(self.execute_as(r, auth).await),
            BatchRequest::Batch(requests) => {
                let budget = Arc::new(Budget::new(self.limits.max_complexity));
                let deadline = Instant::now() + self.limits.timeout;
                let mut responses = Vec::with_capacity(requests.len());
                for r in requests {
                    responses.push(
                        self.run(r, auth.clone(), &budget, deadline, &self.batch_schema)
                            .await,
                    );
                }
                BatchResponse::Batch(responses)
            }
        }
    }
}

/// The type of the operation a request runs: its only one, or the one it names;
/// `None` when it names none of the document's (executing it says so).
fn operation_type(doc: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    let operation = match &doc.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => match name {
            Some(name) => ops.get(name),
            None if ops.len() == 1 => ops.values().next(),
            None => None,
        },
    };
    operation.map(|op| op.node.ty)
}

/// The answer to a read stopped by its deadline.
fn timed_out() -> Response {
    let mut e = ServerError::new(error::TIMED_OUT, None);
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", ErrorCode::Timeout.as_str());
    Response::from_errors(vec![e])
}

/// Whether a response, encoded as JSON, fits in `max` bytes; counts without
/// keeping the bytes and stops at the limit.
pub fn fits(response: &impl serde::Serialize, max: usize) -> bool {
    let mut out = CappedWriter::new(max, false);
    serde_json::to_writer(&mut out, response).is_ok()
}

/// Encodes a response as JSON, or says that it would be larger than `max` bytes
/// (having stopped there).
pub fn encode(response: &impl serde::Serialize, max: usize) -> Option<Vec<u8>> {
    let mut out = CappedWriter::new(max, true);
    serde_json::to_writer(&mut out, response).ok()?;
    Some(out.bytes)
}

/// The error sent instead of an answer too large to send.
pub fn response_too_large(max: usize) -> Response {
    let mut e = ServerError::new(
        format!("The answer would be larger than {max} bytes: ask for smaller pages, fewer fields (source texts are large), or split the request."),
        None,
    );
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", ErrorCode::ResponseTooLarge.as_str());
    Response::from_errors(vec![e])
}

/// A writer that fails once more than `max` bytes were written to it.
struct CappedWriter {
    bytes: Vec<u8>,
    written: usize,
    max: usize,
    keep: bool,
}

impl CappedWriter {
    fn new(max: usize, keep: bool) -> Self {
        CappedWriter {
            bytes: Vec::new(),
            written: 0,
            max,
            keep,
        }
    }
}

impl std::io::Write for CappedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.written += buf.len();
        if self.written > self.max {
            return Err(std::io::Error::other("response too large"));
        }
        if self.keep {
            self.bytes.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The service runs the operations of WebSocket connections: each operation gets
/// fresh loaders, the limits and the error codes, as over HTTP. Queries and
/// mutations over WebSocket get the deadline too; subscriptions live until the
/// client stops them.
impl async_graphql::Executor for GraphqlService {
    async fn execute(&self, request: Request) -> Response {
        let budget = Arc::new(Budget::new(self.limits.max_complexity));
        let deadline = Instant::now() + self.limits.timeout;
        match self.prepare(request, &budget) {
            Ok(p) => {
                let execution = self.schema.execute(p.request);
                self.bounded(execution, deadline, p.writes).await
            }
            Err(refused) => *refused,
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<async_graphql::Data>>,
    ) -> futures_util::stream::BoxStream<'static, Response> {
        use futures_util::StreamExt;
        let budget = Arc::new(Budget::new(self.limits.max_complexity));
        let p = match self.prepare(request, &budget) {
            Ok(p) => p,
            Err(refused) => return futures_util::stream::once(async { *refused }).boxed(),
        };
        let session_data = session_data.unwrap_or_default();
        let max_response = self.limits.max_response_bytes;
        let limit = move |response: Response| {
            if fits(&response, max_response) {
                response
            } else {
                response_too_large(max_response)
            }
        };
        let stream = self
            .schema
            .execute_stream_with_session_data(p.request, session_data);
        if p.subscribes {
            let service = self.clone();
            return stream.map(move |r| limit(service.finish(r))).boxed();
        }
        // A query or mutation: one response, under the deadline.
        let service = self.clone();
        let deadline = Instant::now() + self.limits.timeout;
        futures_util::stream::once(async move {
            let mut stream = stream;
            let execution = async move { stream.next().await.unwrap_or_default() };
            limit(service.bounded(execution, deadline, p.writes).await)
        })
        .boxed()
    }
}
