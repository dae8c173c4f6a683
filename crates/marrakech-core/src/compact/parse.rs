//! The parser of the official text.
//!
//! The text was extracted from the PDF and carries its artifacts; the parser undoes them in
//! two passes:
//!
//! 1. [`units`] turns lines into logical units: it takes footnote lines out of the running
//!    text (they sit wherever a page ended, even between two actions), rejoins paragraphs that
//!    a page break split (the second half starts in lower case, or, once, with a capitalised
//!    name after an unfinished sentence), rejoins emphasis split over two lines (the bold
//!    heading of objective 10), and drops the leading dashes of paragraph 43's list items.
//! 2. [`Parser`] walks the units through the document's fixed structure (resolution header,
//!    preamble, operative paragraphs, annex sections, objectives with their actions) and
//!    refuses anything it does not expect, naming the line.
//!
//! Cleaning ([`clean`]) removes footnote markers (recording which footnotes a passage cites),
//! Markdown emphasis and link syntax, and collapses whitespace.

use thiserror::Error;

use super::ids::ROMANS;
use super::{
    Action, Compact, Footnote, Item, Objective, Paragraph, Passage, Principle, Resolution, Section,
    OBJECTIVE_LABELS,
};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("line {line}: expected {expected}, found `{found}`")]
    Unexpected {
        line: usize,
        expected: String,
        found: String,
    },
    #[error("the text ended while expecting {expected}")]
    UnexpectedEnd { expected: String },
    #[error("line {line}: emphasis opened here is never closed")]
    UnclosedEmphasis { line: usize },
    #[error("footnote {number} is cited but never given")]
    MissingFootnote { number: u32 },
    #[error("found {found} {what}, the compact has {expected}")]
    WrongCount {
        what: &'static str,
        expected: usize,
        found: usize,
    },
}

const SUBSECTIONS: [&str; 3] = [
    "Common understanding",
    "Shared responsibilities",
    "Unity of purpose",
];
const OBJECTIVE_LIST_HEADING: &str = "Objectives for safe, orderly and regular migration";
const ACTIONS_INTRO: &str = "To realize this commitment, we will draw from the following actions:";

/// One logical unit of text: a paragraph, a list item, a heading, with its first line number.
#[derive(Debug, Clone)]
struct Unit {
    line: usize,
    raw: String,
}

/// A footnote's number and cleaned text, as found at the foot of a page.
type FootnoteLine = (u32, String);

/// Pass 1: lines to units, footnotes set aside.
fn units(text: &str) -> Result<(Vec<Unit>, Vec<FootnoteLine>), ParseError> {
    let mut units: Vec<Unit> = Vec::new();
    let mut footnotes = Vec::new();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    while let Some((line, text)) = lines.next() {
        if text.is_empty() {
            continue;
        }
        if let Some((number, rest)) = split_footnote_line(text) {
            footnotes.push((number, clean(rest).0));
            continue;
        }
        let mut raw = strip_list_dash(text).to_owned();
        while has_unclosed_emphasis(&raw) {
            match lines.find(|(_, l)| !l.is_empty()) {
                Some((_, next)) => {
                    raw.push(' ');
                    raw.push_str(next);
                }
                None => return Err(ParseError::UnclosedEmphasis { line }),
            }
        }
        match units.last_mut() {
            Some(prev) if continues(prev, &raw) => {
                prev.raw.push(' ');
                prev.raw.push_str(&raw);
            }
            _ => units.push(Unit { line, raw }),
        }
    }
    Ok((units, footnotes))
}

/// Whether `next` is the rest of `prev`, split from it by a page break.
fn continues(prev: &Unit, next: &str) -> bool {
    if next.starts_with(|c: char| c.is_lowercase()) {
        return true;
    }
    // A capitalised continuation (a proper name) only follows an unfinished sentence in a
    // numbered paragraph or list item, and is never itself the start of a structure.
    is_body(&prev.raw) && !ends_sentence(&prev.raw) && !is_structural(next)
}

