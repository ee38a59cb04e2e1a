//! Record mutations and the change feed, through `GraphqlService` (no HTTP), on
//! every backend: validation, keys and roles, conflicts and versions, audit
//! fields, cascading deletes, and the events subscriptions receive.

use std::time::Duration;

use actorgraph::api::GraphqlService;
use actorgraph::auth::{Auth, Caller, Role};
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::backends::{for_each_backend, Maker};
use crate::helpers::{codes, data, edge_ids, seed_dataset};

for_each_backend!(crate::writes;
    writes_need_a_key_and_deletes_the_admin_role,
    an_actor_is_created_updated_in_part_and_records_who_and_when,
    creating_an_id_that_exists_is_a_conflict_and_changes_nothing,
    an_id_another_kind_holds_is_a_conflict,
    a_failing_mutation_leaves_its_siblings_answers,
    concurrent_creations_of_one_id_give_one_actor_and_conflicts,
    concurrent_edits_without_a_version_are_both_kept,
    a_stale_expected_version_is_a_conflict_and_changes_nothing,
    an_actor_with_relations_is_deleted_only_with_cascade,
    a_bad_relation_lists_every_problem_by_field_and_writes_nothing,
    a_relation_changes_type_endpoints_and_evidence,
    a_source_is_created_and_described_and_its_text_is_quoted,
    a_sources_search_and_relations_follow_the_writes,
    subscribers_receive_the_changes_they_filter_for,
    an_import_is_published_record_by_record,
    an_import_of_thousands_of_records_reaches_a_prompt_subscriber_whole,
    the_change_log_says_who_changed_what_and_keeps_a_deleted_records_history,
    an_import_racing_edits_gives_every_write_its_own_version,
    an_import_that_changes_a_kind_keeps_the_actors_relations_and_their_versions,
);

fn key(role: Role, label: &str) -> Auth {
    Auth::Caller(Caller {
        role,
        label: label.into(),
    })
}

fn editor() -> Auth {
    key(Role::Editor, "desk-editor")
}

fn admin() -> Auth {
    key(Role::Admin, "desk-admin")
}

async fn seeded(make: Maker) -> Option<GraphqlService> {
    make(seed_dataset()).await.map(GraphqlService::new)
}

/// Mutation fields are nullable: one that fails is null with its error, and the
/// others of the request keep their answers (and their writes stay made).
pub async fn a_failing_mutation_leaves_its_siblings_answers(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let r = exec(
        &service,
        editor(),
        r#"mutation {
            first: createActor(input: {id: "nsa", kind: GOVERNMENT_AGENCY, nameEn: "NSA"}) { id version }
            taken: createActor(input: {id: "cia", kind: COMPANY, nameEn: "Again"}) { id }
            last: createActor(input: {id: "gchq", kind: GOVERNMENT_AGENCY, nameEn: "GCHQ"}) { id version }
        }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&r), ["CONFLICT"], "{r}");
    assert_eq!(r["errors"][0]["path"], json!(["taken"]));
    assert_eq!(r["data"]["first"]["id"], "nsa");
    assert!(r["data"]["taken"].is_null());
    assert_eq!(r["data"]["last"]["version"], 1);
    // The same for a query: an unknown neighbourhood leaves the other fields.
    let r = exec(
        &service,
        Auth::Anonymous,
        r#"{ neighborhood(id: "nobody") { truncated } actor(id: "gchq") { name } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&r), ["NOT_FOUND"], "{r}");
    assert!(r["data"]["neighborhood"].is_null());
    assert_eq!(r["data"]["actor"]["name"], "GCHQ");
}

/// Ids are unique across actors, relations and sources (Relay's `node(id:)`): a
/// new record cannot take an id another kind holds, and nothing is written.
pub async fn an_id_another_kind_holds_is_a_conflict(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let source = "amazon-korea-cloud-2015";
    for (query, vars, taken_by) in [
        (
            CREATE_ACTOR,
            json!({"input": {"id": source, "kind": "COMPANY", "nameEn": "A"}}),
            "source",
        ),
        (
            CREATE_ACTOR,
            json!({"input": {"id": "cia-contract-amazon", "kind": "COMPANY", "nameEn": "A"}}),
            "relation",
        ),
        (
            CREATE_RELATION,
            json!({"input": {"id": "kt", "type": "CONTRACT", "fromId": "cia", "toId": "amazon",
                "summary": "s", "evidence": [{"sourceId": source, "quote": "AWS를 정보 분석에 활용하기로 결정했다"}]}}),
            "actor",
        ),
        (
            r#"mutation($input: CreateSourceInput!) { createSource(input: $input) { id } }"#,
            json!({"input": {"id": "amazon", "title": "t", "language": "en", "text": "x"}}),
            "actor",
        ),
    ] {
        let r = exec(&service, editor(), query, vars.clone()).await;
        assert_eq!(codes(&r), ["CONFLICT"], "{vars}: {r}");
        let message = r["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(taken_by), "{vars}: {message}");
    }
    // An import too: every clash named at its record's id, nothing written.
    let import = exec(
        &service,
        admin(),
        "mutation($d: JSON!) { importGraph(document: $d) { changed } }",
        json!({"d": {
            "sources": [{"id": "cia", "title": "t", "language": "en", "text": "x"}],
            "actors": [
                {"id": "fresh-actor", "kind": "COMPANY", "nameEn": "Fresh"},
                {"id": source, "kind": "COMPANY", "nameEn": "A"}
            ],
            "relations": [{"id": "amazon", "type": "CONTRACT", "from": "cia", "to": "kt", "summary": "s",
                "evidence": [{"source": source, "quote": "AWS를 정보 분석에 활용하기로 결정했다"}]}]
        }}),
    )
    .await;
    assert_eq!(codes(&import), ["BAD_USER_INPUT"], "{import}");
    let problems = &import["errors"][0]["extensions"]["problems"];
    assert_eq!(
        crate::helpers::problem_paths(&import),
        ["/actors/1/id", "/sources/0/id", "/relations/0/id"],
        "{problems}"
    );
    assert!(
        problems.to_string().contains("a source already stored"),
        "{problems}"
    );
    let d = data(
        &service,
        r#"{ actor(id: "fresh-actor") { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["actor"], Value::Null, "nothing written");
    let d = data(
        &service,
        r#"{ node(id: "kt") { __typename } source: node(id: "amazon-korea-cloud-2015") { __typename } stats { actors relations } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["node"]["__typename"], "Actor");
    assert_eq!(d["source"]["__typename"], "Source");
    let seed = seed_dataset();
    assert_eq!(d["stats"]["actors"], seed.actors.len());
    assert_eq!(d["stats"]["relations"], seed.relations.len());
}

/// Runs a request as `auth`; the whole response as JSON.
async fn exec(service: &GraphqlService, auth: Auth, query: &str, variables: Value) -> Value {
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    serde_json::to_value(service.execute_as(request, auth).await).unwrap()
}

/// Runs a request that must succeed; its data.
async fn ok(service: &GraphqlService, auth: Auth, query: &str, variables: Value) -> Value {
    let r = exec(service, auth, query, variables).await;
    assert!(r.get("errors").is_none(), "{query}: {r}");
    r["data"].clone()
}

const CREATE_ACTOR: &str = r#"mutation($input: CreateActorInput!) { createActor(input: $input) {
    id kind nameKo nameEn aliases description version createdAt createdBy updatedAt updatedBy } }"#;

const UPDATE_ACTOR: &str = r#"mutation($id: ID!, $input: UpdateActorInput!, $v: Int) {
    updateActor(id: $id, input: $input, expectedVersion: $v) {
        id kind nameKo nameEn aliases description version createdAt createdBy updatedAt updatedBy } }"#;

const CREATE_RELATION: &str = r#"mutation($input: CreateRelationInput!) { createRelation(input: $input) {
    id type from { id } to { id } summary version createdBy
    start { value inferred } end { value } amount { value currency }
    evidence { quote source { id } } } }"#;

const UPDATE_RELATION: &str = r#"mutation($id: ID!, $input: UpdateRelationInput!, $v: Int) {
    updateRelation(id: $id, input: $input, expectedVersion: $v) {
        id type from { id } to { id } summary version note evidence { quote source { id } } } }"#;

/// A sentence of the seed article (so that a quote of it verifies).
const KT_SENTENCE: &str = "아마존은 자국인 미국의 지원속에 든든한 클라우드 인프라를 확보한 상태다.";

