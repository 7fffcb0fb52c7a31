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

/// The `terraform_plan` target's slow inputs: text that is not JSON, read as HCL, where `!`
/// operands with traversals (`o<!p["a"][...`) open index brackets inside one another. The HCL
/// parser tried each failing index twice, once in the operand's traversal and once after the
/// unary expression, so the time doubled with each level (1.5 s natively for 901 bytes).
const UNARY_INDEXES: &str =
    include_str!("../../../fuzz/regressions/terraform_plan/slow-hcl-nesting");
/// A second input of the same kind (882 bytes).
const UNARY_INDEXES_2: &str =
    include_str!("../../../fuzz/regressions/terraform_plan/slow-hcl-nesting-2");
/// The first input minimized by hand (inputs slower than 0.3 s natively).
const UNARY_INDEXES_MINIMIZED: &str =
    include_str!("../../../fuzz/regressions/terraform_plan/slow-hcl-nesting-minimized");

/// `levels` copies of `unit` after `a = `; the first copy is no operand of a unary operator, so
/// a unit leaving one index bracket open nests `levels - 1` deep.
fn unary_indexes(unit: &str, levels: usize) -> String {
    format!("a = {}", unit.repeat(levels))
}

const TOO_DEEP: &str = "expression nested too deeply for the HCL parser: index brackets nested more than 4 deep in the operand of a `!` or `-` operator; simplify the expression";

#[test]
fn slow_unary_indexes_are_refused_as_malformed_json() {
    for text in [UNARY_INDEXES, UNARY_INDEXES_2, UNARY_INDEXES_MINIMIZED] {
        assert_eq!(
            first_message(detect("plan.json", text)),
            "plan.json:1:1: malformed JSON: expected value"
        );
        assert_eq!(
            first_message(load_files(&[("plan.json", text)])),
            "plan.json:1:1: malformed JSON: expected value"
        );
    }
}

#[test]
fn slow_unary_indexes_read_as_terraform_name_the_limit() {
    for (text, column) in [
        (UNARY_INDEXES, 234),
        (UNARY_INDEXES_2, 261),
        (UNARY_INDEXES_MINIMIZED, 85),
    ] {
        assert_eq!(
            detect("slow.tf", text),
            Ok(sglab_core::import::InputKind::TerraformConfig)
        );
        assert_eq!(
            first_message(load_files(&[("slow.tf", text)])),
            format!("slow.tf:1:{column}: {TOO_DEEP}")
        );
    }
}

#[test]
fn generated_unary_indexes_are_parsed_up_to_the_limit_and_refused_past_it() {
    for unit in ["p[0][!", "p.q[-", "p[\"a\"][o<!", "p[0][!!"] {
        // Up to 4 levels the parser answers (quickly) with its own syntax error.
        for levels in 1..=5 {
            let text = unary_indexes(unit, levels);
            let message = first_message(load_files(&[("deep.tf", text.as_str())]));
            assert!(
                message.contains("HCL syntax error"),
                "{unit} x {levels}: {message}"
            );
        }
        // Past them the text is refused before parsing, at any depth.
        for levels in [6, 10, 20, 40, 64, 100] {
            let text = unary_indexes(unit, levels);
            let message = first_message(load_files(&[("deep.tf", text.as_str())]));
            assert!(
                message.starts_with("deep.tf:1:") && message.ends_with(TOO_DEEP),
                "{unit} x {levels}: {message}"
            );
        }
    }
}

#[test]
fn valid_unary_indexes_at_the_limit_still_parse() {
    // `!p[0][` leaves one index open in a unary operand and opens one more for `[0]`.
    let nested = |levels: usize| {
        format!(
            "locals {{\n  a = {}p{}\n}}\n",
            "!p[0][".repeat(levels),
            "]".repeat(levels)
        )
    };
    let text = nested(4);
    assert_eq!(
        detect("deep.tf", &text),
        Ok(sglab_core::import::InputKind::TerraformConfig)
    );
    assert!(load_files(&[("deep.tf", text.as_str())]).is_ok());
    assert_eq!(
        first_message(load_files(&[("deep.tf", nested(5).as_str())])),
        format!("deep.tf:2:33: {TOO_DEEP}")
    );
}
