//! A topology's sglab JSON given to the page (`window.sglab.load`, files opened), read into the
//! model the page edits. It is read on the page: reading it in the engine's worker and sending
//! the model back in parts keeps every task of the page short, but the readers of the model's
//! parts made the page's module larger than the first load's budget (see
//! `docs/performance.md`, "The main thread in slices"). A large topology's text is kept, so
//! that the engine's worker is sent the text as given rather than the JSON written again.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use sglab_core::diagnostic::Diagnostic;
use sglab_core::model::Topology;

use crate::engine;
use crate::types::Shared;

/// A text read: the topology with the load's warnings, or every problem.
pub type ReadDone = Result<(Shared<Topology>, Vec<Diagnostic>), Vec<Diagnostic>>;

thread_local! {
    /// The text of the last large topology read, with that topology, until it is evaluated.
    static GIVEN: RefCell<Option<(Weak<Topology>, String)>> = const { RefCell::new(None) };
}

/// Reads the sglab JSON `text` (named `file` in the diagnostics) and calls `done` once with the
/// topology or its problems.
pub fn read(text: String, file: &str, done: impl FnOnce(ReadDone) + 'static) {
    let read = engine::parse_sglab(&text, file)
        .map(|(topology, warnings)| (Shared::new(topology), warnings));
    let kept = match &read {
        Ok((topology, _)) if topology.endpoints.len() > super::INLINE_LIMIT => {
            Some((Rc::downgrade(&topology.0), text))
        }
        _ => None,
    };
    GIVEN.with(|given| *given.borrow_mut() = kept);
    done(read);
}

/// The text `topology` was read from, when it is the last large topology read (taken: it is
/// sent once).
pub(super) fn take_given(topology: &Shared<Topology>) -> Option<String> {
    GIVEN.with(|given| {
        let mut given = given.borrow_mut();
        let read_from = given
            .as_ref()
            .and_then(|(of, _)| of.upgrade())
            .is_some_and(|of| Rc::ptr_eq(&of, &topology.0));
        if read_from {
            given.take().map(|(_, text)| text)
        } else {
            None
        }
    })
}
