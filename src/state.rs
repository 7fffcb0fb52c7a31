//! The app's one state: the topology with its undo history, what is selected, the open
//! question, notices. Every change goes through [`Action`]; edits of the topology are the
//! core's [`Edit`]s, applied by `sglab_core::edit::apply`, whose answers become a selection and
//! notices here.

use std::rc::Rc;

use sglab_core::diagnostic::Diagnostic;
use sglab_core::model::{Position, Topology};
use yew::Reducible;

use crate::types::{Advice, Level, Notice, Origin, Query, Selection, Shared, View};
use sglab_core::edit::{self, Applied, Edit};
use sglab_core::fix::Fix;

/// The notice of a share link opened over other work, which it offers to restore.
pub const LINK_KEPT_WORK: &str = "Opened the shared topology; your previous work is kept";

/// How many edits undo remembers.
pub const HISTORY_LIMIT: usize = 200;

/// The whole app state.
#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    /// The topology being edited.
    pub topology: Shared<Topology>,
    /// Bumped on every change of the topology.
    pub revision: u64,
    /// Earlier topologies, newest last.
    pub undo: Vec<Shared<Topology>>,
    /// Undone topologies, newest last.
    pub redo: Vec<Shared<Topology>>,
    /// What the inspector shows.
    pub selection: Selection,
    /// The open question, shown in the explanation panel.
    pub query: Option<Query>,
    /// The last question asked, which the query bar keeps showing after the explanation
    /// closes, so that the next question changes only what differs.
    pub asked: Option<Query>,
    /// How many questions were asked: each new one moves the focus to its verdict.
    pub questions: u64,
    /// The step of the step-through of the considered rules.
    pub step: usize,
    /// Notices, oldest first.
    pub notices: Vec<Notice>,
    /// The id of the next notice.
    pub next_notice: u64,
    /// Whether the pointer or the focus is on the notices, which keeps them from expiring.
    pub notices_held: bool,
    /// Diagram or matrix.
    pub view: View,
    /// Large type for projectors.
    pub large_type: bool,
    /// Presentation mode for projectors: the diagram fills the screen, the explanation is a
    /// drawer below it, and the panels, tabs and rule tables are hidden.
    pub presenting: bool,
    /// The share link last made, shown for copying until closed.
    pub share_link: Option<String>,
    /// Whether the clipboard took the share link: `None` while the browser has not answered.
    pub share_copied: Option<bool>,
    /// A rule just added (group, index), whose effect the app checks after the frame.
    pub added_rule: Option<(sglab_core::model::GroupId, usize)>,
    /// The topology pinned as the baseline of the compare mode; undo, redo and loads keep it.
    pub baseline: Option<Shared<Topology>>,
}

impl AppState {
    /// A state showing `topology`, with no history.
    pub fn new(topology: Topology) -> AppState {
        AppState {
            topology: Shared::new(topology),
            revision: 0,
            undo: Vec::new(),
            redo: Vec::new(),
            selection: Selection::None,
            query: None,
            asked: None,
            questions: 0,
            step: 0,
            notices: Vec::new(),
            next_notice: 1,
            notices_held: false,
            view: View::Diagram,
            large_type: false,
            presenting: false,
            share_link: None,
            share_copied: None,
            added_rule: None,
            baseline: None,
        }
    }

    /// Adds a notice, keeping the stack short.
    pub fn push_notice(&mut self, notice: Notice) {
        self.notify(notice);
    }

    fn notify(&mut self, mut notice: Notice) {
        notice.id = self.next_notice;
        self.next_notice += 1;
        self.notices.push(notice);
        // Keep the stack short: old info notices go first.
        while self.notices.len() > 4 {
            let index = self
                .notices
                .iter()
                .position(|n| n.level == Level::Info)
                .unwrap_or(0);
            self.notices.remove(index);
        }
    }

    /// Drops the advice that no longer applies to the topology.
    fn drop_stale_advice(&mut self) {
        let topology = &self.topology;
        self.notices
            .retain(|notice| notice.advice.is_none_or(|advice| advice.applies(topology)));
    }

    fn replace_topology(&mut self, topology: Topology) {
        self.replace_shared(Shared::new(topology));
    }

