//! The global knowledge platform's pages: an item, its submission form, its workflow
//! (submission, review panel, decision, withdrawal), the reviewer's queue, the moderation
//! queue, one's own items, attachments, and calls for practices.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use marrakech_core::compact::Objective;
use marrakech_core::knowledge::{
    attachment_type, item_rights, licence_label, panel_state, safe_filename, ImplementationState,
    ItemFacts, ItemKind, ItemStatus, Language, PanelState, Step, Verdict, LICENCES,
    MAX_ATTACHMENTS,
};
use marrakech_core::policy::{Action, Resource, RoleName};
use marrakech_core::Compact;
use marrakech_store::knowledge::{Comment, Item, ItemFilter, NewCall, Owner, Review, Transition};
use marrakech_store::{OrganizationFilter, User, UserFilter, UserStatus};

use super::forms::{file_download, uploaded_file, Form, FormErrors};
use super::{render, Layout, Section};
use crate::auth::Auth;
use crate::error::{AppError, PageResult};
use crate::knowledge_input::{ItemInput, MAX_TEXTS};
use crate::markdown;
use crate::params::Params;
use crate::routes::{Access, Routes};
use crate::search::SearchQuery;
use crate::AppState;
use marrakech_search::Facet;

pub fn routes() -> Routes {
    use Access::{Can, Public};
    let submit = Can(Action::SubmitKnowledge);
    let moderate = Can(Action::ModerateKnowledge);
    Routes::new()
        .get("/knowledge/new", submit, new_form)
        .post("/knowledge/new", submit, create)
        .get("/knowledge/mine", submit, mine)
        .get("/knowledge/moderation", moderate, moderation)
        .get("/knowledge/{id}", Public, show)
        .get("/knowledge/{id}/edit", Can(Action::UseAccount), edit_form)
        .post("/knowledge/{id}/edit", Can(Action::UseAccount), update)
        .post("/knowledge/{id}/submit", submit, submit_item)
        .post(
            "/knowledge/{id}/withdraw",
            Can(Action::UseAccount),
            withdraw_item,
        )
        .post("/knowledge/{id}/start-review", moderate, start_review)
        .post("/knowledge/{id}/publish", moderate, publish_item)
        .post("/knowledge/{id}/return", moderate, return_item)
        .post("/knowledge/{id}/reject", moderate, reject_item)
        .post("/knowledge/{id}/reviewers", moderate, assign_reviewer)
        .post("/knowledge/{id}/comments", Can(Action::UseAccount), comment)
        .upload(
            "/knowledge/{id}/attachments",
            Can(Action::UseAccount),
            attach,
        )
        .get("/files/{id}", Public, download)
        .get("/reviews", Can(Action::ReviewKnowledge), review_queue)
        .get("/reviews/{id}", Can(Action::ReviewKnowledge), review_form)
        .post("/reviews/{id}", Can(Action::ReviewKnowledge), review)
        .get("/calls", Public, calls)
        .get("/calls/new", moderate, new_call_form)
        .post("/calls/new", moderate, create_call)
        .get("/calls/{id}", Public, call)
}

pub use marrakech_core::knowledge::ItemRights;

fn owner_resource(item: &Item) -> Resource<'_> {
    Resource::Item {
        submitter: item.submitter_id.as_deref().unwrap_or(""),
        organization: item.owner_organization.as_deref(),
        country: item.owner_country,
    }
}

/// The policy's answers for this item and actor (the rule is core's `item_rights`).
pub fn rights(auth: &Auth, item: &Item, reviews: &[Review]) -> ItemRights {
    let on_panel = auth
        .user
        .as_ref()
        .is_some_and(|u| reviews.iter().any(|r| r.reviewer_id == u.id));
    item_rights(
        &auth.actor,
        ItemFacts {
            submitter: item.submitter_id.as_deref(),
            organization: item.owner_organization.as_deref(),
            country: item.owner_country,
            status: item.status,
            harvested: item.is_harvested(),
            on_panel,
        },
    )
}

async fn load(state: &AppState, id: &str) -> Result<(Item, Vec<Review>), AppError> {
    let item = state
        .store
        .item(id)
        .await?
        .ok_or_else(|| AppError::not_found("knowledge item", id, None))?;
    let reviews = state.store.reviews(id).await?;
    Ok((item, reviews))
}

