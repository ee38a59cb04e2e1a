//! Relay's global object identification: `node(id:)` and `nodes(ids:)` find
//! actors, relations and sources by id alone, on every store, in a fixed number
//! of store calls.

use actorgraph::api::GraphqlService;
use serde_json::json;

use crate::backends::{for_each_backend, Maker};
use crate::helpers::{codes, data, run, seed_dataset, CountingRepository};

for_each_backend!(crate::node;
    node_finds_a_record_of_any_kind_by_id,
    nodes_keep_the_order_of_their_ids_in_a_fixed_number_of_calls,
    bad_ids_and_too_many_are_refused,
);

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id
    ... on Actor { name kind }
    ... on Relation { type from { id } }
    ... on Source { title } } }";

pub async fn node_finds_a_record_of_any_kind_by_id(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let service = GraphqlService::new(repo);
    let d = data(&service, NODE, json!({"id": "cia"})).await;
    assert_eq!(d["node"]["__typename"], "Actor");
    assert_eq!(d["node"]["kind"], "GOVERNMENT_AGENCY");
    let d = data(&service, NODE, json!({"id": "cia-contract-amazon"})).await;
    assert_eq!(d["node"]["__typename"], "Relation");
    assert_eq!(d["node"]["type"], "CONTRACT");
    assert_eq!(d["node"]["from"]["id"], "cia");
    let d = data(&service, NODE, json!({"id": "amazon-korea-cloud-2015"})).await;
    assert_eq!(d["node"]["__typename"], "Source");
    assert!(d["node"]["title"].as_str().unwrap().contains("Amazon"));
    let d = data(&service, NODE, json!({"id": "no-such-record"})).await;
    assert!(d["node"].is_null());
    // Every record of the seed is found as itself.
    let seed = seed_dataset();
    let ids: Vec<String> = seed
        .actors
        .iter()
        .map(|a| a.id.to_string())
        .chain(seed.relations.iter().map(|r| r.id.to_string()))
        .chain(seed.sources.iter().map(|s| s.id.to_string()))
        .collect();
    for chunk in ids.chunks(100) {
        let d = data(
            &service,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({"ids": chunk}),
        )
        .await;
        let got: Vec<&str> = d["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        assert_eq!(got, chunk);
    }
}

pub async fn nodes_keep_the_order_of_their_ids_in_a_fixed_number_of_calls(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let counting = CountingRepository::new(repo);
    let service = GraphqlService::new(counting.clone());
    let ids = json!([
        "amazon",
        "nothing-here",
        "cia-contract-amazon",
        "amazon-korea-cloud-2015",
        "kt",
        "cia"
    ]);
    let d = data(
        &service,
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
            ... on Actor { relations(first: 3) { edges { node { to { name } } } } }
            ... on Relation { to { name } evidence { source { title } } } } }",
        json!({"ids": ids}),
    )
    .await;
    let got: Vec<serde_json::Value> = d["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["__typename"].clone())
        .collect();
    assert_eq!(
        got,
        [
            json!("Actor"),
            json!(null),
            json!("Relation"),
            json!("Source"),
            json!("Actor"),
            json!("Actor")
        ]
    );
    assert_eq!(d["nodes"][2]["to"]["name"], "Amazon");
    assert_eq!(
        d["nodes"][0]["relations"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // The three kinds by id (three calls together), then one level: the actors'
    // pages with the actors at their ends. The relation's `to` and its source are
    // among what the first calls read.
    assert_eq!(counting.take(), 4);
    // Twice the ids, and as many records again: the same number of calls.
    let mut more: Vec<String> = seed_dataset()
        .actors
        .iter()
        .take(20)
        .map(|a| a.id.to_string())
        .collect();
    more.extend(
        seed_dataset()
            .relations
            .iter()
            .take(20)
            .map(|r| r.id.to_string()),
    );
    data(
        &service,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id
            ... on Actor { relations(first: 3) { edges { node { to { name } } } } }
            ... on Relation { to { name } } } }",
        json!({"ids": more}),
    )
    .await;
    assert_eq!(counting.take(), 4);
}

pub async fn bad_ids_and_too_many_are_refused(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let service = GraphqlService::new(repo);
    let r = run(&service, NODE, json!({"id": "Not A Slug!"})).await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
    let many: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    let r = run(
        &service,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        json!({"ids": many}),
    )
    .await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
}
