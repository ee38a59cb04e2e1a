//! The closed vocabularies of the graph: kinds of actor and types of relation.
//!
//! These enums are also the GraphQL enums (`ActorKind`, `RelationType`): one
//! definition keeps the data format, the stores and the public schema from drifting
//! apart. Their text form (`GOVERNMENT_AGENCY`) is the same everywhere: in seed
//! files, in Neo4j labels and relationship types, and in the SDL.

macro_rules! closed_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text form, as written in data files and the GraphQL schema.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Reads the text form; `None` for anything not in the vocabulary.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The text forms joined for an error message.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_enum! {
    /// What an actor is.
    pub enum ActorKind {
        /// A company or other business, e.g. Amazon, KT.
        Company = "COMPANY",
        /// A national government as a whole (its executive), e.g. the government of South Korea.
        Government = "GOVERNMENT",
        /// A ministry, agency or other public body, e.g. the CIA.
        GovernmentAgency = "GOVERNMENT_AGENCY",
        /// An industry or trade association, e.g. the Korea Cloud Industry Association.
        Association = "ASSOCIATION",
        /// A person: an official, lawmaker, executive.
        Person = "PERSON",
        /// A legislature, e.g. the National Assembly.
        Legislature = "LEGISLATURE",
        /// A political party.
        PoliticalParty = "POLITICAL_PARTY",
        /// A bill or act, pending or passed.
        Bill = "BILL",
        /// A country or state.
        Country = "COUNTRY",
        /// A place: a building, street or city.
        Place = "PLACE",
        /// A product or service line, e.g. the Kindle.
        Product = "PRODUCT",
        /// A dated event: a meeting, hearing, announcement.
        Event = "EVENT",
        /// A group of companies taken together: an industry or sector.
        Sector = "SECTOR",
        /// A market, e.g. the Korean e-commerce market.
        Market = "MARKET",
    }
}

closed_enum! {
    /// What a relation states. Each type has one direction, from `from` to `to`,
    /// given in its description.
    pub enum RelationType {
        /// A contract: from the client (who pays) to the contractor. Usually has `amount`.
        Contract = "CONTRACT",
        /// Lobbying or a public campaign: from the lobbyist to the bill, body or matter lobbied on.
        Lobbying = "LOBBYING",
        /// A lease: from the tenant to the leased property. Usually has dates and `area`.
        Lease = "LEASE",
        /// Regulation: from the regulator, or the regulating bill, to the one regulated or targeted.
        Regulation = "REGULATION",
        /// A post held: from the person to the organisation; `role` names the post.
        Position = "POSITION",
        /// Membership: from the member to the organisation or party.
        Membership = "MEMBERSHIP",
        /// Ownership: from the owner to what it owns (a subsidiary or business).
        Ownership = "OWNERSHIP",
        /// Support or advocacy: from the supporter to the one supported.
        Support = "SUPPORT",
        /// A public statement: from the speaker to its subject; `summary` gives its gist.
        Statement = "STATEMENT",
        /// Criticism: from the critic to the one criticised.
        Criticism = "CRITICISM",
        /// Attendance: from the attendee to the event.
        Attendance = "ATTENDANCE",
        /// Where an event took place: from the event to the place or host.
        Venue = "VENUE",
        /// Use of a product or service: from the user to what is used.
        Usage = "USAGE",
        /// Belonging: from a part (an agency, a division) to the whole.
        PartOf = "PART_OF",
        /// Home base: from an actor to the country or place it is based in.
        BasedIn = "BASED_IN",
        /// A bill before a legislature: from the bill to the legislature; `status` gives its stage.
        PendingIn = "PENDING_IN",
        /// Linked fates: from one bill or matter to another whose passage it is tied to.
        LinkedWith = "LINKED_WITH",
        /// An expected gain: from the cause (a bill, an event) to the actor expected to benefit.
        ExpectedBenefit = "EXPECTED_BENEFIT",
        /// An expected loss: from the cause to the actor expected to be harmed or put at a disadvantage.
        ExpectedHarm = "EXPECTED_HARM",
        /// Presence in a market: from the company to the market; `status` says how (entered, possible entry, dominant).
        MarketPresence = "MARKET_PRESENCE",
        /// Making a product: from the maker to the product.
        Production = "PRODUCTION",
    }
}

/// Which way a relation is followed from an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, async_graphql::Enum)]
pub enum Direction {
    /// Relations the actor is the `from` of.
    Out,
    /// Relations the actor is the `to` of.
    In,
    /// Both.
    #[default]
    Both,
}

impl Direction {
    /// Whether a relation of an actor is followed this way: `is_from` when the
    /// actor is the relation's `from`.
    pub fn follows(self, is_from: bool) -> bool {
        match self {
            Direction::Out => is_from,
            Direction::In => !is_from,
            Direction::Both => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::resolver_utils::EnumType;

    #[test]
    fn text_forms_are_the_graphql_enum_names() {
        for item in ActorKind::items() {
            assert_eq!(item.value.as_str(), item.name);
        }
        for item in RelationType::items() {
            assert_eq!(item.value.as_str(), item.name);
        }
        assert_eq!(ActorKind::items().len(), ActorKind::ALL.len());
        assert_eq!(RelationType::items().len(), RelationType::ALL.len());
    }

    #[test]
    fn parsing_round_trips_and_rejects_unknown_words() {
        for k in ActorKind::ALL {
            assert_eq!(ActorKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(RelationType::parse("contract"), None);
        assert_eq!(RelationType::parse("BRIBERY"), None);
    }
}
