//! Edge labels keep clear of node cards, of the titles of groups and VPCs, of arrow heads and of
//! each other, on the built-in examples and on random small topologies; VPCs are drawn as regions
//! around their groups.

use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::model::{Topology, Vpc, VpcId};

use super::labels::overlaps;
use super::*;
use crate::engine::{Edges, Reach};

/// Every label of the drawn edges (with external hosts and group insides shown, the most
/// crowded drawing) that covers a box or another label, as `edge testid covers rect`.
fn covered_boxes(topology: Topology) -> Vec<String> {
    let topology = Shared::new(topology);
    let reach = Reach::compute(&topology);
    let edges = Edges::compute(&reach);
    let diagram = layout(&topology);
    let drawn = drawn_edges(&topology, &diagram, &edges, true, true);
    let boxes = obstacles(&diagram);
    let placed = place_edges(&diagram, &drawn.edges);
    assert_eq!(placed.len(), drawn.edges.len());
    let mut covered = Vec::new();
    for (index, (edge, label)) in drawn.edges.iter().zip(&placed).enumerate() {
        for rect in boxes.iter().filter(|rect| intersects(label.label, **rect)) {
            covered.push(format!("{} covers {rect:?}", edge.testid));
        }
        for (other, other_placed) in drawn.edges.iter().zip(&placed) {
            if intersects(label.label, labels::arrow_head(&other_placed.geometry)) {
                covered.push(format!(
                    "{} covers the arrow head of {}",
                    edge.testid, other.testid
                ));
            }
        }
        for (other, other_placed) in drawn.edges.iter().zip(&placed).skip(index + 1) {
            if intersects(label.label, other_placed.label) {
                covered.push(format!(
                    "{} covers the label of {}",
                    edge.testid, other.testid
                ));
            }
        }
    }
    covered
}

/// Whether two rectangles share any area (touching borders do not count).
fn intersects(a: Rect, b: Rect) -> bool {
    a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
}

#[test]
fn labels_of_the_examples_cover_no_card_no_title_and_no_other_label() {
    for (id, _) in crate::engine::example_list() {
        let Ok(topology) = crate::engine::example(id) else {
            panic!("the example {id} opens");
        };
        let covered = covered_boxes(topology);
        assert!(covered.is_empty(), "{id}: {covered:?}");
    }
}

#[test]
fn labels_of_random_small_topologies_cover_no_card_no_title_and_no_other_label() {
    for seed in 0..40u64 {
        let shape = Shape::ALL[(seed as usize) % Shape::ALL.len()];
        let endpoints = 3 + (seed as usize * 7) % 12;
        let groups = 1 + (seed as usize * 5) % 6;
        let params = GenParams::of_shape(shape, endpoints, groups, 4 * groups);
        let topology = generate(seed, &params);
        let covered = covered_boxes(topology);
        assert!(covered.is_empty(), "seed {seed}: {covered:?}");
    }
}

#[test]
fn a_label_in_the_way_moves_along_its_edge() {
    let from = Rect {
        x: 0.0,
        y: 0.0,
        w: 100.0,
        h: 50.0,
    };
    let to = Rect { x: 400.0, ..from };
    // A card right where the middle of the edge is.
    let card = Rect {
        x: 180.0,
        y: 0.0,
        w: 40.0,
        h: 50.0,
    };
    let diagram = Diagram {
        nodes: vec![NodeBox {
            id: "in-the-way".into(),
            rect: card,
            kind: NodeKind::Ecs,
            home_group: None,
            other_groups: Vec::new(),
        }],
        bounds: from.union(to),
        ..Diagram::default()
    };
    let edge = DrawnEdge {
        from_rect: from,
        to_rect: to,
        from_key: "a".to_owned(),
        to_key: "b".to_owned(),
        label: "tcp 443".to_owned(),
        query: None,
        testid: "edge-a-b".to_owned(),
        title: String::new(),
    };
    let placed = place_edges(&diagram, std::slice::from_ref(&edge));
    assert!(!overlaps(placed[0].label, card), "{:?}", placed[0].label);
    assert!(
        placed[0].label.x >= from.right() - 1.0 && placed[0].label.right() <= to.x + 1.0,
        "still between the boxes: {:?}",
        placed[0].label
    );
}

fn vpc(id: &str) -> Vpc {
    Vpc {
        id: VpcId::from(id),
        name: id.to_owned(),
        cidr: "10.0.0.0/16".parse().ok(),
    }
}

#[test]
fn a_vpc_alone_is_drawn_as_a_titled_region() {
    let mut topology = Topology::default();
    topology.vpcs.insert(VpcId::from("vpc-1"), vpc("vpc-1"));
    let diagram = layout(&topology);
    assert_eq!(diagram.vpcs.len(), 1);
    let region = &diagram.vpcs[0];
    assert_eq!(region.title, "VPC vpc-1 \u{00b7} 10.0.0.0/16");
    assert!(region.rect.w > 0.0 && region.rect.h > VPC_TITLE_H);
    assert!(diagram.bounds.x <= region.rect.x && diagram.bounds.right() >= region.rect.right());
}

#[test]
fn a_vpc_region_holds_its_groups_and_follows_a_dragged_group() {
    let Ok(topology) = crate::engine::example("ai-gateway") else {
        panic!("the example opens");
    };
    let diagram = layout(&topology);
    assert_eq!(diagram.vpcs.len(), topology.vpcs.len());
    for region in &diagram.vpcs {
        for group in diagram
            .groups
            .iter()
            .filter(|g| region.groups.contains(&g.id))
        {
            let (r, g) = (region.rect, group.rect);
            assert!(
                g.x >= r.x
                    && g.y >= r.y + VPC_TITLE_H
                    && g.right() <= r.right()
                    && g.bottom() <= r.bottom(),
                "{:?} inside {:?}",
                group.id,
                region.id
            );
        }
    }
    let Some(first) = diagram.vpcs[0].groups.first() else {
        panic!("the example's VPC has groups");
    };
    let dragged = shifted(&diagram, first.as_str(), 0.0, 500.0);
    let moved = dragged
        .group(first)
        .map(|g| g.rect.bottom())
        .unwrap_or_default();
    assert!(dragged.vpcs[0].rect.bottom() >= moved);
}
