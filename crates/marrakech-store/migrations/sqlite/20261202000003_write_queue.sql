-- Writers queue on this table's lock on PostgreSQL (see `Backend::queue_writers`): it
-- holds no rows. SQLite has it too, unused, so both schemas stay the same.
CREATE TABLE write_queue (id INTEGER PRIMARY KEY);
