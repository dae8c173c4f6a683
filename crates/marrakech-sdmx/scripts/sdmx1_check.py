#!/usr/bin/env python3
"""Check that the Python `sdmx1` client (PyPI `sdmx1`, tested with 2.28) reads what
marrakech-sdmx writes, and that every data format carries the same values.

Two modes:

  sdmx1_check.py --dir DIR [--flow DF_MIGRANT_STOCK]
      Files written by `cargo run --example write_fixture -- DIR`: structure.xml,
      data-ss.xml, data-1.0.json, data-2.0.json, data.csv.

  sdmx1_check.py --url http://127.0.0.1:8089/sdmx [--flow DF_MIGRANT_STOCK]
      A running service (e.g. `cargo run --example serve -- 8089`), read through
      `sdmx.Client` with a source registered by `sdmx.add_source`.

Every data message is reduced to {(dimension values..., TIME_PERIOD): (value, {attribute:
value})} and all reductions must be equal. SDMX-JSON 2.0.0 is decoded here with the
standard `json` module, because sdmx1 2.28's JSON reader does not read the 2.0.0 layout
(it expects `dataSets` at the top level and `data.structures` as an object); the script
reports whether sdmx1 still fails on it, so a fixed sdmx1 is noticed.

Exits 0 when everything matches, 1 otherwise; the last line reads
"N passed, N failed".
"""

import argparse
import io
import json
import math
import sys
import traceback
from pathlib import Path

import sdmx

RESULTS = []


def check(name, fn):
    """Run one named check, recording pass/fail with the reason."""
    try:
        detail = fn()
    except Exception as e:  # noqa: BLE001 - report every failure, keep going
        RESULTS.append((name, False, f"{type(e).__name__}: {e}"))
        traceback.print_exc(file=sys.stderr)
        return None
    RESULTS.append((name, True, detail if isinstance(detail, str) else type(detail).__name__))
    return detail


def num(v):
    """Observation value as float or None (sdmx1 gives str from CSV/XML, float from JSON)."""
    if v is None or v == "":
        return None
    f = float(v)
    return None if math.isnan(f) else f


def attr_text(av):
    """An attribute value's text, whether sdmx1 made it a Code or a plain string."""
    v = getattr(av, "value", av)
    v = getattr(v, "id", v)
    return None if v in (None, "") else str(v)


def reduce_message(msg, dims):
    """{(key values..., TIME_PERIOD): (value, attributes)} from an sdmx1 DataMessage."""
    out = {}
    for ds in msg.data:
        for obs in ds.obs:
            key = obs.key
            values = key.values if hasattr(key, "values") else {}
            full = {}
            if obs.series_key is not None:
                full.update({k: v.value for k, v in obs.series_key.values.items()})
            full.update({k: v.value for k, v in values.items()})
            k = tuple(str(full[d]) for d in dims) + (str(full["TIME_PERIOD"]),)
            attrs = {
                a: attr_text(v)
                for a, v in obs.attached_attribute.items()
                if attr_text(v) is not None and not a.startswith("__")
            }
            out[k] = (num(obs.value), attrs)
    return out


def reduce_json20(doc, dims):
    """Decode an SDMX-JSON 2.0.0 data message with the standard library only."""
    data = doc["data"]
    structure = data["structures"][0]
    d = structure["dimensions"]
    series_dims = d.get("series", [])
    obs_dims = d.get("observation", [])
    observation_attrs = structure["attributes"].get("observation", [])

    def value_of(component, index):
        v = component["values"][index]
        return v.get("id", v.get("value"))

    out = {}

    def add(key_values, arr):
        full = dict(key_values)
        value = num(arr[0]) if arr else None
        attrs = {}
        for a, idx in zip(observation_attrs, arr[1:]):
            if idx is not None:
                attrs[a["id"]] = str(value_of(a, idx))
        k = tuple(str(full[x]) for x in dims) + (str(full["TIME_PERIOD"]),)
        out[k] = (value, attrs)

    for ds in data["dataSets"]:
        for skey, series in ds.get("series", {}).items():
            sk = {
                c["id"]: value_of(c, int(i))
                for c, i in zip(series_dims, skey.split(":"))
            }
            for okey, arr in series.get("observations", {}).items():
                ok = {
                    c["id"]: value_of(c, int(i))
                    for c, i in zip(obs_dims, okey.split(":"))
                }
                add({**sk, **ok}, arr)
        for okey, arr in ds.get("observations", {}).items():
            ok = {c["id"]: value_of(c, int(i)) for c, i in zip(obs_dims, okey.split(":"))}
            add(ok, arr)
    return out


