//! CSV answers. Every cell a spreadsheet could read as a formula (starting with `=`, `+`, `-`,
//! `@`, tab or carriage return) is prefixed with an apostrophe, unless it is a plain number.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// Renders `rows` under `header` as a CSV download named `filename`.
pub fn csv_response<I>(filename: &str, header: &[&str], rows: I) -> Result<Response, AppError>
where
    I: IntoIterator<Item = Vec<String>>,
{
    let body = to_csv(header, rows)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response())
}

pub fn to_csv<I>(header: &[&str], rows: I) -> Result<String, AppError>
where
    I: IntoIterator<Item = Vec<String>>,
{
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::Csv(e.to_string());
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| neutralize(cell).into_owned()))
            .map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| AppError::Csv(e.to_string()))
}

pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// `Some(x)` as its text, `None` as an empty cell.
pub fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_numbers_kept() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+1+1"), "'+1+1");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("-2.5"), "-2.5");
        assert_eq!(neutralize("Mexico"), "Mexico");
        let csv = to_csv(&["a", "b"], [vec!["=1+2".into(), "x, \"y\"".into()]]).unwrap();
        assert_eq!(csv, "a,b\n'=1+2,\"x, \"\"y\"\"\"\n");
    }
}
