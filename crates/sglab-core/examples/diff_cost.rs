//! The cost of `diff(old, new)` against one matrix of the same topology, on every shape of the
//! generator, at two sizes, for four kinds of change made through `edit::apply`, natively, in
//! one run.
//!
//! ```text
//! cargo run --profile bench -p sglab-core --example diff_cost -- [--sizes interactive,scale]
//!     [--shapes varied,roles,...] [--changes priority,internet,ten-edits,group-replaced]
//!     [--out FILE.json] [--repeat N]
//! ```
//!
//! `--repeat N` runs only the diffs, N times each, without timing them: a loop for a profiler.
//!
//! Sizes: `interactive` (500 endpoints / 50 groups / 10,000 rules) and `scale` (5,000 / 500 /
//! 50,000). Changes: one rule's priority changed (`priority`), one accept rule added open to
//! `0.0.0.0/0` (`internet`), ten random edits of rules and instances (`ten-edits`), and every
//! rule of one group replaced by another group's (`group-replaced`). The groups and rules are
//! drawn from a fixed seed among the writable groups with members.
//!
//! Each figure is the median of up to 25 runs within a 3-second budget (one run for anything
//! slower); the matrix (`matrix(old)`, the product's matrix with its default protocols) and the
//! diff are timed alternately, so that both see the same load. The table goes to stderr, the
//! figures as JSON to `--out` (default `target/bench/diff_cost.json`), with the worst ratio and
//! whether each row is within the target of 2.5 (`OVER` in the table when it is not).

use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use sglab_core::diff::diff;
use sglab_core::edit::{apply, writable_group, Edit, NewEndpoint};
use sglab_core::generate::{generate, GenParams, Rng, Shape};
use sglab_core::matrix::matrix;
use sglab_core::model::{
    Direction, GroupId, NicType, Peer, Policy, PortRange, PortSpec, Priority, Protocol, Rule,
    Topology,
};

const BUDGET_SECONDS: f64 = 3.0;
const MAX_RUNS: usize = 25;
/// The target: a diff costs at most this many matrices of the old topology.
const TARGET: f64 = 2.5;

/// The kinds of change measured.
const CHANGES: [&str; 4] = ["priority", "internet", "ten-edits", "group-replaced"];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("diff_cost: {message}");
            ExitCode::FAILURE
        }
    }
}

fn size(name: &str) -> Option<(usize, usize, usize)> {
    match name {
        "interactive" => Some((500, 50, 10_000)),
        "scale" => Some((5_000, 500, 50_000)),
        _ => None,
    }
}