fn is_body(raw: &str) -> bool {
    item_marker(raw).is_some() || numbered(raw).is_some()
}

fn ends_sentence(raw: &str) -> bool {
    let trimmed = raw.trim_end_matches(|c: char| is_superscript(c) || matches!(c, '*' | '”' | ')'));
    trimmed.ends_with(['.', ';', ':'])
}

fn is_structural(raw: &str) -> bool {
    let heading = clean(raw).0;
    is_body(raw)
        || objective_heading(&heading).is_some()
        || Section::from_heading(&heading).is_some()
        || SUBSECTIONS.contains(&heading.as_str())
        || heading == OBJECTIVE_LIST_HEADING
        || heading == ACTIONS_INTRO
}

fn strip_list_dash(line: &str) -> &str {
    match line.strip_prefix('-') {
        Some(rest) if rest.starts_with(char::is_whitespace) => rest.trim_start(),
        _ => line,
    }
}

fn has_unclosed_emphasis(raw: &str) -> bool {
    let strong = raw.matches("**").count();
    let single = raw.replace("**", "").matches('*').count();
    strong % 2 == 1 || single % 2 == 1
}

fn is_superscript(c: char) -> bool {
    superscript_digit(c).is_some()
}

fn superscript_digit(c: char) -> Option<u32> {
    Some(match c {
        '⁰' => 0,
        '¹' => 1,
        '²' => 2,
        '³' => 3,
        '⁴' => 4,
        '⁵' => 5,
        '⁶' => 6,
        '⁷' => 7,
        '⁸' => 8,
        '⁹' => 9,
        _ => return None,
    })
}

/// `¹² Resolution 70/1.` -> (12, "Resolution 70/1.")
fn split_footnote_line(line: &str) -> Option<(u32, &str)> {
    let digits: String = line.chars().take_while(|c| is_superscript(*c)).collect();
    if digits.is_empty() {
        return None;
    }
    let number = digits
        .chars()
        .filter_map(superscript_digit)
        .fold(0, |n, d| n * 10 + d);
    Some((number, line[digits.len()..].trim_start()))
}

/// Plain text of a raw unit and the footnotes it cites, in order.
pub(crate) fn clean(raw: &str) -> (String, Vec<u32>) {
    let mut text = String::with_capacity(raw.len());
    let mut footnotes = Vec::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(d) = superscript_digit(c) {
            let mut n = d;
            while let Some(d) = chars.peek().copied().and_then(superscript_digit) {
                n = n * 10 + d;
                chars.next();
            }
            footnotes.push(n);
            continue;
        }
        match c {
            '*' => {}
            // `[71/1](#)`: keep the label, drop the target.
            '[' => {
                let label: String = chars.by_ref().take_while(|c| *c != ']').collect();
                if chars.peek() == Some(&'(') {
                    chars.by_ref().take_while(|c| *c != ')').for_each(drop);
                }
                text.push_str(&label);
            }
            c if c.is_whitespace() => {
                if !text.ends_with(' ') {
                    text.push(' ');
                }
            }
            c => text.push(c),
        }
    }
    (text.trim().to_owned(), footnotes)
}

/// `(iii) Connecting ...` -> ("iii", "Connecting ...")
fn item_marker(raw: &str) -> Option<(&str, &str)> {
    let rest = raw.strip_prefix('(')?;
    let close = rest.find(')')?;
    let label = &rest[..close];
    let after = &rest[close + 1..];
    let valid =
        !label.is_empty() && label.len() <= 4 && label.bytes().all(|b| b.is_ascii_lowercase());
    (valid && after.starts_with(' ')).then(|| (label, after.trim_start()))
}

/// `43. We decide ...` -> (43, "We decide ...")
fn numbered(raw: &str) -> Option<(u32, &str)> {
    let digits = raw.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let rest = raw[digits..].strip_prefix(". ")?;
    Some((raw[..digits].parse().ok()?, rest.trim_start()))
}

