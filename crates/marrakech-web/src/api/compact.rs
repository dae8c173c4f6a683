//! `/api/v1/principles`, `objectives`, `actions`, `paragraphs`, `footnotes`.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use marrakech_core::compact::{find_item, CompactRef};

use super::dto::{
    ActionDto, FootnoteDto, ItemDto, List, ObjectiveDto, ParagraphDto, ParagraphItemDto,
    PrincipleDto,
};
use super::respond;
use crate::csv_out::opt;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::params::{Format, Params};
use crate::queries::{objective_number, ACTION_HINT, PARAGRAPH_HINT};
use crate::AppState;

const FORMAT_PARAM: &str = "json (default) or csv";

/// The ten guiding principles (para 15).
#[utoipa::path(
    get, path = "/api/v1/principles", tag = "compact",
    params(("format" = Option<String>, Query, description = FORMAT_PARAM)),
    responses(
        (status = 200, description = "The guiding principles gp-a to gp-j", body = List<PrincipleDto>),
        (status = 400, description = "A malformed or unknown parameter", body = ErrorBody),
    )
)]
pub async fn principles(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    params.finish()?;
    let items = state.store.principles().await?;
    respond(
        format,
        List::whole(items.iter().map(PrincipleDto::from).collect()),
        "principles.csv",
        &["id", "letter", "name", "text"],
        |p| {
            vec![
                p.id.clone(),
                p.letter.clone(),
                p.name.clone(),
                p.text.clone(),
            ]
        },
    )
}

/// The 23 objectives, each with its commitment and actions.
#[utoipa::path(
    get, path = "/api/v1/objectives", tag = "compact",
    params(("format" = Option<String>, Query, description = "json (default) or csv (one row per objective, without its actions)")),
    responses(
        (status = 200, description = "The objectives obj-1 to obj-23", body = List<ObjectiveDto>),
        (status = 400, description = "A malformed or unknown parameter", body = ErrorBody),
    )
)]
pub async fn objectives(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    params.finish()?;
    let items = state.store.objectives(None).await?;
    respond(
        format,
        List::whole(items.iter().map(ObjectiveDto::from).collect()),
        "objectives.csv",
        &[
            "id",
            "number",
            "label",
            "title",
            "paragraph",
            "commitment",
            "actions",
        ],
        |o| {
            vec![
                o.id.clone(),
                o.number.to_string(),
                o.label.clone(),
                o.title.clone(),
                o.paragraph.clone(),
                o.commitment.clone(),
                o.actions.len().to_string(),
            ]
        },
    )
}

/// One objective by id (`obj-20`).
#[utoipa::path(
    get, path = "/api/v1/objectives/{id}", tag = "compact",
    params(("id" = String, Path, description = "`obj-1` to `obj-23`")),
    responses(
        (status = 200, description = "The objective with its actions", body = ObjectiveDto),
        (status = 404, description = "No such objective", body = ErrorBody),
    )
)]
pub async fn objective(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<ObjectiveDto>> {
    params.finish()?;
    let number = objective_number(&id)?;
    let objective = state.store.objectives(Some(number)).await?;
    let objective = objective
        .first()
        .ok_or_else(|| AppError::not_found("objective", &id, None))?;
    Ok(Json(ObjectiveDto::from(objective)))
}

/// All 187 actions, in order.
#[utoipa::path(
    get, path = "/api/v1/actions", tag = "compact",
    params(("format" = Option<String>, Query, description = FORMAT_PARAM)),
    responses(
        (status = 200, description = "Every action of every objective", body = List<ActionDto>),
        (status = 400, description = "A malformed or unknown parameter", body = ErrorBody),
    )
)]
pub async fn actions(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    params.finish()?;
    let objectives = state.store.objectives(None).await?;
    let items = objectives
        .iter()
        .flat_map(|o| o.actions.iter().map(ActionDto::from))
        .collect();
    respond(
        format,
        List::whole(items),
        "actions.csv",
        &["id", "objective", "letter", "heading", "text"],
        |a| {
            vec![
                a.id.clone(),
                a.objective.clone(),
                a.letter.clone(),
                opt(&a.heading),
                a.text.clone(),
            ]
        },
    )
}

