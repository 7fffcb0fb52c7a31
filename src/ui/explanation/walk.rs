//! The step-through of the rules considered: each step marked by what it did to the packet
//! (a cross and "blocked" for a deciding drop, a tick and "allowed" for a deciding accept,
//! neutral marks for the others), in shape and words as well as colour.

use sglab_core::model::Direction;
use yew::prelude::*;

use crate::engine::Step;
use crate::state::Action;

/// The walk: Previous/Next, the position, and the list of steps with the current one's reason.
pub(super) fn view(steps: &[Step], step: usize, dispatch: &Callback<Action>) -> Html {
    let previous = dispatch.reform(move |_: MouseEvent| Action::Step(step.saturating_sub(1)));
    let next = {
        let last = steps.len().saturating_sub(1);
        dispatch.reform(move |_: MouseEvent| Action::Step((step + 1).min(last)))
    };
    html! {
        <section class="walk" data-testid="walk">
            <h3>{ "Step through the rules" }</h3>
            if steps.is_empty() {
                <p class="hint">{ "No rule was considered: the decision above came from a default, the intra-group policy or the platform." }</p>
            } else {
                <div class="walk-controls">
                    <button type="button" onclick={previous} disabled={step == 0} data-testid="step-previous">{ "\u{25c0} Previous" }<kbd class="key-hint step-key">{ "PgUp" }</kbd></button>
                    <span class="walk-position" data-testid="step-position" aria-live="polite">{ format!("Step {} of {}", step + 1, steps.len()) }</span>
                    <button type="button" onclick={next} disabled={step + 1 >= steps.len()} data-testid="step-next">{ "Next \u{25b6}" }<kbd class="key-hint step-key">{ "PgDn" }</kbd></button>
                </div>
                <ol class="walk-list">
                    { for steps.iter().enumerate().map(|(index, s)| step_view(index, s, index == step, dispatch)) }
                </ol>
            }
        </section>
    }
}

/// One step: its side, its mark (shape and words), the rule, and the reason when current.
fn step_view(index: usize, s: &Step, current: bool, dispatch: &Callback<Action>) -> Html {
    let onclick = dispatch.reform(move |_: MouseEvent| Action::Step(index));
    let mark = s.mark;
    html! {
        <li class={classes!("walk-step", current.then_some("current"), if s.matched { "matched" } else { "skipped" }, mark.class())}
            data-testid={format!("step-{index}")} data-mark={mark.class()} aria-current={current.then_some("step")}>
            <button type="button" class="walk-step-button" {onclick}>
                <span class="walk-side">{ if s.side == Direction::Egress { "out" } else { "in" } }</span>
                <span class="walk-match" aria-hidden="true">{ mark.symbol() }</span>
                <span class="walk-verdict" data-testid={format!("step-{index}-mark")}>{ mark.words() }</span>
                <span class="walk-rule">{ s.rule.to_string() }</span>
            </button>
            if current {
                <div class="walk-reason" data-testid="step-reason">
                    <strong class="walk-lead">{ mark.lead() }</strong>{ " " }{ &s.reason }
                </div>
            }
        </li>
    }
}
