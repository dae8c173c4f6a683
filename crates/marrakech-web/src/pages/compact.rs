//! The framework pages: principles, objectives, actions, the full text, paragraph permalinks.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use marrakech_core::compact::{
    find_item, Action, CompactRef, Footnote, Item, Objective, Paragraph, Principle, Resolution,
    Section as DocSection,
};

use marrakech_search::Facet;

use super::{render, Layout, Section};
use crate::auth::Auth;
use crate::error::{AppError, PageResult};
use crate::queries::{objective_number, ACTION_HINT, PARAGRAPH_HINT};
use crate::AppState;

/// A sub-item ready to show: `show_heading` is set on the first item under a sub-heading.
pub struct ItemView {
    pub id: String,
    pub label: String,
    pub title: Option<String>,
    pub heading: Option<String>,
    pub show_heading: bool,
    pub text: String,
    pub footnotes: Vec<u32>,
    /// The item's own page, for actions.
    pub page: Option<String>,
    pub items: Vec<ItemView>,
}

impl ItemView {
    fn list(items: &[Item]) -> Vec<ItemView> {
        let mut previous: Option<&str> = None;
        items
            .iter()
            .map(|item| {
                let show_heading = item.heading.is_some() && item.heading.as_deref() != previous;
                previous = item.heading.as_deref();
                ItemView {
                    id: item.id.clone(),
                    label: item.label.clone(),
                    title: item.title.clone(),
                    heading: item.heading.clone(),
                    show_heading,
                    text: item.text.clone(),
                    footnotes: item.footnotes.clone(),
                    page: item
                        .id
                        .starts_with("obj-")
                        .then(|| format!("/actions/{}", item.id)),
                    items: ItemView::list(&item.items),
                }
            })
            .collect()
    }
}

pub struct ParagraphView {
    pub id: String,
    pub number: u32,
    pub text: String,
    pub list_intro: Option<String>,
    pub footnotes: Vec<u32>,
    pub items: Vec<ItemView>,
}

impl From<&Paragraph> for ParagraphView {
    fn from(p: &Paragraph) -> Self {
        ParagraphView {
            id: p.id.clone(),
            number: p.number,
            text: p.text.clone(),
            list_intro: p.list_intro.clone(),
            footnotes: p.footnotes.clone(),
            items: ItemView::list(&p.items),
        }
    }
}

fn actions_as_items(actions: &[Action]) -> Vec<ItemView> {
    let items: Vec<Item> = actions
        .iter()
        .map(|a| Item {
            id: a.id.clone(),
            label: a.letter.to_string(),
            title: None,
            heading: a.heading.clone(),
            text: a.text.clone(),
            footnotes: a.footnotes.clone(),
            items: Vec::new(),
        })
        .collect();
    ItemView::list(&items)
}

/// The footnotes a set of passages cites, in number order, each once.
fn cited(footnotes: &[Footnote], numbers: impl IntoIterator<Item = u32>) -> Vec<Footnote> {
    let wanted: std::collections::BTreeSet<u32> = numbers.into_iter().collect();
    footnotes
        .iter()
        .filter(|f| wanted.contains(&f.number))
        .cloned()
        .collect()
}

fn item_footnotes(items: &[ItemView]) -> Vec<u32> {
    items
        .iter()
        .flat_map(|i| i.footnotes.iter().copied().chain(item_footnotes(&i.items)))
        .collect()
}

#[derive(Template)]
#[template(path = "principles.html")]
struct PrinciplesPage {
    layout: Layout,
    principles: Vec<Principle>,
    intro: String,
}

pub async fn principles(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    let principles = state.store.principles().await?;
    let intro = state
        .store
        .paragraph("para-15")
        .await?
        .map(|p| p.text)
        .unwrap_or_default();
    render(&PrinciplesPage {
        layout: Layout::new("Guiding principles", Some(Section::Compact), &auth)
            .described("The ten cross-cutting and interdependent guiding principles of the Global Compact for Migration (para 15)."),
        principles,
        intro,
    })
}

#[derive(Template)]
#[template(path = "objectives.html")]
struct ObjectivesPage {
    layout: Layout,
    objectives: Vec<Objective>,
    action_count: usize,
}

pub async fn objectives(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    let objectives = state.store.objectives(None).await?;
    let action_count = objectives.iter().map(|o| o.actions.len()).sum();
    render(&ObjectivesPage {
        layout: Layout::new("The 23 objectives", Some(Section::Objectives), &auth)
            .described("The 23 objectives of the Global Compact for Migration, each with its commitment and actions."),
        objectives,
        action_count,
    })
}