/// Another.
const SECOND_SENTENCE: &str = "물론 클라우드 발전법을 아마존이 교묘하게 유리한 방향으로 잡아갈 여지는 있지만 현 상황에서 AWS도 중요한 기로에 섰다.";

fn nsa() -> Value {
    json!({"id": "nsa", "kind": "GOVERNMENT_AGENCY", "nameEn": "National Security Agency",
           "nameKo": "국가안보국", "aliases": ["NSA"], "description": "US signals intelligence"})
}

pub async fn writes_need_a_key_and_deletes_the_admin_role(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    for (auth, code) in [
        (Auth::Anonymous, "UNAUTHENTICATED"),
        (Auth::Invalid, "UNAUTHENTICATED"),
    ] {
        let r = exec(&service, auth, CREATE_ACTOR, json!({"input": nsa()})).await;
        assert_eq!(codes(&r), [code], "{r}");
    }
    let r = exec(
        &service,
        editor(),
        r#"mutation { deleteRelation(id: "cia-contract-amazon") { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&r), ["FORBIDDEN"], "{r}");
    assert!(r["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("admin"));
    let d = data(
        &service,
        r#"{ actor(id: "nsa") { id } relation(id: "cia-contract-amazon") { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["actor"], Value::Null);
    assert_eq!(d["relation"]["id"], "cia-contract-amazon");
}

pub async fn an_actor_is_created_updated_in_part_and_records_who_and_when(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let created = ok(&service, editor(), CREATE_ACTOR, json!({"input": nsa()})).await;
    let a = &created["createActor"];
    assert_eq!(a["version"], 1);
    assert_eq!(a["createdBy"], "desk-editor");
    assert_eq!(a["updatedBy"], "desk-editor");
    let created_at: chrono::DateTime<chrono::Utc> =
        a["createdAt"].as_str().unwrap().parse().unwrap();
    assert!(created_at >= before, "{created_at} after {before}");
    assert_eq!(a["createdAt"], a["updatedAt"]);

    // Only the fields given change; null clears an optional one.
    let updated = ok(
        &service,
        admin(),
        UPDATE_ACTOR,
        json!({"id": "nsa", "input": {"nameEn": "NSA (National Security Agency)", "description": null}}),
    )
    .await;
    let u = &updated["updateActor"];
    assert_eq!(u["version"], 2);
    assert_eq!(u["nameEn"], "NSA (National Security Agency)");
    assert_eq!(u["nameKo"], "국가안보국", "untouched");
    assert_eq!(u["aliases"], json!(["NSA"]), "untouched");
    assert_eq!(u["description"], Value::Null, "cleared");
    assert_eq!(u["createdBy"], "desk-editor", "creation is kept");
    assert_eq!(u["createdAt"], a["createdAt"]);
    assert_eq!(u["updatedBy"], "desk-admin");

    // Reads see it, search finds it in both languages.
    let d = data(
        &service,
        r#"{ ko: actors(search: "국가안보") { edges { node { id version } } }
             en: actors(search: "security agency") { edges { node { id } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["ko"]["edges"][0]["node"]["id"], "nsa");
    assert_eq!(d["ko"]["edges"][0]["node"]["version"], 2);
    assert_eq!(d["en"]["edges"][0]["node"]["id"], "nsa");

    // A kind change keeps the actor's relations.
    ok(&service, editor(), CREATE_RELATION, json!({"input": {
        "id": "nsa-usage-kt", "type": "USAGE", "fromId": "nsa", "toId": "kt",
        "summary": "test relation", "evidence": [{"sourceId": "amazon-korea-cloud-2015", "quote": KT_SENTENCE}]}}))
    .await;
    let k = ok(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "nsa", "input": {"kind": "GOVERNMENT"}}),
    )
    .await;
    assert_eq!(k["updateActor"]["kind"], "GOVERNMENT");
    let d = data(
        &service,
        r#"{ actor(id: "nsa") { kind relations { totalCount edges { node { id } } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["actor"]["kind"], "GOVERNMENT");
    assert_eq!(
        d["actor"]["relations"]["edges"][0]["node"]["id"],
        "nsa-usage-kt"
    );

    // An update that breaks a rule names the field and changes nothing.
    let r = exec(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "nsa", "input": {"nameEn": null, "nameKo": null}}),
    )
    .await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
    assert_eq!(r["errors"][0]["extensions"]["argument"], "input");
    let d = data(
        &service,
        r#"{ actor(id: "nsa") { nameKo version } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["actor"]["nameKo"], "국가안보국");
    assert_eq!(d["actor"]["version"], 3);

    // Unknown and malformed ids.
    let r = exec(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "nobody", "input": {"nameEn": "x"}}),
    )
    .await;
    assert_eq!(codes(&r), ["NOT_FOUND"], "{r}");
    let r = exec(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "Not An Id", "input": {}}),
    )
    .await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
}

