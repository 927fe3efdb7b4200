//! The density view (`/density`): the incidents of the map's view in hexagon bins sized to the zoom, as counts or as
//! Gi* hot spots with a legend that says what the classes mean, for a window and a major class; and the busiest
//! communities with the change against the period before and the rate per 100 households. Chinese first.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};
use wangge_api::cases::Category;
use wangge_api::density::{AreaDensity, Bins};
use wangge_api::paths;
use wangge_domain::hotspot::HotSpotClass;

use crate::desk::cases::MapCell;
use crate::kit::http::get;
use crate::kit::i18n::{t, Lang};
use crate::tr;

const SOURCE: &str = "density";
const FILL: &str = "density-fill";
const LINE: &str = "density-line";

/// The hot-spot classes, hottest first, with their colours (as ArcGIS draws them) and text keys.
const CLASSES: [(HotSpotClass, &str, &str); 7] = [
    (HotSpotClass::Hot99, "#b2182b", "hot99"),
    (HotSpotClass::Hot95, "#ef8a62", "hot95"),
    (HotSpotClass::Hot90, "#fddbc7", "hot90"),
    (HotSpotClass::NotSignificant, "#f7f7f7", "not_significant"),
    (HotSpotClass::Cold90, "#d1e5f0", "cold90"),
    (HotSpotClass::Cold95, "#67a9cf", "cold95"),
    (HotSpotClass::Cold99, "#2166ac", "cold99"),
];

/// Count classes of the bins: upper bounds and colours.
const STEPS: [(u32, &str); 5] =
    [(2, "#fee5d9"), (5, "#fcae91"), (10, "#fb6a4a"), (25, "#de2d26"), (u32::MAX, "#a50f15")];

/// The H3 resolution for a zoom: about a dozen bins across the screen.
fn resolution(zoom: f64) -> u8 {
    match zoom {
        z if z < 11.0 => 7,
        z if z < 12.5 => 8,
        z if z < 14.0 => 9,
        z if z < 15.5 => 10,
        _ => 11,
    }
}

fn colour(bin: &wangge_api::density::Bin) -> &'static str {
    match bin.class {
        Some(c) => CLASSES.iter().find(|x| x.0 == c).map_or("#f7f7f7", |x| x.1),
        None => STEPS.iter().find(|s| bin.count <= s.0).map_or("#a50f15", |s| s.1),
    }
}

fn draw(map: MapCell, bins: &Bins) {
    let features: Vec<Value> = bins
        .bins
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut ring: Vec<[f64; 2]> = b.boundary.iter().map(|(x, y)| [*x, *y]).collect();
            if let Some(first) = ring.first().copied() {
                ring.push(first);
            }
            json!({ "type": "Feature", "geometry": { "type": "Polygon", "coordinates": [ring] },
                    "properties": { "id": i, "count": b.count, "colour": colour(b) } })
        })
        .collect();
    let data = json!({ "type": "FeatureCollection", "features": features });
    map.with_value(|m| {
        let Some(m) = m else { return };
        if !m.is_style_ready() {
            return;
        }
        m.remove(&[FILL, LINE], &[SOURCE]);
        m.add_geojson(SOURCE, &data, "id");
        m.add_layer(&json!({ "id": FILL, "type": "fill", "source": SOURCE,
            "paint": { "fill-color": ["get", "colour"], "fill-opacity": 0.72 } }));
        m.add_layer(&json!({ "id": LINE, "type": "line", "source": SOURCE,
            "paint": { "line-color": "#7f1d1d", "line-width": 0.4, "line-opacity": 0.5 } }));
    });
}

