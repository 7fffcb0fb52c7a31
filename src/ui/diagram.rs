//! The diagram: groups as containers holding their endpoints, reachability edges labelled with
//! the allowed ports. Declarative SVG; the geometry comes from [`crate::layout`].
//!
//! Colours are SVG attributes rather than CSS classes so that an exported SVG or PNG looks
//! the same as the screen.

use std::collections::BTreeMap;

use sglab_core::explain::Explanation;
use sglab_core::model::{EndpointKind, GroupType, InnerAccessPolicy, SecurityGroup, Topology};
use web_sys::Element;
use yew::prelude::*;

use crate::engine::{Cell, Edges, GroupEdge};
use crate::layout::{self, Diagram, NodeKind, Rect, Viewport};
use crate::state::Action;
use crate::types::{Query, Selection, Shared};
use sglab_core::matrix::Bucket;

/// Green of allowed edges.
pub const ALLOWED: &str = "#1a7f37";
/// Red of blocked edges.
pub const BLOCKED: &str = "#cf222e";

/// Props of [`DiagramView`], compared by what the drawing reads (see [`same_drawing`]), so
/// that an edit of rules that leaves the edges as they were does not draw the diagram again.
#[derive(Properties)]
pub struct DiagramProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The placed diagram.
    pub diagram: Shared<Diagram>,
    /// The reachability edges.
    pub edges: Shared<Edges>,
    /// The open explanation, drawn as a highlighted edge.
    pub explanation: Option<Shared<Explanation>>,
    /// What is selected.
    pub selection: Selection,
    /// Large type (projectors): the fit never shrinks the text below a readable size.
    pub large_type: bool,
    /// State changes.
    pub dispatch: Callback<Action>,
}

impl PartialEq for DiagramProps {
    fn eq(&self, other: &Self) -> bool {
        same_drawing(&self.topology, &other.topology)
            && self.diagram == other.diagram
            && self.edges == other.edges
            && self.explanation == other.explanation
            && self.selection == other.selection
            && self.large_type == other.large_type
            && self.dispatch == other.dispatch
    }
}

/// Whether two topologies draw alike: the same title, endpoints and groups but for the
/// groups' rules, which the diagram shows only through its edges.
///
/// Every field of [`Topology`] and [`SecurityGroup`] is named, so that a new field fails to
/// build here until someone decides whether the drawing shows it.
fn same_drawing(a: &Topology, b: &Topology) -> bool {
    if std::ptr::eq(a, b) {
        return true;
    }
    let Topology {
        // The svg's label and the fit on load.
        name,
        // VPCs are not drawn.
        vpcs: _,
        // Group boxes show names, types, policies and the managing product.
        groups,
        // Node cards show names, kinds, addresses, services and badges.
        endpoints,
        // Pods are drawn as endpoints; the cluster itself is not.
        clusters: _,
        // Gateways are drawn through their nodes and groups, which the layout places.
        gateways: _,
        // Prefix lists are not drawn.
        prefix_lists: _,
        // Expectations are not drawn.
        expectations: _,
        // Positions reach the drawing through the placed diagram, compared on its own.
        layout: _,
    } = a;
    *name == b.name
        && *endpoints == b.endpoints
        && groups.len() == b.groups.len()
        && groups
            .values()
            .zip(b.groups.values())
            .all(|(a, b)| same_group_box(a, b))
}

