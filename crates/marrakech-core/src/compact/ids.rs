//! The compact's citation ids, parsed and validated.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// A reference to a citable piece of the compact. Parsing checks the syntax and the fixed
/// ranges (23 objectives, 10 principles, 54 annex paragraphs, 2 resolution paragraphs);
/// [`crate::Compact::contains`] checks that a lettered item exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CompactRef {
    /// `gp-a`
    Principle(char),
    /// `obj-7`
    Objective(u8),
    /// `obj-7-c`
    Action(u8, char),
    /// `para-43`
    Paragraph(u32),
    /// `para-43-a-iii`: the paragraph and the labels below it.
    ParagraphItem(u32, Vec<String>),
    /// `res-1`
    Resolution(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{id}` is not a compact reference: {reason}")]
pub struct RefError {
    pub id: String,
    pub reason: &'static str,
}

pub const OBJECTIVE_COUNT: u8 = 23;
pub const ANNEX_PARAGRAPH_COUNT: u32 = 54;
pub const RESOLUTION_PARAGRAPH_COUNT: u32 = 2;

impl CompactRef {
    pub fn parse(id: &str) -> Result<CompactRef, RefError> {
        let err = |reason| RefError {
            id: id.to_owned(),
            reason,
        };
        let mut parts = id.split('-');
        let kind = parts.next().unwrap_or_default();
        let rest: Vec<&str> = parts.collect();
        match (kind, rest.as_slice()) {
            ("gp", [letter]) => match single_letter(letter) {
                Some(l @ 'a'..='j') => Ok(CompactRef::Principle(l)),
                _ => Err(err("guiding principles are gp-a to gp-j")),
            },
            ("obj", [n]) => Ok(CompactRef::Objective(
                objective_number(n).ok_or(err("objectives are obj-1 to obj-23"))?,
            )),
            ("obj", [n, letter]) => {
                let n = objective_number(n).ok_or(err("objectives are obj-1 to obj-23"))?;
                let letter =
                    single_letter(letter).ok_or(err("an action is a single letter: obj-20-a"))?;
                Ok(CompactRef::Action(n, letter))
            }
            ("para", [n, labels @ ..]) => {
                let n = number_in(n, 1, ANNEX_PARAGRAPH_COUNT)
                    .ok_or(err("annex paragraphs are para-1 to para-54"))?;
                if labels.is_empty() {
                    return Ok(CompactRef::Paragraph(n));
                }
                if labels.len() > 2
                    || single_letter(labels[0]).is_none()
                    || labels.get(1).is_some_and(|r| !is_roman(r))
                {
                    return Err(err("sub-items are lettered, then roman: para-43-a-iii"));
                }
                Ok(CompactRef::ParagraphItem(
                    n,
                    labels.iter().map(|s| s.to_string()).collect(),
                ))
            }
            ("res", [n]) => Ok(CompactRef::Resolution(
                number_in(n, 1, RESOLUTION_PARAGRAPH_COUNT)
                    .ok_or(err("the resolution's paragraphs are res-1 and res-2"))?,
            )),
            _ => Err(err("expected gp-*, obj-*, para-* or res-*")),
        }
    }
}

impl FromStr for CompactRef {
    type Err = RefError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CompactRef::parse(s)
    }
}

impl fmt::Display for CompactRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompactRef::Principle(l) => write!(f, "gp-{l}"),
            CompactRef::Objective(n) => write!(f, "obj-{n}"),
            CompactRef::Action(n, l) => write!(f, "obj-{n}-{l}"),
            CompactRef::Paragraph(n) => write!(f, "para-{n}"),
            CompactRef::ParagraphItem(n, labels) => write!(f, "para-{n}-{}", labels.join("-")),
            CompactRef::Resolution(n) => write!(f, "res-{n}"),
        }
    }
}

fn single_letter(s: &str) -> Option<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c @ 'a'..='z'), None) => Some(c),
        _ => None,
    }
}

/// Parses a decimal number without sign, leading zeros or other decoration.
fn number_in(s: &str, min: u32, max: u32) -> Option<u32> {
    if s.is_empty() || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|n| (min..=max).contains(n))
}

fn objective_number(s: &str) -> Option<u8> {
    number_in(s, 1, OBJECTIVE_COUNT as u32).map(|n| n as u8)
}

pub(crate) const ROMANS: [&str; 10] = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"];

fn is_roman(s: &str) -> bool {
    ROMANS.contains(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_kind() {
        for id in [
            "gp-a",
            "gp-j",
            "obj-1",
            "obj-23",
            "obj-20-a",
            "para-1",
            "para-54",
            "para-43-a",
            "para-43-a-iii",
            "res-2",
        ] {
            assert_eq!(CompactRef::parse(id).unwrap().to_string(), id);
        }
    }

    #[test]
    fn refuses_out_of_range_and_malformed_ids() {
        for id in [
            "gp-k",
            "gp-",
            "obj-0",
            "obj-24",
            "obj-01",
            "obj-1-",
            "obj-1-ab",
            "obj-1-A",
            "para-0",
            "para-55",
            "para-43-iii",
            "para-43-a-b",
            "para-43-a-i-i",
            "res-3",
            "objective-1",
            "",
            "obj-+1",
        ] {
            assert!(CompactRef::parse(id).is_err(), "{id} should be refused");
        }
    }
}