/// `Objective 10: Prevent, ...` (already cleaned) -> (10, "Prevent, ...")
fn objective_heading(heading: &str) -> Option<(u8, &str)> {
    let rest = heading.strip_prefix("Objective ")?;
    let (n, title) = rest.split_once(": ")?;
    Some((n.parse().ok()?, title))
}

/// Pass 2: the document's structure.
struct Parser {
    units: Vec<Unit>,
    pos: usize,
    /// (footnote, citing passage id), in document order.
    citations: Vec<(u32, String)>,
}

impl Parser {
    fn peek(&self) -> Option<&Unit> {
        self.units.get(self.pos)
    }

    fn next(&mut self, expected: &str) -> Result<Unit, ParseError> {
        let unit = self
            .units
            .get(self.pos)
            .cloned()
            .ok_or_else(|| ParseError::UnexpectedEnd {
                expected: expected.to_owned(),
            })?;
        self.pos += 1;
        Ok(unit)
    }

    fn unexpected(unit: &Unit, expected: impl Into<String>) -> ParseError {
        ParseError::Unexpected {
            line: unit.line,
            expected: expected.into(),
            found: unit.raw.chars().take(80).collect(),
        }
    }

    /// The next unit, cleaned, which must satisfy `accept`.
    fn expect_text(
        &mut self,
        expected: &str,
        accept: impl Fn(&str) -> bool,
    ) -> Result<String, ParseError> {
        let unit = self.next(expected)?;
        let text = clean(&unit.raw).0;
        if accept(&text) {
            Ok(text)
        } else {
            Err(Self::unexpected(&unit, expected))
        }
    }

    /// Cleans a passage's text and records the footnotes it cites.
    fn passage_text(&mut self, id: &str, raw: &str) -> (String, Vec<u32>) {
        let (text, footnotes) = clean(raw);
        self.citations
            .extend(footnotes.iter().map(|n| (*n, id.to_owned())));
        (text, footnotes)
    }

    fn resolution(&mut self) -> Result<(Resolution, String), ParseError> {
        let session = self.expect_text("the session", |t| t.ends_with(" session"))?;
        let agenda_items =
            self.expect_text("the agenda items", |t| t.starts_with("Agenda item"))?;
        let adopted = self.expect_text("the adoption line", |t| {
            t.starts_with("Resolution adopted by the General Assembly on ")
        })?;
        let adopted_on = adopted
            .trim_start_matches("Resolution adopted by the General Assembly on ")
            .to_owned();
        let committee = self.next("the committee note")?;
        if !committee.raw.starts_with('[') {
            return Err(Self::unexpected(
                &committee,
                "the committee note in brackets",
            ));
        }
        let committee_note = clean(&committee.raw).0;
        let heading = self.next("the resolution's number and title")?;
        let (number, title) = clean(&heading.raw)
            .0
            .split_once(". ")
            .filter(|(n, _)| n.contains('/'))
            .map(|(n, t)| (n.to_owned(), t.to_owned()))
            .ok_or_else(|| Self::unexpected(&heading, "`73/195. Title`"))?;
        self.expect_text("`The General Assembly,`", |t| t == "The General Assembly,")?;

        let mut preamble = Vec::new();
        while let Some(unit) = self.peek().filter(|u| numbered(&u.raw).is_none()).cloned() {
            self.pos += 1;
            let id = format!("res-pp-{}", preamble.len() + 1);
            let (text, footnotes) = self.passage_text(&id, &unit.raw);
            preamble.push(Passage {
                id,
                text,
                footnotes,
            });
        }
        let mut paragraphs = Vec::new();
        while let Some((n, body)) = self.peek().and_then(|u| numbered(&u.raw)) {
            let body = body.to_owned();
            let unit = self.next("an operative paragraph")?;
            if n as usize != paragraphs.len() + 1 {
                return Err(Self::unexpected(
                    &unit,
                    format!("paragraph {}", paragraphs.len() + 1),
                ));
            }
            let id = format!("res-{n}");
            let (text, footnotes) = self.passage_text(&id, &body);
            paragraphs.push(Paragraph {
                id,
                number: n,
                section: Section::Resolution,
                subsection: None,
                objective: None,
                text,
                list_intro: None,
                items: Vec::new(),
                footnotes,
            });
        }
        let meeting = self.expect_text("the plenary meeting", |t| t.contains("plenary meeting"))?;
        self.expect_text("`Annex`", |t| t == "Annex")?;
        let annex_title = self.expect_text("the annex title", |t| t == title)?;
        let symbol = format!("A/RES/{number}");
        Ok((
            Resolution {
                symbol,
                number,
                title,
                session,
                agenda_items,
                adopted_on,
                committee_note,
                meeting,
                preamble,
                paragraphs,
            },
            annex_title,
        ))
    }

