//! The Lint tab's questions asked of the evaluation's own worker: it holds the topology it
//! evaluated last, so when that is the page's current topology nothing is sent but the
//! question, and the findings stay in the worker: the page takes their counts and the rows on
//! screen.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use sglab_core::model::Topology;

use super::Client;
use crate::engine::findings::{LintCounts, LintRows};
use crate::engine::transfer::{LintSeverity, ToWorker};
use crate::types::Shared;

/// The answer to a lint: the evaluation the findings are of, their counts and first rows.
pub type Counted = (u64, LintCounts, LintRows);

/// A question waiting for the evaluation's worker; its answer is `None` when the worker
/// stopped before answering (Cancel, or a failure), so that it is asked elsewhere.
pub(super) struct Waiting<T> {
    job: u64,
    on_answer: Box<dyn FnOnce(Option<T>)>,
}

/// Asks the evaluation's worker for the lint's findings.
#[derive(Clone)]
pub struct Linter(pub(super) Weak<RefCell<Client>>);

impl Linter {
    /// Asks for the findings of `topology` when the worker holds it (the last topology sent to
    /// a running, ready worker); false, and `on_answer` dropped, when it does not. A newer
    /// question replaces an older one still waiting.
    pub fn ask(
        &self,
        topology: &Shared<Topology>,
        on_answer: impl FnOnce(Option<Counted>) + 'static,
    ) -> bool {
        self.post(
            |client| client.sent.as_ref() == Some(topology),
            |job| ToWorker::LintEvaluated { job },
            |client, waiting| client.lint_waiting = Some(waiting),
            on_answer,
        )
    }

    /// Asks for the rows at positions `from..to` of the findings of `evaluation` shown with
    /// `filter`; false when no worker runs. A newer question replaces an older one.
    pub fn rows(
        &self,
        (evaluation, filter): (u64, Option<LintSeverity>),
        (from, to): (usize, usize),
        on_answer: impl FnOnce(Option<LintRows>) + 'static,
    ) -> bool {
        self.post(
            |_| true,
            |job| ToWorker::LintRows {
                job,
                evaluation,
                filter,
                from,
                to,
            },
            |client, waiting| client.rows_waiting = Some(waiting),
            on_answer,
        )
    }

    fn post<T>(
        &self,
        holds: impl FnOnce(&Client) -> bool,
        request: impl FnOnce(u64) -> ToWorker,
        keep: impl FnOnce(&mut Client, Waiting<T>),
        on_answer: impl FnOnce(Option<T>) + 'static,
    ) -> bool {
        let Some(client) = self.0.upgrade() else {
            return false;
        };
        let mut client = client.borrow_mut();
        let usable = client.ready && client.queued.is_none() && !client.failed;
        if !usable || client.worker.is_none() || !holds(&client) {
            return false;
        }
        client.lint_job += 1;
        let job = client.lint_job;
        if let Some(worker) = client.worker.as_ref() {
            worker.post(&crate::browser::to_js(&request(job)));
        }
        keep(
            &mut client,
            Waiting {
                job,
                on_answer: Box::new(on_answer),
            },
        );
        true
    }
}

/// Gives the answer of lint question `job` to whoever waits for it (not an older question's).
pub(super) fn answered<T>(
    client: &Rc<RefCell<Client>>,
    slot: fn(&mut Client) -> &mut Option<Waiting<T>>,
    job: u64,
    answer: Option<T>,
) {
    let waiting = {
        let mut client = client.borrow_mut();
        let slot = slot(&mut client);
        match slot.take() {
            Some(waiting) if waiting.job == job => Some(waiting),
            other => {
                *slot = other;
                None
            }
        }
    };
    if let Some(waiting) = waiting {
        (waiting.on_answer)(answer);
    }
}

/// Tells the waiting questions that the worker has stopped (their answers will not come).
pub(super) fn orphaned(client: &Rc<RefCell<Client>>) {
    let (counted, rows) = {
        let mut client = client.borrow_mut();
        if client.worker.is_some() {
            return;
        }
        (client.lint_waiting.take(), client.rows_waiting.take())
    };
    if let Some(waiting) = counted {
        (waiting.on_answer)(None);
    }
    if let Some(waiting) = rows {
        (waiting.on_answer)(None);
    }
}
