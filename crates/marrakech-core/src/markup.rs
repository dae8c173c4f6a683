//! The one XML and HTML escaper: every string the platform writes into markup by hand (SVG
//! charts and maps, search snippets, SDMX-ML) goes through here. Askama's templates escape
//! with the same rules for HTML. Characters XML 1.0 cannot carry at all are replaced by
//! U+FFFD, so no writer can produce a document a parser refuses.

use std::borrow::Cow;
use std::io::{self, Write};

/// Characters XML 1.0 cannot carry, even as references: C0 controls other than tab, line
/// feed and carriage return, and U+FFFE/U+FFFF (lone surrogates cannot be in a `str`).
fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// XML element content: markup characters, and a carriage return kept exact (a reader would
/// turn a literal one into a line feed).
fn text_rule(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '\r' => Some("&#13;"),
        c if forbidden(c) => Some("\u{fffd}"),
        _ => None,
    }
}

/// A double-quoted XML attribute: also the quote, and tabs and line breaks as references,
/// which survive attribute-value normalisation where literal ones become spaces.
fn attribute_rule(c: char) -> Option<&'static str> {
    match c {
        '"' => Some("&quot;"),
        '\t' => Some("&#9;"),
        '\n' => Some("&#10;"),
        c => text_rule(c),
    }
}

/// HTML and SVG, in element content or any quoted attribute: markup characters and both
/// quotes.
fn html_rule(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        c if forbidden(c) => Some("\u{fffd}"),
        _ => None,
    }
}

fn escaped(s: &str, rule: fn(char) -> Option<&'static str>) -> Cow<'_, str> {
    let Some(first) = s.char_indices().find(|(_, c)| rule(*c).is_some()) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first.0]);
    for c in s[first.0..].chars() {
        match rule(c) {
            Some(r) => out.push_str(r),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn write_escaped<W: Write + ?Sized>(
    out: &mut W,
    s: &str,
    rule: fn(char) -> Option<&'static str>,
) -> io::Result<()> {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if let Some(r) = rule(c) {
            out.write_all(&bytes[start..i])?;
            out.write_all(r.as_bytes())?;
            start = i + c.len_utf8();
        }
    }
    out.write_all(&bytes[start..])
}

/// `s` as XML element content.
pub fn escape_text(s: &str) -> Cow<'_, str> {
    escaped(s, text_rule)
}

/// `s` as the value of a double-quoted XML attribute.
pub fn escape_attribute(s: &str) -> Cow<'_, str> {
    escaped(s, attribute_rule)
}

/// `s` for HTML or SVG, as element content or a quoted attribute's value.
pub fn escape_html(s: &str) -> Cow<'_, str> {
    escaped(s, html_rule)
}

/// Writes `s` as XML element content, for streaming writers.
pub fn write_text<W: Write + ?Sized>(out: &mut W, s: &str) -> io::Result<()> {
    write_escaped(out, s, text_rule)
}

/// Writes `s` as a double-quoted XML attribute's value, for streaming writers.
pub fn write_attribute<W: Write + ?Sized>(out: &mut W, s: &str) -> io::Result<()> {
    write_escaped(out, s, attribute_rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_and_attributes() {
        assert_eq!(
            escape_text("a<b>&c\"'\r\n\u{1}"),
            "a&lt;b&gt;&amp;c\"'&#13;\n\u{fffd}"
        );
        assert_eq!(
            escape_attribute("x=\"1\" & <y>\t\n"),
            "x=&quot;1&quot; &amp; &lt;y&gt;&#9;&#10;"
        );
        assert!(matches!(escape_text("Côte d’Ivoire"), Cow::Borrowed(_)));
        let mut out = Vec::new();
        write_attribute(&mut out, "a\"b").unwrap();
        assert_eq!(out, b"a&quot;b");
    }

    #[test]
    fn html_quotes_both_quotes() {
        assert_eq!(
            escape_html("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(escape_html("a\u{1}b"), "a\u{fffd}b");
    }
}
