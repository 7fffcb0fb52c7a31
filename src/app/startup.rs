//! The first state (a share link, else the autosave, else the first example) and the actions
//! that load a topology from files or a link.

use sglab_core::diagnostic::Diagnostic;
use sglab_core::model::Topology;

use crate::browser;
use crate::engine;
use crate::state::{Action, AppState};
use crate::types::{Level, Notice, Origin};

/// Builds the first state: a share link in the URL wins, then the autosave, then the first
/// example. A corrupted link or autosave leaves a notice and changes nothing else.
pub fn startup() -> AppState {
    let mut notices = Vec::new();
    let mut chosen: Option<(Topology, Origin, Vec<Diagnostic>)> = None;

    if let Some(fragment) = browser::fragment() {
        if let Some(payload) = crate::codec::payload_of_fragment(&fragment) {
            match crate::codec::check_length(payload) {
                Err(too_long) => notices.push(link_too_long(&too_long)),
                Ok(()) => match engine::topology_from_link(payload) {
                    Ok((topology, warnings)) => chosen = Some((topology, Origin::Link, warnings)),
                    Err(details) => notices.push(damaged_link(details)),
                },
            }
            browser::clear_fragment();
        }
    }

    if chosen.is_none() {
        if let Some(text) = browser::read_autosave() {
            match engine::parse_sglab(&text, "autosave") {
                Ok((topology, warnings)) => chosen = Some((topology, Origin::Autosave, warnings)),
                Err(diagnostics) => {
                    browser::keep_unreadable_autosave(&text);
                    notices.push(
                        Notice::with_diagnostics(
                            Level::Error,
                            "Your autosaved topology could not be read, so the example was opened instead. The unreadable save is kept: download it to repair it",
                            &diagnostics,
                        )
                        .downloadable("sglab-unreadable-autosave.json", text),
                    );
                }
            }
        }
    }

    if let Some(kept) = browser::read_other_tab_version() {
        notices.push(
            Notice::new(
                Level::Warning,
                "A version of your work kept when sglab was open in two tabs is still in this browser: download it, then open it with Open\u{2026} to work on it again",
            )
            .downloadable(browser::OTHER_TAB_FILE, kept),
        );
    }

    let (topology, origin, warnings) = chosen.unwrap_or_else(|| {
        let (topology, id) = engine::first_example();
        (topology, Origin::Example(id), Vec::new())
    });
    let mut state = AppState::new(topology);
    state.large_type = browser::read_large_type();
    if origin == Origin::Autosave {
        state.baseline = super::compare::restored_baseline();
    }
    if origin == Origin::Link || !warnings.is_empty() {
        let title = match origin {
            Origin::Link => "Opened the topology from the share link",
            _ => "Restored your last session, with corrections",
        };
        notices.push(Notice::with_diagnostics(
            if warnings.is_empty() {
                Level::Info
            } else {
                Level::Warning
            },
            title,
            &warnings,
        ));
    }
    for notice in notices {
        state.push_notice(notice);
    }
    state
}

/// The action for a share link's payload: a load, or the notice that the link is damaged or
/// over the length limit.
pub fn from_link(payload: &str) -> Action {
    if let Err(too_long) = crate::codec::check_length(payload) {
        return Action::Notify(link_too_long(&too_long));
    }
    match engine::topology_from_link(payload) {
        Ok((topology, warnings)) => Action::Load {
            topology,
            origin: Origin::Link,
            warnings,
        },
        Err(details) => Action::Notify(damaged_link(details)),
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
