"""Reads actorgraph's exports with the tools investigators use, and checks them
against the data set they came from (the data-set JSON export of the same
graph): networkx reads the GraphML and the GEXF with every node, edge and
property; Python's csv reads the three tables; citeproc-py renders every source
of the CSL-JSON. Exits 1 with the reasons when any check fails.

Usage: check.py DIR, where DIR holds graph.json, graph.graphml, graph.gexf,
graph.csl and csv/ (nodes.csv, edges.csv, evidence.csv).
"""

import csv
import json
import sys
from pathlib import Path

import networkx as nx
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def main(folder):
    d = Path(folder)
    data = json.loads((d / "graph.json").read_text(encoding="utf-8"))
    actors = {a["id"]: a for a in data["actors"]}
    relations = {r["id"]: r for r in data["relations"]}

    for name, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        g = read(d / f"graph.{name}")
        check(g.is_directed(), f"{name}: the graph is directed")
        check(g.number_of_nodes() == len(actors), f"{name}: {g.number_of_nodes()} nodes, want {len(actors)}")
        check(g.number_of_edges() == len(relations), f"{name}: {g.number_of_edges()} edges, want {len(relations)}")
        for node, props in g.nodes(data=True):
            a = actors.get(node)
            check(a is not None, f"{name}: unknown node {node}")
            if a is None:
                continue
            check(props.get("kind") == a["kind"], f"{name}: {node} kind {props.get('kind')}")
            for field in ("nameKo", "nameEn"):
                check(props.get(field) == a.get(field), f"{name}: {node} {field} {props.get(field)!r}")
        edges = g.edges(data=True, keys=True) if g.is_multigraph() else g.edges(data=True)
        for edge in edges:
            props = edge[-1]
            rid = props.get("id", edge[2] if g.is_multigraph() else None)
            r = relations.get(rid)
            check(r is not None, f"{name}: unknown edge {rid}")
            if r is None:
                continue
            check((edge[0], edge[1]) == (r["from"], r["to"]), f"{name}: {rid} ends")
            check(props.get("type") == r["type"], f"{name}: {rid} type {props.get('type')}")
            check(int(props.get("evidenceCount")) == len(r["evidence"]), f"{name}: {rid} evidence count")
            start = r.get("start")
            if start is not None:
                date = start if isinstance(start, str) else start["date"]
                check(props.get("start") == date, f"{name}: {rid} start {props.get('start')} want {date}")
                check(props.get("startPrecision") in ("year", "month", "day"), f"{name}: {rid} start precision")
            if "amount" in r:
                check(float(props.get("amount")) == float(r["amount"]["value"]), f"{name}: {rid} amount")

    tables = {}
    for table in ("nodes", "edges", "evidence"):
        with open(d / "csv" / f"{table}.csv", newline="", encoding="utf-8") as f:
            tables[table] = list(csv.DictReader(f))
    check({r["id"] for r in tables["nodes"]} == set(actors), "csv: nodes are the actors")
    check({r["id"] for r in tables["edges"]} == set(relations), "csv: edges are the relations")
    for row in tables["edges"]:
        r = relations[row["id"]]
        check((row["source"], row["target"], row["type"]) == (r["from"], r["to"], r["type"]), f"csv: edge {row['id']}")
    quotes = sum(len(r["evidence"]) for r in relations.values())
    check(len(tables["evidence"]) == quotes, f"csv: {len(tables['evidence'])} evidence rows, want {quotes}")
    for row in tables["evidence"]:
        r = relations[row["relation"]]
        check({"source": row["source"], "quote": row["quote"]} in r["evidence"], f"csv: quote of {row['relation']}")

    items = json.loads((d / "graph.csl").read_text(encoding="utf-8"))
    check(len(items) == len(data["sources"]), "csl: one item per source")
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    check(len(rendered) == len(items), f"csl: {len(rendered)} entries rendered, want {len(items)}")
    for item in items:
        check(any(item["title"][:40] in r for r in rendered), f"csl: {item['id']} is rendered with its title")
        parts = item.get("issued", {}).get("date-parts")
        if parts:
            check(any(str(parts[0][0]) in r for r in rendered), f"csl: {item['id']} is rendered with its year")

    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"formats ok: {len(actors)} nodes, {len(relations)} edges, {quotes} quotes, {len(items)} sources")


if __name__ == "__main__":
    main(sys.argv[1])
