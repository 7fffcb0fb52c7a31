//! The first state (a share link, else the autosave, else the first example) and the actions
//! that load a topology from files or a link.

use sglab_core::diagnostic::Diagnostic;
use sglab_core::model::Topology;

use crate::browser;
use crate::engine;
use crate::state::{Action, AppState};
use crate::types::{Level, Notice, Origin, Shared};

/// Builds the first state: a share link in the URL wins, then the autosave, then the first
/// example. A corrupted link or autosave leaves a notice and changes nothing else.
///
/// A link never destroys work: when its topology differs from the autosave, the autosave is
/// kept apart ([`browser::Kept::BeforeLink`]), is the state's undo step, and the link's notice
/// offers to restore it.
pub fn startup() -> AppState {
    let mut notices = Vec::new();
    let mut from_link: Option<(Topology, Vec<Diagnostic>)> = None;

    if let Some(fragment) = browser::fragment() {
        if let Some(payload) = crate::codec::payload_of_fragment(&fragment) {
            match crate::codec::check_length(payload) {
                Err(too_long) => notices.push(link_too_long(&too_long)),
                Ok(()) => match engine::topology_from_link(payload) {
                    Ok(opened) => from_link = Some(opened),
                    Err(details) => notices.push(damaged_link(details)),
                },
            }
            browser::clear_fragment();
        }
    }

    let autosave_text = browser::read_autosave();
    let mut autosaved: Option<(Topology, Vec<Diagnostic>)> = None;
    if let Some(text) = &autosave_text {
        match engine::parse_sglab(text, "autosave") {
            Ok(restored) => autosaved = Some(restored),
            Err(diagnostics) => {
                browser::keep_unreadable_autosave(text);
                notices.push(
                    Notice::with_diagnostics(
                        Level::Error,
                        if from_link.is_some() {
                            "Your autosaved topology could not be read. The unreadable save is kept: download it to repair it"
                        } else {
                            "Your autosaved topology could not be read, so the example was opened instead. The unreadable save is kept: download it to repair it"
                        },
                        &diagnostics,
                    )
                    .downloadable("sglab-unreadable-autosave.json", text.clone()),
                );
            }
        }
    }

    // Versions kept on earlier visits are offered first: the link below may keep another.
    notices.extend(kept_versions(autosave_text.as_deref()));
    let Some((topology, warnings)) = from_link else {
        return first_state(autosaved, notices);
    };
    let mut state = match (autosaved, &autosave_text) {
        // The work the link opens over: kept apart before anything saves the link's topology,
        // and one undo step (or one click on the notice) away.
        (Some((previous, _)), Some(text)) if previous != topology => {
            browser::keep(browser::Kept::BeforeLink, text);
            let mut state = AppState::new(previous);
            state.baseline = super::compare::restored_baseline();
            loaded(
                state,
                Action::Load {
                    topology: Shared::new(topology),
                    origin: Origin::Link,
                    warnings,
                },
            )
        }
        _ => {
            let mut state = AppState::new(topology);
            state.push_notice(Notice::with_diagnostics(
                if warnings.is_empty() {
                    Level::Info
                } else {
                    Level::Warning
                },
                "Opened the topology from the share link",
                &warnings,
            ));
            state
        }
    };
    state.large_type = browser::read_large_type();
    for notice in notices {
        state.push_notice(notice);
    }
    state
}

/// The first state without a link: the autosave (with its corrections in a notice), else the
/// first example.
fn first_state(autosaved: Option<(Topology, Vec<Diagnostic>)>, notices: Vec<Notice>) -> AppState {
    let mut state = match autosaved {
        Some((topology, warnings)) => {
            let mut state = AppState::new(topology);
            state.baseline = super::compare::restored_baseline();
            if !warnings.is_empty() {
                state.push_notice(Notice::with_diagnostics(
                    Level::Warning,
                    "Restored your last session, with corrections",
                    &warnings,
                ));
            }
            state
        }
        None => AppState::new(engine::first_example().0),
    };
    state.large_type = browser::read_large_type();
    for notice in notices {
        state.push_notice(notice);
    }
    state
}

/// The state after `action`, through the reducer, so that a load at startup is on the undo
/// stack and announced as any other.
fn loaded(state: AppState, action: Action) -> AppState {
    use yew::Reducible;
    let state = std::rc::Rc::new(state).reduce(action);
    std::rc::Rc::unwrap_or_clone(state)
}

/// The notices of versions of the user's work kept apart from the autosave on an earlier visit.
/// A version equal to the autosave (the user restored it) is forgotten instead.
fn kept_versions(autosave: Option<&str>) -> Vec<Notice> {
    let mut notices = Vec::new();
    for kind in browser::Kept::ALL {
        let Some(kept) = browser::read_kept(kind) else {
            continue;
        };
        if autosave == Some(kept.as_str()) {
            browser::forget_kept(kind);
            continue;
        }
        let notice = match kind {
            browser::Kept::OtherTab => Notice::new(
                Level::Warning,
                "A version of your work kept when sglab was open in two tabs is still in this browser: download it, then open it with Open\u{2026} to work on it again",
            ),
            browser::Kept::BeforeLink => Notice {
                restore: engine::parse_sglab(&kept, "kept")
                    .ok()
                    .map(|(topology, _)| Shared::new(topology)),
                ..Notice::new(
                    Level::Warning,
                    "The work a share link opened over is still kept in this browser: download it, or restore it (undoable)",
                )
            },
        };
        notices.push(notice.downloadable(kind.file_name(), kept));
    }
    notices
}

/// The action for a share link's payload: a load, or the notice that the link is damaged or
/// over the length limit. The fragment leaves the address bar, so that a reload restores the
/// autosave rather than the link's topology; an autosave the link differs from is kept apart.
pub fn from_link(payload: &str) -> Action {
    let action = if let Err(too_long) = crate::codec::check_length(payload) {
        Action::Notify(link_too_long(&too_long))
    } else {
        match engine::topology_from_link(payload) {
            Ok((topology, warnings)) => {
                keep_autosave_before(&topology);
                Action::Load {
                    topology: Shared::new(topology),
                    origin: Origin::Link,
                    warnings,
                }
            }
            Err(details) => Action::Notify(damaged_link(details)),
        }
    };
    browser::clear_fragment();
    action
}

/// Keeps the autosave apart when `linked` differs from it.
fn keep_autosave_before(linked: &Topology) {
    let Some(text) = browser::read_autosave() else {
        return;
    };
    let differs =
        engine::parse_sglab(&text, "autosave").map_or(true, |(saved, _)| saved != *linked);
    if differs {
        browser::keep(browser::Kept::BeforeLink, &text);
    }
}

/// The notice of a share link that could not be read.
fn damaged_link(details: Vec<String>) -> Notice {
    Notice {
        details,
        ..Notice::new(
            Level::Error,
            "The share link is damaged and was not opened; nothing was changed",
        )
    }
}

/// The notice of a share link over [`crate::codec::MAX_LINK_BYTES`], refused before decoding.
fn link_too_long(error: &crate::codec::LinkError) -> Notice {
    Notice {
        details: vec![error.to_string()],
        ..Notice::new(
            Level::Error,
            "The share link is too long and was not opened; nothing was changed",
        )
    }
}
