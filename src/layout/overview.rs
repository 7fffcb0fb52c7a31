//! The overview of a large topology as pure data: one node per security group (and per
//! endpoint in no group), sized by members, with the reachability between them aggregated into
//! one link per pair of nodes with merged port ranges; the heat of each link, the neighbours of
//! a node or an endpoint for the focus mode, the positions of the nodes, and the window of rows
//! a virtualised list draws.

use std::collections::BTreeMap;

use sglab_core::matrix::Bucket;
use sglab_core::model::{EndpointId, GroupType, PortRange, Protocol, Topology};

use crate::engine::{port_label, Edges, Reach};

/// Above this many endpoints the diagram opens on the overview.
pub const OVERVIEW_THRESHOLD: usize = 60;

/// Lists with fewer rows than this are drawn whole (no virtual window).
pub const VIRTUAL_MIN_ROWS: usize = 200;

/// The number of heat levels of a link, from 0 (nothing open) to `HEAT_LEVELS - 1`.
pub const HEAT_LEVELS: u8 = 5;

/// Whether a topology is shown through the overview rather than the full diagram.
pub fn shows_overview(topology: &Topology) -> bool {
    topology.endpoints.len() > OVERVIEW_THRESHOLD
}

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
        let mut of: Vec<usize> = super::memberships(topology, endpoint)
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
    let key_index: std::collections::HashMap<String, usize> = nodes
        .iter()
        .enumerate()
        .map(|(at, node)| (node.key.clone(), at))
        .collect();
    let mut links: BTreeMap<(usize, usize), LinkSum> = BTreeMap::new();
    if edges.complete {
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
    } else {
        let mut last: Option<(&Bucket, Option<usize>)> = None;
        for cell in &edges.groups.cells {
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
    }
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

/// The nodes of `overview` matching a search (id, name or address, case-insensitive), best
/// first: groups and endpoints in no group, then endpoints by id (as `endpoint:` keys), at most
/// `limit`.
pub fn search(topology: &Topology, overview: &Overview, text: &str, limit: usize) -> Vec<Found> {
    let needle = text.trim().to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<Found> = overview
        .nodes
        .iter()
        .filter(|node| {
            node.key.to_lowercase().contains(&needle) || node.label.to_lowercase().contains(&needle)
        })
        .map(|node| Found::Node(node.key.clone(), node.label.clone()))
        .take(limit)
        .collect();
    let endpoints = topology.endpoints.values().filter(|endpoint| {
        endpoint.id.as_str().to_lowercase().contains(&needle)
            || endpoint.name.to_lowercase().contains(&needle)
            || endpoint
                .enis
                .iter()
                .flat_map(|eni| &eni.private_ips)
                .chain(&endpoint.public_ip)
                .chain(&endpoint.pod_ip)
                .any(|address| address.to_string().contains(&needle))
    });
    for endpoint in endpoints.take(limit.saturating_sub(found.len())) {
        found.push(Found::Endpoint(endpoint.id.clone(), endpoint.name.clone()));
    }
    found
}

/// One answer of [`search`].
#[derive(Clone, Debug, PartialEq)]
pub enum Found {
    /// A node of the overview, by key, with its label.
    Node(String, String),
    /// An endpoint, with its name.
    Endpoint(EndpointId, String),
}

/// The neighbours of one endpoint in the matrix: (inbound, outbound), each an endpoint with
/// what it opens, ordered by id. The matrix holds one row and one column per endpoint, so this
/// reads `2 n` cells.
pub fn endpoint_neighbours(
    reach: &Reach,
    endpoint: &EndpointId,
) -> (Vec<crate::engine::Cell>, Vec<crate::engine::Cell>) {
    let ids = reach.matrix.endpoints();
    let inbound = ids
        .iter()
        .filter(|other| *other != endpoint)
        .filter_map(|other| reach.cell(other, endpoint))
        .collect();
    let outbound = ids
        .iter()
        .filter(|other| *other != endpoint)
        .filter_map(|other| reach.cell(endpoint, other))
        .collect();
    (inbound, outbound)
}

/// A node's circle: centre x, centre y, radius.
pub type Circle = (f64, f64, f64);

/// Where each node is drawn: (centre x, centre y, radius) on a grid, larger nodes first, with
/// the radius growing with the square root of the members.
pub fn grid_positions(nodes: &[OverviewNode]) -> (Vec<Circle>, (f64, f64)) {
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    sglab_core::sort::sort_by_key(&mut order, |&at| {
        (std::cmp::Reverse(nodes[at].members.len()), at)
    });
    let columns = ((nodes.len() as f64 * 1.6).sqrt().ceil() as usize).max(1);
    let most = nodes
        .iter()
        .map(|n| n.members.len())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let mut positions = vec![(0.0, 0.0, 0.0); nodes.len()];
    for (slot, &at) in order.iter().enumerate() {
        let (column, row) = (slot % columns, slot / columns);
        let radius = 10.0 + 22.0 * (nodes[at].members.len() as f64 / most).sqrt();
        positions[at] = (
            CELL_W * column as f64 + CELL_W / 2.0,
            CELL_H * row as f64 + 44.0,
            radius,
        );
    }
    let rows = nodes.len().div_ceil(columns);
    (positions, (CELL_W * columns as f64, CELL_H * rows as f64))
}

/// At most `max` links to draw, spread over the nodes: each node's widest outbound link
/// first (widest first), then each node's second widest, and so on, so that a few large
/// groups do not take every link drawn.
pub fn links_to_draw(overview: &Overview, max: usize) -> Vec<&Link> {
    let mut ranked: Vec<(usize, &Link)> = Vec::with_capacity(overview.links.len());
    let count = overview.nodes.len().max(1);
    for links in overview.links.chunk_by(|a, b| a.from == b.from) {
        let mut links: Vec<&Link> = links.iter().collect();
        // Among equally wide links, the next node after the source first, so that ties do not
        // all point at the first node.
        sglab_core::sort::sort_by_key(&mut links, |link| {
            let after = (link.to + count - link.from % count) % count;
            (std::cmp::Reverse(link.open_pairs), after)
        });
        ranked.extend(links.into_iter().enumerate());
    }
    sglab_core::sort::sort_by_key(&mut ranked, |(rank, link)| {
        (
            *rank,
            std::cmp::Reverse(link.open_pairs),
            link.from,
            link.to,
        )
    });
    ranked.into_iter().take(max).map(|(_, link)| link).collect()
}

/// How one link is drawn: a quadratic curve bowed to its left, so that links both ways and
/// links along a row of nodes stay apart, and where its label goes, if it has room.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkShape {
    /// Where the curve starts, on the source's circle.
    pub start: (f64, f64),
    /// The curve's control point.
    pub control: (f64, f64),
    /// Where it ends, short of the target's circle.
    pub end: (f64, f64),
    /// The label's anchor (middle, baseline), when it overlaps no node and no other label.
    pub label_at: Option<(f64, f64)>,
}

