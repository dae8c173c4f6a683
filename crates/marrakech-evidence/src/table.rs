//! The machinery every importer shares: rows from CSV or XLSX behind one view, header
//! matching, value parsing, and the streaming driver that hands each row's outcome to a
//! [`Sink`] as soon as it is read (nothing is buffered beyond the header rows).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hash;
use std::io::{Read, Seek};
use std::ops::ControlFlow;
use std::sync::Arc;

use calamine::{DataRef, Reader, Xlsx, XlsxError};
use serde::Serialize;

use crate::error::{Damage, ImportError, RejectedRow, RowProblem};

/// Where each row's outcome goes: a record, or a rejected row. Returning
/// `ControlFlow::Break` stops the import (e.g. when the caller's database write failed).
pub trait Sink<T> {
    fn accept(&mut self, row: Result<T, RejectedRow>) -> ControlFlow<()>;
}

impl<T, F> Sink<T> for F
where
    F: FnMut(Result<T, RejectedRow>) -> ControlFlow<()>,
{
    fn accept(&mut self, row: Result<T, RejectedRow>) -> ControlFlow<()> {
        self(row)
    }
}

/// Everything an import produced, collected in memory: for files that fit (all the real
/// ones do) and for tests. Large imports should stream into their own [`Sink`].
#[derive(Debug, Clone)]
pub struct Import<T> {
    pub summaries: Vec<Summary>,
    pub records: Vec<T>,
    pub rejected: Vec<RejectedRow>,
}

impl<T> Default for Import<T> {
    fn default() -> Self {
        Import {
            summaries: Vec::new(),
            records: Vec::new(),
            rejected: Vec::new(),
        }
    }
}

impl<T> Sink<T> for Import<T> {
    fn accept(&mut self, row: Result<T, RejectedRow>) -> ControlFlow<()> {
        match row {
            Ok(r) => self.records.push(r),
            Err(e) => self.rejected.push(e),
        }
        ControlFlow::Continue(())
    }
}

/// What one table (a CSV file or one sheet) held, for the closing report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub format: &'static str,
    /// The layout recognised from the header (e.g. `rpw-2016`, `mmp-legacy`).
    pub layout: String,
    pub sheet: Option<String>,
    /// The 1-based line (CSV) or row (sheet) of the header.
    pub header_line: u64,
    /// Header cells this format does not know: reported, not fatal.
    pub unknown_columns: Vec<String>,
    /// Columns with no header at all (trailing unlabeled columns in recent RPW releases).
    pub unlabeled_columns: usize,
    /// Data rows read after the header, blank ones excluded.
    pub rows: u64,
    /// Records handed to the sink (an IMS row gives one per year and sex).
    pub records: u64,
    pub rejected: u64,
    /// Of the rejected rows, those that repeat the key of an earlier row.
    pub duplicates: u64,
    /// Rows deliberately passed over: blank rows, DataBank footers, aggregate rows.
    pub skipped: u64,
    /// True when the sink stopped the import early.
    pub stopped: bool,
}

/// One cell, whatever the file type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellValue<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Bool(bool),
    Error,
}

/// A row of cells from either source.
pub(crate) trait RowView {
    fn width(&self) -> usize;
    fn cell(&self, i: usize) -> CellValue<'_>;

    fn is_blank(&self) -> bool {
        (0..self.width()).all(|i| matches!(self.cell(i), CellValue::Empty))
    }

