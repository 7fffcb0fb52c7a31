//! Benchmarks of the engine: one explained query, the full matrix at the interactive size
//! (500 endpoints, 50 groups, 10,000 rules) and at the scale size (5,000 / 500 / 50,000), the
//! group matrix, the app's recompute after a rule edit (matrix and group matrix derived from
//! the previous ones), and the engine against the brute-force reference on one smaller
//! topology.
//!
//! Run with `cargo bench -p sglab-core --bench engine` (or `cargo xtask bench`). Besides
//! criterion's report it prints, on stderr, the topology shapes (classes, distinct port sets),
//! the engine/reference ratio, and the peak resident memory (`VmHWM` of `/proc/self/status`).
//! `docs/performance.md` records the figures.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use sglab_core::eval::{explain, Party};
use sglab_core::generate::{generate, GenParams};
use sglab_core::matrix::{
    group_matrix, group_matrix_after_edit, group_matrix_of, matrix, matrix_after_edit, matrix_with,
};
use sglab_core::model::{Endpoint, Priority, Protocol, Topology};
use sglab_core::portset::port_set;
use sglab_core::reference::reference_matrix;

fn shape(label: &str, topology: &Topology) {
    let rules: usize = topology
        .groups
        .values()
        .map(|group| group.rules.len())
        .sum();
    let started = Instant::now();
    let built = matrix(topology);
    let elapsed = started.elapsed();
    eprintln!(
        "{label}: {} endpoints, {} groups, {rules} rules -> {} classes, {} distinct port sets; one matrix build {:.1} ms",
        topology.endpoints.len(),
        topology.groups.len(),
        built.class_count(),
        built.port_set_count(),
        elapsed.as_secs_f64() * 1e3,
    );
}

/// A demanding pair: two endpoints of one VPC, the target in the most groups (so that the most
/// rules are pooled).
fn pair(topology: &Topology) -> (Party, Party) {
    let in_vpc: Vec<&Endpoint> = topology
        .endpoints
        .values()
        .filter(|endpoint| endpoint.vpc.is_some() && !endpoint.enis.is_empty())
        .collect();
    let from = in_vpc.first().map(|endpoint| endpoint.id.clone());
    let to = in_vpc
        .iter()
        .filter(|endpoint| endpoint.vpc == in_vpc.first().and_then(|first| first.vpc.clone()))
        .filter(|endpoint| Some(&endpoint.id) != from.as_ref())
        .max_by_key(|endpoint| endpoint.enis[0].groups.len())
        .map(|endpoint| endpoint.id.clone());
    (
        Party::Endpoint(from.unwrap_or_else(|| "none".into())),
        Party::Endpoint(to.unwrap_or_else(|| "none".into())),
    )
}

fn queries(c: &mut Criterion) {
    let topology = generate(1, &GenParams::scale());
    let (from, to) = pair(&topology);
    let sample = explain(&topology, &from, &to, Protocol::Tcp, Some(443));
    eprintln!(
        "query {} -> {} tcp 443: {}, {} egress and {} ingress rules considered",
        sample.from,
        sample.to,
        sample.verdict,
        sample.egress.considered.len(),
        sample.ingress.considered.len()
    );
    c.bench_function("explain one query (5,000 / 500 / 50,000)", |b| {
        b.iter(|| explain(black_box(&topology), &from, &to, Protocol::Tcp, Some(443)))
    });
    c.bench_function("port set of one pair (5,000 / 500 / 50,000)", |b| {
        b.iter(|| port_set(black_box(&topology), &from, &to, Protocol::Tcp))
    });
}

fn matrices(c: &mut Criterion) {
    let interactive = generate(1, &GenParams::interactive());
    shape("interactive", &interactive);
    c.bench_function("matrix 500 / 50 / 10,000", |b| {
        b.iter(|| matrix(black_box(&interactive)))
    });
    let before = matrix(&interactive);
    c.bench_function("group matrix 500 / 50 / 10,000 (matrix built)", |b| {
        b.iter(|| group_matrix_of(black_box(&interactive), &before))
    });
    // The edit of `cargo xtask bench` in the app: the priority of the first rule of the first
    // group with rules.
    let mut edited = interactive.clone();
    if let Some(rule) = edited
        .groups
        .values_mut()
        .find_map(|group| group.rules.first_mut())
    {
        let priority = u32::from(rule.priority.get()) % 100 + 1;
        rule.priority = Priority::new(priority).unwrap_or(Priority::HIGHEST);
    }
    c.bench_function("matrix after a rule edit 500 / 50 / 10,000", |b| {
        b.iter(|| matrix_after_edit(black_box(&interactive), &before, &edited))
    });
    let after = matrix_after_edit(&interactive, &before, &edited);
    let groups_before = group_matrix_of(&interactive, &before);
    c.bench_function("group matrix after a rule edit 500 / 50 / 10,000", |b| {
        b.iter(|| {
            group_matrix_after_edit(
                black_box(&interactive),
                &before,
                &groups_before,
                &edited,
                &after,
            )
        })
    });
    let scale = generate(1, &GenParams::scale());
    shape("scale", &scale);
    c.bench_function("matrix 5,000 / 500 / 50,000", |b| {
        b.iter(|| matrix(black_box(&scale)))
    });
    c.bench_function("group matrix 5,000 / 500 / 50,000", |b| {
        b.iter(|| group_matrix(black_box(&scale)))
    });
}

/// The engine's matrix against the reference's on one topology, timed once for the reference
/// (it takes seconds) and averaged for the engine.
fn versus_reference() {
    let topology = generate(3, &GenParams::small(10, 4, 60));
    let protocols = [Protocol::Tcp, Protocol::Icmp];
    let started = Instant::now();
    let theirs = reference_matrix(&topology, &protocols);
    let reference_time = started.elapsed();
    let ours = matrix_with(&topology, &protocols);
    let runs = 1000u32;
    let started = Instant::now();
    for _ in 0..runs {
        black_box(matrix_with(black_box(&topology), &protocols));
    }
    let engine_time = started.elapsed() / runs;
    let identical = theirs.iter().all(|((from, to, protocol), expected)| {
        ours.cell(from, to, *protocol) == Some(expected.as_slice())
    });
    eprintln!(
        "engine vs reference (10 endpoints, 4 groups, 60 rules, tcp+icmp): reference {:.1} ms, engine {:.3} ms, ratio {:.0}x, identical answers: {identical}",
        reference_time.as_secs_f64() * 1e3,
        engine_time.as_secs_f64() * 1e3,
        reference_time.as_secs_f64() / engine_time.as_secs_f64().max(1e-12),
    );
}

/// Peak resident memory of the process so far, from `/proc/self/status`.
fn peak_memory() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find(|line| line.starts_with("VmHWM"))
        .unwrap_or("VmHWM: unknown");
    eprintln!(
        "peak resident memory of the bench process: {}",
        peak.trim_start_matches("VmHWM:").trim()
    );
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

fn main() {
    let mut criterion = config();
    queries(&mut criterion);
    matrices(&mut criterion);
    versus_reference();
    peak_memory();
    criterion.final_summary();
}
