//! Zoom and fit: the buttons, and the fit after the first render and after a change of
//! topology, panel or type size.

use web_sys::Element;
use yew::prelude::*;

use crate::layout::{self, Rect, Viewport};

/// Fits the drawing after the first render and whenever a topology of another title or size
/// is shown, the explanation panel opens or closes, or large type changes.
#[hook]
pub fn use_fit(
    svg_ref: &NodeRef,
    viewport: &UseStateHandle<Viewport>,
    bounds: Rect,
    dependencies: (String, usize, bool, bool),
) {
    let (viewport, svg_ref) = (viewport.clone(), svg_ref.clone());
    let min_zoom = fit_zoom(dependencies.3);
    use_effect_with(dependencies, move |_| {
        if let Some(svg) = svg_ref.cast::<Element>() {
            let rect = svg.get_bounding_client_rect();
            viewport.set(Viewport::fit_readable(
                bounds,
                rect.width(),
                rect.height(),
                min_zoom,
            ));
        }
    });
}

/// The zoom buttons: zoom by `factor` at the centre of the drawing.
pub fn zoom_button(
    svg_ref: &NodeRef,
    viewport: &UseStateHandle<Viewport>,
    factor: f64,
) -> Callback<MouseEvent> {
    let (viewport, svg_ref) = (viewport.clone(), svg_ref.clone());
    Callback::from(move |_: MouseEvent| {
        let (w, h) = svg_ref
            .cast::<Element>()
            .map(|svg| {
                let rect = svg.get_bounding_client_rect();
                (rect.width(), rect.height())
            })
            .unwrap_or((800.0, 600.0));
        viewport.set(viewport.zoom_at(factor, w / 2.0, h / 2.0));
    })
}

/// The Fit button.
pub fn fit_button(
    svg_ref: &NodeRef,
    viewport: &UseStateHandle<Viewport>,
    bounds: Rect,
    large_type: bool,
) -> Callback<MouseEvent> {
    let (viewport, svg_ref) = (viewport.clone(), svg_ref.clone());
    let min_zoom = fit_zoom(large_type);
    Callback::from(move |_: MouseEvent| {
        if let Some(svg) = svg_ref.cast::<Element>() {
            let rect = svg.get_bounding_client_rect();
            viewport.set(Viewport::fit_readable(
                bounds,
                rect.width(),
                rect.height(),
                min_zoom,
            ));
        }
    })
}

/// The smallest zoom a fit may use: any in normal type, readable text in large type.
fn fit_zoom(large_type: bool) -> f64 {
    if large_type {
        layout::LARGE_TYPE_ZOOM
    } else {
        layout::ZOOM_MIN
    }
}
