//! The changes of a diff, held by the ranks of their parties' ids: each pair and protocol is a
//! record of four integers pointing to the sorted ids and to what changed (the ports opened
//! and closed, and the two members whose decisions represent the pair of joint classes), which
//! every pair of members of two joint classes shares. A diff at account scale lists millions
//! of pairs; read through [`Changes::iter`], each is a [`Change`] of references, made on the
//! way and never stored.
//!
//! The deciding decisions are made when read ([`Changes::decisions`], `super::decisions`), on
//! the two sides' topologies the changes keep: a report shows those of a few pairs, and a
//! diff's verdict, counts and rollup need none.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use super::decisions::{Decided, Decisions};
use super::{Change, Deciding};
use crate::model::{EndpointId, PortRange, Protocol, Topology};

/// Every pair and protocol whose allowed ports changed, sorted by source, target and protocol.
#[derive(Clone, Default)]
pub struct Changes {
    /// Every id compared (endpoints of both sides and the external blocks), sorted.
    pub(super) ids: Vec<EndpointId>,
    /// One per change, sorted by source, target and protocol.
    pub(super) records: Vec<Record>,
    /// What changed, shared by the records that point to it.
    pub(super) payloads: Vec<Payload>,
    /// The ports opened and closed, shared by the payloads that point to them.
    pub(super) ports: Vec<(Ports, Ports)>,
    /// The topologies whose decisions the changes report: each side with the external blocks
    /// as endpoints; `None` when nothing changed.
    pub(super) sides: Option<Arc<[Topology; 2]>>,
}

/// A list of ports shared by the changes of every pair of members of two joint classes.
pub(super) type Ports = Arc<[PortRange]>;

/// One change: the ranks of its source and target in [`Changes::ids`], its protocol and the
/// index of its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Record {
    pub(super) from: u32,
    pub(super) to: u32,
    pub(super) protocol: Protocol,
    pub(super) payload: u32,
}

/// What changed for a pair of joint classes on one protocol.
#[derive(Clone, Copy, Debug)]
pub(super) struct Payload {
    /// The index of the opened and closed ports in [`Changes::ports`].
    pub(super) ports: u32,
    /// The ranks of the two members whose decisions every pair of members of the two classes
    /// shares, unless their words name a party (`super::decisions`).
    pub(super) representatives: (u32, u32),
}

impl Changes {
    /// The number of pairs and protocols changed.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The changes, sorted by source, target and protocol.
    pub fn iter(&self) -> ChangesIter<'_> {
        ChangesIter {
            changes: self,
            records: self.records.iter(),
        }
    }

    /// The change at `index` in [`Changes::iter`]'s order.
    pub fn get(&self, index: usize) -> Option<Change<'_>> {
        self.change(self.records.get(index)?)
    }

    /// The change of a record.
    fn change(&self, record: &Record) -> Option<Change<'_>> {
        let payload = self.payloads.get(record.payload as usize)?;
        let (opened, closed) = self.ports.get(payload.ports as usize)?;
        Some(Change {
            from: self.ids.get(record.from as usize)?,
            to: self.ids.get(record.to as usize)?,
            protocol: record.protocol,
            opened,
            closed,
            record: *record,
        })
    }

    /// A reader of the changes' deciding decisions before and after, which makes each when
    /// first asked (the cost of one explanation of the pair) and shares it with the pairs of
    /// members of the same two joint classes whose decisions read the same.
    pub fn decisions(&self) -> Decisions<'_> {
        Decisions::new(self)
    }

    /// The changes in [`Changes::iter`]'s order, each with its deciding decisions before and
    /// after (made on the way, [`Changes::decisions`]).
    pub fn iter_decided(&self) -> impl Iterator<Item = (Change<'_>, Decided)> + '_ {
        let mut decisions = self.decisions();
        self.iter().map(move |change| {
            let decided = decisions.of(&change);
            (change, decided)
        })
    }

    /// The payload of a record.
    pub(super) fn payload(&self, index: u32) -> Option<&Payload> {
        self.payloads.get(index as usize)
    }

    /// The two sides' topologies, with the external blocks.
    pub(super) fn sides(&self) -> Option<&[Topology; 2]> {
        self.sides.as_deref()
    }

    /// Every party compared (the endpoints of both sides and the external blocks), sorted: the
    /// ranks of [`Shared`] index it.
    pub fn ids(&self) -> &[EndpointId] {
        &self.ids
    }

    /// The changes in [`Changes::iter`]'s order, each with its parties' ranks in
    /// [`Changes::ids`] and the key of the ports it shares with others ([`Shared`]).
    pub fn iter_shared(&self) -> impl Iterator<Item = (Change<'_>, Shared)> + '_ {
        self.records.iter().filter_map(|record| {
            let change = self.change(record)?;
            let ports = self.payloads.get(record.payload as usize)?.ports;
            Some((
                change,
                Shared {
                    from: record.from,
                    to: record.to,
                    ports,
                },
            ))
        })
    }

    /// The ports opened and closed at `index` (a payload's or a pair of joint classes').
    pub(super) fn ports_at(&self, index: u32) -> Option<(&[PortRange], &[PortRange])> {
        let (opened, closed) = self.ports.get(index as usize)?;
        Some((opened, closed))
    }

    /// The id of a rank.
    pub(super) fn id(&self, rank: u32) -> Option<&EndpointId> {
        self.ids.get(rank as usize)
    }

    /// How many ids the ranks number.
    pub(super) fn id_count(&self) -> usize {
        self.ids.len()
    }
}

/// A change's parties by rank, and the key of the ports it shares with others
/// ([`Changes::iter_shared`]): two changes with the same `ports` have the same opened and
/// closed ports (the converse need not hold), so that a reader that puts ports into words does
/// so once per key rather than once per pair. (Decisions shared by several pairs are the same
/// `Arc` in [`Decided`].)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shared {
    /// The source's rank in [`Changes::ids`].
    pub from: u32,
    /// The target's rank in [`Changes::ids`].
    pub to: u32,
    /// The key of its opened and closed ports.
    pub ports: u32,
}

