//! Virtual scrolling: the rows of a long list (and the columns of a wide grid) that are on
//! screen, from the scroll position of their container ([`crate::layout::overview::window`]).

use web_sys::Element;
use yew::prelude::*;

use crate::layout::overview::{window, Window};

/// Rows drawn beyond the viewport on each side, so that a quick scroll shows no gap.
pub const OVERSCAN: usize = 8;

/// Where a scroll container is scrolled, and how large it is on screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScrollState {
    /// Pixels scrolled down.
    pub top: f64,
    /// Pixels scrolled right.
    pub left: f64,
    /// The visible height.
    pub height: f64,
    /// The visible width.
    pub width: f64,
}

/// A scroll container's reference, its scroll handler and where it is scrolled.
pub struct Scroll {
    /// The container.
    pub node: NodeRef,
    /// Its `onscroll`.
    pub onscroll: Callback<Event>,
    /// Where it is scrolled.
    pub state: ScrollState,
}

impl Scroll {
    /// The rows of `count` to draw, `row_height` pixels each.
    pub fn rows(&self, count: usize, row_height: f64) -> Window {
        window(
            count,
            row_height,
            self.state.top,
            self.state.height,
            OVERSCAN,
        )
    }

    /// The columns of `count` to draw, `column_width` pixels each.
    pub fn columns(&self, count: usize, column_width: f64) -> Window {
        window(
            count,
            column_width,
            self.state.left,
            self.state.width,
            OVERSCAN,
        )
    }
}

/// Tracks a scroll container: its size after each render, its position on each scroll.
#[hook]
pub fn use_scroll() -> Scroll {
    let node = use_node_ref();
    let state = use_state(|| ScrollState {
        top: 0.0,
        left: 0.0,
        height: 600.0,
        width: 900.0,
    });
    let read = {
        let (node, state) = (node.clone(), state.clone());
        move || {
            if let Some(element) = node.cast::<Element>() {
                let next = ScrollState {
                    top: f64::from(element.scroll_top()),
                    left: f64::from(element.scroll_left()),
                    height: f64::from(element.client_height()),
                    width: f64::from(element.client_width()),
                };
                if next != *state && next.height > 0.0 {
                    state.set(next);
                }
            }
        }
    };
    {
        let read = read.clone();
        use_effect(read);
    }
    Scroll {
        node,
        onscroll: Callback::from(move |_: Event| read()),
        state: *state,
    }
}

/// A spacer row of a virtualised list, standing for the rows not drawn.
pub fn spacer(height: f64) -> Html {
    if height <= 0.0 {
        return html! {};
    }
    html! { <li class="virtual-spacer" aria-hidden="true" style={format!("height: {height}px")}></li> }
}

/// A spacer row of a virtualised table of `columns` columns.
pub fn table_spacer(height: f64, columns: usize) -> Html {
    if height <= 0.0 {
        return html! {};
    }
    html! {
        <tr class="virtual-spacer" aria-hidden="true" style={format!("height: {height}px")}>
            <td colspan={columns.to_string()}></td>
        </tr>
    }
}

/// Props of [`VirtualList`].
#[derive(PartialEq, Properties)]
pub struct VirtualListProps {
    /// How many rows.
    pub count: usize,
    /// The fixed height of a row, in pixels, while virtualised.
    pub row_height: f64,
    /// Draws row `i` (an `<li>`).
    pub render: Callback<usize, Html>,
    /// The list's class.
    #[prop_or_default]
    pub class: Classes,
    /// The list's ARIA role, when its rows are not list items (a tree's group).
    #[prop_or_default]
    pub role: Option<AttrValue>,
    /// Told the rows drawn (the first and the one after the last) whenever they change, for
    /// a list whose rows are taken in as they come into view.
    #[prop_or_default]
    pub on_window: Option<Callback<(usize, usize)>>,
}

/// A `<ul>` drawing only the rows on screen (and the overscan) between two spacers, once it
/// has [`crate::layout::overview::VIRTUAL_MIN_ROWS`] rows or more; a shorter list is drawn
/// whole, as a plain `<ul>`.
#[component]
pub fn VirtualList(props: &VirtualListProps) -> Html {
    let scroll = use_scroll();
    let window = scroll.rows(props.count, props.row_height);
    {
        let on_window = props.on_window.clone();
        use_effect_with((window.start, window.end), move |drawn| {
            if let Some(on_window) = on_window {
                on_window.emit(*drawn);
            }
        });
    }
    if window.start == 0 && window.end == props.count && window.after == 0.0 {
        return html! {
            <ul class={props.class.clone()} role={props.role.clone()}>{ for (0..props.count).map(|i| props.render.emit(i)) }</ul>
        };
    }
    html! {
        <ul class={classes!(props.class.clone(), "virtual-list")} role={props.role.clone()} ref={scroll.node.clone()}
            onscroll={scroll.onscroll.clone()} style={format!("--row: {}px", props.row_height)}>
            { spacer(window.before) }
            { for (window.start..window.end).map(|i| props.render.emit(i)) }
            { spacer(window.after) }
        </ul>
    }
}
