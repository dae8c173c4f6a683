//! Writing SVG by hand: escaping, compact coordinates, the accessible frame every chart shares,
//! and a rough measure of text so labels can be laid out without a font engine.

use std::fmt::Write as _;

use crate::error::ChartError;

/// Text colour: near-black on white passes WCAG AAA.
pub(crate) const INK: &str = "#1a1a1a";
/// Axis lines and secondary text: 7:1 on white.
pub(crate) const MUTED: &str = "#555555";
pub(crate) const GRID: &str = "#dddddd";
pub(crate) const FONT_FAMILY: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
/// Tick labels, legends and value labels. 13 px at the intrinsic size; pages should not show a
/// chart much narrower than its viewBox (see the README).
pub(crate) const FONT_SIZE: f64 = 13.0;

/// Escapes text for use both as element content and inside a quoted attribute: the
/// platform's one escaper (`marrakech_core::markup`).
pub fn escape(text: &str) -> String {
    marrakech_core::markup::escape_html(text).into_owned()
}

/// A coordinate with at most one decimal, no trailing `.0`, no `-0`.
pub(crate) fn num(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    tenths_to_string(tenths)
}

pub(crate) fn tenths_to_string(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    let abs = tenths.unsigned_abs();
    if abs.is_multiple_of(10) {
        format!("{sign}{}", abs / 10)
    } else {
        format!("{sign}{}.{}", abs / 10, abs % 10)
    }
}

/// Ids become `{prefix}-title` and so on; the prefix must make them valid and not clash with
/// the page, so only a conservative alphabet is allowed.
pub(crate) fn check_id(prefix: &str) -> Result<(), ChartError> {
    let mut chars = prefix.chars();
    let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && prefix.len() <= 64;
    if ok {
        Ok(())
    } else {
        Err(ChartError::IdPrefix(prefix.to_owned()))
    }
}

/// Approximate advance width of `text` in a sans-serif face, erring wide (DejaVu Sans, the
/// widest common fallback) so labels laid out with it do not collide.
pub(crate) fn text_width(text: &str, font_size: f64) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.32,
            'f' | 't' | 'r' | 'I' | '(' | ')' | '-' | '[' | ']' => 0.4,
            'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.9,
            c if c.is_ascii_uppercase() => 0.7,
            c if c.is_ascii_digit() => 0.64,
            _ => 0.6,
        })
        .sum();
    em * font_size
}

/// Shortens `text` with an ellipsis to fit `max_width`; the full text stays in a `<title>`.
pub(crate) fn truncate_to_width(text: &str, max_width: f64, font_size: f64) -> String {
    if text_width(text, font_size) <= max_width {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        let mut candidate = out.clone();
        candidate.push(c);
        if text_width(&candidate, font_size) + text_width("…", font_size) > max_width {
            break;
        }
        out = candidate;
    }
    format!("{}…", out.trim_end())
}

/// Opens the `<svg>` with everything assistive technology needs: `role="img"`, an accessible
/// name from `<title>` and a description from `<desc>`, both referenced by id.
pub(crate) fn open(
    out: &mut String,
    id: &str,
    kind: &str,
    width: f64,
    height: f64,
    title: &str,
    desc: &str,
) {
    let (w, h) = (num(width), num(height));
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
         height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         class=\"mk-chart mk-{kind}\" id=\"{id}\" font-family=\"{FONT_FAMILY}\" \
         font-size=\"{fs}\" fill=\"{INK}\"><title id=\"{id}-title\">{title}</title>\
         <desc id=\"{id}-desc\">{desc}</desc>",
        fs = num(FONT_SIZE),
        title = escape(title),
        desc = escape(desc),
    );
}

pub(crate) fn close(out: &mut String) {
    out.push_str("</svg>");
}

/// Text element; `anchor` is `start`, `middle` or `end`. Extra attributes are written as given.
pub(crate) fn text(out: &mut String, x: f64, y: f64, anchor: &str, extra: &str, content: &str) {
    let anchor_attr = if anchor == "start" {
        String::new()
    } else {
        format!(" text-anchor=\"{anchor}\"")
    };
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(" {extra}")
    };
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\"{anchor_attr}{extra}>{}</text>",
        num(x),
        num(y),
        escape(content)
    );
}

/// The chart drawn when there is nothing to draw: an explicit message, never an empty frame,
/// so nobody mistakes a missing series for a zero.
pub(crate) fn no_data(
    id: &str,
    kind: &str,
    width: f64,
    height: f64,
    title: &str,
    message: &str,
) -> String {
    let mut out = String::new();
    open(
        &mut out,
        id,
        kind,
        width,
        height,
        title,
        &format!("{title}: {message}"),
    );
    let _ = write!(
        out,
        "<rect x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\" fill=\"#f5f5f5\" stroke=\"{GRID}\"/>",
        num(width - 1.0),
        num(height - 1.0)
    );
    text(
        &mut out,
        width / 2.0,
        height / 2.0 + 5.0,
        "middle",
        "font-size=\"16\" class=\"mk-no-data\"",
        message,
    );
    close(&mut out);
    out
}

/// One entry of a legend: a symbol drawn by the caller at (x, y) and a label beside it.
pub(crate) struct LegendItem {
    pub label: String,
    /// Width reserved for the symbol before the label.
    pub symbol_width: f64,
}

/// Places legend items left to right, wrapping into rows; returns each item's (x, y of the
/// row's middle) and the total height used.
pub(crate) fn flow_legend(
    items: &[LegendItem],
    left: f64,
    top: f64,
    max_width: f64,
    row_height: f64,
) -> (Vec<(f64, f64)>, f64) {
    let gap = 18.0;
    let mut x = left;
    let mut row = 0usize;
    let mut positions = Vec::with_capacity(items.len());
    for item in items {
        let w = item.symbol_width + 6.0 + text_width(&item.label, FONT_SIZE);
        if x > left && x + w > left + max_width {
            row += 1;
            x = left;
        }
        positions.push((x, top + row_height * (row as f64 + 0.5)));
        x += w + gap;
    }
    let rows = if items.is_empty() { 0 } else { row + 1 };
    (positions, rows as f64 * row_height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(escape("a\u{1}b"), "a\u{fffd}b");
    }

    #[test]
    fn coordinates_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.04), "12");
        assert_eq!(num(12.06), "12.1");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(-3.25), "-3.3");
    }

    #[test]
    fn ids_are_checked() {
        assert!(check_id("cost-chart_1").is_ok());
        for bad in ["", "1chart", "a b", "a\"b", "é"] {
            assert!(check_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn truncation() {
        let t = truncate_to_width("Bolivarian Republic of Venezuela", 100.0, 13.0);
        assert!(t.ends_with('…') && text_width(&t, 13.0) <= 100.0, "{t}");
    }
}
