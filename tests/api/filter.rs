//! `where` conditions on relations (src/domain/filter.rs) mean the same on every
//! store: the Neo4j store's Cypher reading of a condition keeps exactly the
//! relations the embedded store's reading keeps.

use actorgraph::domain::filter::{Compare, Condition, DateField, Test};
use actorgraph::domain::{ActorId, RelationType, SourceId};
use actorgraph::store::neo4j::filter::{program, RELATION_WHERE};

use actorgraph::api::GraphqlService;
use serde_json::{json, Value};

use crate::backends::{for_each_backend, Maker};
use crate::helpers::{codes, data, edge_ids, run, seed_dataset};

for_each_backend!(crate::filter;
    where_keeps_the_relations_that_pass_on_every_list,
    where_joins_tests_with_and_or_and_not,
    where_counts_and_pages_only_what_passes,
    a_where_that_cannot_mean_anything_is_refused_with_its_path,
    actors_filter_by_their_numbers_of_relations,
);

async fn seeded(make: Maker) -> Option<GraphqlService> {
    make(seed_dataset()).await.map(GraphqlService::new)
}

/// The ids of the root `relations` that pass `where` (one page of 100).
async fn passing(service: &GraphqlService, where_: Value) -> Vec<String> {
    let d = data(
        service,
        "query($w: RelationWhere) { relations(where: $w, first: 100) { totalCount edges { node { id } } } }",
        json!({"w": where_}),
    )
    .await;
    let ids = edge_ids(&d["relations"]);
    assert_eq!(d["relations"]["totalCount"], ids.len(), "{where_}");
    ids
}

