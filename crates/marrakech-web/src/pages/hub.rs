//! The connection hub's pages (para 43(a)): the overview with public statistics, the request
//! form, a request's status page with its timeline, suggestions, team, funding and comments,
//! the matching view, the secretariat's queue and dashboard, and the partner directory.
//! Every check and write goes through `crate::hub`, which the API shares.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use marrakech_core::compact::Objective;
use marrakech_core::countries::{sort_key, Reference, M49};
use marrakech_core::hub::{SetupFinding, Stage, TeamRole};
use marrakech_core::policy::{Action, OrganizationKind, Resource, RoleName};
use marrakech_core::Compact;
use marrakech_hub::{FactorName, Urgency};
use marrakech_store::hub::{
    Funding, Partner, RequestAttachment, RequestComment, RequestTransition, Suggestion,
    SupportRequest, TargetKind, TeamMember,
};
use marrakech_store::{OrganizationFilter, User, UserFilter, UserStatus};
use serde::Deserialize;

use super::forms::{file_download, uploaded_file, Form, FormErrors};
use super::{render, Layout, Section};
use crate::auth::Auth;
use crate::csv_out::csv_response;
use crate::error::{AppError, PageResult};
use crate::hub::{self as ops, Count, HubStatistics, RequestRights};
use crate::params::{Format, Params};
use crate::routes::{Access, Routes};
use crate::AppState;

const PAGE_SIZE: usize = 25;

