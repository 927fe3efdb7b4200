//! Blurring a public report's photo before the public sees it: the operator drags a rectangle over a face, a number
//! plate or a house number, and the server pixelates it in the photo's public copy (the stored photo stays as it
//! was for staff). The public copy is shown beside it once the report is accepted.

use crate::tr;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;
use wangge_api::cases::Photo;
use wangge_api::paths::{self, fill};

use crate::kit::http::send;
use crate::kit::i18n::Lang;

/// The blur tool over the report photos of case `case`.
#[component]
pub fn PhotoBlur(lang: ReadSignal<Lang>, csrf: String, case: i64, photos: Vec<Photo>) -> impl IntoView {
    let csrf = StoredValue::new(csrf);
    // Where a drag began: (photo, x, y) in fractions of the photo.
    let start = RwSignal::new(None::<(i64, f64, f64)>);
    let done = RwSignal::new(Vec::<(i64, u32)>::new());
    let message = RwSignal::new(None::<String>);
    let fraction = |ev: &leptos::ev::PointerEvent| {
        let img: web_sys::HtmlElement = event_target(ev);
        let rect = img.get_bounding_client_rect();
        let x = ((ev.client_x() as f64 - rect.left()) / rect.width()).clamp(0.0, 1.0);
        let y = ((ev.client_y() as f64 - rect.top()) / rect.height()).clamp(0.0, 1.0);
        (x, y)
    };
    view! {
        <details class="blur" data-testid="photo-blur">
            <summary>{move || tr!(lang.get(), "blur_photos")}</summary>
            <p class="muted">{move || tr!(lang.get(), "blur_hint")}</p>
            {move || message.get().map(|m| view! { <p class="error">{m}</p> })}
            {photos.iter().filter(|p| p.stage == "report").map(|p| {
                let photo = p.id;
                let src = fill(paths::CASE_PHOTO, &[&case, &photo]);
                let public = move || {
                    done.get().iter().find(|(id, _)| *id == photo).map(|(_, n)| {
                        format!("{}?thumb&v={n}", fill(paths::PUBLIC_PHOTO, &[&photo]))
                    })
                };
                view! {
                    <div class="blur-photo">
                        <img src=src alt="" draggable="false" data-testid="blur-source"
                            on:pointerdown=move |ev| { ev.prevent_default(); let (x, y) = fraction(&ev); start.set(Some((photo, x, y))); }
                            on:pointerup=move |ev| {
                                let Some((p, x0, y0)) = start.get_untracked().filter(|(p, _, _)| *p == photo) else { return };
                                start.set(None);
                                let (x1, y1) = fraction(&ev);
                                let region = json!({ "x": x0.min(x1), "y": y0.min(y1), "w": (x1 - x0).abs(), "h": (y1 - y0).abs() });
                                if (x1 - x0).abs() < 0.01 || (y1 - y0).abs() < 0.01 {
                                    return;
                                }
                                spawn_local(async move {
                                    let url = fill(paths::CASE_PHOTO_BLUR, &[&case, &p]);
                                    match send("POST", &url, &json!({ "regions": [region] }), &csrf.get_value()).await {
                                        Ok(r) if r.ok() => done.update(|d| {
                                            match d.iter_mut().find(|(id, _)| *id == p) {
                                                Some(entry) => entry.1 += 1,
                                                None => d.push((p, 1)),
                                            }
                                        }),
                                        Ok(r) => message.set(Some(r.message())),
                                        Err(e) => message.set(Some(e)),
                                    }
                                });
                            } />
                        {move || public().map(|src| view! {
                            <figure><img src=src alt="" data-testid="blur-public" /><figcaption>{move || tr!(lang.get(), "public_copy")}</figcaption></figure>
                        })}
                    </div>
                }
            }).collect_view()}
        </details>
    }
}
