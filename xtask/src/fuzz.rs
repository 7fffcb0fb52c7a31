//! `cargo xtask fuzz [TARGET] [--time S]`: coverage-guided fuzzing of every input with
//! cargo-fuzz (libFuzzer) on the nightly toolchain, and the smoke run of the `fuzz` test layer.
//!
//! The targets live in `fuzz/` (its own workspace, built by nightly only); each runs over its
//! working corpus `fuzz/corpus/<target>` (ignored by git), seeded from `fuzz/seeds/<target>`,
//! with a time limit per input and a memory limit. Crashes land in `fuzz/artifacts/<target>`
//! (cargo-fuzz's place for them).

use std::process::Command;

use crate::{describe_command, done, output, run, step};

/// Every fuzz target, in the order they run.
pub const TARGETS: &[&str] = &[
    "sglab_json",
    "aliyun",
    "share_link",
    "autosave",
    "terraform_plan",
    "terraform_tf",
    "engine",
    "edit",
    "diff",
];

/// libFuzzer's limit on one input, in seconds: a slower input is a hang, reported as a crash.
const TIMEOUT_SECONDS: u32 = 10;
/// libFuzzer's memory limit, in MB: more is reported as a crash.
const RSS_LIMIT_MB: u32 = 2048;
/// The default length of `cargo xtask fuzz`, in seconds per target.
const DEFAULT_SECONDS: u64 = 60;
/// The smoke run of each target in `cargo xtask test`, in seconds.
const SMOKE_SECONDS: u64 = 4;

/// `cargo xtask fuzz [TARGET] [--time S]`: every target (or one) for S seconds each.
pub fn fuzz(args: &[String]) -> Result<(), String> {
    let mut targets: Vec<&str> = Vec::new();
    let mut seconds = DEFAULT_SECONDS;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--time" {
            let value = args.next().ok_or("--time needs a number of seconds")?;
            seconds = value
                .parse()
                .map_err(|_| format!("--time {value:?}: not a number of seconds"))?;
        } else if let Some(target) = TARGETS.iter().find(|target| *target == arg) {
            targets.push(target);
        } else {
            return Err(format!(
                "unknown fuzz target {arg:?}; the targets are {}",
                TARGETS.join(", ")
            ));
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    run_targets(&targets, seconds)
}

/// The `fuzz` test layer: each target for a few seconds.
pub fn smoke() -> Result<(), String> {
    run_targets(TARGETS, SMOKE_SECONDS)
}

/// Installs the tools, builds every target once, then runs each in turn.
fn run_targets(targets: &[&str], seconds: u64) -> Result<(), String> {
    ensure_nightly()?;
    ensure_cargo_fuzz()?;
    step("fuzz/Cargo.lock is complete (a build from a clean clone changes nothing)");
    output(Command::new("cargo").args([
        "+nightly",
        "metadata",
        "--locked",
        "--format-version",
        "1",
        "--manifest-path",
        "fuzz/Cargo.toml",
    ]))
    .map_err(|error| {
        format!("{error}: fuzz/Cargo.lock misses entries; build the targets once and commit it")
    })?;
    done("yes");
    step("build the fuzz targets (nightly, release with debug assertions, no sanitizer)");
    shown(&mut cargo_fuzz("build"))?;
    for target in targets {
        step(&format!("fuzz {target} for {seconds} s"));
        let corpus = format!("fuzz/corpus/{target}");
        let artifacts = format!("fuzz/artifacts/{target}/");
        for dir in [&corpus, &artifacts] {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {dir}: {e}"))?;
        }
        shown(cargo_fuzz("run").args([
            target.to_string(),
            corpus,
            format!("fuzz/seeds/{target}"),
            "--".to_owned(),
            format!("-max_total_time={seconds}"),
            format!("-timeout={TIMEOUT_SECONDS}"),
            format!("-rss_limit_mb={RSS_LIMIT_MB}"),
            "-print_final_stats=1".to_owned(),
        ]))?;
    }
    Ok(())
}

/// Prints the command, then runs it.
fn shown(command: &mut Command) -> Result<(), String> {
    done(&format!("$ {}", describe_command(command)));
    run(command)
}

/// `cargo +nightly fuzz <command>` with the project's options: no sanitizer (the core forbids
/// `unsafe`, and libFuzzer alone runs about twice as many inputs) and debug assertions, so that
/// arithmetic overflow panics.
fn cargo_fuzz(command: &str) -> Command {
    let mut cargo = Command::new("cargo");
    cargo.args([
        "+nightly",
        "fuzz",
        command,
        "--sanitizer",
        "none",
        "--debug-assertions",
    ]);
    cargo
}

fn ensure_nightly() -> Result<(), String> {
    step("rust toolchain nightly (for cargo-fuzz)");
    let installed = output(Command::new("rustup").args(["toolchain", "list"]))?;
    if installed.lines().any(|line| line.starts_with("nightly")) {
        done("already installed");
        return Ok(());
    }
    run(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    step("cargo-fuzz");
    if let Ok(version) = output(Command::new("cargo-fuzz").arg("--version")) {
        done(&format!("already installed: {}", version.trim()));
        return Ok(());
    }
    done("not found, installing with cargo (a few minutes)");
    run(Command::new("cargo").args(["install", "--locked", "cargo-fuzz"]))
}
