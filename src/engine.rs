//! The app's doorway to `sglab-core`: every evaluation, parse, validation and gateway
//! operation the UI needs, called here and shaped for rendering. No rule semantics live here;
//! the functions only call the core and arrange its results for display.

use std::collections::BTreeSet;
use std::net::IpAddr;

use sglab_core::diagnostic::Diagnostic;
use sglab_core::eval::Party;
use sglab_core::explain::Explanation;
use sglab_core::matrix::{Bucket, GroupCell, GroupMatrix, Matrix};
use sglab_core::model::{
    Cluster, EndpointId, EndpointKind, GatewayId, GroupId, PortRange, Protocol, Topology, Verdict,
    VpcId,
};

use crate::layout;
use crate::state::{Action, Level, Notice, Origin, Query, Shared};
use sglab_core::gateway::Cascade;

/// The protocols the diagram and the matrix show (the core matrix's protocols).
pub const SHOWN_PROTOCOLS: [Protocol; 3] = sglab_core::matrix::DEFAULT_PROTOCOLS;

/// Up to this many endpoints the diagram draws edges per pair of endpoints (bundled per pair of
/// groups when they agree); above it, per pair of groups from the core's group matrix.
pub const PAIR_EDGES_LIMIT: usize = 150;

/// What one source may open to one target, per shown protocol.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The source.
    pub from: EndpointId,
    /// The target.
    pub to: EndpointId,
    /// The allowed ports per protocol (protocols with nothing allowed are left out).
    pub allowed: Vec<(Protocol, Vec<PortRange>)>,
}

impl Cell {
    /// `tcp 8080; icmp` for labels and the matrix.
    pub fn label(&self, max_ranges: usize) -> String {
        label_of(&self.allowed, max_ranges)
    }

    /// The first allowed (protocol, port), to open an explanation of the cell.
    pub fn first_allowed(&self) -> Option<(Protocol, Option<u16>)> {
        let (protocol, ranges) = self.allowed.first()?;
        let port = ranges.first().map(|range| range.start());
        Some((*protocol, if protocol.has_ports() { port } else { None }))
    }
}

