//! The reducer's tests, run natively: every action through `Reducible::reduce`, as Yew runs it.

use std::rc::Rc;

use sglab_core::model::{EndpointId, GroupId, Position, Protocol, Topology};
use yew::Reducible;

use super::{Action, AppState, HISTORY_LIMIT};
use crate::types::{Level, Notice, Origin, Query, Selection, Shared, View};
use sglab_core::edit::{Edit, NewEndpoint};

fn example() -> Topology {
    crate::engine::example("ai-gateway").unwrap_or_default()
}

fn start() -> Rc<AppState> {
    Rc::new(AppState::new(example()))
}

fn reduce(state: &Rc<AppState>, action: Action) -> Rc<AppState> {
    Rc::clone(state).reduce(action)
}

fn rename(name: &str) -> Action {
    Action::Edit(Edit::RenameTopology(name.to_owned()))
}

fn query(from: &str, to: &str) -> Query {
    Query {
        from: EndpointId::from(from),
        to: EndpointId::from(to),
        protocol: Protocol::Tcp,
        port: Some(443),
    }
}

fn levels(state: &AppState) -> Vec<Level> {
    state.notices.iter().map(|notice| notice.level).collect()
}

#[test]
fn undo_and_redo_walk_the_history() {
    let first = start();
    let renamed = reduce(&first, rename("one"));
    let twice = reduce(&renamed, rename("two"));
    assert_eq!(twice.topology.name, "two");
    assert_eq!((twice.undo.len(), twice.revision), (2, 2));

    let undone = reduce(&twice, Action::Undo);
    assert_eq!(undone.topology.name, "one");
    assert_eq!((undone.undo.len(), undone.redo.len()), (1, 1));
    let undone = reduce(&undone, Action::Undo);
    assert_eq!(undone.topology.name, first.topology.name);
    assert!(
        undone.topology == first.topology,
        "the same topology, not a copy"
    );

    let redone = reduce(&undone, Action::Redo);
    assert_eq!(redone.topology.name, "one");
    assert_eq!(
        redone.revision, 5,
        "every move through history is a new revision"
    );

    // A new edit forgets what was undone.
    let branched = reduce(&redone, rename("three"));
    assert!(branched.redo.is_empty());
}

#[test]
fn undo_or_redo_with_nothing_to_do_keeps_the_state() {
    let state = start();
    assert!(Rc::ptr_eq(&reduce(&state, Action::Undo), &state));
    assert!(Rc::ptr_eq(&reduce(&state, Action::Redo), &state));
}

#[test]
fn history_is_bounded() {
    let mut state = start();
    for index in 0..HISTORY_LIMIT + 5 {
        state = reduce(&state, rename(&format!("name {index}")));
    }
    assert_eq!(state.undo.len(), HISTORY_LIMIT);
}

#[test]
fn deleting_the_selected_endpoint_clears_the_selection_and_its_question() {
    let state = start();
    // A new endpoint is selected; the example's own are named by its expectations.
    let new = NewEndpoint::External {
        cidr: "198.51.100.77/32".to_owned(),
    };
    let state = reduce(&state, Action::Edit(Edit::AddEndpoint(new)));
    let Selection::Endpoint(added) = state.selection.clone() else {
        panic!("the new endpoint is selected: {:?}", state.notices);
    };
    let state = reduce(&state, Action::Ask(query(added.as_str(), "gw-node-1")));
    assert!(state.query.is_some());
    let state = reduce(&state, Action::Edit(Edit::DeleteEndpoint(added.clone())));
    assert!(
        !state.topology.endpoints.contains_key(&added),
        "{:?}",
        state.notices
    );
    assert_eq!(state.selection, Selection::None);
    assert_eq!((state.query.clone(), state.asked.clone()), (None, None));
    // Undo brings the endpoint back; the selection stays cleared.
    let state = reduce(&state, Action::Undo);
    assert!(state.topology.endpoints.contains_key(&added));
    assert_eq!(state.selection, Selection::None);
}

