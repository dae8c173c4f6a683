//! The platform's emails, as (subject, body) in plain text. Links carry single-use tokens;
//! the store keeps only their hashes.

use marrakech_core::countries::{Reference, M49};
use marrakech_core::hub::Stage;
use marrakech_core::policy::Role;
use marrakech_store::hub::{Audience, Notice, SupportRequest};

/// A country's name as the reference table gives it, or its code.
fn country_name(country: M49) -> String {
    Reference::official()
        .country(&country.to_string())
        .map(|c| c.name.clone())
        .unwrap_or_else(|| country.to_string())
}

fn link(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

pub fn invitation(base: &str, roles: &[Role], token: &str, days: i64) -> (String, String) {
    let roles: Vec<String> = roles.iter().map(|r| format!("  - {r}")).collect();
    (
        "You are invited to Marrakech".to_owned(),
        format!(
            "An administrator of Marrakech, the platform of the Global Compact for Safe, Orderly \
             and Regular Migration, has invited you with these roles:\n\n{}\n\n\
             To accept, choose your password here (the link works once, for {days} days):\n\n{}\n\n\
             If you did not expect this, ignore this message.\n",
            roles.join("\n"),
            link(base, &format!("/invitations/{token}"))
        ),
    )
}

pub fn confirm_email(base: &str, token: &str, days: i64) -> (String, String) {
    (
        "Confirm your email address for Marrakech".to_owned(),
        format!(
            "Someone, probably you, registered this address on Marrakech. To confirm it and \
             activate the account, open this link (it works once, for {days} days):\n\n{}\n\n\
             If it was not you, ignore this message and no account will be activated.\n",
            link(base, &format!("/confirm-email/{token}"))
        ),
    )
}

pub fn password_reset(base: &str, token: &str) -> (String, String) {
    (
        "Reset your Marrakech password".to_owned(),
        format!(
            "Someone asked to reset the password of the Marrakech account with this address. To \
             choose a new one, open this link (it works once, for one hour):\n\n{}\n\n\
             If it was not you, ignore this message: your password stays as it is.\n",
            link(base, &format!("/password/reset/{token}"))
        ),
    )
}

pub fn already_registered(base: &str) -> (String, String) {
    (
        "Your Marrakech account".to_owned(),
        format!(
            "Someone tried to register this address on Marrakech, but it has an account already. \
             If it was you, sign in at {} or reset your password at {}.\n\n\
             If it was not you, ignore this message.\n",
            link(base, "/login"),
            link(base, "/password/forgot")
        ),
    )
}

// The connection hub's emails. Each names the request by its reference and links to its
// page; only those who may see the request receive them (the store resolves the audience).

/// To the secretariat (and the other requesting countries' focal points): a new request.
/// `{reference}` and `{id}` are filled in by the store once the request exists.
pub fn hub_submitted(title: &str, url: &str) -> Vec<Notice> {
    notices(
        vec![Audience::Secretariat, Audience::Requesters],
        "New support request {reference}".to_owned(),
        format!(
            "A country has asked the connection hub for support:\n\n  {reference} {title}\n\n\
             Matching has proposed partners and peers. Assign an officer and assess it here:\n\n{url}\n",
            reference = "{reference}",
        ),
    )
}

/// To the focal points of the countries a joint request was filed with: they are asked,
/// not named, until they accept.
pub fn hub_invited(title: &str, filer: &str, url: &str) -> Vec<Notice> {
    notices(
        vec![Audience::Invited],
        "Asked to join support request {reference}".to_owned(),
        format!(
            "{filer} asks your country to make this request to the connection hub jointly:\n\n  \
             {reference} {title}\n\nYour country is named as a requester only if you accept. \
             Read it, then accept or decline here:\n\n{url}\n",
            reference = "{reference}",
        ),
    )
}

/// To everyone on a request when an invited country accepts or declines to join it.
pub fn hub_invitation_answered(
    request: &SupportRequest,
    country: M49,
    accept: bool,
    url: &str,
) -> Vec<Notice> {
    let name = country_name(country);
    let (subject, said) = if accept {
        (
            format!("{name} joined support request {}", request.reference),
            "accepted: it is now one of the requesting countries",
        )
    } else {
        (
            format!(
                "{name} declined to join support request {}",
                request.reference
            ),
            "declined to join it",
        )
    };
    notices(
        vec![Audience::Requesters, Audience::Secretariat],
        subject,
        format!(
            "{name} was asked to join {} {} and {said}.\n\n{url}\n",
            request.reference, request.fields.title
        ),
    )
}

/// To the officer now holding a request, and to the requesting country.
pub fn hub_assigned(request: &SupportRequest, officer: &str, url: &str) -> Vec<Notice> {
    let mut out = notices(
        vec![Audience::User(officer.to_owned())],
        format!("You hold support request {}", request.reference),
        format!(
            "You are the officer for {} {}. It is {}; its next move is yours:\n\n{url}\n",
            request.reference,
            request.fields.title,
            request.stage.label().to_lowercase()
        ),
    );
    out.extend(notices(
        vec![Audience::Requesters],
        format!("An officer is handling {}", request.reference),
        format!(
            "The secretariat of the UN Network on Migration has assigned an officer to your \
             request {} {}. Follow it here:\n\n{url}\n",
            request.reference, request.fields.title
        ),
    ));
    out
}

/// To the requesting country, the officer and the partners on the team: a stage change.
pub fn hub_moved(request: &SupportRequest, to: Stage, note: &str, url: &str) -> Vec<Notice> {
    let mut audiences = vec![Audience::Requesters];
    if let Some(officer) = &request.officer_id {
        audiences.push(Audience::User(officer.clone()));
    }
    audiences.extend(request.engaged.iter().cloned().map(Audience::Organization));
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("\n\nNote: {note}")
    };
    notices(
        audiences,
        format!("{}: {}", request.reference, to.label()),
        format!(
            "Support request {} {} is now: {}.{note}\n\n{url}\n",
            request.reference,
            request.fields.title,
            to.label().to_lowercase()
        ),
    )
}

