//! Synthetic data sets of any size in the seed format, for benchmarks and scale
//! tests. Deterministic: the same size gives the same data.

use crate::domain::dataset::{RawActor, RawEvidence, RawMoney, RawRelation, RawSource};
use crate::domain::{self, Dataset, Problem, RawDocument};

const KINDS: [&str; 5] = [
    "COMPANY",
    "GOVERNMENT_AGENCY",
    "PERSON",
    "ASSOCIATION",
    "BILL",
];
const TYPES: [&str; 5] = ["CONTRACT", "LOBBYING", "POSITION", "SUPPORT", "REGULATION"];
const TEXT: &str = "Synthetic evidence sentence. 합성 데이터 문장입니다.";

/// `actors` actors, each the start of `per_actor` relations to the actors after it
/// (in a ring), all citing one source.
pub fn dataset(actors: usize, per_actor: usize) -> Result<Dataset, Vec<Problem>> {
    let actors = actors.max(2);
    let quote = "합성 데이터 문장입니다.";
    let doc = RawDocument {
        format: Some(domain::dataset::FORMAT.into()),
        sources: vec![RawSource {
            id: "synthetic".into(),
            title: "Synthetic data set".into(),
            language: "ko".into(),
            text: Some(TEXT.into()),
            ..Default::default()
        }],
        actors: (0..actors)
            .map(|i| RawActor {
                id: format!("syn-{i:07}"),
                kind: KINDS[i % KINDS.len()].into(),
                name_en: Some(format!("Synthetic Actor {i}")),
                name_ko: Some(format!("합성 행위자 {i}")),
                aliases: vec![format!("SA{i}")],
                description: None,
            })
            .collect(),
        relations: (0..actors)
            .flat_map(|i| (1..=per_actor).map(move |k| (i, k)))
            .map(|(i, k)| {
                let j = (i + k) % actors;
                RawRelation {
                    id: format!("syn-{i:07}-{k}"),
                    kind: TYPES[k % TYPES.len()].into(),
                    from: format!("syn-{i:07}"),
                    to: format!("syn-{j:07}"),
                    summary: format!("Synthetic relation {k} of actor {i}."),
                    amount: (k == 1).then(|| RawMoney {
                        value: (i * 1000) as f64,
                        currency: "USD".into(),
                    }),
                    evidence: vec![RawEvidence {
                        source: "synthetic".into(),
                        quote: quote.into(),
                    }],
                    ..Default::default()
                }
            })
            .filter(|r| r.from != r.to)
            .collect(),
    };
    // Validated like any data set, so the generator cannot hand out what the
    // seed loader would refuse.
    domain::validate(&[("synthetic", &doc)])
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_synthetic_data_set_has_the_size_asked_for_and_is_valid() {
        let d = super::dataset(100, 5).unwrap();
        assert_eq!(d.actors.len(), 100);
        assert_eq!(d.relations.len(), 500);
    }
}
