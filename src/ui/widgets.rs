//! Small form widgets with labels and inline errors.

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Props of [`TextField`].
#[derive(PartialEq, Properties)]
pub struct TextFieldProps {
    /// The visible label; also the accessible name.
    pub label: AttrValue,
    /// Hide the label visually (it stays the accessible name).
    #[prop_or_default]
    pub compact: bool,
    /// The committed value.
    pub value: AttrValue,
    /// `data-testid` of the input.
    pub testid: AttrValue,
    /// Called with the typed text when the user commits it (Enter or leaving the field);
    /// returns the error to show, or `None` when the value was accepted.
    pub on_commit: Callback<String, Option<String>>,
    /// Disables the input.
    #[prop_or_default]
    pub disabled: bool,
    /// Placeholder text.
    #[prop_or_default]
    pub placeholder: AttrValue,
    /// Extra class of the wrapper.
    #[prop_or_default]
    pub class: Classes,
    /// A text area of this many rows instead of a one-line input, for lists; it commits when
    /// the user leaves it.
    #[prop_or_default]
    pub rows: Option<u32>,
}

/// A text input that commits on change and shows the core's error inline when refused.
#[component]
pub fn TextField(props: &TextFieldProps) -> Html {
    let error = use_state(|| None::<String>);
    let id = use_memo((), |_| next_id("field"));
    // A new committed value (an accepted edit, undo) clears a stale error.
    {
        let error = error.clone();
        use_effect_with(props.value.clone(), move |_| error.set(None));
    }
    let onchange = {
        let error = error.clone();
        let on_commit = props.on_commit.clone();
        let value = props.value.clone();
        Callback::from(move |event: Event| {
            let text = match event.target_dyn_into::<HtmlTextAreaElement>() {
                Some(area) => area.value(),
                None => event.target_unchecked_into::<HtmlInputElement>().value(),
            };
            if text == value.as_str() {
                error.set(None);
                return;
            }
            let refused = on_commit.emit(text);
            if refused.is_none() {
                // Accepted: the field shows the value as the app writes it (`8080` comes back as
                // `8080/8080`), even when that is the value it had before.
                show_committed(&event, &value);
            }
            error.set(refused);
        })
    };
    let error_id = format!("{}-error", id);
    let invalid = error.is_some();
    html! {
        <div class={classes!("field", props.compact.then_some("compact"), invalid.then_some("invalid"), props.class.clone())}>
            <label for={(*id).clone()} class={classes!(props.compact.then_some("visually-hidden"))}>{ &props.label }</label>
            if let Some(rows) = props.rows {
                <textarea id={(*id).clone()} rows={rows.to_string()} value={props.value.clone()} {onchange}
                    data-testid={props.testid.clone()} disabled={props.disabled}
                    placeholder={props.placeholder.clone()}
                    aria-invalid={invalid.to_string()}
                    aria-describedby={invalid.then(|| error_id.clone())} />
            } else {
                <input id={(*id).clone()} type="text" value={props.value.clone()} {onchange}
                    data-testid={props.testid.clone()} disabled={props.disabled}
                    placeholder={props.placeholder.clone()}
                    aria-invalid={invalid.to_string()}
                    aria-describedby={invalid.then(|| error_id.clone())} />
            }
            if let Some(message) = &*error {
                <div class="field-error" id={error_id} role="alert" data-testid={format!("{}-error", props.testid)}>
                    <span aria-hidden="true">{ "\u{2716} " }</span>{ message }
                </div>
            }
        </div>
    }
}

/// Puts the committed `value` back into the input or text area an accepted change came from;
/// the next render writes the new committed value over it when it differs.
fn show_committed(event: &Event, value: &str) {
    if let Some(area) = event.target_dyn_into::<HtmlTextAreaElement>() {
        area.set_value(value);
    } else if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
        input.set_value(value);
    }
}

/// Props of [`SelectField`].
#[derive(PartialEq, Properties)]
pub struct SelectFieldProps {
    /// The visible label; also the accessible name.
    pub label: AttrValue,
    /// Hide the label visually.
    #[prop_or_default]
    pub compact: bool,
    /// The selected option's value.
    pub value: AttrValue,
    /// (value, text) of each option.
    pub options: std::rc::Rc<Vec<(AttrValue, AttrValue)>>,
    /// `data-testid` of the select.
    pub testid: AttrValue,
    /// Called with the chosen value.
    pub on_change: Callback<String>,
    /// Disables the select.
    #[prop_or_default]
    pub disabled: bool,
}

/// A labelled select.
#[component]
pub fn SelectField(props: &SelectFieldProps) -> Html {
    let id = use_memo((), |_| next_id("select"));
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            on_change.emit(event.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    html! {
        <div class={classes!("field", props.compact.then_some("compact"))}>
            <label for={(*id).clone()} class={classes!(props.compact.then_some("visually-hidden"))}>{ &props.label }</label>
            <select id={(*id).clone()} {onchange} data-testid={props.testid.clone()} disabled={props.disabled}>
                { for props.options.iter().map(|(value, text)| html! {
                    <option value={value.clone()} selected={*value == props.value}>{ text }</option>
                }) }
            </select>
        </div>
    }
}

/// A fresh DOM id for label association.
pub fn next_id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Options from static pairs.
pub fn options(pairs: &[(&'static str, &'static str)]) -> std::rc::Rc<Vec<(AttrValue, AttrValue)>> {
    std::rc::Rc::new(
        pairs
            .iter()
            .map(|(value, text)| (AttrValue::Static(value), AttrValue::Static(text)))
            .collect(),
    )
}

/// The button applying a fix of the doctor or the lint as one undoable edit, or the advice in
/// words when the fix is not automatic.
pub fn fix_or_advice(
    fix: Option<&sglab_core::fix::Fix>,
    advice: &str,
    testid: String,
    dispatch: &Callback<crate::state::Action>,
) -> Html {
    match fix {
        Some(fix) => {
            let onclick = {
                let fix = fix.clone();
                dispatch.reform(move |_: MouseEvent| crate::state::Action::ApplyFix(fix.clone()))
            };
            html! {
                <button type="button" class="primary fix" data-testid={testid}
                    title="Apply this change (undo with Ctrl+Z); everything is evaluated again" {onclick}>
                    { format!("Fix: {fix}") }
                </button>
            }
        }
        None => html! { <p class="fix-advice">{ format!("What to do: {advice}") }</p> },
    }
}

/// `text` in lower case, for case-insensitive search boxes.
///
/// In the browser JavaScript's `toLowerCase` does it, with the same Unicode mappings as
/// `str::to_lowercase`, whose case tables would cost the WebAssembly bundle about 20 KB.
pub fn lowercase(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::JsString::from(text).to_lower_case())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.to_lowercase()
    }
}
