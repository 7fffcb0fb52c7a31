//! Text of the drawing: numbers for SVG attributes, titles and truncation to a box's width.

/// A coordinate for an SVG attribute, to one decimal.
pub fn f(value: f64) -> String {
    format!("{value:.1}")
}

/// The name of an object, or its id when it has none.
pub fn title_of(name: &str, id: &str) -> String {
    if name.is_empty() {
        id.to_owned()
    } else {
        name.to_owned()
    }
}

/// `text` cut to `max` characters, the last one an ellipsis when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}\u{2026}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fits_its_box() {
        assert_eq!(f(1.26), "1.3");
        assert_eq!(f(-3.0), "-3.0");
        assert_eq!(title_of("", "sg-1"), "sg-1");
        assert_eq!(title_of("web", "sg-1"), "web");
        assert_eq!(truncate("short", 5), "short");
        assert_eq!(truncate("longer name", 6), "longe\u{2026}");
        assert_eq!(truncate("\u{00e9}t\u{00e9}s", 3), "\u{00e9}t\u{2026}");
    }
}
