//! Sources as a searchable, paged list, and what leads from a source to the
//! relations it states (`matches`, `Source.relations`, `Source.evidence`),
//! alike on every store, each checked against a plain reading of the data set.

use actorgraph::api::GraphqlService;
use actorgraph::domain::{Dataset, Evidence, Meta, RelationId, RelationType, Source, SourceId};
use serde_json::{json, Value};

use crate::backends::{for_each_backend, Maker};
use crate::helpers::{codes, data, edge_ids, run, seed_dataset, CountingRepository};

for_each_backend!(crate::sources;
    a_search_gives_the_passages_that_match_with_the_relations_quoting_them,
    sources_page_in_id_order_searched_or_not,
    a_sources_relations_are_those_that_quote_it,
    a_sources_evidence_is_every_quote_in_text_order,
    a_page_of_hits_with_their_matches_costs_two_store_calls,
    bad_arguments_are_refused_by_name,
);

const SEED: &str = "amazon-korea-cloud-2015";
const KO: &str = "nis-cloud-ko";
const EN: &str = "nis-cloud-en";

/// The Korean test source: the words searched for stand twice, once spaced.
const KO_TEXT: &str = "국가정보원은 클라우드 도입을 검토했다. 국정원 관계자는 말을 아꼈다.\n\
                       국가 정보원이 KT와 계약했다는 보도도 있다. 😀 끝.";
const KO_QUOTE: &str = "국가 정보원이 KT와 계약했다는 보도도 있다.";
const EN_TEXT: &str = "The National Intelligence Service (국가정보원) weighed a cloud deal. \
                       KT declined to comment. Mr. Kim said nothing.";
const EN_QUOTE: &str = "KT declined to comment.";

fn source(id: &str, language: &str, text: &str) -> Source {
    Source {
        id: SourceId::parse(id.to_string()).unwrap(),
        title: format!("Test source {id}"),
        publisher: None,
        language: language.into(),
        published_at: None,
        url: None,
        note: None,
        text: text.into(),
        meta: Meta::default(),
    }
}

/// The seed, two more sources and two relations quoting them (one of which also
/// quotes the seed's article).
fn dataset() -> Dataset {
    let mut data = seed_dataset();
    data.sources.push(source(KO, "ko", KO_TEXT));
    data.sources.push(source(EN, "en", EN_TEXT));
    let template = data.relations[0].clone();
    let seed_quote = template.evidence[0].clone();
    let mut ko = template.clone();
    ko.id = RelationId::parse("kt-contract-nis-test".to_string()).unwrap();
    ko.kind = RelationType::Contract;
    ko.evidence = vec![
        Evidence {
            source: SourceId::parse(KO.to_string()).unwrap(),
            quote: KO_QUOTE.into(),
        },
        seed_quote,
    ];
    let mut en = template;
    en.id = RelationId::parse("kt-statement-nis-test".to_string()).unwrap();
    en.kind = RelationType::Statement;
    en.evidence = vec![Evidence {
        source: SourceId::parse(EN.to_string()).unwrap(),
        quote: EN_QUOTE.into(),
    }];
    data.relations.push(ko);
    data.relations.push(en);
    data
}

async fn seeded(make: Maker) -> Option<(GraphqlService, Dataset)> {
    let data = dataset();
    let repo = make(data.clone()).await?;
    Some((GraphqlService::new(repo), data))
}

/// The part of `text` between two UTF-16 offsets.
fn slice16(text: &str, start: &Value, end: &Value) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    let (start, end) = (
        start.as_u64().unwrap() as usize,
        end.as_u64().unwrap() as usize,
    );
    String::from_utf16(&units[start..end]).unwrap()
}

const HITS: &str = r#"query($q: String, $first: Int, $after: String) {
    sources(search: $q, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor matchCount
            node { id text }
            matches { text start end sentence relations { id } } } } }"#;

