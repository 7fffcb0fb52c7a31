//! The worker's results taken in by the page a slice at a time ([`Receiving::step`]): the class
//! pairs copied from the worker's buffer in chunks, then the matrix, then the overview's nodes
//! and its links in runs, each step stopping once its time is spent, so that at account scale
//! (22 million class pairs, hundreds of thousands of links between groups) no task of the page
//! is long.

use sglab_core::matrix::{Matrix, OwnedMatrixParts};
use sglab_core::model::{PortRange, Protocol};

use super::overview::{Link, Mark, Overview, OverviewNode};
use super::transfer::{unpack, Evaluated, Reader, ResultHead};

/// Class pairs copied between two looks at the clock.
const CELLS_CHUNK: usize = 1 << 19;
/// Overview links decoded between two looks at the clock.
const LINKS_CHUNK: usize = 2048;

/// Results on their way into the page's memory.
pub struct Receiving {
    head: ResultHead,
    words: Vec<u32>,
    /// Where the group matrix starts in `words`, then how far it is read.
    at: usize,
    parts: Option<OwnedMatrixParts>,
    cell_count: usize,
    matrix: Option<Matrix>,
    overview: Option<Links>,
}

/// The overview read so far: its nodes, and its links until none is left.
struct Links {
    overview: Overview,
    left: usize,
}

impl Receiving {
    /// Starts taking in the results of `head`: `words` are the numbers but the class pairs,
    /// `cell_count` the class pairs' count (copied by [`Receiving::step`]). Reads the matrix's
    /// small parts at once (their size is of the endpoints and the distinct port sets).
    pub fn new(head: ResultHead, words: Vec<u32>, cell_count: usize) -> Result<Receiving, String> {
        let wanted = head
            .class_count
            .checked_mul(head.class_count)
            .ok_or("too many classes")?;
        if wanted != cell_count {
            return Err(format!(
                "{cell_count} class pairs for {} classes",
                head.class_count
            ));
        }
        let mut reader = Reader {
            words: &words,
            at: 0,
        };
        let class_of = reader.take(head.endpoints.len())?.to_vec();
        let set_count = reader.len()?;
        let mut port_sets = Vec::with_capacity(set_count);
        for _ in 0..set_count {
            let len = reader.len()?;
            let set = reader
                .take(len)?
                .iter()
                .map(|word| unpack(*word))
                .collect::<Result<Vec<PortRange>, _>>()?;
            port_sets.push(set);
        }
        let combo_len = reader.len()?;
        let combos = reader.take(combo_len)?.to_vec();
        let pair_count = reader.len()?;
        let local_pairs = reader
            .take(pair_count.checked_mul(2).ok_or("too many local pairs")?)?
            .chunks(2)
            .map(|pair| (pair[0], pair[1]))
            .collect();
        let at = reader.at;
        let parts = OwnedMatrixParts {
            endpoints: head.endpoints.clone(),
            protocols: head.protocols.clone(),
            class_of,
            class_count: head.class_count,
            port_sets,
            cells: Vec::with_capacity(cell_count),
            combos,
            local_pairs,
        };
        Ok(Receiving {
            head,
            words,
            at,
            parts: Some(parts),
            cell_count,
            matrix: None,
            overview: None,
        })
    }

    /// The head of the results.
    pub fn head(&self) -> &ResultHead {
        &self.head
    }

    /// Takes in more of the results until `budget_millis` have passed by `now` (at least one
    /// chunk, whatever the budget); `copy(at, into)` fills `into` with the class pairs from
    /// `at`. The results once all are in, or what did not fit.
    pub fn step(
        &mut self,
        now: &dyn Fn() -> f64,
        budget_millis: f64,
        copy: &mut dyn FnMut(usize, &mut [u32]),
    ) -> Option<Result<Evaluated, String>> {
        let started = now();
        let spent = || now() - started >= budget_millis;
        loop {
            if let Some(parts) = self.parts.as_mut() {
                let filled = parts.cells.len();
                if filled < self.cell_count {
                    let len = CELLS_CHUNK.min(self.cell_count - filled);
                    parts.cells.resize(filled + len, 0);
                    copy(filled, &mut parts.cells[filled..]);
                } else {
                    let parts = self.parts.take()?;
                    match Matrix::from_parts(parts) {
                        Ok(matrix) => self.matrix = Some(matrix),
                        Err(error) => return Some(Err(error)),
                    }
                    if let Err(error) = self.start_overview() {
                        return Some(Err(error));
                    }
                }
            } else if self.overview.as_ref().is_some_and(|links| links.left > 0) {
                if let Err(error) = self.read_links() {
                    return Some(Err(error));
                }
            } else {
                return Some(self.finish());
            }
            if spent() {
                return None;
            }
        }
    }

