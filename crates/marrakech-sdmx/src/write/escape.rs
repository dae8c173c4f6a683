//! Escaping for the three syntaxes. Every string that reaches output goes through one of
//! these; ids are validated upstream, but are escaped anyway so that no writer depends on
//! that.

use std::io::{self, Write};

/// Writes `s` as XML character data (the platform's one escaper, `marrakech_core::markup`).
pub(crate) fn xml_text<W: Write + ?Sized>(out: &mut W, s: &str) -> io::Result<()> {
    marrakech_core::markup::write_text(out, s)
}

/// Writes `s` as the value of a double-quoted XML attribute.
pub(crate) fn xml_attr<W: Write + ?Sized>(out: &mut W, s: &str) -> io::Result<()> {
    marrakech_core::markup::write_attribute(out, s)
}

/// Writes `s` as a JSON string, quotes included.
pub(crate) fn json_str<W: Write + ?Sized>(out: &mut W, s: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            _ => None,
        };
        // Other controls must be escaped; U+2028/U+2029 are legal JSON but break
        // JavaScript string literals, so they are escaped too.
        let needs_u = c < ' ' || c == '\u{2028}' || c == '\u{2029}' || c == '\u{7f}';
        if short.is_some() || needs_u {
            out.write_all(&bytes[start..i])?;
            match short {
                Some(s) => out.write_all(s.as_bytes())?,
                None => write!(out, "\\u{:04x}", c as u32)?,
            }
            start = i + c.len_utf8();
        }
    }
    out.write_all(&bytes[start..])?;
    out.write_all(b"\"")
}

fn write_escaped<W: Write + ?Sized>(
    out: &mut W,
    s: &str,
    replace: impl Fn(char) -> Option<&'static str>,
) -> io::Result<()> {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if let Some(r) = replace(c) {
            out.write_all(&bytes[start..i])?;
            out.write_all(r.as_bytes())?;
            start = i + c.len_utf8();
        }
    }
    out.write_all(&bytes[start..])
}

/// Writes `s` as a CSV field (RFC 4180). SDMX-CSV is data, so the value is kept exact —
/// no `'` prefix against spreadsheet formulas, which would change it — but any field a
/// spreadsheet could take for a formula (`=`, `+`, `-`, `@`, tab, CR first) is quoted, as
/// is any field with a comma, quote, line break or edge whitespace, so that every
/// careful reader sees the text as text.
pub(crate) fn csv_field<W: Write + ?Sized>(out: &mut W, s: &str) -> io::Result<()> {
    let formula_like = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let needs_quotes = formula_like
        || s.contains([',', '"', '\n', '\r'])
        || s.starts_with(' ')
        || s.ends_with(' ');
    if !needs_quotes {
        return out.write_all(s.as_bytes());
    }
    out.write_all(b"\"")?;
    write_escaped(out, s, |c| (c == '"').then_some("\"\""))?;
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl Fn(&mut Vec<u8>, &str) -> io::Result<()>, s: &str) -> String {
        let mut out = Vec::new();
        f(&mut out, s).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn xml_text_and_attributes() {
        assert_eq!(
            run(xml_text, "a<b>&c\"'\r\n\u{1}"),
            "a&lt;b&gt;&amp;c\"'&#13;\n\u{fffd}"
        );
        assert_eq!(
            run(xml_attr, "x=\"1\" & <y>\t\n"),
            "x=&quot;1&quot; &amp; &lt;y&gt;&#9;&#10;"
        );
        assert_eq!(run(xml_text, "Côte d’Ivoire"), "Côte d’Ivoire");
    }

    #[test]
    fn json_strings() {
        assert_eq!(
            run(json_str, "a\"b\\c\n\u{1}\u{2028}é"),
            r#""a\"b\\c\n\u0001\u2028é""#
        );
        assert_eq!(run(json_str, ""), "\"\"");
    }

    #[test]
    fn csv_fields() {
        assert_eq!(run(csv_field, "plain"), "plain");
        assert_eq!(run(csv_field, "a,b"), "\"a,b\"");
        assert_eq!(run(csv_field, "say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(run(csv_field, "=1+1"), "\"=1+1\"");
        assert_eq!(run(csv_field, "-5"), "\"-5\"");
        assert_eq!(run(csv_field, "@SUM(A1)"), "\"@SUM(A1)\"");
        assert_eq!(run(csv_field, "two\nlines"), "\"two\nlines\"");
        assert_eq!(run(csv_field, " padded"), "\" padded\"");
        assert_eq!(run(csv_field, ""), "");
    }
}