pub async fn a_search_gives_the_passages_that_match_with_the_relations_quoting_them(make: Maker) {
    let Some((service, _)) = seeded(make).await else {
        return;
    };
    let d = data(&service, HITS, json!({"q": "국가정보원"})).await;
    let hits = &d["sources"];
    assert_eq!(hits["totalCount"], 2);
    assert_eq!(edge_ids(hits), [EN, KO], "in id order");
    let en = &hits["edges"][0];
    assert_eq!(en["matchCount"], 1);
    assert_eq!(
        en["matches"],
        json!([{"text": "The National Intelligence Service (국가정보원) weighed a cloud deal.",
            "start": 0, "end": 63, "sentence": 0, "relations": []}])
    );
    let ko = &hits["edges"][1];
    assert_eq!(ko["matchCount"], 2, "spacing is ignored: 국가 정보원");
    let matches = ko["matches"].as_array().unwrap();
    assert_eq!(matches[0]["text"], "국가정보원은 클라우드 도입을 검토했다.");
    assert_eq!(matches[0]["relations"], json!([]));
    assert_eq!(matches[1]["text"], KO_QUOTE);
    assert_eq!(matches[1]["sentence"], 2);
    assert_eq!(
        matches[1]["relations"],
        json!([{"id": "kt-contract-nis-test"}]),
        "the relation quoting the sentence"
    );
    for m in matches {
        assert_eq!(
            slice16(KO_TEXT, &m["start"], &m["end"]),
            m["text"].as_str().unwrap()
        );
    }

    // English, ignoring case; words across two sentences give both.
    let d = data(&service, HITS, json!({"q": "kt DECLINED"})).await;
    assert_eq!(edge_ids(&d["sources"]), [EN]);
    let m = &d["sources"]["edges"][0]["matches"][0];
    assert_eq!(m["text"], EN_QUOTE);
    assert_eq!(m["relations"], json!([{"id": "kt-statement-nis-test"}]));
    let d = data(&service, HITS, json!({"q": "deal. KT"})).await;
    let m = &d["sources"]["edges"][0]["matches"][0];
    assert_eq!(
        m["text"],
        "The National Intelligence Service (국가정보원) weighed a cloud deal. KT declined to comment."
    );
    assert_eq!(m["relations"], json!([{"id": "kt-statement-nis-test"}]));
    assert_eq!(m["sentence"], 0);

    // The seed's article: every passage holds the words, and every relation
    // listed quotes the passage.
    let d = data(&service, HITS, json!({"q": "클라우드 발전법"})).await;
    let seed = d["sources"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["id"] == SEED)
        .expect("the article speaks of the act");
    let text = seed["node"]["text"].as_str().unwrap();
    assert!(seed["matchCount"].as_i64().unwrap() >= 5, "{seed}");
    for m in seed["matches"].as_array().unwrap() {
        let passage = m["text"].as_str().unwrap();
        assert_eq!(slice16(text, &m["start"], &m["end"]), passage);
        assert!(
            passage.replace(' ', "").contains("클라우드발전법"),
            "{passage}"
        );
    }

    // No match, and no search.
    let d = data(&service, HITS, json!({"q": "국가안보실"})).await;
    assert_eq!(d["sources"]["totalCount"], 0);
    let d = data(&service, HITS, json!({})).await;
    assert_eq!(d["sources"]["totalCount"], 3);
    assert!(d["sources"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["matches"] == json!([]) && e["matchCount"] == 0));
}

pub async fn sources_page_in_id_order_searched_or_not(make: Maker) {
    let Some((service, data_set)) = seeded(make).await else {
        return;
    };
    let mut all: Vec<&str> = data_set.sources.iter().map(|s| s.id.as_str()).collect();
    all.sort();
    for (search, expected) in [
        (None, all.clone()),
        (Some("KT"), all.clone()),
        (Some("cloud"), vec![EN]),
        (Some("정보원"), vec![EN, KO]),
    ] {
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let d = data(
                &service,
                "query($q: String, $after: String) { sources(search: $q, first: 1, after: $after) {
                    totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id title } } } }",
                json!({"q": search, "after": after}),
            )
            .await;
            let page = &d["sources"];
            assert_eq!(page["totalCount"], expected.len(), "{search:?}");
            assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
            seen.extend(edge_ids(page));
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen, expected, "{search:?}");
    }
}

pub async fn a_sources_relations_are_those_that_quote_it(make: Maker) {
    let Some((service, data_set)) = seeded(make).await else {
        return;
    };
    for s in &data_set.sources {
        let mut quoting: Vec<&actorgraph::domain::Relation> = data_set
            .relations
            .iter()
            .filter(|r| r.evidence.iter().any(|e| e.source == s.id))
            .collect();
        quoting.sort_by(|a, b| a.id.cmp(&b.id));
        let expected: Vec<&str> = quoting.iter().map(|r| r.id.as_str()).collect();
        // Page by page, five at a time.
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let d = data(
                &service,
                "query($id: ID!, $after: String) { source(id: $id) { relations(first: 5, after: $after) {
                    totalCount aggregate { count } pageInfo { hasNextPage endCursor } edges { node { id from { id } } } } } }",
                json!({"id": s.id.as_str(), "after": after}),
            )
            .await;
            let page = &d["source"]["relations"];
            assert_eq!(page["totalCount"], expected.len());
            assert_eq!(page["aggregate"]["count"], expected.len());
            seen.extend(edge_ids(page));
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen, expected, "{}", s.id);
        // Filtered, and in another order, read backward.
        let contracts: Vec<&str> = quoting
            .iter()
            .filter(|r| r.kind == RelationType::Contract)
            .map(|r| r.id.as_str())
            .collect();
        let last_two = crate::helpers::last_by_type(&quoting, false, 2);
        let d = data(
            &service,
            "query($id: ID!) { source(id: $id) {
                contracts: relations(where: {types: [CONTRACT]}, first: 100) { totalCount edges { node { id } } }
                typed: relations(types: [CONTRACT]) { aggregate { byType { type count } byOtherEndKind { kind } } }
                lastByType: relations(orderBy: {field: TYPE}, last: 2) { edges { node { id } } } } }",
            json!({"id": s.id.as_str()}),
        )
        .await;
        let src = &d["source"];
        assert_eq!(edge_ids(&src["contracts"]), contracts, "{}", s.id);
        assert_eq!(src["contracts"]["totalCount"], contracts.len());
        assert_eq!(
            src["typed"]["aggregate"]["byOtherEndKind"],
            Value::Null,
            "a source has no other end"
        );
        assert_eq!(edge_ids(&src["lastByType"]), last_two, "{}", s.id);
    }
}

