-- Reference data: the compact as citable passages, countries, M49 regions, regional
-- commissions. Loaded from the binary's bundled data at start-up (see reference.rs), so
-- that later tables can point at objectives, actions, principles and countries by foreign key.

CREATE TABLE reference_data (
    name      TEXT PRIMARY KEY,
    sha256    TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

-- Resolution header fields (symbol, title, adoption date, ...).
CREATE TABLE compact_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every citable passage, in a tree: paragraphs (para-43, res-1), their items (para-43-a,
-- para-43-a-iii, obj-20-a, gp-a), preambular paragraphs (res-pp-1), the annex opening.
CREATE TABLE compact_passage (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('preamble', 'opening', 'paragraph', 'item')),
    parent_id    TEXT REFERENCES compact_passage (id),
    -- The numbered paragraph a passage belongs to (itself for a paragraph).
    paragraph_id TEXT REFERENCES compact_passage (id),
    number       INTEGER,
    label        TEXT,
    position     INTEGER NOT NULL,
    section      TEXT NOT NULL,
    subsection   TEXT,
    title        TEXT,
    heading      TEXT,
    list_intro   TEXT,
    text         TEXT NOT NULL
);
CREATE INDEX compact_passage_paragraph ON compact_passage (paragraph_id, position);

CREATE TABLE compact_objective (
    id           TEXT PRIMARY KEY,
    number       INTEGER NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    label        TEXT NOT NULL,
    paragraph_id TEXT NOT NULL REFERENCES compact_passage (id)
);

CREATE TABLE compact_action (
    id           TEXT PRIMARY KEY REFERENCES compact_passage (id),
    objective_id TEXT NOT NULL REFERENCES compact_objective (id),
    letter       TEXT NOT NULL
);
CREATE INDEX compact_action_objective ON compact_action (objective_id);

CREATE TABLE compact_principle (
    id     TEXT PRIMARY KEY REFERENCES compact_passage (id),
    letter TEXT NOT NULL UNIQUE
);

CREATE TABLE compact_footnote (
    number INTEGER PRIMARY KEY,
    text   TEXT NOT NULL
);

CREATE TABLE compact_citation (
    passage_id TEXT NOT NULL REFERENCES compact_passage (id),
    position   INTEGER NOT NULL,
    footnote   INTEGER NOT NULL REFERENCES compact_footnote (number),
    PRIMARY KEY (passage_id, position)
);

CREATE TABLE region (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('region', 'subregion', 'intermediate')),
    parent_code TEXT REFERENCES region (code)
);

CREATE TABLE country (
    m49                      TEXT PRIMARY KEY,
    iso2                     TEXT NOT NULL UNIQUE,
    iso3                     TEXT NOT NULL UNIQUE,
    name                     TEXT NOT NULL,
    iso_name                 TEXT NOT NULL,
    -- Lower case without accents: sorts alike on every backend and collation.
    sort_name                TEXT NOT NULL,
    region_code              TEXT REFERENCES region (code),
    subregion_code           TEXT REFERENCES region (code),
    intermediate_region_code TEXT REFERENCES region (code),
    un_member_state          INTEGER NOT NULL CHECK (un_member_state IN (0, 1))
);

CREATE TABLE country_commission (
    m49        TEXT NOT NULL REFERENCES country (m49),
    commission TEXT NOT NULL CHECK (commission IN ('ECA', 'ECE', 'ECLAC', 'ESCAP', 'ESCWA')),
    membership TEXT NOT NULL CHECK (membership IN ('member', 'associate')),
    PRIMARY KEY (m49, commission)
);
CREATE INDEX country_sort_name ON country (sort_name);
CREATE INDEX country_commission_commission ON country_commission (commission, m49);
