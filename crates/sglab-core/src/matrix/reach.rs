//! Which parties of a part (`super::subset`: the endpoints and a diff's external blocks) a
//! changed row or column can differ towards.
//!
//! When an endpoint's row (or column) changes only because some egress (or ingress) rules of
//! its groups changed, its cell with a party whose own column (row) is clean can differ only
//! if one of those rules, before or after, matches the party; the caller works out which
//! parties those are. A part then evaluates a changed row only towards the parties it
//! reaches, and a diff compares only those cells: a rule opened to `0.0.0.0/0` on one group
//! reaches every IPv4 party from that group's members, a rule of an office `/24` on another
//! group only that block, a rule naming a group only that group's members.

use rustc_hash::FxHashMap;

use crate::model::EndpointId;

/// The parties a part's changed rows and columns can differ towards.
#[derive(Debug, Default)]
pub(crate) struct Reach {
    /// The index of each party, by id; an endpoint of the part absent is no party, and is
    /// reached by every row and column.
    pub(crate) parties: FxHashMap<EndpointId, u32>,
    /// Per endpoint whose row or column changes by its groups' rules alone: the parties its
    /// row (0), and its column (1), may differ towards, one bit per party index. An endpoint
    /// absent, or a side `None`, may differ towards every party.
    pub(crate) sides: FxHashMap<EndpointId, [Option<Vec<u64>>; 2]>,
}

impl Reach {
    /// The parties that the row (`side` 0) or the column (1) of some of `members` may differ
    /// towards: the union of theirs, `None` for every party.
    pub(crate) fn side_of<'a>(
        &self,
        members: impl IntoIterator<Item = &'a EndpointId>,
        side: usize,
    ) -> Option<Vec<u64>> {
        let mut union: Vec<u64> = Vec::new();
        for member in members {
            let bits = self.sides.get(member)?[side].as_ref()?;
            if union.len() < bits.len() {
                union.resize(bits.len(), 0);
            }
            for (word, more) in union.iter_mut().zip(bits) {
                *word |= more;
            }
        }
        Some(union)
    }

    /// The party indices of `members` when every one is a party, else `None`.
    pub(crate) fn parties_of<'a>(
        &self,
        members: impl IntoIterator<Item = &'a EndpointId>,
    ) -> Option<Vec<u32>> {
        members
            .into_iter()
            .map(|member| self.parties.get(member).copied())
            .collect()
    }

    /// Whether a row or column reaching `bits` (`None`: every party) may differ towards some
    /// of `parties` (`None`: not parties only, so always).
    pub(crate) fn reaches(bits: Option<&[u64]>, parties: Option<&[u32]>) -> bool {
        match (bits, parties) {
            (Some(bits), Some(parties)) => parties.iter().any(|party| {
                bits.get(*party as usize / 64)
                    .is_some_and(|word| word >> (party % 64) & 1 == 1)
            }),
            _ => true,
        }
    }
}

/// The reach of each class of a build (or each joint class of a diff), from a [`Reach`] read
/// on its members.
pub(crate) struct ClassReach {
    /// Per class and side, the classes its members' rows and columns may differ towards, one
    /// bit per class (`None`: every class; read only for the classes whose side changed).
    sides: Vec<[Option<Vec<u64>>; 2]>,
}

impl ClassReach {
    /// The reach of `count` classes whose members' ids `members(class)` gives; `changed(class,
    /// side)` tells which sides are read. A class reaches another when it reaches one of its
    /// members, or when one of them is not a party.
    pub(crate) fn of<'a, I: Iterator<Item = &'a EndpointId>>(
        reach: &Reach,
        count: usize,
        members: impl Fn(usize) -> I,
        changed: impl Fn(usize, usize) -> bool,
    ) -> ClassReach {
        let parties: Vec<Option<Vec<u32>>> = (0..count)
            .map(|class| reach.parties_of(members(class)))
            .collect();
        let classes = |bits: &[u64]| -> Vec<u64> {
            let mut reached = vec![0u64; count.div_ceil(64)];
            for (class, parties) in parties.iter().enumerate() {
                if Reach::reaches(Some(bits), parties.as_deref()) {
                    reached[class / 64] |= 1 << (class % 64);
                }
            }
            reached
        };
        let sides = (0..count)
            .map(|class| {
                [0, 1].map(|side| {
                    let bits = changed(class, side)
                        .then(|| reach.side_of(members(class), side))
                        .flatten()?;
                    Some(classes(&bits))
                })
            })
            .collect();
        ClassReach { sides }
    }

    /// Whether the pair (`from`, `to`) of classes may differ through the row of `from`
    /// (`side` 0) or the column of `to` (1), as far as the reach tells.
    pub(crate) fn reaches(&self, from: usize, to: usize, side: usize) -> bool {
        let (changed, other) = if side == 0 { (from, to) } else { (to, from) };
        self.sides[changed][side].as_ref().is_none_or(|bits| {
            bits.get(other / 64)
                .is_some_and(|word| word >> (other % 64) & 1 == 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> EndpointId {
        EndpointId(name.to_owned())
    }

    /// A row reaching parties 0 and 65 meets those, not party 1; a member with no entry, or
    /// a side without bits, reaches every party; a class with a member that is no party is
    /// always met.
    #[test]
    fn a_reach_meets_only_the_parties_its_bits_name() {
        let mut reach = Reach::default();
        for (index, name) in ["p0", "p1", "p65"].into_iter().enumerate() {
            let index = [0, 1, 65][index];
            reach.parties.insert(id(name), index);
        }
        let mut bits = vec![0u64; 2];
        bits[0] |= 1;
        bits[1] |= 1 << 1;
        reach.sides.insert(id("a"), [Some(bits), None]);
        reach.sides.insert(id("b"), [Some(vec![1 << 1]), None]);
        let row = reach.side_of([&id("a")], 0);
        let row = row.as_deref();
        assert!(Reach::reaches(row, Some(&[0])));
        assert!(Reach::reaches(row, Some(&[65])));
        assert!(!Reach::reaches(row, Some(&[1])));
        assert!(Reach::reaches(row, None));
        let both = reach.side_of([&id("a"), &id("b")], 0);
        assert!(Reach::reaches(both.as_deref(), Some(&[1])));
        assert_eq!(reach.side_of([&id("a")], 1), None);
        assert_eq!(reach.side_of([&id("a"), &id("absent")], 0), None);
        assert_eq!(reach.parties_of([&id("p1"), &id("p65")]), Some(vec![1, 65]));
        assert_eq!(reach.parties_of([&id("p1"), &id("a")]), None);

        let endpoints = [id("a"), id("p0"), id("p1")];
        let classes = ClassReach::of(
            &reach,
            3,
            |class| std::iter::once(&endpoints[class]),
            |class, side| class == 0 && side == 0,
        );
        assert!(classes.reaches(0, 1, 0));
        assert!(!classes.reaches(0, 2, 0));
        // The column of class 0 is not read: every party.
        assert!(classes.reaches(2, 0, 1));
    }
}
