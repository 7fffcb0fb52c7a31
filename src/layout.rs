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

/// An axis-aligned rectangle in diagram units.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// The centre point.
    pub fn center(self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// The right edge.
    pub fn right(self) -> f64 {
        self.x + self.w
    }

    /// The bottom edge.
    pub fn bottom(self) -> f64 {
        self.y + self.h
    }

    /// The smallest rectangle holding both.
    pub fn union(self, other: Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Rect {
            x,
            y,
            w: self.right().max(other.right()) - x,
            h: self.bottom().max(other.bottom()) - y,
        }
    }

    /// The point where the segment from the centre towards `(tx, ty)` leaves the rectangle.
    pub fn border_towards(self, tx: f64, ty: f64) -> (f64, f64) {
        let (cx, cy) = self.center();
        let (dx, dy) = (tx - cx, ty - cy);
        if dx == 0.0 && dy == 0.0 {
            return (cx, cy);
        }
        let sx = if dx == 0.0 {
            f64::INFINITY
        } else {
            (self.w / 2.0) / dx.abs()
        };
        let sy = if dy == 0.0 {
            f64::INFINITY
        } else {
            (self.h / 2.0) / dy.abs()
        };
        let s = sx.min(sy).min(1.0);
        (cx + dx * s, cy + dy * s)
    }
}

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
    /// Group containers, drawn first.
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

/// Every group an endpoint belongs to for drawing, in order: the groups of its ENIs, then for
/// a pod without ENIs its node's groups, for a gateway node its gateway's managed group.
pub fn memberships(topology: &Topology, endpoint: &Endpoint) -> Vec<GroupId> {
    let mut seen = BTreeSet::new();
    let mut groups = Vec::new();
    let mut push = |group: &GroupId| {
        if seen.insert(group.clone()) {
            groups.push(group.clone());
        }
    };
    for eni in &endpoint.enis {
        eni.groups.iter().for_each(&mut push);
    }
    match &endpoint.kind {
        EndpointKind::Pod { node, .. } if endpoint.enis.is_empty() => {
            if let Some(node) = topology.endpoints.get(node) {
                for eni in &node.enis {
                    eni.groups.iter().for_each(&mut push);
                }
            }
        }
        EndpointKind::GatewayNode { gateway } => {
            if let Some(gateway) = topology.gateways.get(gateway) {
                push(&gateway.managed_group);
            }
        }
        _ => {}
    }
    groups.retain(|group| topology.groups.contains_key(group));
    groups
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
pub struct LayoutKey(pub crate::types::Shared<Topology>);

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
            // VPCs are not drawn as boxes.
            vpcs: _,
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
            && *gateways == b.gateways
            && *layout == b.layout
            && groups.keys().eq(b.groups.keys())
    }
}

/// Places every group and endpoint: saved positions from `topology.layout` win, the rest is
/// laid out in columns.
pub fn layout(topology: &Topology) -> Diagram {
    let gateway_groups: BTreeSet<&GroupId> = sglab_core::sort::set_of(
        topology
            .gateways
            .values()
            .map(|gateway| &gateway.managed_group),
    );

    // Who is drawn where.
    let mut members: BTreeMap<&GroupId, Vec<(&Endpoint, Vec<GroupId>)>> = BTreeMap::new();
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

    // Columns: loose endpoints, gateway groups, then the others.
    let mut columns: Vec<Vec<&GroupId>> = Vec::new();
    let gateway_column: Vec<&GroupId> = topology
        .groups
        .keys()
        .filter(|id| gateway_groups.contains(id))
        .collect();
    let other_groups: Vec<&GroupId> = topology
        .groups
        .keys()
        .filter(|id| !gateway_groups.contains(id))
        .collect();
    if !gateway_column.is_empty() {
        columns.push(gateway_column);
    }
    for chunk in other_groups.chunks(GROUPS_PER_COLUMN) {
        columns.push(chunk.to_vec());
    }

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

    for column in columns {
        let mut y = MARGIN;
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
        x += column_width + COLUMN_GAP;
    }

    diagram.bounds = bounds(&diagram);
    diagram
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
        .groups
        .iter()
        .map(|group| group.rect)
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

/// A straight edge between two boxes, clipped to their borders, with the point for its label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EdgeGeometry {
    /// Start point.
    pub from: (f64, f64),
    /// End point (where the arrow head goes).
    pub to: (f64, f64),
    /// Control point of the quadratic curve.
    pub control: (f64, f64),
    /// Where the label sits.
    pub label: (f64, f64),
}

