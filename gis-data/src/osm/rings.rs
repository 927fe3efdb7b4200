//! Joining the member ways of a multipolygon relation into closed rings.

use geo::{Coord, LineString};

/// Join way coordinate lists end to end into closed rings; pieces that never close are dropped.
pub fn assemble(mut pieces: Vec<Vec<Coord<f64>>>) -> Vec<LineString<f64>> {
    let mut rings = Vec::new();
    pieces.retain(|p| p.len() >= 2);
    while let Some(mut ring) = pieces.pop() {
        loop {
            if ring.len() >= 4 && ring.first() == ring.last() {
                rings.push(LineString(ring));
                break;
            }
            let end = *ring.last().expect("non-empty");
            let next = pieces.iter().position(|p| p.first() == Some(&end) || p.last() == Some(&end));
            match next {
                Some(i) => {
                    let mut p = pieces.swap_remove(i);
                    if p.first() != Some(&end) {
                        p.reverse();
                    }
                    ring.extend(p.into_iter().skip(1));
                }
                None => break,
            }
        }
    }
    rings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_reversed_pieces() {
        let c = |x: f64, y: f64| Coord { x, y };
        let rings = assemble(vec![
            vec![c(0.0, 0.0), c(1.0, 0.0)],
            vec![c(1.0, 1.0), c(1.0, 0.0)],
            vec![c(1.0, 1.0), c(0.0, 1.0), c(0.0, 0.0)],
        ]);
        assert_eq!(rings.len(), 1);
        assert_eq!(rings[0].0.len(), 5);
    }
}
