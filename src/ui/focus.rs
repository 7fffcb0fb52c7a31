//! Keyboard focus: the skip links at the top of the page, and the focus of an answer (to its
//! verdict when a question is asked, back to the control that asked when it closes).

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// Where the skip links lead: the words and the element each focuses (a CSS selector; the
/// first that exists wins).
pub const SKIP_TARGETS: [(&str, &str, &[&str]); 3] = [
    (
        "Skip to the query",
        "skip-query",
        &["[data-testid=\"query-from\"]"],
    ),
    ("Skip to the diagram", "skip-diagram", &["#view-panel"]),
    (
        "Skip to the rules",
        "skip-rules",
        &[
            "[data-testid=\"rules-dock\"] select",
            "[data-testid=\"rules-dock\"] button",
            "[data-testid=\"rules-dock\"]",
        ],
    ),
];

/// The skip links, shown only while one has the focus.
#[component]
pub fn SkipLinks() -> Html {
    html! {
        <nav class="skip-links" aria-label="Skip links" data-testid="skip-links">
            { for SKIP_TARGETS.iter().map(|(words, testid, selectors)| {
                let onclick = Callback::from(move |event: MouseEvent| {
                    // A link to a fragment would replace the page's share link.
                    event.prevent_default();
                    focus_first(selectors);
                });
                html! { <a href="#" class="skip-link" data-testid={*testid} {onclick}>{ *words }</a> }
            }) }
        </nav>
    }
}

/// Focuses the first element matching one of `selectors`, making it focusable by script if it
/// is not already. Answers whether an element took the focus.
pub fn focus_first(selectors: &[&str]) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let found = selectors
        .iter()
        .find_map(|selector| document.query_selector(selector).ok().flatten());
    let Some(element) = found.and_then(|e| e.dyn_into::<HtmlElement>().ok()) else {
        return false;
    };
    if element.tab_index() < 0 && !element.has_attribute("tabindex") {
        let _ = element.set_attribute("tabindex", "-1");
    }
    element.focus().is_ok()
}

/// The element that has the focus, if not the page itself.
pub fn active_element() -> Option<Element> {
    let document = web_sys::window().and_then(|w| w.document())?;
    let active = document.active_element()?;
    let body = document.body().map(Element::from);
    (Some(&active) != body.as_ref()).then_some(active)
}

/// Moves the focus to the element of `answer` each time `questions` changes (a question was
/// asked), remembering the control that had it; when the component holding `answer` goes
/// away with the focus inside it (or lost), gives the focus back to that control.
#[hook]
pub fn use_answer_focus(questions: u64, answer: NodeRef, inside: &'static str) {
    let opener = use_mut_ref(|| None::<HtmlElement>);
    {
        let (answer, opener) = (answer.clone(), opener.clone());
        use_effect_with(questions, move |_| {
            if let Some(active) = active_element() {
                if active.closest(inside).ok().flatten().is_none() {
                    *opener.borrow_mut() = active.dyn_into::<HtmlElement>().ok();
                }
            }
            if let Some(element) = answer.cast::<HtmlElement>() {
                let _ = element.focus();
            }
        });
    }
    use_effect_with((), move |_| {
        move || {
            let lost = active_element().is_none_or(|active| {
                !active.is_connected() || active.closest(inside).ok().flatten().is_some()
            });
            let opener = opener.borrow_mut().take();
            if let Some(opener) = opener.filter(|o| lost && o.is_connected()) {
                let _ = opener.focus();
            }
        }
    });
}
