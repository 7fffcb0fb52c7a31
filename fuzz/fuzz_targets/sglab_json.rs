//! sglab JSON: parsing and validation (`load::parse_sglab`) never panic; a file that loads
//! passes the model's own check, and writes back to a file that loads again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sglab_core::diagnostic::Diagnostic;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = sglab_core::load::parse_sglab(text, Some("fuzz.json")) else {
        return;
    };
    let errors: Vec<Diagnostic> = sglab_core::validate::check(&parsed.topology)
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    assert!(
        errors.is_empty(),
        "a loaded file fails the model check: {errors:?}"
    );
    let written = sglab_core::format::to_sglab_json(&parsed.topology);
    if let Err(errors) = sglab_core::load::parse_sglab(&written, Some("written.json")) {
        panic!("the written file does not load: {errors:?}\n{written}");
    }
});