def describe(reduced):
    return f"{len(reduced)} observations"


def same(reference, other, label):
    if reference != other:
        diff = sorted(set(reference.items()) ^ set(other.items()), key=str)
        raise AssertionError(f"{label} differs from structure-specific XML: {diff[:6]}")
    return f"{describe(other)}, equal to structure-specific XML"


def run_files(directory, flow_id):
    directory = Path(directory)
    structure = check(
        "read_sdmx(structure.xml)",
        lambda: sdmx.read_sdmx(directory / "structure.xml"),
    )
    if structure is None:
        return
    df = structure.dataflow[flow_id]
    dsd = df.structure
    dims = [d.id for d in dsd.dimensions if d.id != "TIME_PERIOD"]
    check(
        "structure: dataflow, DSD and codelists resolved",
        lambda: structure_summary(structure, flow_id),
    )

    ref = check(
        "read_sdmx(data-ss.xml, structure=dsd)",
        lambda: reduce_message(sdmx.read_sdmx(directory / "data-ss.xml", structure=dsd), dims),
    )
    if ref is None:
        return
    RESULTS[-1] = (RESULTS[-1][0], True, describe(ref))
    expected_path = directory / "expected.json"
    if expected_path.exists():
        check("structure-specific XML equals expected.json", lambda: same_as_expected(ref, expected_path, dims))
    check(
        "read_sdmx(data-ss.xml) without structure",
        lambda: same(ref, reduce_message(sdmx.read_sdmx(directory / "data-ss.xml"), dims), "SS XML (no DSD)"),
    )
    check(
        "read_sdmx(data-1.0.json)",
        lambda: same(ref, reduce_message(sdmx.read_sdmx(directory / "data-1.0.json"), dims), "SDMX-JSON 1.0"),
    )
    check(
        "read_sdmx(data.csv, structure=dataflow)",
        lambda: same(ref, reduce_message(sdmx.read_sdmx(directory / "data.csv", structure=df), dims), "SDMX-CSV"),
    )
    check(
        "json.load(data-2.0.json) decoded per SDMX-JSON 2.0.0",
        lambda: same(ref, reduce_json20(json.loads((directory / "data-2.0.json").read_text("utf-8")), dims), "SDMX-JSON 2.0"),
    )
    check("sdmx1 on SDMX-JSON 2.0.0 (informational)", lambda: json20_status(directory / "data-2.0.json", ref, dims))


def same_as_expected(ref, path, dims):
    """Compare with the observations the writer was given (written by write_fixture)."""
    expected = {}
    for o in json.loads(path.read_text("utf-8")):
        k = tuple(o["key"]) + (o["time"],)
        attrs = {a: v for a, v in o["attributes"].items() if v not in (None, "")}
        expected[k] = (num(o["value"]), attrs)
    if ref != expected:
        diff = sorted(set(ref.items()) ^ set(expected.items()), key=str)
        raise AssertionError(f"differs from expected.json: {diff[:6]}")
    return f"{len(expected)} observations as written"


def json20_status(path, ref, dims):
    try:
        got = reduce_message(sdmx.read_sdmx(path), dims)
    except Exception as e:  # noqa: BLE001
        return f"sdmx1 cannot read it ({type(e).__name__}); use SDMX-JSON 1.0.0 with sdmx1"
    same(ref, got, "SDMX-JSON 2.0 via sdmx1")
    return "sdmx1 now reads SDMX-JSON 2.0.0 too"


def structure_summary(msg, flow_id):
    df = msg.dataflow[flow_id]
    dsd = df.structure
    assert not dsd.is_external_reference, "DSD is only a reference"
    missing = []
    for dim in dsd.dimensions:
        rep = dim.local_representation
        cl = getattr(rep, "enumerated", None) if rep else None
        if dim.id != "TIME_PERIOD" and (cl is None or len(cl) == 0):
            missing.append(dim.id)
    assert not missing, f"dimensions without a resolved codelist: {missing}"
    return (
        f"{len(msg.dataflow)} dataflow(s), {len(msg.structure)} DSD(s), "
        f"{len(msg.codelist)} codelist(s), {len(msg.concept_scheme)} concept scheme(s)"
    )