/// An item someone may see, or a 404 that does not reveal whether it exists.
async fn visible(
    auth: &Auth,
    state: &AppState,
    id: &str,
) -> Result<(Item, Vec<Review>, ItemRights), AppError> {
    let (item, reviews) = load(state, id).await?;
    let rights = rights(auth, &item, &reviews);
    if !rights.see {
        return Err(AppError::not_found("knowledge item", id, None));
    }
    Ok((item, reviews, rights))
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

/// An item's text, ready to show in one language.
pub struct TextView {
    pub language: Language,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub results_html: String,
}

pub struct ReviewView {
    pub review: Review,
    pub reviewer_name: String,
}

#[derive(Template)]
#[template(path = "knowledge/item.html")]
struct ItemPage {
    layout: Layout,
    item: Item,
    text: TextView,
    languages: Vec<(Language, bool)>,
    objectives: Vec<Objective>,
    actions: Vec<(String, String)>,
    principles: Vec<(String, String)>,
    countries: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    licence: String,
    kind_label: &'static str,
    state_label: Option<&'static str>,
    rights: ItemRights,
    history: Vec<Transition>,
    reviews: Vec<ReviewView>,
    panel: String,
    recommended: Option<&'static str>,
    comments: Vec<(Comment, String)>,
    reviewers: Vec<User>,
    related: Vec<(String, String)>,
    call_title: Option<String>,
    notice: Option<String>,
    errors: FormErrors,
}

fn panel_text(reviews: &[Review]) -> (String, Option<&'static str>) {
    let seats: Vec<_> = reviews.iter().map(Review::seat).collect();
    match panel_state(&seats) {
        PanelState::NeedsReviewers { internal, external } => (
            format!("The panel needs {internal} more internal and {external} more external reviewer(s)."),
            None,
        ),
        PanelState::Reviewing { pending } => (format!("{pending} reviewer(s) have yet to give their verdict."), None),
        PanelState::NeedsTiebreaker => ("The verdicts are split: add one more reviewer.".into(), None),
        PanelState::Concluded(v) => {
            let step = v.step().slug();
            (format!("The panel recommends: {}.", v.slug()), Some(step))
        }
    }
}

async fn names(
    state: &AppState,
    ids: Vec<Option<String>>,
) -> Result<std::collections::HashMap<String, String>, AppError> {
    let mut out = std::collections::HashMap::new();
    for id in ids.into_iter().flatten() {
        if out.contains_key(&id) {
            continue;
        }
        let name = state
            .store
            .user(&id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| "someone".into());
        out.insert(id, name);
    }
    Ok(out)
}

async fn item_page(
    auth: &Auth,
    state: &AppState,
    id: &str,
    language: Option<Language>,
    notice: Option<String>,
    errors: FormErrors,
) -> PageResult<Html<String>> {
    let (item, reviews, rights) = visible(auth, state, id).await?;
    let compact = Compact::official();
    let reference = marrakech_core::countries::Reference::official();
    let chosen = language
        .and_then(|l| item.content.texts.iter().find(|t| t.language == l))
        .or_else(|| item.content.original())
        .ok_or_else(|| AppError::Internal(format!("item {id} has no text")))?;
    let text = TextView {
        language: chosen.language,
        title: chosen.title.clone(),
        summary: chosen.summary.clone(),
        body_html: markdown::render(&chosen.body),
        results_html: markdown::render(&chosen.results),
    };
    let languages = item
        .content
        .texts
        .iter()
        .map(|t| (t.language, t.language == chosen.language))
        .collect();
    let objectives = item
        .content
        .objectives
        .iter()
        .filter_map(|o| o.strip_prefix("obj-")?.parse().ok())
        .filter_map(|n: u8| compact.objective(n).cloned())
        .collect();
    let actions = item
        .content
        .actions
        .iter()
        .map(|a| {
            let label = a
                .strip_prefix("obj-")
                .map(|r| r.replacen('-', "(", 1) + ")")
                .unwrap_or_default();
            (a.clone(), label)
        })
        .collect();
    let principles = item
        .content
        .principles
        .iter()
        .filter_map(|p| {
            let letter = p.strip_prefix("gp-")?.chars().next()?;
            compact
                .principle(letter)
                .map(|x| (p.clone(), x.name.clone()))
        })
        .collect();
    let countries = item
        .content
        .countries
        .iter()
        .filter_map(|c| {
            reference
                .country(&c.to_string())
                .map(|x| (x.iso3.clone(), x.name.clone()))
        })
        .collect();
    let regions = item
        .content
        .regions
        .iter()
        .filter_map(|c| {
            reference
                .region(*c)
                .map(|r| (r.code.to_string(), r.name.clone()))
        })
        .collect();
    let history = if rights.see_contact || rights.moderate {
        state.store.transitions(id).await?
    } else {
        Vec::new()
    };
    let all_comments = state.store.comments(id).await?;
    let comments: Vec<Comment> = all_comments
        .into_iter()
        .filter(|c| rights.see_internal || (c.visible_to_submitter && rights.see_contact))
        .collect();
    // Collected first: an iterator of closures held across the await would make the
    // handler's future not `Send`.
    let people: Vec<Option<String>> = reviews
        .iter()
        .map(|r| Some(r.reviewer_id.clone()))
        .chain(comments.iter().map(|c| c.author_id.clone()))
        .collect();
    let user_names = names(state, people).await?;
    // The submitter sees the panel's verdicts and shared comments once it concluded;
    // moderators see everything; a reviewer sees their own seat.
    let concluded = matches!(
        item.status,
        ItemStatus::Published | ItemStatus::Returned | ItemStatus::Rejected
    );
    let me = auth.user.as_ref().map(|u| u.id.clone());
    let review_views = reviews
        .iter()
        .filter(|r| {
            rights.moderate
                || (rights.see_contact && concluded)
                || Some(&r.reviewer_id) == me.as_ref()
        })
        .map(|r| ReviewView {
            reviewer_name: if rights.moderate || Some(&r.reviewer_id) == me.as_ref() {
                user_names.get(&r.reviewer_id).cloned().unwrap_or_default()
            } else {
                format!("{} reviewer", r.reviewer_kind.as_str())
            },
            review: r.clone(),
        })
        .collect();
    let (panel, recommended) = panel_text(&reviews);
    let reviewers = if rights.moderate {
        let (list, _) = state
            .store
            .users(
                &UserFilter {
                    role: Some(RoleName::Reviewer),
                    status: Some(UserStatus::Active),
                    query: None,
                },
                500,
                0,
            )
            .await?;
        list.into_iter()
            .filter(|u| {
                Some(&u.id) != item.submitter_id.as_ref()
                    && !reviews.iter().any(|r| r.reviewer_id == u.id)
            })
            .collect()
    } else {
        Vec::new()
    };
    let related = if item.status == ItemStatus::Published {
        crate::search::related(state, &item.id, 5).await
    } else {
        Vec::new()
    };
    let call_title = match &item.content.call_id {
        Some(c) => state.store.call(c).await?.map(|c| c.title),
        None => None,
    };
    render(&ItemPage {
        layout: Layout::new(text.title.clone(), Some(Section::Knowledge), auth)
            .described(text.summary.chars().take(200).collect::<String>()),
        licence: licence_label(&item.content.licence)
            .unwrap_or("Unknown licence")
            .to_owned(),
        kind_label: item.content.kind.label(),
        state_label: item.content.implementation_state.map(|s| s.slug()),
        comments: comments
            .into_iter()
            .map(|c| {
                let name = c
                    .author_id
                    .as_ref()
                    .and_then(|a| user_names.get(a).cloned())
                    .unwrap_or_else(|| "The platform".into());
                (c, name)
            })
            .collect(),
        text,
        languages,
        objectives,
        actions,
        principles,
        countries,
        regions,
        rights,
        history,
        reviews: review_views,
        panel,
        recommended,
        reviewers,
        related,
        call_title,
        notice,
        errors,
        item,
    })
}

pub async fn show(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> PageResult<Html<String>> {
    let language = params.take_with("lang", "one of ar, zh, en, fr, ru, es", Language::parse)?;
    item_page(&auth, &state, &id, language, None, FormErrors::new()).await
}

#[derive(Template)]
#[template(path = "knowledge/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    values: Form,
    errors: FormErrors,
    kinds: Vec<(&'static str, &'static str)>,
    languages: Vec<(&'static str, &'static str)>,
    slots: Vec<Slot>,
    objectives: Vec<Objective>,
    principles: Vec<(String, String)>,
    countries: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    states: Vec<&'static str>,
    licences: Vec<(&'static str, &'static str)>,
    calls: Vec<(String, String)>,
    for_country: bool,
}

async fn form_page(
    auth: &Auth,
    state: &AppState,
    heading: String,
    action: String,
    values: Form,
    errors: FormErrors,
) -> PageResult<Html<String>> {
    let compact = Compact::official();
    let reference = marrakech_core::countries::Reference::official();
    let mut countries: Vec<(String, String)> = reference
        .countries
        .iter()
        .map(|c| (c.m49.to_string(), c.name.clone()))
        .collect();
    countries.sort_by(|a, b| {
        marrakech_core::countries::sort_key(&a.1).cmp(&marrakech_core::countries::sort_key(&b.1))
    });
    let today = today();
    let calls = state
        .store
        .calls()
        .await?
        .into_iter()
        .filter(|c| c.is_open(&today))
        .map(|c| (c.id, c.title))
        .collect();
    let slots = slots(&values, &errors);
    render(&FormPage {
        layout: Layout::new(heading.clone(), Some(Section::Knowledge), auth),
        heading,
        action,
        values,
        errors,
        kinds: ItemKind::ALL
            .iter()
            .map(|k| (k.slug(), k.label()))
            .collect(),
        languages: Language::ALL
            .iter()
            .map(|l| (l.code(), l.label()))
            .collect(),
        slots,
        objectives: compact.objectives.clone(),
        principles: compact
            .principles
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect(),
        countries,
        regions: reference
            .regions
            .iter()
            .map(|r| (r.code.to_string(), r.name.clone()))
            .collect(),
        states: ImplementationState::ALL.iter().map(|s| s.slug()).collect(),
        licences: LICENCES.to_vec(),
        calls,
        for_country: auth.actor.has(RoleName::FocalPoint),
    })
}

/// A language version's fields in the form.
pub struct Slot {
    pub index: usize,
    pub language: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub results: String,
}

/// The language slots to show: the original, every filled or faulty one, and one empty
/// translation slot.
fn slots(values: &Form, errors: &FormErrors) -> Vec<Slot> {
    let mut shown = Vec::new();
    let mut empty_offered = false;
    for index in 0..MAX_TEXTS {
        let field = |name: &str| format!("texts.{index}.{name}");
        let filled =
            !values.get(&field("title")).is_empty() || !values.get(&field("summary")).is_empty();
        let faulty = errors
            .0
            .keys()
            .any(|k| k.starts_with(&format!("texts.{index}.")));
        let keep = index == 0 || filled || faulty || !empty_offered;
        if !(index == 0 || filled || faulty) {
            empty_offered = true;
        }
        if keep {
            shown.push(Slot {
                index,
                language: field("language"),
                title: field("title"),
                summary: field("summary"),
                body: field("body"),
                results: field("results"),
            });
        }
    }
    shown
}

pub fn today() -> String {
    marrakech_store::now_text()[..10].to_owned()
}

/// The form's values for an existing item (to edit it).
fn values_of(item: &Item) -> Form {
    let mut out = form_urlencoded::Serializer::new(String::new());
    let c = &item.content;
    out.append_pair("kind", c.kind.slug());
    for (i, t) in c.texts.iter().enumerate() {
        out.append_pair(&format!("texts.{i}.language"), t.language.code());
        out.append_pair(&format!("texts.{i}.title"), &t.title);
        out.append_pair(&format!("texts.{i}.summary"), &t.summary);
        out.append_pair(&format!("texts.{i}.body"), &t.body);
        out.append_pair(&format!("texts.{i}.results"), &t.results);
    }
    for o in &c.objectives {
        out.append_pair("objectives", o);
    }
    for a in &c.actions {
        out.append_pair("actions", a);
    }
    for p in &c.principles {
        out.append_pair("principles", p);
    }
    for m in &c.countries {
        out.append_pair("countries", &m.to_string());
    }
    for r in &c.regions {
        out.append_pair("regions", &r.to_string());
    }
    if c.global {
        out.append_pair("global", "on");
    }
    out.append_pair("themes", &c.themes.join(", "));
    let parties = |role| {
        c.parties
            .iter()
            .filter(|p| p.role == role)
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    out.append_pair(
        "implementers",
        &parties(marrakech_store::knowledge::PartyRole::Implementer),
    );
    out.append_pair(
        "partners",
        &parties(marrakech_store::knowledge::PartyRole::Partner),
    );
    if let Some(y) = c.period_start {
        out.append_pair("period_start", &y.to_string());
    }
    if let Some(y) = c.period_end {
        out.append_pair("period_end", &y.to_string());
    }
    if let Some(s) = c.implementation_state {
        out.append_pair("implementation_state", s.slug());
    }
    out.append_pair("licence", &c.licence);
    out.append_pair(
        "links",
        &c.links
            .iter()
            .map(|l| format!("{} {}", l.url, l.title))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    if let Some(call) = &c.call_id {
        out.append_pair("call", call);
    }
    if let Some(n) = &c.contact_name {
        out.append_pair("contact_name", n);
    }
    if let Some(e) = &c.contact_email {
        out.append_pair("contact_email", e);
    }
    out.append_pair("respects_principles", "on");
    Form::parse(&Bytes::from(out.finish()))
}

pub async fn new_form(
    auth: Auth,
    State(state): State<AppState>,
    mut params: Params,
) -> PageResult<Html<String>> {
    let mut values = String::from("licence=CC-BY-4.0&texts.0.language=en");
    if let Some(call) = params.take("call") {
        values.push_str(&format!(
            "&call={}",
            form_urlencoded::byte_serialize(call.as_bytes()).collect::<String>()
        ));
    }
    form_page(
        &auth,
        &state,
        "Share a practice, initiative or evidence".into(),
        "/knowledge/new".into(),
        Form::parse(&Bytes::from(values)),
        FormErrors::new(),
    )
    .await
}

/// Validates an item form or body; checks the call it answers exists.
pub async fn validate_input(
    state: &AppState,
    input: &ItemInput,
    errors: &mut FormErrors,
) -> Result<Option<marrakech_store::knowledge::ItemContent>, AppError> {
    let (organizations, _) = state
        .store
        .organizations(&OrganizationFilter::default(), 100_000, 0)
        .await?;
    let content = input.validate(&organizations, errors);
    if let Some(call) = &input.call {
        if state.store.call(call).await?.is_none() {
            errors.add("call", "this call for practices does not exist");
            return Ok(None);
        }
    }
    Ok(content)
}

/// Who a new item is submitted for: the contributor's organization, or the focal point's
/// country.
pub fn owner_of(auth: &Auth) -> Owner {
    use marrakech_core::policy::Role;
    let mut owner = Owner {
        submitter_id: auth.actor.user_id.clone(),
        ..Default::default()
    };
    for role in &auth.actor.roles {
        match role {
            Role::Contributor { organization } if owner.organization.is_none() => {
                owner.organization = Some(organization.clone())
            }
            Role::FocalPoint { country } if owner.country.is_none() => {
                owner.country = Some(*country)
            }
            _ => {}
        }
    }
    owner
}

pub async fn create(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    let input = ItemInput::from_form(&form);
    if let Some(content) = validate_input(&state, &input, &mut errors).await? {
        let item = state
            .store
            .create_item(
                &auth.audit(Action::SubmitKnowledge),
                &owner_of(&auth),
                &content,
            )
            .await?;
        return Ok(see_other(&format!("/knowledge/{}", item.id)));
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(
            &auth,
            &state,
            "Share a practice, initiative or evidence".into(),
            "/knowledge/new".into(),
            form,
            errors,
        )
        .await?,
    )
        .into_response())
}

pub async fn edit_form(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    let (item, _, rights) = visible(&auth, &state, &id).await?;
    if !rights.edit {
        return Err(
            AppError::Forbidden("this item cannot be edited now, or not by you".into()).into(),
        );
    }
    let title = item
        .content
        .original()
        .map(|t| t.title.clone())
        .unwrap_or_default();
    form_page(
        &auth,
        &state,
        format!("Edit: {title}"),
        format!("/knowledge/{id}/edit"),
        values_of(&item),
        FormErrors::new(),
    )
    .await
}

pub async fn update(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let (item, _, rights) = visible(&auth, &state, &id).await?;
    if !rights.edit {
        return Err(
            AppError::Forbidden("this item cannot be edited now, or not by you".into()).into(),
        );
    }
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    let input = ItemInput::from_form(&form);
    if let Some(content) = validate_input(&state, &input, &mut errors).await? {
        let action = if rights.moderate && !rights.submit {
            Action::ModerateKnowledge
        } else {
            Action::SubmitKnowledge
        };
        state
            .store
            .update_item(&auth.audit(action), &item.id, &content)
            .await?;
        crate::search::sync(&state).await;
        return Ok(see_other(&format!("/knowledge/{id}")));
    }
    let title = item
        .content
        .original()
        .map(|t| t.title.clone())
        .unwrap_or_default();
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(
            &auth,
            &state,
            format!("Edit: {title}"),
            format!("/knowledge/{id}/edit"),
            form,
            errors,
        )
        .await?,
    )
        .into_response())
}

