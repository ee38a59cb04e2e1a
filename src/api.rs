//! The GraphQL API: schema, resolvers and loaders, with no HTTP in it. The HTTP
//! layer ([`crate::http`]) and the tests both run requests through
//! [`GraphqlService::execute`], which attaches the per-request loaders.

mod codes;
mod cursor;
pub mod error;
pub mod events;
mod explore;
mod explore_types;
mod loaders;
mod mutation;
pub mod paging;
mod prefetch;
mod query;
mod subscription;
mod types;

use std::sync::Arc;

use async_graphql::MergedObject;

use async_graphql::{BatchRequest, BatchResponse, Request, Response, Schema};

pub use codes::code_of as codes_of;
pub use error::ErrorCode;
pub use query::QueryRoot;

/// The root query: reads of records, and graph exploration.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct Query(QueryRoot, explore_types::ExploreQuery);

use crate::auth::Auth;
use crate::store::Repository;

/// The schema type.
pub type AppSchema = Schema<Query, mutation::MutationRoot, subscription::SubscriptionRoot>;

/// Deepest selection nesting accepted (GraphiQL's introspection query needs 13).
pub const MAX_DEPTH: usize = 16;
/// Largest query complexity accepted: each field costs 1, and a connection field
/// multiplies what is below it by its page size.
pub const MAX_COMPLEXITY: usize = 20_000;

/// Builds the schema without data; enough to print the SDL.
pub fn schema_builder(
) -> async_graphql::SchemaBuilder<Query, mutation::MutationRoot, subscription::SubscriptionRoot> {
    Schema::build(
        Query::default(),
        mutation::MutationRoot,
        subscription::SubscriptionRoot,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .extension(codes::ErrorCodes)
}

/// The schema in SDL, as committed in `schema/schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

/// The schema bound to a store, built once and shared by every request.
#[derive(Clone)]
pub struct GraphqlService {
    schema: AppSchema,
    repo: Arc<dyn Repository>,
    bus: events::ChangeBus,
}

impl GraphqlService {
    /// Builds the schema over `repo`.
    pub fn new(repo: Arc<dyn Repository>) -> Self {
        let bus = events::ChangeBus::default();
        let schema = schema_builder()
            .data(repo.clone())
            .data(bus.clone())
            .finish();
        GraphqlService { schema, repo, bus }
    }

    /// The schema, for transports that run it themselves (the WebSocket one).
    pub fn schema(&self) -> &AppSchema {
        &self.schema
    }

    /// The change feed the mutations publish to.
    pub fn changes(&self) -> &events::ChangeBus {
        &self.bus
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
    ) -> impl futures_util::Stream<Item = Response> + Send + 'static {
        use futures_util::StreamExt;
        self.schema
            .execute_stream(self.prepare(request.into()).data(auth))
            .map(codes::finish)
    }

    /// The store behind the API.
    pub fn repository(&self) -> &Arc<dyn Repository> {
        &self.repo
    }

    fn prepare(&self, request: Request) -> Request {
        request.data(loaders::Loaders::new(&self.repo))
    }

    /// Runs one request without a key (reads only).
    pub async fn execute(&self, request: impl Into<Request>) -> Response {
        self.execute_as(request, Auth::Anonymous).await
    }

    /// Runs one request for a caller.
    pub async fn execute_as(&self, request: impl Into<Request>, auth: Auth) -> Response {
        codes::finish(
            self.schema
                .execute(self.prepare(request.into()).data(auth))
                .await,
        )
    }

    /// Runs a single request or a batch for a caller; each request of a batch gets
    /// its own loaders.
    pub async fn execute_batch(&self, batch: BatchRequest, auth: Auth) -> BatchResponse {
        match batch {
            BatchRequest::Single(r) => BatchResponse::Single(self.execute_as(r, auth).await),
            BatchRequest::Batch(requests) => {
                let mut responses = Vec::with_capacity(requests.len());
                for r in requests {
                    responses.push(self.execute_as(r, auth.clone()).await);
                }
                BatchResponse::Batch(responses)
            }
        }
    }
}

/// The service runs the operations of WebSocket connections: each operation gets
/// fresh loaders, and every response its error codes, as over HTTP.
impl async_graphql::Executor for GraphqlService {
    async fn execute(&self, request: Request) -> Response {
        codes::finish(self.schema.execute(self.prepare(request)).await)
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<async_graphql::Data>>,
    ) -> futures_util::stream::BoxStream<'static, Response> {
        use futures_util::StreamExt;
        async_graphql::Executor::execute_stream(&self.schema, self.prepare(request), session_data)
            .map(codes::finish)
            .boxed()
    }
}