/// The density view.
#[component]
pub fn DensityView(lang: ReadSignal<Lang>, map: MapCell, restyle: ReadSignal<u32>) -> impl IntoView {
    let days = RwSignal::new(92i64);
    let major = RwSignal::new(String::new());
    let hot = RwSignal::new(false);
    let moved = RwSignal::new(0u32);
    let bins = RwSignal::new(None::<Bins>);
    let areas = RwSignal::new(Vec::<AreaDensity>::new());
    let majors = RwSignal::new(Vec::<(String, String)>::new());
    let error = RwSignal::new(None::<String>);
    map.with_value(|m| {
        if let Some(m) = m {
            m.on_event("moveend", move |_| {
                moved.try_update(|n| *n += 1);
            });
        }
    });
    on_cleanup(move || {
        map.with_value(|m| {
            if let Some(m) = m {
                m.remove(&[FILL, LINE], &[SOURCE]);
            }
        })
    });
    spawn_local(async move {
        if let Ok(r) = get(paths::CATEGORIES).await {
            let mut list: Vec<(String, String)> = r
                .answer::<Vec<Category>>()
                .unwrap_or_default()
                .into_iter()
                .filter(|c| c.catalogue == "event" || c.catalogue == "grid")
                .map(|c| (c.major_code, c.major_name))
                .collect();
            list.sort();
            list.dedup();
            majors.set(list);
        }
    });
    let window = move || {
        let now = js_sys::Date::now() as i64;
        let from = chrono::DateTime::from_timestamp_millis(now - days.get() * 86_400_000).unwrap_or_default();
        let mut q = format!("from={}", from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let m = major.get();
        if !m.is_empty() {
            q += &format!("&category={m}");
        }
        q
    };
    Effect::new(move |_| {
        let (w, hot_spots) = (window(), hot.get());
        moved.get();
        restyle.get();
        let view = map.with_value(|m| m.as_ref().and_then(|m| Some((m.bounds()?, m.zoom()))));
        let Some((b, zoom)) = view else { return };
        let path = if hot_spots { paths::DENSITY_HOTSPOTS } else { paths::DENSITY_BINS };
        let url = format!(
            "{path}?{w}&resolution={}&bbox={:.5},{:.5},{:.5},{:.5}",
            resolution(zoom),
            b[0].max(-180.0),
            b[1].max(-90.0),
            b[2].min(180.0),
            b[3].min(90.0)
        );
        spawn_local(async move {
            match get(&url).await.and_then(|r| if r.ok() { r.answer::<Bins>() } else { Err(r.message()) }) {
                Ok(found) => {
                    draw(map, &found);
                    bins.set(Some(found));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    Effect::new(move |_| {
        let url = format!("{}?{}&level=community", paths::DENSITY_AREAS, window());
        spawn_local(async move {
            if let Ok(r) = get(&url).await {
                areas.set(r.answer::<Vec<AreaDensity>>().unwrap_or_default());
            }
        });
    });
    view! {
        <section class="card density" data-testid="density">
            <h2>{move || tr!(lang.get(), "density")}</h2>
            {move || error.get().map(|e| view! { <p class="error" on:click=move |_| error.set(None)>{e}</p> })}
            <label>{move || tr!(lang.get(), "window")}
                <select data-testid="density-days" on:change=move |ev| days.set(event_target_value(&ev).parse().unwrap_or(92))>
                    {[7i64, 30, 92, 365].into_iter().map(|d| view! {
                        <option value=d.to_string() selected=d == 92>{move || format!("{d} {}", tr!(lang.get(), "days"))}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{move || tr!(lang.get(), "major_class")}
                <select data-testid="density-major" on:change=move |ev| major.set(event_target_value(&ev))>
                    <option value="">{move || tr!(lang.get(), "any_category")}</option>
                    {move || majors.get().into_iter().map(|(code, name)| view! { <option value=code.clone()>{name}</option> }).collect_view()}
                </select>
            </label>
            <div class="chips">
                <button class:on=move || !hot.get() data-testid="density-counts" on:click=move |_| hot.set(false)>{move || tr!(lang.get(), "counts")}</button>
                <button class:on=move || hot.get() data-testid="density-hot" on:click=move |_| hot.set(true)>{move || tr!(lang.get(), "hot_spots")}</button>
            </div>
            <p class="muted" data-testid="density-total">
                {move || bins.get().map(|b| format!("{} {} · {} {}", b.total, tr!(lang.get(), "incidents"), b.bins.len(), tr!(lang.get(), "bins")))}
            </p>
            <ul class="legend" data-testid="density-legend">
                {move || if hot.get() {
                    CLASSES.iter().map(|(_, c, key)| view! {
                        <li><span class="swatch" style=format!("background:{c}")></span>{move || t(lang.get(), key)}</li>
                    }).collect_view().into_any()
                } else {
                    let mut low = 1;
                    STEPS.iter().map(|(high, c)| {
                        let label = if *high == u32::MAX { format!("≥ {low}") } else { format!("{low}–{high}") };
                        low = high.saturating_add(1);
                        view! { <li><span class="swatch" style=format!("background:{c}")></span>{label}</li> }
                    }).collect_view().into_any()
                }}
            </ul>
            <Show when=move || hot.get()>
                <p class="muted">{move || tr!(lang.get(), "hot_spot_note")}</p>
            </Show>
            <h4>{move || tr!(lang.get(), "busiest_communities")}</h4>
            <table class="top" data-testid="density-top">
                <tr><th>{move || tr!(lang.get(), "community")}</th><th>{move || tr!(lang.get(), "incidents")}</th>
                    <th>{move || tr!(lang.get(), "change")}</th><th>{move || tr!(lang.get(), "per_100_households")}</th></tr>
                {move || areas.get().into_iter().take(10).map(|a| {
                    let change = a.count as i64 - a.previous as i64;
                    let trend = if change > 0 { "up" } else if change < 0 { "down" } else { "" };
                    view! {
                        <tr>
                            <td>{a.name.clone().unwrap_or(a.code.clone())}</td>
                            <td>{a.count}</td>
                            <td class=trend>{if change > 0 { format!("+{change}") } else { change.to_string() }}</td>
                            <td>{a.per_100_households.map(|r| format!("{r:.1}")).unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </table>
        </section>
    }
}
