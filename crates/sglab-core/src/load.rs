//! The loader of sglab files: parsing into the raw form ([`crate::format`]) and validation
//! into the model ([`crate::validate`]), one step above both so that neither imports the other.

use crate::diagnostic::Diagnostic;
use crate::format::{parse_raw, DEFAULT_MAX_INPUT_BYTES};
use crate::validate::Limits;

pub use crate::validate::Parsed;

/// Options of [`parse_sglab_with_options`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    /// Inputs longer than this many bytes are rejected before parsing.
    pub max_input_bytes: usize,
    /// The cloud limits checked by validation.
    pub limits: Limits,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            limits: Limits::default(),
        }
    }
}

/// Parses an sglab file with the default options: at most 20 MB, the default [`Limits`].
///
/// `file` names the input in diagnostics. On failure every diagnostic found is returned,
/// errors and warnings together, in the order of the file.
pub fn parse_sglab(text: &str, file: Option<&str>) -> Result<Parsed, Vec<Diagnostic>> {
    parse_sglab_with_options(text, file, &ParseOptions::default())
}

/// Parses an sglab file with explicit options.
pub fn parse_sglab_with_options(
    text: &str,
    file: Option<&str>,
    options: &ParseOptions,
) -> Result<Parsed, Vec<Diagnostic>> {
    let raw = parse_raw(text, file, options.max_input_bytes)?;
    crate::validate::validate(&raw, file, &options.limits)
}
