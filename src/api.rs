//! The GraphQL API: schema, resolvers and loaders, with no HTTP in it. The HTTP
//! layer ([`crate::http`]) and the tests both run requests through
//! [`GraphqlService::execute`], which attaches the per-request loaders.

mod codes;
mod cursor;
pub mod error;
mod explore;
mod explore_types;
mod loaders;
mod mutation;
pub mod paging;
mod prefetch;
mod query;
mod types;

use std::sync::Arc;

use async_graphql::MergedObject;

use async_graphql::{BatchRequest, BatchResponse, EmptySubscription, Request, Response, Schema};

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
pub type AppSchema = Schema<Query, mutation::MutationRoot, EmptySubscription>;

/// Deepest selection nesting accepted (GraphiQL's introspection query needs 13).
pub const MAX_DEPTH: usize = 16;
/// Largest query complexity accepted: each field costs 1, and a connection field
/// multiplies what is below it by its page size.
pub const MAX_COMPLEXITY: usize = 20_000;

/// Builds the schema without data; enough to print the SDL.
pub fn schema_builder(
) -> async_graphql::SchemaBuilder<Query, mutation::MutationRoot, EmptySubscription> {
    Schema::build(Query::default(), mutation::MutationRoot, EmptySubscription)
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
}

impl GraphqlService {
    /// Builds the schema over `repo`.
    pub fn new(repo: Arc<dyn Repository>) -> Self {
        let schema = schema_builder().data(repo.clone()).finish();
        GraphqlService { schema, repo }
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
