//! Grade (heat) of a prospect, derived from the purchase timeframe and the funnel
//! stage (DOMAIN.md §2), and the follow-up rhythm and feedback SLA that follow from
//! it. The OEM configures the timeframe → grade mapping, the follow-up days and the
//! expected conversion per timeframe; [`GradeRules::default`] is the practice.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::Stage;
use crate::text::str_enum;

str_enum! {
    /// When the prospect says they will buy (the OEM's scale).
    pub enum Timeframe {
        Immediately => "immediately",
        Within3Months => "within_3_months",
        Within6Months => "within_6_months",
        Within1Year => "within_1_year",
        Later => "later",
    }
}

impl Timeframe {
    /// What a business card or a show form says about when ("马上", "3个月内",
    /// "半年", "一年后"…), or the code itself; `None` when it says nothing known.
    pub fn from_text(text: &str) -> Option<Timeframe> {
        let t: String = text.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() {
            return None;
        }
        if let Some(code) = Timeframe::parse(&t) {
            return Some(code);
        }
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        // Longer horizons first: "一年内" must not read as "一…内".
        if has(&["以后", "不确定", "未定", "暂不", "一年以上", "1年以上", "later"]) {
            Some(Timeframe::Later)
        } else if has(&["一年", "1年", "12个月", "十二个月", "year"]) {
            Some(Timeframe::Within1Year)
        } else if has(&["半年", "6个月", "六个月", "6 month", "6month"]) {
            Some(Timeframe::Within6Months)
        } else if has(&["3个月", "三个月", "两个月", "2个月", "1个月", "一个月", "月内", "3month", "month"]) {
            Some(Timeframe::Within3Months)
        } else if has(&["马上", "立即", "立刻", "尽快", "本周", "一周", "1周", "7天", "现在", "immediately", "now", "asap"]) {
            Some(Timeframe::Immediately)
        } else {
            None
        }
    }
}

str_enum! {
    /// N new · H hot (7 days) · A warm (15 days) · B interested (30 days) · C long
    /// term · O ordered · D delivered · F lost.
    pub enum Grade {
        N => "N",
        H => "H",
        A => "A",
        B => "B",
        C => "C",
        O => "O",
        D => "D",
        F => "F",
    }
}

impl Grade {
    /// Hot prospects go out in the daily distribution and get the short SLA.
    pub fn is_hot(self) -> bool {
        matches!(self, Grade::H | Grade::A)
    }

    /// One step warmer (C → B → A → H); other grades stay.
    fn warmer(self) -> Grade {
        match self {
            Grade::C => Grade::B,
            Grade::B => Grade::A,
            Grade::A | Grade::H => Grade::H,
            g => g,
        }
    }
}

/// The OEM's grading configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeRules {
    /// The grade of an open, contacted prospect by timeframe (H, A, B or C).
    pub timeframe_grade: BTreeMap<Timeframe, Grade>,
    /// Days until the next follow-up after an activity, per grade; a grade without
    /// an entry (D, F) has no follow-up.
    pub follow_up_days: BTreeMap<Grade, i64>,
    /// Hours to first contact for a new (N) lead.
    pub first_contact_hours: i64,
    /// A prospect who test-drove or got a quote is one grade warmer than the
    /// timeframe alone says.
    pub warm_up_after_test_drive: bool,
    /// Share of prospects who buy, per timeframe (forecast).
    pub conversion: BTreeMap<Timeframe, f64>,
    /// Hours a dealer has to give feedback on a distributed hot (H/A) prospect…
    #[serde(default = "hot_feedback_hours")]
    pub feedback_hours_hot: i64,
    /// …and on any other.
    #[serde(default = "feedback_hours")]
    pub feedback_hours: i64,
}

fn hot_feedback_hours() -> i64 {
    24
}

fn feedback_hours() -> i64 {
    72
}

impl Default for GradeRules {
    fn default() -> Self {
        use Grade::*;
        use Timeframe::*;
        GradeRules {
            timeframe_grade: [(Immediately, H), (Within3Months, B), (Within6Months, C), (Within1Year, C), (Later, C)].into(),
            follow_up_days: [(H, 2), (A, 3), (B, 7), (C, 15), (O, 3)].into(),
            first_contact_hours: 24,
            warm_up_after_test_drive: true,
            conversion: [(Immediately, 0.30), (Within3Months, 0.10), (Within6Months, 0.07), (Within1Year, 0.04), (Later, 0.01)]
                .into(),
            feedback_hours_hot: hot_feedback_hours(),
            feedback_hours: feedback_hours(),
        }
    }
}