/// Whether two groups draw the same box: everything but the rules, which the diagram shows
/// only through the edges (compared on their own).
fn same_group_box(a: &SecurityGroup, b: &SecurityGroup) -> bool {
    let SecurityGroup {
        // The box's test id and subtitle.
        id,
        // The box's title.
        name,
        // Shown only in the inspector.
        description: _,
        // Shown only in the inspector.
        tags: _,
        // Not drawn.
        vpc: _,
        // The subtitle says basic or enterprise.
        group_type,
        // The subtitle says whether members reach each other.
        inner_access_policy,
        // A managed group is drawn dashed and purple.
        managed_by,
        // Drawn only through the edges.
        rules: _,
    } = a;
    *id == b.id
        && *name == b.name
        && *group_type == b.group_type
        && *inner_access_policy == b.inner_access_policy
        && *managed_by == b.managed_by
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum DragKind {
    Object,
    Pan,
}

#[derive(Clone, Debug, PartialEq)]
struct Drag {
    kind: DragKind,
    /// The object id (endpoint or group); empty when panning.
    id: String,
    start_x: f64,
    start_y: f64,
    dx: f64,
    dy: f64,
    viewport: Viewport,
}

/// One drawn edge.
#[derive(Clone, Debug, PartialEq)]
struct DrawnEdge {
    from_rect: Rect,
    to_rect: Rect,
    from_key: String,
    to_key: String,
    label: String,
    query: Option<Query>,
    testid: String,
    title: String,
}

/// The diagram with its own toolbar (zoom, fit, auto-layout, edge filters).
#[component]
pub fn DiagramView(props: &DiagramProps) -> Html {
    let svg_ref = use_node_ref();
    let viewport = use_state(Viewport::default);
    let drag = use_state(|| None::<Drag>);
    let show_external = use_state(|| false);
    let show_intra = use_state(|| false);
    let fitted = use_mut_ref(|| false);

    // Shared, never copied per render or per handler: a large diagram has thousands of nodes.
    let base: &Shared<Diagram> = &props.diagram;
    // Fit the drawing once after the first render and whenever a new topology is loaded.
    {
        let viewport = viewport.clone();
        let svg_ref = svg_ref.clone();
        let bounds = base.bounds;
        let fitted = fitted.clone();
        let node_count = base.nodes.len();
        let panel_open = props.explanation.is_some();
        let min_zoom = fit_zoom(props.large_type);
        use_effect_with(
            (
                props.topology.name.clone(),
                node_count,
                panel_open,
                props.large_type,
            ),
            move |_| {
                if let Some(svg) = svg_ref.cast::<Element>() {
                    let rect = svg.get_bounding_client_rect();
                    viewport.set(Viewport::fit_readable(
                        bounds,
                        rect.width(),
                        rect.height(),
                        min_zoom,
                    ));
                    *fitted.borrow_mut() = true;
                }
            },
        );
    }

    // During a drag the moved objects are drawn at their new place.
    let diagram = match &*drag {
        Some(drag) if drag.kind == DragKind::Object && (drag.dx != 0.0 || drag.dy != 0.0) => {
            std::borrow::Cow::Owned(shifted(base, &drag.id, drag.dx, drag.dy))
        }
        _ => std::borrow::Cow::Borrowed(&**base),
    };

    let edges = edges(
        &props.topology,
        &diagram,
        &props.edges,
        *show_external,
        *show_intra,
    );
    let aggregated = edges.1;
    let edges = edges.0;

    let svg_point = {
        let svg_ref = svg_ref.clone();
        move |x: i32, y: i32| -> (f64, f64) {
            match svg_ref.cast::<Element>() {
                Some(svg) => {
                    let rect = svg.get_bounding_client_rect();
                    (f64::from(x) - rect.left(), f64::from(y) - rect.top())
                }
                None => (f64::from(x), f64::from(y)),
            }
        }
    };

    let start_drag = {
        let drag = drag.clone();
        let viewport = viewport.clone();
        let svg_ref = svg_ref.clone();
        move |kind: DragKind, id: String, event: &PointerEvent| {
            if event.button() != 0 {
                return;
            }
            event.stop_propagation();
            if let Some(svg) = svg_ref.cast::<Element>() {
                let _ = svg.set_pointer_capture(event.pointer_id());
            }
            drag.set(Some(Drag {
                kind,
                id,
                start_x: f64::from(event.client_x()),
                start_y: f64::from(event.client_y()),
                dx: 0.0,
                dy: 0.0,
                viewport: *viewport,
            }));
        }
    };

    let onpointermove = {
        let drag = drag.clone();
        let viewport = viewport.clone();
        Callback::from(move |event: PointerEvent| {
            let Some(current) = (*drag).clone() else {
                return;
            };
            let (mx, my) = (
                f64::from(event.client_x()) - current.start_x,
                f64::from(event.client_y()) - current.start_y,
            );
            match current.kind {
                DragKind::Object => {
                    let zoom = current.viewport.zoom;
                    drag.set(Some(Drag {
                        dx: mx / zoom,
                        dy: my / zoom,
                        ..current
                    }));
                }
                DragKind::Pan => {
                    viewport.set(Viewport {
                        pan_x: current.viewport.pan_x + mx,
                        pan_y: current.viewport.pan_y + my,
                        ..current.viewport
                    });
                }
            }
        })
    };

    let onpointerup = {
        let drag = drag.clone();
        let dispatch = props.dispatch.clone();
        let base = base.clone();
        Callback::from(move |_event: PointerEvent| {
            let Some(current) = (*drag).clone() else {
                return;
            };
            drag.set(None);
            if current.kind != DragKind::Object {
                return;
            }
            let moved = current.dx.abs() > 2.0 || current.dy.abs() > 2.0;
            if moved {
                dispatch.emit(Action::Move(layout::moved(
                    &base,
                    &current.id,
                    current.dx,
                    current.dy,
                )));
            } else {
                dispatch.emit(Action::Select(select_for(&base, &current.id)));
            }
        })
    };

    let onpointerdown_background = {
        let start_drag = start_drag.clone();
        Callback::from(move |event: PointerEvent| start_drag(DragKind::Pan, String::new(), &event))
    };

    let onwheel = {
        let viewport = viewport.clone();
        let svg_point = svg_point.clone();
        Callback::from(move |event: WheelEvent| {
            event.prevent_default();
            let (sx, sy) = svg_point(event.client_x(), event.client_y());
            let factor = if event.delta_y() < 0.0 {
                1.15
            } else {
                1.0 / 1.15
            };
            viewport.set(viewport.zoom_at(factor, sx, sy));
        })
    };

    let zoom_button = |factor: f64| {
        let viewport = viewport.clone();
        let svg_ref = svg_ref.clone();
        Callback::from(move |_: MouseEvent| {
            let (w, h) = svg_ref
                .cast::<Element>()
                .map(|svg| {
                    let rect = svg.get_bounding_client_rect();
                    (rect.width(), rect.height())
                })
                .unwrap_or((800.0, 600.0));
            viewport.set(viewport.zoom_at(factor, w / 2.0, h / 2.0));
        })
    };
    let fit = {
        let viewport = viewport.clone();
        let svg_ref = svg_ref.clone();
        let bounds = base.bounds;
        let min_zoom = fit_zoom(props.large_type);
        Callback::from(move |_: MouseEvent| {
            if let Some(svg) = svg_ref.cast::<Element>() {
                let rect = svg.get_bounding_client_rect();
                viewport.set(Viewport::fit_readable(
                    bounds,
                    rect.width(),
                    rect.height(),
                    min_zoom,
                ));
            }
        })
    };
    let auto_layout = props
        .dispatch
        .reform(|_: MouseEvent| Action::Edit(crate::edit::Edit::AutoLayout));
    let toggle = |handle: &UseStateHandle<bool>| {
        let handle = handle.clone();
        Callback::from(move |_: Event| handle.set(!*handle))
    };

    let topology = &*props.topology;
    let selected_key = match &props.selection {
        Selection::Group(id) => Some(id.to_string()),
        Selection::Endpoint(id) => Some(id.to_string()),
        _ => None,
    };

    // Group containers.
    let groups_html: Html = diagram
        .groups
        .iter()
        .map(|group_box| {
            let Some(group) = topology.groups.get(&group_box.id) else { return html! {} };
            let r = group_box.rect;
            let managed = group.managed_by.is_some();
            let (fill, stroke) = if managed { ("#f3f0ff", "#8250df") } else { ("#f6f8fa", "#57606a") };
            let selected = selected_key.as_deref() == Some(group.id.as_str());
            let id = group.id.to_string();
            let onpointerdown = {
                let start_drag = start_drag.clone();
                let id = id.clone();
                Callback::from(move |event: PointerEvent| start_drag(DragKind::Object, id.clone(), &event))
            };
            let onkeydown = keyboard_handler(&props.dispatch, base, id.clone(), Selection::Group(group.id.clone()));
            let kind = match group.group_type {
                GroupType::Basic => "basic",
                GroupType::Enterprise => "enterprise",
            };
            let policy = match (&group.managed_by, group.group_type, group.inner_access_policy) {
                (Some(product), _, _) => format!("managed by {product}, read-only"),
                (None, GroupType::Basic, InnerAccessPolicy::Accept) => "members reach each other".to_owned(),
                (None, GroupType::Basic, InnerAccessPolicy::Drop) | (None, GroupType::Enterprise, _) => "members isolated".to_owned(),
            };
            let subtitle = format!("{id} \u{00b7} {kind} \u{00b7} {policy}");
            html! {
                <g class={classes!("sg", selected.then_some("selected"))} data-testid={format!("diagram-group-{id}")}
                    tabindex="0" role="button" aria-label={format!("security group {} ({}), {}", group.name, id, subtitle)}
                    {onpointerdown} {onkeydown}>
                    <title>{ format!("{} ({}): {}", group.name, id, subtitle) }</title>
                    <rect x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="10" fill={fill}
                        stroke={if selected { "#0969da" } else { stroke }} stroke-width={if selected { "3" } else { "1.5" }}
                        stroke-dasharray={if managed { "6 4" } else { "none" }} />
                    <text x={f(r.x + 14.0)} y={f(r.y + 21.0)} font-size="15" font-weight="700" fill="#1f2328">
                        { truncate(&title_of(&group.name, &id), ((r.w - 24.0) / 8.6) as usize) }
                    </text>
                    <text x={f(r.x + 14.0)} y={f(r.y + 37.0)} font-size="11.5" fill="#57606a">{ truncate(&subtitle, ((r.w - 24.0) / 6.2) as usize) }</text>
                </g>
            }
        })
        .collect();

    // Dashed lines from an endpoint to its other groups.
    let membership_lines: Html = diagram
        .nodes
        .iter()
        .flat_map(|node| {
            node.other_groups.iter().filter_map(|group| {
                let target = diagram.group(group)?;
                let g = layout::edge(node.rect, target.rect, 0);
                Some(html! {
                    <path d={g.path()} fill="none" stroke="#8c959f" stroke-width="1.5" stroke-dasharray="3 4"
                        data-testid={format!("membership-{}-{}", node.id, group)} />
                })
            })
        })
        .collect();

    // Endpoint boxes.
    let nodes_html: Html = diagram
        .nodes
        .iter()
        .map(|node| {
            let Some(endpoint) = topology.endpoints.get(&node.id) else { return html! {} };
            let r = node.rect;
            let id = node.id.to_string();
            let (tag, fill, stroke) = match node.kind {
                NodeKind::Ecs => ("ECS", "#ffffff", "#0969da"),
                NodeKind::Pod => ("POD", "#ffffff", "#1a7f37"),
                NodeKind::Gateway => ("GW", "#ffffff", "#8250df"),
                NodeKind::External => ("EXT", "#fff8c5", "#9a6700"),
            };
            let selected = selected_key.as_deref() == Some(id.as_str());
            let address = match &endpoint.kind {
                EndpointKind::External { cidr } => cidr.to_string(),
                _ => endpoint
                    .enis
                    .first()
                    .and_then(|eni| eni.private_ips.first())
                    .map(ToString::to_string)
                    .or(endpoint.pod_ip.map(|ip| ip.to_string()))
                    .unwrap_or_default(),
            };
            let services = endpoint
                .services
                .as_ref()
                .map(|services| {
                    services
                        .iter()
                        .map(|s| format!("{}{}", s.ports.start(), if s.up { "" } else { " (down)" }))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            let detail = if services.is_empty() { address } else { format!("{address} \u{00b7} :{services}") };
            let onpointerdown = {
                let start_drag = start_drag.clone();
                let id = id.clone();
                Callback::from(move |event: PointerEvent| start_drag(DragKind::Object, id.clone(), &event))
            };
            let onkeydown = keyboard_handler(&props.dispatch, base, id.clone(), Selection::Endpoint(node.id.clone()));
            let badges: Html = node
                .other_groups
                .iter()
                .take(3)
                .enumerate()
                .map(|(index, group)| {
                    let y = r.y + layout::NODE_H + index as f64 * layout::BADGE_LINE_H + 4.0;
                    html! {
                        <g data-testid={format!("badge-{}-{}", id, group)}>
                            <rect x={f(r.x + 8.0)} y={f(y - 12.0)} width={f(r.w - 16.0)} height="16" rx="8" fill="#eaeef2" />
                            <text x={f(r.x + 16.0)} y={f(y)} font-size="11" fill="#1f2328">{ format!("also in {}", truncate(group.as_str(), 22)) }</text>
                        </g>
                    }
                })
                .collect();
            html! {
                <g class={classes!("node", selected.then_some("selected"))} data-testid={format!("diagram-node-{id}")}
                    tabindex="0" role="button" aria-label={format!("{} {}", crate::engine::kind_words(&endpoint.kind), title_of(&endpoint.name, &id))}
                    {onpointerdown} {onkeydown}>
                    <rect x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="8" fill={fill}
                        stroke={if selected { "#0969da" } else { stroke }} stroke-width={if selected { "3" } else { "1.5" }} />
                    <rect x={f(r.x + 8.0)} y={f(r.y + 8.0)} width="34" height="18" rx="4" fill={stroke} />
                    <text x={f(r.x + 25.0)} y={f(r.y + 21.0)} font-size="10.5" font-weight="700" fill="#ffffff" text-anchor="middle">{ tag }</text>
                    <text x={f(r.x + 50.0)} y={f(r.y + 22.0)} font-size="14" font-weight="600" fill="#1f2328">{ truncate(&title_of(&endpoint.name, &id), 17) }</text>
                    <text x={f(r.x + 10.0)} y={f(r.y + 44.0)} font-size="12" fill="#57606a">{ truncate(&detail, 28) }</text>
                    { badges }
                </g>
            }
        })
        .collect();

    // Reachability edges.
    let pairs: Vec<(String, String)> = edges
        .iter()
        .map(|e| (e.from_key.clone(), e.to_key.clone()))
        .collect();
    let lanes = layout::lanes(&pairs);
    let edges_html: Html = edges
        .iter()
        .zip(lanes)
        .map(|(edge, lane)| {
            let g = layout::edge(edge.from_rect, edge.to_rect, lane);
            let onclick = edge.query.clone().map(|query| props.dispatch.reform(move |_: MouseEvent| Action::Ask(query.clone())));
            let onkeydown = edge.query.clone().map(|query| {
                let dispatch = props.dispatch.clone();
                Callback::from(move |event: KeyboardEvent| {
                    if event.key() == "Enter" || event.key() == " " {
                        event.prevent_default();
                        dispatch.emit(Action::Ask(query.clone()));
                    }
                })
            });
            let width = (edge.label.chars().count() as f64 * 7.0 + 16.0).max(40.0);
            html! {
                <g class="edge" data-testid={edge.testid.clone()} tabindex="0" role="button" aria-label={edge.title.clone()} {onclick} {onkeydown}>
                    <title>{ &edge.title }</title>
                    <path d={g.path()} fill="none" stroke="transparent" stroke-width="12" />
                    <path d={g.path()} fill="none" stroke={ALLOWED} stroke-width="2.2" marker-end="url(#arrow-allowed)" />
                    <rect x={f(g.label.0 - width / 2.0)} y={f(g.label.1 - 11.0)} width={f(width)} height="20" rx="10"
                        fill="#dafbe1" stroke={ALLOWED} stroke-width="1" />
                    <text x={f(g.label.0)} y={f(g.label.1 + 4.0)} font-size="12" font-weight="600" fill="#116329" text-anchor="middle"
                        data-testid="edge-label">{ &edge.label }</text>
                </g>
            }
        })
        .collect();

    // The open question, allowed or blocked.
    let query_edge = props.explanation.as_ref().and_then(|explanation| {
        let from = diagram.node(&explanation.from)?;
        let to = diagram.node(&explanation.to)?;
        let g = layout::edge(from.rect, to.rect, 0);
        let allowed = crate::engine::allowed(explanation);
        let color = if allowed { ALLOWED } else { BLOCKED };
        let port = explanation.port.map(|p| format!(" {p}")).unwrap_or_default();
        let label = format!("{} {}{}", if allowed { "\u{2714}" } else { "\u{2716}" }, explanation.protocol, port);
        let width = label.chars().count() as f64 * 8.0 + 18.0;
        Some(html! {
            <g class="query-edge" data-testid="query-edge" data-verdict={if allowed { "allow" } else { "deny" }}>
                <path d={g.path()} fill="none" stroke={color} stroke-width="4" stroke-dasharray={if allowed { "none" } else { "9 6" }}
                    marker-end={if allowed { "url(#arrow-allowed)" } else { "url(#arrow-blocked)" }} />
                <rect x={f(g.label.0 - width / 2.0)} y={f(g.label.1 - 13.0)} width={f(width)} height="24" rx="12" fill={color} />
                <text x={f(g.label.0)} y={f(g.label.1 + 4.0)} font-size="13" font-weight="700" fill="#ffffff" text-anchor="middle">{ label }</text>
            </g>
        })
    });

    let b = base.bounds;
    let cursor = match drag.as_ref().map(|d| d.kind) {
        Some(DragKind::Pan) => "grabbing",
        Some(DragKind::Object) => "move",
        None => "grab",
    };
    let hidden_note = match (aggregated, props.edges.complete) {
        (true, true) => Some(format!(
            "{} connections: drawn per group pair",
            props.edges.cells.len()
        )),
        (true, false) => Some(format!(
            "{} endpoints: edges drawn per group pair (at most {LARGE_EDGES_MAX}); the matrix has every pair",
            props.topology.endpoints.len()
        )),
        _ => None,
    };

    html! {
        <div class="diagram" data-testid="diagram">
            <div class="diagram-tools" role="toolbar" aria-label="Diagram">
                <button type="button" class="icon-button" onclick={zoom_button(1.25)} aria-label="Zoom in" title="Zoom in" data-testid="zoom-in">{ "+" }</button>
                <button type="button" class="icon-button" onclick={zoom_button(0.8)} aria-label="Zoom out" title="Zoom out" data-testid="zoom-out">{ "\u{2212}" }</button>
                <button type="button" onclick={fit} data-testid="zoom-fit" title="Fit the drawing">{ "Fit" }</button>
                <button type="button" onclick={auto_layout} data-testid="auto-layout" title="Forget moved positions and lay out again">{ "Auto-layout" }</button>
                <label class="check"><input type="checkbox" checked={*show_external} onchange={toggle(&show_external)} data-testid="show-external" />{ " edges to external hosts" }</label>
                <label class="check"><input type="checkbox" checked={*show_intra} onchange={toggle(&show_intra)} data-testid="show-intra" />{ " edges inside a group" }</label>
                <span class="legend" aria-label="Legend">
                    <span class="legend-item"><span class="swatch allowed" aria-hidden="true"></span>{ "\u{2714} allowed" }</span>
                    <span class="legend-item"><span class="swatch blocked" aria-hidden="true"></span>{ "\u{2716} blocked (asked)" }</span>
                    <span class="legend-item"><span class="swatch member" aria-hidden="true"></span>{ "also a member" }</span>
                </span>
                if let Some(note) = hidden_note {
                    <span class="diagram-note" data-testid="diagram-note">{ note }</span>
                }
            </div>
            <svg ref={svg_ref} class="diagram-svg" data-testid="diagram-svg" xmlns="http://www.w3.org/2000/svg"
                role="img" aria-label={format!("Diagram of {}", topology.name)}
                data-bounds={format!("{} {} {} {}", f(b.x), f(b.y), f(b.w), f(b.h))}
                font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
                style={format!("cursor: {cursor}")}
                onpointerdown={onpointerdown_background} {onpointermove} {onpointerup} {onwheel}>
                <defs>
                    <marker id="arrow-allowed" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" fill={ALLOWED} />
                    </marker>
                    <marker id="arrow-blocked" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" fill={BLOCKED} />
                    </marker>
                </defs>
                <g data-viewport="true" transform={viewport.transform()}>
                    <rect x={f(b.x)} y={f(b.y)} width={f(b.w)} height={f(b.h)} fill="#ffffff" />
                    { groups_html }
                    { membership_lines }
                    { nodes_html }
                    { edges_html }
                    { query_edge.unwrap_or_default() }
                </g>
            </svg>
        </div>
    }
}

fn f(value: f64) -> String {
    format!("{value:.1}")
}

fn title_of(name: &str, id: &str) -> String {
    if name.is_empty() {
        id.to_owned()
    } else {
        name.to_owned()
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}\u{2026}")
    }
}

fn select_for(diagram: &Diagram, id: &str) -> Selection {
    if let Some(group) = diagram.groups.iter().find(|g| g.id.as_str() == id) {
        return Selection::Group(group.id.clone());
    }
    match diagram.nodes.iter().find(|n| n.id.as_str() == id) {
        Some(node) => Selection::Endpoint(node.id.clone()),
        None => Selection::None,
    }
}

/// Enter selects; arrow keys move the object by 20 units (Shift: 80).
fn keyboard_handler(
    dispatch: &Callback<Action>,
    diagram: &Shared<Diagram>,
    id: String,
    selection: Selection,
) -> Callback<KeyboardEvent> {
    let dispatch = dispatch.clone();
    let diagram = diagram.clone();
    Callback::from(move |event: KeyboardEvent| {
        let step = if event.shift_key() { 80.0 } else { 20.0 };
        let delta = match event.key().as_str() {
            "Enter" | " " => {
                event.prevent_default();
                dispatch.emit(Action::Select(selection.clone()));
                return;
            }
            "ArrowLeft" => (-step, 0.0),
            "ArrowRight" => (step, 0.0),
            "ArrowUp" => (0.0, -step),
            "ArrowDown" => (0.0, step),
            _ => return,
        };
        event.prevent_default();
        event.stop_propagation();
        dispatch.emit(Action::Move(layout::moved(&diagram, &id, delta.0, delta.1)));
    })
}

/// The diagram with object `id` (and, for a group, its members) shifted.
fn shifted(diagram: &Diagram, id: &str, dx: f64, dy: f64) -> Diagram {
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
    out
}

/// The edges to draw, and whether they were aggregated per group pair.
fn edges(
    topology: &Topology,
    diagram: &Diagram,
    derived: &Edges,
    show_external: bool,
    show_inside: bool,
) -> (Vec<DrawnEdge>, bool) {
    if !derived.complete {
        return (large_edges(topology, diagram, derived, show_external), true);
    }
    let cells = &derived.cells;
    let visible: Vec<&Cell> = cells
        .iter()
        .filter(|cell| {
            let to_external = matches!(
                topology.endpoints.get(&cell.to).map(|e| &e.kind),
                Some(EndpointKind::External { .. })
            );
            let inside = match (diagram.node(&cell.from), diagram.node(&cell.to)) {
                (Some(a), Some(b)) => a.home_group.is_some() && a.home_group == b.home_group,
                _ => false,
            };
            (show_external || !to_external) && (show_inside || !inside)
        })
        .collect();
    let container = |node: &layout::NodeBox| {
        node.home_group
            .as_ref()
            .map(|g| g.to_string())
            .unwrap_or_else(|| node.id.to_string())
    };
    let rect_of = |key: &str| {
        diagram
            .groups
            .iter()
            .find(|g| g.id.as_str() == key)
            .map(|g| g.rect)
            .or_else(|| {
                diagram
                    .nodes
                    .iter()
                    .find(|n| n.id.as_str() == key)
                    .map(|n| n.rect)
            })
    };
    let query_of = |cells: &[&Cell]| {
        // Prefer a pair whose target declares a service, so the question is a real one.
        let chosen = cells
            .iter()
            .find(|c| {
                topology
                    .endpoints
                    .get(&c.to)
                    .and_then(|e| e.services.as_ref())
                    .is_some_and(|s| !s.is_empty())
            })
            .or(cells.first())?;
        chosen.first_allowed().map(|(protocol, port)| Query {
            from: chosen.from.clone(),
            to: chosen.to.clone(),
            protocol,
            port,
        })
    };
    // Bundle the edges between two containers when they all say the same thing, as the
    // vendor's figure draws one arrow from the gateway to a service group.
    let mut bundles: BTreeMap<(String, String), Vec<&Cell>> = BTreeMap::new();
    for cell in &visible {
        let (Some(from), Some(to)) = (diagram.node(&cell.from), diagram.node(&cell.to)) else {
            continue;
        };
        bundles
            .entry((container(from), container(to)))
            .or_default()
            .push(cell);
    }
    let mut drawn = Vec::new();
    for ((a, b), cells) in &bundles {
        let labels: std::collections::BTreeSet<String> =
            sglab_core::sort::set_of(cells.iter().map(|c| c.label(3)));
        if a != b && cells.len() > 1 && labels.len() == 1 {
            let (Some(from_rect), Some(to_rect)) = (rect_of(a), rect_of(b)) else {
                continue;
            };
            let label = labels.into_iter().next().unwrap_or_default();
            drawn.push(DrawnEdge {
                from_rect,
                to_rect,
                from_key: a.clone(),
                to_key: b.clone(),
                title: format!(
                    "every pair from {a} to {b} ({} pairs): {label}. Click for why.",
                    cells.len()
                ),
                label,
                query: query_of(cells),
                testid: format!("edge-{a}-{b}"),
            });
            continue;
        }
        for cell in cells {
            let (Some(from), Some(to)) = (diagram.node(&cell.from), diagram.node(&cell.to)) else {
                continue;
            };
            let query = cell.first_allowed().map(|(protocol, port)| Query {
                from: cell.from.clone(),
                to: cell.to.clone(),
                protocol,
                port,
            });
            drawn.push(DrawnEdge {
                from_rect: from.rect,
                to_rect: to.rect,
                from_key: cell.from.to_string(),
                to_key: cell.to.to_string(),
                title: format!(
                    "{} can reach {}: {}. Click for why.",
                    cell.from,
                    cell.to,
                    cell.label(20)
                ),
                label: cell.label(3),
                query,
                testid: format!("edge-{}-{}", cell.from, cell.to),
            });
        }
    }
    if drawn.len() <= layout::AGGREGATE_ABOVE {
        return (drawn, false);
    }
    // Aggregate per pair of containers (a group, or a loose endpoint).
    let mut pairs: BTreeMap<(String, String), Vec<&Cell>> = BTreeMap::new();
    for cell in &visible {
        let (Some(from), Some(to)) = (diagram.node(&cell.from), diagram.node(&cell.to)) else {
            continue;
        };
        let key = |node: &layout::NodeBox| {
            node.home_group
                .as_ref()
                .map(|g| g.to_string())
                .unwrap_or_else(|| node.id.to_string())
        };
        let (a, b) = (key(from), key(to));
        if a != b {
            pairs.entry((a, b)).or_default().push(cell);
        }
    }
    let rect_of = |key: &str| {
        diagram
            .groups
            .iter()
            .find(|g| g.id.as_str() == key)
            .map(|g| g.rect)
            .or_else(|| {
                diagram
                    .nodes
                    .iter()
                    .find(|n| n.id.as_str() == key)
                    .map(|n| n.rect)
            })
    };
    let drawn = pairs
        .into_iter()
        .filter_map(|((a, b), cells)| {
            let mut labels: Vec<String> = cells.iter().map(|c| c.label(2)).collect();
            sglab_core::sort::sort(&mut labels);
            labels.dedup();
            let label = if labels.len() == 1 {
                format!("{} \u{00d7} {}", cells.len(), labels[0])
            } else {
                format!("{} connections", cells.len())
            };
            let first = cells.first()?;
            let query = first.first_allowed().map(|(protocol, port)| Query {
                from: first.from.clone(),
                to: first.to.clone(),
                protocol,
                port,
            });
            Some(DrawnEdge {
                from_rect: rect_of(&a)?,
                to_rect: rect_of(&b)?,
                title: format!("{} connections from {a} to {b}", cells.len()),
                testid: format!("group-edge-{a}-{b}"),
                from_key: a,
                to_key: b,
                label,
                query,
            })
        })
        .collect();
    (drawn, true)
}

/// Most group-pair edges drawn for a large topology (the widest first).
pub const LARGE_EDGES_MAX: usize = 120;

/// Edges per pair of groups from the core's group matrix, for large topologies.
fn large_edges(
    topology: &Topology,
    diagram: &Diagram,
    derived: &Edges,
    show_external: bool,
) -> Vec<DrawnEdge> {
    let key = |bucket: &Bucket| match bucket {
        Bucket::Group(id) => id.to_string(),
        Bucket::Endpoint(id) => id.to_string(),
    };
    let rect_of = |bucket: &Bucket| match bucket {
        Bucket::Group(id) => diagram.group(id).map(|g| g.rect),
        Bucket::Endpoint(id) => diagram.node(id).map(|n| n.rect),
    };
    // A representative endpoint of a bucket, for the question an edge opens.
    let member = |bucket: &Bucket| match bucket {
        Bucket::Group(id) => diagram.group(id).and_then(|g| g.members.first().cloned()),
        Bucket::Endpoint(id) => Some(id.clone()),
    };
    let mut edges: Vec<(&GroupEdge, &Bucket, &Bucket)> = derived
        .group_edges
        .iter()
        .filter_map(|edge| {
            let (from, to) = derived.buckets(edge)?;
            Some((edge, from, to))
        })
        .filter(|(_, _, to)| {
            show_external
                || !matches!(to, Bucket::Endpoint(id) if matches!(topology.endpoints.get(id).map(|e| &e.kind), Some(EndpointKind::External { .. })))
        })
        .collect();
    sglab_core::sort::sort_by_key(&mut edges, |(edge, _, _)| std::cmp::Reverse(edge.pairs));
    edges
        .into_iter()
        .take(LARGE_EDGES_MAX)
        .filter_map(|(edge, from, to)| {
            let (from_rect, to_rect) = (rect_of(from)?, rect_of(to)?);
            let allowed = derived.allowed(edge);
            let (a, b) = (key(from), key(to));
            let label = crate::engine::label_of(&allowed, 2);
            let query = match (member(from), member(to), allowed.first()) {
                (Some(from), Some(to), Some((protocol, ranges))) if from != to => Some(Query {
                    from,
                    to,
                    protocol: *protocol,
                    port: if protocol.has_ports() {
                        ranges.first().map(|r| r.start())
                    } else {
                        None
                    },
                }),
                _ => None,
            };
            Some(DrawnEdge {
                from_rect,
                to_rect,
                title: format!(
                    "{} pairs from {a} to {b}: {}",
                    edge.pairs,
                    crate::engine::label_of(&allowed, 20)
                ),
                testid: format!("group-edge-{a}-{b}"),
                from_key: a,
                to_key: b,
                label,
                query,
            })
        })
        .collect()
}

/// The smallest zoom a fit may use: any in normal type, readable text in large type.
fn fit_zoom(large_type: bool) -> f64 {
    if large_type {
        crate::layout::LARGE_TYPE_ZOOM
    } else {
        crate::layout::ZOOM_MIN
    }
}
