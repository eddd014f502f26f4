//! Prospects and the sales funnel: how hot a prospect is (grade from purchase
//! timeframe and stage), when to follow up, which moves through the funnel are
//! possible and what closing a lead must record, and where a lead is routed. All
//! pure: the caller passes the time and the candidates. Test drives and quotes are
//! capabilities of their own (`test_drives`, `quotes`).

mod close;
mod distribution;
mod grade;
mod routing;
mod source;
mod stage;

pub use distribution::{FeedbackStatus, distributable};
pub use close::{CloseKind, CloseRequest, INVALID_REASONS, LostCategory, ValidClose};
pub use grade::{Grade, GradeRules, Timeframe, forecast};
pub use routing::{ConsultantCandidate, ConsultantPolicy, DealerCandidate, DealerRule, dealer_pool, route_consultant, route_dealer, spread};
pub use source::{Feedback, Source};
pub use stage::{Stage, can_move, next_stages};
