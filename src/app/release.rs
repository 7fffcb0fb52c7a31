//! The overviews of the engine's worker that new ones replaced, freed a slice at a time: at
//! account scale an overview holds hundreds of thousands of links, whose freeing in the task
//! that draws the new results would take longer than a frame. They wait until no view holds
//! them (the views drop them once they are drawn with the new results), then their links are
//! freed a few thousand at a time, each task stopping once its time is spent. (The matrix is
//! a few large blocks, freed at once.)

use std::cell::RefCell;
use std::rc::Rc;

use crate::browser;
use crate::engine::overview::Overview;
use crate::types::Shared;

/// Links freed between two looks at the clock.
const LINKS_CHUNK: usize = 8_192;
/// How long one task frees before it lets the page draw and answer.
const SLICE_MILLIS: f64 = 8.0;
/// The pause between two tasks.
const PAUSE_MILLIS: u32 = 16;
/// Tasks an overview may still be held by a view before it is let go as it is.
const PATIENCE: u32 = 200;

/// What waits to be freed.
#[derive(Default)]
struct Released {
    overviews: Vec<(Shared<Overview>, u32)>,
    emptying: Vec<Overview>,
    timer: Option<gloo::timers::callback::Timeout>,
}

/// One piece freed at a time, outside the borrow of [`RELEASED`]: links, an overview, or a
/// handle on an overview still held elsewhere.
type Piece = Box<dyn std::any::Any>;

thread_local! {
    static RELEASED: RefCell<Released> = RefCell::default();
}

/// Frees a previous overview a slice at a time, from the next task on.
pub fn release(overview: Shared<Overview>) {
    RELEASED.with(|released| released.borrow_mut().overviews.push((overview, 0)));
    schedule();
}

fn schedule() {
    RELEASED.with(|released| {
        let mut released = released.borrow_mut();
        let waiting = !released.overviews.is_empty() || !released.emptying.is_empty();
        if waiting && released.timer.is_none() {
            released.timer = Some(browser::after(PAUSE_MILLIS, step));
        }
    });
}

/// One task's worth of freeing.
fn step() {
    RELEASED.with(|released| released.borrow_mut().timer = None);
    let started = browser::now();
    while let Some(piece) = RELEASED.with(|released| released.borrow_mut().next_piece()) {
        drop(piece);
        if browser::now() - started >= SLICE_MILLIS {
            break;
        }
    }
    RELEASED.with(|released| {
        for (_, age) in &mut released.borrow_mut().overviews {
            *age += 1;
        }
    });
    schedule();
}

impl Released {
    /// The next piece to free, if any is free to go.
    fn next_piece(&mut self) -> Option<Piece> {
        if let Some(overview) = self.emptying.last_mut() {
            if overview.links.is_empty() {
                return self
                    .emptying
                    .pop()
                    .map(|overview| Box::new(overview) as Piece);
            }
            let keep = overview.links.len().saturating_sub(LINKS_CHUNK);
            return Some(Box::new(overview.links.split_off(keep)));
        }
        let free = self
            .overviews
            .iter()
            .position(|(overview, _)| Rc::strong_count(&overview.0) == 1);
        if let Some(at) = free {
            let (overview, _) = self.overviews.swap_remove(at);
            match Rc::try_unwrap(overview.0) {
                Ok(overview) => self.emptying.push(overview),
                Err(held) => return Some(Box::new(held)),
            }
            return self.next_piece();
        }
        // Held too long by a view: let go of it as it is.
        let held = self.overviews.iter().position(|(_, age)| *age > PATIENCE);
        held.map(|at| Box::new(self.overviews.swap_remove(at).0) as Piece)
    }
}
