//! The compact as data: resolution 73/195 and its annex, parsed from the official text.
//!
//! Every citable piece carries a stable id that the rest of the platform points at:
//! `gp-a`..`gp-j` (guiding principles), `obj-1`..`obj-23` (objectives), `obj-20-a` (actions),
//! `para-1`..`para-54` (annex paragraphs), `para-43-a-iii` (their sub-items), `res-1`, `res-2`
//! (the resolution's operative paragraphs), `res-pp-1` (its preamble), `annex-opening`.

mod ids;
mod parse;

use std::sync::OnceLock;

use serde::Serialize;

pub use ids::{CompactRef, RefError};
pub use parse::ParseError;

/// The official English text as extracted from the PDF of A/RES/73/195, shipped with the
/// platform (`data/compact/`). Its PDF artifacts are undone by [`Compact::parse`].
pub const OFFICIAL_TEXT: &str = include_str!("../../../../data/compact/A-RES-73-195.txt");

/// Short labels (one to four words) for navigation. The official titles are long sentences;
/// these are the platform's own, chosen to be recognisable to practitioners.
pub const OBJECTIVE_LABELS: [&str; 23] = [
    "Data",
    "Adverse drivers",
    "Information",
    "Legal identity",
    "Regular pathways",
    "Fair recruitment",
    "Vulnerabilities",
    "Saving lives",
    "Smuggling",
    "Trafficking",
    "Border management",
    "Screening and referral",
    "Alternatives to detention",
    "Consular protection",
    "Basic services",
    "Inclusion and social cohesion",
    "Non-discrimination",
    "Skills recognition",
    "Diaspora contributions",
    "Remittances",
    "Return and reintegration",
    "Social protection portability",
    "International cooperation",
];

/// The parts of the document, in order. The annex's sections are its own headings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    Resolution,
    Preamble,
    VisionAndGuidingPrinciples,
    CooperativeFramework,
    ObjectivesAndCommitments,
    Implementation,
    FollowUpAndReview,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Resolution,
        Section::Preamble,
        Section::VisionAndGuidingPrinciples,
        Section::CooperativeFramework,
        Section::ObjectivesAndCommitments,
        Section::Implementation,
        Section::FollowUpAndReview,
    ];

    /// The heading as printed in the document.
    pub fn title(self) -> &'static str {
        match self {
            Section::Resolution => "Resolution 73/195",
            Section::Preamble => "Preamble",
            Section::VisionAndGuidingPrinciples => "Our vision and guiding principles",
            Section::CooperativeFramework => "Our cooperative framework",
            Section::ObjectivesAndCommitments => "Objectives and commitments",
            Section::Implementation => "Implementation",
            Section::FollowUpAndReview => "Follow-up and review",
        }
    }

    /// Stable machine name, as serialized.
    pub fn slug(self) -> &'static str {
        match self {
            Section::Resolution => "resolution",
            Section::Preamble => "preamble",
            Section::VisionAndGuidingPrinciples => "vision-and-guiding-principles",
            Section::CooperativeFramework => "cooperative-framework",
            Section::ObjectivesAndCommitments => "objectives-and-commitments",
            Section::Implementation => "implementation",
            Section::FollowUpAndReview => "follow-up-and-review",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.slug() == slug)
    }

    fn from_heading(heading: &str) -> Option<Section> {
        Section::ALL
            .into_iter()
            .skip(1)
            .find(|s| s.title() == heading)
    }
}

/// The resolution's own header and text, before the annex.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolution {
    /// `A/RES/73/195`
    pub symbol: String,
    /// `73/195`
    pub number: String,
    pub title: String,
    pub session: String,
    pub agenda_items: String,
    /// `19 December 2018`
    pub adopted_on: String,
    pub committee_note: String,
    pub meeting: String,
    /// The preambular paragraphs (`res-pp-1`, ...), after "The General Assembly,".
    pub preamble: Vec<Passage>,
    /// The operative paragraphs `res-1`, `res-2`.
    pub paragraphs: Vec<Paragraph>,
}

/// An unnumbered piece of running text (a preambular paragraph, the annex's opening sentence).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Passage {
    pub id: String,
    pub text: String,
    pub footnotes: Vec<u32>,
}