/// A workflow step, as the policy and the panel allow it.
pub async fn take_step(
    auth: &Auth,
    state: &AppState,
    id: &str,
    step: Step,
    note: &str,
) -> Result<Item, AppError> {
    let (item, reviews, rights) = visible(auth, state, id).await?;
    let allowed = match step {
        Step::Submit => rights.submit,
        Step::Withdraw => rights.withdraw,
        Step::StartReview | Step::Publish | Step::Return | Step::Reject => rights.moderate,
    };
    if !allowed {
        return Err(AppError::Forbidden(format!(
            "you may not {} this item",
            step.slug()
        )));
    }
    if step == Step::Submit {
        if let Some(call) = &item.content.call_id {
            if let Some(call) = state.store.call(call).await? {
                if !call.is_open(&today()) {
                    return Err(AppError::invalid(
                        "call",
                        format!("the call “{}” closed on {}", call.title, call.closes_on),
                    ));
                }
            }
        }
    }
    let action = match step {
        Step::Submit | Step::Withdraw if !rights.moderate || rights.submit => {
            Action::SubmitKnowledge
        }
        _ => Action::ModerateKnowledge,
    };
    let _ = reviews;
    let updated = state
        .store
        .step_item(&auth.audit(action), id, step, note)
        .await?;
    crate::search::sync(state).await;
    tracing::info!(item = %id, step = step.slug(), "knowledge item moved");
    Ok(updated)
}

