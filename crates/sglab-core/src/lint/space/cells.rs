//! The cells of one side: its peers cut into cells that no rule tells apart, and each protocol
//! atom's ports walked over them in windows.

use crate::model::{Direction, Protocol};

use super::bits::{and_into, common_in, has_bit, set_bit};
use super::index::{Index, Members, PeerRef};
use super::side::Work;
use super::Interval;

impl Work {
    /// The distinct signatures of the side's peer cells: address intervals, members and
    /// networks, for every protocol at once (a protocol masks them with its rules).
    pub(super) fn peer_cells(
        &mut self,
        index: &Index<'_>,
        hosts: &[u32],
        members: &Members,
        direction: Direction,
    ) {
        let width = self.width;
        for &group in &self.named_groups {
            self.group_slots[group as usize] = u32::MAX;
        }
        self.named_groups.clear();
        self.group_slots.resize(index.groups.len(), u32::MAX);
        self.group_signatures.clear();
        for (at, entry) in self.pooled.iter().enumerate() {
            if let PeerRef::Group(group) = index.peers[entry.number as usize] {
                if self.group_slots[group as usize] == u32::MAX {
                    self.group_slots[group as usize] = self.group_signatures.len() as u32;
                    self.group_signatures
                        .resize(self.group_signatures.len() + width, 0);
                    self.named_groups.push(group);
                }
                let offset = self.group_slots[group as usize] as usize;
                set_bit(&mut self.group_signatures[offset..offset + width], at);
            }
        }
        // Address intervals: the groups' address events merged by rank.
        let side = usize::from(direction == Direction::Egress);
        self.cursors.clear();
        self.cursors.resize(self.class_groups.len(), 0);
        self.intervals.clear();
        self.interval_ranks.clear();
        self.interval_signatures.clear();
        let mut current = std::mem::take(&mut self.current);
        current.clear();
        current.resize(width, 0);
        let mut start = 0u32;
        loop {
            let mut rank = u32::MAX;
            for (group, class_group) in self.class_groups.iter().enumerate() {
                if let Some(&event) = index.sweeps[class_group.order as usize][side]
                    .events
                    .get(self.cursors[group])
                {
                    rank = rank.min((event >> 32) as u32);
                }
            }
            // Each family starts afresh: blocks that reach the end of IPv4 close there.
            let family_break = start < index.first_v6 && index.first_v6 <= rank;
            let rank = if family_break { index.first_v6 } else { rank };
            if rank == u32::MAX {
                break;
            }
            if rank > start {
                self.interval_ranks.push(start);
                self.interval_signatures.extend_from_slice(&current);
            }
            if family_break {
                current.iter_mut().for_each(|word| *word = 0);
            }
            for (group, class_group) in self.class_groups.iter().enumerate() {
                let sweep = &index.sweeps[class_group.order as usize][side];
                while let Some(&event) = sweep.events.get(self.cursors[group]) {
                    if (event >> 32) as u32 != rank {
                        break;
                    }
                    let slot = (event as u32) >> 1;
                    let opens = event & 1 == 1;
                    for &rule in &sweep.rules_of_slot[slot as usize] {
                        let position =
                            self.positions[class_group.positions + rule as usize] as usize;
                        if opens {
                            current[position / 64] |= 1 << (position % 64);
                        } else {
                            current[position / 64] &= !(1 << (position % 64));
                        }
                    }
                    self.cursors[group] += 1;
                }
            }
            start = rank;
        }
        self.interval_ranks.push(start);
        self.interval_signatures.extend_from_slice(&current);
        self.current = current;
        for (at, &rank) in self.interval_ranks.iter().enumerate() {
            let next = self.interval_ranks.get(at + 1).copied();
            self.intervals.push(index.interval(rank, next));
        }

        // Members of the referenced groups, by rank.
        self.seen.clear();
        self.seen.resize(members.members.len().div_ceil(64), 0);
        for &group in &self.named_groups {
            for &member in members.by_group.get(&group).map_or(&[][..], Vec::as_slice) {
                set_bit(&mut self.seen, member as usize);
            }
        }
        self.relevant.clear();
        for (word, &bits) in self.seen.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                self.relevant
                    .push((word * 64) as u32 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        self.relevant_interval.clear();
        self.relevant_kinds.clear();
        self.relevant_signatures.clear();
        self.shared_seen.clear();
        let mut interval = 0;
        for &member in &self.relevant {
            let member = &members.members[member as usize];
            while self
                .interval_ranks
                .get(interval + 1)
                .is_some_and(|&rank| rank <= member.rank)
            {
                interval += 1;
            }
            self.relevant_interval.push(interval as u32);
            let offset = self.relevant_signatures.len();
            self.relevant_signatures.extend_from_slice(
                &self.interval_signatures[interval * width..(interval + 1) * width],
            );
            // The named groups of the member, as a set of their slots (while it fits a word):
            // members with the same interval and the same named groups are the same cell.
            let mut named = 0u64;
            for &group in &member.groups {
                let slot = self.group_slots[group as usize];
                if slot != u32::MAX {
                    let slot = slot as usize;
                    for word in 0..width {
                        self.relevant_signatures[offset + word] |=
                            self.group_signatures[slot + word];
                    }
                    named |= 1u64.checked_shl((slot / width) as u32).unwrap_or(0);
                    if slot / width >= 64 {
                        named = u64::MAX;
                    }
                }
            }
            self.relevant_kinds.push(named);
            if member.shared {
                *self.shared_seen.entry(member.point).or_default() += 1;
            }
        }
        // An address is a candidate to belong to members alone when nothing presents it
        // without a group identity and every member using it is named by some group rule; an
        // interval all of whose addresses are candidates is "fragile": a protocol leaves it out
        // of the address cells when its group rules name every member in it.
        self.candidates.clear();
        self.candidates.resize(self.intervals.len(), 0);
        self.counted.clear();
        for (at, &member) in self.relevant.iter().enumerate() {
            let member = &members.members[member as usize];
            if member.anonymous {
                continue;
            }
            if member.shared {
                let point = member.point;
                let users = members.shared_by.get(&point);
                if self.shared_seen.get(&point) != users || !self.counted.insert(point) {
                    continue;
                }
            }
            self.candidates[self.relevant_interval[at] as usize] += 1;
        }
        let is_fragile = |interval: &Interval, candidates: u32| {
            candidates > 0 && u128::from(candidates - 1) == interval.end - interval.start
        };
        self.fragile.clear();
        for (at, &interval) in self.relevant_interval.iter().enumerate() {
            let interval = interval as usize;
            if is_fragile(&self.intervals[interval], self.candidates[interval]) {
                self.fragile.push(((interval as u64) << 32) | at as u64);
            }
        }
        self.fragile.sort_unstable();

        let mut cells = std::mem::take(&mut self.side_cells);
        cells.clear(width);
        for (at, interval) in self.intervals.iter().enumerate() {
            if !is_fragile(interval, self.candidates[at]) {
                cells.add(
                    &self.interval_signatures[at * width..(at + 1) * width],
                    &self.full_everywhere,
                    &self.undecided,
                    true,
                );
            }
        }
        // External networks: matched by the rules with a block containing all of them.
        self.network_signatures.clear();
        self.network_signatures.resize(index.networks * width, 0);
        for (at, entry) in self.pooled.iter().enumerate() {
            if let PeerRef::Blocks(set) = index.peers[entry.number as usize] {
                for &network in &index.block_sets[set as usize].networks {
                    set_bit(&mut self.network_signatures[network as usize * width..], at);
                }
            }
        }
        for network in 0..index.networks {
            cells.add(
                &self.network_signatures[network * width..(network + 1) * width],
                &self.full_everywhere,
                &self.undecided,
                true,
            );
        }
        // A member on the node of every ENI of the class never reaches the class through a
        // filter. A member whose groups a protocol's rules do not name is no cell of its own
        // for that protocol (its address is an address cell's), but its rules there are that
        // address cell's, so keeping it changes nothing.
        self.member_kinds.clear();
        for (at, &member) in self.relevant.iter().enumerate() {
            let host = members.members[member as usize].host;
            let kind = (self.relevant_interval[at], self.relevant_kinds[at]);
            if hosts.iter().any(|&other| other != host)
                && (kind.1 == u64::MAX || self.member_kinds.insert(kind))
            {
                cells.add(
                    &self.relevant_signatures[at * width..(at + 1) * width],
                    &self.full_everywhere,
                    &self.undecided,
                    false,
                );
            }
        }
        self.side_cells = cells;
    }

    /// Walks the ports and peer cells of one protocol.
    pub(super) fn analyse_atom(
        &mut self,
        index: &Index<'_>,
        direction: Direction,
        atom_at: usize,
        atom: Protocol,
    ) {
        let width = self.width;
        let protocol = atom_at * width..(atom_at + 1) * width;
        self.port_windows(index, direction, protocol.clone(), atom);
        let mut cell = std::mem::take(&mut self.cell);
        cell.clear();
        cell.resize(width, 0);
        // The protocol's distinct cells, by head.
        let mut cells = std::mem::take(&mut self.atom_cells);
        cells.clear(width);
        for at in 0..self.side_cells.len() {
            // Members whose groups no rule of the protocol names are, for the protocol, their
            // addresses' cells, which are there already.
            let members_only = !self.side_cells.tracks[at];
            if and_into(
                &mut cell,
                self.side_cells.tail(at),
                &self.protocols[protocol.clone()],
            ) && (!members_only || common_in(&cell, &self.group_peers, 0, width * 64))
            {
                cells.add(
                    &cell,
                    &self.full,
                    &self.undecided,
                    self.side_cells.tracks[at] && atom.has_ports(),
                );
            }
        }
        let mut fragile = 0;
        while fragile < self.fragile.len() {
            let interval = self.fragile[fragile] >> 32;
            let mut end = fragile;
            let mut excluded = true;
            while end < self.fragile.len() && self.fragile[end] >> 32 == interval {
                let member = (self.fragile[end] as u32) as usize;
                let signature = &self.relevant_signatures[member * width..(member + 1) * width];
                and_into(&mut cell, signature, &self.group_peers);
                if !common_in(&cell, &self.protocols[protocol.clone()], 0, width * 64) {
                    excluded = false;
                }
                end += 1;
            }
            fragile = end;
            let interval = interval as usize;
            if !excluded
                && and_into(
                    &mut cell,
                    &self.interval_signatures[interval * width..(interval + 1) * width],
                    &self.protocols[protocol.clone()],
                )
            {
                cells.add(&cell, &self.full, &self.undecided, atom.has_ports());
            }
        }
        self.cell = cell;
        for at in 0..cells.len() {
            self.walk(cells.head(at), cells.tail(at), cells.tracks[at]);
        }
        self.atom_cells = cells;
    }

    /// The elementary port windows of the protocol that some rule covers, with the rules
    /// covering each, the rules covering it or an earlier one, the rules covering it or a
    /// later one, and the rules that match all of a cell on every port.
    pub(super) fn port_windows(
        &mut self,
        index: &Index<'_>,
        direction: Direction,
        protocol: std::ops::Range<usize>,
        atom: Protocol,
    ) {
        let width = self.width;
        self.windows.clear();
        self.window_cover.clear();
        self.rule_windows.clear();
        self.rule_windows.resize(self.pooled.len(), (0, 0));
        if !atom.has_ports() {
            // Every rule of a protocol without ports covers the one window.
            self.windows.push((1, 65535));
            self.window_cover
                .extend_from_slice(&self.protocols[protocol.clone()]);
            for rows in [&mut self.started_by, &mut self.ends_from] {
                rows.clear();
                rows.extend_from_slice(&self.protocols[protocol.clone()]);
            }
            and_into(&mut self.full, &self.whole, &self.protocols[protocol]);
            return;
        }
        // The groups' port events, merged by port.
        let side = usize::from(direction == Direction::Egress);
        let ports = usize::from(atom == Protocol::Udp);
        self.port_events.clear();
        self.cursors.clear();
        self.cursors.resize(self.class_groups.len(), 0);
        loop {
            let mut next: Option<(usize, u64)> = None;
            for (group, class_group) in self.class_groups.iter().enumerate() {
                let events = &index.sweeps[class_group.order as usize][side].ports[ports];
                if let Some(&event) = events.get(self.cursors[group]) {
                    if next.is_none_or(|(_, other)| event >> 32 < other >> 32) {
                        next = Some((group, event));
                    }
                }
            }
            let Some((group, event)) = next else {
                break;
            };
            self.cursors[group] += 1;
            let position =
                self.positions[self.class_groups[group].positions + ((event as u32) >> 1) as usize];
            self.port_events
                .push(event >> 32 << 32 | u64::from(position) << 1 | event & 1);
        }
        self.cover.iter_mut().for_each(|word| *word = 0);
        let mut start = 1u32;
        let mut next_event = 0;
        while next_event < self.port_events.len() {
            let point = (self.port_events[next_event] >> 32) as u32;
            if point > start && self.cover.iter().any(|&word| word != 0) {
                self.windows.push((
                    u16::try_from(start).unwrap_or(u16::MAX),
                    u16::try_from(point - 1).unwrap_or(u16::MAX),
                ));
                self.window_cover.extend_from_slice(&self.cover);
            }
            while let Some(&event) = self.port_events.get(next_event) {
                if (event >> 32) as u32 != point {
                    break;
                }
                let rule = ((event as u32) >> 1) as usize;
                let opens = event & 1 == 1;
                if opens {
                    self.cover[rule / 64] |= 1 << (rule % 64);
                    self.rule_windows[rule].0 = self.windows.len() as u32;
                } else {
                    self.cover[rule / 64] &= !(1 << (rule % 64));
                    self.rule_windows[rule].1 = self.windows.len() as u32 - 1;
                }
                next_event += 1;
            }
            start = point;
        }
        let windows = self.windows.len();
        for rows in [&mut self.started_by, &mut self.ends_from] {
            rows.clear();
            rows.resize(windows * width, 0);
        }
        for (rule, &(first, last)) in self.rule_windows.iter().enumerate() {
            if has_bit(&self.protocols[protocol.clone()], rule) {
                set_bit(&mut self.started_by[first as usize * width..], rule);
                set_bit(&mut self.ends_from[last as usize * width..], rule);
            }
        }
        self.full.iter_mut().for_each(|word| *word = 0);
        for (rule, &(first, last)) in self.rule_windows.iter().enumerate() {
            if has_bit(&self.protocols[protocol.clone()], rule)
                && has_bit(&self.whole, rule)
                && first == 0
                && last as usize + 1 == windows
            {
                set_bit(&mut self.full, rule);
            }
        }
        for window in 1..windows {
            for word in 0..width {
                self.started_by[window * width + word] |=
                    self.started_by[(window - 1) * width + word];
            }
        }
        for window in (0..windows.saturating_sub(1)).rev() {
            for word in 0..width {
                self.ends_from[window * width + word] |=
                    self.ends_from[(window + 1) * width + word];
            }
        }
    }
}
