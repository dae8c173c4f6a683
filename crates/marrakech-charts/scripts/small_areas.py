#!/usr/bin/env python3
"""Writes data/small-areas.csv: a point for every M49 country or area that has no polygon in
world-atlas's countries-110m.json, so maps can show its value as a dot.

Points are the centroid of the area's largest polygon in world-atlas's countries-50m.json
(same package, same version), plus a short hand-made list for areas that have no polygon of
their own even at 50m. Run from the crate root:

    curl -sL https://registry.npmjs.org/world-atlas/-/world-atlas-2.0.2.tgz | tar xz -C /tmp
    python3 scripts/small_areas.py /tmp/package/countries-50m.json > data/small-areas.csv
"""
import json
import sys

# Areas of the M49 reference with no polygon of their own in countries-50m.json (Natural Earth
# folds them into their administering state). Approximate centre of the main island or town,
# to 0.1 degree. United States Minor Outlying Islands (581) is left out: it is scattered over
# the Pacific and has no meaningful single point. French Guiana (254) is cut out of France's
# 110m polygon instead (see src/geo/mod.rs).
MANUAL = [
    ("535", "Bonaire, Sint Eustatius and Saba", -68.3, 12.2),
    ("074", "Bouvet Island", 3.4, -54.4),
    ("162", "Christmas Island", 105.6, -10.5),
    ("166", "Cocos (Keeling) Islands", 96.8, -12.2),
    ("292", "Gibraltar", -5.4, 36.1),
    ("312", "Guadeloupe", -61.6, 16.2),
    ("474", "Martinique", -61.0, 14.6),
    ("175", "Mayotte", 45.2, -12.8),
    ("638", "Réunion", 55.5, -21.1),
    ("744", "Svalbard and Jan Mayen", 16.0, 78.5),
    ("772", "Tokelau", -171.8, -9.2),
    ("798", "Tuvalu", 179.2, -8.5),
]


def decode(topology):
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices, arcs):
    out = []
    for i in indices:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(points[1:] if out else points)
    # Unwrap longitudes so rings crossing the antimeridian stay contiguous.
    unwrapped = [out[0]]
    for lon, lat in out[1:]:
        prev = unwrapped[-1][0]
        lon += 360 * round((prev - lon) / 360)
        unwrapped.append((lon, lat))
    return unwrapped


def area_centroid(points):
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if a == 0:
        return 0.0, points[0]
    return abs(a) / 2, (cx / (3 * a), cy / (3 * a))


def main():
    topology = json.load(open(sys.argv[1]))
    small = json.load(open(sys.argv[1].replace("-50m", "-110m")))
    present = {g.get("id") for g in small["objects"]["countries"]["geometries"]}
    arcs = decode(topology)
    rows = []
    for g in topology["objects"]["countries"]["geometries"]:
        code = g.get("id")
        if code is None or code in present:
            continue
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        best = max((area_centroid(ring(p[0], arcs)) for p in polygons), key=lambda t: t[0])
        lon, lat = best[1]
        lon = (lon + 180) % 360 - 180
        rows.append((code, g["properties"]["name"], round(lon, 2), round(lat, 2), "world-atlas 50m"))
    for code, name, lon, lat in MANUAL:
        rows.append((code, name, lon, lat, "manual"))
    rows.sort()
    print("m49,name,lon,lat,source")
    for code, name, lon, lat, source in rows:
        name = f'"{name}"' if "," in name else name
        print(f"{code},{name},{lon},{lat},{source}")


main()
