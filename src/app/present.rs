//! Presentation mode, remembered for a reload of the tab: the diagram fills the screen, the
//! explanation becomes a drawer below it, the rest is hidden (the layout is `static/style.css`'s,
//! under the class `presenting`).

use yew::prelude::*;

use crate::browser;
use crate::state::Action;

/// Saves presentation mode when it changes, and brings it back once after a reload.
#[hook]
pub fn use_presenting_remembered(presenting: bool, dispatch: &Callback<Action>) {
    let dispatch = dispatch.clone();
    use_effect_with((), move |_| {
        if browser::read_presenting() {
            dispatch.emit(Action::TogglePresentation);
        }
    });
    let restored = use_mut_ref(|| false);
    use_effect_with(presenting, move |presenting| {
        // The first run sees the state before the restore above: it must not forget the mode.
        if *restored.borrow() || *presenting {
            browser::write_presenting(*presenting);
        }
        *restored.borrow_mut() = true;
    });
}
