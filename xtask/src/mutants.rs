//! `cargo xtask mutants [FILE...] [-- ARGS...]`: mutation testing of the engine with
//! cargo-mutants, using the project's configuration (`.cargo/mutants.toml`: no debug info, the
//! timeout, the functions that are not logic) and the tests that kill fastest for the files given.
//!
//! Each FILE is a source file of `crates/sglab-core/src`, given from the project root or from
//! that directory, and may be a glob (`eval/*.rs`); without files it runs the modules whose
//! scores docs/testing.md gives. ARGS go to cargo-mutants unchanged (`--re REGEX`, `--iterate`,
//! `--shard 1/4`). The test selection follows the files: the doctor's files run only the tests
//! that reach the doctor, the lint's only the lint's, the matrix's only the matrix's (and the
//! diff's too for the two files that build the diff's parts), the diff's only the diff's, any
//! other file the engine's wider selection ([`selection`]). The
//! report lands in `mutants.out/` (ignored by git). It is not a
//! layer of `cargo xtask test`: at 10 to 40 s a mutant on two cores, one module takes an hour or
//! more.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{describe_command, done, output, run, step};

/// The engine's sources, as cargo-mutants names them from the project root.
const CORE_SRC: &str = "crates/sglab-core/src/";

/// The lint's sources, whose mutants its own tests (`tests/lint.rs`) decide.
const LINT_SRC: &str = "crates/sglab-core/src/lint/";

/// The doctor's sources, whose mutants the doctor's tests decide.
const DOCTOR_SRC: &str = "crates/sglab-core/src/doctor/";

/// The tests of the doctor's files: its diagnoses' goldens (unit tests), the diagnoses and fixes
/// against the engine, and the scenario corpus, the only test targets that call the doctor.
pub const DOCTOR_TESTS: &[&str] = &[
    "--lib",
    "--test=corpus",
    "--test=doctor",
    "--test=doctor_fixes",
    "--test=mutants_doctor*",
];

/// The tests of the lint's files: its unit tests (without the property tests against its own
/// reference, which `.cargo/mutants.toml` skips), `tests/lint.rs` and the scenario corpus (its
/// expected findings), the only test targets that call the lint.
pub const LINT_TESTS: &[&str] = &[
    "--lib",
    "--test=corpus",
    "--test=lint",
    "--test=mutants_lint*",
];

/// The matrix's sources, whose mutants the matrix's tests decide.
const MATRIX_SRC: &str = "crates/sglab-core/src/matrix/";

/// The tests of the matrix's files: its unit tests (the CSV rows and words, the caches, the
/// sweeps), the matrix against port sets and the brute-force reference, the group matrix
/// against a pairwise count, and the matrix after edits against a fresh build (the app's
/// recompute, `matrix/incremental.rs`). Left out: the diff's tests, which reach the matrix
/// through the diff (the diff's files run them, [`DIFF_TESTS`]).
pub const MATRIX_TESTS: &[&str] = &[
    "--lib",
    "--test=engine_matrix",
    "--test=group_matrix",
    "--test=matrix_after_edit",
];

/// The matrix's files that build the diff's parts of the matrices (`subset.rs`, and the
/// seeding of a build from an earlier one in `cache.rs`, which the diff's second side and the
/// app's recompute after an edit share): the matrix's tests and the diff's decide them.
const MATRIX_FOR_DIFF: &[&str] = &[
    "crates/sglab-core/src/matrix/subset.rs",
    "crates/sglab-core/src/matrix/cache.rs",
];

/// The diff's sources, whose mutants the diff's tests decide.
const DIFF_SRC: &str = "crates/sglab-core/src/diff/";

/// The tests of the diff's files: its unit tests (the decisions against `explain`, the parts of
/// the matrix), `tests/diff.rs` (the diff against the two matrices and the brute-force
/// reference on random topologies, and the diff corpus) and the tests written for survivors
/// (`tests/mutants_diff.rs`), the only test targets that call the diff.
pub const DIFF_TESTS: &[&str] = &["--lib", "--test=diff", "--test=mutants_diff*"];