pub fn routes() -> Routes {
    use Access::{Can, Public};
    let process = Can(Action::ProcessRequests);
    let request = Can(Action::RequestSupport);
    let signed_in = Can(Action::UseAccount);
    Routes::new()
        .get("/hub", Public, overview)
        .get("/hub/requests", Public, list)
        .get("/hub/requests/new", request, new_form)
        .post("/hub/requests/new", request, create)
        .get("/hub/requests/{id}", Public, show)
        .get("/hub/requests/{id}/matching", signed_in, matching)
        .post("/hub/requests/{id}/matching", process, rematch)
        .post(
            "/hub/requests/{id}/suggestions/{suggestion}",
            process,
            decide,
        )
        .post("/hub/requests/{id}/assign", process, assign)
        .post("/hub/requests/{id}/stage", signed_in, move_stage)
        .post("/hub/requests/{id}/visibility", request, visibility)
        .post("/hub/requests/{id}/invitation", request, answer_invitation)
        .post("/hub/requests/{id}/comments", signed_in, comment)
        .upload("/hub/requests/{id}/attachments", signed_in, attach)
        .get("/hub/files/{id}", Public, download)
        .post("/hub/requests/{id}/team", process, add_member)
        .post(
            "/hub/requests/{id}/team/{member}/remove",
            process,
            remove_member,
        )
        .post("/hub/requests/{id}/funding", process, funding)
        .get("/hub/requests/{id}/concept-note", signed_in, concept_note)
        .post(
            "/hub/requests/{id}/concept-note",
            process,
            draft_concept_note,
        )
        .get("/hub/queue", process, queue)
        .get("/hub/dashboard", process, dashboard)
        .get("/hub/partners", Public, partners)
        .get("/hub/partners/{id}", Public, partner)
        .get(
            "/hub/partners/{id}/edit",
            Can(Action::EditOrganization),
            partner_form,
        )
        .post(
            "/hub/partners/{id}/edit",
            Can(Action::EditOrganization),
            save_partner,
        )
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

fn country_name(code: &M49) -> String {
    Reference::official()
        .country(&code.to_string())
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn country_names(codes: &[M49]) -> String {
    codes
        .iter()
        .map(country_name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The countries a form offers, by name.
fn country_choices() -> Vec<(String, String)> {
    let mut countries: Vec<(String, String)> = Reference::official()
        .countries
        .iter()
        .map(|c| (c.m49.to_string(), c.name.clone()))
        .collect();
    countries.sort_by_key(|c| sort_key(&c.1));
    countries
}

/// A request as a row of a list.
pub struct RequestRow {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub requesters: String,
    pub stage: Stage,
    pub submitted: String,
    pub due: String,
    pub overdue: bool,
    pub officer: String,
    pub public: bool,
}

fn request_row(r: &SupportRequest, rights: RequestRights, now: &str) -> RequestRow {
    RequestRow {
        id: r.id.clone(),
        reference: r.reference.clone(),
        title: r.fields.title.clone(),
        requesters: country_names(&r.fields.requesters),
        stage: r.stage,
        submitted: r.created_at[..10].to_owned(),
        due: r
            .stage_due
            .as_deref()
            .map(|d| d[..10].to_owned())
            .unwrap_or_default(),
        overdue: r.is_overdue(now),
        // Officers are people: their names are for those who work on the request.
        officer: if rights.member() {
            r.officer_name.clone().unwrap_or_default()
        } else {
            String::new()
        },
        public: r.public,
    }
}

const REQUEST_CSV_HEADER: [&str; 9] = [
    "reference",
    "title",
    "requesting_countries",
    "stage",
    "submitted",
    "stage_due",
    "overdue",
    "officer",
    "public",
];

fn request_csv_row(r: &RequestRow) -> Vec<String> {
    vec![
        r.reference.clone(),
        r.title.clone(),
        r.requesters.clone(),
        r.stage.slug().to_owned(),
        r.submitted.clone(),
        r.due.clone(),
        r.overdue.to_string(),
        r.officer.clone(),
        r.public.to_string(),
    ]
}

#[derive(Template)]
#[template(path = "hub/index.html")]
struct OverviewPage {
    layout: Layout,
    stats: HubStatistics,
    stage_labels: Vec<(String, String, usize)>,
    objective_labels: Vec<(String, String, usize)>,
    public_requests: Vec<RequestRow>,
    may_request: bool,
    may_process: bool,
    partners: i64,
}

pub async fn overview(
    auth: Auth,
    State(state): State<AppState>,
    params: Params,
) -> PageResult<Html<String>> {
    params.finish()?;
    let stats = ops::statistics(&state.store).await?;
    let compact = Compact::official();
    let objective_labels = stats
        .by_objective
        .iter()
        .map(
            |Count {
                 key: id,
                 requests: n,
             }| {
                let label = compact
                    .objectives
                    .iter()
                    .find(|o| &o.id == id)
                    .map(|o| format!("{}. {}", o.number, o.label))
                    .unwrap_or_else(|| id.clone());
                (id.clone(), label, *n)
            },
        )
        .collect();
    let stage_labels = stats
        .by_stage
        .iter()
        .filter_map(|c| {
            Stage::parse(&c.key).map(|s| (c.key.clone(), s.label().to_owned(), c.requests))
        })
        .collect();
    let now = marrakech_store::now_text();
    let public_requests = ops::visible_requests(&auth, &state)
        .await?
        .into_iter()
        .filter(|(r, _)| r.public)
        .take(10)
        .map(|(r, rights)| request_row(&r, rights, &now))
        .collect();
    render(&OverviewPage {
        layout: Layout::new("Connection hub", Some(Section::Hub), &auth).described(
            "The connection hub of the capacity-building mechanism (para 43(a)): country requests, \
             implementing partners, peer exchange and funding.",
        ),
        stage_labels,
        objective_labels,
        stats,
        public_requests,
        may_request: auth.actor.has(RoleName::FocalPoint),
        may_process: auth.actor.has(RoleName::Secretariat),
        partners: state.store.partner_count().await?,
    })
}

#[derive(Template)]
#[template(path = "hub/requests.html")]
struct ListPage {
    layout: Layout,
    heading: String,
    intro: String,
    action: String,
    rows: Vec<RequestRow>,
    total: usize,
    stage: String,
    overdue: bool,
    assigned: String,
    sort: String,
    stages: Vec<(&'static str, &'static str)>,
    queue: bool,
    previous: Option<String>,
    next: Option<String>,
    csv: String,
    may_request: bool,
}

/// The filters of a request list, read from the query.
struct ListQuery {
    stage: Option<Stage>,
    overdue: bool,
    /// `me`, `none` or empty (the queue only).
    assigned: String,
    sort: String,
    page: usize,
    format: Format,
}

fn list_query(
    params: &mut Params,
    headers: &HeaderMap,
    queue: bool,
) -> Result<ListQuery, AppError> {
    let format = Format::negotiate(params, headers)?;
    let stage = params.take_with("stage", "a stage of a request", Stage::parse)?;
    let overdue = params.take_bool("overdue")?.unwrap_or(false);
    let assigned = if queue {
        params
            .take_with("assigned", "`me` or `none`", |v| {
                matches!(v, "me" | "none").then(|| v.to_owned())
            })?
            .unwrap_or_default()
    } else {
        String::new()
    };
    let sort = params
        .take_with("sort", "`newest`, `oldest`, `due` or `stage`", |v| {
            matches!(v, "newest" | "oldest" | "due" | "stage").then(|| v.to_owned())
        })?
        .unwrap_or_else(|| if queue { "due".into() } else { "newest".into() });
    let page = params
        .take_with("page", "a page number from 1", |v| {
            v.parse::<usize>().ok().filter(|n| *n >= 1)
        })?
        .unwrap_or(1);
    std::mem::take(params).finish()?;
    Ok(ListQuery {
        stage,
        overdue,
        assigned,
        sort,
        page,
        format,
    })
}

async fn list_page(
    auth: &Auth,
    state: &AppState,
    query: ListQuery,
    queue: bool,
) -> PageResult<Response> {
    let now = marrakech_store::now_text();
    let me = auth.actor.user_id.clone().unwrap_or_default();
    let mut requests: Vec<(SupportRequest, RequestRights)> = ops::visible_requests(auth, state)
        .await?
        .into_iter()
        .filter(|(r, rights)| !queue || (rights.process && r.stage.is_open()))
        .filter(|(r, _)| query.stage.is_none_or(|s| r.stage == s))
        .filter(|(r, _)| !query.overdue || r.is_overdue(&now))
        .filter(|(r, _)| match query.assigned.as_str() {
            "me" => r.officer_id.as_deref() == Some(me.as_str()),
            "none" => r.officer_id.is_none(),
            _ => true,
        })
        .collect();
    match query.sort.as_str() {
        "oldest" => requests.sort_by(|a, b| a.0.created_at.cmp(&b.0.created_at)),
        "due" => requests.sort_by(|a, b| {
            (a.0.stage_due.is_none(), &a.0.stage_due)
                .cmp(&(b.0.stage_due.is_none(), &b.0.stage_due))
        }),
        "stage" => requests.sort_by(|a, b| {
            a.0.stage
                .cmp(&b.0.stage)
                .then(b.0.created_at.cmp(&a.0.created_at))
        }),
        _ => {}
    }
    let rows: Vec<RequestRow> = requests
        .iter()
        .map(|(r, rights)| request_row(r, *rights, &now))
        .collect();
    let base = if queue { "/hub/queue" } else { "/hub/requests" };
    if query.format == Format::Csv {
        return Ok(csv_response(
            if queue {
                "hub-queue.csv"
            } else {
                "hub-requests.csv"
            },
            &REQUEST_CSV_HEADER,
            rows.iter().map(request_csv_row),
        )?);
    }
    let total = rows.len();
    let link = |extra: &[(&str, String)]| {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some(s) = query.stage {
            out.append_pair("stage", s.slug());
        }
        if query.overdue {
            out.append_pair("overdue", "true");
        }
        if !query.assigned.is_empty() {
            out.append_pair("assigned", &query.assigned);
        }
        out.append_pair("sort", &query.sort);
        for (k, v) in extra {
            out.append_pair(k, v);
        }
        format!("{base}?{}", out.finish())
    };
    let page = query.page;
    let (heading, intro) = if queue {
        (
            "Request queue",
            "Open requests, the most pressing first: what each stage's target says is due, and who holds it.",
        )
    } else {
        (
            "Support requests",
            "The requests you may see: your country's, those your organization works on, and those their countries made public.",
        )
    };
    Ok(render(&ListPage {
        layout: Layout::new(heading, Some(Section::Hub), auth),
        heading: heading.into(),
        intro: intro.into(),
        action: base.into(),
        rows: rows
            .into_iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .collect(),
        total,
        stage: query.stage.map(|s| s.slug().to_owned()).unwrap_or_default(),
        overdue: query.overdue,
        assigned: query.assigned.clone(),
        sort: query.sort.clone(),
        stages: Stage::ALL.iter().map(|s| (s.slug(), s.label())).collect(),
        queue,
        previous: (page > 1).then(|| link(&[("page", (page - 1).to_string())])),
        next: (page * PAGE_SIZE < total).then(|| link(&[("page", (page + 1).to_string())])),
        csv: link(&[("format", "csv".into())]),
        may_request: auth.actor.has(RoleName::FocalPoint),
    })?
    .into_response())
}

pub async fn list(
    auth: Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> PageResult<Response> {
    let query = list_query(&mut params, &headers, false)?;
    list_page(&auth, &state, query, false).await
}

pub async fn queue(
    auth: Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> PageResult<Response> {
    let query = list_query(&mut params, &headers, true)?;
    list_page(&auth, &state, query, true).await
}

#[derive(Template)]
#[template(path = "hub/request_form.html")]
struct RequestFormPage {
    layout: Layout,
    values: Form,
    errors: FormErrors,
    own_country: String,
    objectives: Vec<Objective>,
    countries: Vec<(String, String)>,
    support: Vec<(&'static str, &'static str)>,
    languages: Vec<(&'static str, &'static str)>,
    organizations: Vec<(String, String)>,
    idempotency_key: String,
}

async fn request_form(
    auth: &Auth,
    state: &AppState,
    values: Form,
    errors: FormErrors,
) -> PageResult<Html<String>> {
    let own = auth
        .actor
        .roles
        .iter()
        .find_map(|r| match r {
            marrakech_core::policy::Role::FocalPoint { country } => Some(country_name(country)),
            _ => None,
        })
        .unwrap_or_default();
    let (organizations, _) = state
        .store
        .organizations(&OrganizationFilter::default(), 2_000, 0)
        .await?;
    // A key per form: a resubmitted page (a double click, a retried post) stores one request.
    let idempotency_key = match values.get("idempotency_key") {
        k if !k.is_empty() => k,
        _ => marrakech_store::new_id(),
    };
    render(&RequestFormPage {
        layout: Layout::new("Request support", Some(Section::Hub), auth),
        values,
        errors,
        own_country: own,
        objectives: Compact::official().objectives.clone(),
        countries: country_choices(),
        support: ops::support_choices(),
        languages: ops::language_choices(),
        organizations: organizations.into_iter().map(|o| (o.id, o.name)).collect(),
        idempotency_key,
    })
}

pub async fn new_form(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    request_form(&auth, &state, Form::default(), FormErrors::new()).await
}

fn request_input(form: &Form) -> ops::RequestInput {
    let list = |name: &str| {
        form.all(name)
            .into_iter()
            .filter(|v| !v.trim().is_empty())
            .collect::<Vec<_>>()
    };
    ops::RequestInput {
        title: form.get("title"),
        description: form.raw("description"),
        objectives: list("objectives"),
        actions: list("actions"),
        countries: list("countries"),
        joint_with: list("joint_with"),
        support: list("support"),
        languages: list("languages"),
        urgency: Some(form.get("urgency")).filter(|u| !u.is_empty()),
        preferred_partners: list("preferred_partners"),
    }
}

pub async fn create(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    let input = request_input(&form);
    if let Some(fields) = ops::request_fields(&state, &auth, &input, &mut errors).await? {
        let key = form.get("idempotency_key");
        let (request, _) = ops::submit(
            &state,
            &auth,
            &fields,
            Some(&key).filter(|k| !k.is_empty()).map(String::as_str),
        )
        .await?;
        return Ok(see_other(&format!(
            "/hub/requests/{}?submitted=true",
            request.id
        )));
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        request_form(&auth, &state, form, errors).await?,
    )
        .into_response())
}

/// A factor of a suggestion, as shown.
pub struct FactorView {
    pub label: &'static str,
    pub weight: String,
    pub value: String,
    pub contribution: String,
    pub explanation: String,
}

pub struct SuggestionView {
    pub id: String,
    pub kind: TargetKind,
    pub title: String,
    pub href: String,
    pub rank: i64,
    pub score: String,
    pub decision: Option<&'static str>,
    pub factors: Vec<FactorView>,
}

#[derive(Deserialize)]
struct StoredFactor {
    name: FactorName,
    weight: f64,
    value: f64,
    contribution: f64,
    explanation: String,
}

fn suggestion_view(s: &Suggestion) -> SuggestionView {
    let factors: Vec<StoredFactor> = serde_json::from_value(s.factors.clone()).unwrap_or_default();
    SuggestionView {
        id: s.id.clone(),
        kind: s.kind,
        title: s.title.clone(),
        href: match s.kind {
            TargetKind::Partner => format!("/hub/partners/{}", s.target_id),
            TargetKind::Item => format!("/knowledge/{}", s.target_id),
            TargetKind::Request => format!("/hub/requests/{}", s.target_id),
        },
        rank: s.rank,
        score: format!("{:.0}", s.score * 100.0),
        decision: s.decision.map(|d| d.as_str()),
        factors: factors
            .into_iter()
            .filter(|f| f.weight > 0.0)
            .map(|f| FactorView {
                label: f.name.label(),
                weight: format!("{:.0} %", f.weight * 100.0),
                value: format!("{:.2}", f.value),
                contribution: format!("{:.1}", f.contribution * 100.0),
                explanation: f.explanation,
            })
            .collect(),
    }
}

/// The suggestions of each family, ranked.
fn suggestion_views(suggestions: &[Suggestion]) -> (Vec<SuggestionView>, Vec<SuggestionView>) {
    let partners = suggestions
        .iter()
        .filter(|s| s.kind == TargetKind::Partner)
        .map(suggestion_view)
        .collect();
    let mut peers: Vec<&Suggestion> = suggestions
        .iter()
        .filter(|s| s.kind != TargetKind::Partner)
        .collect();
    peers.sort_by_key(|s| s.rank);
    (partners, peers.into_iter().map(suggestion_view).collect())
}

/// The timeline: every stage of the workflow, each with when it was reached.
pub struct TimelineStep {
    pub label: &'static str,
    pub state: &'static str,
    pub at: String,
}

fn timeline(request: &SupportRequest, history: &[RequestTransition]) -> Vec<TimelineStep> {
    let reached: HashMap<Stage, &str> = history.iter().map(|t| (t.to, t.at.as_str())).collect();
    let mut steps: Vec<TimelineStep> = Stage::OPEN
        .iter()
        .chain([Stage::Served].iter())
        .filter(|s| {
            request.stage.is_open() || **s != Stage::Served || request.stage == Stage::Served
        })
        .map(|s| TimelineStep {
            label: s.label(),
            state: if *s == request.stage {
                "current"
            } else if reached.contains_key(s) {
                "done"
            } else {
                "to-come"
            },
            at: reached
                .get(s)
                .map(|at| at[..10].to_owned())
                .unwrap_or_default(),
        })
        .collect();
    if matches!(request.stage, Stage::Declined | Stage::Withdrawn) {
        steps.retain(|s| s.state != "to-come");
        steps.push(TimelineStep {
            label: request.stage.label(),
            state: "current",
            at: reached
                .get(&request.stage)
                .map(|at| at[..10].to_owned())
                .unwrap_or_default(),
        });
    }
    steps
}

#[derive(Template)]
#[template(path = "hub/request.html")]
struct RequestPage {
    layout: Layout,
    request: SupportRequest,
    rights: RequestRights,
    description_html: String,
    requesters: String,
    /// The States asked to join, shown to those on the request and to the invited.
    invited: String,
    countries: String,
    objectives: Vec<(String, String)>,
    actions: Vec<(String, String)>,
    support: String,
    languages: String,
    preferred: Vec<(String, String)>,
    urgency: String,
    timeline: Vec<TimelineStep>,
    history: Vec<RequestTransition>,
    overdue: bool,
    holder: &'static str,
    target_days: i64,
    partners: Vec<SuggestionView>,
    peers: Vec<SuggestionView>,
    team: Vec<TeamMember>,
    findings: Vec<SetupFinding>,
    funding: Vec<Funding>,
    opportunities: Vec<(String, String, String)>,
    has_concept_note: bool,
    comments: Vec<RequestComment>,
    attachments: Vec<RequestAttachment>,
    officers: Vec<User>,
    next_stage: Option<Stage>,
    may_serve_now: bool,
    team_roles: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    organizations: Vec<(String, String)>,
    submitted: bool,
    notice: Option<String>,
    errors: FormErrors,
}

async fn request_page(
    auth: &Auth,
    state: &AppState,
    id: &str,
    notice: Option<String>,
    errors: FormErrors,
    submitted: bool,
) -> PageResult<Html<String>> {
    let (request, rights) = ops::visible(auth, state, id).await?;
    let history = state.store.request_transitions(id).await?;
    let compact = Compact::official();
    let objectives = request
        .fields
        .objectives
        .iter()
        .map(|id| {
            let label = compact
                .objectives
                .iter()
                .find(|o| &o.id == id)
                .map(|o| format!("{}. {}", o.number, o.label))
                .unwrap_or_else(|| id.clone());
            (id.clone(), label)
        })
        .collect();
    let actions = request
        .fields
        .actions
        .iter()
        .map(|a| (a.clone(), a.trim_start_matches("obj-").to_owned()))
        .collect();
    let (partners, peers) = if rights.sees_matching() {
        suggestion_views(&state.store.suggestions(id).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let team = state.store.team(id).await?;
    let findings = ops::setup_findings(&request, &team);
    let officers = if rights.process {
        state
            .store
            .users(
                &UserFilter {
                    role: Some(RoleName::Secretariat),
                    status: Some(UserStatus::Active),
                    query: None,
                },
                500,
                0,
            )
            .await?
            .0
    } else {
        Vec::new()
    };
    let organizations = if rights.process {
        state
            .store
            .organizations(&OrganizationFilter::default(), 2_000, 0)
            .await?
            .0
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect()
    } else {
        Vec::new()
    };
    let mut preferred = Vec::new();
    for org in &request.fields.preferred {
        if let Some(o) = state.store.organization(org).await? {
            preferred.push((o.id, o.name));
        }
    }
    let comments = if rights.member() {
        state
            .store
            .request_comments(id)
            .await?
            .into_iter()
            .filter(|c| c.shared || rights.process || rights.engaged)
            .collect()
    } else {
        Vec::new()
    };
    let now = marrakech_store::now_text();
    render(&RequestPage {
        layout: Layout::new(
            format!("{}: {}", request.reference, request.fields.title),
            Some(Section::Hub),
            auth,
        ),
        description_html: crate::markdown::render(&request.fields.description),
        requesters: country_names(&request.fields.requesters),
        invited: if rights.member() || rights.invited {
            country_names(&request.fields.invited)
        } else {
            String::new()
        },
        countries: country_names(&request.fields.countries),
        objectives,
        actions,
        support: request
            .fields
            .support
            .iter()
            .filter_map(|s| marrakech_hub::SupportKind::parse(s).map(|k| k.label()))
            .collect::<Vec<_>>()
            .join(", "),
        languages: request
            .fields
            .languages
            .iter()
            .map(|l| l.label())
            .collect::<Vec<_>>()
            .join(", "),
        preferred,
        urgency: request.fields.urgency.clone(),
        timeline: timeline(&request, &history),
        history: if rights.member() { history } else { Vec::new() },
        overdue: request.is_overdue(&now),
        holder: request.stage.holder(),
        target_days: request.stage.target_days().unwrap_or_default(),
        partners,
        peers,
        findings,
        funding: state.store.funding(id).await?,
        opportunities: if rights.process {
            ops::funding_opportunities(state, &request).await?
        } else {
            Vec::new()
        },
        has_concept_note: state.store.concept_note(id).await?.is_some(),
        comments,
        attachments: if rights.member() {
            state.store.request_attachments(id).await?
        } else {
            Vec::new()
        },
        officers,
        next_stage: request.stage.next(),
        may_serve_now: request.stage == Stage::ImplementationSetUp,
        team_roles: TeamRole::ALL
            .iter()
            .map(|r| (r.slug(), r.label()))
            .collect(),
        kinds: OrganizationKind::ALL
            .iter()
            .map(|k| (k.slug(), k.label()))
            .collect(),
        organizations,
        team,
        rights,
        request,
        submitted,
        notice,
        errors,
    })
}

pub async fn show(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> PageResult<Html<String>> {
    let submitted = params.take_bool("submitted")?.unwrap_or(false);
    params.finish()?;
    request_page(&auth, &state, &id, None, FormErrors::new(), submitted).await
}

/// After a form on the request page: the page again with a notice, or with the field's error
/// and a 422.
async fn after(
    auth: &Auth,
    state: &AppState,
    id: &str,
    outcome: Result<String, AppError>,
) -> PageResult<Response> {
    match outcome {
        Ok(notice) => Ok(
            request_page(auth, state, id, Some(notice), FormErrors::new(), false)
                .await?
                .into_response(),
        ),
        Err(e) => {
            let mut errors = FormErrors::new();
            errors.from_app_error(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                request_page(auth, state, id, None, errors, false).await?,
            )
                .into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "hub/matching.html")]
struct MatchingPage {
    layout: Layout,
    request: SupportRequest,
    rights: RequestRights,
    partners: Vec<SuggestionView>,
    peers: Vec<SuggestionView>,
    weights: Vec<(&'static str, String, String)>,
    notice: Option<String>,
}

async fn matching_page(
    auth: &Auth,
    state: &AppState,
    id: &str,
    notice: Option<String>,
) -> PageResult<Html<String>> {
    let (request, rights) = ops::visible(auth, state, id).await?;
    if !rights.sees_matching() {
        return Err(AppError::Forbidden(
            "the matching is for the requesting country and the secretariat".into(),
        )
        .into());
    }
    let (partners, peers) = suggestion_views(&state.store.suggestions(id).await?);
    // The normalised weights each family is scored with (at normal urgency for partners).
    let partner_weights = state.hub.weights().partner_weights(Urgency::Normal);
    let item_weights = state.hub.weights().item_weights();
    let weights = FactorName::PARTNER
        .iter()
        .zip(partner_weights)
        .map(|(factor, weight)| {
            let item = FactorName::ITEM
                .iter()
                .position(|f| f == factor)
                .map(|i| format!("{:.0} %", item_weights[i] * 100.0))
                .unwrap_or_else(|| "not used".into());
            (factor.label(), format!("{:.0} %", weight * 100.0), item)
        })
        .collect();
    render(&MatchingPage {
        layout: Layout::new(
            format!("Matching for {}", request.reference),
            Some(Section::Hub),
            auth,
        ),
        request,
        rights,
        partners,
        peers,
        weights,
        notice,
    })
}

pub async fn matching(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    matching_page(&auth, &state, &id, None).await
}

pub async fn rematch(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    ops::rematch(&state, &auth, &id).await?;
    matching_page(
        &auth,
        &state,
        &id,
        Some("Matching ran again on the current registry and knowledge platform.".into()),
    )
    .await
}

pub async fn decide(
    auth: Auth,
    State(state): State<AppState>,
    Path((id, suggestion)): Path<(String, String)>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    ops::decide(&state, &auth, &id, &suggestion, &form.get("decision")).await?;
    let back = if form.get("from") == "matching" {
        format!("/hub/requests/{id}/matching")
    } else {
        format!("/hub/requests/{id}#suggestions")
    };
    Ok(see_other(&back))
}

pub async fn assign(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let outcome = ops::assign(&state, &auth, &id, &form.get("officer"))
        .await
        .map(|r| {
            format!(
                "{} is now held by {}.",
                r.reference,
                r.officer_name.unwrap_or_default()
            )
        });
    after(&auth, &state, &id, outcome).await
}

pub async fn move_stage(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let outcome = ops::move_request(&state, &auth, &id, &form.get("to"), &form.raw("note"))
        .await
        .map(|r| format!("The request is now: {}.", r.stage.label().to_lowercase()));
    after(&auth, &state, &id, outcome).await
}

pub async fn visibility(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let outcome = ops::set_public(&state, &auth, &id, form.get("public") == "true")
        .await
        .map(|r| {
            if r.public {
                "The request is public: anyone can read it, and other countries may be offered it as a peer.".to_owned()
            } else {
                "The request is confidential again.".to_owned()
            }
        });
    after(&auth, &state, &id, outcome).await
}

/// An invited State's focal point accepts (`accept=yes`) or declines joining a request.
pub async fn answer_invitation(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let accept = Form::parse(&body).get("accept") == "yes";
    let outcome = ops::answer_invitation(&state, &auth, &id, accept)
        .await
        .map(|_| {
            if accept {
                "Your country is now one of the requesting countries.".to_owned()
            } else {
                "You declined: your country is not part of this request.".to_owned()
            }
        });
    // Declined, the request is no longer the invited State's to see.
    if !accept && outcome.is_ok() {
        return Ok(see_other("/hub/requests"));
    }
    after(&auth, &state, &id, outcome).await
}

pub async fn comment(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let outcome = ops::comment(
        &state,
        &auth,
        &id,
        &form.raw("comment"),
        form.checked("shared"),
    )
    .await
    .map(|_| "Your comment is added.".to_owned());
    after(&auth, &state, &id, outcome).await
}

pub async fn attach(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult<Response> {
    // Who may attach is decided before the body is read: a malformed upload to someone
    // else's request says nothing about it.
    let (_, rights) = ops::visible(&auth, &state, &id).await?;
    if !(rights.requester || rights.process) {
        return Err(AppError::Forbidden(
            "files are added by the requesting country or the secretariat".into(),
        )
        .into());
    }
    let mut multipart = multipart.map_err(|e| {
        AppError::invalid("file", format!("the upload is not a form with a file: {e}"))
    })?;
    let outcome = match uploaded_file(&mut multipart).await {
        Ok(Some((filename, bytes))) => ops::attach(&state, &auth, &id, &filename, bytes.to_vec())
            .await
            .map(|a| format!("{} is attached.", a.filename)),
        Ok(None) => Err(AppError::invalid("file", "choose a file to upload")),
        Err(e) => Err(e),
    };
    after(&auth, &state, &id, outcome).await
}

pub async fn download(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let not_found = || AppError::not_found("file", &id, None);
    let (meta, bytes) = state
        .store
        .request_attachment(&id)
        .await?
        .ok_or_else(not_found)?;
    let (_, rights) = ops::visible(&auth, &state, &meta.request_id)
        .await
        .map_err(|_| not_found())?;
    if !rights.member() {
        return Err(not_found().into());
    }
    Ok(file_download(&meta.filename, meta.media_type, bytes))
}

pub async fn add_member(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let input = ops::TeamInput {
        role: form.get("role"),
        organization: Some(form.get("organization")).filter(|o| !o.is_empty()),
        name: form.get("name"),
        kind: Some(form.get("kind")).filter(|k| !k.is_empty()),
        contribution: form.raw("contribution"),
    };
    let mut errors = FormErrors::new();
    let member = ops::team_member(&state, &input, &mut errors).await?;
    let outcome = match member {
        Some(member) => ops::add_member(&state, &auth, &id, &member)
            .await
            .map(|_| format!("{} is on the team.", member.name)),
        None => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                request_page(&auth, &state, &id, None, errors, false).await?,
            )
                .into_response())
        }
    };
    after(&auth, &state, &id, outcome).await
}

pub async fn remove_member(
    auth: Auth,
    State(state): State<AppState>,
    Path((id, member)): Path<(String, String)>,
) -> PageResult<Response> {
    let outcome = ops::remove_member(&state, &auth, &id, &member)
        .await
        .map(|_| "The member is off the team.".to_owned());
    after(&auth, &state, &id, outcome).await
}

pub async fn funding(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    let amount = form.get("amount_usd");
    let amount_usd = if amount.is_empty() {
        None
    } else {
        match amount.replace([',', ' '], "").parse::<i64>() {
            Ok(a) => Some(a),
            Err(_) => {
                errors.add("amount_usd", "the amount is a whole number of US dollars");
                None
            }
        }
    };
    let input = ops::FundingInput {
        source: form.get("source"),
        status: form.get("status"),
        amount_usd,
        note: form.raw("note"),
    };
    let recorded = ops::funding(&state, &input, &mut errors).await?;
    match recorded {
        Some(f) if errors.is_empty() => {
            let outcome = ops::record_funding(&state, &auth, &id, &f)
                .await
                .map(|_| format!("{} is recorded as {}.", f.source_name, f.status));
            after(&auth, &state, &id, outcome).await
        }
        _ => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            request_page(&auth, &state, &id, None, errors, false).await?,
        )
            .into_response()),
    }
}

#[derive(Template)]
#[template(path = "hub/concept_note.html")]
struct ConceptNotePage {
    layout: Layout,
    request: SupportRequest,
    rights: RequestRights,
    note: Option<marrakech_store::hub::ConceptNote>,
    fields: Vec<(String, String)>,
}

fn concept_note_fields(content: &serde_json::Value) -> Vec<(String, String)> {
    let show = |v: &serde_json::Value| -> String {
        match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| match i {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Object(o) => o
                        .get("name")
                        .and_then(|n| n.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("; "),
            serde_json::Value::Object(o) => o
                .get("reference")
                .and_then(|r| r.as_str())
                .unwrap_or_default()
                .to_owned(),
            other => other.to_string(),
        }
    };
    content
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.replace('_', " "), show(v)))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn concept_note(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    let (request, rights) = ops::visible(&auth, &state, &id).await?;
    if !rights.member() {
        return Err(AppError::not_found("support request", &id, None).into());
    }
    let note = state.store.concept_note(&id).await?;
    render(&ConceptNotePage {
        layout: Layout::new(
            format!("Concept note for {}", request.reference),
            Some(Section::Hub),
            &auth,
        ),
        fields: note
            .as_ref()
            .map(|n| concept_note_fields(&n.content))
            .unwrap_or_default(),
        request,
        rights,
        note,
    })
}

pub async fn draft_concept_note(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    ops::draft_concept_note(&state, &auth, &id).await?;
    Ok(see_other(&format!("/hub/requests/{id}/concept-note")))
}

#[derive(Template)]
#[template(path = "hub/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    by_stage: Vec<(Stage, usize, usize, i64)>,
    overdue: Vec<RequestRow>,
    unassigned: usize,
    officers: Vec<(String, usize, usize)>,
    served: usize,
    median_days: Option<f64>,
}

pub async fn dashboard(
    auth: Auth,
    State(state): State<AppState>,
    params: Params,
) -> PageResult<Html<String>> {
    params.finish()?;
    let now = marrakech_store::now_text();
    let requests = ops::visible_requests(&auth, &state).await?;
    let mut by_stage: BTreeMap<Stage, (usize, usize)> = BTreeMap::new();
    let mut officers: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut overdue = Vec::new();
    let mut unassigned = 0;
    for (r, rights) in &requests {
        let entry = by_stage.entry(r.stage).or_default();
        entry.0 += 1;
        if r.is_overdue(&now) {
            entry.1 += 1;
            overdue.push(request_row(r, *rights, &now));
        }
        if r.stage.is_open() {
            match &r.officer_name {
                Some(name) => {
                    let o = officers.entry(name.clone()).or_default();
                    o.0 += 1;
                    if r.is_overdue(&now) {
                        o.1 += 1;
                    }
                }
                None => unassigned += 1,
            }
        }
    }
    let stats = ops::statistics(&state.store).await?;
    render(&DashboardPage {
        layout: Layout::new("Hub dashboard", Some(Section::Hub), &auth),
        by_stage: Stage::ALL
            .iter()
            .map(|s| {
                let (n, late) = by_stage.get(s).copied().unwrap_or_default();
                (*s, n, late, s.target_days().unwrap_or_default())
            })
            .collect(),
        overdue,
        unassigned,
        officers: officers.into_iter().map(|(n, (a, b))| (n, a, b)).collect(),
        served: stats.served,
        median_days: stats.median_days_to_serve,
    })
}

/// A partner as a row of the directory.
pub struct PartnerRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub objectives: String,
    pub support: String,
    pub presence: String,
    pub staff: i64,
    pub engaged: i64,
    pub served: i64,
    pub items: i64,
}

fn presence(p: &Partner) -> String {
    let reference = Reference::official();
    let mut names: Vec<String> = p
        .fields
        .regions
        .iter()
        .map(|g| {
            if g.value() == 1 {
                "World".to_owned()
            } else {
                reference
                    .region(*g)
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| g.to_string())
            }
        })
        .collect();
    let countries = p.fields.countries.len();
    if countries > 0 {
        names.push(if countries <= 3 {
            country_names(&p.fields.countries)
        } else {
            format!("{countries} countries")
        });
    }
    names.join("; ")
}

fn partner_row(p: &Partner) -> PartnerRow {
    PartnerRow {
        id: p.organization_id.clone(),
        name: p.name.clone(),
        kind: p.kind.label(),
        objectives: p
            .fields
            .objectives
            .iter()
            .map(|o| o.trim_start_matches("obj-"))
            .collect::<Vec<_>>()
            .join(", "),
        support: p
            .fields
            .support
            .iter()
            .filter_map(|s| marrakech_hub::SupportKind::parse(s).map(|k| k.label()))
            .collect::<Vec<_>>()
            .join(", "),
        presence: presence(p),
        staff: p.fields.staff,
        engaged: p.engaged,
        served: p.requests_served,
        items: p.items_implemented,
    }
}

const PARTNER_CSV_HEADER: [&str; 10] = [
    "organization_id",
    "name",
    "kind",
    "objectives",
    "support",
    "presence",
    "staff",
    "engaged_requests",
    "requests_served",
    "items_implemented",
];

#[derive(Template)]
#[template(path = "hub/partners.html")]
struct PartnersPage {
    layout: Layout,
    rows: Vec<PartnerRow>,
    total: usize,
    name: String,
    objective: String,
    country: String,
    support: String,
    kind: String,
    sort: String,
    objectives: Vec<Objective>,
    countries: Vec<(String, String)>,
    supports: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    previous: Option<String>,
    next: Option<String>,
    csv: String,
    without_profile: Vec<(String, String)>,
}

/// The directory's filters, shared with the API.
#[derive(Debug, Default, Clone)]
pub struct PartnerQuery {
    pub name: String,
    pub objective: String,
    pub country: Option<M49>,
    pub support: String,
    pub kind: Option<OrganizationKind>,
    pub sort: String,
}

impl PartnerQuery {
    pub fn from_params(params: &mut Params) -> Result<PartnerQuery, AppError> {
        Ok(PartnerQuery {
            name: params.take("name").unwrap_or_default(),
            objective: params
                .take_with("objective", "an objective id (obj-1 to obj-23)", |v| {
                    Compact::official()
                        .objectives
                        .iter()
                        .any(|o| o.id == v)
                        .then(|| v.to_owned())
                })?
                .unwrap_or_default(),
            country: params.take_with("country", "a country code (M49 or ISO)", |v| {
                Reference::official().country(v).map(|c| c.m49)
            })?,
            support: params
                .take_with("support", "a kind of support", |v| {
                    marrakech_hub::SupportKind::parse(v).map(|k| k.slug().to_owned())
                })?
                .unwrap_or_default(),
            kind: params.take_with("kind", "an organization kind", OrganizationKind::parse)?,
            sort: params
                .take_with("sort", "`name`, `capacity` or `served`", |v| {
                    matches!(v, "name" | "capacity" | "served").then(|| v.to_owned())
                })?
                .unwrap_or_else(|| "name".into()),
        })
    }

    /// The partners that match, sorted.
    pub fn apply(&self, partners: Vec<Partner>) -> Vec<Partner> {
        let reference = Reference::official();
        let name = sort_key(&self.name);
        let mut out: Vec<Partner> = partners
            .into_iter()
            .filter(|p| name.is_empty() || sort_key(&p.name).contains(&name))
            .filter(|p| {
                self.objective.is_empty()
                    || p.fields.objectives.contains(&self.objective)
                    || p.fields
                        .actions
                        .iter()
                        .any(|a| a.starts_with(&format!("{}-", self.objective)))
            })
            .filter(|p| self.support.is_empty() || p.fields.support.contains(&self.support))
            .filter(|p| self.kind.is_none_or(|k| p.kind == k))
            .filter(|p| {
                self.country.is_none_or(|c| {
                    p.fields.countries.contains(&c)
                        || p.fields.regions.iter().any(|g| {
                            g.value() == 1
                                || reference
                                    .country(&c.to_string())
                                    .is_some_and(|country| country.areas().any(|a| a.code == *g))
                        })
                })
            })
            .collect();
        match self.sort.as_str() {
            "capacity" => out.sort_by_key(|p| std::cmp::Reverse(p.fields.staff - p.engaged)),
            "served" => out.sort_by_key(|p| std::cmp::Reverse(p.requests_served)),
            _ => {}
        }
        out
    }
}

pub async fn partners(
    auth: Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> PageResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let query = PartnerQuery::from_params(&mut params)?;
    let page = params
        .take_with("page", "a page number from 1", |v| {
            v.parse::<usize>().ok().filter(|n| *n >= 1)
        })?
        .unwrap_or(1);
    params.finish()?;
    let all = state.store.partners().await?;
    let registered: std::collections::HashSet<String> =
        all.iter().map(|p| p.organization_id.clone()).collect();
    let rows: Vec<PartnerRow> = query.apply(all).iter().map(partner_row).collect();
    if format == Format::Csv {
        return Ok(csv_response(
            "hub-partners.csv",
            &PARTNER_CSV_HEADER,
            rows.iter().map(|r| {
                vec![
                    r.id.clone(),
                    r.name.clone(),
                    r.kind.to_owned(),
                    r.objectives.clone(),
                    r.support.clone(),
                    r.presence.clone(),
                    r.staff.to_string(),
                    r.engaged.to_string(),
                    r.served.to_string(),
                    r.items.to_string(),
                ]
            }),
        )?);
    }
    let link = |extra: &[(&str, String)]| {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("name", query.name.clone()),
            ("objective", query.objective.clone()),
            (
                "country",
                query.country.map(|c| c.to_string()).unwrap_or_default(),
            ),
            ("support", query.support.clone()),
            (
                "kind",
                query.kind.map(|k| k.slug().to_owned()).unwrap_or_default(),
            ),
            ("sort", query.sort.clone()),
        ] {
            if !v.is_empty() {
                out.append_pair(k, &v);
            }
        }
        for (k, v) in extra {
            out.append_pair(k, v);
        }
        format!("/hub/partners?{}", out.finish())
    };
    let without_profile = if auth.actor.has(RoleName::Secretariat) {
        state
            .store
            .organizations(&OrganizationFilter::default(), 2_000, 0)
            .await?
            .0
            .into_iter()
            .filter(|o| !registered.contains(&o.id))
            .map(|o| (o.id, o.name))
            .collect()
    } else {
        Vec::new()
    };
    let total = rows.len();
    render(&PartnersPage {
        layout: Layout::new("Partner directory", Some(Section::Hub), &auth).described(
            "Implementing partners of the connection hub and their comparative advantages.",
        ),
        rows: rows
            .into_iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .collect(),
        total,
        name: query.name.clone(),
        objective: query.objective.clone(),
        country: query.country.map(|c| c.to_string()).unwrap_or_default(),
        support: query.support.clone(),
        kind: query.kind.map(|k| k.slug().to_owned()).unwrap_or_default(),
        sort: query.sort.clone(),
        objectives: Compact::official().objectives.clone(),
        countries: country_choices(),
        supports: ops::support_choices(),
        kinds: OrganizationKind::ALL
            .iter()
            .map(|k| (k.slug(), k.label()))
            .collect(),
        previous: (page > 1).then(|| link(&[("page", (page - 1).to_string())])),
        next: (page * PAGE_SIZE < total).then(|| link(&[("page", (page + 1).to_string())])),
        csv: link(&[("format", "csv".into())]),
        without_profile,
    })
    .map(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "hub/partner.html")]
struct PartnerPage {
    layout: Layout,
    partner: Partner,
    objectives: Vec<(String, String)>,
    actions: Vec<String>,
    presence: String,
    countries: String,
    languages: String,
    support: String,
    may_edit: bool,
}

pub async fn partner(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    let partner = state
        .store
        .partner(&id)
        .await?
        .ok_or_else(|| AppError::not_found("partner", &id, Some("/hub/partners")))?;
    let compact = Compact::official();
    render(&PartnerPage {
        layout: Layout::new(partner.name.clone(), Some(Section::Hub), &auth),
        objectives: partner
            .fields
            .objectives
            .iter()
            .map(|o| {
                (
                    o.clone(),
                    compact
                        .objectives
                        .iter()
                        .find(|x| &x.id == o)
                        .map(|x| format!("{}. {}", x.number, x.label))
                        .unwrap_or_else(|| o.clone()),
                )
            })
            .collect(),
        actions: partner.fields.actions.clone(),
        presence: presence(&partner),
        countries: country_names(&partner.fields.countries),
        languages: partner
            .fields
            .languages
            .iter()
            .map(|l| l.label())
            .collect::<Vec<_>>()
            .join(", "),
        support: partner_row(&partner).support,
        may_edit: auth
            .require(Action::EditOrganization, Resource::Organization(&id))
            .is_ok(),
        partner,
    })
}

#[derive(Template)]
#[template(path = "hub/partner_form.html")]
struct PartnerFormPage {
    layout: Layout,
    organization: marrakech_store::Organization,
    values: Form,
    errors: FormErrors,
    objectives: Vec<Objective>,
    countries: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    supports: Vec<(&'static str, &'static str)>,
    languages: Vec<(&'static str, &'static str)>,
}

async fn editable_organization(
    auth: &Auth,
    state: &AppState,
    id: &str,
) -> Result<marrakech_store::Organization, AppError> {
    let organization = state
        .store
        .organization(id)
        .await?
        .ok_or_else(|| AppError::not_found("organization", id, None))?;
    auth.require(Action::EditOrganization, Resource::Organization(id))?;
    Ok(organization)
}

fn partner_form_page(
    auth: &Auth,
    organization: marrakech_store::Organization,
    values: Form,
    errors: FormErrors,
) -> PageResult<Html<String>> {
    let reference = Reference::official();
    let mut regions: Vec<(String, String)> = vec![("001".into(), "World".into())];
    regions.extend(
        reference
            .regions
            .iter()
            .map(|r| (r.code.to_string(), r.name.clone())),
    );
    render(&PartnerFormPage {
        layout: Layout::new(
            format!("Partner profile: {}", organization.name),
            Some(Section::Hub),
            auth,
        ),
        organization,
        values,
        errors,
        objectives: Compact::official().objectives.clone(),
        countries: country_choices(),
        regions,
        supports: ops::support_choices(),
        languages: ops::language_choices(),
    })
}

/// A stored profile as form values.
fn partner_values(p: &Partner) -> Form {
    let mut pairs = vec![
        ("summary".to_owned(), p.fields.summary.clone()),
        ("staff".to_owned(), p.fields.staff.to_string()),
    ];
    let lists: [(&str, Vec<String>); 6] = [
        ("objectives", p.fields.objectives.clone()),
        ("actions", p.fields.actions.clone()),
        (
            "countries",
            p.fields.countries.iter().map(|c| c.to_string()).collect(),
        ),
        (
            "regions",
            p.fields.regions.iter().map(|c| c.to_string()).collect(),
        ),
        (
            "languages",
            p.fields
                .languages
                .iter()
                .map(|l| l.code().to_owned())
                .collect(),
        ),
        ("support", p.fields.support.clone()),
    ];
    for (name, values) in lists {
        pairs.extend(values.into_iter().map(|v| (name.to_owned(), v)));
    }
    Form::from_pairs(pairs)
}

pub async fn partner_form(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    let organization = editable_organization(&auth, &state, &id).await?;
    let values = match state.store.partner(&id).await? {
        Some(p) => partner_values(&p),
        None => Form::default(),
    };
    partner_form_page(&auth, organization, values, FormErrors::new())
}

pub async fn save_partner(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    let organization = editable_organization(&auth, &state, &id).await?;
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    let list = |name: &str| {
        form.all(name)
            .into_iter()
            .filter(|v| !v.trim().is_empty())
            .collect()
    };
    let staff = form.get("staff");
    let staff = match staff.parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            errors.add("staff", "staff is a whole number");
            0
        }
    };
    let input = ops::PartnerForm {
        summary: form.raw("summary"),
        staff,
        objectives: list("objectives"),
        actions: list("actions"),
        countries: list("countries"),
        regions: list("regions"),
        languages: list("languages"),
        support: list("support"),
    };
    match ops::partner_fields(&organization, &input, &mut errors) {
        Some(fields) if errors.is_empty() => {
            state
                .store
                .save_partner(&auth.audit(Action::EditOrganization), &id, &fields)
                .await?;
            Ok(see_other(&format!("/hub/partners/{id}")))
        }
        _ => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            partner_form_page(&auth, organization, form, errors)?,
        )
            .into_response()),
    }
}
