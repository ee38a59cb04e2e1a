//! `orderBy`, `last` and `before` on relation lists, alike on every store: every
//! order, read page by page forward and backward, gives the order a plain sort
//! of the data set gives.

use std::cmp::Ordering;

use actorgraph::api::GraphqlService;
use actorgraph::domain::{Dataset, Relation};
use serde_json::{json, Value};

use crate::backends::{for_each_backend, Maker};
use crate::helpers::{codes, data, edge_ids, run, seed_dataset};

for_each_backend!(crate::order;
    every_order_reads_alike_forward_and_backward_page_by_page,
    the_first_page_of_every_actor_in_an_order_comes_in_one_query,
    cursors_of_another_order_and_mixed_directions_are_refused,
    actors_read_alike_in_every_order_both_ways,
);

/// A relation's sort key in `order`, compared as the API promises: dates by
/// year, month and day (a coarser date first), amounts as numbers.
#[derive(PartialEq, PartialOrd)]
enum Key {
    Text(String),
    Date(u16, u8, u8),
    Number(f64),
}

fn key(r: &Relation, order: &Value) -> Option<Key> {
    let date = |s: String| {
        let mut parts = s.split('-').map(|p| p.parse::<u16>().unwrap());
        let y = parts.next().unwrap();
        Key::Date(
            y,
            parts.next().unwrap_or(0) as u8,
            parts.next().unwrap_or(0) as u8,
        )
    };
    match order["field"].as_str().unwrap_or("ID") {
        "ID" => Some(Key::Text(r.id.to_string())),
        "START" => r.start.as_ref().map(|d| date(d.date.to_string())),
        "END" => r.end.as_ref().map(|d| date(d.date.to_string())),
        "TYPE" => Some(Key::Text(r.kind.as_str().to_string())),
        "AMOUNT" => r
            .amount
            .as_ref()
            .filter(|m| Some(m.currency.as_str()) == order["currency"].as_str())
            .map(|m| Key::Number(m.value)),
        other => panic!("no field {other}"),
    }
}

/// The ids of `relations` in `order`: by key then id, descending when asked,
/// relations without a key last either way.
fn sorted(relations: &[&Relation], order: &Value) -> Vec<String> {
    let desc = order["direction"] == "DESC";
    let mut rs: Vec<(Option<Key>, String)> = relations
        .iter()
        .map(|r| (key(r, order), r.id.to_string()))
        .collect();
    sort_positions(&mut rs, desc);
    rs.into_iter().map(|(_, id)| id).collect()
}

/// Sorts (key, id) positions as the API promises: by key then id, descending when
/// asked, positions without a key last either way.
fn sort_positions(positions: &mut [(Option<Key>, String)], desc: bool) {
    positions.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (x, _) => {
            let o = x.partial_cmp(&b.0).unwrap().then_with(|| a.1.cmp(&b.1));
            if desc {
                o.reverse()
            } else {
                o
            }
        }
    });
}

fn orders() -> Vec<Value> {
    let mut out = vec![json!(null)];
    for field in ["ID", "START", "END", "TYPE"] {
        for direction in ["ASC", "DESC"] {
            out.push(json!({"field": field, "direction": direction}));
        }
    }
    for direction in ["ASC", "DESC"] {
        out.push(json!({"field": "AMOUNT", "currency": "USD", "direction": direction}));
    }
    out
}

