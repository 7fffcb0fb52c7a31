//! The overview of a large topology as pure data: one node per security group (and per
//! endpoint in no group), sized by members, with the reachability between them aggregated into
//! one link per pair of nodes with merged port ranges; the heat of each link, the neighbours of
//! a node or an endpoint for the focus mode, the positions of the nodes, and the window of rows
//! a virtualised list draws.

use sglab_core::model::{EndpointId, Topology};

pub use crate::engine::overview::{
    heat_level, merge_ranges, overview, short_label, Link, Mark, Overview, OverviewNode,
    HEAT_LEVELS,
};
use crate::engine::Reach;

/// Above this many endpoints the diagram opens on the overview.
pub const OVERVIEW_THRESHOLD: usize = 60;

/// Lists with fewer rows than this are drawn whole (no virtual window).
pub const VIRTUAL_MIN_ROWS: usize = 200;

/// Whether a topology is shown through the overview rather than the full diagram.
pub fn shows_overview(topology: &Topology) -> bool {
    topology.endpoints.len() > OVERVIEW_THRESHOLD
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
/// groups do not take every link drawn. Only the links of the ranks drawn are ranked, so that
/// the hundreds of thousands of links of an account cost one pass.
pub fn links_to_draw(overview: &Overview, max: usize) -> Vec<&Link> {
    let count = overview.nodes.len().max(1);
    let runs: Vec<&[Link]> = overview.links.chunk_by(|a, b| a.from == b.from).collect();
    // The fewest ranks that hold `max` links (or every rank).
    let longest = runs.iter().map(|run| run.len()).max().unwrap_or(0);
    let mut ranks = 0;
    let mut held = 0;
    while held < max && ranks < longest {
        ranks += 1;
        held += runs.iter().filter(|run| run.len() >= ranks).count();
    }
    let mut ranked: Vec<(usize, &Link)> = Vec::with_capacity(held);
    for run in runs {
        // Among equally wide links, the next node after the source first, so that ties do not
        // all point at the first node.
        let key = |link: &Link| {
            let after = (link.to + count - link.from % count) % count;
            (std::cmp::Reverse(link.open_pairs), after)
        };
        let mut best: Vec<&Link> = Vec::with_capacity(ranks.min(run.len()) + 1);
        for link in run {
            if best.len() == ranks && best.last().is_none_or(|last| key(last) <= key(link)) {
                continue;
            }
            let at = best.partition_point(|other| key(other) <= key(link));
            best.insert(at, link);
            best.truncate(ranks);
        }
        ranked.extend(best.into_iter().enumerate());
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

/// The width of a node's slot on the grid of [`grid_positions`].
pub const CELL_W: f64 = 170.0;
/// The height of a node's slot on the grid of [`grid_positions`].
pub const CELL_H: f64 = 120.0;

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
