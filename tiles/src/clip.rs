//! Clipping to a tile rectangle (with its buffer): Sutherland–Hodgman for rings, Liang–Barsky for lines.
//! Rings clipped this way may run along the rectangle's edge; renderers draw that fine and the buffer keeps it
//! outside the visible tile.

/// A clip rectangle (min x, min y, max x, max y) in tile units.
pub type Rect = [f64; 4];

/// Clip a closed ring (first point not repeated); returns an empty ring if nothing is left.
pub fn clip_ring(ring: &[[f64; 2]], r: &Rect) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = ring.to_vec();
    // each edge: (axis, bound, keep-if-greater)
    for (axis, bound, greater) in [(0, r[0], true), (0, r[2], false), (1, r[1], true), (1, r[3], false)] {
        if out.is_empty() {
            break;
        }
        let inside = |p: &[f64; 2]| {
            if greater {
                p[axis] >= bound
            } else {
                p[axis] <= bound
            }
        };
        let input = std::mem::take(&mut out);
        let mut prev = *input.last().expect("non-empty");
        for p in input {
            let (pin, qin) = (inside(&p), inside(&prev));
            if pin != qin {
                let t = (bound - prev[axis]) / (p[axis] - prev[axis]);
                let mut cut = [prev[0] + t * (p[0] - prev[0]), prev[1] + t * (p[1] - prev[1])];
                cut[axis] = bound;
                out.push(cut);
            }
            if pin {
                out.push(p);
            }
            prev = p;
        }
    }
    out
}

/// Clip a polyline; returns the pieces inside.
pub fn clip_line(line: &[[f64; 2]], r: &Rect) -> Vec<Vec<[f64; 2]>> {
    let mut pieces = Vec::new();
    let mut current: Vec<[f64; 2]> = Vec::new();
    for w in line.windows(2) {
        match clip_segment(w[0], w[1], r) {
            Some((a, b, b_cut)) => {
                if current.last() != Some(&a) {
                    if current.len() >= 2 {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(a);
                }
                current.push(b);
                if b_cut {
                    pieces.push(std::mem::take(&mut current));
                }
            }
            None => {
                if current.len() >= 2 {
                    pieces.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() >= 2 {
        pieces.push(current);
    }
    pieces
}

/// Liang–Barsky: the visible part of a segment, and whether its end was cut.
fn clip_segment(a: [f64; 2], b: [f64; 2], r: &Rect) -> Option<([f64; 2], [f64; 2], bool)> {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, a[0] - r[0]), (dx, r[2] - a[0]), (-dy, a[1] - r[1]), (dy, r[3] - a[1])] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| [a[0] + t * dx, a[1] + t * dy];
    Some((if t0 > 0.0 { at(t0) } else { a }, if t1 < 1.0 { at(t1) } else { b }, t1 < 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_half_outside() {
        let ring = [[-10.0, 0.0], [10.0, 0.0], [10.0, 10.0], [-10.0, 10.0]];
        let c = clip_ring(&ring, &[0.0, 0.0, 100.0, 100.0]);
        let area: f64 =
            c.iter().zip(c.iter().cycle().skip(1)).map(|(p, q)| p[0] * q[1] - q[0] * p[1]).sum::<f64>() / 2.0;
        assert!((area.abs() - 100.0).abs() < 1e-9);
        assert!(clip_ring(&ring, &[50.0, 50.0, 60.0, 60.0]).is_empty());
    }

    #[test]
    fn line_crossing_twice() {
        let line = [[-5.0, 5.0], [5.0, 5.0], [15.0, 5.0], [15.0, 8.0], [5.0, 8.0]];
        let pieces = clip_line(&line, &[0.0, 0.0, 10.0, 10.0]);
        assert_eq!(pieces, vec![vec![[0.0, 5.0], [5.0, 5.0], [10.0, 5.0]], vec![[10.0, 8.0], [5.0, 8.0]]]);
    }
}
