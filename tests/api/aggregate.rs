//! `RelationConnection.aggregate`: figures over every relation of a list, alike on
//! every store, each checked against a plain reading of the data set, and read
//! in one store call per level of the query.

use std::collections::BTreeMap;

use actorgraph::api::GraphqlService;
use actorgraph::domain::{Dataset, Relation};
use serde_json::{json, Value};

use crate::backends::{for_each_backend, Maker};
use crate::helpers::{codes, data, edge_ids, run, seed_dataset, CountingRepository};

for_each_backend!(crate::aggregate;
    an_actors_aggregate_sums_its_amounts_per_currency_and_spans_its_dates,
    every_actors_aggregate_under_every_condition_matches_the_data,
    the_whole_graphs_aggregate_has_no_other_end,
    aggregates_of_a_level_cost_one_store_call,
);

const AGGREGATE: &str =
    "aggregate { count amounts { currency count sum min max average } start { earliest latest count } end { earliest latest count } byType { type count } byOtherEndKind { kind count } }";

/// The aggregate of `relations` as the API should give it, computed plainly:
/// `actor` is the list's actor (for the kinds at the other ends).
fn expected(data: &Dataset, relations: &[&Relation], actor: Option<&str>) -> Value {
    let mut amounts: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut by_type: BTreeMap<usize, (&str, usize)> = BTreeMap::new();
    let mut by_kind: BTreeMap<usize, (&str, usize)> = BTreeMap::new();
    let dates = |pick: fn(&Relation) -> Option<String>| -> Value {
        let mut ds: Vec<(u16, u8, u8, String)> = relations
            .iter()
            .filter_map(|r| pick(r))
            .map(|s| {
                let mut parts = s.split('-').map(|p| p.parse::<u16>().unwrap());
                let y = parts.next().unwrap();
                let m = parts.next().unwrap_or(0) as u8;
                let d = parts.next().unwrap_or(0) as u8;
                (y, m, d, s)
            })
            .collect();
        ds.sort();
        match (ds.first(), ds.last()) {
            (Some(first), Some(last)) => {
                json!({"earliest": first.3, "latest": last.3, "count": ds.len()})
            }
            _ => Value::Null,
        }
    };
    for r in relations {
        if let Some(m) = &r.amount {
            amounts.entry(&m.currency).or_default().push(m.value);
        }
        let t = actorgraph::domain::RelationType::ALL
            .iter()
            .position(|t| *t == r.kind)
            .unwrap();
        by_type.entry(t).or_insert((r.kind.as_str(), 0)).1 += 1;
        if let Some(actor) = actor {
            let other = if r.from.as_str() == actor {
                &r.to
            } else {
                &r.from
            };
            let kind = data.actors.iter().find(|a| &a.id == other).unwrap().kind;
            let k = actorgraph::domain::ActorKind::ALL
                .iter()
                .position(|x| *x == kind)
                .unwrap();
            by_kind.entry(k).or_insert((kind.as_str(), 0)).1 += 1;
        }
    }
    json!({
        "count": relations.len(),
        "amounts": amounts.iter().map(|(currency, values)| {
            let sum: f64 = values.iter().sum();
            json!({
                "currency": currency,
                "count": values.len(),
                "sum": sum,
                "min": values.iter().cloned().fold(f64::INFINITY, f64::min),
                "max": values.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                "average": sum / values.len() as f64,
            })
        }).collect::<Vec<_>>(),
        "start": dates(|r| r.start.as_ref().map(|d| d.date.to_string())),
        "end": dates(|r| r.end.as_ref().map(|d| d.date.to_string())),
        "byType": by_type.values().map(|(t, n)| json!({"type": t, "count": n})).collect::<Vec<_>>(),
        "byOtherEndKind": actor.map(|_| by_kind.values().map(|(k, n)| json!({"kind": k, "count": n})).collect::<Vec<_>>()),
    })
}

/// Numbers compare as numbers (the API answers 1 and 1.0 alike).
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => got == want,
    }
}

async fn seeded(make: Maker) -> Option<(GraphqlService, Dataset)> {
    let data = seed_dataset();
    make(data.clone())
        .await
        .map(|repo| (GraphqlService::new(repo), data))
}

