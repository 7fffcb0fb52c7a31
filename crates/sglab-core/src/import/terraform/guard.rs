//! A linear check of HCL text before `hcl-edit` parses it, refusing the one construct on which
//! the parser's time grows exponentially.
//!
//! `hcl-edit` parses a unary operator's operand (`!x`, `-x`) as a term with its traversal
//! (`x.a[i]`), then tries a traversal again after the whole unary expression. When an index
//! `[...]` of the operand's traversal fails to parse, the operand's traversal stops before it
//! and the parser tries the same index a second time, after the unary expression, where its
//! failure fails the expression. So each index nested in such an operand doubles the work on
//! malformed text: `a = p[0][!p[0][!p[0][! ...` took 0.14 ms with 4 levels, 87 ms with 16 and
//! 1.1 s with 20 (docs/testing.md, "Findings"). Valid text never fails there and parses once.
//!
//! The check follows HCL's lexical structure (quoted strings and heredocs with their `${...}`
//! and `%{...}` sequences, comments, brackets) and counts the index brackets open in the
//! traversal of a unary operator's operand; more than [`MAX_UNARY_INDEX_DEPTH`] at once is
//! refused. It over-counts rather than under-counts: every `-` is taken for a unary minus, and
//! every index of the operand counts, although only the ones after its first traversal
//! operator can be tried twice.

use crate::diagnostic::{Diagnostic, Location};

/// The most index brackets open at once in the operands of unary operators (`!x[...]`,
/// `-x.y[...]`), each inside the previous one. The repository's .tf files nest 0 deep; each
/// level can double the parser's time on malformed text, so 4 bounds it to 16 times a plain
/// parse.
pub(crate) const MAX_UNARY_INDEX_DEPTH: usize = 4;

/// The refusal of `text` when its index brackets in unary operands nest deeper than
/// [`MAX_UNARY_INDEX_DEPTH`]: a diagnostic naming the file and the line and column of the first
/// bracket over the limit.
pub(crate) fn too_deep(file: &str, text: &str) -> Option<Diagnostic> {
    let offset = first_too_deep(text)?;
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    Some(Diagnostic::error(
        Location::in_file(Some(file)).at(line, column),
        format!(
            "expression nested too deeply for the HCL parser: index brackets nested more than {MAX_UNARY_INDEX_DEPTH} deep in the operand of a `!` or `-` operator; simplify the expression"
        ),
    ))
}

/// What an open bracket, string or heredoc was, and what follows its end.
enum Frame<'t> {
    /// `(`, `[` or `{` in an expression; `counted` when it is an index of a unary operand.
    Bracket { counted: bool, chain: bool },
    /// A quoted string or template.
    Quoted { chain: bool },
    /// A heredoc ending at a line holding `delimiter`.
    Heredoc { delimiter: &'t [u8], chain: bool },
    /// A `${...}` or `%{...}` sequence in a string or heredoc.
    Sequence,
}

/// Where the scan is in an expression.
#[derive(Default)]
struct Expr {
    /// The last token ends a term, so `[` opens an index and `(` a call.
    after_term: bool,
    /// The last token is a `.` of a traversal.
    after_dot: bool,
    /// A unary operator waits for its operand.
    unary: bool,
    /// The current term is (the traversal of) a unary operator's operand.
    chain: bool,
}

impl Expr {
    /// A term starts (an identifier, a number, a string, a bracket): it continues the operand
    /// of a waiting unary operator, if any.
    fn start_term(&mut self) -> bool {
        let chain = if self.after_dot {
            self.chain
        } else {
            self.unary
        };
        self.unary = false;
        self.after_dot = false;
        chain
    }

    /// A term (or a bracket closing one) ends.
    fn end_term(&mut self, chain: bool) {
        *self = Expr {
            after_term: true,
            chain,
            ..Expr::default()
        };
    }
}

