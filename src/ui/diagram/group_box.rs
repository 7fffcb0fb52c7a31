//! A security group drawn as a container: title, type and inner-access policy, dashed and
//! purple when a cloud product manages it.

use sglab_core::model::{GroupType, InnerAccessPolicy, Topology};
use yew::prelude::*;

use super::interactions::{drag_object, keyboard_handler, StartDrag};
use super::text::{f, title_of, truncate};
use crate::layout::{present, Diagram, GroupBox};
use crate::state::Action;
use crate::types::{Selection, Shared};

/// What every group box needs besides its own group.
pub struct BoxContext<'a> {
    /// The topology drawn.
    pub topology: &'a Topology,
    /// The placed diagram, for keyboard moves.
    pub base: &'a Shared<Diagram>,
    /// The id of the selected group or endpoint.
    pub selected: Option<&'a str>,
    /// Starts dragging an object.
    pub start_drag: &'a StartDrag,
    /// State changes.
    pub dispatch: &'a Callback<Action>,
    /// Presentation mode: names only, in its larger type, and nothing moves.
    pub presenting: bool,
}

/// Every group container of the diagram.
pub fn group_boxes(diagram: &Diagram, context: &BoxContext<'_>) -> Html {
    diagram
        .groups
        .iter()
        .map(|group_box| group_box_view(group_box, context))
        .collect()
}

/// The subtitle of a group: `id · basic · members reach each other`.
pub fn subtitle(
    id: &str,
    group_type: GroupType,
    policy: InnerAccessPolicy,
    managed_by: Option<&str>,
) -> String {
    let kind = group_type.as_str();
    let policy = match (managed_by, group_type, policy) {
        (Some(product), _, _) => format!("managed by {product}, read-only"),
        (None, GroupType::Basic, InnerAccessPolicy::Accept) => {
            "members reach each other".to_owned()
        }
        (None, GroupType::Basic, InnerAccessPolicy::Drop) | (None, GroupType::Enterprise, _) => {
            "members isolated".to_owned()
        }
    };
    format!("{id} \u{00b7} {kind} \u{00b7} {policy}")
}

fn group_box_view(group_box: &GroupBox, context: &BoxContext<'_>) -> Html {
    let Some(group) = context.topology.groups.get(&group_box.id) else {
        return html! {};
    };
    let r = group_box.rect;
    let managed = group.managed_by.is_some();
    let (fill, stroke) = if managed {
        ("#f3f0ff", "#8250df")
    } else {
        ("#f6f8fa", "#57606a")
    };
    let selected = context.selected == Some(group.id.as_str());
    let id = group.id.to_string();
    let (onpointerdown, onkeydown) = handlers(context, &id, Selection::Group(group.id.clone()));
    let subtitle = subtitle(
        &id,
        group.group_type,
        group.inner_access_policy,
        group.managed_by.as_deref(),
    );
    let texts = if context.presenting {
        html! {
            <text x={f(r.x + present::PAD)} y={f(present::title_baseline(r))} font-size={present::TEXT_ATTR}
                font-weight="700" fill="#1f2328">{ present::shown_name(&group.name, &id) }</text>
        }
    } else {
        html! {<>
            <text x={f(r.x + 14.0)} y={f(r.y + 21.0)} font-size="15" font-weight="700" fill="#1f2328">
                { truncate(&title_of(&group.name, &id), ((r.w - 24.0) / 8.6) as usize) }
            </text>
            <text x={f(r.x + 14.0)} y={f(r.y + 37.0)} font-size="11.5" fill="#57606a">{ truncate(&subtitle, ((r.w - 24.0) / 6.2) as usize) }</text>
        </>}
    };
    html! {
        <g class={classes!("sg", selected.then_some("selected"))} data-testid={format!("diagram-group-{id}")}
            tabindex="0" role="button" {onpointerdown} {onkeydown}>
            // The title names the control: its visible text is cut to fit.
            <title>{ format!("security group {} ({}): {}", group.name, id, subtitle) }</title>
            <rect x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="10" fill={fill}
                stroke={if selected { "#0969da" } else { stroke }} stroke-width={if selected { "3" } else { "1.5" }}
                stroke-dasharray={if managed { "6 4" } else { "none" }} />
            { texts }
        </g>
    }
}

/// The pointer and key handlers of a box: none while presenting, where nothing moves.
pub fn handlers(
    context: &BoxContext<'_>,
    id: &str,
    selection: Selection,
) -> (
    Option<Callback<PointerEvent>>,
    Option<Callback<KeyboardEvent>>,
) {
    if context.presenting {
        return (None, None);
    }
    (
        Some(drag_object(context.start_drag, id)),
        Some(keyboard_handler(
            context.dispatch,
            context.base,
            id.to_owned(),
            selection,
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtitles_say_type_and_policy() {
        assert_eq!(
            subtitle("sg-1", GroupType::Basic, InnerAccessPolicy::Accept, None),
            "sg-1 \u{00b7} basic \u{00b7} members reach each other"
        );
        assert_eq!(
            subtitle(
                "sg-2",
                GroupType::Enterprise,
                InnerAccessPolicy::Accept,
                None
            ),
            "sg-2 \u{00b7} enterprise \u{00b7} members isolated"
        );
        assert_eq!(
            subtitle(
                "sg-3",
                GroupType::Basic,
                InnerAccessPolicy::Drop,
                Some("AI Gateway")
            ),
            "sg-3 \u{00b7} basic \u{00b7} managed by AI Gateway, read-only"
        );
    }
}