    /// The cell as trimmed text; `None` when blank. Numbers print without a trailing
    /// `.0`, so a code typed as a number in Excel (`108`) reads like the CSV's.
    fn text(&self, col: Option<usize>) -> Option<Cow<'_, str>> {
        match self.cell(col?) {
            CellValue::Empty => None,
            CellValue::Text(s) => {
                let s = s.trim();
                (!s.is_empty()).then_some(Cow::Borrowed(s))
            }
            CellValue::Number(n) => Some(Cow::Owned(format_number(n))),
            CellValue::Bool(b) => Some(Cow::Borrowed(if b { "true" } else { "false" })),
            CellValue::Error => Some(Cow::Borrowed("#ERROR")),
        }
    }

    fn texts(&self) -> Vec<String> {
        (0..self.width())
            .map(|i| {
                self.text(Some(i))
                    .map(|c| c.into_owned())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// A number, or `None` when blank or one of the usual "no value" marks.
    fn number(&self, col: Option<usize>, field: &str) -> Result<Option<f64>, RowProblem> {
        let Some(col) = col else { return Ok(None) };
        match self.cell(col) {
            CellValue::Empty => Ok(None),
            CellValue::Number(n) if n.is_finite() => Ok(Some(n)),
            CellValue::Text(s) => {
                parse_number(s).map_err(|()| RowProblem::invalid(field, s.trim(), "a number"))
            }
            other => Err(RowProblem::invalid(
                field,
                &format!("{other:?}"),
                "a number",
            )),
        }
    }

    /// A non-negative whole number (people, counts); `None` when blank.
    fn count(&self, col: Option<usize>, field: &str) -> Result<Option<u32>, RowProblem> {
        let Some(n) = self.number(col, field)? else {
            return Ok(None);
        };
        if n < 0.0 || n.fract() != 0.0 || n > u32::MAX as f64 {
            let shown = self.text(col).map(|c| c.into_owned()).unwrap_or_default();
            return Err(RowProblem::invalid(field, &shown, "a whole number"));
        }
        Ok(Some(n as u32))
    }
}

/// Prints integral values without a fraction.
pub(crate) fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Parses a number as written in these files: plain (`5.2`, `-0.5`, `1e3`), with a trailing
/// `%`, or with thousands separators in their only unambiguous form (`1,022`,
/// `12,345,678`). The "no value" marks `..`, `-`, `n/a`, `na`, `NaN` give `None`.
pub(crate) fn parse_number(s: &str) -> Result<Option<f64>, ()> {
    let s = s.trim();
    // Most cells are plain whole numbers: a fast path, exact below 2^53.
    if !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(
            s.bytes().fold(0u64, |n, b| n * 10 + (b - b'0') as u64) as f64,
        ));
    }
    if s.is_empty()
        || matches!(s, ".." | "-" | "–" | "…")
        || s.eq_ignore_ascii_case("n/a")
        || s.eq_ignore_ascii_case("na")
        || s.eq_ignore_ascii_case("nan")
    {
        return Ok(None);
    }
    let s = s.strip_suffix('%').map(str::trim_end).unwrap_or(s);
    if let Ok(n) = s.parse::<f64>() {
        return if n.is_finite() { Ok(Some(n)) } else { Err(()) };
    }
    // 1,022 or -12,345.5: groups of exactly three digits after the first comma.
    let (sign, body) = match s.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, s),
    };
    let (int_part, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut groups = int_part.split(',');
    let first = groups.next().ok_or(())?;
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    let mut digits = first.to_owned();
    let mut any = false;
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        digits.push_str(g);
        any = true;
    }
    if !any {
        return Err(());
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        digits.push('.');
        digits.push_str(f);
    }
    digits
        .parse::<f64>()
        .map(|n| Some(sign * n))
        .map_err(|_| ())
}

impl RowView for csv::StringRecord {
    fn width(&self) -> usize {
        self.len()
    }

    fn cell(&self, i: usize) -> CellValue<'_> {
        match self.get(i) {
            Some(s) if !s.trim().is_empty() => CellValue::Text(s),
            _ => CellValue::Empty,
        }
    }
}

/// A header row as strings; used by tests and by `RowView for Vec<String>`.
impl RowView for Vec<String> {
    fn width(&self) -> usize {
        self.len()
    }

    fn cell(&self, i: usize) -> CellValue<'_> {
        match self.get(i) {
            Some(s) if !s.trim().is_empty() => CellValue::Text(s),
            _ => CellValue::Empty,
        }
    }
}

/// A sheet row assembled from calamine's streaming cell reader.
pub(crate) struct XlsxRow<'a>(Vec<DataRef<'a>>);

