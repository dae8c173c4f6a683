//! The directory of organizations: public profiles; creation and verification by the
//! secretariat; editing by the secretariat or the organization's own contributors.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use marrakech_core::accounts::{check_markdown, OrganizationName, Website};
use marrakech_core::countries::M49;
use marrakech_core::policy::{Action, OrganizationKind, Resource};
use marrakech_store::{NewOrganization, Organization, OrganizationFilter};

use super::forms::{Form, FormErrors};
use super::sign_in::country_choices;
use super::{render, Layout, Section};
use crate::auth::Auth;
use crate::csv_out::{csv_response, opt};
use crate::error::{AppError, PageResult};
use crate::markdown;
use crate::params::{Format, Params};
use crate::AppState;

const PAGE_SIZE: usize = 50;
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;

pub fn kind_choices() -> Vec<(&'static str, &'static str)> {
    OrganizationKind::ALL
        .iter()
        .map(|k| (k.slug(), k.label()))
        .collect()
}

/// Reads `kind`, `verified` and `name` filters.
pub fn organization_filter(params: &mut Params) -> Result<OrganizationFilter, AppError> {
    Ok(OrganizationFilter {
        kind: params.take_with(
            "kind",
            "an organization kind such as civil-society",
            OrganizationKind::parse,
        )?,
        verified: params.take_bool("verified")?,
        name: params.take("name"),
    })
}

pub const ORGANIZATION_CSV_HEADER: [&str; 7] = [
    "id",
    "name",
    "kind",
    "country",
    "website",
    "verified",
    "created_at",
];

pub fn organization_csv_row(o: &Organization) -> Vec<String> {
    vec![
        o.id.clone(),
        o.name.clone(),
        o.kind.slug().to_owned(),
        opt(&o.country.map(|c| c.to_string())),
        opt(&o.website),
        o.verified.to_string(),
        o.created_at.clone(),
    ]
}

#[derive(Template)]
#[template(path = "organizations.html")]
struct ListPage {
    layout: Layout,
    organizations: Vec<Organization>,
    total: usize,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    verified: String,
    name: String,
    may_create: bool,
    previous: Option<String>,
    next: Option<String>,
    csv: String,
}