/// The byte offset of the first index bracket over the limit, if any.
fn first_too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut frames: Vec<Frame<'_>> = Vec::new();
    let mut expr = Expr::default();
    let mut depth = 0;
    let mut at = 0;
    while at < bytes.len() {
        match frames.last() {
            Some(Frame::Quoted { .. }) => at = quoted(bytes, at, &mut frames, &mut expr),
            Some(&Frame::Heredoc { delimiter, .. }) => {
                at = heredoc(bytes, at, delimiter, &mut frames, &mut expr);
            }
            _ => {
                let byte = bytes[at];
                match byte {
                    b'[' | b'(' | b'{' => {
                        let counted = byte == b'[' && expr.after_term && expr.chain;
                        let chain = if expr.after_term {
                            expr.chain
                        } else {
                            expr.start_term()
                        };
                        if counted {
                            depth += 1;
                            if depth > MAX_UNARY_INDEX_DEPTH {
                                return Some(at);
                            }
                        }
                        frames.push(Frame::Bracket { counted, chain });
                        expr = Expr::default();
                        at += 1;
                    }
                    b']' | b')' | b'}' => {
                        match frames.pop() {
                            Some(Frame::Bracket { counted, chain }) => {
                                depth -= usize::from(counted);
                                expr.end_term(chain);
                            }
                            // The end of a `${...}` resumes its string or heredoc.
                            Some(Frame::Sequence) => {}
                            _ => expr = Expr::default(),
                        }
                        at += 1;
                    }
                    b'"' => {
                        let chain = expr.start_term();
                        frames.push(Frame::Quoted { chain });
                        at += 1;
                    }
                    b'#' => at = line_end(bytes, at),
                    b'/' if bytes.get(at + 1) == Some(&b'/') => at = line_end(bytes, at),
                    b'/' if bytes.get(at + 1) == Some(&b'*') => {
                        at = find(bytes, at + 2, b"*/").map_or(bytes.len(), |end| end + 2);
                    }
                    b'<' if bytes.get(at + 1) == Some(&b'<') => match heredoc_start(bytes, at) {
                        Some((delimiter, body)) => {
                            let chain = expr.start_term();
                            frames.push(Frame::Heredoc { delimiter, chain });
                            at = body;
                        }
                        None => {
                            expr = Expr::default();
                            at += 2;
                        }
                    },
                    b'.' if bytes.get(at + 1) == Some(&b'.') => {
                        expr = Expr::default();
                        at += 2;
                    }
                    b'.' => {
                        expr.after_dot = true;
                        at += 1;
                    }
                    b'*' if expr.after_dot => {
                        expr.end_term(expr.chain);
                        at += 1;
                    }
                    b'!' | b'-' if bytes.get(at + 1) != Some(&b'=') => {
                        expr = Expr {
                            unary: true,
                            ..Expr::default()
                        };
                        at += 1;
                    }
                    b' ' | b'\t' | b'\r' | b'\n' | b'~' => at += 1,
                    _ if byte.is_ascii_digit() || is_identifier(byte) => {
                        let chain = expr.start_term();
                        at = term_end(bytes, at);
                        expr.end_term(chain);
                    }
                    _ => {
                        expr = Expr::default();
                        at += 1;
                    }
                }
            }
        }
    }
    None
}

/// Scans a quoted string from `at` up to its end or its next `${`/`%{`.
fn quoted(bytes: &[u8], mut at: usize, frames: &mut Vec<Frame<'_>>, expr: &mut Expr) -> usize {
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\\' => at += 2,
            b'"' => {
                if let Some(Frame::Quoted { chain }) = frames.pop() {
                    expr.end_term(chain);
                }
                return at + 1;
            }
            _ => {
                if let Some(next) = template_sequence(bytes, at, frames, expr) {
                    return next;
                }
                at += 1;
            }
        }
    }
    at
}

/// Scans a heredoc's body from `at` up to its closing line or its next `${`/`%{`.
fn heredoc(
    bytes: &[u8],
    mut at: usize,
    delimiter: &[u8],
    frames: &mut Vec<Frame<'_>>,
    expr: &mut Expr,
) -> usize {
    // The closing line is tried where a line starts: at the body's start, and after each line
    // ending outside `${...}`.
    let mut line_start = at == 0 || bytes.get(at - 1) == Some(&b'\n');
    while at <= bytes.len() {
        if line_start {
            let mut word = at;
            while matches!(bytes.get(word), Some(b' ' | b'\t')) {
                word += 1;
            }
            let end = word + delimiter.len();
            if bytes.get(word..end) == Some(delimiter)
                && !bytes.get(end).is_some_and(|&byte| is_identifier(byte))
            {
                if let Some(Frame::Heredoc { chain, .. }) = frames.pop() {
                    expr.end_term(chain);
                }
                return end;
            }
        }
        let Some(&byte) = bytes.get(at) else {
            break;
        };
        if let Some(next) = template_sequence(bytes, at, frames, expr) {
            return next;
        }
        line_start = byte == b'\n';
        at += 1;
    }
    bytes.len()
}

/// At a template's `${` or `%{`, opens the sequence and returns the offset after it; at an
/// escaped `$${` or `%%{`, skips it.
fn template_sequence(
    bytes: &[u8],
    at: usize,
    frames: &mut Vec<Frame<'_>>,
    expr: &mut Expr,
) -> Option<usize> {
    let next = bytes.get(at..at + 3).unwrap_or(&[]);
    if next == b"$${" || next == b"%%{" {
        return Some(at + 3);
    }
    if next.starts_with(b"${") || next.starts_with(b"%{") {
        frames.push(Frame::Sequence);
        *expr = Expr::default();
        return Some(at + 2);
    }
    None
}