impl RowView for XlsxRow<'_> {
    fn width(&self) -> usize {
        self.0.len()
    }

    fn cell(&self, i: usize) -> CellValue<'_> {
        match self.0.get(i) {
            None | Some(DataRef::Empty) => CellValue::Empty,
            Some(DataRef::String(s))
            | Some(DataRef::DateTimeIso(s))
            | Some(DataRef::DurationIso(s)) => {
                if s.trim().is_empty() {
                    CellValue::Empty
                } else {
                    CellValue::Text(s)
                }
            }
            Some(DataRef::SharedString(s)) => {
                if s.trim().is_empty() {
                    CellValue::Empty
                } else {
                    CellValue::Text(s)
                }
            }
            Some(DataRef::Int(n)) => CellValue::Number(*n as f64),
            Some(DataRef::Float(f)) => CellValue::Number(*f),
            Some(DataRef::Bool(b)) => CellValue::Bool(*b),
            Some(DataRef::DateTime(d)) => CellValue::Number(d.as_f64()),
            Some(DataRef::Error(_)) => CellValue::Error,
        }
    }
}

/// A source of rows: a CSV file or one sheet of a workbook. `next_row` gives the 1-based
/// line (CSV) or row (sheet) of the next row, `None` at the end.
pub(crate) trait RowSource {
    type View: RowView;
    fn next_row(&mut self) -> Result<Option<u64>, ImportError>;
    fn row(&self) -> &Self::View;

    /// Called once the source has said it ended: whether it ended where a whole file ends.
    /// `header_width` is the number of fields of the header row.
    fn check_end(&self, _header_width: usize) -> Result<(), ImportError> {
        Ok(())
    }
}

/// Where a quoting scan is, mirroring the `csv` crate's reading of RFC 4180 as configured
/// below (comma, double quote, doubled quotes inside quotes, LF ending a record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Quoting {
    /// At the start of a field (or of a record).
    #[default]
    FieldStart,
    /// Inside a field that did not start with a quote: quotes there are plain characters.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: closed, unless another quote follows.
    QuoteInQuoted,
}

/// What a byte-level scan of a CSV file saw: the facts the `csv` crate does not report
/// (a quote still open at the end, NUL bytes, the last byte).
#[derive(Debug, Default)]
struct Scan {
    /// The 1-based line of the next byte.
    line: u64,
    quoting: Quoting,
    /// The line where the quoted field now open started.
    quote_line: u64,
    nuls: u64,
    first_nul_line: u64,
    last: Option<u8>,
}

impl Scan {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == 0 {
                if self.nuls == 0 {
                    self.first_nul_line = self.line;
                }
                self.nuls += 1;
            }
            let newline = b == b'\n';
            self.quoting = match (self.quoting, b) {
                (Quoting::Quoted, b'"') => Quoting::QuoteInQuoted,
                (Quoting::Quoted, _) => Quoting::Quoted,
                (Quoting::QuoteInQuoted, b'"') => Quoting::Quoted,
                (Quoting::FieldStart, b'"') => {
                    self.quote_line = self.line;
                    Quoting::Quoted
                }
                (_, b',') => Quoting::FieldStart,
                (_, _) if newline => Quoting::FieldStart,
                (_, _) => Quoting::Unquoted,
            };
            if b == b'\n' {
                self.line += 1;
            }
        }
        if let Some(&b) = bytes.last() {
            self.last = Some(b);
        }
    }
}

/// A reader that scans what passes through it.
struct Scanned<R> {
    inner: R,
    scan: Scan,
}

impl<R: Read> Read for Scanned<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.scan.feed(&buf[..n]);
        Ok(n)
    }
}

pub(crate) struct CsvSource<R: Read> {
    format: &'static str,
    reader: csv::Reader<Scanned<R>>,
    record: csv::StringRecord,
    /// The line and width of the last record read.
    last: Option<(u64, usize)>,
}

impl<R: Read> CsvSource<R> {
    pub(crate) fn new(format: &'static str, reader: R) -> CsvSource<R> {
        CsvSource {
            format,
            // No header handling in csv: the driver finds the header row itself, and rows
            // may be ragged (footers, trailing columns).
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                // Records end at LF only, a CR before it staying in the last field (cells are
                // trimmed): with CRLF as the terminator, `csv` numbers a record from the CR
                // that ended the previous one, one line too early.
                .terminator(csv::Terminator::Any(b'\n'))
                .from_reader(Scanned {
                    inner: reader,
                    scan: Scan {
                        line: 1,
                        ..Scan::default()
                    },
                }),
            record: csv::StringRecord::new(),
            last: None,
        }
    }

    fn damaged(&self, line: u64, damage: Damage) -> ImportError {
        ImportError::Damaged {
            format: self.format,
            line,
            damage,
        }
    }
}

