//! Counted port ranges from weighted port sets, without sorting: the group matrix's sweep.
//!
//! Each weighted range adds its weight at its first port and takes it back after its last, in
//! a dense table of every port; a two-level bitmap remembers which ports were touched, so that
//! reading the boundaries back in order costs the boundaries, not the 65,536 ports. A port
//! where one range ends and another begins is a boundary even when the weights cancel, as in a
//! sweep over sorted events.

use crate::model::PortRange;

use super::CountedRange;

/// Ports 0 to 65535, and 65536 for the end of a range ending at 65535.
const SLOTS: usize = 65_537;
const WORDS: usize = SLOTS.div_ceil(64);
const SUMMARY_WORDS: usize = WORDS.div_ceil(64);

/// The table and bitmaps of one sweep, left cleared after each [`PortSweep::finish`].
pub(super) struct PortSweep {
    /// Per port, the weight starting there less the weight ending just before it.
    delta: Vec<i64>,
    /// Per port, whether some range starts there or ends just before it.
    touched: Vec<u64>,
    /// Per word of `touched`, whether it has a bit set.
    summary: [u64; SUMMARY_WORDS],
    /// How many bits of `touched` are set.
    boundaries: usize,
}

impl PortSweep {
    /// An empty sweep.
    pub(super) fn new() -> PortSweep {
        PortSweep {
            delta: vec![0; SLOTS],
            touched: vec![0; WORDS],
            summary: [0; SUMMARY_WORDS],
            boundaries: 0,
        }
    }

    fn touch(&mut self, port: usize, weight: i64) {
        if let Some(slot) = self.delta.get_mut(port) {
            *slot += weight;
            let word = port / 64;
            let bit = 1 << (port % 64);
            if self.touched[word] & bit == 0 {
                self.touched[word] |= bit;
                self.boundaries += 1;
            }
            self.summary[word / 64] |= 1 << (word % 64);
        }
    }

    /// Adds `weight` pairs on every port of `first..=last`.
    pub(super) fn add(&mut self, first: u32, last: u32, weight: u64) {
        let weight = i64::try_from(weight).unwrap_or(i64::MAX);
        self.touch(first as usize, weight);
        self.touch(last as usize + 1, -weight);
    }

    /// The ranges between consecutive boundaries, in order, each with the pairs allowing it
    /// (those allowed by no pair left out); clears the sweep for the next one.
    pub(super) fn finish(&mut self) -> Vec<CountedRange> {
        let mut ranges = Vec::with_capacity(std::mem::take(&mut self.boundaries));
        let mut count: i64 = 0;
        let mut previous: Option<usize> = None;
        for summary_index in 0..SUMMARY_WORDS {
            let mut summary = std::mem::take(&mut self.summary[summary_index]);
            while summary != 0 {
                let word = summary_index * 64 + summary.trailing_zeros() as usize;
                summary &= summary - 1;
                let mut bits = std::mem::take(&mut self.touched[word]);
                while bits != 0 {
                    let port = word * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if let Some(start) = previous {
                        push_range(&mut ranges, start, port, count);
                    }
                    count += std::mem::take(&mut self.delta[port]);
                    previous = Some(port);
                }
            }
        }
        if let Some(start) = previous {
            push_range(&mut ranges, start, SLOTS - 1, count);
        }
        ranges
    }
}

/// Pushes `start..next` with `count` pairs if something allows it.
fn push_range(ranges: &mut Vec<CountedRange>, start: usize, next: usize, count: i64) {
    if count <= 0 || start > 65_535 || next <= start {
        return;
    }
    let first = u16::try_from(start).unwrap_or(u16::MAX);
    let last = u16::try_from(next - 1).unwrap_or(u16::MAX);
    if let Ok(ports) = PortRange::new(first, last) {
        ranges.push(CountedRange {
            ports,
            pairs: count.unsigned_abs(),
        });
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The ranges counted port by port: a boundary wherever a weighted range starts or ends.
    fn port_by_port(ranges: &[(u16, u16, u64)]) -> Vec<CountedRange> {
        let mut bounds: Vec<u32> = ranges
            .iter()
            .flat_map(|(first, last, _)| [u32::from(*first), u32::from(*last) + 1])
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        let mut out = Vec::new();
        for window in bounds.windows(2) {
            let (first, last) = (window[0], window[1] - 1);
            let pairs: u64 = ranges
                .iter()
                .filter(|(start, end, _)| u32::from(*start) <= first && last <= u32::from(*end))
                .map(|(_, _, weight)| *weight)
                .sum();
            let ports = PortRange::new(first as u16, last as u16);
            if let (true, Ok(ports)) = (pairs > 0, ports) {
                out.push(CountedRange { ports, pairs });
            }
        }
        out
    }

    fn swept(sweep: &mut PortSweep, ranges: &[(u16, u16, u64)]) -> Vec<CountedRange> {
        for (first, last, weight) in ranges {
            sweep.add(u32::from(*first), u32::from(*last), *weight);
        }
        sweep.finish()
    }

    #[test]
    fn edges_of_the_port_space_and_touching_ranges() {
        let mut sweep = PortSweep::new();
        let cases: [&[(u16, u16, u64)]; 4] = [
            &[(0, 65535, 3)],
            &[(1, 10, 2), (11, 20, 2)],
            &[(65535, 65535, 1), (0, 0, 1), (5, 65535, 4)],
            &[],
        ];
        for ranges in cases {
            assert_eq!(swept(&mut sweep, ranges), port_by_port(ranges));
        }
    }

    proptest! {
        /// The sweep equals a count port by port, and leaves itself clear for the next one.
        #[test]
        fn sweep_equals_the_count_port_by_port(
            batches in proptest::collection::vec(
                proptest::collection::vec(
                    (any::<u16>(), any::<u16>(), 1u64..1000)
                        .prop_map(|(a, b, weight)| (a.min(b), a.max(b), weight)),
                    0..12,
                ),
                1..4,
            ),
        ) {
            let mut sweep = PortSweep::new();
            for ranges in &batches {
                prop_assert_eq!(swept(&mut sweep, ranges), port_by_port(ranges));
            }
        }
    }
}
