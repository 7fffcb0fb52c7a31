//! One question to the engine's Web Worker: a worker of its own starts, gets the request once
//! it is ready, and stops after its first answer, or when the question is dropped (its answer
//! is then never seen: a newer question took its place).

use std::cell::RefCell;
use std::rc::Rc;

use crate::browser::{self, EngineWorker, WorkerEvent};
use crate::engine::transfer::{FromWorker, ToWorker};

/// A question running in the worker; dropping it stops the worker.
pub struct Question {
    worker: Rc<RefCell<Option<EngineWorker>>>,
}

impl Question {
    /// Lets the question run to its answer (or the worker's failure) whoever holds it: the
    /// worker then stops after answering, as always.
    pub fn detach(mut self) {
        // The handler keeps its own handle on the worker; dropping an empty one here stops
        // nothing.
        self.worker = Rc::default();
    }
}

impl Drop for Question {
    fn drop(&mut self) {
        // Breaks the cycle between the worker and its handler, and terminates the worker.
        drop(self.worker.borrow_mut().take());
    }
}

/// Sends `request` to a worker of its own; `on_answer` gets the first answer other than the
/// stages (`Err` when the worker could not start or failed). `None` when the page cannot start
/// workers.
pub fn ask(
    request: &ToWorker,
    on_answer: impl FnOnce(Result<FromWorker, String>) + 'static,
) -> Option<Question> {
    let request = browser::to_js(request);
    let on_answer = RefCell::new(Some(on_answer));
    let worker: Rc<RefCell<Option<EngineWorker>>> = Rc::default();
    let spawned = {
        let worker = Rc::clone(&worker);
        EngineWorker::spawn(move |event| {
            let answer = match event {
                WorkerEvent::Message { message, .. } => {
                    match serde_wasm_bindgen::from_value::<FromWorker>(message) {
                        Ok(FromWorker::Ready) => {
                            if let Some(worker) = worker.borrow().as_ref() {
                                worker.post(&request);
                            }
                            return;
                        }
                        Ok(FromWorker::Stage { .. }) => return,
                        Ok(answer) => Ok(answer),
                        Err(error) => Err(error.to_string()),
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
            if let Some(on_answer) = on_answer.borrow_mut().take() {
                on_answer(answer);
            }
        })
    }?;
    *worker.borrow_mut() = Some(spawned);
    Some(Question { worker })
}