#[test]
fn a_selection_that_survives_an_edit_is_kept() {
    let state = start();
    let selection = Selection::Group(GroupId::from("service-sg1"));
    let state = reduce(&state, Action::Select(selection.clone()));
    let state = reduce(&state, rename("renamed"));
    assert_eq!(state.selection, selection);
}

#[test]
fn a_refused_edit_leaves_the_state_and_says_why() {
    let state = start();
    // The group is used by the ACK nodes: deleting it is refused.
    let refused = reduce(
        &state,
        Action::Edit(Edit::DeleteGroup(GroupId::from("service-sg1"))),
    );
    assert!(
        refused.topology == state.topology,
        "the topology is the same value"
    );
    assert_eq!(refused.revision, state.revision);
    assert!(refused.undo.is_empty());
    assert_eq!(levels(&refused), [Level::Error]);
    assert!(!refused.notices[0].title.is_empty());
}

#[test]
fn loading_replaces_the_topology_and_forgets_the_question() {
    let state = start();
    let state = reduce(&state, Action::Select(Selection::Topology));
    let state = reduce(&state, Action::Ask(query("client", "gw-node-1")));
    let other = Topology {
        name: "other".to_owned(),
        ..Topology::default()
    };
    let loaded = reduce(
        &state,
        Action::Load {
            topology: Shared::new(other),
            origin: Origin::Files(vec!["other.json".to_owned()]),
            warnings: Vec::new(),
        },
    );
    assert_eq!(loaded.topology.name, "other");
    assert_eq!(
        (
            loaded.selection.clone(),
            loaded.query.clone(),
            loaded.asked.clone()
        ),
        (Selection::None, None, None)
    );
    assert_eq!(levels(&loaded), [Level::Info]);
    assert_eq!(loaded.notices[0].title, "Opened other.json");
    // Undoable like any edit.
    let undone = reduce(&loaded, Action::Undo);
    assert!(undone.topology == state.topology);
}

#[test]
fn a_load_with_corrections_warns_and_a_clean_autosave_is_silent() {
    let state = start();
    let silent = reduce(
        &state,
        Action::Load {
            topology: Shared::new(example()),
            origin: Origin::Autosave,
            warnings: Vec::new(),
        },
    );
    assert!(silent.notices.is_empty());
    let Err(diagnostics) = crate::engine::parse_sglab("{", "broken.json") else {
        panic!("a broken file is an error");
    };
    let warned = reduce(
        &state,
        Action::Load {
            topology: Shared::new(example()),
            origin: Origin::Autosave,
            warnings: diagnostics.clone(),
        },
    );
    assert_eq!(levels(&warned), [Level::Warning]);
    assert_eq!(warned.notices[0].details.len(), diagnostics.len());
}

#[test]
fn notices_are_numbered_kept_short_and_dismissed() {
    let mut state = start();
    state = reduce(&state, Action::Notify(Notice::new(Level::Error, "error")));
    for index in 0..5 {
        let notice = Notice::new(Level::Info, format!("info {index}"));
        state = reduce(&state, Action::Notify(notice));
    }
    // At most four: the oldest info notices go first, the error stays.
    let titles: Vec<&str> = state.notices.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(titles, ["error", "info 2", "info 3", "info 4"]);
    let ids: Vec<u64> = state.notices.iter().map(|n| n.id).collect();
    assert_eq!(ids, [1, 4, 5, 6]);
    let state = reduce(&state, Action::Dismiss(1));
    assert_eq!(levels(&state), [Level::Info; 3]);
}

#[test]
fn moves_are_saved_in_the_layout_and_undoable() {
    let state = start();
    let position = Position { x: 10.0, y: 20.0 };
    let moved = reduce(&state, Action::Move(vec![("client".to_owned(), position)]));
    assert_eq!(moved.topology.layout.get("client"), Some(&position));
    let undone = reduce(&moved, Action::Undo);
    assert_eq!(undone.topology.layout.get("client"), None);
}

