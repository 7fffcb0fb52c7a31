//! The vocabulary every layer of the app shares: pointer-compared [`Shared`] values, what is
//! selected, the open question, the centre view, notices and where a topology came from. Plain
//! data with no behaviour beyond constructors; every other module of the app may import it, and
//! it imports none of them.

use std::rc::Rc;

use sglab_core::diagnostic::Diagnostic;
use sglab_core::edit::{EditError, ObjectId};
use sglab_core::fix::FixError;
use sglab_core::model::{
    ClusterId, EndpointId, GatewayId, GroupId, PrefixListId, Protocol, Topology, VpcId,
};

/// An `Rc` compared by pointer: cheap `PartialEq` for props and memo dependencies over large
/// values that are never mutated in place.
#[derive(Debug, Default)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Shared<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Shared(Rc::new(value))
    }
}

/// What the left panel's inspector shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Selection {
    /// Nothing.
    #[default]
    None,
    /// The topology itself (its name).
    Topology,
    /// A VPC.
    Vpc(VpcId),
    /// A security group.
    Group(GroupId),
    /// An endpoint.
    Endpoint(EndpointId),
    /// A cluster.
    Cluster(ClusterId),
    /// A gateway.
    Gateway(GatewayId),
    /// A prefix list.
    PrefixList(PrefixListId),
}

impl From<ObjectId> for Selection {
    fn from(object: ObjectId) -> Selection {
        match object {
            ObjectId::Vpc(id) => Selection::Vpc(id),
            ObjectId::Group(id) => Selection::Group(id),
            ObjectId::Endpoint(id) => Selection::Endpoint(id),
            ObjectId::Cluster(id) => Selection::Cluster(id),
            ObjectId::Gateway(id) => Selection::Gateway(id),
            ObjectId::PrefixList(id) => Selection::PrefixList(id),
        }
    }
}

/// "Can `from` reach `to` on `protocol`/`port`?"
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The source endpoint.
    pub from: EndpointId,
    /// The target endpoint.
    pub to: EndpointId,
    /// The protocol.
    pub protocol: Protocol,
    /// The port, for TCP and UDP.
    pub port: Option<u16>,
}

/// The centre view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// The diagram.
    #[default]
    Diagram,
    /// The reachability matrix.
    Matrix,
    /// The lint findings.
    Lint,
}

/// How loud a notice is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Something happened as asked.
    Info,
    /// Loaded, with corrections.
    Warning,
    /// Refused; nothing changed.
    Error,
}

/// A message shown above the workspace until dismissed.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// Unique within the session, for dismissal.
    pub id: u64,
    /// Info, warning, error.
    pub level: Level,
    /// One sentence.
    pub title: String,
    /// Lines of detail, such as diagnostics with their location.
    pub details: Vec<String>,
    /// Data the user may want to keep, offered as a download: (file name, contents).
    pub download: Option<(String, String)>,
    /// Work the notice offers to bring back with one click (undoable), such as the topology a
    /// share link opened over.
    pub restore: Option<Shared<Topology>>,
    /// For advice, the condition under which it still applies: the notice goes once it no
    /// longer does.
    pub advice: Option<Advice>,
}

/// Advice a notice gives, which applies only while the topology lacks what it advises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advice {
    /// Add a VPC: applies while the topology has none.
    AddVpc,
}

impl Advice {
    /// Whether the advice still applies to `topology`.
    pub fn applies(self, topology: &sglab_core::model::Topology) -> bool {
        match self {
            Advice::AddVpc => topology.vpcs.is_empty(),
        }
    }
}

impl Notice {
    /// A notice without details.
    pub fn new(level: Level, title: impl Into<String>) -> Notice {
        Notice {
            id: 0,
            level,
            title: title.into(),
            details: Vec::new(),
            download: None,
            restore: None,
            advice: None,
        }
    }

    /// A notice listing diagnostics, each with its location.
    pub fn with_diagnostics(
        level: Level,
        title: impl Into<String>,
        diagnostics: &[Diagnostic],
    ) -> Notice {
        Notice {
            details: diagnostics.iter().map(ToString::to_string).collect(),
            ..Notice::new(level, title)
        }
    }

    /// The notice of a refused edit: its reason, or for an edit that would make the topology
    /// invalid, the errors it would bring as details.
    pub fn refused(error: &EditError) -> Notice {
        match error {
            EditError::Invalid { errors } => Notice {
                details: errors.clone(),
                ..Notice::new(
                    Level::Error,
                    "The change was not made: it would make the topology invalid",
                )
            },
            other => Notice::new(Level::Error, other.to_string()),
        }
    }

    /// The notice of a refused fix: as for [`Notice::refused`], in the fix's words where it
    /// has its own.
    pub fn fix_refused(error: EditError) -> Notice {
        match FixError::from(error) {
            FixError::Edit(error) => Notice::refused(&error),
            other => Notice::new(Level::Error, other.to_string()),
        }
    }

    /// Ties the notice to advice: it goes once the advice no longer applies.
    pub fn advising(mut self, advice: Advice) -> Notice {
        self.advice = Some(advice);
        self
    }

    /// Whether the notice goes by itself after a few seconds: information that is not advice
    /// and offers nothing to keep (a download or a restore stays until dismissed).
    pub fn expires(&self) -> bool {
        self.level == Level::Info
            && self.advice.is_none()
            && self.download.is_none()
            && self.restore.is_none()
    }

    /// Adds a download.
    pub fn downloadable(mut self, file_name: &str, contents: String) -> Notice {
        self.download = Some((file_name.to_owned(), contents));
        self
    }
}

/// Where a loaded topology came from (for the notice and for undo).
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A built-in example, by id.
    Example(String),
    /// Files opened, dropped or pasted.
    Files(Vec<String>),
    /// A share link.
    Link,
    /// The autosave of an earlier visit.
    Autosave,
    /// `window.sglab.load`.
    Script,
    /// The New button: an empty topology.
    New,
    /// The work a share link opened over, brought back from its notice.
    Restored,
}
