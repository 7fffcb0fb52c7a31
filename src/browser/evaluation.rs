//! The timing record of the last recompute, which `window.sglab.lastEvaluation()` returns once
//! the recompute is complete (in the engine's worker or on the page).

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::now;

/// The timing of the last recompute, as `sglab.lastEvaluation()` returns it: what was
/// recomputed after the last change of the topology, stage by stage (a stage that was not
/// needed, such as the matrix after a node was only moved, counts 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Evaluation {
    /// Milliseconds of the whole recompute: the sum of the stages on the page, or for a
    /// recompute in the engine's worker the time from the request to the results drawn.
    pub millis: f64,
    /// Reading and validating the topology in the worker (0 on the page, which read it when
    /// it was opened).
    pub parse_millis: f64,
    /// The core's matrix.
    pub matrix_millis: f64,
    /// The diagram's edges (per pair, or the core's group matrix for large topologies).
    pub edges_millis: f64,
    /// The diagram's layout.
    pub layout_millis: f64,
    /// On the page, turning the worker's results back into a matrix.
    pub transfer_millis: f64,
    /// Endpoints in the topology.
    pub endpoints: usize,
    /// Rules in the topology, all groups.
    pub rules: usize,
    /// The state revision it belongs to.
    pub revision: u64,
    /// Whether the engine ran in its Web Worker.
    pub in_worker: bool,
    /// The engine's WebAssembly memory when it was read, in MiB: the worker's when the engine
    /// ran there, else the page's.
    pub memory_mib: f64,
    /// The page's WebAssembly memory, in MiB.
    pub page_memory_mib: f64,
}

/// A stage of the recompute, for [`timed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The core's matrix.
    Matrix,
    /// The diagram's edges.
    Edges,
    /// The diagram's layout.
    Layout,
}

/// The record, whether a recompute is running, and the callers of `lastEvaluation()` waiting
/// for it.
#[derive(Default)]
struct Record {
    evaluation: Evaluation,
    worker_memory_mib: f64,
    started: f64,
    pending: bool,
    waiting: Vec<js_sys::Function>,
}

thread_local! {
    static RECORD: RefCell<Record> = RefCell::new(Record::default());
}

/// Starts the timing record of a revision of the topology (nothing when it is already the
/// current one).
pub fn begin_evaluation(revision: u64, count: impl FnOnce() -> (usize, usize)) {
    RECORD.with(|record| {
        let mut record = record.borrow_mut();
        let evaluation = &mut record.evaluation;
        if evaluation.revision != revision || evaluation.endpoints == 0 {
            let (endpoints, rules) = count();
            *evaluation = Evaluation {
                endpoints,
                rules,
                revision,
                ..Evaluation::default()
            };
        }
    });
}

/// Runs one stage of the recompute on the page and adds its time to the record.
pub fn timed<T>(stage: Stage, work: impl FnOnce() -> T) -> T {
    let started = now();
    let out = work();
    let millis = now() - started;
    RECORD.with(|record| {
        let evaluation = &mut record.borrow_mut().evaluation;
        match stage {
            Stage::Matrix => evaluation.matrix_millis += millis,
            Stage::Edges => evaluation.edges_millis += millis,
            Stage::Layout => evaluation.layout_millis += millis,
        }
        evaluation.millis += millis;
    });
    out
}

/// Marks a recompute sent to the engine's worker: `lastEvaluation()` waits for its results.
pub fn evaluation_sent() {
    RECORD.with(|record| {
        let mut record = record.borrow_mut();
        record.pending = true;
        record.started = now();
    });
}

/// What the worker reported of a recompute: its stages' milliseconds and its memory.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WorkerCosts {
    /// Reading and validating.
    pub parse_millis: f64,
    /// The matrix.
    pub matrix_millis: f64,
    /// The group matrix.
    pub groups_millis: f64,
    /// On the page, decoding the results.
    pub transfer_millis: f64,
    /// The worker's memory, MiB.
    pub memory_mib: f64,
}

/// Records the worker's results of the current recompute.
pub fn evaluation_received(costs: WorkerCosts) {
    RECORD.with(|record| {
        let mut record = record.borrow_mut();
        record.worker_memory_mib = costs.memory_mib;
        let started = record.started;
        let evaluation = &mut record.evaluation;
        evaluation.in_worker = true;
        evaluation.parse_millis = costs.parse_millis;
        evaluation.matrix_millis = costs.matrix_millis;
        evaluation.edges_millis = costs.groups_millis;
        evaluation.transfer_millis = costs.transfer_millis;
        evaluation.millis = now() - started;
    });
}

/// Marks the recompute complete (or abandoned, after Cancel): the callers of
/// `lastEvaluation()` get the record, once the results are drawn.
pub fn evaluation_settled() {
    let waiting = RECORD.with(|record| {
        let mut record = record.borrow_mut();
        record.pending = false;
        std::mem::take(&mut record.waiting)
    });
    if waiting.is_empty() {
        return;
    }
    // After the next frame, so that the results are on screen.
    super::after(0, move || {
        let value = super::to_js(&last_evaluation());
        for resolve in waiting {
            let _ = resolve.call1(&JsValue::NULL, &value);
        }
    })
    .forget();
}

/// The timing record of the last recompute.
pub fn last_evaluation() -> Evaluation {
    RECORD.with(|record| {
        let record = record.borrow();
        let page = memory_pages() as f64 / 16.0;
        Evaluation {
            memory_mib: if record.evaluation.in_worker {
                record.worker_memory_mib
            } else {
                page
            },
            page_memory_mib: page,
            ..record.evaluation
        }
    })
}

/// `lastEvaluation()`: a promise of the record, resolved when no recompute is running.
pub fn last_evaluation_promise() -> js_sys::Promise {
    let mut resolved = None;
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        RECORD.with(|record| {
            let mut record = record.borrow_mut();
            if record.pending {
                record.waiting.push(resolve);
            } else {
                resolved = Some(resolve);
            }
        });
    });
    if let Some(resolve) = resolved {
        let _ = resolve.call1(&JsValue::NULL, &super::to_js(&last_evaluation()));
    }
    promise
}

/// The size of the module's linear memory in 64 KiB pages (it never shrinks: the peak so far).
pub fn memory_pages() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}