    /// [`AppState::replace_topology`] with a topology already shared (one the engine's worker
    /// read and still holds, so that its evaluation is asked without sending it again).
    fn replace_shared(&mut self, topology: Shared<Topology>) {
        let previous = std::mem::replace(&mut self.topology, topology);
        self.undo.push(previous);
        if self.undo.len() > HISTORY_LIMIT {
            self.undo.remove(0);
        }
        self.redo.clear();
        self.revision += 1;
        self.added_rule = None;
        self.forget_dangling();
    }

    /// Takes the topology an edit left, with what the edit asks: a selection, a notice, the
    /// rule whose effect to check.
    fn edited(&mut self, topology: Topology, applied: Applied) {
        self.replace_topology(topology);
        if let Some(object) = applied.select {
            self.selection = object.into();
        }
        if let Some(message) = applied.message {
            self.notify(Notice::new(Level::Info, message));
        }
        self.added_rule = applied.added_rule;
    }

    /// Drops a selection or query that names something no longer in the topology.
    fn forget_dangling(&mut self) {
        let topology = &self.topology;
        let exists = match &self.selection {
            Selection::None | Selection::Topology => true,
            Selection::Vpc(id) => topology.vpcs.contains_key(id),
            Selection::Group(id) => topology.groups.contains_key(id),
            Selection::Endpoint(id) => topology.endpoints.contains_key(id),
            Selection::Cluster(id) => topology.clusters.contains_key(id),
            Selection::Gateway(id) => topology.gateways.contains_key(id),
            Selection::PrefixList(id) => topology.prefix_lists.contains_key(id),
        };
        if !exists {
            self.selection = Selection::None;
        }
        for question in [&mut self.query, &mut self.asked] {
            if question.as_ref().is_some_and(|q| {
                !topology.endpoints.contains_key(&q.from) || !topology.endpoints.contains_key(&q.to)
            }) {
                *question = None;
            }
        }
    }
}

