//! Numbers as a reader sees them: thousands separators, "282.0 million", units, axis ticks.

/// What the numbers of a chart count. It decides how values are written, never how they are
/// drawn.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Unit {
    /// A bare number: `1,234`.
    #[default]
    Plain,
    /// Percentages, given as 6.2 for 6.2 %: `6.2%`.
    Percent,
    /// Counts of people: written like plain numbers; says what the axis counts.
    Persons,
    /// United States dollars: `US$1,234`.
    UsDollars,
    /// Any other unit, written after the number with a space: `12 days`.
    Suffix(String),
}

impl Unit {
    /// Adds the unit to an already formatted number.
    pub fn apply(&self, number: &str) -> String {
        match self {
            Unit::Plain | Unit::Persons => number.to_owned(),
            Unit::Percent => format!("{number}%"),
            Unit::UsDollars => match number.strip_prefix('-') {
                Some(rest) => format!("-US${rest}"),
                None => format!("US${number}"),
            },
            Unit::Suffix(s) if s.is_empty() => number.to_owned(),
            Unit::Suffix(s) => format!("{number} {s}"),
        }
    }

    /// The full value with thousands separators: for tables, titles and value labels.
    pub fn format(&self, value: f64, decimals: usize) -> String {
        self.apply(&format_thousands(value, decimals))
    }

    /// Millions and billions in words, smaller values in full: for labels where space is short.
    pub fn format_compact(&self, value: f64, decimals: usize) -> String {
        if value.abs() >= 999_950.0 {
            self.apply(&format_number(value))
        } else {
            self.format(value, decimals)
        }
    }
}

/// `1234567.891` with 2 decimals is `1,234,567.89`. Rounds half away from zero, and never
/// writes `-0`.
pub fn format_thousands(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "no data".to_owned();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + int.len() / 3 + 1);
    let negative = value < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    if negative {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// A number for reading at a glance: `282.0 million`, `1.4 billion`; below a million, in full
/// with at most two decimals and no trailing zeros (`12,345`, `6.25`).
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return "no data".to_owned();
    }
    let abs = value.abs();
    // Decide on the rounded value, so 999,960,000 reads "1.0 billion", not "1000.0 million".
    if abs >= 999_950_000.0 {
        format!("{} billion", format_thousands(value / 1e9, 1))
    } else if abs >= 999_950.0 {
        format!("{} million", format_thousands(value / 1e6, 1))
    } else {
        format_thousands(value, decimals_needed(&[value], 2))
    }
}

/// The fewest decimals (up to `max`) that write every value exactly, so a chart of whole
/// numbers shows no `.0` and a chart of 6.25 % shows every digit.
pub fn decimals_needed(values: &[f64], max: usize) -> usize {
    (0..=max)
        .find(|&d| {
            let scale = 10f64.powi(d as i32);
            values
                .iter()
                .filter(|v| v.is_finite())
                .all(|v| ((v * scale).round() - v * scale).abs() < 1e-6 * scale.max(1.0))
        })
        .unwrap_or(max)
}

/// Axis ticks at a 1-2-5 step covering a range.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    pub min: f64,
    pub max: f64,
    pub step: f64,
    pub values: Vec<f64>,
}

/// Ticks covering `[lo, hi]` in about `target` steps of 1, 2 or 5 times a power of ten.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Ticks {
    let (mut lo, mut hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        // A flat series still needs an axis: open it upwards from zero or around the value.
        if lo == 0.0 {
            hi = 1.0;
        } else if lo > 0.0 {
            lo = 0.0;
        } else {
            hi = 0.0;
        }
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let residual = raw / magnitude;
    // Round to the nearest of 1, 2, 5 and 10 on a log scale (as d3's tickIncrement does), so
    // the tick count lands near the target from either side.
    let factor = if residual >= 50f64.sqrt() {
        10.0
    } else if residual >= 10f64.sqrt() {
        5.0
    } else if residual >= 2f64.sqrt() {
        2.0
    } else {
        1.0
    };
    let step = factor * magnitude;
    let start = (lo / step + 1e-9).floor() as i64;
    let end = (hi / step - 1e-9).ceil() as i64;
    let decimals = step_decimals(step);
    let values: Vec<f64> = (start..=end)
        .map(|i| round_to(i as f64 * step, decimals))
        .collect();
    Ticks {
        min: values[0],
        max: *values.last().expect("start <= end"),
        step,
        values,
    }
}

/// How many decimals a 1-2-5 step needs (0.25 never occurs; 0.5 needs one, 0.02 two).
pub(crate) fn step_decimals(step: f64) -> usize {
    if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    }
}

