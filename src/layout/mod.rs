//! Diagram geometry: where groups, endpoints and edges go.
//!
//! Everything here is a pure function of the topology (and of the saved positions in
//! `topology.layout`), so it is tested natively with `cargo test -p sglab-web --lib`.
//! The picture follows the vendor's AI-gateway figure: external clients on the left, gateway
//! groups next, then the service groups stacked in columns, each group drawn as a container
//! holding its member endpoints.
//!
//! Placement is presentation only: an endpoint is drawn inside its first group (the first
//! group of its primary ENI, a pod in its node's group, a gateway node in the gateway's managed
//! group); every other group it belongs to is listed as a badge and linked by a dashed line.

use std::collections::{BTreeMap, BTreeSet};

use sglab_core::model::{Endpoint, EndpointId, EndpointKind, GroupId, Position, Topology};

use crate::types::{Selection, Shared};

mod drawn;
mod geometry;
mod labels;
#[cfg(test)]
mod labels_tests;
pub mod overview;
pub mod present;
#[cfg(test)]
mod present_tests;
#[cfg(test)]
mod tests;
mod viewport;
mod vpc;

pub use drawn::{drawn_edges, DrawnEdge, DrawnEdges, LARGE_EDGES_MAX};
pub use geometry::{edge, lanes, EdgeGeometry, Rect};
pub use labels::{
    clear_label, label_size, obstacles, place_edges, place_edges_with, place_label, PlacedEdge,
};
pub use viewport::{Viewport, LARGE_TYPE_ZOOM, ZOOM_MAX, ZOOM_MIN};
pub use vpc::{VpcBox, TITLE_CHAR_W, VPC_PAD, VPC_TITLE_H};

/// Width of an endpoint box.
pub const NODE_W: f64 = 190.0;
/// Height of an endpoint box without membership badges.
pub const NODE_H: f64 = 58.0;
/// Height added to an endpoint box per line of membership badges.
pub const BADGE_LINE_H: f64 = 18.0;
/// Space between the border of a group and its members.
pub const GROUP_PAD: f64 = 18.0;
/// Height of the title band of a group.
pub const GROUP_TITLE_H: f64 = 42.0;
/// Space between member boxes inside a group.
pub const NODE_GAP: f64 = 16.0;
/// Horizontal space between columns.
pub const COLUMN_GAP: f64 = 210.0;
/// Vertical space between groups of one column.
pub const ROW_GAP: f64 = 40.0;
/// Groups per column before another column starts.
pub const GROUPS_PER_COLUMN: usize = 4;
/// Members per row inside a group.
pub const MEMBERS_PER_ROW: usize = 2;
/// Smallest width of a group box, so that its title fits.
pub const GROUP_MIN_W: f64 = 240.0;
/// Margin around the whole drawing.
pub const MARGIN: f64 = 40.0;
/// Above this many endpoint-to-endpoint edges, the diagram draws one edge per group pair.
pub const AGGREGATE_ABOVE: usize = 40;

/// What an endpoint box shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// An ECS instance.
    Ecs,
    /// A pod.
    Pod,
    /// A gateway node.
    Gateway,
    /// An external host or network.
    External,
}

/// A placed endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    /// The endpoint.
    pub id: EndpointId,
    /// The box.
    pub rect: Rect,
    /// ECS, pod, gateway or external.
    pub kind: NodeKind,
    /// The group it is drawn in, if any.
    pub home_group: Option<GroupId>,
    /// The other groups it belongs to, drawn as badges and dashed lines.
    pub other_groups: Vec<GroupId>,
}

/// A placed security group.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupBox {
    /// The group.
    pub id: GroupId,
    /// The container.
    pub rect: Rect,
    /// The endpoints drawn inside it.
    pub members: Vec<EndpointId>,
}

/// The whole placed drawing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagram {
    /// VPC regions, drawn under everything.
    pub vpcs: Vec<VpcBox>,
    /// Group containers, drawn over their VPC.
    pub groups: Vec<GroupBox>,
    /// Endpoint boxes.
    pub nodes: Vec<NodeBox>,
    /// The bounds of everything, with a margin.
    pub bounds: Rect,
}

impl Diagram {
    /// The box of an endpoint.
    pub fn node(&self, id: &EndpointId) -> Option<&NodeBox> {
        self.nodes.iter().find(|node| &node.id == id)
    }

