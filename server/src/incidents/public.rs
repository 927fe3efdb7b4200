//! Public reports from the columns, for Open311's request list and the public map: the cases reported by the public
//! outside sensitive categories, in a window (a binary search), inside a box or a circle, of some categories, open
//! or finished, newest first, one page and the total.

use wangge_domain::case::{CaseState, Channel};

use super::columns::Columns;
use super::nearby::METRES_PER_DEGREE;

/// Which public reports.
#[derive(Debug, Clone, Default)]
pub struct PublicQuery {
    /// Reported from (Unix microseconds).
    pub from: Option<i64>,
    /// Reported before.
    pub to: Option<i64>,
    /// West, south, east, north.
    pub bbox: Option<[f64; 4]>,
    /// Within this many metres of a point.
    pub circle: Option<((f64, f64), f64)>,
    /// Of these minor categories (`None`: any).
    pub categories: Option<Vec<String>>,
    /// Open (`Some(true)`) or finished (`Some(false)`).
    pub open: Option<bool>,
    /// Only those a street center accepted (the public map).
    pub accepted_only: bool,
    /// Skip this many.
    pub offset: usize,
    /// At most this many.
    pub limit: usize,
}

/// The page's case ids, newest first, and how many match in all.
pub fn page(c: &Columns, q: &PublicQuery, sensitive: &[String]) -> (Vec<i64>, usize) {
    let public = Channel::ALL.iter().position(|&ch| ch == Channel::Public).unwrap_or(0) as u8;
    let hidden = c.categories.marks(sensitive.iter().map(String::as_str));
    let wanted = q.categories.as_ref().map(|k| c.categories.marks(k.iter().map(String::as_str)));
    let shrink = q.circle.map_or(1.0, |((_, lat), _)| lat.to_radians().cos());
    let mut total = 0;
    let mut ids = Vec::with_capacity(q.limit);
    for p in c.window(q.from, q.to).rev() {
        let k = c.category[p] as usize;
        if c.channel[p] != public || hidden[k] || wanted.as_ref().is_some_and(|w| !w[k]) {
            continue;
        }
        let state: CaseState = c.state_at(p);
        if q.open.is_some_and(|open| open == state.is_terminal()) || (q.accepted_only && !state.is_accepted()) {
            continue;
        }
        let (lon, lat) = (c.lon[p] as f64, c.lat[p] as f64);
        if q.bbox.is_some_and(|[w, s, e, n]| lon < w || lon > e || lat < s || lat > n) {
            continue;
        }
        if let Some(((x, y), r)) = q.circle {
            let (dx, dy) = ((lon - x) * shrink * METRES_PER_DEGREE, (lat - y) * METRES_PER_DEGREE);
            if dx * dx + dy * dy > r * r {
                continue;
            }
        }
        if total >= q.offset && ids.len() < q.limit {
            ids.push(c.id[p]);
        }
        total += 1;
    }
    (ids, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::incidents::IncidentRow;
    use chrono::{TimeZone, Utc};

    fn row(id: i64, minute: i64, channel: &str, state: &str, category: &str, lon: f64) -> IncidentRow {
        IncidentRow {
            id,
            reported_at: Utc.timestamp_opt(1_700_000_000 + minute * 60, 0).unwrap(),
            lon,
            lat: 31.9,
            category_code: category.into(),
            major_code: category[..3].into(),
            district_code: "990101".into(),
            state: state.into(),
            channel: channel.into(),
            ..IncidentRow::default()
        }
    }

    #[test]
    fn only_public_reports_outside_sensitive_categories_newest_first_in_pages() {
        let c = Columns::from_rows(vec![
            row(1, 1, "public", "reported", "E06001", 118.80),
            row(2, 2, "patrol", "filed", "E06001", 118.80),
            row(3, 3, "public", "closed", "G01001", 118.80),
            row(4, 4, "public", "closed", "E06001", 118.80),
            row(5, 5, "public", "dispatched", "E09006", 118.90),
            row(6, 6, "public", "rejected", "E06001", 118.80),
        ]);
        let sensitive = vec!["G01001".to_owned()];
        let all = PublicQuery { limit: 10, ..Default::default() };
        assert_eq!(page(&c, &all, &sensitive), (vec![6, 5, 4, 1], 4));
        let second = PublicQuery { offset: 1, limit: 2, ..all.clone() };
        assert_eq!(page(&c, &second, &sensitive), (vec![5, 4], 4));
        let open = PublicQuery { open: Some(true), ..all.clone() };
        assert_eq!(page(&c, &open, &sensitive).0, vec![5, 1]);
        let map = PublicQuery { accepted_only: true, bbox: Some([118.7, 31.8, 118.85, 32.0]), ..all.clone() };
        assert_eq!(page(&c, &map, &sensitive).0, vec![4]);
        let near = PublicQuery { circle: Some(((118.9, 31.9), 100.0)), ..all.clone() };
        assert_eq!(page(&c, &near, &sensitive).0, vec![5]);
        let kind = PublicQuery { categories: Some(vec!["E09006".into()]), ..all };
        assert_eq!(page(&c, &kind, &sensitive).0, vec![5]);
    }
}
