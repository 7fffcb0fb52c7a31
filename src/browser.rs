//! Every browser side effect of the app, in one place: LocalStorage, the URL fragment,
//! downloads, the clipboard, reading files, global keyboard and paste listeners, the clock and
//! the `window.sglab` script API. The app calls these from its top-level component only.
//!
//! Nothing here interprets text as HTML: user data goes into DOM text, attribute values, Blob
//! contents or JSON, never into `innerHTML`.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use gloo::file::callbacks::FileReader;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

mod autosave;
mod download;
mod evaluation;
mod worker;

pub use autosave::{
    forget_kept, keep, keep_unreadable_autosave, listen_other_tab_saves, read_autosave, read_kept,
    write_autosave, Kept, Saved, AUTOSAVE_KEY, BEFORE_LINK_FILE, BEFORE_LINK_KEY,
    CORRUPT_AUTOSAVE_KEY, OTHER_TAB_FILE, OTHER_TAB_KEY,
};

pub use download::{diagram_svg, download_png, download_svg, download_text};
pub use evaluation::{
    begin_evaluation, evaluation_received, evaluation_sent, evaluation_settled, last_evaluation,
    memory_pages, timed, Evaluation, Stage, WorkerCosts,
};
pub use worker::{to_js, EngineWorker, WorkerEvent};

/// The LocalStorage key of the compare mode's baseline, kept beside the autosave so that an
/// autosave written before the compare mode existed reads as it did.
pub const BASELINE_KEY: &str = "sglab.autosave.v1.baseline";
/// The LocalStorage key of the display preferences.
pub const PREFERENCES_KEY: &str = "sglab.preferences.v1";

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok().flatten()
}

/// The autosaved baseline's text, if any.
pub fn read_autosave_baseline() -> Option<String> {
    storage()?.get_item(BASELINE_KEY).ok().flatten()
}

/// Saves the baseline's JSON text, or forgets it when no baseline is pinned; failures are
/// ignored, as for the autosave.
pub fn write_autosave_baseline(json: Option<&str>) {
    if let Some(storage) = storage() {
        let _ = match json {
            Some(json) => storage.set_item(BASELINE_KEY, json),
            None => storage.remove_item(BASELINE_KEY),
        };
    }
}

/// Whether large type was chosen on an earlier visit.
pub fn read_large_type() -> bool {
    storage()
        .and_then(|s| s.get_item(PREFERENCES_KEY).ok().flatten())
        .is_some_and(|value| value.contains("\"large_type\":true"))
}

/// Remembers the large-type choice.
pub fn write_large_type(large: bool) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(PREFERENCES_KEY, &format!("{{\"large_type\":{large}}}"));
    }
}

/// The SessionStorage key of presentation mode: a reload of the tab keeps it, another tab
/// starts in the ordinary layout.
pub const PRESENTING_KEY: &str = "sglab.presenting.v1";

fn session_storage() -> Option<web_sys::Storage> {
    window()?.session_storage().ok().flatten()
}

/// Whether this tab was in presentation mode before a reload.
pub fn read_presenting() -> bool {
    session_storage()
        .and_then(|s| s.get_item(PRESENTING_KEY).ok().flatten())
        .is_some_and(|value| value == "true")
}

/// Remembers presentation mode for a reload of this tab.
pub fn write_presenting(presenting: bool) {
    if let Some(storage) = session_storage() {
        let _ = if presenting {
            storage.set_item(PRESENTING_KEY, "true")
        } else {
            storage.remove_item(PRESENTING_KEY)
        };
    }
}

/// The URL fragment without `#`, if any.
pub fn fragment() -> Option<String> {
    let hash = window()?.location().hash().ok()?;
    let hash = hash.trim_start_matches('#');
    (!hash.is_empty()).then(|| hash.to_owned())
}

