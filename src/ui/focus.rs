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
pub fn skip_links() -> Html {
    html! {
        <nav class="skip-links" aria-label="Skip links" data-testid="skip-links">
            { for SKIP_TARGETS.iter().enumerate().map(|(index, target)| skip_link(index, "skip-link", target.1)) }
        </nav>
    }
}

/// The skip link to [`SKIP_TARGETS`]`[index]`, of class `class`.
pub fn skip_link(index: usize, class: &'static str, testid: &'static str) -> Html {
    let words = SKIP_TARGETS[index % SKIP_TARGETS.len()].0;
    html! { <a href="#" {class} data-testid={testid} onclick={skip(index)}>{ words }</a> }
}

/// Focuses the target of [`SKIP_TARGETS`]`[index]`.
fn skip(index: usize) -> Callback<MouseEvent> {
    Callback::from(move |event: MouseEvent| {
        // A link to a fragment would replace the page's share link.
        event.prevent_default();
        focus_first(SKIP_TARGETS[index % SKIP_TARGETS.len()].2);
    })
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
    if element.tab_index() < 0 {
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

/// Moves the focus to the element the selector `answer` finds each time `questions` changes (a
/// question was asked), remembering the control that had it; when the calling component goes
/// away with the focus inside `inside` (or lost), gives the focus back to that control.
#[hook]
pub fn use_answer_focus(questions: u64, answer: &'static str, inside: &'static str) {
    use_effect_with(questions, move |_| {
        let opener = active_element()
            .filter(|active| active.closest(inside).ok().flatten().is_none())
            .and_then(|active| active.dyn_into::<HtmlElement>().ok());
        focus_first(&[answer]);
        // On the next question the focus is outside and stays; on closing it is inside or lost.
        move || {
            let lost = active_element().is_none_or(|active| {
                !active.is_connected() || active.closest(inside).ok().flatten().is_some()
            });
            if let Some(opener) = opener.filter(|o| lost && o.is_connected()) {
                let _ = opener.focus();
            }
        }
    });
}
