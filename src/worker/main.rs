//! The engine's Web Worker binary: trunk builds it next to the app (`index.html`) and the page
//! starts it from `engine_worker_loader.js`.

fn main() {
    // A panic aborts the module; say why in the console first.
    std::panic::set_hook(Box::new(|info| gloo::console::error!(info.to_string())));
    sglab_web::worker::serve();
}
