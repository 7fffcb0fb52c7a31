//! The overview of a large topology as plain data: one node per security group (and per
//! endpoint in no group), sized by members, with the reachability between them aggregated into
//! one link per pair of nodes with merged port ranges, and the heat of each link. The engine's
//! Web Worker computes it from the group matrix and sends it with the results
//! ([`super::transfer`]); the page computes it only for topologies it evaluates itself.

use std::collections::{BTreeMap, HashMap};

use sglab_core::matrix::{Bucket, GroupMatrix};
use sglab_core::model::{EndpointId, GroupType, PortRange, Protocol, Topology};

use super::{port_label, Edges};

/// The number of heat levels of a link, from 0 (nothing open) to `HEAT_LEVELS - 1`.
pub const HEAT_LEVELS: u8 = 5;

/// How a node is marked, in words as well as in its drawing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    /// A basic security group.
    Basic,
    /// An enterprise security group.
    Enterprise,
    /// A group managed by a cloud product (read-only), with the product's name.
    Managed(String),
    /// An endpoint in no security group.
    Ungrouped,
}

impl Mark {
    /// The short badge drawn on the node, and the words read out for it.
    pub fn badge(&self) -> (&'static str, &'static str) {
        match self {
            Mark::Basic => ("", "basic group"),
            Mark::Enterprise => ("E", "enterprise group"),
            Mark::Managed(_) => ("M", "managed group"),
            Mark::Ungrouped => ("\u{2022}", "endpoint in no group"),
        }
    }
}

/// One node of the overview: a security group or an endpoint in no group.
#[derive(Clone, Debug, PartialEq)]
pub struct OverviewNode {
    /// The group's or endpoint's id.
    pub key: String,
    /// The group's or endpoint's name (the id when it has none).
    pub label: String,
    /// How it is marked.
    pub mark: Mark,
    /// The endpoints filtered by the group (the endpoint itself for one in no group).
    pub members: Vec<EndpointId>,
}

/// What the members of one node may open to the members of another.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The source node's index.
    pub from: usize,
    /// The target node's index.
    pub to: usize,
    /// The ports some pair allows, per protocol, merged.
    pub allowed: Vec<(Protocol, Vec<PortRange>)>,
    /// At least this many ordered pairs allow something.
    pub open_pairs: u64,
    /// The ordered pairs of distinct endpoints the link covers.
    pub pairs: u64,
}

impl Link {
    /// The short label drawn on the link: `tcp 80,443 +3`, the first protocol's ports, with
    /// the other protocols named after them (`tcp 22 (+udp)`).
    pub fn label(&self) -> String {
        let first = short_label(self.allowed.get(..1).unwrap_or_default(), 2);
        let others: Vec<&str> = self
            .allowed
            .iter()
            .skip(1)
            .map(|(p, _)| p.as_str())
            .collect();
        if others.is_empty() {
            first
        } else {
            format!("{first} (+{})", others.join(", +"))
        }
    }

    /// Every port of the link: `tcp 80, 443, 8080-8081; udp 53`.
    pub fn full_label(&self) -> String {
        crate::engine::label_of(&self.allowed, usize::MAX)
    }

    /// How much is open, from 1 to `HEAT_LEVELS - 1` (0 is no link at all).
    pub fn heat(&self) -> u8 {
        heat_level(self.open_pairs, self.pairs)
    }
}

/// The overview of a topology.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overview {
    /// The nodes, groups by id then endpoints in no group.
    pub nodes: Vec<OverviewNode>,
    /// The links between distinct nodes with something allowed, by source and target.
    pub links: Vec<Link>,
}

impl Overview {
    /// The index of a node by its key.
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.nodes.iter().position(|node| node.key == key)
    }

    /// The link from one node to another, if something is allowed.
    pub fn link(&self, from: usize, to: usize) -> Option<&Link> {
        self.links
            .binary_search_by(|link| (link.from, link.to).cmp(&(from, to)))
            .ok()
            .and_then(|at| self.links.get(at))
    }

    /// The links into and out of a node: (inbound, outbound).
    pub fn neighbours(&self, node: usize) -> (Vec<&Link>, Vec<&Link>) {
        let inbound = self.links.iter().filter(|l| l.to == node).collect();
        let outbound = self.links.iter().filter(|l| l.from == node).collect();
        (inbound, outbound)
    }
}

