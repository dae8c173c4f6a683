//! The account commands as an operator runs them: bootstrapping an administrator, the
//! outbox and its delivery over SMTP, and verifying the audit trail after a hand edit.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};

use marrakech_store::Store;
use support::marrakech;

fn run(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = marrakech();
    command.arg("--data-dir").arg(data).args(args);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_first_administrator_by_link_or_by_password() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "user",
            "create",
            "--email",
            "admin@example.org",
            "--role",
            "administrator",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("as Administrator") && said.contains("/invitations/"),
        "{said}"
    );
    let pending = run(dir.path(), &["outbox", "list"], None);
    let listed = text(&pending.stdout);
    assert!(
        listed.contains("to admin@example.org") && listed.contains("You are invited to Marrakech"),
        "{listed}"
    );
    assert!(listed.contains("1 message(s)."));

    let out = run(
        dir.path(),
        &[
            "user",
            "create",
            "--email",
            "fp@example.org",
            "--name",
            "Focal Point",
            "--role",
            "focal-point",
            "--country",
            "MEX",
            "--password-stdin",
        ],
        Some("a long and private passphrase\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Member-state focal point for 484"),
        "{}",
        text(&out.stdout)
    );

    let weak = run(
        dir.path(),
        &[
            "user",
            "create",
            "--email",
            "w@example.org",
            "--role",
            "secretariat",
            "--password-stdin",
        ],
        Some("password\n"),
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(text(&weak.stderr).contains("the password is refused"));
    let unbound = run(
        dir.path(),
        &[
            "user",
            "create",
            "--email",
            "c@example.org",
            "--role",
            "contributor",
        ],
        None,
    );
    assert_eq!(unbound.status.code(), Some(1));
    assert!(
        text(&unbound.stderr).contains("--role: a contributor acts for one organization"),
        "{}",
        text(&unbound.stderr)
    );
    let duplicate = run(
        dir.path(),
        &[
            "user",
            "create",
            "--email",
            "ADMIN@example.org",
            "--role",
            "secretariat",
        ],
        None,
    );
    assert_eq!(duplicate.status.code(), Some(1));
    assert!(text(&duplicate.stderr).contains("already exists"));
}

#[test]
fn audit_verify_names_the_first_edited_entry() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        let email = format!("user{i}@example.org");
        let out = run(
            dir.path(),
            &["user", "create", "--email", &email, "--role", "secretariat"],
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let ok = run(dir.path(), &["audit", "verify"], None);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).starts_with("The audit trail is intact: 6 entries"),
        "{}",
        text(&ok.stdout)
    );

    let export = run(dir.path(), &["audit", "export", "--format", "json"], None);
    let entries: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 6);
    assert_eq!(entries[0]["seq"], 1);

    // Someone with the database file edits entry 4 by hand.
    let url = format!(
        "sqlite://{}?mode=rw",
        dir.path().join("marrakech.db").display()
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        sqlx::query("DROP TRIGGER audit_entry_no_update")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE audit_entry SET actor_role = 'administrator' WHERE seq = 4")
            .execute(store.pool())
            .await
            .unwrap();
        store.pool().close().await;
    });
    let broken = run(dir.path(), &["audit", "verify"], None);
    assert_eq!(broken.status.code(), Some(1));
    let err = text(&broken.stderr);
    assert!(err.contains("entry #4 was edited"), "{err}");
}

/// A minimal SMTP relay: accepts every message (or refuses recipients) and keeps what it got.
fn smtp_sink(refuse: bool) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut writer = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            let _ = writer.write_all(b"220 sink ESMTP\r\n");
            let mut line = String::new();
            let mut message = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let command = line.trim_end().to_uppercase();
                let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
                    b"250-sink\r\n250 AUTH PLAIN LOGIN\r\n"
                } else if command.starts_with("AUTH") {
                    b"235 authenticated\r\n"
                } else if command.starts_with("RCPT") && refuse {
                    b"550 no such user here\r\n"
                } else if command == "DATA" {
                    let _ = writer.write_all(b"354 go ahead\r\n");
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == ".\r\n" {
                            break;
                        }
                        message.push_str(&line);
                    }
                    store.lock().unwrap().push(std::mem::take(&mut message));
                    b"250 queued\r\n"
                } else if command == "QUIT" {
                    let _ = writer.write_all(b"221 bye\r\n");
                    break;
                } else {
                    b"250 ok\r\n"
                };
                let _ = writer.write_all(reply);
            }
        }
    });
    (port, received)
}

#[test]
fn the_outbox_is_delivered_over_smtp_and_failures_stay_queued() {
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        &[
            "user",
            "create",
            "--email",
            "someone@example.org",
            "--role",
            "secretariat",
        ],
        None,
    );

    let (refusing, _) = smtp_sink(true);
    let failed = run(
        dir.path(),
        &[
            "outbox",
            "send",
            "--smtp-url",
            &format!("smtp://127.0.0.1:{refusing}"),
        ],
        None,
    );
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        text(&failed.stdout).contains("0 sent, 1 failed"),
        "{}",
        text(&failed.stdout)
    );
    let still = text(&run(dir.path(), &["outbox", "list"], None).stdout);
    assert!(
        still.contains("1 attempt(s), last error") && still.contains("550"),
        "{still}"
    );

    // The retry waits; make it due now, as time would.
    let url = format!(
        "sqlite://{}?mode=rw",
        dir.path().join("marrakech.db").display()
    );
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = Store::connect(&url).await.unwrap();
        sqlx::query("UPDATE email_outbox SET next_attempt_at = '2000-01-01T00:00:00.000000Z'")
            .execute(store.pool())
            .await
            .unwrap();
        store.pool().close().await;
    });
    let (accepting, received) = smtp_sink(false);
    let sent = run(
        dir.path(),
        &[
            "outbox",
            "send",
            "--smtp-url",
            &format!("smtp://relay:secret@127.0.0.1:{accepting}"),
            "--mail-from",
            "Marrakech <noreply@marrakech.example>",
        ],
        None,
    );
    assert!(
        sent.status.success(),
        "{}{}",
        text(&sent.stdout),
        text(&sent.stderr)
    );
    assert!(text(&sent.stdout).contains("1 sent, 0 failed"));
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].contains("To: someone@example.org") && messages[0].contains("/invitations/"),
        "{}",
        messages[0]
    );
    assert!(
        text(&run(dir.path(), &["outbox", "list"], None).stdout).contains("No message is waiting.")
    );
}
