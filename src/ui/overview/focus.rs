//! The focus mode: a search box with type-ahead over groups, endpoints and addresses, and the
//! view of the chosen one with only its neighbours, inbound and outbound, with the ports.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::Reach;
use crate::layout::overview::{endpoint_neighbours, search, short_label, Found, Overview};
use crate::state::Action;
use crate::types::{Query, Shared};
use sglab_core::model::{EndpointId, Topology};

/// Most suggestions under the search box.
const SUGGESTIONS: usize = 8;
/// Most neighbours listed on each side.
const NEIGHBOURS: usize = 60;

/// What the focus mode shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Focus {
    /// A node of the overview, by key.
    Node(String),
    /// One endpoint.
    Endpoint(EndpointId),
}

/// Props of [`SearchBox`].
#[derive(PartialEq, Properties)]
pub struct SearchProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The overview.
    pub overview: Shared<Overview>,
    /// Chooses what to focus on.
    pub on_focus: Callback<Option<Focus>>,
}

/// The search box with its suggestions.
#[component]
pub fn SearchBox(props: &SearchProps) -> Html {
    let text = use_state(String::new);
    let found = search(&props.topology, &props.overview, &text, SUGGESTIONS);
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            text.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let choose = |found: &Found| {
        let focus = match found {
            Found::Node(key, _) => Focus::Node(key.clone()),
            Found::Endpoint(id, _) => Focus::Endpoint(id.clone()),
        };
        let (text, on_focus) = (text.clone(), props.on_focus.clone());
        Callback::from(move |_: MouseEvent| {
            text.set(String::new());
            on_focus.emit(Some(focus.clone()));
        })
    };
    let onkeydown = {
        let (first, text, on_focus) =
            (found.first().cloned(), text.clone(), props.on_focus.clone());
        Callback::from(move |e: KeyboardEvent| {
            if let (Some(first), "Enter") = (&first, e.key().as_str()) {
                text.set(String::new());
                on_focus.emit(Some(match first {
                    Found::Node(key, _) => Focus::Node(key.clone()),
                    Found::Endpoint(id, _) => Focus::Endpoint(id.clone()),
                }));
            }
        })
    };
    html! {
        <div class="ov-search">
            <label for="ov-search">{ "Focus" }</label>
            <input id="ov-search" type="search" placeholder="endpoint, group or address" value={(*text).clone()}
                autocomplete="off" aria-controls={(!found.is_empty()).then_some("ov-suggestions")} data-testid="ov-search" {oninput} {onkeydown} />
            if !found.is_empty() {
                <ul id="ov-suggestions" class="ov-suggestions" aria-label="Suggestions" data-testid="ov-suggestions">
                    { for found.iter().map(|f| {
                        let (kind, key, label) = match f {
                            Found::Node(key, label) => ("group", key.clone(), label.clone()),
                            Found::Endpoint(id, name) => ("endpoint", id.to_string(), name.clone()),
                        };
                        html! {
                            <li><button type="button" data-testid={format!("ov-suggest-{key}")} onclick={choose(f)}>
                                <span class="ov-kind">{ kind }</span>{ format!(" {label} ({key})") }
                            </button></li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}

/// Props of [`FocusView`].
#[derive(PartialEq, Properties)]
pub struct FocusProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The core's matrix.
    pub reach: Shared<Reach>,
    /// The overview.
    pub overview: Shared<Overview>,
    /// What is focused.
    pub focus: Focus,
    /// Focuses another (or leaves the focus mode with `None`).
    pub on_focus: Callback<Option<Focus>>,
    /// State changes (explanations).
    pub dispatch: Callback<Action>,
}

/// One neighbour: its name, what goes across, and what a click does.
struct Neighbour {
    focus: Focus,
    name: String,
    ports: String,
    query: Option<Query>,
}

/// The focused one and its neighbours.
#[component]
pub fn FocusView(props: &FocusProps) -> Html {
    let overview = &*props.overview;
    let (title, inbound, outbound) = match &props.focus {
        Focus::Node(key) => {
            let Some(at) = overview.index_of(key) else {
                return html! {};
            };
            let (inbound, outbound) = overview.neighbours(at);
            let side = |links: Vec<&crate::layout::overview::Link>,
                        other: fn(&crate::layout::overview::Link) -> usize| {
                links
                    .into_iter()
                    .map(|l| Neighbour {
                        focus: Focus::Node(overview.nodes[other(l)].key.clone()),
                        name: format!(
                            "{} ({} of {} pairs)",
                            overview.nodes[other(l)].label,
                            l.open_pairs,
                            l.pairs
                        ),
                        ports: l.label(),
                        query: None,
                    })
                    .collect::<Vec<_>>()
            };
            (
                format!("group {}", overview.nodes[at].label),
                side(inbound, |l| l.from),
                side(outbound, |l| l.to),
            )
        }
        Focus::Endpoint(id) => {
            let (inbound, outbound) = endpoint_neighbours(&props.reach, id);
            let side = |cells: Vec<crate::engine::Cell>, inbound: bool| {
                cells
                    .into_iter()
                    .map(|c| {
                        let other = if inbound {
                            c.from.clone()
                        } else {
                            c.to.clone()
                        };
                        Neighbour {
                            focus: Focus::Endpoint(other.clone()),
                            name: props.topology.endpoints.get(&other).map_or_else(
                                || other.to_string(),
                                |e| crate::ui::tree::display_name(&e.name, other.as_str()),
                            ),
                            ports: short_label(&c.allowed, 3),
                            query: c.first_allowed().map(|(protocol, port)| Query {
                                from: c.from.clone(),
                                to: c.to.clone(),
                                protocol,
                                port,
                            }),
                        }
                    })
                    .collect::<Vec<_>>()
            };
            (
                format!("endpoint {id}"),
                side(inbound, true),
                side(outbound, false),
            )
        }
    };
    let column = |label: &str, testid: &str, neighbours: &[Neighbour]| {
        html! {
            <section class="ov-side" data-testid={testid.to_owned()} aria-label={label.to_owned()}>
                <h3>{ format!("{label} ({})", neighbours.len()) }</h3>
                <ul>
                    { for neighbours.iter().take(NEIGHBOURS).map(|n| {
                        let focus = n.focus.clone();
                        html! {
                            <li>
                                <button type="button" class="link" onclick={props.on_focus.reform(move |_: MouseEvent| Some(focus.clone()))}>{ &n.name }</button>
                                if let Some(query) = n.query.clone() {
                                    <button type="button" class="ov-ports" title="Explain" aria-label={format!("Explain {}: {}", n.name, n.ports)}
                                        onclick={props.dispatch.reform(move |_: MouseEvent| Action::Ask(query.clone()))}>{ &n.ports }</button>
                                } else {
                                    <span class="ov-ports">{ &n.ports }</span>
                                }
                            </li>
                        }
                    }) }
                </ul>
                if neighbours.len() > NEIGHBOURS {
                    <p class="ov-note">{ format!("and {} more", neighbours.len() - NEIGHBOURS) }</p>
                }
            </section>
        }
    };
    html! {
        <div class="ov-focus" data-testid="ov-focus">
            <div class="ov-focus-head">
                <h2 data-testid="ov-focus-title">{ format!("Focus: {title}") }</h2>
                <button type="button" data-testid="ov-focus-clear" onclick={props.on_focus.reform(|_: MouseEvent| None)}>{ "Back to the overview" }</button>
            </div>
            <div class="ov-focus-columns">
                { column("Inbound: may open to it", "ov-inbound", &inbound) }
                <div class="ov-focus-centre" aria-hidden="true">{ "\u{2192} \u{25cf} \u{2192}" }</div>
                { column("Outbound: it may open to", "ov-outbound", &outbound) }
            </div>
        </div>
    }
}