/// The tests of any other file of the engine: its unit tests, the brute-force reference, the
/// explanations, the matrix against the reference, the corpus, the gateway, the doctor and its
/// fixes, and the tests written for survivors. Left out: the importers, exporters and format
/// round trips (the engine's answers do not flow through them), the lint (its own selection)
/// and the diff (measured with the matrix).
pub const ENGINE_TESTS: &[&str] = &[
    "--lib",
    "--test=corpus",
    "--test=engine_reference",
    "--test=engine_explain",
    "--test=engine_matrix",
    "--test=gateway_authorization",
    "--test=group_matrix",
    "--test=doctor",
    "--test=doctor_fixes",
    "--test=mutants_*",
];

/// The files mutated when none is named: the modules measured in docs/testing.md.
pub const DEFAULT_FILES: &[&str] = &["portset.rs", "eval/*.rs", "doctor/*.rs", "lint/**/*.rs"];

/// The major version of cargo-mutants the configuration is written for.
const MAJOR_VERSION: &str = "cargo-mutants 27.";

/// `cargo xtask mutants [FILE...] [-- ARGS...]`.
pub fn mutants(args: &[String]) -> Result<(), String> {
    let arguments = mutants_arguments(args)?;
    ensure_cargo_mutants()?;
    let mut command = Command::new("cargo");
    command.args(&arguments);
    if let (Some(dir), Ok(cwd)) = (
        std::env::var_os("CARGO_TARGET_DIR"),
        std::env::current_dir(),
    ) {
        let dir = shared_target_dir(Path::new(&dir), &cwd);
        done(&format!("CARGO_TARGET_DIR={}", dir.display()));
        command.env("CARGO_TARGET_DIR", dir);
    }
    // A mutant the property tests catch fails at its first failing case: shrinking that case
    // to a smaller one (tens of seconds) tells nothing more here.
    command.env("PROPTEST_MAX_SHRINK_ITERS", "0");
    step("mutation testing of sglab-core (report in mutants.out/)");
    done(&format!("$ {}", describe_command(&command)));
    run(&mut command)
}

/// `CARGO_TARGET_DIR` as cargo-mutants should see it: cargo-mutants builds in a copy of the
/// tree in a temporary directory, where a relative directory would name a new, empty one in
/// each run; made absolute from `cwd`, the dependencies built by one run serve the next.
pub fn shared_target_dir(dir: &Path, cwd: &Path) -> PathBuf {
    if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        cwd.join(dir)
    }
}

/// The arguments of `cargo` for the files and pass-through arguments of `args`.
pub fn mutants_arguments(args: &[String]) -> Result<Vec<String>, String> {
    let (files, extra) = match args.iter().position(|arg| arg == "--") {
        Some(at) => (&args[..at], &args[at + 1..]),
        None => (args, &args[args.len()..]),
    };
    let mut arguments: Vec<String> = vec!["mutants".into(), "-p".into(), "sglab-core".into()];
    let defaults: Vec<String> = DEFAULT_FILES.iter().map(|file| file.to_string()).collect();
    let files = if files.is_empty() {
        &defaults[..]
    } else {
        files
    };
    let mut tests: Vec<&str> = Vec::new();
    for file in files {
        if file.starts_with('-') {
            return Err(format!(
                "{file:?}: options for cargo-mutants go after `--` (cargo xtask mutants FILE... -- {file})"
            ));
        }
        let path = core_path(file)?;
        for test in selection(&path) {
            if !tests.contains(&test) {
                tests.push(test);
            }
        }
        arguments.push("-f".into());
        arguments.push(path);
    }
    arguments.extend(tests.iter().map(|test| format!("--cargo-arg={test}")));
    arguments.extend(extra.iter().cloned());
    Ok(arguments)
}

