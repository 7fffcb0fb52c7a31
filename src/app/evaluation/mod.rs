//! The engine's results for the views. A small topology is evaluated on the page, within a
//! frame; a large one in the engine's Web Worker, while the views keep showing the last results
//! and a progress bar names the stage from [`PROGRESS_DELAY_MILLIS`] on. The worker starts with
//! the first large topology. Cancel terminates the worker (a fresh one starts with the next
//! evaluation) and keeps the last results.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use sglab_core::diagnostic::Diagnostic;
use sglab_core::model::Topology;
use yew::prelude::*;

use crate::browser::{self, EngineWorker, Stage as Timed, WorkerCosts, WorkerEvent};
use crate::engine::overview::Overview;
use crate::engine::receive::Receiving;
use crate::engine::transfer::{FromWorker, ResultHead, Stage, ToWorker};
use crate::engine::{self, same_evaluation, Reach, PAIR_EDGES_LIMIT};
use crate::types::Shared;

mod lint;
mod read;

pub use lint::{Counted, Linter};
pub use read::{read, ReadDone};

/// Above this many endpoints the engine runs in its worker.
pub const INLINE_LIMIT: usize = PAIR_EDGES_LIMIT;
/// How long an evaluation runs before its progress bar shows.
pub const PROGRESS_DELAY_MILLIS: u32 = 200;
/// How long one task of the page takes in the worker's results before it lets the page draw
/// and answer.
const RECEIVE_SLICE_MILLIS: f64 = 12.0;

/// A recompute in the worker, as the progress bar shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// The stage the worker is in.
    pub stage: Stage,
    /// Endpoints of the topology being evaluated.
    pub endpoints: usize,
}

/// The results the views draw.
pub struct Results {
    /// The last matrix (of the current topology, or of the last one evaluated while the worker
    /// computes the next).
    pub reach: Rc<Reach>,
    /// The overview the worker computed from its group matrix, for `reach`.
    pub overview: Option<Shared<Overview>>,
    /// The recompute running in the worker, once it has run [`PROGRESS_DELAY_MILLIS`].
    pub progress: Option<Progress>,
    /// For a topology evaluated in the worker, the work the page need not do again: its
    /// validation warnings (of `reach`'s topology) and the sglab JSON last sent (with the
    /// topology it is of), which the autosave reuses.
    pub large: Option<LargeResults>,
    /// The lint asked of the worker that holds the topology.
    pub linter: Linter,
}

/// What the worker gives beyond the matrix, for [`Results::large`].
#[derive(Clone, Debug, PartialEq)]
pub struct LargeResults {
    /// The validation warnings of the last topology evaluated.
    pub problems: Option<Shared<Vec<Diagnostic>>>,
    /// The last topology sent, with its sglab JSON.
    pub json: Option<(Shared<Topology>, Shared<String>)>,
    /// Whether the worker is to send the current topology's JSON: it was sent its changes
    /// only ([`crate::engine::patch`]), and answers with the JSON before the results.
    pub json_coming: bool,
}

/// A request sent to the worker.
struct Pending {
    job: u64,
    topology: Shared<Topology>,
    stage: Stage,
    shown: bool,
    patched: bool,
    _timer: gloo::timers::callback::Timeout,
}

/// The worker and what it is doing, shared by the hook and the worker's message handler.
#[derive(Default)]
struct Client {
    worker: Option<EngineWorker>,
    ready: bool,
    queued: Option<wasm_bindgen::JsValue>,
    job: u64,
    pending: Option<Pending>,
    results: Option<Rc<Reach>>,
    overview: Option<(Rc<Reach>, Shared<Overview>)>,
    problems: Option<(Rc<Reach>, Shared<Vec<Diagnostic>>)>,
    json: Option<(Shared<Topology>, Shared<String>)>,
    cancelled: Option<Shared<Topology>>,
    failed: bool,
    receiving: Option<Intake>,
    /// The last topology sent to the running worker, from which the next is sent as changes.
    sent: Option<Shared<Topology>>,
    /// The number of the last lint question asked of the worker.
    lint_job: u64,
    /// The lint question waiting for the worker's answer.
    lint_waiting: Option<lint::Waiting<Counted>>,
    /// The question for rows of the findings waiting for the worker's answer.
    rows_waiting: Option<lint::Waiting<crate::engine::findings::LintRows>>,
}

