//! The compare mode's browser side: files opened as the baseline.

use yew::prelude::*;

use crate::browser;
use crate::engine;
use crate::state::Action;
use crate::types::Shared;

/// Reads the chosen files and pins what they hold as the baseline, or says why it cannot.
pub fn on_open_baseline(dispatch: &Callback<Action>) -> Callback<Vec<web_sys::File>> {
    let dispatch = dispatch.clone();
    Callback::from(move |files: Vec<web_sys::File>| {
        let dispatch = dispatch.clone();
        browser::read_files(files, move |contents| {
            dispatch.emit(match engine::open_files(&contents) {
                Ok((topology, _warnings)) => Action::SetBaseline(Shared::new(topology)),
                Err(notice) => Action::Notify(notice),
            })
        });
    })
}