/// The test targets that decide the mutants of `path` (from the project root): the doctor's,
/// the lint's, the matrix's or the diff's own tests for their files, the engine's wider
/// selection for any other file, and all five for a glob over the engine's top directory
/// (`*.rs`, `**/*.rs`).
///
/// cargo-mutants passes them to the build (`cargo test --no-run`) as well as to the test run,
/// so only these test binaries are linked per mutant.
pub fn selection(path: &str) -> Vec<&'static str> {
    let module = path.strip_prefix(CORE_SRC).unwrap_or(path);
    if module.starts_with('*') {
        let mut all = ENGINE_TESTS.to_vec();
        for test in LINT_TESTS
            .iter()
            .chain(DOCTOR_TESTS)
            .chain(MATRIX_TESTS)
            .chain(DIFF_TESTS)
        {
            if !all.contains(test) {
                all.push(test);
            }
        }
        return all;
    }
    if path.starts_with(DOCTOR_SRC) {
        DOCTOR_TESTS.to_vec()
    } else if MATRIX_FOR_DIFF.contains(&path) {
        let mut both = MATRIX_TESTS.to_vec();
        both.extend(
            DIFF_TESTS
                .iter()
                .filter(|test| !MATRIX_TESTS.contains(test)),
        );
        both
    } else if path.starts_with(DIFF_SRC) {
        DIFF_TESTS.to_vec()
    } else if path.starts_with(MATRIX_SRC) {
        MATRIX_TESTS.to_vec()
    } else if path.starts_with(LINT_SRC) {
        LINT_TESTS.to_vec()
    } else {
        ENGINE_TESTS.to_vec()
    }
}

/// `file` as a path from the project root inside the engine's sources.
fn core_path(file: &str) -> Result<String, String> {
    let path = file.strip_prefix("./").unwrap_or(file);
    let path = if path.starts_with(CORE_SRC) {
        path.to_owned()
    } else if path.starts_with("crates/") || path.starts_with("src/") || path.starts_with('/') {
        return Err(format!(
            "{file:?} is not in {CORE_SRC}: mutation testing covers the engine only"
        ));
    } else {
        format!("{CORE_SRC}{path}")
    };
    if path.contains("..") {
        return Err(format!("{file:?}: name a file inside {CORE_SRC}"));
    }
    Ok(path)
}

