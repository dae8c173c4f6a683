//! Accounts end to end: registration, confirmation, sign-in and its throttling, password
//! reset, invitations, API tokens, signing out everywhere, deletion.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{link_in_outbox, request, Fixture, CSRF, PASSWORD};
use marrakech_store::testing::TestStore;
use marrakech_store::{backend_tests, AuditVerification, UserStatus};
use serde_json::json;

async fn fixture(store: &TestStore) -> Fixture {
    Fixture::new(TestStore::new(store.store.backend()).await.unwrap()).await
}

/// Signs in with a form, as a browser would; returns the session cookie.
async fn sign_in(f: &Fixture, email: &str, password: &str) -> Result<String, (u16, String)> {
    let answer = f
        .post_form(
            "anonymous",
            "/login",
            &[
                ("email", email),
                ("password", password),
                ("next", "/account"),
            ],
        )
        .await;
    if answer.status != 303 {
        return Err((answer.status.as_u16(), answer.body));
    }
    assert_eq!(answer.header("location"), "/account");
    let cookie = answer.header("set-cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    Ok(cookie
        .trim_start_matches("marrakech_session=")
        .split(';')
        .next()
        .unwrap()
        .to_owned())
}

async fn as_session(f: &Fixture, session: &str, uri: &str) -> common::Answer {
    request(
        &f.app,
        Request::get(uri)
            .header(
                "cookie",
                format!("marrakech_session={session}; marrakech_csrf={CSRF}"),
            )
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn registration_confirmation_and_sign_in(store: &TestStore) {
    let f = fixture(store).await;
    let form = [
        ("display_name", "Amina Diallo"),
        ("email", "amina@example.org"),
        ("password", "a quiet river at dawn"),
        ("password_confirmation", "a quiet river at dawn"),
        ("new_organization_name", "Diaspora Link"),
        ("new_organization_kind", "migrant-or-diaspora"),
        ("new_organization_country", "686"),
        ("accept_terms", "on"),
    ];
    // Each mistake is named next to its field.
    let bad = f
        .post_form(
            "anonymous",
            "/register",
            &[
                ("email", "not-an-email"),
                ("password", "short"),
                ("new_organization_name", "X"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    for id in [
        "display_name-error",
        "email-error",
        "password-error",
        "new_organization_name-error",
        "accept_terms-error",
    ] {
        assert!(bad.body.contains(&format!("id=\"{id}\"")), "{id}");
    }
    let common = f
        .post_form(
            "anonymous",
            "/register",
            &[
                ("display_name", "X Y"),
                ("email", "xy@example.org"),
                ("password", "password1234!"),
                ("password_confirmation", "password1234!"),
                ("organization", &f.org_a.id),
                ("accept_terms", "on"),
            ],
        )
        .await;
    assert!(common.body.contains("among the most common"));

    let done = f.post_form("anonymous", "/register", &form).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Check your inbox"));
    let user = f
        .store
        .user_by_email("amina@example.org")
        .await
        .unwrap()
        .unwrap()
        .0;
    assert_eq!(user.status, UserStatus::Pending);
    let organization = match &user.roles[0].role {
        marrakech_core::policy::Role::Contributor { organization } => {
            f.store.organization(organization).await.unwrap().unwrap()
        }
        other => panic!("registered as {other}"),
    };
    assert_eq!(organization.name, "Diaspora Link");
    assert!(!organization.verified);

    // Not before the address is confirmed.
    let early = sign_in(&f, "amina@example.org", "a quiet river at dawn")
        .await
        .unwrap_err();
    assert_eq!(early.0, 403);
    assert!(early.1.contains("confirm your email address first"));
    let link = link_in_outbox(&f.store, "amina@example.org", "/confirm-email/").await;
    assert!(link.starts_with("/confirm-email/"));
    let path = link.trim_start_matches("http://127.0.0.1:8080");
    assert_eq!(f.get_as("anonymous", path).await.status, 200);
    let confirmed = f.post_form("anonymous", path, &[]).await;
    assert!(confirmed.body.contains("Your address is confirmed"));
    // A link works once.
    assert_eq!(f.post_form("anonymous", path, &[]).await.status, 404);

    let session = sign_in(&f, "AMINA@example.org", "a quiet river at dawn")
        .await
        .unwrap();
    let account = as_session(&f, &session, "/account").await;
    assert!(account.body.contains("Stakeholder contributor"));
    // Registering the same address again says the same and emails the owner instead.
    let again = f.post_form("anonymous", "/register", &form).await;
    assert!(again.body.contains("Check your inbox"));
    let emails = f.store.emails(50).await.unwrap();
    assert!(emails
        .iter()
        .any(|e| e.to_address == "amina@example.org" && e.body.contains("has an account already")));
}

async fn sign_in_is_throttled_per_account(store: &TestStore) {
    let f = fixture(store).await;
    for _ in 0..5 {
        let wrong = sign_in(&f, "secretariat@example.org", "not the right password")
            .await
            .unwrap_err();
        assert_eq!(wrong.0, 401);
        assert!(wrong
            .1
            .contains("the email address or the password is wrong"));
    }
    let throttled = sign_in(&f, "secretariat@example.org", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(throttled.0, 429);
    assert!(throttled.1.contains("too many attempts"));
    // Another account from the same client still signs in (the client limit is higher).
    assert!(sign_in(&f, "fund-manager@example.org", PASSWORD)
        .await
        .is_ok());
    // An unknown address gets the same answer as a wrong password.
    let unknown = sign_in(&f, "nobody@example.org", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(unknown.0, 401);
    assert!(unknown
        .1
        .contains("the email address or the password is wrong"));
}

async fn password_reset_ends_every_session(store: &TestStore) {
    let f = fixture(store).await;
    let old_session = sign_in(&f, "focal-point@example.org", PASSWORD)
        .await
        .unwrap();
    let asked = f
        .post_form(
            "anonymous",
            "/password/forgot",
            &[("email", "focal-point@example.org")],
        )
        .await;
    assert!(asked.body.contains("If an account exists"));
    let unknown = f
        .post_form(
            "anonymous",
            "/password/forgot",
            &[("email", "nobody@example.org")],
        )
        .await;
    assert_eq!(
        unknown.body.replace("nobody", ""),
        asked.body.replace("focal-point", ""),
        "the same answer either way"
    );
    let link = link_in_outbox(&f.store, "focal-point@example.org", "/password/reset/").await;
    let path = link.trim_start_matches("http://127.0.0.1:8080");
    let weak = f
        .post_form(
            "anonymous",
            path,
            &[
                ("password", "qwertyuiop12"),
                ("password_confirmation", "qwertyuiop12"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    let done = f
        .post_form(
            "anonymous",
            path,
            &[
                ("password", "new passphrase for mexico"),
                ("password_confirmation", "new passphrase for mexico"),
            ],
        )
        .await;
    assert!(
        done.body.contains("Your password is changed"),
        "{}",
        done.body
    );
    assert_eq!(
        as_session(&f, &old_session, "/account").await.status,
        303,
        "the old session ended"
    );
    assert!(sign_in(&f, "focal-point@example.org", PASSWORD)
        .await
        .is_err());
    assert!(
        sign_in(&f, "focal-point@example.org", "new passphrase for mexico")
            .await
            .is_ok()
    );
}

async fn invitation_into_a_privileged_role(store: &TestStore) {
    let f = fixture(store).await;
    let invited = f
        .send_json("administrator", "POST", "/api/v1/invitations", &json!({"email": "officer@iom.example", "display_name": "Officer", "role": "secretariat"}))
        .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    assert_eq!(invited.json()["status"], "invited");
    let link = link_in_outbox(&f.store, "officer@iom.example", "/invitations/").await;
    let path = link.trim_start_matches("http://127.0.0.1:8080");
    let form = f.get_as("anonymous", path).await;
    assert!(form.body.contains("value=\"Officer\""));
    let accepted = f
        .post_form(
            "anonymous",
            path,
            &[
                ("display_name", "Ofelia Officer"),
                ("password", "the network meets in geneva"),
                ("password_confirmation", "the network meets in geneva"),
            ],
        )
        .await;
    assert!(
        accepted.body.contains("Welcome to Marrakech"),
        "{}",
        accepted.body
    );
    let session = sign_in(&f, "officer@iom.example", "the network meets in geneva")
        .await
        .unwrap();
    assert_eq!(
        as_session(&f, &session, "/organizations/new").await.status,
        200
    );
    assert_eq!(as_session(&f, &session, "/admin/users").await.status, 403);
    // Only administrators invite; a secretariat officer cannot invite an administrator.
    let refused = f
        .send_json(
            "secretariat",
            "POST",
            "/api/v1/invitations",
            &json!({"email": "x@example.org", "display_name": "X", "role": "administrator"}),
        )
        .await;
    assert_eq!(refused.status, 403);
    // A role's binding is checked: a focal point needs a country.
    let unbound = f
        .send_json(
            "administrator",
            "POST",
            "/api/v1/invitations",
            &json!({"email": "fp@example.org", "display_name": "FP", "role": "focal-point"}),
        )
        .await;
    assert_eq!(unbound.status, 422);
    assert_eq!(unbound.json()["error"]["field"], "role");
}

async fn api_tokens_are_scoped_revocable_and_shown_once(store: &TestStore) {
    let f = fixture(store).await;
    let page = f
        .post_form(
            "secretariat",
            "/account/tokens",
            &[
                ("token_name", "portal sync"),
                ("actions", "use-account"),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let token = page
        .body
        .split("<p class=\"secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(token.starts_with("mk_"));
    let bearer = |uri: &str, method: &str, body: Option<serde_json::Value>| {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"));
        if body.is_some() {
            b = b.header("content-type", "application/json");
        }
        b.body(body.map(|j| Body::from(j.to_string())).unwrap_or_default())
            .unwrap()
    };
    let me = request(&f.app, bearer("/api/v1/me", "GET", None)).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["authenticated_by"], "token");
    assert_eq!(me.json()["token_actions"], json!(["use-account"]));
    // Roles allow it, the token does not: refused, and no CSRF token is needed to learn that.
    let create = request(
        &f.app,
        bearer(
            "/api/v1/organizations",
            "POST",
            Some(json!({"name": "Via token", "kind": "academia"})),
        ),
    )
    .await;
    assert_eq!(create.status, 403);
    // The secret is stored hashed; the page never shows it again.
    let again = f.get_as("secretariat", "/account").await;
    assert!(!again.body.contains(&token));
    let tokens = f.get_as("secretariat", "/api/v1/me/tokens").await.json();
    let id = tokens["items"][0]["id"].as_str().unwrap().to_owned();
    // `mk_{id}_{secret}`: the secret is base64url and may itself hold `_`, so it is all
    // that follows the id (a tail after its last `_` can be short enough to match by chance).
    let secret = token.splitn(3, '_').nth(2).unwrap();
    assert!(secret.len() >= 40, "{token}");
    assert!(!tokens.to_string().contains(secret));
    let revoked = f
        .request(
            "secretariat",
            "DELETE",
            &format!("/api/v1/me/tokens/{id}"),
            Body::empty(),
            None,
        )
        .await;
    assert_eq!(revoked.status, 204);
    let after = request(&f.app, bearer("/api/v1/me", "GET", None)).await;
    assert_eq!(after.status, 401);
    assert_eq!(after.json()["error"]["code"], "bad_credentials");
    let forged = request(
        &f.app,
        Request::get("/api/v1/me")
            .header("authorization", format!("Bearer mk_{id}_forged"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(forged.status, 401);
}

async fn sign_out_everywhere(store: &TestStore) {
    let f = fixture(store).await;
    let first = sign_in(&f, "steering-committee@example.org", PASSWORD)
        .await
        .unwrap();
    let second = sign_in(&f, "steering-committee@example.org", PASSWORD)
        .await
        .unwrap();
    assert_eq!(as_session(&f, &first, "/api/v1/me").await.status, 200);
    let out = request(
        &f.app,
        Request::post("/logout/everywhere")
            .header(
                "cookie",
                format!("marrakech_session={second}; marrakech_csrf={CSRF}"),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={CSRF}")))
            .unwrap(),
    )
    .await;
    assert_eq!(out.status, 303);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    assert_eq!(as_session(&f, &first, "/api/v1/me").await.status, 401);
    assert_eq!(as_session(&f, &second, "/api/v1/me").await.status, 401);
}

async fn deletion_pseudonymizes_and_keeps_the_trail_verifiable(store: &TestStore) {
    let f = fixture(store).await;
    let user = f.users["reviewer-external"].clone();
    let data = f.get_as("reviewer-external", "/account/data").await;
    assert!(data
        .header("content-disposition")
        .contains("marrakech-my-data.json"));
    let data: serde_json::Value = serde_json::from_str(&data.body).unwrap();
    assert_eq!(data["account"]["email"], "reviewer-external@example.org");
    assert!(data["actions_recorded"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "session.sign-in"));

    let wrong = f
        .post_form(
            "reviewer-external",
            "/account/delete",
            &[("confirm_password", "nope")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    let deleted = f
        .post_form(
            "reviewer-external",
            "/account/delete",
            &[("confirm_password", PASSWORD)],
        )
        .await;
    assert_eq!(deleted.status, 303);
    let after = f.store.user(&user.id).await.unwrap().unwrap();
    assert_eq!(after.status, UserStatus::Deleted);
    assert!(
        !after.email.contains("reviewer-external")
            && !after.display_name.contains("reviewer-external")
    );
    assert!(after.roles.is_empty());
    assert!(f
        .store
        .user_by_email("reviewer-external@example.org")
        .await
        .unwrap()
        .is_none());
    assert!(sign_in(&f, "reviewer-external@example.org", PASSWORD)
        .await
        .is_err());
    assert!(matches!(
        f.store.verify_audit().await.unwrap(),
        AuditVerification::Intact { .. }
    ));
    // The last administrator cannot leave.
    let last = f
        .post_form(
            "administrator",
            "/account/delete",
            &[("confirm_password", PASSWORD)],
        )
        .await;
    assert_eq!(last.status, 422);
    assert!(last.body.contains("last active administrator"));
}

async fn every_change_is_in_the_audit_trail(store: &TestStore) {
    let f = fixture(store).await;
    let admin = &f.users["administrator"].id;
    f.post_form(
        "administrator",
        &format!("/admin/users/{}/roles", f.subject.id),
        &[("role", "fund-manager")],
    )
    .await;
    f.post_form(
        "secretariat",
        &format!("/organizations/{}/verify", f.org_a.id),
        &[("verified", "true")],
    )
    .await;
    let trail = f
        .get_as("administrator", "/api/v1/audit?limit=250")
        .await
        .json();
    let entries = trail["items"].as_array().unwrap();
    let grant = entries
        .iter()
        .find(|e| e["action"] == "role.grant" && e["actor_id"] == admin.as_str())
        .unwrap();
    assert_eq!(grant["actor_role"], "administrator");
    assert_eq!(grant["target_id"], f.subject.id.as_str());
    assert!(grant["summary"].as_str().unwrap().contains("fund-manager"));
    let verify = entries
        .iter()
        .find(|e| e["action"] == "organization.verify")
        .unwrap();
    assert_eq!(verify["actor_role"], "secretariat");
    let csv = f
        .get_as("administrator", "/admin/audit?format=csv&action=role.")
        .await;
    assert!(csv.body.starts_with("seq,at,actor_id"));
    assert!(csv.body.lines().skip(1).all(|l| l.contains("role.")));
    let page = f
        .get_as("administrator", "/admin/audit?action=organization.")
        .await;
    assert!(page.body.contains("organization.verify"));
    assert!(matches!(
        f.store.verify_audit().await.unwrap(),
        AuditVerification::Intact { .. }
    ));
}

backend_tests!(
    registration_confirmation_and_sign_in,
    sign_in_is_throttled_per_account,
    password_reset_ends_every_session,
    invitation_into_a_privileged_role,
    api_tokens_are_scoped_revocable_and_shown_once,
    sign_out_everywhere,
    deletion_pseudonymizes_and_keeps_the_trail_verifiable,
    every_change_is_in_the_audit_trail,
);
