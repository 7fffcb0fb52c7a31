//! `sglab matrix --format summary`: the size of the matrix, how many pairs reach each other,
//! and the widest exposures to external endpoints, counted by pair of endpoint classes.

use std::io::{self, Write};
use std::time::Duration;

use sglab_core::matrix::{GroupMatrix, Matrix};
use sglab_core::model::{EndpointKind, Topology};

use crate::pairs::PairIndex;
use crate::render::{self, write_table};
use crate::select::{Buckets, Selection};

/// How many external endpoints the summary lists.
const TOP_EXPOSURES: usize = 10;

/// What the selected pairs allow, counted.
pub struct Counts {
    /// Ordered pairs of distinct selected endpoints.
    pub pairs: u64,
    /// Per protocol of the matrix, the pairs that allow some port.
    pub reachable: Vec<u64>,
    /// The pairs that allow something on some protocol.
    pub reachable_any: u64,
    /// Per selected external source, what it reaches; every one, unsorted.
    pub exposures: Vec<Exposure>,
}

/// What one external endpoint reaches among the selected targets.
pub struct Exposure {
    /// The endpoint, by index in the matrix.
    pub endpoint: usize,
    /// The targets it may open something to.
    pub endpoints: u64,
    /// Per protocol: for a protocol with ports, the (target, port) pairs allowed; for another,
    /// the targets allowed.
    pub per_protocol: Vec<u64>,
}

impl Exposure {
    /// The (target, port) pairs allowed on every protocol with ports.
    fn ports(&self, matrix: &Matrix) -> u64 {
        matrix
            .protocols()
            .iter()
            .zip(&self.per_protocol)
            .filter(|(protocol, _)| protocol.has_ports())
            .map(|(_, count)| count)
            .sum()
    }
}

/// Counts the selected pairs by class ([`PairIndex`]), allocating nothing per pair.
pub fn count(
    topology: &Topology,
    matrix: &Matrix,
    index: &PairIndex,
    selection: &Selection,
) -> Counts {
    let protocols = matrix.protocols();
    let mut reachable = vec![0u64; protocols.len()];
    let mut reachable_any = 0u64;
    let mut pairs = 0u64;
    let targets = index.group(&selection.to);
    index.visit(
        matrix,
        &index.group(&selection.from),
        &targets,
        |_, _, sets, count| {
            pairs += count;
            let mut any = false;
            for (reached, set) in reachable.iter_mut().zip(sets) {
                if !set.is_empty() {
                    *reached += count;
                    any = true;
                }
            }
            if any {
                reachable_any += count;
            }
        },
    );
    let mut exposures = Vec::new();
    for &from in &selection.from {
        let external = topology
            .endpoints
            .get(&matrix.endpoints()[from])
            .is_some_and(|endpoint| matches!(endpoint.kind, EndpointKind::External { .. }));
        if !external {
            continue;
        }
        let mut exposure = Exposure {
            endpoint: from,
            endpoints: 0,
            per_protocol: vec![0; protocols.len()],
        };
        index.visit(
            matrix,
            &index.group(&[from]),
            &targets,
            |_, _, sets, count| {
                let mut any = false;
                for ((total, set), protocol) in
                    exposure.per_protocol.iter_mut().zip(sets).zip(protocols)
                {
                    if set.is_empty() {
                        continue;
                    }
                    any = true;
                    *total += count
                        * if protocol.has_ports() {
                            set.iter()
                                .map(|range| u64::from(range.end() - range.start()) + 1)
                                .sum()
                        } else {
                            1
                        };
                }
                if any {
                    exposure.endpoints += count;
                }
            },
        );
        exposures.push(exposure);
    }
    Counts {
        pairs,
        reachable,
        reachable_any,
        exposures,
    }
}

/// How long each step took.
pub struct Times {
    /// Reading and parsing the files.
    pub load: Duration,
    /// The matrix.
    pub matrix: Duration,
    /// The group matrix, with `--by group`.
    pub group_matrix: Option<Duration>,
    /// Counting for the summary.
    pub count: Duration,
}

/// The group matrix and its buckets, for `--by group`.
pub struct ByGroup<'a> {
    /// The group matrix of the selected pairs.
    pub matrix: &'a GroupMatrix,
    /// Its rows and columns.
    pub buckets: &'a Buckets,
}

