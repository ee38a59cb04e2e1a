//! The store contract: what every `Repository` backend must do, with the same
//! results for the same data. Each test builds the small data set it needs
//! (never the seed graph) and loads it into a fresh store made by the backend's
//! `Maker`; `for_each_backend!` runs the suite on every backend.

use actorgraph::domain::{
    self, ActorId, ActorKind, Dataset, Direction, RelationId, RelationType, SourceId,
};
use actorgraph::store::{ActorFilter, PageRequest, RelationFilter, RelationQuery, Repository};
use serde_json::json;

use crate::backends::{for_each_backend, Maker};

for_each_backend!(crate::contract;
    actors_by_ids_returns_the_known_actors_and_skips_unknown_ids,
    actors_come_back_exactly_as_stored,
    relations_come_back_exactly_as_stored,
    find_actors_lists_every_actor_in_id_order_with_a_total,
    find_actors_pages_by_keyset_with_stable_totals,
    search_matches_korean_and_english_names_and_aliases,
    search_combines_with_the_kind_filter,
    relations_of_an_actor_follow_the_direction,
    relations_filter_by_type,
    many_relation_queries_are_answered_in_one_call_in_order,
    relation_pages_continue_after_the_last_id_seen,
    a_page_without_its_total_has_the_same_items,
    pages_of_some_types_are_the_matching_part_of_the_whole_list,
    sources_are_found_by_id_and_listed_in_id_order,
    relations_hold_as_of_a_date_at_the_coarser_precision,
    stats_count_actors_by_kind_and_relations_by_type,
    search_ranks_exact_names_before_prefixes_before_substrings,
    search_forgives_a_mistake_or_two_after_every_name_that_holds_the_query,
    timelines_list_dated_relations_in_date_order,
    an_import_creates_and_updates_what_differs_and_a_rerun_changes_nothing,
    writes_check_ids_endpoints_versions_and_relations_and_stamp_what_they_write,
    every_committed_change_is_logged_in_order_with_who_and_the_record_before_and_after,
    the_counts_follow_every_kind_of_write,
);

const TEXT: &str =
    "Alpha signed a contract with Beta. Beta leases a floor of Gamma Tower until 2024. \
감마 타워의 한 층을 임차했다. Delta Kim chairs Alpha. Beta paid Alpha.";

/// Five actors (one without relations), four relations, one source.
pub fn fixture() -> Dataset {
    let doc = json!({
        "sources": [{"id": "src-a", "title": "Fixture", "language": "en", "publishedAt": "2015-02", "text": TEXT}],
        "actors": [
            {"id": "alpha", "kind": "COMPANY", "nameKo": "알파 주식회사", "nameEn": "Alpha Corp", "aliases": ["ALP"], "description": "A company."},
            {"id": "beta", "kind": "COMPANY", "nameEn": "Beta Systems"},
            {"id": "gamma-tower", "kind": "PLACE", "nameKo": "감마 타워"},
            {"id": "delta", "kind": "PERSON", "nameKo": "김델타", "nameEn": "Delta Kim"},
            {"id": "epsilon", "kind": "GOVERNMENT_AGENCY", "nameEn": "Epsilon Agency"}
        ],
        "relations": [
            {"id": "alpha-contract-beta", "type": "CONTRACT", "from": "alpha", "to": "beta",
             "summary": "Alpha contracts Beta.", "amount": {"value": 1234.5, "currency": "USD"},
             "start": {"date": "2015-01-16", "inferred": true, "note": "Year inferred."}, "end": "2016", "status": "signed",
             "evidence": [{"source": "src-a", "quote": "Alpha signed a contract with Beta."}]},
            {"id": "beta-leases-gamma-tower", "type": "LEASE", "from": "beta", "to": "gamma-tower",
             "summary": "Beta leases a floor.", "area": {"squareMetres": 3200, "approximate": true}, "end": "2024-02",
             "note": "A caveat.",
             "evidence": [{"source": "src-a", "quote": "Beta leases a floor of Gamma Tower until 2024."},
                          {"source": "src-a", "quote": "감마 타워의 한 층을 임차했다."}]},
            {"id": "delta-chairs-alpha", "type": "POSITION", "from": "delta", "to": "alpha", "summary": "Delta chairs Alpha.",
             "role": "Chair", "evidence": [{"source": "src-a", "quote": "Delta Kim chairs Alpha."}]},
            {"id": "z-beta-pays-alpha", "type": "CONTRACT", "from": "beta", "to": "alpha", "summary": "Beta pays Alpha.",
             "amount": {"value": 0, "currency": "KRW"}, "evidence": [{"source": "src-a", "quote": "Beta paid Alpha."}]}
        ]
    });
    let raw: domain::RawDocument = serde_json::from_value(doc).expect("fixture parses");
    domain::validate(&[("fixture", &raw)]).expect("fixture is valid")
}

fn aid(s: &str) -> ActorId {
    ActorId::parse(s).unwrap()
}

fn page(first: usize, after: Option<&str>) -> PageRequest {
    PageRequest {
        first,
        after: after.map(str::to_string),
    }
}

fn relations_of(
    actor: &str,
    direction: Direction,
    types: Vec<RelationType>,
    p: PageRequest,
) -> RelationQuery {
    RelationQuery {
        order: Default::default(),
        total: true,
        filter: RelationFilter::new(Some(aid(actor)), direction, types),
        page: p,
    }
}

async fn search_ids(repo: &dyn Repository, search: &str, kinds: Vec<ActorKind>) -> Vec<String> {
    let filter = ActorFilter {
        search: Some(search.to_string()),
        kinds,
        ..ActorFilter::default()
    };
    let page = repo.find_actors(&filter, &page(100, None)).await.unwrap();
    assert_eq!(page.total_count, page.items.len());
    page.items.into_iter().map(|a| a.id.to_string()).collect()
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> String) -> Vec<String> {
    items.iter().map(id).collect()
}

