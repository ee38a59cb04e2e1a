//! The domain: actors, relations, evidence and sources, with the rules they obey.
//! No I/O here: stores, the API and the seed loader all build on these types.

pub mod aggregate;
pub mod claim;
pub mod dataset;
mod date;
pub mod filter;
pub mod formats;
mod ids;
pub mod intake;
mod kinds;
mod model;
pub mod search;
pub mod text;

pub use claim::{Claim, ClaimEnd, NewEnd, Review};
pub use dataset::{validate, validate_against, Dataset, Existing, Problem, RawDocument};
pub use date::{DateError, DatePrecision, DateValue, PartialDate};
pub use ids::{ActorId, ClaimId, IdError, RelationId, SourceId, MAX_ID_LEN};
pub use kinds::{ActorKind, Direction, RelationType};
pub use model::{Actor, Area, Evidence, Meta, Money, Relation, Source};
