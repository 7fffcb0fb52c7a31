//! The Lint tab's findings, asked of the engine's worker while the tab is shown (the lint is
//! not part of the page's module): of the evaluation's worker when it holds the topology (no
//! JSON sent, and only the rows on screen sent over),
//! else of a worker of its own given the topology's JSON, whose findings the page keeps.

use std::cell::RefCell;
use std::rc::Rc;

use sglab_core::model::Topology;
use yew::prelude::*;

use super::evaluation::Linter;
use crate::engine;
use crate::engine::findings::{LintCounts, LintRows, LintView, RowsWanted};
use crate::engine::transfer::{FromWorker, LintFinding, ToWorker};
use crate::types::Shared;

/// The rows the first answer holds when the page keeps every finding.
const FIRST_ROWS: usize = 40;

/// What the Lint tab shows.
pub struct Findings {
    /// The findings of the current topology, once the worker answered (while the tab is shown).
    pub view: Option<Shared<LintView>>,
    /// Asks for rows not taken in yet.
    pub ask_rows: Callback<RowsWanted>,
}

/// Where the rows of the findings come from.
enum Source {
    /// The evaluation's worker, which keeps the findings of this evaluation.
    Worker(u64),
    /// The page, which holds them all.
    Page(Rc<Vec<LintFinding>>),
}

/// The findings of a topology, as far as taken in.
struct Held {
    topology: Shared<Topology>,
    source: Source,
    view: Shared<LintView>,
}

/// The lint's findings of `topology` while `shown`. A question for an older topology is
/// dropped with its worker (its answer ignored), and an answer is kept with the topology it
/// is of.
#[hook]
pub fn use_findings(topology: &Shared<Topology>, shown: bool, linter: &Linter) -> Findings {
    let held = use_mut_ref(|| None::<Held>);
    let generation = use_mut_ref(|| 0u64);
    let question = use_mut_ref(|| None::<super::ask::Question>);
    let update = use_force_update();
    let redraw: Rc<dyn Fn()> = Rc::new(move || update.force_update());
    {
        let (held, linter, redraw) = (Rc::clone(&held), linter.clone(), Rc::clone(&redraw));
        use_effect_with((topology.clone(), shown), move |(topology, shown)| {
            *generation.borrow_mut() += 1;
            let job = *generation.borrow();
            let current = held
                .borrow()
                .as_ref()
                .is_some_and(|h| &h.topology == topology);
            if *shown && !current {
                let keep: Rc<dyn Fn(Source, LintView)> = {
                    let (topology, generation) = (topology.clone(), Rc::clone(&generation));
                    Rc::new(move |source, view| {
                        if job == *generation.borrow() {
                            *held.borrow_mut() = Some(Held {
                                topology: topology.clone(),
                                source,
                                view: Shared::new(view),
                            });
                            redraw();
                        }
                    })
                };
                let elsewhere = {
                    let (topology, generation) = (topology.clone(), Rc::clone(&generation));
                    let (question, keep) = (Rc::clone(&question), Rc::clone(&keep));
                    move || {
                        if job == *generation.borrow() {
                            *question.borrow_mut() = ask_own_worker(&topology, job, keep);
                        }
                    }
                };
                let asked = {
                    let elsewhere = elsewhere.clone();
                    linter.ask(topology, move |answer| match answer {
                        Some((evaluation, counts, rows)) => {
                            keep(Source::Worker(evaluation), LintView::new(job, counts, rows))
                        }
                        None => elsewhere(),
                    })
                };
                if !asked {
                    elsewhere();
                }
            }
            move || drop(question.borrow_mut().take())
        });
    }
    let view = held
        .borrow()
        .as_ref()
        .filter(|h| &h.topology == topology && shown)
        .map(|h| h.view.clone());
    let ask_rows = {
        let linter = linter.clone();
        Callback::from(move |wanted: RowsWanted| ask_rows(&held, &linter, &redraw, wanted))
    };
    Findings { view, ask_rows }
}

/// Takes in the rows `wanted` of the findings held: at once when the page holds them, else
/// when the worker answers (unless other findings are held by then).
fn ask_rows(
    held: &Rc<RefCell<Option<Held>>>,
    linter: &Linter,
    redraw: &Rc<dyn Fn()>,
    (filter, from, to): RowsWanted,
) {
    let mut borrowed = held.borrow_mut();
    let Some(current) = borrowed.as_mut() else {
        return;
    };
    match &current.source {
        Source::Page(findings) => {
            let rows = LintRows::of(findings, filter, from, to);
            current.view = Shared::new(current.view.with(rows));
            drop(borrowed);
            redraw();
        }
        Source::Worker(evaluation) => {
            let asked_for = current.view.findings;
            let (held, redraw) = (Rc::clone(held), Rc::clone(redraw));
            let evaluation = *evaluation;
            drop(borrowed);
            linter.rows((evaluation, filter), (from, to), move |rows| {
                let Some(rows) = rows else {
                    return;
                };
                let mut borrowed = held.borrow_mut();
                let Some(current) = borrowed.as_mut().filter(|h| h.view.findings == asked_for)
                else {
                    return;
                };
                current.view = Shared::new(current.view.with(rows));
                drop(borrowed);
                redraw();
            });
        }
    }
}

/// Asks a worker of its own for the findings of `topology`, sent as sglab JSON; the page then
/// holds them all. A failure gives no findings.
fn ask_own_worker(
    topology: &Topology,
    job: u64,
    keep: Rc<dyn Fn(Source, LintView)>,
) -> Option<super::ask::Question> {
    let request = ToWorker::Lint {
        job,
        json: engine::to_json(topology),
    };
    super::ask::ask(&request, move |result| {
        let findings = match result {
            Ok(FromWorker::Linted { findings, .. }) => findings,
            _ => Vec::new(),
        };
        let counts = LintCounts::of(&findings);
        let rows = LintRows::of(&findings, None, 0, FIRST_ROWS);
        keep(
            Source::Page(Rc::new(findings)),
            LintView::new(job, counts, rows),
        );
    })
}
