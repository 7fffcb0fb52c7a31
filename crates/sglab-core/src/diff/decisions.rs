//! The deciding decisions of a diff's changes, made when read: [`Decisions`] explains a changed
//! pair on each side of the change the first time it is asked, on the topologies the changes
//! keep, and shares what it found with the other pairs of members of the same two joint
//! classes.
//!
//! Every pair of members of two joint classes has the same cells on each side, and the same
//! rules decide them, so the decisions of one pair of members (the representatives) hold for
//! all, except for words that name a party: a side that does not apply to an endpoint outside
//! every VPC names it, and the platform's reasons may name either party. Those are made for
//! each party they name (once per source, once per target, or once per pair).

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::changes::Changes;
use super::decide::Decider;
use super::{Change, Deciding};
use crate::explain::Decision;
use crate::model::{EndpointId, Protocol, Topology};

/// The deciding decisions of one change, before and after.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Decided {
    /// The deciding decisions before the change; `None` when an endpoint is absent before.
    /// Pairs whose decisions read the same share one `Arc`.
    pub before: Option<Arc<Deciding>>,
    /// The deciding decisions after the change; `None` when an endpoint is absent after.
    pub after: Option<Arc<Deciding>>,
}

/// The reader of a diff's decisions ([`Changes::decisions`]): it keeps what it has decided, so
/// that reading the decisions of every change costs one explanation per pair of joint classes
/// and protocol and side (more when the words name a party), and reading a few costs a few.
pub struct Decisions<'d> {
    changes: &'d Changes,
    /// One per side: the decider, and the index of each rank's party in the side's topology.
    sides: Vec<(Decider<'d>, Vec<Option<u32>>)>,
    /// The representatives' decisions of each payload and side, once made.
    shared: FxHashMap<(u32, usize), Option<Arc<Deciding>>>,
    /// The decisions made for the party their words name: by payload, side and party's rank.
    by_party: FxHashMap<(u32, usize, u32), Option<Arc<Deciding>>>,
}

impl<'d> Decisions<'d> {
    /// A reader of the decisions of `changes`.
    pub(super) fn new(changes: &'d Changes) -> Decisions<'d> {
        let sides = changes
            .sides()
            .map(|sides| {
                sides
                    .iter()
                    .map(|topology| (Decider::new(topology), indices(changes.ids(), topology)))
                    .collect()
            })
            .unwrap_or_default();
        Decisions {
            changes,
            sides,
            shared: FxHashMap::default(),
            by_party: FxHashMap::default(),
        }
    }

    /// The deciding decisions of `change` (one of the reader's changes) before and after.
    pub fn of(&mut self, change: &Change<'d>) -> Decided {
        let record = change.record;
        let Some(payload) = self.changes.payload(record.payload).copied() else {
            return Decided::default();
        };
        let port = change
            .opened
            .first()
            .or(change.closed.first())
            .filter(|_| change.protocol.has_ports())
            .map(|range| range.start());
        let pair = (record.from, record.to);
        let query = Query {
            payload: record.payload,
            representatives: payload.representatives,
            protocol: record.protocol,
            port,
        };
        Decided {
            before: self.side(0, &query, pair),
            after: self.side(1, &query, pair),
        }
    }

    /// The decisions of the pair of ranks `pair` on side `side` (0 before, 1 after).
    fn side(&mut self, side: usize, query: &Query, pair: (u32, u32)) -> Option<Arc<Deciding>> {
        let key = (query.payload, side);
        let shared = match self.shared.get(&key) {
            Some(known) => known.clone(),
            None => {
                let decided = self.decide(side, query, query.representatives);
                self.shared.insert(key, decided.clone());
                decided
            }
        };
        let named = named(shared.as_deref());
        if named == Named::Nobody || pair == query.representatives {
            return shared;
        }
        let party = match named {
            Named::Nobody => return shared,
            Named::Source => Some(pair.0),
            Named::Target => Some(pair.1),
            Named::Both => None,
        };
        let Some(party) = party else {
            return self.decide(side, query, pair);
        };
        let key = (query.payload, side, party);
        if let Some(known) = self.by_party.get(&key) {
            return known.clone();
        }
        let decided = self.decide(side, query, pair);
        self.by_party.insert(key, decided.clone());
        decided
    }

    /// Explains the pair of ranks `(from, to)` on side `side`; `None` when either party is
    /// absent there.
    fn decide(
        &mut self,
        side: usize,
        query: &Query,
        (from, to): (u32, u32),
    ) -> Option<Arc<Deciding>> {
        let (decider, index) = self.sides.get_mut(side)?;
        let from = (*index.get(from as usize)?)?;
        let to = (*index.get(to as usize)?)?;
        decider
            .deciding(from as usize, to as usize, query.protocol, query.port)
            .map(Arc::new)
    }
}

/// What one change asks of a side.
struct Query {
    payload: u32,
    representatives: (u32, u32),
    protocol: Protocol,
    port: Option<u16>,
}

/// The index in `topology` (in id order, as its matrix and its decider number them) of each id
/// of the sorted `ids`, when it has that endpoint.
fn indices(ids: &[EndpointId], topology: &Topology) -> Vec<Option<u32>> {
    let mut known = topology.endpoints.keys().enumerate().peekable();
    ids.iter()
        .map(|id| {
            while known.next_if(|(_, other)| *other < id).is_some() {}
            known
                .next_if(|(_, other)| *other == id)
                .map(|(index, _)| index as u32)
        })
        .collect()
}

/// Which party a side's deciding decisions name in their words, so that they hold for the pairs
/// that share that party only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Named {
    /// Rules, defaults and the intra-group policy read the same for every member of a class.
    Nobody,
    /// Only the egress side does not apply, in words that name the source ("... is outside
    /// every VPC"); the ingress decision holds for every member of the target's class.
    Source,
    /// Only the ingress side does not apply, in words that name the target.
    Target,
    /// The platform's reasons, which may name either party or both.
    Both,
}

/// Which party the words of `deciding` name.
fn named(deciding: Option<&Deciding>) -> Named {
    let Some(deciding) = deciding else {
        return Named::Nobody;
    };
    let names = |decision: &Decision| {
        matches!(
            decision,
            Decision::Platform { .. } | Decision::NotApplicable { .. }
        )
    };
    let not_applicable = |decision: &Decision| matches!(decision, Decision::NotApplicable { .. });
    match (names(&deciding.egress), names(&deciding.ingress)) {
        (false, false) => Named::Nobody,
        (true, false) if not_applicable(&deciding.egress) => Named::Source,
        (false, true) if not_applicable(&deciding.ingress) => Named::Target,
        _ => Named::Both,
    }
}
