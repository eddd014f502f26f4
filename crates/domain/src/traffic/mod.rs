//! Showroom traffic: each dealer's daily count of walk-ins and phone inquiries by
//! the media that brought them (how the visitor heard of us). Marketing reads the
//! media effect by region from it; the receptionist only corrects what the day's
//! captured leads already suggest.

use chrono::{Duration, NaiveDate};

use crate::FieldError;
use crate::leads::Source;
use crate::text::str_enum;

str_enum! {
    /// How a visitor reached the store.
    pub enum Channel {
        WalkIn => "walk_in",
        Phone => "phone",
    }
}

str_enum! {
    /// How the visitor heard of us: the OEM's managed list of media.
    pub enum MediaSource {
        Internet => "internet",
        AutoPortal => "auto_portal",
        Tv => "tv",
        Radio => "radio",
        Newspaper => "newspaper",
        Outdoor => "outdoor",
        Referral => "referral",
        AutoShow => "auto_show",
        PassingBy => "passing_by",
        Other => "other",
    }
}

str_enum! {
    /// What the traffic report's rows are grouped by.
    pub enum Grouping {
        Region => "region",
        Dealer => "dealer",
        Source => "source",
        Channel => "channel",
        Day => "day",
    }
}

pub const BAD_GROUPING: &str = "must be one of region, dealer, source, channel, day";

/// The most visitors one cell of a day may record (a typo guard, not a limit of
/// any real showroom).
pub const MAX_VISITS: i64 = 9_999;
/// How far back a day may still be recorded or corrected.
pub const MAX_AGE_DAYS: i64 = 400;

pub const BAD_CHANNEL: &str = "must be walk_in or phone";
pub const BAD_SOURCE: &str =
    "must be one of internet, auto_portal, tv, radio, newspaper, outdoor, referral, auto_show, passing_by, other";
pub const BAD_VISITS: &str = "must be a whole number from 0 to 9999";
pub const BAD_DAY: &str = "must be a date YYYY-MM-DD";
pub const FUTURE_DAY: &str = "must not be in the future";
pub const OLD_DAY: &str = "is more than 400 days ago";
pub const REPEATED_CELL: &str = "repeats a channel and source given earlier";

/// A day the store may record: a real date, not after `today` (China time), not
/// older than [`MAX_AGE_DAYS`].
pub fn parse_day(raw: &str, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let day = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| FieldError::new("day", BAD_DAY))?;
    if day > today {
        return Err(FieldError::new("day", FUTURE_DAY));
    }
    if day < today - Duration::days(MAX_AGE_DAYS) {
        return Err(FieldError::new("day", OLD_DAY));
    }
    Ok(day)
}

/// One cell of the day's grid as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCell {
    pub channel: String,
    pub source: String,
    pub visits: i64,
}

/// One checked cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cell {
    pub channel: Channel,
    pub source: MediaSource,
    pub visits: i64,
}

/// Checks every cell; each error names its place (`counts[2].source`).
pub fn check_cells(raw: &[RawCell]) -> Result<Vec<Cell>, Vec<FieldError>> {
    let mut errors = vec![];
    let mut cells: Vec<Cell> = vec![];
    for (i, c) in raw.iter().enumerate() {
        let at = |f: &str| format!("counts[{i}].{f}");
        let channel = Channel::parse(c.channel.trim());
        let source = MediaSource::parse(c.source.trim());
        if channel.is_none() {
            errors.push(FieldError::new(at("channel"), BAD_CHANNEL));
        }
        if source.is_none() {
            errors.push(FieldError::new(at("source"), BAD_SOURCE));
        }
        if !(0..=MAX_VISITS).contains(&c.visits) {
            errors.push(FieldError::new(at("visits"), BAD_VISITS));
        }
        if let (Some(channel), Some(source)) = (channel, source) {
            if cells.iter().any(|x| x.channel == channel && x.source == source) {
                errors.push(FieldError::new(at("source"), REPEATED_CELL));
            }
            cells.push(Cell { channel, source, visits: c.visits });
        }
    }
    if errors.is_empty() { Ok(cells) } else { Err(errors) }
}

/// The channel a lead captured at the store counts in, if it is showroom traffic
/// at all (walk-ins and phone-ins are; an auto-show card is not).
pub fn channel_of(source: Source) -> Option<Channel> {
    match source {
        Source::WalkIn => Some(Channel::WalkIn),
        Source::PhoneIn => Some(Channel::Phone),
        _ => None,
    }
}

/// The best guess of how a visitor heard of us, from what is on file: someone
/// referred them, or they first showed up through the website or an auto show.
/// Everything else is left for the receptionist as "other".
pub fn media_hint(referred: bool, earlier: &[Source]) -> MediaSource {
    if referred || earlier.contains(&Source::Referral) {
        MediaSource::Referral
    } else if earlier.contains(&Source::Website) {
        MediaSource::Internet
    } else if earlier.contains(&Source::AutoShow) {
        MediaSource::AutoShow
    } else {
        MediaSource::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    #[test]
    fn a_day_is_a_past_date_within_reach() {
        assert_eq!(parse_day("2026-11-25", today()), Ok(today()));
        assert_eq!(parse_day(" 2026-11-01 ", today()).map(|d| d.to_string()), Ok("2026-11-01".into()));
        assert_eq!(parse_day("2026-11-26", today()).map_err(|e| e.message), Err(FUTURE_DAY.to_string()));
        assert_eq!(parse_day("2026-02-30", today()).map_err(|e| e.field), Err("day".to_string()));
        assert_eq!(parse_day("yesterday", today()).map_err(|e| e.message), Err(BAD_DAY.to_string()));
        assert_eq!(parse_day("2024-01-01", today()).map_err(|e| e.message), Err(OLD_DAY.to_string()));
    }

    #[test]
    fn every_bad_cell_names_its_place() {
        let raw = vec![
            RawCell { channel: "walk_in".into(), source: "tv".into(), visits: 3 },
            RawCell { channel: "fax".into(), source: "tv".into(), visits: 1 },
            RawCell { channel: "phone".into(), source: "billboard".into(), visits: -1 },
            RawCell { channel: "walk_in".into(), source: "tv".into(), visits: 2 },
        ];
        let fields: Vec<String> = check_cells(&raw).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["counts[1].channel", "counts[2].source", "counts[2].visits", "counts[3].source"]);
        let ok = check_cells(&raw[..1]).unwrap();
        assert_eq!(ok, vec![Cell { channel: Channel::WalkIn, source: MediaSource::Tv, visits: 3 }]);
    }

    #[test]
    fn what_is_on_file_suggests_the_media() {
        assert_eq!(media_hint(true, &[Source::Website]), MediaSource::Referral);
        assert_eq!(media_hint(false, &[Source::Hotline, Source::Website]), MediaSource::Internet);
        assert_eq!(media_hint(false, &[Source::AutoShow]), MediaSource::AutoShow);
        assert_eq!(media_hint(false, &[]), MediaSource::Other);
        assert_eq!(channel_of(Source::WalkIn), Some(Channel::WalkIn));
        assert_eq!(channel_of(Source::PhoneIn), Some(Channel::Phone));
        assert_eq!(channel_of(Source::AutoShow), None, "a card from the show is not showroom traffic");
    }

    proptest! {
        #[test]
        fn counts_in_range_pass_and_others_fail(visits in -50i64..20_000) {
            let raw = [RawCell { channel: "phone".into(), source: "radio".into(), visits }];
            prop_assert_eq!(check_cells(&raw).is_ok(), (0..=MAX_VISITS).contains(&visits));
        }
    }
}