pub async fn creating_an_id_that_exists_is_a_conflict_and_changes_nothing(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let r = exec(
        &service,
        editor(),
        CREATE_ACTOR,
        json!({"input": {"id": "cia", "kind": "COMPANY", "nameEn": "Culinary Institute of America"}}),
    )
    .await;
    assert_eq!(codes(&r), ["CONFLICT"], "{r}");
    assert!(r["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("`cia`"));
    let d = data(
        &service,
        r#"{ actor(id: "cia") { kind nameEn version } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["actor"]["kind"], "GOVERNMENT_AGENCY");
    assert_eq!(d["actor"]["nameEn"], "Central Intelligence Agency");

    let r = exec(&service, editor(), CREATE_RELATION, json!({"input": {
        "id": "cia-contract-amazon", "type": "USAGE", "fromId": "kt", "toId": "cia",
        "summary": "dup", "evidence": [{"sourceId": "amazon-korea-cloud-2015", "quote": KT_SENTENCE}]}}))
    .await;
    assert_eq!(codes(&r), ["CONFLICT"], "{r}");
    let d = data(
        &service,
        r#"{ relation(id: "cia-contract-amazon") { type from { id } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["relation"]["type"], "CONTRACT");
}

pub async fn concurrent_creations_of_one_id_give_one_actor_and_conflicts(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let names: Vec<String> = (0..6).map(|i| format!("Racer {i}")).collect();
    let attempts = names.iter().map(|name| {
        exec(
            &service,
            editor(),
            CREATE_ACTOR,
            json!({"input": {"id": "racer", "kind": "COMPANY", "nameEn": name}}),
        )
    });
    let results = futures_util::future::join_all(attempts).await;
    let winners: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("errors").is_none())
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for r in results.iter().filter(|r| r.get("errors").is_some()) {
        assert_eq!(codes(r), ["CONFLICT"], "{r}");
    }
    let d = data(
        &service,
        r#"{ actor(id: "racer") { nameEn version } actors(search: "racer") { edges { node { id } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        d["actor"]["nameEn"],
        winners[0]["data"]["createActor"]["nameEn"]
    );
    assert_eq!(d["actor"]["version"], 1);
    let racers = crate::helpers::edge_ids(&d["actors"])
        .into_iter()
        .filter(|id| id == "racer")
        .count();
    assert_eq!(racers, 1, "never two records");

    // The same for relations.
    let attempts = ["kt", "cia", "amazon"].map(|to| {
        exec(&service, editor(), CREATE_RELATION, json!({"input": {
            "id": "racing-relation", "type": "USAGE", "fromId": "racer", "toId": to,
            "summary": "race", "evidence": [{"sourceId": "amazon-korea-cloud-2015", "quote": KT_SENTENCE}]}}))
    });
    let results = futures_util::future::join_all(attempts).await;
    let won = results.iter().filter(|r| r.get("errors").is_none()).count();
    assert_eq!(won, 1, "{results:?}");
    let d = data(
        &service,
        r#"{ actor(id: "racer") { relations { totalCount } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["actor"]["relations"]["totalCount"], 1);
}

pub async fn concurrent_edits_without_a_version_are_both_kept(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let edits = [
        json!({"id": "kt", "input": {"description": "Korea's largest telecom"}}),
        json!({"id": "kt", "input": {"aliases": ["KT", "Korea Telecom", "케이티"]}}),
        json!({"id": "kt", "input": {"nameEn": "KT Corp. (edited)"}}),
    ];
    let results = futures_util::future::join_all(
        edits
            .iter()
            .map(|v| exec(&service, editor(), UPDATE_ACTOR, v.clone())),
    )
    .await;
    for r in &results {
        assert!(r.get("errors").is_none(), "{r}");
    }
    let d = data(
        &service,
        r#"{ actor(id: "kt") { nameEn aliases description version } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["actor"]["description"], "Korea's largest telecom");
    assert_eq!(
        d["actor"]["aliases"],
        json!(["KT", "Korea Telecom", "케이티"])
    );
    assert_eq!(d["actor"]["nameEn"], "KT Corp. (edited)");
    assert_eq!(d["actor"]["version"], 4, "three updates over version 1");
}

pub async fn a_stale_expected_version_is_a_conflict_and_changes_nothing(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let v1 = data(&service, r#"{ actor(id: "kt") { version } }"#, json!({})).await["actor"]
        ["version"]
        .clone();
    assert_eq!(v1, 1);
    let first = ok(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "kt", "input": {"description": "first"}, "v": 1}),
    )
    .await;
    assert_eq!(first["updateActor"]["version"], 2);
    let r = exec(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "kt", "input": {"description": "second"}, "v": 1}),
    )
    .await;
    assert_eq!(codes(&r), ["CONFLICT"], "{r}");
    assert_eq!(r["errors"][0]["extensions"]["currentVersion"], 2);
    let d = data(
        &service,
        r#"{ actor(id: "kt") { description version } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["actor"]["description"], "first");
    assert_eq!(d["actor"]["version"], 2);

    // The same for relations, evidence edits and deletes.
    let r = exec(
        &service,
        editor(),
        UPDATE_RELATION,
        json!({"id": "cia-contract-amazon", "input": {"note": "x"}, "v": 7}),
    )
    .await;
    assert_eq!(codes(&r), ["CONFLICT"], "{r}");
    assert_eq!(r["errors"][0]["extensions"]["currentVersion"], 1);
    let r = exec(
        &service,
        admin(),
        r#"mutation { deleteRelation(id: "cia-contract-amazon", expectedVersion: 2) { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&r), ["CONFLICT"], "{r}");
    let r = exec(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "kt", "input": {}, "v": -1}),
    )
    .await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
    assert_eq!(r["errors"][0]["extensions"]["argument"], "expectedVersion");
    let d = data(
        &service,
        r#"{ relation(id: "cia-contract-amazon") { version note } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["relation"]["version"], 1);
}

pub async fn an_actor_with_relations_is_deleted_only_with_cascade(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let before = data(
        &service,
        r#"{ actor(id: "cia") { relations { totalCount } } stats { relations } }"#,
        json!({}),
    )
    .await;
    let n = before["actor"]["relations"]["totalCount"].as_u64().unwrap();
    assert!(n > 0);
    let delete = r#"mutation($cascade: Boolean!) { deleteActor(id: "cia", cascade: $cascade) {
        actor { id nameEn } deletedRelations { id type } } }"#;
    let r = exec(&service, admin(), delete, json!({"cascade": false})).await;
    assert_eq!(codes(&r), ["CONFLICT"], "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cascade"),
        "{r}"
    );
    let d = data(&service, r#"{ actor(id: "cia") { id } }"#, json!({})).await;
    assert_eq!(d["actor"]["id"], "cia", "still there");

    let gone = ok(&service, admin(), delete, json!({"cascade": true})).await;
    assert_eq!(
        gone["deleteActor"]["actor"]["nameEn"],
        "Central Intelligence Agency"
    );
    assert_eq!(
        gone["deleteActor"]["deletedRelations"]
            .as_array()
            .unwrap()
            .len() as u64,
        n
    );
    let after = data(
        &service,
        r#"{ actor(id: "cia") { id } relation(id: "cia-contract-amazon") { id } stats { relations }
             amazon: actor(id: "amazon") { relations(types: [CONTRACT]) { totalCount } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(after["actor"], Value::Null);
    assert_eq!(after["relation"], Value::Null);
    assert_eq!(
        after["stats"]["relations"].as_u64().unwrap(),
        before["stats"]["relations"].as_u64().unwrap() - n
    );
    assert_eq!(after["amazon"]["relations"]["totalCount"], 0);

    // An actor without relations goes without cascade; a second delete is NOT_FOUND.
    ok(&service, editor(), CREATE_ACTOR, json!({"input": nsa()})).await;
    let once = exec(
        &service,
        admin(),
        r#"mutation { deleteActor(id: "nsa") { actor { id } deletedRelations { id } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        once["data"]["deleteActor"]["deletedRelations"],
        json!([]),
        "{once}"
    );
    let twice = exec(
        &service,
        admin(),
        r#"mutation { deleteActor(id: "nsa") { actor { id } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&twice), ["NOT_FOUND"], "{twice}");
}

pub async fn a_bad_relation_lists_every_problem_by_field_and_writes_nothing(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let r = exec(&service, editor(), CREATE_RELATION, json!({"input": {
        "id": "bad-relation", "type": "CONTRACT", "fromId": "cia", "toId": "nobody-here",
        "summary": "x".repeat(5000),
        "amount": {"value": -5, "currency": "XYZ"},
        "start": {"value": "2015-02"}, "end": {"value": "2014-13"},
        "evidence": [{"sourceId": "amazon-korea-cloud-2015", "quote": "A sentence the article never says."},
                     {"sourceId": "no-such-source", "quote": "x"}]}}))
    .await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
    let ext = &r["errors"][0]["extensions"];
    assert_eq!(ext["argument"], "input");
    let paths: Vec<&str> = ext["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    for expected in [
        "input.toId",
        "input.summary",
        "input.amount.value",
        "input.amount.currency",
        "input.end.value",
        "input.evidence.0.quote",
        "input.evidence.1.sourceId",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
    assert!(paths.contains(&ext["field"].as_str().unwrap()));
    let d = data(
        &service,
        r#"{ relation(id: "bad-relation") { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["relation"], Value::Null);

    // start after end is refused too.
    let r = exec(
        &service,
        editor(),
        CREATE_RELATION,
        json!({"input": {
        "id": "backwards", "type": "USAGE", "fromId": "kt", "toId": "cia", "summary": "s",
        "start": {"value": "2016"}, "end": {"value": "2015-06"},
        "evidence": [{"sourceId": "amazon-korea-cloud-2015", "quote": KT_SENTENCE}]}}),
    )
    .await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
    assert!(
        r["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap()
            .starts_with("input.end"),
        "{r}"
    );
}

pub async fn a_relation_changes_type_endpoints_and_evidence(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let created = ok(&service, editor(), CREATE_RELATION, json!({"input": {
        "id": "kt-usage-amazon-test", "type": "USAGE", "fromId": "kt", "toId": "amazon",
        "summary": "KT uses Amazon", "start": {"value": "2015-01", "inferred": true, "note": "from context"},
        "amount": {"value": 1000, "currency": "KRW"},
        "evidence": [{"sourceId": "amazon-korea-cloud-2015", "quote": KT_SENTENCE}]}}))
    .await;
    let c = &created["createRelation"];
    assert_eq!(
        (c["version"].clone(), c["createdBy"].clone()),
        (json!(1), json!("desk-editor"))
    );
    assert_eq!(c["start"], json!({"value": "2015-01", "inferred": true}));
    assert_eq!(c["amount"], json!({"value": 1000.0, "currency": "KRW"}));

    let moved = ok(
        &service,
        editor(),
        UPDATE_RELATION,
        json!({"id": "kt-usage-amazon-test",
        "input": {"type": "LEASE", "toId": "cia", "note": "moved in a test"}, "v": 1}),
    )
    .await;
    let m = &moved["updateRelation"];
    assert_eq!(m["type"], "LEASE");
    assert_eq!(m["to"]["id"], "cia");
    assert_eq!(m["from"]["id"], "kt");
    assert_eq!(m["version"], 2);
    assert_eq!(m["summary"], "KT uses Amazon", "untouched");
    let d = data(&service, r#"{ amazon: actor(id: "amazon") { relations(types: [USAGE]) { edges { node { id } } } }
        cia: actor(id: "cia") { relations(types: [LEASE], direction: IN) { edges { node { id } } } } }"#, json!({})).await;
    assert!(!d["amazon"]["relations"]["edges"]
        .to_string()
        .contains("kt-usage-amazon-test"));
    assert_eq!(
        d["cia"]["relations"]["edges"][0]["node"]["id"],
        "kt-usage-amazon-test"
    );

    // Evidence: add one (verified), refuse a duplicate and an unverifiable quote,
    // remove one, refuse removing the last.
    let second = "아마존은 KT 데이터센터를 통해 한국 시장에 진출했다";
    let add = r#"mutation($q: String!, $v: Int) { addEvidence(relationId: "kt-usage-amazon-test",
        evidence: {sourceId: "amazon-korea-cloud-2015", quote: $q}, expectedVersion: $v) { version evidence { quote } } }"#;
    let bad = exec(&service, editor(), add, json!({"q": second})).await;
    assert_eq!(codes(&bad), ["BAD_USER_INPUT"], "{bad}");
    assert_eq!(bad["errors"][0]["extensions"]["argument"], "evidence");
    assert_eq!(
        bad["errors"][0]["extensions"]["field"], "evidence.quote",
        "{bad}"
    );
    let quote = SECOND_SENTENCE.to_string();
    let added = ok(&service, editor(), add, json!({"q": quote, "v": 2})).await;
    assert_eq!(added["addEvidence"]["version"], 3);
    assert_eq!(
        added["addEvidence"]["evidence"].as_array().unwrap().len(),
        2
    );
    let dup = exec(&service, editor(), add, json!({"q": quote})).await;
    assert_eq!(codes(&dup), ["BAD_USER_INPUT"], "{dup}");

    let remove = r#"mutation($q: String!) { removeEvidence(relationId: "kt-usage-amazon-test",
        evidence: {sourceId: "amazon-korea-cloud-2015", quote: $q}) { version evidence { quote } } }"#;
    let removed = ok(&service, editor(), remove, json!({"q": KT_SENTENCE})).await;
    assert_eq!(
        removed["removeEvidence"]["evidence"],
        json!([{"quote": quote}])
    );
    assert_eq!(removed["removeEvidence"]["version"], 4);
    let absent = exec(&service, editor(), remove, json!({"q": KT_SENTENCE})).await;
    assert_eq!(codes(&absent), ["NOT_FOUND"], "{absent}");
    let last = exec(&service, editor(), remove, json!({"q": quote})).await;
    assert_eq!(codes(&last), ["BAD_USER_INPUT"], "{last}");
    let d = data(
        &service,
        r#"{ relation(id: "kt-usage-amazon-test") { version evidence { quote } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["relation"]["version"], 4);

    // Deleting it (admin) leaves the endpoints.
    let del = ok(&service, admin(), r#"mutation { deleteRelation(id: "kt-usage-amazon-test", expectedVersion: 4) { id type } }"#, json!({})).await;
    assert_eq!(del["deleteRelation"]["type"], "LEASE");
    let d = data(
        &service,
        r#"{ relation(id: "kt-usage-amazon-test") { id } actor(id: "kt") { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["relation"], Value::Null);
    assert_eq!(d["actor"]["id"], "kt");
}

pub async fn a_source_is_created_and_described_and_its_text_is_quoted(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let text = "The NSA moved to the cloud. KT denied any talks.";
    let created = ok(&service, editor(), r#"mutation($t: String!) { createSource(input: {
        id: "nsa-note-2015", title: "A note", language: "en", published: {value: "2015-03"}, text: $t }) {
        id title language published { value } text } }"#, json!({"t": text})).await;
    assert_eq!(created["createSource"]["text"], text);
    let again = exec(
        &service,
        editor(),
        r#"mutation { createSource(input: {
        id: "nsa-note-2015", title: "B", language: "en", text: "x" }) { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&again), ["CONFLICT"], "{again}");
    let described = ok(
        &service,
        admin(),
        r#"mutation { updateSource(id: "nsa-note-2015",
        input: {title: "A note on the NSA", url: "https://example.org/nsa", published: null},
        expectedVersion: 1) {
        title url published { value } text version createdBy updatedBy } }"#,
        json!({}),
    )
    .await;
    let s = &described["updateSource"];
    assert_eq!(s["title"], "A note on the NSA");
    assert_eq!(s["url"], "https://example.org/nsa");
    assert_eq!(s["published"], Value::Null);
    assert_eq!(s["text"], text, "the text stays");
    assert_eq!(
        (
            s["version"].clone(),
            s["createdBy"].clone(),
            s["updatedBy"].clone()
        ),
        (json!(2), json!("desk-editor"), json!("desk-admin"))
    );
    let stale = exec(
        &service,
        editor(),
        r#"mutation { updateSource(id: "nsa-note-2015", input: {title: "x"}, expectedVersion: 1) { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&stale), ["CONFLICT"], "{stale}");
    assert_eq!(stale["errors"][0]["extensions"]["currentVersion"], 2);
    let bad = exec(
        &service,
        editor(),
        r#"mutation { updateSource(id: "nsa-note-2015", input: {language: "not a tag!"}) { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&bad), ["BAD_USER_INPUT"], "{bad}");
    assert_eq!(
        bad["errors"][0]["extensions"]["field"], "input.language",
        "{bad}"
    );

    let r = ok(&service, editor(), CREATE_RELATION, json!({"input": {
        "id": "kt-denies-talks", "type": "STATEMENT", "fromId": "kt", "toId": "amazon",
        "summary": "KT denied talks", "evidence": [{"sourceId": "nsa-note-2015", "quote": "KT denied any talks."}]}}))
    .await;
    assert_eq!(
        r["createRelation"]["evidence"][0]["source"]["id"],
        "nsa-note-2015"
    );
}

/// Polls a subscription until it listens (a stream starts when first polled).
async fn started(stream: &mut (impl futures_util::Stream<Item = async_graphql::Response> + Unpin)) {
    let early = tokio::time::timeout(Duration::from_millis(200), stream.next()).await;
    assert!(early.is_err(), "no event before any write: {early:?}");
}

/// Collects the next `n` events of a subscription, failing after a few seconds.
async fn next_events(
    stream: &mut (impl futures_util::Stream<Item = async_graphql::Response> + Unpin),
    n: usize,
) -> Vec<Value> {
    let mut out = Vec::new();
    while out.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("an event within 10 s")
            .expect("the stream goes on");
        out.push(serde_json::to_value(next).unwrap());
    }
    out
}

pub async fn subscribers_receive_the_changes_they_filter_for(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let mut all_actors = Box::pin(service.execute_stream(
        "subscription { actorChanged { change by at actor { id nameEn version } } }",
        Auth::Anonymous,
    ));
    let mut nsa_only = Box::pin(service.execute_stream(
        r#"subscription { actorChanged(id: "nsa", changes: [UPDATED, DELETED]) { change actor { id version } } }"#,
        Auth::Anonymous,
    ));
    let mut kt_relations = Box::pin(service.execute_stream(
        r#"subscription { relationChanged(actorId: "kt", types: [USAGE]) { change by relation { id type version evidence { quote } from { id nameEn } } } }"#,
        Auth::Anonymous,
    ));
    started(&mut all_actors).await;
    started(&mut nsa_only).await;
    started(&mut kt_relations).await;
    assert_eq!(service.changes().subscribers(), 3);

    ok(&service, editor(), CREATE_ACTOR, json!({"input": nsa()})).await;
    ok(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "kt", "input": {"description": "telecom"}}),
    )
    .await;
    ok(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "nsa", "input": {"description": "agency"}}),
    )
    .await;
    ok(&service, editor(), CREATE_RELATION, json!({"input": {
        "id": "nsa-usage-amazon", "type": "USAGE", "fromId": "nsa", "toId": "amazon",
        "summary": "not KT's", "evidence": [{"sourceId": "amazon-korea-cloud-2015", "quote": KT_SENTENCE}]}})).await;
    ok(&service, editor(), CREATE_RELATION, json!({"input": {
        "id": "kt-usage-nsa", "type": "USAGE", "fromId": "kt", "toId": "nsa",
        "summary": "KT's", "evidence": [{"sourceId": "amazon-korea-cloud-2015", "quote": KT_SENTENCE}]}})).await;
    ok(
        &service,
        admin(),
        r#"mutation { deleteActor(id: "nsa", cascade: true) { actor { id } } }"#,
        json!({}),
    )
    .await;

    let events = next_events(&mut all_actors, 4).await;
    let summary: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            let c = &e["data"]["actorChanged"];
            (
                c["change"].as_str().unwrap().to_string(),
                c["actor"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("CREATED", "nsa"),
            ("UPDATED", "kt"),
            ("UPDATED", "nsa"),
            ("DELETED", "nsa")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(events[0]["data"]["actorChanged"]["by"], "desk-editor");
    assert_eq!(
        events[0]["data"]["actorChanged"]["actor"]["nameEn"],
        "National Security Agency"
    );
    assert_eq!(events[3]["data"]["actorChanged"]["by"], "desk-admin");

    let events = next_events(&mut nsa_only, 2).await;
    assert_eq!(events[0]["data"]["actorChanged"]["change"], "UPDATED");
    assert_eq!(events[0]["data"]["actorChanged"]["actor"]["version"], 2);
    assert_eq!(events[1]["data"]["actorChanged"]["change"], "DELETED");

    // KT's USAGE relations: created, then deleted with NSA (the other one is not KT's).
    let events = next_events(&mut kt_relations, 2).await;
    let c = &events[0]["data"]["relationChanged"];
    assert_eq!(c["change"], "CREATED");
    assert_eq!(c["relation"]["id"], "kt-usage-nsa");
    assert_eq!(c["relation"]["evidence"][0]["quote"], KT_SENTENCE);
    assert_eq!(c["relation"]["from"]["nameEn"], "KT Corporation");
    assert_eq!(events[1]["data"]["relationChanged"]["change"], "DELETED");
    assert_eq!(
        events[1]["data"]["relationChanged"]["relation"]["id"],
        "kt-usage-nsa"
    );

    // A bad filter is refused with a code.
    let mut bad = Box::pin(service.execute_stream(
        r#"subscription { actorChanged(id: "Not An Id") { change } }"#,
        Auth::Anonymous,
    ));
    let first = next_events(&mut bad, 1).await;
    assert_eq!(codes(&first[0]), ["BAD_USER_INPUT"], "{}", first[0]);
}

pub async fn an_import_of_thousands_of_records_reaches_a_prompt_subscriber_whole(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let mut actors = Box::pin(service.execute_stream(
        "subscription { actorChanged { change actor { id } } }",
        Auth::Anonymous,
    ));
    started(&mut actors).await;
    // More records in one write than the feed holds writes: the feed counts
    // writes, so a subscriber that reads as they come misses none.
    let n = 5_000;
    let bulk: Vec<Value> = (0..n)
        .map(|i| json!({"id": format!("bulk-{i:05}"), "kind": "COMPANY", "nameEn": format!("Bulk {i}")}))
        .collect();
    let import = "mutation($d: JSON!) { importGraph(document: $d) { actors { created } } }";
    let done = ok(&service, admin(), import, json!({"d": {"actors": bulk}})).await;
    assert_eq!(done["importGraph"]["actors"]["created"], n);
    let events = next_events(&mut actors, n).await;
    assert!(
        events.iter().all(|e| e.get("errors").is_none()),
        "no errors"
    );
    assert_eq!(
        events[0]["data"]["actorChanged"]["actor"]["id"],
        "bulk-00000"
    );
    assert_eq!(
        events[n - 1]["data"]["actorChanged"]["actor"]["id"],
        format!("bulk-{:05}", n - 1)
    );
}

pub async fn an_import_is_published_record_by_record(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let mut relations = Box::pin(service.execute_stream(
        "subscription { relationChanged { change relation { id version } } }",
        Auth::Anonymous,
    ));
    let mut actors = Box::pin(service.execute_stream(
        "subscription { actorChanged { change actor { id version createdBy } } }",
        Auth::Anonymous,
    ));
    let mut sources = Box::pin(service.execute_stream(
        "subscription { sourceChanged { change by source { id title version } } }",
        Auth::Anonymous,
    ));
    started(&mut relations).await;
    started(&mut actors).await;
    started(&mut sources).await;
    assert_eq!(service.changes().subscribers(), 3);
    let doc = json!({
        "sources": [{"id": "nsa-cloud-2015", "title": "A second article", "language": "en",
                     "text": "The NSA also moved its analysis to the cloud, following the CIA."}],
        "actors": [{"id": "nsa", "kind": "GOVERNMENT_AGENCY", "nameEn": "National Security Agency"}],
        "relations": [{"id": "nsa-follows-cia", "type": "SUPPORT", "from": "nsa", "to": "cia",
                       "summary": "The NSA followed the CIA to the cloud.",
                       "evidence": [{"source": "nsa-cloud-2015", "quote": "The NSA also moved its analysis to the cloud, following the CIA."}]}]
    });
    let import = "mutation($d: JSON!) { importGraph(document: $d) { changed } }";
    let first = ok(&service, admin(), import, json!({"d": doc})).await;
    assert_eq!(first["importGraph"]["changed"], true);
    let a = next_events(&mut actors, 1).await;
    assert_eq!(
        a[0]["data"]["actorChanged"],
        json!({"change": "CREATED", "actor": {"id": "nsa", "version": 1, "createdBy": "desk-admin"}})
    );
    let r = next_events(&mut relations, 1).await;
    assert_eq!(
        r[0]["data"]["relationChanged"],
        json!({"change": "CREATED", "relation": {"id": "nsa-follows-cia", "version": 1}})
    );
    let s = next_events(&mut sources, 1).await;
    assert_eq!(
        s[0]["data"]["sourceChanged"],
        json!({"change": "CREATED", "by": "desk-admin",
               "source": {"id": "nsa-cloud-2015", "title": "A second article", "version": 1}})
    );
    // A re-run changes nothing and publishes nothing; a changed record is one update.
    let again = ok(&service, admin(), import, json!({"d": doc})).await;
    assert_eq!(again["importGraph"]["changed"], false);
    let mut changed = doc.clone();
    changed["actors"][0]["nameKo"] = json!("국가안보국");
    ok(&service, admin(), import, json!({"d": changed})).await;
    let a = next_events(&mut actors, 1).await;
    assert_eq!(
        a[0]["data"]["actorChanged"],
        json!({"change": "UPDATED", "actor": {"id": "nsa", "version": 2, "createdBy": "desk-admin"}}),
        "the update, not a replay of the unchanged run"
    );
}

pub async fn an_import_racing_edits_gives_every_write_its_own_version(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    import_racing_edits(&service, &service).await;
}

/// A Neo4j store on a fresh test database, holding the seed data set.
async fn seeded_bolt_store(
    db: &crate::backends::TestDatabase,
) -> actorgraph::store::neo4j::Neo4jStore {
    use actorgraph::store::neo4j::{ImportOptions, Neo4jStore};
    let store = Neo4jStore::connect(&db.config).await.unwrap();
    store
        .import_with(&seed_dataset(), &ImportOptions::default())
        .await
        .unwrap();
    store
}

/// Two API instances over one Bolt database: an import through one races edits
/// through the other. Within one instance writes queue; across instances the
/// import's version check (guard_*.cypher) is what keeps each write's version.
#[actix_web::test]
async fn bolt_an_import_on_one_instance_racing_edits_on_another_keeps_every_version() {
    use actorgraph::store::neo4j::Neo4jStore;
    let Some(db) = crate::backends::fresh_bolt_database() else {
        return;
    };
    let first = seeded_bolt_store(&db).await;
    let second = Neo4jStore::connect(&db.config).await.unwrap();
    let importer = GraphqlService::new(std::sync::Arc::new(first));
    let editor = GraphqlService::new(std::sync::Arc::new(second));
    import_racing_edits(&importer, &editor).await;
}

async fn import_racing_edits(importer: &GraphqlService, edits_through: &GraphqlService) {
    // The import rewrites KT whole (the document wins over concurrent edits of
    // other fields); the edits re-apply their field to whatever they find. Either
    // way each of the five writes gets a version of its own.
    let kt = data(
        importer,
        r#"{ actor(id: "kt") { id kind nameKo nameEn aliases description } }"#,
        json!({}),
    )
    .await["actor"]
        .clone();
    let mut doc_actor = kt.clone();
    doc_actor["description"] = json!("set by the import");
    let doc = json!({"actors": [doc_actor]});
    let import = exec(
        importer,
        admin(),
        "mutation($d: JSON!) { importGraph(document: $d) { changed } }",
        json!({"d": doc}),
    );
    let edits = futures_util::future::join_all((0..4).map(|i| {
        exec(
            edits_through,
            editor(),
            UPDATE_ACTOR,
            json!({"id": "kt", "input": {"aliases": [format!("edit {i}")]}}),
        )
    }));
    let (import, edits) = futures_util::future::join(import, edits).await;
    assert_eq!(import["data"]["importGraph"]["changed"], true, "{import}");
    let mut versions: Vec<i64> = edits
        .iter()
        .map(|r| {
            assert!(r.get("errors").is_none(), "{r}");
            r["data"]["updateActor"]["version"].as_i64().unwrap()
        })
        .collect();
    versions.sort();
    versions.dedup();
    assert_eq!(
        versions.len(),
        4,
        "each edit has its own version: {versions:?}"
    );
    let d = data(
        importer,
        r#"{ actor(id: "kt") { version description } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["actor"]["version"], 6, "1 + four edits + the import");
    assert_eq!(d["actor"]["description"], "set by the import");
}

/// On the Neo4j store, counts are kept in (:GraphCount) nodes; a database that has
/// none (set up by an older version, or whose counts were lost) is counted once at
/// connection, under the writer lock, and then kept.
#[actix_web::test]
async fn bolt_a_database_without_counts_is_counted_at_connection() {
    use actorgraph::store::neo4j::Neo4jStore;
    use actorgraph::store::Repository;
    let Some(db) = crate::backends::fresh_bolt_database() else {
        return;
    };
    let store = seeded_bolt_store(&db).await;
    let kept = store.stats().await.unwrap();
    let seed = seed_dataset();
    assert_eq!(
        kept.relations_by_type.iter().map(|(_, n)| n).sum::<usize>(),
        seed.relations.len()
    );
    let rows = |q: &str| crate::backends::cypher_rows(&db.config, q);
    rows("MATCH (c:GraphCount) DELETE c");
    assert!(rows("MATCH (c:GraphCount) RETURN c.key AS key").is_empty());
    // Without counts, stats and totals count by reading (the same answers)…
    assert_eq!(store.stats().await.unwrap(), kept);
    let contracts = |store: &Neo4jStore| {
        let query = actorgraph::store::RelationQuery {
            order: Default::default(),
            total: true,
            filter: actorgraph::store::RelationFilter::new(
                None,
                actorgraph::domain::Direction::Both,
                vec![actorgraph::domain::RelationType::Contract],
            ),
            page: actorgraph::store::PageRequest {
                first: 1,
                after: None,
            },
        };
        let store = store.clone();
        async move { store.find_relations(&[query]).await.unwrap()[0].total_count }
    };
    let listed = seed
        .relations
        .iter()
        .filter(|r| r.kind == actorgraph::domain::RelationType::Contract)
        .count();
    assert_eq!(contracts(&store).await, listed);
    drop(store);
    // …and a new connection counts them again.
    let store = Neo4jStore::connect(&db.config).await.unwrap();
    assert_eq!(store.stats().await.unwrap(), kept);
    assert_eq!(contracts(&store).await, listed);
    // …and the connection counted: the counts are back, marked as taken.
    let counted = rows("MATCH (c:GraphCount {key: 'counted'}) RETURN c.n AS n");
    assert_eq!(counted, [json!({"n": 1})]);
    let sources = rows("MATCH (c:GraphCount {key: 'source'}) RETURN c.n AS n");
    assert_eq!(sources, [json!({"n": seed.sources.len()})]);
}

/// On the Neo4j store every relation has exactly one key node naming the actor it
/// starts from, whatever writes it went through (relations are found by id through
/// their keys).
#[actix_web::test]
async fn bolt_relation_keys_follow_every_write() {
    let Some(db) = crate::backends::fresh_bolt_database() else {
        return;
    };
    let store = seeded_bolt_store(&db).await;
    let service = GraphqlService::new(std::sync::Arc::new(store));
    ok(&service, editor(), CREATE_ACTOR, json!({"input": nsa()})).await;
    ok(
        &service,
        editor(),
        CREATE_RELATION,
        json!({"input": {
        "id": "nsa-usage-kt", "type": "USAGE", "fromId": "nsa", "toId": "kt", "summary": "s",
        "evidence": [{"sourceId": "amazon-korea-cloud-2015", "quote": KT_SENTENCE}]}}),
    )
    .await;
    // A new start, a new type, a kind change (re-created with its relations), deletes.
    ok(
        &service,
        editor(),
        UPDATE_RELATION,
        json!({"id": "nsa-usage-kt",
        "input": {"fromId": "cia", "type": "CONTRACT"}}),
    )
    .await;
    ok(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "cia", "input": {"kind": "GOVERNMENT"}}),
    )
    .await;
    ok(
        &service,
        admin(),
        r#"mutation { deleteRelation(id: "amazon-leases-gs-tower") { id } }"#,
        json!({}),
    )
    .await;
    ok(
        &service,
        admin(),
        r#"mutation { deleteActor(id: "amazon", cascade: true) { actor { id } } }"#,
        json!({}),
    )
    .await;

    let rows = |q: &str| crate::backends::cypher_rows(&db.config, q);
    let relations =
        rows("MATCH (a:Actor)-[r]->(:Actor) RETURN r.id AS id, a.id AS from ORDER BY id");
    let keys = rows("MATCH (k:RelationKey) RETURN k.id AS id, k.from AS from ORDER BY id");
    assert!(!relations.is_empty());
    assert_eq!(keys, relations, "one key per relation, naming its start");
    assert!(keys
        .iter()
        .any(|k| k["id"] == "nsa-usage-kt" && k["from"] == "cia"));
    let d = data(
        &service,
        r#"{ relation(id: "nsa-usage-kt") { type from { id kind } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        d["relation"],
        json!({"type": "CONTRACT", "from": {"id": "cia", "kind": "GOVERNMENT"}})
    );
}