/// Everything that can happen to the state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Replace the topology by a loaded one (undoable), with the load's warnings.
    Load {
        /// The new topology.
        topology: Shared<Topology>,
        /// Where it came from.
        origin: Origin,
        /// Corrections made while loading.
        warnings: Vec<Diagnostic>,
    },
    /// Change the topology.
    Edit(Edit),
    /// Apply a fix proposed by the doctor or the lint: its edit, announced in its words.
    ApplyFix(Fix),
    /// Move diagram objects: saved in `topology.layout` (undoable).
    Move(Vec<(String, Position)>),
    /// Go back one change.
    Undo,
    /// Go forward one undone change.
    Redo,
    /// Show something in the inspector.
    Select(Selection),
    /// Ask a question (opens the explanation panel).
    Ask(Query),
    /// Close the explanation panel.
    CloseExplanation,
    /// Show a share link for copying.
    ShowShareLink(String),
    /// The clipboard's answer to copying the share link: written or refused.
    ShareCopied(bool),
    /// Close the share box.
    CloseShareLink,
    /// Escape: close the share box if open, else leave presentation mode, else close the
    /// explanation.
    Escape,
    /// Go to a step of the step-through.
    Step(usize),
    /// Show a notice.
    Notify(Notice),
    /// Dismiss a notice by id.
    Dismiss(u64),
    /// Let these information notices go, their time up (advice, warnings and errors stay).
    Expire(Vec<u64>),
    /// Keep notices from expiring while the pointer or the focus is on them, or let them go.
    HoldNotices(bool),
    /// Diagram or matrix.
    SetView(View),
    /// Large type on or off.
    ToggleLargeType,
    /// Presentation mode on or off.
    TogglePresentation,
    /// Pin the current topology as the baseline of the compare mode.
    PinBaseline,
    /// Pin a topology read from a file (or restored) as the baseline.
    SetBaseline(Shared<Topology>),
    /// Leave the compare mode.
    Unpin,
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut state = (*self).clone();
        match action {
            Action::Load {
                topology,
                origin,
                warnings,
            } => {
                let title = match &origin {
                    Origin::Example(_) => {
                        format!("Opened the example \u{201c}{}\u{201d}", topology.name)
                    }
                    Origin::Files(names) => format!("Opened {}", names.join(", ")),
                    Origin::Link => "Opened the topology from the share link".to_owned(),
                    Origin::Autosave => "Restored your last session".to_owned(),
                    Origin::Script => "Loaded a topology from a script".to_owned(),
                    Origin::New => {
                        "Started an empty topology: add a VPC to begin (Undo brings the previous topology back)"
                            .to_owned()
                    }
                    Origin::Restored => {
                        "Restored your previous work (Undo brings the shared topology back)"
                            .to_owned()
                    }
                };
                let previous = state.topology.clone();
                let advice = (origin == Origin::New).then_some(Advice::AddVpc);
                state.replace_shared(topology);
                if origin == Origin::Restored {
                    state.notices.retain(|notice| notice.restore.is_none());
                }
                state.selection = Selection::None;
                state.query = None;
                state.asked = None;
                state.step = 0;
                let level = if warnings.is_empty() {
                    Level::Info
                } else {
                    Level::Warning
                };
                if origin == Origin::Link && *previous.0 != *state.topology.0 {
                    // A link never destroys work: what it opened over is one click away.
                    state.notify(Notice {
                        restore: Some(previous),
                        ..Notice::with_diagnostics(level, LINK_KEPT_WORK, &warnings)
                    });
                } else if origin != Origin::Autosave || !warnings.is_empty() {
                    let notice = Notice::with_diagnostics(level, title, &warnings);
                    state.notify(match advice {
                        Some(advice) => notice.advising(advice),
                        None => notice,
                    });
                }
            }
            Action::Edit(edit) => {
                let mut topology = (*state.topology.0).clone();
                match edit::apply(&mut topology, &edit) {
                    Ok(applied) => state.edited(topology, applied),
                    Err(error) => state.notify(Notice::refused(&error)),
                }
            }
            Action::ApplyFix(fix) => {
                let mut topology = (*state.topology.0).clone();
                match edit::apply(&mut topology, &fix.edit()) {
                    Ok(applied) => state.edited(
                        topology,
                        Applied {
                            message: Some(format!("Applied: {fix}")),
                            added_rule: None,
                            ..applied
                        },
                    ),
                    Err(error) => state.notify(Notice::fix_refused(error)),
                }
            }
            Action::Move(moves) => {
                let mut topology = (*state.topology.0).clone();
                for (id, position) in moves {
                    topology.layout.insert(id, position);
                }
                state.replace_topology(topology);
            }
            Action::Undo => match state.undo.pop() {
                Some(previous) => {
                    let current = std::mem::replace(&mut state.topology, previous);
                    state.redo.push(current);
                    state.revision += 1;
                    state.added_rule = None;
                    state.forget_dangling();
                }
                None => return self,
            },
            Action::Redo => match state.redo.pop() {
                Some(next) => {
                    let current = std::mem::replace(&mut state.topology, next);
                    state.undo.push(current);
                    state.revision += 1;
                    state.added_rule = None;
                    state.forget_dangling();
                }
                None => return self,
            },
            Action::Select(selection) => state.selection = selection,
            Action::Ask(query) => {
                state.asked = Some(query.clone());
                state.query = Some(query);
                state.questions += 1;
                state.step = 0;
            }
            // The question stays in the query bar (`asked`): closing hides only its answer.
            Action::CloseExplanation => state.query = None,
            Action::ShowShareLink(link) => {
                state.share_link = Some(link);
                state.share_copied = None;
            }
            Action::ShareCopied(copied) => state.share_copied = Some(copied),
            Action::CloseShareLink => state.share_link = None,
            Action::Escape => {
                if state.share_link.is_some() {
                    state.share_link = None;
                } else if state.presenting {
                    state.presenting = false;
                } else if state.query.is_some() {
                    state.query = None;
                } else {
                    return self;
                }
            }
            Action::Step(step) => state.step = step,
            Action::Notify(notice) => state.notify(notice),
            Action::Dismiss(id) => state.notices.retain(|notice| notice.id != id),
            Action::Expire(ids) => state
                .notices
                .retain(|notice| !(notice.expires() && ids.contains(&notice.id))),
            Action::HoldNotices(held) => state.notices_held = held,
            Action::SetView(view) => state.view = view,
            Action::ToggleLargeType => state.large_type = !state.large_type,
            Action::TogglePresentation => state.presenting = !state.presenting,
            Action::PinBaseline => state.baseline = Some(state.topology.clone()),
            Action::SetBaseline(baseline) => state.baseline = Some(baseline),
            Action::Unpin => state.baseline = None,
        }
        state.drop_stale_advice();
        Rc::new(state)
    }
}

#[cfg(test)]
mod notice_tests;
#[cfg(test)]
mod tests;
