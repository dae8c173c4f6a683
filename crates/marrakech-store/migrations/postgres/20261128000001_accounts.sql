-- Accounts, roles, sessions, tokens, the email outbox and the audit trail.
-- Columns holding personal data are listed in src/personal.rs; none reaches a public answer.

CREATE TABLE organization (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    country_m49 TEXT REFERENCES country (m49),
    website     TEXT,
    description TEXT NOT NULL DEFAULT '',
    verified    BIGINT NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX organization_kind ON organization (kind);

CREATE TABLE app_user (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT,
    status        TEXT NOT NULL CHECK (status IN ('invited', 'pending', 'active', 'disabled', 'deleted')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE role_grant (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES app_user (id),
    role            TEXT NOT NULL,
    reviewer_kind   TEXT CHECK (reviewer_kind IN ('internal', 'external')),
    country_m49     TEXT REFERENCES country (m49),
    organization_id TEXT REFERENCES organization (id),
    granted_by      TEXT REFERENCES app_user (id),
    created_at      TEXT NOT NULL,
    revoked_at      TEXT,
    CHECK ((role = 'reviewer') = (reviewer_kind IS NOT NULL)),
    CHECK ((role = 'focal-point') = (country_m49 IS NOT NULL)),
    CHECK ((role = 'contributor') = (organization_id IS NOT NULL))
);
CREATE INDEX role_grant_user ON role_grant (user_id);

CREATE TABLE user_session (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES app_user (id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);

-- Single-use links sent by email: invitations, email confirmations, password resets.
CREATE TABLE user_token (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES app_user (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'confirm-email', 'password-reset')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX user_token_user ON user_token (user_id, purpose);

CREATE TABLE api_token (
    id           TEXT PRIMARY KEY,
    secret_hash  TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES app_user (id),
    name         TEXT NOT NULL,
    roles        TEXT NOT NULL,
    actions      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX api_token_user ON api_token (user_id);

-- Failed sign-ins, for throttling by account and by client address (a hash, never the
-- address itself). Old rows are pruned.
CREATE TABLE login_failure (
    id          TEXT PRIMARY KEY,
    email_key   TEXT NOT NULL,
    client_hash TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX login_failure_email ON login_failure (email_key, at);
CREATE INDEX login_failure_client ON login_failure (client_hash, at);

CREATE TABLE email_outbox (
    id              TEXT PRIMARY KEY,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT
);
CREATE INDEX email_outbox_pending ON email_outbox (sent_at, next_attempt_at);

-- The audit trail: append-only, each entry carrying the hash of the one before it. Summaries
-- name ids and fields, never personal values, so that deleting an account (which
-- pseudonymizes the user row) leaves the chain verifiable.
CREATE TABLE audit_entry (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    TEXT,
    actor_role  TEXT,
    action      TEXT NOT NULL,
    target_kind TEXT,
    target_id   TEXT,
    summary     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_entry_actor ON audit_entry (actor_id, seq);
CREATE INDEX audit_entry_target ON audit_entry (target_kind, target_id, seq);

CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$;
CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
