//! The presentation layout of the built-in examples: every text inside the drawing, none over
//! another, and large enough on a projector's screen with the explanation's drawer open.

use sglab_core::model::Topology;

use super::present::{self, *};
use super::*;
use crate::engine::{Edges, Reach};

/// The diagram's area in presentation mode at 1024x768 and 1440x900, with the explanation's
/// drawer open (`static/style.css`, section of presentation mode).
const AREAS: [(f64, f64); 2] = [(1024.0, 400.0), (1440.0, 488.0)];

/// A text drawn, with its box in diagram units.
#[derive(Debug)]
#[allow(dead_code)] // `what` names the text in the messages of failures.
struct Text {
    what: String,
    rect: Rect,
}

fn text(what: &str, x: f64, baseline: f64) -> Text {
    Text {
        what: what.to_owned(),
        rect: Rect {
            x,
            y: baseline - ASCENT,
            w: text_width(what),
            h: ASCENT + DESCENT,
        },
    }
}

/// Every text the diagram draws in presentation mode, as the components place them, with the
/// open question's edge between `question`, and what the fit shows.
fn texts(topology: &Topology, diagram: &Diagram, question: (&str, &str)) -> (Vec<Text>, Rect) {
    let topology_shared = Shared::new(topology.clone());
    let edges = Edges::compute(&Reach::compute(&topology_shared));
    let drawn = drawn_edges(topology, diagram, &edges, false, false);
    let placed = present::place_edges(diagram, &drawn.edges);
    let mut out = Vec::new();
    for node in &diagram.nodes {
        let endpoint = &topology.endpoints[&node.id];
        let name = shown_name(&endpoint.name, node.id.as_str());
        out.push(text(
            &name,
            node.rect.x + CARD_PAD,
            centred_baseline(node.rect),
        ));
    }
    for group in &diagram.groups {
        let name = shown_name(&topology.groups[&group.id].name, group.id.as_str());
        out.push(text(&name, group.rect.x + PAD, title_baseline(group.rect)));
    }
    for vpc in &diagram.vpcs {
        out.push(text(&vpc.title, vpc.rect.x + PAD, vpc_baseline(vpc.rect)));
    }
    let mut labels: Vec<Rect> = Vec::new();
    for (edge, placed) in drawn.edges.iter().zip(&placed) {
        let label = placed.label;
        out.push(text(
            &edge.label,
            label.x + TEXT / 2.0,
            centred_baseline(label),
        ));
        labels.push(label);
    }
    let (Some(from), Some(to)) = (
        diagram.nodes.iter().find(|n| n.id.as_str() == question.0),
        diagram.nodes.iter().find(|n| n.id.as_str() == question.1),
    ) else {
        panic!("the question's endpoints are drawn");
    };
    let geometry = edge(from.rect, to.rect, 0);
    let words = "\u{2714} tcp 80";
    let spot = query_label(diagram, &geometry, words, &labels);
    out.push(text(words, spot.x + 0.6 * TEXT, centred_baseline(spot)));
    labels.push(spot);
    (out, shown_bounds(diagram.bounds, labels.into_iter()))
}

fn inside(inner: Rect, outer: Rect) -> bool {
    inner.x >= outer.x - 1e-9
        && inner.y >= outer.y - 1e-9
        && inner.right() <= outer.right() + 1e-9
        && inner.bottom() <= outer.bottom() + 1e-9
}

fn overlap(a: Rect, b: Rect) -> bool {
    a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
}

/// The problems of the presentation layout of `topology` in `area`: texts outside the drawing
/// or over another, and the size of its text on screen.
fn check(topology: &Topology, area: (f64, f64), question: (&str, &str)) -> (Vec<String>, f64) {
    let diagram = present::present(topology, area);
    let (texts, shown) = texts(topology, &diagram, question);
    let mut problems = Vec::new();
    for (index, a) in texts.iter().enumerate() {
        if !inside(a.rect, shown) {
            problems.push(format!("{a:?} outside {shown:?}"));
        }
        for b in &texts[index + 1..] {
            if overlap(a.rect, b.rect) {
                problems.push(format!("{a:?} over {b:?}"));
            }
        }
    }
    for node in &diagram.nodes {
        let name = &texts
            .iter()
            .find(|t| node.rect.x + CARD_PAD == t.rect.x && t.rect.y > node.rect.y)
            .map(|t| t.rect);
        if let Some(name) = name {
            if !inside(*name, node.rect) {
                problems.push(format!("the name of {} leaves its card", node.id));
            }
        }
    }
    let inner = |side: f64| side - 2.0 * super::viewport::FIT_MARGIN;
    let zoom = (inner(area.0) / shown.w).min(inner(area.1) / shown.h);
    (problems, zoom * TEXT)
}

#[test]
fn the_ai_gateway_reads_at_18_pixels_on_a_projector_with_the_drawer_open() {
    let Ok(topology) = crate::engine::example("ai-gateway") else {
        panic!("the example opens");
    };
    for area in AREAS {
        let (problems, size) = check(&topology, area, ("client", "gw-node-1"));
        assert!(problems.is_empty(), "{area:?}: {problems:#?}");
        assert!(size >= 18.0, "{area:?}: text of {size:.1} px");
    }
}

#[test]
fn every_example_keeps_its_texts_apart_inside_and_at_18_pixels() {
    for (id, _) in crate::engine::example_list() {
        let Ok(topology) = crate::engine::example(id) else {
            panic!("the example {id} opens");
        };
        let mut ids = topology.endpoints.keys();
        let (Some(from), Some(to)) = (ids.next(), ids.next()) else {
            continue;
        };
        let (problems, size) = check(&topology, AREAS[0], (from.as_str(), to.as_str()));
        assert!(problems.is_empty(), "{id}: {problems:#?}");
        assert!(size >= 18.0, "{id}: text of {size:.1} px at 1024x768");
    }
}

#[test]
fn names_are_cut_to_a_length() {
    assert_eq!(shown_name("", "sg-1"), "sg-1");
    assert_eq!(shown_name("web", "sg-1"), "web");
    assert_eq!(shown_name(&"x".repeat(30), "id").chars().count(), NAME_MAX);
}

#[test]
fn a_wider_screen_gets_a_wider_arrangement() {
    let Ok(topology) = crate::engine::example("ai-gateway") else {
        panic!("the example opens");
    };
    let strip = present::present(&topology, (1600.0, 300.0)).bounds;
    let square = present::present(&topology, (800.0, 800.0)).bounds;
    assert!(
        strip.w / strip.h > square.w / square.h,
        "{strip:?} {square:?}"
    );
}
