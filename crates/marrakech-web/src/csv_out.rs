//! CSV answers, written by the platform's one CSV writer (`marrakech_core::spreadsheet`:
//! formula-looking cells neutralized, numbers kept).

use axum::http::header;
use axum::response::{IntoResponse, Response};

use marrakech_core::spreadsheet;

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
    spreadsheet::to_csv(header, rows).map_err(|e| AppError::Csv(e.to_string()))
}

/// `Some(x)` as its text, `None` as an empty cell.
pub fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_neutralized() {
        let csv = to_csv(&["a", "b"], [vec!["=1+2".into(), "x, \"y\"".into()]]).unwrap();
        assert_eq!(csv, "a,b\n'=1+2,\"x, \"\"y\"\"\"\n");
    }
}