pub async fn actors_by_ids_returns_the_known_actors_and_skips_unknown_ids(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let mut got = repo
        .actors_by_ids(&[aid("delta"), aid("nobody"), aid("alpha")])
        .await
        .unwrap();
    got.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(ids(&got, |a| a.id.to_string()), ["alpha", "delta"]);
    assert!(repo.actors_by_ids(&[]).await.unwrap().is_empty());
}

pub async fn actors_come_back_exactly_as_stored(make: Maker) {
    let data = fixture();
    let Some(repo) = make(data.clone()).await else {
        return;
    };
    let all: Vec<ActorId> = data.actors.iter().map(|a| a.id.clone()).collect();
    let mut got = repo.actors_by_ids(&all).await.unwrap();
    got.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = data.actors;
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got, expected);
}

pub async fn relations_come_back_exactly_as_stored(make: Maker) {
    let data = fixture();
    let Some(repo) = make(data.clone()).await else {
        return;
    };
    let all: Vec<RelationId> = data.relations.iter().map(|r| r.id.clone()).collect();
    let mut got = repo.relations_by_ids(&all).await.unwrap();
    got.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = data.relations;
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got, expected);
    // Spot checks of what the equality covers, for a reader of a failure.
    let contract = &got[0];
    assert_eq!(
        contract.start.as_ref().unwrap().date.to_string(),
        "2015-01-16"
    );
    assert!(contract.start.as_ref().unwrap().inferred);
    assert_eq!(
        contract.end.as_ref().unwrap().date.precision(),
        domain::DatePrecision::Year
    );
    assert_eq!(contract.amount.as_ref().unwrap().value, 1234.5);
    let lease = &got[1];
    assert_eq!(lease.evidence.len(), 2);
    assert_eq!(lease.evidence[1].quote, "감마 타워의 한 층을 임차했다.");
}

pub async fn find_actors_lists_every_actor_in_id_order_with_a_total(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let page = repo
        .find_actors(&ActorFilter::default(), &page(100, None))
        .await
        .unwrap();
    assert_eq!(
        ids(&page.items, |a| a.id.to_string()),
        ["alpha", "beta", "delta", "epsilon", "gamma-tower"]
    );
    assert_eq!(page.total_count, 5);
    assert!(!page.has_next_page);
}

pub async fn find_actors_pages_by_keyset_with_stable_totals(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let all = ActorFilter::default();
    let first = repo.find_actors(&all, &page(2, None)).await.unwrap();
    assert_eq!(ids(&first.items, |a| a.id.to_string()), ["alpha", "beta"]);
    assert!(first.has_next_page);
    let second = repo
        .find_actors(&all, &page(2, Some("beta")))
        .await
        .unwrap();
    assert_eq!(
        ids(&second.items, |a| a.id.to_string()),
        ["delta", "epsilon"]
    );
    assert!(second.has_next_page);
    let last = repo
        .find_actors(&all, &page(2, Some("epsilon")))
        .await
        .unwrap();
    assert_eq!(ids(&last.items, |a| a.id.to_string()), ["gamma-tower"]);
    assert!(!last.has_next_page);
    for p in [&first, &second, &last] {
        assert_eq!(p.total_count, 5);
    }
    // A zero-size page still counts.
    let none = repo.find_actors(&all, &page(0, None)).await.unwrap();
    assert!(none.items.is_empty());
    assert!(none.has_next_page);
    assert_eq!(none.total_count, 5);
}

pub async fn search_matches_korean_and_english_names_and_aliases(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let repo = repo.as_ref();
    assert_eq!(search_ids(repo, "알파", vec![]).await, ["alpha"]);
    assert_eq!(search_ids(repo, "alp", vec![]).await, ["alpha"]);
    assert_eq!(search_ids(repo, "BETA sys", vec![]).await, ["beta"]);
    assert_eq!(search_ids(repo, "감마타워", vec![]).await, ["gamma-tower"]);
    assert_eq!(search_ids(repo, "kim", vec![]).await, ["delta"]);
    assert_eq!(
        search_ids(repo, "a", vec![]).await,
        ["alpha", "beta", "delta", "epsilon"]
    );
    assert!(search_ids(repo, "zzz", vec![]).await.is_empty());
}

pub async fn search_combines_with_the_kind_filter(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let repo = repo.as_ref();
    assert_eq!(
        search_ids(repo, "a", vec![ActorKind::Company]).await,
        ["alpha", "beta"]
    );
    assert_eq!(
        search_ids(repo, "", vec![ActorKind::Place, ActorKind::Person]).await,
        ["delta", "gamma-tower"]
    );
    assert!(search_ids(repo, "", vec![ActorKind::Bill]).await.is_empty());
}

