//! Organizations, users, role grants, sessions, single-use tokens, API tokens and sign-in
//! throttling. Every change appends to the audit trail in the same transaction.
//!
//! The store keeps secrets only as hashes (sessions, tokens) or as given by the caller
//! (password hashes, computed by the web layer with argon2id); it never sees a password.

use std::collections::HashMap;

use marrakech_core::countries::M49;
use marrakech_core::policy::{Action, OrganizationKind, ReviewerKind, Role, RoleName};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::{append, AuditContext};
use crate::outbox;
use crate::{new_id, now_text, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    /// Invited by an administrator; signs in after setting a password.
    Invited,
    /// Registered; signs in after confirming the email address.
    Pending,
    Active,
    Disabled,
    /// Deleted and pseudonymized.
    Deleted,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Invited => "invited",
            UserStatus::Pending => "pending",
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
            UserStatus::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<UserStatus> {
        [
            UserStatus::Invited,
            UserStatus::Pending,
            UserStatus::Active,
            UserStatus::Disabled,
            UserStatus::Deleted,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    Invitation,
    ConfirmEmail,
    PasswordReset,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Invitation => "invitation",
            TokenPurpose::ConfirmEmail => "confirm-email",
            TokenPurpose::PasswordReset => "password-reset",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleGrant {
    pub id: String,
    pub role: Role,
    pub granted_by: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: String,
    /// Personal data.
    pub email: String,
    /// Personal data.
    pub display_name: String,
    pub status: UserStatus,
    pub created_at: String,
    pub updated_at: String,
    /// Roles in force (revoked grants are left out).
    pub roles: Vec<RoleGrant>,
}

impl User {
    pub fn role_list(&self) -> Vec<Role> {
        self.roles.iter().map(|g| g.role.clone()).collect()
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub status: UserStatus,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub kind: OrganizationKind,
    pub country: Option<M49>,
    pub website: Option<String>,
    /// Markdown, rendered through a sanitizer.
    pub description: String,
    /// Checked by the secretariat; self-registered organizations start unverified.
    pub verified: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganization {
    pub name: String,
    pub kind: OrganizationKind,
    pub country: Option<M49>,
    pub website: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganizationFilter {
    pub kind: Option<OrganizationKind>,
    pub verified: Option<bool>,
    /// Part of the name, any case.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub role: Option<RoleName>,
    pub status: Option<UserStatus>,
    /// Part of the name or email, any case.
    pub query: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub id: String,
    pub secret_hash: String,
    pub user_id: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub actions: Vec<Action>,
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTokenRecord {
    pub id: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub user_id: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub actions: Vec<Action>,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionRecord {
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
}

/// The key emails are compared by.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The key organization names are compared by: case and accents do not make a new one.
fn name_key(name: &str) -> String {
    marrakech_core::countries::sort_key(name.trim())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn corrupt(what: &'static str, value: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what,
        value: value.into(),
    }
}

fn organization_from_row(row: &AnyRow) -> Result<Organization, StoreError> {
    let kind: String = row.try_get("kind")?;
    let country: Option<String> = row.try_get("country_m49")?;
    let verified: i64 = row.try_get("verified")?;
    Ok(Organization {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: OrganizationKind::parse(&kind).ok_or_else(|| corrupt("organization kind", &kind))?,
        country: country
            .map(|c| c.parse().map_err(|_| corrupt("M49 code", c)))
            .transpose()?,
        website: row.try_get("website")?,
        description: row.try_get("description")?,
        verified: verified != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn role_from_row(row: &AnyRow) -> Result<Role, StoreError> {
    let name: String = row.try_get("role")?;
    let reviewer: Option<String> = row.try_get("reviewer_kind")?;
    let country: Option<String> = row.try_get("country_m49")?;
    let organization: Option<String> = row.try_get("organization_id")?;
    let bad = || corrupt("role grant", name.clone());
    Ok(match RoleName::parse(&name).ok_or_else(bad)? {
        RoleName::Administrator => Role::Administrator,
        RoleName::Secretariat => Role::Secretariat,
        RoleName::Reviewer => Role::Reviewer {
            kind: reviewer
                .as_deref()
                .and_then(ReviewerKind::parse)
                .ok_or_else(bad)?,
        },
        RoleName::FundManager => Role::FundManager,
        RoleName::SteeringCommittee => Role::SteeringCommittee,
        RoleName::FocalPoint => Role::FocalPoint {
            country: country.and_then(|c| c.parse().ok()).ok_or_else(bad)?,
        },
        RoleName::Contributor => Role::Contributor {
            organization: organization.ok_or_else(bad)?,
        },
    })
}

/// The columns a role binds, for insertion.
fn role_columns(role: &Role) -> (Option<String>, Option<String>, Option<String>) {
    match role {
        Role::Reviewer { kind } => (Some(kind.as_str().to_owned()), None, None),
        Role::FocalPoint { country } => (None, Some(country.to_string()), None),
        Role::Contributor { organization } => (None, None, Some(organization.clone())),
        _ => (None, None, None),
    }
}

const USER_COLUMNS: &str = "id, email, display_name, status, created_at, updated_at";
const ORGANIZATION_COLUMNS: &str =
    "id, name, kind, country_m49, website, description, verified, created_at, updated_at";

async fn insert_grant(
    tx: &mut Transaction<'static, Any>,
    ctx: &AuditContext,
    user_id: &str,
    role: &Role,
) -> Result<RoleGrant, StoreError> {
    if let Role::Contributor { organization } = role {
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM organization WHERE id = $1")
                .bind(organization.clone())
                .fetch_optional(&mut **tx)
                .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                what: "organization",
                id: organization.clone(),
            });
        }
    }
    if let Role::FocalPoint { country } = role {
        let exists: Option<String> = sqlx::query_scalar("SELECT m49 FROM country WHERE m49 = $1")
            .bind(country.to_string())
            .fetch_optional(&mut **tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                what: "country",
                id: country.to_string(),
            });
        }
    }
    let (reviewer, country, organization) = role_columns(role);
    let grant = RoleGrant {
        id: new_id(),
        role: role.clone(),
        granted_by: ctx.actor_id.clone(),
        created_at: now_text(),
    };
    sqlx::query(
        "INSERT INTO role_grant (id, user_id, role, reviewer_kind, country_m49, organization_id, \
         granted_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(grant.id.clone())
    .bind(user_id.to_owned())
    .bind(role.name().as_str())
    .bind(reviewer)
    .bind(country)
    .bind(organization)
    .bind(grant.granted_by.clone())
    .bind(grant.created_at.clone())
    .execute(&mut **tx)
    .await?;
    append(
        tx,
        ctx,
        "role.grant",
        Some(("user", user_id)),
        json!({"grant": grant.id, "role": role}),
    )
    .await?;
    Ok(grant)
}

async fn insert_user(
    tx: &mut Transaction<'static, Any>,
    ctx: &AuditContext,
    new: &NewUser,
    action: &str,
) -> Result<String, StoreError> {
    let key = email_key(&new.email);
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM app_user WHERE email_key = $1")
        .bind(key.clone())
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict {
            field: "email",
            message: "an account with this email address already exists".into(),
        });
    }
    let id = new_id();
    let now = now_text();
    sqlx::query(
        "INSERT INTO app_user (id, email, email_key, display_name, password_hash, status, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id.clone())
    .bind(new.email.trim().to_owned())
    .bind(key)
    .bind(new.display_name.clone())
    .bind(new.password_hash.clone())
    .bind(new.status.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    append(
        tx,
        ctx,
        action,
        Some(("user", &id)),
        json!({"status": new.status.as_str(), "fields": ["email", "display_name"]}),
    )
    .await?;
    for role in &new.roles {
        insert_grant(tx, ctx, &id, role).await?;
    }
    Ok(id)
}

async fn insert_user_token(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    purpose: TokenPurpose,
    token_hash: &str,
    expires_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_token (token_hash, user_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash.to_owned())
    .bind(user_id.to_owned())
    .bind(purpose.as_str())
    .bind(now_text())
    .bind(expires_at.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks a single-use token used and returns its user, if it is valid for `purpose`.
async fn consume_user_token(
    tx: &mut Transaction<'static, Any>,
    token_hash: &str,
    purpose: TokenPurpose,
) -> Result<String, StoreError> {
    let now = now_text();
    let user: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM user_token WHERE token_hash = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at > $3",
    )
    .bind(token_hash.to_owned())
    .bind(purpose.as_str())
    .bind(now.clone())
    .fetch_optional(&mut **tx)
    .await?;
    let user = user.ok_or(StoreError::Refused {
        field: "token",
        message: "this link is not valid: it was used already, has expired, or never existed"
            .into(),
    })?;
    sqlx::query("UPDATE user_token SET used_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash.to_owned())
        .execute(&mut **tx)
        .await?;
    Ok(user)
}

async fn end_sessions(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM user_session WHERE user_id = $1")
        .bind(user_id.to_owned())
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// A message to queue with a change: (to, subject, body).
pub type Message = (String, String, String);

async fn queue_message(
    tx: &mut Transaction<'static, Any>,
    message: &Option<Message>,
) -> Result<(), sqlx::Error> {
    if let Some((to, subject, body)) = message {
        outbox::queue(tx, to, subject, body).await?;
    }
    Ok(())
}

impl Store {
    // --- Organizations -------------------------------------------------------------------

    pub async fn create_organization(
        &self,
        ctx: &AuditContext,
        new: &NewOrganization,
    ) -> Result<Organization, StoreError> {
        let (ctx, new) = (ctx.clone(), new.clone());
        let id = self
            .transaction(move |tx| {
                let (ctx, new) = (ctx.clone(), new.clone());
                Box::pin(async move { insert_organization(tx, &ctx, &new, false).await })
            })
            .await?;
        self.organization(&id)
            .await?
            .ok_or_else(|| corrupt("organization", id))
    }

    /// Replaces an organization's editable fields.
    pub async fn update_organization(
        &self,
        ctx: &AuditContext,
        id: &str,
        update: &NewOrganization,
    ) -> Result<Organization, StoreError> {
        let before = self
            .organization(id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "organization",
                id: id.to_owned(),
            })?;
        let (ctx, update, id_owned) = (ctx.clone(), update.clone(), id.to_owned());
        self.transaction(move |tx| {
            let (ctx, update, id, before) = (ctx.clone(), update.clone(), id_owned.clone(), before.clone());
            Box::pin(async move {
                let key = name_key(&update.name);
                let clash: Option<String> = sqlx::query_scalar(
                    "SELECT id FROM organization WHERE name_key = $1 AND id <> $2",
                )
                .bind(key.clone())
                .bind(id.clone())
                .fetch_optional(&mut **tx)
                .await?;
                if clash.is_some() {
                    return Err(StoreError::Conflict {
                        field: "name",
                        message: "another organization has this name".into(),
                    });
                }
                sqlx::query(
                    "UPDATE organization SET name = $1, name_key = $2, kind = $3, country_m49 = $4, \
                     website = $5, description = $6, updated_at = $7 WHERE id = $8",
                )
                .bind(update.name.clone())
                .bind(key)
                .bind(update.kind.slug())
                .bind(update.country.map(|c| c.to_string()))
                .bind(update.website.clone())
                .bind(update.description.clone())
                .bind(now_text())
                .bind(id.clone())
                .execute(&mut **tx)
                .await?;
                let mut changed = Vec::new();
                if before.name != update.name {
                    changed.push("name");
                }
                if before.kind != update.kind {
                    changed.push("kind");
                }
                if before.country != update.country {
                    changed.push("country");
                }
                if before.website != update.website {
                    changed.push("website");
                }
                if before.description != update.description {
                    changed.push("description");
                }
                append(tx, &ctx, "organization.update", Some(("organization", &id)), json!({"fields": changed}))
                    .await?;
                Ok(())
            })
        })
        .await?;
        self.organization(id)
            .await?
            .ok_or_else(|| corrupt("organization", id))
    }

    pub async fn set_organization_verified(
        &self,
        ctx: &AuditContext,
        id: &str,
        verified: bool,
    ) -> Result<(), StoreError> {
        let (ctx, id) = (ctx.clone(), id.to_owned());
        self.transaction(move |tx| {
            let (ctx, id) = (ctx.clone(), id.clone());
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE organization SET verified = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(i64::from(verified))
                .bind(now_text())
                .bind(id.clone())
                .execute(&mut **tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound {
                        what: "organization",
                        id,
                    });
                }
                append(
                    tx,
                    &ctx,
                    "organization.verify",
                    Some(("organization", &id)),
                    json!({"verified": verified}),
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn organization(&self, id: &str) -> Result<Option<Organization>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ORGANIZATION_COLUMNS} FROM organization WHERE id = $1"
        ))
        .bind(id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(organization_from_row).transpose()
    }

    /// Organizations matching `filter`, by name, and how many match in all.
    pub async fn organizations(
        &self,
        filter: &OrganizationFilter,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<Organization>, usize), StoreError> {
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        if let Some(kind) = filter.kind {
            binds.push(kind.slug().to_owned());
            conditions.push(format!("kind = ${}", binds.len()));
        }
        if let Some(verified) = filter.verified {
            conditions.push(format!("verified = {}", i64::from(verified)));
        }
        if let Some(name) = &filter.name {
            binds.push(format!("%{}%", name_key(name).replace(['%', '_'], "")));
            conditions.push(format!("name_key LIKE ${}", binds.len()));
        }
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM organization {where_sql}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total = count.fetch_one(self.pool()).await? as usize;
        let sql = format!(
            "SELECT {ORGANIZATION_COLUMNS} FROM organization {where_sql} ORDER BY name_key, id \
             LIMIT {} OFFSET {}",
            limit as i64, offset as i64
        );
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        let list = rows
            .iter()
            .map(organization_from_row)
            .collect::<Result<_, _>>()?;
        Ok((list, total))
    }

    // --- Users ---------------------------------------------------------------------------

    /// Creates a user with roles (the command line's bootstrap, tests).
    pub async fn create_user(&self, ctx: &AuditContext, new: &NewUser) -> Result<User, StoreError> {
        let (ctx, new) = (ctx.clone(), new.clone());
        let id = self
            .transaction(move |tx| {
                let (ctx, new) = (ctx.clone(), new.clone());
                Box::pin(async move { insert_user(tx, &ctx, &new, "user.create").await })
            })
            .await?;
        self.user(&id).await?.ok_or_else(|| corrupt("user", id))
    }

    /// An administrator's invitation: the user (status invited), their roles, a single-use
    /// invitation link and the message carrying it, in one transaction.
    pub async fn invite_user(
        &self,
        ctx: &AuditContext,
        new: &NewUser,
        token_hash: &str,
        expires_at: &str,
        message: impl Fn(&str) -> Message + Send + Sync + 'static,
    ) -> Result<User, StoreError> {
        let (ctx, new, token_hash, expires_at) = (
            ctx.clone(),
            new.clone(),
            token_hash.to_owned(),
            expires_at.to_owned(),
        );
        let message = std::sync::Arc::new(message);
        let id = self
            .transaction(move |tx| {
                let (ctx, new, token_hash, expires_at, message) = (
                    ctx.clone(),
                    new.clone(),
                    token_hash.clone(),
                    expires_at.clone(),
                    message.clone(),
                );
                Box::pin(async move {
                    let id = insert_user(tx, &ctx, &new, "user.invite").await?;
                    insert_user_token(tx, &id, TokenPurpose::Invitation, &token_hash, &expires_at)
                        .await?;
                    queue_message(tx, &Some(message(&id))).await?;
                    Ok(id)
                })
            })
            .await?;
        self.user(&id).await?.ok_or_else(|| corrupt("user", id))
    }

    /// Self-registration as a contributor: a pending user, their organization (an existing
    /// one, or a new unverified one), the contributor role, and an email-confirmation link.
    #[allow(clippy::too_many_arguments)]
    pub async fn register(
        &self,
        email: &str,
        display_name: &str,
        password_hash: &str,
        organization: Result<String, NewOrganization>,
        token_hash: &str,
        expires_at: &str,
        message: Message,
    ) -> Result<User, StoreError> {
        let args = (
            email.to_owned(),
            display_name.to_owned(),
            password_hash.to_owned(),
            organization,
            token_hash.to_owned(),
            expires_at.to_owned(),
            message,
        );
        let id = self
            .transaction(move |tx| {
                let (email, name, hash, organization, token_hash, expires_at, message) =
                    args.clone();
                Box::pin(async move {
                    let system = AuditContext::system();
                    let organization_id = match organization {
                        Ok(id) => {
                            let found: Option<String> =
                                sqlx::query_scalar("SELECT id FROM organization WHERE id = $1")
                                    .bind(id.clone())
                                    .fetch_optional(&mut **tx)
                                    .await?;
                            found.ok_or(StoreError::NotFound {
                                what: "organization",
                                id,
                            })?
                        }
                        Err(new) => insert_organization(tx, &system, &new, false).await?,
                    };
                    let user = NewUser {
                        email,
                        display_name: name,
                        password_hash: Some(hash),
                        status: UserStatus::Pending,
                        roles: vec![Role::Contributor {
                            organization: organization_id,
                        }],
                    };
                    let id = insert_user(tx, &system, &user, "user.register").await?;
                    insert_user_token(
                        tx,
                        &id,
                        TokenPurpose::ConfirmEmail,
                        &token_hash,
                        &expires_at,
                    )
                    .await?;
                    queue_message(tx, &Some(message)).await?;
                    Ok(id)
                })
            })
            .await?;
        self.user(&id).await?.ok_or_else(|| corrupt("user", id))
    }

    /// Follows a single-use link: confirms an email (pending -> active), accepts an
    /// invitation (sets name and password, invited -> active) or resets a password (ending
    /// every session). Returns the user.
    pub async fn redeem_token(
        &self,
        purpose: TokenPurpose,
        token_hash: &str,
        display_name: Option<&str>,
        password_hash: Option<&str>,
    ) -> Result<User, StoreError> {
        let args = (
            token_hash.to_owned(),
            display_name.map(str::to_owned),
            password_hash.map(str::to_owned),
        );
        let id = self
            .transaction(move |tx| {
                let (token_hash, name, hash) = args.clone();
                Box::pin(async move {
                    let id = consume_user_token(tx, &token_hash, purpose).await?;
                    let status: String = sqlx::query_scalar("SELECT status FROM app_user WHERE id = $1")
                        .bind(id.clone())
                        .fetch_one(&mut **tx)
                        .await?;
                    let expected = match purpose {
                        TokenPurpose::Invitation => "invited",
                        TokenPurpose::ConfirmEmail => "pending",
                        TokenPurpose::PasswordReset => "active",
                    };
                    if status != expected {
                        return Err(StoreError::Refused {
                            field: "token",
                            message: "this link no longer applies to this account".into(),
                        });
                    }
                    let now = now_text();
                    sqlx::query(
                        "UPDATE app_user SET status = 'active', \
                         display_name = COALESCE($1, display_name), \
                         password_hash = COALESCE($2, password_hash), updated_at = $3 WHERE id = $4",
                    )
                    .bind(name.clone())
                    .bind(hash.clone())
                    .bind(now)
                    .bind(id.clone())
                    .execute(&mut **tx)
                    .await?;
                    let ended = if purpose == TokenPurpose::PasswordReset {
                        end_sessions(tx, &id).await?
                    } else {
                        0
                    };
                    let action = match purpose {
                        TokenPurpose::Invitation => "user.accept-invitation",
                        TokenPurpose::ConfirmEmail => "user.confirm-email",
                        TokenPurpose::PasswordReset => "user.reset-password",
                    };
                    append(
                        tx,
                        &AuditContext::user(&id, None),
                        action,
                        Some(("user", &id)),
                        json!({"sessions_ended": ended}),
                    )
                    .await?;
                    Ok(id)
                })
            })
            .await?;
        self.user(&id).await?.ok_or_else(|| corrupt("user", id))
    }

    /// Queues a password-reset link for an active account. Says nothing about whether the
    /// address has an account: the caller answers the same either way.
    pub async fn request_password_reset(
        &self,
        email: &str,
        token_hash: &str,
        expires_at: &str,
        message: Message,
    ) -> Result<bool, StoreError> {
        let Some(user) = self.user_by_email(email).await? else {
            return Ok(false);
        };
        if user.0.status != UserStatus::Active {
            return Ok(false);
        }
        // At most three links an hour per account: enough for a person, too few for a flood.
        let recent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM user_token WHERE user_id = $1 AND purpose = $2 AND created_at > $3",
        )
        .bind(user.0.id.clone())
        .bind(TokenPurpose::PasswordReset.as_str())
        .bind(crate::from_now(time::Duration::hours(-1)))
        .fetch_one(self.pool())
        .await?;
        if recent >= 3 {
            return Ok(false);
        }
        let args = (
            user.0.id.clone(),
            token_hash.to_owned(),
            expires_at.to_owned(),
            message,
        );
        self.transaction(move |tx| {
            let (id, token_hash, expires_at, message) = args.clone();
            Box::pin(async move {
                insert_user_token(
                    tx,
                    &id,
                    TokenPurpose::PasswordReset,
                    &token_hash,
                    &expires_at,
                )
                .await?;
                queue_message(tx, &Some(message)).await?;
                append(
                    tx,
                    &AuditContext::system(),
                    "user.request-password-reset",
                    Some(("user", &id)),
                    json!({}),
                )
                .await?;
                Ok(true)
            })
        })
        .await
    }

    /// The user a still-valid single-use link belongs to, without using it up.
    pub async fn token_user(
        &self,
        purpose: TokenPurpose,
        token_hash: &str,
    ) -> Result<Option<User>, StoreError> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT user_id FROM user_token WHERE token_hash = $1 AND purpose = $2 \
             AND used_at IS NULL AND expires_at > $3",
        )
        .bind(token_hash.to_owned())
        .bind(purpose.as_str())
        .bind(now_text())
        .fetch_optional(self.pool())
        .await?;
        match id {
            Some(id) => self.user(&id).await,
            None => Ok(None),
        }
    }

    pub async fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM app_user WHERE id = $1"
        ))
        .bind(id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(self.users_from_rows(&[row]).await?.into_iter().next()),
        }
    }

    /// A user and their password hash, by email (any case).
    pub async fn user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<(User, Option<String>)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM app_user WHERE email_key = $1"
        ))
        .bind(email_key(email))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let hash: Option<String> = row.try_get("password_hash")?;
        let user = self.users_from_rows(&[row]).await?.into_iter().next();
        Ok(user.map(|u| (u, hash)))
    }

    /// The password hash of a user (to check it before a sensitive change).
    pub async fn password_hash(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM app_user WHERE id = $1")
                .bind(user_id.to_owned())
                .fetch_optional(self.pool())
                .await?
                .flatten(),
        )
    }

    async fn users_from_rows(&self, rows: &[AnyRow]) -> Result<Vec<User>, StoreError> {
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            let status: String = row.try_get("status")?;
            users.push(User {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                display_name: row.try_get("display_name")?,
                status: UserStatus::parse(&status)
                    .ok_or_else(|| corrupt("user status", &status))?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                roles: Vec::new(),
            });
        }
        if users.is_empty() {
            return Ok(users);
        }
        let placeholders: Vec<String> = (1..=users.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, user_id, role, reviewer_kind, country_m49, organization_id, granted_by, \
             created_at FROM role_grant WHERE revoked_at IS NULL AND user_id IN ({}) \
             ORDER BY created_at, id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for u in &users {
            query = query.bind(u.id.clone());
        }
        let mut grants: HashMap<String, Vec<RoleGrant>> = HashMap::new();
        for row in query.fetch_all(self.pool()).await? {
            let user_id: String = row.try_get("user_id")?;
            grants.entry(user_id).or_default().push(RoleGrant {
                id: row.try_get("id")?,
                role: role_from_row(&row)?,
                granted_by: row.try_get("granted_by")?,
                created_at: row.try_get("created_at")?,
            });
        }
        for user in &mut users {
            user.roles = grants.remove(&user.id).unwrap_or_default();
        }
        Ok(users)
    }

    /// Users matching `filter`, by name, and how many match in all.
    pub async fn users(
        &self,
        filter: &UserFilter,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<User>, usize), StoreError> {
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        if let Some(role) = filter.role {
            binds.push(role.as_str().to_owned());
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM role_grant g WHERE g.user_id = u.id AND g.revoked_at IS NULL AND g.role = ${})",
                binds.len()
            ));
        }
        if let Some(status) = filter.status {
            binds.push(status.as_str().to_owned());
            conditions.push(format!("u.status = ${}", binds.len()));
        }
        if let Some(q) = &filter.query {
            binds.push(format!("%{}%", q.to_lowercase().replace(['%', '_'], "")));
            conditions.push(format!(
                "(u.email_key LIKE ${n} OR LOWER(u.display_name) LIKE ${n})",
                n = binds.len()
            ));
        }
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM app_user u {where_sql}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total = count.fetch_one(self.pool()).await? as usize;
        let sql = format!(
            "SELECT u.id, u.email, u.display_name, u.status, u.created_at, u.updated_at \
             FROM app_user u {where_sql} ORDER BY LOWER(u.display_name), u.id LIMIT {} OFFSET {}",
            limit as i64, offset as i64
        );
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        Ok((self.users_from_rows(&rows).await?, total))
    }

    pub async fn grant_role(
        &self,
        ctx: &AuditContext,
        user_id: &str,
        role: &Role,
    ) -> Result<RoleGrant, StoreError> {
        let (ctx, user_id, role) = (ctx.clone(), user_id.to_owned(), role.clone());
        self.transaction(move |tx| {
            let (ctx, user_id, role) = (ctx.clone(), user_id.clone(), role.clone());
            Box::pin(async move {
                let status: Option<String> = sqlx::query_scalar("SELECT status FROM app_user WHERE id = $1")
                    .bind(user_id.clone())
                    .fetch_optional(&mut **tx)
                    .await?;
                match status.as_deref() {
                    None => return Err(StoreError::NotFound { what: "user", id: user_id }),
                    Some("deleted") => {
                        return Err(StoreError::Refused { field: "user", message: "this account was deleted".into() })
                    }
                    _ => {}
                }
                let (reviewer, country, organization) = role_columns(&role);
                let existing: Option<String> = sqlx::query_scalar(
                    "SELECT id FROM role_grant WHERE user_id = $1 AND role = $2 AND revoked_at IS NULL \
                     AND COALESCE(reviewer_kind, '') = $3 AND COALESCE(country_m49, '') = $4 \
                     AND COALESCE(organization_id, '') = $5",
                )
                .bind(user_id.clone())
                .bind(role.name().as_str())
                .bind(reviewer.unwrap_or_default())
                .bind(country.unwrap_or_default())
                .bind(organization.unwrap_or_default())
                .fetch_optional(&mut **tx)
                .await?;
                if existing.is_some() {
                    return Err(StoreError::Conflict { field: "role", message: "the user already holds this role".into() });
                }
                insert_grant(tx, &ctx, &user_id, &role).await
            })
        })
        .await
    }

    pub async fn revoke_role(
        &self,
        ctx: &AuditContext,
        user_id: &str,
        grant_id: &str,
    ) -> Result<(), StoreError> {
        let (ctx, user_id, grant_id) = (ctx.clone(), user_id.to_owned(), grant_id.to_owned());
        self.transaction(move |tx| {
            let (ctx, user_id, grant_id) = (ctx.clone(), user_id.clone(), grant_id.clone());
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE role_grant SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
                )
                .bind(now_text())
                .bind(grant_id.clone())
                .bind(user_id.clone())
                .execute(&mut **tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound { what: "role grant", id: grant_id });
                }
                append(tx, &ctx, "role.revoke", Some(("user", &user_id)), json!({"grant": grant_id})).await?;
                Ok(())
            })
        })
        .await
    }

    /// Enables or disables an account; disabling ends its sessions at once.
    pub async fn set_user_enabled(
        &self,
        ctx: &AuditContext,
        user_id: &str,
        enabled: bool,
    ) -> Result<(), StoreError> {
        let (ctx, user_id) = (ctx.clone(), user_id.to_owned());
        self.transaction(move |tx| {
            let (ctx, user_id) = (ctx.clone(), user_id.clone());
            Box::pin(async move {
                let (from, to) = if enabled { ("disabled", "active") } else { ("active", "disabled") };
                let done = sqlx::query("UPDATE app_user SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
                    .bind(to)
                    .bind(now_text())
                    .bind(user_id.clone())
                    .bind(from)
                    .execute(&mut **tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Refused {
                        field: "status",
                        message: format!("only an {from} account can be made {to}"),
                    });
                }
                if !enabled {
                    end_sessions(tx, &user_id).await?;
                }
                append(tx, &ctx, "user.status", Some(("user", &user_id)), json!({"status": to})).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn update_display_name(
        &self,
        ctx: &AuditContext,
        user_id: &str,
        name: &str,
    ) -> Result<(), StoreError> {
        let (ctx, user_id, name) = (ctx.clone(), user_id.to_owned(), name.to_owned());
        self.transaction(move |tx| {
            let (ctx, user_id, name) = (ctx.clone(), user_id.clone(), name.clone());
            Box::pin(async move {
                sqlx::query("UPDATE app_user SET display_name = $1, updated_at = $2 WHERE id = $3")
                    .bind(name)
                    .bind(now_text())
                    .bind(user_id.clone())
                    .execute(&mut **tx)
                    .await?;
                append(
                    tx,
                    &ctx,
                    "user.update",
                    Some(("user", &user_id)),
                    json!({"fields": ["display_name"]}),
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Sets a new password; every other session ends (the current one, `keep`, stays).
    pub async fn change_password(
        &self,
        ctx: &AuditContext,
        user_id: &str,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        let args = (
            ctx.clone(),
            user_id.to_owned(),
            password_hash.to_owned(),
            keep_session.map(str::to_owned),
        );
        self.transaction(move |tx| {
            let (ctx, user_id, hash, keep) = args.clone();
            Box::pin(async move {
                sqlx::query(
                    "UPDATE app_user SET password_hash = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(hash)
                .bind(now_text())
                .bind(user_id.clone())
                .execute(&mut **tx)
                .await?;
                let ended =
                    sqlx::query("DELETE FROM user_session WHERE user_id = $1 AND token_hash <> $2")
                        .bind(user_id.clone())
                        .bind(keep.unwrap_or_default())
                        .execute(&mut **tx)
                        .await?
                        .rows_affected();
                append(
                    tx,
                    &ctx,
                    "user.change-password",
                    Some(("user", &user_id)),
                    json!({"sessions_ended": ended}),
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Deletes an account by pseudonymizing it: the row stays (the audit trail and, later,
    /// the ledger point at its id), its personal data goes, and so do its sessions, tokens,
    /// pending email and sign-in records.
    pub async fn delete_user(&self, ctx: &AuditContext, user_id: &str) -> Result<(), StoreError> {
        let (ctx, user_id) = (ctx.clone(), user_id.to_owned());
        self.transaction(move |tx| {
            let (ctx, user_id) = (ctx.clone(), user_id.clone());
            Box::pin(async move {
                let key: Option<String> = sqlx::query_scalar("SELECT email_key FROM app_user WHERE id = $1 AND status <> 'deleted'")
                    .bind(user_id.clone())
                    .fetch_optional(&mut **tx)
                    .await?;
                let key = key.ok_or(StoreError::NotFound { what: "user", id: user_id.clone() })?;
                let placeholder = format!("deleted-{user_id}@deleted.invalid");
                let now = now_text();
                sqlx::query(
                    "UPDATE app_user SET email = $1, email_key = $1, display_name = $2, \
                     password_hash = NULL, status = 'deleted', updated_at = $3 WHERE id = $4",
                )
                .bind(placeholder)
                .bind(format!("Deleted user {}", &user_id[..8.min(user_id.len())]))
                .bind(now.clone())
                .bind(user_id.clone())
                .execute(&mut **tx)
                .await?;
                end_sessions(tx, &user_id).await?;
                for sql in [
                    "DELETE FROM user_token WHERE user_id = $1",
                    "UPDATE api_token SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
                    "UPDATE role_grant SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
                ] {
                    sqlx::query(sql).bind(user_id.clone()).bind(now.clone()).execute(&mut **tx).await?;
                }
                sqlx::query("DELETE FROM login_failure WHERE email_key = $1").bind(key.clone()).execute(&mut **tx).await?;
                sqlx::query("DELETE FROM email_outbox WHERE LOWER(to_address) = $1").bind(key).execute(&mut **tx).await?;
                append(tx, &ctx, "user.delete", Some(("user", &user_id)), json!({"pseudonymized": ["email", "display_name"]}))
                    .await?;
                Ok(())
            })
        })
        .await
    }

    // --- Sessions ------------------------------------------------------------------------

    pub async fn create_session(
        &self,
        user_id: &str,
        token_hash: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        let args = (
            user_id.to_owned(),
            token_hash.to_owned(),
            expires_at.to_owned(),
        );
        self.transaction(move |tx| {
            let (user_id, token_hash, expires_at) = args.clone();
            Box::pin(async move {
                let now = now_text();
                sqlx::query(
                    "INSERT INTO user_session (token_hash, user_id, created_at, last_seen_at, expires_at) \
                     VALUES ($1, $2, $3, $3, $4)",
                )
                .bind(token_hash)
                .bind(user_id.clone())
                .bind(now)
                .bind(expires_at)
                .execute(&mut **tx)
                .await?;
                append(tx, &AuditContext::user(&user_id, None), "session.sign-in", Some(("user", &user_id)), json!({}))
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// The active user a session belongs to, if it is valid; notes when it was last seen.
    pub async fn session_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let now = now_text();
        let row = sqlx::query(
            "SELECT s.user_id, s.last_seen_at FROM user_session s JOIN app_user u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.status = 'active'",
        )
        .bind(token_hash.to_owned())
        .bind(now.clone())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user_id: String = row.try_get("user_id")?;
        let last_seen: String = row.try_get("last_seen_at")?;
        // Writing on every request would serialize readers behind the writer; a minute's
        // precision is enough to show when a session was last used.
        if now.get(..16) != last_seen.get(..16) {
            sqlx::query("UPDATE user_session SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash.to_owned())
                .execute(self.pool())
                .await?;
        }
        self.user(&user_id).await
    }

    pub async fn sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT created_at, last_seen_at, expires_at FROM user_session WHERE user_id = $1 \
             AND expires_at > $2 ORDER BY last_seen_at DESC",
        )
        .bind(user_id.to_owned())
        .bind(now_text())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SessionRecord {
                    created_at: row.try_get("created_at")?,
                    last_seen_at: row.try_get("last_seen_at")?,
                    expires_at: row.try_get("expires_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Ends one session (sign out).
    pub async fn end_session(&self, user_id: &str, token_hash: &str) -> Result<u64, StoreError> {
        let args = (user_id.to_owned(), token_hash.to_owned());
        self.transaction(move |tx| {
            let (user_id, token_hash) = args.clone();
            Box::pin(async move {
                let ended =
                    sqlx::query("DELETE FROM user_session WHERE token_hash = $1 AND user_id = $2")
                        .bind(token_hash)
                        .bind(user_id.clone())
                        .execute(&mut **tx)
                        .await?
                        .rows_affected();
                append(
                    tx,
                    &AuditContext::user(&user_id, None),
                    "session.sign-out",
                    Some(("user", &user_id)),
                    json!({"sessions_ended": ended}),
                )
                .await?;
                Ok(ended)
            })
        })
        .await
    }

    /// Ends every session of the user and, with `revoke_tokens`, revokes every API token
    /// still active, in one transaction. Returns the sessions ended and the names of the
    /// tokens revoked, so the person can be told which.
    pub async fn sign_out_everywhere(
        &self,
        user_id: &str,
        revoke_tokens: bool,
    ) -> Result<(u64, Vec<String>), StoreError> {
        let user_id = user_id.to_owned();
        self.transaction(move |tx| {
            let user_id = user_id.clone();
            Box::pin(async move {
                let ended = end_sessions(tx, &user_id).await?;
                let mut revoked = Vec::new();
                if revoke_tokens {
                    let now = now_text();
                    let active = sqlx::query(
                        "SELECT id, name FROM api_token \
                         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
                         ORDER BY created_at",
                    )
                    .bind(user_id.clone())
                    .bind(now.clone())
                    .fetch_all(&mut **tx)
                    .await?;
                    for row in active {
                        let (id, name): (String, String) = (row.try_get(0)?, row.try_get(1)?);
                        sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE id = $2")
                            .bind(now.clone())
                            .bind(id)
                            .execute(&mut **tx)
                            .await?;
                        revoked.push(name);
                    }
                }
                append(
                    tx,
                    &AuditContext::user(&user_id, None),
                    "session.sign-out-everywhere",
                    Some(("user", &user_id)),
                    json!({"sessions_ended": ended, "api_tokens_revoked": revoked.len()}),
                )
                .await?;
                Ok((ended, revoked))
            })
        })
        .await
    }

    // --- API tokens ----------------------------------------------------------------------

    pub async fn create_api_token(
        &self,
        ctx: &AuditContext,
        new: &NewApiToken,
    ) -> Result<(), StoreError> {
        let (ctx, new) = (ctx.clone(), new.clone());
        self.transaction(move |tx| {
            let (ctx, new) = (ctx.clone(), new.clone());
            Box::pin(async move {
                let roles = serde_json::to_string(&new.roles).map_err(|e| corrupt("token roles", e.to_string()))?;
                let actions: Vec<&str> = new.actions.iter().map(|a| a.as_str()).collect();
                sqlx::query(
                    "INSERT INTO api_token (id, secret_hash, user_id, name, roles, actions, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(new.id.clone())
                .bind(new.secret_hash.clone())
                .bind(new.user_id.clone())
                .bind(new.name.clone())
                .bind(roles)
                .bind(actions.join(" "))
                .bind(now_text())
                .bind(new.expires_at.clone())
                .execute(&mut **tx)
                .await?;
                append(
                    tx,
                    &ctx,
                    "api-token.create",
                    Some(("api-token", &new.id)),
                    json!({"actions": actions, "roles": new.roles, "expires_at": new.expires_at}),
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    fn api_token_from_row(row: &AnyRow) -> Result<ApiTokenRecord, StoreError> {
        let roles: String = row.try_get("roles")?;
        let actions: String = row.try_get("actions")?;
        Ok(ApiTokenRecord {
            id: row.try_get("id")?,
            secret_hash: row.try_get("secret_hash")?,
            user_id: row.try_get("user_id")?,
            name: row.try_get("name")?,
            roles: serde_json::from_str(&roles)
                .map_err(|_| corrupt("token roles", roles.clone()))?,
            actions: actions
                .split_whitespace()
                .map(|a| Action::parse(a).ok_or_else(|| corrupt("token action", a)))
                .collect::<Result<_, _>>()?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            revoked_at: row.try_get("revoked_at")?,
            last_used_at: row.try_get("last_used_at")?,
        })
    }

    pub async fn api_token(&self, id: &str) -> Result<Option<ApiTokenRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM api_token WHERE id = $1")
            .bind(id.to_owned())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(Self::api_token_from_row).transpose()
    }

    pub async fn api_tokens(&self, user_id: &str) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM api_token WHERE user_id = $1 ORDER BY created_at DESC")
                .bind(user_id.to_owned())
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(Self::api_token_from_row).collect()
    }

    pub async fn touch_api_token(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE id = $2")
            .bind(now_text())
            .bind(id.to_owned())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn revoke_api_token(
        &self,
        ctx: &AuditContext,
        user_id: &str,
        id: &str,
    ) -> Result<(), StoreError> {
        let args = (ctx.clone(), user_id.to_owned(), id.to_owned());
        self.transaction(move |tx| {
            let (ctx, user_id, id) = args.clone();
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
                )
                .bind(now_text())
                .bind(id.clone())
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound { what: "API token", id });
                }
                append(tx, &ctx, "api-token.revoke", Some(("api-token", &id)), json!({})).await?;
                Ok(())
            })
        })
        .await
    }

    // --- Sign-in throttling --------------------------------------------------------------

    pub async fn record_login_failure(
        &self,
        email: &str,
        client_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO login_failure (id, email_key, client_hash, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(new_id())
        .bind(email_key(email))
        .bind(client_hash.to_owned())
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Failed sign-ins since `since`: for this account from this client network, and from
    /// this network for any account, each with the time of the latest.
    pub async fn login_failures_since(
        &self,
        email: &str,
        client_hash: &str,
        since: &str,
    ) -> Result<LoginFailures, StoreError> {
        let pair = sqlx::query(
            "SELECT COUNT(*), MAX(at) FROM login_failure \
             WHERE email_key = $1 AND client_hash = $2 AND at > $3",
        )
        .bind(email_key(email))
        .bind(client_hash.to_owned())
        .bind(since.to_owned())
        .fetch_one(self.pool())
        .await?;
        let network = sqlx::query(
            "SELECT COUNT(*), MAX(at) FROM login_failure WHERE client_hash = $1 AND at > $2",
        )
        .bind(client_hash.to_owned())
        .bind(since.to_owned())
        .fetch_one(self.pool())
        .await?;
        Ok(LoginFailures {
            pair: pair.try_get::<i64, _>(0)? as u64,
            pair_last: pair.try_get(1)?,
            network: network.try_get::<i64, _>(0)? as u64,
            network_last: network.try_get(1)?,
        })
    }

    /// Forgets what this pair failed (after its successful sign-in) and everything older
    /// than `before`. Other networks' failures on the account stay: a success here must not
    /// reset an attacker elsewhere.
    pub async fn clear_login_failures(
        &self,
        email: &str,
        client_hash: &str,
        before: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM login_failure WHERE (email_key = $1 AND client_hash = $2) OR at < $3",
        )
        .bind(email_key(email))
        .bind(client_hash.to_owned())
        .bind(before.to_owned())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Queues one email to every active administrator (security alerts).
    pub async fn alert_administrators(
        &self,
        subject: &str,
        body: &str,
    ) -> Result<usize, StoreError> {
        let args = (subject.to_owned(), body.to_owned());
        self.transaction(move |tx| {
            let (subject, body) = args.clone();
            Box::pin(async move {
                let admins: Vec<String> = sqlx::query_scalar(
                    "SELECT DISTINCT u.email FROM app_user u JOIN role_grant g ON g.user_id = u.id \
                     WHERE g.role = 'administrator' AND g.revoked_at IS NULL AND u.status = 'active' \
                     ORDER BY u.email",
                )
                .fetch_all(&mut **tx)
                .await?;
                for to in &admins {
                    outbox::queue(tx, to, &subject, &body).await?;
                }
                Ok(admins.len())
            })
        })
        .await
    }
}

/// Failed sign-ins counted for throttling (see `marrakech_core::accounts::sign_in_throttle`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginFailures {
    /// This account from this client network.
    pub pair: u64,
    pub pair_last: Option<String>,
    /// This client network, any account.
    pub network: u64,
    pub network_last: Option<String>,
}

async fn insert_organization(
    tx: &mut Transaction<'static, Any>,
    ctx: &AuditContext,
    new: &NewOrganization,
    verified: bool,
) -> Result<String, StoreError> {
    let key = name_key(&new.name);
    let clash: Option<String> =
        sqlx::query_scalar("SELECT id FROM organization WHERE name_key = $1")
            .bind(key.clone())
            .fetch_optional(&mut **tx)
            .await?;
    if clash.is_some() {
        return Err(StoreError::Conflict {
            field: "name",
            message: "an organization with this name exists already".into(),
        });
    }
    let id = new_id();
    let now = now_text();
    sqlx::query(
        "INSERT INTO organization (id, name, name_key, kind, country_m49, website, description, \
         verified, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(id.clone())
    .bind(new.name.clone())
    .bind(key)
    .bind(new.kind.slug())
    .bind(new.country.map(|c| c.to_string()))
    .bind(new.website.clone())
    .bind(new.description.clone())
    .bind(i64::from(verified))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    append(
        tx,
        ctx,
        "organization.create",
        Some(("organization", &id)),
        json!({"kind": new.kind.slug(), "country": new.country.map(|c| c.to_string())}),
    )
    .await?;
    Ok(id)
}
