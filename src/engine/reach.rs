//! The reachability the diagram and the matrix draw: the core's matrix of a topology
//! ([`Reach`]), its cells per pair of endpoints ([`Cell`]) and the edges per pair of endpoints
//! or of groups ([`Edges`]), kept across edits that do not change what evaluation reads.

use std::collections::BTreeMap;

use sglab_core::matrix::{Bucket, GroupMatrix, Matrix};
use sglab_core::model::{EndpointId, PortRange, Protocol, Topology};

use super::labels::label_of;
use crate::types::Shared;

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
///
/// Every field of [`Topology`] is named, so that a new field fails to build here until someone
/// decides whether evaluation reads it.
pub fn same_evaluation(a: &Topology, b: &Topology) -> bool {
    if std::ptr::eq(a, b) {
        return true;
    }
    let Topology {
        // The title: shown, never evaluated.
        name: _,
        // Address blocks decide routing and which peers are local.
        vpcs,
        // Rules, types and inner-access policies decide every verdict.
        groups,
        // Addresses, ENIs, groups and services are the parties.
        endpoints,
        // Network modes decide which ENI filters a pod.
        clusters,
        // Gateways create nodes and authorize backends.
        gateways,
        // Rules may name prefix lists as peers.
        prefix_lists,
        // Checked by `sglab check`, never evaluated here.
        expectations: _,
        // Diagram positions.
        layout: _,
    } = a;
    *vpcs == b.vpcs
        && *groups == b.groups
        && *endpoints == b.endpoints
        && *clusters == b.clusters
        && *gateways == b.gateways
        && *prefix_lists == b.prefix_lists
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

    /// The cells between every two distinct endpoints of `ids` with something allowed, by
    /// (source, target): the window the matrix view shows.
    pub fn cells_among(&self, ids: &[EndpointId]) -> BTreeMap<(EndpointId, EndpointId), Cell> {
        sglab_core::sort::map_of(
            ids.iter()
                .flat_map(|from| ids.iter().map(move |to| (from, to)))
                .filter(|(from, to)| from != to)
                .filter_map(|(from, to)| self.cell(from, to))
                .map(|cell| ((cell.from.clone(), cell.to.clone()), cell)),
        )
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
    /// Per-pair cells for small topologies; none for large ones, whose overview the engine's
    /// worker computes from its group matrix (the page's module links none of it).
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
            Edges {
                cells: Vec::new(),
                complete: false,
                groups: GroupMatrix {
                    protocols: reach.matrix.protocols().to_vec(),
                    cells: Vec::new(),
                },
                group_edges: Vec::new(),
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use sglab_core::model::Rule;

    fn example() -> Shared<Topology> {
        Shared::new(crate::engine::example("ai-gateway").unwrap_or_default())
    }

    fn id(text: &str) -> EndpointId {
        EndpointId::from(text)
    }

    #[test]
    fn cells_read_the_allowed_ports_per_protocol() {
        let reach = Reach::compute(&example());
        let Some(cell) = reach.cell(&id("gw-node-1"), &id("ecs-backend")) else {
            panic!("the gateway reaches the ECS backend");
        };
        assert_eq!(cell.label(3), "tcp 80-9000");
        assert_eq!(cell.first_allowed(), Some((Protocol::Tcp, Some(80))));
        assert_eq!(reach.cell(&id("client"), &id("ecs-backend")), None);
    }

    #[test]
    fn a_window_holds_the_allowed_pairs_among_its_endpoints() {
        let reach = Reach::compute(&example());
        let window = reach.cells_among(&[id("client"), id("gw-node-1"), id("ecs-backend")]);
        let pairs: Vec<(&str, &str)> = window
            .keys()
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect();
        // Both ways through the gateway's group, which accepts 80 and 443 from anywhere; never
        // from the client to the backend.
        assert_eq!(
            pairs,
            [
                ("client", "gw-node-1"),
                ("ecs-backend", "gw-node-1"),
                ("gw-node-1", "client"),
                ("gw-node-1", "ecs-backend"),
            ]
        );
    }

    #[test]
    fn the_csv_has_one_row_per_pair_with_something_allowed() {
        let reach = Reach::compute(&example());
        let csv = reach.csv();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("from,from_name,to,to_name,protocol,ports")
        );
        let row = |from: &str, to: &str, protocol: &str| {
            csv.lines()
                .find(|line| {
                    let fields: Vec<&str> = line.split(',').collect();
                    fields.len() == 6
                        && fields[0] == from
                        && fields[2] == to
                        && fields[4] == protocol
                })
                .map(|line| line.rsplit(',').next().unwrap_or_default().to_owned())
        };
        assert_eq!(
            row("gw-node-1", "ecs-backend", "tcp").as_deref(),
            Some("80-9000")
        );
        assert_eq!(row("gw-node-1", "ecs-backend", "udp").as_deref(), Some(""));
        assert_eq!(row("client", "ecs-backend", "tcp"), None, "{csv}");
    }

    #[test]
    fn what_evaluation_never_reads_keeps_the_matrix() {
        let topology = example();
        let mut moved = (*topology).clone();
        moved.name = "renamed".to_owned();
        moved.expectations.clear();
        moved.layout.insert("client".to_owned(), Default::default());
        assert!(same_evaluation(&topology, &moved));
        let key = |t: Topology| EvaluationKey(Shared::new(t));
        assert!(key((*topology).clone()) == key(moved.clone()));
        moved.endpoints.remove(&id("client"));
        assert!(!same_evaluation(&topology, &moved));
    }

    #[test]
    fn an_edit_of_rules_gives_the_matrix_a_fresh_build_gives() {
        let topology = example();
        let before = Reach::compute(&topology);
        let mut edited = (*topology).clone();
        let group = sglab_core::model::GroupId::from("service-sg2");
        let rule: Option<Rule> = edited
            .groups
            .get(&group)
            .and_then(|g| g.rules.first())
            .cloned();
        if let (Some(group), Some(rule)) = (edited.groups.get_mut(&group), rule) {
            group.rules.push(Rule {
                peer: crate::engine::new_rule_peer(),
                ..rule
            });
        }
        let edited = Shared::new(edited);
        let after = Reach::after_edit(&before, &edited);
        let fresh = Reach::compute(&edited);
        assert_eq!(after.csv(), fresh.csv());
        let edges = Edges::compute(&fresh);
        assert!(edges.complete);
        assert!(edges.same_as(&Edges::compute(&after)));
    }
}