/// One handler per workflow step, each taking it through [`step`].
macro_rules! step_handlers {
    ($($name:ident => $step:expr),+ $(,)?) => {$(
        pub async fn $name(auth: Auth, state: State<AppState>, path: Path<String>) -> PageResult<Response> {
            step(auth, state, path, $step).await
        }
    )+};
}

step_handlers!(
    submit_item => Step::Submit,
    withdraw_item => Step::Withdraw,
    start_review => Step::StartReview,
    publish_item => Step::Publish,
    return_item => Step::Return,
    reject_item => Step::Reject,
);

pub async fn step(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    step: Step,
) -> PageResult<Response> {
    let note = String::new();
    match take_step(&auth, &state, &id, step, &note).await {
        Ok(item) => Ok(item_page(
            &auth,
            &state,
            &id,
            None,
            Some(format!(
                "The item is now: {}.",
                item.status.label().to_lowercase()
            )),
            FormErrors::new(),
        )
        .await?
        .into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let mut errors = FormErrors::new();
            errors.from_app_error(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                item_page(&auth, &state, &id, None, None, errors).await?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn assign_reviewer(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let (item, _, rights) = visible(&auth, &state, &id).await?;
    if !rights.moderate {
        return Err(AppError::Forbidden(
            "only the secretariat assigns reviewers, and not on its own submissions".into(),
        )
        .into());
    }
    let reviewer = Form::parse(&body).get("reviewer");
    let mut errors = FormErrors::new();
    match state
        .store
        .assign_reviewer(&auth.audit(Action::ModerateKnowledge), &item.id, &reviewer)
        .await
    {
        Ok(_) => {
            return Ok(item_page(
                &auth,
                &state,
                &id,
                None,
                Some("The reviewer is on the panel.".into()),
                errors,
            )
            .await?
            .into_response())
        }
        Err(e) => errors.from_app_error(e.into())?,
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        item_page(&auth, &state, &id, None, None, errors).await?,
    )
        .into_response())
}

pub async fn comment(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let (item, _, rights) = visible(&auth, &state, &id).await?;
    if !(rights.see_contact || rights.see_internal) {
        return Err(AppError::Forbidden(
            "only its submitter, the secretariat and its reviewers comment on an item".into(),
        )
        .into());
    }
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    let text = errors.check(
        "comment",
        marrakech_core::knowledge::text_field(&form.raw("comment"), 1, 5_000, "a comment"),
    );
    // The submitter's comments are for the secretariat and the panel; theirs may be shared.
    let shared = if rights.see_internal {
        form.checked("shared")
    } else {
        true
    };
    if let Some(text) = text {
        let action = if rights.moderate {
            Action::ModerateKnowledge
        } else if rights.review {
            Action::ReviewKnowledge
        } else {
            Action::SubmitKnowledge
        };
        state
            .store
            .add_comment(&auth.audit(action), &item.id, &text, shared)
            .await?;
        return Ok(item_page(
            &auth,
            &state,
            &id,
            None,
            Some("The comment is added.".into()),
            errors,
        )
        .await?
        .into_response());
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        item_page(&auth, &state, &id, None, None, errors).await?,
    )
        .into_response())
}

pub async fn attach(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> PageResult<Response> {
    let (item, _, rights) = visible(&auth, &state, &id).await?;
    if !rights.edit {
        return Err(
            AppError::Forbidden("files are added while the item can be edited".into()).into(),
        );
    }
    let mut errors = FormErrors::new();
    let mut added = None;
    if let Some((filename, bytes)) = uploaded_file(&mut multipart).await? {
        match attachment_type(&filename, &bytes) {
            Ok(media_type) => {
                match state
                    .store
                    .add_attachment(
                        &auth.audit(Action::SubmitKnowledge),
                        &item.id,
                        &safe_filename(&filename),
                        media_type,
                        bytes.to_vec(),
                        MAX_ATTACHMENTS,
                    )
                    .await
                {
                    Ok(meta) => added = Some(meta.filename),
                    Err(e) => errors.from_app_error(e.into())?,
                }
            }
            Err(e) => errors.add("file", e.0),
        }
    }
    if added.is_none() && errors.is_empty() {
        errors.add("file", "choose a file to upload");
    }
    if !errors.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            item_page(&auth, &state, &id, None, None, errors).await?,
        )
            .into_response());
    }
    crate::search::sync(&state).await;
    Ok(item_page(
        &auth,
        &state,
        &id,
        None,
        added.map(|n| format!("{n} is attached.")),
        errors,
    )
    .await?
    .into_response())
}