pub async fn where_keeps_the_relations_that_pass_on_every_list(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    // The total value of contracts with Amazon, in US dollars.
    assert_eq!(
        passing(
            &service,
            json!({"types": ["CONTRACT"], "toId": ["amazon"], "amount": {"currency": "USD", "gte": 1e8}})
        )
        .await,
        ["cia-contract-amazon"]
    );
    assert!(passing(&service, json!({"amount": {"currency": "KRW"}}))
        .await
        .is_empty());
    // Dates at the coarser precision: the lease's start of 2014 is in 2014-06.
    assert_eq!(
        passing(
            &service,
            json!({"start": {"gte": "2014-06", "lte": "2014-06"}})
        )
        .await,
        ["amazon-leases-gs-tower"]
    );
    assert_eq!(
        passing(&service, json!({"start": {"lt": "2014"}})).await,
        ["jeff-bezos-2010-shareholder-letter"]
    );
    let stated = passing(&service, json!({"start": {"inferred": false}})).await;
    assert_eq!(stated, ["jeff-bezos-2010-shareholder-letter"]);
    let open = passing(
        &service,
        json!({"start": {"exists": true}, "end": {"exists": false}}),
    )
    .await;
    assert_eq!(
        open,
        [
            "cloud-act-benefits-kt",
            "cloud-act-disadvantages-foreign-companies",
        ]
    );
    assert_eq!(
        passing(&service, json!({"status": ["PENDING", "Dominant"]})).await,
        [
            "alibaba-dominates-chinese-market",
            "cloud-act-pending-in-national-assembly",
            "pay-tv-bill-pending-in-national-assembly",
            "pay-tv-bill-regulates-kt"
        ]
    );
    let chairs = passing(&service, json!({"role": ["chair (협회장)"]})).await;
    assert_eq!(chairs, ["song-hee-kyung-chair-of-association"]);
    let quoted = passing(&service, json!({"sourceId": ["amazon-korea-cloud-2015"]})).await;
    assert!(
        quoted.len() > 30,
        "the article states most relations: {quoted:?}"
    );
    // Text in any case, Korean or English.
    let contracts = passing(&service, json!({"summaryContains": "CONTRACT"})).await;
    assert!(
        contracts.contains(&"cia-contract-amazon".to_string()),
        "{contracts:?}"
    );
    let meetings = passing(
        &service,
        json!({"quoteContains": "간담회", "types": ["ATTENDANCE"]}),
    )
    .await;
    assert!(
        !meetings.is_empty(),
        "the meeting's attendance is quoted in Korean"
    );
    assert!(
        meetings.iter().all(|id| id.ends_with("attended-meeting")),
        "{meetings:?}"
    );

    // The same condition on an actor's list, with its own arguments.
    let d = data(
        &service,
        r#"{ actor(id: "amazon") {
            out: relations(direction: OUT, where: {status: ["signed", "entered"]}) { totalCount edges { node { id } } }
            in: relations(direction: IN, types: [CONTRACT, STATEMENT], where: {start: {exists: false}}) { totalCount edges { node { id } } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        edge_ids(&d["actor"]["out"]),
        ["amazon-in-korean-cloud-market", "amazon-leases-gs-tower"]
    );
    assert_eq!(d["actor"]["out"]["totalCount"], 2);
    assert_eq!(
        edge_ids(&d["actor"]["in"]),
        ["cia-contract-amazon", "doug-wolfe-on-amazon"]
    );
}

pub async fn where_joins_tests_with_and_or_and_not(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    // Everything the Cloud Development Act was tied to between 2013 and 2015.
    let act = json!({
        "OR": [{"fromId": ["cloud-development-act"]}, {"toId": ["cloud-development-act"]}],
        "start": {"gte": "2013", "lte": "2015"},
    });
    assert_eq!(
        passing(&service, act.clone()).await,
        [
            "association-lobbies-for-cloud-act",
            "cloud-act-benefits-kt",
            "cloud-act-disadvantages-foreign-companies",
            "meeting-demands-cloud-act",
            "song-hee-kyung-urges-cloud-act"
        ]
    );
    // The same ends as one test: an actor at either end, or at the one named.
    let both = passing(
        &service,
        json!({"actor": {"ids": ["cloud-development-act"]}, "start": {"gte": "2013", "lte": "2015"}}),
    )
    .await;
    assert_eq!(both, passing(&service, act.clone()).await);
    let seed = seed_dataset();
    for (direction, end) in [("OUT", 0), ("IN", 1), ("BOTH", 2)] {
        let mut expected: Vec<String> = seed
            .relations
            .iter()
            .filter(|r| {
                let (from, to) = (r.from.as_str() == "kt", r.to.as_str() == "kt");
                [from, to, from || to][end]
            })
            .map(|r| r.id.to_string())
            .collect();
        expected.sort();
        let got = passing(
            &service,
            json!({"actor": {"ids": ["kt", "no-such-actor"], "direction": direction}}),
        )
        .await;
        assert_eq!(got, expected, "{direction}");
    }
    // A condition that ties every relation to one actor or source is read from
    // that anchor's relations (src/api/query.rs); the answers are the scan's,
    // page by page, in another order too, with the aggregate.
    for condition in [
        json!({"fromId": ["amazon"]}),
        json!({"toId": ["cloud-development-act"]}),
        json!({"actor": {"ids": ["amazon"]}}),
        json!({"sourceId": ["amazon-korea-cloud-2015"]}),
        json!({"AND": [{"sourceId": ["amazon-korea-cloud-2015"]}, {"toId": ["amazon"]}], "types": ["CONTRACT", "LEASE", "STATEMENT"]}),
    ] {
        let mut expected: Vec<&actorgraph::domain::Relation> = seed
            .relations
            .iter()
            .filter(|r| {
                let c = &condition;
                let names = |field: &str, id: &str| {
                    c[field]
                        .as_array()
                        .is_none_or(|ids| ids.iter().any(|x| x == id))
                };
                let actor = c["actor"]["ids"].as_array().is_none_or(|ids| {
                    ids.iter()
                        .any(|x| x == r.from.as_str() || x == r.to.as_str())
                });
                let and_ok = c["AND"].as_array().is_none_or(|parts| {
                    parts.iter().all(|p| {
                        p["sourceId"].as_array().is_none_or(|ids| {
                            r.evidence
                                .iter()
                                .any(|e| ids.iter().any(|x| x == e.source.as_str()))
                        }) && p["toId"]
                            .as_array()
                            .is_none_or(|ids| ids.iter().any(|x| x == r.to.as_str()))
                    })
                });
                let typed = c["types"]
                    .as_array()
                    .is_none_or(|ts| ts.iter().any(|t| t == r.kind.as_str()));
                names("fromId", r.from.as_str())
                    && names("toId", r.to.as_str())
                    && actor
                    && c["sourceId"].as_array().is_none_or(|ids| {
                        r.evidence
                            .iter()
                            .any(|e| ids.iter().any(|x| x == e.source.as_str()))
                    })
                    && and_ok
                    && typed
            })
            .collect();
        expected.sort_by(|a, b| a.id.cmp(&b.id));
        let ids: Vec<String> = expected.iter().map(|r| r.id.to_string()).collect();
        assert!(!ids.is_empty(), "{condition}");
        assert_eq!(
            passing(&service, condition.clone()).await,
            ids,
            "{condition}"
        );
        let d = data(
            &service,
            "query($w: RelationWhere) { relations(where: $w, orderBy: {field: TYPE, direction: DESC}, last: 2) {
                totalCount aggregate { count } edges { node { id type } } } }",
            json!({"w": condition}),
        )
        .await;
        let last_two = crate::helpers::last_by_type(&expected, true, 2);
        assert_eq!(edge_ids(&d["relations"]), last_two, "{condition}");
        assert_eq!(d["relations"]["totalCount"], ids.len());
        assert_eq!(d["relations"]["aggregate"]["count"], ids.len());
    }
    // NOT of a test on something absent holds: relations without an amount.
    let all = passing(&service, json!({})).await;
    let without = passing(&service, json!({"NOT": {"amount": {"currency": "USD"}}})).await;
    assert_eq!(without.len(), all.len() - 1);
    assert!(!without.contains(&"cia-contract-amazon".to_string()));
    // AND of two lists, and a type the condition requires.
    let positions = passing(
        &service,
        json!({"AND": [{"types": ["ATTENDANCE", "POSITION"]}, {"types": ["POSITION", "LEASE"]}]}),
    )
    .await;
    assert_eq!(positions.len(), 5, "{positions:?}");
    assert!(positions.iter().all(|id| !id.contains("attended")));
    // Nested joins.
    let nested = json!({"NOT": {"OR": [{"types": ["ATTENDANCE"]}, {"AND": [{"start": {"exists": true}}, {"NOT": {"types": ["LEASE"]}}]}]}});
    let kept = passing(&service, nested).await;
    assert!(kept.contains(&"amazon-leases-gs-tower".to_string()));
    assert!(kept.contains(&"cia-contract-amazon".to_string()));
    assert!(!kept.iter().any(|id| id.ends_with("attended-meeting")));
    assert!(!kept.contains(&"jeff-bezos-2010-shareholder-letter".to_string()));
}