pub async fn a_sources_evidence_is_every_quote_in_text_order(make: Maker) {
    let Some((service, data_set)) = seeded(make).await else {
        return;
    };
    for s in &data_set.sources {
        let mut expected: Vec<(usize, &str, &str)> = data_set
            .relations
            .iter()
            .flat_map(|r| {
                r.evidence.iter().filter(|e| e.source == s.id).map(|e| {
                    (
                        s.text.find(&e.quote).unwrap(),
                        r.id.as_str(),
                        e.quote.as_str(),
                    )
                })
            })
            .collect();
        expected.sort();
        let d = data(
            &service,
            "query($id: ID!) { source(id: $id) { evidence { quote start end relation { id } } } }",
            json!({"id": s.id.as_str()}),
        )
        .await;
        let got = d["source"]["evidence"].as_array().unwrap();
        let pairs: Vec<(&str, &str)> = got
            .iter()
            .map(|q| {
                assert_eq!(
                    slice16(&s.text, &q["start"], &q["end"]),
                    q["quote"].as_str().unwrap()
                );
                (
                    q["relation"]["id"].as_str().unwrap(),
                    q["quote"].as_str().unwrap(),
                )
            })
            .collect();
        let wanted: Vec<(&str, &str)> = expected.iter().map(|(_, id, q)| (*id, *q)).collect();
        assert_eq!(pairs, wanted, "{}", s.id);
    }
    let d = data(
        &service,
        "query($id: ID!) { source(id: $id) { evidence(first: 2) { relation { id } } } }",
        json!({"id": SEED}),
    )
    .await;
    assert_eq!(d["source"]["evidence"].as_array().unwrap().len(), 2);
}

/// The sources of a page and the relations quoting them: one store call for
/// the page (with the texts, since the matches read them), one for the
/// relations of all its sources.
pub async fn a_page_of_hits_with_their_matches_costs_two_store_calls(make: Maker) {
    let Some(repo) = make(dataset()).await else {
        return;
    };
    let counting = CountingRepository::new(repo);
    let service = GraphqlService::new(counting.clone());
    let d = data(&service, HITS, json!({"q": "KT"})).await;
    assert_eq!(d["sources"]["totalCount"], 3);
    assert_eq!(counting.take(), 2);
    // Without matches, one.
    data(
        &service,
        "{ sources(search: \"KT\") { edges { node { id title } } } }",
        json!({}),
    )
    .await;
    assert_eq!(counting.take(), 1);
}

pub async fn bad_arguments_are_refused_by_name(make: Maker) {
    let Some((service, _)) = seeded(make).await else {
        return;
    };
    for (query, argument) in [
        (
            format!(
                "{{ sources(search: \"{}\") {{ totalCount }} }}",
                "가".repeat(201)
            ),
            "search",
        ),
        (
            "{ sources(first: 101) { totalCount } }".to_string(),
            "first",
        ),
        (
            "{ sources(after: \"nope\") { totalCount } }".to_string(),
            "after",
        ),
        (
            "{ sources(search: \"KT\") { edges { matches(first: 21) { text } } } }".to_string(),
            "first",
        ),
        (
            format!("{{ source(id: \"{SEED}\") {{ evidence(first: -1) {{ quote }} }} }}"),
            "first",
        ),
    ] {
        let r = run(&service, &query, json!({})).await;
        // Once, or once per edge for an argument of the edges' fields.
        let codes = codes(&r);
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c == "BAD_USER_INPUT"),
            "{query}: {r}"
        );
        assert_eq!(r["errors"][0]["extensions"]["argument"], argument, "{r}");
    }
}