impl<R: Read> RowSource for CsvSource<R> {
    type View = csv::StringRecord;

    fn next_row(&mut self) -> Result<Option<u64>, ImportError> {
        let result = self.reader.read_record(&mut self.record);
        // The scan runs ahead of the records (the reader buffers), so a NUL byte is caught
        // before the row holding it is used. The rest of the file is scanned to count them.
        if self.reader.get_ref().scan.nuls > 0 {
            let _ = std::io::copy(self.reader.get_mut(), &mut std::io::sink());
            let scan = &self.reader.get_ref().scan;
            return Err(self.damaged(scan.first_nul_line, Damage::NulBytes { count: scan.nuls }));
        }
        match result {
            Ok(true) => {
                let line = self.record.position().map(|p| p.line()).unwrap_or(0);
                self.last = Some((line, self.record.len()));
                Ok(Some(line))
            }
            Ok(false) => Ok(None),
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                if let csv::ErrorKind::Utf8 { err, .. } = e.kind() {
                    return Err(self.damaged(line, Damage::NotUtf8(err.to_string())));
                }
                Err(ImportError::Csv {
                    format: self.format,
                    source: e,
                })
            }
        }
    }

    fn row(&self) -> &csv::StringRecord {
        &self.record
    }

    fn check_end(&self, header_width: usize) -> Result<(), ImportError> {
        let scan = &self.reader.get_ref().scan;
        if matches!(scan.quoting, Quoting::Quoted) {
            return Err(self.damaged(scan.quote_line, Damage::UnclosedQuote));
        }
        // Without a line break at the end, a last record shorter than the header was cut.
        let ended_line = matches!(scan.last, Some(b'\n' | b'\r') | None);
        if let Some((line, fields)) = self.last {
            if !ended_line && fields < header_width {
                return Err(self.damaged(
                    line,
                    Damage::EndsInsideRecord {
                        fields,
                        expected: header_width,
                    },
                ));
            }
        }
        Ok(())
    }
}

/// A sheet's rows, assembled from calamine's streaming cell reader (whose type is not
/// public, hence the closure). Cells arrive row by row; a row ends when a cell of the next
/// row arrives.
pub(crate) struct XlsxSource<'a, C> {
    format: &'static str,
    next_cell: C,
    /// The reader said the sheet ended; asking again would read past it and fail.
    done: bool,
    pending: Option<calamine::Cell<DataRef<'a>>>,
    row: XlsxRow<'a>,
}

/// The widest row we assemble: far past any real layout, it bounds memory if a stray cell
/// sits at column XFD.
const MAX_COLUMNS: u32 = 1024;

type NextCell<'a> = Result<Option<calamine::Cell<DataRef<'a>>>, XlsxError>;

impl<'a, C: FnMut() -> NextCell<'a>> XlsxSource<'a, C> {
    pub(crate) fn new(format: &'static str, next_cell: C) -> XlsxSource<'a, C> {
        XlsxSource {
            format,
            next_cell,
            done: false,
            pending: None,
            row: XlsxRow(Vec::with_capacity(64)),
        }
    }

    fn place(&mut self, cell: calamine::Cell<DataRef<'a>>) {
        let col = cell.get_position().1;
        if col >= MAX_COLUMNS {
            return;
        }
        let col = col as usize;
        if col >= self.row.0.len() {
            self.row.0.resize(col + 1, DataRef::Empty);
        }
        self.row.0[col] = cell.get_value().clone();
    }
}

impl<'a, C: FnMut() -> NextCell<'a>> RowSource for XlsxSource<'a, C> {
    type View = XlsxRow<'a>;

    fn next_row(&mut self) -> Result<Option<u64>, ImportError> {
        let format = self.format;
        let err = |source| ImportError::Xlsx { format, source };
        self.row.0.clear();
        let first = match self.pending.take() {
            Some(c) => c,
            None if self.done => return Ok(None),
            None => match (self.next_cell)().map_err(err)? {
                Some(c) => c,
                None => {
                    self.done = true;
                    return Ok(None);
                }
            },
        };
        let row = first.get_position().0;
        self.place(first);
        while !self.done {
            match (self.next_cell)().map_err(err)? {
                Some(c) if c.get_position().0 == row => self.place(c),
                Some(c) => {
                    self.pending = Some(c);
                    break;
                }
                None => self.done = true,
            }
        }
        Ok(Some(row as u64 + 1))
    }

    fn row(&self) -> &XlsxRow<'a> {
        &self.row
    }
}

