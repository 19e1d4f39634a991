//! A rule's schedule is entered as local times in the merchant's time zone; this turns them
//! into instants once, when the rule is saved (jiff's bundled tz database, server only).
use crate::domain::error::FieldError;
use crate::domain::rule::target::Schedule;
use jiff::civil::DateTime;
use jiff::tz::{Disambiguation, TimeZone};

/// Fills `starts_at` / `ends_at` from the local times; the errors name the field to fix.
///
/// A local time that does not exist (the hour skipped when clocks go forward) means the
/// instant just after the gap; one that happens twice (clocks go back) means the first.
/// That is what a merchant who typed "02:30" on such a night most likely meant.
pub fn resolve(s: &mut Schedule) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let zone = if s.zone.is_empty() {
        Some(TimeZone::UTC)
    } else {
        TimeZone::get(&s.zone).ok()
    };
    let Some(zone) = zone else {
        errs.push(FieldError::new(
            "targeting.schedule.zone",
            "zone_unknown",
            format!(
                "\"{}\" is not a time zone; use a name such as Europe/Berlin or America/New_York.",
                s.zone
            ),
        ));
        s.starts_at = None;
        s.ends_at = None;
        return errs;
    };
    s.starts_at = instant(
        &s.start_local,
        &zone,
        "targeting.schedule.start_local",
        &mut errs,
    );
    s.ends_at = instant(
        &s.end_local,
        &zone,
        "targeting.schedule.end_local",
        &mut errs,
    );
    errs
}

fn instant(local: &str, zone: &TimeZone, field: &str, errs: &mut Vec<FieldError>) -> Option<i64> {
    if local.is_empty() {
        return None;
    }
    let parsed = local.parse::<DateTime>().ok().and_then(|dt| {
        zone.to_ambiguous_zoned(dt)
            .disambiguate(Disambiguation::Compatible)
            .ok()
    });
    match parsed {
        Some(z) => Some(z.timestamp().as_millisecond()),
        None => {
            errs.push(FieldError::new(
                field,
                "datetime",
                format!("\"{local}\" is not a date and time; use the form 2026-12-24T09:00."),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(zone: &str, start: &str) -> Schedule {
        let mut s = Schedule {
            zone: zone.into(),
            start_local: start.into(),
            ..Default::default()
        };
        assert!(resolve(&mut s).is_empty());
        s
    }

    fn utc_ms(rfc3339: &str) -> i64 {
        rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn local_times_become_instants_in_the_zone() {
        // Winter in Berlin is UTC+1, summer UTC+2.
        assert_eq!(
            at("Europe/Berlin", "2026-01-15T09:00").starts_at,
            Some(utc_ms("2026-01-15T08:00:00Z"))
        );
        assert_eq!(
            at("Europe/Berlin", "2026-07-15T09:00").starts_at,
            Some(utc_ms("2026-07-15T07:00:00Z"))
        );
        assert_eq!(
            at("", "2026-07-15T09:00").starts_at,
            Some(utc_ms("2026-07-15T09:00:00Z"))
        );
    }

    #[test]
    fn a_skipped_hour_means_just_after_the_gap() {
        // 29 March 2026, 02:00 → 03:00 in Berlin: 02:30 does not exist.
        assert_eq!(
            at("Europe/Berlin", "2026-03-29T02:30").starts_at,
            Some(utc_ms("2026-03-29T01:30:00Z"))
        );
    }

    #[test]
    fn a_repeated_hour_means_the_first_time() {
        // 25 October 2026, 03:00 → 02:00 in Berlin: 02:30 happens twice; the first is UTC+2.
        assert_eq!(
            at("Europe/Berlin", "2026-10-25T02:30").starts_at,
            Some(utc_ms("2026-10-25T00:30:00Z"))
        );
        // New York, 1 November 2026, 01:30 happens twice; the first is UTC-4.
        assert_eq!(
            at("America/New_York", "2026-11-01T01:30").starts_at,
            Some(utc_ms("2026-11-01T05:30:00Z"))
        );
    }

    #[test]
    fn bad_zone_and_bad_time_are_refused_by_field() {
        let mut s = Schedule {
            zone: "Mars/Olympus".into(),
            start_local: "2026-01-01T00:00".into(),
            ..Default::default()
        };
        let errs = resolve(&mut s);
        assert_eq!(errs[0].field, "targeting.schedule.zone");
        assert_eq!(s.starts_at, None);
        let mut s = Schedule {
            end_local: "tomorrow".into(),
            ..Default::default()
        };
        assert_eq!(resolve(&mut s)[0].field, "targeting.schedule.end_local");
    }
}