pub async fn relations_of_an_actor_follow_the_direction(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let q = |d| relations_of("alpha", d, vec![], page(100, None));
    let pages = repo
        .find_relations(&[q(Direction::Out), q(Direction::In), q(Direction::Both)])
        .await
        .unwrap();
    let got: Vec<Vec<String>> = pages
        .iter()
        .map(|p| ids(&p.items, |r| r.id.to_string()))
        .collect();
    assert_eq!(got[0], ["alpha-contract-beta"]);
    assert_eq!(got[1], ["delta-chairs-alpha", "z-beta-pays-alpha"]);
    assert_eq!(
        got[2],
        [
            "alpha-contract-beta",
            "delta-chairs-alpha",
            "z-beta-pays-alpha"
        ]
    );
    assert_eq!(
        pages.iter().map(|p| p.total_count).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

pub async fn relations_filter_by_type(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let all_contracts = RelationQuery {
        order: Default::default(),
        total: true,
        filter: RelationFilter::new(None, Direction::Both, vec![RelationType::Contract]),
        page: page(100, None),
    };
    let everything = RelationQuery {
        order: Default::default(),
        total: true,
        filter: RelationFilter::default(),
        page: page(100, None),
    };
    let of_alpha = relations_of(
        "alpha",
        Direction::Both,
        vec![RelationType::Contract, RelationType::Lease],
        page(100, None),
    );
    let pages = repo
        .find_relations(&[all_contracts, everything, of_alpha])
        .await
        .unwrap();
    assert_eq!(
        ids(&pages[0].items, |r| r.id.to_string()),
        ["alpha-contract-beta", "z-beta-pays-alpha"]
    );
    assert_eq!(pages[1].total_count, 4);
    assert_eq!(
        ids(&pages[2].items, |r| r.id.to_string()),
        ["alpha-contract-beta", "z-beta-pays-alpha"]
    );
}

pub async fn many_relation_queries_are_answered_in_one_call_in_order(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let queries = [
        relations_of("gamma-tower", Direction::Both, vec![], page(10, None)),
        relations_of("nobody", Direction::Both, vec![], page(10, None)),
        relations_of("epsilon", Direction::Out, vec![], page(10, None)),
        relations_of("beta", Direction::Out, vec![], page(10, None)),
    ];
    let pages = repo.find_relations(&queries).await.unwrap();
    assert_eq!(pages.len(), 4);
    assert_eq!(
        ids(&pages[0].items, |r| r.id.to_string()),
        ["beta-leases-gamma-tower"]
    );
    assert!(pages[1].items.is_empty() && pages[1].total_count == 0);
    assert!(pages[2].items.is_empty() && pages[2].total_count == 0);
    assert_eq!(
        ids(&pages[3].items, |r| r.id.to_string()),
        ["beta-leases-gamma-tower", "z-beta-pays-alpha"]
    );
}

pub async fn relation_pages_continue_after_the_last_id_seen(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let everything = |p| RelationQuery {
        order: Default::default(),
        total: true,
        filter: RelationFilter::default(),
        page: p,
    };
    let pages = repo
        .find_relations(&[
            everything(page(3, None)),
            everything(page(3, Some("delta-chairs-alpha"))),
        ])
        .await
        .unwrap();
    assert_eq!(
        ids(&pages[0].items, |r| r.id.to_string()),
        [
            "alpha-contract-beta",
            "beta-leases-gamma-tower",
            "delta-chairs-alpha"
        ]
    );
    assert!(pages[0].has_next_page);
    assert_eq!(
        ids(&pages[1].items, |r| r.id.to_string()),
        ["z-beta-pays-alpha"]
    );
    assert!(!pages[1].has_next_page);
    assert_eq!(pages[1].total_count, 4);
}

pub async fn a_page_without_its_total_has_the_same_items(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let as_of = "2015".parse().ok();
    for (types, after, first, date) in [
        (vec![], None, 3, None),
        (vec![], Some("beta-leases-gamma-tower"), 2, None),
        (vec![RelationType::Contract], None, 1, None),
        (
            vec![RelationType::Contract, RelationType::Lease],
            None,
            5,
            None,
        ),
        (vec![], None, 10, as_of),
    ] {
        let query = |total| RelationQuery {
            order: Default::default(),
            total,
            filter: RelationFilter::new(None, Direction::Both, types.clone()).at(date),
            page: page(first, after),
        };
        let pages = repo
            .find_relations(&[query(true), query(false)])
            .await
            .unwrap();
        let (counted, uncounted) = (&pages[0], &pages[1]);
        assert_eq!(
            ids(&counted.items, |r| r.id.to_string()),
            ids(&uncounted.items, |r| r.id.to_string()),
            "{types:?} after {after:?}"
        );
        assert_eq!(counted.has_next_page, uncounted.has_next_page);
        assert!(counted.total_count >= counted.items.len());
        assert_eq!(uncounted.total_count, 0, "not counted");
    }
}

/// A page filtered by types (on Neo4j: one typed statement per type, merged)
/// holds what the unfiltered list holds of those types, in the same order, with
/// the right total and continuation, at every page size and cursor.
pub async fn pages_of_some_types_are_the_matching_part_of_the_whole_list(make: Maker) {
    let data = fixture();
    let Some(repo) = make(data.clone()).await else {
        return;
    };
    let all = |date| RelationQuery {
        order: Default::default(),
        total: true,
        filter: RelationFilter::new(None, Direction::Both, vec![]).at(date),
        page: page(100, None),
    };
    for date in [None, "2015".parse().ok()] {
        let everything = repo.find_relations(&[all(date)]).await.unwrap().remove(0);
        for types in [
            vec![RelationType::Contract],
            vec![RelationType::Lease, RelationType::Contract],
            vec![RelationType::Contract, RelationType::Contract],
        ] {
            let expected: Vec<String> = everything
                .items
                .iter()
                .filter(|r| types.contains(&r.kind))
                .map(|r| r.id.to_string())
                .collect();
            // Walk the pages one relation at a time, then two at a time.
            for first in [1, 2] {
                let mut seen = Vec::new();
                let mut after: Option<String> = None;
                loop {
                    let got = repo
                        .find_relations(&[RelationQuery {
                            order: Default::default(),
                            total: true,
                            filter: RelationFilter::new(None, Direction::Both, types.clone())
                                .at(date),
                            page: page(first, after.as_deref()),
                        }])
                        .await
                        .unwrap()
                        .remove(0);
                    assert_eq!(got.total_count, expected.len(), "{types:?} {date:?}");
                    seen.extend(ids(&got.items, |r| r.id.to_string()));
                    if !got.has_next_page {
                        break;
                    }
                    after = seen.last().cloned();
                }
                assert_eq!(seen, expected, "{types:?} {date:?} by {first}");
            }
        }
    }
}

pub async fn sources_are_found_by_id_and_listed_in_id_order(make: Maker) {
    let data = fixture();
    let Some(repo) = make(data.clone()).await else {
        return;
    };
    let found = repo
        .sources_by_ids(&[
            SourceId::parse("src-a").unwrap(),
            SourceId::parse("src-z").unwrap(),
        ])
        .await
        .unwrap();
    assert_eq!(found, data.sources);
    assert_eq!(repo.all_sources().await.unwrap(), data.sources);
    assert_eq!(
        found[0].published_at.as_ref().unwrap().date.to_string(),
        "2015-02"
    );
}

pub async fn relations_hold_as_of_a_date_at_the_coarser_precision(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let at = |date: &str| RelationQuery {
        order: Default::default(),
        total: true,
        filter: RelationFilter::default().at(Some(date.parse().unwrap())),
        page: page(100, None),
    };
    let of_alpha = RelationQuery {
        order: Default::default(),
        total: true,
        filter: RelationFilter::new(Some(aid("alpha")), Direction::Both, vec![])
            .at(Some("2017".parse().unwrap())),
        page: page(100, None),
    };
    let dates = ["2014", "2015", "2016-06-30", "2017", "2024-03"];
    let mut queries: Vec<RelationQuery> = dates.iter().map(|d| at(d)).collect();
    queries.push(of_alpha);
    let pages = repo.find_relations(&queries).await.unwrap();
    let got: Vec<Vec<String>> = pages
        .iter()
        .map(|p| ids(&p.items, |r| r.id.to_string()))
        .collect();
    // The contract runs 2015-01-16 (year inferred) to 2016; the lease ends 2024-02;
    // the other two have no dates and so always hold.
    let always = ["delta-chairs-alpha", "z-beta-pays-alpha"];
    assert_eq!(
        got[0],
        ["beta-leases-gamma-tower", always[0], always[1]],
        "2014: the contract has not started"
    );
    assert_eq!(
        got[1],
        [
            "alpha-contract-beta",
            "beta-leases-gamma-tower",
            always[0],
            always[1]
        ],
        "2015 contains its start"
    );
    assert_eq!(
        got[2],
        [
            "alpha-contract-beta",
            "beta-leases-gamma-tower",
            always[0],
            always[1]
        ],
        "2016 contains the day"
    );
    assert_eq!(
        got[3],
        ["beta-leases-gamma-tower", always[0], always[1]],
        "2017: the contract has ended"
    );
    assert_eq!(got[4], always, "2024-03: the lease has ended too");
    assert_eq!(got[5], always, "alpha's relations in 2017");
    assert_eq!(
        pages.iter().map(|p| p.total_count).collect::<Vec<_>>(),
        [3, 4, 4, 3, 2, 2]
    );
}

pub async fn stats_count_actors_by_kind_and_relations_by_type(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let stats = repo.stats().await.unwrap();
    assert_eq!(
        stats.actors_by_kind.len(),
        ActorKind::ALL.len(),
        "every kind is listed"
    );
    assert_eq!(
        stats.relations_by_type.len(),
        RelationType::ALL.len(),
        "every type is listed"
    );
    let kind = |k: ActorKind| {
        stats
            .actors_by_kind
            .iter()
            .find(|(x, _)| *x == k)
            .unwrap()
            .1
    };
    let rtype = |t: RelationType| {
        stats
            .relations_by_type
            .iter()
            .find(|(x, _)| *x == t)
            .unwrap()
            .1
    };
    assert_eq!(
        (
            kind(ActorKind::Company),
            kind(ActorKind::Place),
            kind(ActorKind::Bill)
        ),
        (2, 1, 0)
    );
    assert_eq!(
        (
            rtype(RelationType::Contract),
            rtype(RelationType::Lease),
            rtype(RelationType::Lobbying)
        ),
        (2, 1, 0)
    );
    assert_eq!(stats.sources, 1);
}

/// A name one or two characters away from the query (missing, extra or wrong, in
/// either language) is found, after every name that holds the query, one
/// mistake before two, and pages on like the rest.
pub async fn search_forgives_a_mistake_or_two_after_every_name_that_holds_the_query(make: Maker) {
    let doc = json!({
        "sources": [{"id": "s", "title": "S", "language": "en", "text": "text"}],
        "actors": [
            {"id": "amazon", "kind": "COMPANY", "nameEn": "Amazon", "nameKo": "아마존"},
            {"id": "amazonia", "kind": "COMPANY", "nameEn": "Amazonia Corp"},
            {"id": "amazing", "kind": "COMPANY", "nameEn": "Amazing Inc"},
            {"id": "cloud-act", "kind": "BILL", "nameKo": "클라우드 발전법", "nameEn": "Cloud Development Act"},
            {"id": "kakao", "kind": "COMPANY", "nameEn": "Kakao", "nameKo": "카카오"}
        ],
        "relations": []
    });
    let raw: domain::RawDocument = serde_json::from_value(doc).unwrap();
    let data = domain::validate(&[("forgiving", &raw)]).unwrap();
    let Some(repo) = make(data).await else { return };
    let repo = repo.as_ref();
    for (query, want) in [
        ("amazon", vec!["amazon", "amazonia", "amazing"]),
        ("Amazn", vec!["amazing", "amazon", "amazonia"]),
        ("아마죤", vec!["amazon"]),
        ("클라우드법", vec!["cloud-act"]),
        ("Cloud Devlopment", vec!["cloud-act"]),
        ("카카오톡", vec!["kakao"]),
        ("zzz", vec![]),
        // Two characters are taken as written.
        ("az", vec!["amazing", "amazon", "amazonia"]),
        ("ax", vec![]),
    ] {
        assert_eq!(search_ids(repo, query, vec![]).await, want, "{query}");
    }
    assert_eq!(
        search_ids(repo, "Amazn", vec![ActorKind::Bill]).await,
        Vec::<String>::new()
    );
    // Only the names that hold the query as written, when asked.
    for (query, want) in [("Amazn", vec![]), ("amazon", vec!["amazon", "amazonia"])] {
        let exact = ActorFilter {
            search: Some(query.into()),
            exact: true,
            ..ActorFilter::default()
        };
        let found = repo.find_actors(&exact, &page(10, None)).await.unwrap();
        assert_eq!(ids(&found.items, |a| a.id.to_string()), want, "{query}");
        assert_eq!(found.total_count, want.len());
    }
    // Pages continue across the ranks, into the forgiven ones.
    let filter = ActorFilter {
        search: Some("amazon".into()),
        ..ActorFilter::default()
    };
    let first = repo.find_actors(&filter, &page(2, None)).await.unwrap();
    assert_eq!(
        ids(&first.items, |a| a.id.to_string()),
        ["amazon", "amazonia"]
    );
    assert!(first.has_next_page);
    assert_eq!(first.total_count, 3);
    let rest = repo
        .find_actors(&filter, &page(2, Some("1:amazonia")))
        .await
        .unwrap();
    assert_eq!(ids(&rest.items, |a| a.id.to_string()), ["amazing"]);
    assert!(!rest.has_next_page);
    assert_eq!(rest.total_count, 3);
    let none = repo
        .find_actors(&filter, &page(2, Some("3:amazing")))
        .await
        .unwrap();
    assert!(none.items.is_empty());
}

pub async fn search_ranks_exact_names_before_prefixes_before_substrings(make: Maker) {
    // Ids sort against the ranking, so that only the ranking can explain the order.
    // Both queries rank the actors alike: a short one (which may match most of a
    // graph) and one of three characters (which Neo4j reads in one pass).
    let doc = json!({
        "sources": [{"id": "s", "title": "S", "language": "en", "text": "text"}],
        "actors": [
            {"id": "aa-substring", "kind": "COMPANY", "nameEn": "Pakt Group", "aliases": ["Pakts"]},
            {"id": "mm-prefix", "kind": "COMPANY", "nameEn": "KT Skylife"},
            {"id": "zz-exact", "kind": "COMPANY", "nameEn": "KT Corporation", "aliases": ["KT", "KTS"]},
            {"id": "no-match", "kind": "COMPANY", "nameEn": "Amazon"}
        ],
        "relations": []
    });
    let raw: domain::RawDocument = serde_json::from_value(doc).unwrap();
    let data = domain::validate(&[("ranking", &raw)]).unwrap();
    let Some(repo) = make(data).await else { return };
    for query in ["kt", "kts"] {
        let filter = ActorFilter {
            search: Some(query.into()),
            ..ActorFilter::default()
        };
        let all = repo.find_actors(&filter, &page(10, None)).await.unwrap();
        assert_eq!(
            ids(&all.items, |a| a.id.to_string()),
            ["zz-exact", "mm-prefix", "aa-substring"],
            "{query}"
        );
        // Paging continues after a `rank:id` key, across ranks.
        let first = repo.find_actors(&filter, &page(2, None)).await.unwrap();
        assert_eq!(
            ids(&first.items, |a| a.id.to_string()),
            ["zz-exact", "mm-prefix"],
            "{query}"
        );
        assert!(first.has_next_page);
        let rest = repo
            .find_actors(&filter, &page(2, Some("1:mm-prefix")))
            .await
            .unwrap();
        assert_eq!(
            ids(&rest.items, |a| a.id.to_string()),
            ["aa-substring"],
            "{query}"
        );
        assert!(!rest.has_next_page);
        assert_eq!((first.total_count, rest.total_count), (3, 3), "{query}");
    }
}

pub async fn timelines_list_dated_relations_in_date_order(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    // The contract starts 2015-01-16; the lease only has an end, 2024-02; the two
    // other relations have no date and are left out.
    let all = repo.timeline(&RelationFilter::default(), 10).await.unwrap();
    assert_eq!(
        ids(&all, |r| r.id.to_string()),
        ["alpha-contract-beta", "beta-leases-gamma-tower"]
    );
    let of_gamma = RelationFilter::new(Some(aid("gamma-tower")), Direction::Both, vec![]);
    assert_eq!(
        ids(&repo.timeline(&of_gamma, 10).await.unwrap(), |r| r
            .id
            .to_string()),
        ["beta-leases-gamma-tower"]
    );
    let contracts = RelationFilter::new(None, Direction::Both, vec![RelationType::Contract]);
    assert_eq!(
        ids(&repo.timeline(&contracts, 10).await.unwrap(), |r| r
            .id
            .to_string()),
        ["alpha-contract-beta"]
    );
    assert_eq!(
        repo.timeline(&RelationFilter::default(), 1)
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn an_import_creates_and_updates_what_differs_and_a_rerun_changes_nothing(make: Maker) {
    let Some(repo) = make(fixture()).await else {
        return;
    };
    // A new source, a new actor, one changed actor, and a new relation between the
    // new actor and one that was already there.
    let doc = json!({
        "sources": [{"id": "src-b", "title": "Second", "language": "en", "text": "Zeta bought from Alpha."}],
        "actors": [
            {"id": "zeta", "kind": "COMPANY", "nameEn": "Zeta Ltd"},
            {"id": "beta", "kind": "COMPANY", "nameEn": "Beta Systems", "description": "Now described."}
        ],
        "relations": [
            {"id": "zeta-contract-alpha", "type": "CONTRACT", "from": "zeta", "to": "alpha", "summary": "Zeta buys.",
             "evidence": [{"source": "src-b", "quote": "Zeta bought from Alpha."}]}
        ]
    });
    let raw: domain::RawDocument = serde_json::from_value(doc).unwrap();
    let existing = domain::Existing {
        actor_ids: ["alpha".to_string()].into_iter().collect(),
        ..Default::default()
    };
    let data = domain::validate_against(&[("import", &raw)], &existing).unwrap();
    let report = repo.import(&data, "test").await.unwrap().report;
    assert_eq!(
        (
            report.sources.created,
            report.actors.created,
            report.actors.updated,
            report.relations.created
        ),
        (1, 1, 1, 1)
    );
    let again = repo.import(&data, "test").await.unwrap().report;
    assert!(again.unchanged(), "{again:?}");
    assert_eq!(
        (
            again.actors.unchanged,
            again.relations.unchanged,
            again.sources.unchanged
        ),
        (2, 1, 1)
    );

    // The new records are there, the others untouched, and the indexes know them.
    let beta = repo.actors_by_ids(&[aid("beta")]).await.unwrap();
    assert_eq!(beta[0].description.as_deref(), Some("Now described."));
    let q = relations_of("alpha", Direction::In, vec![], page(100, None));
    let pages = repo.find_relations(&[q]).await.unwrap();
    assert_eq!(
        ids(&pages[0].items, |r| r.id.to_string()),
        [
            "delta-chairs-alpha",
            "z-beta-pays-alpha",
            "zeta-contract-alpha"
        ]
    );
    // Found by its name, before `beta`, a letter away.
    assert_eq!(
        search_ids(repo.as_ref(), "zeta", vec![]).await,
        ["zeta", "beta"]
    );
    assert_eq!(repo.stats().await.unwrap().sources, 2);
    assert_eq!(
        repo.find_actors(&ActorFilter::default(), &page(0, None))
            .await
            .unwrap()
            .total_count,
        6
    );
}

pub async fn writes_check_ids_endpoints_versions_and_relations_and_stamp_what_they_write(
    make: Maker,
) {
    use actorgraph::store::{ChangeKind, Record, Write, WriteError};
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let data = fixture();
    let actor = |id: &str| {
        data.actors
            .iter()
            .find(|a| a.id.as_str() == id)
            .unwrap()
            .clone()
    };
    let relation = |id: &str| {
        data.relations
            .iter()
            .find(|r| r.id.as_str() == id)
            .unwrap()
            .clone()
    };
    // Loaded records are at version 1, created by the loader.
    let stored = repo.actors_by_ids(&[aid("alpha")]).await.unwrap().remove(0);
    assert_eq!(stored.meta.version, 1);
    assert_eq!(stored.meta.created_by.as_deref(), Some("seed"));

    // Creating an id that exists; updating or deleting one that does not.
    let err = repo
        .write(Write::CreateActor(actor("alpha")), "t")
        .await
        .unwrap_err();
    assert!(
        matches!(err, WriteError::Exists { what: "actor", .. }),
        "{err:?}"
    );
    let mut ghost = actor("alpha");
    ghost.id = aid("ghost");
    let err = repo
        .write(
            Write::UpdateActor {
                actor: ghost.clone(),
                expected: 1,
            },
            "t",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, WriteError::NotFound { what: "actor", .. }),
        "{err:?}"
    );

    // A relation needs both ends.
    let mut dangling = relation("alpha-contract-beta");
    dangling.id = RelationId::parse("dangling").unwrap();
    dangling.to = aid("ghost");
    let err = repo
        .write(Write::CreateRelation(dangling), "t")
        .await
        .unwrap_err();
    assert!(
        matches!(err, WriteError::NotFound { what: "actor", .. }),
        "{err:?}"
    );
    assert!(repo
        .relations_by_ids(&[RelationId::parse("dangling").unwrap()])
        .await
        .unwrap()
        .is_empty());

    // Versions: a stale update is refused, a current one stamps the next version.
    let mut renamed = actor("alpha");
    renamed.name_en = Some("Alpha Holdings".into());
    let err = repo
        .write(
            Write::UpdateActor {
                actor: renamed.clone(),
                expected: 7,
            },
            "t",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            WriteError::Stale {
                expected: 7,
                actual: 1,
                ..
            }
        ),
        "{err:?}"
    );
    let changes = repo
        .write(
            Write::UpdateActor {
                actor: renamed,
                expected: 1,
            },
            "editor-1",
        )
        .await
        .unwrap();
    let Record::Actor(a) = &changes[0].record else {
        panic!("{changes:?}")
    };
    assert_eq!(changes[0].kind, ChangeKind::Updated);
    assert_eq!(
        (a.meta.version, a.meta.updated_by.as_deref()),
        (2, Some("editor-1"))
    );
    assert_eq!(a.meta.created_by.as_deref(), Some("seed"));
    let back = repo.actors_by_ids(&[aid("alpha")]).await.unwrap().remove(0);
    assert_eq!(back.name_en.as_deref(), Some("Alpha Holdings"));
    assert_eq!(back.meta.version, 2);
    assert_eq!(
        back.meta.updated_at, a.meta.updated_at,
        "the store keeps the stamp it returned"
    );
    // Its relations stay.
    let pages = repo
        .find_relations(&[relations_of(
            "alpha",
            Direction::Both,
            vec![],
            page(10, None),
        )])
        .await
        .unwrap();
    assert_eq!(pages[0].total_count, 3);

    // An actor with relations goes only with cascade, which reports them first.
    let err = repo
        .write(
            Write::DeleteActor {
                id: aid("beta"),
                expected: None,
                cascade: false,
            },
            "t",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, WriteError::HasRelations { count: 3, .. }),
        "{err:?}"
    );
    let changes = repo
        .write(
            Write::DeleteActor {
                id: aid("beta"),
                expected: Some(1),
                cascade: true,
            },
            "admin",
        )
        .await
        .unwrap();
    let kinds: Vec<(ChangeKind, String)> = changes
        .iter()
        .map(|c| (c.kind, c.record.id().to_string()))
        .collect();
    let mut relation_ids: Vec<&str> = kinds[..3].iter().map(|(_, id)| id.as_str()).collect();
    relation_ids.sort();
    assert_eq!(
        relation_ids,
        [
            "alpha-contract-beta",
            "beta-leases-gamma-tower",
            "z-beta-pays-alpha"
        ]
    );
    assert_eq!(kinds[3], (ChangeKind::Deleted, "beta".to_string()));
    assert!(kinds.iter().all(|(k, _)| *k == ChangeKind::Deleted));
    let stats = repo.stats().await.unwrap();
    assert_eq!(
        stats
            .relations_by_type
            .iter()
            .map(|(_, n)| n)
            .sum::<usize>(),
        1
    );
    assert!(repo.actors_by_ids(&[aid("beta")]).await.unwrap().is_empty());
    let pages = repo
        .find_relations(&[relations_of(
            "alpha",
            Direction::Both,
            vec![],
            page(10, None),
        )])
        .await
        .unwrap();
    assert_eq!(
        ids(&pages[0].items, |r| r.id.to_string()),
        ["delta-chairs-alpha"]
    );

    // A relation update may change its type and ends; the old one is gone.
    let mut moved = relation("delta-chairs-alpha");
    moved.kind = RelationType::Membership;
    moved.to = aid("epsilon");
    repo.write(
        Write::UpdateRelation {
            relation: moved,
            expected: 1,
        },
        "t",
    )
    .await
    .unwrap();
    let back = repo
        .relations_by_ids(&[RelationId::parse("delta-chairs-alpha").unwrap()])
        .await
        .unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(
        (back[0].kind, back[0].to.as_str(), back[0].meta.version),
        (RelationType::Membership, "epsilon", 2)
    );
    let pages = repo
        .find_relations(&[
            relations_of("alpha", Direction::Both, vec![], page(10, None)),
            relations_of(
                "epsilon",
                Direction::In,
                vec![RelationType::Membership],
                page(10, None),
            ),
        ])
        .await
        .unwrap();
    assert_eq!(pages[0].total_count, 0);
    assert_eq!(
        ids(&pages[1].items, |r| r.id.to_string()),
        ["delta-chairs-alpha"]
    );

    // Sources: a new id, then a description change.
    let mut source = data.sources[0].clone();
    let err = repo
        .write(Write::CreateSource(source.clone()), "t")
        .await
        .unwrap_err();
    assert!(
        matches!(err, WriteError::Exists { what: "source", .. }),
        "{err:?}"
    );
    source.title = "Retitled".into();
    let err = repo
        .write(
            Write::UpdateSource {
                source: source.clone(),
                expected: 3,
            },
            "t",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            WriteError::Stale {
                what: "source",
                actual: 1,
                ..
            }
        ),
        "{err:?}"
    );
    repo.write(
        Write::UpdateSource {
            source,
            expected: 1,
        },
        "librarian",
    )
    .await
    .unwrap();
    let back = repo
        .sources_by_ids(&[SourceId::parse("src-a").unwrap()])
        .await
        .unwrap();
    assert_eq!(back[0].title, "Retitled");
    assert_eq!(back[0].text, TEXT);
    assert_eq!(back[0].meta.version, 2);
    assert_eq!(back[0].meta.updated_by.as_deref(), Some("librarian"));
    assert_eq!(back[0].meta.created_by.as_deref(), Some("seed"));
}