/// The results of the running job, taken into the page's memory a slice per task.
struct Intake {
    job: u64,
    receiving: Receiving,
    cells: js_sys::Uint32Array,
    started: f64,
    _next: Option<gloo::timers::callback::Timeout>,
}

type Redraw = Rc<dyn Fn()>;

/// The results of `topology`, and Cancel (true when a recompute was running).
#[hook]
pub fn use_results(topology: &Shared<Topology>) -> (Results, Rc<dyn Fn() -> bool>) {
    let client = use_mut_ref(Client::default);
    let update = use_force_update();
    let redraw: Redraw = Rc::new(move || update.force_update());
    // The worker starts with the first large topology, not with the page: its module is not
    // part of the first load.
    evaluate(&client, topology, &redraw);
    let cancel = {
        let client = Rc::clone(&client);
        let redraw = Rc::clone(&redraw);
        Rc::new(move || {
            let cancelled = {
                let mut client = client.borrow_mut();
                let pending = client.pending.take();
                let cancelled = pending.is_some();
                if let Some(pending) = pending {
                    client.receiving = None;
                    client.cancelled = Some(pending.topology);
                    client.worker = None;
                    client.ready = false;
                    client.queued = None;
                }
                cancelled
            };
            if cancelled {
                browser::evaluation_settled();
                lint::orphaned(&client);
                redraw();
            }
            cancelled
        })
    };
    let linter = Linter(Rc::downgrade(&client));
    let client = client.borrow();
    let reach = client
        .results
        .clone()
        .unwrap_or_else(|| Rc::new(Reach::compute(&Shared::new(Topology::default()))));
    let overview = client
        .overview
        .as_ref()
        .filter(|(of, _)| Rc::ptr_eq(of, &reach))
        .map(|(_, overview)| overview.clone());
    let progress = client
        .pending
        .as_ref()
        .filter(|pending| pending.shown)
        .map(|pending| Progress {
            stage: pending.stage,
            endpoints: pending.topology.endpoints.len(),
        });
    let large = (topology.endpoints.len() > INLINE_LIMIT && !client.failed).then(|| LargeResults {
        problems: client
            .problems
            .as_ref()
            .filter(|(of, _)| Rc::ptr_eq(of, &reach))
            .map(|(_, problems)| problems.clone()),
        json: client.json.clone(),
        json_coming: client
            .pending
            .as_ref()
            .is_some_and(|pending| pending.patched && pending.topology == *topology),
    });
    (
        Results {
            reach,
            overview,
            progress,
            large,
            linter,
        },
        cancel,
    )
}