#[test]
fn escape_closes_the_share_box_then_the_explanation() {
    let state = start();
    let state = reduce(&state, Action::Ask(query("client", "gw-node-1")));
    let state = reduce(&state, Action::Step(2));
    assert_eq!(state.step, 2);
    let state = reduce(
        &state,
        Action::ShowShareLink("https://example.test/#t=x".to_owned()),
    );
    let state = reduce(&state, Action::Escape);
    assert!(state.share_link.is_none() && state.query.is_some());
    let state = reduce(&state, Action::Escape);
    assert!(state.query.is_none());
    assert!(Rc::ptr_eq(&reduce(&state, Action::Escape), &state));
}

#[test]
fn closing_the_explanation_keeps_the_question_for_the_query_bar() {
    let asked = Query {
        port: Some(8080),
        ..query("client", "gw-node-1")
    };
    for close in [Action::CloseExplanation, Action::Escape] {
        let state = reduce(&start(), Action::Ask(asked.clone()));
        let state = reduce(&state, close);
        assert_eq!(state.query, None, "the explanation closes");
        assert_eq!(state.asked.as_ref(), Some(&asked), "the question stays");
        // The next question changes the port only; the bar shows it, and the panel opens.
        let next = Query {
            port: Some(8081),
            ..asked.clone()
        };
        let state = reduce(&state, Action::Ask(next.clone()));
        assert_eq!(
            (state.query.as_ref(), state.asked.as_ref()),
            (Some(&next), Some(&next))
        );
    }
}

#[test]
fn every_question_asked_is_counted_so_that_its_verdict_takes_the_focus() {
    let state = start();
    assert_eq!(state.questions, 0);
    let state = reduce(&state, Action::Ask(query("client", "gw-node-1")));
    // The same question asked again moves the focus again.
    let state = reduce(&state, Action::Ask(query("client", "gw-node-1")));
    assert_eq!(state.questions, 2);
    let state = reduce(&state, Action::CloseExplanation);
    let state = reduce(&state, rename("renamed"));
    assert_eq!(state.questions, 2, "only questions count");
}

#[test]
fn a_kept_question_naming_a_deleted_endpoint_is_forgotten() {
    let state = start();
    let new = NewEndpoint::External {
        cidr: "198.51.100.78/32".to_owned(),
    };
    let state = reduce(&state, Action::Edit(Edit::AddEndpoint(new)));
    let Selection::Endpoint(added) = state.selection.clone() else {
        panic!("the new endpoint is selected: {:?}", state.notices);
    };
    let state = reduce(&state, Action::Ask(query(added.as_str(), "gw-node-1")));
    let state = reduce(&state, Action::CloseExplanation);
    assert!(state.asked.is_some());
    let state = reduce(&state, Action::Edit(Edit::DeleteEndpoint(added)));
    assert_eq!(state.asked, None);
}

#[test]
fn a_new_question_starts_at_the_first_step() {
    let state = start();
    let state = reduce(&state, Action::Step(3));
    let state = reduce(&state, Action::Ask(query("client", "gw-node-1")));
    assert_eq!(state.step, 0);
}

#[test]
fn view_and_large_type_are_plain_switches() {
    let state = start();
    let state = reduce(&state, Action::SetView(View::Lint));
    let state = reduce(&state, Action::ToggleLargeType);
    assert_eq!((state.view, state.large_type), (View::Lint, true));
    let state = reduce(&state, Action::ToggleLargeType);
    assert!(!state.large_type);
}

#[test]
fn escape_leaves_presentation_mode_and_keeps_the_question() {
    let state = start();
    let state = reduce(&state, Action::Ask(query("client", "gw-node-1")));
    let state = reduce(&state, Action::Step(2));
    let state = reduce(&state, Action::TogglePresentation);
    assert!(state.presenting);
    let state = reduce(&state, Action::Escape);
    assert!(!state.presenting);
    assert!(state.query.is_some());
    assert_eq!(state.step, 2);
}