#[derive(Template)]
#[template(path = "objective.html")]
struct ObjectivePage {
    layout: Layout,
    objective: Objective,
    actions: Vec<ItemView>,
    list_intro: Option<String>,
    commitment_footnotes: Vec<u32>,
    footnotes: Vec<Footnote>,
    previous: Option<(String, String)>,
    next: Option<(String, String)>,
    /// The newest published knowledge items that implement the objective, as (id, title).
    knowledge: Vec<(String, String)>,
    knowledge_total: u64,
}

pub async fn objective(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    let number = objective_number(&id)?;
    let all = state.store.objectives(None).await?;
    let objective = all
        .iter()
        .find(|o| o.number == number)
        .cloned()
        .ok_or_else(|| AppError::not_found("objective", &id, None))?;
    let paragraph = state
        .store
        .paragraph(&format!("para-{}", objective.paragraph))
        .await?;
    let actions = actions_as_items(&objective.actions);
    let commitment_footnotes = paragraph
        .as_ref()
        .map(|p| p.footnotes.clone())
        .unwrap_or_default();
    let footnotes = cited(
        &state.store.footnotes().await?,
        item_footnotes(&actions)
            .into_iter()
            .chain(commitment_footnotes.iter().copied()),
    );
    let neighbour = |n: u8| {
        all.iter()
            .find(|o| o.number == n)
            .map(|o| (o.id.clone(), format!("Objective {}: {}", o.number, o.label)))
    };
    let (knowledge, knowledge_total) =
        crate::search::newest_for(&state, Facet::Objective, &objective.id, 10).await?;
    render(&ObjectivePage {
        knowledge,
        knowledge_total,
        layout: Layout::new(
            format!("Objective {}: {}", objective.number, objective.title),
            Some(Section::Objectives),
            &auth,
        )
        .described(objective.commitment.chars().take(200).collect::<String>()),
        previous: neighbour(number.wrapping_sub(1)),
        next: neighbour(number + 1),
        list_intro: paragraph.and_then(|p| p.list_intro),
        commitment_footnotes,
        actions,
        footnotes,
        objective,
    })
}

#[derive(Template)]
#[template(path = "action.html")]
struct ActionPage {
    layout: Layout,
    action: Action,
    objective: Objective,
    footnotes: Vec<Footnote>,
    previous: Option<String>,
    next: Option<String>,
}

pub async fn action(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    let not_found = || AppError::not_found("action", &id, Some(ACTION_HINT));
    let Ok(CompactRef::Action(number, _)) = CompactRef::parse(&id) else {
        return Err(not_found().into());
    };
    let objective = state
        .store
        .objectives(Some(number))
        .await?
        .into_iter()
        .next()
        .ok_or_else(not_found)?;
    let index = objective
        .actions
        .iter()
        .position(|a| a.id == id)
        .ok_or_else(not_found)?;
    let action = objective.actions[index].clone();
    let footnotes = cited(
        &state.store.footnotes().await?,
        action.footnotes.iter().copied(),
    );
    render(&ActionPage {
        layout: Layout::new(
            format!("Action {}({})", action.objective, action.letter),
            Some(Section::Objectives),
            &auth,
        )
        .described(action.text.chars().take(200).collect::<String>()),
        previous: index
            .checked_sub(1)
            .and_then(|i| objective.actions.get(i))
            .map(|a| a.id.clone()),
        next: objective.actions.get(index + 1).map(|a| a.id.clone()),
        footnotes,
        action,
        objective,
    })
}

/// One piece of the full text, in document order.
pub enum Block {
    Section {
        slug: &'static str,
        title: &'static str,
    },
    Subsection(String),
    ObjectiveHeading {
        id: String,
        number: u8,
        title: String,
    },
    ObjectiveList,
    Paragraph(ParagraphView),
}

#[derive(Template)]
#[template(path = "compact.html")]
struct FullTextPage {
    layout: Layout,
    resolution: Resolution,
    resolution_paragraphs: Vec<ParagraphView>,
    annex_title: String,
    opening: marrakech_core::compact::Passage,
    blocks: Vec<Block>,
    objectives: Vec<Objective>,
    sections: Vec<(&'static str, &'static str)>,
    footnotes: Vec<Footnote>,
}

