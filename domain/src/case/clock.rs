//! The deadline clock (处置时限): a time limit counted in clock time or in working time on the official working-day
//! calendar — weekends off except the make-up working days (调休), official holidays off — during working hours.
//! The clock stops while a case is suspended and grows with approved extensions; its light turns yellow at 80 % of
//! the limit and red when it is used up.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::{Light, LimitUnit, TimeLimit};

/// China Standard Time (UTC+8, no daylight saving): working days and hours are reckoned in it.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Share of the limit from which a case shows yellow.
pub const YELLOW_AT: f64 = 0.8;

/// Where working time is: which days are working days and the working hours of each.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    spans: Vec<(NaiveTime, NaiveTime)>,
}

impl Default for WorkCalendar {
    /// Monday to Friday, 08:30–12:00 and 13:30–17:30, no holidays known.
    fn default() -> Self {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("a valid time");
        Self::new(vec![(t(8, 30), t(12, 0)), (t(13, 30), t(17, 30))])
    }
}

impl WorkCalendar {
    /// A calendar with these working hours (non-overlapping, in order) on Monday to Friday.
    pub fn new(spans: Vec<(NaiveTime, NaiveTime)>) -> Self {
        Self { holidays: BTreeSet::new(), workdays: BTreeSet::new(), spans }
    }

    /// Add official days off and the weekend days that are working days (调休).
    pub fn with_days(
        mut self,
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        self.holidays.extend(holidays);
        self.workdays.extend(workdays);
        self
    }

    /// The last date the official calendar covers (`None` when it has no days): beyond it only weekends are known.
    pub fn known_until(&self) -> Option<NaiveDate> {
        self.holidays.iter().chain(&self.workdays).max().copied()
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.workdays.contains(&date) {
            return true;
        }
        !self.holidays.contains(&date) && !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Seconds of working time in one working day.
    pub fn day_seconds(&self) -> i64 {
        self.spans.iter().map(|(a, b)| (*b - *a).num_seconds()).sum()
    }

    /// The working spans of `date`, as instants.
    fn spans_of(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_working_day(date) {
            return Vec::new();
        }
        let at = |t: &NaiveTime| china().from_local_datetime(&date.and_time(*t)).single().map(|d| d.to_utc());
        self.spans.iter().filter_map(|(a, b)| Some((at(a)?, at(b)?))).collect()
    }

    /// Working seconds between `from` and `to` (0 when `to` is not after `from`).
    pub fn working_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let (first, last) = (from.with_timezone(&china()).date_naive(), to.with_timezone(&china()).date_naive());
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .flat_map(|d| self.spans_of(d))
            .map(|(a, b)| (b.min(to) - a.max(from)).num_seconds().max(0))
            .sum()
    }

    /// The instant at which `seconds` of working time after `from` have passed. Gives up (returns `None`) after
    /// ten years without enough working time, which only a calendar without working hours reaches.
    pub fn add_working(&self, from: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
        let mut left = seconds.max(0);
        let first = from.with_timezone(&china()).date_naive();
        for date in first.iter_days().take(3653) {
            for (a, b) in self.spans_of(date) {
                let start = a.max(from);
                if start >= b {
                    continue;
                }
                let available = (b - start).num_seconds();
                if left <= available {
                    return Some(start + Duration::seconds(left));
                }
                left -= available;
            }
        }
        None
    }
}

/// Clock time or working time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Every second counts.
    Clock,
    /// Only working time counts.
    Working,
}

/// A stretch of time during which the clock stood still (a suspension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    /// From.
    pub from: DateTime<Utc>,
    /// Until (`None`: still paused).
    pub to: Option<DateTime<Utc>>,
}

/// A running deadline clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    /// When it started.
    pub started: DateTime<Utc>,
    /// What counts.
    pub measure: Measure,
    /// Seconds of that measure allowed (the limit plus approved extensions).
    pub budget: i64,
    /// Stretches it stood still.
    #[serde(default)]
    pub pauses: Vec<Pause>,
}

fn measure_and_seconds(limit: TimeLimit, calendar: &WorkCalendar) -> (Measure, i64) {
    let n = i64::from(limit.amount);
    match limit.unit {
        LimitUnit::Hours => (Measure::Clock, n * 3600),
        LimitUnit::CalendarDays => (Measure::Clock, n * 86_400),
        LimitUnit::WorkingHours => (Measure::Working, n * 3600),
        LimitUnit::WorkingDays => (Measure::Working, n * calendar.day_seconds()),
    }
}