/// One action by id (`obj-20-a`).
#[utoipa::path(
    get, path = "/api/v1/actions/{id}", tag = "compact",
    params(("id" = String, Path, description = "An action id such as `obj-20-a`")),
    responses(
        (status = 200, description = "The action", body = ActionDto),
        (status = 404, description = "No such action", body = ErrorBody),
    )
)]
pub async fn action(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<ActionDto>> {
    params.finish()?;
    let not_found = || AppError::not_found("action", &id, Some(ACTION_HINT));
    if !matches!(CompactRef::parse(&id), Ok(CompactRef::Action(..))) {
        return Err(not_found().into());
    }
    let action = state.store.action(&id).await?.ok_or_else(not_found)?;
    Ok(Json(ActionDto::from(&action)))
}

/// Every numbered paragraph: the resolution's two, then the annex's 54.
#[utoipa::path(
    get, path = "/api/v1/paragraphs", tag = "compact",
    params(
        ("section" = Option<String>, Query, description = "Only this section: resolution, preamble, vision-and-guiding-principles, cooperative-framework, objectives-and-commitments, implementation, follow-up-and-review"),
        ("format" = Option<String>, Query, description = "json (default) or csv (one row per paragraph and sub-item)"),
    ),
    responses(
        (status = 200, description = "The paragraphs with their sub-items", body = List<ParagraphDto>),
        (status = 400, description = "A malformed or unknown parameter", body = ErrorBody),
    )
)]
pub async fn paragraphs(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let section = params.take_with(
        "section",
        "a section such as objectives-and-commitments",
        marrakech_core::compact::Section::from_slug,
    )?;
    params.finish()?;
    let compact = state.store.compact().await?;
    let items: Vec<ParagraphDto> = compact
        .resolution
        .paragraphs
        .iter()
        .chain(&compact.paragraphs)
        .filter(|p| section.is_none_or(|s| p.section == s))
        .map(ParagraphDto::from)
        .collect();
    match format {
        Format::Json => Ok(Json(List::whole(items)).into_response()),
        Format::Csv => {
            let mut rows = Vec::new();
            for p in &items {
                rows.push(vec![
                    p.id.clone(),
                    p.id.clone(),
                    String::new(),
                    p.section.clone(),
                    opt(&p.subsection),
                    p.text.clone(),
                ]);
                flatten_items(&mut rows, &p.id, &p.section, &p.items);
            }
            Ok(crate::csv_out::csv_response(
                "paragraphs.csv",
                &[
                    "id",
                    "paragraph",
                    "label",
                    "section",
                    "subsection_or_heading",
                    "text",
                ],
                rows,
            )?)
        }
    }
}

fn flatten_items(rows: &mut Vec<Vec<String>>, paragraph: &str, section: &str, items: &[ItemDto]) {
    for item in items {
        let text = match &item.title {
            Some(title) => format!("{title}. {}", item.text),
            None => item.text.clone(),
        };
        rows.push(vec![
            item.id.clone(),
            paragraph.to_owned(),
            item.label.clone(),
            section.to_owned(),
            opt(&item.heading),
            text,
        ]);
        flatten_items(rows, paragraph, section, &item.items);
    }
}

/// One paragraph (`para-43`, `res-1`) with its sub-items, or one sub-item (`para-43-a-iii`).
#[utoipa::path(
    get, path = "/api/v1/paragraphs/{id}", tag = "compact",
    params(("id" = String, Path, description = "`para-1` to `para-54`, `res-1`, `res-2`, or a sub-item such as `para-43-a-iii`")),
    responses(
        (status = 200, description = "The paragraph, or the sub-item with its paragraph's id", body = ParagraphDto),
        (status = 404, description = "No such paragraph", body = ErrorBody),
    )
)]
pub async fn paragraph(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.finish()?;
    let not_found = || AppError::not_found("paragraph", &id, Some(PARAGRAPH_HINT));
    let (paragraph_id, depth) = match CompactRef::parse(&id).map_err(|_| not_found())? {
        r @ (CompactRef::Paragraph(_) | CompactRef::Resolution(_)) => (r.to_string(), 0),
        CompactRef::ParagraphItem(n, labels) => (format!("para-{n}"), labels.len()),
        _ => return Err(not_found().into()),
    };
    let paragraph = state
        .store
        .paragraph(&paragraph_id)
        .await?
        .ok_or_else(not_found)?;
    if depth == 0 {
        return Ok(Json(ParagraphDto::from(&paragraph)).into_response());
    }
    let item = find_item(&paragraph.items, &id, depth).ok_or_else(not_found)?;
    Ok(Json(ParagraphItemDto {
        paragraph: paragraph.id.clone(),
        item: ItemDto::from(item),
        href: format!("/compact/{}#{}", paragraph.id, item.id),
    })
    .into_response())
}

/// The compact's 22 footnotes, with the passages that cite them.
#[utoipa::path(
    get, path = "/api/v1/footnotes", tag = "compact",
    params(("format" = Option<String>, Query, description = FORMAT_PARAM)),
    responses(
        (status = 200, description = "The footnotes", body = List<FootnoteDto>),
        (status = 400, description = "A malformed or unknown parameter", body = ErrorBody),
    )
)]
pub async fn footnotes(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    params.finish()?;
    let items = state.store.footnotes().await?;
    respond(
        format,
        List::whole(items.iter().map(FootnoteDto::from).collect()),
        "footnotes.csv",
        &["number", "text", "cited_in"],
        |f| vec![f.number.to_string(), f.text.clone(), f.cited_in.join(" ")],
    )
}
