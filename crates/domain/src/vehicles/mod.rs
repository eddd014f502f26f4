//! Vehicles and ownership: the VIN every vehicle is known by for life, its
//! licence plate, and its production and logistics status.
//!
//! As in `customers`, `parse` is the only way to build a [`Vin`] or a [`Plate`];
//! both serialize as their normalized text, so the search box, imports and the
//! DMS all compare the same strings.

mod plate;
mod status;
mod vin;

pub use plate::{PLATE_PROVINCES, PLATE_SUFFIXES, Plate};
pub use status::{VehicleStatus, can_move, next_statuses};
pub use vin::{Vin, VinParsed, check_digit_required, compute_check_digit, vin_search_tail};

// The validation messages of this module. The UI translates them by their exact
// text, so they are fixed and all listed here.
pub const REQUIRED: &str = "is required";
pub const VIN_LENGTH: &str = "must be 17 characters";
pub const VIN_ALPHABET_MSG: &str = "may contain only digits and capital letters except I, O and Q";
/// An error for `L…` and `1`–`5` WMIs; for other WMIs the same text is shown as a
/// warning ([`VinParsed::check_ok`] is false).
pub const VIN_CHECK: &str = "has a wrong check digit";
pub const PLATE_PROVINCE: &str = "must start with a province abbreviation";
pub const PLATE_LENGTH: &str = "must be 7 characters, or 8 for a new-energy plate";
pub const PLATE_FORMAT: &str = "is not a valid licence plate number";

/// Every message above, for the UI's check that each has a translation.
pub const MESSAGES: &[&str] =
    &[REQUIRED, VIN_LENGTH, VIN_ALPHABET_MSG, VIN_CHECK, PLATE_PROVINCE, PLATE_LENGTH, PLATE_FORMAT];
