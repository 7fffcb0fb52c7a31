//! `sglab matrix --format summary`: the size of the matrix, how many pairs reach each other,
//! and the widest exposures to external endpoints, counted by pair of endpoint classes.

use std::io::{self, Write};
use std::time::Duration;

use sglab_core::matrix::{GroupMatrix, Matrix};
use sglab_core::model::{EndpointKind, PortRange, Protocol, Topology};

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
#[derive(Clone)]
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
    fn new(endpoint: usize, protocols: usize) -> Exposure {
        Exposure {
            endpoint,
            endpoints: 0,
            per_protocol: vec![0; protocols],
        }
    }

    /// What `count` targets with these cells (per protocol of `protocols`) add.
    fn weights<'s>(
        protocols: &'s [Protocol],
        sets: &'s [&[PortRange]],
    ) -> impl Iterator<Item = u64> + 's {
        protocols.iter().zip(sets).map(|(protocol, set)| {
            if set.is_empty() {
                0
            } else if protocol.has_ports() {
                set.iter()
                    .map(|range| u64::from(range.end() - range.start()) + 1)
                    .sum()
            } else {
                1
            }
        })
    }

    /// Counts `count` targets with these cells.
    fn add(&mut self, protocols: &[Protocol], sets: &[&[PortRange]], count: u64) {
        let mut any = false;
        for (total, weight) in self
            .per_protocol
            .iter_mut()
            .zip(Exposure::weights(protocols, sets))
        {
            *total += count * weight;
            any |= weight > 0;
        }
        if any {
            self.endpoints += count;
        }
    }

    /// Takes back `count` targets counted by [`Exposure::add`] with these cells.
    fn remove(&mut self, protocols: &[Protocol], sets: &[&[PortRange]], count: u64) {
        let mut any = false;
        for (total, weight) in self
            .per_protocol
            .iter_mut()
            .zip(Exposure::weights(protocols, sets))
        {
            *total -= count * weight;
            any |= weight > 0;
        }
        if any {
            self.endpoints -= count;
        }
    }

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

/// Counts the selected pairs by pair of endpoint classes: a pair of classes holds
/// `sources(a) × targets(b)` pairs (less the endpoints on both sides when `a == b`), all with the
/// class cell, read once per protocol; then each selected local pair (`Matrix::local_pairs`)
/// trades its class cell for its own (every port). External sources are counted the same way,
/// once per class, then corrected for themselves and their local pairs.
pub fn count(topology: &Topology, matrix: &Matrix, selection: &Selection) -> Counts {
    let protocols = matrix.protocols();
    let classes = matrix.class_count();
    let class_of: Vec<usize> = (0..matrix.endpoints().len())
        .map(|index| matrix.class_at(index).unwrap_or(classes))
        .collect();
    let (from_members, in_from) = members(&class_of, classes, &selection.from);
    let (to_members, in_to) = members(&class_of, classes, &selection.to);
    // Per class, its endpoints that are both a source and a target.
    let mut both = vec![0u64; classes];
    for &endpoint in &selection.from {
        if in_to[endpoint] && class_of[endpoint] < classes {
            both[class_of[endpoint]] += 1;
        }
    }
    let present = |members: &[u64]| -> Vec<usize> {
        (0..classes).filter(|class| members[*class] > 0).collect()
    };
    let (from_classes, to_classes) = (present(&from_members), present(&to_members));
    let mut sets = Sets::new(matrix);

    let mut reach = Reach {
        reachable: vec![0; protocols.len()],
        any: 0,
    };
    for &from_class in &from_classes {
        for &to_class in &to_classes {
            let mut count = from_members[from_class] * to_members[to_class];
            if from_class == to_class {
                count -= both[from_class];
            }
            if count > 0 {
                reach.add(sets.of_classes(from_class, to_class), count);
            }
        }
    }
    for &(from, to) in matrix.local_pairs() {
        let (from, to) = (from as usize, to as usize);
        if from != to && in_from[from] && in_to[to] {
            reach.remove(sets.of_classes(class_of[from], class_of[to]), 1);
            reach.add(sets.of_pair(from, to), 1);
        }
    }

    // External sources: what each class of them reaches, then per source.
    let mut of_class: Vec<Option<Exposure>> = vec![None; classes];
    let mut exposures = Vec::new();
    for &from in &selection.from {
        let external = topology
            .endpoints
            .get(&matrix.endpoints()[from])
            .is_some_and(|endpoint| matches!(endpoint.kind, EndpointKind::External { .. }));
        let class = class_of[from];
        if !external || class >= classes {
            continue;
        }
        let mut exposure = of_class[class]
            .get_or_insert_with(|| {
                let mut exposure = Exposure::new(0, protocols.len());
                for &to_class in &to_classes {
                    exposure.add(
                        protocols,
                        sets.of_classes(class, to_class),
                        to_members[to_class],
                    );
                }
                exposure
            })
            .clone();
        exposure.endpoint = from;
        if in_to[from] {
            exposure.remove(protocols, sets.of_classes(class, class), 1);
        }
        let locals = matrix.local_pairs();
        let first = locals.partition_point(|(source, _)| (*source as usize) < from);
        for &(_, to) in locals[first..]
            .iter()
            .take_while(|(source, _)| *source as usize == from)
        {
            let to = to as usize;
            if to != from && in_to[to] {
                exposure.remove(protocols, sets.of_classes(class, class_of[to]), 1);
                exposure.add(protocols, sets.of_pair(from, to), 1);
            }
        }
        exposures.push(exposure);
    }
    Counts {
        pairs: selection.pair_count(),
        reachable: reach.reachable,
        reachable_any: reach.any,
        exposures,
    }
}

