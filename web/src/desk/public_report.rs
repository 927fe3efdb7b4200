//! The public's screens: report a problem (choose it from the short list or search it, place the pin by a tap or
//! GPS, up to three photos shrunk on the phone, a description, an optional name and phone), with the "is it one of
//! these?" hint that lets a resident follow an open report instead of filing it again; and the tracking page behind
//! the unguessable link, which shows the status in plain words, the public steps and the after-photos, and asks the
//! reporter for a rating once the case is closed. No account is needed.

use crate::tr;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;
use wangge_api::paths::{self, fill};
use wangge_api::public::{PublicReport, PublicReports, PublicService, Tracked, Tracking, MAX_PUBLIC_PHOTOS};
use wangge_domain::case::{PublicStatus, Rating};

use crate::desk::cases::{request_id, when, MapCell, PinPicker};
use crate::kit::http::{get, send, send_form};
use crate::kit::i18n::{t, Lang};
use crate::kit::photo;

/// The key under which a device keeps its random id (retries and the per-device limit are per device).
const DEVICE_KEY: &str = "wangge-device";

/// This device's id, made on first use.
fn device() -> String {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let Some(id) = storage.as_ref().and_then(|s| s.get_item(DEVICE_KEY).ok().flatten()) {
        return id;
    }
    let id = format!("dev-{:x}{:x}", (js_sys::Math::random() * 1e15) as u64, js_sys::Date::now() as u64);
    if let Some(s) = storage {
        let _ = s.set_item(DEVICE_KEY, &id);
    }
    id
}

