//! actorgraph: a GraphQL API over a graph of actors and the evidenced relations
//! between them.
//!
//! A guided tour, from the inside out:
//! - [`domain`]: the records and their rules (no I/O);
//! - [`seed`]: reads data-set files from disk and validates them;
//! - [`store`]: the domain-level repository trait and its backends;
//! - [`api`]: the GraphQL schema, resolvers and loaders;
//! - [`http`]: routes, the playground and health checks;
//! - [`deadline`]: the deadline of the request being served, which long loops of
//!   the store and of graph exploration watch;
//! - [`config`], [`startup`] and [`telemetry`]: the binary's wiring.

pub mod api;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod config;
pub mod deadline;
pub mod domain;
pub mod http;
pub mod seed;
pub mod startup;
pub mod store;
pub mod synthetic;
pub mod telemetry;