/// The Neo4j store's name index holds exactly the actors: one entry each, with the
/// actor's kind and searchText, linked to the n-grams of its keys, and each gram
/// counts its links.
fn assert_the_name_index_matches_the_actors(config: &actorgraph::store::neo4j::Neo4jConfig) {
    let rows = |q: &str| crate::backends::cypher_rows(config, q);
    let actors =
        rows("MATCH (a:Actor) RETURN a.id AS id, a.kind AS kind, a.searchText AS text ORDER BY id");
    let names = rows(
        "MATCH (k:ActorName) RETURN k.id AS id, k.kind AS kind, k.searchText AS text ORDER BY id",
    );
    assert!(!actors.is_empty());
    assert_eq!(names, actors, "one entry per actor, as it is now");
    let linked = rows(
        "MATCH (k:ActorName)-[:HAS_GRAM]->(g:NameGram) RETURN k.id AS id, collect(g.g) AS grams",
    );
    for actor in &actors {
        let text = actor["text"].as_str().unwrap();
        let mut want = actorgraph::domain::search::index_grams(text.split('|'));
        want.sort();
        let mut got: Vec<String> = linked
            .iter()
            .find(|l| l["id"] == actor["id"])
            .map(|l| serde_json::from_value(l["grams"].clone()).unwrap())
            .unwrap_or_default();
        got.sort();
        assert_eq!(got, want, "the grams of {}", actor["id"]);
    }
    let counts = rows(
        "MATCH (g:NameGram) RETURN g.g AS g, g.n AS n, COUNT { (g)<-[:HAS_GRAM]-() } AS links",
    );
    assert!(!counts.is_empty());
    for c in &counts {
        assert_eq!(c["n"], c["links"], "the count of {}", c["g"]);
    }
}

