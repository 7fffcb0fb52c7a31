//! `cargo xtask mutants [FILE...] [-- ARGS...]`: mutation testing of the engine with
//! cargo-mutants, using the project's configuration (`.cargo/mutants.toml`: the tests that kill
//! fastest, the timeout, the functions that are not logic).
//!
//! Each FILE is a source file of `crates/sglab-core/src`, given from the project root or from
//! that directory, and may be a glob (`eval/*.rs`); without files it runs the modules whose
//! scores docs/testing.md gives. ARGS go to cargo-mutants unchanged (`--re REGEX`, `--iterate`,
//! `--shard 1/4`). For the lint's files it adds the lint's tests (`tests/lint.rs`, about 50 s) to
//! the configuration's selection. The report lands in `mutants.out/` (ignored by git). It is not a layer of
//! `cargo xtask test`: at about 40 s a mutant on two cores, one module takes an hour or more.

use std::process::Command;

use crate::{describe_command, done, output, run, step};

/// The engine's sources, as cargo-mutants names them from the project root.
const CORE_SRC: &str = "crates/sglab-core/src/";

/// The lint's sources, whose mutants its own tests (`tests/lint.rs`) decide.
const LINT_SRC: &str = "crates/sglab-core/src/lint/";

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
    step("mutation testing of sglab-core (report in mutants.out/)");
    done(&format!("$ {}", describe_command(&command)));
    run(&mut command)
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
    let mut lint = false;
    for file in files {
        if file.starts_with('-') {
            return Err(format!(
                "{file:?}: options for cargo-mutants go after `--` (cargo xtask mutants FILE... -- {file})"
            ));
        }
        let path = core_path(file)?;
        lint |= path.starts_with(LINT_SRC) || path.starts_with(&format!("{CORE_SRC}*"));
        arguments.push("-f".into());
        arguments.push(path);
    }
    if lint {
        arguments.push("--cargo-arg=--test=lint".into());
    }
    arguments.extend(extra.iter().cloned());
    Ok(arguments)
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
        ]));
        assert_eq!(
            arguments,
            Ok(strings(&[
                "mutants",
                "-p",
                "sglab-core",
                "-f",
                "crates/sglab-core/src/portset.rs",
                "-f",
                "crates/sglab-core/src/eval/*.rs",
                "-f",
                "crates/sglab-core/src/doctor/mod.rs",
            ]))
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

    #[test]
    fn the_lint_s_files_add_the_lint_s_tests() {
        let with = mutants_arguments(&strings(&["lint/shadow.rs"])).unwrap_or_default();
        assert!(
            with.contains(&"--cargo-arg=--test=lint".to_owned()),
            "{with:?}"
        );
        let without = mutants_arguments(&strings(&["portset.rs"])).unwrap_or_default();
        assert!(
            !without.iter().any(|word| word.contains("lint")),
            "{without:?}"
        );
    }

    #[test]
    fn arguments_after_the_separator_pass_through() {
        let arguments = mutants_arguments(&strings(&["portset.rs", "--", "--re", "intersect"]));
        assert_eq!(
            arguments.map(|words| words[5..].to_vec()),
            Ok(strings(&["--re", "intersect"]))
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
