//! Disabled controls that say on screen what they need: a visible hint beside the control, tied
//! to it by `aria-describedby`, rather than a tooltip only a mouse finds.

use yew::prelude::*;

/// The id (and `data-testid`) of the hint of the control with this `data-testid`.
pub fn hint_id(testid: &str) -> String {
    format!("{testid}-needs")
}

/// The visible hint beside a disabled control, saying what it needs (`Add a VPC first`);
/// nothing when the control is enabled or needs nothing.
pub fn hint(testid: &str, disabled: bool, needs: &str) -> Html {
    if !disabled || needs.is_empty() {
        return html! {};
    }
    let id = hint_id(testid);
    html! {
        <span class="needs-hint" id={id.clone()} data-testid={id}>{ needs }</span>
    }
}

/// An "add" button of the tree: `+ label`, or, when `onclick` is `None`, disabled with the hint
/// of what it `needs` beside it.
pub fn add_button(
    label: &str,
    testid: &str,
    onclick: Option<Callback<MouseEvent>>,
    needs: &str,
) -> Html {
    let disabled = onclick.is_none();
    html! {
        <span class="add-row">
            <button type="button" class="add-button" data-testid={testid.to_owned()} onclick={onclick} {disabled}
                aria-describedby={disabled.then(|| hint_id(testid))}>{ format!("+ {label}") }</button>
            { hint(testid, disabled, needs) }
        </span>
    }
}