impl GradeRules {
    /// The grade of a lead at `stage` with `timeframe`.
    pub fn grade(&self, stage: Stage, timeframe: Timeframe) -> Grade {
        match stage {
            Stage::New => Grade::N,
            Stage::Order => Grade::O,
            Stage::Delivered => Grade::D,
            Stage::Lost | Stage::Cancelled | Stage::Returned | Stage::Invalid => Grade::F,
            Stage::Contacted | Stage::ShowroomVisit | Stage::TestDrive | Stage::Quote => {
                let g = self.heat(timeframe);
                if self.warm_up_after_test_drive && matches!(stage, Stage::TestDrive | Stage::Quote) { g.warmer() } else { g }
            }
        }
    }

    /// How hot the prospect's timeframe alone makes them (H, A, B or C): what the
    /// daily distribution and the feedback SLA go by, before anyone has called.
    pub fn heat(&self, timeframe: Timeframe) -> Grade {
        self.timeframe_grade.get(&timeframe).copied().unwrap_or(Grade::C)
    }

    /// When to follow up next after something happened at `at`: the first contact
    /// window for a new lead, the grade's rhythm otherwise, none when closed.
    pub fn next_follow_up(&self, grade: Grade, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match grade {
            Grade::N => Some(at + Duration::hours(self.first_contact_hours)),
            g => self.follow_up_days.get(&g).map(|d| at + Duration::days(*d)),
        }
    }

    /// When a dealer's feedback on a lead with `timeframe` distributed at `at` is
    /// due: the short SLA for hot prospects, the long one otherwise.
    pub fn feedback_due(&self, timeframe: Timeframe, at: DateTime<Utc>) -> DateTime<Utc> {
        at + Duration::hours(if self.heat(timeframe).is_hot() { self.feedback_hours_hot } else { self.feedback_hours })
    }

    pub fn conversion(&self, t: Timeframe) -> f64 {
        self.conversion.get(&t).copied().unwrap_or(0.0)
    }

    /// Problems with a configuration an admin typed, by field.
    pub fn check(&self) -> Result<(), crate::FieldError> {
        for t in Timeframe::ALL {
            match self.timeframe_grade.get(t) {
                Some(Grade::H | Grade::A | Grade::B | Grade::C) => {}
                _ => return Err(crate::FieldError::new(format!("timeframe_grade.{}", t.as_str()), "must be H, A, B or C")),
            }
            match self.conversion.get(t) {
                Some(c) if (0.0..=1.0).contains(c) => {}
                _ => return Err(crate::FieldError::new(format!("conversion.{}", t.as_str()), "must be between 0 and 1")),
            }
        }
        if let Some((g, _)) = self.follow_up_days.iter().find(|(_, d)| !(1..=365).contains(*d)) {
            return Err(crate::FieldError::new(format!("follow_up_days.{}", g.as_str()), "must be 1 to 365 days"));
        }
        for (field, hours) in [
            ("first_contact_hours", self.first_contact_hours),
            ("feedback_hours_hot", self.feedback_hours_hot),
            ("feedback_hours", self.feedback_hours),
        ] {
            if !(1..=168).contains(&hours) {
                return Err(crate::FieldError::new(field, "must be 1 to 168 hours"));
            }
        }
        Ok(())
    }
}