/// The shapes of `links` between nodes at `positions`, with at most `labelled` labels placed,
/// in the order of `links`, each where it overlaps no node and no label placed before it.
pub fn link_shapes(
    positions: &[Circle],
    links: &[(&Link, String)],
    labelled: usize,
) -> Vec<LinkShape> {
    type Box = (f64, f64, f64, f64);
    let overlaps = |a: &Box, b: &Box| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
    // Each node's circle and the two lines of text under it.
    let mut taken: Vec<Box> = positions
        .iter()
        .map(|&(x, y, r)| (x - r.max(52.0), y - r, x + r.max(52.0), y + r + 34.0))
        .collect();
    let mut placed = 0;
    links
        .iter()
        .map(|(link, label)| {
            let (Some(&(x1, y1, r1)), Some(&(x2, y2, r2))) =
                (positions.get(link.from), positions.get(link.to))
            else {
                return LinkShape {
                    start: (0.0, 0.0),
                    control: (0.0, 0.0),
                    end: (0.0, 0.0),
                    label_at: None,
                };
            };
            let (dx, dy) = (x2 - x1, y2 - y1);
            let length = (dx * dx + dy * dy).sqrt().max(1.0);
            let (ux, uy) = (dx / length, dy / length);
            let bow = 0.12 * length;
            let control = ((x1 + x2) / 2.0 - uy * bow, (y1 + y2) / 2.0 + ux * bow);
            let toward = |from: (f64, f64), to: (f64, f64), by: f64| {
                let (vx, vy) = (to.0 - from.0, to.1 - from.1);
                let l = (vx * vx + vy * vy).sqrt().max(1.0);
                (from.0 + vx / l * by, from.1 + vy / l * by)
            };
            let start = toward((x1, y1), control, r1);
            let end = toward((x2, y2), control, r2 + 3.0);
            let point = |t: f64| {
                let u = 1.0 - t;
                (
                    u * u * start.0 + 2.0 * u * t * control.0 + t * t * end.0,
                    u * u * start.1 + 2.0 * u * t * control.1 + t * t * end.1,
                )
            };
            let width = label.chars().count() as f64 * 7.0 + 6.0;
            let label_at = (placed < labelled)
                .then(|| {
                    [0.5, 0.4, 0.6, 0.3, 0.7]
                        .into_iter()
                        .map(point)
                        .find(|&(x, y)| {
                            let candidate = (x - width / 2.0, y - 12.0, x + width / 2.0, y + 4.0);
                            !taken.iter().any(|other| overlaps(&candidate, other))
                        })
                })
                .flatten();
            if let Some((x, y)) = label_at {
                taken.push((x - width / 2.0, y - 12.0, x + width / 2.0, y + 4.0));
                placed += 1;
            }
            LinkShape {
                start,
                control,
                end,
                label_at,
            }
        })
        .collect()
}

