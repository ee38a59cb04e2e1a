//! Intake: an article in, its mentions, candidate new actors and candidate
//! claims out, alike on every store; and the figures of what intake finds on
//! the seed article and on our own test articles (`tests/intake/`).

use actorgraph::api::GraphqlService;
use actorgraph::auth::{Auth, Caller, Role};
use actorgraph::domain::intake::quality::of_dataset;
use serde_json::{json, Value};

use crate::backends::{for_each_backend, Maker};
use crate::helpers::{codes, data, seed_dataset, seed_path};

for_each_backend!(crate::intake;
    an_article_is_stored_and_read_against_the_stored_actors,
    intake_needs_the_editor_role_and_a_valid_source,
    an_accepted_claim_corroborates_the_stored_relation_with_its_ends_and_type,
    an_accepted_claim_with_a_new_end_creates_the_actor_or_ties_it_to_a_stored_one,
    a_rejected_claim_keeps_its_reason_and_cannot_be_reviewed_again,
    actor_matches_finds_an_actor_by_alias_abbreviation_or_near_spelling,
    a_merge_moves_relations_unions_names_and_keeps_the_merged_id_resolvable,
    a_claim_that_disagrees_with_a_stored_relation_shows_both_quotes,
);

const TEXT: &str = "미래부는 지난달 6일 클라우드법 시행을 앞두고 설명회를 열었다. \
                    실제로 중앙정보국(CIA)이 아마존과 6억 달러 규모의 계약을 맺었다.";
const CONTRACT_SENTENCE: &str = "실제로 중앙정보국(CIA)이 아마존과 6억 달러 규모의 계약을 맺었다.";

const INTAKE: &str = r#"mutation($source: CreateSourceInput!) {
  intake(source: $source) {
    source { id version text }
    sentenceCount
    mentions { text start end sentence actor { id } newActor }
    newActors { index name kind cue duplicates { actor { id } likeness score } }
    claims {
      id version review quote start end type cues confidence status role summary
      from { actor { id } name isNew kind duplicates { id } }
      to { actor { id } name isNew kind duplicates { id } }
      startDate { value inferred note } amount { value currency }
    }
  }
}"#;

fn editor() -> Auth {
    Auth::Caller(Caller {
        role: Role::Editor,
        label: "desk-editor".into(),
    })
}

async fn exec(service: &GraphqlService, auth: Auth, query: &str, variables: Value) -> Value {
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    serde_json::to_value(service.execute_as(request, auth).await).unwrap()
}

fn source(id: &str) -> Value {
    json!({"source": {
        "id": id, "title": "A follow-up", "language": "ko", "text": TEXT,
        "published": {"value": "2015-04-10"},
    }})
}

