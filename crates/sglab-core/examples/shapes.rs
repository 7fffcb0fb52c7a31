//! The engine's figures on every shape of the generator's zoo, at every size: classes, the full
//! matrix, the group matrix, the matrix and group matrix after a rule edit, the lint, and the
//! peak resident memory of each, natively, in one run.
//!
//! ```text
//! cargo run --profile bench -p sglab-core --example shapes -- [--sizes interactive,scale,account]
//!     [--shapes roles,free-combos,...] [--out FILE.json] [--no-lint] [--matrix-only]
//! ```
//!
//! Sizes: `interactive` (500 endpoints / 50 groups / 10,000 rules), `scale` (5,000 / 500 /
//! 50,000) and `account` (20,000 / 2,000 / 200,000). Each figure is the median of up to 5 runs
//! within a 3-second budget (one run for anything slower), as wall time and as the thread's CPU
//! time (which varies less on a shared machine). `--matrix-only` builds the matrix
//! once per topology and times nothing else (for the account size). Peak memory is the process's
//! `VmHWM`, reset before each topology (`/proc/self/clear_refs`), so it covers the topology,
//! its matrix and everything computed from it. The table goes to stderr, the figures as JSON to
//! `--out` (default `target/bench/shapes.json`).

use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::lint::lint;
use sglab_core::matrix::{group_matrix_after_edit, group_matrix_of, matrix, matrix_after_edit};
use sglab_core::model::{Priority, Topology};
use sglab_core::validate::Limits;

const BUDGET_SECONDS: f64 = 3.0;
const MAX_RUNS: usize = 5;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shapes: {message}");
            ExitCode::FAILURE
        }
    }
}

fn size(name: &str) -> Option<(usize, usize, usize)> {
    match name {
        "interactive" => Some((500, 50, 10_000)),
        "scale" => Some((5_000, 500, 50_000)),
        "account" => Some((20_000, 2_000, 200_000)),
        _ => None,
    }
}