/// The report form. The place comes from `pin` (a tap on the map, or GPS); `done` gets the tracking key.
#[component]
pub fn PublicReportForm(
    lang: ReadSignal<Lang>,
    pin: RwSignal<Option<(f64, f64)>>,
    csrf: Option<String>,
    done: Callback<String>,
) -> impl IntoView {
    let services = RwSignal::new(Vec::<PublicService>::new());
    let filter = RwSignal::new(String::new());
    let service = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let photos = RwSignal::new(Vec::<web_sys::Blob>::new());
    let near = RwSignal::new(Vec::<PublicReport>::new());
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let rid = StoredValue::new(request_id());
    let csrf = StoredValue::new(csrf);
    spawn_local(async move {
        if let Ok(r) = get(paths::PUBLIC_SERVICES).await {
            services.set(r.answer().unwrap_or_default());
        }
    });
    // "Is it one of these?": open reports of the chosen problem near the pin.
    Effect::new(move |_| {
        let (s, p) = (service.get(), pin.get());
        let Some((lon, lat)) = p.filter(|_| !s.is_empty()) else {
            near.set(Vec::new());
            return;
        };
        spawn_local(async move {
            if let Ok(r) = get(&format!("{}?service={s}&lon={lon}&lat={lat}", paths::PUBLIC_NEARBY)).await {
                near.set(r.answer().unwrap_or_default());
            }
        });
    });
    let shown = move || {
        let f = filter.get().trim().to_lowercase();
        services
            .get()
            .into_iter()
            .filter(|s| {
                f.is_empty()
                    || s.name.contains(&f)
                    || s.name_en.to_lowercase().contains(&f)
                    || s.keywords.to_lowercase().contains(&f)
            })
            .collect::<Vec<_>>()
    };
    let service_name = move || {
        let code = service.get();
        services.get().into_iter().find(|s| s.code == code).map(|s| match lang.get() {
            Lang::Zh => s.name,
            Lang::En => s.name_en,
        })
    };
    let on_photos = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(files) = input.files() else { return };
        for i in 0..files.length() {
            let Some(file) = files.get(i) else { continue };
            spawn_local(async move {
                match photo::shrink(&file).await {
                    Ok(blob) => photos.update(|p| {
                        if p.len() < MAX_PUBLIC_PHOTOS {
                            p.push(blob)
                        }
                    }),
                    Err(e) => message.set(Some(e)),
                }
            });
        }
    };
    let follow = move |number: String| {
        spawn_local(async move {
            let url = fill(paths::PUBLIC_FOLLOW, &[&number]);
            match send("POST", &url, &json!({}), &csrf.get_value().unwrap_or_default()).await {
                Ok(r) if r.ok() => {
                    if let Ok(t) = r.answer::<Tracking>() {
                        done.run(t.token)
                    }
                }
                Ok(r) => message.set(Some(r.message())),
                Err(e) => message.set(Some(e)),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some((lon, lat)), s) = (pin.get_untracked(), service.get_untracked()) else {
            message.set(Some(tr!(lang.get_untracked(), "pick_place_problem").to_owned()));
            return;
        };
        if s.is_empty() {
            message.set(Some(tr!(lang.get_untracked(), "pick_place_problem").to_owned()));
            return;
        }
        let given = |v: RwSignal<String>| Some(v.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
        let contact = match (given(name), given(phone)) {
            (None, None) => None,
            (n, p) => Some(json!({ "name": n, "phone": p })),
        };
        let body = json!({ "request_id": rid.get_value(), "device": device(), "service": s, "lon": lon, "lat": lat,
            "address": given(address), "description": description.get_untracked(), "contact": contact });
        let Ok(form) = web_sys::FormData::new() else { return };
        let _ = form.append_with_str("json", &body.to_string());
        for (i, blob) in photos.get_untracked().iter().enumerate() {
            let _ = form.append_with_blob_and_filename("photo", blob, &format!("photo-{i}.jpg"));
        }
        busy.set(true);
        spawn_local(async move {
            let reply = send_form(paths::PUBLIC_REPORTS, form, csrf.get_value().as_deref()).await;
            match reply.and_then(|r| if r.ok() { r.answer::<Tracking>() } else { Err(r.message()) }) {
                Ok(tracking) => {
                    rid.set_value(request_id());
                    done.run(tracking.token);
                }
                Err(e) => message.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card report" data-testid="public-report-form" on:submit=submit>
            <h2>{move || tr!(lang.get(), "report_problem")}</h2>
            {move || message.get().map(|text| view! {
                <p class="error" data-testid="public-report-message" on:click=move |_| message.set(None)>{text}</p>
            })}
            <label>{move || tr!(lang.get(), "which_problem")}</label>
            <input type="search" data-testid="service-filter" placeholder=move || tr!(lang.get(), "filter_problems")
                prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
            <div class="services" data-testid="services">
                {move || shown().into_iter().map(|s| {
                    let code = s.code.clone();
                    let chosen = { let code = code.clone(); move || service.get() == code };
                    view! {
                        <button type="button" class:chosen=chosen data-service=code.clone()
                            on:click=move |_| service.set(code.clone())>
                            {move || if lang.get() == Lang::Zh { s.name.clone() } else { s.name_en.clone() }}
                        </button>
                    }
                }).collect_view()}
            </div>
            <p class="muted" data-testid="chosen-service">{move || service_name().unwrap_or_default()}</p>
            <PinPicker lang=lang pin=pin />
            <Show when=move || !near.get().is_empty()>
                <div class="near" data-testid="public-duplicates">
                    <p><b>{move || tr!(lang.get(), "is_it_one_of_these")}</b></p>
                    <ul>{move || near.get().into_iter().map(|r| {
                        let number = r.number.clone();
                        let status = format!("pstatus_{}", r.status);
                        view! {
                            <li>{r.category_name.clone()} " · " {move || t(lang.get(), &status)} " · " {when(&r.reported_at)}
                                " " <button type="button" data-testid="follow" on:click=move |_| follow(number.clone())>
                                    {move || tr!(lang.get(), "follow_this")}</button></li>
                        }
                    }).collect_view()}</ul>
                </div>
            </Show>
            <input data-testid="public-address" placeholder=move || tr!(lang.get(), "address")
                prop:value=move || address.get() on:input=move |ev| address.set(event_target_value(&ev)) />
            <textarea data-testid="public-description" placeholder=move || tr!(lang.get(), "describe_problem") required
                prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            <label>{move || tr!(lang.get(), "add_photos")}
                <input type="file" accept="image/jpeg,image/png,image/webp" multiple capture="environment" data-testid="public-photos" on:change=on_photos />
            </label>
            <p class="muted" data-testid="public-photo-count">{move || photos.get().len()} " / " {MAX_PUBLIC_PHOTOS}</p>
            <details>
                <summary>{move || tr!(lang.get(), "contact_optional")}</summary>
                <div class="row">
                    <input data-testid="public-name" placeholder=move || tr!(lang.get(), "your_name")
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    <input data-testid="public-phone" placeholder=move || tr!(lang.get(), "your_phone")
                        prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev)) />
                </div>
                <p class="muted">{move || tr!(lang.get(), "contact_private")}</p>
            </details>
            <button class="primary" type="submit" data-testid="public-submit" disabled=move || busy.get()>
                {move || if busy.get() { tr!(lang.get(), "submitting") } else { tr!(lang.get(), "submit") }}
            </button>
        </form>
    }
}

/// The tracking page of key `token`.
#[component]
pub fn TrackPage(
    lang: ReadSignal<Lang>,
    token: String,
    csrf: Option<String>,
    /// Show the report's place on the map.
    show: Callback<(f64, f64)>,
) -> impl IntoView {
    let page = RwSignal::new(None::<Result<Tracked, String>>);
    let comment = RwSignal::new(String::new());
    let token = StoredValue::new(token);
    let csrf = StoredValue::new(csrf);
    let load = move || {
        spawn_local(async move {
            let reply = get(&fill(paths::TRACK, &[&token.get_value()])).await;
            let tracked: Result<Tracked, String> =
                reply.and_then(|r| if r.ok() { r.answer() } else { Err(r.message()) });
            if let Ok(t) = &tracked {
                show.run((t.lon, t.lat));
            }
            page.set(Some(tracked));
        })
    };
    load();
    let rate = move |rating: Rating| {
        spawn_local(async move {
            let body =
                json!({ "rating": rating, "comment": Some(comment.get_untracked()).filter(|c| !c.trim().is_empty()) });
            let url = fill(paths::TRACK_RATING, &[&token.get_value()]);
            match send("POST", &url, &body, &csrf.get_value().unwrap_or_default()).await {
                Ok(r) if r.ok() => page.set(Some(r.answer())),
                Ok(r) => page.set(Some(Err(r.message()))),
                Err(e) => page.set(Some(Err(e))),
            }
        });
    };
    view! {
        <section class="card track" data-testid="track-page">
            {move || match page.get() {
                None => view! { <p class="muted">{move || tr!(lang.get(), "loading")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
                Some(Ok(p)) => {
                    let status = format!("pstatus_{}", p.status);
                    let open = p.status.is_open();
                    let shows_photos = !matches!(p.status, PublicStatus::Received | PublicStatus::NotAccepted);
                    let photos = if shows_photos { p.photo_ids.clone() } else { Vec::new() };
                    let rated = p.rating.map(|r| format!("rating_{r}"));
                    view! {
                        <h2>{p.category_name.clone()}</h2>
                        <p class="muted">{move || tr!(lang.get(), "report_number")} " " <b data-testid="track-number">{p.number.clone()}</b></p>
                        <p class=if open { "status open" } else { "status done" } data-testid="track-status">{move || t(lang.get(), &status)}</p>
                        <p>{p.description.clone()}</p>
                        {p.address.clone().map(|a| view! { <p class="muted">{a}</p> })}
                        {p.due_at.map(|d| view! { <p class="muted">{move || tr!(lang.get(), "expected_by")} " " {when(&d)}</p> })}
                        {p.grid_code.clone().map(|g| {
                            let workers = p.grid_workers.join("、");
                            view! { <p class="muted" data-testid="track-grid">{move || tr!(lang.get(), "code")} " " {g.clone()}
                                {(!workers.is_empty()).then(|| view! { " · " {move || tr!(lang.get(), "worker")} " " {workers.clone()} })}</p> }
                        })}
                        <div class="photos">{photos.into_iter().map(|id| {
                            let src = format!("{}?thumb", fill(paths::PUBLIC_PHOTO, &[&id]));
                            view! { <img src=src alt="" /> }
                        }).collect_view()}</div>
                        <ol class="timeline" data-testid="track-steps">{p.steps.iter().map(|s| {
                            let action = format!("pstep_{}", s.action);
                            let after: Vec<i64> = s.photo_ids.clone();
                            view! {
                                <li data-action=s.action.clone()>
                                    <span class="when">{when(&s.at)}</span> " "
                                    <b>{move || t(lang.get(), &action)}</b>
                                    {s.department.clone().map(|d| view! { " · " {d} })}
                                    {s.reason.clone().map(|r| view! { <div class="reason">{r}</div> })}
                                    <div class="photos">{after.into_iter().map(|id| {
                                        let src = format!("{}?thumb", fill(paths::PUBLIC_PHOTO, &[&id]));
                                        view! { <img src=src alt="" /> }
                                    }).collect_view()}</div>
                                </li>
                            }
                        }).collect_view()}</ol>
                        {rated.map(|r| view! { <p data-testid="track-rating">{move || tr!(lang.get(), "your_rating")} " " <b>{move || t(lang.get(), &r)}</b></p> })}
                        <Show when=move || p.may_rate>
                            <div class="rate" data-testid="rate">
                                <p><b>{move || tr!(lang.get(), "rate_result")}</b></p>
                                <textarea data-testid="rate-comment" placeholder=move || tr!(lang.get(), "comment")
                                    prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                                {Rating::ALL.iter().copied().map(|r| {
                                    let key = format!("rating_{r}");
                                    view! { <button type="button" data-rating=r.as_str() on:click=move |_| rate(r)>{move || t(lang.get(), &key)}</button> }
                                }).collect_view()}
                            </div>
                        </Show>
                        <p class="muted">{move || tr!(lang.get(), "keep_link")}</p>
                    }.into_any()
                }
            }}
        </section>
    }
}

const REPORTS_SOURCE: &str = "public-reports";
const REPORTS_LAYER: &str = "public-reports-dots";

/// The public-reports layer, for clicks on its dots.
pub const REPORTS_LAYER_ID: &str = REPORTS_LAYER;

/// Show the accepted public reports in the map's view: orange while worked on, green once fixed (replacing the
/// previous set, which `shown` keeps for clicks: a dot's id is its place in the list). Positions are the server's
/// approximate ones.
pub fn show_public_reports(map: MapCell, shown: RwSignal<Vec<PublicReport>>) {
    let Some([w, s, e, n]) = map.with_value(|m| m.as_ref().and_then(|m| m.bounds())) else { return };
    let bbox = format!("{},{},{},{}", w.max(-180.0), s.max(-90.0), e.min(180.0), n.min(90.0));
    spawn_local(async move {
        let Ok(r) = get(&format!("{}?bbox={bbox}", paths::PUBLIC_REPORTS)).await else { return };
        let Ok(list) = r.answer::<PublicReports>() else { return };
        let features: Vec<serde_json::Value> = list
            .reports
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let colour = if r.status.is_open() { "#ea580c" } else { "#16a34a" };
                json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [r.lon, r.lat] },
                        "properties": { "id": i, "colour": colour, "number": r.number } })
            })
            .collect();
        let data = json!({ "type": "FeatureCollection", "features": features });
        shown.set(list.reports);
        map.with_value(|m| {
            let Some(m) = m.as_ref().filter(|m| m.is_style_ready()) else { return };
            m.remove(&[REPORTS_LAYER], &[REPORTS_SOURCE]);
            m.add_geojson(REPORTS_SOURCE, &data, "id");
            m.add_layer(&json!({ "id": REPORTS_LAYER, "type": "circle", "source": REPORTS_SOURCE,
                "paint": { "circle-radius": 5, "circle-color": ["get", "colour"], "circle-stroke-width": 1.5,
                           "circle-stroke-color": "#ffffff" } }));
        });
    });
}

