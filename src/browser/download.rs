//! Downloads: text files, and the diagram as SVG or PNG.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::window;

/// Offers `contents` as a file download.
pub fn download_text(file_name: &str, mime: &str, contents: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(contents));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        download_blob(file_name, &blob);
    }
}

fn download_blob(file_name: &str, blob: &web_sys::Blob) {
    let Some(document) = window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Ok(anchor) = document.create_element("a") {
        if let Ok(anchor) = anchor.dyn_into::<web_sys::HtmlAnchorElement>() {
            anchor.set_href(&url);
            anchor.set_download(file_name);
            if let Some(body) = document.body() {
                let _ = body.append_child(&anchor);
                anchor.click();
                let _ = body.remove_child(&anchor);
            }
        }
    }
    // Revoke later: the download has to start first.
    gloo::timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
}

/// The diagram's SVG element, when the diagram is shown.
pub fn diagram_svg() -> Option<web_sys::Element> {
    window()?
        .document()?
        .query_selector("[data-testid=\"diagram-svg\"]")
        .ok()
        .flatten()
}

/// A standalone copy of the diagram for export: the whole drawing (its `data-bounds`), without
/// the screen's pan and zoom. Returns the markup and its size in pixels.
fn export_markup(svg: &web_sys::Element) -> Option<(String, f64, f64)> {
    let copy = svg
        .clone_node_with_deep(true)
        .ok()?
        .dyn_into::<web_sys::Element>()
        .ok()?;
    let bounds: Vec<f64> = svg
        .get_attribute("data-bounds")?
        .split(' ')
        .filter_map(|part| part.parse().ok())
        .collect();
    let [x, y, width, height] = bounds[..] else {
        return None;
    };
    copy.set_attribute("viewBox", &format!("{x} {y} {width} {height}"))
        .ok()?;
    copy.set_attribute("width", &format!("{width}")).ok()?;
    copy.set_attribute("height", &format!("{height}")).ok()?;
    let _ = copy.remove_attribute("style");
    let _ = copy.remove_attribute("class");
    if let Ok(Some(viewport)) = copy.query_selector("[data-viewport]") {
        let _ = viewport.remove_attribute("transform");
    }
    let serializer = web_sys::XmlSerializer::new().ok()?;
    let text = serializer.serialize_to_string(&copy).ok()?;
    let text = if text.contains("xmlns=") {
        text
    } else {
        text.replacen("<svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"", 1)
    };
    Some((text, width, height))
}

/// Offers the diagram as an `.svg` file.
pub fn download_svg(file_name: &str, svg: &web_sys::Element) {
    if let Some((markup, _, _)) = export_markup(svg) {
        download_text(file_name, "image/svg+xml", &markup);
    }
}

/// Offers the diagram as a `.png` file: the SVG markup becomes a Blob image drawn on a canvas
/// (twice the diagram's size, for sharpness), which then becomes a PNG Blob.
pub fn download_png(file_name: &str, svg: &web_sys::Element) {
    let Some((markup, width, height)) = export_markup(svg) else {
        return;
    };
    let (width, height) = (
        (width * 2.0).min(8000.0) as u32,
        (height * 2.0).min(8000.0) as u32,
    );
    let Some(document) = window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&JsValue::from_str(&markup));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let Ok(image) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let file_name = file_name.to_owned();
    let image_for_load = image.clone();
    let url_for_load = url.clone();
    let onload = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url_for_load);
        let Ok(canvas) = document.create_element("canvas") else {
            return;
        };
        let Ok(canvas) = canvas.dyn_into::<web_sys::HtmlCanvasElement>() else {
            return;
        };
        canvas.set_width(width.max(1));
        canvas.set_height(height.max(1));
        let Ok(Some(context)) = canvas.get_context("2d") else {
            return;
        };
        let Ok(context) = context.dyn_into::<web_sys::CanvasRenderingContext2d>() else {
            return;
        };
        context.set_fill_style_str("#ffffff");
        context.fill_rect(0.0, 0.0, f64::from(width), f64::from(height));
        let _ = context.draw_image_with_html_image_element_and_dw_and_dh(
            &image_for_load,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        );
        let callback = Closure::once_into_js(move |blob: JsValue| {
            if let Ok(blob) = blob.dyn_into::<web_sys::Blob>() {
                download_blob(&file_name, &blob);
            }
        });
        let _ = canvas.to_blob_with_type(callback.unchecked_ref(), "image/png");
    });
    image.set_onload(Some(onload.unchecked_ref()));
    image.set_src(&url);
}