pub async fn where_counts_and_pages_only_what_passes(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let query = "query($after: String) { relations(where: {types: [ATTENDANCE, POSITION]}, types: [ATTENDANCE, POSITION, LEASE], first: 4, after: $after) { totalCount edges { node { id type } } pageInfo { hasNextPage endCursor } } }";
    let mut after = Value::Null;
    let mut seen = Vec::new();
    loop {
        let d = data(&service, query, json!({"after": after})).await;
        let c = &d["relations"];
        assert_eq!(c["totalCount"], 10, "5 attendances and 5 positions");
        for e in c["edges"].as_array().unwrap() {
            assert_ne!(e["node"]["type"], "LEASE");
            seen.push(e["node"]["id"].as_str().unwrap().to_string());
        }
        if c["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = c["pageInfo"]["endCursor"].clone();
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "each once, in id order");
    assert_eq!(seen.len(), 10);
    // Types the arguments and the condition do not share: nothing passes.
    let d = data(
        &service,
        "{ relations(types: [LEASE], where: {types: [CONTRACT]}) { totalCount edges { node { id } } } }",
        json!({}),
    )
    .await;
    assert_eq!(d["relations"]["totalCount"], 0);
}

pub async fn a_where_that_cannot_mean_anything_is_refused_with_its_path(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    for (where_, path) in [
        (json!({"amount": {"gt": 5}}), "`where.amount`"),
        (
            json!({"OR": [{}, {"start": {"gte": "2015-02-30"}}]}),
            "`where.OR[1].start.gte`",
        ),
        (json!({"end": {"gt": "2015", "gte": "2014"}}), "`where.end`"),
        (
            json!({"NOT": {"fromId": ["Not An Id"]}}),
            "`where.NOT.fromId[0]`",
        ),
        (json!({"actor": {"ids": []}}), "`where.actor.ids`"),
        (json!({"quoteContains": "  "}), "`where.quoteContains`"),
    ] {
        let r = run(
            &service,
            "query($w: RelationWhere) { relations(where: $w) { totalCount } actor(id: \"kt\") { relations(where: $w) { totalCount } } }",
            json!({"w": where_}),
        )
        .await;
        assert_eq!(codes(&r), ["BAD_USER_INPUT", "BAD_USER_INPUT"], "{r}");
        for e in r["errors"].as_array().unwrap() {
            assert_eq!(e["extensions"]["argument"], "where");
            let message = e["message"].as_str().unwrap();
            assert!(message.starts_with(path), "{message}");
        }
    }
}

fn test(t: Test) -> Condition {
    Condition::Test(t)
}

fn not(c: Condition) -> Condition {
    Condition::Not(Box::new(c))
}

fn date(field: DateField, compare: Compare, bound: &str) -> Condition {
    test(Test::Date {
        field,
        compare,
        bound: bound.parse().unwrap(),
    })
}

/// One condition per kind of test and join, on the article's data.
fn conditions() -> Vec<Condition> {
    let actor = |id: &str| ActorId::parse(id.to_string()).unwrap();
    vec![
        Condition::All(vec![]),
        Condition::Any(vec![]),
        test(Test::Type(vec![
            RelationType::Contract,
            RelationType::Lobbying,
        ])),
        test(Test::From(vec![actor("amazon"), actor("cia")])),
        test(Test::To(vec![actor("kt")])),
        test(Test::Currency("USD".into())),
        test(Test::Amount {
            currency: "USD".into(),
            compare: Compare::Gte,
            bound: actorgraph::domain::filter::Number::new(600e6).unwrap(),
        }),
        test(Test::Amount {
            currency: "USD".into(),
            compare: Compare::Lt,
            bound: actorgraph::domain::filter::Number::new(600e6).unwrap(),
        }),
        date(DateField::Start, Compare::Gte, "2015"),
        date(DateField::Start, Compare::Lt, "2015-01-16"),
        date(DateField::Start, Compare::Gt, "2015-01"),
        date(DateField::End, Compare::Lte, "2016"),
        test(Test::DateExists(DateField::End)),
        test(Test::DateInferred {
            field: DateField::Start,
            inferred: true,
        }),
        test(Test::DateInferred {
            field: DateField::Start,
            inferred: false,
        }),
        test(Test::Status(vec!["Pending".into(), "signed".into()])),
        test(Test::Role(vec!["CEO".into()])),
        test(Test::Source(vec![SourceId::parse(
            "amazon-korea-cloud-2015".to_string(),
        )
        .unwrap()])),
        test(Test::SummaryContains("CLOUD".into())),
        test(Test::QuoteContains("클라우드".into())),
        not(test(Test::Currency("USD".into()))),
        Condition::Any(vec![
            test(Test::Type(vec![RelationType::Lobbying])),
            Condition::All(vec![
                date(DateField::Start, Compare::Gte, "2013"),
                date(DateField::Start, Compare::Lte, "2015"),
                not(test(Test::Type(vec![RelationType::Position]))),
            ]),
        ]),
        not(Condition::Any(vec![
            test(Test::To(vec![actor("amazon")])),
            test(Test::QuoteContains("amazon".into())),
        ])),
    ]
}

#[actix_web::test]
async fn bolt_a_condition_keeps_the_relations_the_embedded_reading_keeps() {
    use actorgraph::store::neo4j::{ImportOptions, Neo4jStore};
    let Some(db) = crate::backends::fresh_bolt_database() else {
        return;
    };
    let store = Neo4jStore::connect(&db.config).await.unwrap();
    let data = seed_dataset();
    store
        .import_with(&data, &ImportOptions::default())
        .await
        .unwrap();
    let mut kept_some = 0;
    for c in conditions() {
        let mut want: Vec<String> = data
            .relations
            .iter()
            .filter(|r| c.holds(r))
            .map(|r| r.id.as_str().to_string())
            .collect();
        want.sort();
        let rows = crate::backends::cypher_rows_with(
            &db.config,
            RELATION_WHERE,
            serde_json::json!({"where": program(Some(&c))}),
        );
        let got: Vec<String> = rows
            .iter()
            .map(|row| row["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, want, "{c:?}");
        if !want.is_empty() && want.len() < data.relations.len() {
            kept_some += 1;
        }
    }
    // The conditions discriminate: most keep some relations and not others.
    assert!(
        kept_some >= 15,
        "only {kept_some} conditions split the data"
    );
}

/// The ids of the actors that pass `where`, with `search` when given.
async fn actors_passing(
    service: &GraphqlService,
    search: Option<&str>,
    where_: Value,
) -> Vec<String> {
    let d = data(
        service,
        "query($s: String, $w: ActorWhere) { actors(search: $s, where: $w, first: 100) { totalCount edges { node { id } } } }",
        json!({"s": search, "w": where_}),
    )
    .await;
    let ids = edge_ids(&d["actors"]);
    assert_eq!(d["actors"]["totalCount"], ids.len(), "{where_}");
    ids
}

pub async fn actors_filter_by_their_numbers_of_relations(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    // Some: the actors someone holds a position in.
    let held = json!({"relations": [{"types": ["POSITION"], "direction": "IN"}]});
    assert_eq!(
        actors_passing(&service, None, held).await,
        [
            "cia",
            "korea-cloud-industry-association",
            "kt",
            "msip",
            "national-assembly"
        ]
    );
    // None, and at most: the actors with at most one relation of any type, and
    // those among them with none going out.
    let lonely = actors_passing(&service, None, json!({"relations": [{"lte": 1}]})).await;
    assert!(lonely.contains(&"jeff-bezos".to_string()) && lonely.contains(&"npad".to_string()));
    assert!(!lonely.contains(&"amazon".to_string()));
    let sinks = actors_passing(
        &service,
        None,
        json!({"relations": [{"lte": 1}, {"direction": "OUT", "lte": 0}]}),
    )
    .await;
    assert!(sinks.contains(&"npad".to_string()), "{sinks:?}");
    assert!(
        !sinks.contains(&"jeff-bezos".to_string()),
        "the letter goes out from him"
    );
    assert!(sinks.iter().all(|id| lonely.contains(id)));
    // At least: the actors in five or more relations, among them Amazon.
    let busy = actors_passing(&service, None, json!({"relations": [{"gte": 5}]})).await;
    assert!(
        busy.contains(&"amazon".to_string()) && busy.contains(&"cloud-development-act".to_string())
    );
    // With a search (the name index on Neo4j): the search's matches that pass.
    let cloud = actors_passing(&service, Some("클라우드"), json!({})).await;
    let cloud_supported = actors_passing(
        &service,
        Some("클라우드"),
        json!({"relations": [{"types": ["SUPPORT"], "direction": "IN"}]}),
    )
    .await;
    assert_eq!(cloud_supported, ["cloud-development-act"]);
    assert!(cloud.len() > cloud_supported.len());
    // Refusals name the part to fix.
    for (where_, path) in [
        (
            json!({"relations": [{"gte": 3, "lte": 2}]}),
            "`where.relations[0]`",
        ),
        (
            json!({"relations": [{}, {"lte": -1}]}),
            "`where.relations[1].lte`",
        ),
        (
            json!({"relations": [{"types": []}]}),
            "`where.relations[0].types`",
        ),
        (json!({"relations": []}), "`where.relations`"),
    ] {
        let r = run(
            &service,
            "query($w: ActorWhere) { actors(where: $w) { totalCount } }",
            json!({"w": where_}),
        )
        .await;
        assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
        let message = r["errors"][0]["message"].as_str().unwrap();
        assert!(message.starts_with(path), "{message}");
    }
}
