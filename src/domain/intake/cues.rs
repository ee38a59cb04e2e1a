//! Which words suggest which type of relation, and which kinds of actor each type
//! ties (from → to), so that a cue only types the pairs it can.

use crate::domain::{ActorKind, RelationType};

use ActorKind as K;
use RelationType as T;

/// Words (Korean stems, English stems lowercased) that suggest a type.
pub const CUES: &[(&str, RelationType)] = &[
    ("계약", T::Contract),
    ("수주", T::Contract),
    ("발주", T::Contract),
    ("납품", T::Contract),
    ("contract", T::Contract),
    ("deal", T::Contract),
    ("awarded", T::Contract),
    ("임차", T::Lease),
    ("임대", T::Lease),
    ("입주", T::Lease),
    ("lease", T::Lease),
    ("rent", T::Lease),
    ("규제", T::Regulation),
    ("제재", T::Regulation),
    ("겨냥", T::Regulation),
    ("regulat", T::Regulation),
    ("sanction", T::Regulation),
    ("소속", T::Membership),
    ("member", T::Membership),
    ("자회사", T::Ownership),
    ("소유", T::Ownership),
    ("인수", T::Ownership),
    ("subsidiary", T::Ownership),
    ("owns", T::Ownership),
    ("acquire", T::Ownership),
    ("로비", T::Lobbying),
    ("성명", T::Lobbying),
    ("건의", T::Lobbying),
    ("lobb", T::Lobbying),
    ("촉구", T::Support),
    ("요구", T::Support),
    ("지지", T::Support),
    ("찬성", T::Support),
    ("지원속", T::Support),
    ("support", T::Support),
    ("urge", T::Support),
    ("call for", T::Support),
    ("called for", T::Support),
    ("demand", T::Support),
    ("말했다", T::Statement),
    ("말할", T::Statement),
    ("강조", T::Statement),
    ("밝혔다", T::Statement),
    ("주장", T::Statement),
    ("편지", T::Statement),
    ("said", T::Statement),
    ("says", T::Statement),
    ("told", T::Statement),
    ("stated", T::Statement),
    ("letter", T::Statement),
    ("비판", T::Criticism),
    ("성토", T::Criticism),
    ("비난", T::Criticism),
    ("critici", T::Criticism),
    ("condemn", T::Criticism),
    ("참석", T::Attendance),
    ("참가", T::Attendance),
    ("만난", T::Attendance),
    ("attend", T::Attendance),
    ("열린", T::Venue),
    ("개최", T::Venue),
    ("held at", T::Venue),
    ("hosted", T::Venue),
    ("활용", T::Usage),
    ("사용", T::Usage),
    ("도입", T::Usage),
    ("uses", T::Usage),
    ("use of", T::Usage),
    ("adopt", T::Usage),
    ("산하", T::PartOf),
    ("part of", T::PartOf),
    ("자국", T::BasedIn),
    ("본사", T::BasedIn),
    ("based in", T::BasedIn),
    ("headquartered", T::BasedIn),
    ("계류", T::PendingIn),
    ("통과", T::PendingIn),
    ("처리", T::PendingIn),
    ("상정", T::PendingIn),
    ("잠자", T::PendingIn),
    ("pending", T::PendingIn),
    ("passage", T::PendingIn),
    ("함께", T::LinkedWith),
    ("연계", T::LinkedWith),
    ("together with", T::LinkedWith),
    ("linked", T::LinkedWith),
    ("수혜", T::ExpectedBenefit),
    ("혜택", T::ExpectedBenefit),
    ("부흥", T::ExpectedBenefit),
    ("benefit", T::ExpectedBenefit),
    ("난관", T::ExpectedHarm),
    ("불리", T::ExpectedHarm),
    ("타격", T::ExpectedHarm),
    ("피해", T::ExpectedHarm),
    ("받기는 어렵", T::ExpectedHarm),
    ("obstacle", T::ExpectedHarm),
    ("harm", T::ExpectedHarm),
    ("hurt", T::ExpectedHarm),
    ("진출", T::MarketPresence),
    ("진입", T::MarketPresence),
    ("노리", T::MarketPresence),
    ("노린", T::MarketPresence),
    ("대표되는", T::MarketPresence),
    ("장악", T::MarketPresence),
    ("enter", T::MarketPresence),
    ("entry", T::MarketPresence),
    ("dominat", T::MarketPresence),
    ("제조", T::Production),
    ("생산", T::Production),
    ("출시", T::Production),
    ("makes", T::Production),
    ("manufactur", T::Production),
    ("launch", T::Production),
];

