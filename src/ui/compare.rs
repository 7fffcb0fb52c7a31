//! The compare mode: the toolbar's pin and open-baseline controls with the verdict banner,
//! the diagram's marked edges (opened edges dashed with `+`, closed edges dotted with `−`, so
//! that colour is never the only cue), and the before and after of a changed question.

use sglab_core::explain::Explanation;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::diagram::{ALLOWED, BLOCKED};
use crate::engine::{Compare, Side};
use crate::layout::{self, Diagram};
use crate::state::Action;
use crate::types::Shared;

/// The most changed pairs the diagram marks; the banner and the matrix count the rest.
pub const MARKS_LIMIT: usize = 400;

/// Props of [`CompareBar`].
#[derive(PartialEq, Properties)]
pub struct CompareBarProps {
    /// Whether a baseline is pinned.
    pub pinned: bool,
    /// The diff of the baseline and the current topology, while one is pinned and known.
    pub compare: Option<Shared<Compare>>,
    /// Whether the diff of the current topology is being computed.
    #[prop_or_default]
    pub pending: bool,
    /// State changes.
    pub dispatch: Callback<Action>,
    /// Files chosen to be read as the baseline.
    pub on_open_baseline: Callback<Vec<web_sys::File>>,
}

/// The compare controls, and the verdict banner while a baseline is pinned.
#[component]
pub fn CompareBar(props: &CompareBarProps) -> Html {
    let file_input = use_node_ref();
    let pin = props.dispatch.reform(|_: MouseEvent| Action::PinBaseline);
    let unpin = props.dispatch.reform(|_: MouseEvent| Action::Unpin);
    let open_click = {
        let file_input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = file_input.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let onchange = {
        let on_open = props.on_open_baseline.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let files = crate::browser::files_of(input.files());
            input.set_value("");
            if !files.is_empty() {
                on_open.emit(files);
            }
        })
    };
    let banner = if props.pending {
        // The previous verdict is not shown: it is not the current topology's.
        Some(html! {
            <div class="compare-banner pending" role="status" aria-busy="true" data-testid="compare-pending">
                { "Comparing with the baseline\u{2026}" }
            </div>
        })
    } else {
        props.compare.as_ref().map(|compare| {
            let verdict = compare.verdict().to_owned();
            html! {
                <div class={classes!("compare-banner", verdict.clone())} role="status" aria-busy="false"
                    data-testid="compare-banner" data-verdict={verdict.clone()}>
                    <strong data-testid="compare-verdict">{ verdict }</strong>
                    <span data-testid="compare-counts">{ format!(" against the baseline: {}", compare.summary()) }</span>
                </div>
            }
        })
    };
    html! {
        <div class="compare-bar" data-testid="compare-bar">
            if props.pinned {
                <button type="button" data-testid="unpin-baseline" onclick={unpin} title="Leave the compare mode">
                    { "Unpin baseline" }
                </button>
            } else {
                <button type="button" data-testid="pin-baseline" onclick={pin}
                    title="Pin the current topology as the baseline: edits are then compared with it">
                    { "Pin as baseline" }
                </button>
            }
            <button type="button" data-testid="open-baseline" onclick={open_click}
                title="Open sglab JSON or aliyun API JSON files as the baseline">
                { "Open baseline\u{2026}" }
            </button>
            <input ref={file_input} type="file" accept=".json,application/json" multiple=true hidden=true
                data-testid="baseline-file-input" {onchange} />
            { banner.unwrap_or_default() }
        </div>
    }
}

