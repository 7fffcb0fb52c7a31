//! The share link's payload: `base64url(deflate(json))`, and back.
//!
//! Pure functions, tested natively; reading and writing the URL happens in `browser`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The fragment prefix of a share link: `#t=...`.
pub const FRAGMENT_KEY: &str = "t=";

/// Largest inflated payload accepted from a link, so a hostile link cannot exhaust memory.
pub const MAX_INFLATED: usize = 32 * 1024 * 1024;

/// Longest share-link payload accepted, in bytes (1 MB): a longer link is refused before it is
/// decoded, with a message naming the limit.
pub const MAX_LINK_BYTES: usize = 1024 * 1024;

/// Why a share link could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// The payload is longer than [`MAX_LINK_BYTES`]; it holds this many bytes.
    TooLong(usize),
    /// The fragment is not valid base64url.
    NotBase64,
    /// The bytes are not a deflate stream, or it is truncated or too large.
    NotDeflate,
    /// The inflated bytes are not UTF-8 text.
    NotText,
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::TooLong(bytes) => write!(
                f,
                "the link holds {:.1} MB of data, over the limit of {} MB for a share link sglab opens; export the topology as sglab JSON to share it instead",
                *bytes as f64 / 1024.0 / 1024.0,
                MAX_LINK_BYTES / 1024 / 1024
            ),
            LinkError::NotBase64 => f.write_str(
                "the link's data is not valid base64url: it was probably cut short or edited",
            ),
            LinkError::NotDeflate => f.write_str(
                "the link's data does not decompress: it was probably cut short or edited",
            ),
            LinkError::NotText => f.write_str("the link's data is not text: it was probably edited"),
        }
    }
}

/// Compresses and encodes a JSON text for the URL fragment (without the `t=` key).
pub fn encode(json: &str) -> String {
    let compressed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    URL_SAFE_NO_PAD.encode(compressed)
}

/// Decodes and inflates a fragment payload (without the `t=` key) back to the JSON text.
pub fn decode(payload: &str) -> Result<String, LinkError> {
    check_length(payload)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim().trim_end_matches('=').as_bytes())
        .map_err(|_| LinkError::NotBase64)?;
    let inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_INFLATED)
        .map_err(|_| LinkError::NotDeflate)?;
    String::from_utf8(inflated).map_err(|_| LinkError::NotText)
}

/// Refuses a payload longer than [`MAX_LINK_BYTES`], before anything decodes it.
pub fn check_length(payload: &str) -> Result<(), LinkError> {
    if payload.len() > MAX_LINK_BYTES {
        return Err(LinkError::TooLong(payload.len()));
    }
    Ok(())
}

/// The payload of a URL fragment such as `#t=abc`, if it is a share link.
pub fn payload_of_fragment(fragment: &str) -> Option<&str> {
    fragment.trim_start_matches('#').strip_prefix(FRAGMENT_KEY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_exact_and_short() {
        let json = r#"{"name":"AI gateway","groups":{"sg-1":{"rules":[]}}}"#.repeat(20);
        let payload = encode(&json);
        assert!(
            payload.len() < json.len() / 4,
            "repetitive JSON compresses well"
        );
        assert!(payload
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(decode(&payload), Ok(json));
    }

    #[test]
    fn corrupted_links_are_errors_not_panics() {
        assert_eq!(decode("%%%"), Err(LinkError::NotBase64));
        assert_eq!(decode("AAAA"), Err(LinkError::NotDeflate));
        let payload = encode("{\"name\":\"x\"}");
        assert!(decode(&payload[..payload.len() / 2]).is_err());
        assert_eq!(
            decode(&encode_bytes(&[0xff, 0xfe])),
            Err(LinkError::NotText)
        );
    }

    #[test]
    fn links_over_the_limit_are_refused_before_decoding() {
        let long = "A".repeat(MAX_LINK_BYTES + 1);
        assert_eq!(decode(&long), Err(LinkError::TooLong(MAX_LINK_BYTES + 1)));
        assert!(LinkError::TooLong(MAX_LINK_BYTES + 1)
            .to_string()
            .contains("over the limit of 1 MB"));
        assert_eq!(
            decode(&"A".repeat(MAX_LINK_BYTES)),
            Err(LinkError::NotDeflate)
        );
    }

    #[test]
    fn fragments_are_recognised() {
        assert_eq!(payload_of_fragment("#t=abc"), Some("abc"));
        assert_eq!(payload_of_fragment("t=abc"), Some("abc"));
        assert_eq!(payload_of_fragment("#other"), None);
    }

    fn encode_bytes(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(bytes, 9))
    }
}
