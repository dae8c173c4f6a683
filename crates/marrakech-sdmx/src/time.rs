//! SDMX time periods: the values of `TIME_PERIOD` and of the `startPeriod`/`endPeriod`
//! query parameters.
//!
//! Every period is turned into the calendar days it covers, so periods of different
//! frequencies can be compared: the REST guidelines return "all data reported as periods
//! that fall between the specified periods", i.e. an observation matches when its whole
//! span lies inside `[start of startPeriod, end of endPeriod]`.

use std::fmt;

use thiserror::Error;

/// A calendar day. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A valid Gregorian date in years 1..=9999.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year == 0 || year > 9999 || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        _ => 28,
    }
}

/// The frequency a period is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    /// `2020` or `2020-A1`.
    Year,
    /// `2020-S2`.
    Semester,
    /// `2020-Q3`.
    Quarter,
    /// `2020-05` or `2020-M05`.
    Month,
    /// `2020-05-17`.
    Day,
    /// `2020-05-17T10:00:00Z`: accepted only as a query bound, and counted as its day.
    DateTime,
}

/// A parsed time period: its text as given and the days it spans.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimePeriod {
    text: String,
    kind: PeriodKind,
    start: Date,
    end: Date,
}

/// Why a string is not a supported time period.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{value}` is not a time period: {reason}")]
pub struct TimeError {
    pub value: String,
    pub reason: &'static str,
}

const FORMS: &str = "expected a year (2020), semester (2020-S1), quarter (2020-Q3), month (2020-05 or 2020-M05) or date (2020-05-17)";

impl TimePeriod {
    /// Parses an observation's `TIME_PERIOD`: years, semesters, quarters, months, days.
    pub fn parse(text: &str) -> Result<TimePeriod, TimeError> {
        Self::parse_inner(text, false)
    }

    /// Parses a `startPeriod`/`endPeriod` value: every form [`TimePeriod::parse`] takes,
    /// plus an ISO 8601 date-time, which the REST guidelines allow and which is counted as
    /// the whole day it falls on (observations here are at least daily).
    pub fn parse_bound(text: &str) -> Result<TimePeriod, TimeError> {
        Self::parse_inner(text, true)
    }