/// Every committed change, and nothing else, goes to the log: numbered on without
/// gaps, with who, the version, and the content before and after.
pub async fn every_committed_change_is_logged_in_order_with_who_and_the_record_before_and_after(
    make: Maker,
) {
    use actorgraph::store::{ChangeKind, ChangeQuery, RecordKind, Write};
    let Some(repo) = make(fixture()).await else {
        return;
    };
    let all = |after: u64| ChangeQuery {
        after,
        first: 1_000,
        ..Default::default()
    };
    // Whatever loading the fixture logged (an import logs; the embedded store's
    // initial load does not), the entries are numbered 1, 2, 3…
    let loaded = repo.changes(&all(0)).await.unwrap().items;
    let seqs: Vec<u64> = loaded.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=loaded.len() as u64).collect::<Vec<_>>());
    let base = loaded.len() as u64;

    let data = fixture();
    let mut epsilon = data
        .actors
        .iter()
        .find(|a| a.id.as_str() == "epsilon")
        .unwrap()
        .clone();
    epsilon.description = Some("An agency.".into());
    repo.write(
        Write::UpdateActor {
            actor: epsilon,
            expected: 1,
        },
        "alice",
    )
    .await
    .unwrap();
    // A refused write logs nothing.
    let stale = data
        .actors
        .iter()
        .find(|a| a.id.as_str() == "epsilon")
        .unwrap()
        .clone();
    assert!(repo
        .write(
            Write::UpdateActor {
                actor: stale,
                expected: 1
            },
            "mallory"
        )
        .await
        .is_err());
    repo.write(
        Write::DeleteActor {
            id: aid("beta"),
            expected: None,
            cascade: true,
        },
        "bob",
    )
    .await
    .unwrap();

    let log = repo.changes(&all(base)).await.unwrap().items;
    let seqs: Vec<u64> = log.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (base + 1..=base + 5).collect::<Vec<_>>(), "{log:#?}");
    let update = &log[0];
    assert_eq!(
        (update.kind, update.id.as_str(), update.change),
        (RecordKind::Actor, "epsilon", ChangeKind::Updated)
    );
    assert_eq!((update.by.as_str(), update.version), ("alice", 2));
    assert_eq!(
        update.before.as_ref().unwrap().content()["description"],
        serde_json::Value::Null
    );
    assert_eq!(
        update.after.as_ref().unwrap().content()["description"],
        "An agency."
    );
    // The cascade: beta's three relations, then beta, each with its last content.
    let deleted: Vec<(RecordKind, &str)> =
        log[1..].iter().map(|e| (e.kind, e.id.as_str())).collect();
    assert_eq!(deleted[3], (RecordKind::Actor, "beta"));
    let mut relations: Vec<&str> = deleted[..3].iter().map(|(_, id)| *id).collect();
    relations.sort();
    assert_eq!(
        relations,
        [
            "alpha-contract-beta",
            "beta-leases-gamma-tower",
            "z-beta-pays-alpha"
        ]
    );
    assert!(log[1..]
        .iter()
        .all(|e| e.change == ChangeKind::Deleted && e.by == "bob" && e.after.is_none()));
    assert_eq!(
        log[4].before.as_ref().unwrap().content()["nameEn"],
        "Beta Systems"
    );

    // A deleted record's history stays readable, by id and kind; pages follow `after`.
    let beta = repo
        .changes(&ChangeQuery {
            after: 0,
            first: 10,
            id: Some("beta".into()),
            kinds: vec![RecordKind::Actor],
        })
        .await
        .unwrap()
        .items;
    assert_eq!(beta.last().unwrap().change, ChangeKind::Deleted);
    let page = repo
        .changes(&ChangeQuery {
            after: base,
            first: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.has_next_page);
    let relations_only = repo
        .changes(&ChangeQuery {
            after: base,
            first: 10,
            kinds: vec![RecordKind::Relation],
            ..Default::default()
        })
        .await
        .unwrap()
        .items;
    assert_eq!(relations_only.len(), 3);

    // Histories of several records in one call, in the order asked.
    let histories = repo
        .histories(&[
            (RecordKind::Actor, "epsilon".to_string()),
            (RecordKind::Actor, "nobody".to_string()),
            (RecordKind::Actor, "beta".to_string()),
        ])
        .await
        .unwrap();
    assert_eq!(histories.len(), 3);
    let last = histories[0].last().unwrap();
    assert_eq!((last.by.as_str(), last.version), ("alice", 2));
    assert!(histories[1].is_empty());
    assert_eq!(histories[2].last().unwrap().change, ChangeKind::Deleted);
    assert!(histories[2].windows(2).all(|w| w[0].seq < w[1].seq));
}

