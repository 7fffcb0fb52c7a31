//! The changes of a diff, held by the ranks of their parties' ids: each pair and protocol is a
//! record of four integers pointing to the sorted ids and to what changed (the ports opened
//! and closed and the deciding decisions), which every pair of members of two joint classes
//! shares. A diff at account scale lists millions of pairs; read through [`Changes::iter`],
//! each is a [`Change`] of references, made on the way and never stored.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use super::{Change, Deciding};
use crate::model::{EndpointId, PortRange, Protocol};

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

/// What changed for a pair of joint classes on one protocol, or for one pair of their members
/// when the decisions' words name it.
#[derive(Clone, Debug)]
pub(super) struct Payload {
    /// The index of the opened and closed ports in [`Changes::ports`].
    pub(super) ports: u32,
    pub(super) before: Option<Arc<Deciding>>,
    pub(super) after: Option<Arc<Deciding>>,
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
            before: payload.before.as_deref(),
            after: payload.after.as_deref(),
        })
    }

    /// Every party compared (the endpoints of both sides and the external blocks), sorted: the
    /// ranks of [`Shared`] index it.
    pub fn ids(&self) -> &[EndpointId] {
        &self.ids
    }

    /// The changes in [`Changes::iter`]'s order, each with its parties' ranks in
    /// [`Changes::ids`] and the keys of what it shares with others ([`Shared`]).
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
                    decisions: record.payload,
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

/// A change's parties by rank, and the keys of what it shares with others
/// ([`Changes::iter_shared`]): two changes with the same `ports` have the same opened and
/// closed ports, and two with the same `decisions` the same decisions before and after (the
/// converse need not hold), so that a reader that puts ports or decisions into words does so
/// once per key rather than once per pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shared {
    /// The source's rank in [`Changes::ids`].
    pub from: u32,
    /// The target's rank in [`Changes::ids`].
    pub to: u32,
    /// The key of its opened and closed ports.
    pub ports: u32,
    /// The key of its decisions before and after.
    pub decisions: u32,
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

impl PartialEq for Changes {
    fn eq(&self, other: &Changes) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A list of [`Change`]s, as the JSON form has always written them.
impl Serialize for Changes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}
