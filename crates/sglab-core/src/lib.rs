//! # sglab-core
//!
//! The engine of sglab: the exact semantics of Alibaba Cloud ECS security groups, with
//! explanations, port sets and the reachability matrix. It knows nothing of the browser, files,
//! clocks or argument parsing, and compiles for `wasm32-unknown-unknown` and natively.
//!
//! Input flows one way: a raw file ([`format`]) is validated into a [`model::Topology`], which
//! the evaluation functions read to produce plain result data ([`explain`]).
//!
//! ```
//! use sglab_core::{parse_port_spec, model::PortSpec};
//!
//! assert!(matches!(parse_port_spec("-1/-1"), Ok(PortSpec::All)));
//! assert!(parse_port_spec("200/1").is_err());
//! ```

pub mod explain;
pub mod export;
pub mod model;

use model::{PortRange, PortSpec};

/// A problem with one value, independent of where it was found.
///
/// Messages name what the user must fix and carry no trailing period.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A priority outside 1..=100 (and not the legacy 110).
    #[error("priority {0} is out of range: use 1 (highest) to 100 (InvalidPriority.ValueNotSupported)")]
    PriorityOutOfRange(u32),
    /// A port range whose start is after its end, such as `200/1`.
    #[error("port range {start}/{end} is reversed: the start port must not exceed the end port (InvalidParam.PortRange)")]
    ReversedPortRange {
        /// The start port written.
        start: u16,
        /// The end port written.
        end: u16,
    },
    /// A port of 0.
    #[error("port 0 is not a valid port: use 1 to 65535 (InvalidParam.PortRange)")]
    PortZero,
    /// A port range that is not `start/end` or `-1/-1`.
    #[error("port range {0:?} is malformed: write start/end, for example 8080/8080 or 1/65535, or -1/-1 for all ports (InvalidParam.PortRange)")]
    MalformedPortRange(String),
}

/// Parses a port field in the vendor's form: `start/end` or `-1/-1`.
///
/// A lone port such as `22` is rejected as the API rejects it.
pub fn parse_port_spec(text: &str) -> Result<PortSpec, Error> {
    let text = text.trim();
    let malformed = || Error::MalformedPortRange(text.to_owned());
    let (start, end) = text.split_once('/').ok_or_else(malformed)?;
    let (start, end) = (start.trim(), end.trim());
    if start == "-1" && end == "-1" {
        return Ok(PortSpec::All);
    }
    let start: u16 = start.parse().map_err(|_| malformed())?;
    let end: u16 = end.parse().map_err(|_| malformed())?;
    PortRange::new(start, end).map(PortSpec::Range)
}
