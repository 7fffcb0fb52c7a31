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
            .clamp(ZOOM_MIN, 1.5)
            .max(min_zoom);
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
