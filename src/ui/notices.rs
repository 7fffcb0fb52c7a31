//! The notices above the workspace: loads, refusals, damaged links and saves.

use std::rc::Rc;

use yew::prelude::*;

use crate::state::Action;
use crate::types::{Level, Notice, Origin};

/// Detail lines shown before the rest fold away.
const SHOWN_DETAILS: usize = 4;

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
    if props.notices.is_empty() {
        return html! {};
    }
    html! {
        <div class="notices" role="status" aria-live="polite" data-testid="notices">
            { for props.notices.iter().map(|notice| notice_view(notice, &props.dispatch, &props.on_download)) }
        </div>
    }
}

fn notice_view(
    notice: &Notice,
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
            topology: (*kept.0).clone(),
            origin: Origin::Restored,
            warnings: Vec::new(),
        });
        html! { <button type="button" class="link" data-testid="notice-restore" {onclick}>{ "Restore it" }</button> }
    });
    html! {
        <div {class} data-testid={testid}>
            <span class="notice-icon" aria-hidden="true">{ icon }</span>
            <div class="notice-body">
                <div class="notice-title" data-testid="notice-title">
                    { &notice.title }
                    if let Some(restore) = restore {
                        { ": " }{ restore }
                    }
                </div>
                if !notice.details.is_empty() {
                    <ul class="notice-details" data-testid="notice-details">
                        { for notice.details.iter().take(SHOWN_DETAILS).map(|line| html! { <li>{ line }</li> }) }
                    </ul>
                    if notice.details.len() > SHOWN_DETAILS {
                        <details class="notice-more">
                            <summary>{ format!("{} more", notice.details.len() - SHOWN_DETAILS) }</summary>
                            <ul class="notice-details">
                                { for notice.details.iter().skip(SHOWN_DETAILS).take(500).map(|line| html! { <li>{ line }</li> }) }
                            </ul>
                        </details>
                    }
                }
                { download.unwrap_or_default() }
            </div>
            <button type="button" class="icon-button" aria-label="Dismiss" title="Dismiss" data-testid="notice-dismiss" onclick={dismiss}>{ "\u{00d7}" }</button>
        </div>
    }
}