const CELL_W: f64 = 170.0;
const CELL_H: f64 = 120.0;

/// The rows of a virtualised list to draw: `start..end`, with the height of the spacers above
/// and below them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// The first row drawn.
    pub start: usize,
    /// One past the last row drawn.
    pub end: usize,
    /// The spacer's height above the drawn rows.
    pub before: f64,
    /// The spacer's height below the drawn rows.
    pub after: f64,
}

/// The window of `count` rows of `row_height` pixels to draw when the list is scrolled to
/// `scroll_top` in a viewport `viewport_height` high, with `overscan` rows more on each side.
/// Lists under [`VIRTUAL_MIN_ROWS`] rows are drawn whole.
pub fn window(
    count: usize,
    row_height: f64,
    scroll_top: f64,
    viewport_height: f64,
    overscan: usize,
) -> Window {
    if count < VIRTUAL_MIN_ROWS || row_height <= 0.0 {
        return Window {
            start: 0,
            end: count,
            before: 0.0,
            after: 0.0,
        };
    }
    visible(count, row_height, scroll_top, viewport_height, overscan)
}

/// The window of [`window`] whatever the number of rows: for grids whose rows are costly
/// enough to virtualise from a few dozen on.
pub fn visible(
    count: usize,
    row_height: f64,
    scroll_top: f64,
    viewport_height: f64,
    overscan: usize,
) -> Window {
    let row_height = row_height.max(1.0);
    let first = (scroll_top.max(0.0) / row_height).floor() as usize;
    let visible = (viewport_height.max(row_height) / row_height).ceil() as usize;
    let start = first.saturating_sub(overscan).min(count);
    let end = (first + visible + overscan).min(count).max(start);
    Window {
        start,
        end,
        before: start as f64 * row_height,
        after: (count - end) as f64 * row_height,
    }
}

#[cfg(test)]
#[path = "overview_tests.rs"]
mod tests;