pub async fn full_text(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    let compact = state.store.compact().await?;
    let titles: BTreeMap<u8, &Objective> =
        compact.objectives.iter().map(|o| (o.number, o)).collect();
    let mut blocks = Vec::new();
    let mut section = None;
    let mut subsection: Option<&str> = None;
    for p in &compact.paragraphs {
        if section != Some(p.section) {
            section = Some(p.section);
            subsection = None;
            blocks.push(Block::Section {
                slug: p.section.slug(),
                title: p.section.title(),
            });
        }
        if p.subsection.is_some() && p.subsection.as_deref() != subsection {
            subsection = p.subsection.as_deref();
            blocks.push(Block::Subsection(p.subsection.clone().unwrap_or_default()));
        }
        if let Some(o) = p.objective.and_then(|n| titles.get(&n)) {
            blocks.push(Block::ObjectiveHeading {
                id: o.id.clone(),
                number: o.number,
                title: o.title.clone(),
            });
        }
        blocks.push(Block::Paragraph(ParagraphView::from(p)));
        if p.section == DocSection::CooperativeFramework {
            blocks.push(Block::ObjectiveList);
        }
    }
    let sections = DocSection::ALL
        .iter()
        .skip(1)
        .map(|s| (s.slug(), s.title()))
        .collect();
    render(&FullTextPage {
        layout: Layout::new("The full text of the Global Compact", Some(Section::Compact), &auth)
            .described("Resolution 73/195 and its annex, the Global Compact for Safe, Orderly and Regular Migration, paragraph by paragraph with footnotes."),
        resolution_paragraphs: compact.resolution.paragraphs.iter().map(ParagraphView::from).collect(),
        annex_title: compact.annex_title.clone(),
        opening: compact.annex_opening.clone(),
        objectives: compact.objectives.clone(),
        footnotes: compact.footnotes.clone(),
        resolution: compact.resolution,
        blocks,
        sections,
    })
}

#[derive(Template)]
#[template(path = "paragraph.html")]
struct ParagraphPage {
    layout: Layout,
    paragraph: ParagraphView,
    section_title: &'static str,
    subsection: Option<String>,
    objective: Option<Objective>,
    footnotes: Vec<Footnote>,
    previous: Option<String>,
    next: Option<String>,
}

/// `/compact/{id}`: a paragraph's page; other ids redirect to where they are shown.
pub async fn passage(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let not_found = || AppError::not_found("passage", &id, Some(PARAGRAPH_HINT));
    let reference = CompactRef::parse(&id).map_err(|_| not_found())?;
    let paragraph_id = match &reference {
        CompactRef::Paragraph(_) | CompactRef::Resolution(_) => id.clone(),
        CompactRef::ParagraphItem(n, labels) => {
            let paragraph = state
                .store
                .paragraph(&format!("para-{n}"))
                .await?
                .ok_or_else(not_found)?;
            find_item(&paragraph.items, &id, labels.len()).ok_or_else(not_found)?;
            return Ok(Redirect::to(&format!("/compact/para-{n}#{id}")).into_response());
        }
        CompactRef::Objective(_) => {
            return Ok(Redirect::to(&format!("/objectives/{id}")).into_response())
        }
        CompactRef::Action(..) => {
            return Ok(Redirect::to(&format!("/actions/{id}")).into_response())
        }
        CompactRef::Principle(_) => {
            return Ok(Redirect::to(&format!("/principles#{id}")).into_response())
        }
    };
    let paragraph = state
        .store
        .paragraph(&paragraph_id)
        .await?
        .ok_or_else(not_found)?;
    let objective = match paragraph.objective {
        Some(n) => state.store.objectives(Some(n)).await?.into_iter().next(),
        None => None,
    };
    let view = ParagraphView::from(&paragraph);
    let footnotes = cited(
        &state.store.footnotes().await?,
        item_footnotes(&view.items)
            .into_iter()
            .chain(view.footnotes.iter().copied()),
    );
    let (prefix, last) = if paragraph.section == DocSection::Resolution {
        ("res", 2)
    } else {
        ("para", 54)
    };
    render(&ParagraphPage {
        layout: Layout::new(
            if prefix == "res" {
                format!("Resolution 73/195, paragraph {}", paragraph.number)
            } else {
                format!("Paragraph {}", paragraph.number)
            },
            Some(Section::Compact),
            &auth,
        )
        .described(paragraph.text.chars().take(200).collect::<String>()),
        previous: (paragraph.number > 1).then(|| format!("{prefix}-{}", paragraph.number - 1)),
        next: (paragraph.number < last).then(|| format!("{prefix}-{}", paragraph.number + 1)),
        section_title: paragraph.section.title(),
        subsection: paragraph.subsection.clone(),
        paragraph: view,
        objective,
        footnotes,
    })
    .map(IntoResponse::into_response)
}
