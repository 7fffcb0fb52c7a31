//! The layout of the workspace: the left panel (tree, inspector, problems), the centre (query
//! bar, tabs, the shown view, rule tables) and the explanation panel. On narrow screens the
//! left panel is a drawer opened from the centre's head (`static/style.css`).

use std::rc::Rc;

use sglab_core::diagnostic::Diagnostic;
use yew::prelude::*;

use super::derived::Derived;
use crate::state::{Action, AppState};
use crate::types::{Shared, View};
use crate::ui;

/// The tree, the inspector and the problems; `close` closes the panel's drawer.
pub fn left_panel(
    state: &AppState,
    problems: Shared<Vec<Diagnostic>>,
    dispatch: &Callback<Action>,
    close: &Callback<MouseEvent>,
) -> Html {
    html! {
        <aside class="left-panel" aria-label="Topology" id="left-panel">
            <button type="button" class="drawer-close" data-testid="left-panel-close" onclick={close.clone()}>
                { "\u{2715} Close the topology panel" }
            </button>
            <ui::tree::Tree
                topology={state.topology.clone()}
                selection={state.selection.clone()}
                dispatch={dispatch.clone()}
            />
            <ui::inspector::Inspector
                topology={state.topology.clone()}
                selection={state.selection.clone()}
                dispatch={dispatch.clone()}
            />
            <ui::problems::Problems {problems} />
        </aside>
    }
}

/// The query bar, the tabs, the shown view and the rule tables; `left` is whether the left
/// panel's drawer is open, and the callback that opens or closes it.
pub fn center(
    state: &AppState,
    derived: &Derived,
    dispatch: &Callback<Action>,
    left: (bool, &Callback<MouseEvent>),
) -> Html {
    let (left_open, toggle_left) = left;
    html! {
        <main class="center">
            <div class="center-head">
                <button type="button" class="drawer-toggle" data-testid="left-panel-toggle" onclick={toggle_left.clone()}
                    aria-expanded={left_open.to_string()} aria-controls="left-panel">
                    { "\u{2630} Topology" }
                </button>
                <ui::query::QueryBar
                    topology={state.topology.clone()}
                    query={state.asked.clone()}
                    dispatch={dispatch.clone()}
                />
            </div>
            <div class="tabs" role="tablist" aria-label="View">
                { for TABS.iter().map(|&(view, label, testid)| tab(view, label, testid, state.view, dispatch)) }
            </div>
            <div class="view" id="view-panel" role="tabpanel" tabindex="-1"
                aria-labelledby={TABS.iter().find(|t| t.0 == state.view).map(|t| t.2)}>
                { main_view(state, derived, dispatch) }
            </div>
            <ui::rules::RulesDock
                topology={state.topology.clone()}
                selection={state.selection.clone()}
                explanation={derived.explanation.clone()}
                step={state.step}
                dispatch={dispatch.clone()}
            />
        </main>
    }
}

/// The explanation panel of the open question, if any.
pub fn explanation_panel(state: &AppState, derived: &Derived, dispatch: &Callback<Action>) -> Html {
    let (Some(explanation), Some(diagnoses)) =
        (derived.explanation.clone(), derived.diagnoses.clone())
    else {
        return html! {};
    };
    html! {
        <ui::explanation::ExplanationPanel
            topology={state.topology.clone()}
            {explanation}
            {diagnoses}
            step={state.step}
            compare={derived.compare.clone()}
            questions={state.questions}
            dispatch={dispatch.clone()}
        />
    }
}

/// The diagram, the matrix or the lint.
fn main_view(state: &AppState, derived: &Derived, dispatch: &Callback<Action>) -> Html {
    let large = crate::layout::overview::shows_overview(&state.topology);
    let reach = Shared(Rc::clone(&derived.reach));
    match (state.view, derived.diagram.clone(), derived.edges.clone()) {
        (View::Diagram, _, edges) if large => html! {
            <ui::overview::OverviewPane topology={state.topology.clone()} {reach} {edges}
                overview={derived.overview.clone()} start={ui::overview::Mode::Graph}
                compare={derived.compare.clone()} dispatch={dispatch.clone()} />
        },
        (View::Diagram, Some(diagram), Some(edges)) => html! {
            <ui::diagram::DiagramView
                topology={state.topology.clone()}
                {diagram}
                {edges}
                explanation={derived.explanation.clone()}
                selection={state.selection.clone()}
                compare={derived.compare.clone()}
                large_type={state.large_type}
                presenting={state.presenting}
                dispatch={dispatch.clone()}
            />
        },
        (View::Lint, _, _) => match derived.findings.view.clone() {
            Some(findings) => html! {
                <ui::lint::LintPanel {findings} ask_rows={derived.findings.ask_rows.clone()}
                    dispatch={dispatch.clone()} />
            },
            None => html! {
                <section class="lint" data-testid="lint-pending" aria-busy="true">
                    <p role="status">{ "Linting..." }</p>
                </section>
            },
        },
        _ => {
            // The topology of the last results: while the engine's worker evaluates a new one,
            // the matrix shows the last answers rather than unknown pairs as closed.
            let matrix = html! {
                <ui::matrix::MatrixView
                    topology={derived.reach.topology.clone()}
                    reach={reach.clone()}
                    compare={derived.compare.clone()}
                    dispatch={dispatch.clone()}
                />
            };
            if !large {
                return matrix;
            }
            html! {
                <div class="view-stack">
                    <ui::overview::OverviewPane topology={derived.reach.topology.clone()} {reach} edges={None::<Shared<crate::engine::Edges>>}
                        overview={derived.overview.clone()} start={ui::overview::Mode::Heat}
                        compare={derived.compare.clone()} dispatch={dispatch.clone()} />
                    { matrix }
                </div>
            }
        }
    }
}

/// The tabs of the centre view: the view, its words, and its tab's test id (also its `id`).
const TABS: [(View, &str, &str); 3] = [
    (View::Diagram, "Diagram", "tab-diagram"),
    (View::Matrix, "Matrix", "tab-matrix"),
    (View::Lint, "Lint", "tab-lint"),
];

/// One tab of the centre view, in the ARIA tabs pattern: only the selected tab is in the Tab
/// order; Left, Right, Home and End select and focus another.
fn tab(
    view: View,
    label: &'static str,
    testid: &'static str,
    current: View,
    dispatch: &Callback<Action>,
) -> Html {
    let selected = view == current;
    let onclick = dispatch.reform(move |_| Action::SetView(view));
    let onkeydown = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: KeyboardEvent| {
            let at = TABS.iter().position(|t| t.0 == view).unwrap_or(0);
            let last = TABS.len() - 1;
            let next = match event.key().as_str() {
                "ArrowRight" => {
                    if at == last {
                        0
                    } else {
                        at + 1
                    }
                }
                "ArrowLeft" => {
                    if at == 0 {
                        last
                    } else {
                        at - 1
                    }
                }
                "Home" => 0,
                "End" => last,
                _ => return,
            };
            event.prevent_default();
            let (view, _, testid) = TABS[next];
            dispatch.emit(Action::SetView(view));
            ui::focus::focus_first(&[&format!("#{testid}")]);
        })
    };
    html! {
        <button type="button" role="tab" id={testid} class={classes!("tab", selected.then_some("selected"))}
            aria-selected={selected.to_string()} aria-controls="view-panel"
            tabindex={if selected { "0" } else { "-1" }} data-testid={testid} {onclick} {onkeydown}>
            { label }
        </button>
    }
}