/// Streams one sheet of an open workbook through `drive`.
pub(crate) fn drive_sheet<RS, L, K>(
    workbook: &mut Xlsx<RS>,
    sheet: &str,
    layout: &mut L,
    seen: &mut Seen<L::Key>,
    sink: &mut K,
) -> Result<Summary, ImportError>
where
    RS: Read + Seek,
    L: Layout,
    K: Sink<L::Record> + ?Sized,
{
    let format = layout.format();
    let mut cells = workbook
        .worksheet_cells_reader(sheet)
        .map_err(|source| ImportError::Xlsx { format, source })?;
    let mut source = XlsxSource::new(format, move || cells.next_cell());
    drive(&mut source, layout, Some(sheet), seen, sink)
}

/// Opens a workbook for streaming.
pub(crate) fn open_xlsx<RS: Read + Seek>(
    format: &'static str,
    reader: RS,
) -> Result<Xlsx<RS>, ImportError> {
    Xlsx::new(reader).map_err(|source| ImportError::Xlsx { format, source })
}

/// The names of a workbook's sheets, in order.
pub(crate) fn sheet_names<RS: Read + Seek>(workbook: &Xlsx<RS>) -> Vec<String> {
    workbook.sheet_names()
}

/// Header cells compared without case, spaces or punctuation, so `SOURCE_CODE`,
/// `source_code` and `Source code` match, and so do `PICK-UP METHOD` and `pickup method`.
pub(crate) fn normalize_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A column a format knows.
pub(crate) struct Col {
    /// The name used in messages.
    pub name: &'static str,
    /// Other spellings met in the wild (compared normalised).
    pub aliases: &'static [&'static str],
    pub required: bool,
}

