//! The density view (`/density`): the incidents of the map's view in hexagon bins sized to the zoom, as counts, as
//! Gi* hot spots, or as emerging hot spots (is it getting worse?) with a legend that says what the classes mean,
//! for a window and a major class; and the busiest communities with the change against the period before and the
//! rate per 100 households. Chinese first.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};
use wangge_api::cases::Category;
use wangge_api::density::{AreaDensity, Bins, EmergingBins};
use wangge_api::paths;
use wangge_domain::emerging::Emerging;
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

/// The emerging hot-spot categories, with their colours and text keys.
const EMERGING: [(Emerging, &str, &str); 7] = [
    (Emerging::Intensifying, "#99000d", "em_intensifying"),
    (Emerging::Persistent, "#cb181d", "em_persistent"),
    (Emerging::New, "#fb6a4a", "em_new"),
    (Emerging::Consecutive, "#fc9272", "em_consecutive"),
    (Emerging::Diminishing, "#fcbba1", "em_diminishing"),
    (Emerging::Sporadic, "#bcbddc", "em_sporadic"),
    (Emerging::Oscillating, "#756bb1", "em_oscillating"),
];

/// What the bins show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Incidents per bin.
    Counts,
    /// Gi* hot and cold spots.
    HotSpots,
    /// Emerging hot spots over time slices of the window.
    Emerging,
}

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

/// Draw hexagons: (corners, colour) each.
fn draw<'a>(map: MapCell, hexagons: impl Iterator<Item = (&'a [(f64, f64)], &'static str)>) {
    let features: Vec<Value> = hexagons
        .enumerate()
        .map(|(i, (boundary, colour))| {
            let mut ring: Vec<[f64; 2]> = boundary.iter().map(|(x, y)| [*x, *y]).collect();
            if let Some(first) = ring.first().copied() {
                ring.push(first);
            }
            json!({ "type": "Feature", "geometry": { "type": "Polygon", "coordinates": [ring] },
                    "properties": { "id": i, "colour": colour } })
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

/// The public density map over the map's view (bins of at least five incidents, as the server publishes them), or
/// nothing when `on` is false.
pub fn show_public_density(map: MapCell, on: bool) {
    if !on {
        map.with_value(|m| {
            if let Some(m) = m {
                m.remove(&[FILL, LINE], &[SOURCE]);
            }
        });
        return;
    }
    let Some((b, zoom)) = map.with_value(|m| m.as_ref().and_then(|m| Some((m.bounds()?, m.zoom())))) else { return };
    let url = format!(
        "{}?resolution={}&bbox={:.5},{:.5},{:.5},{:.5}",
        paths::PUBLIC_DENSITY,
        resolution(zoom).min(9),
        b[0].max(-180.0),
        b[1].max(-90.0),
        b[2].min(180.0),
        b[3].min(90.0)
    );
    spawn_local(async move {
        if let Ok(found) = get(&url).await.and_then(|r| r.answer::<Bins>()) {
            draw(map, found.bins.iter().map(|b| (b.boundary.as_slice(), colour(b))));
        }
    });
}

/// The density view.
#[component]
pub fn DensityView(lang: ReadSignal<Lang>, map: MapCell, restyle: ReadSignal<u32>) -> impl IntoView {
    let days = RwSignal::new(92i64);
    let major = RwSignal::new(String::new());
    let mode = RwSignal::new(Mode::Counts);
    let hot = move || mode.get() == Mode::HotSpots;
    let emerging = RwSignal::new(None::<EmergingBins>);
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
        let (w, shown) = (window(), mode.get());
        moved.get();
        restyle.get();
        let view = map.with_value(|m| m.as_ref().and_then(|m| Some((m.bounds()?, m.zoom()))));
        let Some((b, zoom)) = view else { return };
        let path = match shown {
            Mode::Counts => paths::DENSITY_BINS,
            Mode::HotSpots => paths::DENSITY_HOTSPOTS,
            Mode::Emerging => paths::DENSITY_EMERGING,
        };
        let url = format!(
            "{path}?{w}&resolution={}&bbox={:.5},{:.5},{:.5},{:.5}",
            resolution(zoom),
            b[0].max(-180.0),
            b[1].max(-90.0),
            b[2].min(180.0),
            b[3].min(90.0)
        );
        spawn_local(async move {
            let reply = get(&url).await.and_then(|r| if r.ok() { Ok(r) } else { Err(r.message()) });
            let drawn = reply.and_then(|r| match shown {
                Mode::Emerging => r.answer::<EmergingBins>().map(|found| {
                    let colour = |c: Emerging| EMERGING.iter().find(|e| e.0 == c).map_or("#f7f7f7", |e| e.1);
                    draw(map, found.bins.iter().map(|b| (b.boundary.as_slice(), colour(b.class))));
                    emerging.set(Some(found));
                }),
                _ => r.answer::<Bins>().map(|found| {
                    draw(map, found.bins.iter().map(|b| (b.boundary.as_slice(), colour(b))));
                    bins.set(Some(found));
                }),
            });
            if let Err(e) = drawn {
                error.set(Some(e));
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
                <button class:on=move || mode.get() == Mode::Counts data-testid="density-counts" on:click=move |_| mode.set(Mode::Counts)>{move || tr!(lang.get(), "counts")}</button>
                <button class:on=hot data-testid="density-hot" on:click=move |_| mode.set(Mode::HotSpots)>{move || tr!(lang.get(), "hot_spots")}</button>
                <button class:on=move || mode.get() == Mode::Emerging data-testid="density-emerging" on:click=move |_| mode.set(Mode::Emerging)>{move || tr!(lang.get(), "emerging")}</button>
            </div>
            <p class="muted" data-testid="density-total">
                {move || match mode.get() {
                    Mode::Emerging => emerging.get().map(|e| format!("{} {} · {} {}", e.bins.len(), tr!(lang.get(), "emerging_places"), e.slices.len(), tr!(lang.get(), "time_slices"))),
                    _ => bins.get().map(|b| format!("{} {} · {} {}", b.total, tr!(lang.get(), "incidents"), b.bins.len(), tr!(lang.get(), "bins"))),
                }}
            </p>
            <ul class="legend" data-testid="density-legend">
                {move || if mode.get() == Mode::Emerging {
                    let found = emerging.get();
                    EMERGING.iter().map(|(class, c, key)| {
                        let n = found.as_ref().map_or(0, |e| e.bins.iter().filter(|b| b.class == *class).count());
                        view! {
                            <li data-emerging=format!("{class:?}")><span class="swatch" style=format!("background:{c}")></span>{move || t(lang.get(), key)} " " <b>{n}</b></li>
                        }
                    }).collect_view().into_any()
                } else if hot() {
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
            <Show when=hot>
                <p class="muted">{move || tr!(lang.get(), "hot_spot_note")}</p>
            </Show>
            <Show when=move || mode.get() == Mode::Emerging>
                <p class="muted">{move || tr!(lang.get(), "emerging_note")}</p>
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
