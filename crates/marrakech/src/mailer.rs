//! Delivering the email outbox over SMTP. The outbox is the source of truth: a message is
//! marked sent only after the relay accepted it; a failure leaves it queued for a later try.

use std::time::Duration;

use anyhow::{bail, Context};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use marrakech_store::Store;
use tokio::task::JoinHandle;

use crate::config::Settings;

/// How often the worker looks for due messages.
const POLL: Duration = Duration::from_secs(20);

struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// From `smtp://[user:password@]host[:port]`.
    fn new(url: &str, from: &str) -> anyhow::Result<Mailer> {
        let rest = url
            .strip_prefix("smtp://")
            .context("the SMTP URL must start with smtp:// (TLS is the relay's job)")?;
        let (credentials, host_port) = match rest.rsplit_once('@') {
            Some((userinfo, host)) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                (
                    Some(Credentials::new(user.to_owned(), password.to_owned())),
                    host,
                )
            }
            None => (None, rest),
        };
        let host_port = host_port.trim_end_matches('/');
        let (host, port) = match host_port.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().context("the SMTP port is not a number")?),
            None => (host_port, 25),
        };
        if host.is_empty() {
            bail!("the SMTP URL names no host");
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(Duration::from_secs(20)));
        if let Some(c) = credentials {
            builder = builder.credentials(c);
        }
        Ok(Mailer {
            transport: builder.build(),
            from: from
                .parse()
                .with_context(|| format!("the sender `{from}` is not an address"))?,
        })
    }

    /// Tries every due message once; returns (sent, failed).
    async fn deliver_due(&self, store: &Store) -> anyhow::Result<(usize, usize)> {
        let (mut sent, mut failed) = (0, 0);
        for email in store.due_emails(100).await? {
            let outcome = async {
                let message = Message::builder()
                    .from(self.from.clone())
                    .to(email.to_address.parse()?)
                    .subject(email.subject.clone())
                    .body(email.body.clone())?;
                self.transport.send(message).await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            }
            .await;
            match outcome {
                Ok(()) => {
                    store.mark_email_sent(&email.id).await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(email = %email.id, error = %e, "email delivery failed; it stays queued");
                    store.mark_email_failed(&email, &e.to_string()).await?;
                    failed += 1;
                }
            }
        }
        Ok((sent, failed))
    }
}

/// Starts the background delivery when SMTP is configured.
pub fn spawn_worker(settings: &Settings, store: Store) -> anyhow::Result<Option<JoinHandle<()>>> {
    let Some(url) = &settings.smtp_url else {
        tracing::info!(
            "no SMTP relay configured: email waits in the outbox (marrakech outbox list)"
        );
        return Ok(None);
    };
    let mailer = Mailer::new(url, &settings.mail_from)?;
    tracing::info!(relay = %marrakech_store::redact(url), "delivering email over SMTP");
    Ok(Some(tokio::spawn(async move {
        loop {
            match mailer.deliver_due(&store).await {
                Ok((0, 0)) => {}
                Ok((sent, failed)) => tracing::info!(sent, failed, "delivered email"),
                Err(e) => tracing::warn!(error = %e, "email delivery round failed"),
            }
            tokio::time::sleep(POLL).await;
        }
    })))
}

/// `marrakech outbox send`.
pub async fn send_due(settings: &Settings) -> anyhow::Result<()> {
    let Some(url) = &settings.smtp_url else {
        bail!("no SMTP relay configured: set --smtp-url or MARRAKECH_SMTP_URL");
    };
    let store = crate::serve::open_store(settings).await?;
    let (sent, failed) = Mailer::new(url, &settings.mail_from)?
        .deliver_due(&store)
        .await?;
    println!("{sent} sent, {failed} failed (failed messages stay queued and are retried).");
    if failed > 0 {
        bail!("{failed} message(s) could not be delivered");
    }
    Ok(())
}
