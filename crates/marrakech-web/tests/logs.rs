//! Logs say what happened without personal data or secrets.
//!
//! Alone in its own test binary: `tracing` caches whether a callsite is enabled the first time
//! it is hit, process-wide, so a test on another thread hitting the request logs first, with
//! no subscriber, hides them from this test's thread-local one (this failed once in CI beside
//! the security tests).

mod common;

use common::Fixture;
use marrakech_store::testing::TestStore;

/// Logs say what happened without personal data or secrets: a whole registration, sign-in and
/// password reset, logged at the most detailed level, holds neither the address, the name,
/// the password nor the single-use tokens.
#[tokio::test]
async fn logs_hold_no_personal_data_or_secrets() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let store = TestStore::new(marrakech_store::Backend::Sqlite)
        .await
        .unwrap();
    let f = Fixture::new(&store).await;
    let form = [
        ("display_name", "Loggable Person"),
        ("email", "loggable.person@example.org"),
        ("password", "the secret passphrase here"),
        ("password_confirmation", "the secret passphrase here"),
        ("organization", f.org_a.id.as_str()),
        ("accept_terms", "on"),
    ];
    f.post_form("anonymous", "/register", &form).await;
    let link =
        common::link_in_outbox(f.store, "loggable.person@example.org", "/confirm-email/").await;
    let path = link.trim_start_matches("http://127.0.0.1:8080").to_owned();
    f.get_as("anonymous", &path).await;
    f.post_form("anonymous", &path, &[]).await;
    f.post_form(
        "anonymous",
        "/login",
        &[
            ("email", "loggable.person@example.org"),
            ("password", "wrong wrong wrong"),
        ],
    )
    .await;
    f.post_form(
        "anonymous",
        "/login",
        &[
            ("email", "loggable.person@example.org"),
            ("password", "the secret passphrase here"),
        ],
    )
    .await;
    f.post_form(
        "anonymous",
        "/password/forgot",
        &[("email", "loggable.person@example.org")],
    )
    .await;
    let reset =
        common::link_in_outbox(f.store, "loggable.person@example.org", "/password/reset/").await;
    f.get_as(
        "anonymous",
        reset.trim_start_matches("http://127.0.0.1:8080"),
    )
    .await;

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("signed in"),
        "the logs say what happened:\n{logs}"
    );
    assert!(
        logs.contains("path=/confirm-email/[token]"),
        "requests are logged, tokens masked:\n{logs}"
    );
    let token = path.trim_start_matches("/confirm-email/");
    let reset_token = reset.rsplit('/').next().unwrap();
    for secret in [
        "loggable.person",
        "Loggable Person",
        "the secret passphrase",
        "wrong wrong",
        token,
        reset_token,
    ] {
        assert!(!logs.contains(secret), "the logs hold `{secret}`");
    }
}
