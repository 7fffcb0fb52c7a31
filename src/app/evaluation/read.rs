//! A large topology given to the page (`window.sglab.load`, files opened) read and validated in
//! the engine's worker, which sends the model back in parts ([`crate::engine::parts`]), one
//! message and so one short task of the page each, and keeps the topology: the page loads the
//! topology assembled, and its evaluation is asked of the worker as "nothing changed" instead
//! of sending the topology again. Small texts are read on the page, within a frame.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use sglab_core::diagnostic::Diagnostic;
use sglab_core::model::Topology;

use super::{ensure_worker, Client, Queued, Redraw};
use crate::browser;
use crate::engine::parts::Assembling;
use crate::engine::transfer::{FromWorker, ToWorker};
use crate::engine::{self};
use crate::types::Shared;

/// Texts up to this many bytes are read on the page (within a frame); longer ones in the
/// engine's worker.
pub const READ_ON_PAGE_BYTES: usize = 128 * 1024;

/// A text read: the topology with the load's warnings, or every problem.
pub type ReadDone = Result<(Shared<Topology>, Vec<Diagnostic>), Vec<Diagnostic>>;

/// A read running in the worker.
pub(super) struct Reading {
    job: u64,
    text: String,
    file: String,
    assembling: Assembling,
    done: Box<dyn FnOnce(ReadDone)>,
}

thread_local! {
    /// The evaluation's client, for reads asked from outside the component (the script API).
    static CLIENT: RefCell<Option<(Weak<RefCell<Client>>, Redraw)>> = const { RefCell::new(None) };
}

/// Makes `client` the one reads go to.
pub(super) fn register(client: &Rc<RefCell<Client>>, redraw: &Redraw) {
    CLIENT.with(|registered| {
        *registered.borrow_mut() = Some((Rc::downgrade(client), Rc::clone(redraw)));
    });
}

/// Reads the sglab JSON `text` (named `file` in the diagnostics) and calls `done` once with the
/// topology or its problems: on the page for a short text or when no worker runs, else in the
/// engine's worker. A read still running is answered first, from the page.
pub fn read(text: String, file: &str, done: impl FnOnce(ReadDone) + 'static) {
    let registered = CLIENT.with(|registered| registered.borrow().clone());
    let client = registered.and_then(|(weak, redraw)| weak.upgrade().map(|c| (c, redraw)));
    let Some((client_rc, redraw)) = client.filter(|_| text.len() > READ_ON_PAGE_BYTES) else {
        done(on_page(&text, file));
        return;
    };
    let mut client = client_rc.borrow_mut();
    if client.failed || !ensure_worker(&mut client, &client_rc, &redraw) {
        drop(client);
        done(on_page(&text, file));
        return;
    }
    client.job += 1;
    let job = client.job;
    // The worker holds the topology read from now on; until it is loaded, anything sent is
    // sent whole.
    client.sent = None;
    let request = browser::to_js(&ToWorker::Read {
        job,
        text: text.clone(),
        file: file.to_owned(),
    });
    let superseded = client.reading.replace(Reading {
        job,
        text,
        file: file.to_owned(),
        assembling: Assembling::default(),
        done: Box::new(done),
    });
    match (&client.worker, client.ready) {
        (Some(worker), true) => {
            worker.post(&request);
        }
        _ => client.queued.push(Queued::Read(request)),
    }
    drop(client);
    read_on_page(superseded);
}

/// Handles a part of the read running, or its end.
pub(super) fn on_message(client_rc: &Rc<RefCell<Client>>, message: FromWorker) {
    let mut client = client_rc.borrow_mut();
    match message {
        FromWorker::Part { job, part } => {
            let Some(reading) = client.reading.as_mut().filter(|r| r.job == job) else {
                return;
            };
            reading.assembling.add(part);
        }
        FromWorker::Read {
            job,
            read,
            diagnostics,
        } => {
            let Some(reading) = client.reading.take_if(|reading| reading.job == job) else {
                return;
            };
            let Reading {
                text,
                assembling,
                done,
                ..
            } = reading;
            let read = if read {
                let topology = Shared::new(assembling.finish());
                // Nothing was sent since: the worker's next patch changes this topology.
                if client.job == job {
                    client.sent = Some(topology.clone());
                }
                // The text given is the topology's sglab JSON, for the autosave.
                client.json = Some((topology.clone(), Shared::new(text)));
                Ok((topology, diagnostics))
            } else {
                Err(diagnostics)
            };
            drop(client);
            done(read);
        }
        _ => {}
    }
}

/// Answers a read the worker will not finish from the page, in a task of its own.
pub(super) fn read_on_page(reading: Option<Reading>) {
    if let Some(reading) = reading {
        browser::after(0, move || {
            let read = on_page(&reading.text, &reading.file);
            (reading.done)(read);
        })
        .forget();
    }
}

fn on_page(text: &str, file: &str) -> ReadDone {
    engine::parse_sglab(text, file).map(|(topology, warnings)| (Shared::new(topology), warnings))
}
