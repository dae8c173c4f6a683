//! Pieces the cartesian charts share: aligning series on ordered x values, thinning x labels,
//! the value axis.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::error::ChartError;
use crate::format::{format_tick, nice_ticks, Ticks, Unit};
use crate::svg::{num, text, text_width, FONT_SIZE, GRID, MUTED};

/// A named series of (x, value) points as the caller gave them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawSeries {
    pub name: String,
    pub points: Vec<(String, Option<f64>)>,
}

/// Series aligned on one list of x values; `None` is a gap.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Aligned {
    pub x: Vec<String>,
    pub series: Vec<(String, Vec<Option<f64>>)>,
}

impl Aligned {
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.series
            .iter()
            .flat_map(|(_, v)| v.iter().flatten().copied())
    }

    pub fn is_empty(&self) -> bool {
        self.values().next().is_none()
    }
}

/// Compares labels the way people order them: digit runs by value, so `2020-Q10` would follow
/// `2020-Q9` and `999` precede `1000`.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    fn runs(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (ra, rb) = (runs(a), runs(b));
    for ((da, ta), (db, tb)) in ra.iter().zip(rb.iter()) {
        let ord = if *da && *db {
            let (ta, tb) = (ta.trim_start_matches('0'), tb.trim_start_matches('0'));
            ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb))
        } else {
            ta.cmp(tb)
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    ra.len().cmp(&rb.len()).then_with(|| a.cmp(b))
}

pub(crate) fn check_finite(what: impl FnOnce() -> String, value: f64) -> Result<f64, ChartError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ChartError::NotFinite {
            what: what(),
            value,
        })
    }
}

/// Puts every series on the explicit x list, or on the union of the series' x values in
/// natural order when none was given.
pub(crate) fn align(
    explicit: Option<&[String]>,
    series: &[RawSeries],
) -> Result<Aligned, ChartError> {
    let x: Vec<String> = match explicit {
        Some(labels) => {
            let mut seen = BTreeMap::new();
            for label in labels {
                if seen.insert(label.as_str(), ()).is_some() {
                    return Err(ChartError::DuplicateXLabel(label.clone()));
                }
            }
            labels.to_vec()
        }
        None => {
            let mut all: Vec<String> = series
                .iter()
                .flat_map(|s| s.points.iter().map(|(x, _)| x.clone()))
                .collect();
            all.sort_by(|a, b| natural_cmp(a, b));
            all.dedup();
            all
        }
    };
    let index: BTreeMap<&str, usize> = x.iter().enumerate().map(|(i, l)| (l.as_str(), i)).collect();
    let mut out = Vec::with_capacity(series.len());
    for s in series {
        let mut values = vec![None; x.len()];
        let mut seen = vec![false; x.len()];
        for (label, value) in &s.points {
            let Some(&i) = index.get(label.as_str()) else {
                return Err(ChartError::UnknownX {
                    series: s.name.clone(),
                    x: label.clone(),
                });
            };
            if std::mem::replace(&mut seen[i], true) {
                return Err(ChartError::DuplicateX {
                    series: s.name.clone(),
                    x: label.clone(),
                });
            }
            values[i] = match value {
                Some(v) => Some(check_finite(|| format!("{} at {label}", s.name), *v)?),
                None => None,
            };
        }
        out.push((s.name.clone(), values));
    }
    Ok(Aligned { x, series: out })
}

/// Shows every `step`th x label so labels `spacing` apart never overlap. Steps are 1-2-5
/// multiples, or multiples of four for quarters so every shown label is the same quarter.
pub(crate) fn thin_step(labels: &[String], spacing: f64) -> usize {
    let widest = labels
        .iter()
        .map(|l| text_width(l, FONT_SIZE))
        .fold(0.0, f64::max);
    let need = widest + 10.0;
    let quarterly = !labels.is_empty()
        && labels.iter().all(|l| {
            let b = l.as_bytes();
            b.len() >= 2 && b[b.len() - 2] == b'Q' && (b'1'..=b'4').contains(&b[b.len() - 1])
        });
    let base: &[usize] = if quarterly {
        &[4, 8, 20, 40]
    } else {
        &[10, 20, 50, 100]
    };
    let mut candidates = if quarterly { vec![1, 2] } else { vec![1, 2, 5] };
    let mut factor = 1;
    while factor <= labels.len().max(1) {
        candidates.extend(base.iter().map(|b| b * factor));
        factor *= 10;
    }
    candidates
        .into_iter()
        .find(|&s| s as f64 * spacing >= need)
        .unwrap_or(labels.len().max(1))
}

