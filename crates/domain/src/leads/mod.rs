//! Prospects and the sales funnel: how hot a prospect is (grade from purchase
//! timeframe and stage), when to follow up, which moves through the funnel are
//! possible and what closing a lead must record, where a lead is routed, what a
//! quote adds up to and when it contradicts a colleague's, and when two test-drive
//! bookings collide. All pure: the caller passes the time and the candidates.

mod booking;
mod close;
mod distribution;
mod grade;
mod quote;
mod routing;
mod source;
mod stage;

pub use booking::{Slot, overlaps};
pub use distribution::{FeedbackStatus, distributable};
pub use close::{CloseKind, CloseRequest, INVALID_REASONS, LostCategory, ValidClose};
pub use grade::{Grade, GradeRules, Timeframe, forecast};
pub use quote::{Fen, QuoteConflict, QuoteLine, QuoteLineKind, QuoteTotals, RecentQuote, quote_conflict, totals};
pub use routing::{ConsultantCandidate, ConsultantPolicy, DealerCandidate, DealerRule, dealer_pool, route_consultant, route_dealer, spread};
pub use source::{Feedback, Source};
pub use stage::{Stage, can_move, next_stages};