/// What the store holds, counted from its lists: `stats` and the totals of pages
/// filtered by each type must say the same (on Neo4j they come from kept counts).
async fn counts_agree(repo: &dyn Repository, step: &str) {
    use actorgraph::store::Stats;
    let actors = repo
        .find_actors(&ActorFilter::default(), &page(100, None))
        .await
        .unwrap()
        .items;
    let relations = repo
        .find_relations(&[RelationQuery {
            order: Default::default(),
            total: true,
            filter: RelationFilter::new(None, Direction::Both, vec![]),
            page: page(100, None),
        }])
        .await
        .unwrap()
        .remove(0)
        .items;
    let sources = repo.all_sources().await.unwrap().len();
    let expected = Stats::from_counts(
        ActorKind::ALL
            .iter()
            .map(|k| (*k, actors.iter().filter(|a| a.kind == *k).count())),
        RelationType::ALL
            .iter()
            .map(|t| (*t, relations.iter().filter(|r| r.kind == *t).count())),
        sources,
    );
    assert_eq!(repo.stats().await.unwrap(), expected, "after {step}");
    for t in RelationType::ALL {
        let total = repo
            .find_relations(&[RelationQuery {
                order: Default::default(),
                total: true,
                filter: RelationFilter::new(None, Direction::Both, vec![*t]),
                page: page(1, None),
            }])
            .await
            .unwrap()
            .remove(0)
            .total_count;
        let listed = relations.iter().filter(|r| r.kind == *t).count();
        assert_eq!(total, listed, "{t} after {step}");
    }
}