/// Expected buyers among open prospects with these timeframes.
pub fn forecast(rules: &GradeRules, open: impl IntoIterator<Item = (Timeframe, i64)>) -> f64 {
    open.into_iter().map(|(t, n)| rules.conversion(t) * n as f64).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T02:00:00Z").map(|d| d.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn the_practice_table_of_domain_md() {
        let r = GradeRules::default();
        assert_eq!(r.grade(Stage::New, Timeframe::Immediately), Grade::N, "not yet contacted");
        assert_eq!(r.grade(Stage::Contacted, Timeframe::Immediately), Grade::H);
        assert_eq!(r.grade(Stage::Contacted, Timeframe::Within3Months), Grade::B);
        assert_eq!(r.grade(Stage::Contacted, Timeframe::Within1Year), Grade::C);
        assert_eq!(r.grade(Stage::TestDrive, Timeframe::Within3Months), Grade::A, "a test drive warms up");
        assert_eq!(r.grade(Stage::Order, Timeframe::Later), Grade::O);
        assert_eq!(r.grade(Stage::Lost, Timeframe::Immediately), Grade::F);
        assert_eq!(r.next_follow_up(Grade::N, at()), Some(at() + Duration::hours(24)));
        assert_eq!(r.next_follow_up(Grade::H, at()), Some(at() + Duration::days(2)));
        assert_eq!(r.next_follow_up(Grade::A, at()), Some(at() + Duration::days(3)));
        assert_eq!(r.next_follow_up(Grade::B, at()), Some(at() + Duration::days(7)));
        assert_eq!(r.next_follow_up(Grade::C, at()), Some(at() + Duration::days(15)));
        assert_eq!(r.next_follow_up(Grade::O, at()), Some(at() + Duration::days(3)));
        assert_eq!(r.next_follow_up(Grade::D, at()), None, "delivered: the care plan takes over");
        assert_eq!(r.next_follow_up(Grade::F, at()), None);
        assert_eq!(r.feedback_due(Timeframe::Immediately, at()), at() + Duration::hours(24), "hot: 24 h");
        assert_eq!(r.feedback_due(Timeframe::Within1Year, at()), at() + Duration::hours(72), "otherwise 72 h");
        assert!(r.check().is_ok());
    }

    #[test]
    fn a_show_form_says_when_in_words() {
        use Timeframe::*;
        for (text, t) in [
            ("马上", Immediately), ("一周内", Immediately), ("3个月内", Within3Months), ("三个月", Within3Months),
            ("半年内", Within6Months), ("6个月", Within6Months), ("一年内", Within1Year), ("1年", Within1Year),
            ("一年以上", Later), ("暂不确定", Later), ("within_6_months", Within6Months), (" Later ", Later),
        ] {
            assert_eq!(Timeframe::from_text(text), Some(t), "{text}");
        }
        assert_eq!(Timeframe::from_text(""), None);
        assert_eq!(Timeframe::from_text("蓝色"), None);
    }

    #[test]
    fn forecast_uses_the_gm_programme_rates() {
        let r = GradeRules::default();
        let f = forecast(&r, [(Timeframe::Within3Months, 100), (Timeframe::Within1Year, 100)]);
        assert!((f - 14.0).abs() < 1e-9, "10 of 100 three-month and 4 of 100 one-year prospects: {f}");
    }

    #[test]
    fn a_bad_configuration_names_the_field() {
        let mut r = GradeRules::default();
        r.timeframe_grade.insert(Timeframe::Later, Grade::O);
        assert_eq!(r.check().map_err(|e| e.field), Err("timeframe_grade.later".to_string()));
        let mut r = GradeRules::default();
        r.conversion.insert(Timeframe::Immediately, 1.5);
        assert_eq!(r.check().map_err(|e| e.field), Err("conversion.immediately".to_string()));
    }

    fn stage() -> impl Strategy<Value = Stage> {
        proptest::sample::select(Stage::ALL.to_vec())
    }
    fn timeframe() -> impl Strategy<Value = Timeframe> {
        proptest::sample::select(Timeframe::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn open_prospects_always_have_a_follow_up_and_closed_ones_never(s in stage(), t in timeframe(), mins in 0i64..10_000_000) {
            let r = GradeRules::default();
            let when = at() + Duration::minutes(mins);
            let g = r.grade(s, t);
            let next = r.next_follow_up(g, when);
            prop_assert_eq!(next.is_some(), !s.is_closed() && s != Stage::Delivered);
            if let Some(n) = next {
                prop_assert!(n > when);
                prop_assert!(n <= when + Duration::days(15), "no open prospect waits longer than a C's 15 days");
            }
        }

        #[test]
        fn a_shorter_timeframe_is_never_colder(s in stage(), a in timeframe(), b in timeframe()) {
            let r = GradeRules::default();
            let (ga, gb) = (r.grade(s, a), r.grade(s, b));
            if a < b && ga.is_hot() != gb.is_hot() {
                prop_assert!(ga.is_hot(), "{:?} ({:?}) colder than {:?} ({:?})", a, ga, b, gb);
            }
            if a < b && !s.is_closed() && ga != Grade::N {
                let da = r.follow_up_days.get(&ga).copied().unwrap_or(0);
                let db = r.follow_up_days.get(&gb).copied().unwrap_or(0);
                prop_assert!(da <= db, "sooner buyers are called sooner");
            }
        }

        #[test]
        fn any_text_reads_as_a_timeframe_or_nothing(text in "\\PC{0,12}") {
            // Never panics; a code always reads as itself.
            let _ = Timeframe::from_text(&text);
            for t in Timeframe::ALL {
                prop_assert_eq!(Timeframe::from_text(t.as_str()), Some(*t));
            }
        }

        #[test]
        fn sooner_buyers_get_feedback_sooner(mins in 0i64..1_000_000, a in timeframe(), b in timeframe()) {
            let r = GradeRules::default();
            let when = at() + Duration::minutes(mins);
            if a < b {
                prop_assert!(r.feedback_due(a, when) <= r.feedback_due(b, when));
            }
            prop_assert!(r.feedback_due(a, when) > when);
            prop_assert_eq!(r.feedback_due(a, when) == when + Duration::hours(24), r.heat(a).is_hot());
        }
    }
}