/// A comment: shared ones reach the country and the officer; internal ones the officer and
/// the partners (or the whole secretariat while no officer holds the request).
pub fn hub_commented(request: &SupportRequest, shared: bool, url: &str) -> Vec<Notice> {
    let mut audiences = match &request.officer_id {
        Some(officer) => vec![Audience::User(officer.clone())],
        None => vec![Audience::Secretariat],
    };
    if shared {
        audiences.push(Audience::Requesters);
    }
    audiences.extend(request.engaged.iter().cloned().map(Audience::Organization));
    notices(
        audiences,
        format!("New comment on {}", request.reference),
        format!(
            "There is a new {} comment on support request {} {}:\n\n{url}\n",
            if shared { "shared" } else { "internal" },
            request.reference,
            request.fields.title
        ),
    )
}

/// To an organization put on a request's team.
pub fn hub_engaged(request: &SupportRequest, organization: &str, url: &str) -> Vec<Notice> {
    notices(
        vec![Audience::Organization(organization.to_owned())],
        format!("Your organization is engaged on {}", request.reference),
        format!(
            "The secretariat has engaged your organization on support request {} {}. You can \
             now see the request, its team and its internal comments:\n\n{url}\n",
            request.reference, request.fields.title
        ),
    )
}

/// To whoever holds an overdue stage.
pub fn hub_overdue(request: &SupportRequest, url: &str) -> Vec<Notice> {
    let audience = match &request.officer_id {
        Some(officer) => Audience::User(officer.clone()),
        None => Audience::Secretariat,
    };
    notices(
        vec![audience],
        format!("Overdue: {} ({})", request.reference, request.stage.label()),
        format!(
            "Support request {} {} has been {} longer than its target of {} days. It is with {}.\n\n{url}\n",
            request.reference,
            request.fields.title,
            request.stage.label().to_lowercase(),
            request.stage.target_days().unwrap_or_default(),
            request.stage.holder()
        ),
    )
}

/// The same words to each audience.
pub fn notices(audiences: Vec<Audience>, subject: String, body: String) -> Vec<Notice> {
    audiences
        .into_iter()
        .map(|audience| Notice {
            audience,
            subject: subject.clone(),
            body: body.clone(),
        })
        .collect()
}
