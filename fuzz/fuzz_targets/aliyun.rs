//! The aliyun API JSON import (`import::detect`, `import::load_files`): the input is one or
//! more files separated by a line `--8<--`, each a DescribeSecurityGroupAttribute,
//! DescribeSecurityGroups, DescribeInstances or DescribeNetworkInterfaces response or sglab
//! JSON, detected by content and merged. Nothing panics, and a merged topology passes the
//! model's check.
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
        .map(|(index, contents)| (format!("file-{index}.json"), contents))
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
        "an imported topology fails the model check: {errors:?}"
    );
});
