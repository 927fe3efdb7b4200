//! Grid sequence numbers inside a community: west→east within a row, rows north→south (reading order).
//!
//! ```
//! use wangge_domain::numbering::reading_order;
//! // two rows: (0,1) (1,1) on top, (0,0) (1,0) below
//! let centroids = [(1.0, 0.0), (0.0, 1.0), (0.0, 0.0), (1.0, 1.0)];
//! assert_eq!(reading_order(&centroids), vec![4, 1, 3, 2]);
//! ```

/// For each centroid (x = longitude, y = latitude), its 1-based position in reading order.
///
/// Rows are bands as tall as a typical grid (the square root of the bounding box area per grid), so grids whose
/// centres differ a little in latitude still count as one row.
pub fn reading_order(centroids: &[(f64, f64)]) -> Vec<u16> {
    let n = centroids.len();
    if n == 0 {
        return Vec::new();
    }
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in centroids {
        min_x = min_x.min(x);
        max_x = max_x.max(x);
        min_y = min_y.min(y);
        max_y = max_y.max(y);
    }
    let area = ((max_x - min_x) * (max_y - min_y)).max(0.0);
    let band = (area / n as f64).sqrt();
    let row = |y: f64| {
        if band > 0.0 {
            ((max_y - y) / band).floor() as i64
        } else {
            0
        }
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (ax, ay) = centroids[a];
        let (bx, by) = centroids[b];
        row(ay).cmp(&row(by)).then(ax.total_cmp(&bx)).then(by.total_cmp(&ay))
    });
    let mut seq = vec![0u16; n];
    for (pos, i) in order.into_iter().enumerate() {
        seq[i] = u16::try_from(pos + 1).unwrap_or(u16::MAX);
    }
    seq
}
