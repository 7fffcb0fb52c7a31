//! What the pointer, the wheel and the keyboard do to the diagram: drag an object (saved as a
//! move), pan the background, zoom at the pointer or the centre, fit the drawing, select.

use std::rc::Rc;

use web_sys::Element;
use yew::prelude::*;

use crate::layout::{self, Diagram, Viewport};
use crate::state::Action;
use crate::types::{Selection, Shared};

/// What a drag moves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DragKind {
    /// A group or an endpoint.
    Object,
    /// The whole view.
    Pan,
}

/// A drag in progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Drag {
    /// Object or pan.
    pub kind: DragKind,
    /// The object id (endpoint or group); empty when panning.
    pub id: String,
    start_x: f64,
    start_y: f64,
    /// How far the object moved, in diagram units.
    pub dx: f64,
    /// How far the object moved, in diagram units.
    pub dy: f64,
    viewport: Viewport,
}

/// Starts a drag of an object (by id) or of the background.
pub type StartDrag = Rc<dyn Fn(DragKind, String, &PointerEvent)>;

/// The handlers of the diagram and the drag in progress.
pub struct Interactions {
    /// The drag in progress.
    pub drag: Option<Drag>,
    /// Starts a drag.
    pub start_drag: StartDrag,
    /// Pointer down on the background: pan.
    pub onpointerdown: Callback<PointerEvent>,
    /// Drag.
    pub onpointermove: Callback<PointerEvent>,
    /// End of a drag: a move, or a click that selects.
    pub onpointerup: Callback<PointerEvent>,
    /// Zoom at the pointer.
    pub onwheel: Callback<WheelEvent>,
}

/// The state and handlers of dragging, panning and wheel zoom over `svg_ref`.
#[hook]
pub fn use_interactions(
    svg_ref: &NodeRef,
    viewport: &UseStateHandle<Viewport>,
    base: &Shared<Diagram>,
    dispatch: &Callback<Action>,
) -> Interactions {
    let drag = use_state(|| None::<Drag>);
    let start_drag: StartDrag = {
        let (drag, viewport, svg_ref) = (drag.clone(), viewport.clone(), svg_ref.clone());
        Rc::new(move |kind: DragKind, id: String, event: &PointerEvent| {
            if event.button() != 0 {
                return;
            }
            event.stop_propagation();
            if let Some(svg) = svg_ref.cast::<Element>() {
                let _ = svg.set_pointer_capture(event.pointer_id());
            }
            drag.set(Some(Drag {
                kind,
                id,
                start_x: f64::from(event.client_x()),
                start_y: f64::from(event.client_y()),
                dx: 0.0,
                dy: 0.0,
                viewport: *viewport,
            }));
        })
    };
    let onpointermove = {
        let (drag, viewport) = (drag.clone(), viewport.clone());
        Callback::from(move |event: PointerEvent| {
            let Some(current) = (*drag).clone() else {
                return;
            };
            let (mx, my) = (
                f64::from(event.client_x()) - current.start_x,
                f64::from(event.client_y()) - current.start_y,
            );
            match current.kind {
                DragKind::Object => {
                    let zoom = current.viewport.zoom;
                    drag.set(Some(Drag {
                        dx: mx / zoom,
                        dy: my / zoom,
                        ..current
                    }));
                }
                DragKind::Pan => viewport.set(Viewport {
                    pan_x: current.viewport.pan_x + mx,
                    pan_y: current.viewport.pan_y + my,
                    ..current.viewport
                }),
            }
        })
    };
    let onpointerup = {
        let (drag, dispatch, base) = (drag.clone(), dispatch.clone(), base.clone());
        Callback::from(move |_event: PointerEvent| {
            let Some(current) = (*drag).clone() else {
                return;
            };
            drag.set(None);
            if current.kind != DragKind::Object {
                return;
            }
            if current.dx.abs() > 2.0 || current.dy.abs() > 2.0 {
                let moves = layout::moved(&base, &current.id, current.dx, current.dy);
                dispatch.emit(Action::Move(moves));
            } else {
                dispatch.emit(Action::Select(layout::selection_of(&base, &current.id)));
            }
        })
    };
    let onpointerdown = {
        let start_drag = Rc::clone(&start_drag);
        Callback::from(move |event: PointerEvent| start_drag(DragKind::Pan, String::new(), &event))
    };
    let onwheel = {
        let (viewport, svg_ref) = (viewport.clone(), svg_ref.clone());
        Callback::from(move |event: WheelEvent| {
            event.prevent_default();
            let (sx, sy) = match svg_ref.cast::<Element>() {
                Some(svg) => {
                    let rect = svg.get_bounding_client_rect();
                    let (x, y) = (f64::from(event.client_x()), f64::from(event.client_y()));
                    (x - rect.left(), y - rect.top())
                }
                None => (f64::from(event.client_x()), f64::from(event.client_y())),
            };
            let factor = if event.delta_y() < 0.0 {
                1.15
            } else {
                1.0 / 1.15
            };
            viewport.set(viewport.zoom_at(factor, sx, sy));
        })
    };
    Interactions {
        drag: (*drag).clone(),
        start_drag,
        onpointerdown,
        onpointermove,
        onpointerup,
        onwheel,
    }
}

/// Enter selects; arrow keys move the object by 20 units (Shift: 80).
pub fn keyboard_handler(
    dispatch: &Callback<Action>,
    diagram: &Shared<Diagram>,
    id: String,
    selection: Selection,
) -> Callback<KeyboardEvent> {
    let dispatch = dispatch.clone();
    let diagram = diagram.clone();
    Callback::from(move |event: KeyboardEvent| {
        let step = if event.shift_key() { 80.0 } else { 20.0 };
        let delta = match event.key().as_str() {
            "Enter" | " " => {
                event.prevent_default();
                dispatch.emit(Action::Select(selection.clone()));
                return;
            }
            "ArrowLeft" => (-step, 0.0),
            "ArrowRight" => (step, 0.0),
            "ArrowUp" => (0.0, -step),
            "ArrowDown" => (0.0, step),
            _ => return,
        };
        event.prevent_default();
        event.stop_propagation();
        dispatch.emit(Action::Move(layout::moved(&diagram, &id, delta.0, delta.1)));
    })
}

/// Pointer down on an object starts dragging it.
pub fn drag_object(start_drag: &StartDrag, id: &str) -> Callback<PointerEvent> {
    let (start_drag, id) = (Rc::clone(start_drag), id.to_owned());
    Callback::from(move |event: PointerEvent| start_drag(DragKind::Object, id.clone(), &event))
}
