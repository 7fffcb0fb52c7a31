//! The tree's keyboard, in the ARIA tree pattern: the sections are the first level, their
//! objects the second; one item is in the Tab order (the selected object, else the first
//! section); Up and Down move through the items shown, Home and End
//! to the first and the last, Right opens a section or enters it, Left closes it or goes back
//! to it, Enter and Space select an object or open and close a section.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

use crate::types::Selection;

/// The sections of the tree: the key of each (in its test id) and its title.
pub const SECTIONS: [(&str, &str); 6] = [
    ("vpcs", "VPCs"),
    ("groups", "Security groups"),
    ("endpoints", "Endpoints"),
    ("clusters", "Clusters"),
    ("gateways", "Gateways"),
    ("prefix-lists", "Prefix lists"),
];

/// The test id of a section's item.
pub fn section_testid(index: usize) -> String {
    format!("tree-section-{}", SECTIONS.get(index).map_or("", |s| s.0))
}

/// The item in the Tab order, which takes the focus when the tree does: the selected object,
/// else the first section.
pub fn tab_stop(selection: &Selection) -> String {
    selected_testid(selection).unwrap_or_else(|| section_testid(0))
}

/// The test id of the selected object's item, if it has one.
fn selected_testid(selection: &Selection) -> Option<String> {
    Some(match selection {
        Selection::None | Selection::Topology => return None,
        Selection::Vpc(id) => format!("tree-vpc-{id}"),
        Selection::Group(id) => format!("tree-group-{id}"),
        Selection::Endpoint(id) => format!("tree-endpoint-{id}"),
        Selection::Cluster(id) => format!("tree-cluster-{id}"),
        Selection::Gateway(id) => format!("tree-gateway-{id}"),
        Selection::PrefixList(id) => format!("tree-prefix-list-{id}"),
    })
}

/// A section: its item (first level), its objects (second level) when open.
pub fn section(
    index: usize,
    open: bool,
    tab_stop: &str,
    on_open: &Callback<(usize, bool)>,
    children: Html,
) -> Html {
    let testid = section_testid(index);
    let title = SECTIONS.get(index).map_or("", |s| s.1);
    let onclick = on_open.reform(move |event: MouseEvent| {
        // A click on an object inside is the object's.
        event.stop_propagation();
        (index, !open)
    });
    html! {
        <li role="treeitem" class="tree-section" aria-level="1" aria-expanded={open.to_string()}
            tabindex={stop(&testid, tab_stop)} data-testid={testid}>
            <h3 {onclick}>
                <span class="tree-chevron" aria-hidden="true">{ if open { "\u{25be}" } else { "\u{25b8}" } }</span>
                { title }
            </h3>
            if open { { children } }
        </li>
    }
}

/// The `tabindex` of an item: 0 for the one in the Tab order, -1 for the others.
pub fn stop(testid: &str, tab_stop: &str) -> &'static str {
    if testid == tab_stop {
        "0"
    } else {
        "-1"
    }
}

/// The arrow keys, Home, End, Enter and Space on the tree; `on_open` opens or closes a section.
pub fn on_keydown(on_open: Callback<(usize, bool)>) -> Callback<KeyboardEvent> {
    Callback::from(move |event: KeyboardEvent| {
        let Some(current) = item_of(event.target()) else {
            return;
        };
        let Some(tree) = current.closest("[role=\"tree\"]").ok().flatten() else {
            return;
        };
        let items = items(&tree);
        let at = items.iter().position(|item| *item == current).unwrap_or(0);
        let section = section_index(&current);
        let expanded = current.get_attribute("aria-expanded");
        let key = event.key();
        let open = expanded.as_deref() == Some("true");
        let target = match (key.as_str(), section) {
            ("ArrowDown", _) => items.get(at + 1),
            ("ArrowUp", _) => at.checked_sub(1).and_then(|before| items.get(before)),
            ("Home", _) => items.first(),
            ("End", _) => items.last(),
            // Into an open section: its first object, if it has one.
            ("ArrowRight", Some(_)) if open => items
                .get(at + 1)
                .filter(|next| next.get_attribute("aria-level").as_deref() == Some("2")),
            // A section opens with Right, closes with Left, and turns with Enter or Space.
            ("ArrowRight" | "ArrowLeft" | "Enter" | " ", Some(index)) => {
                on_open.emit((index, key == "ArrowRight" || (key != "ArrowLeft" && !open)));
                None
            }
            ("ArrowLeft", None) => {
                let parent = current
                    .parent_element()
                    .and_then(|group| item_of_element(&group));
                items.iter().find(|item| Some(*item) == parent.as_ref())
            }
            ("Enter" | " ", None) => {
                if let Ok(element) = current.clone().dyn_into::<HtmlElement>() {
                    element.click();
                }
                None
            }
            ("ArrowRight", None) => None,
            _ => return,
        };
        event.prevent_default();
        if let Some(element) = target.and_then(|t| t.clone().dyn_into::<HtmlElement>().ok()) {
            let _ = element.focus();
        }
    })
}

/// The items shown, in order.
fn items(tree: &Element) -> Vec<Element> {
    let Ok(list) = tree.query_selector_all("[role=\"treeitem\"]") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|at| list.item(at))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

/// The section index of a first-level item.
fn section_index(item: &Element) -> Option<usize> {
    let testid = item.get_attribute("data-testid")?;
    let key = testid.strip_prefix("tree-section-")?;
    SECTIONS.iter().position(|s| s.0 == key)
}

/// The item an event happened in.
fn item_of(target: Option<web_sys::EventTarget>) -> Option<Element> {
    item_of_element(&target?.dyn_into::<Element>().ok()?)
}

/// The item holding an element (or the element itself).
fn item_of_element(element: &Element) -> Option<Element> {
    element.closest("[role=\"treeitem\"]").ok().flatten()
}