/// `tcp 8080; udp 53; icmp` from allowed ranges per protocol.
pub fn label_of(allowed: &[(Protocol, Vec<PortRange>)], max_ranges: usize) -> String {
    allowed
        .iter()
        .map(|(protocol, ranges)| {
            let ranges: Vec<(u16, u16)> = ranges.iter().map(|r| (r.start(), r.end())).collect();
            layout::port_label(protocol.as_str(), &ranges, protocol.has_ports(), max_ranges)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What the members of one group (or a group-less endpoint) may open to another's: the cells
/// of one pair of distinct buckets in the group matrix of [`Edges`], one per protocol with
/// something allowed. Read it through [`Edges::buckets`] and [`Edges::allowed`].
#[derive(Clone, Debug, PartialEq)]
pub struct GroupEdge {
    /// Where its cells are in `Edges::groups.cells`.
    pub cells: std::ops::Range<usize>,
    /// Ordered pairs of endpoints the edge stands for.
    pub pairs: u64,
}

/// Whether two topologies give the same reachability: they differ at most in what evaluation
/// never reads (the title, the expectations, diagram positions). Moving a node or renaming the
/// topology then keeps the matrix instead of recomputing it.
pub fn same_evaluation(a: &Topology, b: &Topology) -> bool {
    std::ptr::eq(a, b)
        || (a.vpcs == b.vpcs
            && a.groups == b.groups
            && a.endpoints == b.endpoints
            && a.clusters == b.clusters
            && a.gateways == b.gateways
            && a.prefix_lists == b.prefix_lists)
}

/// A topology as a memo dependency of its reachability: equal to another when the pointer is
/// the same or [`same_evaluation`] says so.
#[derive(Clone, Debug)]
pub struct EvaluationKey(pub Shared<Topology>);

impl PartialEq for EvaluationKey {
    fn eq(&self, other: &Self) -> bool {
        same_evaluation(&self.0, &other.0)
    }
}

/// The core's reachability matrix of one topology, with the topology it was computed from.
#[derive(Debug)]
pub struct Reach {
    /// The topology evaluated (its reachability; positions and title may since have changed).
    pub topology: Shared<Topology>,
    /// The core's matrix.
    pub matrix: Matrix,
}

impl PartialEq for Reach {
    /// Compared by identity: two computations are never equal, so components re-render when a
    /// new one arrives.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Reach {
    /// Computes the matrix of a topology.
    pub fn compute(topology: &Shared<Topology>) -> Reach {
        Reach {
            topology: topology.clone(),
            matrix: sglab_core::matrix::matrix(topology),
        }
    }

    /// Computes the matrix of a topology after an edit of `previous`'s: the core evaluates
    /// again only the pairs of endpoints whose groups' rules changed (everything, after other
    /// changes).
    pub fn after_edit(previous: &Reach, topology: &Shared<Topology>) -> Reach {
        Reach {
            topology: topology.clone(),
            matrix: sglab_core::matrix::matrix_after_edit(
                &previous.topology,
                &previous.matrix,
                topology,
            ),
        }
    }

    /// The cell of one pair, from the matrix.
    pub fn cell(&self, from: &EndpointId, to: &EndpointId) -> Option<Cell> {
        cell_of(&self.matrix, from, to)
    }

    /// The whole matrix as CSV, in the columns and quoting of `sglab matrix --format csv` (the
    /// core's [`sglab_core::matrix::csv`]): one row per protocol of each ordered pair of
    /// endpoints with something allowed.
    pub fn csv(&self) -> String {
        let matrix = &self.matrix;
        let count = matrix.endpoints().len();
        let pairs = (0..count)
            .flat_map(|from| (0..count).map(move |to| (from, to)))
            .filter(|&(from, to)| {
                from != to
                    && matrix.protocols().iter().any(|protocol| {
                        matrix
                            .cell_at(from, to, *protocol)
                            .is_some_and(|ports| !ports.is_empty())
                    })
            });
        let mut out = String::new();
        // Writing into a `String` cannot fail.
        let _ = sglab_core::matrix::csv::write_matrix(&mut out, &self.topology, matrix, pairs);
        out
    }
}

/// The reachability edges the diagram draws, from a [`Reach`].
#[derive(Clone, Debug)]
pub struct Edges {
    /// Every pair with something allowed, for topologies up to [`PAIR_EDGES_LIMIT`] endpoints.
    pub cells: Vec<Cell>,
    /// Whether `cells` covers every pair; false for large topologies.
    pub complete: bool,
    /// For large topologies, the core's group matrix (empty for small ones).
    pub groups: GroupMatrix,
    /// For large topologies, what each group may open to each other group: one edge per
    /// pair of distinct buckets of `groups` with something allowed.
    pub group_edges: Vec<GroupEdge>,
}

impl PartialEq for Edges {
    /// Compared by identity, like [`Reach`].
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Edges {
    /// Per-pair cells for small topologies, per-group edges (the core's group matrix) for
    /// large ones.
    pub fn compute(reach: &Reach) -> Edges {
        if reach.matrix.endpoints().len() <= PAIR_EDGES_LIMIT {
            Edges {
                cells: all_cells(&reach.matrix),
                complete: true,
                groups: GroupMatrix {
                    protocols: reach.matrix.protocols().to_vec(),
                    cells: Vec::new(),
                },
                group_edges: Vec::new(),
            }
        } else {
            Edges::of_groups(sglab_core::matrix::group_matrix_of(
                &reach.topology,
                &reach.matrix,
            ))
        }
    }

    /// The edges of `reach` after an edit of `previous_reach`, from which `previous` was
    /// computed: for large topologies the core derives the group matrix from the previous
    /// one, computing again only the pairs of groups whose pairs of classes changed.
    pub fn after_edit(previous_reach: &Reach, previous: &Edges, reach: &Reach) -> Edges {
        if previous.complete || reach.matrix.endpoints().len() <= PAIR_EDGES_LIMIT {
            return Edges::compute(reach);
        }
        Edges::of_groups(sglab_core::matrix::group_matrix_after_edit(
            &previous_reach.topology,
            &previous_reach.matrix,
            &previous.groups,
            &reach.topology,
            &reach.matrix,
        ))
    }

    /// Whether two computations give the same edges.
    pub fn same_as(&self, other: &Edges) -> bool {
        self.complete == other.complete && self.cells == other.cells && self.groups == other.groups
    }

    /// The source and target of a group edge.
    pub fn buckets(&self, edge: &GroupEdge) -> Option<(&Bucket, &Bucket)> {
        let first = self.groups.cells.get(edge.cells.start)?;
        Some((&first.from, &first.to))
    }

    /// The ports some pair of a group edge allows, per protocol.
    pub fn allowed(&self, edge: &GroupEdge) -> Vec<(Protocol, Vec<PortRange>)> {
        self.groups
            .cells
            .get(edge.cells.clone())
            .unwrap_or_default()
            .iter()
            .map(|cell| {
                (
                    cell.protocol,
                    cell.allowed.iter().map(|counted| counted.ports).collect(),
                )
            })
            .collect()
    }

    /// The edges of a group matrix: its cells between distinct buckets, by pair of buckets.
    fn of_groups(groups: GroupMatrix) -> Edges {
        let group_edges = group_edges(&groups.cells);
        Edges {
            cells: Vec::new(),
            complete: false,
            groups,
            group_edges,
        }
    }
}

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

fn cell_of(matrix: &Matrix, from: &EndpointId, to: &EndpointId) -> Option<Cell> {
    let (from_index, to_index) = (matrix.endpoint_index(from)?, matrix.endpoint_index(to)?);
    cell_at(matrix, from_index, to_index)
}

fn cell_at(matrix: &Matrix, from: usize, to: usize) -> Option<Cell> {
    let allowed: Vec<(Protocol, Vec<PortRange>)> = matrix
        .protocols()
        .iter()
        .filter_map(|protocol| {
            let ranges = matrix.cell_at(from, to, *protocol)?;
            (!ranges.is_empty()).then(|| (*protocol, ranges.to_vec()))
        })
        .collect();
    let ids = matrix.endpoints();
    (!allowed.is_empty()).then(|| Cell {
        from: ids[from].clone(),
        to: ids[to].clone(),
        allowed,
    })
}

fn all_cells(matrix: &Matrix) -> Vec<Cell> {
    let count = matrix.endpoints().len();
    (0..count)
        .flat_map(|from| (0..count).map(move |to| (from, to)))
        .filter(|(from, to)| from != to)
        .filter_map(|(from, to)| cell_at(matrix, from, to))
        .collect()
}

/// The runs of cells (sorted by source and target) between distinct buckets. The core leaves
/// out cells with nothing allowed.
fn group_edges(cells: &[GroupCell]) -> Vec<GroupEdge> {
    let mut edges: Vec<GroupEdge> = Vec::new();
    let mut at = 0;
    while at < cells.len() {
        let first = &cells[at];
        let start = at;
        at += 1;
        while at < cells.len() && cells[at].to == first.to && cells[at].from == first.from {
            at += 1;
        }
        if first.from != first.to {
            edges.push(GroupEdge {
                cells: start..at,
                pairs: first.pairs,
            });
        }
    }
    edges
}

/// The explanation of a query.
pub fn explain(topology: &Topology, query: &Query) -> Explanation {
    let (from, to) = parties(query);
    sglab_core::eval::explain(topology, &from, &to, query.protocol, query.port)
}

/// The two parties of a query: its endpoints.
fn parties(query: &Query) -> (Party, Party) {
    (
        Party::Endpoint(query.from.clone()),
        Party::Endpoint(query.to.clone()),
    )
}

/// What the doctor finds for a query: the causes of a denial (or of a service that does not
/// answer), each with its evidence and the smallest fix.
pub fn diagnose(topology: &Topology, query: &Query) -> Vec<sglab_core::doctor::Diagnosis> {
    let (from, to) = parties(query);
    sglab_core::doctor::diagnose(topology, &from, &to, query.protocol, query.port)
}

/// The lint findings of a topology, with the default limits.
pub fn lint(topology: &Topology) -> Vec<sglab_core::lint::Finding> {
    sglab_core::lint::lint(topology, &sglab_core::validate::Limits::default())
}

/// Whether an explanation allows the connection.
pub fn allowed(explanation: &Explanation) -> bool {
    explanation.verdict == Verdict::Allow
}

/// The validation diagnostics of a topology (errors and warnings).
pub fn problems(topology: &Topology) -> Vec<Diagnostic> {
    let raw = sglab_core::format::raw_from_topology(topology);
    match sglab_core::validate::validate(&raw, None, &sglab_core::validate::Limits::default()) {
        Ok(parsed) => parsed.warnings,
        Err(diagnostics) => diagnostics,
    }
}

/// The validation errors of a topology, as text.
pub fn errors(topology: &Topology) -> Vec<String> {
    problems(topology)
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect()
}

/// The core's checks of one rule in its group: ports for the protocol, the peer (address
/// family, group reference rules, prefix list), the description.
pub fn rule_errors(
    topology: &Topology,
    group: &GroupId,
    rule: &sglab_core::model::Rule,
) -> Vec<String> {
    use sglab_core::model::Peer;
    use sglab_core::validate;
    let mut errors = Vec::new();
    if let Err(error) = validate::check_port_field(rule.protocol, &rule.ports.to_string()) {
        errors.push(error.to_string());
    }
    let peer = match &rule.peer {
        Peer::Cidr(cidr) => validate::check_protocol_family(rule.protocol, cidr),
        Peer::Group { id, .. } => {
            validate::check_peer_field(topology, group, rule.protocol, id.as_str()).map(|_| ())
        }
        Peer::PrefixList(id) => {
            validate::check_peer_field(topology, group, rule.protocol, id.as_str()).map(|_| ())
        }
    };
    if let Err(error) = peer {
        errors.push(error.to_string());
    }
    if let Err(error) = validate::check_description_field(&rule.description) {
        errors.push(error.to_string());
    }
    errors
}

/// Parses sglab JSON text.
pub fn parse_sglab(text: &str, file: &str) -> Result<(Topology, Vec<Diagnostic>), Vec<Diagnostic>> {
    sglab_core::format::parse_sglab(text, Some(file))
        .map(|parsed| (parsed.topology, parsed.warnings))
}

/// The sglab JSON of a topology.
pub fn to_json(topology: &Topology) -> String {
    sglab_core::format::to_sglab_json(topology)
}

/// The share-link payload of a topology.
pub fn link_payload(topology: &Topology) -> String {
    crate::codec::encode(&to_json(topology))
}

/// Reads a share link's payload; errors are lines for a notice.
pub fn topology_from_link(payload: &str) -> Result<(Topology, Vec<Diagnostic>), Vec<String>> {
    let json = crate::codec::decode(payload).map_err(|error| vec![error.to_string()])?;
    parse_sglab(&json, "share link")
        .map_err(|diagnostics| diagnostics.iter().map(ToString::to_string).collect())
}

/// (id, title) of every built-in example.
pub fn example_list() -> Vec<(&'static str, &'static str)> {
    sglab_core::examples::examples()
        .iter()
        .map(|example| (example.id, example.title))
        .collect()
}

/// Loads a built-in example.
pub fn example(id: &str) -> Result<Topology, Vec<Diagnostic>> {
    let example = sglab_core::examples::example(id).ok_or_else(Vec::new)?;
    parse_sglab(example.json, example.id).map(|(topology, _)| topology)
}

/// The first example (the AI-gateway figure), which the app opens by default.
pub fn first_example() -> (Topology, String) {
    let id = sglab_core::examples::examples()
        .first()
        .map(|e| e.id)
        .unwrap_or("ai-gateway");
    (example(id).unwrap_or_default(), id.to_owned())
}

/// The action for files opened, dropped or pasted: a load, or a notice listing every problem
/// with its file, object, rule and field (the topology is then left as it was).
pub fn open_files(files: &[(String, Result<String, String>)]) -> Action {
    let mut unreadable = Vec::new();
    let mut texts = Vec::new();
    for (name, contents) in files {
        match contents {
            Ok(text) => texts.push((name.clone(), text.clone())),
            Err(error) => unreadable.push(format!("{name}: could not be read: {error}")),
        }
    }
    let names: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
    if !unreadable.is_empty() {
        return Action::Notify(Notice {
            details: unreadable,
            ..Notice::new(Level::Error, "Nothing was opened: a file could not be read")
        });
    }
    match sglab_core::import::load_files(&texts) {
        Ok(loaded) => Action::Load {
            topology: loaded.topology,
            origin: Origin::Files(names),
            warnings: loaded.warnings,
        },
        Err(diagnostics) => Action::Notify(Notice::with_diagnostics(
            Level::Error,
            format!(
                "Nothing was opened: {} has problems; the current topology is unchanged",
                names.join(", ")
            ),
            &diagnostics,
        )),
    }
}

/// Diagnostics as plain data for `window.sglab.load`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DiagnosticJson {
    /// `error` or `warning`.
    pub severity: String,
    /// Where, in words.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

/// Diagnostics for scripts.
pub fn diagnostics_json(diagnostics: &[Diagnostic]) -> Vec<DiagnosticJson> {
    diagnostics
        .iter()
        .map(|d| DiagnosticJson {
            severity: d.severity.to_string(),
            location: d.location.to_string(),
            message: d.message.clone(),
        })
        .collect()
}

/// Authorizes a backend group on a gateway through the core.
pub fn authorize(
    topology: &mut Topology,
    gateway: &GatewayId,
    authorization: sglab_core::model::Authorization,
) -> Result<(), String> {
    sglab_core::gateway::authorize(
        topology,
        gateway,
        &authorization.backend_group,
        &authorization.port_ranges,
        &authorization.description,
    )
    .map_err(|e| e.to_string())
}

/// Deletes an authorization of a gateway through the core.
pub fn revoke(
    topology: &mut Topology,
    gateway: &GatewayId,
    backend: &GroupId,
    cascade: Cascade,
) -> Result<(), String> {
    sglab_core::gateway::revoke(topology, gateway, backend, cascade)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Every address in use in the topology.
fn used_addresses(topology: &Topology) -> BTreeSet<IpAddr> {
    topology
        .endpoints
        .values()
        .flat_map(|e| {
            e.enis
                .iter()
                .flat_map(|eni| eni.private_ips.iter().copied())
                .chain(e.pod_ip)
                .chain(e.public_ip)
        })
        .collect()
}

/// A free IPv4 address inside `cidr_text` (`a.b.c.d/n`), skipping the network's first three
/// addresses as the VPC reserves them.
fn free_in(cidr_text: &str, used: &BTreeSet<IpAddr>) -> Option<IpAddr> {
    let (address, prefix) = cidr_text.split_once('/')?;
    let address: std::net::Ipv4Addr = address.parse().ok()?;
    let prefix: u32 = prefix.parse().ok()?;
    let size = 1u64 << (32 - prefix.min(32));
    let base = u64::from(u32::from(address));
    (3..size.saturating_sub(1).min(70_000))
        .map(|offset| IpAddr::V4(std::net::Ipv4Addr::from((base + offset) as u32)))
        .find(|candidate| !used.contains(candidate))
}

/// A free private address for a new endpoint of a VPC (a default the user can change).
pub fn free_private_address(topology: &Topology, vpc: &VpcId) -> Option<IpAddr> {
    let cidr = topology.vpcs.get(vpc)?.cidr?.to_string();
    free_in(&cidr, &used_addresses(topology))
}

/// A free pod address in a cluster's pod CIDR.
pub fn free_pod_address(topology: &Topology, cluster: &Cluster) -> Option<IpAddr> {
    free_in(&cluster.pod_cidr?.to_string(), &used_addresses(topology))
}

/// The kind of an endpoint in words.
pub fn kind_words(kind: &EndpointKind) -> &'static str {
    match kind {
        EndpointKind::Ecs => "ECS instance",
        EndpointKind::Pod { .. } => "pod",
        EndpointKind::GatewayNode { .. } => "gateway node",
        EndpointKind::External { .. } => "external host",
    }
}
