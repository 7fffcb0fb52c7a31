//! The web app's share-link decoder, `src/codec.rs` (base64url of deflate of the JSON), built
//! here from the same file: a pure module of the root package whose only dependencies are
//! `base64` and `miniz_oxide`, so the fuzz crate includes it rather than linking the Yew app.
//! Any payload (the input as text, or as bytes encoded as a valid link) never panics, inflates
//! within the limit, and what decodes loads through `load::parse_sglab` as the app does.
#![no_main]

#[allow(dead_code)]
#[path = "../../src/codec.rs"]
mod codec;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;

fn open(payload: &str) {
    if let Ok(json) = codec::decode(payload) {
        assert!(json.len() <= codec::MAX_INFLATED);
        let _ = sglab_core::load::parse_sglab(&json, Some("share link"));
        assert_eq!(
            codec::decode(&codec::encode(&json)).as_deref(),
            Ok(json.as_str())
        );
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(payload) = codec::payload_of_fragment(text) {
            open(payload);
        }
        open(text);
    }
    open(&URL_SAFE_NO_PAD.encode(data));
});
