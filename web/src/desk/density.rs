//! The density view (`/density`): the incidents of the map's view in hexagon bins sized to the zoom, as counts, as
//! Gi* hot spots, or as emerging hot spots (is it getting worse?) with a legend that says what the classes mean,
//! for a window and a major class; and the busiest communities with the change against the period before and the
//! rate per 100 households. Chinese first.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};
use wangge_api::cases::CaseSummary;
use wangge_api::cases::Category;
use wangge_api::density::{AreaDensity, AreaLevel, Bins, Comparison, EmergingBins, RepeatPlace, Series};
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
const HEAT_SOURCE: &str = "density-points";
const HEAT: &str = "density-heat";
/// From this zoom on, counts are drawn as a heat surface of the cases' points instead of hexagons.
const HEAT_ZOOM: f64 = 16.0;

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
    /// This period against the one before (the difference map).
    Compare,
    /// The natural grids coloured by incidents per 100 households.
    Grids,
    /// The communities coloured by incidents per 100 households.
    Communities,
}

impl Mode {
    /// The areas coloured in this mode, with the style layer that shows them (none: bins).
    fn areas(self) -> Option<(AreaLevel, &'static str)> {
        match self {
            Mode::Grids => Some((AreaLevel::Grid, "grids-fill")),
            Mode::Communities => Some((AreaLevel::Community, "communities-fill")),
            _ => None,
        }
    }
}

/// Classes of incidents per 100 households of a grid: upper bounds and colours.
const RATE_STEPS: [(f64, &str); 5] =
    [(0.5, "#fee5d9"), (1.0, "#fcae91"), (2.0, "#fb6a4a"), (5.0, "#de2d26"), (f64::MAX, "#a50f15")];

/// The grids layer's paint as the style had it, while the grids are coloured by density.
type GridPaint = Option<(Value, Value)>;

/// A level as the API spells it.
fn level_name(level: AreaLevel) -> String {
    serde_json::to_value(level).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The colour of an area's rate per 100 households (of its count where it has no households).
fn rate_colour(a: &AreaDensity) -> &'static str {
    let rate = a.per_100_households.unwrap_or(a.count as f64);
    RATE_STEPS.iter().find(|s| rate <= s.0).map_or("#a50f15", |s| s.1)
}

/// Colour the natural grids or the communities by their rate per 100 households. The grids layer has paint of its
/// own, kept in `saved` while coloured; the communities layer shows only what is coloured. With `None`, or for the
/// other level, put everything back.
fn colour_areas(map: MapCell, shown: Option<(AreaLevel, &[AreaDensity])>, saved: StoredValue<GridPaint>) {
    map.with_value(|m| {
        let Some(m) = m.as_ref().filter(|m| m.is_style_ready()) else { return };
        m.clear_states("grids");
        m.clear_states("boundaries");
        let grids = matches!(shown, Some((AreaLevel::Grid, _)));
        if !grids {
            if let Some((colour, opacity)) = saved.get_value() {
                m.set_paint("grids-fill", "fill-color", &colour);
                m.set_paint("grids-fill", "fill-opacity", &opacity);
                saved.set_value(None);
            }
        }
        let Some((_, areas)) = shown else { return };
        if grids {
            if saved.with_value(|s| s.is_none()) {
                if let (Some(colour), Some(opacity)) =
                    (m.paint("grids-fill", "fill-color"), m.paint("grids-fill", "fill-opacity"))
                {
                    saved.set_value(Some((colour, opacity)));
                }
            }
            let Some((colour, opacity)) = saved.get_value() else { return };
            m.set_paint("grids-fill", "fill-color", &json!(["coalesce", ["feature-state", "density"], colour]));
            m.set_paint(
                "grids-fill",
                "fill-opacity",
                &json!(["case", ["!=", ["feature-state", "density"], null], 0.8, opacity]),
            );
        }
        let source_layer = if grids { "grids" } else { "boundaries" };
        for a in areas {
            m.set_state(source_layer, &a.code, json!({ "density": rate_colour(a) }));
        }
    });
}

