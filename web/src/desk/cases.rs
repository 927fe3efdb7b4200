//! The case screens: the desk (filtered list, counts per state and light, the cases on the map), one case's page
//! (facts, photos, timeline, the actions the signed-in person may take now) and the report form (category, pin on
//! the map or GPS, description, photos, duplicate hint). Chinese first, English switch.

use crate::tr;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};
use wangge_api::cases::{CaseAct, CaseDetail, CaseList, CaseSummary, Category, Department, Notification, Reported};
use wangge_api::paths::{self, fill};
use wangge_domain::case::workflow::CaseAction;
use wangge_domain::case::{CaseState, Channel, Light};

use crate::desk::photo_blur::PhotoBlur;
use crate::kit::http::{get, send, send_bytes};
use crate::kit::i18n::{t, Lang};
use crate::kit::maplibre::Map;

/// The map, shared with the app.
pub type MapCell = StoredValue<Option<Map>, LocalStorage>;

const CASES_SOURCE: &str = "cases";
const CASES_LAYER: &str = "cases-dots";
const PIN_SOURCE: &str = "case-pin";
const PIN_LAYER: &str = "case-pin-dot";

/// Colour of a case on the map and in lists: its light while the clock runs, grey when finished.
fn colour(light: Option<Light>, state: CaseState) -> &'static str {
    match (light, state.is_terminal()) {
        (_, true) => "#9e9e9e",
        (Some(Light::Red), _) => "#d32f2f",
        (Some(Light::Yellow), _) => "#f9a825",
        _ => "#2e7d32",
    }
}

/// A moment as people in China read it.
pub(crate) fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&wangge_domain::case::clock::china()).format("%Y-%m-%d %H:%M").to_string()
}

/// Show `cases` as dots on the map (replacing the previous set).
fn show_on_map(map: MapCell, cases: &[CaseSummary]) {
    let features: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [c.lon, c.lat] },
                    "properties": { "id": c.id, "colour": colour(c.light, c.state) } })
        })
        .collect();
    let data = json!({ "type": "FeatureCollection", "features": features });
    if map.with_value(|m| m.as_ref().map(|m| m.is_style_ready())) == Some(false) {
        // The next style.load puts them on (see `restyle`).
        return;
    }
    map.with_value(|m| {
        let Some(m) = m else { return };
        m.remove(&[CASES_LAYER], &[CASES_SOURCE]);
        m.add_geojson(CASES_SOURCE, &data, "id");
        m.add_layer(&json!({ "id": CASES_LAYER, "type": "circle", "source": CASES_SOURCE,
            "paint": { "circle-radius": 6, "circle-color": ["get", "colour"], "circle-stroke-width": 1.5,
                       "circle-stroke-color": "#ffffff" } }));
    });
}

