//! CSV that people open in spreadsheets: every download of a page, a chart's table, the API's
//! `format=csv` and the command line's exports goes through [`to_csv`], so there is one writer
//! and one formula-injection rule.
//!
//! The rule: a cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return) gets an apostrophe in front, unless it is a plain number, so
//! `-2.5` stays a number. SDMX-CSV is not written here: it is a data-exchange format whose
//! values SDMX clients read back exactly (its codes and numbers never start with a formula
//! character, and an apostrophe would corrupt them), so the SDMX crate writes it as the
//! standard says.

use std::borrow::Cow;

/// A CSV that could not be written (the writer is in memory, so this is a bug, not I/O).
#[derive(Debug, thiserror::Error)]
#[error("cannot write CSV: {0}")]
pub struct CsvError(String);

/// The cell as written: formula-looking text neutralized, numbers kept.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// `header` and `rows` as CSV (quoted where needed, `\n` line ends), every cell neutralized.
pub fn to_csv<H, R, C>(header: H, rows: impl IntoIterator<Item = R>) -> Result<String, CsvError>
where
    H: IntoIterator,
    H::Item: AsRef<str>,
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let fail = |e: csv::Error| CsvError(e.to_string());
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(
            header
                .into_iter()
                .map(|h| neutralize(h.as_ref()).into_owned()),
        )
        .map_err(fail)?;
    for row in rows {
        writer
            .write_record(row.into_iter().map(|c| neutralize(c.as_ref()).into_owned()))
            .map_err(fail)?;
    }
    let bytes = writer.into_inner().map_err(|e| CsvError(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| CsvError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_numbers_kept() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+1+1"), "'+1+1");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("\tcmd"), "'\tcmd");
        assert_eq!(neutralize("-2.5"), "-2.5");
        assert_eq!(neutralize("-"), "'-");
        assert_eq!(neutralize("Mexico"), "Mexico");
    }

    #[test]
    fn quotes_what_needs_quoting() {
        let csv = to_csv(
            ["Name", "=Value"],
            [
                ["Bonaire, Sint Eustatius and Saba", "1234.5"],
                ["say \"hi\"", "-2"],
                ["=cmd()", ""],
            ],
        )
        .unwrap();
        assert_eq!(
            csv,
            "Name,'=Value\n\"Bonaire, Sint Eustatius and Saba\",1234.5\n\"say \"\"hi\"\"\",-2\n'=cmd(),\n"
        );
    }
}
