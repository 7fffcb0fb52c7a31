//! The app's doorway to `sglab-core`: every evaluation, parse, validation and gateway
//! operation the UI needs, called here and shaped for rendering. No rule semantics live here;
//! the functions only call the core and arrange its results for display.

use std::collections::BTreeSet;
use std::net::IpAddr;

use sglab_core::diagnostic::Diagnostic;
use sglab_core::eval::Party;
use sglab_core::explain::{Decision, Explanation, PortSetEntry};
use sglab_core::model::{
    Cluster, EndpointId, EndpointKind, GatewayId, GroupId, Protocol, Topology, Verdict, VpcId,
};

use crate::layout::{self, Diagram};
use crate::state::{Action, Level, Notice, Origin, Query};
use sglab_core::gateway::Cascade;

/// The protocols the diagram and the matrix show.
pub const SHOWN_PROTOCOLS: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Icmp];

/// Above this many endpoints the full matrix is not computed on every edit; the matrix view
/// then computes the rows it shows.
pub const FULL_MATRIX_LIMIT: usize = 150;

/// What one source may open to one target, per shown protocol.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The source.
    pub from: EndpointId,
    /// The target.
    pub to: EndpointId,
    /// The allowed ports per protocol (protocols with nothing allowed are left out).
    pub allowed: Vec<(Protocol, Vec<PortSetEntry>)>,
}

impl Cell {
    /// `tcp 8080; icmp` for labels and the matrix.
    pub fn label(&self, max_ranges: usize) -> String {
        self.allowed
            .iter()
            .map(|(protocol, entries)| {
                let ranges: Vec<(u16, u16)> = merged(entries);
                layout::port_label(protocol.as_str(), &ranges, protocol.has_ports(), max_ranges)
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Whether every allowance comes from the intra-group policy (members of one group with
    /// InnerAccessPolicy Accept), which the diagram hides by default.
    pub fn only_intra_group(&self) -> bool {
        self.allowed.iter().all(|(_, entries)| {
            entries.iter().all(|entry| {
                matches!(entry.ingress, Decision::IntraGroup { .. })
                    || matches!(entry.ingress, Decision::NotApplicable { .. })
                        && matches!(entry.egress, Decision::NotApplicable { .. })
            })
        })
    }

    /// The first allowed (protocol, port), to open an explanation of the cell.
    pub fn first_allowed(&self) -> Option<(Protocol, Option<u16>)> {
        let (protocol, entries) = self.allowed.first()?;
        let port = entries.first().map(|entry| entry.ports.start());
        Some((*protocol, if protocol.has_ports() { port } else { None }))
    }
}

fn merged(entries: &[PortSetEntry]) -> Vec<(u16, u16)> {
    let mut out: Vec<(u16, u16)> = Vec::new();
    for entry in entries {
        let (start, end) = (entry.ports.start(), entry.ports.end());
        match out.last_mut() {
            Some(last) if u32::from(last.1) + 1 >= u32::from(start) => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// Everything derived from one topology, recomputed after each change.
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    /// The placed diagram.
    pub diagram: Diagram,
    /// Every pair with something allowed (all pairs when the topology is small enough).
    pub cells: Vec<Cell>,
    /// Whether `cells` covers every pair; false for large topologies.
    pub complete: bool,
    /// Validation errors and warnings of the current topology.
    pub problems: Vec<Diagnostic>,
}

impl Derived {
    /// Computes the diagram, the reachability cells (for topologies up to
    /// [`FULL_MATRIX_LIMIT`] endpoints) and the problems.
    pub fn compute(topology: &Topology) -> Derived {
        let complete = topology.endpoints.len() <= FULL_MATRIX_LIMIT;
        let cells = if complete {
            all_cells(topology)
        } else {
            Vec::new()
        };
        Derived {
            diagram: layout::layout(topology),
            cells,
            complete,
            problems: problems(topology),
        }
    }

    /// Like [`Derived::compute`], with every cell whatever the size (for the CSV export).
    pub fn compute_full(topology: &Topology) -> Derived {
        Derived {
            diagram: layout::layout(topology),
            cells: all_cells(topology),
            complete: true,
            problems: problems(topology),
        }
    }
}

fn all_cells(topology: &Topology) -> Vec<Cell> {
    let ids: Vec<&EndpointId> = topology.endpoints.keys().collect();
    ids.iter()
        .flat_map(|from| ids.iter().map(move |to| (*from, *to)))
        .filter(|(from, to)| from != to)
        .filter_map(|(from, to)| cell(topology, from, to))
        .collect()
}

/// The allowed ports from one endpoint to another, or `None` when nothing is allowed.
pub fn cell(topology: &Topology, from: &EndpointId, to: &EndpointId) -> Option<Cell> {
    let from_party = Party::Endpoint(from.clone());
    let to_party = Party::Endpoint(to.clone());
    let allowed: Vec<(Protocol, Vec<PortSetEntry>)> = SHOWN_PROTOCOLS
        .iter()
        .filter_map(|protocol| {
            let set = sglab_core::portset::port_set(topology, &from_party, &to_party, *protocol);
            (!set.allowed.is_empty()).then_some((*protocol, set.allowed))
        })
        .collect();
    (!allowed.is_empty()).then(|| Cell {
        from: from.clone(),
        to: to.clone(),
        allowed,
    })
}

/// The explanation of a query.
pub fn explain(topology: &Topology, query: &Query) -> Explanation {
    sglab_core::eval::explain(
        topology,
        &Party::Endpoint(query.from.clone()),
        &Party::Endpoint(query.to.clone()),
        query.protocol,
        query.port,
    )
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