    fn annex(&mut self) -> Result<Annex, ParseError> {
        let opening = self.next("the annex's opening sentence")?;
        let (text, footnotes) = self.passage_text("annex-opening", &opening.raw);
        let mut annex = Annex {
            opening: Passage {
                id: "annex-opening".into(),
                text,
                footnotes,
            },
            paragraphs: Vec::new(),
            objectives: Vec::new(),
            principles: Vec::new(),
        };
        let mut section: Option<Section> = None;
        let mut subsection: Option<String> = None;
        while let Some(unit) = self.peek().cloned() {
            let heading = clean(&unit.raw).0;
            if let Some(s) = Section::from_heading(&heading) {
                self.pos += 1;
                section = Some(s);
                subsection = None;
            } else if SUBSECTIONS.contains(&heading.as_str()) {
                self.pos += 1;
                subsection = Some(heading);
            } else if heading == OBJECTIVE_LIST_HEADING {
                self.pos += 1;
                self.objective_list()?;
            } else if let Some((number, title)) = objective_heading(&heading) {
                self.pos += 1;
                let expected = annex.objectives.len() as u8 + 1;
                if number != expected {
                    return Err(Self::unexpected(&unit, format!("objective {expected}")));
                }
                let paragraph = self.paragraph(section, None, &mut annex, Some(number))?;
                annex.objectives.push(objective(number, title, &paragraph));
                annex.paragraphs.push(paragraph);
            } else if numbered(&unit.raw).is_some() {
                let paragraph = self.paragraph(section, subsection.clone(), &mut annex, None)?;
                annex.paragraphs.push(paragraph);
            } else {
                return Err(Self::unexpected(&unit, "a heading or a numbered paragraph"));
            }
        }
        Ok(annex)
    }

    /// The list of the 23 objectives after paragraph 16; their titles are taken from the
    /// objectives' own headings (the list words objective 13 differently), so the list is
    /// only checked.
    fn objective_list(&mut self) -> Result<(), ParseError> {
        for expected in 1..=OBJECTIVE_LABELS.len() as u32 {
            let unit = self.next("an entry of the objectives list")?;
            match numbered(&unit.raw) {
                Some((n, _)) if n == expected => {}
                _ => {
                    return Err(Self::unexpected(
                        &unit,
                        format!("objective {expected} in the list"),
                    ))
                }
            }
        }
        Ok(())
    }

