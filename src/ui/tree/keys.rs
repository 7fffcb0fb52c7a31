//! The tree's keyboard, in the ARIA tree pattern: the sections are the first level, their
//! objects the second; one item is in the Tab order (the last focused, else the selected
//! object, else the first section); Up and Down move through the items shown, Home and End
//! to the first and the last, Right opens a section or enters it, Left closes it or goes back
//! to it, Enter and Space select an object or open and close a section.

use sglab_core::model::Topology;
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

/// The item in the Tab order: the last focused if it still exists, else the selected object,
/// else the first section.
pub fn tab_stop(topology: &Topology, active: Option<&str>, selection: &Selection) -> String {
    active
        .filter(|testid| exists(topology, testid))
        .map(str::to_owned)
        .or_else(|| selected_testid(selection))
        .unwrap_or_else(|| section_testid(0))
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

/// Whether the item of this test id is still in the tree.
fn exists(topology: &Topology, testid: &str) -> bool {
    let named = |prefix: &str, mut ids: Box<dyn Iterator<Item = &str> + '_>| {
        testid
            .strip_prefix(prefix)
            .is_some_and(|id| ids.any(|other| other == id))
    };
    testid.starts_with("tree-section-")
        || named(
            "tree-vpc-",
            Box::new(topology.vpcs.keys().map(|k| k.as_str())),
        )
        || named(
            "tree-group-",
            Box::new(topology.groups.keys().map(|k| k.as_str())),
        )
        || named(
            "tree-endpoint-",
            Box::new(topology.endpoints.keys().map(|k| k.as_str())),
        )
        || named(
            "tree-cluster-",
            Box::new(topology.clusters.keys().map(|k| k.as_str())),
        )
        || named(
            "tree-gateway-",
            Box::new(topology.gateways.keys().map(|k| k.as_str())),
        )
        || named(
            "tree-prefix-list-",
            Box::new(topology.prefix_lists.keys().map(|k| k.as_str())),
        )
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

/// Remembers the focused item, which becomes the one in the Tab order.
pub fn on_focus(active: UseStateHandle<Option<String>>) -> Callback<FocusEvent> {
    Callback::from(move |event: FocusEvent| {
        let testid = item_of(event.target())
            .and_then(|item| item.get_attribute("data-testid"))
            .filter(|testid| active.as_deref() != Some(testid.as_str()));
        if let Some(testid) = testid {
            active.set(Some(testid));
        }
    })
}

/// The arrow keys, Home, End, Enter and Space on the tree; `on_open` opens or closes a section.
pub fn on_keydown(tree: NodeRef, on_open: Callback<(usize, bool)>) -> Callback<KeyboardEvent> {
    Callback::from(move |event: KeyboardEvent| {
        let (Some(tree), Some(current)) = (tree.cast::<Element>(), item_of(event.target())) else {
            return;
        };
        let items = items(&tree);
        let at = items.iter().position(|item| *item == current).unwrap_or(0);
        let section = section_index(&current);
        let expanded = current.get_attribute("aria-expanded");
        let target = match (event.key().as_str(), section, expanded.as_deref()) {
            ("ArrowDown", _, _) => items.get(at + 1),
            ("ArrowUp", _, _) => at.checked_sub(1).and_then(|before| items.get(before)),
            ("Home", _, _) => items.first(),
            ("End", _, _) => items.last(),
            ("ArrowRight", Some(index), Some("false")) => {
                on_open.emit((index, true));
                None
            }
            // Into an open section: its first object, if it has one.
            ("ArrowRight", Some(_), Some(_)) => items
                .get(at + 1)
                .filter(|next| next.get_attribute("aria-level").as_deref() == Some("2")),
            ("ArrowLeft", Some(index), Some("true")) => {
                on_open.emit((index, false));
                None
            }
            ("ArrowLeft", None, _) => {
                let parent = current
                    .parent_element()
                    .and_then(|group| item_of_element(&group));
                items.iter().find(|item| Some(*item) == parent.as_ref())
            }
            ("Enter" | " ", Some(index), Some(open)) => {
                on_open.emit((index, open != "true"));
                None
            }
            ("Enter" | " ", None, _) => {
                if let Ok(element) = current.clone().dyn_into::<HtmlElement>() {
                    element.click();
                }
                None
            }
            ("ArrowRight" | "ArrowLeft", _, _) => None,
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