    /// Reads the overview's nodes (their members are numbered by the matrix's endpoints).
    fn start_overview(&mut self) -> Result<(), String> {
        let Some(heads) = self.head.overview.as_ref() else {
            return Ok(());
        };
        let endpoints = &self.head.endpoints;
        let mut reader = Reader {
            words: &self.words,
            at: self.at,
        };
        let count = reader.len()?;
        if count != heads.len() {
            return Err(format!("{count} overview nodes for {}", heads.len()));
        }
        let mut nodes = Vec::with_capacity(count);
        for (key, label, product) in heads {
            let [mark] = reader.array()?;
            let mark = match (mark, product) {
                (0, _) => Mark::Basic,
                (1, _) => Mark::Enterprise,
                (2, Some(product)) => Mark::Managed(product.clone()),
                (3, _) => Mark::Ungrouped,
                _ => return Err("a node's mark is out of range".to_owned()),
            };
            let len = reader.len()?;
            let members = reader
                .take(len)?
                .iter()
                .map(|at| {
                    endpoints
                        .get(*at as usize)
                        .cloned()
                        .ok_or_else(|| "a member is out of range".to_owned())
                })
                .collect::<Result<Vec<_>, _>>()?;
            nodes.push(OverviewNode {
                key: key.clone(),
                label: label.clone(),
                mark,
                members,
            });
        }
        let left = reader.len()?;
        self.at = reader.at;
        self.overview = Some(Links {
            overview: Overview {
                nodes,
                links: Vec::with_capacity(left.min(self.words.len())),
            },
            left,
        });
        Ok(())
    }

    /// Reads the next run of the overview's links.
    fn read_links(&mut self) -> Result<(), String> {
        let Some(links) = self.overview.as_mut() else {
            return Ok(());
        };
        let protocols = &self.head.protocols;
        let nodes = links.overview.nodes.len();
        let mut reader = Reader {
            words: &self.words,
            at: self.at,
        };
        let count = LINKS_CHUNK.min(links.left);
        for _ in 0..count {
            let [from, to] = reader.array()?;
            let (from, to) = (from as usize, to as usize);
            if from >= nodes || to >= nodes {
                return Err("a link's node is out of range".to_owned());
            }
            let open_pairs = reader.u64()?;
            let pairs = reader.u64()?;
            let len = reader.len()?;
            let mut allowed: Vec<(Protocol, Vec<PortRange>)> =
                Vec::with_capacity(len.min(protocols.len()));
            for _ in 0..len {
                let [protocol] = reader.array()?;
                let protocol = *protocols
                    .get(protocol as usize)
                    .ok_or("a protocol is out of range")?;
                let ranges = reader.len()?;
                let ranges = reader
                    .take(ranges)?
                    .iter()
                    .map(|word| unpack(*word))
                    .collect::<Result<Vec<PortRange>, _>>()?;
                allowed.push((protocol, ranges));
            }
            links.overview.links.push(Link {
                from,
                to,
                allowed,
                open_pairs,
                pairs,
            });
        }
        self.at = reader.at;
        links.left -= count;
        Ok(())
    }

    fn finish(&mut self) -> Result<Evaluated, String> {
        let matrix = self.matrix.take().ok_or("the results were taken already")?;
        let overview = self.overview.take().map(|links| links.overview);
        Ok(Evaluated { matrix, overview })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::transfer::encode;
    use sglab_core::generate::{generate, GenParams};

    #[test]
    fn results_taken_in_slice_by_slice_are_the_results() {
        let topology = generate(5, &GenParams::small(60, 8, 300));
        let matrix = sglab_core::matrix::matrix(&topology);
        let groups = sglab_core::matrix::group_matrix_of(&topology, &matrix);
        let overview = crate::engine::overview::overview_of_groups(&topology, &groups);
        assert!(!overview.links.is_empty());
        let (head, words) = encode(&matrix, Some(&overview));
        let cells = matrix.parts().cells.to_vec();
        let Ok(mut receiving) = Receiving::new(head, words, cells.len()) else {
            panic!("the head fits");
        };
        // A clock that says every step's time is spent at once: one chunk a step.
        let mut steps = 0;
        let done = loop {
            steps += 1;
            let step = receiving.step(&|| steps as f64, 0.0, &mut |at, into| {
                into.copy_from_slice(&cells[at..at + into.len()]);
            });
            if let Some(done) = step {
                break done;
            }
        };
        assert!(steps > 2);
        assert_eq!(
            done,
            Ok(Evaluated {
                matrix,
                overview: Some(overview)
            })
        );
    }
}
