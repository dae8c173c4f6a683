//! A word-sized line for country profiles: no axes, the last value marked, the numbers in
//! the accessible description and the table.

use std::fmt::Write as _;

use crate::common::{align, Aligned, RawSeries};
use crate::error::ChartError;
use crate::format::{decimals_needed, Unit};
use crate::palette::Palette;
use crate::svg::{self, num};
use crate::table::{Cell, Table};

/// ```
/// use marrakech_charts::{Sparkline, Unit};
/// let svg = Sparkline::new("mx-stock", "Immigrants in Mexico")
///     .unit(Unit::Persons)
///     .points([("1990", 700_000.0), ("2000", 540_000.0), ("2020", 1_200_000.0)])
///     .render()
///     .unwrap();
/// assert!(svg.contains("1.2 million"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sparkline {
    id: String,
    title: String,
    unit: Unit,
    points: Vec<(String, Option<f64>)>,
    width: u32,
    height: u32,
}

impl Sparkline {
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Sparkline {
        Sparkline {
            id: id.into(),
            title: title.into(),
            unit: Unit::Plain,
            points: Vec::new(),
            width: 120,
            height: 32,
        }
    }

    pub fn unit(mut self, unit: Unit) -> Self {
        self.unit = unit;
        self
    }

    /// `(x, value)` points, sorted naturally by x; `None` leaves a gap.
    pub fn points<I, X, V>(mut self, points: I) -> Self
    where
        I: IntoIterator<Item = (X, V)>,
        X: Into<String>,
        V: Into<Option<f64>>,
    {
        self.points
            .extend(points.into_iter().map(|(x, v)| (x.into(), v.into())));
        self
    }

    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    fn prepare(&self) -> Result<(Aligned, usize), ChartError> {
        svg::check_id(&self.id)?;
        if self.width < 40 || self.height < 16 {
            return Err(ChartError::Size {
                width: self.width,
                height: self.height,
                min_width: 40,
                min_height: 16,
            });
        }
        let a = align(
            None,
            &[RawSeries {
                name: self.title.clone(),
                points: self.points.clone(),
            }],
        )?;
        let values: Vec<f64> = a.values().collect();
        Ok((a, decimals_needed(&values, 2)))
    }

    pub fn table(&self) -> Result<Table, ChartError> {
        let (a, decimals) = self.prepare()?;
        Ok(Table {
            headers: vec!["Period".to_owned(), self.title.clone()],
            rows: a
                .x
                .iter()
                .zip(&a.series[0].1)
                .map(|(x, v)| {
                    vec![
                        Cell::Text(x.clone()),
                        match v {
                            Some(value) => Cell::Number {
                                value: *value,
                                display: self.unit.format(*value, decimals),
                            },
                            None => Cell::Missing,
                        },
                    ]
                })
                .collect(),
        })
    }

    pub fn render(&self) -> Result<String, ChartError> {
        let (a, decimals) = self.prepare()?;
        let (w, h) = (self.width as f64, self.height as f64);
        let values = &a.series[0].1;
        let known: Vec<(usize, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .collect();
        let (Some(first), Some(last)) = (known.first().copied(), known.last().copied()) else {
            return Ok(svg::no_data(
                &self.id,
                "sparkline",
                w.max(80.0),
                h,
                &self.title,
                "No data",
            ));
        };
        let f = |v: f64| self.unit.format_compact(v, decimals);
        let (lo, hi) = known
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), (_, v)| {
                (l.min(*v), h.max(*v))
            });
        let desc = format!(
            "{}: {} in {}, {} in {}; lowest {}, highest {}.",
            self.title,
            f(first.1),
            a.x[first.0],
            f(last.1),
            a.x[last.0],
            f(lo),
            f(hi)
        );
        let mut out = String::new();
        svg::open(&mut out, &self.id, "sparkline", w, h, &self.title, &desc);
        let pad = 4.0;
        let n = a.x.len();
        let x = |i: usize| {
            if n == 1 {
                w / 2.0
            } else {
                pad + (w - 2.0 * pad) * i as f64 / (n - 1) as f64
            }
        };
        let y = |v: f64| {
            if hi > lo {
                h - pad - (h - 2.0 * pad) * (v - lo) / (hi - lo)
            } else {
                h / 2.0
            }
        };
        let color = Palette::categorical().color(0).clone();
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{} {}",
                        if pen { "L" } else { "M" },
                        num(x(i)),
                        num(y(*v))
                    );
                    pen = true;
                }
                None => pen = false,
            }
        }
        let _ = write!(
            out,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/><circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{color}\"/>",
            num(x(last.0)),
            num(y(last.1))
        );
        svg::close(&mut out);
        Ok(out)
    }
}