pub(crate) const fn req(name: &'static str, aliases: &'static [&'static str]) -> Col {
    Col {
        name,
        aliases,
        required: true,
    }
}

pub(crate) const fn opt(name: &'static str, aliases: &'static [&'static str]) -> Col {
    Col {
        name,
        aliases,
        required: false,
    }
}

/// The outcome of matching a header row against a column list.
pub(crate) struct Matched {
    /// For each column of the list, where it is in the file.
    pub pos: Vec<Option<usize>>,
    /// Required columns not found, by name.
    pub missing: Vec<String>,
    /// Non-blank header cells no column claimed, with their position; a format with
    /// dynamic columns (years, quarters, dimensions) claims its own from here.
    pub unmatched: Vec<(usize, String)>,
    /// Blank header cells.
    pub unlabeled: usize,
}

pub(crate) fn match_columns(header: &[String], spec: &[Col]) -> Matched {
    let keys: Vec<Vec<String>> = spec
        .iter()
        .map(|c| {
            std::iter::once(c.name)
                .chain(c.aliases.iter().copied())
                .map(normalize_header)
                .collect()
        })
        .collect();
    let mut pos = vec![None; spec.len()];
    let mut unmatched = Vec::new();
    let mut unlabeled = 0;
    for (i, cell) in header.iter().enumerate() {
        let n = normalize_header(cell);
        if n.is_empty() {
            unlabeled += 1;
            continue;
        }
        match keys
            .iter()
            .position(|k| k.contains(&n))
            .filter(|&c| pos[c].is_none())
        {
            Some(c) => pos[c] = Some(i),
            None => unmatched.push((i, cell.trim().to_owned())),
        }
    }
    let missing = spec
        .iter()
        .zip(&pos)
        .filter(|(c, p)| c.required && p.is_none())
        .map(|(c, _)| c.name.to_owned())
        .collect();
    Matched {
        pos,
        missing,
        unmatched,
        unlabeled,
    }
}

/// What a layout learnt from the header.
pub(crate) struct HeaderInfo {
    pub layout: String,
    pub unknown: Vec<String>,
    pub unlabeled: usize,
}

/// What parsing a data row gave.
pub(crate) enum Parsed {
    /// The row's records were pushed (possibly none: an IMS row with every value blank).
    Records,
    /// A row deliberately passed over (footer, aggregate).
    Skip,
}

/// One file format: how to recognise its header, read its rows and key its records.
pub(crate) trait Layout {
    type Record;
    /// What identifies a record: no two records of one file may share it.
    type Key: Hash + Eq;

    fn format(&self) -> &'static str;

    /// How many non-blank rows from the top may hold the header (title rows above it).
    fn header_scan(&self) -> usize {
        1
    }

    /// Recognises the header; `previous` is the non-blank row above it (block headings).
    /// On failure, the required columns that are missing.
    fn header(
        &mut self,
        previous: Option<&[String]>,
        header: &[String],
    ) -> Result<HeaderInfo, Vec<String>>;

    /// Validates one row entirely before pushing anything, so a row is all in or all out.
    fn parse<V: RowView>(
        &mut self,
        row: &V,
        line: u64,
        out: &mut Vec<Self::Record>,
    ) -> Result<Parsed, RowProblem>;

    /// The record's key.
    fn key(&self, record: &Self::Record) -> Self::Key;

    /// The key in words, for the message naming a repeated one
    /// (`destination 484, origin 320, sex F, 2024`).
    fn describe(&self, key: &Self::Key) -> String;
}

/// The keys met so far in a file (across its sheets), each with where it was first met.
pub(crate) struct Seen<K> {
    first: HashMap<K, (Option<Arc<str>>, u64)>,
}

impl<K> Default for Seen<K> {
    fn default() -> Self {
        Seen {
            first: HashMap::new(),
        }
    }
}

/// Where a row is, as a message says it: `line 14` in a CSV file, `row 14` in a sheet, and
/// the sheet's name when it is not the sheet of the row being reported.
fn place(sheet: Option<&str>, line: u64, from: Option<&str>) -> String {
    match sheet {
        None => format!("line {line}"),
        Some(s) if Some(s) == from => format!("row {line}"),
        Some(s) => format!("sheet `{s}`, row {line}"),
    }
}

/// Reads a table to its end: finds the header, then parses each row and hands the outcome
/// to the sink straight away. A row with the key of an earlier one is rejected, naming both.
pub(crate) fn drive<S, L, K>(
    source: &mut S,
    layout: &mut L,
    sheet: Option<&str>,
    seen: &mut Seen<L::Key>,
    sink: &mut K,
) -> Result<Summary, ImportError>
where
    S: RowSource,
    L: Layout,
    K: Sink<L::Record> + ?Sized,
{
    let format = layout.format();
    let mut summary = Summary {
        format,
        sheet: sheet.map(str::to_owned),
        ..Summary::default()
    };
    let sheet_name: Option<Arc<str>> = sheet.map(Arc::from);
    let mut previous: Option<Vec<String>> = None;
    let mut best: Option<Vec<String>> = None;
    let mut scanned = 0;
    let header_width;
    loop {
        let no_header = |best: Option<Vec<String>>| match best {
            Some(missing) => ImportError::Layout { format, missing },
            None => ImportError::NoHeader { format },
        };
        if scanned >= layout.header_scan() {
            return Err(no_header(best));
        }
        let Some(line) = source.next_row()? else {
            return Err(no_header(best));
        };
        let row = source.row();
        if row.is_blank() {
            continue;
        }
        scanned += 1;
        let cells = row.texts();
        match layout.header(previous.as_deref(), &cells) {
            Ok(info) => {
                summary.layout = info.layout;
                summary.unknown_columns = info.unknown;
                summary.unlabeled_columns = info.unlabeled;
                summary.header_line = line;
                header_width = cells.len();
                break;
            }
            Err(missing) => {
                if best.as_ref().is_none_or(|b| missing.len() < b.len()) {
                    best = Some(missing);
                }
            }
        }
        previous = Some(cells);
    }

    let mut out = Vec::new();
    let mut keys = Vec::new();
    let mut widest = header_width;
    let mut ended = true;
    while let Some(line) = source.next_row()? {
        let row = source.row();
        let last = (0..row.width())
            .rev()
            .find(|&i| !matches!(row.cell(i), CellValue::Empty));
        let Some(last) = last else {
            summary.skipped += 1;
            continue;
        };
        widest = widest.max(last + 1);
        summary.rows += 1;
        out.clear();
        let result = match layout.parse(row, line, &mut out) {
            Ok(Parsed::Records) => {
                keys.clear();
                keys.extend(out.iter().map(|r| layout.key(r)));
                let repeated = keys.iter().enumerate().find_map(|(i, k)| {
                    match seen.first.get(k) {
                        Some((s, l)) => Some((place(s.as_deref(), *l, sheet), k)),
                        // Two records of one row with one key (never in a valid layout).
                        None => keys[..i]
                            .contains(k)
                            .then(|| (place(sheet, line, sheet), k)),
                    }
                });
                match repeated {
                    Some((first, key)) => {
                        summary.duplicates += 1;
                        Err(RejectedRow {
                            sheet: summary.sheet.clone(),
                            line,
                            problem: RowProblem::Repeats {
                                first,
                                key: layout.describe(key),
                            },
                        })
                    }
                    None => {
                        for k in keys.drain(..) {
                            seen.first.insert(k, (sheet_name.clone(), line));
                        }
                        Ok(())
                    }
                }
            }
            Ok(Parsed::Skip) => {
                summary.skipped += 1;
                continue;
            }
            Err(problem) => Err(RejectedRow {
                sheet: summary.sheet.clone(),
                line,
                problem,
            }),
        };
        let flow = match result {
            Ok(()) => {
                let mut flow = ControlFlow::Continue(());
                for record in out.drain(..) {
                    summary.records += 1;
                    flow = sink.accept(Ok(record));
                    if flow.is_break() {
                        break;
                    }
                }
                flow
            }
            Err(rejected) => {
                summary.rejected += 1;
                sink.accept(Err(rejected))
            }
        };
        if flow.is_break() {
            summary.stopped = true;
            ended = false;
            break;
        }
    }
    if ended {
        source.check_end(header_width)?;
    }
    summary.unlabeled_columns += widest - header_width;
    Ok(summary)
}

/// Refuses a file none of whose rows gave a record (a header alone, or every row rejected
/// or skipped): importing it would replace a release with nothing. A file whose reading was
/// stopped by the caller is not judged.
pub(crate) fn require_records(summaries: &[Summary]) -> Result<(), ImportError> {
    let Some(first) = summaries.first() else {
        return Ok(());
    };
    if summaries.iter().any(|s| s.stopped) || summaries.iter().any(|s| s.records > 0) {
        return Ok(());
    }
    Err(ImportError::NoRecords {
        format: first.format,
        rows: summaries.iter().map(|s| s.rows).sum(),
        rejected: summaries.iter().map(|s| s.rejected).sum(),
        skipped: summaries.iter().map(|s| s.skipped).sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_written_in_the_files() {
        assert_eq!(parse_number("5.2"), Ok(Some(5.2)));
        assert_eq!(parse_number(" -0.5 "), Ok(Some(-0.5)));
        assert_eq!(parse_number("6.18%"), Ok(Some(6.18)));
        assert_eq!(parse_number("1,022"), Ok(Some(1022.0)));
        assert_eq!(parse_number("12,345,678.5"), Ok(Some(12345678.5)));
        assert_eq!(parse_number("-1,000"), Ok(Some(-1000.0)));
        for none in ["", "..", "-", "n/a", "NA", "NaN"] {
            assert_eq!(parse_number(none), Ok(None), "{none}");
        }
        for bad in ["1,02", "1,0222", ",100", "abc", "1.2.3", "inf", "5,5"] {
            assert_eq!(parse_number(bad), Err(()), "{bad}");
        }
    }

    #[test]
    fn header_matching_ignores_case_and_punctuation() {
        let spec = [
            req("source_code", &[]),
            req("pickup method", &[]),
            opt("note1", &["Standard Note"]),
            req("firm", &[]),
        ];
        let header: Vec<String> = [
            "SOURCE_CODE",
            "PICK-UP METHOD",
            "standard note",
            "extra",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = match_columns(&header, &spec);
        assert_eq!(m.pos, [Some(0), Some(1), Some(2), None]);
        assert_eq!(m.missing, ["firm"]);
        assert_eq!(m.unmatched, [(3, "extra".to_owned())]);
        assert_eq!(m.unlabeled, 1);
    }

    #[test]
    fn numbers_print_like_codes() {
        assert_eq!(format_number(108.0), "108");
        assert_eq!(format_number(2.5), "2.5");
    }
}
