//! The mean CPU time of the full matrix, of `matrix_after_edit` and of
//! `group_matrix_after_edit` on every shape of the generator's zoo, over many runs, so that
//! figures of a few milliseconds are not rounded to the scheduler's tick; also a loop of one of
//! them alone, to profile it.
//!
//! ```text
//! cargo run --profile bench -p sglab-core --example edit_cost -- [--size interactive|scale]
//!     [--shapes roles,free-combos,...] [--seconds 2] [--only matrix|edit|group-edit]
//! ```
//!
//! Each figure is the thread's CPU time (`/proc/thread-self/schedstat`) over as many runs as
//! fit in `--seconds` of it (at least 3), divided by the runs. The edit is the one of the
//! `shapes` example: the priority of the first rule of the first group with rules.

use std::fs;
use std::process::ExitCode;

use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::matrix::{group_matrix_after_edit, group_matrix_of, matrix, matrix_after_edit};
use sglab_core::model::{Priority, Topology};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("edit_cost: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut size = (500, 50, 10_000);
    let mut shapes: Vec<Shape> = Shape::ZOO.to_vec();
    let mut seconds = 2.0;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--size" => {
                size = match value.as_str() {
                    "interactive" => (500, 50, 10_000),
                    "scale" => (5_000, 500, 50_000),
                    _ => return Err(format!("unknown size {value}")),
                }
            }
            "--shapes" => {
                shapes = value
                    .split(',')
                    .map(|name| Shape::parse(name).ok_or(format!("unknown shape {name}")))
                    .collect::<Result<_, _>>()?
            }
            "--seconds" => seconds = value.parse().map_err(|_| format!("bad seconds {value}"))?,
            "--only" => only = Some(value),
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    eprintln!(
        "{:<13} {:>8} {:>12} {:>12} {:>12}",
        "shape", "classes", "matrix ms", "edit ms", "g.edit ms"
    );
    for shape in shapes {
        let (endpoints, groups, rules) = size;
        let topology = generate(1, &GenParams::of_shape(shape, endpoints, groups, rules));
        let built = matrix(&topology);
        let edited = edit(&topology);
        let after = matrix_after_edit(&topology, &built, &edited);
        let groups_built = group_matrix_of(&topology, &built);
        let wanted = |name: &str| only.as_deref().is_none_or(|only| only == name);
        let matrix_ms = if wanted("matrix") {
            mean_cpu_millis(seconds, || {
                std::hint::black_box(matrix(std::hint::black_box(&topology)));
            })
        } else {
            f64::NAN
        };
        let edit_ms = if wanted("edit") {
            mean_cpu_millis(seconds, || {
                std::hint::black_box(matrix_after_edit(&topology, &built, &edited));
            })
        } else {
            f64::NAN
        };
        let group_edit_ms = if wanted("group-edit") {
            mean_cpu_millis(seconds, || {
                std::hint::black_box(group_matrix_after_edit(
                    &topology,
                    &built,
                    &groups_built,
                    &edited,
                    &after,
                ));
            })
        } else {
            f64::NAN
        };
        eprintln!(
            "{:<13} {:>8} {matrix_ms:>12.2} {edit_ms:>12.2} {group_edit_ms:>12.2}",
            shape.as_str(),
            built.class_count(),
        );
    }
    Ok(())
}

/// The edit of the `shapes` example.
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

/// The CPU time this thread has run, in milliseconds; 0 where unavailable.
fn thread_cpu_millis() -> f64 {
    fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|stat| stat.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |nanos| nanos / 1e6)
}

/// The mean CPU time of `work` over as many runs as fit in `seconds` of CPU time (at least 3).
fn mean_cpu_millis(seconds: f64, mut work: impl FnMut()) -> f64 {
    let started = thread_cpu_millis();
    let mut runs = 0u32;
    while runs < 3 || thread_cpu_millis() - started < seconds * 1e3 {
        work();
        runs += 1;
    }
    (thread_cpu_millis() - started) / f64::from(runs)
}