pub async fn download(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let not_found = || AppError::not_found("file", &id, None);
    let (meta, item_id, bytes) = state.store.attachment(&id).await?.ok_or_else(not_found)?;
    visible(&auth, &state, &item_id)
        .await
        .map_err(|_| not_found())?;
    Ok(file_download(&meta.filename, meta.media_type, bytes))
}

/// A list of items with their titles, for queues.
pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    pub status: ItemStatus,
    pub updated_at: String,
    pub panel: String,
}

fn row(item: &Item, panel: String) -> ItemRow {
    ItemRow {
        id: item.id.clone(),
        title: item
            .content
            .original()
            .map(|t| t.title.clone())
            .unwrap_or_default(),
        kind: item.content.kind.label(),
        status: item.status,
        updated_at: item.updated_at.clone(),
        panel,
    }
}

#[derive(Template)]
#[template(path = "knowledge/list.html")]
struct ListPage {
    layout: Layout,
    heading: String,
    intro: String,
    rows: Vec<ItemRow>,
    empty: String,
    show_panel: bool,
}

pub async fn mine(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    let owner = owner_of(&auth);
    let mut rows = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for filter in [
        ItemFilter {
            submitter_id: owner.submitter_id.clone(),
            ..Default::default()
        },
        ItemFilter {
            owner_organization: owner.organization.clone(),
            ..Default::default()
        },
        ItemFilter {
            owner_country: owner.country,
            ..Default::default()
        },
    ] {
        if filter == ItemFilter::default() {
            continue;
        }
        let (items, _) = state.store.items(&filter, 500, 0).await?;
        for item in items.iter().filter(|i| seen.insert(i.id.clone())) {
            rows.push(row(item, String::new()));
        }
    }
    render(&ListPage {
        layout: Layout::new("Your items", Some(Section::Knowledge), &auth),
        heading: "Your items".into(),
        intro: "What you, your organization or your country submitted, in every state.".into(),
        rows,
        empty: "Nothing yet: share a practice, an initiative or evidence.".into(),
        show_panel: false,
    })
}

