//! The sglab web app: a Yew front end over `sglab-core`.
//!
//! `App` owns one [`state::AppState`]; components render it and emit actions. Everything the
//! app knows about security groups comes from `sglab-core` through [`engine`]; browser side
//! effects live in [`browser`].

pub mod app;
pub mod browser;
pub mod codec;
pub mod edit;
pub mod engine;
pub mod layout;
pub mod state;
pub mod types;
pub mod ui;

pub use app::App;