/// Removes the fragment from the address bar without reloading, so that a reload after edits
/// restores the autosave rather than the link's old topology.
pub fn clear_fragment() {
    let Some(window) = window() else { return };
    let location = window.location();
    let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else {
        return;
    };
    if let Ok(history) = window.history() {
        let _ =
            history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{search}")));
    }
}

/// The address of the page with `fragment` (without `#`).
pub fn url_with_fragment(fragment: &str) -> String {
    let Some(window) = window() else {
        return format!("#{fragment}");
    };
    let location = window.location();
    let base = format!(
        "{}{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    format!("{base}#{fragment}")
}

/// Copies text to the clipboard, then calls `done` with whether the browser wrote it: the
/// Clipboard API's promise rejects when the permission is denied or the page has no focus, and
/// a browser without the API refuses at once.
pub fn copy_to_clipboard(text: &str, done: impl FnOnce(bool) + 'static) {
    let Some(window) = window() else {
        done(false);
        return;
    };
    let clipboard = window.navigator().clipboard();
    // Older or locked-down browsers have no `navigator.clipboard` at all.
    if JsValue::from(clipboard.clone()).is_undefined() {
        done(false);
        return;
    }
    let promise = clipboard.write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        done(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

/// The element of the page with this `data-testid`, if any.
fn by_testid(testid: &str) -> Option<web_sys::Element> {
    window()?
        .document()?
        .query_selector(&format!("[data-testid=\"{testid}\"]"))
        .ok()
        .flatten()
}

/// Selects the whole text of the input with this `data-testid`, so that the user can copy it
/// by hand.
pub fn select_input_text(testid: &str) {
    let input =
        by_testid(testid).and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok());
    if let Some(input) = input {
        let _ = input.focus();
        input.select();
    }
}

/// The largest file sglab opens, in bytes (50 MB): a larger file is refused before it is read,
/// so that it cannot exhaust the tab's memory.
pub const MAX_FILE_BYTES: f64 = 50.0 * 1024.0 * 1024.0;

/// The refusal of a file over [`MAX_FILE_BYTES`], or `None` for a file within it.
pub fn file_too_large(bytes: f64) -> Option<String> {
    (bytes > MAX_FILE_BYTES).then(|| {
        format!(
            "it is {:.1} MB, over the limit of {} MB for a file sglab opens; nothing of it was read",
            bytes / 1024.0 / 1024.0,
            MAX_FILE_BYTES / 1024.0 / 1024.0
        )
    })
}

/// Reads files as text and calls `done` once with every `(name, text)` pair, in the order
/// given; unreadable files come back with an error text instead. A file over
/// [`MAX_FILE_BYTES`] is not read at all: it comes back with the refusal naming the limit.
pub fn read_files(
    files: Vec<web_sys::File>,
    done: impl FnOnce(Vec<(String, Result<String, String>)>) + 'static,
) {
    type Pending = Rc<
        RefCell<(
            Vec<Option<(String, Result<String, String>)>>,
            Vec<FileReader>,
            Option<Box<dyn FnOnce(Vec<(String, Result<String, String>)>)>>,
        )>,
    >;
    if files.is_empty() {
        done(Vec::new());
        return;
    }
    let pending: Pending = Rc::new(RefCell::new((
        vec![None; files.len()],
        Vec::new(),
        Some(Box::new(done)),
    )));
    for (index, file) in files.into_iter().enumerate() {
        let name = file.name();
        if let Some(refusal) = file_too_large(file.size()) {
            let mut guard = pending.borrow_mut();
            guard.0[index] = Some((name, Err(refusal)));
            continue;
        }
        let file = gloo::file::File::from(file);
        let pending_for_read = Rc::clone(&pending);
        let reader = gloo::file::callbacks::read_as_text(&file, move |result| {
            let mut guard = pending_for_read.borrow_mut();
            guard.0[index] = Some((name, result.map_err(|error| error.to_string())));
            if guard.0.iter().all(Option::is_some) {
                let results = guard.0.drain(..).flatten().collect();
                let done = guard.2.take();
                guard.1.clear();
                drop(guard);
                if let Some(done) = done {
                    done(results);
                }
            }
        });
        pending.borrow_mut().1.push(reader);
    }
    // Every file refused: no read will call back, so answer now.
    let refused_all = {
        let guard = pending.borrow();
        guard.0.iter().all(Option::is_some)
    };
    if refused_all {
        let (results, done) = {
            let mut guard = pending.borrow_mut();
            (guard.0.drain(..).flatten().collect(), guard.2.take())
        };
        if let Some(done) = done {
            done(results);
        }
    }
}

/// The files of a `FileList`.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length())
        .filter_map(|index| list.get(index))
        .collect()
}

/// Keys the app handles everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalKey {
    /// Ctrl+Z (or Cmd+Z).
    Undo,
    /// Ctrl+Shift+Z or Ctrl+Y.
    Redo,
    /// Escape.
    Escape,
    /// P, outside fields: presentation mode on or off.
    Present,
}