pub async fn moderation(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    let mut rows = Vec::new();
    for status in [ItemStatus::Submitted, ItemStatus::InReview] {
        let (items, _) = state
            .store
            .items(
                &ItemFilter {
                    status: Some(status),
                    ..Default::default()
                },
                500,
                0,
            )
            .await?;
        for item in &items {
            let reviews = state.store.reviews(&item.id).await?;
            rows.push(row(item, panel_text(&reviews).0));
        }
    }
    render(&ListPage {
        layout: Layout::new("Moderation", Some(Section::Knowledge), &auth),
        heading: "Moderation".into(),
        intro: "Submitted items wait for their panel (one internal and two external reviewers); items in review wait for verdicts and your decision.".into(),
        rows,
        empty: "Nothing waits for moderation.".into(),
        show_panel: true,
    })
}

#[derive(Template)]
#[template(path = "knowledge/reviews.html")]
struct QueuePage {
    layout: Layout,
    open: Vec<(Review, String)>,
    done: Vec<(Review, String)>,
}

pub async fn review_queue(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    let user = auth.user()?;
    let mut open = Vec::new();
    let mut done = Vec::new();
    for review in state.store.reviewer_queue(&user.id).await? {
        let title = state
            .store
            .item(&review.item_id)
            .await?
            .and_then(|i| i.content.original().map(|t| t.title.clone()))
            .unwrap_or_default();
        if review.completed_at.is_none() {
            open.push((review, title));
        } else {
            done.push((review, title));
        }
    }
    render(&QueuePage {
        layout: Layout::new("Your reviews", Some(Section::Knowledge), &auth),
        open,
        done,
    })
}

#[derive(Template)]
#[template(path = "knowledge/review.html")]
struct ReviewPage {
    layout: Layout,
    review: Review,
    item: Item,
    title: String,
    summary: String,
    errors: FormErrors,
    can_answer: bool,
}

async fn review_page(
    auth: &Auth,
    state: &AppState,
    id: &str,
    errors: FormErrors,
) -> PageResult<Html<String>> {
    let user = auth.user()?;
    let review = state
        .store
        .reviewer_queue(&user.id)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::not_found("review", id, None))?;
    let (item, _) = load(state, &review.item_id).await?;
    let original = item.content.original().cloned();
    render(&ReviewPage {
        layout: Layout::new("Review", Some(Section::Knowledge), auth),
        can_answer: review.completed_at.is_none() && item.status == ItemStatus::InReview,
        title: original
            .as_ref()
            .map(|t| t.title.clone())
            .unwrap_or_default(),
        summary: original.map(|t| t.summary).unwrap_or_default(),
        review,
        item,
        errors,
    })
}

