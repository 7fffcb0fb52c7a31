//! The progress bar of a recompute running in the engine's worker: the stage in words, how far
//! along the stages it is, and Cancel.

use yew::prelude::*;

/// Props of [`ProgressBar`].
#[derive(PartialEq, Properties)]
pub struct ProgressBarProps {
    /// The stage in words.
    pub stage: AttrValue,
    /// Stages done, out of `stages`.
    pub done: u32,
    /// Stages in all.
    pub stages: u32,
    /// Endpoints being evaluated.
    pub endpoints: usize,
    /// Cancel: stop the recompute and keep the last results.
    pub on_cancel: Callback<()>,
}

/// The progress bar.
#[component]
pub fn ProgressBar(props: &ProgressBarProps) -> Html {
    let onclick = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
        <div class="progress-bar" role="status" aria-live="polite" data-testid="progress"
            style="position:fixed;left:50%;bottom:16px;transform:translateX(-50%);z-index:50;display:flex;gap:12px;align-items:center;padding:8px 14px;border-radius:8px;background:#1f2937;color:#fff;box-shadow:0 4px 16px rgba(0,0,0,.25);font-size:14px">
            <span>
                { format!("Evaluating {} endpoints: ", props.endpoints) }
                <strong data-testid="progress-stage">{ props.stage.clone() }</strong>
            </span>
            <progress max={props.stages.to_string()} value={props.done.to_string()} style="width:140px">
                { format!("{} of {}", props.done, props.stages) }
            </progress>
            <button type="button" data-testid="progress-cancel" {onclick}
                style="background:#fff;color:#1f2937;border:1px solid #d0d7de;border-radius:6px;padding:4px 12px;cursor:pointer">
                { "Cancel" }
            </button>
        </div>
    }
}