fn run() -> Result<(), String> {
    let mut sizes = vec!["interactive".to_owned(), "scale".to_owned()];
    let mut shapes: Vec<Shape> = Shape::ZOO.to_vec();
    let mut out = PathBuf::from("target/bench/shapes.json");
    let mut with_lint = true;
    let mut matrix_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--no-lint" {
            with_lint = false;
            continue;
        }
        if arg == "--matrix-only" {
            matrix_only = true;
            continue;
        }
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--sizes" => sizes = value.split(',').map(str::to_owned).collect(),
            "--shapes" => {
                shapes = value
                    .split(',')
                    .map(|name| Shape::parse(name).ok_or(format!("unknown shape {name}")))
                    .collect::<Result<_, _>>()?
            }
            "--out" => out = PathBuf::from(value),
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    eprintln!(
        "{:<12} {:<13} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "size",
        "shape",
        "classes",
        "matrix ms",
        "group ms",
        "edit ms",
        "g.edit ms",
        "lint ms",
        "sets",
        "peak MB"
    );
    eprintln!("(then the CPU time of the thread, median: matrix / group / edit / g.edit ms)");
    let mut rows = Vec::new();
    for size_name in &sizes {
        let (endpoints, groups, rules) =
            size(size_name).ok_or(format!("unknown size {size_name}"))?;
        for shape in &shapes {
            reset_peak();
            let topology = generate(1, &GenParams::of_shape(*shape, endpoints, groups, rules));
            let started = Instant::now();
            let cpu_started = thread_cpu_millis();
            let built = matrix(&topology);
            if matrix_only {
                let matrix_ms = started.elapsed().as_secs_f64() * 1e3;
                let matrix_cpu = thread_cpu_millis() - cpu_started;
                let peak = peak_mib();
                eprintln!(
                    "{size_name:<12} {:<13} {:>8} {matrix_ms:>10.1} {:>10} {:>10} {:>10} {:>10} {:>10} {peak:>8.0}   cpu {matrix_cpu:.1}",
                    shape.as_str(),
                    built.class_count(),
                    "-", "-", "-", "-",
                    built.port_set_count(),
                );
                rows.push(serde_json::json!({
                    "size": size_name,
                    "shape": shape.as_str(),
                    "endpoints": topology.endpoints.len(),
                    "groups": topology.groups.len(),
                    "rules": rules,
                    "classes": built.class_count(),
                    "port_sets": built.port_set_count(),
                    "matrix_ms": matrix_ms,
                    "matrix_cpu_ms": matrix_cpu,
                    "matrix_runs": 1,
                    "peak_mib": peak,
                }));
                continue;
            }
            let (matrix_ms, matrix_cpu) = median_millis(|| {
                std::hint::black_box(matrix(std::hint::black_box(&topology)));
            });
            let groups_built = group_matrix_of(&topology, &built);
            let (group_ms, group_cpu) = median_millis(|| {
                std::hint::black_box(group_matrix_of(&topology, &built));
            });
            let edited = edit(&topology);
            let after = matrix_after_edit(&topology, &built, &edited);
            let (edit_ms, edit_cpu) = median_millis(|| {
                std::hint::black_box(matrix_after_edit(&topology, &built, &edited));
            });
            let (group_edit_ms, group_edit_cpu) = median_millis(|| {
                std::hint::black_box(group_matrix_after_edit(
                    &topology,
                    &built,
                    &groups_built,
                    &edited,
                    &after,
                ));
            });
            let lint_ms = if with_lint {
                median_millis(|| {
                    std::hint::black_box(lint(&topology, &Limits::default()));
                })
                .0
            } else {
                f64::NAN
            };
            let peak = peak_mib();
            eprintln!(
                "{size_name:<12} {:<13} {:>8} {matrix_ms:>10.1} {group_ms:>10.1} {edit_ms:>10.1} {group_edit_ms:>10.1} {lint_ms:>10.1} {:>10} {peak:>8.0}   cpu {matrix_cpu:.1} / {group_cpu:.1} / {edit_cpu:.1} / {group_edit_cpu:.1}",
                shape.as_str(),
                built.class_count(),
                built.port_set_count(),
            );
            rows.push(serde_json::json!({
                "size": size_name,
                "shape": shape.as_str(),
                "endpoints": topology.endpoints.len(),
                "groups": topology.groups.len(),
                "rules": rules,
                "classes": built.class_count(),
                "port_sets": built.port_set_count(),
                "matrix_ms": matrix_ms,
                "group_matrix_ms": group_ms,
                "matrix_after_edit_ms": edit_ms,
                "group_matrix_after_edit_ms": group_edit_ms,
                "matrix_cpu_ms": matrix_cpu,
                "group_matrix_cpu_ms": group_cpu,
                "matrix_after_edit_cpu_ms": edit_cpu,
                "group_matrix_after_edit_cpu_ms": group_edit_cpu,
                "lint_ms": lint_ms,
                "peak_mib": peak,
            }));
        }
    }
    if let Some(parent) = out.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let text = serde_json::to_string_pretty(&serde_json::json!({ "shapes": rows }))
        .map_err(|e| e.to_string())?;
    fs::write(&out, text + "\n").map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// The edit the app benchmark makes: the priority of the first rule of the first group with
/// rules.
fn edit(topology: &Topology) -> Topology {
    let mut edited = topology.clone();
    if let Some(rule) = edited
        .groups
        .values_mut()
        .find_map(|group| group.rules.first_mut())
    {
        let priority = u32::from(rule.priority.get()) % 100 + 1;
        rule.priority = Priority::new(priority).unwrap_or(Priority::HIGHEST);
    }
    edited
}

fn reset_peak() {
    // Linux: writing 5 resets the peak resident set size (VmHWM) to the current one.
    let _ = fs::write("/proc/self/clear_refs", "5");
}

fn peak_mib() -> f64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// The CPU time this thread has run, in milliseconds (`/proc/thread-self/schedstat`, in
/// nanoseconds); 0 where unavailable.
fn thread_cpu_millis() -> f64 {
    fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|stat| stat.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |nanos| nanos / 1e6)
}

/// The median wall time and the median CPU time of `work` in milliseconds: one run, then more
/// while the budget lasts. On a shared machine the CPU time varies less than the wall time.
fn median_millis(mut work: impl FnMut()) -> (f64, f64) {
    let started = Instant::now();
    let mut times = Vec::new();
    let mut cpu_times = Vec::new();
    while times.len() < MAX_RUNS
        && (times.is_empty() || started.elapsed().as_secs_f64() < BUDGET_SECONDS)
    {
        let run = Instant::now();
        let cpu = thread_cpu_millis();
        work();
        times.push(run.elapsed().as_secs_f64() * 1e3);
        cpu_times.push(thread_cpu_millis() - cpu);
    }
    times.sort_by(f64::total_cmp);
    cpu_times.sort_by(f64::total_cmp);
    (times[times.len() / 2], cpu_times[cpu_times.len() / 2])
}
