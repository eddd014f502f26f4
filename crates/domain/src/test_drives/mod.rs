//! Test drives: a dealer's demo cars are booked for a time slot with a consultant;
//! a booking ends completed (with the customer's feedback and rating), cancelled
//! (with a reason) or as a no-show. Two bookings of one car or one consultant may
//! not overlap. All pure: the caller passes the time.

mod record;
mod slot;

pub use record::{DriveRecord, Status, can_move, cancel_reason, check_time};
pub use slot::{GRACE_HOURS, MAX_MINUTES, MIN_MINUTES, Slot, overlaps};

// The validation messages of this module; the UI translates them by their exact text.
pub const SLOT_ORDER: &str = "must be after starts_at";
pub const SLOT_LENGTH: &str = "a test drive lasts 15 to 240 minutes";
pub const SLOT_PAST: &str = "is too far in the past";
pub const RATING_RANGE: &str = "must be 1 to 5";
pub const TEXT_TOO_LONG: &str = "must be at most 500 characters";
pub const REASON_REQUIRED: &str = "is required";
pub const NOT_STARTED: &str = "the test drive has not started yet";
pub const BAD_TRANSITION: &str = "the booking is no longer booked";

/// Every message above, for the UI's check that each has a translation.
pub const MESSAGES: &[&str] = &[SLOT_ORDER, SLOT_LENGTH, SLOT_PAST, RATING_RANGE, TEXT_TOO_LONG, REASON_REQUIRED, NOT_STARTED, BAD_TRANSITION];
