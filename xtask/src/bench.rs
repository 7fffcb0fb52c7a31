//! `cargo xtask bench`: the engine's benchmarks and examples natively, the CLI on an account-sized
//! aliyun export, then the same work in WebAssembly in Chromium. Figures land in `target/bench/`.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::{prepend_tool_paths, run, setup, step, Scope};

/// Where the benchmark writes its topologies and figures.
const BENCH_DIR: &str = "target/bench";

pub fn bench(root: &Path) -> Result<(), String> {
    prepend_tool_paths(root);
    step("engine benchmarks (criterion): cargo bench -p sglab-core --bench engine");
    run(Command::new("cargo").args(["bench", "-p", "sglab-core", "--bench", "engine"]))?;

    for (what, sizes, out) in [
        (
            "every shape of the generator at 500 and 5,000 endpoints",
            "interactive,scale",
            "shapes.json",
        ),
        (
            "every shape at 20,000 endpoints, matrix only",
            "account",
            "shapes-account.json",
        ),
    ] {
        step(&format!("{what}, natively: example shapes (bench profile)"));
        let out = format!("{BENCH_DIR}/{out}");
        let mut args = vec!["--sizes", sizes, "--out", &out];
        if sizes == "account" {
            args.push("--matrix-only");
        }
        run_example("shapes", &args)?;
    }
    step("the cost of the diff against one matrix, natively: example diff_cost (bench profile)");
    let out = format!("{BENCH_DIR}/diff_cost.json");
    run_example("diff_cost", &["--out", &out])?;

    // The same work in WebAssembly in Chromium, on the same topologies, in the same run.
    setup(root, Scope::Everything)?;
    fs::create_dir_all(root.join(BENCH_DIR))
        .map_err(|e| format!("cannot create {BENCH_DIR}: {e}"))?;
    let e2e_large = format!("{BENCH_DIR}/e2e-large.json");
    step("the large e2e topology as a file: node tests/e2e/fixtures.mjs");
    run(Command::new("node").args(["tests/e2e/fixtures.mjs", &e2e_large]))?;
    step("native figures on the same files: example bench_fixtures (bench profile)");
    run_example("bench_fixtures", &["--out", BENCH_DIR, &e2e_large])?;
    cli_summary(root)?;
    step("the app: trunk build --release");
    run(Command::new("trunk").args(["build", "--release", "--locked"]))?;
    step("WebAssembly in Chromium: node tests/e2e/bench.mjs");
    run(Command::new("node").args(["tests/e2e/bench.mjs", "--dir", BENCH_DIR]))
}

/// Runs an example of the core in the bench profile with `args`.
fn run_example(name: &str, args: &[&str]) -> Result<(), String> {
    run(Command::new("cargo")
        .args([
            "run",
            "--profile",
            "bench",
            "--locked",
            "-p",
            "sglab-core",
            "--example",
            name,
            "--",
        ])
        .args(args))
}

/// `sglab matrix --format summary` on the account-sized aliyun export of the e2e fixtures
/// (5,000 instances, 500 groups, 50,000 rules, free group combinations), parsing included: its
/// wall time and its peak resident memory (the child's `VmHWM`, read every 5 ms), written to
/// `target/bench/cli-summary.json`.
fn cli_summary(root: &Path) -> Result<(), String> {
    let dir = format!("{BENCH_DIR}/aliyun-5000");
    step(&format!(
        "an aliyun export of 5,000 / 500 / 50,000: node tests/e2e/fixtures.mjs --aliyun {dir}"
    ));
    run(Command::new("node").args(["tests/e2e/fixtures.mjs", "--aliyun", &dir]))?;
    step("the CLI: cargo build -p sglab-cli --profile cli");
    run(Command::new("cargo").args(["build", "--locked", "-p", "sglab-cli", "--profile", "cli"]))?;
    let mut files: Vec<String> = fs::read_dir(root.join(&dir))
        .map_err(|e| format!("cannot read {dir}: {e}"))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().to_string_lossy().into_owned())
        .filter(|path| path.ends_with(".json"))
        .collect();
    files.sort();
    step(&format!(
        "target/cli/sglab matrix {dir}/*.json --format summary"
    ));
    let started = Instant::now();
    let mut child = Command::new(root.join("target/cli/sglab"))
        .args(["matrix", "--format", "summary"])
        .args(&files)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run target/cli/sglab: {e}"))?;
    // The output is read as it comes, so that the child never waits on a full pipe.
    let mut stdout = child.stdout.take().ok_or("no output of target/cli/sglab")?;
    let reader = std::thread::spawn(move || {
        let mut output = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut output).map(|_| output)
    });
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib: u64 = 0;
    let status = loop {
        if let Ok(text) = fs::read_to_string(&status_file) {
            if let Some(kib) = text
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("cannot wait for target/cli/sglab: {e}")),
        }
    };
    let wall = started.elapsed().as_secs_f64();
    let output = reader
        .join()
        .map_err(|_| "the reader of target/cli/sglab's output failed".to_string())?
        .map_err(|e| format!("cannot read the output of target/cli/sglab: {e}"))?;
    if !status.success() {
        return Err(format!("target/cli/sglab matrix failed ({status})"));
    }
    eprint!("{output}");
    let peak_mib = peak_kib as f64 / 1024.0;
    eprintln!(
        "    wall {wall:.3} s, peak resident memory {peak_mib:.0} MiB (targets: 2 s, 500 MB)"
    );
    let escaped: String = output
        .chars()
        .map(|c| match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            c if u32::from(c) < 0x20 => format!("\\u{:04x}", u32::from(c)),
            c => c.to_string(),
        })
        .collect();
    let json = format!(
        "{{\"files\": {}, \"wall_s\": {wall:.3}, \"peak_mib\": {peak_mib:.1}, \"output\": \"{escaped}\"}}\n",
        files.len()
    );
    let out = format!("{BENCH_DIR}/cli-summary.json");
    fs::write(root.join(&out), json).map_err(|e| format!("cannot write {out}: {e}"))
}