/// The overview of a topology from its edges: the core's group matrix for large topologies,
/// the cells per pair of endpoints (aggregated here) for smaller ones.
pub fn overview(topology: &Topology, edges: &Edges) -> Overview {
    if !edges.complete {
        return overview_of_groups(topology, &edges.groups);
    }
    let (nodes, endpoint_nodes) = nodes(topology);
    let mut links: BTreeMap<(usize, usize), LinkSum> = BTreeMap::new();
    for cell in &edges.cells {
        let (Some(froms), Some(tos)) =
            (endpoint_nodes.get(&cell.from), endpoint_nodes.get(&cell.to))
        else {
            continue;
        };
        for &from in froms {
            for &to in tos.iter().filter(|&&to| to != from) {
                let sum = links.entry((from, to)).or_default();
                sum.open_pairs += 1;
                for (protocol, ranges) in &cell.allowed {
                    sum.add(*protocol, ranges.iter().copied());
                }
            }
        }
    }
    finish(nodes, links)
}

/// The overview of a topology from the core's group matrix (what the engine's Web Worker
/// computes and sends with the results of a large topology).
pub fn overview_of_groups(topology: &Topology, groups: &GroupMatrix) -> Overview {
    let (nodes, _) = nodes(topology);
    let key_index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(at, node)| (node.key.as_str(), at))
        .collect();
    let mut links: BTreeMap<(usize, usize), LinkSum> = BTreeMap::new();
    let mut last: Option<(&Bucket, Option<usize>)> = None;
    for cell in &groups.cells {
        if last.is_none_or(|(bucket, _)| *bucket != cell.from) {
            last = Some((&cell.from, key_index.get(bucket_key(&cell.from)).copied()));
        }
        let from = last.and_then(|(_, at)| at);
        let (Some(from), Some(&to)) = (from, key_index.get(bucket_key(&cell.to))) else {
            continue;
        };
        if from == to {
            continue;
        }
        let sum = links.entry((from, to)).or_default();
        sum.pairs = sum.pairs.max(cell.pairs);
        let most = cell.allowed.iter().map(|c| c.pairs).max().unwrap_or(0);
        sum.open_pairs = sum.open_pairs.max(most);
        sum.add(cell.protocol, cell.allowed.iter().map(|c| c.ports));
    }
    finish(nodes, links)
}

/// The nodes of a topology (groups by id, then endpoints in no group), with the nodes of each
/// endpoint.
fn nodes(topology: &Topology) -> (Vec<OverviewNode>, BTreeMap<EndpointId, Vec<usize>>) {
    let mut nodes: Vec<OverviewNode> = topology
        .groups
        .values()
        .map(|group| OverviewNode {
            key: group.id.to_string(),
            label: if group.name.is_empty() {
                group.id.to_string()
            } else {
                group.name.clone()
            },
            mark: match (&group.managed_by, group.group_type) {
                (Some(product), _) => Mark::Managed(product.clone()),
                (None, GroupType::Enterprise) => Mark::Enterprise,
                (None, GroupType::Basic) => Mark::Basic,
            },
            members: Vec::new(),
        })
        .collect();
    let group_index: BTreeMap<String, usize> = nodes
        .iter()
        .enumerate()
        .map(|(at, node)| (node.key.clone(), at))
        .collect();
    let mut endpoint_nodes: BTreeMap<EndpointId, Vec<usize>> = BTreeMap::new();
    for endpoint in topology.endpoints.values() {
        let mut of: Vec<usize> = sglab_core::eval::filtering_groups(topology, endpoint)
            .iter()
            .filter_map(|group| group_index.get(group.as_str()).copied())
            .collect();
        if of.is_empty() {
            of.push(nodes.len());
            nodes.push(OverviewNode {
                key: endpoint.id.to_string(),
                label: if endpoint.name.is_empty() {
                    endpoint.id.to_string()
                } else {
                    endpoint.name.clone()
                },
                mark: Mark::Ungrouped,
                members: Vec::new(),
            });
        }
        for &at in &of {
            nodes[at].members.push(endpoint.id.clone());
        }
        endpoint_nodes.insert(endpoint.id.clone(), of);
    }
    (nodes, endpoint_nodes)
}