pub async fn an_article_is_stored_and_read_against_the_stored_actors(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let service = GraphqlService::new(repo);
    let r = exec(&service, editor(), INTAKE, source("follow-up")).await;
    assert!(r.get("errors").is_none(), "{r}");
    let intake = &r["data"]["intake"];
    assert_eq!(intake["source"]["version"], 1);
    assert_eq!(intake["sentenceCount"], 2);
    // Known actors by name, alias and with their particles; offsets in UTF-16.
    let mentions = intake["mentions"].as_array().unwrap();
    let named: Vec<(&str, &str)> = mentions
        .iter()
        .filter_map(|m| Some((m["text"].as_str()?, m["actor"]["id"].as_str()?)))
        .collect();
    for expected in [("미래부", "msip"), ("CIA", "cia"), ("아마존", "amazon")] {
        assert!(named.contains(&expected), "{expected:?} in {named:?}");
    }
    let amazon = mentions.iter().find(|m| m["text"] == "아마존").unwrap();
    let start = TEXT.find("아마존").unwrap();
    assert_eq!(amazon["start"], TEXT[..start].encode_utf16().count());
    // A new name with the stored actor it may duplicate.
    let new = intake["newActors"].as_array().unwrap();
    let act = new
        .iter()
        .find(|a| a["name"] == "클라우드법")
        .expect("클라우드법 is a candidate");
    assert_eq!(act["kind"], "BILL");
    assert_eq!(
        act["duplicates"][0]["actor"]["id"], "cloud-development-act",
        "{act}"
    );
    // The contract, its sentence as the quote, the sum read from the words.
    let claims = intake["claims"].as_array().unwrap();
    let contract = claims
        .iter()
        .find(|c| {
            c["type"] == "CONTRACT"
                && c["from"]["actor"]["id"] == "cia"
                && c["to"]["actor"]["id"] == "amazon"
        })
        .unwrap_or_else(|| panic!("the CIA's contract with Amazon is a candidate: {claims:?}"));
    assert_eq!(contract["quote"], CONTRACT_SENTENCE);
    assert_eq!(contract["review"], "PENDING");
    assert_eq!(contract["version"], 1);
    assert_eq!(
        contract["amount"],
        json!({"value": 600000000.0, "currency": "USD"})
    );
    assert_eq!(contract["status"], "signed");
    assert!(contract["cues"]
        .as_array()
        .unwrap()
        .contains(&json!("계약")));
    let text: Vec<u16> = TEXT.encode_utf16().collect();
    let (s, e) = (
        contract["start"].as_u64().unwrap() as usize,
        contract["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(String::from_utf16(&text[s..e]).unwrap(), CONTRACT_SENTENCE);
    // The source and its claims were written, no relation: the graph's are the seed's.
    let d = data(
        &service,
        r#"{ source(id: "follow-up") { id } relations(first: 1) { totalCount }
             claims(sourceId: "follow-up", status: PENDING, first: 100) { edges { node { id } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["source"]["id"], "follow-up");
    assert_eq!(d["relations"]["totalCount"], seed_dataset().relations.len());
    let listed: Vec<&Value> = d["claims"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["id"])
        .collect();
    let returned: Vec<&Value> = claims.iter().map(|c| &c["id"]).collect();
    assert_eq!(
        listed, returned,
        "claims are listed in the order intake gave them"
    );
}

pub async fn intake_needs_the_editor_role_and_a_valid_source(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let service = GraphqlService::new(repo);
    let r = exec(&service, Auth::Anonymous, INTAKE, source("anonymous")).await;
    assert_eq!(codes(&r), ["UNAUTHENTICATED"], "{r}");
    let taken = exec(
        &service,
        editor(),
        INTAKE,
        source("amazon-korea-cloud-2015"),
    )
    .await;
    assert_eq!(codes(&taken), ["CONFLICT"], "{taken}");
    let mut long = source("long");
    long["source"]["text"] = json!("가".repeat(40_000));
    let r = exec(&service, editor(), INTAKE, long).await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
    let mut bad = source("bad-date");
    bad["source"]["published"]["value"] = json!("2015-13");
    let r = exec(&service, editor(), INTAKE, bad).await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
    assert!(
        r["errors"][0]["extensions"]["problems"][0]["path"]
            .as_str()
            .unwrap_or("")
            .contains("published"),
        "{r}"
    );
}

/// The aims of the intake issue, on the seed article read against its actors
/// alone: 70% of its relations found, 50% typed, and most candidates right.
/// Our own short articles (one Korean, one English) are held to the same finding
/// rate. `actorgraph measure-intake` prints these figures (docs/intake.md).
#[test]
fn intake_finds_most_of_the_relations_editors_drew_from_the_articles() {
    let seed = of_dataset(&actorgraph::seed::load(&seed_path()).unwrap());
    let (_, q) = &seed[0];
    assert!(q.recall() >= 0.7, "found {:.2}: {q:?}", q.recall());
    assert!(
        q.typed_recall() >= 0.5,
        "typed {:.2}: {q:?}",
        q.typed_recall()
    );
    assert!(q.precision() >= 0.5, "right {:.2}: {q:?}", q.precision());
    let dir = seed_path().join("../tests/intake");
    for file in ["korean.json", "english.json"] {
        let data = actorgraph::seed::load(&dir.join(file)).unwrap();
        for (id, q) in of_dataset(&data) {
            assert!(q.recall() >= 0.7, "{id}: found {:.2}: {q:?}", q.recall());
        }
    }
}

/// An article whose claims the review tests decide: a contract the seed holds
/// (corroboration), and a new association urging the Assembly and a bill named
/// in a new way (`클라우드법`, which the seed calls `클라우드 발전법`).
const REVIEW_TEXT: &str = "실제로 중앙정보국(CIA)이 아마존과 6억 달러 규모의 계약을 맺었다. \
                           한국소프트웨어산업협회는 국회에 클라우드법 통과를 촉구했다.";

async fn intake_for_review(service: &GraphqlService) -> Vec<Value> {
    let mut vars = source("review-me");
    vars["source"]["text"] = json!(REVIEW_TEXT);
    let r = exec(service, editor(), INTAKE, vars).await;
    assert!(r.get("errors").is_none(), "{r}");
    r["data"]["intake"]["claims"].as_array().unwrap().clone()
}

fn find<'a>(claims: &'a [Value], kind: &str, from: &str, to: &str) -> &'a Value {
    let name = |end: &Value| {
        end["actor"]["id"]
            .as_str()
            .unwrap_or(end["name"].as_str().unwrap_or(""))
            .to_string()
    };
    claims
        .iter()
        .find(|c| c["type"] == kind && name(&c["from"]) == from && name(&c["to"]) == to)
        .unwrap_or_else(|| panic!("a {kind} claim from {from} to {to}: {claims:#?}"))
}

const ACCEPT: &str = r#"mutation($id: ID!, $edits: ClaimEdits, $v: Int) {
  acceptClaim(id: $id, edits: $edits, expectedVersion: $v) {
    id version review relationId corroborates { id }
    history { by change }
  }
}"#;

pub async fn an_accepted_claim_corroborates_the_stored_relation_with_its_ends_and_type(
    make: Maker,
) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let service = GraphqlService::new(repo);
    let claims = intake_for_review(&service).await;
    let contract = find(&claims, "CONTRACT", "cia", "amazon");
    let id = contract["id"].clone();
    let r = exec(&service, editor(), ACCEPT, json!({"id": id, "v": 1})).await;
    assert!(r.get("errors").is_none(), "{r}");
    let accepted = &r["data"]["acceptClaim"];
    assert_eq!(accepted["review"], "ACCEPTED");
    assert_eq!(accepted["version"], 2);
    assert_eq!(accepted["relationId"], "cia-contract-amazon");
    let history: Vec<(&str, &str)> = accepted["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["by"].as_str().unwrap(), h["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        history,
        [("desk-editor", "CREATED"), ("desk-editor", "UPDATED")]
    );
    // The stored contract gained the sentence as evidence, under the reviewer's key.
    let d = data(
        &service,
        r#"{ relation(id: "cia-contract-amazon") { version updatedBy evidence { quote source { id } } } }"#,
        json!({}),
    )
    .await;
    let relation = &d["relation"];
    assert_eq!(relation["updatedBy"], "desk-editor");
    assert!(relation["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["source"]["id"] == "review-me" && e["quote"] == CONTRACT_SENTENCE));
    assert_eq!(relation["version"], 2, "{relation}");
    // Accepting it again is a conflict.
    let again = exec(&service, editor(), ACCEPT, json!({"id": id})).await;
    assert_eq!(codes(&again), ["CONFLICT"], "{again}");
}

pub async fn an_accepted_claim_with_a_new_end_creates_the_actor_or_ties_it_to_a_stored_one(
    make: Maker,
) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let service = GraphqlService::new(repo);
    let claims = intake_for_review(&service).await;
    let lobbying = find(
        &claims,
        "LOBBYING",
        "한국소프트웨어산업협회",
        "national-assembly",
    );
    assert_eq!(lobbying["from"]["isNew"], true);
    assert_eq!(lobbying["from"]["kind"], "ASSOCIATION");
    // A new end needs an actor: the error says how to give one.
    let r = exec(&service, editor(), ACCEPT, json!({"id": lobbying["id"]})).await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
    let message = r["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("edits.newFrom"), "{message}");
    let r = exec(
        &service,
        editor(),
        ACCEPT,
        json!({"id": lobbying["id"], "edits": {
            "newFrom": {"id": "korea-software-industry-association", "nameEn": "Korea Software Industry Association"},
            "summary": "The association urged the Assembly to pass the cloud act.",
        }}),
    )
    .await;
    assert!(r.get("errors").is_none(), "{r}");
    let relation = r["data"]["acceptClaim"]["relationId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        relation,
        "korea-software-industry-association-lobbying-national-assembly"
    );
    let d = data(
        &service,
        r#"query($id: ID!) {
            actor(id: "korea-software-industry-association") { kind name(language: KO) createdBy }
            relation(id: $id) { type summary from { id } to { id } createdBy evidence { quote } } }"#,
        json!({"id": relation}),
    )
    .await;
    assert_eq!(d["actor"]["kind"], "ASSOCIATION");
    assert_eq!(d["actor"]["name"], "한국소프트웨어산업협회");
    assert_eq!(d["actor"]["createdBy"], "desk-editor");
    assert_eq!(d["relation"]["createdBy"], "desk-editor");
    assert_eq!(d["relation"]["to"]["id"], "national-assembly");
    assert_eq!(
        d["relation"]["evidence"][0]["quote"],
        "한국소프트웨어산업협회는 국회에 클라우드법 통과를 촉구했다."
    );
    // The bill named in a new way, tied to the stored act it may duplicate: the
    // claim then corroborates the act's pendency in the Assembly.
    let pending = find(&claims, "PENDING_IN", "클라우드법", "national-assembly");
    let duplicates: Vec<&Value> = pending["from"]["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["id"])
        .collect();
    assert!(
        duplicates.contains(&&json!("cloud-development-act")),
        "{pending}"
    );
    let r = exec(
        &service,
        editor(),
        ACCEPT,
        json!({"id": pending["id"], "edits": {"fromId": "cloud-development-act"}}),
    )
    .await;
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(
        r["data"]["acceptClaim"]["relationId"],
        "cloud-act-pending-in-national-assembly"
    );
}

pub async fn a_rejected_claim_keeps_its_reason_and_cannot_be_reviewed_again(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let service = GraphqlService::new(repo);
    let claims = intake_for_review(&service).await;
    let id = claims[0]["id"].clone();
    const REJECT: &str = r#"mutation($id: ID!, $reason: String!) {
        rejectClaim(id: $id, reason: $reason) { review reason version history { by change } } }"#;
    let blank = exec(
        &service,
        editor(),
        REJECT,
        json!({"id": id, "reason": "  "}),
    )
    .await;
    assert_eq!(codes(&blank), ["BAD_USER_INPUT"], "{blank}");
    let r = exec(
        &service,
        editor(),
        REJECT,
        json!({"id": id, "reason": "The sentence does not say it."}),
    )
    .await;
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(r["data"]["rejectClaim"]["review"], "REJECTED");
    assert_eq!(
        r["data"]["rejectClaim"]["reason"],
        "The sentence does not say it."
    );
    let again = exec(&service, editor(), ACCEPT, json!({"id": id})).await;
    assert_eq!(codes(&again), ["CONFLICT"], "{again}");
    let anonymous = exec(
        &service,
        Auth::Anonymous,
        REJECT,
        json!({"id": claims[1]["id"], "reason": "x"}),
    )
    .await;
    assert_eq!(codes(&anonymous), ["UNAUTHENTICATED"], "{anonymous}");
    let d = data(
        &service,
        r#"{ rejected: claims(status: REJECTED) { edges { node { id } } }
             pending: claims(sourceId: "review-me", status: PENDING) { edges { node { id } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["rejected"]["edges"][0]["node"]["id"], id);
    assert_eq!(
        d["pending"]["edges"].as_array().unwrap().len(),
        claims.len() - 1
    );
}

pub async fn actor_matches_finds_an_actor_by_alias_abbreviation_or_near_spelling(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let service = GraphqlService::new(repo);
    const MATCHES: &str = r#"query($name: String!) {
        actorMatches(name: $name) { actor { id } likeness score } }"#;
    for (name, id, likeness) in [
        ("미래부", "msip", "SAME_NAME"),
        ("미래 창조 과학부", "msip", "SAME_NAME"),
        ("클라우드법", "cloud-development-act", "NEAR_SPELLING"),
        ("Amazn", "amazon", "NEAR_SPELLING"),
        (
            "Korea Cloud Industry",
            "korea-cloud-industry-association",
            "CONTAINS",
        ),
    ] {
        let d = data(&service, MATCHES, json!({"name": name})).await;
        let first = &d["actorMatches"][0];
        assert_eq!(first["actor"]["id"], id, "{name}: {d}");
        assert_eq!(first["likeness"], likeness, "{name}: {d}");
    }
    let d = data(&service, MATCHES, json!({"name": "전혀다른이름"})).await;
    assert_eq!(d["actorMatches"], json!([]));
}

fn admin() -> Auth {
    Auth::Caller(Caller {
        role: Role::Admin,
        label: "desk-admin".into(),
    })
}

pub async fn a_merge_moves_relations_unions_names_and_keeps_the_merged_id_resolvable(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let service = GraphqlService::new(repo);
    // A second record of the act, as an editor might add from a new article.
    let quote =
        "그 동안 국회에서 잠자고 있던 클라우드 발전법도 함께 처리될 가능성이 높아졌기 때문이다";
    let r = exec(
        &service,
        editor(),
        r#"mutation($quote: String!) {
            a: createActor(input: {id: "cloud-act-dup", kind: BILL, nameKo: "클라우드법", aliases: ["클라우드 컴퓨팅법"]}) { id }
            b: createRelation(input: {id: "dup-pending", type: PENDING_IN, fromId: "cloud-act-dup", toId: "national-assembly",
                summary: "Pending.", evidence: [{sourceId: "amazon-korea-cloud-2015", quote: $quote}]}) { id }
            c: createRelation(input: {id: "dup-linked", type: LINKED_WITH, fromId: "cloud-act-dup", toId: "cloud-development-act",
                summary: "Linked.", evidence: [{sourceId: "amazon-korea-cloud-2015", quote: $quote}]}) { id }
        }"#,
        json!({"quote": quote}),
    )
    .await;
    assert!(r.get("errors").is_none(), "{r}");
    const MERGE: &str = r#"mutation { mergeActors(keep: "cloud-development-act", merge: "cloud-act-dup") {
        actor { id aliases mergedIds version updatedBy } moved dropped } }"#;
    let forbidden = exec(&service, editor(), MERGE, json!({})).await;
    assert_eq!(codes(&forbidden), ["FORBIDDEN"], "{forbidden}");
    let r = exec(&service, admin(), MERGE, json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
    let merged = &r["data"]["mergeActors"];
    assert_eq!(merged["moved"], json!(["dup-pending"]));
    assert_eq!(merged["dropped"], json!(["dup-linked"]));
    assert_eq!(merged["actor"]["mergedIds"], json!(["cloud-act-dup"]));
    assert_eq!(merged["actor"]["updatedBy"], "desk-admin");
    let aliases = merged["actor"]["aliases"].as_array().unwrap();
    assert!(aliases.contains(&json!("클라우드법")), "{aliases:?}");
    assert!(aliases.contains(&json!("클라우드 컴퓨팅법")), "{aliases:?}");
    // The merged id finds the kept actor; the moved relation keeps its evidence.
    let d = data(
        &service,
        r#"{ actor(id: "cloud-act-dup") { id }
             moved: relation(id: "dup-pending") { from { id } evidence { quote } history { by change } }
             gone: relation(id: "dup-linked") { id }
             search: actors(search: "클라우드법", forgive: false) { edges { node { id } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["actor"]["id"], "cloud-development-act");
    assert_eq!(d["moved"]["from"]["id"], "cloud-development-act");
    assert_eq!(d["moved"]["evidence"][0]["quote"], quote);
    assert_eq!(
        d["moved"]["history"][1],
        json!({"by": "desk-admin", "change": "UPDATED"})
    );
    assert!(d["gone"].is_null());
    assert_eq!(
        d["search"]["edges"][0]["node"]["id"],
        "cloud-development-act"
    );
    // The merged id stays taken.
    let taken = exec(
        &service,
        editor(),
        r#"mutation { createActor(input: {id: "cloud-act-dup", kind: BILL, nameEn: "Again"}) { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(codes(&taken), ["CONFLICT"], "{taken}");
    let again = exec(&service, admin(), MERGE, json!({})).await;
    assert_eq!(codes(&again), ["NOT_FOUND"], "{again}");
}

pub async fn a_claim_that_disagrees_with_a_stored_relation_shows_both_quotes(make: Maker) {
    let Some(repo) = make(seed_dataset()).await else {
        return;
    };
    let service = GraphqlService::new(repo);
    let mut vars = source("other-figure");
    vars["source"]["text"] = json!("중앙정보국(CIA)이 아마존과 7억 달러 규모의 계약을 맺었다.");
    let r = exec(
        &service,
        editor(),
        r#"mutation($source: CreateSourceInput!) { intake(source: $source) { claims {
            type quote amount { value }
            corroborates { id }
            contradicts { fields relation { id amount { value } evidence { quote } } } } } }"#,
        vars,
    )
    .await;
    assert!(r.get("errors").is_none(), "{r}");
    let claims = r["data"]["intake"]["claims"].as_array().unwrap();
    let contract = claims.iter().find(|c| c["type"] == "CONTRACT").unwrap();
    assert_eq!(contract["amount"]["value"], 700000000.0);
    assert_eq!(
        contract["corroborates"],
        json!([{"id": "cia-contract-amazon"}])
    );
    let contradiction = &contract["contradicts"][0];
    assert_eq!(contradiction["fields"], json!(["amount"]));
    assert_eq!(contradiction["relation"]["amount"]["value"], 600000000.0);
    assert!(contradiction["relation"]["evidence"][0]["quote"]
        .as_str()
        .unwrap()
        .contains("6억 달러"));
}
