//! Line charts: several series over ordered x values, gaps where data are missing, labelled
//! reference lines (targets), a legend whose entries repeat each line's dash and marker.

use std::fmt::Write as _;

use crate::common::{
    align, check_finite, draw_axis_title, draw_x_labels, draw_y_axis, thin_step, tick_label_width,
    value_ticks, Aligned, RawSeries, Scale,
};
use crate::error::ChartError;
use crate::format::{decimals_needed, Unit};
use crate::palette::Palette;
use crate::svg::{self, escape, flow_legend, num, text, text_width, LegendItem, FONT_SIZE, MUTED};
use crate::table::{Cell, Table};

/// Dash patterns by series, so lines differ without colour.
const DASHES: [&str; 4] = ["", "7 4", "2 3", "10 3 2 3"];
/// Above this many x values markers would merge into a band; only isolated points keep one.
const MARKERS_UP_TO: usize = 40;

#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceLine {
    pub value: f64,
    pub label: String,
}

/// A line chart, built up and then rendered.
///
/// ```
/// use marrakech_charts::{LineChart, Unit};
/// let svg = LineChart::new("cost", "Average cost of sending US$200")
///     .unit(Unit::Percent)
///     .series("Global average", [("2011", 9.3), ("2015", 7.5), ("2023", 6.4)])
///     .reference_line(5.0, "SDG target 5 %")
///     .reference_line(3.0, "SDG target 3 %")
///     .render()
///     .unwrap();
/// assert!(svg.starts_with("<svg"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    id: String,
    title: String,
    unit: Unit,
    y_label: Option<String>,
    x_label: Option<String>,
    x: Option<Vec<String>>,
    series: Vec<RawSeries>,
    references: Vec<ReferenceLine>,
    width: u32,
    height: u32,
    decimals: Option<usize>,
    palette: Palette,
    description: Option<String>,
    from_zero: bool,
}