/// Starts what `topology` needs: nothing when the last results or the running request are of
/// it, a computation on the page for a small topology, else a request to the worker.
fn evaluate(client_rc: &Rc<RefCell<Client>>, topology: &Shared<Topology>, redraw: &Redraw) {
    let mut client = client_rc.borrow_mut();
    if client
        .results
        .as_ref()
        .is_some_and(|results| same_evaluation(&results.topology, topology))
    {
        if client.pending.take().is_some() {
            browser::evaluation_settled();
        }
        return;
    }
    let running = client.pending.as_ref();
    if running.is_some_and(|pending| same_evaluation(&pending.topology, topology))
        || client.cancelled.as_ref() == Some(topology)
    {
        return;
    }
    let large = topology.endpoints.len() > INLINE_LIMIT;
    if !large || client.failed || !ensure_worker(&mut client, client_rc, redraw) {
        let previous = client.results.clone();
        let reach = browser::timed(Timed::Matrix, || match previous {
            Some(previous) => Reach::after_edit(&previous, topology),
            None => Reach::compute(topology),
        });
        client.results = Some(Rc::new(reach));
        if client.pending.take().is_some() {
            browser::evaluation_settled();
        }
        return;
    }
    client.job += 1;
    client.receiving = None;
    let job = client.job;
    // After an edit, the changes only; else the whole topology, whose JSON the autosave keeps.
    // A topology the worker read for the page is the one it holds: nothing changed.
    let patch = client
        .sent
        .as_ref()
        .and_then(|sent| {
            if sent == topology {
                Some(engine::patch::Patch::default())
            } else {
                engine::patch::patch(sent, topology)
            }
        })
        .and_then(|patch| serde_json::to_string(&patch).ok());
    // The worker sends the JSON of a patched topology, unless the page has it already (a
    // topology read from a text, which is saved as given).
    let patched = patch.is_some() && !client.json.as_ref().is_some_and(|(of, _)| of == topology);
    let request = match patch {
        Some(patch) => browser::to_js(&ToWorker::Patch {
            job,
            patch,
            groups: true,
        }),
        None => {
            // A topology just read is sent as the text it was read from.
            let json = read::take_given(topology).unwrap_or_else(|| engine::to_json(topology));
            let evaluate = ToWorker::Evaluate {
                job,
                json,
                groups: true,
            };
            let request = browser::to_js(&evaluate);
            if let ToWorker::Evaluate { json, .. } = evaluate {
                client.json = Some((topology.clone(), Shared::new(json)));
            }
            request
        }
    };
    client.sent = Some(topology.clone());
    let timer = {
        let client = Rc::downgrade(client_rc);
        let redraw = Rc::clone(redraw);
        browser::after(PROGRESS_DELAY_MILLIS, move || {
            let shown = client.upgrade().is_some_and(|client| {
                let mut client = client.borrow_mut();
                let pending = client.pending.as_mut().filter(|p| p.job == job);
                pending.map(|pending| pending.shown = true).is_some()
            });
            if shown {
                redraw();
            }
        })
    };
    client.pending = Some(Pending {
        job,
        topology: topology.clone(),
        stage: Stage::Queued,
        shown: false,
        patched,
        _timer: timer,
    });
    browser::evaluation_sent();
    match (&client.worker, client.ready) {
        (Some(worker), true) => {
            worker.post(&request);
        }
        _ => client.queued = Some(request),
    }
}

/// Starts the worker unless it runs; false when it cannot start.
fn ensure_worker(client: &mut Client, client_rc: &Rc<RefCell<Client>>, redraw: &Redraw) -> bool {
    if client.worker.is_some() {
        return true;
    }
    let weak = Rc::downgrade(client_rc);
    let redraw = Rc::clone(redraw);
    client.worker = EngineWorker::spawn(move |event| on_event(&weak, &redraw, event));
    client.ready = false;
    client.sent = None;
    client.worker.is_some()
}

/// Handles a message or an error of the worker.
fn on_event(client: &Weak<RefCell<Client>>, redraw: &Redraw, event: WorkerEvent) {
    let Some(client) = client.upgrade() else {
        return;
    };
    let changed = match event {
        WorkerEvent::Message {
            message,
            words,
            cells,
        } => match serde_wasm_bindgen::from_value::<FromWorker>(message) {
            Ok(FromWorker::Done { job, head }) => {
                let mut client_mut = client.borrow_mut();
                let current = client_mut.pending.as_ref().is_some_and(|p| p.job == job);
                if !current {
                    return;
                }
                let words = words.map(|words| words.to_vec()).unwrap_or_default();
                let cells = cells.unwrap_or_else(|| js_sys::Uint32Array::new_with_length(0));
                match Receiving::new(head, words, cells.length() as usize) {
                    Ok(receiving) => {
                        client_mut.receiving = Some(Intake {
                            job,
                            receiving,
                            cells,
                            started: browser::now(),
                            _next: None,
                        });
                        drop(client_mut);
                        receive(&Rc::downgrade(&client), redraw, job);
                        false
                    }
                    Err(error) => {
                        gloo::console::error!(format!("the engine's results do not fit: {error}"));
                        give_up(&mut client_mut)
                    }
                }
            }
            Ok(FromWorker::LintCounted {
                job,
                evaluation,
                counts,
                rows,
            }) => {
                let answer = Some((evaluation, counts, rows));
                lint::answered(&client, |c| &mut c.lint_waiting, job, answer);
                false
            }
            Ok(FromWorker::LintRows { job, rows }) => {
                lint::answered(&client, |c| &mut c.rows_waiting, job, rows);
                false
            }
            Ok(message) => on_message(&mut client.borrow_mut(), message),
            Err(_) => false,
        },
        WorkerEvent::Failed(message) => {
            gloo::console::error!(format!("the engine's worker failed: {message}"));
            give_up(&mut client.borrow_mut())
        }
    };
    lint::orphaned(&client);
    if changed {
        redraw();
    }
}

