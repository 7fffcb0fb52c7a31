//! Exports by the core's exporters (Terraform, the aliyun CLI script): the topology's sglab
//! JSON goes to a Web Worker of the engine, whose module holds the exporters so that the page's
//! module need not; the answer downloads as a file, or a notice says why it could not, and the
//! worker stops.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::browser::{self, EngineWorker, WorkerEvent};
use crate::engine::transfer::{FromWorker, ToWorker};
use crate::engine::ExportFormat;
use crate::state::Action;
use crate::types::{Level, Notice};

/// Exports the topology (its sglab JSON) to `format` in the engine's worker and downloads the
/// text as [`ExportFormat::file_name`]; a failure becomes a notice.
pub fn export(json: String, format: ExportFormat, dispatch: Callback<Action>) {
    let request = browser::to_js(&ToWorker::Export {
        job: 0,
        json,
        format,
    });
    let worker: Rc<RefCell<Option<EngineWorker>>> = Rc::default();
    let spawned = {
        let (worker, dispatch) = (Rc::clone(&worker), dispatch.clone());
        EngineWorker::spawn(move |event| {
            let result = match event {
                WorkerEvent::Message { message, .. } => {
                    match serde_wasm_bindgen::from_value::<FromWorker>(message) {
                        Ok(FromWorker::Ready) => {
                            if let Some(worker) = worker.borrow().as_ref() {
                                worker.post(&request);
                            }
                            return;
                        }
                        Ok(FromWorker::Exported { text, .. }) => Ok(text),
                        Ok(FromWorker::Failed { message, .. }) => Err(message),
                        _ => return,
                    }
                }
                WorkerEvent::Failed(message) => Err(message),
            };
            // The first answer only; the worker is dropped after this handler returns (the
            // handler belongs to it).
            let Some(answered) = worker.borrow_mut().take() else {
                return;
            };
            browser::after(0, move || drop(answered)).forget();
            match result {
                Ok(text) => browser::download_text(format.file_name(), format.mime(), &text),
                Err(message) => dispatch.emit(not_exported(format, &message)),
            }
        })
    };
    match spawned {
        Some(spawned) => *worker.borrow_mut() = Some(spawned),
        None => dispatch.emit(not_exported(
            format,
            "this browser cannot start Web Workers",
        )),
    }
}

/// The notice of an export that did not happen.
fn not_exported(format: ExportFormat, message: &str) -> Action {
    Action::Notify(Notice {
        details: message.lines().map(str::to_owned).collect(),
        ..Notice::new(
            Level::Error,
            format!(
                "Nothing was exported: the {} export could not run",
                format.words()
            ),
        )
    })
}
