//! The notices' lifetimes, through `Reducible::reduce`: information expires unless held,
//! warnings and errors stay until dismissed, advice goes once it no longer applies.

use std::rc::Rc;

use sglab_core::edit::Edit;
use sglab_core::model::Topology;
use yew::Reducible;

use super::{Action, AppState};
use crate::types::{Level, Notice, Origin, Shared};

fn reduce(state: &Rc<AppState>, action: Action) -> Rc<AppState> {
    Rc::clone(state).reduce(action)
}

fn titles(state: &AppState) -> Vec<&str> {
    state.notices.iter().map(|n| n.title.as_str()).collect()
}

#[test]
fn information_expires_and_warnings_stay() {
    let mut state = Rc::new(AppState::new(Topology::default()));
    for (level, title) in [
        (Level::Warning, "warning"),
        (Level::Info, "info"),
        (Level::Error, "error"),
    ] {
        state = reduce(&state, Action::Notify(Notice::new(level, title)));
    }
    let ids: Vec<u64> = state.notices.iter().map(|n| n.id).collect();
    let expired = reduce(&state, Action::Expire(ids));
    assert_eq!(titles(&expired), ["warning", "error"]);
    let held = reduce(&state, Action::HoldNotices(true));
    assert!(held.notices_held);
    assert!(!reduce(&held, Action::HoldNotices(false)).notices_held);
}

#[test]
fn the_advice_to_add_a_vpc_goes_once_a_vpc_exists() {
    let state = Rc::new(AppState::new(Topology::default()));
    let state = reduce(
        &state,
        Action::Load {
            topology: Shared::new(Topology::default()),
            origin: Origin::New,
            warnings: Vec::new(),
        },
    );
    assert_eq!(state.notices.len(), 1);
    assert!(state.notices[0].title.contains("add a VPC"));
    // Advice does not expire by time: it says what is still missing.
    let ids = vec![state.notices[0].id];
    let state = reduce(&state, Action::Expire(ids));
    assert_eq!(state.notices.len(), 1);
    let with_vpc = reduce(&state, Action::Edit(Edit::AddVpc));
    assert!(
        with_vpc
            .notices
            .iter()
            .all(|n| !n.title.contains("add a VPC")),
        "{:?}",
        titles(&with_vpc)
    );
    // Undo brings the empty topology back, not the advice: it was said once.
    let undone = reduce(&with_vpc, Action::Undo);
    assert!(undone
        .notices
        .iter()
        .all(|n| !n.title.contains("add a VPC")));
}