impl LineChart {
    /// `id` prefixes every element id in the SVG and must be unique on the page.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> LineChart {
        LineChart {
            id: id.into(),
            title: title.into(),
            unit: Unit::Plain,
            y_label: None,
            x_label: None,
            x: None,
            series: Vec::new(),
            references: Vec::new(),
            width: 720,
            height: 400,
            decimals: None,
            palette: Palette::categorical(),
            description: None,
            from_zero: true,
        }
    }

    pub fn unit(mut self, unit: Unit) -> Self {
        self.unit = unit;
        self
    }

    /// Written above the value axis, e.g. "Cost (% of amount sent)".
    pub fn y_label(mut self, label: impl Into<String>) -> Self {
        self.y_label = Some(label.into());
        self
    }

    /// Names the x values in the table header and under the axis, e.g. "Year".
    pub fn x_label(mut self, label: impl Into<String>) -> Self {
        self.x_label = Some(label.into());
        self
    }

    /// The x values in order. Without it, the union of the series' x values is used, sorted
    /// naturally (`2020-Q9` before `2020-Q10`).
    pub fn x_values<I, S>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.x = Some(labels.into_iter().map(Into::into).collect());
        self
    }

    /// A series of `(x, value)` points; a value may be `None` (or the x left out) for a gap.
    pub fn series<I, X, V>(mut self, name: impl Into<String>, points: I) -> Self
    where
        I: IntoIterator<Item = (X, V)>,
        X: Into<String>,
        V: Into<Option<f64>>,
    {
        self.series.push(RawSeries {
            name: name.into(),
            points: points
                .into_iter()
                .map(|(x, v)| (x.into(), v.into()))
                .collect(),
        });
        self
    }

    /// A labelled horizontal line, e.g. a target; the value axis always reaches it.
    pub fn reference_line(mut self, value: f64, label: impl Into<String>) -> Self {
        self.references.push(ReferenceLine {
            value,
            label: label.into(),
        });
        self
    }

    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Decimals in labels and the table; by default the fewest (up to 2) that show every
    /// value exactly.
    pub fn decimals(mut self, decimals: usize) -> Self {
        self.decimals = Some(decimals);
        self
    }

    pub fn palette(mut self, palette: Palette) -> Self {
        self.palette = palette;
        self
    }

    /// Replaces the generated `<desc>` summary.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Whether the value axis must include zero (default true: a cut axis exaggerates change).
    pub fn from_zero(mut self, from_zero: bool) -> Self {
        self.from_zero = from_zero;
        self
    }

    fn prepare(&self) -> Result<(Aligned, usize), ChartError> {
        svg::check_id(&self.id)?;
        if self.width < 240 || self.height < 160 {
            return Err(ChartError::Size {
                width: self.width,
                height: self.height,
                min_width: 240,
                min_height: 160,
            });
        }
        for r in &self.references {
            check_finite(|| format!("reference line `{}`", r.label), r.value)?;
        }
        let aligned = align(self.x.as_deref(), &self.series)?;
        let values: Vec<f64> = aligned.values().collect();
        let decimals = self.decimals.unwrap_or_else(|| decimals_needed(&values, 2));
        Ok((aligned, decimals))
    }

    /// The drawn values: one row per x value, one column per series.
    pub fn table(&self) -> Result<Table, ChartError> {
        let (aligned, decimals) = self.prepare()?;
        let mut headers = vec![self.x_label.clone().unwrap_or_else(|| "Period".to_owned())];
        headers.extend(aligned.series.iter().map(|(n, _)| n.clone()));
        let rows = aligned
            .x
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let mut row = vec![Cell::Text(x.clone())];
                row.extend(aligned.series.iter().map(|(_, v)| match v[i] {
                    Some(value) => Cell::Number {
                        value,
                        display: self.unit.format(value, decimals),
                    },
                    None => Cell::Missing,
                }));
                row
            })
            .collect();
        Ok(Table { headers, rows })
    }

    fn describe(&self, a: &Aligned, decimals: usize) -> String {
        if let Some(d) = &self.description {
            return d.clone();
        }
        let f = |v: f64| self.unit.format(v, decimals);
        let mut parts = vec![format!(
            "Line chart with {} series over {} values from {} to {}.",
            a.series.len(),
            a.x.len(),
            a.x.first().map(String::as_str).unwrap_or(""),
            a.x.last().map(String::as_str).unwrap_or("")
        )];
        for (name, values) in &a.series {
            let known: Vec<(usize, f64)> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, v)))
                .collect();
            let (Some(first), Some(last)) = (known.first(), known.last()) else {
                parts.push(format!("{name}: no data."));
                continue;
            };
            let max = known
                .iter()
                .fold(*first, |m, p| if p.1 > m.1 { *p } else { m });
            let min = known
                .iter()
                .fold(*first, |m, p| if p.1 < m.1 { *p } else { m });
            let mut s = format!(
                "{name}: {} in {}, {} in {}; highest {} in {}, lowest {} in {}",
                f(first.1),
                a.x[first.0],
                f(last.1),
                a.x[last.0],
                f(max.1),
                a.x[max.0],
                f(min.1),
                a.x[min.0]
            );
            let missing = values.len() - known.len();
            if missing > 0 {
                let _ = write!(s, "; no data for {missing} of {}", values.len());
            }
            s.push('.');
            parts.push(s);
        }
        for r in &self.references {
            parts.push(format!("Reference line at {}: {}.", f(r.value), r.label));
        }
        parts.join(" ")
    }

    pub fn render(&self) -> Result<String, ChartError> {
        let (a, decimals) = self.prepare()?;
        let (w, h) = (self.width as f64, self.height as f64);
        if a.is_empty() {
            return Ok(svg::no_data(&self.id, "line", w, h, &self.title, "No data"));
        }
        let mut out = String::new();
        svg::open(
            &mut out,
            &self.id,
            "line",
            w,
            h,
            &self.title,
            &self.describe(&a, decimals),
        );

        // Legend first: its height decides where the plot starts.
        let markers = a.x.len() <= MARKERS_UP_TO;
        let mut top = 10.0;
        if a.series.len() > 1 {
            let items: Vec<LegendItem> = a
                .series
                .iter()
                .map(|(n, _)| LegendItem {
                    label: n.clone(),
                    symbol_width: 30.0,
                })
                .collect();
            let (pos, used) = flow_legend(&items, 10.0, top, w - 20.0, 22.0);
            out.push_str("<g class=\"mk-legend\">");
            for (i, ((name, _), (x, y))) in a.series.iter().zip(pos).enumerate() {
                let color = self.palette.color(i);
                let _ = write!(
                    out,
                    "<line x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{color}\" stroke-width=\"2.5\"{}/>",
                    num(x),
                    num(x + 30.0),
                    dash_attr(i),
                    y = num(y)
                );
                marker(&mut out, i, x + 15.0, y, color.as_str(), None);
                text(&mut out, x + 36.0, y + 4.5, "start", "", name);
            }
            out.push_str("</g>");
            top += used + 6.0;
        }
        if let Some(label) = &self.y_label {
            draw_axis_title(&mut out, 10.0, top + 12.0, label);
            top += 22.0;
        }
        top += 8.0;
        let bottom_room = 28.0 + if self.x_label.is_some() { 20.0 } else { 0.0 };
        let plot_bottom = h - bottom_room;

        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for v in a.values().chain(self.references.iter().map(|r| r.value)) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        let ticks = value_ticks(lo, hi, self.from_zero, plot_bottom - top);
        let left = 10.0 + tick_label_width(&ticks, &self.unit) + 8.0;
        let widest_x =
            a.x.iter()
                .map(|l| text_width(l, FONT_SIZE))
                .fold(0.0, f64::max);
        // Half the last x label hangs past the last point; fonts vary, so keep a spare 12.
        let right = w - (widest_x / 2.0).max(12.0) - 12.0;
        let y = Scale {
            d0: ticks.min,
            d1: ticks.max,
            r0: plot_bottom,
            r1: top,
        };
        draw_y_axis(&mut out, &ticks, &self.unit, &y, left, right);

        let n = a.x.len();
        let xs: Vec<f64> = (0..n)
            .map(|i| {
                if n == 1 {
                    (left + right) / 2.0
                } else {
                    left + (right - left) * i as f64 / (n - 1) as f64
                }
            })
            .collect();
        let spacing = if n > 1 {
            (right - left) / (n - 1) as f64
        } else {
            right - left
        };
        draw_x_labels(&mut out, &a.x, &xs, plot_bottom, thin_step(&a.x, spacing));
        if let Some(label) = &self.x_label {
            text(
                &mut out,
                (left + right) / 2.0,
                h - 8.0,
                "middle",
                "class=\"mk-axis-title\"",
                label,
            );
        }

        // Reference lines under the data so a series crossing its target stays visible; their
        // labels over it, haloed, so the data cannot hide them.
        for r in &self.references {
            let ry = num(y.map(r.value));
            let _ = write!(
                out,
                "<line class=\"mk-reference\" x1=\"{}\" x2=\"{}\" y1=\"{ry}\" y2=\"{ry}\" stroke=\"{MUTED}\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>",
                num(left),
                num(right),
            );
        }
        for (i, (name, values)) in a.series.iter().enumerate() {
            let color = self.palette.color(i);
            let _ = write!(
                out,
                "<g class=\"mk-series mk-series-{i}\"><title>{}</title>",
                escape(name)
            );
            let mut d = String::new();
            let mut pen_down = false;
            for (j, v) in values.iter().enumerate() {
                match v {
                    Some(v) => {
                        let _ = write!(
                            d,
                            "{}{} {}",
                            if pen_down { "L" } else { "M" },
                            num(xs[j]),
                            num(y.map(*v))
                        );
                        pen_down = true;
                    }
                    None => pen_down = false,
                }
            }
            if !d.is_empty() {
                let _ = write!(
                    out,
                    "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\" stroke-linejoin=\"round\" stroke-linecap=\"round\"{}/>",
                    dash_attr(i)
                );
            }
            for (j, v) in values.iter().enumerate() {
                let Some(v) = v else { continue };
                let isolated =
                    (j == 0 || values[j - 1].is_none()) && (j + 1 == n || values[j + 1].is_none());
                if markers || isolated {
                    let tip = format!("{name}, {}: {}", a.x[j], self.unit.format(*v, decimals));
                    marker(&mut out, i, xs[j], y.map(*v), color.as_str(), Some(&tip));
                }
            }
            out.push_str("</g>");
        }
        for r in &self.references {
            text(
                &mut out,
                right - 4.0,
                y.map(r.value) - 5.0,
                "end",
                &format!("class=\"mk-reference-label\" fill=\"{MUTED}\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\""),
                &r.label,
            );
        }
        svg::close(&mut out);
        Ok(out)
    }
}

