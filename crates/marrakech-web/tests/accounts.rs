//! Accounts end to end: registration, confirmation, sign-in and its throttling, password
//! reset, invitations, API tokens, signing out everywhere, deletion.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{link_in_outbox, request, Fixture, CSRF, PASSWORD};
use marrakech_store::testing::TestStore;
use marrakech_store::{backend_tests, AuditVerification, UserStatus};
use serde_json::json;

async fn fixture(store: &TestStore) -> Fixture<'_> {
    Fixture::new(store).await
}

/// Signs in with a form, as a browser would; returns the session cookie.
async fn sign_in(f: &Fixture<'_>, email: &str, password: &str) -> Result<String, (u16, String)> {
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

async fn as_session(f: &Fixture<'_>, session: &str, uri: &str) -> common::Answer {
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
    let link = link_in_outbox(f.store, "amina@example.org", "/confirm-email/").await;
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

/// A sign-in form posted from the client address `ip` (the server trusts X-Forwarded-For,
/// as behind a proxy); returns the status and the page.
async fn sign_in_from(app: &axum::Router, ip: &str, email: &str, password: &str) -> (u16, String) {
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("csrf_token", CSRF)
        .append_pair("email", email)
        .append_pair("password", password)
        .append_pair("next", "/account");
    let answer = request(
        app,
        Request::post("/login")
            .header("cookie", format!("marrakech_csrf={CSRF}"))
            .header("x-forwarded-for", ip)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body.finish()))
            .unwrap(),
    )
    .await;
    (answer.status.as_u16(), answer.body)
}

async fn sign_in_throttles_the_failing_network_not_the_account(store: &TestStore) {
    let f = fixture(store).await;
    let app = marrakech_web::app(
        f.store.store.clone(),
        marrakech_web::WebConfig {
            trust_forwarded: true,
            ..Default::default()
        },
    );
    let (attacker, office, sprayer) = ("203.0.113.7", "198.51.100.9", "192.0.2.44");
    let admin = "administrator@example.org";
    for _ in 0..5 {
        let (status, body) = sign_in_from(&app, attacker, admin, "not the right password").await;
        assert_eq!(status, 401);
        assert!(body.contains("the email address or the password is wrong"));
    }
    // The failing network now waits, even with the right password...
    let (status, body) = sign_in_from(&app, attacker, admin, PASSWORD).await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("too many attempts: try again in"), "{body}");
    // ...while the administrator signs in from their own network.
    let (status, body) = sign_in_from(&app, office, admin, PASSWORD).await;
    assert_eq!(status, 303, "{body}");
    // The administrators hear of it through the outbox.
    let emails = f.store.pending_emails().await.unwrap();
    assert!(
        emails.iter().any(|e| e.to_address == admin
            && e.subject == format!("Repeated failed sign-ins for {admin}")),
        "{emails:?}"
    );
    // The office's success does not reset the attacker's delay.
    let (status, _) = sign_in_from(&app, attacker, admin, PASSWORD).await;
    assert_eq!(status, 429);

    // Spraying many accounts from one network slows that network only.
    for i in 0..20 {
        let (status, _) =
            sign_in_from(&app, sprayer, &format!("nobody{i}@example.org"), "guess").await;
        assert_eq!(status, 401);
    }
    let (status, _) = sign_in_from(&app, sprayer, "fund-manager@example.org", PASSWORD).await;
    assert_eq!(status, 429);
    let (status, _) = sign_in_from(&app, office, "fund-manager@example.org", PASSWORD).await;
    assert_eq!(status, 303);
    assert!(
        f.store
            .pending_emails()
            .await
            .unwrap()
            .iter()
            .any(|e| e.to_address == admin
                && e.subject == "Repeated failed sign-ins from one network")
    );
    // An unknown address gets the same answer as a wrong password.
    let (status, body) = sign_in_from(&app, office, "nobody@example.org", PASSWORD).await;
    assert_eq!(status, 401);
    assert!(body.contains("the email address or the password is wrong"));
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
    let link = link_in_outbox(f.store, "focal-point@example.org", "/password/reset/").await;
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
    let link = link_in_outbox(f.store, "officer@iom.example", "/invitations/").await;
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

