//! The engine's Web Worker as the page sees it: started from the loader script trunk writes
//! next to the page, messages in and out, terminated when dropped (Cancel).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The worker's loader script, written by trunk (`data-loader-shim` in `index.html`).
pub const WORKER_SCRIPT: &str = "engine_worker_loader.js";

/// What the worker sends the page.
#[derive(Debug)]
pub enum WorkerEvent {
    /// A message: its `message` (plain data) and, with results, its `words` (the numbers).
    Message {
        /// The message as plain data.
        message: JsValue,
        /// The numbers that came with it (in the worker's buffer, not yet in the page's
        /// memory).
        words: Option<js_sys::Uint32Array>,
        /// The matrix's class pairs that came with it, likewise.
        cells: Option<js_sys::Uint32Array>,
    },
    /// The worker could not start or stopped with an error.
    Failed(String),
}

/// A running worker; dropping it terminates the worker.
pub struct EngineWorker {
    worker: web_sys::Worker,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl EngineWorker {
    /// Starts the worker; `on_event` gets each of its messages and errors. `None` when the page
    /// cannot start workers.
    pub fn spawn(on_event: impl Fn(WorkerEvent) + 'static) -> Option<EngineWorker> {
        let worker = web_sys::Worker::new(WORKER_SCRIPT).ok()?;
        let on_event = std::rc::Rc::new(on_event);
        let on_message = {
            let on_event = std::rc::Rc::clone(&on_event);
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let data = event.data();
                let get = |key: &str| js_sys::Reflect::get(&data, &JsValue::from_str(key)).ok();
                let message = get("message").unwrap_or(JsValue::NULL);
                let words = get("words").and_then(|words| words.dyn_into().ok());
                let cells = get("cells").and_then(|cells| cells.dyn_into().ok());
                on_event(WorkerEvent::Message {
                    message,
                    words,
                    cells,
                });
            })
        };
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let message = js_sys::Reflect::get(&event, &JsValue::from_str("message"))
                .ok()
                .and_then(|message| message.as_string())
                .unwrap_or_else(|| "the engine's worker could not start".to_owned());
            on_event(WorkerEvent::Failed(message));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(EngineWorker {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Posts a message; false when it could not be sent.
    pub fn post(&self, message: &JsValue) -> bool {
        self.worker.post_message(message).is_ok()
    }
}

impl Drop for EngineWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// Converts a serializable value for JavaScript.
pub fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    serde_wasm_bindgen::to_value(value).unwrap_or(JsValue::NULL)
}
