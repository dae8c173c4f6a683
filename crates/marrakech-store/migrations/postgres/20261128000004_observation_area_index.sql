-- Observations asked for by area without an indicator (the statistics API's dimension
-- filters, one country over all years) would otherwise read the whole data set.
CREATE INDEX stat_observation_area ON stat_observation (dataset_id, ref_area, time_period);