pub async fn the_counts_follow_every_kind_of_write(make: Maker) {
    use actorgraph::store::Write;
    let data = fixture();
    let Some(repo) = make(data.clone()).await else {
        return;
    };
    let repo = repo.as_ref();
    counts_agree(repo, "loading").await;

    let mut zeta = data.actors[3].clone();
    zeta.id = aid("zeta");
    repo.write(Write::CreateActor(zeta.clone()), "t")
        .await
        .unwrap();
    counts_agree(repo, "creating an actor").await;
    zeta.kind = ActorKind::Company;
    repo.write(
        Write::UpdateActor {
            actor: zeta,
            expected: 1,
        },
        "t",
    )
    .await
    .unwrap();
    counts_agree(repo, "changing an actor's kind").await;

    let mut link = data.relations[0].clone();
    link.id = RelationId::parse("zeta-contract-alpha").unwrap();
    link.from = aid("zeta");
    link.to = aid("alpha");
    repo.write(Write::CreateRelation(link.clone()), "t")
        .await
        .unwrap();
    counts_agree(repo, "creating a relation").await;
    link.kind = RelationType::Membership;
    repo.write(
        Write::UpdateRelation {
            relation: link,
            expected: 1,
        },
        "t",
    )
    .await
    .unwrap();
    counts_agree(repo, "changing a relation's type").await;
    repo.write(
        Write::DeleteRelation {
            id: RelationId::parse("alpha-contract-beta").unwrap(),
            expected: None,
        },
        "t",
    )
    .await
    .unwrap();
    counts_agree(repo, "deleting a relation").await;
    repo.write(
        Write::DeleteActor {
            id: aid("alpha"),
            expected: None,
            cascade: true,
        },
        "t",
    )
    .await
    .unwrap();
    counts_agree(repo, "deleting an actor with its relations").await;

    // An import puts back what was deleted, and changes nothing on a rerun.
    repo.import(&data, "t").await.unwrap();
    counts_agree(repo, "an import").await;
    repo.import(&data, "t").await.unwrap();
    counts_agree(repo, "the same import again").await;
}