const PAGE: &str = "query($a: ID, $o: RelationOrder, $first: Int, $after: String, $last: Int, $before: String) {
  relations(actorId: $a, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";

/// Reads the whole list page by page, forward then backward, and returns both
/// (the backward one in the list's order).
async fn read_both_ways(
    service: &GraphqlService,
    actor: Option<&str>,
    order: &Value,
) -> (Vec<String>, Vec<String>) {
    let mut forward = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = data(
            service,
            PAGE,
            json!({"a": actor, "o": order, "first": 3, "after": after}),
        )
        .await;
        let list = &d["relations"];
        forward.extend(edge_ids(list));
        assert_eq!(
            list["pageInfo"]["hasPreviousPage"],
            !after.is_null(),
            "{order}"
        );
        if list["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = list["pageInfo"]["endCursor"].clone();
    }
    let mut backward: Vec<String> = Vec::new();
    let mut before = Value::Null;
    loop {
        let d = data(
            service,
            PAGE,
            json!({"a": actor, "o": order, "last": 3, "before": before}),
        )
        .await;
        let list = &d["relations"];
        let mut page = edge_ids(list);
        assert!(page.len() <= 3);
        // Each edge's cursor is its own position.
        let cursors: Vec<&Value> = list["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["cursor"])
            .collect();
        if let (Some(first), Some(last)) = (cursors.first(), cursors.last()) {
            assert_eq!(*first, &list["pageInfo"]["startCursor"]);
            assert_eq!(*last, &list["pageInfo"]["endCursor"]);
        }
        assert_eq!(
            list["pageInfo"]["hasNextPage"],
            !before.is_null(),
            "{order}"
        );
        page.append(&mut backward);
        backward = page;
        if list["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = list["pageInfo"]["startCursor"].clone();
    }
    (forward, backward)
}

async fn seeded(make: Maker) -> Option<(GraphqlService, Dataset)> {
    let data = seed_dataset();
    make(data.clone())
        .await
        .map(|repo| (GraphqlService::new(repo), data))
}

pub async fn every_order_reads_alike_forward_and_backward_page_by_page(make: Maker) {
    let Some((service, data)) = seeded(make).await else {
        return;
    };
    let all: Vec<&Relation> = data.relations.iter().collect();
    for order in orders() {
        let want = sorted(&all, &order);
        let (forward, backward) = read_both_ways(&service, None, &order).await;
        assert_eq!(forward, want, "all, forward, {order}");
        assert_eq!(backward, want, "all, backward, {order}");
    }
    for actor in ["amazon", "cloud-development-act", "cia", "kt"] {
        let of_actor: Vec<&Relation> = data
            .relations
            .iter()
            .filter(|r| r.from.as_str() == actor || r.to.as_str() == actor)
            .collect();
        assert!(of_actor.len() >= 3, "{actor}");
        for order in orders() {
            let want = sorted(&of_actor, &order);
            let (forward, backward) = read_both_ways(&service, Some(actor), &order).await;
            assert_eq!(forward, want, "{actor}, forward, {order}");
            assert_eq!(backward, want, "{actor}, backward, {order}");
        }
    }
    // With a condition, on the whole graph and on an actor's.
    for actor in [None, Some("amazon")] {
        let passing: Vec<&Relation> = data
            .relations
            .iter()
            .filter(|r| r.evidence.iter().any(|e| e.quote.contains("클라우드")))
            .filter(|r| actor.is_none_or(|a| r.from.as_str() == a || r.to.as_str() == a))
            .collect();
        for order in orders() {
            let d = crate::helpers::data(
                &service,
                "query($a: ID, $o: RelationOrder) { relations(actorId: $a, orderBy: $o, where: {quoteContains: \"클라우드\"}, last: 100) { edges { node { id } } } }",
                json!({"a": actor, "o": order}),
            )
            .await;
            assert_eq!(
                edge_ids(&d["relations"]),
                sorted(&passing, &order),
                "{actor:?} {order}"
            );
        }
    }
    // The README's question: what the Cloud Development Act was tied to between
    // 2013 and 2015, oldest first; undated relations are left out by the range.
    let d = crate::helpers::data(
        &service,
        r#"{ relations(actorId: "cloud-development-act", where: {start: {gte: "2013", lte: "2015"}}, orderBy: {field: START}) { edges { node { id startDate } } } }"#,
        json!({}),
    )
    .await;
    let dates = crate::helpers::start_dates(&d["relations"]);
    assert!(dates.len() >= 3, "{dates:?}");
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
}

/// Nested lists in an order: every actor's first page, in one query.
pub async fn the_first_page_of_every_actor_in_an_order_comes_in_one_query(make: Maker) {
    let Some((service, data)) = seeded(make).await else {
        return;
    };
    for order in orders() {
        let d = crate::helpers::data(
            &service,
            "query($o: RelationOrder) { actors(first: 100) { edges { node { id relations(orderBy: $o, first: 2) { edges { node { id } } } last: relations(orderBy: $o, last: 2) { edges { node { id } } } } } } }",
            json!({"o": order}),
        )
        .await;
        for a in d["actors"]["edges"].as_array().unwrap() {
            let id = a["node"]["id"].as_str().unwrap();
            let of_actor: Vec<&Relation> = data
                .relations
                .iter()
                .filter(|r| r.from.as_str() == id || r.to.as_str() == id)
                .collect();
            let want = sorted(&of_actor, &order);
            let n = want.len();
            assert_eq!(
                edge_ids(&a["node"]["relations"]),
                want[..n.min(2)],
                "{id} {order}"
            );
            assert_eq!(
                edge_ids(&a["node"]["last"]),
                want[n.saturating_sub(2)..],
                "{id} {order}"
            );
        }
    }
}

pub async fn cursors_of_another_order_and_mixed_directions_are_refused(make: Maker) {
    let Some((service, _)) = seeded(make).await else {
        return;
    };
    let d = crate::helpers::data(
        &service,
        "{ relations(first: 1) { pageInfo { endCursor } } }",
        json!({}),
    )
    .await;
    let by_id = d["relations"]["pageInfo"]["endCursor"].clone();
    for (vars, argument) in [
        (json!({"o": {"field": "START"}, "after": by_id}), "after"),
        (json!({"o": {"field": "AMOUNT"}}), "orderBy"),
        (
            json!({"o": {"field": "START", "currency": "USD"}}),
            "orderBy",
        ),
        (json!({"first": 2, "last": 2}), "last"),
        (json!({"first": 2, "before": by_id}), "before"),
        (json!({"last": 200}), "last"),
        (json!({"before": "nonsense", "last": 1}), "before"),
    ] {
        let r = run(&service, PAGE, vars.clone()).await;
        assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{vars}");
        let message = r["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("`{argument}")),
            "{vars}: {message}"
        );
    }
}

const ACTORS: &str = "query($o: ActorOrder, $k: [ActorKind!], $w: ActorWhere, $first: Int, $after: String, $last: Int, $before: String) {
  actors(orderBy: $o, kinds: $k, where: $w, first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";

/// Reads a whole actor list four at a time, forward then backward.
async fn actors_both_ways(service: &GraphqlService, vars: &Value) -> (Vec<String>, Vec<String>) {
    let mut forward = Vec::new();
    let mut after = Value::Null;
    loop {
        let mut v = vars.clone();
        v["first"] = json!(4);
        v["after"] = after.clone();
        let d = data(service, ACTORS, v).await;
        forward.extend(edge_ids(&d["actors"]));
        if d["actors"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = d["actors"]["pageInfo"]["endCursor"].clone();
    }
    let mut backward: Vec<String> = Vec::new();
    let mut before = Value::Null;
    loop {
        let mut v = vars.clone();
        v["last"] = json!(4);
        v["before"] = before.clone();
        let d = data(service, ACTORS, v).await;
        let mut page = edge_ids(&d["actors"]);
        page.append(&mut backward);
        backward = page;
        if d["actors"]["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = d["actors"]["pageInfo"]["startCursor"].clone();
    }
    (forward, backward)
}

pub async fn actors_read_alike_in_every_order_both_ways(make: Maker) {
    let Some((service, data)) = seeded(make).await else {
        return;
    };
    let degree = |id: &str| {
        data.relations
            .iter()
            .filter(|r| r.from.as_str() == id || r.to.as_str() == id)
            .count()
    };
    let mut checked = 0;
    for field in ["ID", "NAME_KO", "NAME_EN", "RELATIONS"] {
        for direction in ["ASC", "DESC"] {
            for (kinds, where_) in [
                (json!(null), json!(null)),
                (json!(["PERSON", "COMPANY"]), json!(null)),
                (json!(null), json!({"relations": [{"gte": 2}]})),
            ] {
                let order = json!({"field": field, "direction": direction});
                let mut actors: Vec<(Option<Key>, String)> = data
                    .actors
                    .iter()
                    .filter(|a| {
                        kinds
                            .as_array()
                            .is_none_or(|ks| ks.iter().any(|k| k == a.kind.as_str()))
                    })
                    .filter(|a| where_.is_null() || degree(a.id.as_str()) >= 2)
                    .map(|a| {
                        let key = match field {
                            "ID" => Some(Key::Text(a.id.to_string())),
                            "NAME_KO" => a.name_ko.as_ref().map(|n| Key::Text(n.to_lowercase())),
                            "NAME_EN" => a.name_en.as_ref().map(|n| Key::Text(n.to_lowercase())),
                            _ => Some(Key::Number(degree(a.id.as_str()) as f64)),
                        };
                        (key, a.id.to_string())
                    })
                    .collect();
                sort_positions(&mut actors, direction == "DESC");
                let want: Vec<String> = actors.into_iter().map(|(_, id)| id).collect();
                let vars = json!({"o": order, "k": kinds, "w": where_});
                let (forward, backward) = actors_both_ways(&service, &vars).await;
                assert_eq!(forward, want, "forward {vars}");
                assert_eq!(backward, want, "backward {vars}");
                checked += usize::from(want.len() > 4);
            }
        }
    }
    assert!(checked >= 16, "{checked}");
    // Korean names in dictionary order: 국회 before 아마존 before 중앙정보국.
    let d = crate::helpers::data(
        &service,
        r#"{ actors(orderBy: {field: NAME_KO}, first: 100) { edges { node { nameKo } } } }"#,
        json!({}),
    )
    .await;
    let names: Vec<&str> = d["actors"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["node"]["nameKo"].as_str())
        .collect();
    let at = |n: &str| {
        names
            .iter()
            .position(|x| *x == n)
            .unwrap_or_else(|| panic!("{n} in {names:?}"))
    };
    assert!(
        at("국회") < at("아마존") && at("아마존") < at("중앙정보국"),
        "{names:?}"
    );
    // Search results stay best match first, forward.
    for (vars, argument) in [
        (json!({"s": "cia", "o": {"field": "NAME_EN"}}), "orderBy"),
        (json!({"s": "cia", "last": 2}), "last"),
    ] {
        let r = run(
            &service,
            "query($s: String, $o: ActorOrder, $last: Int) { actors(search: $s, orderBy: $o, last: $last) { edges { node { id } } } }",
            vars.clone(),
        )
        .await;
        assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{vars}");
        assert_eq!(r["errors"][0]["extensions"]["argument"], argument, "{vars}");
    }
}
