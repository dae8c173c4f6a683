//! The data a chart draws, as a table: the page shows it under the chart and offers it as CSV,
//! both built from the same prepared values as the picture so they cannot disagree.

use marrakech_core::spreadsheet::{to_csv, CsvError};

/// One cell: text, or a number with both its display form and its raw value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number {
        value: f64,
        display: String,
    },
    /// A value the chart shows as missing (a gap, grey).
    Missing,
}

impl Cell {
    /// What a reader sees in the HTML table: numbers with thousands separators and unit.
    pub fn display(&self) -> &str {
        match self {
            Cell::Text(t) => t,
            Cell::Number { display, .. } => display,
            Cell::Missing => "no data",
        }
    }

    /// What goes into CSV: numbers unformatted (`1234567.5`), missing values empty.
    pub fn raw(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number { value, .. } => format!("{value}"),
            Cell::Missing => String::new(),
        }
    }

    pub fn value(&self) -> Option<f64> {
        match self {
            Cell::Number { value, .. } => Some(*value),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Headers and display strings, ready for an HTML table.
    pub fn display(&self) -> (Vec<String>, Vec<Vec<String>>) {
        (
            self.headers.clone(),
            self.rows
                .iter()
                .map(|r| r.iter().map(|c| c.display().to_owned()).collect())
                .collect(),
        )
    }

    /// Headers and raw strings, for CSV writers of the caller's choice.
    pub fn raw(&self) -> (Vec<String>, Vec<Vec<String>>) {
        (
            self.headers.clone(),
            self.rows
                .iter()
                .map(|r| r.iter().map(Cell::raw).collect())
                .collect(),
        )
    }

    /// The raw values as CSV, through the platform's one CSV writer (formula-looking text
    /// neutralized; see `marrakech_core::spreadsheet`).
    pub fn to_csv(&self) -> Result<String, CsvError> {
        to_csv(
            &self.headers,
            self.rows.iter().map(|r| r.iter().map(Cell::raw)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_guards() {
        let t = Table {
            headers: vec!["Name".into(), "Value".into()],
            rows: vec![
                vec![
                    Cell::Text("Bonaire, Sint Eustatius and Saba".into()),
                    Cell::Number {
                        value: 1234.5,
                        display: "1,234.5".into(),
                    },
                ],
                vec![Cell::Text("=cmd()".into()), Cell::Missing],
                vec![
                    Cell::Text("say \"hi\"".into()),
                    Cell::Number {
                        value: -2.0,
                        display: "-2".into(),
                    },
                ],
            ],
        };
        assert_eq!(
            t.to_csv().unwrap(),
            "Name,Value\n\"Bonaire, Sint Eustatius and Saba\",1234.5\n'=cmd(),\n\"say \"\"hi\"\"\",-2\n"
        );
        assert_eq!(t.display().1[1], ["=cmd()", "no data"]);
    }
}
