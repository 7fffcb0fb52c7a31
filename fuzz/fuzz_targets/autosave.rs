//! The autosave reader: the web app reads its autosave with `load::parse_sglab` (through
//! `src/engine/mod.rs`, `parse_sglab(text, "autosave")`, in `src/app/startup.rs`) and writes it
//! with `format::to_sglab_json`; the browser's storage itself is not reachable natively. Any
//! text never panics, and whatever loads is saved and restored as the same topology.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = sglab_core::load::parse_sglab(text, Some("autosave")) else {
        return;
    };
    let saved = sglab_core::format::to_sglab_json(&parsed.topology);
    match sglab_core::load::parse_sglab(&saved, Some("autosave")) {
        Ok(restored) => assert!(
            restored.topology == parsed.topology,
            "the restored autosave differs from the saved topology:\n{saved}"
        ),
        Err(errors) => panic!("the autosave does not load again: {errors:?}\n{saved}"),
    }
});
