-- The connection hub (para 43(a)): the partner registry, support requests and their
-- workflow, matching suggestions with the officers' decisions, teams, funding and concept
-- notes. Lists hang off their owner in one table each, with foreign keys to the compact's
-- ids, countries and regions, as the knowledge platform's do.

-- An organization's comparative-advantage profile. Its track record and current load are
-- derived from requests and knowledge items, never typed in.
CREATE TABLE hub_partner (
    organization_id TEXT PRIMARY KEY REFERENCES organization (id),
    summary         TEXT NOT NULL,
    staff           INTEGER NOT NULL CHECK (staff >= 0),
    -- Works worldwide (M49 001, which the region table does not hold).
    global          INTEGER NOT NULL DEFAULT 0 CHECK (global IN (0, 1)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE TABLE hub_partner_objective (
    organization_id TEXT NOT NULL REFERENCES hub_partner (organization_id),
    objective_id    TEXT NOT NULL REFERENCES compact_objective (id),
    PRIMARY KEY (organization_id, objective_id)
);
CREATE TABLE hub_partner_action (
    organization_id TEXT NOT NULL REFERENCES hub_partner (organization_id),
    action_id       TEXT NOT NULL REFERENCES compact_action (id),
    PRIMARY KEY (organization_id, action_id)
);
CREATE TABLE hub_partner_country (
    organization_id TEXT NOT NULL REFERENCES hub_partner (organization_id),
    m49             TEXT NOT NULL REFERENCES country (m49),
    PRIMARY KEY (organization_id, m49)
);
CREATE TABLE hub_partner_region (
    organization_id TEXT NOT NULL REFERENCES hub_partner (organization_id),
    region_code     TEXT NOT NULL REFERENCES region (code),
    PRIMARY KEY (organization_id, region_code)
);
CREATE TABLE hub_partner_language (
    organization_id TEXT NOT NULL REFERENCES hub_partner (organization_id),
    language        TEXT NOT NULL,
    PRIMARY KEY (organization_id, language)
);
CREATE TABLE hub_partner_support (
    organization_id TEXT NOT NULL REFERENCES hub_partner (organization_id),
    kind            TEXT NOT NULL,
    PRIMARY KEY (organization_id, kind)
);

CREATE TABLE hub_request (
    id              TEXT PRIMARY KEY,
    -- HUB-2026-0001: what people quote in emails and on the phone.
    reference       TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    urgency         TEXT NOT NULL CHECK (urgency IN ('low', 'normal', 'high')),
    stage           TEXT NOT NULL,
    public          INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    submitter_id    TEXT NOT NULL REFERENCES app_user (id),
    officer_id      TEXT REFERENCES app_user (id),
    -- A retried submission carries the same key and finds the request it made.
    idempotency_key TEXT,
    stage_since     TEXT NOT NULL,
    stage_due       TEXT,
    -- The overdue stage its holders were last told of, so they are told once per stage.
    overdue_notice  TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    closed_at       TEXT,
    UNIQUE (submitter_id, idempotency_key)
);
CREATE INDEX hub_request_stage ON hub_request (stage, stage_due);

-- The countries that make the request (one, or several jointly).
CREATE TABLE hub_request_requester (
    request_id TEXT NOT NULL REFERENCES hub_request (id),
    m49        TEXT NOT NULL REFERENCES country (m49),
    PRIMARY KEY (request_id, m49)
);
CREATE INDEX hub_request_requester_m49 ON hub_request_requester (m49);
-- The countries the request concerns.
CREATE TABLE hub_request_country (
    request_id TEXT NOT NULL REFERENCES hub_request (id),
    m49        TEXT NOT NULL REFERENCES country (m49),
    PRIMARY KEY (request_id, m49)
);
CREATE TABLE hub_request_objective (
    request_id   TEXT NOT NULL REFERENCES hub_request (id),
    objective_id TEXT NOT NULL REFERENCES compact_objective (id),
    PRIMARY KEY (request_id, objective_id)
);
CREATE TABLE hub_request_action (
    request_id TEXT NOT NULL REFERENCES hub_request (id),
    action_id  TEXT NOT NULL REFERENCES compact_action (id),
    PRIMARY KEY (request_id, action_id)
);
CREATE TABLE hub_request_language (
    request_id TEXT NOT NULL REFERENCES hub_request (id),
    language   TEXT NOT NULL,
    PRIMARY KEY (request_id, language)
);
CREATE TABLE hub_request_support (
    request_id TEXT NOT NULL REFERENCES hub_request (id),
    kind       TEXT NOT NULL,
    PRIMARY KEY (request_id, kind)
);
CREATE TABLE hub_request_preferred (
    request_id      TEXT NOT NULL REFERENCES hub_request (id),
    organization_id TEXT NOT NULL REFERENCES organization (id),
    PRIMARY KEY (request_id, organization_id)
);

CREATE TABLE hub_transition (
    id         TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES hub_request (id),
    from_stage TEXT,
    to_stage   TEXT NOT NULL,
    actor_id   TEXT REFERENCES app_user (id),
    actor_role TEXT,
    note       TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL
);
CREATE INDEX hub_transition_request ON hub_transition (request_id, at);

CREATE TABLE hub_comment (
    id         TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES hub_request (id),
    author_id  TEXT NOT NULL REFERENCES app_user (id),
    body       TEXT NOT NULL,
    -- Shared with the requesting country, or internal to the secretariat and partners.
    shared     INTEGER NOT NULL CHECK (shared IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE INDEX hub_comment_request ON hub_comment (request_id, created_at);

CREATE TABLE hub_attachment (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES hub_request (id),
    filename    TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL,
    uploader_id TEXT NOT NULL REFERENCES app_user (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX hub_attachment_request ON hub_attachment (request_id);

-- What matching proposed, with its factors as shown, and what an officer decided.
CREATE TABLE hub_suggestion (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES hub_request (id),
    target_kind TEXT NOT NULL CHECK (target_kind IN ('partner', 'item', 'request')),
    target_id   TEXT NOT NULL,
    title       TEXT NOT NULL,
    rank        INTEGER NOT NULL,
    score       REAL NOT NULL,
    factors     TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    decision    TEXT CHECK (decision IN ('accepted', 'dismissed')),
    decided_by  TEXT REFERENCES app_user (id),
    decided_at  TEXT,
    UNIQUE (request_id, target_kind, target_id)
);

CREATE TABLE hub_team_member (
    id              TEXT PRIMARY KEY,
    request_id      TEXT NOT NULL REFERENCES hub_request (id),
    role            TEXT NOT NULL CHECK (role IN ('lead', 'participant', 'government-counterpart', 'stakeholder')),
    -- A registered organization, or an institution named in words (a ministry).
    organization_id TEXT REFERENCES organization (id),
    name            TEXT NOT NULL,
    kind            TEXT,
    contribution    TEXT NOT NULL DEFAULT '',
    added_at        TEXT NOT NULL
);
CREATE INDEX hub_team_member_request ON hub_team_member (request_id);
CREATE INDEX hub_team_member_organization ON hub_team_member (organization_id);

CREATE TABLE hub_funding (
    id              TEXT PRIMARY KEY,
    request_id      TEXT NOT NULL REFERENCES hub_request (id),
    -- 'start-up-fund', or a registered organization's id.
    source          TEXT NOT NULL,
    source_name     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('identified', 'applied', 'secured')),
    amount_usd      INTEGER CHECK (amount_usd IS NULL OR amount_usd >= 0),
    note            TEXT NOT NULL DEFAULT '',
    added_at        TEXT NOT NULL,
    UNIQUE (request_id, source)
);

-- A concept note for the start-up fund, prefilled from the request and its team; the fund
-- takes it over as a record.
CREATE TABLE hub_concept_note (
    request_id  TEXT PRIMARY KEY REFERENCES hub_request (id),
    content     TEXT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES app_user (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Bumped by the changes matching reads, so a server's matcher knows what to rebuild: `seq`
-- for the partner registry (profiles, teams, closed requests), `peers` for the set of public
-- requests offered as peers.
CREATE TABLE hub_revision (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    peers INTEGER NOT NULL DEFAULT 0
);
INSERT INTO hub_revision (id, seq) VALUES (1, 0);