/// Listens for undo, redo, Escape and P on the document, and in presentation mode for Page Down
/// and Page Up (what a presenter's remote sends), which press the step-through's Next and
/// Previous. Undo and redo are left to the browser
/// inside text fields, where they undo typing.
pub fn listen_keys(callback: impl Fn(GlobalKey) + 'static) -> Option<EventListener> {
    let document = window()?.document()?;
    let options = EventListenerOptions::enable_prevent_default();
    Some(EventListener::new_with_options(
        &document,
        "keydown",
        options,
        move |event| {
            let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            let key = event.key();
            if key == "Escape" {
                callback(GlobalKey::Escape);
                return;
            }
            if matches!(key.as_str(), "PageDown" | "PageUp") && !typed_into(event) {
                let button = if key == "PageDown" {
                    "step-next"
                } else {
                    "step-previous"
                };
                if read_presenting() && press(button) {
                    event.prevent_default();
                }
                return;
            }
            if key.eq_ignore_ascii_case("p")
                && !(event.ctrl_key() || event.meta_key() || event.alt_key())
            {
                if !typed_into(event) {
                    callback(GlobalKey::Present);
                }
                return;
            }
            if !(event.ctrl_key() || event.meta_key()) {
                return;
            }
            let in_text_field = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|element| {
                    matches!(
                        element.tag_name().to_ascii_lowercase().as_str(),
                        "input" | "textarea"
                    )
                });
            if in_text_field {
                return;
            }
            let action = match key.to_ascii_lowercase().as_str() {
                "z" if event.shift_key() => Some(GlobalKey::Redo),
                "z" => Some(GlobalKey::Undo),
                "y" => Some(GlobalKey::Redo),
                _ => None,
            };
            if let Some(action) = action {
                event.prevent_default();
                callback(action);
            }
        },
    ))
}

/// Presses the button with this `data-testid`, as a click would; true when the button is on
/// the page (pressed, or disabled at the end of its range).
fn press(testid: &str) -> bool {
    let Some(button) =
        by_testid(testid).and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    button.click();
    true
}

/// Whether a key event goes to a field that takes letters (a text field or a select list,
/// which jumps to the option starting with the letter).
fn typed_into(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            element.has_attribute("contenteditable")
                || matches!(
                    element.tag_name().to_ascii_lowercase().as_str(),
                    "input" | "textarea" | "select"
                )
        })
}

/// Listens for text pasted outside text fields (a topology file's contents).
pub fn listen_paste(callback: impl Fn(String) + 'static) -> Option<EventListener> {
    let document = window()?.document()?;
    let options = EventListenerOptions::enable_prevent_default();
    Some(EventListener::new_with_options(
        &document,
        "paste",
        options,
        move |event| {
            let Some(event) = event.dyn_ref::<web_sys::ClipboardEvent>() else {
                return;
            };
            let in_text_field = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|element| {
                    matches!(
                        element.tag_name().to_ascii_lowercase().as_str(),
                        "input" | "textarea" | "select"
                    )
                });
            if in_text_field {
                return;
            }
            let text = event
                .clipboard_data()
                .and_then(|data| data.get_data("text").ok())
                .unwrap_or_default();
            if !text.trim().is_empty() {
                event.prevent_default();
                callback(text);
            }
        },
    ))
}