pub async fn review_form(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    review_page(&auth, &state, &id, FormErrors::new()).await
}

/// A reviewer's answer: a verdict with its comment, or a declared conflict of interest.
pub async fn answer_review(
    auth: &Auth,
    state: &AppState,
    id: &str,
    verdict: Option<&str>,
    conflict: Option<&str>,
    comment: &str,
) -> Result<Review, AppError> {
    let user = auth.user()?;
    let review = state
        .store
        .reviewer_queue(&user.id)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::not_found("review", id, None))?;
    let (item, _) = load(state, &review.item_id).await?;
    auth.require(Action::ReviewKnowledge, owner_resource(&item))?;
    let comment = marrakech_core::knowledge::text_field(comment, 0, 5_000, "the comment")
        .map_err(|e| AppError::invalid("comment", e.0))?;
    let outcome = match (
        verdict.filter(|v| !v.is_empty()),
        conflict.map(str::trim).filter(|c| !c.is_empty()),
    ) {
        (_, Some(note)) => Err(note.chars().take(1_000).collect::<String>()),
        (Some(v), None) => Ok(Verdict::parse(v)
            .ok_or_else(|| AppError::invalid("verdict", "choose publish, revise or reject"))?),
        (None, None) => {
            return Err(AppError::invalid(
                "verdict",
                "give your verdict, or declare a conflict of interest",
            ))
        }
    };
    Ok(state
        .store
        .complete_review(
            &auth.audit(Action::ReviewKnowledge),
            id,
            &user.id,
            outcome,
            &comment,
        )
        .await?)
}

