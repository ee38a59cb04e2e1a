//! How well intake reads an article whose relations an editor has written: the
//! share of those relations a candidate finds, and the share of candidates that
//! are one of them.
//!
//! A relation is *found* when a candidate has its two ends (either way round) and
//! a sentence that holds one of its quotes or lies within one; *typed* when that
//! candidate also has its type and direction. A candidate is *right* when it
//! finds some relation, and *typed right* when it types one.

use std::collections::HashSet;

use super::{Analysis, Party};
use crate::domain::{ActorId, Relation, SourceId};

/// The figures of one article.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Quality {
    /// Relations of the article (those quoting it).
    pub relations: usize,
    pub found: usize,
    pub typed: usize,
    pub candidates: usize,
    /// Candidates that find a relation.
    pub right: usize,
    /// Candidates that find a relation and have its type and direction.
    pub typed_right: usize,
    /// The relations no candidate finds, by id.
    pub missed: Vec<String>,
}

impl Quality {
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.relations)
    }
    pub fn typed_recall(&self) -> f64 {
        ratio(self.typed, self.relations)
    }
    pub fn precision(&self) -> f64 {
        ratio(self.right, self.candidates)
    }
    pub fn typed_precision(&self) -> f64 {
        ratio(self.typed_right, self.candidates)
    }

    /// Adds another article's figures.
    pub fn add(&mut self, other: &Quality) {
        self.relations += other.relations;
        self.found += other.found;
        self.typed += other.typed;
        self.candidates += other.candidates;
        self.right += other.right;
        self.typed_right += other.typed_right;
        self.missed.extend(other.missed.iter().cloned());
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Measures `analysis` of `text` (the text of `source`) against the relations
/// that quote it.
pub fn measure(
    analysis: &Analysis,
    text: &str,
    source: &SourceId,
    relations: &[Relation],
) -> Quality {
    let relations: Vec<&Relation> = relations
        .iter()
        .filter(|r| r.evidence.iter().any(|e| &e.source == source))
        .collect();
    let known = |p: &Party| match p {
        Party::Known(id) => Some(id.clone()),
        Party::New(_) => None,
    };
    // Which candidates state which relation: ends either way, and a sentence
    // that holds a quote or lies in one.
    let states = |c: &super::Claim, r: &Relation| -> (bool, bool) {
        let (Some(from), Some(to)) = (known(&c.from), known(&c.to)) else {
            return (false, false);
        };
        let ends: HashSet<&ActorId> = [&from, &to].into_iter().collect();
        let wanted: HashSet<&ActorId> = [&r.from, &r.to].into_iter().collect();
        if ends != wanted {
            return (false, false);
        }
        let sentence = &text[analysis.sentences[c.sentence].clone()];
        let quoted = r
            .evidence
            .iter()
            .filter(|e| &e.source == source)
            .any(|e| sentence.contains(e.quote.as_str()) || e.quote.contains(sentence));
        let typed = quoted && c.kind == r.kind && from == r.from;
        (quoted, typed)
    };
    let mut q = Quality {
        relations: relations.len(),
        candidates: analysis.claims.len(),
        ..Quality::default()
    };
    for r in &relations {
        let marks: Vec<(bool, bool)> = analysis.claims.iter().map(|c| states(c, r)).collect();
        if marks.iter().any(|m| m.0) {
            q.found += 1;
        } else {
            q.missed.push(r.id.to_string());
        }
        if marks.iter().any(|m| m.1) {
            q.typed += 1;
        }
    }
    for c in &analysis.claims {
        let marks: Vec<(bool, bool)> = relations.iter().map(|r| states(c, r)).collect();
        if marks.iter().any(|m| m.0) {
            q.right += 1;
        }
        if marks.iter().any(|m| m.1) {
            q.typed_right += 1;
        }
    }
    q
}

/// Runs intake on every source of `data` against the data set's actors alone
/// (none of its relations), and measures each against the relations that quote
/// it.
pub fn of_dataset(data: &crate::domain::Dataset) -> Vec<(SourceId, Quality)> {
    data.sources
        .iter()
        .map(|s| {
            let analysis = super::analyse(
                &s.text,
                s.published_at.as_ref().map(|d| &d.date),
                &data.actors,
            );
            (
                s.id.clone(),
                measure(&analysis, &s.text, &s.id, &data.relations),
            )
        })
        .collect()
}