#[test]
fn adding_a_rule_records_it_for_the_check_after_the_frame() {
    let state = start();
    let group = GroupId::from("service-sg2");
    let Some(rule) = state
        .topology
        .groups
        .get(&group)
        .and_then(|g| g.rules.first())
        .cloned()
    else {
        panic!("the example's backend group has a rule");
    };
    let count = state
        .topology
        .groups
        .get(&group)
        .map_or(0, |g| g.rules.len());
    let state = reduce(
        &state,
        Action::Edit(Edit::AddRule {
            group: group.clone(),
            rule,
        }),
    );
    assert_eq!(state.added_rule, Some((group, count)));
    let state = reduce(&state, Action::Undo);
    assert_eq!(state.added_rule, None);
}

/// Edits and fixes through the core: what they select and say, or refuse.
mod edits {
    use std::rc::Rc;

    use sglab_core::edit::Edit;
    use sglab_core::fix::Fix;
    use sglab_core::model::{GroupId, GroupType, PrefixListId};
    use yew::Reducible;

    use super::super::{Action, AppState};
    use crate::types::{Level, Selection};

    fn state() -> Rc<AppState> {
        let topology = crate::engine::example("ai-gateway").expect("the example loads");
        Rc::new(AppState::new(topology))
    }

    #[test]
    fn an_added_object_is_selected() {
        let state = state().reduce(Action::Edit(Edit::AddPrefixList));
        assert_eq!(
            state.selection,
            Selection::PrefixList(PrefixListId::from("pl-1"))
        );
        assert_eq!(state.undo.len(), 1);
    }

    #[test]
    fn a_refused_edit_leaves_the_topology_and_lists_the_new_errors() {
        let before = state();
        let mut group = before.topology.groups[&GroupId::from("service-sg1")].clone();
        group.group_type = GroupType::Enterprise;
        let after = Rc::clone(&before).reduce(Action::Edit(Edit::SetGroup(group)));
        assert_eq!(after.topology, before.topology);
        assert!(after.undo.is_empty());
        let notice = after.notices.last().expect("a notice");
        assert_eq!(notice.level, Level::Error);
        assert_eq!(
            notice.title,
            "The change was not made: it would make the topology invalid"
        );
        assert!(!notice.details.is_empty());
    }

    #[test]
    fn a_fix_is_announced_and_refused_in_its_own_words() {
        let applied = state().reduce(Action::ApplyFix(Fix::DeleteRule {
            security_group: GroupId::from("service-sg2"),
            rule_index: 0,
        }));
        let notice = applied.notices.last().expect("a notice");
        assert_eq!(notice.title, "Applied: delete rule 1 of service-sg2");
        assert_eq!(applied.undo.len(), 1);

        let refused = state().reduce(Action::ApplyFix(Fix::DeleteRule {
            security_group: GroupId::from("sg-ai-gateway"),
            rule_index: 0,
        }));
        let notice = refused.notices.last().expect("a notice");
        assert_eq!(
            notice.title,
            "security group sg-ai-gateway is managed by AI Gateway and is read-only"
        );
        assert!(refused.undo.is_empty());
    }
}

#[test]
fn undo_redo_and_loads_keep_the_pinned_baseline() {
    let state = reduce(&start(), Action::PinBaseline);
    let baseline = state.baseline.clone().expect("pinned");
    assert!(baseline == state.topology);
    let edited = reduce(&state, rename("edited"));
    let undone = reduce(&edited, Action::Undo);
    let redone = reduce(&undone, Action::Redo);
    for state in [&edited, &undone, &redone] {
        assert!(state.baseline.as_ref() == Some(&baseline));
    }
    let loaded = reduce(
        &redone,
        Action::Load {
            topology: Shared::new(Topology::default()),
            origin: Origin::New,
            warnings: Vec::new(),
        },
    );
    assert!(loaded.baseline.as_ref() == Some(&baseline));
    assert!(reduce(&loaded, Action::Unpin).baseline.is_none());
}