/// Bodies that act: organisations of every sort.
const BODIES: &[ActorKind] = &[
    K::Company,
    K::Government,
    K::GovernmentAgency,
    K::Association,
    K::Legislature,
    K::PoliticalParty,
    K::Sector,
    K::Country,
];

fn body(k: ActorKind) -> bool {
    BODIES.contains(&k)
}

fn agent(k: ActorKind) -> bool {
    body(k) || matches!(k, K::Person | K::Event)
}

/// Whether a relation of type `t` may go from an actor of kind `from` to one of
/// kind `to` (looser than an editor would be: it only keeps cues off pairs they
/// cannot be about).
pub fn fits(t: RelationType, from: ActorKind, to: ActorKind) -> bool {
    match t {
        T::Contract => agent(from) && (body(to) || to == K::Person),
        T::Lease => body(from) && to == K::Place,
        T::Regulation => {
            matches!(
                from,
                K::Bill | K::Government | K::GovernmentAgency | K::Legislature
            ) && (body(to) || to == K::Market)
        }
        T::Position => from == K::Person && body(to),
        T::Membership => {
            (from == K::Person || body(from)) && matches!(to, K::PoliticalParty | K::Association)
        }
        T::Ownership => from == K::Company && matches!(to, K::Company | K::Product),
        T::Support => agent(from) && (to == K::Bill || agent(to)),
        T::Lobbying => {
            matches!(from, K::Association | K::Company | K::Sector)
                && matches!(
                    to,
                    K::Bill | K::Legislature | K::Government | K::GovernmentAgency
                )
        }
        T::Statement => (from == K::Person || body(from)) && to != K::Place,
        T::Criticism => agent(from) && (agent(to) || to == K::Bill),
        T::Attendance => (from == K::Person || body(from)) && to == K::Event,
        T::Venue => from == K::Event && (to == K::Place || body(to)),
        T::Usage => agent(from) && matches!(to, K::Company | K::Product),
        T::PartOf => {
            matches!(from, K::GovernmentAgency | K::Company | K::Association)
                && matches!(to, K::Country | K::Government | K::Company)
        }
        T::BasedIn => body(from) && from != K::Country && matches!(to, K::Country | K::Place),
        T::PendingIn => from == K::Bill && to == K::Legislature,
        T::LinkedWith => from == K::Bill && to == K::Bill,
        T::ExpectedBenefit | T::ExpectedHarm => {
            matches!(from, K::Bill | K::Event) && (agent(to) || to == K::Market)
        }
        T::MarketPresence => from == K::Company && to == K::Market,
        T::Production => from == K::Company && to == K::Product,
    }
}

/// A type two kinds suggest without a cue (a person and a party: membership),
/// and how much the pairing alone says.
pub fn by_kinds(from: ActorKind, to: ActorKind) -> Option<(RelationType, f64)> {
    Some(match (from, to) {
        (K::Person, K::PoliticalParty) => (T::Membership, 0.5),
        (K::Bill, K::Legislature) => (T::PendingIn, 0.4),
        (K::Company, K::Market) => (T::MarketPresence, 0.4),
        (K::Event, K::Place | K::Company) => (T::Venue, 0.4),
        (K::Person | K::GovernmentAgency | K::Government | K::Sector, K::Event) => {
            (T::Attendance, 0.4)
        }
        (K::Company, K::Product) => (T::Production, 0.3),
        (K::GovernmentAgency, K::Country) => (T::PartOf, 0.3),
        (K::Company, K::Country) => (T::BasedIn, 0.3),
        (K::Bill, K::Bill) => (T::LinkedWith, 0.3),
        _ => return None,
    })
}

/// The cues in `sentence` (lowercased for English), with their byte offsets.
pub fn find(sentence: &str) -> Vec<(usize, &'static str, RelationType)> {
    let lower = sentence.to_lowercase();
    let mut out = Vec::new();
    for (word, t) in CUES {
        // Lowercasing keeps Korean as it is, and ASCII at its length.
        for (at, _) in lower.match_indices(word) {
            if word.is_ascii() {
                let before = lower[..at].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric()) {
                    continue;
                }
            }
            out.push((at, *word, *t));
        }
    }
    out.sort_by_key(|c| c.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_only_type_the_pairs_they_can_be_about() {
        assert!(fits(T::Lease, K::Company, K::Place));
        assert!(!fits(T::Lease, K::Place, K::Company));
        assert!(fits(T::ExpectedBenefit, K::Bill, K::Company));
        assert!(!fits(T::PendingIn, K::Company, K::Legislature));
        let cues: Vec<&str> = find("CIA가 아마존과 계약을 맺고 Contracts")
            .iter()
            .map(|c| c.1)
            .collect();
        assert_eq!(cues, ["계약", "contract"]);
    }
}
