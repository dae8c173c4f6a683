-- The evidence base (objectives 1, 8 and 20): imported data sets and their rows.
--
-- A data set is one release of one source (UN DESA International Migrant Stock 2024, a World
-- Bank RPW release, an IOM Missing Migrants export, an SDMX-CSV file). Re-importing a release
-- replaces it in one transaction; another release is kept beside it. Derived figures (SDG
-- 10.c.1, stock totals, tallies) are computed from these rows, never stored as if imported.

CREATE TABLE stat_dataset (
    id          TEXT PRIMARY KEY,
    -- ims, rpw, rpw-corridors, mmp, sdmx, remittance-flows
    kind        TEXT NOT NULL,
    release     TEXT NOT NULL,
    title       TEXT NOT NULL,
    source      TEXT NOT NULL,
    licence     TEXT NOT NULL,
    url         TEXT,
    attribution TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    -- For SDMX-CSV: the structure the file was for and its dimensions, as JSON.
    structure   TEXT,
    rows_read   INTEGER NOT NULL,
    records     INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    bundled     INTEGER NOT NULL DEFAULT 0 CHECK (bundled IN (0, 1)),
    imported_at TEXT NOT NULL,
    UNIQUE (kind, release)
);

-- Observations with SDMX-style dimensions. Codes the source does not give are '_Z' (not
-- applicable) or '_T' (total), as SDMX writes them.
CREATE TABLE stat_observation (
    dataset_id       TEXT NOT NULL REFERENCES stat_dataset (id) ON DELETE CASCADE,
    indicator        TEXT NOT NULL,
    ref_area         TEXT NOT NULL,
    counterpart_area TEXT NOT NULL DEFAULT '_Z',
    time_period      TEXT NOT NULL,
    sex              TEXT NOT NULL DEFAULT '_T',
    age              TEXT NOT NULL DEFAULT '_T',
    migration_status TEXT NOT NULL DEFAULT '_Z',
    unit_measure     TEXT,
    obs_status       TEXT,
    value            REAL,
    -- A value that is not a number (`<5`), as written.
    value_text       TEXT,
    -- Any other dimensions and attributes of an SDMX-CSV row, as a JSON object.
    extra            TEXT
);
CREATE INDEX stat_observation_ref ON stat_observation (dataset_id, indicator, ref_area, time_period);
CREATE INDEX stat_observation_counterpart ON stat_observation (dataset_id, indicator, counterpart_area);

-- World Bank Remittance Prices Worldwide, provider level: one service in one corridor in one
-- quarter.
CREATE TABLE rpw_price (
    dataset_id       TEXT NOT NULL REFERENCES stat_dataset (id) ON DELETE CASCADE,
    line             INTEGER NOT NULL,
    period           TEXT NOT NULL,
    source_iso3      TEXT NOT NULL,
    destination_iso3 TEXT NOT NULL,
    firm             TEXT NOT NULL,
    firm_type        TEXT,
    instrument       TEXT,
    access_point     TEXT,
    speed            TEXT,
    pickup_method    TEXT,
    -- RPW's `receiving network coverage`: SmaRT leaves out services whose network is limited.
    network_coverage TEXT,
    lcu_code         TEXT,
    cc1_fee          REAL,
    cc1_fx_margin    REAL,
    cc1_total        REAL,
    cc2_fee          REAL,
    cc2_fx_margin    REAL,
    cc2_total        REAL,
    transparent      INTEGER CHECK (transparent IN (0, 1))
);
CREATE INDEX rpw_price_corridor ON rpw_price (dataset_id, source_iso3, destination_iso3, period);

-- IOM Missing Migrants Project incidents.
CREATE TABLE mmp_incident (
    dataset_id          TEXT NOT NULL REFERENCES stat_dataset (id) ON DELETE CASCADE,
    line                INTEGER NOT NULL,
    incident_id         TEXT NOT NULL,
    main_id             TEXT,
    incident_type       TEXT,
    region              TEXT NOT NULL,
    region_presumed     INTEGER NOT NULL DEFAULT 0 CHECK (region_presumed IN (0, 1)),
    incident_date       TEXT,
    year                INTEGER NOT NULL,
    month               INTEGER,
    dead                INTEGER,
    missing             INTEGER,
    total               INTEGER,
    survivors           INTEGER,
    females             INTEGER,
    males               INTEGER,
    children            INTEGER,
    origin_countries    TEXT,
    origin_regions      TEXT,
    cause_of_death      TEXT,
    country_of_incident TEXT,
    route               TEXT,
    location            TEXT,
    latitude            REAL,
    longitude           REAL,
    unsd_grouping       TEXT,
    information_source  TEXT,
    url                 TEXT,
    source_quality      INTEGER
);
CREATE INDEX mmp_incident_year ON mmp_incident (dataset_id, year);
