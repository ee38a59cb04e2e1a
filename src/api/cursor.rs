//! Opaque Relay cursors. A cursor wraps the id of the last item seen, which is the
//! keyset every store pages by; the `v1:` prefix lets the format change later
//! without old cursors being misread.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::store::SortKey;

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

/// The prefix of cursors that carry a position in an order other than by id.
const KEYED: &str = "v2:";

/// Encodes the position of an item in a list sorted by something else than its
/// id: the order's name, the item's sort key (none when it has none) and its id.
pub fn encode_keyed(order: &str, key: Option<&SortKey>, id: &str) -> String {
    let key = match key {
        None => serde_json::Value::Null,
        Some(SortKey::Text(t)) => serde_json::json!(t),
        Some(SortKey::Number(n)) => serde_json::json!(n.0),
    };
    let body = serde_json::json!([order, key, id]);
    URL_SAFE_NO_PAD.encode(format!("{KEYED}{body}"))
}

/// Decodes a cursor of [`encode_keyed`]: the order's name, the key, the id.
pub fn decode_keyed(cursor: &str) -> Option<(String, Option<SortKey>, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let body: serde_json::Value = serde_json::from_str(text.strip_prefix(KEYED)?).ok()?;
    let [order, key, id] = body.as_array()?.as_slice() else {
        return None;
    };
    let key = match key {
        serde_json::Value::Null => None,
        serde_json::Value::String(t) => Some(SortKey::Text(t.clone())),
        serde_json::Value::Number(n) => Some(SortKey::Number(n.as_f64()?.into())),
        _ => return None,
    };
    let id = id.as_str().filter(|id| !id.is_empty())?;
    Some((order.as_str()?.to_string(), key, id.to_string()))
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
    fn keyed_cursors_round_trip() {
        for key in [
            None,
            Some(SortKey::Text("2015-01".into())),
            Some(SortKey::Number(6e8.into())),
        ] {
            assert_eq!(
                decode_keyed(&encode_keyed(
                    "amount:USD",
                    key.as_ref(),
                    "cia-contract-amazon"
                )),
                Some(("amount:USD".into(), key, "cia-contract-amazon".into()))
            );
        }
        assert_eq!(decode_keyed(&encode("cia")), None);
        assert_eq!(decode(&encode_keyed("start", None, "cia")), None);
    }

    #[test]
    fn foreign_strings_are_not_cursors() {
        for bad in ["", "cia", "djE6", "!!!", &URL_SAFE_NO_PAD.encode("v2:cia")] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
