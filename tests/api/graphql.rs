//! Behaviour of the GraphQL API, through `GraphqlService::execute` (no HTTP). The
//! tests that read data run on every backend; those about the schema alone run once.

use actorgraph::api::GraphqlService;
use serde_json::{json, Value};

use crate::backends::{for_each_backend, Maker};
use crate::helpers::{
    codes, data, edge_ids, run, seed_dataset, seeded_service, synthetic, CountingRepository,
};

/// A service over a fresh store of `make` holding the seed data set.
async fn seeded(make: Maker) -> Option<GraphqlService> {
    make(seed_dataset()).await.map(GraphqlService::new)
}

for_each_backend!(crate::graphql;
    an_actor_is_found_by_id_with_names_in_both_languages,
    an_unknown_id_gives_null_not_an_error,
    a_relation_reads_with_its_endpoints_dates_money_and_evidence,
    the_cia_contract_reads_as_600_million_us_dollars,
    paging_through_all_actors_visits_each_once_in_order,
    relations_filter_by_actor_direction_and_type,
    sources_list_the_article_with_its_full_text,
    every_playground_example_runs_and_answers_its_question,
    a_page_of_relations_with_actors_and_evidence_costs_two_store_calls,
    the_histories_of_a_page_of_records_cost_one_store_call,
    a_hundred_relations_with_actors_and_evidence_cost_the_same_two_calls,
    a_hundred_actors_with_their_relations_and_neighbours_cost_one_call_per_level,
    nested_relation_lists_of_many_actors_are_fetched_in_one_call_per_level,
    an_actor_two_levels_deep_costs_one_call_per_level,
    searching_klaudeu_finds_the_association_and_the_act,
    searching_aws_in_any_case_finds_amazon_web_services,
    the_gs_tower_lease_holds_until_february_2024_and_not_after,
    stats_count_the_whole_graph,
    the_cia_reaches_kt_through_amazon_and_the_cloud_act_with_evidence_for_each_step,
    paths_follow_direction_and_limits_and_name_unknown_ends,
    paths_and_neighbourhoods_cost_round_trips_bounded_by_their_depth,
    the_neighbourhood_of_kt_is_drawn_with_its_nodes_and_edges,
    searching_cia_finds_the_agency_first_and_pages_on_in_rank_order,
    amazons_timeline_runs_from_the_2010_letter_with_inferred_years_marked,
    importing_needs_an_admin_key,
    an_admin_imports_a_new_article_about_existing_actors_and_a_rerun_changes_nothing,
    a_broken_document_lists_every_problem_and_writes_nothing,
);

pub async fn an_actor_is_found_by_id_with_names_in_both_languages(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let d = data(
        &service,
        r#"{ actor(id: "cia") { id kind name nameKo nameEn aliases ko: name(language: KO) } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        d["actor"],
        json!({"id": "cia", "kind": "GOVERNMENT_AGENCY", "name": "Central Intelligence Agency", "nameKo": "중앙정보국",
               "nameEn": "Central Intelligence Agency", "aliases": ["CIA", "미국 중앙정보국"], "ko": "중앙정보국"})
    );
}

