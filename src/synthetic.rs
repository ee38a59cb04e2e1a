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

/// Actors per synthetic source: each source is an "article" with one sentence
/// about each of its actors, which their relations quote.
pub const ACTORS_PER_SOURCE: usize = 100;

/// The id of the source about actor `i`.
pub fn source_id(i: usize) -> String {
    format!("syn-src-{:05}", i / ACTORS_PER_SOURCE)
}

/// The sentence of its source about actor `i` (what its relations quote).
fn sentence(i: usize) -> String {
    format!("Synthetic Actor {i} (합성 행위자 {i}) signed a synthetic deal.")
}

/// `actors` actors, each the start of `per_actor` relations to the actors after it
/// (in a ring); one source per [`ACTORS_PER_SOURCE`] actors, with a sentence about
/// each, which the actor's relations quote.
pub fn dataset(actors: usize, per_actor: usize) -> Result<Dataset, Vec<Problem>> {
    let actors = actors.max(2);
    let doc = RawDocument {
        format: Some(domain::dataset::FORMAT.into()),
        sources: (0..actors.div_ceil(ACTORS_PER_SOURCE))
            .map(|n| {
                let first = n * ACTORS_PER_SOURCE;
                let last = (first + ACTORS_PER_SOURCE).min(actors);
                let text: Vec<String> = (first..last).map(sentence).collect();
                RawSource {
                    id: source_id(first),
                    title: format!("Synthetic article {n}"),
                    language: "en".into(),
                    text: Some(text.join(" ")),
                    ..Default::default()
                }
            })
            .collect(),
        actors: (0..actors)
            .map(|i| RawActor {
                id: format!("syn-{i:07}"),
                kind: KINDS[i % KINDS.len()].into(),
                name_en: Some(format!("Synthetic Actor {i}")),
                name_ko: Some(format!("합성 행위자 {i}")),
                aliases: vec![format!("SA{i}")],
                description: None,
                merged_ids: Vec::new(),
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
                        source: source_id(i),
                        quote: sentence(i),
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
        assert_eq!(d.sources.len(), 1);
        let d = super::dataset(250, 1).unwrap();
        assert_eq!(d.sources.len(), 3);
        assert_eq!(d.sources[2].id.as_str(), super::source_id(249));
    }
}
