//! The compare mode's browser side: the diff of the baseline and the current topology, asked
//! of the engine's worker (the page's module links none of the diff's code); files opened as
//! the baseline; and the baseline saved beside the autosave (under its own key, so that older
//! autosaves read as before) and restored with it.

use std::rc::Rc;

use sglab_core::model::Topology;
use yew::prelude::*;

use crate::browser;
use crate::engine::transfer::{FromWorker, ToWorker};
use crate::engine::{self, Compare};
use crate::state::{Action, AppState};
use crate::types::{Level, Notice, Shared};

/// The compare mode's diff as the views show it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    /// The diff of the baseline and the current topology, once known; never the diff of an
    /// older topology.
    pub compare: Option<Shared<Compare>>,
    /// Whether the engine's worker is computing the diff of the current topology.
    pub pending: bool,
}

/// What the worker answered for one baseline and topology: the diff, or `None` when it failed
/// (a notice said why).
type Answer = (Shared<Topology>, Shared<Topology>, Option<Shared<Compare>>);

/// The diff of `baseline` (while one is pinned) and `topology`, asked of the engine's worker
/// whenever either changes. A topology equal to the baseline (just pinned, or an undo back to
/// it) is equivalent without asking. A question for an older topology is dropped with its
/// worker; a failure is a notice.
#[hook]
pub fn use_compare(
    baseline: &Option<Shared<Topology>>,
    topology: &Shared<Topology>,
    dispatcher: UseReducerDispatcher<AppState>,
) -> Comparison {
    let answer = use_state(|| None::<Answer>);
    let generation = use_mut_ref(|| 0u64);
    // The baseline's JSON, written once per baseline.
    let baseline_json = use_mut_ref(|| None::<(Shared<Topology>, Rc<String>)>);
    let identical = use_memo((), |_| Shared::new(Compare::identical()));
    let answered = |baseline: &Shared<Topology>, topology: &Shared<Topology>| {
        answer
            .as_ref()
            .filter(|(of_baseline, of_topology, _)| {
                of_baseline == baseline && of_topology == topology
            })
            .map(|(_, _, compare)| compare.clone())
    };
    let needed = baseline.as_ref().filter(|baseline| {
        !Rc::ptr_eq(&baseline.0, &topology.0) && answered(baseline, topology).is_none()
    });
    {
        let answer = answer.clone();
        let needed = needed.cloned();
        use_effect_with((needed, topology.clone()), move |(needed, topology)| {
            *generation.borrow_mut() += 1;
            let job = *generation.borrow();
            let question = needed.clone().and_then(|baseline| {
                let json = {
                    let mut cached = baseline_json.borrow_mut();
                    match cached.as_ref() {
                        Some((of, json)) if *of == baseline => Rc::clone(json),
                        _ => {
                            let json = Rc::new(engine::to_json(&baseline));
                            *cached = Some((baseline.clone(), Rc::clone(&json)));
                            json
                        }
                    }
                };
                let request = ToWorker::Compare {
                    job,
                    baseline: json.as_ref().clone(),
                    json: engine::to_json(topology),
                };
                let on_answer = {
                    let (answer, topology) = (answer.clone(), topology.clone());
                    let (baseline, dispatcher) = (baseline.clone(), dispatcher.clone());
                    move |result: Result<FromWorker, String>| {
                        let compare = match result {
                            Ok(FromWorker::Compared {
                                job: of_job,
                                compare,
                            }) => {
                                if of_job != *generation.borrow() {
                                    return;
                                }
                                Some(Shared::new(compare))
                            }
                            Ok(FromWorker::Failed { message, .. }) | Err(message) => {
                                dispatcher.dispatch(Action::Notify(failed(&message)));
                                None
                            }
                            Ok(_) => {
                                dispatcher.dispatch(Action::Notify(failed(
                                    "the engine's worker answered something else",
                                )));
                                None
                            }
                        };
                        answer.set(Some((baseline, topology, compare)));
                    }
                };
                let asked = super::ask::ask(&request, on_answer);
                if asked.is_none() {
                    dispatcher.dispatch(Action::Notify(failed(
                        "this browser cannot start Web Workers",
                    )));
                    answer.set(Some((baseline, topology.clone(), None)));
                }
                asked
            });
            move || drop(question)
        });
    }
    match baseline {
        None => Comparison::default(),
        Some(baseline) if Rc::ptr_eq(&baseline.0, &topology.0) => Comparison {
            compare: Some((*identical).clone()),
            pending: false,
        },
        Some(baseline) => match answered(baseline, topology) {
            Some(compare) => Comparison {
                compare,
                pending: false,
            },
            None => Comparison {
                compare: None,
                pending: true,
            },
        },
    }
}

/// The notice of a diff the engine's worker could not compute.
fn failed(message: &str) -> Notice {
    Notice {
        details: vec![message.to_owned()],
        ..Notice::new(
            Level::Error,
            "The comparison with the baseline failed: the engine's worker, which computes it, could not run",
        )
    }
}

/// Saves the baseline whenever it is pinned, replaced or unpinned.
#[hook]
pub fn use_baseline_saved(baseline: &Option<Shared<Topology>>) {
    use_effect_with(baseline.clone(), |baseline| {
        let json = baseline.as_ref().map(|baseline| engine::to_json(baseline));
        browser::write_autosave_baseline(json.as_deref());
    });
}

/// The baseline saved with the autosave, when there is one and it reads; an unreadable one is
/// dropped, since the topology itself is what the autosave keeps.
pub fn restored_baseline() -> Option<Shared<Topology>> {
    let text = browser::read_autosave_baseline()?;
    engine::parse_sglab(&text, "baseline")
        .ok()
        .map(|(topology, _warnings)| Shared::new(topology))
}

/// Reads the chosen files and pins what they hold as the baseline, or says why it cannot.
pub fn on_open_baseline(dispatch: &Callback<Action>) -> Callback<Vec<web_sys::File>> {
    let dispatch = dispatch.clone();
    Callback::from(move |files: Vec<web_sys::File>| {
        let dispatch = dispatch.clone();
        browser::read_files(files, move |contents| {
            super::open::open_baseline(contents, dispatch)
        });
    })
}