/// The ids `actors(search:, kinds:)` finds, checked against its `totalCount`.
async fn found(service: &GraphqlService, search: &str, kinds: &Value) -> Vec<String> {
    let d = data(
        service,
        "query($s: String!, $k: [ActorKind!]) { actors(search: $s, kinds: $k, first: 100) { totalCount edges { node { id } } } }",
        json!({"s": search, "k": kinds}),
    )
    .await;
    let ids = crate::helpers::edge_ids(&d["actors"]);
    assert_eq!(d["actors"]["totalCount"], ids.len(), "{search}");
    ids
}

/// On the Neo4j store, search reads its candidates from a name index in the graph;
/// every kind of write keeps it, and a database without one gets it at connection.
#[actix_web::test]
async fn bolt_the_name_index_follows_every_write_and_is_built_at_connection() {
    use actorgraph::store::neo4j::Neo4jStore;
    let Some(db) = crate::backends::fresh_bolt_database() else {
        return;
    };
    let store = seeded_bolt_store(&db).await;
    assert_the_name_index_matches_the_actors(&db.config);
    let service = GraphqlService::new(std::sync::Arc::new(store));
    ok(&service, editor(), CREATE_ACTOR, json!({"input": nsa()})).await;
    ok(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "nsa", "input": {"nameEn": "No Such Agency", "aliases": []}}),
    )
    .await;
    ok(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "cia", "input": {"kind": "GOVERNMENT"}}),
    )
    .await;
    ok(
        &service,
        admin(),
        r#"mutation { deleteActor(id: "amazon", cascade: true) { actor { id } } }"#,
        json!({}),
    )
    .await;
    assert_the_name_index_matches_the_actors(&db.config);

    let none = json!(null);
    assert_eq!(found(&service, "no such", &none).await, ["nsa"]);
    assert_eq!(found(&service, "국가안보", &none).await, ["nsa"]);
    assert!(!found(&service, "national security", &none)
        .await
        .contains(&"nsa".to_string()));
    assert_eq!(
        found(&service, "cia", &json!(["GOVERNMENT"])).await,
        ["cia"]
    );
    assert!(!found(&service, "cia", &json!(["GOVERNMENT_AGENCY"]))
        .await
        .contains(&"cia".to_string()));
    assert!(!found(&service, "amazon", &none)
        .await
        .contains(&"amazon".to_string()));
    let searches = [
        "kt",
        "케이티",
        "클라우드",
        "cloud",
        "협회",
        "ag",
        "no such",
        "클라우드법",
        "Amazn",
        "케이티이",
    ];
    let mut before = Vec::new();
    for search in searches {
        before.push(found(&service, search, &none).await);
    }
    assert!(before[0].contains(&"kt".to_string()));

    // A build cut short (entries written, the mark not) is taken up again; a
    // database without any index gets one; searches answer as before.
    let rows = |q: &str| crate::backends::cypher_rows(&db.config, q);
    for removal in [
        vec!["MATCH (c:GraphCount {key: 'named'}) DELETE c"],
        vec![
            "MATCH (c:GraphCount {key: 'named'}) DELETE c",
            "MATCH (k:ActorName) DETACH DELETE k",
            "MATCH (g:NameGram) DELETE g",
        ],
    ] {
        let whole = removal.len() > 1;
        for statement in removal {
            rows(statement);
        }
        if whole {
            // The connection that had the index searches it: nothing left to find.
            assert!(found(&service, "kt", &none).await.is_empty());
        }
        let store = Neo4jStore::connect(&db.config).await.unwrap();
        assert_the_name_index_matches_the_actors(&db.config);
        assert_eq!(
            rows("MATCH (c:GraphCount {key: 'named'}) RETURN c.n AS n"),
            [json!({"n": 1})]
        );
        let fresh = GraphqlService::new(std::sync::Arc::new(store));
        let mut after = Vec::new();
        for search in searches {
            after.push(found(&fresh, search, &none).await);
        }
        assert_eq!(after, before);
    }
}