fn dash_attr(series: usize) -> String {
    match DASHES[series % DASHES.len()] {
        "" => String::new(),
        d => format!(" stroke-dasharray=\"{d}\""),
    }
}

/// Circle, square, triangle, diamond: the marker shape by series, outlined in white so it
/// stands out where lines cross.
pub(crate) fn marker(
    out: &mut String,
    series: usize,
    x: f64,
    y: f64,
    color: &str,
    tip: Option<&str>,
) {
    let shape = match series % 4 {
        0 => format!("<circle cx=\"{}\" cy=\"{}\" r=\"4\"", num(x), num(y)),
        1 => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"7.5\" height=\"7.5\"",
            num(x - 3.75),
            num(y - 3.75)
        ),
        2 => format!(
            "<path d=\"M{} {}L{} {}L{} {}Z\"",
            num(x),
            num(y - 5.0),
            num(x + 4.8),
            num(y + 3.5),
            num(x - 4.8),
            num(y + 3.5)
        ),
        _ => format!(
            "<path d=\"M{} {}L{} {}L{} {}L{} {}Z\"",
            num(x),
            num(y - 5.0),
            num(x + 5.0),
            num(y),
            num(x),
            num(y + 5.0),
            num(x - 5.0),
            num(y)
        ),
    };
    out.push_str(&shape);
    let _ = write!(
        out,
        " fill=\"{color}\" stroke=\"#ffffff\" stroke-width=\"1\""
    );
    match tip {
        Some(t) => {
            let _ = write!(out, "><title>{}</title></{}>", escape(t), tag(&shape));
        }
        None => out.push_str("/>"),
    }
}

fn tag(shape: &str) -> &str {
    shape[1..].split(' ').next().unwrap_or("path")
}
