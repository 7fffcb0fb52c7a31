//! A matrix taken apart into its lists and put back together, so that it can move between
//! threads (the web app builds it in a Web Worker) as a few flat arrays instead of one copy per
//! pair of endpoints.

use super::{Matrix, EMPTY_SET, FULL_SET};
use crate::model::{EndpointId, PortRange, Protocol};

/// The lists a [`Matrix`] is made of, borrowed (see the fields of its serialized form).
#[derive(Clone, Copy, Debug)]
pub struct MatrixParts<'m> {
    /// The endpoints, sorted by id.
    pub endpoints: &'m [EndpointId],
    /// The protocols evaluated.
    pub protocols: &'m [Protocol],
    /// The class of each endpoint.
    pub class_of: &'m [u32],
    /// The number of classes.
    pub class_count: usize,
    /// The distinct port sets; id 0 is the empty set, id 1 every port.
    pub port_sets: &'m [Vec<PortRange>],
    /// The combo of each pair of classes, `from_class * class_count + to_class`.
    pub cells: &'m [u32],
    /// The combos: one port-set id per protocol, flattened.
    pub combos: &'m [u32],
    /// The pairs of endpoint indices that stay on one node, sorted.
    pub local_pairs: &'m [(u32, u32)],
}

/// The lists of a [`Matrix`], owned, as [`Matrix::from_parts`] takes them.
#[derive(Clone, Debug, Default)]
pub struct OwnedMatrixParts {
    /// As [`MatrixParts::endpoints`].
    pub endpoints: Vec<EndpointId>,
    /// As [`MatrixParts::protocols`].
    pub protocols: Vec<Protocol>,
    /// As [`MatrixParts::class_of`].
    pub class_of: Vec<u32>,
    /// As [`MatrixParts::class_count`].
    pub class_count: usize,
    /// As [`MatrixParts::port_sets`].
    pub port_sets: Vec<Vec<PortRange>>,
    /// As [`MatrixParts::cells`].
    pub cells: Vec<u32>,
    /// As [`MatrixParts::combos`].
    pub combos: Vec<u32>,
    /// As [`MatrixParts::local_pairs`].
    pub local_pairs: Vec<(u32, u32)>,
}

impl MatrixParts<'_> {
    /// The same lists, copied.
    pub fn owned(&self) -> OwnedMatrixParts {
        OwnedMatrixParts {
            endpoints: self.endpoints.to_vec(),
            protocols: self.protocols.to_vec(),
            class_of: self.class_of.to_vec(),
            class_count: self.class_count,
            port_sets: self.port_sets.to_vec(),
            cells: self.cells.to_vec(),
            combos: self.combos.to_vec(),
            local_pairs: self.local_pairs.to_vec(),
        }
    }
}

