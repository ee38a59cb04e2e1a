//! Opaque Relay cursors. A cursor wraps the id of the last item seen, which is the
//! keyset every store pages by; the `v1:` prefix lets the format change later
//! without old cursors being misread.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

const PREFIX: &str = "v1:";

/// Encodes the id of an item as its cursor.
pub fn encode(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{id}"))
}

/// Decodes a cursor given by a client; `None` when it is not one of ours.
pub fn decode(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let id = text.strip_prefix(PREFIX)?;
    (!id.is_empty()).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(
            decode(&encode("cia-contract-amazon")).as_deref(),
            Some("cia-contract-amazon")
        );
    }

    #[test]
    fn foreign_strings_are_not_cursors() {
        for bad in ["", "cia", "djE6", "!!!", &URL_SAFE_NO_PAD.encode("v2:cia")] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
