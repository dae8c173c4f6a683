#!/usr/bin/env python3
"""Checks a running Marrakech server with the clients harvesters use.

    open_data_check.py URL                 ckanapi and rdflib against the server at URL
    open_data_check.py URL --compare URL2  and URL2's catalogue reproduces URL's

ckanapi (the CKAN project's own client) calls every action of the CKAN subset the server
answers; rdflib parses every page of the DCAT catalogue in all three serializations,
following the Hydra links. With --compare, the two servers' packages are matched by title
and must agree on everything a harvest carries.
"""

import argparse
import json
import sys
import urllib.request

import ckanapi
import rdflib
from rdflib.namespace import DCAT, DCTERMS, RDF

HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
FORMATS = {"catalog.jsonld": "json-ld", "catalog.ttl": "turtle", "catalog.rdf": "xml"}


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def all_packages(ck):
    result = ck.action.package_search(q="*:*", rows=1000, sort="metadata_created asc")
    check(result["count"] == len(result["results"]), "one request should return every package")
    return result["results"]


def ckan_checks(url):
    ck = ckanapi.RemoteCKAN(url, user_agent="marrakech-ci")
    status = ck.action.status_show()
    check(status["ckan_version"].startswith("2."), f"status_show: {status}")

    names = ck.action.package_list()
    check(len(names) > 0, "package_list is empty: seed the server first")
    packages = all_packages(ck)
    check(sorted(p["name"] for p in packages) == sorted(names), "package_search and package_list disagree")

    first = packages[0]
    shown = ck.action.package_show(id=first["id"])
    check(shown == first, "package_show differs from the package in package_search")
    for p in packages:
        text = json.dumps(p)
        check("@" not in text.replace("mailto", ""), f"a package holds an email address: {p['name']}")

    groups = ck.action.group_list(all_fields=True)
    check([g["name"] for g in groups] == [f"obj-{n}" for n in range(1, 24)], "group_list: the 23 objectives")
    by_group = {g["name"]: g["package_count"] for g in groups}
    for g, count in by_group.items():
        if count:
            found = ck.action.package_search(fq=f"groups:{g}", rows=0)
            check(found["count"] == count, f"group {g}: package_count {count}, search {found['count']}")

    faceted = ck.action.package_search(q="", **{"facet.field": ["groups", "tags"], "rows": 0})
    check(sum(faceted["facets"]["groups"].values()) >= len(packages), "groups facet counts every package")
    check(faceted["search_facets"]["tags"]["items"], "tags facet is empty")

    organizations = ck.action.organization_list()
    check(organizations, "organization_list is empty")
    check(all(p["organization"] is None or p["organization"]["name"] in organizations for p in packages),
          "a package's organization is missing from organization_list")
    tags = ck.action.tag_list()
    check(all(t["name"] in tags for p in packages for t in p["tags"]), "a package's tag is missing from tag_list")

    page_a = ck.action.package_search(q="*:*", rows=3, start=0, sort="metadata_created asc")["results"]
    page_b = ck.action.package_search(q="*:*", rows=3, start=3, sort="metadata_created asc")["results"]
    check([p["id"] for p in page_a + page_b] == [p["id"] for p in packages[:6]], "rows/start pages are not slices")

    try:
        ck.action.package_show(id="no-such-package")
        fail("package_show of an unknown id succeeded")
    except ckanapi.NotFound:
        pass
    try:
        ck.action.package_search(sort="title_string asc")
        fail("an unsupported sort was accepted")
    except ckanapi.ValidationError:
        pass
    try:
        ck.action.package_search(fq="metadata_modified:[2020-01-01T00:00:00Z TO *]")
        fail("an unsupported filter was accepted")
    except ckanapi.SearchQueryError:
        pass
    print(f"ckanapi: {len(packages)} packages, {len(organizations)} organizations, {len(tags)} tags: ok")
    return packages


def fetch(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read(), response.headers.get("Content-Type", "")


def dcat_checks(url, expected):
    for path, fmt in FORMATS.items():
        next_page = f"{url}/{path}?page_size=5"
        datasets, pages = set(), 0
        titles_by_language = set()
        while next_page:
            body, content_type = fetch(next_page)
            graph = rdflib.Graph()
            graph.parse(data=body, format=fmt, publicID=next_page)
            pages += 1
            for ds in graph.subjects(RDF.type, DCAT.Dataset):
                datasets.add(str(ds))
                titles = list(graph.objects(ds, DCTERMS.title))
                check(titles, f"{path}: {ds} has no dct:title")
                titles_by_language.update(t.language for t in titles)
            totals = list(graph.objects(None, HYDRA.totalItems))
            check(totals and int(totals[0]) == expected, f"{path}: hydra:totalItems {totals}, expected {expected}")
            nexts = list(graph.objects(None, HYDRA.next))
            next_page = str(nexts[0]) if nexts else None
            check(pages <= 1000, f"{path}: the pages do not end")
        check(len(datasets) == expected, f"{path}: {len(datasets)} datasets over {pages} pages, expected {expected}")
        print(f"rdflib {fmt}: {len(datasets)} datasets over {pages} pages, title languages {sorted(filter(None, titles_by_language))}: ok")


def comparable(package):
    """What a harvest carries, without what each instance assigns (ids, times, its own URLs)."""
    extras = {e["key"]: e["value"] for e in package["extras"] if e["key"] != "marrakech_issued"}
    texts = json.loads(extras.pop("marrakech_texts"))
    return {
        "title": package["title"],
        "notes": package["notes"],
        "license_id": package["license_id"],
        "organization": package["organization"]["title"] if package["organization"] else None,
        "groups": sorted(g["name"] for g in package["groups"]),
        "tags": sorted(t["name"] for t in package["tags"]),
        "resources": sorted((r["name"], r["url"]) for r in package["resources"]),
        "texts": texts,
        "extras": extras,
        "published": package["metadata_created"][:10],
    }


def compare(url_a, url_b):
    a = {p["title"]: comparable(p) for p in all_packages(ckanapi.RemoteCKAN(url_a))}
    b = {p["title"]: comparable(p) for p in all_packages(ckanapi.RemoteCKAN(url_b))}
    check(sorted(a) == sorted(b), f"the catalogues list different items: {sorted(set(a) ^ set(b))}")
    for title in a:
        check(a[title] == b[title], f"`{title}` differs:\n{json.dumps(a[title], indent=1, ensure_ascii=False)}\n"
                                    f"{json.dumps(b[title], indent=1, ensure_ascii=False)}")
    print(f"{url_b} reproduces the {len(a)} items of {url_a}: ok")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--compare", metavar="URL2")
    args = parser.parse_args()
    url = args.url.rstrip("/")
    if args.compare:
        compare(url, args.compare.rstrip("/"))
        return
    packages = ckan_checks(url)
    dcat_checks(url, len(packages))


if __name__ == "__main__":
    main()
