//! Zoom and fit: the buttons, and the fit after the first render and after a change of
//! topology, panel, type size or presentation mode; the size of the diagram's box, which the
//! presentation layout suits.

use web_sys::Element;
use yew::prelude::*;

use super::DiagramProps;
use crate::layout::{self, Rect, Viewport};

/// How the drawing is fitted to the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// The whole drawing, never enlarged past 1.5 times.
    Normal,
    /// Never below the readable zoom of large type; a larger drawing is a pan away.
    LargeType,
    /// Presentation mode: the whole drawing, as large as the screen allows.
    Fill,
}

impl Fit {
    /// The fit the diagram's props ask for: presentation mode wins over large type.
    pub fn of(props: &DiagramProps) -> Fit {
        if props.presenting {
            Fit::Fill
        } else if props.large_type {
            Fit::LargeType
        } else {
            Fit::Normal
        }
    }

    /// The viewport that fits `bounds` into the SVG element's box.
    fn viewport(self, svg: &Element, bounds: Rect) -> Viewport {
        let rect = svg.get_bounding_client_rect();
        let (width, height) = (rect.width(), rect.height());
        match self {
            Fit::Normal => Viewport::fit(bounds, width, height),
            Fit::LargeType => {
                Viewport::fit_readable(bounds, width, height, layout::LARGE_TYPE_ZOOM)
            }
            Fit::Fill => Viewport::fill(bounds, width, height),
        }
    }
}

/// What the fit runs again on: the topology's title and size, whether the explanation is open,
/// the fit, whether the drawing is empty (a first VPC is fitted to), and in presentation mode
/// the bounds shown (its layout follows the screen).
#[derive(Clone, Debug, PartialEq)]
pub struct FitOn {
    /// The topology's title.
    pub title: String,
    /// How many endpoints are drawn.
    pub nodes: usize,
    /// Whether the explanation is open.
    pub explaining: bool,
    /// The fit.
    pub fit: Fit,
    /// Whether nothing is drawn.
    pub empty: bool,
    /// The bounds of the presentation layout, to the unit.
    pub presented: Option<[i64; 4]>,
}

/// Fits the drawing after the first render and whenever what [`FitOn`] holds changes; in
/// presentation mode also when the window changes size (a projector's screen found after
/// entering the mode).
#[hook]
pub fn use_fit(svg_ref: &NodeRef, viewport: &UseStateHandle<Viewport>, bounds: Rect, on: FitOn) {
    let (viewport, svg_ref) = (viewport.clone(), svg_ref.clone());
    let fit = on.fit;
    use_effect_with(on, move |_| {
        if let Some(svg) = svg_ref.cast::<Element>() {
            viewport.set(fit.viewport(&svg, bounds));
        }
        let resize = (fit == Fit::Fill)
            .then(web_sys::window)
            .flatten()
            .map(|window| {
                gloo::events::EventListener::new(&window, "resize", move |_| {
                    if let Some(svg) = svg_ref.cast::<Element>() {
                        viewport.set(fit.viewport(&svg, bounds));
                    }
                })
            });
        move || drop(resize)
    });
}

/// The size of the diagram's box on screen, for the presentation layout to suit it.
pub fn area(svg_ref: &NodeRef) -> (f64, f64) {
    svg_ref
        .cast::<Element>()
        .map(|svg| {
            let rect = svg.get_bounding_client_rect();
            (rect.width().round(), rect.height().round())
        })
        .filter(|(width, height)| *width > 0.0 && *height > 0.0)
        .unwrap_or(layout::present::DEFAULT_AREA)
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
    fit: Fit,
) -> Callback<MouseEvent> {
    let (viewport, svg_ref) = (viewport.clone(), svg_ref.clone());
    Callback::from(move |_: MouseEvent| {
        if let Some(svg) = svg_ref.cast::<Element>() {
            viewport.set(fit.viewport(&svg, bounds));
        }
    })
}
