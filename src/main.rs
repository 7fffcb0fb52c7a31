fn main() {
    // A panic aborts the module; say why in the console first.
    std::panic::set_hook(Box::new(|info| gloo::console::error!(info.to_string())));
    yew::Renderer::<sglab_web::App>::new().render();
}
