//! The rows of numbers of a [`super::Compare`]: values kept once each by index, a search of
//! sorted rows, and the rows sent as bytes.

use rustc_hash::FxHashMap;

/// Values kept once each, by index.
pub(super) struct Interned<T> {
    pub(super) values: Vec<T>,
    index: FxHashMap<T, u32>,
}

impl<T> Default for Interned<T> {
    fn default() -> Self {
        Interned {
            values: Vec::new(),
            index: FxHashMap::default(),
        }
    }
}

impl<T: Clone + Eq + std::hash::Hash> Interned<T> {
    /// The index of `value`, added when new.
    pub(super) fn intern(&mut self, value: T) -> u32 {
        if let Some(index) = self.index.get(&value) {
            return *index;
        }
        let index = self.values.len() as u32;
        self.values.push(value.clone());
        self.index.insert(value, index);
        index
    }
}

/// The index of the row of `width` numbers of `rows` whose first two are `key`, the rows being
/// sorted by them.
pub(super) fn search(rows: &[u32], width: usize, key: (u32, u32)) -> Option<usize> {
    let (mut low, mut high) = (0, rows.len() / width);
    while low < high {
        let middle = low + (high - low) / 2;
        let first = *rows.get(middle * width)?;
        let second = *rows.get(middle * width + 1)?;
        match (first, second).cmp(&key) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => return Some(middle),
        }
    }
    None
}

/// Rows of numbers sent as bytes (four per number, little-endian): from the worker to the
/// page they travel as one `Uint8Array` rather than an array of millions of numbers.
pub(super) mod numbers {
    use std::fmt;

    use serde::de::{self, SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(numbers: &[u32], serializer: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = numbers.iter().flat_map(|n| n.to_le_bytes()).collect();
        serializer.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u32>, D::Error> {
        deserializer.deserialize_bytes(Numbers)
    }

    struct Numbers;

    impl Numbers {
        fn of_bytes<E: de::Error>(bytes: &[u8]) -> Result<Vec<u32>, E> {
            if !bytes.len().is_multiple_of(4) {
                return Err(E::custom(format!(
                    "{} bytes are not a whole number of 4-byte numbers",
                    bytes.len()
                )));
            }
            Ok(bytes
                .chunks_exact(4)
                .map(|four| u32::from_le_bytes([four[0], four[1], four[2], four[3]]))
                .collect())
        }
    }

    impl<'de> Visitor<'de> for Numbers {
        type Value = Vec<u32>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("bytes holding 4-byte numbers")
        }

        fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Vec<u32>, E> {
            Numbers::of_bytes(bytes)
        }

        fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Vec<u32>, E> {
            Numbers::of_bytes(&bytes)
        }

        /// JSON writes bytes as an array of numbers.
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u32>, A::Error> {
            let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(byte) = seq.next_element::<u8>()? {
                bytes.push(byte);
            }
            Numbers::of_bytes(&bytes)
        }
    }
}
