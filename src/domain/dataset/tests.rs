use super::*;

const TEXT: &str = "미국은 중앙정보국(CIA)이 아마존과 6억 달러 규모의 계약을 맺었다. 두 번째 문장.";

fn source() -> RawSource {
    RawSource {
        id: "src".into(),
        title: "A source".into(),
        language: "ko".into(),
        text: Some(TEXT.into()),
        ..Default::default()
    }
}

fn actor(id: &str) -> RawActor {
    RawActor {
        id: id.into(),
        kind: "COMPANY".into(),
        name_en: Some(id.to_uppercase()),
        ..Default::default()
    }
}

fn relation(id: &str, from: &str, to: &str) -> RawRelation {
    RawRelation {
        id: id.into(),
        kind: "CONTRACT".into(),
        from: from.into(),
        to: to.into(),
        summary: "A contract.".into(),
        evidence: vec![RawEvidence {
            source: "src".into(),
            quote: "6억 달러 규모의 계약".into(),
        }],
        ..Default::default()
    }
}

fn doc() -> RawDocument {
    RawDocument {
        format: Some(FORMAT.into()),
        sources: vec![source()],
        actors: vec![actor("cia"), actor("amazon")],
        relations: vec![relation("cia-contract-amazon", "cia", "amazon")],
    }
}

fn problems(d: &RawDocument) -> Vec<Problem> {
    validate(&[("test.json", d)]).expect_err("the document should be rejected")
}

fn paths(d: &RawDocument) -> Vec<String> {
    problems(d).into_iter().map(|p| p.path).collect()
}

#[test]
fn a_well_formed_document_validates_into_typed_records() {
    let mut d = doc();
    d.relations[0].amount = Some(RawMoney {
        value: 600_000_000.0,
        currency: "USD".into(),
    });
    d.relations[0].start = Some(RawDate::Plain("2015-01".into()));
    let set = validate(&[("test.json", &d)]).unwrap();
    assert_eq!(set.actors.len(), 2);
    let r = &set.relations[0];
    assert_eq!(r.kind, RelationType::Contract);
    assert_eq!(r.amount.as_ref().unwrap().value, 600_000_000.0);
    assert_eq!(r.start.as_ref().unwrap().date.to_string(), "2015-01");
    assert!(!r.start.as_ref().unwrap().inferred);
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let mut d = doc();
    d.actors[0].kind = "SPY_AGENCY".into();
    d.relations[0].kind = "BRIBE".into();
    d.relations[0].to = "nobody".into();
    d.relations[0].evidence[0].quote = "not in the text".into();
    let found = paths(&d);
    assert_eq!(
        found,
        vec![
            "/actors/0/kind",
            "/relations/0/type",
            "/relations/0/to",
            "/relations/0/evidence/0/quote"
        ]
    );
}

#[test]
fn a_dangling_actor_id_is_named_in_the_message() {
    let mut d = doc();
    d.relations[0].from = "nsa".into();
    let p = problems(&d);
    assert_eq!(p[0].path, "/relations/0/from");
    assert!(p[0].message.contains("`nsa`"), "{}", p[0].message);
}

