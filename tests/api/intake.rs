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
      sentence quote start end type cues confidence status role
      from { actor { id } newActor name } to { actor { id } newActor name }
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
    assert_eq!(contract["sentence"], 1);
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
    // Nothing but the source was written: the graph's relations are the seed's.
    let d = data(
        &service,
        r#"{ source(id: "follow-up") { id } relations(first: 1) { totalCount } }"#,
        json!({}),
    )
    .await;
    assert_eq!(d["source"]["id"], "follow-up");
    assert_eq!(d["relations"]["totalCount"], seed_dataset().relations.len());
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
