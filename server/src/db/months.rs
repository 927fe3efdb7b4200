//! The month partitions of `cases` and `case_trail` (migration 0023): the database's own functions make a month's
//! partition and move its rows out of the default partition; this module says when.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::PgPool;

use crate::store::Result;

/// The tables partitioned by month, each with its default partition `<table>_default`.
pub const PARTITIONED: [&str; 2] = ["cases", "case_trail"];

/// Give every partitioned table its partitions for this month and the next two, and for every month whose rows sit
/// in a default partition (history written before its month had a partition). Returns how many it made.
pub async fn tidy(pool: &PgPool) -> Result<i64> {
    let mut made = 0;
    for table in PARTITIONED {
        let n: i32 = sqlx::query_scalar("SELECT tidy_month_partitions($1)").bind(table).fetch_one(pool).await?;
        made += i64::from(n);
    }
    Ok(made)
}

/// Make the partitions of every month from `from` to `to` (inclusive) before a bulk load, so its rows go straight to
/// their months. Returns how many it made.
pub async fn prepare(pool: &PgPool, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<i64> {
    let mut made = 0;
    for month in months(china_month(from), china_month(to)) {
        for table in PARTITIONED {
            let new: bool = sqlx::query_scalar("SELECT ensure_month_partition($1, $2)")
                .bind(table)
                .bind(month)
                .fetch_one(pool)
                .await?;
            made += i64::from(new);
        }
    }
    Ok(made)
}

/// The first day of the China-time month holding `at`.
pub fn china_month(at: DateTime<Utc>) -> NaiveDate {
    let local = at.with_timezone(&wangge_domain::case::clock::china()).date_naive();
    local.with_day(1).expect("the first of a month")
}

/// The first days of the months from `from` to `to`, both first days of a month.
fn months(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    std::iter::successors(Some(from), |m| m.checked_add_months(chrono::Months::new(1))).take_while(move |m| *m <= to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_month_is_china_time() {
        // 2025-01-31 17:00 UTC is 1 February 01:00 in Beijing.
        let at = Utc.with_ymd_and_hms(2025, 1, 31, 17, 0, 0).unwrap();
        assert_eq!(china_month(at), NaiveDate::from_ymd_opt(2025, 2, 1).unwrap());
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        assert_eq!(
            months(d(2024, 11), d(2025, 2)).collect::<Vec<_>>(),
            [d(2024, 11), d(2024, 12), d(2025, 1), d(2025, 2)]
        );
        assert_eq!(months(d(2025, 2), d(2025, 1)).count(), 0);
    }
}
