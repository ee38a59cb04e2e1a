//! Words of a sentence as intake reads them: runs of letters and digits (any
//! script), with where they are, and the Korean particles and endings that attach
//! to a noun (`아마존과`, `CIA가`, `국회는`).

use std::ops::Range;

/// A run of letters and digits in a text, with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub text: &'a str,
    pub span: Range<usize>,
}

/// The tokens of `text[range]`, with byte ranges into `text`.
pub fn tokens(text: &str, range: Range<usize>) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let slice = &text[range.clone()];
    for (i, c) in slice.char_indices() {
        let at = range.start + i;
        if c.is_alphanumeric() {
            start.get_or_insert(at);
        } else if let Some(s) = start.take() {
            out.push(Token {
                text: &text[s..at],
                span: s..at,
            });
        }
    }
    if let Some(s) = start {
        out.push(Token {
            text: &text[s..range.end],
            span: s..range.end,
        });
    }
    out
}

/// Whether a character is a Hangul syllable.
pub fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Particles and endings that follow a Korean noun, longest first, so that the
/// first that fits is the whole ending.
const PARTICLES: &[&str] = &[
    "이라고",
    "이라는",
    "으로서",
    "으로써",
    "에서는",
    "에서도",
    "에게서",
    "이었다",
    "으로는",
    "에서",
    "에게",
    "께서",
    "으로",
    "까지",
    "부터",
    "처럼",
    "보다",
    "라는",
    "라고",
    "이나",
    "이랑",
    "에도",
    "에는",
    "와의",
    "과의",
    "로서",
    "로써",
    "조차",
    "마저",
    "밖에",
    "이다",
    "였다",
    "만의",
    "등이",
    "등은",
    "등의",
    "등과",
    "등을",
    "로는",
    "이며",
    "이자",
    "측은",
    "측이",
    "측의",
    "측",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "와",
    "과",
    "로",
    "도",
    "만",
    "나",
    "랑",
    "다",
    "등",
    "며",
    "엔",
];

/// The particle or ending `rest` is (the whole of it), if it is one.
pub fn is_particle(rest: &str) -> bool {
    PARTICLES.contains(&rest)
}

/// `word` without a trailing particle (the longest that leaves at least two
/// characters), and the particle.
pub fn strip_particle(word: &str) -> (&str, &str) {
    for p in PARTICLES {
        if let Some(stem) = word.strip_suffix(p) {
            if stem.chars().count() >= 2 {
                return (stem, &word[stem.len()..]);
            }
        }
    }
    (word, "")
}

/// The particle that marks a noun's role: subject (`은/는/이/가/께서`), object
/// (`을/를`), partner (`과/와`), possessive (`의`) or place (`에서/에`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Subject,
    Object,
    Partner,
    Possessive,
    Place,
    Other,
}

/// Whether a particle marks the topic of the sentence (`은/는`): a sentence with
/// a topic of its own does not continue the one before.
pub fn is_topic(particle: &str) -> bool {
    ["은", "는", "측은", "등은", "에서는"].contains(&particle)
}

/// The role a particle marks.
pub fn role(particle: &str) -> Role {
    match particle {
        "은" | "는" | "이" | "가" | "께서" | "측은" | "측이" | "등이" | "등은" | "에서는" => {
            Role::Subject
        }
        "을" | "를" | "등을" => Role::Object,
        "과" | "와" | "등과" | "와의" | "과의" | "이랑" | "랑" => Role::Partner,
        "의" | "측의" | "등의" => Role::Possessive,
        "에서" | "에" | "에게" | "에는" | "에도" => Role::Place,
        _ => Role::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_runs_of_letters_and_digits_in_any_script() {
        let text = "중앙정보국(CIA)이 6억 달러, Jong-rok.";
        let words: Vec<&str> = tokens(text, 0..text.len()).iter().map(|t| t.text).collect();
        assert_eq!(
            words,
            ["중앙정보국", "CIA", "이", "6억", "달러", "Jong", "rok"]
        );
    }

    #[test]
    fn particles_come_off_nouns_but_leave_two_characters() {
        assert_eq!(strip_particle("아마존과"), ("아마존", "과"));
        assert_eq!(strip_particle("더존비즈온에서"), ("더존비즈온", "에서"));
        assert_eq!(strip_particle("국회는"), ("국회", "는"));
        assert_eq!(strip_particle("미국"), ("미국", ""));
        assert_eq!(strip_particle("나이"), ("나이", ""));
        assert_eq!(role("가"), Role::Subject);
        assert_eq!(role("과"), Role::Partner);
    }
}
