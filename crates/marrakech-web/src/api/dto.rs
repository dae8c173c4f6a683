//! The API's answers: the public contract, kept apart from the domain types so that either can
//! change without surprising the other. Each carries `href`, the page that shows it.

use marrakech_core::calendar::FollowUpEvent;
use marrakech_core::compact::{Action, Footnote, Item, Objective, Paragraph, Principle, Section};
use marrakech_core::countries::{Area, Country, Region};
use serde::Serialize;
use utoipa::ToSchema;

/// A list answer. `next_cursor` is set when more items follow; pass it as `cursor`.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    /// How many items match, over all pages.
    pub total: usize,
    /// The page size used, for paginated lists.
    pub limit: Option<usize>,
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// A list answered whole.
    pub fn whole(items: Vec<T>) -> List<T> {
        List {
            total: items.len(),
            items,
            limit: None,
            next_cursor: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PrincipleDto {
    /// `gp-a` to `gp-j`
    pub id: String,
    pub letter: String,
    pub name: String,
    pub text: String,
    /// The paragraph that sets the principles out: `para-15`.
    pub paragraph: String,
    pub href: String,
}

impl From<&Principle> for PrincipleDto {
    fn from(p: &Principle) -> Self {
        PrincipleDto {
            id: p.id.clone(),
            letter: p.letter.to_string(),
            name: p.name.clone(),
            text: p.text.clone(),
            paragraph: "para-15".into(),
            href: format!("/principles#{}", p.id),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionDto {
    /// `obj-20-a`
    pub id: String,
    /// `obj-20`
    pub objective: String,
    pub letter: String,
    /// The sub-heading the action stands under, where the text has one.
    pub heading: Option<String>,
    pub text: String,
    /// Numbers of the footnotes it cites.
    pub footnotes: Vec<u32>,
    pub href: String,
}

impl From<&Action> for ActionDto {
    fn from(a: &Action) -> Self {
        ActionDto {
            id: a.id.clone(),
            objective: format!("obj-{}", a.objective),
            letter: a.letter.to_string(),
            heading: a.heading.clone(),
            text: a.text.clone(),
            footnotes: a.footnotes.clone(),
            href: format!("/actions/{}", a.id),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveDto {
    /// `obj-1` to `obj-23`
    pub id: String,
    pub number: u8,
    pub title: String,
    /// A short label for navigation.
    pub label: String,
    /// Its commitment paragraph, e.g. `para-36` for objective 20.
    pub paragraph: String,
    pub commitment: String,
    pub actions: Vec<ActionDto>,
    pub href: String,
}

impl From<&Objective> for ObjectiveDto {
    fn from(o: &Objective) -> Self {
        ObjectiveDto {
            id: o.id.clone(),
            number: o.number,
            title: o.title.clone(),
            label: o.label.clone(),
            paragraph: format!("para-{}", o.paragraph),
            commitment: o.commitment.clone(),
            actions: o.actions.iter().map(ActionDto::from).collect(),
            href: format!("/objectives/{}", o.id),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDto {
    /// `para-43-a`, `para-43-a-iii`, `obj-1-a`, `gp-a`
    pub id: String,
    /// `a`, `iii`
    pub label: String,
    /// A name at the head of the item (the guiding principles').
    pub title: Option<String>,
    pub heading: Option<String>,
    pub text: String,
    pub footnotes: Vec<u32>,
    #[schema(no_recursion)]
    pub items: Vec<ItemDto>,
}

impl From<&Item> for ItemDto {
    fn from(i: &Item) -> Self {
        ItemDto {
            id: i.id.clone(),
            label: i.label.clone(),
            title: i.title.clone(),
            heading: i.heading.clone(),
            text: i.text.clone(),
            footnotes: i.footnotes.clone(),
            items: i.items.iter().map(ItemDto::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParagraphDto {
    /// `para-1` to `para-54` in the annex, `res-1` and `res-2` in the resolution.
    pub id: String,
    pub number: u32,
    /// `resolution` or `annex`
    pub part: String,
    /// `resolution`, `preamble`, `vision-and-guiding-principles`, `cooperative-framework`,
    /// `objectives-and-commitments`, `implementation` or `follow-up-and-review`
    pub section: String,
    pub section_title: String,
    pub subsection: Option<String>,
    /// For paragraphs 17 to 39, the objective whose commitment it is.
    pub objective: Option<String>,
    pub text: String,
    pub list_intro: Option<String>,
    pub items: Vec<ItemDto>,
    pub footnotes: Vec<u32>,
    pub href: String,
}

impl From<&Paragraph> for ParagraphDto {
    fn from(p: &Paragraph) -> Self {
        ParagraphDto {
            id: p.id.clone(),
            number: p.number,
            part: if p.section == Section::Resolution {
                "resolution"
            } else {
                "annex"
            }
            .into(),
            section: p.section.slug().into(),
            section_title: p.section.title().into(),
            subsection: p.subsection.clone(),
            objective: p.objective.map(|n| format!("obj-{n}")),
            text: p.text.clone(),
            list_intro: p.list_intro.clone(),
            items: p.items.iter().map(ItemDto::from).collect(),
            footnotes: p.footnotes.clone(),
            href: format!("/compact/{}", p.id),
        }
    }
}

/// A sub-item asked for by its own id (`para-43-a-iii`), with the paragraph it belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParagraphItemDto {
    pub paragraph: String,
    #[serde(flatten)]
    pub item: ItemDto,
    pub href: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FootnoteDto {
    pub number: u32,
    pub text: String,
    /// Ids of the passages that cite it, in document order.
    pub cited_in: Vec<String>,
}

impl From<&Footnote> for FootnoteDto {
    fn from(f: &Footnote) -> Self {
        FootnoteDto {
            number: f.number,
            text: f.text.clone(),
            cited_in: f.cited_in.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaDto {
    /// M49 code, three digits.
    pub code: String,
    pub name: String,
}

impl From<&Area> for AreaDto {
    fn from(a: &Area) -> Self {
        AreaDto {
            code: a.code.to_string(),
            name: a.name.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommissionMembershipDto {
    /// `ECA`, `ECE`, `ECLAC`, `ESCAP` or `ESCWA`
    pub commission: String,
    pub name: String,
    /// `member` or `associate`
    pub membership: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountryDto {
    /// UN M49 numeric code, three digits.
    pub m49: String,
    pub iso2: String,
    pub iso3: String,
    /// The United Nations name.
    pub name: String,
    /// The ISO 3166-1 short name.
    pub iso_name: String,
    pub region: Option<AreaDto>,
    pub subregion: Option<AreaDto>,
    pub intermediate_region: Option<AreaDto>,
    /// One of the 193 Member States of the United Nations.
    pub un_member_state: bool,
    /// UN regional commissions, which organise the regional reviews (para 50).
    pub commissions: Vec<CommissionMembershipDto>,
    pub href: String,
}

impl From<&Country> for CountryDto {
    fn from(c: &Country) -> Self {
        CountryDto {
            m49: c.m49.to_string(),
            iso2: c.iso2.clone(),
            iso3: c.iso3.clone(),
            name: c.name.clone(),
            iso_name: c.iso_name.clone(),
            region: c.region.as_ref().map(AreaDto::from),
            subregion: c.subregion.as_ref().map(AreaDto::from),
            intermediate_region: c.intermediate_region.as_ref().map(AreaDto::from),
            un_member_state: c.un_member_state,
            commissions: c
                .commissions
                .iter()
                .map(|(k, m)| CommissionMembershipDto {
                    commission: k.code().into(),
                    name: k.name().into(),
                    membership: m.as_str().into(),
                })
                .collect(),
            href: format!("/countries/{}", c.iso3),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionDto {
    /// M49 code, three digits.
    pub code: String,
    pub name: String,
    /// `region`, `subregion` or `intermediate`
    pub level: String,
    pub parent: Option<String>,
    /// The countries page filtered to this region.
    pub href: String,
}

impl From<&Region> for RegionDto {
    fn from(r: &Region) -> Self {
        RegionDto {
            code: r.code.to_string(),
            name: r.name.clone(),
            level: r.level.as_str().into(),
            parent: r.parent.map(|p| p.to_string()),
            href: format!("/countries?region={}", r.code),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    /// `review-forum`, `regional-review`, `secretary-general-report` or `gfmd-exchange`
    pub kind: String,
    pub year: i32,
    /// 1 for the first of its series.
    pub edition: u32,
    pub title: String,
    pub description: String,
    /// The passage of the compact that sets it, e.g. `para-49-c`.
    pub cites: String,
    pub cites_href: String,
}

impl From<&FollowUpEvent> for EventDto {
    fn from(e: &FollowUpEvent) -> Self {
        EventDto {
            kind: e.kind.slug().into(),
            year: e.year,
            edition: e.edition,
            title: e.title.clone(),
            description: e.description.into(),
            cites: e.cites.into(),
            cites_href: format!("/compact/{}", e.cites),
        }
    }
}