/// Creates an API token on the account page as `key` (a session); returns its secret.
async fn new_token(f: &Fixture<'_>, key: &str, name: &str, actions: &[&str]) -> String {
    let mut fields = vec![("token_name", name), ("days", "30")];
    fields.extend(actions.iter().map(|a| ("actions", *a)));
    let page = f.post_form(key, "/account/tokens", &fields).await;
    assert_eq!(page.status, 200, "{}", page.body);
    secret_on(&page.body)
}

/// The token a page shows once.
fn secret_on(body: &str) -> String {
    let token = body
        .split("<p class=\"secret\">")
        .nth(1)
        .unwrap_or_else(|| panic!("no new token on the page: {body}"))
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(token.starts_with("mk_"), "{token}");
    token
}

/// A request carrying an API token (and, for a form, its urlencoded fields).
async fn with_token(
    f: &Fixture<'_>,
    token: &str,
    method: &str,
    uri: &str,
    form: &[(&str, &str)],
) -> common::Answer {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"));
    let body = if form.is_empty() {
        Body::empty()
    } else {
        builder = builder.header("content-type", "application/x-www-form-urlencoded");
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form {
            body.append_pair(k, v);
        }
        Body::from(body.finish())
    };
    request(&f.app, builder.body(body).unwrap()).await
}

async fn a_narrow_token_cannot_widen_itself(store: &TestStore) {
    let f = fixture(store).await;
    let narrow = new_token(&f, "secretariat", "narrow", &["use-account"]).await;
    assert_eq!(
        with_token(&f, &narrow, "GET", "/api/v1/me", &[])
            .await
            .status,
        200
    );
    // Minting a broader token, or any token, needs the action named for it.
    let minted = with_token(
        &f,
        &narrow,
        "POST",
        "/account/tokens",
        &[
            ("token_name", "wider"),
            ("actions", "use-account"),
            ("actions", "submit-knowledge"),
            ("days", "30"),
        ],
    )
    .await;
    assert_eq!(minted.status, 403, "{}", minted.body);
    // Nor does it change the password or take the account's personal data.
    for (method, uri, form) in [
        ("GET", "/account/data", vec![]),
        ("GET", "/api/v1/me/data", vec![]),
        (
            "POST",
            "/account/password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase 42"),
                ("new_password_confirmation", "a brand new passphrase 42"),
            ],
        ),
        ("POST", "/account/delete", vec![("confirm", "delete")]),
    ] {
        let answer = with_token(&f, &narrow, method, uri, &form).await;
        assert_eq!(answer.status, 403, "{method} {uri}: {}", answer.body);
    }
    let tokens = f
        .store
        .api_tokens(&f.users["secretariat"].id)
        .await
        .unwrap();
    assert_eq!(tokens.len(), 1, "no token was minted");

    // A token made to manage the account mints tokens, but never beyond its own actions.
    let manager = new_token(
        &f,
        "secretariat",
        "manager",
        &["use-account", "manage-account"],
    )
    .await;
    let wider = with_token(
        &f,
        &manager,
        "POST",
        "/account/tokens",
        &[
            ("token_name", "wider"),
            ("actions", "use-account"),
            ("actions", "submit-knowledge"),
            ("days", "30"),
        ],
    )
    .await;
    assert_eq!(wider.status, 422, "{}", wider.body);
    assert!(wider
        .body
        .contains("`submit-knowledge` is beyond what the API token"));
    let same = with_token(
        &f,
        &manager,
        "POST",
        "/account/tokens",
        &[
            ("token_name", "child"),
            ("actions", "use-account"),
            ("days", "30"),
        ],
    )
    .await;
    assert_eq!(same.status, 200, "{}", same.body);
    let child = secret_on(&same.body);
    assert_eq!(
        with_token(&f, &child, "GET", "/api/v1/me", &[])
            .await
            .json()["token_actions"],
        json!(["use-account"])
    );
    assert_eq!(
        with_token(&f, &manager, "GET", "/api/v1/me/data", &[])
            .await
            .status,
        200
    );
    // A signed-in session still does all of it.
    let data = f.get_as("secretariat", "/api/v1/me/data").await;
    assert_eq!(data.status, 200, "{}", data.body);
    assert_eq!(data.json()["account"]["email"], "secretariat@example.org");
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