    /// The container of a group.
    pub fn group(&self, id: &GroupId) -> Option<&GroupBox> {
        self.groups.iter().find(|group| &group.id == id)
    }
}

/// Every group an endpoint is drawn inside: the groups that filter its traffic, as the engine
/// finds them (`sglab_core::eval::filtering_groups`).
pub fn memberships(topology: &Topology, endpoint: &Endpoint) -> Vec<GroupId> {
    sglab_core::eval::filtering_groups(topology, endpoint)
}

fn node_kind(endpoint: &Endpoint) -> NodeKind {
    match endpoint.kind {
        EndpointKind::Ecs => NodeKind::Ecs,
        EndpointKind::Pod { .. } => NodeKind::Pod,
        EndpointKind::GatewayNode { .. } => NodeKind::Gateway,
        EndpointKind::External { .. } => NodeKind::External,
    }
}

/// The height of an endpoint box that lists `other_groups` badges.
pub fn node_height(other_groups: usize) -> f64 {
    if other_groups == 0 {
        NODE_H
    } else {
        NODE_H + BADGE_LINE_H * other_groups.min(3) as f64 + 4.0
    }
}

/// A topology as a memo dependency of its [`layout`]: equal to another when the pointer is the
/// same or they agree on everything the layout reads (endpoints, gateways, group ids, saved
/// positions), so an edit of rules keeps the diagram.
#[derive(Clone, Debug)]
pub struct LayoutKey(pub Shared<Topology>);

impl PartialEq for LayoutKey {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&*self.0, &*other.0);
        if std::ptr::eq(a, b) {
            return true;
        }
        // Every field is named, so that a new one fails to build here until someone decides
        // whether the layout reads it.
        let Topology {
            // The title is drawn by the component, not placed.
            name: _,
            // VPCs are regions around their groups, titled with their name and block.
            vpcs,
            // Groups are boxes: their ids (and order) matter, their rules and names do not.
            groups,
            // Endpoints are the boxes placed inside groups, sized by their memberships.
            endpoints,
            // Clusters have no box of their own; their pods are endpoints.
            clusters: _,
            // Gateway groups are placed in the first column.
            gateways,
            // Prefix lists are not drawn.
            prefix_lists: _,
            // Expectations are not drawn.
            expectations: _,
            // Saved positions win over the automatic layout.
            layout,
        } = a;
        *endpoints == b.endpoints
            && *vpcs == b.vpcs
            && *gateways == b.gateways
            && *layout == b.layout
            && groups.keys().eq(b.groups.keys())
    }
}

/// Places every group and endpoint: saved positions from `topology.layout` win, the rest is
/// laid out in columns.
pub fn layout(topology: &Topology) -> Diagram {
    let Placement {
        gateway_groups,
        members,
        loose,
        ..
    } = placement(topology);

    let mut diagram = Diagram::default();
    let mut x = MARGIN;

    // The loose endpoints (clients, external networks, endpoints without groups).
    if !loose.is_empty() {
        let mut y = MARGIN + GROUP_TITLE_H;
        for endpoint in &loose {
            let auto = Rect {
                x,
                y,
                w: NODE_W,
                h: NODE_H,
            };
            diagram.nodes.push(NodeBox {
                id: endpoint.id.clone(),
                rect: saved(topology, endpoint.id.as_str(), auto),
                kind: node_kind(endpoint),
                home_group: None,
                other_groups: Vec::new(),
            });
            y += NODE_H + ROW_GAP;
        }
        x += NODE_W + COLUMN_GAP;
    }

    // Each VPC is a region holding its groups in columns: gateway groups first, then the
    // others; groups of a VPC the topology does not list are placed after, without a region.
    for (vpc, groups) in vpc::sections(topology) {
        let columns = columns(groups, &gateway_groups);
        let inner_x = if vpc.is_some() { x + VPC_PAD } else { x };
        let top = if vpc.is_some() {
            MARGIN + VPC_TITLE_H + VPC_PAD
        } else {
            MARGIN
        };
        let first_group = diagram.groups.len();
        let right = place_columns(topology, &columns, &members, (inner_x, top), &mut diagram);
        match vpc {
            Some(vpc) => {
                let region = vpc::region(vpc, &diagram.groups[first_group..], x);
                x = region.rect.right() + COLUMN_GAP;
                diagram.vpcs.push(region);
            }
            None => x = right + COLUMN_GAP,
        }
    }

    diagram.bounds = bounds(&diagram);
    diagram
}