/// The delimiter and the body's offset of a heredoc starting at `at` (`<<ID` or `<<-ID`, then a
/// line ending), or `None` when the text there is not one.
fn heredoc_start(bytes: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let mut start = at + 2;
    if bytes.get(start) == Some(&b'-') {
        start += 1;
    }
    if !bytes
        .get(start)
        .is_some_and(|&byte| is_identifier(byte) && !byte.is_ascii_digit() && byte != b'-')
    {
        return None;
    }
    let end = term_end(bytes, start);
    let body = match bytes.get(end..) {
        Some([b'\n', ..]) => end + 1,
        Some([b'\r', b'\n', ..]) => end + 2,
        _ => return None,
    };
    Some((bytes.get(start..end)?, body))
}

/// Whether `byte` can continue an identifier (ASCII letters, digits, `_` and `-`, and any byte
/// of a non-ASCII character, counted as a letter).
fn is_identifier(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' || !byte.is_ascii()
}

/// The end of an identifier or a number starting at `at`, with a number's fraction and signed
/// exponent (`1.5e-3`) and a traversal's legacy index (`a.0.b`).
fn term_end(bytes: &[u8], mut at: usize) -> usize {
    while let Some(&byte) = bytes.get(at) {
        let exponent_sign = matches!(byte, b'+' | b'-')
            && matches!(bytes.get(at.wrapping_sub(1)), Some(b'e' | b'E'))
            && bytes
                .get(at.wrapping_sub(2))
                .is_some_and(u8::is_ascii_digit);
        let fraction = byte == b'.' && bytes.get(at + 1).is_some_and(u8::is_ascii_digit);
        if is_identifier(byte) || exponent_sign || fraction {
            at += 1;
        } else {
            break;
        }
    }
    at
}

/// The offset of the line ending after `at` (or the text's end).
fn line_end(bytes: &[u8], at: usize) -> usize {
    find(bytes, at, b"\n").unwrap_or(bytes.len())
}

/// The offset of the first `needle` at or after `at`.
fn find(bytes: &[u8], at: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(at..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|position| at + position)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `levels` copies of `unit` after `a = `: the first copy is no unary operand, so a unit
    /// leaving one index open nests `levels - 1` deep.
    fn nested(unit: &str, levels: usize) -> String {
        format!("a = {}", unit.repeat(levels))
    }

    fn depth_ok(text: &str) -> bool {
        first_too_deep(text).is_none()
    }

    #[test]
    fn counts_index_brackets_of_unary_operands_only() {
        assert!(depth_ok(&nested("p[0][!", MAX_UNARY_INDEX_DEPTH + 1)));
        for unit in [
            "p[0][!",
            "p.q[-",
            "p[0][o<!",
            "p[0][!\"${!",
            "p[0][!(x)[0][!",
        ] {
            assert!(
                !depth_ok(&nested(unit, MAX_UNARY_INDEX_DEPTH + 2)),
                "{unit}"
            );
        }
        // Index brackets outside unary operands, arrays, calls and parentheses do not count.
        for unit in [
            "p[0][",
            "[!p, ",
            "f(!p[0], ",
            "!p + q[0][",
            "p[0][!(",
            "!{a = p[0][",
        ] {
            assert!(depth_ok(&nested(unit, 100)), "{unit}");
        }
    }

    #[test]
    fn skips_strings_comments_and_heredocs() {
        let deep = "p[0][!".repeat(MAX_UNARY_INDEX_DEPTH + 2);
        assert!(depth_ok(&format!("a = \"{deep}\"")));
        assert!(depth_ok(&format!("a = \"\\\"{deep}\"")));
        assert!(depth_ok(&format!("a = \"$${{{deep}\"")));
        assert!(depth_ok(&format!("# {deep}\na = 1")));
        assert!(depth_ok(&format!("a = 1 // {deep}\n")));
        assert!(depth_ok(&format!("a = 1 /* {deep} */\n")));
        assert!(depth_ok(&format!("a = <<EOT\n{deep}\n  EOT\nb = 1\n")));
        assert!(!depth_ok(&format!("a = \"${{{deep}}}\"")));
        assert!(!depth_ok(&format!("a = <<-EOT\nx ${{{deep}}}\nEOT\n")));
        assert!(!depth_ok(&format!("a = <<EOT\nEOT\nb = {deep}\n")));
        // A closing bracket in a string closes nothing.
        assert!(!depth_ok(&nested("p[\"]\"][!", MAX_UNARY_INDEX_DEPTH + 2)));
    }

    #[test]
    fn the_error_names_the_line_and_column() {
        let text = format!("a = 1\nb = {}", "p[0][!".repeat(MAX_UNARY_INDEX_DEPTH + 2));
        let error = too_deep("deep.tf", &text).map(|error| error.to_string());
        // The index `[0]` of the last copy is the first bracket over the limit.
        let column = "b = ".len() + "p[0][!".len() * (MAX_UNARY_INDEX_DEPTH + 1) + "p[".len();
        assert_eq!(
            error,
            Some(format!(
                "deep.tf:2:{column}: expression nested too deeply for the HCL parser: index brackets nested more than {MAX_UNARY_INDEX_DEPTH} deep in the operand of a `!` or `-` operator; simplify the expression"
            ))
        );
    }
}
