//! The autosave in LocalStorage, and what can go wrong with it: the storage full (the work stays
//! in the tab, and the user is told how to keep it), and the app open in two tabs, where the
//! later save would replace the other tab's work.
//!
//! Two tabs share one autosave. When another tab writes it, this tab hears the `storage` event
//! (which the browser sends only to the *other* tabs of the origin), keeps its own version under
//! [`OTHER_TAB_KEY`] and from then on saves only there, so that neither tab destroys the other's
//! work; the app says so in this tab. The next start offers the kept version as a download.

use std::cell::Cell;

use gloo::events::EventListener;
use wasm_bindgen::JsValue;

use super::{storage, window};

/// The LocalStorage key of the autosave; the version changes when the saved form does.
pub const AUTOSAVE_KEY: &str = "sglab.autosave.v1";
/// Where an unreadable autosave is kept so that a later save does not destroy it.
pub const CORRUPT_AUTOSAVE_KEY: &str = "sglab.autosave.v1.unreadable";
/// Where a tab keeps its topology once another tab saved over the shared autosave.
pub const OTHER_TAB_KEY: &str = "sglab.autosave.v1.other-tab";
/// The file name of the version kept under [`OTHER_TAB_KEY`], when downloaded.
pub const OTHER_TAB_FILE: &str = "sglab-kept-from-another-tab.json";

thread_local! {
    /// Whether another tab saved over the autosave since this tab started.
    static SAVES_APART: Cell<bool> = const { Cell::new(false) };
    /// Whether the last save failed (the storage full or unavailable).
    static LAST_SAVE_FAILED: Cell<bool> = const { Cell::new(false) };
}

/// What became of a save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    /// Written (under the autosave, or under [`OTHER_TAB_KEY`] once another tab saved).
    Written,
    /// Not written, for the first time since the last save that was: the storage is full or
    /// unavailable. Say so once.
    FirstFailure,
    /// Not written, again.
    Failed,
}

/// The autosaved text, if any.
pub fn read_autosave() -> Option<String> {
    storage()?.get_item(AUTOSAVE_KEY).ok().flatten()
}

/// Saves the topology's JSON text: under the autosave, or under [`OTHER_TAB_KEY`] once another
/// tab has saved over it. A refusal (quota exceeded, private mode) is reported, once per run of
/// failures, so that the app can tell the user the work is only in this tab.
pub fn write_autosave(json: &str) -> Saved {
    let key = if SAVES_APART.get() {
        OTHER_TAB_KEY
    } else {
        AUTOSAVE_KEY
    };
    let written = storage().is_some_and(|storage| storage.set_item(key, json).is_ok());
    let failed_before = LAST_SAVE_FAILED.replace(!written);
    match (written, failed_before) {
        (true, _) => Saved::Written,
        (false, false) => Saved::FirstFailure,
        (false, true) => Saved::Failed,
    }
}

/// Keeps an unreadable autosave under another key, so the next save does not overwrite it.
pub fn keep_unreadable_autosave(text: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(CORRUPT_AUTOSAVE_KEY, text);
    }
}

/// Listens for another tab saving over the autosave. The first time, this tab starts saving
/// apart ([`write_autosave`] writes [`OTHER_TAB_KEY`]) and `callback` runs, to keep this tab's
/// version and say so; later saves of the other tab change nothing more.
pub fn listen_other_tab_saves(callback: impl Fn() + 'static) -> Option<EventListener> {
    let window = window()?;
    Some(EventListener::new(&window, "storage", move |event| {
        let event: &JsValue = event.as_ref();
        let field = |name: &str| {
            js_sys::Reflect::get(event, &JsValue::from_str(name))
                .ok()
                .and_then(|value| value.as_string())
        };
        let saved_over =
            field("key").as_deref() == Some(AUTOSAVE_KEY) && field("newValue").is_some();
        if saved_over && !SAVES_APART.replace(true) {
            callback();
        }
    }))
}

/// The version a tab kept when another tab saved over the autosave, if any.
pub fn read_other_tab_version() -> Option<String> {
    storage()?.get_item(OTHER_TAB_KEY).ok().flatten()
}

/// Forgets the version kept from another tab, once the user has downloaded it.
pub fn forget_other_tab_version() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(OTHER_TAB_KEY);
    }
}