impl EdgeGeometry {
    /// The SVG path data.
    pub fn path(&self) -> String {
        format!(
            "M {:.1} {:.1} Q {:.1} {:.1} {:.1} {:.1}",
            self.from.0, self.from.1, self.control.0, self.control.1, self.to.0, self.to.1
        )
    }
}

/// The curve from one box to another. `lane` spreads parallel edges apart (0 is straight,
/// odd lanes bend one way, even lanes the other).
pub fn edge(from: Rect, to: Rect, lane: usize) -> EdgeGeometry {
    let (fx, fy) = from.center();
    let (tx, ty) = to.center();
    let start = from.border_towards(tx, ty);
    let end = to.border_towards(fx, fy);
    let (mx, my) = ((start.0 + end.0) / 2.0, (start.1 + end.1) / 2.0);
    let (dx, dy) = (end.0 - start.0, end.1 - start.1);
    let length = (dx * dx + dy * dy).sqrt().max(1.0);
    // Unit normal, turned the same way for every pair so lanes do not cross.
    let (nx, ny) = (-dy / length, dx / length);
    let bend = if lane == 0 {
        0.0
    } else {
        let step = lane.div_ceil(2) as f64 * 34.0;
        if lane % 2 == 1 {
            step
        } else {
            -step
        }
    };
    let control = (mx + nx * bend * 2.0, my + ny * bend * 2.0);
    // The midpoint of a quadratic Bezier is halfway between the chord midpoint and the
    // control point.
    let label = ((mx + control.0) / 2.0, (my + control.1) / 2.0);
    EdgeGeometry {
        from: start,
        to: end,
        control,
        label,
    }
}

/// Assigns lanes to edges so that edges between the same two boxes (in either direction) do
/// not overlap. Returns one lane per input pair, in input order.
pub fn lanes<K: Ord + Clone>(pairs: &[(K, K)]) -> Vec<usize> {
    let mut used: BTreeMap<(K, K), usize> = BTreeMap::new();
    pairs
        .iter()
        .map(|(a, b)| {
            let key = if a <= b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            };
            let counter = used.entry(key).or_insert(0);
            let lane = *counter;
            *counter += 1;
            lane
        })
        .collect()
}

/// Screen-to-diagram transform of the viewport: `diagram = (screen - pan) / zoom`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    /// Scale factor.
    pub zoom: f64,
    /// Horizontal offset in screen pixels.
    pub pan_x: f64,
    /// Vertical offset in screen pixels.
    pub pan_y: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            zoom: 1.0,
            pan_x: 0.0,
            pan_y: 0.0,
        }
    }
}

/// Smallest zoom.
pub const ZOOM_MIN: f64 = 0.2;
/// Largest zoom.
pub const ZOOM_MAX: f64 = 4.0;
/// The smallest zoom a fit uses in large type: the diagram's text at 1.5 times its size.
pub const LARGE_TYPE_ZOOM: f64 = 1.5;
/// The space left above and to the left of a drawing too large for the screen.
const FIT_MARGIN: f64 = 12.0;

impl Viewport {
    /// The SVG `transform` attribute.
    pub fn transform(self) -> String {
        format!(
            "translate({:.1} {:.1}) scale({:.4})",
            self.pan_x, self.pan_y, self.zoom
        )
    }

    /// A diagram point from a point in the SVG element's pixels.
    pub fn to_diagram(self, sx: f64, sy: f64) -> (f64, f64) {
        ((sx - self.pan_x) / self.zoom, (sy - self.pan_y) / self.zoom)
    }

    /// Zooms by `factor` keeping the screen point `(sx, sy)` fixed.
    pub fn zoom_at(self, factor: f64, sx: f64, sy: f64) -> Viewport {
        let zoom = (self.zoom * factor).clamp(ZOOM_MIN, ZOOM_MAX);
        let (dx, dy) = self.to_diagram(sx, sy);
        Viewport {
            zoom,
            pan_x: sx - dx * zoom,
            pan_y: sy - dy * zoom,
        }
    }

    /// The viewport that fits `bounds` into a `width` x `height` screen area.
    pub fn fit(bounds: Rect, width: f64, height: f64) -> Viewport {
        Viewport::fit_readable(bounds, width, height, ZOOM_MIN)
    }