/// A numbered paragraph of the annex (`para-1`..`para-54`) or of the resolution (`res-1`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paragraph {
    pub id: String,
    pub number: u32,
    pub section: Section,
    /// The sub-heading the paragraph stands under ("Common understanding"), if any.
    pub subsection: Option<String>,
    /// For paragraphs 17 to 39: the objective whose commitment this is.
    pub objective: Option<u8>,
    pub text: String,
    /// The sentence that introduces the list of items, where it stands apart from the text
    /// ("To realize this commitment, we will draw from the following actions:").
    pub list_intro: Option<String>,
    /// Lettered (and, under them, roman) sub-items. For objective paragraphs these are the
    /// actions (`obj-1-a`), for paragraph 15 the guiding principles (`gp-a`).
    pub items: Vec<Item>,
    pub footnotes: Vec<u32>,
}

/// A lettered or roman sub-item of a paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: String,
    /// `a`, `iii`
    pub label: String,
    /// A name printed in italics at the head of the item (the guiding principles' names).
    pub title: Option<String>,
    /// The sub-heading the item stands under (objective 2's actions (h) to (l)).
    pub heading: Option<String>,
    pub text: String,
    pub footnotes: Vec<u32>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Principle {
    /// `gp-a`
    pub id: String,
    pub letter: char,
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objective {
    /// `obj-20`
    pub id: String,
    pub number: u8,
    pub title: String,
    pub label: String,
    /// The number of its commitment paragraph (17 for objective 1).
    pub paragraph: u32,
    pub commitment: String,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// `obj-20-a`
    pub id: String,
    pub objective: u8,
    pub letter: char,
    /// The sub-heading the action stands under, where the text has one.
    pub heading: Option<String>,
    pub text: String,
    pub footnotes: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Footnote {
    pub number: u32,
    pub text: String,
    /// Ids of the passages that cite it, in document order (a passage citing it twice is
    /// listed twice, as paragraph 2 does with footnote 3).
    pub cited_in: Vec<String>,
}

/// The whole compact: resolution, annex, and the derived framework views.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compact {
    pub resolution: Resolution,
    pub annex_title: String,
    pub annex_opening: Passage,
    /// Annex paragraphs 1 to 54, in order.
    pub paragraphs: Vec<Paragraph>,
    pub principles: Vec<Principle>,
    pub objectives: Vec<Objective>,
    pub footnotes: Vec<Footnote>,
}

impl Compact {
    /// Parses the text of A/RES/73/195 in the layout of [`OFFICIAL_TEXT`].
    pub fn parse(text: &str) -> Result<Compact, ParseError> {
        parse::parse(text)
    }

    /// The official compact, parsed once.
    pub fn official() -> &'static Compact {
        static OFFICIAL: OnceLock<Compact> = OnceLock::new();
        OFFICIAL.get_or_init(|| {
            Compact::parse(OFFICIAL_TEXT).expect("the bundled official text parses (tested)")
        })
    }

    pub fn objective(&self, number: u8) -> Option<&Objective> {
        self.objectives.iter().find(|o| o.number == number)
    }

    pub fn action(&self, objective: u8, letter: char) -> Option<&Action> {
        self.objective(objective)?
            .actions
            .iter()
            .find(|a| a.letter == letter)
    }

    pub fn principle(&self, letter: char) -> Option<&Principle> {
        self.principles.iter().find(|p| p.letter == letter)
    }

    /// An annex paragraph by number, or a resolution paragraph when `resolution` is set.
    pub fn paragraph(&self, number: u32) -> Option<&Paragraph> {
        self.paragraphs.iter().find(|p| p.number == number)
    }

    pub fn footnote(&self, number: u32) -> Option<&Footnote> {
        self.footnotes.iter().find(|f| f.number == number)
    }

    pub fn action_count(&self) -> usize {
        self.objectives.iter().map(|o| o.actions.len()).sum()
    }

    /// Whether the reference names something that exists in this compact.
    pub fn contains(&self, r: &CompactRef) -> bool {
        match r {
            CompactRef::Principle(l) => self.principle(*l).is_some(),
            CompactRef::Objective(n) => self.objective(*n).is_some(),
            CompactRef::Action(n, l) => self.action(*n, *l).is_some(),
            CompactRef::Paragraph(n) => self.paragraph(*n).is_some(),
            CompactRef::ParagraphItem(n, path) => self
                .paragraph(*n)
                .and_then(|p| find_item(&p.items, &r.to_string(), path.len()))
                .is_some(),
            CompactRef::Resolution(n) => self.resolution.paragraphs.iter().any(|p| p.number == *n),
        }
    }
}

