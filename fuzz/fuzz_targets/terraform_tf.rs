//! Terraform configuration: .tf and .tfvars text through the HCL reader and the evaluator
//! (`import::load_files`). The input is one or more files separated by a line `--8<--`; a file
//! whose first line is `#tfvars` is named `.tfvars`, the others `.tf`. Detection and the load
//! never panic, and a loaded topology passes the model's check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sglab_core::diagnostic::Diagnostic;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files: Vec<(String, &str)> = text
        .split("\n--8<--\n")
        .take(8)
        .enumerate()
        .map(|(index, contents)| {
            let extension = if contents.starts_with("#tfvars") {
                "tfvars"
            } else {
                "tf"
            };
            (format!("file-{index}.{extension}"), contents)
        })
        .collect();
    for (name, contents) in &files {
        let _ = sglab_core::import::detect(name, contents);
    }
    let Ok(loaded) = sglab_core::import::load_files(&files) else {
        return;
    };
    let errors: Vec<Diagnostic> = sglab_core::validate::check(&loaded.topology)
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    assert!(
        errors.is_empty(),
        "an imported configuration fails the model check: {errors:?}"
    );
});