    fn parse_inner(text: &str, allow_datetime: bool) -> Result<TimePeriod, TimeError> {
        let err = |reason| TimeError {
            value: text.to_owned(),
            reason,
        };
        if !text.is_ascii() {
            return Err(err(FORMS));
        }
        let year_text = text.get(..4).ok_or_else(|| err(FORMS))?;
        let year = digits(year_text).ok_or_else(|| err(FORMS))? as u16;
        if year == 0 {
            return Err(err("year 0000 does not exist"));
        }
        let rest = &text[4..];
        let make = |kind, start: Option<Date>, end: Option<Date>| match (start, end) {
            (Some(start), Some(end)) => Ok(TimePeriod {
                text: text.to_owned(),
                kind,
                start,
                end,
            }),
            _ => Err(err("no such date")),
        };
        if rest.is_empty() || rest == "-A1" {
            return make(
                PeriodKind::Year,
                Date::new(year, 1, 1),
                Date::new(year, 12, 31),
            );
        }
        let Some(rest) = rest.strip_prefix('-') else {
            return Err(err(FORMS));
        };
        let bytes = rest.as_bytes();
        match bytes.first() {
            Some(b'S') => {
                let n = index(&rest[1..], 1, 2).ok_or_else(|| err("semester must be S1 or S2"))?;
                let first = (n - 1) * 6 + 1;
                make(
                    PeriodKind::Semester,
                    Date::new(year, first, 1),
                    Date::new(year, first + 5, days_in_month(year, first + 5)),
                )
            }
            Some(b'Q') => {
                let n = index(&rest[1..], 1, 4).ok_or_else(|| err("quarter must be Q1 to Q4"))?;
                let first = (n - 1) * 3 + 1;
                make(
                    PeriodKind::Quarter,
                    Date::new(year, first, 1),
                    Date::new(year, first + 2, days_in_month(year, first + 2)),
                )
            }
            Some(b'M') => {
                if rest.len() != 3 {
                    return Err(err("reporting month must be M01 to M12"));
                }
                let m = index(&rest[1..], 1, 12)
                    .ok_or_else(|| err("reporting month must be M01 to M12"))?;
                month(year, m, make)
            }
            Some(b'0'..=b'9') => {
                if rest.len() == 2 {
                    let m = index(rest, 1, 12).ok_or_else(|| err("month must be 01 to 12"))?;
                    return month(year, m, make);
                }
                // YYYY-MM-DD, maybe followed by a time.
                let (date_part, time_part) = match rest.find('T') {
                    Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                    None => (rest, None),
                };
                let db = date_part.as_bytes();
                if db.len() != 5 || db[2] != b'-' {
                    return Err(err(FORMS));
                }
                let m = digits(&date_part[..2]).ok_or_else(|| err(FORMS))? as u8;
                let d = digits(&date_part[3..]).ok_or_else(|| err(FORMS))? as u8;
                let day = Date::new(year, m, d);
                match time_part {
                    None => make(PeriodKind::Day, day, day),
                    Some(_) if !allow_datetime => Err(err(
                        "a date-time is accepted in startPeriod/endPeriod, not as a TIME_PERIOD",
                    )),
                    Some(t) if valid_time(t) => make(PeriodKind::DateTime, day, day),
                    Some(_) => Err(err(
                        "time of day must be hh:mm[:ss[.fraction]] with an optional Z or ±hh:mm offset",
                    )),
                }
            }
            _ => Err(err(FORMS)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// First day covered.
    pub fn start(&self) -> Date {
        self.start
    }

    /// Last day covered.
    pub fn end(&self) -> Date {
        self.end
    }

    /// `2020-01-01T00:00:00Z`: the instant the period starts, as SDMX-JSON writes it.
    pub fn start_instant(&self) -> String {
        format!("{}T00:00:00Z", self.start)
    }

    /// `2020-12-31T23:59:59Z`: the last second of the period, as SDMX-JSON writes it.
    pub fn end_instant(&self) -> String {
        format!("{}T23:59:59Z", self.end)
    }
}

impl fmt::Display for TimePeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn month<F>(year: u16, m: u8, make: F) -> Result<TimePeriod, TimeError>
where
    F: Fn(PeriodKind, Option<Date>, Option<Date>) -> Result<TimePeriod, TimeError>,
{
    make(
        PeriodKind::Month,
        Date::new(year, m, 1),
        Date::new(year, m, days_in_month(year, m)),
    )
}

/// All-digit text as a number (at most 4 digits here, so no overflow).
fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A period index like the `3` of `Q3` or the `05` of `M05`, within `lo..=hi`.
fn index(s: &str, lo: u8, hi: u8) -> Option<u8> {
    let n = digits(s)? as u8;
    (lo..=hi).contains(&n).then_some(n)
}

/// `hh:mm`, `hh:mm:ss`, `hh:mm:ss.fff`, each optionally followed by `Z` or `±hh:mm`.
fn valid_time(t: &str) -> bool {
    let (clock, offset) = if let Some(c) = t.strip_suffix('Z') {
        (c, None)
    } else if t.len() > 6 && matches!(t.as_bytes()[t.len() - 6], b'+' | b'-') {
        (&t[..t.len() - 6], Some(&t[t.len() - 5..]))
    } else {
        (t, None)
    };
    let hm = |s: &str, max_h: u32| -> bool {
        let b = s.as_bytes();
        b.len() == 5
            && b[2] == b':'
            && digits(&s[..2]).is_some_and(|h| h <= max_h)
            && digits(&s[3..]).is_some_and(|m| m <= 59)
    };
    if let Some(o) = offset {
        if !hm(o, 14) {
            return false;
        }
    }
    match clock.len() {
        5 => hm(clock, 23),
        n if n >= 8 => {
            let b = clock.as_bytes();
            if !hm(&clock[..5], 23) || b[5] != b':' || digits(&clock[6..8]).is_none_or(|s| s > 60) {
                return false;
            }
            match &clock[8..] {
                "" => true,
                frac => {
                    frac.len() > 1
                        && frac.starts_with('.')
                        && frac[1..].bytes().all(|b| b.is_ascii_digit())
                }
            }
        }
        _ => false,
    }
}

/// An inclusive range of days built from `startPeriod` and `endPeriod`; either end may be
/// open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub start: Option<TimePeriod>,
    pub end: Option<TimePeriod>,
}

impl TimeRange {
    pub fn is_unbounded(&self) -> bool {
        self.start.is_none() && self.end.is_none()
    }

    /// True when `period` lies wholly inside the range.
    pub fn contains(&self, period: &TimePeriod) -> bool {
        self.start.as_ref().is_none_or(|s| period.start >= s.start)
            && self.end.as_ref().is_none_or(|e| period.end <= e.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn every_supported_form_spans_the_right_days() {
        let cases = [
            ("2020", PeriodKind::Year, d(2020, 1, 1), d(2020, 12, 31)),
            ("2020-A1", PeriodKind::Year, d(2020, 1, 1), d(2020, 12, 31)),
            (
                "2020-S2",
                PeriodKind::Semester,
                d(2020, 7, 1),
                d(2020, 12, 31),
            ),
            (
                "2020-Q1",
                PeriodKind::Quarter,
                d(2020, 1, 1),
                d(2020, 3, 31),
            ),
            (
                "2020-Q3",
                PeriodKind::Quarter,
                d(2020, 7, 1),
                d(2020, 9, 30),
            ),
            ("2020-02", PeriodKind::Month, d(2020, 2, 1), d(2020, 2, 29)),
            ("2021-M02", PeriodKind::Month, d(2021, 2, 1), d(2021, 2, 28)),
            (
                "2020-05-17",
                PeriodKind::Day,
                d(2020, 5, 17),
                d(2020, 5, 17),
            ),
        ];
        for (text, kind, start, end) in cases {
            let p = TimePeriod::parse(text).unwrap();
            assert_eq!((p.kind(), p.start(), p.end()), (kind, start, end), "{text}");
            assert_eq!(p.as_str(), text);
        }
    }

    #[test]
    fn bad_periods_are_refused_with_a_reason() {
        for bad in [
            "",
            "20",
            "202",
            "20x0",
            "0000",
            "2020-",
            "2020-Q0",
            "2020-Q5",
            "2020-S3",
            "2020-13",
            "2020-M13",
            "2020-M1",
            "2021-02-29",
            "2020-1-01",
            "2020-W01",
            "2020 ",
            "２０２０",
            "2020-05-17T10:00:00Z",
        ] {
            assert!(TimePeriod::parse(bad).is_err(), "{bad}");
        }
        let e = TimePeriod::parse("2020-Q5").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`2020-Q5` is not a time period: quarter must be Q1 to Q4"
        );
    }

    #[test]
    fn bounds_accept_date_times() {
        for ok in [
            "2020-05-17T10:00",
            "2020-05-17T10:00:00",
            "2020-05-17T10:00:00Z",
            "2020-05-17T10:00:00.123+02:00",
            "2020-05-17T23:59:59-05:00",
        ] {
            let p = TimePeriod::parse_bound(ok).unwrap();
            assert_eq!(
                (p.start(), p.end()),
                (d(2020, 5, 17), d(2020, 5, 17)),
                "{ok}"
            );
        }
        for bad in [
            "2020-05-17T",
            "2020-05-17T25:00",
            "2020-05-17T10:00:00+2",
            "2020-05-17T10:00:00.",
        ] {
            assert!(TimePeriod::parse_bound(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_keep_periods_that_fall_wholly_inside() {
        let range = TimeRange {
            start: Some(TimePeriod::parse_bound("2020-Q3").unwrap()),
            end: Some(TimePeriod::parse_bound("2021").unwrap()),
        };
        let inside = |t: &str| range.contains(&TimePeriod::parse(t).unwrap());
        assert!(inside("2020-07"));
        assert!(inside("2020-Q4"));
        assert!(inside("2021"));
        assert!(inside("2021-12-31"));
        assert!(!inside("2020"), "2020 starts before 2020-Q3");
        assert!(!inside("2020-06-30"));
        assert!(!inside("2022-01"));
        assert!(TimeRange::default().contains(&TimePeriod::parse("1900").unwrap()));
    }

    #[test]
    fn instants_for_sdmx_json() {
        let p = TimePeriod::parse("2020-Q1").unwrap();
        assert_eq!(p.start_instant(), "2020-01-01T00:00:00Z");
        assert_eq!(p.end_instant(), "2020-03-31T23:59:59Z");
    }
}
