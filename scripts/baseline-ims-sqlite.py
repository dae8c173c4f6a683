#!/usr/bin/env python3
"""Baseline for `marrakech import ims`: pandas reads UN DESA's Table 1 CSV, reshapes it to one
row per destination, origin, year and sex (224,160 rows for the 2024 file), and Python's
sqlite3 writes them into a fresh SQLite file in one transaction with executemany. No
validation against the M49 table, no audit entry, no dataset metadata: a lower bound for the
same rows landing in SQLite.

    python3 scripts/baseline-ims-sqlite.py ../shared/data/undesa-ims-2024-table1-countries.csv
"""
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

started = time.perf_counter()
table = pd.read_csv(sys.argv[1], encoding="utf-8-sig")
value_columns = [c for c in table.columns if c[:4].isdigit() and "_" in c]
long = table.melt(
    id_vars=["Location code of destination", "Location code of origin", "Data type"],
    value_vars=value_columns,
)
long[["year", "sex"]] = long["variable"].str.split("_", expand=True)
rows = list(
    zip(
        long["Location code of destination"].astype(str),
        long["Location code of origin"].astype(str),
        long["year"],
        long["sex"],
        long["value"].astype(float),
        long["Data type"].fillna(""),
    )
)
with tempfile.TemporaryDirectory() as tmp:
    db = sqlite3.connect(Path(tmp) / "baseline.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE stat_observation (ref_area TEXT, counterpart_area TEXT, time_period TEXT, "
        "sex TEXT, value REAL, data_type TEXT)"
    )
    db.execute("CREATE INDEX stat_observation_ref ON stat_observation (ref_area, time_period)")
    with db:
        db.executemany("INSERT INTO stat_observation VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.close()
print(f"{len(rows)} rows into SQLite in {time.perf_counter() - started:.2f} s")
