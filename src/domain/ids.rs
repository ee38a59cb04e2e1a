//! Stable, readable identifiers (slugs) for actors, relations and sources.
//!
//! Ids are part of URLs, cursors and the data files people edit by hand, so they are
//! restricted to lowercase ASCII letters, digits and single hyphens: `cia`,
//! `cloud-development-act`. A store-internal id (Neo4j's `elementId()`) is never one.

use std::fmt;

use serde::Serialize;

/// The longest id accepted, in bytes (ids are ASCII).
pub const MAX_ID_LEN: usize = 100;

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid id: use 1 to {MAX_ID_LEN} lowercase letters a-z, digits and single hyphens between them, e.g. `cloud-development-act`")]
pub struct IdError {
    /// The rejected input, cut to a readable length.
    pub value: String,
}

fn check_slug(s: &str) -> Result<(), IdError> {
    let well_formed = !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if well_formed {
        Ok(())
    } else {
        Err(IdError {
            value: s.chars().take(MAX_ID_LEN + 10).collect(),
        })
    }
}

macro_rules! slug_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks the slug rules and wraps the string.
            pub fn parse(s: impl Into<String>) -> Result<Self, IdError> {
                let s = s.into();
                check_slug(&s)?;
                Ok(Self(s))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Ordering and equality are the inner string's, so maps keyed by ids can be
        // searched by `&str` (e.g. a range from a cursor).
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

slug_id!(
    /// Identifies an actor, e.g. `cia`.
    ActorId
);
slug_id!(
    /// Identifies a relation, e.g. `cia-contract-amazon`.
    RelationId
);
slug_id!(
    /// Identifies a source document, e.g. `amazon-korea-cloud-2015`.
    SourceId
);
slug_id!(
    /// Identifies a candidate claim of intake, e.g. `amazon-korea-cloud-2015-c7`.
    ClaimId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_slugs_are_accepted() {
        for ok in ["cia", "kt", "cloud-development-act", "a1-b2", "2015"] {
            assert!(ActorId::parse(ok).is_ok(), "{ok} should be valid");
        }
    }

    #[test]
    fn ids_with_capitals_spaces_or_stray_hyphens_are_rejected() {
        for bad in [
            "",
            "CIA",
            "cloud act",
            "-cia",
            "cia-",
            "a--b",
            "cia_1",
            "아마존",
            "#1:0",
        ] {
            assert!(ActorId::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn an_id_longer_than_the_limit_is_rejected() {
        assert!(ActorId::parse("a".repeat(MAX_ID_LEN)).is_ok());
        assert!(ActorId::parse("a".repeat(MAX_ID_LEN + 1)).is_err());
    }

    #[test]
    fn the_error_message_says_what_an_id_may_contain() {
        let err = RelationId::parse("Bad Id").unwrap_err();
        assert!(err.to_string().contains("lowercase letters"));
    }
}