/// What kind of passage a [`FlatPassage`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PassageKind {
    /// A preambular paragraph of the resolution (`res-pp-1`).
    Preamble,
    /// The annex's opening sentence.
    Opening,
    /// A numbered paragraph (`para-43`, `res-1`).
    Paragraph,
    /// A sub-item of a paragraph (`para-43-a-iii`, `obj-20-a`, `gp-a`).
    Item,
}

impl PassageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PassageKind::Preamble => "preamble",
            PassageKind::Opening => "opening",
            PassageKind::Paragraph => "paragraph",
            PassageKind::Item => "item",
        }
    }

    pub fn parse(s: &str) -> Option<PassageKind> {
        [
            PassageKind::Preamble,
            PassageKind::Opening,
            PassageKind::Paragraph,
            PassageKind::Item,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One citable passage with its place in the document: the compact as a flat list, in
/// document order (for storage and exports).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlatPassage<'a> {
    pub id: &'a str,
    pub kind: PassageKind,
    /// The item or paragraph it stands under.
    pub parent_id: Option<&'a str>,
    /// The numbered paragraph it belongs to (itself for a paragraph).
    pub paragraph_id: Option<&'a str>,
    pub number: Option<u32>,
    pub label: Option<&'a str>,
    pub section: Section,
    pub subsection: Option<&'a str>,
    pub title: Option<&'a str>,
    pub heading: Option<&'a str>,
    pub list_intro: Option<&'a str>,
    pub text: &'a str,
    pub footnotes: &'a [u32],
}

impl Compact {
    /// Every passage in document order: the resolution's preamble and paragraphs, the
    /// annex's opening, then its paragraphs, each followed by its items.
    pub fn passages(&self) -> Vec<FlatPassage<'_>> {
        let mut out = Vec::new();
        for p in &self.resolution.preamble {
            out.push(loose(p, PassageKind::Preamble, Section::Resolution));
        }
        for p in &self.resolution.paragraphs {
            push_paragraph(&mut out, p);
        }
        out.push(loose(
            &self.annex_opening,
            PassageKind::Opening,
            Section::Preamble,
        ));
        for p in &self.paragraphs {
            push_paragraph(&mut out, p);
        }
        out
    }
}

fn loose(p: &Passage, kind: PassageKind, section: Section) -> FlatPassage<'_> {
    FlatPassage {
        id: &p.id,
        kind,
        parent_id: None,
        paragraph_id: None,
        number: None,
        label: None,
        section,
        subsection: None,
        title: None,
        heading: None,
        list_intro: None,
        text: &p.text,
        footnotes: &p.footnotes,
    }
}

fn push_paragraph<'a>(out: &mut Vec<FlatPassage<'a>>, p: &'a Paragraph) {
    out.push(FlatPassage {
        id: &p.id,
        kind: PassageKind::Paragraph,
        parent_id: None,
        paragraph_id: Some(&p.id),
        number: Some(p.number),
        label: None,
        section: p.section,
        subsection: p.subsection.as_deref(),
        title: None,
        heading: None,
        list_intro: p.list_intro.as_deref(),
        text: &p.text,
        footnotes: &p.footnotes,
    });
    push_items(out, p, &p.id, &p.items);
}

fn push_items<'a>(
    out: &mut Vec<FlatPassage<'a>>,
    p: &'a Paragraph,
    parent: &'a str,
    items: &'a [Item],
) {
    for item in items {
        out.push(FlatPassage {
            id: &item.id,
            kind: PassageKind::Item,
            parent_id: Some(parent),
            paragraph_id: Some(&p.id),
            number: None,
            label: Some(&item.label),
            section: p.section,
            subsection: p.subsection.as_deref(),
            title: item.title.as_deref(),
            heading: item.heading.as_deref(),
            list_intro: None,
            text: &item.text,
            footnotes: &item.footnotes,
        });
        push_items(out, p, &item.id, &item.items);
    }
}

/// Looks an item up by id among nested items no deeper than `depth`.
pub fn find_item<'a>(items: &'a [Item], id: &str, depth: usize) -> Option<&'a Item> {
    for item in items {
        if item.id == id {
            return Some(item);
        }
        if depth > 1 {
            if let Some(found) = find_item(&item.items, id, depth - 1) {
                return Some(found);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