/// Take the public reports off the map.
pub fn hide_public_reports(map: MapCell) {
    map.with_value(|m| {
        if let Some(m) = m {
            m.remove(&[REPORTS_LAYER], &[REPORTS_SOURCE]);
        }
    });
}

/// A public report picked on the map: what it is, where it stands, and following it.
#[component]
pub fn PublicReportCard(
    lang: ReadSignal<Lang>,
    report: PublicReport,
    csrf: Option<String>,
    /// The follower's tracking key.
    followed: Callback<String>,
) -> impl IntoView {
    let status = format!("pstatus_{}", report.status);
    let number = StoredValue::new(report.number.clone());
    let csrf = StoredValue::new(csrf);
    let message = RwSignal::new(None::<String>);
    let follow = move |_| {
        spawn_local(async move {
            let url = fill(paths::PUBLIC_FOLLOW, &[&number.get_value()]);
            match send("POST", &url, &json!({}), &csrf.get_value().unwrap_or_default()).await {
                Ok(r) if r.ok() => {
                    if let Ok(t) = r.answer::<Tracking>() {
                        followed.run(t.token)
                    }
                }
                Ok(r) => message.set(Some(r.message())),
                Err(e) => message.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" data-testid="public-report-card">
            <h3>{report.category_name.clone()}</h3>
            <p><b>{move || t(lang.get(), &status)}</b></p>
            <p class="muted">{report.number.clone()} " · " {when(&report.reported_at)}</p>
            {move || message.get().map(|m| view! { <p class="error">{m}</p> })}
            <button class="primary" data-testid="public-card-follow" on:click=follow>{move || tr!(lang.get(), "follow_this")}</button>
        </section>
    }
}
