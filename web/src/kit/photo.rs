//! Photos shrunk in the browser before they are sent: a phone's twelve-megapixel photo becomes a JPEG of at most
//! [`MAX_SIDE`] pixels on its longer side (a few hundred kilobytes), so a report goes through on a weak signal. The
//! canvas re-encodes the pixels only, so the photo's EXIF location never leaves the phone either.

use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Longest side of a photo as sent.
pub const MAX_SIDE: f64 = 1600.0;

fn js_error(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// `file` as a JPEG of at most [`MAX_SIDE`] pixels on its longer side.
pub async fn shrink(file: &web_sys::File) -> Result<web_sys::Blob, String> {
    let url = web_sys::Url::create_object_url_with_blob(file).map_err(js_error)?;
    let img = web_sys::HtmlImageElement::new().map_err(js_error)?;
    img.set_src(&url);
    let decoded = JsFuture::from(img.decode()).await;
    web_sys::Url::revoke_object_url(&url).map_err(js_error)?;
    decoded.map_err(|_| "not an image the browser can read".to_owned())?;
    let (w, h) = (img.natural_width() as f64, img.natural_height() as f64);
    let scale = (MAX_SIDE / w.max(h)).min(1.0);
    let (cw, ch) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").map_err(js_error)?.dyn_into().map_err(|_| "no canvas")?;
    canvas.set_width(cw as u32);
    canvas.set_height(ch as u32);
    let context: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").map_err(js_error)?.ok_or("no 2d context")?.dyn_into().map_err(|_| "no 2d context")?;
    context.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, cw, ch).map_err(js_error)?;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        if let Err(e) =
            canvas.to_blob_with_type_and_encoder_options(done.unchecked_ref(), "image/jpeg", &JsValue::from_f64(0.85))
        {
            let _ = reject.call1(&JsValue::NULL, &e);
        }
    });
    JsFuture::from(promise).await.map_err(js_error)?.dyn_into().map_err(|_| "the photo could not be encoded".to_owned())
}
