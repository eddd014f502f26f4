//! The closed lists of the customer record: what kind of customer, how they may be
//! contacted, how they are tied to dealers and to each other.

use crate::text::str_enum;

str_enum! {
    /// Private person, enterprise (fleet, rental, leasing) or government /
    /// public institution. Defaults to a person, the common case.
    #[derive(Default)]
    pub enum CustomerKind {
        #[default]
        Person => "person",
        Enterprise => "enterprise",
        Government => "government",
    }
}

impl CustomerKind {
    /// Enterprises and government bodies are identified by USCC, persons by
    /// mobile and ID number.
    pub fn is_organization(self) -> bool {
        !matches!(self, CustomerKind::Person)
    }
}

str_enum! {
    pub enum Gender {
        Male => "male",
        Female => "female",
        Unknown => "unknown",
    }
}

str_enum! {
    /// The channels consent and opt-outs are recorded for.
    pub enum ContactChannel {
        Sms => "sms",
        Phone => "phone",
        Email => "email",
        Mail => "mail",
        Wechat => "wechat",
    }
}

str_enum! {
    /// Why a customer is linked to a dealer; a dealer's staff see a customer
    /// through such a link.
    pub enum DealerLinkKind {
        /// Bought a vehicle there.
        Bought => "bought",
        /// Had a vehicle serviced there.
        Serviced => "serviced",
        /// Is a prospect routed to or captured by that dealer.
        Lead => "lead",
        /// Assigned to the dealer by the OEM (e.g. after a consultant or dealer left).
        Assigned => "assigned",
    }
}

str_enum! {
    /// A relationship between two customers, read "A is `kind` B": `ReferredBy`
    /// means A was referred by B. Stored once per direction; see
    /// [`RelationshipKind::inverse`].
    pub enum RelationshipKind {
        Family => "family",
        Colleague => "colleague",
        Friend => "friend",
        ReferredBy => "referred_by",
        Referred => "referred",
        /// A person who works for an enterprise or government customer (its
        /// fleet manager, its buyer).
        EmployeeOf => "employee_of",
        EmployerOf => "employer_of",
    }
}

impl RelationshipKind {
    /// The same relationship seen from B: A `ReferredBy` B ⇔ B `Referred` A;
    /// family, colleagues and friends are symmetric.
    pub fn inverse(self) -> RelationshipKind {
        use RelationshipKind::*;
        match self {
            Family | Colleague | Friend => self,
            ReferredBy => Referred,
            Referred => ReferredBy,
            EmployeeOf => EmployerOf,
            EmployerOf => EmployeeOf,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Copy + PartialEq + std::fmt::Debug + serde::Serialize>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Option<T>,
    ) {
        for &v in all {
            assert_eq!(parse(as_str(v)), Some(v));
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{}\"", as_str(v)));
        }
        assert_eq!(parse("nonsense"), None);
    }

    #[test]
    fn every_kind_is_stored_as_its_word() {
        round_trips(CustomerKind::ALL, CustomerKind::as_str, CustomerKind::parse);
        round_trips(Gender::ALL, Gender::as_str, Gender::parse);
        round_trips(ContactChannel::ALL, ContactChannel::as_str, ContactChannel::parse);
        round_trips(DealerLinkKind::ALL, DealerLinkKind::as_str, DealerLinkKind::parse);
        round_trips(RelationshipKind::ALL, RelationshipKind::as_str, RelationshipKind::parse);
        assert_eq!(CustomerKind::parse("enterprise"), Some(CustomerKind::Enterprise));
        assert!(CustomerKind::Government.is_organization() && !CustomerKind::Person.is_organization());
    }

    #[test]
    fn a_referral_seen_from_the_other_side() {
        assert_eq!(RelationshipKind::ReferredBy.inverse(), RelationshipKind::Referred);
        assert_eq!(RelationshipKind::Family.inverse(), RelationshipKind::Family);
        assert_eq!(RelationshipKind::EmployeeOf.inverse(), RelationshipKind::EmployerOf);
        for &k in RelationshipKind::ALL {
            assert_eq!(k.inverse().inverse(), k);
        }
    }
}
