//! `marrakech user create`, `outbox list`, `audit verify`, `audit export`.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{bail, Context};
use marrakech_app::secrets::{hash_password, random_token, token_hash};
use marrakech_core::accounts::{check_password, DisplayName, Email};
use marrakech_core::countries::Reference;
use marrakech_core::policy::Role;
use marrakech_store::{
    from_now, AuditContext, AuditFilter, AuditVerification, NewUser, UserStatus,
};

use crate::cli::{ExportFormat, UserCreateArgs};
use crate::config::Settings;
use crate::serve::{open_store, prepare};

const INVITATION_DAYS: i64 = 7;

/// Who the audit trail records for what the command line does.
fn command_line() -> AuditContext {
    AuditContext {
        actor_id: None,
        actor_role: Some("command-line".into()),
    }
}

pub async fn create_user(settings: &Settings, args: &UserCreateArgs) -> anyhow::Result<()> {
    let email = Email::parse(&args.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let name = args.name.clone().unwrap_or_else(|| {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned()
    });
    let name = DisplayName::parse(&name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    // A focal point's country may be given by ISO alpha-3 as well as by M49 code.
    let country = match &args.country {
        Some(code) => Some(
            Reference::official()
                .country(code)
                .with_context(|| format!("--country: `{code}` is not a country code"))?
                .m49
                .to_string(),
        ),
        None => None,
    };
    let role = Role::from_parts(
        &args.role,
        args.reviewer_kind.as_deref(),
        country.as_deref(),
        args.organization.as_deref(),
    )
    .map_err(|e| anyhow::anyhow!("--role: {e}"))?;

    let store = open_store(settings).await?;
    prepare(&store).await?;
    if args.password_stdin {
        let mut password = String::new();
        std::io::stdin()
            .read_to_string(&mut password)
            .context("cannot read the password from standard input")?;
        let password = password.trim_end_matches(['\n', '\r']);
        check_password(password, &[email.as_str(), name.as_str()])
            .map_err(|e| anyhow::anyhow!("the password is refused: {e}"))?;
        let user = store
            .create_user(
                &command_line(),
                &NewUser {
                    email: email.as_str().to_owned(),
                    display_name: name.as_str().to_owned(),
                    password_hash: Some(
                        hash_password(password)
                            .await
                            .map_err(|e| anyhow::anyhow!("{e}"))?,
                    ),
                    status: UserStatus::Active,
                    roles: vec![role.clone()],
                },
            )
            .await?;
        println!(
            "Created {} ({}) as {role}; they can sign in now.",
            user.display_name, user.id
        );
        return Ok(());
    }
    let token = random_token();
    let base = settings.public_url();
    let link = format!("{}/invitations/{token}", base.trim_end_matches('/'));
    let (to, roles, token_for_mail) =
        (email.as_str().to_owned(), vec![role.clone()], token.clone());
    let user = store
        .invite_user(
            &command_line(),
            &NewUser {
                email: email.as_str().to_owned(),
                display_name: name.as_str().to_owned(),
                password_hash: None,
                status: UserStatus::Invited,
                roles: vec![role.clone()],
            },
            &token_hash(&token),
            &from_now(time::Duration::days(INVITATION_DAYS)),
            move |_| {
                let (subject, body) = marrakech_app::mail::invitation(
                    &base,
                    &roles,
                    &token_for_mail,
                    INVITATION_DAYS,
                );
                (to.clone(), subject, body)
            },
        )
        .await?;
    println!(
        "Created {} ({}) as {role}.\nTo set the password, open this link within {INVITATION_DAYS} days (it works once; it was also queued by email):\n{link}",
        user.display_name, user.id
    );
    Ok(())
}

pub async fn outbox_list(settings: &Settings, all: bool) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let emails = if all {
        store.emails(200).await?
    } else {
        store.pending_emails().await?
    };
    if emails.is_empty() {
        println!(
            "{}",
            if all {
                "The outbox is empty."
            } else {
                "No message is waiting."
            }
        );
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    for e in &emails {
        let state = match (&e.sent_at, &e.last_error) {
            (Some(at), _) => format!("sent {at}"),
            (None, Some(err)) => format!("waiting, {} attempt(s), last error: {err}", e.attempts),
            (None, None) => "waiting".to_owned(),
        };
        writeln!(
            out,
            "{}  to {}  \"{}\"  ({state})",
            e.created_at, e.to_address, e.subject
        )?;
        if !all {
            writeln!(out, "{}\n", e.body.trim_end())?;
        }
    }
    writeln!(out, "{} message(s).", emails.len())?;
    Ok(())
}

pub async fn audit_verify(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    match store.verify_audit().await? {
        AuditVerification::Intact { entries, head } => {
            println!("The audit trail is intact: {entries} entries; the last hash is {head}.");
            Ok(())
        }
        AuditVerification::Altered { seq } => {
            bail!("the audit trail is broken: entry #{seq} was edited after it was written (its hash does not match its content)")
        }
        AuditVerification::Broken { seq } => {
            bail!("the audit trail is broken: entry #{seq} does not follow the entry before it (an entry before it was changed or replaced)")
        }
        AuditVerification::Missing { after, next } => {
            bail!("the audit trail is broken: entries #{} to #{} are missing (after #{after} comes #{next})", after + 1, next - 1)
        }
    }
}

pub async fn audit_export(
    settings: &Settings,
    format: ExportFormat,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let (mut entries, _) = store
        .audit_entries(&AuditFilter::default(), usize::MAX >> 1, 0)
        .await?;
    entries.reverse();
    let body = match format {
        ExportFormat::Json => serde_json::to_string_pretty(&entries)? + "\n",
        ExportFormat::Csv => marrakech_core::spreadsheet::to_csv(
            marrakech_app::accounts::AUDIT_CSV_HEADER,
            entries.iter().map(marrakech_app::accounts::audit_csv_row),
        )?,
    };
    match output {
        Some(path) => std::fs::write(path, body)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().lock().write_all(body.as_bytes())?,
    }
    eprintln!("Exported {} audit entries.", entries.len());
    Ok(())
}