    fn paragraph(
        &mut self,
        section: Option<Section>,
        subsection: Option<String>,
        annex: &mut Annex,
        objective: Option<u8>,
    ) -> Result<Paragraph, ParseError> {
        let unit = self.next("a numbered paragraph")?;
        let expected = annex.paragraphs.len() as u32 + 1;
        let section = section.ok_or_else(|| Self::unexpected(&unit, "a section heading"))?;
        let body = match numbered(&unit.raw) {
            Some((n, body)) if n == expected => body.to_owned(),
            _ => return Err(Self::unexpected(&unit, format!("paragraph {expected}"))),
        };
        let id = format!("para-{expected}");
        let (text, footnotes) = self.passage_text(&id, &body);
        let mut paragraph = Paragraph {
            id,
            number: expected,
            section,
            subsection,
            objective,
            text,
            list_intro: None,
            items: Vec::new(),
            footnotes,
        };
        if let Some(n) = objective {
            self.expect_text("the actions' introduction", |t| t == ACTIONS_INTRO)?;
            paragraph.list_intro = Some(ACTIONS_INTRO.to_owned());
            paragraph.items = self.actions(n)?;
        } else if expected == 15 {
            paragraph.items = self.items("gp", false)?;
            for item in &mut paragraph.items {
                let (name, text) =
                    split_principle(&item.text).ok_or_else(|| ParseError::Unexpected {
                        line: unit.line,
                        expected: "an italic principle name".into(),
                        found: item.text.clone(),
                    })?;
                item.id = format!("gp-{}", item.label);
                item.title = Some(name);
                item.text = text;
            }
            annex.principles = paragraph
                .items
                .iter()
                .map(|item| Principle {
                    id: item.id.clone(),
                    letter: item.label.chars().next().unwrap_or('a'),
                    name: item.title.clone().unwrap_or_default(),
                    text: item.text.clone(),
                })
                .collect();
        } else {
            let nested = paragraph.text.ends_with(':');
            let prefix = paragraph.id.clone();
            paragraph.items = self.items(&prefix, nested)?;
        }
        Ok(paragraph)
    }

    /// An objective's lettered actions, with the sub-headings some of them stand under.
    fn actions(&mut self, objective: u8) -> Result<Vec<Item>, ParseError> {
        let mut actions = Vec::new();
        let mut heading = None;
        while let Some(unit) = self.peek().cloned() {
            if let Some((label, body)) = item_marker(&unit.raw) {
                let expected = letter(actions.len());
                if label != expected {
                    return Err(Self::unexpected(&unit, format!("action ({expected})")));
                }
                self.pos += 1;
                let id = format!("obj-{objective}-{label}");
                let (text, footnotes) = self.passage_text(&id, body);
                actions.push(Item {
                    id,
                    label: label.to_owned(),
                    title: None,
                    heading: heading.clone(),
                    text,
                    footnotes,
                    items: Vec::new(),
                });
            } else if !actions.is_empty()
                && !is_structural(&unit.raw)
                && self
                    .units
                    .get(self.pos + 1)
                    .is_some_and(|next| item_marker(&next.raw).is_some())
            {
                // A line between two actions that is not itself an action: a sub-heading.
                self.pos += 1;
                heading = Some(clean(&unit.raw).0);
            } else {
                break;
            }
        }
        if actions.is_empty() {
            let unit = self.peek().cloned();
            return Err(match unit {
                Some(u) => Self::unexpected(&u, "action (a)"),
                None => ParseError::UnexpectedEnd {
                    expected: "action (a)".into(),
                },
            });
        }
        Ok(actions)
    }