/// Installs cargo-mutants with cargo when it is missing.
fn ensure_cargo_mutants() -> Result<(), String> {
    step("cargo-mutants");
    if let Ok(version) = output(Command::new("cargo").args(["mutants", "--version"])) {
        let version = version.trim();
        if version.starts_with(MAJOR_VERSION) {
            done(&format!("already installed: {version}"));
        } else {
            done(&format!(
                "installed: {version}; .cargo/mutants.toml was written for {MAJOR_VERSION}x"
            ));
        }
        return Ok(());
    }
    done("not found, installing with cargo (a few minutes)");
    run(Command::new("cargo").args(["install", "--locked", "cargo-mutants"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|word| word.to_string()).collect()
    }

    #[test]
    fn files_are_named_from_the_engine_sources() {
        let arguments = mutants_arguments(&strings(&[
            "portset.rs",
            "crates/sglab-core/src/eval/*.rs",
            "./doctor/mod.rs",
        ]))
        .unwrap_or_default();
        let files: Vec<&String> = arguments
            .windows(2)
            .filter(|pair| pair[0] == "-f")
            .map(|pair| &pair[1])
            .collect();
        assert_eq!(
            &arguments[..3],
            &strings(&["mutants", "-p", "sglab-core"])[..]
        );
        assert_eq!(
            files,
            [
                "crates/sglab-core/src/portset.rs",
                "crates/sglab-core/src/eval/*.rs",
                "crates/sglab-core/src/doctor/mod.rs",
            ]
        );
    }

    #[test]
    fn without_files_the_measured_modules_run() {
        let arguments = mutants_arguments(&[]).unwrap_or_default();
        let files: Vec<&String> = arguments
            .windows(2)
            .filter(|pair| pair[0] == "-f")
            .map(|pair| &pair[1])
            .collect();
        assert_eq!(files.len(), DEFAULT_FILES.len());
        assert!(files.iter().all(|file| file.starts_with(CORE_SRC)));
    }

    fn selected(arguments: &[String]) -> Vec<&str> {
        arguments
            .iter()
            .filter_map(|word| word.strip_prefix("--cargo-arg="))
            .collect()
    }

    #[test]
    fn each_module_runs_the_tests_that_reach_it() {
        let lint = mutants_arguments(&strings(&["lint/shadow.rs", "lint/space/*.rs"]));
        assert_eq!(selected(&lint.unwrap_or_default()), LINT_TESTS);
        let doctor = mutants_arguments(&strings(&["doctor/*.rs"]));
        assert_eq!(selected(&doctor.unwrap_or_default()), DOCTOR_TESTS);
        let engine = mutants_arguments(&strings(&["portset.rs", "eval/route.rs"]));
        assert_eq!(selected(&engine.unwrap_or_default()), ENGINE_TESTS);
        let matrix = mutants_arguments(&strings(&["matrix/incremental.rs", "matrix/csv.rs"]));
        assert_eq!(selected(&matrix.unwrap_or_default()), MATRIX_TESTS);
        let diff = mutants_arguments(&strings(&["diff/pairs.rs", "diff/summary.rs"]));
        assert_eq!(selected(&diff.unwrap_or_default()), DIFF_TESTS);
        let parts = mutants_arguments(&strings(&["matrix/subset.rs"]));
        let parts = parts.unwrap_or_default();
        let parts = selected(&parts);
        for test in MATRIX_TESTS.iter().chain(DIFF_TESTS) {
            assert_eq!(parts.iter().filter(|t| *t == test).count(), 1, "{test}");
        }
    }

    #[test]
    fn several_modules_run_the_union_of_their_tests_once() {
        let arguments = mutants_arguments(&strings(&["doctor/mod.rs", "lint/mod.rs"]));
        let arguments = arguments.unwrap_or_default();
        let tests = selected(&arguments);
        for test in DOCTOR_TESTS.iter().chain(LINT_TESTS) {
            assert_eq!(tests.iter().filter(|t| *t == test).count(), 1, "{test}");
        }
        let everything = mutants_arguments(&strings(&["**/*.rs"]));
        let everything = everything.unwrap_or_default();
        let tests = selected(&everything);
        for test in ENGINE_TESTS
            .iter()
            .chain(LINT_TESTS)
            .chain(DOCTOR_TESTS)
            .chain(MATRIX_TESTS)
            .chain(DIFF_TESTS)
        {
            assert!(tests.contains(test), "{test} not in {tests:?}");
        }
    }

    #[test]
    fn a_relative_target_dir_is_made_absolute_for_the_copy() {
        let cwd = Path::new("/work/sglab");
        assert_eq!(
            shared_target_dir(Path::new("target/mutants-shared"), cwd),
            Path::new("/work/sglab/target/mutants-shared")
        );
        assert_eq!(
            shared_target_dir(Path::new("/tmp/shared"), cwd),
            Path::new("/tmp/shared")
        );
    }

    #[test]
    fn arguments_after_the_separator_pass_through() {
        let arguments = mutants_arguments(&strings(&["portset.rs", "--", "--re", "intersect"]));
        let arguments = arguments.unwrap_or_default();
        assert_eq!(
            arguments[arguments.len() - 2..].to_vec(),
            strings(&["--re", "intersect"])
        );
    }

    #[test]
    fn files_outside_the_engine_and_stray_options_are_refused() {
        for args in [
            &["src/app/mod.rs"][..],
            &["crates/sglab-cli/src/main.rs"],
            &["/etc/passwd"],
            &["../portset.rs"],
            &["--re", "x"],
        ] {
            assert!(mutants_arguments(&strings(args)).is_err(), "{args:?}");
        }
    }
}
