//! Where a prospect came from, and what a dealer reports back on a distributed lead.

use crate::text::str_enum;

str_enum! {
    /// The channel a lead was captured through (recorded on every lead; conversion
    /// is reported by it).
    pub enum Source {
        AutoShow => "auto_show",
        Hotline => "hotline",
        Website => "website",
        Referral => "referral",
        WalkIn => "walk_in",
        PhoneIn => "phone_in",
        Campaign => "campaign",
        DealerImport => "dealer_import",
    }
}

impl Source {
    /// Leads the OEM captures centrally; they are routed to a dealer and handed out
    /// in the daily distribution, and the dealer owes feedback on each.
    pub fn from_oem(self) -> bool {
        matches!(self, Source::AutoShow | Source::Hotline | Source::Website | Source::Campaign)
    }
}

str_enum! {
    /// A dealer's answer on a lead the OEM distributed to it.
    pub enum Feedback {
        Contacted => "contacted",
        Visited => "visited",
        NotReachable => "not_reachable",
        NotInterested => "not_interested",
        AlreadyBought => "already_bought",
        Invalid => "invalid",
    }
}
