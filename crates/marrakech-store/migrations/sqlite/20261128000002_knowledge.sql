-- The global knowledge platform (para 43(c)): items, their texts in the UN languages, their
-- taxonomy, links and attachments, the review workflow, calls for practices, and the log the
-- search index follows.

CREATE TABLE call_for_practices (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    theme      TEXT NOT NULL,
    opens_on   TEXT NOT NULL,
    closes_on  TEXT NOT NULL,
    created_by TEXT REFERENCES app_user (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE call_objective (
    call_id      TEXT NOT NULL REFERENCES call_for_practices (id),
    objective_id TEXT NOT NULL REFERENCES compact_objective (id),
    PRIMARY KEY (call_id, objective_id)
);

CREATE TABLE knowledge_item (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL,
    status               TEXT NOT NULL,
    original_language    TEXT NOT NULL,
    submitter_id         TEXT REFERENCES app_user (id),
    owner_organization   TEXT REFERENCES organization (id),
    owner_country        TEXT REFERENCES country (m49),
    call_id              TEXT REFERENCES call_for_practices (id),
    scope_global         INTEGER NOT NULL DEFAULT 0 CHECK (scope_global IN (0, 1)),
    period_start         INTEGER,
    period_end           INTEGER,
    implementation_state TEXT,
    licence              TEXT NOT NULL,
    -- Where it comes from: 'marrakech' when submitted here, or the harvested source's URL.
    source               TEXT NOT NULL,
    source_id            TEXT,
    source_url           TEXT,
    -- The content's fingerprint, so that a harvest knows what changed.
    content_hash         TEXT NOT NULL,
    contact_name         TEXT,
    contact_email        TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    submitted_at         TEXT,
    published_at         TEXT,
    withdrawn_at         TEXT
);
CREATE UNIQUE INDEX knowledge_item_source ON knowledge_item (source, source_id);
CREATE INDEX knowledge_item_status ON knowledge_item (status, published_at);
CREATE INDEX knowledge_item_call ON knowledge_item (call_id);

CREATE TABLE knowledge_text (
    item_id  TEXT NOT NULL REFERENCES knowledge_item (id),
    language TEXT NOT NULL,
    title    TEXT NOT NULL,
    summary  TEXT NOT NULL,
    body     TEXT NOT NULL DEFAULT '',
    results  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item_id, language)
);

-- The item's place on the compact's spine and on the map: foreign keys to the compact's
-- objectives, actions and principles and to countries and regions, so that nothing points
-- at an id that does not exist.
CREATE TABLE knowledge_objective (
    item_id      TEXT NOT NULL REFERENCES knowledge_item (id),
    objective_id TEXT NOT NULL REFERENCES compact_objective (id),
    PRIMARY KEY (item_id, objective_id)
);
CREATE INDEX knowledge_objective_objective ON knowledge_objective (objective_id);

CREATE TABLE knowledge_action (
    item_id   TEXT NOT NULL REFERENCES knowledge_item (id),
    action_id TEXT NOT NULL REFERENCES compact_action (id),
    PRIMARY KEY (item_id, action_id)
);

CREATE TABLE knowledge_principle (
    item_id      TEXT NOT NULL REFERENCES knowledge_item (id),
    principle_id TEXT NOT NULL REFERENCES compact_principle (id),
    PRIMARY KEY (item_id, principle_id)
);

CREATE TABLE knowledge_country (
    item_id TEXT NOT NULL REFERENCES knowledge_item (id),
    m49     TEXT NOT NULL REFERENCES country (m49),
    PRIMARY KEY (item_id, m49)
);

CREATE TABLE knowledge_region (
    item_id     TEXT NOT NULL REFERENCES knowledge_item (id),
    region_code TEXT NOT NULL REFERENCES region (code),
    PRIMARY KEY (item_id, region_code)
);

-- Free thematic tags.
CREATE TABLE knowledge_theme (
    item_id TEXT NOT NULL REFERENCES knowledge_item (id),
    theme   TEXT NOT NULL,
    PRIMARY KEY (item_id, theme)
);

CREATE TABLE knowledge_party (
    item_id         TEXT NOT NULL REFERENCES knowledge_item (id),
    position        INTEGER NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('implementer', 'partner')),
    name            TEXT NOT NULL,
    organization_id TEXT REFERENCES organization (id),
    kind            TEXT,
    PRIMARY KEY (item_id, position)
);

CREATE TABLE knowledge_link (
    item_id  TEXT NOT NULL REFERENCES knowledge_item (id),
    position INTEGER NOT NULL,
    url      TEXT NOT NULL,
    title    TEXT NOT NULL,
    format   TEXT,
    PRIMARY KEY (item_id, position)
);

CREATE TABLE knowledge_attachment (
    id         TEXT PRIMARY KEY,
    item_id    TEXT NOT NULL REFERENCES knowledge_item (id),
    filename   TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    content    BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX knowledge_attachment_item ON knowledge_attachment (item_id);

CREATE TABLE knowledge_transition (
    id          TEXT PRIMARY KEY,
    item_id     TEXT NOT NULL REFERENCES knowledge_item (id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor_id    TEXT REFERENCES app_user (id),
    actor_role  TEXT,
    note        TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX knowledge_transition_item ON knowledge_transition (item_id, at);

CREATE TABLE knowledge_review (
    id              TEXT PRIMARY KEY,
    item_id         TEXT NOT NULL REFERENCES knowledge_item (id),
    reviewer_id     TEXT NOT NULL REFERENCES app_user (id),
    reviewer_kind   TEXT NOT NULL CHECK (reviewer_kind IN ('internal', 'external')),
    assigned_by     TEXT REFERENCES app_user (id),
    assigned_at     TEXT NOT NULL,
    conflict        INTEGER NOT NULL DEFAULT 0 CHECK (conflict IN (0, 1)),
    conflict_note   TEXT NOT NULL DEFAULT '',
    verdict         TEXT CHECK (verdict IN ('publish', 'revise', 'reject')),
    comment         TEXT NOT NULL DEFAULT '',
    completed_at    TEXT,
    UNIQUE (item_id, reviewer_id)
);
CREATE INDEX knowledge_review_reviewer ON knowledge_review (reviewer_id, completed_at);

CREATE TABLE knowledge_comment (
    id                   TEXT PRIMARY KEY,
    item_id              TEXT NOT NULL REFERENCES knowledge_item (id),
    author_id            TEXT REFERENCES app_user (id),
    body                 TEXT NOT NULL,
    visible_to_submitter INTEGER NOT NULL CHECK (visible_to_submitter IN (0, 1)),
    created_at           TEXT NOT NULL
);
CREATE INDEX knowledge_comment_item ON knowledge_comment (item_id, created_at);

-- Every change to what is published, in order: each server's search index applies the log
-- past the point it has reached, so that indexes never drift from the database.
CREATE TABLE knowledge_index_log (
    seq     INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL,
    at      TEXT NOT NULL
);
