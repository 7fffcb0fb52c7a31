//! A topology's sglab JSON given to the page (`window.sglab.load`, files opened), read into the
//! model the page edits. It is read on the page: reading it in the engine's worker and sending
//! the model back in parts keeps every task of the page short, but the readers of the model's
//! parts made the page's module larger than the first load's budget (see
//! `docs/performance.md`, "The main thread in slices").

use sglab_core::diagnostic::Diagnostic;
use sglab_core::model::Topology;

use crate::engine;
use crate::types::Shared;

/// A text read: the topology with the load's warnings, or every problem.
pub type ReadDone = Result<(Shared<Topology>, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Reads the sglab JSON `text` (named `file` in the diagnostics) and calls `done` once with the
/// topology or its problems.
pub fn read(text: String, file: &str, done: impl FnOnce(ReadDone) + 'static) {
    done(
        engine::parse_sglab(&text, file)
            .map(|(topology, warnings)| (Shared::new(topology), warnings)),
    );
}
