//! The autosave in LocalStorage, and what can go wrong with it: the storage full (the work stays
//! in the tab, and the user is told how to keep it), and the app open in two tabs, where the
//! later save would replace the other tab's work.
//!
//! Two tabs share one autosave. When another tab writes it, this tab hears the `storage` event
//! (which the browser sends only to the *other* tabs of the origin), keeps its own version under
//! [`OTHER_TAB_KEY`] and from then on saves only there, so that neither tab destroys the other's
//! work; the app says so in this tab. The next start offers the kept version as a download.
//!
//! Opening a share link whose topology differs from the autosave keeps the autosave the same
//! way, under [`BEFORE_LINK_KEY`], before the link's topology is saved over it: the work is one
//! click away in the tab (and on the undo stack), and the next start offers it as a download.

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
/// Where the autosave is kept when a share link with another topology opens over it.
pub const BEFORE_LINK_KEY: &str = "sglab.autosave.v1.before-link";
/// The file name of the version kept under [`BEFORE_LINK_KEY`], when downloaded.
pub const BEFORE_LINK_FILE: &str = "sglab-kept-before-a-share-link.json";

/// A version of the user's work kept apart from the autosave, so that no save destroys it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// This tab's work, once another tab saved over the shared autosave.
    OtherTab,
    /// The autosave as it was when a share link with another topology opened.
    BeforeLink,
}

impl Kept {
    /// Every kind of kept version, in the order the start offers them.
    pub const ALL: [Kept; 2] = [Kept::OtherTab, Kept::BeforeLink];

    /// The LocalStorage key the version is kept under.
    pub fn key(self) -> &'static str {
        match self {
            Kept::OtherTab => OTHER_TAB_KEY,
            Kept::BeforeLink => BEFORE_LINK_KEY,
        }
    }

    /// The file name the version downloads as.
    pub fn file_name(self) -> &'static str {
        match self {
            Kept::OtherTab => OTHER_TAB_FILE,
            Kept::BeforeLink => BEFORE_LINK_FILE,
        }
    }

    /// The kind whose download has this file name.
    pub fn of_file(file_name: &str) -> Option<Kept> {
        Kept::ALL
            .into_iter()
            .find(|kept| kept.file_name() == file_name)
    }
}

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

/// Keeps `text` apart from the autosave as a version of this `kind`; returns whether it was
/// written.
pub fn keep(kind: Kept, text: &str) -> bool {
    storage().is_some_and(|storage| storage.set_item(kind.key(), text).is_ok())
}

/// The version kept as `kind`, if any.
pub fn read_kept(kind: Kept) -> Option<String> {
    storage()?.get_item(kind.key()).ok().flatten()
}

/// Forgets the version kept as `kind`, once the user has it back or as a file.
pub fn forget_kept(kind: Kept) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(kind.key());
    }
}
