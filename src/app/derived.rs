//! The results derived from the state, each recomputed only when what it reads changed and
//! only when the shown view needs it: the matrix when the evaluated part of the topology
//! changed (not after a move or a rename; in the engine's worker for large topologies,
//! [`super::evaluation`]); the diagram's layout and edges only while it is
//! shown; the lint only while its tab is, and the diff against a pinned baseline, in the
//! engine's worker.

use std::rc::Rc;

use sglab_core::doctor::Diagnosis;
use sglab_core::explain::Explanation;
use yew::prelude::*;

use super::evaluation::{use_results, LargeResults, Progress};
use crate::browser::{self, Stage};
use crate::engine::overview::Overview;
use crate::engine::{self, Edges, Reach};
use crate::layout::{self, Diagram};
use crate::state::AppState;
use crate::types::{Shared, View};

/// What the views show, derived from the state.
pub struct Derived {
    /// The core's matrix: of the current topology, or of the last one evaluated while the
    /// engine's worker computes the next.
    pub reach: Rc<Reach>,
    /// The recompute running in the engine's worker, once it takes long enough to show.
    pub progress: Option<Progress>,
    /// Stops the recompute running in the worker; true when one was running.
    pub cancel: Rc<dyn Fn() -> bool>,
    /// What the worker computed beyond the matrix, for large topologies.
    pub large: Option<LargeResults>,
    /// The overview of `reach`'s topology, when the engine's worker computed it.
    pub overview: Option<Shared<Overview>>,
    /// The diagram's edges, while the diagram is shown.
    pub edges: Option<Shared<Edges>>,
    /// The placed diagram, while it is shown.
    pub diagram: Option<Shared<Diagram>>,
    /// The explanation of the open question.
    pub explanation: Option<Shared<Explanation>>,
    /// The doctor's causes and fixes for the open question.
    pub diagnoses: Option<Shared<Vec<Diagnosis>>>,
    /// The lint's findings of the current topology (while its tab is shown and once the
    /// engine's worker answered), and the question for more of their rows.
    pub findings: super::lint::Findings,
    /// The diff against the pinned baseline, only while one is pinned and once the engine's
    /// worker answered for the current topology.
    pub compare: Option<Shared<engine::Compare>>,
    /// Whether the engine's worker is computing the diff against the baseline.
    pub compare_pending: bool,
}

/// Derives every result of `state`, each through `use_memo`.
#[hook]
pub fn use_derived(state: &UseReducerHandle<AppState>) -> Derived {
    browser::begin_evaluation(state.revision, || {
        (
            state.topology.endpoints.len(),
            state.topology.groups.values().map(|g| g.rules.len()).sum(),
        )
    });
    let (results, cancel) = use_results(&state.topology);
    let reach = results.reach;
    // A large topology's diagram is its overview, which needs neither.
    let diagram_shown =
        state.view == View::Diagram && !layout::overview::shows_overview(&state.topology);
    let edges = use_edges(&reach, diagram_shown);
    let diagram = use_memo(
        (layout::LayoutKey(state.topology.clone()), diagram_shown),
        |(key, shown)| {
            shown.then(|| Shared::new(browser::timed(Stage::Layout, || layout::layout(&key.0))))
        },
    );
    let explanation = use_memo(
        (state.topology.clone(), state.query.clone()),
        |(topology, query)| {
            query
                .as_ref()
                .map(|query| Shared::new(engine::explain(topology, query)))
        },
    );
    let diagnoses = use_memo(
        (state.topology.clone(), state.query.clone()),
        |(topology, query)| {
            query
                .as_ref()
                .map(|query| Shared::new(engine::diagnose(topology, query)))
        },
    );
    let findings =
        super::lint::use_findings(&state.topology, state.view == View::Lint, &results.linter);
    let comparison =
        super::compare::use_compare(&state.baseline, &state.topology, state.dispatcher());
    Derived {
        reach,
        progress: results.progress,
        large: results.large,
        overview: results.overview,
        cancel,
        edges: (*edges).clone(),
        diagram: (*diagram).clone(),
        explanation: (*explanation).clone(),
        diagnoses: (*diagnoses).clone(),
        findings,
        compare: comparison.compare,
        compare_pending: comparison.pending,
    }
}

/// The diagram's edges while `shown` (a small topology's: one per pair of endpoints); unchanged
/// edges keep their identity, so the diagram is not drawn again.
#[hook]
fn use_edges(reach: &Rc<Reach>, shown: bool) -> Rc<Option<Shared<Edges>>> {
    let last_edges = use_mut_ref(|| None::<Shared<Edges>>);
    use_memo((Shared(Rc::clone(reach)), shown), move |(reach, shown)| {
        shown.then(|| {
            let previous = last_edges.borrow().clone();
            let edges = browser::timed(Stage::Edges, || {
                let edges = Edges::compute(reach);
                match previous {
                    Some(previous) if edges.same_as(&previous) => previous,
                    _ => Shared::new(edges),
                }
            });
            *last_edges.borrow_mut() = Some(edges.clone());
            edges
        })
    })
}