/// A linear value scale from data space to pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Scale {
    pub fn map(&self, v: f64) -> f64 {
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// Ticks for a value axis covering the data and zero when `from_zero`, about one per 55
/// pixels of axis.
pub(crate) fn value_ticks(lo: f64, hi: f64, from_zero: bool, length: f64) -> Ticks {
    let (lo, hi) = if from_zero {
        (lo.min(0.0), hi.max(0.0))
    } else {
        (lo, hi)
    };
    let target = ((length / 55.0).round() as usize).clamp(2, 8);
    nice_ticks(lo, hi, target)
}

/// Ticks for a horizontal value axis: as many as fit side by side without their labels
/// touching.
pub(crate) fn value_ticks_across(lo: f64, hi: f64, length: f64, unit: &Unit) -> Ticks {
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let mut target = ((length / 55.0).round() as usize).clamp(2, 8);
    loop {
        let ticks = nice_ticks(lo, hi, target);
        let room = length / (ticks.values.len().max(2) - 1) as f64;
        if target <= 2 || tick_label_width(&ticks, unit) + 12.0 <= room {
            return ticks;
        }
        target -= 1;
    }
}

/// The widest tick label, to size the left margin.
pub(crate) fn tick_label_width(ticks: &Ticks, unit: &Unit) -> f64 {
    ticks
        .values
        .iter()
        .map(|v| text_width(&format_tick(*v, ticks, unit), FONT_SIZE))
        .fold(0.0, f64::max)
}

/// Horizontal grid lines and tick labels of a vertical value axis.
pub(crate) fn draw_y_axis(
    out: &mut String,
    ticks: &Ticks,
    unit: &Unit,
    scale: &Scale,
    left: f64,
    right: f64,
) {
    out.push_str("<g class=\"mk-axis mk-y-axis\">");
    for v in &ticks.values {
        let y = scale.map(*v);
        let stroke = if *v == 0.0 { MUTED } else { GRID };
        let _ = write!(
            out,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{stroke}\"/>",
            num(left),
            num(right),
            y = num(y)
        );
        text(
            out,
            left - 6.0,
            y + 4.5,
            "end",
            &format!("fill=\"{MUTED}\""),
            &format_tick(*v, ticks, unit),
        );
    }
    out.push_str("</g>");
}

/// Vertical grid lines and tick labels of a horizontal value axis (below the plot).
pub(crate) fn draw_x_value_axis(
    out: &mut String,
    ticks: &Ticks,
    unit: &Unit,
    scale: &Scale,
    top: f64,
    bottom: f64,
) {
    out.push_str("<g class=\"mk-axis mk-x-axis\">");
    for v in &ticks.values {
        let x = scale.map(*v);
        let stroke = if *v == 0.0 { MUTED } else { GRID };
        let _ = write!(
            out,
            "<line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\" stroke=\"{stroke}\"/>",
            num(top),
            num(bottom),
            x = num(x)
        );
        text(
            out,
            x,
            bottom + 16.0,
            "middle",
            &format!("fill=\"{MUTED}\""),
            &format_tick(*v, ticks, unit),
        );
    }
    out.push_str("</g>");
}

/// Category labels under an x axis, thinned; `positions` are the label centres.
pub(crate) fn draw_x_labels(
    out: &mut String,
    labels: &[String],
    positions: &[f64],
    y: f64,
    step: usize,
) {
    out.push_str("<g class=\"mk-axis mk-x-axis\">");
    for (i, (label, x)) in labels.iter().zip(positions).enumerate() {
        if i % step != 0 {
            continue;
        }
        let _ = write!(
            out,
            "<line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\" stroke=\"{MUTED}\"/>",
            num(y),
            num(y + 4.0),
            x = num(*x)
        );
        text(
            out,
            *x,
            y + 18.0,
            "middle",
            &format!("fill=\"{MUTED}\""),
            label,
        );
    }
    out.push_str("</g>");
}

/// The y-axis title, written horizontally above the axis where it reads without tilting the
/// head.
pub(crate) fn draw_axis_title(out: &mut String, x: f64, y: f64, title: &str) {
    text(
        out,
        x,
        y,
        "start",
        "class=\"mk-axis-title\" font-weight=\"bold\"",
        title,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["2020-Q10", "2020-Q9", "1000", "999", "2019-Q4", "a", "A"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            ["999", "1000", "2019-Q4", "2020-Q9", "2020-Q10", "A", "a"]
        );
    }

    #[test]
    fn alignment_fills_gaps_and_rejects_strays() {
        let s = |name: &str, pts: &[(&str, Option<f64>)]| RawSeries {
            name: name.into(),
            points: pts.iter().map(|(x, v)| (x.to_string(), *v)).collect(),
        };
        let a = align(
            None,
            &[
                s("A", &[("2012", Some(1.0)), ("2011", Some(2.0))]),
                s("B", &[("2013", None)]),
            ],
        )
        .unwrap();
        assert_eq!(a.x, ["2011", "2012", "2013"]);
        assert_eq!(a.series[0].1, [Some(2.0), Some(1.0), None]);
        let x = vec!["2011".to_string()];
        assert!(matches!(
            align(Some(&x), &[s("A", &[("2012", Some(1.0))])]),
            Err(ChartError::UnknownX { .. })
        ));
        assert!(matches!(
            align(None, &[s("A", &[("2012", Some(1.0)), ("2012", None)])]),
            Err(ChartError::DuplicateX { .. })
        ));
        assert!(matches!(
            align(None, &[s("A", &[("2012", Some(f64::NAN))])]),
            Err(ChartError::NotFinite { .. })
        ));
    }

    #[test]
    fn thinning_keeps_labels_apart() {
        let years: Vec<String> = (1990..2024).map(|y| y.to_string()).collect();
        assert_eq!(thin_step(&years, 45.0), 1);
        assert_eq!(thin_step(&years, 20.0), 5);
        let quarters: Vec<String> = (0..200)
            .map(|i| format!("{}-Q{}", 1975 + i / 4, i % 4 + 1))
            .collect();
        let step = thin_step(&quarters, 3.0);
        assert!(
            step as f64 * 3.0 >= 60.0 && step.is_multiple_of(4),
            "{step}"
        );
    }
}
