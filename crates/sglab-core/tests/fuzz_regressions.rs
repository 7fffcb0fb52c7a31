//! Inputs the fuzz targets (`fuzz/`, `cargo xtask fuzz`) found, each kept as it was found (or
//! minimized) in `fuzz/regressions/<target>/` and checked here for the importer's answer.
//!
//! A regression here shows as a test that never finishes rather than as a failed assertion: the
//! inputs were slow, not wrong.

use sglab_core::import::{detect, load_files};

/// The aliyun target's first finding: text that is neither JSON nor HCL, full of unclosed `[`
/// after chains of binary operators. The HCL parser parsed the operand after each operator
/// twice when it failed, so the time doubled with every level of nesting (minutes for 3.7 kB).
const NESTED_OPERATORS: &str = include_str!(
    "../../../fuzz/regressions/aliyun/timeout-2ba6f558df3cf34908b899717cdbaf1ffd0602ca"
);
/// The same input minimized by `cargo fuzz tmin` (inputs slower than 3 s).
const NESTED_OPERATORS_MINIMIZED: &str =
    include_str!("../../../fuzz/regressions/aliyun/timeout-minimized");

/// `depth` levels of `0-0-0[` then an operand that fails (`&` is not an operator; `&&` is).
fn nested_operators(depth: usize) -> String {
    format!("a = {}1&0", "0-0-0[".repeat(depth))
}

fn first_message(
    result: Result<impl std::fmt::Debug, Vec<sglab_core::diagnostic::Diagnostic>>,
) -> String {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(errors) => errors[0].to_string(),
    }
}

#[test]
fn aliyun_timeout_is_refused_as_malformed_json() {
    for text in [NESTED_OPERATORS, NESTED_OPERATORS_MINIMIZED] {
        assert_eq!(
            first_message(detect("file-0.json", text)),
            "file-0.json:1:1: malformed JSON: expected value"
        );
        assert_eq!(
            first_message(load_files(&[("file-0.json", text)])),
            "file-0.json:1:1: malformed JSON: expected value"
        );
    }
}

#[test]
fn deeply_nested_operator_chains_fail_quickly() {
    // Past the parser's own limit of 64 nested levels and under it: both answer at once.
    for depth in [20, 40, 63, 80] {
        let text = nested_operators(depth);
        assert_eq!(
            first_message(detect("deep.json", &text)),
            "deep.json:1:1: malformed JSON: expected value",
            "depth {depth}"
        );
        let message = first_message(load_files(&[("deep.tf", text.as_str())]));
        assert!(
            message.starts_with("deep.tf:1:"),
            "depth {depth}: {message}"
        );
    }
}

#[test]
fn the_same_chains_closed_and_valid_still_parse() {
    let text = format!(
        "locals {{\n  a = {}1{}\n}}\n",
        "0-0-0[".repeat(40),
        "]".repeat(40)
    );
    assert_eq!(
        detect("deep.tf", &text),
        Ok(sglab_core::import::InputKind::TerraformConfig)
    );
}