#[test]
fn duplicate_ids_are_rejected_even_across_documents() {
    let first = doc();
    let mut second = RawDocument {
        actors: vec![actor("cia")],
        ..Default::default()
    };
    second
        .relations
        .push(relation("cia-contract-amazon", "cia", "amazon"));
    let p = validate(&[("a.json", &first), ("b.json", &second)]).unwrap_err();
    let got: Vec<_> = p
        .iter()
        .map(|p| (p.document.as_str(), p.path.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![("b.json", "/actors/0/id"), ("b.json", "/relations/0/id")]
    );
}

#[test]
fn an_id_is_refused_where_another_kind_holds_it_already() {
    let mut d = doc();
    d.actors.push(actor("src"));
    d.relations.push(relation("amazon", "cia", "amazon"));
    let p = problems(&d);
    let got: Vec<_> = p.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(got, ["/actors/2/id", "/relations/1/id"]);
    assert!(p[0].message.contains("id of a source"), "{}", p[0].message);
    assert!(p[1].message.contains("id of an actor"), "{}", p[1].message);
}

#[test]
fn unknown_kinds_and_types_list_the_expected_values() {
    let mut d = doc();
    d.actors[1].kind = "company".into();
    let p = problems(&d);
    assert!(
        p[0].message.contains("GOVERNMENT_AGENCY"),
        "{}",
        p[0].message
    );
}

#[test]
fn a_quote_must_match_its_source_exactly() {
    let mut d = doc();
    // Same words, different spacing: not an exact substring.
    d.relations[0].evidence[0].quote = "6억 달러  규모의 계약".into();
    assert_eq!(paths(&d), vec!["/relations/0/evidence/0/quote"]);
}

#[test]
fn evidence_naming_an_unknown_source_is_rejected() {
    let mut d = doc();
    d.relations[0].evidence[0].source = "elsewhere".into();
    assert_eq!(paths(&d), vec!["/relations/0/evidence/0/source"]);
}

#[test]
fn a_relation_without_evidence_is_rejected() {
    let mut d = doc();
    d.relations[0].evidence.clear();
    assert_eq!(paths(&d), vec!["/relations/0/evidence"]);
}

#[test]
fn invalid_dates_and_currencies_are_rejected() {
    let mut d = doc();
    d.relations[0].start = Some(RawDate::Plain("2015-02-30".into()));
    d.relations[0].amount = Some(RawMoney {
        value: 1.0,
        currency: "DOLLARS".into(),
    });
    assert_eq!(
        paths(&d),
        vec!["/relations/0/amount/currency", "/relations/0/start/date"]
    );
}

#[test]
fn a_negative_amount_is_rejected() {
    let mut d = doc();
    d.relations[0].amount = Some(RawMoney {
        value: -5.0,
        currency: "USD".into(),
    });
    assert_eq!(paths(&d), vec!["/relations/0/amount/value"]);
}

#[test]
fn an_inferred_date_needs_a_note() {
    let mut d = doc();
    d.relations[0].start = Some(RawDate::Full(RawDateFull {
        date: "2015-01-16".into(),
        inferred: true,
        note: None,
    }));
    assert_eq!(paths(&d), vec!["/relations/0/start/note"]);
}

#[test]
fn a_relation_may_not_end_before_it_starts() {
    let mut d = doc();
    d.relations[0].start = Some(RawDate::Plain("2015-03".into()));
    d.relations[0].end = Some(RawDate::Plain("2015-02-28".into()));
    assert_eq!(paths(&d), vec!["/relations/0/end"]);
    // At the coarser precision the two overlap, which is allowed.
    d.relations[0].start = Some(RawDate::Plain("2015".into()));
    assert!(validate(&[("t", &d)]).is_ok());
}

#[test]
fn an_actor_needs_at_least_one_name() {
    let mut d = doc();
    d.actors[0].name_en = None;
    assert_eq!(paths(&d), vec!["/actors/0/nameEn"]);
    d.actors[0].name_ko = Some("중앙정보국".into());
    assert!(validate(&[("t", &d)]).is_ok());
}

#[test]
fn blank_padded_or_overlong_text_is_rejected() {
    let mut d = doc();
    d.actors[0].name_en = Some("  ".into());
    d.actors[1].name_en = Some(" Amazon".into());
    d.relations[0].summary = "x".repeat(limits::SUMMARY + 1);
    assert_eq!(
        paths(&d),
        vec![
            "/actors/0/nameEn",
            "/actors/1/nameEn",
            "/relations/0/summary"
        ]
    );
}

#[test]
fn a_self_relation_is_rejected() {
    let mut d = doc();
    d.relations[0].to = "cia".into();
    assert_eq!(paths(&d), vec!["/relations/0/to"]);
}

#[test]
fn an_unknown_format_is_rejected() {
    let mut d = doc();
    d.format = Some("actorgraph/9".into());
    assert_eq!(paths(&d), vec!["/format"]);
}

#[test]
fn the_document_format_rejects_unknown_fields() {
    let json = r#"{"actors": [{"id": "cia", "kind": "COMPANY", "nameEN": "CIA"}]}"#;
    let err = serde_json::from_str::<RawDocument>(json).unwrap_err();
    assert!(err.to_string().contains("nameEN"), "{err}");
}

#[test]
fn short_and_long_date_forms_are_both_read() {
    let json = r#"{"id": "r", "type": "LEASE", "from": "a", "to": "b", "summary": "s",
        "start": {"date": "2014", "inferred": true, "note": "late last year"}, "end": "2024-02", "evidence": []}"#;
    let r: RawRelation = serde_json::from_str(json).unwrap();
    assert!(matches!(r.start, Some(RawDate::Full(ref f)) if f.inferred));
    assert!(matches!(r.end, Some(RawDate::Plain(ref s)) if s == "2024-02"));
}

#[test]
fn relations_may_refer_to_existing_actors_and_quote_existing_sources() {
    let doc = RawDocument {
        actors: vec![actor("nsa")],
        relations: vec![RawRelation {
            evidence: vec![RawEvidence {
                source: "old".into(),
                quote: "an old sentence".into(),
            }],
            ..relation("nsa-contract-cia", "nsa", "cia")
        }],
        ..Default::default()
    };
    assert!(
        validate(&[("t", &doc)]).is_err(),
        "alone, `cia` and `old` are unknown"
    );
    let existing = Existing {
        actor_ids: ["cia".to_string()].into_iter().collect(),
        source_texts: [(
            "old".to_string(),
            "There is an old sentence here.".to_string(),
        )]
        .into_iter()
        .collect(),
    };
    let set = validate_against(&[("t", &doc)], &existing).unwrap();
    assert_eq!(set.relations[0].to.as_str(), "cia");
    // A quote must still be in the existing source's text.
    let mut wrong = doc.clone();
    wrong.relations[0].evidence[0].quote = "a new sentence".into();
    let problems = validate_against(&[("t", &wrong)], &existing).unwrap_err();
    assert_eq!(problems[0].path, "/relations/0/evidence/0/quote");
}

#[test]
fn records_written_as_positional_arrays_are_refused_with_their_path() {
    // serde reads a struct from an array of its fields in order; the format does not.
    let doc = serde_json::json!({
        "actors": [
            {"id": "kt", "kind": "COMPANY", "nameEn": "KT"},
            ["positional-co", "COMPANY", null, "Positional Co"]
        ]
    });
    let err = RawDocument::from_json(doc).expect_err("a positional actor is refused");
    assert!(err.contains("`/actors/1`"), "{err}");
    let short = serde_json::json!({"relations": [["a-b", "CONTRACT", "a", "b"]]});
    assert!(RawDocument::from_json(short).is_err());
    assert!(RawDocument::from_json(serde_json::json!([null, [], [], []])).is_err());
    let named = serde_json::json!({"actors": [{"id": "kt", "kind": "COMPANY", "nameEn": "KT", "aliases": ["케이티"]}]});
    assert!(
        RawDocument::from_json(named).is_ok(),
        "arrays of values are fine"
    );
}