impl Clock {
    /// A clock for `limit` starting at `started`.
    pub fn start(started: DateTime<Utc>, limit: TimeLimit, calendar: &WorkCalendar) -> Self {
        let (measure, budget) = measure_and_seconds(limit, calendar);
        Self { started, measure, budget, pauses: Vec::new() }
    }

    /// Grant an extension of `limit` (counted in this clock's measure: working units add working time, clock units
    /// clock time, whatever the clock's own measure).
    pub fn extend(&mut self, limit: TimeLimit, calendar: &WorkCalendar) {
        self.budget += measure_and_seconds(limit, calendar).1;
    }

    /// Whether the clock stands still now.
    pub fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.to.is_none())
    }

    /// Stop the clock at `at` (no effect when already stopped).
    pub fn pause(&mut self, at: DateTime<Utc>) {
        if !self.is_paused() {
            self.pauses.push(Pause { from: at, to: None });
        }
    }

    /// Restart the clock at `at` (no effect when running).
    pub fn resume(&mut self, at: DateTime<Utc>) {
        if let Some(p) = self.pauses.last_mut().filter(|p| p.to.is_none()) {
            p.to = Some(at.max(p.from));
        }
    }

    fn span(&self, from: DateTime<Utc>, to: DateTime<Utc>, calendar: &WorkCalendar) -> i64 {
        match self.measure {
            Measure::Clock => (to - from).num_seconds().max(0),
            Measure::Working => calendar.working_between(from, to),
        }
    }

    /// Seconds of the measure used by `now`, pauses left out.
    pub fn used(&self, now: DateTime<Utc>, calendar: &WorkCalendar) -> i64 {
        let paused: i64 = self
            .pauses
            .iter()
            .map(|p| self.span(p.from.max(self.started), p.to.unwrap_or(now).min(now), calendar))
            .sum();
        (self.span(self.started, now, calendar) - paused).max(0)
    }

    /// Share of the budget used by `now` (1.0 = due).
    pub fn fraction(&self, now: DateTime<Utc>, calendar: &WorkCalendar) -> f64 {
        self.used(now, calendar) as f64 / self.budget.max(1) as f64
    }

    /// The light at `now`.
    pub fn light(&self, now: DateTime<Utc>, calendar: &WorkCalendar) -> Light {
        let f = self.fraction(now, calendar);
        if f >= 1.0 {
            Light::Red
        } else if f >= YELLOW_AT {
            Light::Yellow
        } else {
            Light::Green
        }
    }

    /// When `share` of the budget will have been used if the clock keeps running from `now` (`None` while it is
    /// paused). `share` 1.0 is the deadline, [`YELLOW_AT`] the warning.
    pub fn reaches(&self, share: f64, now: DateTime<Utc>, calendar: &WorkCalendar) -> Option<DateTime<Utc>> {
        if self.is_paused() {
            return None;
        }
        let target = (self.budget as f64 * share).ceil() as i64;
        let left = target - self.used(now, calendar);
        if left <= 0 {
            // Already past: an instant before `now` by the overshoot (exact for clock time, a bound for working time).
            return Some(now - Duration::seconds(-left));
        }
        match self.measure {
            Measure::Clock => Some(now + Duration::seconds(left)),
            Measure::Working => calendar.add_working(now, left),
        }
    }
}

/// The states a case waits in for someone other than the handling department, each with a stage limit: the street
/// center accepting, filing and dispatching, the district center deciding an escalated case, the grid head reviewing
/// a self-resolution, a grid worker verifying a handling.
pub const WAITING_STAGES: [super::CaseState; 6] = {
    use super::CaseState::*;
    [Reported, Accepted, Filed, Escalated, SelfResolved, Handled]
};

/// The shipped default time a stage may take before the case moves on, by the state it waits in (labelled defaults,
/// as no public source gives them; a district admin sets its own): accepting, filing and dispatching within 2
/// working hours each, the district center within 4, reviewing a self-resolution and verifying a handling within 1
/// working day. `None`: the stage runs on the whole case's clock (being handled, suspended) or the case is finished.
pub fn default_stage_limit(state: super::CaseState) -> Option<TimeLimit> {
    use super::CaseState::*;
    let hours = |amount| Some(TimeLimit { amount, unit: LimitUnit::WorkingHours });
    match state {
        Reported | Accepted | Filed => hours(2),
        Escalated => hours(4),
        SelfResolved | Handled => Some(TimeLimit { amount: 1, unit: LimitUnit::WorkingDays }),
        Dispatched | Suspended | Closed | Rejected | Voided | Merged => None,
    }
}

