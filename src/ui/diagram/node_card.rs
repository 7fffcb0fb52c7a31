//! An endpoint drawn as a card: its kind, name, address and services, with a badge and a
//! dashed line for every other group it belongs to.

use sglab_core::model::{Endpoint, EndpointKind};
use yew::prelude::*;

use super::group_box::{handlers, BoxContext};
use super::text::{f, title_of, truncate};
use crate::engine::kind_words;
use crate::layout::{self, present, Diagram, NodeBox, NodeKind};
use crate::types::Selection;

/// Every endpoint card of the diagram.
pub fn node_cards(diagram: &Diagram, context: &BoxContext<'_>) -> Html {
    diagram
        .nodes
        .iter()
        .map(|node| node_card(node, context))
        .collect()
}

/// Dashed lines from each endpoint to its other groups.
pub fn membership_lines(diagram: &Diagram) -> Html {
    diagram
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
        .collect()
}

/// The second line of a card: the address, then the services' ports (`:80, 443 (down)`).
pub fn detail(endpoint: &Endpoint) -> String {
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
    if services.is_empty() {
        address
    } else {
        format!("{address} \u{00b7} :{services}")
    }
}

fn node_card(node: &NodeBox, context: &BoxContext<'_>) -> Html {
    let Some(endpoint) = context.topology.endpoints.get(&node.id) else {
        return html! {};
    };
    let r = node.rect;
    let id = node.id.to_string();
    let (tag, fill, stroke) = match node.kind {
        NodeKind::Ecs => ("ECS", "#ffffff", "#0969da"),
        NodeKind::Pod => ("POD", "#ffffff", "#1a7f37"),
        NodeKind::Gateway => ("GW", "#ffffff", "#8250df"),
        NodeKind::External => ("EXT", "#fff8c5", "#9a6700"),
    };
    let selected = context.selected == Some(id.as_str());
    let detail = detail(endpoint);
    let (onpointerdown, onkeydown) = handlers(context, &id, Selection::Endpoint(node.id.clone()));
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
    let texts = if context.presenting {
        html! {
            <text x={f(r.x + present::CARD_PAD)} y={f(present::centred_baseline(r))} font-size={present::TEXT_ATTR}
                font-weight="600" fill="#1f2328">{ present::shown_name(&endpoint.name, &id) }</text>
        }
    } else {
        html! {<>
            <rect x={f(r.x + 8.0)} y={f(r.y + 8.0)} width="34" height="18" rx="4" fill={stroke} />
            <text x={f(r.x + 25.0)} y={f(r.y + 21.0)} font-size="10.5" font-weight="700" fill="#ffffff" text-anchor="middle">{ tag }</text>
            <text x={f(r.x + 50.0)} y={f(r.y + 22.0)} font-size="14" font-weight="600" fill="#1f2328">{ truncate(&title_of(&endpoint.name, &id), 17) }</text>
            <text x={f(r.x + 10.0)} y={f(r.y + 44.0)} font-size="12" fill="#57606a">{ truncate(&detail, 28) }</text>
            { badges }
        </>}
    };
    html! {
        <g class={classes!("node", selected.then_some("selected"))} data-testid={format!("diagram-node-{id}")}
            tabindex="0" role="button" {onpointerdown} {onkeydown}>
            // The title names the control: its visible text is cut to fit.
            <title>{ format!("{} {}", kind_words(&endpoint.kind), title_of(&endpoint.name, &id)) }</title>
            <rect x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="8" fill={fill}
                stroke={if selected { "#0969da" } else { stroke }} stroke-width={if selected { "3" } else { "1.5" }} />
            { texts }
        </g>
    }
}
