//! Typed errors. Two levels, because a bad file and a bad row call for different answers:
//! an [`ImportError`] stops the import (wrong layout, unreadable file), a [`RejectedRow`] is
//! reported with its line and the import goes on.

use std::fmt;

use thiserror::Error;

/// Why an import could not run at all.
#[derive(Debug, Error)]
pub enum ImportError {
    /// The header does not have the columns this format needs. One error names them all,
    /// so a person fixes the file in one go.
    #[error("{format}: wrong layout, missing column{} {}", plural(.missing.len()), quoted(.missing))]
    Layout {
        format: &'static str,
        missing: Vec<String>,
    },
    /// Nothing that looks like a header row in the first rows of the file.
    #[error("{format}: the file is empty or has no header row")]
    NoHeader { format: &'static str },
    #[error("{format}: no sheet named {}; the workbook has {}", quoted(.wanted), quoted(.found))]
    SheetNotFound {
        format: &'static str,
        wanted: Vec<String>,
        found: Vec<String>,
    },
    #[error("{format}: cannot read the CSV: {source}")]
    Csv {
        format: &'static str,
        source: csv::Error,
    },
    #[error("{format}: cannot read the workbook: {source}")]
    Xlsx {
        format: &'static str,
        source: calamine::XlsxError,
    },
    /// The file is damaged (cut short, a quote never closed, NUL bytes, not UTF-8): nothing
    /// in it can be trusted, so none of it is imported.
    #[error("{format}: line {line}: {damage}")]
    Damaged {
        format: &'static str,
        line: u64,
        damage: Damage,
    },
    /// The header was found but no row under it gave a record: importing it would replace a
    /// release with nothing.
    #[error("{format}: {}", no_records(*.rows, *.rejected, *.skipped))]
    NoRecords {
        format: &'static str,
        rows: u64,
        rejected: u64,
        skipped: u64,
    },
}

/// How a file is damaged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Damage {
    #[error("the file ends inside a record ({fields} of the header's {expected} fields): it was cut short")]
    EndsInsideRecord { fields: usize, expected: usize },
    #[error("a quoted field opens here and is never closed (the file ends inside it)")]
    UnclosedQuote,
    #[error("{count} NUL byte{} (the first on this line): not a text file, or a damaged one", plural(*.count as usize))]
    NulBytes { count: u64 },
    #[error("not valid UTF-8 ({0}): save the file as UTF-8")]
    NotUtf8(String),
}

fn no_records(rows: u64, rejected: u64, skipped: u64) -> String {
    if rows == 0 {
        "no data rows under the header: nothing to import".to_owned()
    } else {
        format!(
            "none of the {rows} data row{} gave a record ({rejected} rejected, {skipped} skipped): nothing to import",
            plural(rows as usize)
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row that was read but not imported, with where it is and why.
#[derive(Debug, Clone, PartialEq, Error)]
pub struct RejectedRow {
    /// The sheet, for workbooks (a workbook can hold several data sheets).
    pub sheet: Option<String>,
    /// The 1-based line of a CSV file (where the record starts) or row of a sheet.
    pub line: u64,
    pub problem: RowProblem,
}

impl fmt::Display for RejectedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sheet {
            Some(sheet) => write!(f, "sheet `{sheet}`, row {}: {}", self.line, self.problem),
            None => write!(f, "line {}: {}", self.line, self.problem),
        }
    }
}

/// What is wrong with a row, naming the field where there is one.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RowProblem {
    #[error("{field} is empty")]
    Missing { field: String },
    #[error("{field} `{value}` is not {expected}")]
    Invalid {
        field: String,
        value: String,
        expected: &'static str,
    },
    #[error("{0}")]
    Inconsistent(String),
    /// A second row with the key of an earlier one: `first` says where the earlier one is
    /// (`line 14`, `sheet `Dataset`, row 14`), `key` what the key is.
    #[error("repeats {first} ({key})")]
    Repeats { first: String, key: String },
}

impl RowProblem {
    pub(crate) fn invalid(field: &str, value: &str, expected: &'static str) -> RowProblem {
        RowProblem::Invalid {
            field: field.to_owned(),
            value: value.to_owned(),
            expected,
        }
    }

    pub(crate) fn missing(field: &str) -> RowProblem {
        RowProblem::Missing {
            field: field.to_owned(),
        }
    }
}