    /// Lettered items of a paragraph; when `nested`, an item ending in a colon is followed
    /// by its roman sub-items (paragraph 43: `(a) ... by:` then `(i)`, `(ii)`, ...).
    fn items(&mut self, prefix: &str, nested: bool) -> Result<Vec<Item>, ParseError> {
        let mut items: Vec<Item> = Vec::new();
        while let Some(unit) = self.peek().cloned() {
            let Some((label, body)) = item_marker(&unit.raw) else {
                break;
            };
            let parent = items.last_mut().filter(|p| nested && p.text.ends_with(':'));
            let next_roman = parent
                .as_ref()
                .map(|p| ROMANS.get(p.items.len()).copied().unwrap_or_default());
            if let (Some(parent), Some(roman)) = (parent, next_roman) {
                if label == roman {
                    self.pos += 1;
                    let id = format!("{}-{label}", parent.id);
                    let (text, footnotes) = clean(body);
                    self.citations
                        .extend(footnotes.iter().map(|n| (*n, id.clone())));
                    parent.items.push(Item {
                        id,
                        label: label.to_owned(),
                        title: None,
                        heading: None,
                        text,
                        footnotes,
                        items: Vec::new(),
                    });
                    continue;
                }
            }
            let expected = letter(items.len());
            if label != expected {
                return Err(Self::unexpected(&unit, format!("item ({expected})")));
            }
            self.pos += 1;
            let id = format!("{prefix}-{label}");
            let (text, footnotes) = self.passage_text(&id, body);
            items.push(Item {
                id,
                label: label.to_owned(),
                title: None,
                heading: None,
                text,
                footnotes,
                items: Vec::new(),
            });
        }
        Ok(items)
    }
}

struct Annex {
    opening: Passage,
    paragraphs: Vec<Paragraph>,
    objectives: Vec<Objective>,
    principles: Vec<Principle>,
}

fn letter(index: usize) -> &'static str {
    const LETTERS: [&str; 26] = [
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
        "s", "t", "u", "v", "w", "x", "y", "z",
    ];
    LETTERS.get(index).copied().unwrap_or("?")
}

/// `People-centred. The Global Compact ...` (emphasis already removed) -> name and text.
/// The name is what stood in italics; after cleaning, it is the text up to the first `. `.
fn split_principle(text: &str) -> Option<(String, String)> {
    let (name, rest) = text.split_once(". ")?;
    Some((name.to_owned(), rest.to_owned()))
}

fn objective(number: u8, title: &str, paragraph: &Paragraph) -> Objective {
    Objective {
        id: format!("obj-{number}"),
        number,
        title: title.to_owned(),
        label: OBJECTIVE_LABELS[number as usize - 1].to_owned(),
        paragraph: paragraph.number,
        commitment: paragraph.text.clone(),
        actions: paragraph
            .items
            .iter()
            .map(|item| Action {
                id: item.id.clone(),
                objective: number,
                letter: item.label.chars().next().unwrap_or('a'),
                heading: item.heading.clone(),
                text: item.text.clone(),
                footnotes: item.footnotes.clone(),
            })
            .collect(),
    }
}

pub(super) fn parse(text: &str) -> Result<Compact, ParseError> {
    let (units, footnote_texts) = units(text)?;
    let mut parser = Parser {
        units,
        pos: 0,
        citations: Vec::new(),
    };
    let (resolution, annex_title) = parser.resolution()?;
    let annex = parser.annex()?;

    let mut footnotes: Vec<Footnote> = footnote_texts
        .into_iter()
        .map(|(number, text)| Footnote {
            number,
            text,
            cited_in: Vec::new(),
        })
        .collect();
    for (number, id) in parser.citations {
        let footnote = footnotes
            .iter_mut()
            .find(|f| f.number == number)
            .ok_or(ParseError::MissingFootnote { number })?;
        footnote.cited_in.push(id);
    }

    let compact = Compact {
        resolution,
        annex_title,
        annex_opening: annex.opening,
        paragraphs: annex.paragraphs,
        principles: annex.principles,
        objectives: annex.objectives,
        footnotes,
    };
    check_count("guiding principles", 10, compact.principles.len())?;
    check_count(
        "objectives",
        OBJECTIVE_LABELS.len(),
        compact.objectives.len(),
    )?;
    check_count("annex paragraphs", 54, compact.paragraphs.len())?;
    Ok(compact)
}

fn check_count(what: &'static str, expected: usize, found: usize) -> Result<(), ParseError> {
    if expected == found {
        Ok(())
    } else {
        Err(ParseError::WrongCount {
            what,
            expected,
            found,
        })
    }
}