fn round_to(value: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    let r = (value * scale).round() / scale;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// A tick label: in millions or billions when the axis reaches them, with only the decimals
/// the step needs (`0`, `50 million`, `2.5%`).
pub fn format_tick(value: f64, ticks: &Ticks, unit: &Unit) -> String {
    let top = ticks.min.abs().max(ticks.max.abs());
    let (scale, word) = if top >= 1e9 {
        (1e9, " billion")
    } else if top >= 1e6 {
        (1e6, " million")
    } else {
        (1.0, "")
    };
    if value == 0.0 {
        return unit.apply("0");
    }
    let decimals = step_decimals(ticks.step / scale);
    unit.apply(&format!(
        "{}{word}",
        format_thousands(value / scale, decimals)
    ))
}

/// Rounds to two significant digits, for class breaks a reader can remember.
pub(crate) fn round_significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let magnitude = value.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits - 1 - magnitude);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(format_thousands(1234567.891, 2), "1,234,567.89");
        assert_eq!(format_thousands(999.0, 0), "999");
        assert_eq!(format_thousands(1000.0, 0), "1,000");
        assert_eq!(format_thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(format_thousands(-0.01, 1), "0.0");
        assert_eq!(format_thousands(0.0, 0), "0");
        assert_eq!(format_thousands(f64::NAN, 0), "no data");
    }

    #[test]
    fn compact_numbers() {
        assert_eq!(format_number(282_000_000.0), "282.0 million");
        assert_eq!(format_number(1_400_000_000.0), "1.4 billion");
        assert_eq!(format_number(999_960_000.0), "1.0 billion");
        assert_eq!(format_number(999_960.0), "1.0 million");
        assert_eq!(format_number(12_345.0), "12,345");
        assert_eq!(format_number(6.25), "6.25");
        assert_eq!(format_number(6.2), "6.2");
        assert_eq!(format_number(-3_500_000.0), "-3.5 million");
    }

    #[test]
    fn units() {
        assert_eq!(Unit::Percent.format(6.24, 1), "6.2%");
        assert_eq!(Unit::UsDollars.format(-5.0, 0), "-US$5");
        assert_eq!(Unit::Suffix("days".into()).format(12.0, 0), "12 days");
        assert_eq!(Unit::Persons.format_compact(2_500_000.0, 0), "2.5 million");
        assert_eq!(Unit::Persons.format_compact(25_000.0, 0), "25,000");
    }

    #[test]
    fn decimals() {
        assert_eq!(decimals_needed(&[1.0, 2.0, 300.0], 2), 0);
        assert_eq!(decimals_needed(&[1.5, 2.0], 2), 1);
        assert_eq!(decimals_needed(&[6.25, 2.0], 2), 2);
        assert_eq!(decimals_needed(&[1.0 / 3.0], 2), 2);
    }

    #[test]
    fn ticks_use_1_2_5_steps() {
        let t = nice_ticks(0.0, 7.3, 5);
        assert_eq!(t.step, 2.0);
        assert_eq!(t.values, [0.0, 2.0, 4.0, 6.0, 8.0]);
        let t = nice_ticks(0.0, 281_000_000.0, 5);
        assert_eq!(t.step, 50_000_000.0);
        assert_eq!(t.max, 300_000_000.0);
        assert_eq!(format_tick(50_000_000.0, &t, &Unit::Persons), "50 million");
        let t = nice_ticks(0.0, 0.9, 5);
        assert_eq!(t.step, 0.2);
        assert_eq!(t.values, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(format_tick(0.4, &t, &Unit::Percent), "0.4%");
        let t = nice_ticks(-12.0, 31.0, 5);
        assert_eq!(t.step, 10.0);
        assert_eq!(t.values, [-20.0, -10.0, 0.0, 10.0, 20.0, 30.0, 40.0]);
        let t = nice_ticks(0.0, 3e6, 6);
        assert_eq!(t.step, 5e5);
        assert_eq!(format_tick(2.5e6, &t, &Unit::Plain), "2.5 million");
        // A flat series still gets an axis from zero.
        assert_eq!(nice_ticks(5.0, 5.0, 5).values.first(), Some(&0.0));
        assert_eq!(
            nice_ticks(0.0, 0.0, 5).values,
            [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        );
    }

    #[test]
    fn significant_rounding() {
        assert_eq!(round_significant(123_456.0, 2), 120_000.0);
        assert_eq!(round_significant(0.01234, 2), 0.012);
        assert_eq!(round_significant(-987.0, 2), -990.0);
    }
}