fn run() -> Result<(), String> {
    let mut sizes = vec!["interactive".to_owned(), "scale".to_owned()];
    let mut shapes: Vec<Shape> = Shape::ALL.to_vec();
    let mut changes: Vec<String> = CHANGES.iter().map(|c| (*c).to_owned()).collect();
    let mut out = PathBuf::from("target/bench/diff_cost.json");
    let mut repeat: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--sizes" => sizes = value.split(',').map(str::to_owned).collect(),
            "--shapes" => {
                shapes = value
                    .split(',')
                    .map(|name| Shape::parse(name).ok_or(format!("unknown shape {name}")))
                    .collect::<Result<_, _>>()?
            }
            "--changes" => changes = value.split(',').map(str::to_owned).collect(),
            "--out" => out = PathBuf::from(value),
            "--repeat" => {
                repeat = Some(value.parse().map_err(|_| format!("bad --repeat {value}"))?)
            }
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    if let Some(unknown) = changes.iter().find(|c| !CHANGES.contains(&c.as_str())) {
        return Err(format!("unknown change {unknown}"));
    }
    eprintln!(
        "{:<12} {:<13} {:<15} {:>10} {:>10} {:>7} {:<16} {:>8} {:>8}",
        "size", "shape", "change", "matrix ms", "diff ms", "ratio", "verdict", "pairs+", "pairs-"
    );
    let mut rows = Vec::new();
    let mut worst: f64 = 0.0;
    for size_name in &sizes {
        let (endpoints, groups, rules) =
            size(size_name).ok_or(format!("unknown size {size_name}"))?;
        for shape in &shapes {
            let old = generate(1, &GenParams::of_shape(*shape, endpoints, groups, rules));
            for change in &changes {
                // Each change draws from its own seed, whichever changes are measured.
                let index = CHANGES
                    .iter()
                    .position(|known| known == change)
                    .unwrap_or(0);
                let mut rng = Rng(0x00D1_FFC0 + index as u64);
                let new = changed(&old, change, &mut rng);
                if let Some(times) = repeat {
                    for _ in 0..times {
                        std::hint::black_box(diff(std::hint::black_box(&old), &new));
                    }
                    continue;
                }
                let result = diff(&old, &new);
                let (matrix_ms, diff_ms) = alternate_medians(
                    || {
                        std::hint::black_box(matrix(std::hint::black_box(&old)));
                    },
                    || {
                        std::hint::black_box(diff(std::hint::black_box(&old), &new));
                    },
                );
                let ratio = diff_ms / matrix_ms;
                worst = worst.max(ratio);
                let verdict = if ratio <= TARGET { "ok" } else { "OVER" };
                eprintln!(
                    "{size_name:<12} {:<13} {change:<15} {matrix_ms:>10.1} {diff_ms:>10.1} {ratio:>7.2} {:<16} {:>8} {:>8} {verdict}",
                    shape.as_str(),
                    result.verdict.as_str(),
                    result.counts.pairs_opened,
                    result.counts.pairs_closed,
                );
                rows.push(serde_json::json!({
                    "size": size_name,
                    "shape": shape.as_str(),
                    "change": change,
                    "endpoints": old.endpoints.len(),
                    "matrix_ms": matrix_ms,
                    "diff_ms": diff_ms,
                    "ratio": ratio,
                    "within_target": ratio <= TARGET,
                    "verdict": result.verdict.as_str(),
                    "pairs_opened": result.counts.pairs_opened,
                    "pairs_closed": result.counts.pairs_closed,
                    "rule_changes": result.rule_changes.len(),
                }));
            }
        }
    }
    eprintln!("worst ratio {worst:.2} (target {TARGET})");
    if let Some(parent) = out.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let text = serde_json::to_string_pretty(&serde_json::json!({
        "target": TARGET,
        "worst_ratio": worst,
        "rows": rows,
    }))
    .map_err(|e| e.to_string())?;
    fs::write(&out, text + "\n").map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// The median milliseconds of `a` and of `b`, run alternately, up to [`MAX_RUNS`] times each
/// within the budget.
fn alternate_medians(mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    let mut times_a = Vec::new();
    let mut times_b = Vec::new();
    let started = Instant::now();
    while times_a.len() < MAX_RUNS {
        let run = Instant::now();
        a();
        times_a.push(run.elapsed().as_secs_f64() * 1e3);
        let run = Instant::now();
        b();
        times_b.push(run.elapsed().as_secs_f64() * 1e3);
        if started.elapsed().as_secs_f64() > BUDGET_SECONDS {
            break;
        }
    }
    (median(times_a), median(times_b))
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// The writable groups that filter some endpoint, by id.
fn used_groups(topology: &Topology) -> Vec<GroupId> {
    let mut used: Vec<GroupId> = topology
        .endpoints
        .values()
        .flat_map(|endpoint| endpoint.enis.iter().flat_map(|eni| eni.groups.iter()))
        .filter(|group| writable_group(topology, group).is_ok())
        .cloned()
        .collect();
    used.sort();
    used.dedup();
    used
}

/// A random used group, preferring one with rules when `with_rules`.
fn pick_group(topology: &Topology, rng: &mut Rng, with_rules: bool) -> Option<GroupId> {
    let used = used_groups(topology);
    let candidates: Vec<&GroupId> = used
        .iter()
        .filter(|id| {
            !with_rules
                || topology
                    .groups
                    .get(*id)
                    .is_some_and(|g| !g.rules.is_empty())
        })
        .collect();
    if candidates.is_empty() {
        return used.first().cloned();
    }
    Some(candidates[rng.below(candidates.len())].clone())
}

/// `old` after the change named `change`.
fn changed(old: &Topology, change: &str, rng: &mut Rng) -> Topology {
    let mut new = old.clone();
    match change {
        "priority" => {
            change_priority(&mut new, rng);
        }
        "internet" => {
            open_to_internet(&mut new, rng);
        }
        "ten-edits" => {
            let mut made = 0;
            for _ in 0..1000 {
                if made == 10 {
                    break;
                }
                if random_edit(&mut new, rng) {
                    made += 1;
                }
            }
        }
        _ => {
            replace_rules(&mut new, rng);
        }
    }
    new
}

fn change_priority(topology: &mut Topology, rng: &mut Rng) -> bool {
    let Some(group) = pick_group(topology, rng, true) else {
        return false;
    };
    let rules = &topology.groups[&group].rules;
    if rules.is_empty() {
        return false;
    }
    let index = rng.below(rules.len());
    let mut rule = rules[index].clone();
    let priority = (u32::from(rule.priority.get()) + 1 + rng.below(98) as u32) % 100 + 1;
    rule.priority = Priority::new(priority).unwrap_or(Priority::HIGHEST);
    apply(topology, &Edit::SetRule { group, index, rule }).is_ok()
}

fn open_to_internet(topology: &mut Topology, rng: &mut Rng) -> bool {
    let Some(group) = pick_group(topology, rng, false) else {
        return false;
    };
    let port = [22, 80, 443, 3306, 6379][rng.below(5)];
    let rule = Rule {
        id: None,
        direction: Direction::Ingress,
        policy: Policy::Accept,
        priority: Priority::new(1 + rng.below(100) as u32).unwrap_or(Priority::HIGHEST),
        protocol: Protocol::Tcp,
        ports: PortSpec::Range(PortRange::new(port, port).unwrap_or(PortRange::ALL)),
        peer: Peer::Cidr("0.0.0.0/0".parse().expect("a well-formed block")),
        source_ports: None,
        local_cidr: None,
        nic_type: NicType::Intranet,
        description: String::new(),
    };
    apply(topology, &Edit::AddRule { group, rule }).is_ok()
}

/// One random edit: a rule's policy flipped, its priority or ports changed, deleted or copied
/// to another group, a port opened to the internet, or an instance added.
fn random_edit(topology: &mut Topology, rng: &mut Rng) -> bool {
    match rng.below(7) {
        0 => return change_priority(topology, rng),
        1 => return open_to_internet(topology, rng),
        2 => {
            let Some(group) = pick_group(topology, rng, false) else {
                return false;
            };
            return apply(topology, &Edit::AddEndpoint(NewEndpoint::Ecs { group })).is_ok();
        }
        _ => {}
    }
    let (Some(group), Some(other)) = (
        pick_group(topology, rng, true),
        pick_group(topology, rng, false),
    ) else {
        return false;
    };
    let rules = &topology.groups[&group].rules;
    if rules.is_empty() {
        return false;
    }
    let index = rng.below(rules.len());
    let mut rule = rules[index].clone();
    let edit = match rng.below(4) {
        0 => {
            rule.policy = match rule.policy {
                Policy::Accept => Policy::Drop,
                Policy::Drop => Policy::Accept,
            };
            Edit::SetRule { group, index, rule }
        }
        1 if rule.protocol.has_ports() => {
            let start = 1 + rng.below(60000) as u16;
            let end = start.saturating_add(rng.below(100) as u16);
            rule.ports = PortSpec::Range(PortRange::new(start, end).unwrap_or(PortRange::ALL));
            Edit::SetRule { group, index, rule }
        }
        2 => Edit::DeleteRule { group, index },
        _ => Edit::AddRule { group: other, rule },
    };
    apply(topology, &edit).is_ok()
}

/// Every rule of one used group replaced by the rules of another group (those the group
/// accepts).
fn replace_rules(topology: &mut Topology, rng: &mut Rng) -> bool {
    let Some(group) = pick_group(topology, rng, true) else {
        return false;
    };
    let Some(other) = (0..20)
        .filter_map(|_| pick_group(topology, rng, true))
        .find(|other| *other != group)
    else {
        return false;
    };
    let replacement = topology.groups[&other].rules.clone();
    while !topology.groups[&group].rules.is_empty() {
        if apply(
            topology,
            &Edit::DeleteRule {
                group: group.clone(),
                index: 0,
            },
        )
        .is_err()
        {
            return false;
        }
    }
    for rule in replacement {
        let _ = apply(
            topology,
            &Edit::AddRule {
                group: group.clone(),
                rule,
            },
        );
    }
    true
}