/// Writes the summary; the last line gives the times.
pub fn write(
    out: &mut dyn Write,
    topology: &Topology,
    matrix: &Matrix,
    selection: &Selection,
    counts: &Counts,
    by_group: Option<&ByGroup>,
    times: &Times,
) -> io::Result<()> {
    let endpoints = matrix.endpoints().len();
    let externals = topology
        .endpoints
        .values()
        .filter(|endpoint| matches!(endpoint.kind, EndpointKind::External { .. }))
        .count();
    writeln!(
        out,
        "endpoints: {endpoints} ({externals} external{})",
        plural(externals as u64)
    )?;
    writeln!(out, "classes: {}", matrix.class_count())?;
    writeln!(out, "distinct port sets: {}", matrix.port_set_count())?;
    if selection.filtered {
        writeln!(
            out,
            "selected: {} source{}, {} target{}",
            selection.from.len(),
            plural(selection.from.len() as u64),
            selection.to.len(),
            plural(selection.to.len() as u64)
        )?;
    }
    writeln!(
        out,
        "reachable ordered pairs (some port allowed), of {}:",
        counts.pairs
    )?;
    let mut rows: Vec<Vec<String>> = matrix
        .protocols()
        .iter()
        .zip(&counts.reachable)
        .map(|(protocol, count)| share_row(protocol.as_str(), *count, counts.pairs))
        .collect();
    rows.push(share_row("any", counts.reachable_any, counts.pairs));
    write_table(out, "  ", &rows)?;
    write_exposures(out, topology, matrix, counts)?;
    if let Some(by_group) = by_group {
        write_group_summary(out, selection, by_group)?;
    }
    let mut time = format!(
        "time: load {}, matrix {}",
        seconds(times.load),
        seconds(times.matrix)
    );
    if let Some(group_matrix) = times.group_matrix {
        time.push_str(&format!(", group matrix {}", seconds(group_matrix)));
    }
    time.push_str(&format!(", summary {}", seconds(times.count)));
    writeln!(out, "{time}")
}

fn write_exposures(
    out: &mut dyn Write,
    topology: &Topology,
    matrix: &Matrix,
    counts: &Counts,
) -> io::Result<()> {
    if counts.exposures.is_empty() {
        return writeln!(out, "external endpoints: none among the sources");
    }
    let mut exposures: Vec<&Exposure> = counts.exposures.iter().collect();
    let labels = render::labels(topology, matrix);
    exposures.sort_by(|a, b| {
        b.endpoints
            .cmp(&a.endpoints)
            .then(b.ports(matrix).cmp(&a.ports(matrix)))
            .then(labels[a.endpoint].cmp(&labels[b.endpoint]))
    });
    writeln!(
        out,
        "widest exposures to external endpoints (top {} of {}, by endpoints reached, then ports):",
        exposures.len().min(TOP_EXPOSURES),
        exposures.len()
    )?;
    let mut header = vec![
        "from".to_owned(),
        "block".to_owned(),
        "endpoints".to_owned(),
    ];
    header.extend(matrix.protocols().iter().map(|protocol| {
        if protocol.has_ports() {
            format!("{protocol} ports")
        } else {
            protocol.to_string()
        }
    }));
    let mut rows = vec![header];
    for exposure in exposures.iter().take(TOP_EXPOSURES) {
        let block = topology
            .endpoints
            .get(&matrix.endpoints()[exposure.endpoint])
            .and_then(|endpoint| match &endpoint.kind {
                EndpointKind::External { cidr } => Some(cidr.to_string()),
                _ => None,
            })
            .unwrap_or_default();
        let mut row = vec![
            labels[exposure.endpoint].clone(),
            block,
            exposure.endpoints.to_string(),
        ];
        row.extend(exposure.per_protocol.iter().map(u64::to_string));
        rows.push(row);
    }
    write_table(out, "  ", &rows)
}

fn write_group_summary(
    out: &mut dyn Write,
    selection: &Selection,
    by_group: &ByGroup,
) -> io::Result<()> {
    let buckets = by_group.buckets;
    let from = buckets.members(&selection.from);
    let to = buckets.members(&selection.to);
    let (mut groups, mut loose) = (0u64, 0u64);
    for (index, bucket) in buckets.buckets.iter().enumerate() {
        if from[index] == 0 && to[index] == 0 {
            continue;
        }
        match bucket {
            sglab_core::matrix::Bucket::Group(_) => groups += 1,
            sglab_core::matrix::Bucket::Endpoint(_) => loose += 1,
        }
    }
    writeln!(
        out,
        "buckets: {} ({groups} group{}, {loose} endpoint{} in no group)",
        groups + loose,
        plural(groups),
        plural(loose)
    )?;
    let bucket_pairs = buckets.pair_count(selection);
    writeln!(
        out,
        "bucket pairs that allow something, of {bucket_pairs} holding pairs:"
    )?;
    let protocols = &by_group.matrix.protocols;
    let mut per_protocol = vec![0u64; protocols.len()];
    let mut any = 0u64;
    let mut last = None;
    for cell in &by_group.matrix.cells {
        if let Some(index) = protocols.iter().position(|p| *p == cell.protocol) {
            per_protocol[index] += 1;
        }
        let pair = (&cell.from, &cell.to);
        if last != Some(pair) {
            any += 1;
            last = Some(pair);
        }
    }
    let mut rows: Vec<Vec<String>> = protocols
        .iter()
        .zip(&per_protocol)
        .map(|(protocol, count)| share_row(protocol.as_str(), *count, bucket_pairs))
        .collect();
    rows.push(share_row("any", any, bucket_pairs));
    write_table(out, "  ", &rows)
}

/// A row `tcp  3  (50.0%)`: a count and its share of `of`.
fn share_row(name: &str, count: u64, of: u64) -> Vec<String> {
    let mut row = vec![name.to_owned(), format!("{count}")];
    if of > 0 {
        row.push(format!("({:.1}%)", count as f64 * 100.0 / of as f64));
    }
    row
}

fn plural(count: u64) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.3} s", duration.as_secs_f64())
}