/// Put the report pin (or the case's place) on the map.
pub fn show_pin(map: MapCell, at: Option<(f64, f64)>) {
    if map.with_value(|m| m.as_ref().map(|m| m.is_style_ready())) == Some(false) {
        // The next style.load puts it on (see `restyle`).
        return;
    }
    map.with_value(|m| {
        let Some(m) = m else { return };
        m.remove(&[PIN_LAYER], &[PIN_SOURCE]);
        if let Some((lon, lat)) = at {
            let data = json!({ "type": "FeatureCollection", "features": [{ "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [lon, lat] }, "properties": { "id": 1 } }] });
            m.add_geojson(PIN_SOURCE, &data, "id");
            m.add_layer(&json!({ "id": PIN_LAYER, "type": "circle", "source": PIN_SOURCE,
                "paint": { "circle-radius": 9, "circle-color": "#c62828", "circle-stroke-width": 3,
                           "circle-stroke-color": "#ffffff" } }));
        }
    });
}

/// Take the cases' dots and the pin off the map.
pub fn clear_map(map: MapCell) {
    map.with_value(|m| {
        if let Some(m) = m {
            m.remove(&[CASES_LAYER, PIN_LAYER], &[CASES_SOURCE, PIN_SOURCE]);
        }
    });
}

/// The case desk.
#[component]
pub fn CaseDesk(
    lang: ReadSignal<Lang>,
    csrf: String,
    map: MapCell,
    restyle: ReadSignal<u32>,
    open: Callback<i64>,
    report: Callback<()>,
) -> impl IntoView {
    let state = RwSignal::new(None::<CaseState>);
    let light = RwSignal::new(None::<Light>);
    // Only the cases waiting for the signed-in person (their inbox).
    let mine = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let list = RwSignal::new(None::<CaseList>);
    let error = RwSignal::new(None::<String>);
    let note = RwSignal::new(None::<String>);
    // Bulk dispatch: the filed (or escalated) cases ticked in the list, each sent by the dispatch rules.
    let ticked = RwSignal::new(Vec::<i64>::new());
    let notes = RwSignal::new(Vec::<Notification>::new());
    let reload = RwSignal::new(0u32);
    let csrf = StoredValue::new(csrf);
    let bulk = move || matches!(state.get(), Some(CaseState::Filed | CaseState::Escalated));
    let dispatch_ticked = move |_| {
        let ids = ticked.get_untracked();
        spawn_local(async move {
            let (mut done, mut failed) = (0, 0);
            for id in ids {
                let body = json!({ "action": "dispatch" });
                match send("POST", &fill(paths::CASE_ACTIONS, &[&id]), &body, &csrf.get_value()).await {
                    Ok(r) if r.ok() => done += 1,
                    _ => failed += 1,
                }
            }
            let lang = lang.get_untracked();
            note.set(Some(format!("{} {done} · {} {failed}", tr!(lang, "bulk_done"), tr!(lang, "bulk_failed"))));
            ticked.set(Vec::new());
            reload.update(|n| *n += 1);
        });
    };
    Effect::new(move |_| {
        reload.get();
        spawn_local(async move {
            if let Ok(r) = get(paths::NOTIFICATIONS).await {
                notes.set(r.answer().unwrap_or_default());
            }
        });
    });
    Effect::new(move |_| {
        reload.get();
        ticked.set(Vec::new());
        let mut query = vec!["limit=100".to_owned()];
        if mine.get() {
            query.push("mine=true".to_owned());
        }
        if let Some(s) = state.get() {
            query.push(format!("state={s}"));
        }
        if let Some(l) = light.get() {
            query.push(format!("light={l}"));
        }
        let q = text.get();
        if !q.trim().is_empty() {
            query.push(format!("q={}", js_sys::encode_uri_component(q.trim())));
        }
        let url = format!("{}?{}", paths::CASES, query.join("&"));
        spawn_local(async move {
            match get(&url).await.and_then(|r| if r.ok() { r.answer::<CaseList>() } else { Err(r.message()) }) {
                Ok(l) => {
                    show_on_map(map, &l.cases);
                    list.set(Some(l));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    // A new style dropped the dots: put them back.
    Effect::new(move |_| {
        restyle.get();
        if let Some(l) = list.get_untracked() {
            show_on_map(map, &l.cases);
        }
    });
    let count = move |s: CaseState| {
        list.get().and_then(|l| l.by_state.iter().find(|(x, _)| *x == s).map(|(_, n)| *n)).unwrap_or(0)
    };
    let lights =
        move |l: Light| list.get().and_then(|x| x.by_light.iter().find(|(y, _)| *y == l).map(|(_, n)| *n)).unwrap_or(0);
    view! {
        <section class="card cases" data-testid="case-desk">
            <div class="editor-head">
                <h2>{move || tr!(lang.get(), "case_desk")}</h2>
                <button class="primary" data-testid="new-case" on:click=move |_| report.run(())>{move || tr!(lang.get(), "new_case")}</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error" on:click=move |_| error.set(None)>{e}</p> })}
            <Show when=move || !notes.get().is_empty()>
                <details open>
                    <summary>{move || tr!(lang.get(), "notifications")} " " <b>{move || notes.get().len()}</b></summary>
                    <ul class="notes" data-testid="notifications">
                        {move || notes.get().into_iter().take(8).map(|n| {
                            let key = format!("kind_{}", n.kind.as_str());
                            let id = n.case_id;
                            view! {
                                <li class=n.kind.as_str() on:click=move |_| open.run(id)>
                                    {move || t(lang.get(), &key)} " · " {n.number.clone()} " · " <small>{when(&n.at)}</small>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </details>
            </Show>
            <div class="chips" data-testid="state-chips">
                <button class="mine" class:on=move || mine.get() data-testid="mine" on:click=move |_| mine.update(|m| *m = !*m)>
                    {move || tr!(lang.get(), "waiting_for_me")}
                </button>
                <button class:on=move || state.get().is_none() on:click=move |_| state.set(None)>{move || tr!(lang.get(), "all_states")}</button>
                {CaseState::ALL.iter().copied().map(|s| {
                    let key = format!("state_{s}");
                    view! {
                        <Show when=move || { let n = count(s); n != 0 || state.get() == Some(s) }>
                            <button class:on=move || state.get() == Some(s) data-state=s.as_str()
                                on:click=move |_| state.set(if state.get_untracked() == Some(s) { None } else { Some(s) })>
                                {let key = key.clone(); move || t(lang.get(), &key)} " " <b>{move || count(s)}</b>
                            </button>
                        </Show>
                    }
                }).collect_view()}
            </div>
            <div class="chips lights">
                {Light::ALL.iter().copied().map(|l| {
                    let key = format!("light_{l}");
                    view! {
                        <button class:on=move || light.get() == Some(l) data-light=l.as_str()
                            on:click=move |_| light.set(if light.get_untracked() == Some(l) { None } else { Some(l) })>
                            <span class="dot" style=format!("background:{}", colour(Some(l), CaseState::Dispatched))></span>
                            {move || t(lang.get(), &key)} " " <b>{move || lights(l)}</b>
                        </button>
                    }
                }).collect_view()}
            </div>
            <input type="search" data-testid="case-search" placeholder=move || tr!(lang.get(), "search")
                prop:value=move || text.get() on:change=move |ev| text.set(event_target_value(&ev)) />
            <p class="muted">{move || tr!(lang.get(), "total")} " " {move || list.get().map_or(0, |l| l.total)}</p>
            {move || note.get().map(|n| view! { <p class="note" data-testid="bulk-note" on:click=move |_| note.set(None)>{n}</p> })}
            <Show when=bulk>
                <button class="primary" data-testid="bulk-dispatch" disabled=move || ticked.get().is_empty() on:click=dispatch_ticked>
                    {move || tr!(lang.get(), "bulk_dispatch")} " (" {move || ticked.get().len()} ")"
                </button>
            </Show>
            <ol class="case-list" data-testid="case-list">
                {move || {
                    let cases = list.get().map(|l| l.cases).unwrap_or_default();
                    if cases.is_empty() {
                        return view! { <li class="muted">{move || tr!(lang.get(), "no_cases")}</li> }.into_any();
                    }
                    cases.into_iter().map(|c| {
                        let id = c.id;
                        let state_key = format!("state_{}", c.state);
                        view! {
                            <li data-testid="case-row" data-number=c.number.clone() on:click=move |_| open.run(id)>
                                <Show when=bulk>
                                    <input type="checkbox" data-testid="case-tick" prop:checked=move || ticked.get().contains(&id)
                                        on:click=move |ev| ev.stop_propagation()
                                        on:change=move |_| ticked.update(|t| if let Some(i) = t.iter().position(|x| *x == id) { t.remove(i); } else { t.push(id); }) />
                                </Show>
                                <span class="dot" style=format!("background:{}", colour(c.light, c.state))></span>
                                <div>
                                    <b>{c.category_name.clone()}</b> " · " {move || t(lang.get(), &state_key)}
                                    {c.supervised.then(|| view! { " · " <span class="flag">{move || tr!(lang.get(), "supervised")}</span> })}
                                    {(c.channel == Channel::Public).then(|| view! { " · " <span class="flag public" data-testid="public-flag">{move || tr!(lang.get(), "channel_public")}</span> })}
                                    <br/><small>{c.number.clone()} " · " {when(&c.reported_at)}</small>
                                </div>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ol>
        </section>
    }
}

/// One case's page.
#[component]
pub fn CasePage(
    lang: ReadSignal<Lang>,
    csrf: String,
    id: i64,
    map: MapCell,
    restyle: ReadSignal<u32>,
    back: Callback<()>,
) -> impl IntoView {
    let detail = RwSignal::new(None::<CaseDetail>);
    let departments = RwSignal::new(Vec::<Department>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let opinion = RwSignal::new(String::new());
    let department = RwSignal::new(String::new());
    let merge_into = RwSignal::new(String::new());
    let after_photos = RwSignal::new(Vec::<i64>::new());
    let busy = RwSignal::new(false);
    let csrf = StoredValue::new(csrf);
    let load = move || {
        spawn_local(async move {
            match get(&fill(paths::CASE, &[&id])).await.and_then(|r| {
                if r.ok() {
                    r.answer::<CaseDetail>()
                } else {
                    Err(r.message())
                }
            }) {
                Ok(d) => {
                    let at = (d.summary.lon, d.summary.lat);
                    show_pin(map, Some(at));
                    map.with_value(|m| {
                        if let Some(m) = m {
                            m.fly_to(at.0, at.1, 17.0)
                        }
                    });
                    detail.set(Some(d));
                }
                Err(e) => message.set(Some((true, e))),
            }
        });
    };
    load();
    Effect::new(move |_| {
        restyle.get();
        if let Some(d) = detail.get_untracked() {
            show_pin(map, Some((d.summary.lon, d.summary.lat)));
        }
    });
    spawn_local(async move {
        if let Ok(r) = get(paths::DEPARTMENTS).await {
            departments.set(r.answer().unwrap_or_default());
        }
    });
    let take = move |action: CaseAction| {
        let body = CaseAct {
            action,
            opinion: Some(opinion.get_untracked()).filter(|o| !o.trim().is_empty()),
            department: Some(department.get_untracked()).filter(|d| !d.is_empty() && action == CaseAction::Dispatch),
            co_departments: Vec::new(),
            limit: (action == CaseAction::RequestExtension).then_some(wangge_domain::case::TimeLimit {
                amount: 2,
                unit: wangge_domain::case::LimitUnit::WorkingDays,
            }),
            into: merge_into.get_untracked().trim().parse().ok().filter(|_| action == CaseAction::Merge),
            photos: if action == CaseAction::Handle { after_photos.get_untracked() } else { Vec::new() },
        };
        busy.set(true);
        spawn_local(async move {
            let body = serde_json::to_value(&body).unwrap_or_default();
            match send("POST", &fill(paths::CASE_ACTIONS, &[&id]), &body, &csrf.get_value()).await {
                Ok(r) if r.ok() => {
                    let key = format!("act_{action}");
                    message.set(Some((false, t(lang.get_untracked(), &key).to_owned())));
                    opinion.set(String::new());
                    after_photos.set(Vec::new());
                    load();
                }
                Ok(r) => message.set(Some((true, r.message()))),
                Err(e) => message.set(Some((true, e))),
            }
            busy.set(false);
        });
    };
    let on_photo = move |ev: leptos::ev::Event| {
        each_file(&ev, move |kind, bytes| {
            spawn_local(async move {
                let url = format!("{}?stage=after", fill(paths::CASE_PHOTOS, &[&id]));
                match send_bytes(&url, bytes, &kind, &csrf.get_value()).await {
                    Ok(r) if r.ok() => {
                        if let Some(pid) = r.body["id"].as_i64() {
                            after_photos.update(|p| p.push(pid));
                        }
                        load();
                    }
                    Ok(r) => message.set(Some((true, r.message()))),
                    Err(e) => message.set(Some((true, e))),
                }
            });
        });
    };
    view! {
        <section class="card case" data-testid="case-page">
            <div class="editor-head">
                <button data-testid="case-back" on:click=move |_| back.run(())>"← " {move || tr!(lang.get(), "back_to_list")}</button>
            </div>
            {move || message.get().map(|(bad, text)| view! {
                <p class=if bad { "error" } else { "note" } data-testid="case-message" on:click=move |_| message.set(None)>{text}</p>
            })}
            {move || detail.get().map(|d| {
                let s = d.summary.clone();
                let state_key = format!("state_{}", s.state);
                let channel_key = format!("channel_{}", s.channel);
                let unit_key = format!("unit_{}", d.limit.unit);
                let pending = s.pending.map(|p| format!("pending_{p}"));
                let used = (d.clock_used * 100.0).round();
                view! {
                    <h2 data-testid="case-number">{s.number.clone()}</h2>
                    <p class="state-line">
                        <span class="dot" style=format!("background:{}", colour(s.light, s.state))></span>
                        <b data-testid="case-state" data-state=s.state.as_str()>{move || t(lang.get(), &state_key)}</b>
                        {pending.map(|k| view! { " · " <span class="flag">{move || t(lang.get(), &k)}</span> })}
                        {s.supervised.then(|| view! { " · " <span class="flag">{move || tr!(lang.get(), "supervised")}</span> })}
                    </p>
                    <dl>
                        <dt>{move || tr!(lang.get(), "category")}</dt><dd>{s.major_name.clone()} " › " {s.category_name.clone()}</dd>
                        <dt>{move || tr!(lang.get(), "channel")}</dt><dd>{move || t(lang.get(), &channel_key)}</dd>
                        <dt>{move || tr!(lang.get(), "reported_at")}</dt><dd>{when(&s.reported_at)}</dd>
                        <dt>{move || tr!(lang.get(), "limit")}</dt>
                        <dd>{d.limit.amount} " " {move || t(lang.get(), &unit_key)}
                            {d.limit_is_default.then(|| view! { <small>{move || tr!(lang.get(), "default_limit")}</small> })}</dd>
                        <dt>{move || tr!(lang.get(), "time_used")}</dt>
                        <dd><span class="meter"><span style=format!("width:{}%;background:{}", used.min(100.0), colour(s.light, s.state))></span></span> {format!(" {used}%")}</dd>
                        {s.due_at.map(|due| view! { <dt>{move || tr!(lang.get(), "due_at")}</dt><dd>{when(&due)}</dd> })}
                        {d.stage.clone().map(|st| {
                            let unit_key = format!("unit_{}", st.limit.unit);
                            let pct = (st.used * 100.0).round();
                            let colour = colour(Some(st.light), CaseState::Dispatched);
                            view! {
                                <dt>{move || tr!(lang.get(), "stage_time")}</dt>
                                <dd data-testid="stage-clock"><span class="meter"><span style=format!("width:{}%;background:{colour}", pct.min(100.0))></span></span>
                                    {format!(" {pct}% / {} ", st.limit.amount)} {move || t(lang.get(), &unit_key)}</dd>
                            }
                        })}
                        {s.department.clone().map(|dep| view! { <dt>{move || tr!(lang.get(), "department")}</dt><dd data-testid="case-department">{dep}</dd> })}
                        {s.address.clone().map(|a| view! { <dt>{move || tr!(lang.get(), "address")}</dt><dd>{a}</dd> })}
                        {d.contact.clone().map(|c| view! {
                            <dt>{move || tr!(lang.get(), "caller")}</dt>
                            <dd data-testid="case-contact">{c.name.unwrap_or_default()} " " {c.phone.unwrap_or_default()}</dd>
                        })}
                        {(d.rework > 0).then(|| view! { <dt>{move || tr!(lang.get(), "rework")}</dt><dd>{d.rework}</dd> })}
                    </dl>
                    <p class="description">{s.description.clone()}</p>
                    <div class="photos" data-testid="case-photos">
                        {d.photos.iter().map(|p| {
                            let src = format!("{}?thumb", fill(paths::CASE_PHOTO, &[&id, &p.id]));
                            let full = fill(paths::CASE_PHOTO, &[&id, &p.id]);
                            view! { <a href=full target="_blank"><img src=src alt=p.stage.clone() class=p.stage.clone() /></a> }
                        }).collect_view()}
                    </div>
                    {(s.channel == Channel::Public && !d.actions.is_empty() && d.photos.iter().any(|p| p.stage == "report")).then(|| view! {
                        <PhotoBlur lang=lang csrf=csrf.get_value() case=id photos=d.photos.clone() />
                    })}
                    <Show when={let any = !d.actions.is_empty(); move || any}>
                        <h3>{move || tr!(lang.get(), "actions_now")}</h3>
                        <textarea data-testid="case-opinion" placeholder=move || tr!(lang.get(), "opinion")
                            prop:value=move || opinion.get() on:input=move |ev| opinion.set(event_target_value(&ev))></textarea>
                    </Show>
                    {d.actions.contains(&CaseAction::Dispatch).then(|| view! {
                        <label>{move || tr!(lang.get(), "department")}
                            <select data-testid="case-department-select" on:change=move |ev| department.set(event_target_value(&ev))>
                                <option value="">{move || tr!(lang.get(), "by_rules")}</option>
                                {move || departments.get().into_iter().map(|dep| view! { <option value=dep.name.clone()>{dep.name.clone()} " (" {dep.open_cases} ")"</option> }).collect_view()}
                            </select>
                        </label>
                    })}
                    {d.actions.contains(&CaseAction::Handle).then(|| view! {
                        <label>{move || tr!(lang.get(), "after_photos")}
                            <input type="file" accept="image/jpeg,image/png,image/webp" multiple data-testid="after-photo" on:change=on_photo />
                        </label>
                    })}
                    {d.actions.contains(&CaseAction::Merge).then(|| view! {
                        <input data-testid="merge-into" placeholder=move || tr!(lang.get(), "merge_into")
                            prop:value=move || merge_into.get() on:input=move |ev| merge_into.set(event_target_value(&ev)) />
                    })}
                    <div class="actions">
                        {d.actions.iter().copied().map(|a| {
                            let key = format!("act_{a}");
                            view! { <button data-action=a.as_str() disabled=move || busy.get() on:click=move |_| take(a)>{move || t(lang.get(), &key)}</button> }
                        }).collect_view()}
                    </div>
                    <h3>{move || tr!(lang.get(), "timeline")}</h3>
                    <ol class="timeline" data-testid="case-timeline">
                        {d.trail.iter().map(|e| {
                            let action_key = if e.action == "report" { "new_case".to_owned() } else { format!("act_{}", e.action) };
                            let to_key = format!("state_{}", e.to_state);
                            view! {
                                <li data-action=e.action.clone() class:overdue=e.overdue>
                                    <small>{when(&e.at)}</small> " "
                                    <b>{move || t(lang.get(), &action_key)}</b> " → " {move || t(lang.get(), &to_key)}
                                    <br/><small>{e.actor.clone()} {e.department.clone().map(|d| format!(" · {d}"))}</small>
                                    {e.opinion.clone().map(|o| view! { <p>{o}</p> })}
                                    {(!e.photo_ids.is_empty()).then(|| e.photo_ids.iter().map(|p| {
                                        let src = format!("{}?thumb", fill(paths::CASE_PHOTO, &[&id, p]));
                                        view! { <img class="trail-photo" src=src /> }
                                    }).collect_view())}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }
            })}
        </section>
    }
}

/// Read every file picked in the input of `ev` and hand each (media type, bytes) to `take`.
fn each_file(ev: &leptos::ev::Event, take: impl Fn(String, Vec<u8>) + Copy + 'static) {
    let input: web_sys::HtmlInputElement = event_target(ev);
    let Some(files) = input.files() else { return };
    for i in 0..files.length() {
        let Some(file) = files.get(i) else { continue };
        spawn_local(async move {
            if let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                take(file.type_(), js_sys::Uint8Array::new(&buffer).to_vec());
            }
        });
    }
}

/// A request id for a report: chosen once per form, sent again on a retry.
pub(crate) fn request_id() -> String {
    format!("web-{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e9) as u64)
}

/// Where a report's pin is, and a button that puts it where the phone is (GPS); a tap on the map moves it too.
#[component]
pub fn PinPicker(lang: ReadSignal<Lang>, pin: RwSignal<Option<(f64, f64)>>) -> impl IntoView {
    let gps = move |_| {
        let Some(geo) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else { return };
        let ok = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Position)>::new(move |p: web_sys::Position| {
            let c = p.coords();
            pin.set(Some((c.longitude(), c.latitude())));
        });
        let _ = geo.get_current_position(wasm_bindgen::JsCast::unchecked_ref(ok.as_ref()));
        ok.forget();
    };
    view! {
        <p class="muted" data-testid="pin-state">
            {move || match pin.get() {
                Some((lon, lat)) => format!("{} {lon:.5}, {lat:.5}", tr!(lang.get(), "pinned_at")),
                None => tr!(lang.get(), "tap_map").to_owned(),
            }}
        </p>
        <button type="button" on:click=gps>{move || tr!(lang.get(), "use_gps")}</button>
    }
}

/// The report form. The place comes from `pin` (a tap on the map, or GPS).
#[component]
pub fn ReportForm(
    lang: ReadSignal<Lang>,
    csrf: String,
    pin: RwSignal<Option<(f64, f64)>>,
    channels: Vec<Channel>,
    done: Callback<i64>,
) -> impl IntoView {
    let categories = RwSignal::new(Vec::<Category>::new());
    let major = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let filter = RwSignal::new(String::new());
    let channel = RwSignal::new(channels.first().copied().unwrap_or(Channel::Patrol));
    let description = RwSignal::new(String::new());
    // The caller's name and phone, when an operator enters a hotline call (sealed when stored, shown masked).
    let caller_name = RwSignal::new(String::new());
    let caller_phone = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let photos = RwSignal::new(Vec::<(String, Vec<u8>)>::new());
    let near = RwSignal::new(Vec::<CaseSummary>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let rid = StoredValue::new(request_id());
    let csrf = StoredValue::new(csrf);
    spawn_local(async move {
        if let Ok(r) = get(paths::CATEGORIES).await {
            let all: Vec<Category> = r.answer().unwrap_or_default();
            categories.set(all.into_iter().filter(|c| c.enabled).collect());
        }
    });
    // The duplicate hint: open cases of the chosen category near the pin.
    Effect::new(move |_| {
        let (c, p) = (category.get(), pin.get());
        let Some((lon, lat)) = p.filter(|_| !c.is_empty()) else {
            near.set(Vec::new());
            return;
        };
        spawn_local(async move {
            let url = format!("{}?category={c}&lon={lon}&lat={lat}", paths::CASE_DUPLICATES);
            if let Ok(r) = get(&url).await {
                near.set(r.answer().unwrap_or_default());
            }
        });
    });
    let majors = move || {
        let mut seen: Vec<(String, String)> = Vec::new();
        for c in categories.get() {
            if !seen.iter().any(|(code, _)| *code == c.major_code) {
                seen.push((c.major_code.clone(), c.major_name.clone()));
            }
        }
        seen
    };
    let minors = move || {
        let f = filter.get();
        let m = major.get();
        categories
            .get()
            .into_iter()
            .filter(|c| {
                if f.trim().is_empty() {
                    c.major_code == m
                } else {
                    c.name.contains(f.trim()) || c.major_name.contains(f.trim())
                }
            })
            .collect::<Vec<_>>()
    };
    let on_photos = move |ev: leptos::ev::Event| {
        each_file(&ev, move |kind, bytes| {
            photos.update(|p| {
                if p.len() < 9 {
                    p.push((kind, bytes))
                }
            })
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some((lon, lat)), c) = (pin.get_untracked(), category.get_untracked()) else {
            message.set(Some((true, tr!(lang.get_untracked(), "pick_place_category").to_owned())));
            return;
        };
        if c.is_empty() {
            message.set(Some((true, tr!(lang.get_untracked(), "pick_place_category").to_owned())));
            return;
        }
        let address = address.get_untracked();
        let given = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
        let contact = (channel.get_untracked() == Channel::Hotline)
            .then(|| (given(caller_name), given(caller_phone)))
            .filter(|(n, p)| n.is_some() || p.is_some())
            .map(|(name, phone)| json!({ "name": name, "phone": phone }));
        let body = json!({ "request_id": rid.get_value(), "category": c, "channel": channel.get_untracked(),
            "lon": lon, "lat": lat, "description": description.get_untracked(),
            "address": Some(address.trim()).filter(|a| !a.is_empty()), "contact": contact });
        busy.set(true);
        spawn_local(async move {
            let reply = send("POST", paths::CASES, &body, &csrf.get_value()).await;
            match reply.and_then(|r| if r.ok() { r.answer::<Reported>() } else { Err(r.message()) }) {
                Ok(rep) => {
                    let id = rep.case.id;
                    for (kind, bytes) in photos.get_untracked() {
                        let url = format!("{}?stage=report", fill(paths::CASE_PHOTOS, &[&id]));
                        if let Ok(r) = send_bytes(&url, bytes, &kind, &csrf.get_value()).await {
                            if !r.ok() {
                                message.set(Some((true, r.message())));
                            }
                        }
                    }
                    rid.set_value(request_id());
                    done.run(id);
                }
                Err(e) => message.set(Some((true, e))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card report" data-testid="report-form" on:submit=submit>
            <h2>{move || tr!(lang.get(), "new_case")}</h2>
            {move || message.get().map(|(bad, text)| view! {
                <p class=if bad { "error" } else { "note" } data-testid="report-message" on:click=move |_| message.set(None)>{text}</p>
            })}
            <label>{move || tr!(lang.get(), "category")}</label>
            <input type="search" data-testid="category-filter" placeholder=move || tr!(lang.get(), "filter_categories")
                prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
            <select data-testid="major-select" on:change=move |ev| { major.set(event_target_value(&ev)); category.set(String::new()); }>
                <option value="">{move || tr!(lang.get(), "choose_major")}</option>
                {move || majors().into_iter().map(|(code, name)| view! { <option value=code.clone()>{name}</option> }).collect_view()}
            </select>
            <select data-testid="minor-select" on:change=move |ev| category.set(event_target_value(&ev))>
                <option value="">{move || tr!(lang.get(), "choose_minor")}</option>
                {move || minors().into_iter().map(|c| view! { <option value=c.code.clone() selected={let code = c.code.clone(); move || category.get() == code}>{c.name.clone()}</option> }).collect_view()}
            </select>
            <Show when={let many = channels.len() > 1; move || many}>
                <label>{move || tr!(lang.get(), "channel")}
                    <select data-testid="channel-select" on:change=move |ev| {
                        if let Ok(c) = event_target_value(&ev).parse() { channel.set(c) }
                    }>
                        {channels.iter().copied().map(|c| {
                            let key = format!("channel_{c}");
                            view! { <option value=c.as_str()>{move || t(lang.get(), &key)}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </Show>
            <PinPicker lang=lang pin=pin />
            <Show when=move || !near.get().is_empty()>
                <div class="near" data-testid="duplicates">
                    <p><b>{move || tr!(lang.get(), "maybe_same")}</b></p>
                    <ul>{move || near.get().into_iter().map(|c| view! { <li>{c.number.clone()} " · " {c.description.clone()}</li> }).collect_view()}</ul>
                </div>
            </Show>
            <Show when=move || channel.get() == Channel::Hotline>
                <div class="row">
                    <input data-testid="caller-name" placeholder=move || tr!(lang.get(), "caller_name")
                        prop:value=move || caller_name.get() on:input=move |ev| caller_name.set(event_target_value(&ev)) />
                    <input data-testid="caller-phone" placeholder=move || tr!(lang.get(), "caller_phone")
                        prop:value=move || caller_phone.get() on:input=move |ev| caller_phone.set(event_target_value(&ev)) />
                </div>
            </Show>
            <input data-testid="report-address" placeholder=move || tr!(lang.get(), "address")
                prop:value=move || address.get() on:input=move |ev| address.set(event_target_value(&ev)) />
            <textarea data-testid="report-description" placeholder=move || tr!(lang.get(), "description") required
                prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            <label>{move || tr!(lang.get(), "add_photos")}
                <input type="file" accept="image/jpeg,image/png,image/webp" multiple capture="environment" data-testid="report-photos" on:change=on_photos />
            </label>
            <p class="muted">{move || photos.get().len()} " / 9"</p>
            <button class="primary" type="submit" data-testid="report-submit" disabled=move || busy.get()>
                {move || if busy.get() { tr!(lang.get(), "submitting") } else { tr!(lang.get(), "submit") }}
            </button>
        </form>
    }
}
