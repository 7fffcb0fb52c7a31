//! Plane geometry of the drawing: rectangles, and the curved edges between two boxes with the
//! lanes that keep parallel edges apart.

use std::collections::BTreeMap;

/// An axis-aligned rectangle in diagram units.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// The centre point.
    pub fn center(self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// The right edge.
    pub fn right(self) -> f64 {
        self.x + self.w
    }

    /// The bottom edge.
    pub fn bottom(self) -> f64 {
        self.y + self.h
    }

    /// The smallest rectangle holding both.
    pub fn union(self, other: Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Rect {
            x,
            y,
            w: self.right().max(other.right()) - x,
            h: self.bottom().max(other.bottom()) - y,
        }
    }

    /// The point where the segment from the centre towards `(tx, ty)` leaves the rectangle.
    pub fn border_towards(self, tx: f64, ty: f64) -> (f64, f64) {
        let (cx, cy) = self.center();
        let (dx, dy) = (tx - cx, ty - cy);
        if dx == 0.0 && dy == 0.0 {
            return (cx, cy);
        }
        let sx = if dx == 0.0 {
            f64::INFINITY
        } else {
            (self.w / 2.0) / dx.abs()
        };
        let sy = if dy == 0.0 {
            f64::INFINITY
        } else {
            (self.h / 2.0) / dy.abs()
        };
        let s = sx.min(sy).min(1.0);
        (cx + dx * s, cy + dy * s)
    }
}

/// A straight edge between two boxes, clipped to their borders, with the point for its label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EdgeGeometry {
    /// Start point.
    pub from: (f64, f64),
    /// End point (where the arrow head goes).
    pub to: (f64, f64),
    /// Control point of the quadratic curve.
    pub control: (f64, f64),
    /// Where the label sits.
    pub label: (f64, f64),
}

impl EdgeGeometry {
    /// The SVG path data.
    pub fn path(&self) -> String {
        format!(
            "M {:.1} {:.1} Q {:.1} {:.1} {:.1} {:.1}",
            self.from.0, self.from.1, self.control.0, self.control.1, self.to.0, self.to.1
        )
    }
}

/// The curve from one box to another. `lane` spreads parallel edges apart (0 is straight,
/// odd lanes bend one way, even lanes the other).
pub fn edge(from: Rect, to: Rect, lane: usize) -> EdgeGeometry {
    let (fx, fy) = from.center();
    let (tx, ty) = to.center();
    let start = from.border_towards(tx, ty);
    let end = to.border_towards(fx, fy);
    let (mx, my) = ((start.0 + end.0) / 2.0, (start.1 + end.1) / 2.0);
    let (dx, dy) = (end.0 - start.0, end.1 - start.1);
    let length = (dx * dx + dy * dy).sqrt().max(1.0);
    // Unit normal, turned the same way for every pair so lanes do not cross.
    let (nx, ny) = (-dy / length, dx / length);
    let bend = if lane == 0 {
        0.0
    } else {
        let step = lane.div_ceil(2) as f64 * 34.0;
        if lane % 2 == 1 {
            step
        } else {
            -step
        }
    };
    let control = (mx + nx * bend * 2.0, my + ny * bend * 2.0);
    // The midpoint of a quadratic Bezier is halfway between the chord midpoint and the
    // control point.
    let label = ((mx + control.0) / 2.0, (my + control.1) / 2.0);
    EdgeGeometry {
        from: start,
        to: end,
        control,
        label,
    }
}

/// Assigns lanes to edges so that edges between the same two boxes (in either direction) do
/// not overlap. Returns one lane per input pair, in input order.
pub fn lanes<K: Ord + Clone>(pairs: &[(K, K)]) -> Vec<usize> {
    let mut used: BTreeMap<(K, K), usize> = BTreeMap::new();
    pairs
        .iter()
        .map(|(a, b)| {
            let key = if a <= b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            };
            let counter = used.entry(key).or_insert(0);
            let lane = *counter;
            *counter += 1;
            lane
        })
        .collect()
}
