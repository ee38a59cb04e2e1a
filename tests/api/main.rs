//! Integration tests: one binary, one module per concern.
//!
//! - `backends`: the stores every suite runs against (embedded, and Bolt);
//! - `contract`: the store contract suite, run against every backend;
//! - `seed_data`: what the seeded article data set says;
//! - `graphql`: behaviour through `GraphqlService::execute` (no HTTP), on every backend;
//! - `http`: end to end over HTTP against a spawned server;
//! - `writes`: record mutations and the change feed, on every backend;
//! - `durable`: the embedded store's files and the feed across processes, with
//!   server processes killed and restarted;
//! - `filter`: `where` conditions read alike by every store;
//! - `aggregate`: the aggregates of relation lists, alike on every store;
//! - `node`: records found by id whatever their kind (Relay's `node`);
//! - `order`: relation lists in every order, paged forward and backward, alike
//!   on every store;
//! - `hostile`: what a hostile client sends, over HTTP and WebSocket, on every
//!   backend: each attack gets a coded refusal or a bounded answer, and the server
//!   stays healthy.

mod aggregate;
mod backends;
mod contract;
mod durable;
mod export;
mod filter;
mod graphql;
mod helpers;
mod hostile;
mod http;
mod intake;
mod node;
mod order;
mod seed_command;
mod seed_data;
mod sources;
mod writes;