/// Classes of the difference map: (lowest change, colour, text key), most increase first.
const CHANGES: [(i64, &str, &str); 5] = [
    (5, "#b2182b", "change_up_much"),
    (1, "#ef8a62", "change_up"),
    (0, "#f7f7f7", "change_none"),
    (-4, "#67a9cf", "change_down"),
    (i64::MIN, "#2166ac", "change_down_much"),
];

fn change_colour(change: i64) -> &'static str {
    CHANGES.iter().find(|(low, _, _)| change >= *low).map_or("#2166ac", |c| c.1)
}

/// The levels of the busiest-areas table, with their text keys.
const LEVELS: [(AreaLevel, &str); 5] = [
    (AreaLevel::Street, "street"),
    (AreaLevel::Community, "community"),
    (AreaLevel::Grid, "natural"),
    (AreaLevel::Dedicated, "dedicated"),
    (AreaLevel::Special, "special"),
];

/// Colours of the time-series lines (the five busiest classes).
const LINES: [&str; 5] = ["#b91c1c", "#1d4ed8", "#15803d", "#a16207", "#7c3aed"];

/// The time-series chart: the five busiest classes' incidents per interval as lines.
fn chart(series: &Series) -> impl IntoView {
    let (w, h) = (300.0, 110.0);
    let n = series.starts.len().max(2) as f64;
    let top = series.classes.iter().take(5).flat_map(|c| c.counts.iter().copied()).max().unwrap_or(1).max(1) as f64;
    let lines: Vec<_> = series
        .classes
        .iter()
        .take(5)
        .zip(LINES)
        .map(|(c, colour)| {
            let points = c
                .counts
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{:.1},{:.1}", i as f64 / (n - 1.0) * w, h - *v as f64 / top * (h - 8.0)))
                .collect::<Vec<_>>()
                .join(" ");
            view! { <polyline points=points fill="none" stroke=colour stroke-width="1.8" /> }
        })
        .collect();
    let names: Vec<_> = series
        .classes
        .iter()
        .take(5)
        .zip(LINES)
        .map(|(c, colour)| {
            let total: u32 = c.counts.iter().sum();
            view! { <li><span class="swatch" style=format!("background:{colour}")></span>{c.name.clone()} " " <b>{total}</b></li> }
        })
        .collect();
    view! {
        <svg class="series" data-testid="density-series" viewBox=format!("0 0 {w} {h}") preserveAspectRatio="none">
            <line x1="0" y1=h x2=w y2=h stroke="#a8a29e" stroke-width="1" />
            {lines}
        </svg>
        <ul class="legend">{names}</ul>
    }
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
    // A hexagon's feature id is its place in the list drawn (the view keeps the cells for clicks).
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

/// Draw the cases' points as a heat surface (replacing the hexagons), or take it off with `None`.
fn draw_heat(map: MapCell, points: Option<&[(f32, f32)]>) {
    map.with_value(|m| {
        let Some(m) = m.as_ref().filter(|m| m.is_style_ready()) else { return };
        m.remove(&[HEAT], &[HEAT_SOURCE]);
        let Some(points) = points else { return };
        m.remove(&[FILL, LINE], &[SOURCE]);
        let features: Vec<Value> = points
            .iter()
            .enumerate()
            .map(|(i, (x, y))| {
                json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [x, y] }, "properties": { "id": i } })
            })
            .collect();
        m.add_geojson(HEAT_SOURCE, &json!({ "type": "FeatureCollection", "features": features }), "id");
        m.add_layer(&json!({ "id": HEAT, "type": "heatmap", "source": HEAT_SOURCE,
            "paint": { "heatmap-radius": 22, "heatmap-intensity": 1.2, "heatmap-opacity": 0.8,
                       "heatmap-color": ["interpolate", ["linear"], ["heatmap-density"],
                           0, "rgba(254,229,217,0)", 0.2, "#fcae91", 0.45, "#fb6a4a", 0.7, "#de2d26", 1, "#a50f15"] } }));
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
    let comparison = RwSignal::new(None::<Comparison>);
    // Past the bins' zoom the counts are a heat surface of points.
    let heat = RwSignal::new(false);
    let heat_total = RwSignal::new(0u64);
    let grid_paint = StoredValue::new(None::<(Value, Value)>);
    // The grids or communities coloured.
    let coloured = RwSignal::new(Vec::<AreaDensity>::new());
    // The cells drawn, in feature order, for clicks; the cases of the hexagon clicked.
    let drawn = StoredValue::new(Vec::<String>::new());
    let picked = RwSignal::new(None::<Result<(usize, Vec<CaseSummary>), String>>);
    let series = RwSignal::new(None::<Series>);
    // The window ends this many days before today (the time slider); playing moves it on.
    let end_back = RwSignal::new(0i64);
    let playing = StoredValue::new(None::<i32>);
    let moved = RwSignal::new(0u32);
    let bins = RwSignal::new(None::<Bins>);
    let areas = RwSignal::new(Vec::<AreaDensity>::new());
    let majors = RwSignal::new(Vec::<(String, String)>::new());
    // Minor category names, for the repeat places.
    let names = RwSignal::new(std::collections::HashMap::<String, String>::new());
    let repeats = RwSignal::new(Vec::<RepeatPlace>::new());
    // The level of the busiest-areas table.
    let level = RwSignal::new(AreaLevel::Community);
    let error = RwSignal::new(None::<String>);
    // The window's query, for handlers outside the reactive graph (map clicks).
    let window_now = StoredValue::new(String::new());
    map.with_value(|m| {
        if let Some(m) = m {
            m.on_event("moveend", move |_| {
                moved.try_update(|n| *n += 1);
            });
        }
    });
    // The cases of a place (`cell=…`, or `level=…&area=…`) in the window, of the chosen class.
    let list_cases = move |place: String| {
        let Some(w) = window_now.try_with_value(|w| w.clone()) else { return };
        spawn_local(async move {
            let url = format!("{}?{w}&{place}", paths::DENSITY_CASES);
            let found = get(&url).await.and_then(|r| {
                if r.ok() {
                    let total = r.body["total"].as_u64().unwrap_or_default() as usize;
                    serde_json::from_value(r.body["cases"].clone()).map(|c| (total, c)).map_err(|e| e.to_string())
                } else {
                    Err(r.message())
                }
            });
            picked.try_set(Some(found));
        });
    };
    // A click on a hexagon, or on a coloured grid or community, lists its cases.
    map.with_value(|m| {
        if let Some(m) = m {
            let m2 = m.clone();
            m.on_event("click", move |ev| {
                let at = |k: &str| {
                    js_sys::Reflect::get(&ev, &"point".into())
                        .and_then(|p| js_sys::Reflect::get(&p, &k.into()))
                        .ok()
                        .and_then(|v| v.as_f64())
                        .unwrap_or_default()
                };
                let place = match mode.try_get_untracked().and_then(Mode::areas) {
                    Some((level, layer)) => m2
                        .codes_at(at("x"), at("y"), layer)
                        .into_iter()
                        .next()
                        .map(|code| format!("level={}&area={code}", level_name(level))),
                    None => m2
                        .ids_at(at("x"), at("y"), FILL)
                        .first()
                        .and_then(|i| drawn.try_with_value(|d| d.get(*i as usize).cloned()).flatten())
                        .map(|cell| format!("cell={cell}")),
                };
                if let Some(place) = place {
                    list_cases(place);
                }
            });
        }
    });
    let play = move |_| {
        let Some(w) = web_sys::window() else { return };
        if let Some(id) = playing.get_value() {
            w.clear_interval_with_handle(id);
            playing.set_value(None);
            return;
        }
        if end_back.get_untracked() == 0 {
            end_back.set(365 - days.get_untracked().min(365));
        }
        let step = (days.get_untracked() / 4).max(1);
        let tick = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            let next = (end_back.get_untracked() - step).max(0);
            end_back.set(next);
            if next == 0 {
                if let (Some(w), Some(id)) = (web_sys::window(), playing.get_value()) {
                    w.clear_interval_with_handle(id);
                    playing.set_value(None);
                }
            }
        });
        if let Ok(id) = w.set_interval_with_callback_and_timeout_and_arguments_0(
            wasm_bindgen::JsCast::unchecked_ref(tick.as_ref()),
            1500,
        ) {
            playing.set_value(Some(id));
        }
        tick.forget();
    };
    on_cleanup(move || {
        if let (Some(w), Some(id)) = (web_sys::window(), playing.get_value()) {
            w.clear_interval_with_handle(id);
        }
        map.with_value(|m| {
            if let Some(m) = m {
                m.remove(&[FILL, LINE, HEAT], &[SOURCE, HEAT_SOURCE]);
            }
        });
        colour_areas(map, None, grid_paint);
    });
    spawn_local(async move {
        if let Ok(r) = get(paths::CATEGORIES).await {
            let all = r.answer::<Vec<Category>>().unwrap_or_default();
            names.set(all.iter().map(|c| (c.code.clone(), c.name.clone())).collect());
            let mut list: Vec<(String, String)> = all
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
        let end = js_sys::Date::now() as i64 - end_back.get() * 86_400_000;
        let at = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                .replace('+', "%2B")
        };
        let mut q = format!("from={}&to={}", at(end - days.get() * 86_400_000), at(end));
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
        let bbox =
            format!("{:.5},{:.5},{:.5},{:.5}", b[0].max(-180.0), b[1].max(-90.0), b[2].min(180.0), b[3].min(90.0));
        if let Some((level, _)) = shown.areas() {
            draw_heat(map, None);
            draw(map, std::iter::empty());
            let url = format!("{}?{w}&level={}", paths::DENSITY_AREAS, level_name(level));
            spawn_local(async move {
                let reply = get(&url).await;
                match reply.and_then(|r| if r.ok() { r.answer::<Vec<AreaDensity>>() } else { Err(r.message()) }) {
                    Ok(found) => {
                        colour_areas(map, Some((level, &found)), grid_paint);
                        coloured.set(found);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
            return;
        }
        colour_areas(map, None, grid_paint);
        if shown == Mode::Counts && zoom >= HEAT_ZOOM {
            heat.set(true);
            let url = format!("{}?{w}&bbox={bbox}", paths::DENSITY_POINTS);
            spawn_local(async move {
                match get(&url).await.and_then(|r| if r.ok() { Ok(r.body) } else { Err(r.message()) }) {
                    Ok(body) => {
                        let points: Vec<(f32, f32)> =
                            serde_json::from_value(body["points"].clone()).unwrap_or_default();
                        draw_heat(map, Some(&points));
                        heat_total.set(body["total"].as_u64().unwrap_or_default());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
            return;
        }
        heat.set(false);
        draw_heat(map, None);
        let path = match shown {
            Mode::Counts => paths::DENSITY_BINS,
            Mode::HotSpots => paths::DENSITY_HOTSPOTS,
            Mode::Emerging => paths::DENSITY_EMERGING,
            Mode::Compare => paths::DENSITY_COMPARE,
            Mode::Grids | Mode::Communities => return,
        };
        let url = format!("{path}?{w}&resolution={}&bbox={bbox}", resolution(zoom));
        spawn_local(async move {
            let reply = get(&url).await.and_then(|r| if r.ok() { Ok(r) } else { Err(r.message()) });
            let done = reply.and_then(|r| match shown {
                Mode::Emerging => r.answer::<EmergingBins>().map(|found| {
                    let colour = |c: Emerging| EMERGING.iter().find(|e| e.0 == c).map_or("#f7f7f7", |e| e.1);
                    draw(map, found.bins.iter().map(|b| (b.boundary.as_slice(), colour(b.class))));
                    drawn.set_value(found.bins.iter().map(|b| b.cell.clone()).collect());
                    emerging.set(Some(found));
                }),
                Mode::Compare => r.answer::<Comparison>().map(|found| {
                    let hexagons = found
                        .bins
                        .iter()
                        .map(|b| (b.boundary.as_slice(), change_colour(i64::from(b.count) - i64::from(b.previous))));
                    draw(map, hexagons);
                    drawn.set_value(found.bins.iter().map(|b| b.cell.clone()).collect());
                    comparison.set(Some(found));
                }),
                _ => r.answer::<Bins>().map(|found| {
                    draw(map, found.bins.iter().map(|b| (b.boundary.as_slice(), colour(b))));
                    drawn.set_value(found.bins.iter().map(|b| b.cell.clone()).collect());
                    bins.set(Some(found));
                }),
            });
            if let Err(e) = done {
                error.set(Some(e));
            }
        });
    });
    // A new mode starts with no place picked.
    Effect::new(move |_| {
        mode.track();
        picked.set(None);
    });
    Effect::new(move |_| {
        let w = window();
        window_now.set_value(w.clone());
        picked.set(None);
        let interval = match days.get() {
            d if d <= 31 => "day",
            d if d <= 92 => "week",
            _ => "month",
        };
        let url = format!("{}?{w}&interval={interval}", paths::DENSITY_SERIES);
        spawn_local(async move {
            if let Ok(found) = get(&url).await.and_then(|r| r.answer::<Series>()) {
                series.try_set(Some(found));
            }
        });
    });
    Effect::new(move |_| {
        let url = format!("{}?{}&min=3&resolution=10", paths::DENSITY_REPEATS, window());
        spawn_local(async move {
            if let Ok(r) = get(&url).await {
                repeats.try_set(r.answer::<Vec<RepeatPlace>>().unwrap_or_default());
            }
        });
    });
    Effect::new(move |_| {
        let name =
            serde_json::to_value(level.get()).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let url = format!("{}?{}&level={name}", paths::DENSITY_AREAS, window());
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
            <label>{move || tr!(lang.get(), "window_end")}
                <input type="range" data-testid="density-end" min="0" max="365" step="1"
                    prop:value=move || (365 - end_back.get()).to_string()
                    on:input=move |ev| end_back.set(365 - event_target_value(&ev).parse::<i64>().unwrap_or(365)) />
                <span data-testid="density-end-date">{move || {
                    let end = js_sys::Date::now() as i64 - end_back.get() * 86_400_000;
                    chrono::DateTime::from_timestamp_millis(end).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
                }}</span>
                <button type="button" data-testid="density-play" on:click=play>{move || tr!(lang.get(), "play")}</button>
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
                <button class:on=move || mode.get() == Mode::Compare data-testid="density-compare" on:click=move |_| mode.set(Mode::Compare)>{move || tr!(lang.get(), "compare_periods")}</button>
                <button class:on=move || mode.get() == Mode::Grids data-testid="density-grids" on:click=move |_| mode.set(Mode::Grids)>{move || tr!(lang.get(), "grids_by_rate")}</button>
                <button class:on=move || mode.get() == Mode::Communities data-testid="density-communities" on:click=move |_| mode.set(Mode::Communities)>{move || tr!(lang.get(), "communities_by_rate")}</button>
            </div>
            <p class="muted" data-testid="density-total">
                {move || match mode.get() {
                    Mode::Emerging => emerging.get().map(|e| format!("{} {} · {} {}", e.bins.len(), tr!(lang.get(), "emerging_places"), e.slices.len(), tr!(lang.get(), "time_slices"))),
                    Mode::Compare => comparison.get().map(|c| format!("{} {} · {} {}", tr!(lang.get(), "this_period"), c.total, tr!(lang.get(), "previous_period"), c.previous_total)),
                    Mode::Grids => Some(format!("{} {}", coloured.get().len(), tr!(lang.get(), "grids_coloured"))),
                    Mode::Communities => Some(format!("{} {}", coloured.get().len(), tr!(lang.get(), "communities_coloured"))),
                    Mode::Counts if heat.get() => Some(format!("{} {} · {}", heat_total.get(), tr!(lang.get(), "incidents"), tr!(lang.get(), "heat_surface"))),
                    _ => bins.get().map(|b| format!("{} {} · {} {}", b.total, tr!(lang.get(), "incidents"), b.bins.len(), tr!(lang.get(), "bins"))),
                }}
            </p>
            <ul class="legend" data-testid="density-legend">
                {move || if mode.get().areas().is_some() {
                    let mut low = 0.0;
                    RATE_STEPS.iter().map(|(high, c)| {
                        let label = if *high == f64::MAX { format!("> {low}") } else { format!("{low}–{high}") };
                        low = *high;
                        let shown = label.clone();
                        view! { <li data-rate=label><span class="swatch" style=format!("background:{c}")></span>{shown} " " {move || tr!(lang.get(), "per_100_households")}</li> }
                    }).collect_view().into_any()
                } else if mode.get() == Mode::Compare {
                    CHANGES.iter().map(|(_, c, key)| view! {
                        <li data-change=*key><span class="swatch" style=format!("background:{c}")></span>{move || t(lang.get(), key)}</li>
                    }).collect_view().into_any()
                } else if mode.get() == Mode::Emerging {
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
            <p class="muted">{move || tr!(lang.get(), "click_hexagon")}</p>
            {move || picked.get().map(|found| match found {
                Ok((total, cases)) => view! {
                    <div class="cell-cases" data-testid="density-cell-cases">
                        <p><b>{total}</b> " " {move || tr!(lang.get(), "cases_here")}</p>
                        <ul>{cases.into_iter().map(|c| {
                            let href = format!("/cases/{}", c.id);
                            view! { <li><a href=href>{c.category_name.clone()} " · " {c.number.clone()}</a></li> }
                        }).collect_view()}</ul>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="error">{e}</p> }.into_any(),
            })}
            <h4>{move || tr!(lang.get(), "over_time")}</h4>
            {move || series.get().map(|s| chart(&s))}
            <h4>{move || tr!(lang.get(), "repeat_places")}</h4>
            <ol class="repeats" data-testid="density-repeats">
                {move || {
                    let known = names.get();
                    repeats.get().into_iter().take(10).map(|r| {
                        let name = known.get(&r.category).cloned().unwrap_or_else(|| r.category.clone());
                        let (lon, lat) = r.at;
                        let first = r.case_ids.first().copied();
                        view! {
                            <li on:click=move |_| map.with_value(|m| if let Some(m) = m { m.fly_to(lon, lat, 17.0) })>
                                <b>{name}</b> " × " {r.count}
                                {first.map(|id| view! { " · " <a href=format!("/cases/{id}") on:click=|ev| ev.stop_propagation()>{move || tr!(lang.get(), "newest_case")}</a> })}
                            </li>
                        }
                    }).collect_view()
                }}
            </ol>
            <h4>{move || tr!(lang.get(), "busiest_areas")}
                <select data-testid="density-level" on:change=move |ev| {
                    if let Ok(l) = serde_json::from_value(Value::String(event_target_value(&ev))) { level.set(l) }
                }>
                    {LEVELS.iter().map(|(l, key)| {
                        let value = level_name(*l);
                        view! { <option value=value selected=*l == AreaLevel::Community>{move || t(lang.get(), key)}</option> }
                    }).collect_view()}
                </select>
            </h4>
            <table class="top" data-testid="density-top">
                <tr><th>{move || LEVELS.iter().find(|(l, _)| *l == level.get()).map_or("", |(_, key)| t(lang.get(), key))}</th><th>{move || tr!(lang.get(), "incidents")}</th>
                    <th>{move || tr!(lang.get(), "change")}</th><th>{move || tr!(lang.get(), "per_100_households")}</th></tr>
                {move || areas.get().into_iter().take(10).map(|a| {
                    let change = a.count as i64 - a.previous as i64;
                    let trend = if change > 0 { "up" } else if change < 0 { "down" } else { "" };
                    let place = format!("level={}&area={}", level_name(level.get_untracked()), a.code);
                    view! {
                        <tr class="pick" on:click=move |_| list_cases(place.clone())>
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
