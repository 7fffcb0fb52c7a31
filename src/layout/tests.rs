//! The layout's tests: placement, saved positions, moves, edge geometry and the viewport.

use super::*;
use crate::layout::viewport::FIT_MARGIN;
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
        rules: Default::default(),
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
            private_ips: vec!["10.0.0.1".parse().expect("an address")],
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
            cidr: "203.0.113.7/32".parse().expect("a block"),
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
    let a = diagram.group(&GroupId::from("sg-a")).expect("placed");
    let b = diagram.group(&GroupId::from("sg-b")).expect("placed");
    let i1 = diagram.node(&EndpointId::from("i-1")).expect("placed");
    let i2 = diagram.node(&EndpointId::from("i-2")).expect("placed");
    let client = diagram.node(&EndpointId::from("client")).expect("placed");
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
    let node = diagram.node(&EndpointId::from("i-1")).expect("placed");
    assert_eq!((node.rect.x, node.rect.y), (900.0, 700.0));
    assert!(inside(
        node.rect,
        diagram.group(&GroupId::from("sg-a")).expect("placed").rect
    ));
}

#[test]
fn moving_a_group_carries_its_members() {
    let topology = topology(&["sg-a"], vec![ecs("i-1", &["sg-a"])]);
    let diagram = layout(&topology);
    let group = diagram.group(&GroupId::from("sg-a")).expect("placed").rect;
    let node = diagram.node(&EndpointId::from("i-1")).expect("placed").rect;
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
        again.group(&GroupId::from("sg-a")).expect("placed").rect.x,
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
