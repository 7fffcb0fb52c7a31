//! The toolbar: examples, open, export, share, undo/redo, large type, presentation mode.

use sglab_core::model::Topology;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::{self, ExportFormat};
use crate::state::Action;
use crate::types::Shared;

/// What the toolbar asks the app to do with the browser.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Download the topology as sglab JSON.
    ExportJson,
    /// Download the diagram as SVG.
    ExportSvg,
    /// Download the diagram as PNG.
    ExportPng,
    /// Download the matrix as CSV.
    ExportCsv,
    /// Export the topology with one of the core's exporters (in the engine's worker).
    Export(ExportFormat),
    /// Make a share link and copy it.
    Share,
    /// Read and load these files.
    Open(Vec<web_sys::File>),
    /// Load a built-in example by id.
    Example(String),
}

/// Props of [`Toolbar`].
#[derive(PartialEq, Properties)]
pub struct ToolbarProps {
    /// The topology (for its title).
    pub topology: Shared<Topology>,
    /// Whether undo has something.
    pub can_undo: bool,
    /// Whether redo has something.
    pub can_redo: bool,
    /// Large type on.
    pub large_type: bool,
    /// Presentation mode on: the toolbar shows only the title and the way out.
    pub presenting: bool,
    /// The last share link made, shown for copying.
    pub share_url: Option<AttrValue>,
    /// Whether the clipboard took the link: `None` while the browser has not answered.
    pub share_copied: Option<bool>,
    /// State changes.
    pub dispatch: Callback<Action>,
    /// Browser commands.
    pub on_command: Callback<Command>,
    /// Closes the share box.
    pub on_close_share: Callback<()>,
}

