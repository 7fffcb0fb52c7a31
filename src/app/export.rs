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
    let answered = Rc::new(RefCell::new(false));
    let spawned = {
        let (worker, answered, dispatch) =
            (Rc::clone(&worker), Rc::clone(&answered), dispatch.clone());
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
                        Ok(FromWorker::Exported { result, .. }) => result,
                        _ => return,
                    }
                }
                WorkerEvent::Failed(message) => Err(vec![message]),
            };
            // Dropped after this handler returns: the handler belongs to the worker.
            if let Some(worker) = worker.borrow_mut().take() {
                browser::after(0, move || drop(worker)).forget();
            }
            if answered.replace(true) {
                return;
            }
            match result {
                Ok(text) => browser::download_text(format.file_name(), format.mime(), &text),
                Err(details) => dispatch.emit(not_exported(format, details)),
            }
        })
    };
    match spawned {
        Some(spawned) => *worker.borrow_mut() = Some(spawned),
        None => dispatch.emit(not_exported(
            format,
            vec!["this browser cannot start Web Workers".to_owned()],
        )),
    }
}

/// The notice of an export that did not happen.
fn not_exported(format: ExportFormat, details: Vec<String>) -> Action {
    Action::Notify(Notice {
        details,
        ..Notice::new(
            Level::Error,
            format!(
                "Nothing was exported: the {} export could not run",
                format.words()
            ),
        )
    })
}