/// The changed pairs between drawn endpoints, as marked edges: opened dashed with `+`, closed
/// dotted with `−`, both with the ports in words.
///
/// The pairs are read from the side that is smaller: the changed pairs when they are fewer than
/// the pairs of drawn endpoints, else each pair of drawn endpoints looked up among the changes
/// (a change at account scale has a million pairs; a drawing, a few hundred endpoints). Either
/// way in the order of the ids, so the same pairs are marked.
pub fn diagram_marks(diagram: &Diagram, compare: &Compare) -> Html {
    let boxes: std::collections::BTreeMap<&sglab_core::model::EndpointId, &layout::NodeBox> =
        diagram.nodes.iter().map(|node| (&node.id, node)).collect();
    let drawn_pairs = boxes.len().saturating_mul(boxes.len());
    let changes: Box<dyn Iterator<Item = crate::engine::PairChange<'_>>> =
        if compare.pair_count() <= drawn_pairs {
            Box::new(compare.pairs())
        } else {
            Box::new(
                boxes
                    .keys()
                    .flat_map(|from| boxes.keys().filter_map(move |to| compare.pair(from, to))),
            )
        };
    changes
        .filter_map(|change| {
            let (from, to) = (change.from, change.to);
            let from_box = boxes.get(from)?;
            let to_box = boxes.get(to)?;
            let g = layout::edge(from_box.rect, to_box.rect, 1);
            let kind = change.kind();
            let (color, dash, fill) = match kind {
                "opened" => (ALLOWED, "10 5", "#dafbe1"),
                "closed" => (BLOCKED, "2 5", "#ffebe9"),
                _ => ("#9a6700", "10 4 2 4", "#fff8c5"),
            };
            let label = change.label();
            let width = (label.chars().count() as f64 * 7.0 + 16.0).max(40.0);
            let title = format!("{from} \u{2192} {to}: {kind} against the baseline: {label}");
            Some(html! {
                <g class="compare-edge" data-testid="compare-edge" data-change={kind}
                    data-from={from.to_string()} data-to={to.to_string()}>
                    <title>{ title }</title>
                    <path d={g.path()} fill="none" stroke={color} stroke-width="3" stroke-dasharray={dash} />
                    <rect x={f(g.label.0 - width / 2.0)} y={f(g.label.1 - 11.0)} width={f(width)} height="20" rx="4"
                        fill={fill} stroke={color} stroke-width="1.5" stroke-dasharray={dash} />
                    <text x={f(g.label.0)} y={f(g.label.1 + 4.0)} font-size="12" font-weight="700" fill="#1f2328"
                        text-anchor="middle" data-testid="compare-edge-label">{ label }</text>
                </g>
            })
        })
        .take(MARKS_LIMIT)
        .collect()
}

/// The largest changes against the baseline by pair of groups (the overview's view of the
/// diff, where endpoints are too many to mark one by one): the most pairs first, each with its
/// pairs and ports opened (`+`) and closed (`−`).
pub fn group_changes(compare: &Compare) -> Html {
    if compare.is_equivalent() || compare.groups.is_empty() {
        return html! {};
    }
    let caption = if compare.group_total > compare.groups.len() {
        format!(
            "Changes against the baseline by group pair: the {} largest of {}",
            compare.groups.len(),
            crate::engine::grouped(compare.group_total as u64)
        )
    } else {
        "Changes against the baseline by group pair".to_owned()
    };
    let ports = |sign: char, words: &str| -> String {
        if words.is_empty() {
            String::new()
        } else {
            format!("{sign}{words}")
        }
    };
    html! {
        <section class="compare-groups" data-testid="compare-groups" aria-label="Changes by group pair" tabindex="0">
            <table>
                <caption>{ caption }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "From" }</th>
                        <th scope="col">{ "To" }</th>
                        <th scope="col" class="number">{ "Pairs opened" }</th>
                        <th scope="col" class="number">{ "Pairs closed" }</th>
                        <th scope="col">{ "Ports" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for compare.groups.iter().map(|row| html! {
                        <tr data-testid="compare-group-row">
                            <td>{ row.from.clone() }</td>
                            <td>{ row.to.clone() }</td>
                            <td class="number">{ crate::engine::grouped(row.pairs_opened) }</td>
                            <td class="number">{ crate::engine::grouped(row.pairs_closed) }</td>
                            <td>{ [ports('+', &row.opened), ports('\u{2212}', &row.closed)].iter().filter(|w| !w.is_empty()).cloned().collect::<Vec<_>>().join(" ") }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}

/// The before and after of the open question when the compare mode changed its pair and
/// protocol: the verdict and each side's deciding decision, side by side.
pub fn before_after(compare: &Compare, explanation: &Explanation) -> Html {
    let Some(change) = compare.change(&explanation.from, &explanation.to, explanation.protocol)
    else {
        return html! {};
    };
    let column = |title: &'static str, testid: &'static str, side: &Side| {
        html! {
            <div class="compare-side" data-testid={testid}>
                <h3>{ title }</h3>
                <p><strong>{ side.verdict.clone() }</strong></p>
                <ul>{ for side.lines.iter().map(|line| html! { <li>{ line.clone() }</li> }) }</ul>
            </div>
        }
    };
    html! {
        <section class="compare-before-after" data-testid="compare-before-after" aria-label="Before and after">
            { column("Baseline", "compare-before", change.before) }
            { column("Now", "compare-after", change.after) }
        </section>
    }
}

fn f(value: f64) -> String {
    format!("{value:.1}")
}
