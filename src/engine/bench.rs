//! `window.sglab.benchMatrix`: how long the core's matrix and group matrix take on a topology,
//! timed with the caller's clock, in the engine's Web Worker (where the engine runs, and so that
//! the page's module links none of the group matrix).

use sglab_core::model::Topology;

/// How long the core's matrix takes on a topology, for `window.sglab.benchMatrix`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MatrixBench {
    /// Median milliseconds of `sglab_core::matrix::matrix`.
    pub matrix_ms: f64,
    /// Fastest run.
    pub matrix_min_ms: f64,
    /// Median milliseconds of `sglab_core::matrix::group_matrix_of` on that matrix.
    pub group_matrix_ms: f64,
    /// Runs of each, after one warm-up run.
    pub runs: usize,
    /// Endpoint classes of the matrix.
    pub classes: usize,
    /// Distinct port sets of the matrix.
    pub port_sets: usize,
}

/// Times the core's matrix and group matrix on `topology`: one warm-up run, then `runs` runs
/// of each, with the clock `now` (milliseconds).
pub fn bench_matrix(topology: &Topology, runs: usize, now: impl Fn() -> f64) -> MatrixBench {
    let runs = runs.max(1);
    let built = sglab_core::matrix::matrix(topology);
    let mut matrix_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = now();
        let again = sglab_core::matrix::matrix(std::hint::black_box(topology));
        matrix_times.push(now() - started);
        std::hint::black_box(again);
    }
    let _ = sglab_core::matrix::group_matrix_of(topology, &built);
    let mut group_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = now();
        let groups = sglab_core::matrix::group_matrix_of(std::hint::black_box(topology), &built);
        group_times.push(now() - started);
        std::hint::black_box(groups);
    }
    let median = |mut times: Vec<f64>| {
        sglab_core::sort::sort_by(&mut times, f64::total_cmp);
        times[times.len() / 2]
    };
    MatrixBench {
        matrix_min_ms: matrix_times.iter().copied().fold(f64::INFINITY, f64::min),
        matrix_ms: median(matrix_times),
        group_matrix_ms: median(group_times),
        runs,
        classes: built.class_count(),
        port_sets: built.port_set_count(),
    }
}