pub async fn an_unknown_id_gives_null_not_an_error(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let d = data(&service, r#"{ actor(id: "nobody") { id } relation(id: "no-such-relation") { id } source(id: "none") { id } }"#, json!({})).await;
    assert_eq!(d, json!({"actor": null, "relation": null, "source": null}));
}

#[tokio::test]
async fn a_malformed_id_is_bad_user_input_naming_the_argument() {
    let r = run(
        &seeded_service(),
        r#"{ actor(id: "CIA") { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"]);
    assert_eq!(r["errors"][0]["extensions"]["argument"], "id");
    assert!(r["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("lowercase"));
}

pub async fn a_relation_reads_with_its_endpoints_dates_money_and_evidence(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let d = data(
        &service,
        r#"{ relation(id: "amazon-leases-gs-tower") {
              type from { id } to { id nameKo } startDate endDate
              start { value precision year month day inferred note }
              end { value precision inferred }
              area { squareMetres approximate } status
              evidence { quote source { id language publishedAt published { inferred } } } } }"#,
        json!({}),
    )
    .await;
    let r = &d["relation"];
    assert_eq!(r["type"], "LEASE");
    assert_eq!(r["from"]["id"], "amazon");
    assert_eq!(r["to"], json!({"id": "gs-tower", "nameKo": "GS타워"}));
    assert_eq!(
        (r["startDate"].as_str(), r["endDate"].as_str()),
        (Some("2014"), Some("2024-02"))
    );
    assert_eq!(r["start"]["precision"], "YEAR");
    assert_eq!(r["start"]["inferred"], true);
    assert_eq!(r["start"]["month"], Value::Null);
    assert_eq!(
        r["end"],
        json!({"value": "2024-02", "precision": "MONTH", "inferred": false})
    );
    assert_eq!(
        r["area"],
        json!({"squareMetres": 3200.0, "approximate": true})
    );
    assert_eq!(r["evidence"][0]["source"]["id"], "amazon-korea-cloud-2015");
    assert!(r["evidence"][0]["quote"]
        .as_str()
        .unwrap()
        .contains("GS타워 12층 일부와 13층 전체"));
}

pub async fn the_cia_contract_reads_as_600_million_us_dollars(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let d = data(&service, r#"{ relation(id: "cia-contract-amazon") { amount { value currency } from { name } to { name } } }"#, json!({})).await;
    assert_eq!(
        d["relation"],
        json!({"amount": {"value": 600000000.0, "currency": "USD"}, "from": {"name": "Central Intelligence Agency"}, "to": {"name": "Amazon"}})
    );
}

pub async fn paging_through_all_actors_visits_each_once_in_order(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let mut after: Option<String> = None;
    let mut seen = Vec::new();
    let mut total = None;
    loop {
        let d = data(
            &service,
            r#"query($after: String) { actors(first: 4, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }"#,
            json!({"after": after}),
        )
        .await;
        let c = &d["actors"];
        total.get_or_insert(c["totalCount"].as_i64().unwrap());
        assert_eq!(
            Some(c["totalCount"].as_i64().unwrap()),
            total,
            "totalCount is the same on every page"
        );
        assert_eq!(c["pageInfo"]["hasPreviousPage"], after.is_some());
        let edges = c["edges"].as_array().unwrap();
        assert_eq!(c["pageInfo"]["endCursor"], edges.last().unwrap()["cursor"]);
        assert_eq!(c["pageInfo"]["startCursor"], edges[0]["cursor"]);
        seen.extend(edge_ids(c));
        if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = c["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "in id order, without repeats");
    assert_eq!(seen.len() as i64, total.unwrap());
    assert_eq!(seen.len(), seed_dataset().actors.len());
}

#[tokio::test]
async fn page_sizes_over_the_maximum_or_negative_are_refused_with_a_code() {
    let service = seeded_service();
    for first in [101, -1] {
        let r = run(
            &service,
            "query($n: Int) { relations(first: $n) { totalCount } }",
            json!({"n": first}),
        )
        .await;
        assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
        assert_eq!(r["errors"][0]["extensions"]["argument"], "first");
    }
    let d = data(
        &service,
        "{ relations { edges { node { id } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        d["relations"]["edges"].as_array().unwrap().len(),
        20,
        "the default page size"
    );
}

#[tokio::test]
async fn a_cursor_not_made_by_the_api_is_refused() {
    let r = run(
        &seeded_service(),
        r#"{ actors(after: "page-2") { totalCount } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"]);
    assert_eq!(r["errors"][0]["extensions"]["argument"], "after");
}

pub async fn relations_filter_by_actor_direction_and_type(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let q = r#"query($d: Direction!, $t: [RelationType!]) { relations(actorId: "song-hee-kyung", direction: $d, types: $t, first: 50) { totalCount edges { node { id } } } }"#;
    let positions = data(&service, q, json!({"d": "OUT", "t": ["POSITION"]})).await;
    assert_eq!(
        edge_ids(&positions["relations"]),
        [
            "song-hee-kyung-chair-of-association",
            "song-hee-kyung-head-of-kt-public-sector-division"
        ]
    );
    let incoming = data(&service, q, json!({"d": "IN", "t": null})).await;
    assert_eq!(incoming["relations"]["totalCount"], 0);
    let nested = data(
        &service,
        r#"{ actor(id: "kt") { out: relations(direction: OUT) { totalCount } in: relations(direction: IN, types: [REGULATION, EXPECTED_BENEFIT]) { edges { node { id from { id } } } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(nested["actor"]["out"]["totalCount"], 0);
    assert_eq!(
        edge_ids(&nested["actor"]["in"]),
        ["cloud-act-benefits-kt", "pay-tv-bill-regulates-kt"]
    );
}

pub async fn sources_list_the_article_with_its_full_text(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let d = data(
        &service,
        "{ sources { totalCount edges { node { id title language publishedAt published { precision inferred note } text } } } }",
        json!({}),
    )
    .await;
    assert_eq!(d["sources"]["totalCount"], 1);
    let s = &d["sources"]["edges"][0]["node"];
    assert_eq!(s["id"], "amazon-korea-cloud-2015");
    assert_eq!(s["language"], "ko");
    assert_eq!(s["publishedAt"], "2015-02");
    assert_eq!(s["published"]["inferred"], true);
    assert!(s["text"]
        .as_str()
        .unwrap()
        .starts_with("아마존은 자국인 미국의 지원속에"));
}

#[tokio::test]
async fn unknown_fields_and_syntax_errors_get_request_error_codes() {
    let service = seeded_service();
    assert_eq!(
        codes(&run(&service, "{ nope }", json!({})).await),
        ["GRAPHQL_VALIDATION_FAILED"]
    );
    assert_eq!(
        codes(&run(&service, "{ actors(first: 5 { totalCount } }", json!({})).await),
        ["GRAPHQL_PARSE_FAILED"]
    );
    let bad_enum = run(
        &service,
        "query($k: [ActorKind!]) { actors(kinds: $k) { totalCount } }",
        json!({"k": ["SPY"]}),
    )
    .await;
    assert_eq!(codes(&bad_enum), ["GRAPHQL_VALIDATION_FAILED"]);
    let two_ops = run(
        &service,
        "query A { sources { totalCount } } query B { sources { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(codes(&two_ops), ["OPERATION_RESOLUTION_FAILURE"]);
}

#[tokio::test]
async fn queries_that_ask_for_too_much_are_refused_before_running() {
    let service = seeded_service();
    let wide = r#"{ actors(first: 100) { edges { node { relations(first: 100) { edges { node { from { relations(first: 100) { totalCount } } } } } } } } }"#;
    let r = run(&service, wide, json!({})).await;
    assert_eq!(codes(&r), ["QUERY_TOO_COMPLEX"]);
    assert!(r["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("first"));
    let mut deep = String::from("{ actor(id: \"cia\") { ");
    for _ in 0..9 {
        deep.push_str("relations(first: 1) { edges { node { from { ");
    }
    deep.push_str("id");
    deep.push_str(&" } } } }".repeat(9));
    deep.push_str(" } }");
    assert_eq!(
        codes(&run(&service, &deep, json!({})).await),
        ["QUERY_TOO_DEEP"]
    );
}

pub async fn every_playground_example_runs_and_answers_its_question(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let query = actorgraph::http::playground::example_query();
    let d = data(&service, query, json!({})).await;
    let cia = &d["actors"]["edges"][0]["node"];
    assert_eq!(cia["id"], "cia");
    let contract = cia["relations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["type"] == "CONTRACT")
        .unwrap();
    assert_eq!(
        contract["node"]["amount"],
        json!({"value": 600000000.0, "currency": "USD"})
    );
    // The other tabs: the analysts' questions of the README.
    let [_, contracts, oldest_first, sentences] = actorgraph::http::playground::EXAMPLES;
    let d = data(&service, contracts, json!({})).await;
    let aggregate = &d["actor"]["relations"]["aggregate"];
    assert_eq!(aggregate["count"], 1);
    assert_eq!(aggregate["amounts"][0]["currency"], "USD");
    assert_eq!(aggregate["amounts"][0]["sum"], 600000000.0);
    let d = data(&service, oldest_first, json!({})).await;
    let dates = crate::helpers::start_dates(&d["relations"]);
    assert!(dates.len() >= 3, "{dates:?}");
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    assert!(
        dates.iter().all(|d| ("2013".."2016").contains(d)),
        "{dates:?}"
    );
    let d = data(&service, sentences, json!({})).await;
    assert_eq!(
        d["nis"]["totalCount"], 0,
        "the seed's article names no 국가정보원"
    );
    let hit = &d["cia"]["edges"][0];
    assert_eq!(d["cia"]["totalCount"], 1);
    assert_eq!(hit["matchCount"], 1);
    let passage = &hit["matches"][0];
    assert!(passage["text"]
        .as_str()
        .unwrap()
        .contains("중앙정보국(CIA)"));
    assert!(
        passage["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "CONTRACT" && r["from"]["name"] == "Central Intelligence Agency"),
        "{passage}"
    );
}

#[tokio::test]
async fn introspection_works_within_the_limits() {
    // The query GraphiQL sends to build its docs and autocompletion.
    let q = r#"query { __schema { types { name fields { name args { name type { ...T } } type { ...T } } } } }
               fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }"#;
    let d = data(&seeded_service(), q, json!({})).await;
    let names: Vec<&str> = d["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(names.contains(&"Actor") && names.contains(&"RelationConnection"));
}

/// The histories of every actor and relation of a page come in one call each.
pub async fn the_histories_of_a_page_of_records_cost_one_store_call(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let counting = CountingRepository::new(repo);
    let service = GraphqlService::new(counting.clone());
    let d = data(
        &service,
        "{ actors(first: 25) { edges { node { id history(last: 3) { seq by change } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(d["actors"]["edges"].as_array().unwrap().len(), 25);
    // find_actors, then the histories of all 25.
    assert_eq!(counting.take(), 2);
    let d = data(
        &service,
        "{ relations(first: 40) { edges { node { id history { version } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(d["relations"]["edges"].as_array().unwrap().len(), 40);
    assert_eq!(counting.take(), 2);
    // One level down: the relations with their actors, then all those actors' histories.
    let d = data(
        &service,
        "{ relations(first: 40) { edges { node { from { id history { seq } } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(d["relations"]["edges"].as_array().unwrap().len(), 40);
    assert_eq!(counting.take(), 2);
}

/// Resolving many relations, each with both actors and evidence sources, costs a
/// fixed number of store calls, whatever the number of relations.
pub async fn a_page_of_relations_with_actors_and_evidence_costs_two_store_calls(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let counting = CountingRepository::new(repo);
    let service = GraphqlService::new(counting.clone());
    let q = r#"query($n: Int) { relations(first: $n) { edges { node { id from { name } to { name } evidence { quote source { title } } } } } }"#;
    let mut calls = Vec::new();
    for n in [1, 5, 40] {
        let d = data(&service, q, json!({"n": n})).await;
        assert_eq!(
            d["relations"]["edges"].as_array().unwrap().len(),
            n as usize
        );
        calls.push(counting.take());
    }
    // relations with their actors (from and to together), then sources.
    assert_eq!(calls, [2, 2, 2]);
}

pub async fn a_hundred_relations_with_actors_and_evidence_cost_the_same_two_calls(make: Maker) {
    let Some(repo) = make(synthetic(60, 3)).await else {
        return;
    };
    let counting = CountingRepository::new(repo);
    let service = GraphqlService::new(counting.clone());
    let d = data(
        &service,
        "{ relations(first: 100) { edges { node { from { id } to { id } evidence { quote source { id } } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(d["relations"]["edges"].as_array().unwrap().len(), 100);
    assert_eq!(counting.take(), 2);
}

pub async fn a_hundred_actors_with_their_relations_and_neighbours_cost_one_call_per_level(
    make: Maker,
) {
    let Some(repo) = make(synthetic(150, 2)).await else {
        return;
    };
    let counting = CountingRepository::new(repo);
    let service = GraphqlService::new(counting.clone());
    let q = "{ actors(first: 100) { edges { node { id relations(first: 4) { edges { node { to { id name } from { id } } } } } } } }";
    let d = data(&service, q, json!({})).await;
    let actors = d["actors"]["edges"].as_array().unwrap();
    assert_eq!(actors.len(), 100);
    // Each actor has 2 outgoing and 2 incoming contracts in the ring.
    assert!(actors
        .iter()
        .all(|a| a["node"]["relations"]["edges"].as_array().unwrap().len() == 4));
    // actors; all their relation pages, with the actors at the other ends in the
    // same call.
    assert_eq!(counting.take(), 2);
}

pub async fn nested_relation_lists_of_many_actors_are_fetched_in_one_call_per_level(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let counting = CountingRepository::new(repo);
    let service = GraphqlService::new(counting.clone());
    let q = r#"{ actors(first: 30) { edges { node { id relations(first: 30) { totalCount edges { node { to { id relations(first: 3) { edges { node { id } } } } evidence { source { id } } } } } } } } }"#;
    let d = data(&service, q, json!({})).await;
    assert_eq!(
        d["actors"]["edges"].as_array().unwrap().len(),
        seed_dataset().actors.len()
    );
    // actors; their relations; the sources; the `to` actors' relations. The `to`
    // actors themselves are not fetched again: the root page read every actor of
    // the seed already.
    assert_eq!(counting.take(), 4);
}

/// The benchmark's query shape: one actor, its relations with the actors they lead
/// to, and those actors' relations with theirs. The actor comes with its own page
/// (it is an end of its relations), and each level's actors with their pages.
pub async fn an_actor_two_levels_deep_costs_one_call_per_level(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let counting = CountingRepository::new(repo);
    let service = GraphqlService::new(counting.clone());
    let q = r#"{ actor(id: "cia") { name relations(first: 10, direction: OUT) { edges { node { type to { id name relations(first: 10) { edges { node { type to { name } } } } } } } } } }"#;
    let d = data(&service, q, json!({})).await;
    assert_eq!(d["actor"]["name"], "Central Intelligence Agency");
    let first = d["actor"]["relations"]["edges"].as_array().unwrap();
    assert!(!first.is_empty());
    assert!(first.iter().all(|e| e["node"]["to"]["name"].is_string()));
    assert!(first.iter().all(|e| e["node"]["to"]["id"] != "cia"));
    // cia's page with its ends (cia among them); the ends' pages with theirs.
    assert_eq!(counting.take(), 2);
    // An unknown actor: its (empty) page, then the actor, not found.
    let none = data(&service, &q.replace("\"cia\"", "\"nobody\""), json!({})).await;
    assert!(none["actor"].is_null(), "{none}");
    assert_eq!(counting.take(), 2);
}

#[test]
fn the_committed_sdl_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/schema.graphql");
    let sdl = actorgraph::api::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &sdl).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "schema/schema.graphql is out of date: run `UPDATE_SCHEMA=1 cargo test --test api the_committed_sdl` (or `cargo run -- schema > schema/schema.graphql`) and commit it"
    );
}

#[tokio::test]
async fn every_type_field_argument_and_enum_value_has_a_description() {
    let q = r#"{ __schema { types { name kind description
        fields { name description args { name description } }
        enumValues { name description } } } }"#;
    let d = data(&seeded_service(), q, json!({})).await;
    let mut missing = Vec::new();
    let blank = |v: &Value| v.as_str().is_none_or(|s| s.trim().is_empty());
    for t in d["__schema"]["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        if blank(&t["description"]) {
            missing.push(name.to_string());
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            if blank(&f["description"]) {
                missing.push(format!("{name}.{}", f["name"]));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if blank(&a["description"]) {
                    missing.push(format!("{name}.{}({})", f["name"], a["name"]));
                }
            }
        }
        for v in t["enumValues"].as_array().into_iter().flatten() {
            if blank(&v["description"]) {
                missing.push(format!("{name}.{}", v["name"]));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}

/// `클라우드` (cloud) matches Korean names by substring.
pub async fn searching_klaudeu_finds_the_association_and_the_act(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let d = data(
        &service,
        r#"query($s: String) { actors(search: $s, first: 50) { edges { node { id } } } }"#,
        json!({"s": "클라우드"}),
    )
    .await;
    let ids: Vec<&str> = d["actors"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"korea-cloud-industry-association"), "{ids:?}");
    assert!(ids.contains(&"cloud-development-act"), "{ids:?}");
}

pub async fn searching_aws_in_any_case_finds_amazon_web_services(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    for s in ["aws", "AWS", "아마존 웹서비스", "amazon web"] {
        let d = data(
            &service,
            r#"query($s: String) { actors(search: $s) { edges { node { id nameEn } } } }"#,
            json!({"s": s}),
        )
        .await;
        let names: Vec<&str> = d["actors"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["nameEn"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"Amazon Web Services"), "{s}: {names:?}");
    }
}

pub async fn the_gs_tower_lease_holds_until_february_2024_and_not_after(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let q = r#"query($d: String) { actor(id: "gs-tower") { relations(asOf: $d) { totalCount edges { node { id } } } } }"#;
    for (date, leases) in [
        ("2014-12", 1),
        ("2020", 1),
        ("2024-02-29", 1),
        ("2024-03", 0),
        ("2013", 0),
    ] {
        let d = data(&service, q, json!({"d": date})).await;
        assert_eq!(
            d["actor"]["relations"]["totalCount"], leases,
            "as of {date}"
        );
    }
    let bad = run(&service, q, json!({"d": "Feb 2024"})).await;
    assert_eq!(codes(&bad), ["BAD_USER_INPUT"]);
    assert_eq!(bad["errors"][0]["extensions"]["argument"], "asOf");
}

pub async fn stats_count_the_whole_graph(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let d = data(
        &service,
        "{ stats { actors relations sources actorsByKind { kind count } relationsByType { type count } } }",
        json!({}),
    )
    .await;
    let seed = seed_dataset();
    assert_eq!(d["stats"]["actors"], seed.actors.len());
    assert_eq!(d["stats"]["relations"], seed.relations.len());
    assert_eq!(d["stats"]["sources"], seed.sources.len());
    let contracts = d["stats"]["relationsByType"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "CONTRACT")
        .unwrap();
    let expected = seed
        .relations
        .iter()
        .filter(|r| r.kind == actorgraph::domain::RelationType::Contract)
        .count();
    assert_eq!(contracts["count"], expected);
}

pub async fn the_cia_reaches_kt_through_amazon_and_the_cloud_act_with_evidence_for_each_step(
    make: Maker,
) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let d = data(
        &service,
        r#"{ paths(fromId: "cia", toId: "kt") { length actors { id } hops { reversed relation { id type evidence { quote source { id } } } } } }"#,
        json!({}),
    )
    .await;
    let paths = d["paths"].as_array().unwrap();
    assert!(
        !paths.is_empty() && paths.len() <= 5,
        "default first is 5: {}",
        paths.len()
    );
    let shortest = &paths[0];
    assert_eq!(shortest["length"], 3);
    let actors: Vec<&str> = shortest["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(actors, ["cia", "amazon", "cloud-development-act", "kt"]);
    let hops: Vec<(&str, bool)> = shortest["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["relation"]["id"].as_str().unwrap(),
                h["reversed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        hops,
        [
            ("cia-contract-amazon", false),
            ("cloud-act-obstacle-for-amazon", true),
            ("cloud-act-benefits-kt", false)
        ]
    );
    // Every step of every path says where it comes from.
    for p in paths {
        for h in p["hops"].as_array().unwrap() {
            let evidence = h["relation"]["evidence"].as_array().unwrap();
            assert!(
                !evidence.is_empty()
                    && evidence
                        .iter()
                        .all(|e| !e["quote"].as_str().unwrap().is_empty())
            );
        }
    }
    let lengths: Vec<i64> = paths
        .iter()
        .map(|p| p["length"].as_i64().unwrap())
        .collect();
    assert!(
        lengths.windows(2).all(|w| w[0] <= w[1]),
        "shortest first: {lengths:?}"
    );
}

pub async fn paths_follow_direction_and_limits_and_name_unknown_ends(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let count = |d: &Value| d["paths"].as_array().unwrap().len();
    let q = r#"query($from: ID!, $to: ID!, $hops: Int!, $directed: Boolean!) {
        paths(fromId: $from, toId: $to, maxHops: $hops, directed: $directed) { length } }"#;
    let short = data(
        &service,
        q,
        json!({"from": "cia", "to": "kt", "hops": 2, "directed": false}),
    )
    .await;
    assert_eq!(count(&short), 0, "no path of two hops or fewer");
    let directed = data(
        &service,
        q,
        json!({"from": "cloud-development-act", "to": "kt", "hops": 1, "directed": true}),
    )
    .await;
    assert_eq!(directed["paths"], json!([{"length": 1}]));
    let backwards = data(
        &service,
        q,
        json!({"from": "kt", "to": "cloud-development-act", "hops": 1, "directed": true}),
    )
    .await;
    assert_eq!(
        count(&backwards),
        0,
        "the benefit runs from the act to KT, not back"
    );
    let unknown = run(
        &service,
        q,
        json!({"from": "cia", "to": "nsa", "hops": 3, "directed": false}),
    )
    .await;
    assert_eq!(codes(&unknown), ["NOT_FOUND"]);
    assert_eq!(unknown["errors"][0]["extensions"]["argument"], "toId");
    let too_far = run(
        &service,
        q,
        json!({"from": "cia", "to": "kt", "hops": 7, "directed": false}),
    )
    .await;
    assert_eq!(codes(&too_far), ["BAD_USER_INPUT"]);
    assert_eq!(too_far["errors"][0]["extensions"]["argument"], "maxHops");
}

pub async fn paths_and_neighbourhoods_cost_round_trips_bounded_by_their_depth(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let counting = CountingRepository::new(repo);
    let service = GraphqlService::new(counting.clone());
    let paths = r#"{ paths(fromId: "cia", toId: "kt", maxHops: 4, first: 20) {
        hops { relation { from { name } to { name } evidence { source { title } } } }
        actors { name relations(first: 2) { edges { node { to { name } } } } } } }"#;
    let d = data(&service, paths, json!({})).await;
    assert!(d["paths"].as_array().unwrap().len() > 1);
    // Existence check, one relation call per hop; then, walked level by level: the
    // actors along the paths and at the relations' ends, the sources and the
    // relation pages of the paths' actors (one call each); the pages' `to` actors.
    let calls = counting.take();
    assert!(calls <= 1 + 4 + 3 + 1, "{calls} store calls");
    let hood = r#"{ neighborhood(id: "amazon", depth: 3, limit: 100) {
        center { history(last: 5) { change } }
        nodes { actor { name relations(first: 2) { edges { node { to { name } } } } } }
        edges { from { name } to { name } evidence { source { title } } } } }"#;
    let d = data(&service, hood, json!({})).await;
    assert!(d["neighborhood"]["edges"].as_array().unwrap().len() > 10);
    // The centre, one relation call per hop, the nodes; then, walked: the sources,
    // the nodes' relation pages and the centre's history together (the edges' ends
    // are nodes, read); the pages' `to` actors not among the nodes.
    let calls = counting.take();
    assert!(calls <= 1 + 3 + 1 + 3 + 1, "{calls} store calls");
}

pub async fn the_neighbourhood_of_kt_is_drawn_with_its_nodes_and_edges(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let q = r#"query($depth: Int!, $limit: Int!) { neighborhood(id: "kt", depth: $depth, limit: $limit) {
        center { id } truncated nodes { distance actor { id } } edges { id from { id } to { id } } } }"#;
    let one = data(&service, q, json!({"depth": 1, "limit": 100})).await;
    let n = &one["neighborhood"];
    assert_eq!(n["center"]["id"], "kt");
    assert_eq!(n["truncated"], false);
    let nodes: Vec<(i64, &str)> = n["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["distance"].as_i64().unwrap(),
                x["actor"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(nodes[0], (0, "kt"));
    for (_, id) in &nodes[1..] {
        assert!(
            [
                "cloud-development-act",
                "pay-tv-aggregate-regulation-bill",
                "song-hee-kyung"
            ]
            .contains(id),
            "{id}"
        );
    }
    // Every edge touches KT at depth 1, and joins two drawn nodes.
    let drawn: Vec<&str> = nodes.iter().map(|(_, id)| *id).collect();
    for e in n["edges"].as_array().unwrap() {
        let (from, to) = (
            e["from"]["id"].as_str().unwrap(),
            e["to"]["id"].as_str().unwrap(),
        );
        assert!(from == "kt" || to == "kt");
        assert!(drawn.contains(&from) && drawn.contains(&to));
    }
    let wider = data(&service, q, json!({"depth": 2, "limit": 100})).await;
    assert!(wider["neighborhood"]["nodes"].as_array().unwrap().len() > nodes.len());
    let capped = data(&service, q, json!({"depth": 2, "limit": 3})).await;
    assert_eq!(capped["neighborhood"]["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(
        capped["neighborhood"]["truncated"], true,
        "the response says the limit was hit"
    );
    let unknown = run(
        &service,
        r#"{ neighborhood(id: "nobody") { truncated } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&unknown), ["NOT_FOUND"]);
}

pub async fn searching_cia_finds_the_agency_first_and_pages_on_in_rank_order(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let q = r#"query($after: String) { actors(search: "CIA", first: 1, after: $after) {
        totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }"#;
    let mut after: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let d = data(&service, q, json!({"after": after})).await;
        seen.extend(edge_ids(&d["actors"]));
        if !d["actors"]["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = d["actors"]["pageInfo"]["endCursor"]
            .as_str()
            .map(String::from);
    }
    // The agency's alias is "CIA"; the association only contains it (asso-cia-tion).
    assert_eq!(seen.first().map(String::as_str), Some("cia"));
    assert!(
        seen.contains(&"korea-cloud-industry-association".to_string()),
        "{seen:?}"
    );
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        seen.len(),
        "no actor twice across pages: {seen:?}"
    );
}

pub async fn amazons_timeline_runs_from_the_2010_letter_with_inferred_years_marked(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let d = data(
        &service,
        r#"{ timeline(actorId: "amazon") { date { value precision inferred note } relation { id evidence { quote } } } }"#,
        json!({}),
    )
    .await;
    let entries = d["timeline"].as_array().unwrap();
    let first = &entries[0];
    assert_eq!(
        first["relation"]["id"],
        "jeff-bezos-2010-shareholder-letter"
    );
    assert_eq!(
        first["date"],
        json!({"value": "2010-04", "precision": "MONTH", "inferred": false, "note": null})
    );
    let lease = entries
        .iter()
        .find(|e| e["relation"]["id"] == "amazon-leases-gs-tower")
        .unwrap();
    assert_eq!(lease["date"]["value"], "2014");
    assert_eq!(
        lease["date"]["inferred"], true,
        "the article says 'late last year'"
    );
    let dates: Vec<&str> = entries
        .iter()
        .map(|e| e["date"]["value"].as_str().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] <= w[1]),
        "in date order: {dates:?}"
    );
    assert!(entries
        .iter()
        .all(|e| !e["relation"]["evidence"].as_array().unwrap().is_empty()));
    let whole = data(
        &service,
        "{ timeline(first: 500) { relation { id } } }",
        json!({}),
    )
    .await;
    let dated = seed_dataset()
        .relations
        .iter()
        .filter(|r| r.timeline_date().is_some())
        .count();
    assert_eq!(whole["timeline"].as_array().unwrap().len(), dated);
}

#[tokio::test]
async fn a_store_failure_is_an_internal_error_with_a_code_and_no_internal_detail() {
    let service = GraphqlService::new(std::sync::Arc::new(crate::helpers::FailingRepository));
    for q in [
        "{ actors { totalCount } }",
        r#"{ actor(id: "cia") { name } }"#,
        r#"{ paths(fromId: "cia", toId: "kt") { length } }"#,
        "{ stats { actors } }",
    ] {
        let r = run(&service, q, json!({})).await;
        assert_eq!(codes(&r), ["INTERNAL_SERVER_ERROR"], "{q}: {r}");
        let text = r.to_string();
        assert!(
            !text.contains("10.1.2.3") && !text.contains("hunter2"),
            "{q} leaks the cause: {text}"
        );
    }
}

fn admin() -> actorgraph::auth::Auth {
    actorgraph::auth::Auth::Caller(actorgraph::auth::Caller {
        role: actorgraph::auth::Role::Admin,
        label: "test".into(),
    })
}

const IMPORT: &str = r#"mutation($doc: JSON!) { importGraph(document: $doc) {
    changed sources { created updated unchanged } actors { created updated unchanged } relations { created updated unchanged } } }"#;

/// A new article: a source, a new actor, and a relation to an actor already there.
fn new_article() -> Value {
    json!({
        "sources": [{"id": "nsa-cloud-2015", "title": "A second article", "language": "en",
                     "text": "The NSA also moved its analysis to the cloud, following the CIA."}],
        "actors": [{"id": "nsa", "kind": "GOVERNMENT_AGENCY", "nameEn": "National Security Agency", "nameKo": "국가안보국", "aliases": ["NSA"]}],
        "relations": [{"id": "nsa-follows-cia", "type": "SUPPORT", "from": "nsa", "to": "cia",
                       "summary": "The NSA followed the CIA to the cloud.",
                       "evidence": [{"source": "nsa-cloud-2015", "quote": "The NSA also moved its analysis to the cloud, following the CIA."}]}]
    })
}

fn import_request(doc: Value) -> async_graphql::Request {
    async_graphql::Request::new(IMPORT)
        .variables(async_graphql::Variables::from_json(json!({"doc": doc})))
}

pub async fn importing_needs_an_admin_key(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    use actorgraph::auth::{Auth, Caller, Role};
    let editor = Auth::Caller(Caller {
        role: Role::Editor,
        label: "an editor".into(),
    });
    for (auth, code) in [
        (Auth::Anonymous, "UNAUTHENTICATED"),
        (Auth::Invalid, "UNAUTHENTICATED"),
        (editor, "FORBIDDEN"),
    ] {
        let r = serde_json::to_value(
            service
                .execute_as(import_request(new_article()), auth.clone())
                .await,
        )
        .unwrap();
        assert_eq!(codes(&r), [code], "{auth:?}: {r}");
    }
    let d = data(&service, r#"{ actor(id: "nsa") { id } }"#, json!({})).await;
    assert_eq!(d["actor"], Value::Null, "nothing was written");
}

pub async fn an_admin_imports_a_new_article_about_existing_actors_and_a_rerun_changes_nothing(
    make: Maker,
) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let first = serde_json::to_value(
        service
            .execute_as(import_request(new_article()), admin())
            .await,
    )
    .unwrap();
    assert!(first.get("errors").is_none(), "{first}");
    let result = &first["data"]["importGraph"];
    assert_eq!(result["changed"], true);
    assert_eq!(
        result["sources"],
        json!({"created": 1, "updated": 0, "unchanged": 0})
    );
    assert_eq!(
        result["actors"],
        json!({"created": 1, "updated": 0, "unchanged": 0})
    );
    assert_eq!(
        result["relations"],
        json!({"created": 1, "updated": 0, "unchanged": 0})
    );

    let d = data(
        &service,
        r#"{ actor(id: "cia") { relations(types: [SUPPORT], direction: IN) { edges { node { from { name } evidence { source { title } } } } } }
             actors(search: "국가안보") { edges { node { id } } } }"#,
        json!({}),
    )
    .await;
    let support = &d["actor"]["relations"]["edges"][0]["node"];
    assert_eq!(support["from"]["name"], "National Security Agency");
    assert_eq!(
        support["evidence"][0]["source"]["title"],
        "A second article"
    );
    assert_eq!(edge_ids(&d["actors"]), ["nsa"]);

    let again = serde_json::to_value(
        service
            .execute_as(import_request(new_article()), admin())
            .await,
    )
    .unwrap();
    let result = &again["data"]["importGraph"];
    assert_eq!(result["changed"], false, "{again}");
    assert_eq!(
        result["relations"],
        json!({"created": 0, "updated": 0, "unchanged": 1})
    );

    let mut edited = new_article();
    edited["actors"][0]["description"] = json!("US signals intelligence agency.");
    let third =
        serde_json::to_value(service.execute_as(import_request(edited), admin()).await).unwrap();
    assert_eq!(
        third["data"]["importGraph"]["actors"],
        json!({"created": 0, "updated": 1, "unchanged": 0})
    );
}

pub async fn a_broken_document_lists_every_problem_and_writes_nothing(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let before = data(
        &service,
        "{ stats { actors relations sources } }",
        json!({}),
    )
    .await;
    let mut doc = new_article();
    doc["actors"][0]["kind"] = json!("SPY_AGENCY");
    doc["relations"][0]["to"] = json!("nobody");
    doc["relations"][0]["evidence"][0]["quote"] = json!("A sentence the article does not have.");
    let r = serde_json::to_value(service.execute_as(import_request(doc), admin()).await).unwrap();
    assert_eq!(codes(&r), ["BAD_USER_INPUT"]);
    let problems = crate::helpers::problem_paths(&r);
    assert_eq!(
        problems,
        [
            "/actors/0/kind",
            "/relations/0/to",
            "/relations/0/evidence/0/quote"
        ]
    );
    assert!(r["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("nothing was written"));
    let not_a_document = serde_json::to_value(
        service
            .execute_as(import_request(json!({"actors": "none"})), admin())
            .await,
    )
    .unwrap();
    assert_eq!(codes(&not_a_document), ["BAD_USER_INPUT"]);
    assert_eq!(
        not_a_document["errors"][0]["extensions"]["argument"],
        "document"
    );
    let after = data(
        &service,
        "{ stats { actors relations sources } }",
        json!({}),
    )
    .await;
    assert_eq!(before, after, "nothing was written");
}