pub async fn an_import_that_changes_a_kind_keeps_the_actors_relations_and_their_versions(
    make: Maker,
) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let query = r#"{ actor(id: "kt") { kind version relations(first: 100) { totalCount edges { node { id version } } } } }"#;
    let before = data(&service, query, json!({})).await;
    assert!(before["actor"]["relations"]["totalCount"].as_u64().unwrap() >= 3);
    let kt = data(
        &service,
        r#"{ actor(id: "kt") { id nameKo nameEn aliases description } }"#,
        json!({}),
    )
    .await["actor"]
        .clone();
    let mut changed = kt.clone();
    changed["kind"] = json!("ASSOCIATION");
    let r = ok(
        &service,
        admin(),
        "mutation($d: JSON!) { importGraph(document: $d) { changed actors { updated } relations { created updated unchanged } } }",
        json!({"d": {"actors": [changed]}}),
    )
    .await;
    assert_eq!(
        r["importGraph"],
        json!({"changed": true, "actors": {"updated": 1},
               "relations": {"created": 0, "updated": 0, "unchanged": 0}})
    );
    let after = data(&service, query, json!({})).await;
    assert_eq!(after["actor"]["kind"], "ASSOCIATION");
    assert_eq!(after["actor"]["version"], 2);
    assert_eq!(
        after["actor"]["relations"], before["actor"]["relations"],
        "the same relations, at the same versions"
    );
}

