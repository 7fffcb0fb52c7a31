//! Writes the benchmark topologies as sglab JSON and times the engine's matrix on them natively,
//! for the WebAssembly comparison of `cargo xtask bench` (`tests/e2e/bench.mjs` loads the same
//! files into the app in Chromium and times the same calls there).
//!
//! ```text
//! cargo run --profile bench -p sglab-core --example bench_fixtures -- [--out DIR] [--write-only] [FILE.json ...]
//! ```
//!
//! With `--write-only` it writes the files and `native.json` without timing anything (the
//! timings are `null`), for the browser benchmark alone.
//!
//! Writes `DIR/interactive.json` (`generate(1, &GenParams::interactive())`), `DIR/scale.json`
//! (`GenParams::scale()`), `DIR/<shape>-500.json` for every other shape of the generator's zoo
//! (`GenParams::of_shape(shape, 500, 50, 10_000)`), `DIR/free-combos-5000.json` (the worst shape at
//! 5,000 / 500 / 50,000), reads any further sglab files given, and times on each, through the
//! parsed file (so native and WASM see the very same topology): the median of
//! `matrix::matrix` and of `matrix::group_matrix_of` over several runs. Writes the figures to
//! `DIR/native.json` and prints a table on stderr. `DIR` defaults to `target/bench`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use sglab_core::format::to_sglab_json;
use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::load::parse_sglab;
use sglab_core::matrix::{group_matrix_of, matrix};
use sglab_core::model::Topology;

/// Runs for at least this long per measurement, and at least [`MIN_RUNS`] times.
const BUDGET_SECONDS: f64 = 2.0;
const MIN_RUNS: usize = 3;
const MAX_RUNS: usize = 60;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench_fixtures: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut out = PathBuf::from("target/bench");
    let mut extra: Vec<PathBuf> = Vec::new();
    let mut timed = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--write-only" {
            timed = false;
        } else if arg == "--out" {
            out = PathBuf::from(args.next().ok_or("--out needs a directory")?);
        } else {
            extra.push(PathBuf::from(arg));
        }
    }
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut generated = vec![
        ("interactive".to_owned(), GenParams::interactive()),
        ("scale".to_owned(), GenParams::scale()),
    ];
    // Every other shape of the zoo at the interactive size (500 / 50 / 10,000).
    for shape in Shape::ZOO
        .into_iter()
        .filter(|shape| *shape != Shape::Roles)
    {
        generated.push((
            format!("{shape}-500"),
            GenParams::of_shape(shape, 500, 50, 10_000),
        ));
    }
    generated.push((
        "free-combos-5000".to_owned(),
        GenParams::of_shape(Shape::FreeCombos, 5_000, 500, 50_000),
    ));
    for (name, params) in generated {
        let path = out.join(format!("{name}.json"));
        fs::write(&path, to_sglab_json(&generate(1, &params)))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        files.push((name, path));
    }
    for path in extra {
        let name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| "extra".to_owned());
        files.push((name, path));
    }

    let mut rows = Vec::new();
    eprintln!(
        "{:<14} {:>9} {:>7} {:>7} {:>8} {:>9} {:>12} {:>16}",
        "topology",
        "endpoints",
        "groups",
        "rules",
        "classes",
        "port sets",
        "matrix ms",
        "group matrix ms"
    );
    for (name, path) in &files {
        let topology = load(path)?;
        let rules: usize = topology.groups.values().map(|g| g.rules.len()).sum();
        if !timed {
            rows.push(serde_json::json!({
                "name": name,
                "file": path.canonicalize().unwrap_or_else(|_| path.clone()),
                "endpoints": topology.endpoints.len(),
                "groups": topology.groups.len(),
                "rules": rules,
                "matrix_ms": null,
                "group_matrix_ms": null,
            }));
            continue;
        }
        let built = matrix(&topology);
        let (matrix_ms, matrix_runs) = median_millis(|| {
            std::hint::black_box(matrix(std::hint::black_box(&topology)));
        });
        let (group_ms, group_runs) = median_millis(|| {
            std::hint::black_box(group_matrix_of(&topology, &built));
        });
        eprintln!(
            "{name:<14} {:>9} {:>7} {rules:>7} {:>8} {:>9} {matrix_ms:>12.2} {group_ms:>16.2}",
            topology.endpoints.len(),
            topology.groups.len(),
            built.class_count(),
            built.port_set_count(),
        );
        rows.push(serde_json::json!({
            "name": name,
            "file": path.canonicalize().unwrap_or_else(|_| path.clone()),
            "endpoints": topology.endpoints.len(),
            "groups": topology.groups.len(),
            "rules": rules,
            "classes": built.class_count(),
            "port_sets": built.port_set_count(),
            "matrix_ms": matrix_ms,
            "matrix_runs": matrix_runs,
            "group_matrix_ms": group_ms,
            "group_matrix_runs": group_runs,
        }));
    }
    let summary = out.join("native.json");
    let text = serde_json::to_string_pretty(&serde_json::json!({ "fixtures": rows }))
        .map_err(|e| e.to_string())?;
    fs::write(&summary, text + "\n")
        .map_err(|e| format!("cannot write {}: {e}", summary.display()))?;
    eprintln!("wrote {}", summary.display());
    Ok(())
}

fn load(path: &Path) -> Result<Topology, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = path.display().to_string();
    parse_sglab(&text, Some(&name))
        .map(|parsed| parsed.topology)
        .map_err(|diagnostics| {
            let first: Vec<String> = diagnostics
                .iter()
                .take(3)
                .map(ToString::to_string)
                .collect();
            format!("{name} does not load: {}", first.join("; "))
        })
}

/// The median wall time of `work` in milliseconds, and how many runs it took: one warm-up
/// run, then runs until [`BUDGET_SECONDS`] have passed (between [`MIN_RUNS`] and
/// [`MAX_RUNS`]).
fn median_millis(mut work: impl FnMut()) -> (f64, usize) {
    work();
    let started = Instant::now();
    let mut times = Vec::new();
    while times.len() < MIN_RUNS
        || (times.len() < MAX_RUNS && started.elapsed().as_secs_f64() < BUDGET_SECONDS)
    {
        let run = Instant::now();
        work();
        times.push(run.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times.len())
}