/// The changes of [`Changes::iter`], in order.
#[derive(Clone)]
pub struct ChangesIter<'d> {
    changes: &'d Changes,
    records: std::slice::Iter<'d, Record>,
}

impl<'d> Iterator for ChangesIter<'d> {
    type Item = Change<'d>;

    fn next(&mut self) -> Option<Change<'d>> {
        // Every record points to a payload and ports of its own listing.
        self.records
            .by_ref()
            .find_map(|record| self.changes.change(record))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // Every record points to a payload and ports of its own listing, so each gives one
        // change.
        (self.records.len(), Some(self.records.len()))
    }
}

impl ExactSizeIterator for ChangesIter<'_> {}

impl DoubleEndedIterator for ChangesIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        while let Some(record) = self.records.next_back() {
            if let Some(change) = self.changes.change(record) {
                return Some(change);
            }
        }
        None
    }
}

impl<'d> IntoIterator for &'d Changes {
    type Item = Change<'d>;
    type IntoIter = ChangesIter<'d>;

    fn into_iter(self) -> ChangesIter<'d> {
        self.iter()
    }
}

/// Two lists of changes are equal when their changes are, with their decisions.
impl PartialEq for Changes {
    fn eq(&self, other: &Changes) -> bool {
        self.len() == other.len() && self.iter_decided().eq(other.iter_decided())
    }
}

impl fmt::Debug for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (change, decided) in self.iter_decided() {
            list.entry(&Written::of(&change, &decided));
        }
        list.finish()
    }
}

/// One change as the JSON form writes it: its pair, protocol and ports, and its decisions.
#[derive(Debug, Serialize)]
struct Written<'a> {
    from: &'a EndpointId,
    to: &'a EndpointId,
    protocol: Protocol,
    opened: &'a [PortRange],
    closed: &'a [PortRange],
    before: Option<&'a Deciding>,
    after: Option<&'a Deciding>,
}

impl<'a> Written<'a> {
    fn of(change: &Change<'a>, decided: &'a Decided) -> Written<'a> {
        Written {
            from: change.from,
            to: change.to,
            protocol: change.protocol,
            opened: change.opened,
            closed: change.closed,
            before: decided.before.as_deref(),
            after: decided.after.as_deref(),
        }
    }
}

/// A list of changes with their decisions, as the JSON form has always written them.
impl Serialize for Changes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for (change, decided) in self.iter_decided() {
            seq.serialize_element(&Written::of(&change, &decided))?;
        }
        seq.end()
    }
}
