//! The notices above the workspace: loads, refusals, damaged links and saves.
//!
//! They take little room: the newest warning or error, with the others folded behind "N more",
//! and the newest piece of information, which goes by itself after a few seconds (the app's
//! effects time it; the pointer or the focus on the notices holds it). Each notice is one line;
//! its details and the rest of a long title open on request. The stack is a `status` live
//! region, so that screen readers announce what arrives.

use std::rc::Rc;

use yew::prelude::*;

use crate::state::Action;
use crate::types::{Level, Notice, Origin};

/// Detail lines shown when a notice's details open, before the rest fold away.
const SHOWN_DETAILS: usize = 4;
/// A title longer than this may not fit on the notice's line: it opens in full on request.
const LONG_TITLE: usize = 90;

/// Props of [`Notices`].
#[derive(PartialEq, Properties)]
pub struct NoticesProps {
    /// The notices, oldest first.
    pub notices: Rc<Vec<Notice>>,
    /// Where actions go.
    pub dispatch: Callback<Action>,
    /// Called with (file name, contents) when the user asks for a notice's download.
    pub on_download: Callback<(String, String)>,
}

/// The notice stack.
#[component]
pub fn Notices(props: &NoticesProps) -> Html {
    let expanded = use_state(|| false);
    let hovered = use_state(|| false);
    let focused = use_state(|| false);
    let container = use_node_ref();
    {
        // A dismissed notice takes the focus away without a focusout: ask where it is.
        let (container, focused) = (container.clone(), focused.clone());
        use_effect_with(Rc::clone(&props.notices), move |_| {
            let inside = container.get().is_some_and(|node| {
                gloo::utils::document()
                    .active_element()
                    .is_some_and(|active| node.contains(Some(&active)))
            });
            focused.set(inside);
        });
    }
    {
        let dispatch = props.dispatch.clone();
        use_effect_with(*hovered || *focused, move |held| {
            dispatch.emit(Action::HoldNotices(*held));
        });
    }
    // Newest first, so that the first of a kind on the page is the latest.
    let lasting: Vec<&Notice> = props
        .notices
        .iter()
        .rev()
        .filter(|notice| !notice.expires())
        .collect();
    let passing = props.notices.iter().rev().find(|notice| notice.expires());
    let view = |notice: &Notice, more: Html| {
        notice_view(notice, more, &props.dispatch, &props.on_download)
    };
    let more = match lasting.len() {
        0 | 1 => html! {},
        count => {
            let toggle = {
                let expanded = expanded.clone();
                Callback::from(move |_: MouseEvent| expanded.set(!*expanded))
            };
            let label = if *expanded {
                "Show fewer".to_owned()
            } else {
                format!("{} more", count - 1)
            };
            html! {
                <button type="button" class="link notice-more-button" data-testid="notices-more"
                    aria-expanded={expanded.to_string()} onclick={toggle}>{ label }</button>
            }
        }
    };
    let shown_lasting: Vec<Html> = lasting
        .iter()
        .enumerate()
        .take(if *expanded { lasting.len() } else { 1 })
        .map(|(index, notice)| {
            view(
                notice,
                if index == 0 {
                    more.clone()
                } else {
                    html! {}
                },
            )
        })
        .collect();
    let set = |handle: &UseStateHandle<bool>, value: bool| {
        let handle = handle.clone();
        move || handle.set(value)
    };
    let (enter, leave) = (set(&hovered, true), set(&hovered, false));
    let (focus_in, focus_out) = (set(&focused, true), set(&focused, false));
    let class = classes!("notices", props.notices.is_empty().then_some("empty"));
    html! {
        <div ref={container} {class} role="status" aria-live="polite" data-testid="notices"
            onmouseenter={Callback::from(move |_: MouseEvent| enter())}
            onmouseleave={Callback::from(move |_: MouseEvent| leave())}
            onfocusin={Callback::from(move |_: FocusEvent| focus_in())}
            onfocusout={Callback::from(move |_: FocusEvent| focus_out())}>
            { for shown_lasting }
            { for passing.map(|notice| view(notice, html! {})) }
        </div>
    }
}

fn notice_view(
    notice: &Notice,
    more: Html,
    dispatch: &Callback<Action>,
    on_download: &Callback<(String, String)>,
) -> Html {
    let (class, icon, testid) = match notice.level {
        Level::Info => ("notice info", "\u{2139}", "notice-info"),
        Level::Warning => ("notice warning", "\u{26a0}", "notice-warning"),
        Level::Error => ("notice error", "\u{2716}", "notice-error"),
    };
    let id = notice.id;
    let dismiss = dispatch.reform(move |_| Action::Dismiss(id));
    let download = notice.download.clone().map(|download| {
        let label = format!("Download {}", download.0);
        let on_download = on_download.clone();
        let onclick = Callback::from(move |_| on_download.emit(download.clone()));
        html! { <button type="button" class="link" data-testid="notice-download" {onclick}>{ label }</button> }
    });
    let restore = notice.restore.clone().map(|kept| {
        let onclick = dispatch.reform(move |_: MouseEvent| Action::Load {
            topology: kept.clone(),
            origin: Origin::Restored,
            warnings: Vec::new(),
        });
        html! { <button type="button" class="link" data-testid="notice-restore" {onclick}>{ "Restore it" }</button> }
    });
    let long = notice.title.chars().count() > LONG_TITLE;
    let opens = long || !notice.details.is_empty();
    let summary = match notice.details.len() {
        0 => "Read all".to_owned(),
        1 => "1 detail".to_owned(),
        count => format!("{count} details"),
    };
    html! {
        <div {class} data-testid={testid}>
            <span class="notice-icon" aria-hidden="true">{ icon }</span>
            <div class="notice-body">
                <div class="notice-title" data-testid="notice-title" title={long.then(|| notice.title.clone())}>
                    { &notice.title }
                    if let Some(restore) = restore {
                        { ": " }{ restore }
                    }
                </div>
                if opens {
                    <details class="notice-open" data-testid="notice-open">
                        <summary>{ summary }</summary>
                        if long {
                            <p class="notice-full">{ &notice.title }</p>
                        }
                        { details(&notice.details) }
                    </details>
                }
                { download.unwrap_or_default() }
                { more }
            </div>
            <button type="button" class="icon-button" aria-label="Dismiss" title="Dismiss" data-testid="notice-dismiss" onclick={dismiss}>{ "\u{00d7}" }</button>
        </div>
    }
}

/// A notice's detail lines: the first few, the rest folded.
fn details(lines: &[String]) -> Html {
    if lines.is_empty() {
        return html! {};
    }
    html! {
        <>
            <ul class="notice-details" data-testid="notice-details">
                { for lines.iter().take(SHOWN_DETAILS).map(|line| html! { <li>{ line }</li> }) }
            </ul>
            if lines.len() > SHOWN_DETAILS {
                <details class="notice-more">
                    <summary>{ format!("{} more", lines.len() - SHOWN_DETAILS) }</summary>
                    <ul class="notice-details">
                        { for lines.iter().skip(SHOWN_DETAILS).take(500).map(|line| html! { <li>{ line }</li> }) }
                    </ul>
                </details>
            }
        </>
    }
}