/// The toolbar.
#[component]
pub fn Toolbar(props: &ToolbarProps) -> Html {
    let file_input = use_node_ref();
    let export_menu = use_node_ref();
    // A menu item runs its command and closes the menu.
    let command = |command: Command| {
        let on_command = props.on_command.clone();
        let export_menu = export_menu.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(menu) = export_menu.cast::<web_sys::Element>() {
                let _ = menu.remove_attribute("open");
            }
            on_command.emit(command.clone());
        })
    };
    let on_example = {
        let on_command = props.on_command.clone();
        Callback::from(move |event: Event| {
            let select = event.target_unchecked_into::<web_sys::HtmlSelectElement>();
            let id = select.value();
            select.set_value("");
            if !id.is_empty() {
                on_command.emit(Command::Example(id));
            }
        })
    };
    let on_files = {
        let on_command = props.on_command.clone();
        Callback::from(move |event: Event| {
            let input = event.target_unchecked_into::<HtmlInputElement>();
            let files = crate::browser::files_of(input.files());
            input.set_value("");
            if !files.is_empty() {
                on_command.emit(Command::Open(files));
            }
        })
    };
    let open_click = {
        let file_input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = file_input.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let new_topology = props.dispatch.reform(|_: MouseEvent| Action::Load {
        topology: Shared::new(sglab_core::model::Topology {
            name: "untitled topology".to_owned(),
            ..Default::default()
        }),
        origin: crate::types::Origin::New,
        warnings: Vec::new(),
    });
    let undo = props.dispatch.reform(|_: MouseEvent| Action::Undo);
    let redo = props.dispatch.reform(|_: MouseEvent| Action::Redo);
    let large = props
        .dispatch
        .reform(|_: MouseEvent| Action::ToggleLargeType);
    let present = props
        .dispatch
        .reform(|_: MouseEvent| Action::TogglePresentation);
    let close_share = props.on_close_share.reform(|_: MouseEvent| ());
    let title = if props.topology.name.is_empty() {
        "untitled topology".to_owned()
    } else {
        props.topology.name.clone()
    };

    html! {
        <header class="toolbar" data-testid="toolbar">
            <h1 class="brand">
                <span class="logo" aria-hidden="true">{ "\u{25a3}" }</span>
                <span class="brand-name">{ "sglab" }</span>
                <span class="topology-title" data-testid="topology-title" title={title.clone()}>{ title }</span>
            </h1>
            <div class="toolbar-group">
                <button type="button" data-testid="new-topology" onclick={new_topology} title="Start an empty topology (Undo brings the current one back)">
                    { "New" }
                </button>
                <label for="example-select" class="visually-hidden">{ "Open an example" }</label>
                <select id="example-select" class="examples" data-testid="examples" onchange={on_example}>
                    <option value="" selected=true>{ "Examples\u{2026}" }</option>
                    { for engine::example_list().into_iter().map(|(id, title)| html! {
                        <option value={id}>{ title }</option>
                    }) }
                </select>
                <button type="button" data-testid="open-file" onclick={open_click} title="Open sglab JSON, aliyun API JSON or Terraform files: plan or state JSON, .tf and .tfvars (or drop them, or paste their text)">
                    { "Open\u{2026}" }
                </button>
                <input ref={file_input} type="file" multiple=true accept=".json,.tf,.tfvars,application/json" class="visually-hidden"
                    aria-label="Open topology files" data-testid="file-input" onchange={on_files} tabindex="-1" />
            </div>
            <div class="toolbar-group">
                <button type="button" data-testid="undo" onclick={undo} disabled={!props.can_undo} title="Undo (Ctrl+Z)"
                    aria-keyshortcuts="Control+Z">{ "\u{21b6} Undo " }<kbd class="key-hint">{ "Ctrl+Z" }</kbd></button>
                <button type="button" data-testid="redo" onclick={redo} disabled={!props.can_redo} title="Redo (Ctrl+Y or Ctrl+Shift+Z)"
                    aria-keyshortcuts="Control+Y Control+Shift+Z">{ "\u{21b7} Redo " }<kbd class="key-hint">{ "Ctrl+Y" }</kbd></button>
            </div>
            <div class="toolbar-group">
                <details class="menu" ref={export_menu.clone()}>
                    <summary data-testid="export-menu">{ "Export" }</summary>
                    <div class="menu-items">
                        <button type="button" data-testid="export-json" onclick={command(Command::ExportJson)}>{ "sglab JSON" }</button>
                        <button type="button" data-testid="export-svg" onclick={command(Command::ExportSvg)}>{ "Diagram as SVG" }</button>
                        <button type="button" data-testid="export-png" onclick={command(Command::ExportPng)}>{ "Diagram as PNG" }</button>
                        <button type="button" data-testid="export-csv" onclick={command(Command::ExportCsv)}>{ "Matrix as CSV" }</button>
                        <button type="button" data-testid="export-terraform" onclick={command(Command::Export(ExportFormat::Terraform))}>{ "Terraform (sglab.tf)" }</button>
                        <button type="button" data-testid="export-aliyun-cli" onclick={command(Command::Export(ExportFormat::AliyunCli))}>{ "aliyun CLI script (sglab-aliyun.sh)" }</button>
                    </div>
                </details>
                <button type="button" class="primary" data-testid="share" onclick={command(Command::Share)} title="Copy a link that carries the whole topology">
                    { "Share link" }
                </button>
                <button type="button" data-testid="large-type" onclick={large} aria-pressed={props.large_type.to_string()} title="Large type for projectors">
                    { "A\u{207a} Large type" }
                </button>
            </div>
            <div class="toolbar-group present-group">
                <button type="button" data-testid="present" onclick={present}
                    aria-keyshortcuts="P" title="Presentation mode for projectors: the diagram fills the screen (P; Escape leaves)">
                    if props.presenting { { "\u{2715} Leave presentation" } } else { { "\u{25b6} Present" } }
                </button>
            </div>
            if let Some(url) = &props.share_url {
                <div class="share-box" role="dialog" aria-label="Share link" data-testid="share-box">
                    <label for="share-url" data-testid="share-status">{ share_status(props.share_copied) }</label>
                    <div class="share-row">
                        <input id="share-url" type="text" readonly=true value={url.clone()} data-testid="share-url" />
                        <button type="button" onclick={close_share} data-testid="share-close">{ "Close" }</button>
                    </div>
                </div>
            }
        </header>
    }
}

/// What the share box says of the clipboard: only a write the browser confirmed is "copied".
fn share_status(copied: Option<bool>) -> &'static str {
    match copied {
        Some(true) => "Link copied to the clipboard. Anyone opening it sees this topology; nothing is sent to a server.",
        Some(false) => "Copy the link below (the clipboard refused). Anyone opening it sees this topology; nothing is sent to a server.",
        None => "Copying the link\u{2026} Anyone opening it sees this topology; nothing is sent to a server.",
    }
}