/// How many of `endpoints` each class holds (an endpoint without a class, which the matrix
/// never has, in none), and which endpoints are among them.
fn members(class_of: &[usize], classes: usize, endpoints: &[usize]) -> (Vec<u64>, Vec<bool>) {
    let mut members = vec![0u64; classes];
    let mut selected = vec![false; class_of.len()];
    for &endpoint in endpoints {
        selected[endpoint] = true;
        if let Some(count) = members.get_mut(class_of[endpoint]) {
            *count += 1;
        }
    }
    (members, selected)
}

/// The cells of a pair, one per protocol of the matrix, read into one buffer.
struct Sets<'m> {
    matrix: &'m Matrix,
    sets: Vec<&'m [PortRange]>,
}

impl<'m> Sets<'m> {
    fn new(matrix: &'m Matrix) -> Sets<'m> {
        Sets {
            matrix,
            sets: Vec::with_capacity(matrix.protocols().len()),
        }
    }

    /// The class cell of two classes: what every pair of them that is no local pair allows.
    fn of_classes(&mut self, from_class: usize, to_class: usize) -> &[&'m [PortRange]] {
        let matrix = self.matrix;
        self.sets.clear();
        self.sets.extend(matrix.protocols().iter().map(|protocol| {
            matrix
                .class_cell(from_class, to_class, *protocol)
                .unwrap_or(&[])
        }));
        &self.sets
    }

    /// The cell of one pair of endpoints.
    fn of_pair(&mut self, from: usize, to: usize) -> &[&'m [PortRange]] {
        let matrix = self.matrix;
        self.sets.clear();
        self.sets.extend(
            matrix
                .protocols()
                .iter()
                .map(|protocol| matrix.cell_at(from, to, *protocol).unwrap_or(&[])),
        );
        &self.sets
    }
}

/// Pairs that allow something, per protocol and on any.
struct Reach {
    reachable: Vec<u64>,
    any: u64,
}

impl Reach {
    /// Counts `count` pairs with these cells.
    fn add(&mut self, sets: &[&[PortRange]], count: u64) {
        let mut any = false;
        for (reached, set) in self.reachable.iter_mut().zip(sets) {
            if !set.is_empty() {
                *reached += count;
                any = true;
            }
        }
        if any {
            self.any += count;
        }
    }

    /// Takes back `count` pairs counted by [`Reach::add`] with these cells.
    fn remove(&mut self, sets: &[&[PortRange]], count: u64) {
        let mut any = false;
        for (reached, set) in self.reachable.iter_mut().zip(sets) {
            if !set.is_empty() {
                *reached -= count;
                any = true;
            }
        }
        if any {
            self.any -= count;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use sglab_core::generate::{generate, GenParams, Shape};
    use sglab_core::matrix::matrix;

    /// The counts by class are those of counting the selected pairs one by one.
    #[test]
    fn counts_are_those_of_the_pairs_one_by_one() {
        let mut topologies: Vec<_> = (1..=4)
            .map(|seed| generate(seed, &GenParams::small(16, 5, 40)))
            .collect();
        for shape in Shape::ALL {
            topologies.push(generate(6, &GenParams::of_shape(shape, 60, 8, 150)));
        }
        for topology in &topologies {
            let matrix = matrix(topology);
            let protocols = matrix.protocols();
            let count = matrix.endpoints().len();
            let selections: Vec<(Vec<usize>, Vec<usize>)> = vec![
                ((0..count).collect(), (0..count).collect()),
                (
                    (0..count).step_by(3).collect(),
                    (0..count).step_by(2).collect(),
                ),
                ((0..count / 2).collect(), (count / 3..count).collect()),
                (vec![1], (0..count).collect()),
            ];
            for (from, to) in selections {
                let selection = Selection {
                    from,
                    to,
                    filtered: true,
                };
                let counts = super::count(topology, &matrix, &selection);
                let (mut pairs, mut reachable, mut any) = (0u64, vec![0u64; protocols.len()], 0);
                let mut exposures = Vec::new();
                for &a in &selection.from {
                    let external = matches!(
                        topology.endpoints[&matrix.endpoints()[a]].kind,
                        EndpointKind::External { .. }
                    );
                    let mut exposure = Exposure::new(a, protocols.len());
                    for &b in selection.to.iter().filter(|b| **b != a) {
                        let sets: Vec<&[PortRange]> = protocols
                            .iter()
                            .map(|p| matrix.cell_at(a, b, *p).unwrap_or(&[]))
                            .collect();
                        pairs += 1;
                        for (reached, set) in reachable.iter_mut().zip(&sets) {
                            *reached += u64::from(!set.is_empty());
                        }
                        any += u64::from(sets.iter().any(|set| !set.is_empty()));
                        exposure.endpoints += u64::from(sets.iter().any(|set| !set.is_empty()));
                        for ((total, set), protocol) in
                            exposure.per_protocol.iter_mut().zip(&sets).zip(protocols)
                        {
                            *total += if !protocol.has_ports() {
                                u64::from(!set.is_empty())
                            } else {
                                set.iter()
                                    .map(|range| u64::from(range.end() - range.start()) + 1)
                                    .sum()
                            };
                        }
                    }
                    if external {
                        exposures.push((
                            exposure.endpoint,
                            exposure.endpoints,
                            exposure.per_protocol,
                        ));
                    }
                }
                assert_eq!(counts.pairs, pairs);
                assert_eq!(counts.reachable, reachable);
                assert_eq!(counts.reachable_any, any);
                let actual: Vec<_> = counts
                    .exposures
                    .into_iter()
                    .map(|e| (e.endpoint, e.endpoints, e.per_protocol))
                    .collect();
                assert_eq!(actual, exposures);
            }
        }
    }
}