    /// Like [`Viewport::fit`], but never below `min_zoom`, so that text stays readable (large
    /// type, for projectors): a drawing that does not fit at that zoom is shown from its top
    /// left corner, and the rest is a pan away.
    pub fn fit_readable(bounds: Rect, width: f64, height: f64, min_zoom: f64) -> Viewport {
        if bounds.w <= 0.0 || bounds.h <= 0.0 || width <= 0.0 || height <= 0.0 {
            return Viewport::default();
        }
        let min_zoom = min_zoom.clamp(ZOOM_MIN, ZOOM_MAX);
        let zoom = (width / bounds.w)
            .min(height / bounds.h)
            .clamp(ZOOM_MIN, 1.5)
            .max(min_zoom);
        let place = |screen: f64, start: f64, size: f64| {
            if size * zoom <= screen {
                (screen - size * zoom) / 2.0 - start * zoom
            } else {
                FIT_MARGIN - start * zoom
            }
        };
        Viewport {
            zoom,
            pan_x: place(width, bounds.x, bounds.w),
            pan_y: place(height, bounds.y, bounds.h),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sglab_core::model::{Eni, GroupType, InnerAccessPolicy, SecurityGroup, VpcId};

    #[test]
    fn large_type_fit_keeps_text_readable() {
        let bounds = Rect {
            x: 10.0,
            y: 20.0,
            w: 2000.0,
            h: 1000.0,
        };
        let plain = Viewport::fit(bounds, 1000.0, 800.0);
        assert!((plain.zoom - 0.5).abs() < 1e-9, "fits by width: {plain:?}");
        let large = Viewport::fit_readable(bounds, 1000.0, 800.0, LARGE_TYPE_ZOOM);
        assert!(
            (large.zoom - LARGE_TYPE_ZOOM).abs() < 1e-9,
            "never below 1.5: {large:?}"
        );
        // Too large at that zoom: the top left corner of the drawing is on screen.
        let (x, y) = large.to_diagram(FIT_MARGIN, FIT_MARGIN);
        assert!(
            (x - bounds.x).abs() < 1e-9 && (y - bounds.y).abs() < 1e-9,
            "{x}, {y}"
        );
        // A small drawing is still centred.
        let small = Rect {
            x: 0.0,
            y: 0.0,
            w: 100.0,
            h: 100.0,
        };
        let centred = Viewport::fit_readable(small, 1000.0, 800.0, LARGE_TYPE_ZOOM);
        let (cx, cy) = centred.to_diagram(500.0, 400.0);
        assert!(
            (cx - 50.0).abs() < 1e-9 && (cy - 50.0).abs() < 1e-9,
            "{cx}, {cy}"
        );
    }

    fn group(id: &str) -> SecurityGroup {
        SecurityGroup {
            id: GroupId::from(id),
            name: id.to_owned(),
            description: String::new(),
            tags: BTreeMap::new(),
            vpc: VpcId::from("vpc-1"),
            group_type: GroupType::Basic,
            inner_access_policy: InnerAccessPolicy::Accept,
            managed_by: None,
            rules: Vec::new(),
        }
    }

    fn ecs(id: &str, groups: &[&str]) -> Endpoint {
        Endpoint {
            id: EndpointId::from(id),
            name: id.to_owned(),
            kind: EndpointKind::Ecs,
            vpc: Some(VpcId::from("vpc-1")),
            enis: vec![Eni {
                id: None,
                private_ips: vec!["10.0.0.1".parse().unwrap()],
                groups: groups.iter().map(|g| GroupId::from(*g)).collect(),
            }],
            public_ip: None,
            pod_ip: None,
            services: None,
        }
    }

    fn external(id: &str) -> Endpoint {
        Endpoint {
            id: EndpointId::from(id),
            name: id.to_owned(),
            kind: EndpointKind::External {
                cidr: "203.0.113.7/32".parse().unwrap(),
            },
            vpc: None,
            enis: Vec::new(),
            public_ip: None,
            pod_ip: None,
            services: None,
        }
    }

    fn topology(groups: &[&str], endpoints: Vec<Endpoint>) -> Topology {
        let mut topology = Topology::default();
        for id in groups {
            topology.groups.insert(GroupId::from(*id), group(id));
        }
        for endpoint in endpoints {
            topology.endpoints.insert(endpoint.id.clone(), endpoint);
        }
        topology
    }

    fn inside(inner: Rect, outer: Rect) -> bool {
        inner.x >= outer.x
            && inner.y >= outer.y
            && inner.right() <= outer.right()
            && inner.bottom() <= outer.bottom()
    }

    #[test]
    fn members_are_drawn_inside_their_first_group_and_clients_on_the_left() {
        let topology = topology(
            &["sg-a", "sg-b"],
            vec![
                ecs("i-1", &["sg-a", "sg-b"]),
                ecs("i-2", &["sg-b"]),
                external("client"),
            ],
        );
        let diagram = layout(&topology);
        let a = diagram.group(&GroupId::from("sg-a")).unwrap();
        let b = diagram.group(&GroupId::from("sg-b")).unwrap();
        let i1 = diagram.node(&EndpointId::from("i-1")).unwrap();
        let i2 = diagram.node(&EndpointId::from("i-2")).unwrap();
        let client = diagram.node(&EndpointId::from("client")).unwrap();
        assert!(inside(i1.rect, a.rect));
        assert!(inside(i2.rect, b.rect));
        assert_eq!(i1.home_group, Some(GroupId::from("sg-a")));
        assert_eq!(i1.other_groups, vec![GroupId::from("sg-b")]);
        assert!(i1.rect.h > i2.rect.h, "the badge line makes the box taller");
        assert_eq!(client.home_group, None);
        assert!(
            client.rect.right() < a.rect.x,
            "the client sits left of the groups"
        );
        assert!(inside(a.rect, diagram.bounds) && inside(client.rect, diagram.bounds));
    }

    #[test]
    fn saved_positions_win_and_the_group_grows_around_a_moved_member() {
        let mut topology = topology(&["sg-a"], vec![ecs("i-1", &["sg-a"])]);
        topology
            .layout
            .insert("i-1".into(), Position { x: 900.0, y: 700.0 });
        let diagram = layout(&topology);
        let node = diagram.node(&EndpointId::from("i-1")).unwrap();
        assert_eq!((node.rect.x, node.rect.y), (900.0, 700.0));
        assert!(inside(
            node.rect,
            diagram.group(&GroupId::from("sg-a")).unwrap().rect
        ));
    }

    #[test]
    fn moving_a_group_carries_its_members() {
        let topology = topology(&["sg-a"], vec![ecs("i-1", &["sg-a"])]);
        let diagram = layout(&topology);
        let group = diagram.group(&GroupId::from("sg-a")).unwrap().rect;
        let node = diagram.node(&EndpointId::from("i-1")).unwrap().rect;
        let moves = moved(&diagram, "sg-a", 10.0, -5.0);
        assert_eq!(
            moves,
            vec![
                (
                    "sg-a".to_owned(),
                    Position {
                        x: group.x + 10.0,
                        y: group.y - 5.0
                    }
                ),
                (
                    "i-1".to_owned(),
                    Position {
                        x: node.x + 10.0,
                        y: node.y - 5.0
                    }
                ),
            ]
        );
        let mut topology = topology;
        topology.layout.extend(moves);
        let again = layout(&topology);
        assert_eq!(
            again.group(&GroupId::from("sg-a")).unwrap().rect.x,
            group.x + 10.0
        );
    }

    #[test]
    fn many_groups_wrap_into_columns() {
        let ids: Vec<String> = (0..9).map(|i| format!("sg-{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let diagram = layout(&topology(&refs, Vec::new()));
        let xs: BTreeSet<i64> = diagram.groups.iter().map(|g| g.rect.x as i64).collect();
        assert_eq!(xs.len(), 3);
    }

    #[test]
    fn edges_start_and_end_on_the_borders() {
        let a = Rect {
            x: 0.0,
            y: 0.0,
            w: 100.0,
            h: 50.0,
        };
        let b = Rect {
            x: 300.0,
            y: 0.0,
            w: 100.0,
            h: 50.0,
        };
        let straight = edge(a, b, 0);
        assert_eq!(straight.from, (100.0, 25.0));
        assert_eq!(straight.to, (300.0, 25.0));
        assert_eq!(straight.label, (200.0, 25.0));
        assert_eq!(straight.path(), "M 100.0 25.0 Q 200.0 25.0 300.0 25.0");
        let bent = edge(a, b, 1);
        let other = edge(a, b, 2);
        assert!(
            bent.label.1 > 25.0 && other.label.1 < 25.0,
            "lanes bend to opposite sides"
        );
    }

    #[test]
    fn lanes_separate_parallel_edges_in_both_directions() {
        let pairs = [("a", "b"), ("b", "a"), ("a", "c"), ("a", "b")];
        assert_eq!(lanes(&pairs), vec![0, 1, 0, 2]);
    }

    #[test]
    fn zooming_keeps_the_pointer_fixed_and_fit_centres() {
        let viewport = Viewport::default().zoom_at(2.0, 100.0, 50.0);
        assert_eq!(viewport.to_diagram(100.0, 50.0), (100.0, 50.0));
        assert_eq!(viewport.zoom, 2.0);
        assert_eq!(Viewport::default().zoom_at(100.0, 0.0, 0.0).zoom, ZOOM_MAX);
        let fit = Viewport::fit(
            Rect {
                x: 0.0,
                y: 0.0,
                w: 200.0,
                h: 100.0,
            },
            400.0,
            400.0,
        );
        assert_eq!(fit.zoom, 1.5);
        assert_eq!(fit.to_diagram(200.0, 200.0), (100.0, 50.0));
    }
}
