//! The compare mode's browser side: files opened as the baseline, and the baseline saved
//! beside the autosave (under its own key, so that older autosaves read as before) and
//! restored with it.

use sglab_core::model::Topology;
use yew::prelude::*;

use crate::browser;
use crate::engine;
use crate::state::Action;
use crate::types::Shared;

/// Saves the baseline whenever it is pinned, replaced or unpinned.
#[hook]
pub fn use_baseline_saved(baseline: &Option<Shared<Topology>>) {
    use_effect_with(baseline.clone(), |baseline| {
        let json = baseline.as_ref().map(|baseline| engine::to_json(baseline));
        browser::write_autosave_baseline(json.as_deref());
    });
}

/// The baseline saved with the autosave, when there is one and it reads; an unreadable one is
/// dropped, since the topology itself is what the autosave keeps.
pub fn restored_baseline() -> Option<Shared<Topology>> {
    let text = browser::read_autosave_baseline()?;
    engine::parse_sglab(&text, "baseline")
        .ok()
        .map(|(topology, _warnings)| Shared::new(topology))
}

/// Reads the chosen files and pins what they hold as the baseline, or says why it cannot.
pub fn on_open_baseline(dispatch: &Callback<Action>) -> Callback<Vec<web_sys::File>> {
    let dispatch = dispatch.clone();
    Callback::from(move |files: Vec<web_sys::File>| {
        let dispatch = dispatch.clone();
        browser::read_files(files, move |contents| {
            super::open::open_baseline(contents, dispatch)
        });
    })
}
