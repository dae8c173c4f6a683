#!/usr/bin/env python3
"""Baselines for the marrakech-evidence benchmarks, run by the Rust bench runner.

Each command times only the operation itself (not Python's start-up or imports), takes the
best of --repeat runs, and prints `seconds <s>` and `rows <n>`; `sdg` also prints the
figures as CSV lines for the runner to compare with its own.

  baseline.py csv FILE                      pandas.read_csv
  baseline.py xlsx FILE SHEET               pandas.read_excel(engine="openpyxl")
  baseline.py duckdb-csv FILE               DuckDB read_csv into a table
  baseline.py sdg ROWS.csv WEIGHTS.csv REGIONS.csv
                                            DuckDB: load the rows, then SDG 10.c.1 per quarter
"""
import argparse
import sys
import time


def best_of(repeat, fn):
    best, result = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None or dt < best else best
    return best, result


# The same rules as the Rust code (src/sdg10c1.rs), written independently in SQL.
SDG_SQL = r"""
WITH base AS (
    SELECT period,
           source_code || destination_code AS corridor,
           destination_code AS dest,
           CAST("cc1 total cost %" AS DOUBLE) AS cost,
           lower(trim(transparent)) AS tr,
           lower(trim("speed actual")) AS speed,
           lower("receiving network coverage") AS cov
    FROM rows
    WHERE "cc1 total cost %" IS NOT NULL AND trim("cc1 total cost %") <> ''
),
inc AS (
    SELECT * FROM base WHERE tr IS NULL OR tr NOT IN ('no', 'n', 'false', '0')
),
qual AS (
    SELECT period, corridor, cost,
           row_number() OVER (PARTITION BY period, corridor ORDER BY cost) AS rk
    FROM inc
    WHERE tr IN ('yes', 'y', 'true', '1')
      AND speed IN ('less than one hour', 'same day', 'next day', '2 days', '3-5 days')
      AND (cov IS NULL OR NOT (cov LIKE '%limited%' OR cov LIKE '%restricted%'))
),
corr AS (
    SELECT period, corridor, avg(cost) AS avg_cost FROM inc GROUP BY period, corridor
),
smart_c AS (
    SELECT period, corridor, avg(cost) AS s FROM qual WHERE rk <= 3 GROUP BY period, corridor
),
per_corr AS (
    SELECT c.period, c.corridor, c.avg_cost, s.s, w.w
    FROM corr c
    LEFT JOIN smart_c s USING (period, corridor)
    LEFT JOIN (SELECT corridor, w FROM weights WHERE w > 0) w USING (corridor)
),
q AS (
    SELECT period,
           count(*) AS services,
           count(*) FILTER (WHERE tr IN ('no', 'n', 'false', '0')) AS excluded,
           avg(cost) FILTER (WHERE tr IS NULL OR tr NOT IN ('no', 'n', 'false', '0')) AS ga
    FROM base GROUP BY period
),
qc AS (
    SELECT period,
           avg(s) AS smart,
           count(s) AS smart_corridors,
           count(*) - count(s) AS without_smart,
           sum(w * avg_cost) / sum(w) AS weighted,
           count(w) AS weighted_corridors,
           count(*) - count(w) AS unweighted,
           count(*) AS corridors,
           count(*) FILTER (WHERE avg_cost > 5.0) AS above
    FROM per_corr GROUP BY period
)
SELECT q.period, services, excluded, ga, smart, smart_corridors, without_smart, weighted,
       weighted_corridors, unweighted, corridors, above
FROM q JOIN qc USING (period) ORDER BY period
"""

REGION_SQL = r"""
SELECT period, r.region AS region, avg(cost) AS average, count(*) AS services
FROM (
    SELECT period, destination_code AS dest, CAST("cc1 total cost %" AS DOUBLE) AS cost,
           lower(trim(transparent)) AS tr
    FROM rows
    WHERE "cc1 total cost %" IS NOT NULL AND trim("cc1 total cost %") <> ''
) b
JOIN regions r ON r.iso3 = b.dest
WHERE tr IS NULL OR tr NOT IN ('no', 'n', 'false', '0')
GROUP BY period, r.region ORDER BY period, r.region
"""


def fmt(v):
    return "" if v is None else repr(v)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command")
    p.add_argument("files", nargs="+")
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()

    if a.command == "csv":
        import pandas as pd

        secs, df = best_of(a.repeat, lambda: pd.read_csv(a.files[0]))
        print(f"seconds {secs!r}\nrows {len(df)}")
    elif a.command == "xlsx":
        import pandas as pd

        secs, df = best_of(
            a.repeat,
            lambda: pd.read_excel(a.files[0], sheet_name=a.files[1], engine="openpyxl"),
        )
        print(f"seconds {secs!r}\nrows {len(df)}")
    elif a.command == "duckdb-csv":
        import duckdb

        def load():
            con = duckdb.connect()
            con.execute(
                "CREATE TABLE t AS SELECT * FROM read_csv(?, header=true, all_varchar=true)",
                [a.files[0]],
            )
            return con.execute("SELECT count(*) FROM t").fetchone()[0]

        secs, n = best_of(a.repeat, load)
        print(f"seconds {secs!r}\nrows {n}")
    elif a.command == "sdg":
        import duckdb

        rows_csv, weights_csv, regions_csv = a.files
        con = duckdb.connect()
        con.execute("SET threads TO 2")

        def load():
            con.execute("DROP TABLE IF EXISTS rows")
            con.execute(
                "CREATE TABLE rows AS SELECT * FROM read_csv(?, header=true, all_varchar=true)",
                [rows_csv],
            )

        load_secs, _ = best_of(a.repeat, load)
        con.execute(
            "CREATE TABLE weights AS SELECT corridor, CAST(w AS DOUBLE) AS w "
            "FROM read_csv(?, header=true, all_varchar=true)",
            [weights_csv],
        )
        con.execute(
            "CREATE TABLE regions AS SELECT * FROM read_csv(?, header=true, all_varchar=true)",
            [regions_csv],
        )

        def compute():
            return (
                con.execute(SDG_SQL).fetchall(),
                con.execute(REGION_SQL).fetchall(),
            )

        secs, (figures, regions) = best_of(a.repeat, compute)
        n = con.execute("SELECT count(*) FROM rows").fetchone()[0]
        print(f"seconds {secs!r}\nload_seconds {load_secs!r}\nrows {n}")
        for r in figures:
            print("Q," + ",".join(fmt(v) if not isinstance(v, str) else v for v in r))
        for r in regions:
            print("R," + ",".join(fmt(v) if not isinstance(v, str) else v for v in r))
    else:
        sys.exit(f"unknown command {a.command}")


if __name__ == "__main__":
    main()
