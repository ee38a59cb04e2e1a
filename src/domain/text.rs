//! Sources' full texts: their sentences, and finding text in them the way every
//! store does.
//!
//! A source matches a search when its folded text ([`search::fold`]: case,
//! width, spacing and punctuation ignored, as for names) contains the folded
//! query. The folded text is made sentence by sentence ([`Folded`]), so that a
//! match leads back to the sentences that hold it: those are what a search hit
//! shows, with the relations that quote them.
//!
//! Sentences end at `.`, `!`, `?` or `…` (and their full-width forms) followed by
//! a space or the end of the text, with any closing quotes or brackets after the
//! mark, and at line breaks. A period after a single letter or a common
//! abbreviation (`Mr.`, `U.S.`, `Inc.`) does not end one. Korean sentences end
//! with `다.`, `요.` and the like, which the marks cover.
//!
//! [`search::fold`]: super::search::fold

use std::ops::Range;

use super::search;

/// Marks that end a sentence when a space or the end of the text follows.
const ENDS: [char; 7] = ['.', '!', '?', '…', '。', '！', '？'];

/// Closing quotes and brackets that belong to the sentence they follow.
const CLOSERS: [char; 10] = ['"', '\'', '”', '’', ')', ']', '」', '』', '》', '〉'];

/// Words after which a period does not end a sentence (compared lowered, with
/// their inner periods).
const ABBREVIATIONS: [&str; 18] = [
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "inc", "corp", "co", "ltd", "no", "vs", "etc",
    "e.g", "i.e", "u.s", "u.k",
];

/// The sentences of `text`: byte ranges, in order, without the spaces around them.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\n' || c == '\r' {
            if let Some(s) = start.take() {
                out.push(trimmed(text, s..i));
            }
            continue;
        }
        if start.is_none() {
            if c.is_whitespace() {
                continue;
            }
            start = Some(i);
        }
        if !ENDS.contains(&c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, next)) = chars.peek() {
            if CLOSERS.contains(&next) || ENDS.contains(&next) {
                end = j + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let at_break = chars.peek().is_none_or(|(_, next)| next.is_whitespace());
        let s = start.unwrap_or(i);
        if at_break && !(c == '.' && abbreviated(&text[s..i])) {
            out.push(s..end);
            start = None;
        }
    }
    if let Some(s) = start {
        out.push(trimmed(text, s..text.len()));
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Whether the word before a period (at the end of `before`) is a single letter
/// or a common abbreviation.
fn abbreviated(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    let initial = word.len() == 1 && word.chars().all(|c| c.is_ascii_alphabetic());
    initial || ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

/// `range` of `text` without the spaces at its ends.
fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.end - (slice.len() - slice.trim_end().len());
    start..end.max(start)
}

/// A text folded for search, sentence by sentence: the folded sentences joined,
/// and where each begins in the folded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    /// The folded text: every sentence folded, joined without a separator.
    pub text: String,
    /// The sentences of the original text (byte ranges).
    pub sentences: Vec<Range<usize>>,
    /// Where each sentence's folded form begins in `text` (bytes), ascending.
    starts: Vec<usize>,
}

impl Folded {
    /// Folds `text` sentence by sentence.
    pub fn new(text: &str) -> Self {
        let sentences = sentences(text);
        let mut folded = String::with_capacity(text.len());
        let mut starts = Vec::with_capacity(sentences.len());
        for s in &sentences {
            starts.push(folded.len());
            folded.push_str(&search::fold(&text[s.clone()]));
        }
        Folded {
            text: folded,
            sentences,
            starts,
        }
    }

    /// The sentence that holds the folded text's byte `at`.
    fn sentence_at(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at).saturating_sub(1)
    }

    /// Where the folded query occurs: for each run of sentences that holds an
    /// occurrence (one sentence, or more when the words span them), the range of
    /// those sentences' indexes, in text order, each once; runs that overlap are
    /// joined. An empty query occurs nowhere.
    pub fn find(&self, folded_query: &str) -> Vec<Range<usize>> {
        let mut runs: Vec<Range<usize>> = Vec::new();
        if folded_query.is_empty() {
            return runs;
        }
        for (at, m) in self.text.match_indices(folded_query) {
            let first = self.sentence_at(at);
            let last = self.sentence_at(at + m.len() - 1);
            match runs.last_mut() {
                Some(run) if first < run.end => run.end = run.end.max(last + 1),
                _ => runs.push(first..last + 1),
            }
        }
        runs
    }

    /// The byte range of the original text that a run of sentences covers.
    pub fn span(&self, run: &Range<usize>) -> Range<usize> {
        self.sentences[run.start].start..self.sentences[run.end - 1].end
    }
}

/// The folded form of a source's text that stores keep for search: what
/// [`Folded::new`] makes of it.
pub fn search_text(text: &str) -> String {
    Folded::new(text).text
}

/// A byte offset of `text` as a count of UTF-16 code units, as JavaScript's
/// strings index (`String.prototype.slice`).
pub fn utf16_offset(text: &str, byte: usize) -> usize {
    text[..byte].encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn korean_and_english_sentences_end_at_their_marks() {
        assert_eq!(
            split("아마존이 CIA와 계약했다. 규모는 6억 달러다!  정말일까?"),
            vec![
                "아마존이 CIA와 계약했다.",
                "규모는 6억 달러다!",
                "정말일까?"
            ]
        );
        assert_eq!(
            split("It cost $6.5 billion. \"Really?\" he asked.\nNext line"),
            vec![
                "It cost $6.5 billion.",
                "\"Really?\"",
                "he asked.",
                "Next line"
            ]
        );
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_a_sentence() {
        assert_eq!(
            split("Mr. Kim met U.S. officials at Amazon Inc. in 2015. Then J. Smith left."),
            vec![
                "Mr. Kim met U.S. officials at Amazon Inc. in 2015.",
                "Then J. Smith left."
            ]
        );
    }

    #[test]
    fn quotes_and_brackets_after_the_mark_stay_with_the_sentence() {
        // A quotation goes on with the sentence that reports it (`”고 말했다`).
        assert_eq!(
            split("그는 “클라우드법이 시급하다.”고 말했다. (사실이다.) 끝"),
            vec![
                "그는 “클라우드법이 시급하다.”고 말했다.",
                "(사실이다.)",
                "끝"
            ]
        );
    }

    #[test]
    fn a_match_leads_to_the_sentences_that_hold_it() {
        let text = "국가정보원은 말이 없다. 아마존은 CIA와 계약했다. 국가 정보원이 또 나온다.";
        let folded = Folded::new(text);
        let runs = folded.find(&search::fold("국가정보원"));
        assert_eq!(runs, vec![0..1, 2..3], "spacing is ignored");
        assert_eq!(&text[folded.span(&runs[1])], "국가 정보원이 또 나온다.");
        let spanning = folded.find(&search::fold("없다 아마존"));
        assert_eq!(spanning, vec![0..2], "words across two sentences");
        assert!(folded.find("").is_empty());
        assert!(folded.find("kt").is_empty());
        assert_eq!(
            folded.text,
            search::fold(text),
            "the same as folding at once"
        );
    }

    #[test]
    fn offsets_count_utf16_code_units() {
        let text = "a😀국가";
        let at = text.find('국').unwrap();
        assert_eq!(utf16_offset(text, at), 3);
    }
}
