//! In-process requests against the whole application.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use marrakech_store::testing::TestStore;
use marrakech_web::{app, WebConfig};
use tower::ServiceExt;

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

pub fn router(store: &TestStore) -> Router {
    app(store.store.clone(), WebConfig::default())
}

pub async fn request(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("the app answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("the body is read")
        .to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("the body is UTF-8"),
    }
}

pub async fn get(app: &Router, uri: &str) -> Answer {
    request(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn get_with(app: &Router, uri: &str, accept: &str) -> Answer {
    request(
        app,
        Request::get(uri)
            .header("accept", accept)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

use std::collections::BTreeMap;

use marrakech_core::countries::M49;
use marrakech_core::policy::{OrganizationKind, ReviewerKind, Role};
use marrakech_store::{AuditContext, NewOrganization, NewUser, Organization, User, UserStatus};
use marrakech_web::auth::secrets::{hash_password, random_token, token_hash};

/// The anti-forgery token the tests' "browser" holds, as cookie and as form field.
pub const CSRF: &str = "test-csrf-token-test-csrf-token-test-csrf";
pub const PASSWORD: &str = "correct horse battery staple";

/// The roles the route table speaks of, by key.
pub const ROLE_KEYS: [&str; 9] = [
    "anonymous",
    "administrator",
    "secretariat",
    "reviewer-internal",
    "reviewer-external",
    "fund-manager",
    "steering-committee",
    "focal-point",
    "contributor",
];

/// The test's own store (one per backend) with two organizations, one user per role, and a
/// user to act on.
pub struct Fixture<'s> {
    pub store: &'s TestStore,
    pub app: Router,
    pub users: BTreeMap<&'static str, User>,
    pub org_a: Organization,
    pub org_b: Organization,
    pub subject: User,
}

impl<'s> Fixture<'s> {
    pub async fn new(store: &'s TestStore) -> Fixture<'s> {
        let system = AuditContext::system();
        let org = |name: &str| NewOrganization {
            name: name.to_owned(),
            kind: OrganizationKind::CivilSociety,
            country: Some(M49::new(484).unwrap()),
            website: None,
            description: String::new(),
        };
        let org_a = store
            .create_organization(&system, &org("Organization A"))
            .await
            .unwrap();
        let org_b = store
            .create_organization(&system, &org("Organization B"))
            .await
            .unwrap();
        let hash = hash_password(PASSWORD).await.unwrap();
        let mut users = BTreeMap::new();
        for key in ROLE_KEYS.iter().skip(1) {
            let role = match *key {
                "administrator" => Role::Administrator,
                "secretariat" => Role::Secretariat,
                "reviewer-internal" => Role::Reviewer {
                    kind: ReviewerKind::Internal,
                },
                "reviewer-external" => Role::Reviewer {
                    kind: ReviewerKind::External,
                },
                "fund-manager" => Role::FundManager,
                "steering-committee" => Role::SteeringCommittee,
                "focal-point" => Role::FocalPoint {
                    country: M49::new(484).unwrap(),
                },
                "contributor" => Role::Contributor {
                    organization: org_a.id.clone(),
                },
                other => panic!("unknown role key {other}"),
            };
            let user = store
                .create_user(
                    &system,
                    &NewUser {
                        email: format!("{key}@example.org"),
                        display_name: format!("Test {key}"),
                        password_hash: Some(hash.clone()),
                        status: UserStatus::Active,
                        roles: vec![role],
                    },
                )
                .await
                .unwrap();
            users.insert(*key, user);
        }
        let subject = store
            .create_user(
                &system,
                &NewUser {
                    email: "subject@example.org".into(),
                    display_name: "Subject Person".into(),
                    password_hash: Some(hash),
                    status: UserStatus::Active,
                    roles: vec![Role::Contributor {
                        organization: org_b.id.clone(),
                    }],
                },
            )
            .await
            .unwrap();
        let app = router(store);
        Fixture {
            store,
            app,
            users,
            org_a,
            org_b,
            subject,
        }
    }

    /// Adds an active user with one role, `{key}@example.org`, reachable by `key` in requests.
    pub async fn add_user(&mut self, key: &'static str, role: Role) -> User {
        let user = self
            .store
            .create_user(
                &AuditContext::system(),
                &NewUser {
                    email: format!("{key}@example.org"),
                    display_name: format!("Test {key}"),
                    password_hash: None,
                    status: UserStatus::Active,
                    roles: vec![role],
                },
            )
            .await
            .unwrap();
        self.users.insert(key, user.clone());
        user
    }

    /// Adds the focal point of the country `m49` as `key`.
    pub async fn add_focal_point(&mut self, key: &'static str, m49: u16) -> User {
        let country = marrakech_core::countries::M49::new(m49).unwrap();
        self.add_user(key, Role::FocalPoint { country }).await
    }

    /// A fresh session cookie for the role's user (none for the public).
    pub async fn session(&self, key: &str) -> Option<String> {
        let user = self.users.get(key)?;
        let token = random_token();
        self.store
            .create_session(
                &user.id,
                &token_hash(&token),
                &marrakech_store::from_now(time::Duration::days(1)),
            )
            .await
            .unwrap();
        Some(token)
    }

    /// A request as the role, with the anti-forgery cookie (and header, for state changes).
    pub async fn request(
        &self,
        key: &str,
        method: &str,
        uri: &str,
        body: Body,
        content_type: Option<&str>,
    ) -> Answer {
        let mut cookie = format!("marrakech_csrf={CSRF}");
        if let Some(session) = self.session(key).await {
            cookie.push_str(&format!("; marrakech_session={session}"));
        }
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header("cookie", cookie);
        if method != "GET" {
            builder = builder.header("x-csrf-token", CSRF);
        }
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        request(&self.app, builder.body(body).unwrap()).await
    }

    pub async fn get_as(&self, key: &str, uri: &str) -> Answer {
        self.request(key, "GET", uri, Body::empty(), None).await
    }

    /// A form post as the role, carrying the anti-forgery field.
    pub async fn post_form(&self, key: &str, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let mut body = form_urlencoded::Serializer::new(String::new());
        body.append_pair("csrf_token", CSRF);
        for (k, v) in fields {
            body.append_pair(k, v);
        }
        self.request(
            key,
            "POST",
            uri,
            Body::from(body.finish()),
            Some("application/x-www-form-urlencoded"),
        )
        .await
    }

    pub async fn send_json(
        &self,
        key: &str,
        method: &str,
        uri: &str,
        json: &serde_json::Value,
    ) -> Answer {
        self.request(
            key,
            method,
            uri,
            Body::from(json.to_string()),
            Some("application/json"),
        )
        .await
    }
}

/// The link in the latest email to `to` that starts with `prefix` (e.g. `/invitations/`).
pub async fn link_in_outbox(store: &TestStore, to: &str, prefix: &str) -> String {
    let emails = store.emails(100).await.unwrap();
    let email = emails
        .iter()
        .find(|e| e.to_address.eq_ignore_ascii_case(to) && e.body.contains(prefix))
        .unwrap_or_else(|| panic!("no email to {to} with {prefix}"));
    let start = email.body.find(prefix).unwrap();
    email.body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// A plausible item's content, in English, for objective 7.
pub fn sample_content(title: &str) -> marrakech_store::knowledge::ItemContent {
    use marrakech_core::knowledge::{ItemKind, Language};
    use marrakech_store::knowledge::{ItemContent, ItemText};
    ItemContent {
        kind: ItemKind::Practice,
        original_language: Language::En,
        texts: vec![ItemText {
            language: Language::En,
            title: title.to_owned(),
            summary: "Mobile legal clinics bring counselling to migrant workers in remote areas."
                .into(),
            body: String::new(),
            results: String::new(),
        }],
        objectives: vec!["obj-7".into()],
        actions: vec!["obj-7-g".into()],
        principles: vec!["gp-f".into()],
        countries: vec![M49::new(484).unwrap()],
        regions: vec![],
        global: false,
        themes: vec![],
        parties: vec![],
        period_start: Some(2021),
        period_end: None,
        implementation_state: None,
        licence: "CC-BY-4.0".into(),
        links: vec![],
        call_id: None,
        contact_name: None,
        contact_email: None,
    }
}