/// Who is drawn where: the gateways' managed groups, the members drawn inside each group, and
/// the endpoints drawn in no group. The presentation layout places the same.
pub(crate) struct Placement<'a> {
    topology: &'a Topology,
    gateway_groups: BTreeSet<&'a GroupId>,
    members: Members<'a>,
    loose: Vec<&'a Endpoint>,
}

fn placement(topology: &Topology) -> Placement<'_> {
    let gateway_groups: BTreeSet<&GroupId> = sglab_core::sort::set_of(
        topology
            .gateways
            .values()
            .map(|gateway| &gateway.managed_group),
    );
    let mut members: Members<'_> = BTreeMap::new();
    let mut loose: Vec<&Endpoint> = Vec::new();
    for endpoint in topology.endpoints.values() {
        let groups = memberships(topology, endpoint);
        let home = groups
            .split_first()
            .and_then(|(home, others)| Some((topology.groups.get_key_value(home)?.0, others)));
        match home {
            Some((home, others)) => members
                .entry(home)
                .or_default()
                .push((endpoint, others.to_vec())),
            None => loose.push(endpoint),
        }
    }
    Placement {
        topology,
        gateway_groups,
        members,
        loose,
    }
}

/// The columns of a section's groups: the gateway groups, then the others by
/// [`GROUPS_PER_COLUMN`].
fn columns<'a>(
    groups: Vec<&'a GroupId>,
    gateway_groups: &BTreeSet<&GroupId>,
) -> Vec<Vec<&'a GroupId>> {
    let (gateway_column, other_groups): (Vec<&GroupId>, Vec<&GroupId>) = groups
        .into_iter()
        .partition(|id| gateway_groups.contains(id));
    let mut columns = Vec::new();
    if !gateway_column.is_empty() {
        columns.push(gateway_column);
    }
    for chunk in other_groups.chunks(GROUPS_PER_COLUMN) {
        columns.push(chunk.to_vec());
    }
    columns
}

