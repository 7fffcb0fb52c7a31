//! Diagnostics: a problem found in an input, with a severity, the vendor's error code when one
//! applies, and where it was found.
//!
//! A [`Location`] names the file, the object (`security group sg-web`, `endpoint web-1`), the
//! rule and the field. Rule indexes are **0-based in data** (like
//! [`crate::explain::RuleRef::rule_index`]) and **1-based in text** meant for people: the
//! diagnostic with `rule_index: Some(2)` displays as `rule 3`.
//!
//! ```
//! use sglab_core::diagnostic::{Diagnostic, Location};
//!
//! let diagnostic = Diagnostic::error(
//!     Location::in_file(Some("web.json"))
//!         .object("security group sg-web")
//!         .rule(2)
//!         .field("port_range"),
//!     "port range 200/1 is reversed",
//! )
//! .with_code("InvalidParam.PortRange");
//! assert_eq!(
//!     diagnostic.to_string(),
//!     "web.json: security group sg-web, rule 3, field port_range: port range 200/1 is reversed (InvalidParam.PortRange)"
//! );
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input cannot be used: no topology is produced.
    Error,
    /// The input was used, possibly after a documented correction the user should know about.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Where a problem was found. Every part is optional; absent parts are not displayed.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// The file name as the user gave it.
    pub file: Option<String>,
    /// The line in the file, 1-based, for syntax errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The column in the line, 1-based, for syntax errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The object in words: `security group sg-web`, `endpoint web-1`, `expectation 2`.
    pub object: Option<String>,
    /// The index of the rule in the group's rule list, 0-based (displayed 1-based).
    pub rule_index: Option<usize>,
    /// The field as written in the file, such as `port_range` or `enis[0].groups`.
    pub field: Option<String>,
}

impl Location {
    /// A location in a file (or in no file when `None`).
    pub fn in_file(file: Option<&str>) -> Location {
        Location {
            file: file.map(str::to_owned),
            ..Location::default()
        }
    }

    /// The same location with a line and column (1-based).
    pub fn at(mut self, line: usize, column: usize) -> Location {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// The same location naming an object, such as `security group sg-web`.
    pub fn object(mut self, object: impl Into<String>) -> Location {
        self.object = Some(object.into());
        self
    }

    /// The same location naming a rule by its 0-based index.
    pub fn rule(mut self, rule_index: usize) -> Location {
        self.rule_index = Some(rule_index);
        self
    }

    /// The same location naming a field.
    pub fn field(mut self, field: impl Into<String>) -> Location {
        self.field = Some(field.into());
        self
    }

    /// Whether no part is set.
    pub fn is_empty(&self) -> bool {
        self.file.is_none()
            && self.line.is_none()
            && self.object.is_none()
            && self.rule_index.is_none()
            && self.field.is_none()
    }
}

impl fmt::Display for Location {
    /// `web.json:3:7: security group sg-web, rule 3, field port_range` (rule 1-based).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut head = String::new();
        if let Some(file) = &self.file {
            head.push_str(file);
        }
        if let Some(line) = self.line {
            if head.is_empty() {
                head.push_str("line ");
                head.push_str(&line.to_string());
                if let Some(column) = self.column {
                    head.push_str(&format!(" column {column}"));
                }
            } else {
                head.push_str(&format!(":{line}"));
                if let Some(column) = self.column {
                    head.push_str(&format!(":{column}"));
                }
            }
        }
        let mut parts = Vec::new();
        if let Some(object) = &self.object {
            parts.push(object.clone());
        }
        if let Some(rule_index) = self.rule_index {
            parts.push(format!("rule {}", rule_index + 1));
        }
        if let Some(field) = &self.field {
            parts.push(format!("field {field}"));
        }
        match (head.is_empty(), parts.is_empty()) {
            (true, _) => write!(f, "{}", parts.join(", ")),
            (false, true) => f.write_str(&head),
            (false, false) => write!(f, "{head}: {}", parts.join(", ")),
        }
    }
}

