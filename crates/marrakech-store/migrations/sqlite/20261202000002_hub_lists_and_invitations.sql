-- Hub lists keep their order: languages and preferred partners are a preference order,
-- which the form and the API give first to last.
ALTER TABLE hub_partner_objective ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_partner_action ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_partner_country ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_partner_region ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_partner_language ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_partner_support ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_request_requester ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_request_country ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_request_objective ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_request_action ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_request_language ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_request_support ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_request_preferred ADD COLUMN position INTEGER NOT NULL DEFAULT 0;

-- A joint request names another State only once that State's focal point accepts; until
-- then the State is invited, not a requester.
CREATE TABLE hub_request_invited (
    request_id TEXT NOT NULL REFERENCES hub_request (id),
    m49        TEXT NOT NULL REFERENCES country (m49),
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, m49)
);