def run_url(base, flow_id, source_id="MARRAKECH"):
    sdmx.add_source(
        {"id": source_id, "url": base, "name": "Marrakech"},
        override=True,
    )
    client = sdmx.Client(source_id)

    flows = check("Client.dataflow()", lambda: client.dataflow())
    if flows is not None:
        RESULTS[-1] = (RESULTS[-1][0], True, f"{len(flows.dataflow)} dataflow(s): {', '.join(flows.dataflow)}")
    msg = check(f"Client.dataflow('{flow_id}')  # references=all", lambda: client.dataflow(flow_id))
    if msg is None:
        return
    check("structure: dataflow, DSD and codelists resolved", lambda: structure_summary(msg, flow_id))
    df = msg.dataflow[flow_id]
    dsd = df.structure
    dims = [d.id for d in dsd.dimensions if d.id != "TIME_PERIOD"]
    check(
        "Client.datastructure(...)",
        lambda: f"{len(client.datastructure(dsd.id).structure)} DSD(s)",
    )
    check("Client.codelist()", lambda: f"{len(client.codelist().codelist)} codelist(s)")

    ref = check(
        f"Client.data('{flow_id}', dsd=dsd)  # structure-specific XML",
        lambda: reduce_message(client.data(flow_id, dsd=dsd), dims),
    )
    if ref is None:
        return
    RESULTS[-1] = (RESULTS[-1][0], True, describe(ref))
    check(
        f"Client.data('{flow_id}')  # no DSD, Accept: */*",
        lambda: same(ref, reduce_message(client.data(flow_id), dims), "SS XML (no DSD)"),
    )
    first = dims[0]
    some_key = sorted(ref)[0]
    check(
        f"Client.data('{flow_id}', key={{'{first}': ...}})  # dict key, DSD fetched by sdmx1",
        lambda: key_subset(client.data(flow_id, key={first: some_key[0]}), dims, ref, 0, some_key[0]),
    )
    last_period = max(k[-1] for k in ref)
    check(
        f"Client.data('{flow_id}', params={{'startPeriod': ...}})",
        lambda: period_subset(client.data(flow_id, dsd=dsd, params={"startPeriod": last_period}), dims, ref, last_period),
    )
    check(
        "Client.data(..., headers={'Accept': SDMX-JSON 1.0.0})",
        lambda: same(
            ref,
            reduce_message(
                client.data(flow_id, headers={"Accept": "application/vnd.sdmx.data+json;version=1.0.0"}),
                dims,
            ),
            "SDMX-JSON 1.0 via Client",
        ),
    )
    # sdmx1 hands the DSD to the reader only when the key is a dict, and its CSV reader
    # cannot work without one: select every value of the first dimension.
    all_first = sorted({k[0] for k in ref})
    check(
        "Client.data(..., key={dim: [...]}, dsd=dsd, headers={'Accept': SDMX-CSV 2.0.0})",
        lambda: same(
            ref,
            reduce_message(
                client.data(
                    flow_id,
                    key={first: all_first},
                    dsd=dsd,
                    headers={"Accept": "application/vnd.sdmx.data+csv;version=2.0.0"},
                ),
                dims,
            ),
            "SDMX-CSV via Client",
        ),
    )
    import requests

    def json20():
        r = requests.get(
            f"{base.rstrip('/')}/data/{flow_id}",
            headers={"Accept": "application/vnd.sdmx.data+json;version=2.0.0"},
            timeout=30,
        )
        r.raise_for_status()
        return same(ref, reduce_json20(r.json(), dims), "SDMX-JSON 2.0 over HTTP")

    check("GET data (SDMX-JSON 2.0.0) decoded with json", json20)

    def not_found():
        try:
            client.data(flow_id, key=".".join(["ZZZ"] + [""] * (len(dims) - 1)))
        except requests.HTTPError as e:
            assert e.response.status_code == 404, e.response.status_code
            return "404 as expected"
        raise AssertionError("an unknown code was answered with data")

    check("unknown code → HTTP 404", not_found)


def key_subset(msg, dims, ref, position, value):
    got = reduce_message(msg, dims)
    want = {k: v for k, v in ref.items() if k[position] == value}
    assert got == want, f"{got} != {want}"
    return f"{len(got)} observations for {dims[position]}={value}"


def period_subset(msg, dims, ref, start):
    got = reduce_message(msg, dims)
    want = {k: v for k, v in ref.items() if k[-1] >= start}
    assert got == want, f"{got} != {want}"
    return f"{len(got)} observations from {start}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--dir", help="directory written by the write_fixture example")
    g.add_argument("--url", help="base URL of a running SDMX service")
    p.add_argument("--flow", default="DF_MIGRANT_STOCK", help="dataflow id to check")
    args = p.parse_args()
    print(f"sdmx1 {sdmx.__version__}")
    if args.dir:
        run_files(args.dir, args.flow)
    else:
        run_url(args.url, args.flow)
    for name, ok, detail in RESULTS:
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    passed = sum(ok for _, ok, _ in RESULTS)
    failed = len(RESULTS) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