/// A district's stage limits: its own where it set one, else the default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageLimits {
    own: Vec<(super::CaseState, TimeLimit)>,
}

impl StageLimits {
    /// The limits with a district's own settings (entries for states that are not waiting stages are ignored).
    pub fn new(own: impl IntoIterator<Item = (super::CaseState, TimeLimit)>) -> Self {
        Self { own: own.into_iter().filter(|(s, _)| WAITING_STAGES.contains(s)).collect() }
    }

    /// The limit of the stage waiting in `state`, and whether it is the shipped default.
    pub fn get(&self, state: super::CaseState) -> Option<(TimeLimit, bool)> {
        match self.own.iter().find(|(s, _)| *s == state) {
            Some((_, limit)) => Some((*limit, false)),
            None => default_stage_limit(state).map(|l| (l, true)),
        }
    }

    /// When a stage entered in `state` at `since` runs out (`None`: no stage limit there).
    pub fn due(&self, state: super::CaseState, since: DateTime<Utc>, calendar: &WorkCalendar) -> Option<DateTime<Utc>> {
        let (limit, _) = self.get(state)?;
        Clock::start(since, limit, calendar).reaches(1.0, since, calendar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The official 2025–2026 days that matter here (from the State Council notices, as in `shared/data/cn-holidays`).
    fn calendar() -> WorkCalendar {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let range = |a: &str, b: &str| {
            let end = d(b);
            d(a).iter_days().take_while(move |x| *x <= end)
        };
        let holidays: Vec<NaiveDate> = range("2025-01-28", "2025-02-04")
            .chain(range("2025-10-01", "2025-10-08"))
            .chain(range("2026-02-15", "2026-02-23"))
            .chain(range("2026-10-01", "2026-10-07"))
            .collect();
        let workdays = [
            "2025-01-26",
            "2025-02-08",
            "2025-09-28",
            "2025-10-11",
            "2026-02-14",
            "2026-02-28",
            "2026-09-20",
            "2026-10-10",
        ]
        .map(d);
        WorkCalendar::default().with_days(holidays, workdays)
    }

    /// An instant in China time.
    fn at(s: &str) -> DateTime<Utc> {
        china()
            .from_local_datetime(&chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
            .unwrap()
            .to_utc()
    }

    fn days(n: u32) -> TimeLimit {
        TimeLimit { amount: n, unit: LimitUnit::WorkingDays }
    }

    #[test]
    fn a_working_day_is_seven_and_a_half_hours() {
        assert_eq!(WorkCalendar::default().day_seconds(), 7 * 3600 + 1800);
        let c = calendar();
        assert_eq!(c.working_between(at("2025-03-03 08:00"), at("2025-03-03 20:00")), 27_000);
        assert_eq!(c.working_between(at("2025-03-03 12:30"), at("2025-03-03 13:00")), 0, "lunch does not count");
    }

    #[test]
    fn the_2025_spring_festival_stops_the_clock() {
        let c = calendar();
        // Reported Monday 27 January 2025 at 10:00, the day before the holiday; 2 working days.
        let clock = Clock::start(at("2025-01-27 10:00"), days(2), &c);
        // 27 Jan gives 6 h of working time; 28 Jan – 4 Feb is the holiday; 5 Feb (Wednesday) is the next working day.
        let due = clock.reaches(1.0, at("2025-01-27 10:00"), &c).unwrap();
        assert_eq!(due, at("2025-02-06 10:00"));
        assert_eq!(clock.light(at("2025-02-03 10:00"), &c), Light::Green, "holiday days do not count");
        assert_eq!(clock.light(at("2025-02-06 09:00"), &c), Light::Yellow);
        assert_eq!(clock.light(at("2025-02-06 10:00"), &c), Light::Red);
    }

    #[test]
    fn a_make_up_saturday_counts_as_a_working_day() {
        let c = calendar();
        // Friday 7 February 2025 at 17:00, 1 working day: Saturday 8 February is a 调休 working day.
        let clock = Clock::start(at("2025-02-07 17:00"), days(1), &c);
        assert!(c.is_working_day(NaiveDate::from_ymd_opt(2025, 2, 8).unwrap()));
        assert_eq!(clock.reaches(1.0, at("2025-02-07 17:00"), &c).unwrap(), at("2025-02-08 17:00"));
        // An ordinary Saturday is not.
        assert!(!c.is_working_day(NaiveDate::from_ymd_opt(2025, 3, 8).unwrap()));
    }

    #[test]
    fn the_2026_spring_festival_and_national_day_periods() {
        let c = calendar();
        // 2026: Saturday 14 Feb is a working day, 15–23 Feb off.
        let clock = Clock::start(at("2026-02-13 09:00"), days(2), &c);
        assert_eq!(clock.reaches(1.0, at("2026-02-13 09:00"), &c).unwrap(), at("2026-02-24 09:00"));
        // National Day 2026: 1–7 Oct off, Saturday 10 Oct worked. 3 working days from Wednesday 30 Sep 09:00: the
        // 30th, Thursday the 8th, Friday the 9th — due on the make-up Saturday.
        let clock = Clock::start(at("2026-09-30 09:00"), days(3), &c);
        assert_eq!(clock.reaches(1.0, at("2026-09-30 09:00"), &c).unwrap(), at("2026-10-10 09:00"));
        // 2025's combined National Day and Mid-Autumn period, 1–8 Oct, with Saturday 11 Oct worked.
        let clock = Clock::start(at("2025-09-30 09:00"), days(3), &c);
        assert_eq!(clock.reaches(1.0, at("2025-09-30 09:00"), &c).unwrap(), at("2025-10-11 09:00"));
    }

    #[test]
    fn a_suspension_stops_the_clock_and_an_extension_moves_the_deadline() {
        let c = calendar();
        let mut clock = Clock::start(at("2025-03-03 09:00"), days(1), &c);
        clock.pause(at("2025-03-03 10:00"));
        assert!(clock.reaches(1.0, at("2025-03-05 10:00"), &c).is_none(), "no deadline while suspended");
        assert_eq!(clock.used(at("2025-03-05 10:00"), &c), 3600, "two days suspended count nothing");
        clock.resume(at("2025-03-05 10:00"));
        // 1 h used, 6.5 h left from Wednesday 10:00: 10:00–12:00, 13:30–17:30 and 30 minutes on Thursday.
        assert_eq!(clock.reaches(1.0, at("2025-03-05 10:00"), &c).unwrap(), at("2025-03-06 09:00"));
        clock.extend(TimeLimit { amount: 2, unit: LimitUnit::WorkingHours }, &c);
        assert_eq!(clock.reaches(1.0, at("2025-03-05 10:00"), &c).unwrap(), at("2025-03-06 11:00"));
    }

    #[test]
    fn a_stage_clock_starts_when_the_stage_does() {
        let c = calendar();
        let limit = default_stage_limit(super::super::CaseState::Reported).unwrap();
        // Reported on the last working afternoon before the 2025 Spring Festival: the 2 working hours to accept it
        // run out after the holiday.
        let clock = Clock::start(at("2025-01-27 16:30"), limit, &c);
        assert_eq!(clock.reaches(1.0, at("2025-01-27 16:30"), &c).unwrap(), at("2025-02-05 09:30"));
        assert!(default_stage_limit(super::super::CaseState::Dispatched).is_none());
        let own = TimeLimit { amount: 30, unit: LimitUnit::Hours };
        let limits = StageLimits::new([(super::super::CaseState::Filed, own), (super::super::CaseState::Closed, own)]);
        assert_eq!(limits.get(super::super::CaseState::Filed), Some((own, false)));
        assert_eq!(limits.get(super::super::CaseState::Reported), Some((limit, true)));
        assert_eq!(limits.get(super::super::CaseState::Closed), None, "a finished case has no stage");
    }

    #[test]
    fn clock_hours_run_through_nights_and_holidays() {
        let c = calendar();
        let clock = Clock::start(at("2025-01-28 22:00"), TimeLimit { amount: 4, unit: LimitUnit::Hours }, &c);
        assert_eq!(clock.reaches(1.0, at("2025-01-28 22:00"), &c).unwrap(), at("2025-01-29 02:00"));
        assert_eq!(clock.light(at("2025-01-29 01:30"), &c), Light::Yellow);
    }
}