/// The members drawn inside each group, with the other groups each belongs to.
type Members<'a> = BTreeMap<&'a GroupId, Vec<(&'a Endpoint, Vec<GroupId>)>>;

/// Places columns of groups from `(x, top)` on; answers the right edge of the last column.
fn place_columns(
    topology: &Topology,
    columns: &[Vec<&GroupId>],
    members: &Members<'_>,
    (mut x, top): (f64, f64),
    diagram: &mut Diagram,
) -> f64 {
    let mut right = x;
    for column in columns {
        let mut y = top;
        let mut column_width: f64 = GROUP_MIN_W;
        for group_id in column {
            let list = members.get(group_id).map(Vec::as_slice).unwrap_or(&[]);
            let origin = saved(
                topology,
                group_id.as_str(),
                Rect {
                    x,
                    y,
                    w: GROUP_MIN_W,
                    h: GROUP_TITLE_H,
                },
            );
            let group_box = place_group(topology, group_id, origin, list, &mut diagram.nodes);
            column_width = column_width.max(group_box.rect.w);
            y = y.max(group_box.rect.bottom()) + ROW_GAP;
            diagram.groups.push(group_box);
        }
        right = x + column_width;
        x += column_width + COLUMN_GAP;
    }
    right
}

fn saved(topology: &Topology, id: &str, auto: Rect) -> Rect {
    match topology.layout.get(id) {
        Some(Position { x, y }) if x.is_finite() && y.is_finite() => Rect {
            x: *x,
            y: *y,
            ..auto
        },
        _ => auto,
    }
}

fn place_group(
    topology: &Topology,
    group_id: &GroupId,
    origin: Rect,
    list: &[(&Endpoint, Vec<GroupId>)],
    nodes: &mut Vec<NodeBox>,
) -> GroupBox {
    let mut rect = Rect {
        x: origin.x,
        y: origin.y,
        w: GROUP_MIN_W,
        h: GROUP_TITLE_H + 2.0 * GROUP_PAD,
    };
    let mut row_y = origin.y + GROUP_TITLE_H + GROUP_PAD;
    let mut member_ids = Vec::new();
    for row in list.chunks(MEMBERS_PER_ROW) {
        let row_h = row
            .iter()
            .map(|(_, others)| node_height(others.len()))
            .fold(NODE_H, f64::max);
        for (column, (endpoint, others)) in row.iter().enumerate() {
            let auto = Rect {
                x: origin.x + GROUP_PAD + column as f64 * (NODE_W + NODE_GAP),
                y: row_y,
                w: NODE_W,
                h: node_height(others.len()),
            };
            let node_rect = saved(topology, endpoint.id.as_str(), auto);
            let padded = Rect {
                x: node_rect.x - GROUP_PAD,
                y: node_rect.y - GROUP_PAD - GROUP_TITLE_H,
                w: node_rect.w + 2.0 * GROUP_PAD,
                h: node_rect.h + 2.0 * GROUP_PAD + GROUP_TITLE_H,
            };
            rect = rect.union(padded);
            member_ids.push(endpoint.id.clone());
            nodes.push(NodeBox {
                id: endpoint.id.clone(),
                rect: node_rect,
                kind: node_kind(endpoint),
                home_group: Some(group_id.clone()),
                other_groups: others.clone(),
            });
        }
        row_y += row_h + NODE_GAP;
    }
    GroupBox {
        id: group_id.clone(),
        rect,
        members: member_ids,
    }
}

fn bounds(diagram: &Diagram) -> Rect {
    let mut all = diagram
        .vpcs
        .iter()
        .map(|vpc| vpc.rect)
        .chain(diagram.groups.iter().map(|group| group.rect))
        .chain(diagram.nodes.iter().map(|node| node.rect));
    let Some(first) = all.next() else {
        return Rect {
            x: 0.0,
            y: 0.0,
            w: 800.0,
            h: 500.0,
        };
    };
    let inner = all.fold(first, Rect::union);
    Rect {
        x: inner.x - MARGIN,
        y: inner.y - MARGIN,
        w: inner.w + 2.0 * MARGIN,
        h: inner.h + 2.0 * MARGIN,
    }
}

/// The saved positions after moving `id` (an endpoint or a group) by `(dx, dy)`: a group
/// carries its members along.
pub fn moved(diagram: &Diagram, id: &str, dx: f64, dy: f64) -> Vec<(String, Position)> {
    let shift = |rect: Rect| Position {
        x: rect.x + dx,
        y: rect.y + dy,
    };
    if let Some(group) = diagram.groups.iter().find(|group| group.id.as_str() == id) {
        let mut out = vec![(id.to_owned(), shift(group.rect))];
        for member in &group.members {
            if let Some(node) = diagram.node(member) {
                out.push((member.as_str().to_owned(), shift(node.rect)));
            }
        }
        return out;
    }
    diagram
        .nodes
        .iter()
        .find(|node| node.id.as_str() == id)
        .map(|node| vec![(id.to_owned(), shift(node.rect))])
        .unwrap_or_default()
}

/// The diagram with object `id` (and, for a group, its members) shifted by `(dx, dy)`, as it is
/// drawn during a drag.
pub fn shifted(diagram: &Diagram, id: &str, dx: f64, dy: f64) -> Diagram {
    let mut out = diagram.clone();
    let shift = |rect: &mut Rect| {
        rect.x += dx;
        rect.y += dy;
    };
    let moved_group = out.groups.iter().any(|g| g.id.as_str() == id);
    for group in &mut out.groups {
        if group.id.as_str() == id {
            shift(&mut group.rect);
        }
    }
    for node in &mut out.nodes {
        let member_of_moved =
            moved_group && node.home_group.as_ref().is_some_and(|g| g.as_str() == id);
        if node.id.as_str() == id || member_of_moved {
            shift(&mut node.rect);
        }
    }
    vpc::refit(&mut out);
    out
}

/// What selecting the drawn object `id` (a group or an endpoint) selects.
pub fn selection_of(diagram: &Diagram, id: &str) -> Selection {
    if let Some(group) = diagram.groups.iter().find(|g| g.id.as_str() == id) {
        return Selection::Group(group.id.clone());
    }
    match diagram.nodes.iter().find(|n| n.id.as_str() == id) {
        Some(node) => Selection::Endpoint(node.id.clone()),
        None => Selection::None,
    }
}