/// The first question of the README: the total value of the contracts with
/// Amazon, by currency, and when they ran.
pub async fn an_actors_aggregate_sums_its_amounts_per_currency_and_spans_its_dates(make: Maker) {
    let Some((service, data)) = seeded(make).await else {
        return;
    };
    let d = crate::helpers::data(
        &service,
        &format!(r#"{{ actor(id: "amazon") {{ relations(types: [CONTRACT], first: 0) {{ totalCount {AGGREGATE} }} }} }}"#),
        json!({}),
    )
    .await;
    let list = &d["actor"]["relations"];
    let contracts: Vec<&Relation> = data
        .relations
        .iter()
        .filter(|r| {
            r.kind == actorgraph::domain::RelationType::Contract
                && (r.from.as_str() == "amazon" || r.to.as_str() == "amazon")
        })
        .collect();
    assert!(!contracts.is_empty());
    let want = expected(&data, &contracts, Some("amazon"));
    assert!(same(&list["aggregate"], &want), "{list}\n{want}");
    assert_eq!(list["aggregate"]["count"], list["totalCount"]);
    // The CIA's 600 million dollar contract is among them.
    let usd = list["aggregate"]["amounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["currency"] == "USD")
        .expect("a sum in dollars");
    assert!(usd["sum"].as_f64().unwrap() >= 6e8, "{usd}");
}

/// Every actor of the seed, each with its relations' aggregate under a dozen
/// conditions, in one query per condition: each matches the plain reading of
/// the relations that pass (as the root list lists them).
pub async fn every_actors_aggregate_under_every_condition_matches_the_data(make: Maker) {
    let Some((service, data)) = seeded(make).await else {
        return;
    };
    let conditions = [
        json!(null),
        json!({"types": ["CONTRACT", "LEASE", "LOBBYING"]}),
        json!({"amount": {"currency": "USD"}}),
        json!({"start": {"gte": "2014"}}),
        json!({"start": {"lt": "2015-01"}}),
        json!({"end": {"exists": true}}),
        json!({"NOT": {"start": {"exists": true}}}),
        json!({"quoteContains": "클라우드"}),
        json!({"OR": [{"types": ["POSITION"]}, {"amount": {"currency": "USD", "gte": 1}}]}),
        json!({"status": ["pending"]}),
    ];
    let mut nonempty = 0;
    for w in conditions {
        let passing: Vec<String> = {
            let d = crate::helpers::data(
                &service,
                "query($w: RelationWhere) { relations(where: $w, first: 100) { edges { node { id } } } }",
                json!({"w": w}),
            )
            .await;
            edge_ids(&d["relations"])
        };
        let q = format!(
            "query($w: RelationWhere) {{ actors(first: 100) {{ edges {{ node {{ id relations(where: $w, first: 1) {{ {AGGREGATE} }} }} }} }} relations(where: $w, first: 0) {{ {AGGREGATE} }} }}"
        );
        let d = crate::helpers::data(&service, &q, json!({"w": w})).await;
        let actors = d["actors"]["edges"].as_array().unwrap();
        assert_eq!(actors.len(), data.actors.len());
        for a in actors {
            let id = a["node"]["id"].as_str().unwrap();
            let rels: Vec<&Relation> = data
                .relations
                .iter()
                .filter(|r| {
                    (r.from.as_str() == id || r.to.as_str() == id)
                        && passing.iter().any(|p| p == r.id.as_str())
                })
                .collect();
            let want = expected(&data, &rels, Some(id));
            let got = &a["node"]["relations"]["aggregate"];
            assert!(same(got, &want), "{id} under {w}:\n{got}\n{want}");
            nonempty += usize::from(!rels.is_empty());
        }
        let all: Vec<&Relation> = data
            .relations
            .iter()
            .filter(|r| passing.iter().any(|p| p == r.id.as_str()))
            .collect();
        let want = expected(&data, &all, None);
        let got = &d["relations"]["aggregate"];
        assert!(same(got, &want), "all under {w}:\n{got}\n{want}");
    }
    assert!(nonempty > 50, "only {nonempty} non-empty aggregates");
}

/// A list that is not one actor's has no other end to count by; one that is
/// (`relations(actorId:)`) has, and so does `direction` narrow it.
pub async fn the_whole_graphs_aggregate_has_no_other_end(make: Maker) {
    let Some((service, data)) = seeded(make).await else {
        return;
    };
    let d = crate::helpers::data(
        &service,
        &format!(r#"{{ all: relations(first: 0) {{ totalCount {AGGREGATE} }} cia: relations(actorId: "cia", direction: OUT, first: 0) {{ {AGGREGATE} }} }}"#),
        json!({}),
    )
    .await;
    assert_eq!(d["all"]["aggregate"]["byOtherEndKind"], Value::Null);
    assert_eq!(d["all"]["aggregate"]["count"], data.relations.len());
    let all: Vec<&Relation> = data.relations.iter().collect();
    assert!(same(&d["all"]["aggregate"], &expected(&data, &all, None)));
    let out: Vec<&Relation> = data
        .relations
        .iter()
        .filter(|r| r.from.as_str() == "cia")
        .collect();
    assert!(same(
        &d["cia"]["aggregate"],
        &expected(&data, &out, Some("cia"))
    ));
    // An aggregate asked of a list with a bad argument is the list's error.
    let r = run(
        &service,
        r#"{ relations(where: {amount: {gt: 1}}) { aggregate { count } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"]);
}

/// The aggregates of every actor of a page come in one store call, beside their
/// pages; a root list's comes in a call beside its page.
pub async fn aggregates_of_a_level_cost_one_store_call(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let counting = CountingRepository::new(repo);
    let service = GraphqlService::new(counting.clone());
    let d = data(
        &service,
        "{ actors(first: 30) { edges { node { id relations(first: 2) { aggregate { count } edges { node { to { relations(types: [CONTRACT]) { aggregate { amounts { sum } } } } } } } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        d["actors"]["edges"].as_array().unwrap().len(),
        seed_dataset().actors.len()
    );
    // actors; their pages with the `to` actors, and their aggregates; the `to`
    // actors' pages, and their aggregates.
    assert_eq!(counting.take(), 5);
    data(
        &service,
        "{ relations(first: 5) { aggregate { count } edges { node { id } } } }",
        json!({}),
    )
    .await;
    assert_eq!(counting.take(), 2);
}
