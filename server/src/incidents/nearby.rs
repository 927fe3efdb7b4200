//! Possible duplicates from the columns: the open cases of one minor category near a point, reported recently,
//! nearest first. The window is a binary search; within it the scan of [`Selection::candidates`] picks the cases of
//! the category in the circle's bounding box, and of those the open ones within the radius remain (a distance on the
//! local plane: metres on a sphere of the Earth's mean radius, exact enough at a hundred metres).

use super::columns::Columns;
use super::select::Selection;
use crate::store::cases::Seer;

/// Metres per degree of latitude.
pub(crate) const METRES_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// Open cases of `category` within `radius_m` of `(lon, lat)` reported since `since` (Unix microseconds), other
/// than `except`, nearest first, at most `limit`.
pub fn open_near(
    c: &Columns,
    category: &str,
    (lon, lat): (f64, f64),
    radius_m: f64,
    since: i64,
    except: Option<i64>,
    limit: usize,
) -> Vec<i64> {
    if c.categories.get(category).is_none() {
        return Vec::new();
    }
    let shrink = lat.to_radians().cos();
    let (dlon, dlat) = (radius_m / (METRES_PER_DEGREE * shrink), radius_m / METRES_PER_DEGREE);
    let near = Selection { seer: Seer::Areas(Vec::new()), categories: vec![category.to_owned()], states: Vec::new() };
    let mut found: Vec<(f64, i64)> = near
        .candidates(c, c.window(Some(since), None), Some([lon - dlon, lat - dlat, lon + dlon, lat + dlat]))
        .filter(|&p| !c.state_at(p).is_terminal() && Some(c.id[p]) != except)
        .filter_map(|p| {
            let dx = (c.lon[p] as f64 - lon) * shrink * METRES_PER_DEGREE;
            let dy = (c.lat[p] as f64 - lat) * METRES_PER_DEGREE;
            let d = (dx * dx + dy * dy).sqrt();
            (d <= radius_m).then_some((d, c.id[p]))
        })
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found.into_iter().take(limit).map(|(_, id)| id).collect()
}
