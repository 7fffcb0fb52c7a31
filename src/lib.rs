//! The sglab web app: a Yew front end over `sglab-core`.
//!
//! `App` owns one [`state::AppState`]; components render it and emit actions. Everything the
//! app knows about security groups comes from `sglab-core` through the view model [`engine`];
//! browser side effects live in [`browser`]. The modules form layers, each using only the ones
//! below it: [`types`] <- [`engine`] <- [`layout`] <- [`edit`] <- [`state`] <- [`ui`] <-
//! [`app`] (`ARCHITECTURE.md`). [`worker`] runs in the engine's Web Worker, beside [`app`].

pub mod app;
pub mod browser;
pub mod codec;
pub mod edit;
pub mod engine;
pub mod layout;
pub mod state;
pub mod types;
pub mod ui;
pub mod worker;

pub use app::App;
