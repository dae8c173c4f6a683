//! The email outbox: messages are queued in the database, in the same transaction as what
//! caused them, and delivered later by whoever holds an SMTP connection. A message that cannot
//! be delivered stays queued and is retried with a growing delay; none is lost.

use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::{from_now, new_id, now_text, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEmail {
    pub id: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
}

/// Queues a message within `tx`.
pub async fn queue(
    tx: &mut Transaction<'static, Any>,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_text();
    sqlx::query(
        "INSERT INTO email_outbox (id, to_address, subject, body, created_at, attempts, \
         next_attempt_at) VALUES ($1, $2, $3, $4, $5, 0, $6)",
    )
    .bind(id.clone())
    .bind(to.to_owned())
    .bind(subject.to_owned())
    .bind(body.to_owned())
    .bind(now.clone())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<OutboxEmail, sqlx::Error> {
    Ok(OutboxEmail {
        id: row.try_get("id")?,
        to_address: row.try_get("to_address")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        created_at: row.try_get("created_at")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        sent_at: row.try_get("sent_at")?,
    })
}

const COLUMNS: &str =
    "id, to_address, subject, body, created_at, attempts, next_attempt_at, last_error, sent_at";

impl Store {
    /// Queues a message on its own (one not tied to another change).
    pub async fn queue_email(&self, to: &str, subject: &str, body: &str) -> Result<(), StoreError> {
        let args = (to.to_owned(), subject.to_owned(), body.to_owned());
        self.transaction(move |tx| {
            let (to, subject, body) = args.clone();
            Box::pin(async move {
                queue(tx, &to, &subject, &body).await?;
                Ok(())
            })
        })
        .await
    }

    /// Messages not yet delivered, oldest first.
    pub async fn pending_emails(&self) -> Result<Vec<OutboxEmail>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM email_outbox WHERE sent_at IS NULL ORDER BY created_at"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// Messages due for an attempt now.
    pub async fn due_emails(&self, limit: usize) -> Result<Vec<OutboxEmail>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM email_outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at LIMIT {}",
            limit as i64
        ))
        .bind(now_text())
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// Every message, newest first (for administrators and tests).
    pub async fn emails(&self, limit: usize) -> Result<Vec<OutboxEmail>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM email_outbox ORDER BY created_at DESC LIMIT {}",
            limit as i64
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    pub async fn mark_email_sent(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE email_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
            .bind(now_text())
            .bind(id.to_owned())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records a failed attempt; the next one waits 2^attempts minutes, at most a day.
    pub async fn mark_email_failed(
        &self,
        email: &OutboxEmail,
        error: &str,
    ) -> Result<(), StoreError> {
        let minutes = 1_i64 << email.attempts.clamp(0, 10);
        sqlx::query(
            "UPDATE email_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 \
             WHERE id = $3",
        )
        .bind(error.chars().take(500).collect::<String>())
        .bind(from_now(time::Duration::minutes(minutes.min(24 * 60))))
        .bind(email.id.clone())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