/// One problem found in an input.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The vendor's error code when the cloud would answer with one, such as
    /// `InvalidParam.PortRange` or `InvalidSourceGroupId.Mismatch`.
    pub code: Option<String>,
    /// Where.
    pub location: Location,
    /// What is wrong and what to write instead, without trailing period.
    pub message: String,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code: None,
            location,
            message: message.into(),
        }
    }

    /// A warning at `location`.
    pub fn warning(location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            code: None,
            location,
            message: message.into(),
        }
    }

    /// An error from a value error, taking the vendor code from [`crate::Error::code`].
    pub fn from_error(location: Location, error: &crate::Error) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code: error.code().map(str::to_owned),
            location,
            message: error.to_string(),
        }
    }

    /// The error for text that is not JSON, or JSON with a value of the wrong type, at the line
    /// and column serde_json reports. Every parser of the crate words these errors alike.
    pub(crate) fn from_json_error(file: Option<&str>, error: &serde_json::Error) -> Diagnostic {
        use serde_json::error::Category;
        let empty = error.is_eof() && error.line() <= 1 && error.column() == 0;
        let mut location = Location::in_file(file);
        if error.line() > 0 && !empty {
            location = location.at(error.line(), error.column());
        }
        // serde_json appends " at line L column C" to its messages; the location carries it.
        let full = error.to_string();
        let detail = full
            .rfind(" at line ")
            .map_or(full.as_str(), |index| &full[..index]);
        let message = match error.classify() {
            _ if empty => "the file is empty: give sglab JSON or the JSON printed by an aliyun ecs Describe... command".to_owned(),
            Category::Eof => format!(
                "malformed JSON: the file ends too early ({detail}): look for a missing closing bracket or quote"
            ),
            // serde_json stops at 128 levels rather than overflow the stack.
            Category::Syntax if detail == "recursion limit exceeded" => {
                "malformed JSON: arrays and objects are nested more than 128 levels deep: no sglab or aliyun file nests that deep".to_owned()
            }
            Category::Syntax => format!("malformed JSON: {detail}"),
            Category::Data | Category::Io => format!("unexpected value: {detail}"),
        };
        Diagnostic::error(location, message)
    }

    /// The same diagnostic with a vendor error code.
    pub fn with_code(mut self, code: &str) -> Diagnostic {
        self.code = Some(code.to_owned());
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `location: message (code)`; the code is not repeated when the message already names it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.location.is_empty() {
            write!(f, "{}: ", self.location)?;
        }
        f.write_str(&self.message)?;
        if let Some(code) = &self.code {
            if !self.message.contains(code.as_str()) {
                write!(f, " ({code})")?;
            }
        }
        Ok(())
    }
}

/// Collects the diagnostics of one input, in the order they are found: every reader of the
/// crate (sglab JSON, the aliyun importer) and the model check report through it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sink {
    file: Option<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Sink {
    /// A sink for the input `file` (or for no file when `None`).
    pub fn new(file: Option<&str>) -> Sink {
        Sink {
            file: file.map(str::to_owned),
            diagnostics: Vec::new(),
        }
    }

    /// The location of the whole input: its file.
    pub fn location(&self) -> Location {
        Location::in_file(self.file.as_deref())
    }

    /// Adds a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Adds an error.
    pub fn error(&mut self, location: Location, message: impl Into<String>) {
        self.push(Diagnostic::error(location, message));
    }

    /// Adds a warning.
    pub fn warning(&mut self, location: Location, message: impl Into<String>) {
        self.push(Diagnostic::warning(location, message));
    }

    /// Adds the error of a value, with its vendor code.
    pub fn report(&mut self, location: Location, error: &crate::Error) {
        self.push(Diagnostic::from_error(location, error));
    }

    /// The value of a check, or `None` after reporting its error.
    pub fn check<T>(&mut self, location: Location, result: Result<T, crate::Error>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.report(location, &error);
                None
            }
        }
    }

    /// How many errors were reported so far.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// The diagnostics reported so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics, in the order they were reported.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

impl Extend<Diagnostic> for Sink {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.diagnostics.extend(iter);
    }
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_without_file() {
        let diagnostic = Diagnostic::warning(
            Location::default()
                .object("endpoint web-1")
                .field("public_ip"),
            "ignored",
        );
        assert_eq!(
            diagnostic.to_string(),
            "endpoint web-1, field public_ip: ignored"
        );
    }

    #[test]
    fn display_line_and_column() {
        let diagnostic = Diagnostic::error(Location::in_file(Some("a.json")).at(3, 7), "bad");
        assert_eq!(diagnostic.to_string(), "a.json:3:7: bad");
        let diagnostic = Diagnostic::error(Location::default().at(3, 7), "bad");
        assert_eq!(diagnostic.to_string(), "line 3 column 7: bad");
    }

    #[test]
    fn code_not_repeated() {
        let diagnostic = Diagnostic::error(Location::default(), "x is wrong (OperationDenied)")
            .with_code("OperationDenied");
        assert_eq!(diagnostic.to_string(), "x is wrong (OperationDenied)");
    }

    #[test]
    fn serializes_with_snake_case_fields() {
        let diagnostic =
            Diagnostic::error(Location::in_file(Some("f.json")).rule(0), "m").with_code("C");
        let json = serde_json::to_string(&diagnostic).unwrap();
        assert_eq!(
            json,
            r#"{"severity":"error","code":"C","location":{"file":"f.json","object":null,"rule_index":0,"field":null},"message":"m"}"#
        );
    }
}
