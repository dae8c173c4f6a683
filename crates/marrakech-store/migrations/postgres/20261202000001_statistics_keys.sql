-- Every data set has a key, and the store enforces it (issue 11: a file of IMS rows repeated 20
-- times was stored whole, and Mexico's 2024 immigrant stock read 20 times too high).
--
-- - observations: the dimensions (indicator, areas, period, sex, age, migration status) and,
--   for SDMX-CSV, `series_key`: the dataflow and every dimension of the series, since a file
--   may have dimensions beyond those with a column of their own;
-- - RPW prices: `row_key`, written by the importer: the quarter and RPW's row id, or (rows
--   without an id) everything that describes the service and its prices;
-- - Missing Migrants incidents: IOM's incident id.
--
-- Rows stored before this migration are given keys from what they hold (an SDMX row's other
-- dimensions and attributes; a price row's every column), a second row with the key of an
-- earlier one is removed (the first is kept), and the counts are taken again.

ALTER TABLE stat_observation ADD COLUMN series_key TEXT NOT NULL DEFAULT '';
UPDATE stat_observation SET series_key = COALESCE(extra, '')
 WHERE dataset_id IN (SELECT id FROM stat_dataset WHERE kind = 'sdmx');
DELETE FROM stat_observation WHERE ctid IN (
    SELECT r FROM (
        SELECT ctid AS r, ROW_NUMBER() OVER (
            PARTITION BY dataset_id, indicator, ref_area, counterpart_area, time_period, sex,
                         age, migration_status, series_key
            ORDER BY ctid) AS n
        FROM stat_observation) d
    WHERE n > 1);
CREATE UNIQUE INDEX stat_observation_key ON stat_observation
    (dataset_id, indicator, ref_area, counterpart_area, time_period, sex, age, migration_status,
     series_key);

ALTER TABLE rpw_price ADD COLUMN row_key TEXT NOT NULL DEFAULT '';
UPDATE rpw_price SET row_key = period || '|' || source_iso3 || destination_iso3 || '|' || firm
    || '|' || COALESCE(firm_type, '') || '|' || COALESCE(instrument, '')
    || '|' || COALESCE(access_point, '') || '|' || COALESCE(speed, '')
    || '|' || COALESCE(pickup_method, '') || '|' || COALESCE(network_coverage, '')
    || '|' || COALESCE(lcu_code, '')
    || '|' || COALESCE(CAST(cc1_fee AS TEXT), '') || '|' || COALESCE(CAST(cc1_fx_margin AS TEXT), '')
    || '|' || COALESCE(CAST(cc1_total AS TEXT), '') || '|' || COALESCE(CAST(cc2_fee AS TEXT), '')
    || '|' || COALESCE(CAST(cc2_fx_margin AS TEXT), '') || '|' || COALESCE(CAST(cc2_total AS TEXT), '')
    || '|' || COALESCE(CAST(transparent AS TEXT), '');
DELETE FROM rpw_price WHERE ctid IN (
    SELECT r FROM (
        SELECT ctid AS r, ROW_NUMBER() OVER (PARTITION BY dataset_id, row_key ORDER BY ctid) AS n
        FROM rpw_price) d
    WHERE n > 1);
CREATE UNIQUE INDEX rpw_price_key ON rpw_price (dataset_id, row_key);

DELETE FROM mmp_incident WHERE ctid IN (
    SELECT r FROM (
        SELECT ctid AS r, ROW_NUMBER() OVER (PARTITION BY dataset_id, incident_id ORDER BY ctid) AS n
        FROM mmp_incident) d
    WHERE n > 1);
CREATE UNIQUE INDEX mmp_incident_key ON mmp_incident (dataset_id, incident_id);

UPDATE stat_dataset SET records = CASE kind
    WHEN 'rpw' THEN (SELECT COUNT(*) FROM rpw_price p WHERE p.dataset_id = stat_dataset.id)
    WHEN 'mmp' THEN (SELECT COUNT(*) FROM mmp_incident i WHERE i.dataset_id = stat_dataset.id)
    ELSE (SELECT COUNT(*) FROM stat_observation o WHERE o.dataset_id = stat_dataset.id)
END;