pub async fn review(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let conflict = form.get("conflict_note");
    let verdict = form.get("verdict");
    match answer_review(
        &auth,
        &state,
        &id,
        Some(&verdict),
        Some(&conflict),
        &form.raw("comment"),
    )
    .await
    {
        Ok(_) => Ok(see_other("/reviews")),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let mut errors = FormErrors::new();
            errors.from_app_error(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                review_page(&auth, &state, &id, errors).await?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "knowledge/calls.html")]
struct CallsPage {
    layout: Layout,
    calls: Vec<(marrakech_store::knowledge::Call, bool)>,
    may_create: bool,
}

pub async fn calls(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    let today = today();
    render(&CallsPage {
        layout: Layout::new("Calls for practices", Some(Section::Knowledge), &auth),
        may_create: auth
            .require(Action::ModerateKnowledge, Resource::Any)
            .is_ok(),
        calls: state
            .store
            .calls()
            .await?
            .into_iter()
            .map(|c| {
                let open = c.is_open(&today);
                (c, open)
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "knowledge/call.html")]
struct CallPage {
    layout: Layout,
    call: marrakech_store::knowledge::Call,
    theme_html: String,
    open: bool,
    objectives: Vec<Objective>,
    gathered: Vec<ItemRow>,
    may_submit: bool,
}

pub async fn call(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    let call = state
        .store
        .call(&id)
        .await?
        .ok_or_else(|| AppError::not_found("call for practices", &id, None))?;
    let (items, _) = state
        .store
        .items(
            &ItemFilter {
                call_id: Some(call.id.clone()),
                status: Some(ItemStatus::Published),
                ..Default::default()
            },
            500,
            0,
        )
        .await?;
    let compact = Compact::official();
    render(&CallPage {
        layout: Layout::new(call.title.clone(), Some(Section::Knowledge), &auth),
        theme_html: markdown::render(&call.theme),
        open: call.is_open(&today()),
        objectives: call
            .objectives
            .iter()
            .filter_map(|o| o.strip_prefix("obj-")?.parse().ok())
            .filter_map(|n: u8| compact.objective(n).cloned())
            .collect(),
        gathered: items.iter().map(|i| row(i, String::new())).collect(),
        may_submit: auth.require(Action::SubmitKnowledge, Resource::Any).is_ok(),
        call,
    })
}

#[derive(Template)]
#[template(path = "knowledge/call_form.html")]
struct CallFormPage {
    layout: Layout,
    values: Form,
    errors: FormErrors,
    objectives: Vec<Objective>,
}

pub async fn new_call_form(auth: Auth) -> PageResult<Html<String>> {
    render(&CallFormPage {
        layout: Layout::new("Open a call for practices", Some(Section::Knowledge), &auth),
        values: Form::default(),
        errors: FormErrors::new(),
        objectives: Compact::official().objectives.clone(),
    })
}

/// Validates a call: a title, a theme, dates in order, at least one objective.
pub fn call_from(
    values: (&str, &str, &str, &str, &[String]),
    errors: &mut FormErrors,
) -> Option<NewCall> {
    let (title, theme, opens, closes, objectives) = values;
    let title = errors.check(
        "title",
        marrakech_core::knowledge::text_field(title, 3, 200, "a title"),
    );
    let theme = errors.check(
        "theme",
        marrakech_core::knowledge::text_field(theme, 10, 10_000, "the theme"),
    );
    let date = |v: &str| {
        time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]")).ok()
    };
    let (opens_on, closes_on) = (date(opens), date(closes));
    if opens_on.is_none() {
        errors.add("opens_on", "give the opening date as YYYY-MM-DD");
    }
    if closes_on.is_none() {
        errors.add("closes_on", "give the closing date as YYYY-MM-DD");
    }
    if let (Some(o), Some(c)) = (opens_on, closes_on) {
        if c < o {
            errors.add("closes_on", "the call closes before it opens");
        }
    }
    let compact = Compact::official();
    let mut ids = Vec::new();
    for o in objectives {
        match marrakech_core::compact::CompactRef::parse(o) {
            Ok(r @ marrakech_core::compact::CompactRef::Objective(_)) if compact.contains(&r) => {
                ids.push(r.to_string())
            }
            _ => errors.add("objectives", format!("`{o}` is not an objective")),
        }
    }
    if ids.is_empty() {
        errors.add("objectives", "choose the objectives the call is about");
    }
    if !errors.is_empty() {
        return None;
    }
    Some(NewCall {
        title: title?,
        theme: theme?,
        opens_on: opens.to_owned(),
        closes_on: closes.to_owned(),
        objectives: ids,
    })
}

pub async fn create_call(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    let objectives = form.all("objectives");
    let new = call_from(
        (
            &form.get("title"),
            &form.raw("theme"),
            &form.get("opens_on"),
            &form.get("closes_on"),
            &objectives,
        ),
        &mut errors,
    );
    if let Some(new) = new {
        let call = state
            .store
            .create_call(&auth.audit(Action::ModerateKnowledge), &new)
            .await?;
        return Ok(see_other(&format!("/calls/{}", call.id)));
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&CallFormPage {
            layout: Layout::new("Open a call for practices", Some(Section::Knowledge), &auth),
            values: form,
            errors,
            objectives: Compact::official().objectives.clone(),
        })?,
    )
        .into_response())
}

/// One facet on the search page: its values with counts and the links that toggle them.
pub struct FacetView {
    pub label: &'static str,
    pub values: Vec<FacetValueView>,
}

pub struct FacetValueView {
    pub label: String,
    pub count: u64,
    pub selected: bool,
    /// The query string with this value toggled.
    pub toggle: String,
}

pub struct HitView {
    pub id: String,
    pub kind: &'static str,
    pub title_html: String,
    pub snippet_html: String,
    pub published: String,
    pub language: Language,
    pub languages: String,
}

#[derive(Template)]
#[template(path = "knowledge/search.html")]
struct SearchPage {
    layout: Layout,
    text: String,
    sort: &'static str,
    /// The reader's language code, or empty.
    language: &'static str,
    languages: [Language; 6],
    /// Hidden inputs that keep the selected filters when the text changes.
    kept: Vec<(&'static str, String)>,
    facets: Vec<FacetView>,
    hits: Vec<HitView>,
    total: u64,
    next_page: Option<String>,
    csv_href: String,
    filtered: bool,
    can_submit: bool,
    can_moderate: bool,
    can_review: bool,
}

fn facet_heading(facet: Facet) -> &'static str {
    match facet {
        Facet::Kind => "Kind",
        Facet::Objective => "Objective",
        Facet::Principle => "Guiding principle",
        Facet::Region => "Region",
        Facet::Country => "Country",
        Facet::OrganizationType => "Organization",
        Facet::Language => "Language",
        Facet::Year => "Year published",
    }
}

/// `GET /knowledge`: search the published items, filter by facets, download the result.
pub async fn search_page(
    auth: Auth,
    State(state): State<AppState>,
    mut params: Params,
) -> PageResult<Response> {
    let format = params.take_with("format", "csv", |f| (f == "csv").then_some(()))?;
    let query = SearchQuery::from_params(&mut params)?;
    params.finish()?;
    state.search.catch_up(&state.store).await?;
    if format.is_some() {
        return Ok(crate::search::csv(&state, query).await?);
    }
    let results = state.search.search(query.request(true)?).await?;
    let facets = results
        .facets
        .iter()
        .map(|counts| FacetView {
            label: facet_heading(counts.facet),
            values: counts
                .values
                .iter()
                .map(|v| FacetValueView {
                    label: v.label.clone(),
                    count: v.count,
                    selected: query.is_selected(counts.facet, &v.value),
                    toggle: query.toggled(counts.facet, &v.value),
                })
                .collect(),
        })
        .filter(|f| !f.values.is_empty())
        .collect();
    let hits = results
        .hits
        .iter()
        .map(|h| HitView {
            id: h.id.clone(),
            kind: h.kind.label(),
            title_html: h.title_html.clone(),
            snippet_html: h.snippet_html.clone(),
            published: h.published.to_string(),
            language: h.language,
            languages: h
                .languages
                .iter()
                .map(|l| l.endonym())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let kept = query
        .selected
        .iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(facet, values)| (facet.name(), values.join(",")))
        .collect();
    let anyone = Resource::Any;
    let page = SearchPage {
        layout: Layout::new("Knowledge", Some(Section::Knowledge), &auth)
            .described("Practices, initiatives, evidence, policy tools and data sets on migration, peer-reviewed and searchable in the six UN languages."),
        text: query.text.clone(),
        sort: query.sort.name(),
        language: query.language.map(|l| l.code()).unwrap_or_default(),
        languages: Language::ALL,
        kept,
        facets,
        hits,
        total: results.total,
        next_page: results.next_cursor.as_ref().map(|c| query.next_page(c)),
        csv_href: query.with_format("csv"),
        filtered: !query.text.is_empty() || !query.filters.is_empty(),
        can_submit: auth.require(Action::SubmitKnowledge, anyone).is_ok(),
        can_moderate: auth.require(Action::ModerateKnowledge, anyone).is_ok(),
        can_review: auth.require(Action::ReviewKnowledge, anyone).is_ok(),
    };
    Ok(render(&page)?.into_response())
}
