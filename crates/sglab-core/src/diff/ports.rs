//! Port-set arithmetic the diff needs beyond what the matrix stores: the ports of one set that
//! another lacks, and how many ports a set holds.

use crate::explain::merge_ranges;
use crate::model::{PortRange, Protocol};

/// The ports of `a` that `b` lacks, as sorted, merged ranges. Both inputs are sorted,
/// non-overlapping ranges, as the matrix's cells are.
pub fn difference(a: &[PortRange], b: &[PortRange]) -> Vec<PortRange> {
    let mut out: Vec<PortRange> = Vec::new();
    let mut cut = 0;
    for range in a {
        // Ranges of `b` ending before this one cannot touch it or any later range of `a`.
        while cut < b.len() && b[cut].end() < range.start() {
            cut += 1;
        }
        let mut start = u32::from(range.start());
        let end = u32::from(range.end());
        let mut at = cut;
        while at < b.len() && u32::from(b[at].start()) <= end && start <= end {
            let hole = &b[at];
            if u32::from(hole.start()) > start {
                push(&mut out, start, u32::from(hole.start()) - 1);
            }
            start = start.max(u32::from(hole.end()) + 1);
            at += 1;
        }
        if start <= end {
            push(&mut out, start, end);
        }
    }
    merge_ranges(out)
}

/// How many ports `ranges` holds on `protocol`: the ports for TCP and UDP, 1 for a non-empty
/// set of a protocol without ports.
pub fn count_ports(ranges: &[PortRange], protocol: Protocol) -> u64 {
    if !protocol.has_ports() {
        return u64::from(!ranges.is_empty());
    }
    ranges
        .iter()
        .map(|range| u64::from(range.end() - range.start()) + 1)
        .sum()
}

/// The union of several sorted range lists, sorted and merged.
pub(super) fn union(lists: impl IntoIterator<Item = PortRange>) -> Vec<PortRange> {
    let mut all: Vec<PortRange> = lists.into_iter().collect();
    all.sort_unstable();
    merge_ranges(all)
}

fn push(out: &mut Vec<PortRange>, start: u32, end: u32) {
    let (Ok(start), Ok(end)) = (u16::try_from(start), u16::try_from(end)) else {
        return;
    };
    if let Ok(range) = PortRange::new(start, end) {
        out.push(range);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(list: &[(u16, u16)]) -> Vec<PortRange> {
        list.iter()
            .filter_map(|(start, end)| PortRange::new(*start, *end).ok())
            .collect()
    }

    #[test]
    fn difference_cuts_holes() {
        let a = ranges(&[(1, 100), (200, 300)]);
        let b = ranges(&[(10, 20), (50, 250), (299, 400)]);
        assert_eq!(difference(&a, &b), ranges(&[(1, 9), (21, 49), (251, 298)]));
        assert_eq!(difference(&b, &a), ranges(&[(101, 199), (301, 400)]));
        assert_eq!(difference(&a, &[]), a);
        assert!(difference(&a, &a).is_empty());
        assert!(difference(&[PortRange::ALL], &[PortRange::ALL]).is_empty());
        assert_eq!(
            difference(&[PortRange::ALL], &ranges(&[(1, 21), (23, 65535)])),
            ranges(&[(22, 22)])
        );
    }

    #[test]
    fn count_ports_per_protocol() {
        let a = ranges(&[(1, 100), (200, 300)]);
        assert_eq!(count_ports(&a, Protocol::Tcp), 201);
        assert_eq!(count_ports(&[PortRange::ALL], Protocol::Icmp), 1);
        assert_eq!(count_ports(&[], Protocol::Icmp), 0);
    }
}
