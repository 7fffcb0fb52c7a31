//! The results derived from the state, each recomputed only when what it reads changed and
//! only when the shown view needs it: the matrix when the evaluated part of the topology
//! changed (not after a move or a rename; in the engine's worker for large topologies,
//! [`super::evaluation`]); the diagram's layout and edges only while it is
//! shown; the lint only while its tab is, and the diff against a pinned baseline, in the
//! engine's worker.

use std::rc::Rc;

use sglab_core::doctor::Diagnosis;
use sglab_core::explain::Explanation;
use sglab_core::model::Topology;
use yew::prelude::*;

use super::evaluation::{use_results, LargeResults, Progress};
use crate::browser::{self, Stage};
use crate::engine::overview::Overview;
use crate::engine::transfer::{FromWorker, LintFinding, ToWorker};
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
    /// The lint's findings of the current topology, while its tab is shown and once the
    /// engine's worker answered.
    pub findings: Option<Shared<Vec<LintFinding>>>,
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
    let findings = use_findings(&state.topology, state.view == View::Lint);
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

/// The lint's findings of `topology` while `shown`, asked of the engine's worker (the lint is
/// not part of the page's module); `None` until it answers. A question for an older topology
/// is dropped with its worker, and an answer is kept with the topology it is of.
#[hook]
fn use_findings(topology: &Shared<Topology>, shown: bool) -> Option<Shared<Vec<LintFinding>>> {
    let answer = use_state(|| None::<(Shared<Topology>, Shared<Vec<LintFinding>>)>);
    let generation = use_mut_ref(|| 0u64);
    {
        let answer = answer.clone();
        use_effect_with((topology.clone(), shown), move |(topology, shown)| {
            *generation.borrow_mut() += 1;
            let job = *generation.borrow();
            let current = answer.as_ref().is_some_and(|(of, _)| of == topology);
            let question = (*shown && !current).then(|| {
                let (topology, generation) = (topology.clone(), Rc::clone(&generation));
                let request = ToWorker::Lint {
                    job,
                    json: engine::to_json(&topology),
                };
                super::ask::ask(&request, move |result| {
                    let findings = match result {
                        Ok(FromWorker::Linted {
                            job: answered,
                            findings,
                        }) => {
                            if answered != *generation.borrow() {
                                return;
                            }
                            findings
                        }
                        _ => Vec::new(),
                    };
                    answer.set(Some((topology.clone(), Shared::new(findings))));
                })
            });
            move || drop(question)
        });
    }
    answer
        .as_ref()
        .filter(|(of, _)| of == topology && shown)
        .map(|(_, findings)| findings.clone())
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
