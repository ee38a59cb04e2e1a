//! API keys for writes.
//!
//! A key is a random token (`agk_` and 64 hex digits) that a client sends as
//! `Authorization: Bearer <key>`. The server keeps only the SHA-256 of each key, with
//! a role and a label: `role:sha256hex[:label]` entries from `ACTORGRAPH_API_KEYS`
//! (comma-separated) or a keys file (one per line). `actorgraph key` makes a key and
//! prints its entry. Keys are never logged; the label is.
//!
//! Reads are public. `editor` may write data; `admin` may also import and delete.

use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// May write data.
    Editor,
    /// May also import and delete.
    Admin,
}

impl Role {
    /// Reads `editor` or `admin`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

/// A client that presented a valid key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub role: Role,
    /// The key's label, for logs and audit.
    pub label: String,
}

/// Who sent a request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// No `Authorization` header.
    #[default]
    Anonymous,
    /// A header that is malformed or names no known key.
    Invalid,
    /// A valid key.
    Caller(Caller),
}

/// The known keys (their hashes).
#[derive(Debug, Clone, Default)]
pub struct ApiKeys {
    keys: Vec<(String, Caller)>,
}

/// The hex SHA-256 of a key, as stored.
pub fn hash(key: &str) -> String {
    digest::digest(&digest::SHA256, key.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new random key.
pub fn generate() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| "the system's random source failed".to_string())?;
    Ok(format!(
        "agk_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

impl ApiKeys {
    /// Reads `role:sha256hex[:label]` entries; blank entries and `#` comments are skipped.
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut keys = Vec::new();
        for (n, entry) in entries.into_iter().enumerate() {
            let entry = entry.trim();
            if entry.is_empty() || entry.starts_with('#') {
                continue;
            }
            let mut parts = entry.splitn(3, ':');
            let role = parts.next().and_then(Role::parse);
            let digest = parts
                .next()
                .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
            let (Some(role), Some(digest)) = (role, digest) else {
                return Err(format!(
                    "API key entry {} is not `role:sha256hex[:label]` with role editor or admin and a 64-digit hex hash (make one with `actorgraph key`)",
                    n + 1
                ));
            };
            let label = parts.next().unwrap_or("unnamed").to_string();
            keys.push((digest.to_ascii_lowercase(), Caller { role, label }));
        }
        Ok(ApiKeys { keys })
    }

    /// Adds the keys of another set.
    pub fn extend(&mut self, other: ApiKeys) {
        self.keys.extend(other.keys);
    }

    /// How many keys are known.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is known (then every write is refused).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Who sent a request with this `Authorization` header.
    pub fn authenticate(&self, header: Option<&str>) -> Auth {
        let Some(header) = header else {
            return Auth::Anonymous;
        };
        let Some((scheme, key)) = header.trim().split_once(' ') else {
            return Auth::Invalid;
        };
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Auth::Invalid;
        }
        let digest = hash(key.trim());
        match self.keys.iter().find(|(h, _)| *h == digest) {
            Some((_, caller)) => Auth::Caller(caller.clone()),
            None => Auth::Invalid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_authenticates_with_its_role_and_label() {
        let key = generate().unwrap();
        assert!(key.starts_with("agk_") && key.len() == 68);
        let keys = ApiKeys::parse([format!("admin:{}:ci-script", hash(&key)).as_str()]).unwrap();
        assert_eq!(
            keys.authenticate(Some(&format!("Bearer {key}"))),
            Auth::Caller(Caller {
                role: Role::Admin,
                label: "ci-script".into()
            })
        );
        assert_eq!(
            keys.authenticate(Some(&format!("bearer {key}"))),
            keys.authenticate(Some(&format!("Bearer {key}")))
        );
    }

    #[test]
    fn missing_malformed_and_unknown_keys_are_told_apart() {
        let keys = ApiKeys::parse([format!("editor:{}", hash("agk_known")).as_str()]).unwrap();
        assert_eq!(keys.authenticate(None), Auth::Anonymous);
        assert_eq!(
            keys.authenticate(Some("agk_known")),
            Auth::Invalid,
            "no scheme"
        );
        assert_eq!(keys.authenticate(Some("Basic agk_known")), Auth::Invalid);
        assert_eq!(keys.authenticate(Some("Bearer agk_other")), Auth::Invalid);
        assert!(matches!(
            keys.authenticate(Some("Bearer agk_known")),
            Auth::Caller(Caller {
                role: Role::Editor,
                ..
            })
        ));
    }

    #[test]
    fn entries_must_name_a_role_and_a_sha256() {
        assert!(ApiKeys::parse(["owner:abc"]).is_err());
        assert!(ApiKeys::parse(["admin:not-hex"]).is_err());
        assert!(ApiKeys::parse(["", "# a comment"]).unwrap().is_empty());
        assert!(Role::Editor < Role::Admin);
    }
}
