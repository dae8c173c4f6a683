//! Colours chosen to survive colour-vision deficiencies: Okabe–Ito for categories, ColorBrewer
//! single- and multi-hue sequential schemes (ordered by lightness) for classed maps.

use crate::error::ChartError;

/// A colour as `#rrggbb` (lower case), the only form written into SVG.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Color(String);

impl Color {
    /// Accepts `#rrggbb` or `#rgb` in any case.
    pub fn parse(text: &str) -> Result<Color, ChartError> {
        let hex = text
            .strip_prefix('#')
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match hex {
            Some(h) if h.len() == 6 => Ok(Color(format!("#{}", h.to_ascii_lowercase()))),
            Some(h) if h.len() == 3 => {
                let long: String = h
                    .to_ascii_lowercase()
                    .chars()
                    .flat_map(|c| [c, c])
                    .collect();
                Ok(Color(format!("#{long}")))
            }
            _ => Err(ChartError::Color(text.to_owned())),
        }
    }

    fn from_static(text: &str) -> Color {
        Color::parse(text).expect("built-in colours are valid (tested)")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn channels(&self) -> [f64; 3] {
        let c = |i: usize| u8::from_str_radix(&self.0[i..i + 2], 16).unwrap_or(0) as f64 / 255.0;
        [c(1), c(3), c(5)]
    }

    /// WCAG relative luminance.
    pub fn luminance(&self) -> f64 {
        let lin = |c: f64| {
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.channels();
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    /// Black or white, whichever reads better on this colour.
    pub fn text_on(&self) -> &'static str {
        let l = self.luminance();
        // Contrast with black is (l + 0.05) / 0.05, with white 1.05 / (l + 0.05).
        if (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) {
            "#000000"
        } else {
            "#ffffff"
        }
    }
}

impl std::fmt::Display for Color {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Colours for series, used in order and repeated if a chart has more series than colours
/// (lines then differ by dash pattern and marker shape as well).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette {
    colors: Vec<Color>,
}

/// Okabe & Ito (2008), "Color Universal Design", ordered so the first colours are the most
/// distinct on white and the low-contrast yellow comes last.
const OKABE_ITO: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000", "#f0e442",
];

impl Palette {
    /// Okabe–Ito, distinguishable under the common colour-vision deficiencies.
    pub fn categorical() -> Palette {
        Palette {
            colors: OKABE_ITO.iter().map(|c| Color::from_static(c)).collect(),
        }
    }

    pub fn new<I, S>(colors: I) -> Result<Palette, ChartError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let colors = colors
            .into_iter()
            .map(|c| Color::parse(c.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if colors.is_empty() {
            return Err(ChartError::EmptyPalette);
        }
        Ok(Palette { colors })
    }

    pub fn colors(&self) -> &[Color] {
        &self.colors
    }

    /// The colour of the `index`th series, cycling.
    pub fn color(&self, index: usize) -> &Color {
        &self.colors[index % self.colors.len()]
    }
}

impl Default for Palette {
    fn default() -> Palette {
        Palette::categorical()
    }
}

/// ColorBrewer 2.0 sequential schemes (Cynthia A. Brewer, Pennsylvania State University;
/// Apache License 2.0), each light to dark so the order reads without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sequential {
    /// Yellow–green–blue: the most hue change for its lightness range.
    #[default]
    YlGnBu,
    Blues,
    Oranges,
}

const YLGNBU: [&[&str]; 7] = [
    &["#edf8b1", "#7fcdbb", "#2c7fb8"],
    &["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    &["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    &[
        "#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494",
    ],
    &[
        "#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84",
    ],
    &[
        "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84",
    ],
    &[
        "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494",
        "#081d58",
    ],
];

const BLUES: [&[&str]; 7] = [
    &["#deebf7", "#9ecae1", "#3182bd"],
    &["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"],
    &["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    &[
        "#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c",
    ],
    &[
        "#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594",
    ],
    &[
        "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594",
    ],
    &[
        "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c",
        "#08306b",
    ],
];

const ORANGES: [&[&str]; 7] = [
    &["#fee6ce", "#fdae6b", "#e6550d"],
    &["#feedde", "#fdbe85", "#fd8d3c", "#d94701"],
    &["#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"],
    &[
        "#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603",
    ],
    &[
        "#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#8c2d04",
    ],
    &[
        "#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#8c2d04",
    ],
    &[
        "#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#a63603",
        "#7f2704",
    ],
];

impl Sequential {
    /// The most classes a scheme has.
    pub const MAX_CLASSES: usize = 9;

    /// `classes` colours, light to dark. The scheme with one class more is used without its
    /// lightest colour, which is too close to the white sea and borders to read as a class;
    /// only at 9 classes is the near-white colour kept. One class takes a middle colour.
    pub fn colors(self, classes: usize) -> Vec<Color> {
        let table = match self {
            Sequential::YlGnBu => &YLGNBU,
            Sequential::Blues => &BLUES,
            Sequential::Oranges => &ORANGES,
        };
        let classes = classes.clamp(1, Self::MAX_CLASSES);
        let pick: Vec<&str> = match classes {
            1 => vec![table[0][1]],
            Self::MAX_CLASSES => table[Self::MAX_CLASSES - 3].to_vec(),
            n => table[n + 1 - 3][1..].to_vec(),
        };
        pick.into_iter().map(Color::from_static).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_and_normalise() {
        assert_eq!(Color::parse("#ABCDEF").unwrap().as_str(), "#abcdef");
        assert_eq!(Color::parse("#fa0").unwrap().as_str(), "#ffaa00");
        for bad in ["red", "#12345", "#ggg", "abcdef", "#abcdef\" onload=\"x"] {
            assert!(Color::parse(bad).is_err(), "{bad}");
        }
        assert!(Palette::new(Vec::<&str>::new()).is_err());
    }

    #[test]
    fn sequential_schemes_get_darker() {
        for scheme in [Sequential::YlGnBu, Sequential::Blues, Sequential::Oranges] {
            for n in 1..=9 {
                let colors = scheme.colors(n);
                assert_eq!(colors.len(), n);
                for pair in colors.windows(2) {
                    assert!(
                        pair[0].luminance() > pair[1].luminance(),
                        "{scheme:?} {n}: {} then {}",
                        pair[0],
                        pair[1]
                    );
                }
            }
        }
    }

    #[test]
    fn text_colour_contrasts() {
        assert_eq!(Color::parse("#081d58").unwrap().text_on(), "#ffffff");
        assert_eq!(Color::parse("#ffffcc").unwrap().text_on(), "#000000");
        assert_eq!(Palette::categorical().color(9).as_str(), "#e69f00");
    }
}