/// Applies one message; true when the views change.
fn on_message(client: &mut Client, message: FromWorker) -> bool {
    let current = |job: u64| client.pending.as_ref().is_some_and(|p| p.job == job);
    match message {
        FromWorker::Ready => {
            client.ready = true;
            if let (Some(worker), Some(request)) = (&client.worker, client.queued.take()) {
                worker.post(&request);
            }
            false
        }
        FromWorker::Stage { job, stage } => match client.pending.as_mut() {
            Some(pending) if pending.job == job => {
                pending.stage = stage;
                pending.shown
            }
            _ => false,
        },
        FromWorker::Json { job, json } if current(job) => {
            let Some(pending) = client.pending.as_ref() else {
                return false;
            };
            client.json = Some((pending.topology.clone(), Shared::new(json)));
            true
        }
        FromWorker::Failed { job, message } if current(job) => {
            gloo::console::error!(format!(
                "the engine's worker refused the topology: {message}"
            ));
            give_up(client)
        }
        FromWorker::Done { .. }
        | FromWorker::Json { .. }
        | FromWorker::Failed { .. }
        | FromWorker::Opened { .. }
        | FromWorker::Exported { .. }
        | FromWorker::Linted { .. }
        | FromWorker::LintCounted { .. }
        | FromWorker::LintRows { .. }
        | FromWorker::AddedRule { .. }
        | FromWorker::Benched { .. }
        | FromWorker::Compared { .. } => false,
    }
}

/// Takes in the next slice of job `job`'s results, then lets the page draw before the next,
/// until they are all in: then they are the results shown.
fn receive(weak: &Weak<RefCell<Client>>, redraw: &Redraw, job: u64) {
    let Some(client_rc) = weak.upgrade() else {
        return;
    };
    let mut client = client_rc.borrow_mut();
    let Some(intake) = client.receiving.as_mut().filter(|intake| intake.job == job) else {
        return;
    };
    let cells = intake.cells.clone();
    let step = intake
        .receiving
        .step(&browser::now, RECEIVE_SLICE_MILLIS, &mut |at, into| {
            let end = at + into.len();
            cells.subarray(at as u32, end as u32).copy_to(into);
        });
    let changed = match step {
        None => {
            let (weak, redraw) = (weak.clone(), Rc::clone(redraw));
            intake._next = Some(browser::after(0, move || receive(&weak, &redraw, job)));
            false
        }
        Some(Ok(evaluated)) => {
            let Some(intake) = client.receiving.take() else {
                return;
            };
            let Some(pending) = client.pending.take() else {
                return;
            };
            let head = intake.receiving.head();
            let reach = Rc::new(Reach {
                topology: pending.topology,
                matrix: evaluated.matrix,
            });
            // The previous overview is freed a slice at a time, after the new one is drawn.
            if let Some((_, previous)) = client.overview.take() {
                crate::app::release::release(previous);
            }
            client.overview = evaluated
                .overview
                .map(|overview| (Rc::clone(&reach), Shared::new(overview)));
            client.problems = Some((Rc::clone(&reach), Shared::new(head.problems.clone())));
            client.results = Some(reach);
            browser::evaluation_received(costs(head, browser::now() - intake.started));
            browser::evaluation_settled();
            true
        }
        Some(Err(error)) => {
            gloo::console::error!(format!("the engine's results do not fit: {error}"));
            give_up(&mut client)
        }
    };
    drop(client);
    lint::orphaned(&client_rc);
    if changed {
        redraw();
    }
}

/// The worker cannot be used: evaluate on the page from now on (at the next render).
fn give_up(client: &mut Client) -> bool {
    client.failed = true;
    client.receiving = None;
    if client.pending.take().is_some() {
        browser::evaluation_settled();
    }
    client.queued = None;
    // Not dropped here: the worker's handler may be the caller.
    if let Some(worker) = client.worker.take() {
        browser::after(0, move || drop(worker)).forget();
    }
    true
}

fn costs(head: &ResultHead, transfer_millis: f64) -> WorkerCosts {
    WorkerCosts {
        parse_millis: head.parse_millis,
        matrix_millis: head.matrix_millis,
        groups_millis: head.groups_millis,
        transfer_millis,
        memory_mib: head.memory_mib,
    }
}