/// The overview of `nodes` with the links summed, their ranges merged.
fn finish(nodes: Vec<OverviewNode>, links: BTreeMap<(usize, usize), LinkSum>) -> Overview {
    let links = links
        .into_iter()
        .map(|((from, to), sum)| {
            let pairs = if sum.pairs > 0 {
                sum.pairs
            } else {
                pairs_between(&nodes[from].members, &nodes[to].members)
            };
            Link {
                from,
                to,
                allowed: sum
                    .allowed
                    .into_iter()
                    .map(|(protocol, ranges)| (protocol, merge_ranges(ranges)))
                    .collect(),
                open_pairs: sum.open_pairs.min(pairs),
                pairs,
            }
        })
        .collect();
    Overview { nodes, links }
}

/// What is summed into one link.
#[derive(Default)]
struct LinkSum {
    allowed: BTreeMap<Protocol, Vec<PortRange>>,
    open_pairs: u64,
    pairs: u64,
}

impl LinkSum {
    fn add(&mut self, protocol: Protocol, ranges: impl Iterator<Item = PortRange>) {
        self.allowed.entry(protocol).or_default().extend(ranges);
    }
}

fn bucket_key(bucket: &Bucket) -> &str {
    match bucket {
        Bucket::Group(id) => id.as_str(),
        Bucket::Endpoint(id) => id.as_str(),
    }
}

/// Ordered pairs of distinct endpoints from one list to another.
fn pairs_between(from: &[EndpointId], to: &[EndpointId]) -> u64 {
    let shared = from.iter().filter(|id| to.contains(id)).count() as u64;
    (from.len() as u64) * (to.len() as u64) - shared
}

/// Ranges sorted, with overlapping and adjacent ones merged: `80, 81-90, 85-100` -> `80-100`.
pub fn merge_ranges(ranges: impl IntoIterator<Item = PortRange>) -> Vec<PortRange> {
    let mut ranges: Vec<(u16, u16)> = ranges.into_iter().map(|r| (r.start(), r.end())).collect();
    if ranges.windows(2).any(|pair| pair[0] > pair[1]) {
        sglab_core::sort::sort(&mut ranges);
    }
    let mut merged: Vec<(u16, u16)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if u32::from(start) <= u32::from(last.1) + 1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
        .into_iter()
        .filter_map(|(start, end)| PortRange::new(start, end).ok())
        .collect()
}

/// A short label of allowed ports: at most `max_ranges` ranges per protocol, joined by commas
/// without spaces, the rest counted: `tcp 80,443 +3; udp 53`.
pub fn short_label(allowed: &[(Protocol, Vec<PortRange>)], max_ranges: usize) -> String {
    allowed
        .iter()
        .map(|(protocol, ranges)| {
            let ranges: Vec<(u16, u16)> = ranges.iter().map(|r| (r.start(), r.end())).collect();
            port_label(protocol.as_str(), &ranges, protocol.has_ports(), max_ranges)
                .replace(", +", " +")
                .replace(", ", ",")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The heat level of a link from the share of its pairs that allow something: 0 when nothing
/// is open, then 1 (under a quarter) to 4 (three quarters or more).
pub fn heat_level(open_pairs: u64, pairs: u64) -> u8 {
    if open_pairs == 0 || pairs == 0 {
        return 0;
    }
    let quarter = (open_pairs.min(pairs) * 4 / pairs).min(3) as u8;
    quarter + 1
}
