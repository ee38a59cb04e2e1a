"""Reads actorgraph's exports with the tools investigators use, and checks them
against the data set they came from (the data-set JSON export of the same
graph): networkx reads the GraphML and the GEXF with every node, edge and
property; Python's csv reads the three tables; citeproc-py renders every source
of the CSL-JSON; the followthemoney package validates every FtM entity against
its schema; Python-Markdown renders the brief with every footnote resolved, and
lxml reads its HTML page with every note the quotes link to. Exits 1 with the
reasons when any check fails.

Usage: check.py DIR, where DIR holds graph.json, graph.graphml, graph.gexf,
graph.csl, graph.ftm, graph.md, graph.html and csv/ (nodes.csv, edges.csv,
evidence.csv).
"""

import csv
import json
import sys
from pathlib import Path

import html as htmllib

import lxml.html
import markdown
import networkx as nx
from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.types import registry
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

    entities = check_ftm(d / "graph.ftm", data)
    check_brief(d / "graph.md", d / "graph.html", data)

    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"formats ok: {len(actors)} nodes, {len(relations)} edges, {quotes} quotes, {len(items)} sources, {entities} FtM entities")


def check_ftm(path, data):
    """Every line an entity of a concrete schema, valid for it (followthemoney's
    own validation, plus: no property the schema lacks, every required one
    present, every reference to an exported entity of the schema the property
    wants); every actor, relation and source exported, every quote kept."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_id = {}
    for e in lines:
        check(e["id"] not in by_id, f"ftm: {e['id']} exported twice")
        by_id[e["id"]] = e
    for e in lines:
        schema = model.get(e["schema"])
        check(schema is not None and not schema.abstract, f"ftm: {e['id']} has schema {e['schema']}")
        if schema is None:
            continue
        try:
            schema.validate(e)
        except InvalidData as err:
            check(False, f"ftm: {e['id']} ({e['schema']}) is invalid: {err.errors}")
        props = e["properties"]
        for name in schema.required:
            check(props.get(name), f"ftm: {e['id']} ({e['schema']}) lacks {name}")
        for name, values in props.items():
            prop = schema.properties.get(name)
            check(prop is not None, f"ftm: {e['schema']} has no property {name} ({e['id']})")
            if prop is None:
                continue
            check(isinstance(values, list) and values, f"ftm: {e['id']}.{name} is a list of values")
            for value in values:
                check(prop.type.validate(value), f"ftm: {e['id']}.{name} = {value!r} is not a valid {prop.type.name}")
                if prop.type == registry.entity:
                    target = by_id.get(value)
                    check(target is not None, f"ftm: {e['id']}.{name} names {value}, which is not exported")
                    if target is not None and prop.range is not None:
                        check(model.get(target["schema"]).is_a(prop.range),
                              f"ftm: {e['id']}.{name} names a {target['schema']}, not a {prop.range.name}")
        proxy = model.get_proxy(e, cleaned=False)
        check(proxy.caption, f"ftm: {e['id']} has a caption")
    for a in data["actors"]:
        e = by_id.get("actor-" + a["id"])
        check(e is not None, f"ftm: actor {a['id']} is exported")
        if e is not None:
            names = e["properties"].get("name", [])
            for field in ("nameKo", "nameEn"):
                check(a.get(field) is None or a[field] in names, f"ftm: {a['id']} keeps its {field}")
    for s in data["sources"]:
        e = by_id.get("source-" + s["id"])
        check(e is not None and e["schema"] == "Article", f"ftm: source {s['id']} is an Article")
    for r in data["relations"]:
        e = by_id.get("relation-" + r["id"])
        check(e is not None, f"ftm: relation {r['id']} is exported")
        if e is None:
            continue
        edge = model.get(e["schema"])
        check(edge.edge or e["schema"] == "ContractAward", f"ftm: {r['id']} is an edge schema ({e['schema']})")
        check(model.get(e["schema"]).is_a("Interval"), f"ftm: {r['id']} is an interval ({e['schema']})")
        props = e["properties"]
        check(props.get("recordId") == [r["id"]], f"ftm: {r['id']} keeps its id")
        description = "\n".join(props.get("description", []))
        for ev in r["evidence"]:
            check(ev["quote"] in description, f"ftm: {r['id']} keeps its quote")
            check("source-" + ev["source"] in props.get("proof", []), f"ftm: {r['id']} cites {ev['source']} as proof")
        start = r.get("start")
        if start is not None:
            date = start if isinstance(start, str) else start["date"]
            check(props.get("startDate") == [date], f"ftm: {r['id']} startDate {props.get('startDate')} want {date}")
    return len(lines)


def check_brief(md_path, html_path, data):
    """Python-Markdown renders the brief with every footnote resolved; its HTML
    page has every quote and every note the quotes link to."""
    text = md_path.read_text(encoding="utf-8")
    rendered = markdown.markdown(text, extensions=["footnotes"])
    check("[^" not in rendered, "brief: a footnote is left unresolved")
    cited = {ev["source"] for r in data["relations"] for ev in r["evidence"]}
    page = lxml.html.fromstring(rendered)
    notes = page.xpath("//div[@class='footnote']//li")
    check(len(notes) == len(cited), f"brief: {len(notes)} notes, want one per cited source ({len(cited)})")
    plain = htmllib.unescape(lxml.html.tostring(page, encoding="unicode"))
    quotes = [ev["quote"] for r in data["relations"] for ev in r["evidence"]]
    for q in quotes:
        check(q in plain, f"brief: a quote is missing from the rendered Markdown: {q[:40]}")
    doc = lxml.html.fromstring(html_path.read_bytes())
    ids = set(doc.xpath("//@id"))
    # A relation on several paths is told in each of them: each quote at least once.
    blocks = doc.xpath("//blockquote")
    told = {b.text_content() for b in blocks}
    for q in quotes:
        check(any(q in t for t in told), f"brief.html: a quote is missing: {q[:40]}")
    links = doc.xpath("//blockquote//a/@href")
    check(len(links) == len(blocks), "brief.html: every quote links to its note")
    for href in links:
        check(href.startswith("#") and href[1:] in ids, f"brief.html: {href} names no note")
    check(len(doc.xpath("//li[starts-with(@id, 'note-')]")) == len(cited), "brief.html: one note per cited source")


if __name__ == "__main__":
    main(sys.argv[1])