pub async fn list(
    auth: Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> PageResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let filter = organization_filter(&mut params)?;
    let page = params
        .take_with("page", "a page number from 1", |v| {
            v.parse::<usize>().ok().filter(|n| *n >= 1)
        })?
        .unwrap_or(1);
    if format == Format::Csv {
        let (all, _) = state
            .store
            .organizations(&filter, usize::MAX >> 1, 0)
            .await?;
        return Ok(csv_response(
            "organizations.csv",
            &ORGANIZATION_CSV_HEADER,
            all.iter().map(organization_csv_row),
        )?);
    }
    let (organizations, total) = state
        .store
        .organizations(&filter, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        .await?;
    let query = |extra: &[(&str, String)]| {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some(k) = filter.kind {
            out.append_pair("kind", k.slug());
        }
        if let Some(v) = filter.verified {
            out.append_pair("verified", &v.to_string());
        }
        if let Some(n) = &filter.name {
            out.append_pair("name", n);
        }
        for (k, v) in extra {
            out.append_pair(k, v);
        }
        out.finish()
    };
    Ok(render(&ListPage {
        layout: Layout::new("Organizations", Some(Section::Organizations), &auth).described(
            "The organizations taking part in implementing the Global Compact for Migration.",
        ),
        previous: (page > 1).then(|| {
            format!(
                "/organizations?{}",
                query(&[("page", (page - 1).to_string())])
            )
        }),
        next: (page * PAGE_SIZE < total).then(|| {
            format!(
                "/organizations?{}",
                query(&[("page", (page + 1).to_string())])
            )
        }),
        csv: format!("/organizations?{}", query(&[("format", "csv".into())])),
        may_create: auth
            .require(Action::ManageOrganizations, Resource::Any)
            .is_ok(),
        kind: filter.kind.map(|k| k.slug().to_owned()).unwrap_or_default(),
        verified: filter.verified.map(|v| v.to_string()).unwrap_or_default(),
        name: filter.name.clone().unwrap_or_default(),
        kinds: kind_choices(),
        organizations,
        total,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "organization.html")]
struct ShowPage {
    layout: Layout,
    organization: Organization,
    kind_label: &'static str,
    country_name: Option<String>,
    description_html: String,
    may_edit: bool,
    may_verify: bool,
    /// It has a profile in the hub's partner registry.
    is_partner: bool,
}

async fn find(state: &AppState, id: &str) -> Result<Organization, AppError> {
    state
        .store
        .organization(id)
        .await?
        .ok_or_else(|| AppError::not_found("organization", id, None))
}

pub async fn show(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    let organization = find(&state, &id).await?;
    let country_name = match organization.country {
        Some(c) => state.store.country(&c.to_string()).await?.map(|c| c.name),
        None => None,
    };
    render(&ShowPage {
        layout: Layout::new(
            organization.name.clone(),
            Some(Section::Organizations),
            &auth,
        ),
        kind_label: organization.kind.label(),
        description_html: markdown::render(&organization.description),
        may_edit: auth
            .require(
                Action::EditOrganization,
                Resource::Organization(&organization.id),
            )
            .is_ok(),
        may_verify: auth
            .require(Action::ManageOrganizations, Resource::Any)
            .is_ok(),
        is_partner: state.store.partner(&organization.id).await?.is_some(),
        country_name,
        organization,
    })
}

#[derive(Template)]
#[template(path = "organization_form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    values: Form,
    errors: FormErrors,
    kinds: Vec<(&'static str, &'static str)>,
    countries: Vec<(String, String)>,
}

async fn form_page(
    auth: &Auth,
    state: &AppState,
    heading: String,
    action: String,
    values: Form,
    errors: FormErrors,
) -> PageResult<Html<String>> {
    render(&FormPage {
        layout: Layout::new(heading.clone(), Some(Section::Organizations), auth),
        heading,
        action,
        values,
        errors,
        kinds: kind_choices(),
        countries: country_choices(state).await?,
    })
}

/// Validates an organization form, field by field.
pub fn organization_from_form(form: &Form, errors: &mut FormErrors) -> Option<NewOrganization> {
    let name = errors.check("name", OrganizationName::parse(&form.get("name")));
    let kind = OrganizationKind::parse(&form.get("kind"));
    if kind.is_none() {
        errors.add("kind", "choose the kind of organization");
    }
    let country_text = form.get("country");
    let country = if country_text.is_empty() {
        Some(None)
    } else {
        match country_text.parse::<M49>() {
            Ok(c) => Some(Some(c)),
            Err(_) => {
                errors.add("country", "choose a country from the list");
                None
            }
        }
    };
    let website_text = form.get("website");
    let website = if website_text.is_empty() {
        Some(None)
    } else {
        errors
            .check("website", Website::parse(&website_text))
            .map(|w| Some(w.as_str().to_owned()))
    };
    let description = errors.check(
        "description",
        check_markdown(&form.raw("description"), MAX_DESCRIPTION_CHARS),
    );
    Some(NewOrganization {
        name: name?.as_str().to_owned(),
        kind: kind?,
        country: country?,
        website: website?,
        description: description?,
    })
}

fn values_of(o: &Organization) -> Form {
    let mut pairs = form_urlencoded::Serializer::new(String::new());
    pairs.append_pair("name", &o.name);
    pairs.append_pair("kind", o.kind.slug());
    pairs.append_pair(
        "country",
        &o.country.map(|c| c.to_string()).unwrap_or_default(),
    );
    pairs.append_pair("website", o.website.as_deref().unwrap_or_default());
    pairs.append_pair("description", &o.description);
    Form::parse(&Bytes::from(pairs.finish()))
}

pub async fn new_form(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    form_page(
        &auth,
        &state,
        "Add an organization".into(),
        "/organizations".into(),
        Form::default(),
        FormErrors::new(),
    )
    .await
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

pub async fn create(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    if let Some(new) = organization_from_form(&form, &mut errors) {
        match state
            .store
            .create_organization(&auth.audit(Action::ManageOrganizations), &new)
            .await
        {
            Ok(created) => {
                // Added by the secretariat: verified from the start.
                state
                    .store
                    .set_organization_verified(
                        &auth.audit(Action::ManageOrganizations),
                        &created.id,
                        true,
                    )
                    .await?;
                return Ok(see_other(&format!("/organizations/{}", created.id)));
            }
            Err(e) => errors.from_app_error(e.into())?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(
            &auth,
            &state,
            "Add an organization".into(),
            "/organizations".into(),
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
    let organization = find(&state, &id).await?;
    auth.require(
        Action::EditOrganization,
        Resource::Organization(&organization.id),
    )?;
    form_page(
        &auth,
        &state,
        format!("Edit {}", organization.name),
        format!("/organizations/{id}/edit"),
        values_of(&organization),
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
    let organization = find(&state, &id).await?;
    auth.require(
        Action::EditOrganization,
        Resource::Organization(&organization.id),
    )?;
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    if let Some(update) = organization_from_form(&form, &mut errors) {
        match state
            .store
            .update_organization(&auth.audit(Action::EditOrganization), &id, &update)
            .await
        {
            Ok(_) => return Ok(see_other(&format!("/organizations/{id}"))),
            Err(e) => errors.from_app_error(e.into())?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(
            &auth,
            &state,
            format!("Edit {}", organization.name),
            format!("/organizations/{id}/edit"),
            form,
            errors,
        )
        .await?,
    )
        .into_response())
}

pub async fn verify(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    find(&state, &id).await?;
    let verified = Form::parse(&body).get("verified") != "false";
    state
        .store
        .set_organization_verified(&auth.audit(Action::ManageOrganizations), &id, verified)
        .await?;
    Ok(see_other(&format!("/organizations/{id}")))
}
