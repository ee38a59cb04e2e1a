//! Integration tests: one binary, one module per concern.
//!
//! - `contract`: the store contract suite, run against every backend;
//! - `seed_data`: what the seeded article data set says;
//! - `graphql`: behaviour through `GraphqlService::execute` (no HTTP);
//! - `http`: end to end over HTTP against a spawned server.

mod contract;
mod graphql;
mod helpers;
mod http;
mod seed_data;
