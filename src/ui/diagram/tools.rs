//! The diagram's own toolbar: zoom, fit, auto-layout, which edges to show, the legend and a
//! note when edges are drawn per pair of groups.

use yew::prelude::*;

/// Props of [`tools`].
pub struct ToolsProps {
    /// Zoom in.
    pub zoom_in: Callback<MouseEvent>,
    /// Zoom out.
    pub zoom_out: Callback<MouseEvent>,
    /// Fit the drawing.
    pub fit: Callback<MouseEvent>,
    /// Forget moved positions.
    pub auto_layout: Callback<MouseEvent>,
    /// Whether edges to external hosts are drawn, and its toggle.
    pub show_external: (bool, Callback<Event>),
    /// Whether edges inside a group are drawn, and its toggle.
    pub show_intra: (bool, Callback<Event>),
    /// Why fewer edges than pairs are drawn, when so.
    pub note: Option<String>,
}

/// The toolbar above the drawing.
pub fn tools(props: ToolsProps) -> Html {
    let ToolsProps {
        zoom_in,
        zoom_out,
        fit,
        auto_layout,
        show_external: (external, on_external),
        show_intra: (intra, on_intra),
        note,
    } = props;
    html! {
        <div class="diagram-tools" role="toolbar" aria-label="Diagram">
            <button type="button" class="icon-button" onclick={zoom_in} aria-label="Zoom in" title="Zoom in" data-testid="zoom-in">{ "+" }</button>
            <button type="button" class="icon-button" onclick={zoom_out} aria-label="Zoom out" title="Zoom out" data-testid="zoom-out">{ "\u{2212}" }</button>
            <button type="button" onclick={fit} data-testid="zoom-fit" title="Fit the drawing">{ "Fit" }</button>
            <button type="button" onclick={auto_layout} data-testid="auto-layout" title="Forget moved positions and lay out again">{ "Auto-layout" }</button>
            <label class="check"><input type="checkbox" checked={external} onchange={on_external} data-testid="show-external" />{ " edges to external hosts" }</label>
            <label class="check"><input type="checkbox" checked={intra} onchange={on_intra} data-testid="show-intra" />{ " edges inside a group" }</label>
            <span class="legend" aria-label="Legend">
                <span class="legend-item"><span class="swatch allowed" aria-hidden="true"></span>{ "\u{2714} allowed" }</span>
                <span class="legend-item"><span class="swatch blocked" aria-hidden="true"></span>{ "\u{2716} blocked (asked)" }</span>
                <span class="legend-item"><span class="swatch member" aria-hidden="true"></span>{ "also a member" }</span>
            </span>
            if let Some(note) = note {
                <span class="diagram-note" data-testid="diagram-note">{ note }</span>
            }
        </div>
    }
}

/// The note when edges are drawn per pair of groups: `aggregated` diagrams over `connections`
/// pairs (a large topology is drawn as its overview, never here).
pub fn hidden_note(aggregated: bool, complete: bool, connections: usize) -> Option<String> {
    (aggregated && complete).then(|| format!("{connections} connections: drawn per group pair"))
}