/// Posts the account page's "sign out everywhere" form from `session`, with the tokens
/// choice (`revoke` or `keep`) or without it.
async fn sign_out_everywhere_with(
    f: &Fixture<'_>,
    session: &str,
    tokens: Option<&str>,
) -> common::Answer {
    let mut body = format!("csrf_token={CSRF}");
    if let Some(choice) = tokens {
        body.push_str(&format!("&tokens={choice}"));
    }
    request(
        &f.app,
        Request::post("/logout/everywhere")
            .header(
                "cookie",
                format!("marrakech_session={session}; marrakech_csrf={CSRF}"),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

async fn sign_out_everywhere(store: &TestStore) {
    let f = fixture(store).await;
    let first = sign_in(&f, "steering-committee@example.org", PASSWORD)
        .await
        .unwrap();
    let second = sign_in(&f, "steering-committee@example.org", PASSWORD)
        .await
        .unwrap();
    let script = new_token(&f, "steering-committee", "nightly export", &["use-account"]).await;
    let account = as_session(&f, &first, "/account").await;
    assert!(
        account.body.contains("“nightly export”"),
        "{}",
        account.body
    );
    assert_eq!(as_session(&f, &first, "/api/v1/me").await.status, 200);
    let out = sign_out_everywhere_with(&f, &second, Some("revoke")).await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    // Two signed in here, and the fixture's own session for the token form.
    assert!(out.body.contains("3 sessions ended"), "{}", out.body);
    assert!(
        out.body
            .contains("API tokens revoked (1): “nightly export”"),
        "{}",
        out.body
    );
    assert_eq!(as_session(&f, &first, "/api/v1/me").await.status, 401);
    assert_eq!(as_session(&f, &second, "/api/v1/me").await.status, 401);
    assert_eq!(
        with_token(&f, &script, "GET", "/api/v1/me", &[])
            .await
            .status,
        401
    );

    // Keeping the tokens is a choice the form offers; the default revokes them.
    let kept = new_token(&f, "steering-committee", "kept", &["use-account"]).await;
    let third = sign_in(&f, "steering-committee@example.org", PASSWORD)
        .await
        .unwrap();
    let out = sign_out_everywhere_with(&f, &third, Some("keep")).await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert!(
        out.body.contains("Your API tokens were kept."),
        "{}",
        out.body
    );
    assert_eq!(as_session(&f, &third, "/api/v1/me").await.status, 401);
    assert_eq!(
        with_token(&f, &kept, "GET", "/api/v1/me", &[]).await.status,
        200
    );
    let fourth = sign_in(&f, "steering-committee@example.org", PASSWORD)
        .await
        .unwrap();
    let out = sign_out_everywhere_with(&f, &fourth, None).await;
    assert!(
        out.body.contains("API tokens revoked (1): “kept”"),
        "{}",
        out.body
    );
    assert_eq!(
        with_token(&f, &kept, "GET", "/api/v1/me", &[]).await.status,
        401
    );
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
    sign_in_throttles_the_failing_network_not_the_account,
    password_reset_ends_every_session,
    invitation_into_a_privileged_role,
    api_tokens_are_scoped_revocable_and_shown_once,
    sign_out_everywhere,
    a_narrow_token_cannot_widen_itself,
    deletion_pseudonymizes_and_keeps_the_trail_verifiable,
    every_change_is_in_the_audit_trail,
);