pub async fn the_change_log_says_who_changed_what_and_keeps_a_deleted_records_history(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    ok(&service, editor(), CREATE_ACTOR,
       json!({"input": {"id": "nsa", "kind": "GOVERNMENT_AGENCY", "nameEn": "National Security Agency"}})).await;
    ok(
        &service,
        editor(),
        UPDATE_ACTOR,
        json!({"id": "nsa", "input": {"nameKo": "국가안보국"}}),
    )
    .await;
    ok(
        &service,
        admin(),
        r#"mutation { deleteActor(id: "nsa") { actor { id } } }"#,
        json!({}),
    )
    .await;

    let history = r#"query($after: String) { changes(recordId: "nsa", kinds: [ACTOR], after: $after) {
        edges { cursor node { seq by change version recordType recordId fields { field before after } } }
        pageInfo { hasNextPage hasPreviousPage endCursor } } }"#;
    let data = ok(&service, Auth::Anonymous, history, json!({})).await;
    let edges = data["changes"]["edges"].as_array().unwrap().clone();
    let nodes: Vec<&Value> = edges.iter().map(|e| &e["node"]).collect();
    assert_eq!(nodes.len(), 3, "{data:#}");
    let summary: Vec<(&str, &str, i64)> = nodes
        .iter()
        .map(|n| {
            (
                n["change"].as_str().unwrap(),
                n["by"].as_str().unwrap(),
                n["version"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("CREATED", "desk-editor", 1),
            ("UPDATED", "desk-editor", 2),
            ("DELETED", "desk-admin", 2)
        ]
    );
    assert_eq!(
        nodes[1]["fields"],
        json!([{"field": "nameKo", "before": null, "after": "국가안보국"}]),
        "an update lists the fields it changed, old and new"
    );
    assert_eq!(
        (
            nodes[0]["recordType"].as_str(),
            nodes[0]["recordId"].as_str()
        ),
        (Some("ACTOR"), Some("nsa"))
    );
    // Numbers increase; the cursor is the number; `after` reads on from it.
    let seqs: Vec<i64> = nodes.iter().map(|n| n["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(edges[0]["cursor"], seqs[0].to_string());
    let rest = ok(
        &service,
        Auth::Anonymous,
        history,
        json!({"after": edges[0]["cursor"]}),
    )
    .await;
    assert_eq!(rest["changes"]["edges"].as_array().unwrap().len(), 2);
    assert_eq!(rest["changes"]["pageInfo"]["hasPreviousPage"], true);

    let bad = exec(
        &service,
        Auth::Anonymous,
        r#"{ changes(after: "yesterday") { edges { cursor } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&bad), ["BAD_USER_INPUT"]);
}

/// A new source is found by search; the relations quoting it follow the writes
/// of their evidence, their type and their deletion.
pub async fn a_sources_search_and_relations_follow_the_writes(make: Maker) {
    let Some(service) = seeded(make).await else {
        return;
    };
    let text = "The NSA moved to the cloud. KT denied any talks.";
    ok(
        &service,
        editor(),
        r#"mutation($t: String!) { createSource(input: {
        id: "nsa-note-2015", title: "A note", language: "en", text: $t }) { id } }"#,
        json!({"t": text}),
    )
    .await;
    let read = r#"query($q: String!) {
        sources(search: $q) { edges { node { id } matches { text relations { id } } } }
        note: source(id: "nsa-note-2015") { relations { edges { node { id type } } } evidence { quote relation { id } } }
        seed: source(id: "amazon-korea-cloud-2015") { relations(first: 100) { edges { node { id } } } } }"#;
    let d = data(&service, read, json!({"q": "nsa MOVED"})).await;
    assert_eq!(
        d["sources"]["edges"],
        json!([{"node": {"id": "nsa-note-2015"},
            "matches": [{"text": "The NSA moved to the cloud.", "relations": []}]}])
    );
    assert_eq!(d["note"]["relations"]["edges"], json!([]));

    ok(
        &service,
        editor(),
        CREATE_RELATION,
        json!({"input": {
        "id": "kt-statement-nsa-test", "type": "STATEMENT", "fromId": "kt", "toId": "cia",
        "summary": "KT denied talks",
        "evidence": [{"sourceId": "nsa-note-2015", "quote": "KT denied any talks."}]}}),
    )
    .await;
    let d = data(&service, read, json!({"q": "denied"})).await;
    assert_eq!(
        d["sources"]["edges"][0]["matches"][0]["relations"],
        json!([{"id": "kt-statement-nsa-test"}])
    );
    assert_eq!(
        d["note"]["relations"]["edges"],
        json!([{"node": {"id": "kt-statement-nsa-test", "type": "STATEMENT"}}])
    );
    assert_eq!(
        d["note"]["evidence"],
        json!([{"quote": "KT denied any talks.", "relation": {"id": "kt-statement-nsa-test"}}])
    );

    // The type changes; evidence from the seed's article is added, then the
    // note's removed: the relation moves from one source's list to the other's.
    ok(
        &service,
        editor(),
        UPDATE_RELATION,
        json!({"id": "kt-statement-nsa-test", "input": {"type": "CRITICISM"}}),
    )
    .await;
    let add = r#"mutation($s: ID!, $q: String!) { addEvidence(relationId: "kt-statement-nsa-test",
        evidence: {sourceId: $s, quote: $q}) { version } }"#;
    ok(
        &service,
        editor(),
        add,
        json!({"s": "amazon-korea-cloud-2015", "q": KT_SENTENCE}),
    )
    .await;
    let d = data(&service, read, json!({"q": "denied"})).await;
    assert_eq!(
        d["note"]["relations"]["edges"],
        json!([{"node": {"id": "kt-statement-nsa-test", "type": "CRITICISM"}}])
    );
    assert!(edge_ids(&d["seed"]["relations"]).contains(&"kt-statement-nsa-test".to_string()));
    let remove = r#"mutation { removeEvidence(relationId: "kt-statement-nsa-test",
        evidence: {sourceId: "nsa-note-2015", quote: "KT denied any talks."}) { version } }"#;
    ok(&service, editor(), remove, json!({})).await;
    let d = data(&service, read, json!({"q": "denied"})).await;
    assert_eq!(d["note"]["relations"]["edges"], json!([]));
    assert_eq!(d["note"]["evidence"], json!([]));
    assert_eq!(
        d["sources"]["edges"][0]["matches"][0]["relations"],
        json!([])
    );
    assert!(edge_ids(&d["seed"]["relations"]).contains(&"kt-statement-nsa-test".to_string()));

    // Deleted, it leaves the seed's list; a described source is still found.
    ok(
        &service,
        admin(),
        r#"mutation { deleteRelation(id: "kt-statement-nsa-test") { id } }"#,
        json!({}),
    )
    .await;
    ok(
        &service,
        admin(),
        r#"mutation { updateSource(id: "nsa-note-2015", input: {title: "Renamed"}) { id } }"#,
        json!({}),
    )
    .await;
    let d = data(&service, read, json!({"q": "nsa moved"})).await;
    assert!(!edge_ids(&d["seed"]["relations"]).contains(&"kt-statement-nsa-test".to_string()));
    assert_eq!(edge_ids(&d["sources"]), ["nsa-note-2015"]);
}

