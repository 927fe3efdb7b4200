//! Readable case numbers: the district code, the report date (China time) and a serial of that district and day,
//! e.g. `320115-20261130-0042`.

use chrono::NaiveDate;

/// The number of the `serial`-th case (from 1) reported in `district` on `date`.
///
/// ```
/// use chrono::NaiveDate;
/// use wangge_domain::case::number::case_number;
/// let d = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
/// assert_eq!(case_number("320115", d, 42), "320115-20261130-0042");
/// ```
pub fn case_number(district: &str, date: NaiveDate, serial: u32) -> String {
    format!("{district}-{}-{serial:04}", date.format("%Y%m%d"))
}