impl Matrix {
    /// The lists the matrix is made of.
    pub fn parts(&self) -> MatrixParts<'_> {
        MatrixParts {
            endpoints: &self.endpoints,
            protocols: &self.protocols,
            class_of: &self.class_of,
            class_count: self.class_count,
            port_sets: &self.port_sets,
            cells: &self.cells,
            combos: &self.combos,
            local_pairs: &self.local_pairs,
        }
    }

    /// Puts a matrix back together from its lists, after checking that they fit: every index
    /// in range, the endpoints and local pairs sorted, the empty and the full set first. The
    /// error says which list does not fit.
    pub fn from_parts(parts: OwnedMatrixParts) -> Result<Matrix, String> {
        let OwnedMatrixParts {
            endpoints,
            protocols,
            class_of,
            class_count,
            port_sets,
            cells,
            combos,
            local_pairs,
        } = parts;
        let endpoint_count = endpoints.len() as u64;
        let fits = |what: &str, ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(format!("{what} does not fit"))
            }
        };
        fits("endpoints", endpoints.windows(2).all(|w| w[0] < w[1]))?;
        fits(
            "class_of",
            class_of.len() == endpoints.len()
                && class_of.iter().all(|c| (*c as usize) < class_count),
        )?;
        fits(
            "port_sets",
            port_sets.get(EMPTY_SET as usize).is_some_and(Vec::is_empty)
                && port_sets
                    .get(FULL_SET as usize)
                    .is_some_and(|set| set == &[PortRange::ALL]),
        )?;
        let combo_count = combos.len().checked_div(protocols.len()).unwrap_or(0);
        fits(
            "combos",
            combos.len() == combo_count * protocols.len()
                && combos.iter().all(|id| (*id as usize) < port_sets.len()),
        )?;
        fits(
            "cells",
            class_count.checked_mul(class_count) == Some(cells.len())
                && cells
                    .iter()
                    .all(|combo| (*combo as usize) < combo_count.max(1)),
        )?;
        fits(
            "local_pairs",
            local_pairs.windows(2).all(|w| w[0] < w[1])
                && local_pairs
                    .iter()
                    .all(|(a, b)| u64::from(*a) < endpoint_count && u64::from(*b) < endpoint_count),
        )?;
        Ok(Matrix {
            endpoints,
            protocols,
            class_of,
            class_count,
            port_sets,
            cells,
            combos,
            local_pairs,
            cache: Default::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenParams};

    #[test]
    fn a_matrix_taken_apart_comes_back_whole() {
        let topology = generate(3, &GenParams::small(12, 4, 40));
        let matrix = crate::matrix::matrix(&topology);
        let owned = matrix.parts().owned();
        assert_eq!(Matrix::from_parts(owned.clone()), Ok(matrix));
        let mut broken = owned;
        broken.cells.pop();
        assert_eq!(
            Matrix::from_parts(broken),
            Err("cells does not fit".to_owned())
        );
    }

    /// Parts one step past each limit are refused, each naming the list that does not fit:
    /// an endpoint repeated, a class, a port set, a combo or an endpoint index equal to the
    /// count it must stay under, a list of the wrong length, a local pair repeated.
    #[test]
    fn parts_one_past_a_limit_are_refused() {
        let topology = generate(3, &GenParams::small(12, 4, 40));
        let matrix = crate::matrix::matrix(&topology);
        let owned = matrix.parts().owned();
        let combo_count = (owned.combos.len() / owned.protocols.len()) as u32;
        let endpoint_count = owned.endpoints.len() as u32;
        type Break = Box<dyn Fn(&mut OwnedMatrixParts)>;
        let cases: Vec<(&str, Break)> = vec![
            (
                "endpoints",
                Box::new(|p| p.endpoints[1] = p.endpoints[0].clone()),
            ),
            (
                "class_of",
                Box::new(|p| p.class_of[0] = p.class_count as u32),
            ),
            (
                "class_of",
                Box::new(|p| p.class_of.truncate(p.class_of.len() - 1)),
            ),
            (
                "port_sets",
                Box::new(|p| p.port_sets[0] = vec![PortRange::ALL]),
            ),
            ("port_sets", Box::new(|p| p.port_sets[1] = Vec::new())),
            (
                "combos",
                Box::new(|p| {
                    let last = p.combos.len() - 1;
                    p.combos[last] = p.port_sets.len() as u32;
                }),
            ),
            (
                "combos",
                Box::new(|p| p.combos.truncate(p.combos.len() - 1)),
            ),
            ("cells", Box::new(move |p| p.cells[0] = combo_count)),
            (
                "local_pairs",
                Box::new(move |p| p.local_pairs = vec![(0, endpoint_count)]),
            ),
            (
                "local_pairs",
                Box::new(move |p| p.local_pairs = vec![(endpoint_count, 0)]),
            ),
            (
                "local_pairs",
                Box::new(|p| p.local_pairs = vec![(0, 1), (0, 1)]),
            ),
        ];
        for (what, break_it) in cases {
            let mut broken = owned.clone();
            break_it(&mut broken);
            assert_eq!(
                Matrix::from_parts(broken),
                Err(format!("{what} does not fit")),
                "{what}"
            );
        }
        // At the limits, the parts fit.
        let mut edge = owned;
        edge.local_pairs = vec![(0, endpoint_count - 1), (endpoint_count - 1, 0)];
        edge.cells[0] = combo_count - 1;
        assert!(Matrix::from_parts(edge).is_ok());
    }
}
