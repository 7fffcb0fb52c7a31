fn main() {
    yew::Renderer::<sglab_web::App>::new().render();
}