/// Listens for a change of the URL fragment (a share link pasted into the address bar).
pub fn listen_fragment(callback: impl Fn(String) + 'static) -> Option<EventListener> {
    let window = window()?;
    Some(EventListener::new(&window, "hashchange", move |_| {
        if let Some(fragment) = fragment() {
            callback(fragment);
        }
    }))
}

/// Runs `callback` after `millis`, unless the returned timer is dropped first.
pub fn after(millis: u32, callback: impl FnOnce() + 'static) -> gloo::timers::callback::Timeout {
    gloo::timers::callback::Timeout::new(millis, callback)
}

/// Listens for the page being hidden or closed, the last moment to save.
pub fn listen_page_hide(callback: impl Fn() + 'static) -> Option<EventListener> {
    let window = window()?;
    Some(EventListener::new(&window, "pagehide", move |_| callback()))
}

/// Milliseconds from the page's time origin.
pub fn now() -> f64 {
    window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// A promise that `start` resolves, now or later, with the function it is given.
pub fn promise(start: impl FnOnce(Box<dyn FnOnce(JsValue)>)) -> js_sys::Promise {
    let mut resolve = None;
    let promise = js_sys::Promise::new(&mut |resolved, _rejected| resolve = Some(resolved));
    if let Some(resolve) = resolve {
        start(Box::new(move |value| {
            let _ = resolve.call1(&JsValue::NULL, &value);
        }));
    }
    promise
}

/// What `window.sglab` reaches into.
pub struct ScriptApi {
    /// Loads a topology's JSON text; returns a promise of the diagnostics (empty when loaded
    /// cleanly), resolved once the topology is loaded or refused.
    pub load: Box<dyn Fn(String) -> js_sys::Promise>,
    /// The current topology as sglab JSON.
    pub topology: Box<dyn Fn() -> String>,
    /// Times the core's matrix on the current topology (argument: runs); a promise.
    pub bench_matrix: Box<dyn Fn(u32) -> js_sys::Promise>,
}

/// Installs `window.sglab = { load, lastEvaluation, topology, benchMatrix }`; `load` and
/// `lastEvaluation` return promises, the latter resolved once no recompute is running. The closures live
/// as long as the page (they are handed to JavaScript), which is the app's lifetime.
pub fn install_script_api(api: ScriptApi) {
    let Some(window) = window() else { return };
    let object = js_sys::Object::new();
    let ScriptApi {
        load,
        topology,
        bench_matrix,
    } = api;
    let load = Closure::<dyn Fn(String) -> JsValue>::new(move |text: String| load(text).into());
    let evaluation =
        Closure::<dyn Fn() -> JsValue>::new(move || evaluation::last_evaluation_promise().into());
    let topology = Closure::<dyn Fn() -> JsValue>::new(move || JsValue::from_str(&topology()));
    let bench_matrix = Closure::<dyn Fn(JsValue) -> JsValue>::new(move |runs: JsValue| {
        let runs = runs.as_f64().unwrap_or(10.0).clamp(1.0, 1000.0) as u32;
        bench_matrix(runs).into()
    });
    for (key, value) in [
        ("load", load.into_js_value()),
        ("lastEvaluation", evaluation.into_js_value()),
        ("topology", topology.into_js_value()),
        ("benchMatrix", bench_matrix.into_js_value()),
    ] {
        let _ = js_sys::Reflect::set(&object, &key.into(), &value);
    }
    let _ = js_sys::Reflect::set(&window, &"sglab".into(), &object);
}
