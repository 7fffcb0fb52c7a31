//! The overview of a large topology: a graph of its security groups, a heat-map matrix by
//! group, a focus mode on one endpoint, group or address with its neighbours, and the members
//! of a group (semantic zoom). Every figure comes from [`crate::layout::overview`].

use yew::prelude::*;

use crate::engine::{Edges, Reach};
use crate::layout::overview::{self, Overview};
use crate::state::Action;
use crate::types::Shared;
use sglab_core::model::Topology;

mod drill;
mod focus;
mod graph;
mod heat;
pub mod scroll;

pub use focus::Focus;

/// Which view of the overview is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The graph of groups.
    Graph,
    /// The heat-map matrix by group.
    Heat,
}

/// Props of [`OverviewPane`].
#[derive(PartialEq, Properties)]
pub struct OverviewProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The core's matrix.
    pub reach: Shared<Reach>,
    /// The diagram's edges, when computed (else computed here from `reach`).
    pub edges: Option<Shared<Edges>>,
    /// The overview of `reach`'s topology, when the engine's worker computed it (else it is
    /// computed here).
    pub overview: Option<Shared<Overview>>,
    /// The view shown first.
    pub start: Mode,
    /// The compare mode's diff against the pinned baseline, listed by group pair.
    #[prop_or_default]
    pub compare: Option<Shared<crate::engine::Compare>>,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// The overview pane.
#[component]
pub fn OverviewPane(props: &OverviewProps) -> Html {
    let mode = use_state(|| props.start);
    let focus = use_state(|| None::<Focus>);
    let expanded = use_state(|| None::<usize>);
    // Of the topology evaluated (the results' own), so that an edit is drawn at once and the
    // overview follows with its results.
    let data = use_memo(
        (
            props.reach.clone(),
            props.edges.clone(),
            props.overview.clone(),
        ),
        |(reach, edges, computed)| match (computed, edges) {
            (Some(computed), _) => computed.clone(),
            (None, Some(edges)) => Shared::new(overview::overview(&reach.topology, edges)),
            (None, None) => {
                Shared::new(overview::overview(&reach.topology, &Edges::compute(reach)))
            }
        },
    );
    let data = (*data).clone();
    let set_mode = |to: Mode| {
        let (mode, focus) = (mode.clone(), focus.clone());
        Callback::from(move |_: MouseEvent| {
            focus.set(None);
            mode.set(to);
        })
    };
    let on_focus = {
        let focus = focus.clone();
        Callback::from(move |chosen: Option<Focus>| focus.set(chosen))
    };
    let on_expand = {
        let expanded = expanded.clone();
        Callback::from(move |node: Option<usize>| expanded.set(node))
    };
    let tab = |to: Mode, label: &'static str, testid: &'static str| {
        let selected = *mode == to && focus.is_none();
        html! {
            <button type="button" class={classes!("tab", selected.then_some("selected"))}
                aria-pressed={selected.to_string()} data-testid={testid} onclick={set_mode(to)}>{ label }</button>
        }
    };
    let topology = &*props.topology;
    let body = match (&*focus, *mode) {
        (Some(chosen), _) => html! {
            <focus::FocusView topology={props.topology.clone()} reach={props.reach.clone()}
                overview={data.clone()} focus={chosen.clone()} on_focus={on_focus.clone()}
                dispatch={props.dispatch.clone()} />
        },
        (None, Mode::Graph) => html! {
            <graph::Graph overview={data.clone()} expanded={*expanded} on_expand={on_expand.clone()} />
        },
        (None, Mode::Heat) => html! {
            <heat::HeatMap topology={props.topology.clone()} reach={props.reach.clone()}
                overview={data.clone()} dispatch={props.dispatch.clone()} />
        },
    };
    let members = match (*expanded, &*focus, *mode) {
        (Some(node), None, Mode::Graph) => html! {
            <drill::Members overview={data.clone()} {node} on_focus={on_focus.clone()} on_close={on_expand.reform(|_| None)} />
        },
        _ => html! {},
    };
    html! {
        <section class="overview" data-testid="overview" aria-label="Overview">
            <div class="overview-tools">
                <div class="overview-modes" role="group" aria-label="Overview view">
                    { tab(Mode::Graph, "Groups", "overview-graph-tab") }
                    { tab(Mode::Heat, "Heat-map", "overview-heat-tab") }
                </div>
                <focus::SearchBox topology={props.topology.clone()} overview={data.clone()} on_focus={on_focus} />
                <p class="diagram-note" data-testid="diagram-note">
                    { format!(
                        "Overview of {} endpoints in {} nodes: one node per security group, edges merged per group pair.",
                        topology.endpoints.len(), data.nodes.len()
                    ) }
                </p>
            </div>
            { props.compare.as_ref().map(|compare| crate::ui::compare::group_changes(compare)).unwrap_or_default() }
            <div class="overview-body">
                { body }
                { members }
            </div>
        </section>
    }
}