/// On the Neo4j store, a source search reads each source's folded text and a
/// source's relations its links from their key nodes; a database written by a
/// version that kept neither gets both at connection, and answers as before.
#[actix_web::test]
async fn bolt_sources_written_without_folded_texts_or_links_get_them_at_connection() {
    use actorgraph::store::neo4j::Neo4jStore;
    let Some(db) = crate::backends::fresh_bolt_database() else {
        return;
    };
    let store = seeded_bolt_store(&db).await;
    let service = GraphqlService::new(std::sync::Arc::new(store));
    let read = r#"{ sources(search: "클라우드 발전법") { totalCount edges { matchCount } }
        source(id: "amazon-korea-cloud-2015") { relations(first: 100) { totalCount edges { node { id } } } } }"#;
    let before = data(&service, read, json!({})).await;
    assert_eq!(before["sources"]["totalCount"], 1);
    assert!(
        before["source"]["relations"]["totalCount"]
            .as_u64()
            .unwrap()
            > 20
    );

    let rows = |q: &str| crate::backends::cypher_rows(&db.config, q);
    rows("MATCH (s:Source) REMOVE s.searchText");
    rows("MATCH (:RelationKey)-[c:CITES]->(:Source) DELETE c");
    let emptied = data(&service, read, json!({})).await;
    assert_eq!(emptied["sources"]["totalCount"], 0);
    assert_eq!(emptied["source"]["relations"]["totalCount"], 0);

    let store = Neo4jStore::connect(&db.config).await.unwrap();
    let fresh = GraphqlService::new(std::sync::Arc::new(store));
    assert_eq!(data(&fresh, read, json!({})).await, before);
}

/// On the Neo4j store, the database itself refuses a record whose id another
/// kind holds (a registry of ids under a unique constraint), also for a write
/// that skips the API's checks (an import straight into the store); a database
/// written before the registry gets it at connection.
#[actix_web::test]
async fn bolt_the_database_keeps_ids_unique_across_kinds() {
    use actorgraph::store::neo4j::Neo4jStore;
    use actorgraph::store::Repository;
    let Some(db) = crate::backends::fresh_bolt_database() else {
        return;
    };
    let store = seeded_bolt_store(&db).await;
    let seed = seed_dataset();
    let records = seed.actors.len() + seed.sources.len();
    let rows = |q: &str| crate::backends::cypher_rows(&db.config, q);
    let registered = || rows("MATCH (i:RecordId) RETURN count(i) AS n")[0]["n"].clone();
    assert_eq!(registered(), json!(records));

    let mut clash = actorgraph::domain::Dataset::default();
    let mut source = seed.sources[0].clone();
    source.id = actorgraph::domain::SourceId::parse("kt".to_string()).unwrap();
    clash.sources.push(source);
    assert!(store.import(&clash, "test").await.is_err(), "refused");
    // A relation with an actor's id, and an actor with a relation's.
    let mut relation = seed.relations[0].clone();
    relation.id = actorgraph::domain::RelationId::parse("cia".to_string()).unwrap();
    let relation_clash = actorgraph::domain::Dataset {
        relations: vec![relation],
        ..Default::default()
    };
    assert!(
        store.import(&relation_clash, "test").await.is_err(),
        "refused"
    );
    let mut actor = seed.actors[0].clone();
    actor.id = actorgraph::domain::ActorId::parse(seed.relations[0].id.to_string()).unwrap();
    let actor_clash = actorgraph::domain::Dataset {
        actors: vec![actor],
        ..Default::default()
    };
    assert!(store.import(&actor_clash, "test").await.is_err(), "refused");
    let relations: usize = store
        .stats()
        .await
        .unwrap()
        .relations_by_type
        .iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(relations, seed.relations.len());
    assert_eq!(store.stats().await.unwrap().sources, seed.sources.len());
    assert_eq!(registered(), json!(records), "nothing written");

    // Deleting a record frees its id; a database without the registry gets it.
    let service = GraphqlService::new(std::sync::Arc::new(store));
    ok(
        &service,
        admin(),
        r#"mutation { deleteActor(id: "kt", cascade: true) { actor { id } } }"#,
        json!({}),
    )
    .await;
    assert!(store_ok_import(&db, &clash).await, "the id is free again");
    rows("MATCH (i:RecordId) DELETE i");
    rows("MATCH (c:GraphCount {key: 'recordIds'}) DELETE c");
    let store = Neo4jStore::connect(&db.config).await.unwrap();
    let stats = store.stats().await.unwrap();
    let actors: usize = stats.actors_by_kind.iter().map(|(_, n)| n).sum();
    assert_eq!(registered(), json!(actors + stats.sources));
}

async fn store_ok_import(
    db: &crate::backends::TestDatabase,
    data: &actorgraph::domain::Dataset,
) -> bool {
    use actorgraph::store::Repository;
    let store = actorgraph::store::neo4j::Neo4jStore::connect(&db.config)
        .await
        .unwrap();
    store.import(data, "test").await.is_ok()
}
