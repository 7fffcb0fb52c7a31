//! The viewport of the diagram: pan and zoom, fitted to the drawing or zoomed at a point.

use super::geometry::Rect;

/// Screen-to-diagram transform of the viewport: `diagram = (screen - pan) / zoom`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    /// Scale factor.
    pub zoom: f64,
    /// Horizontal offset in screen pixels.
    pub pan_x: f64,
    /// Vertical offset in screen pixels.
    pub pan_y: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            zoom: 1.0,
            pan_x: 0.0,
            pan_y: 0.0,
        }
    }
}

/// Smallest zoom.
pub const ZOOM_MIN: f64 = 0.2;
/// Largest zoom.
pub const ZOOM_MAX: f64 = 4.0;
/// The smallest zoom a fit uses in large type: the diagram's text at 1.5 times its size.
pub const LARGE_TYPE_ZOOM: f64 = 1.5;
/// The largest zoom of an ordinary fit: a small drawing is not blown up past this.
const FIT_ZOOM_MAX: f64 = 1.5;
/// The space left above and to the left of a drawing too large for the screen.
pub(crate) const FIT_MARGIN: f64 = 12.0;

impl Viewport {
    /// The SVG `transform` attribute.
    pub fn transform(self) -> String {
        format!(
            "translate({:.1} {:.1}) scale({:.4})",
            self.pan_x, self.pan_y, self.zoom
        )
    }

    /// A diagram point from a point in the SVG element's pixels.
    pub fn to_diagram(self, sx: f64, sy: f64) -> (f64, f64) {
        ((sx - self.pan_x) / self.zoom, (sy - self.pan_y) / self.zoom)
    }

    /// Zooms by `factor` keeping the screen point `(sx, sy)` fixed.
    pub fn zoom_at(self, factor: f64, sx: f64, sy: f64) -> Viewport {
        let zoom = (self.zoom * factor).clamp(ZOOM_MIN, ZOOM_MAX);
        let (dx, dy) = self.to_diagram(sx, sy);
        Viewport {
            zoom,
            pan_x: sx - dx * zoom,
            pan_y: sy - dy * zoom,
        }
    }

    /// The viewport that fits `bounds` into a `width` x `height` screen area.
    pub fn fit(bounds: Rect, width: f64, height: f64) -> Viewport {
        Viewport::fit_readable(bounds, width, height, ZOOM_MIN)
    }

    /// Like [`Viewport::fit`], but never below `min_zoom`, so that text stays readable (large
    /// type, for projectors): a drawing that does not fit at that zoom is shown from its top
    /// left corner, and the rest is a pan away.
    pub fn fit_readable(bounds: Rect, width: f64, height: f64, min_zoom: f64) -> Viewport {
        if bounds.w <= 0.0 || bounds.h <= 0.0 || width <= 0.0 || height <= 0.0 {
            return Viewport::default();
        }
        let min_zoom = min_zoom.clamp(ZOOM_MIN, ZOOM_MAX);
        let zoom = (width / bounds.w)
            .min(height / bounds.h)
            .clamp(ZOOM_MIN, FIT_ZOOM_MAX)
            .max(min_zoom);
        Viewport::placed(bounds, width, height, zoom)
    }

    /// The viewport that makes `bounds` fill a `width` x `height` screen area, less `FIT_MARGIN`
    /// on every side, at whatever zoom that takes (presentation mode): unlike
    /// [`Viewport::fit`], a small drawing is enlarged past 1.5 times, up to [`ZOOM_MAX`].
    pub fn fill(bounds: Rect, width: f64, height: f64) -> Viewport {
        if bounds.w <= 0.0 || bounds.h <= 0.0 || width <= 0.0 || height <= 0.0 {
            return Viewport::default();
        }
        let inner = |screen: f64| (screen - 2.0 * FIT_MARGIN).max(1.0);
        let zoom = (inner(width) / bounds.w)
            .min(inner(height) / bounds.h)
            .clamp(ZOOM_MIN, ZOOM_MAX);
        Viewport::placed(bounds, width, height, zoom)
    }

    /// `bounds` at `zoom`, centred on each axis where it fits, else from its top left corner.
    fn placed(bounds: Rect, width: f64, height: f64, zoom: f64) -> Viewport {
        let place = |screen: f64, start: f64, size: f64| {
            if size * zoom <= screen {
                (screen - size * zoom) / 2.0 - start * zoom
            } else {
                FIT_MARGIN - start * zoom
            }
        };
        Viewport {
            zoom,
            pan_x: place(width, bounds.x, bounds.w),
            pan_y: place(height, bounds.y, bounds.h),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(w: f64, h: f64) -> Rect {
        Rect {
            x: 0.0,
            y: 0.0,
            w,
            h,
        }
    }

    #[test]
    fn fill_enlarges_a_small_drawing_past_the_cap_of_a_fit() {
        let bounds = rect(400.0, 200.0);
        assert_eq!(Viewport::fit(bounds, 1024.0, 700.0).zoom, FIT_ZOOM_MAX);
        let filled = Viewport::fill(bounds, 1024.0, 700.0);
        assert!((filled.zoom - 1000.0 / 400.0).abs() < 1e-9, "{filled:?}");
        // Centred, and inside the margins on both axes.
        assert!((filled.pan_x - 12.0).abs() < 1e-9, "{filled:?}");
        assert!((filled.pan_y - (700.0 - 200.0 * filled.zoom) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn fill_keeps_a_large_drawing_whole_on_the_screen() {
        let bounds = Rect {
            x: 30.0,
            y: -20.0,
            w: 1554.0,
            h: 466.0,
        };
        let viewport = Viewport::fill(bounds, 1024.0, 600.0);
        let (left, top) = (
            viewport.pan_x + bounds.x * viewport.zoom,
            viewport.pan_y + bounds.y * viewport.zoom,
        );
        let (right, bottom) = (
            left + bounds.w * viewport.zoom,
            top + bounds.h * viewport.zoom,
        );
        assert!(
            left >= 12.0 - 1e-9 && right <= 1012.0 + 1e-9,
            "{viewport:?}"
        );
        assert!(top >= 0.0 && bottom <= 600.0, "{viewport:?}");
    }

    #[test]
    fn fill_of_nothing_is_the_identity() {
        assert_eq!(
            Viewport::fill(rect(0.0, 10.0), 800.0, 600.0),
            Viewport::default()
        );
        assert_eq!(
            Viewport::fill(rect(10.0, 10.0), 0.0, 600.0),
            Viewport::default()
        );
    }

    #[test]
    fn fill_is_bounded_by_the_largest_zoom() {
        assert_eq!(
            Viewport::fill(rect(10.0, 10.0), 1024.0, 768.0).zoom,
            ZOOM_MAX
        );
    }
}
