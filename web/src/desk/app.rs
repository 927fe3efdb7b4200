//! The app: a full-screen map with a header (search, language, staff/public), a side panel and layer switches.

use crate::tr;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wangge_api::paths;
use wangge_domain::case::Channel;
use wasm_bindgen::{JsCast, JsValue};

use std::rc::Rc;

use crate::desk::admin::AdminPanel;
use crate::desk::cases::{clear_map, show_pin, CaseDesk, CasePage, ReportForm};
use crate::desk::density::{show_public_density, DensityView};
use crate::desk::editor::{Controller, EditorPanel};
use crate::desk::login::LoginDialog;
use crate::desk::panels::{GridPanel, Legend, LocatedPanel, SearchResults};
use crate::desk::public_report::{
    hide_public_reports, show_public_reports, PublicReportCard, PublicReportForm, TrackPage, REPORTS_LAYER_ID,
};
use crate::desk::residents::ResidentsPanel;
use crate::desk::screen::Screen;
use crate::kit::api::{self, Account, GridCard, GridStats, Located, SearchHit};
use crate::kit::i18n::{t, Lang};
use crate::kit::maplibre::Map;
use leptos_router::components::Router;
use leptos_router::hooks::{use_location, use_navigate};
use wangge_api::public::PublicReport;

fn number(v: &JsValue, path: &[&str]) -> Option<f64> {
    let mut cur = v.clone();
    for p in path {
        cur = js_sys::Reflect::get(&cur, &JsValue::from_str(p)).ok()?;
    }
    cur.as_f64()
}

/// Whether the page asks for the public map: `/public`, or `?mode=public` on any screen.
fn public_from_url() -> bool {
    let location = web_sys::window().map(|w| w.location());
    let path = location.as_ref().and_then(|l| l.pathname().ok()).unwrap_or_default();
    let query = location
        .and_then(|l| l.search().ok())
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())
        .and_then(|p| p.get("mode"));
    Screen::parse(&path) == Screen::Public || query.is_some_and(|m| m == "public")
}

/// Toggleable style layers: (text key, style layer ids).
const LAYERS: [(&str, &[&str]); 5] = [
    ("grids", &["grids-fill", "grids-line", "labels"]),
    ("buildings", &["buildings"]),
    ("blocks", &["blocks"]),
    ("elements", &["elements"]),
    ("special", &["special-grids"]),
];

/// The root component: the desk app under the router, so every screen has a URL ([`Screen`]).
#[component]
pub fn App() -> impl IntoView {
    view! { <Router><Desk /></Router> }
}

/// The desk app: the map with its panels. UI actions ask for a [`Screen`]; the screen follows the URL, so the back
/// button and links work.
#[component]
fn Desk() -> impl IntoView {
    let (lang, set_lang) = signal(Lang::Zh);
    // Anonymous visitors see the public map; staff see the working map unless they ask for the public one.
    let (public, set_public) = signal(true);
    let account = RwSignal::new(None::<Account>);
    let show_login = RwSignal::new(false);
    let (located, set_located) = signal(None::<Located>);
    let (grid, set_grid) = signal(None::<(GridCard, Option<GridStats>)>);
    let (hits, set_hits) = signal(None::<Vec<SearchHit>>);
    let (query, set_query) = signal(String::new());
    let (demo, set_demo) = signal(false);
    let (error, set_error) = signal(None::<String>);
    let visible: Vec<(&'static str, RwSignal<bool>)> =
        LAYERS.iter().map(|(k, _)| (*k, RwSignal::new(*k != "blocks"))).collect();
    let map: StoredValue<Option<Map>, LocalStorage> = StoredValue::new_local(None);
    // The grid editor, while a planner edits a community.
    let editor: StoredValue<Option<Rc<Controller>>, LocalStorage> = StoredValue::new_local(None);
    let editing = RwSignal::new(None::<String>);
    let editor_open = RwSignal::new(false);
    let show_admin = RwSignal::new(false);
    let show_density = RwSignal::new(false);
    // The case screens (desk, one case, the report form) and the report's pin.
    let case_screen = RwSignal::new(None::<Screen>);
    let pin = RwSignal::new(None::<(f64, f64)>);
    // The public's screens (report a problem, a tracking page).
    let public_screen = RwSignal::new(None::<Screen>);
    // The accepted public reports on the public map, and the one picked by a click.
    let public_reports = RwSignal::new(Vec::<PublicReport>::new());
    let picked_report = RwSignal::new(None::<PublicReport>);
    // The public density map (hexagons of at least five incidents), when the visitor switches it on.
    let public_heat = RwSignal::new(false);
    // Bumped whenever a style has loaded (at start, after the public/staff switch): overlays are added again.
    let restyle = RwSignal::new(0u32);
    Effect::new(move |_| {
        restyle.get();
        show_pin(map, pin.get())
    });
    let selected_code: StoredValue<Option<String>> = StoredValue::new(None);
    // A screen asked for by the UI; the router takes it to the URL, and the URL drives what is shown.
    let wanted = RwSignal::new(None::<Screen>);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(screen) = wanted.get() {
            navigate(&screen.path(), Default::default());
        }
    });
    let location = use_location();

    // The panel of grid `id` (with statistics for staff), or none.
    let show_grid = move |id: Option<i64>| async move {
        let staff = account.get_untracked().is_some() && !public.get_untracked();
        set_grid.set(match id {
            Some(id) => match api::grid(id).await {
                Ok(card) => Some((card, if staff { api::grid_stats(id).await.ok() } else { None })),
                Err(_) => None,
            },
            None => None,
        });
    };
    let select_point = move |lon: f64, lat: f64| {
        spawn_local(async move {
            match api::locate(lon, lat).await {
                Ok(l) => {
                    let code = l.grid().map(|g| g.code.clone());
                    let id = l.grid().map(|g| g.id);
                    set_located.set(Some(l));
                    map.with_value(|m| {
                        if let Some(m) = m {
                            if let Some(old) = selected_code.get_value() {
                                m.set_state("grids", &old, serde_json::json!({ "selected": false }));
                            }
                            if let Some(c) = &code {
                                m.set_state("grids", c, serde_json::json!({ "selected": true }));
                            }
                        }
                    });
                    selected_code.set_value(code);
                    show_grid(id).await;
                    if let Some(id) = id {
                        wanted.set(Some(Screen::Grid(id)));
                    }
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };

    // Create the map once the container is in the page.
    Effect::new(move |_| {
        if map.with_value(|m| m.is_some()) {
            return;
        }
        let m = Map::create("map", "/style.json?mode=public", [118.92, 31.85], 13.0);
        m.on_event("style.load", move |_| restyle.update(|n| *n += 1));
        m.on_event("moveend", move |_| {
            if public.get_untracked() && case_screen.get_untracked().is_none() {
                show_public_reports(map, public_reports);
                if public_heat.get_untracked() {
                    show_public_density(map, true);
                }
            }
        });
        m.on_event("click", move |ev| {
            let lng_lat = (number(&ev, &["lngLat", "lng"]), number(&ev, &["lngLat", "lat"]));
            if public_screen.get_untracked() == Some(Screen::PublicReport) {
                if let (Some(lon), Some(lat)) = lng_lat {
                    pin.set(Some((lon, lat)));
                }
                return;
            }
            if public.get_untracked() && case_screen.get_untracked().is_none() {
                let (x, y) = (number(&ev, &["point", "x"]), number(&ev, &["point", "y"]));
                let hit = map.with_value(|m| {
                    m.as_ref().and_then(|m| {
                        m.ids_at(x.unwrap_or_default(), y.unwrap_or_default(), REPORTS_LAYER_ID).first().copied()
                    })
                });
                let report = hit.and_then(|i| public_reports.get_untracked().get(i as usize).cloned());
                picked_report.set(report.clone());
                if report.is_some() {
                    return;
                }
            }
            match case_screen.get_untracked() {
                Some(Screen::Report) => {
                    if let (Some(lon), Some(lat)) = lng_lat {
                        pin.set(Some((lon, lat)));
                    }
                    return;
                }
                Some(Screen::Cases) => {
                    let (x, y) = (number(&ev, &["point", "x"]), number(&ev, &["point", "y"]));
                    let hit = map.with_value(|m| {
                        m.as_ref().and_then(|m| {
                            m.ids_at(x.unwrap_or_default(), y.unwrap_or_default(), "cases-dots").first().copied()
                        })
                    });
                    if let Some(id) = hit {
                        wanted.set(Some(Screen::Case(id)));
                        return;
                    }
                }
                _ => {}
            }
            if let Some(ctl) = editor.get_value() {
                if let (Some(x), Some(y)) = (number(&ev, &["point", "x"]), number(&ev, &["point", "y"])) {
                    ctl.on_click(x, y);
                }
                return;
            }
            // The density view takes its own clicks (a hexagon's cases).
            if show_density.get_untracked() {
                return;
            }
            if let (Some(lon), Some(lat)) = (number(&ev, &["lngLat", "lng"]), number(&ev, &["lngLat", "lat"])) {
                select_point(lon, lat);
            }
        });
        for (event, kind) in [("mousedown", 0), ("mousemove", 1), ("mouseup", 2)] {
            m.on_event(event, move |ev| {
                let Some(ctl) = editor.get_value() else {
                    return;
                };
                let at = |p: &[&str]| number(&ev, p).unwrap_or_default();
                let (x, y, lon, lat) =
                    (at(&["point", "x"]), at(&["point", "y"]), at(&["lngLat", "lng"]), at(&["lngLat", "lat"]));
                match kind {
                    0 => ctl.on_down(x, y, lon, lat),
                    1 => ctl.on_move(x, y, lon, lat),
                    _ => ctl.on_up(),
                }
            });
        }
        if let Some(w) = web_sys::window() {
            let _ = js_sys::Reflect::set(&w, &JsValue::from_str("wanggeMap"), m.as_ref());
        }
        map.set_value(Some(m));
        spawn_local(async move {
            if let Ok(Some(a)) = api::session().await {
                account.set(Some(a));
                set_public.set(public_from_url());
            }
        });
        spawn_local(async move {
            if let Ok(ds) = api::districts().await {
                set_demo.set(ds.iter().any(|d| d.generated));
                if let Some(b) = ds.iter().find_map(|d| d.bbox) {
                    map.with_value(|m| {
                        if let Some(m) = m {
                            m.fit(b)
                        }
                    });
                }
            }
        });
    });

    // The public density map follows its switch (and the style reloads).
    Effect::new(move |_| {
        restyle.get();
        show_public_density(map, public_heat.get() && public.get());
    });
    // The public map shows the accepted public reports in view.
    Effect::new(move |_| {
        restyle.get();
        if public.get() && case_screen.get().is_none() {
            show_public_reports(map, public_reports);
        } else {
            hide_public_reports(map);
        }
    });

    // Staff/public switch reloads the style; layer switches toggle visibility.
    Effect::new(move |prev: Option<bool>| {
        let p = public.get();
        if prev.is_some_and(|old| old != p) {
            map.with_value(|m| {
                if let Some(m) = m {
                    m.set_style(if p { "/style.json?mode=public" } else { paths::STYLE })
                }
            });
        }
        p
    });
    for (key, sig) in visible.iter().copied() {
        let ids = LAYERS.iter().find(|(k, _)| *k == key).map(|(_, ids)| *ids).unwrap_or(&[]);
        Effect::new(move |_| {
            let on = sig.get();
            map.with_value(|m| {
                if let Some(m) = m {
                    for id in ids {
                        m.set_visible(id, on);
                    }
                }
            });
        });
    }

    let run_search = move || {
        let q = query.get_untracked();
        if q.trim().is_empty() {
            set_hits.set(None);
            return;
        }
        spawn_local(async move {
            match api::search(q.trim()).await {
                Ok(h) => set_hits.set(Some(h)),
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let pick = Callback::new(move |hit: SearchHit| {
        set_hits.set(None);
        map.with_value(|m| {
            if let Some(m) = m {
                m.fly_to(hit.lon, hit.lat, 17.0)
            }
        });
        // On the report form an address found places the pin; elsewhere it shows the place's grid.
        if public_screen.get_untracked() == Some(Screen::PublicReport) {
            pin.set(Some((hit.lon, hit.lat)));
        } else {
            select_point(hit.lon, hit.lat);
        }
    });
    let open_editor = Callback::new(move |community: String| {
        let (Some(m), Some(a)) = (map.get_value(), account.get_untracked()) else {
            return;
        };
        editing.set(Some(community.clone()));
        spawn_local(async move {
            match Controller::open(community, m, a.csrf_token.clone(), lang).await {
                Ok(ctl) => {
                    editor.set_value(Some(ctl));
                    editor_open.set(true);
                    set_grid.set(None);
                    set_located.set(None);
                }
                Err(e) => {
                    editing.set(None);
                    set_error.set(Some(e));
                }
            }
        });
    });
    let close_editor = Callback::new(move |_: ()| {
        if let Some(ctl) = editor.get_value() {
            ctl.close();
        }
        editor.set_value(None);
        editor_open.set(false);
        editing.set(None);
        // Published changes are in the tiles now: reload them.
        map.with_value(|m| {
            if let Some(m) = m {
                m.set_style(paths::STYLE)
            }
        });
    });
    if let Some(w) = web_sys::window() {
        let keys = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
            move |ev: web_sys::KeyboardEvent| {
                let Some(ctl) = editor.get_value() else {
                    return;
                };
                let key = ev.key().to_lowercase();
                if (ev.ctrl_key() || ev.meta_key()) && (key == "z" || key == "y") {
                    ev.prevent_default();
                    ctl.undo(key == "y" || ev.shift_key());
                }
            },
        );
        let _ = w.add_event_listener_with_callback("keydown", keys.as_ref().unchecked_ref());
        keys.forget();
    }
    let leave_editor = Callback::new(move |_: ()| wanted.set(Some(Screen::Map)));
    // Show the screen of the URL (also when the back button changes it, and again once the session is known).
    Effect::new(move |_| {
        let screen = Screen::parse(&location.pathname.get());
        let signed_in = account.get().is_some();
        let editing_now = editing.get_untracked();
        match &screen {
            Screen::Editor(code) if editing_now.as_deref() != Some(code.as_str()) => {
                if editing_now.is_some() {
                    close_editor.run(());
                }
                open_editor.run(code.clone());
            }
            Screen::Editor(_) => {}
            _ if editing_now.is_some() => close_editor.run(()),
            _ => {}
        }
        show_admin.set(screen == Screen::Admin);
        show_density.set(screen == Screen::Density);
        let on_cases = matches!(screen, Screen::Cases | Screen::Case(_) | Screen::Report);
        if !on_cases && case_screen.get_untracked().is_some() {
            clear_map(map);
            pin.set(None);
        }
        if !matches!(screen, Screen::Report | Screen::PublicReport | Screen::Track(_)) {
            pin.set(None);
        }
        case_screen.set(on_cases.then(|| screen.clone()));
        public_screen.set(matches!(screen, Screen::PublicReport | Screen::Track(_)).then(|| screen.clone()));
        match screen {
            Screen::Public | Screen::PublicReport | Screen::Track(_) => set_public.set(true),
            _ if signed_in && !public_from_url() => set_public.set(false),
            _ => {}
        }
        match screen {
            Screen::Grid(id) if grid.get_untracked().is_none_or(|(card, _)| card.id != id) => spawn_local(async move {
                show_grid(Some(id)).await;
                let bbox = grid.get_untracked().and_then(|(card, _)| card.bbox);
                map.with_value(|m| {
                    if let (Some(m), Some(b)) = (m, bbox) {
                        m.fit(b)
                    }
                });
            }),
            Screen::Grid(_) => {}
            _ => set_grid.set(None),
        }
    });
    let signed_in = Callback::new(move |a: Account| {
        account.set(Some(a));
        show_login.set(false);
        set_grid.set(None);
        set_public.set(false);
        wanted.set(Some(Screen::Map));
    });
    let sign_out = move |_| {
        let Some(a) = account.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match api::logout(&a.csrf_token).await {
                Ok(()) => {
                    account.set(None);
                    set_grid.set(None);
                    set_public.set(true);
                    wanted.set(Some(Screen::Map));
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let where_am_i = move |_| {
        let Some(geo) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
            return;
        };
        let ok = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Position)>::new(move |p: web_sys::Position| {
            let c = p.coords();
            map.with_value(|m| {
                if let Some(m) = m {
                    m.fly_to(c.longitude(), c.latitude(), 16.0)
                }
            });
            select_point(c.longitude(), c.latitude());
        });
        let err = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |_| {
            set_error.set(Some(tr!(lang.get_untracked(), "geo_error").into()))
        });
        let _ = geo
            .get_current_position_with_error_callback(ok.as_ref().unchecked_ref(), Some(err.as_ref().unchecked_ref()));
        ok.forget();
        err.forget();
    };

    view! {
        <header>
            <h1>"网格 " <span>{move || tr!(lang.get(), "title")}</span></h1>
            <Show when=move || demo.get()><span class="badge" data-testid="demo-badge">{move || tr!(lang.get(), "demo")}</span></Show>
            <form class="search" on:submit=move |ev| { ev.prevent_default(); run_search(); }>
                <input type="search" data-testid="search" placeholder=move || tr!(lang.get(), "search")
                    prop:value=move || query.get() on:input=move |ev| set_query.set(event_target_value(&ev)) />
            </form>
            <div class="switches">
                {move || match account.get() {
                    Some(a) => {
                        let role = format!("role_{}", a.role);
                        view! {
                            <span class="who" data-testid="who">{a.display_name.clone()} " · " {move || t(lang.get(), &role)}</span>
                            <Show when={let reads = a.role != "planner"; move || reads}>
                                <button data-testid="cases-open" on:click=move |_| wanted.set(Some(if case_screen.get_untracked().is_some() { Screen::Map } else { Screen::Cases }))>{move || tr!(lang.get(), "cases")}</button>
                            </Show>
                            <Show when={let reads = matches!(a.role.as_str(), "district_admin" | "planner" | "street_operator" | "grid_head"); move || reads}>
                                <button data-testid="density-open" on:click=move |_| wanted.set(Some(if show_density.get_untracked() { Screen::Map } else { Screen::Density }))>{move || tr!(lang.get(), "density")}</button>
                            </Show>
                            <Show when={let admin = a.role == "district_admin"; move || admin}>
                                <button data-testid="admin-open" on:click=move |_| wanted.set(Some(if show_admin.get_untracked() { Screen::Map } else { Screen::Admin }))>{move || tr!(lang.get(), "admin")}</button>
                            </Show>
                            <button data-testid="mode" on:click=move |_| { set_grid.set(None); wanted.set(Some(if public.get_untracked() { Screen::Map } else { Screen::Public })) }>
                                {move || t(lang.get(), if public.get() { "staff" } else { "public" })}
                            </button>
                            <button data-testid="logout" on:click=sign_out>{move || tr!(lang.get(), "sign_out")}</button>
                        }.into_any()
                    }
                    None => view! {
                        <button data-testid="login-open" on:click=move |_| show_login.set(true)>{move || tr!(lang.get(), "sign_in")}</button>
                    }.into_any(),
                }}
                <button data-testid="lang" on:click=move |_| set_lang.update(|l| *l = if *l == Lang::Zh { Lang::En } else { Lang::Zh })>
                    {move || if lang.get() == Lang::Zh { "EN" } else { "中文" }}
                </button>
            </div>
        </header>
        <main>
            <div id="map"></div>
            <aside>
                {move || hits.get().map(|h| view! { <SearchResults lang=lang hits=h pick=pick /> })}
                {move || error.get().map(|e| view! { <p class="error" on:click=move |_| set_error.set(None)>{e}</p> })}
                {move || public_screen.get().map(|screen| {
                    let csrf = account.get_untracked().map(|a| a.csrf_token);
                    match screen {
                        Screen::Track(token) => {
                            let show = Callback::new(move |(lon, lat): (f64, f64)| {
                                pin.set(Some((lon, lat)));
                                map.with_value(|m| {
                                    if let Some(m) = m {
                                        m.fly_to(lon, lat, 17.0)
                                    }
                                });
                            });
                            view! { <TrackPage lang=lang token=token csrf=csrf show=show /> }.into_any()
                        }
                        _ => view! {
                            <PublicReportForm lang=lang pin=pin csrf=csrf done=Callback::new(move |token| wanted.set(Some(Screen::Track(token)))) />
                        }.into_any(),
                    }
                })}
                {move || picked_report.get().filter(|_| public_screen.get().is_none()).map(|report| {
                    let csrf = account.get_untracked().map(|a| a.csrf_token);
                    view! { <PublicReportCard lang=lang report=report csrf=csrf followed=Callback::new(move |token| { picked_report.set(None); wanted.set(Some(Screen::Track(token))) }) /> }
                })}
                <Show when=move || case_screen.get().is_none() && public_screen.get().is_none()>
                    <Show when=move || public.get()>
                        <button class="primary report-problem" data-testid="report-problem" on:click=move |_| wanted.set(Some(Screen::PublicReport))>
                            {move || tr!(lang.get(), "report_problem")}</button>
                    </Show>
                    <button class="primary" data-testid="where-am-i" on:click=where_am_i>{move || tr!(lang.get(), "where_am_i")}</button>
                    {move || match located.get() {
                        Some(l) => view! { <LocatedPanel lang=lang located=l /> }.into_any(),
                        None => view! { <p class="muted">{move || tr!(lang.get(), "click_hint")}</p> }.into_any(),
                    }}
                </Show>
                {move || grid.get().map(|(card, stats)| {
                    let may_edit = !public.get() && account.get().is_some_and(|a| a.role == "planner" || a.role == "district_admin");
                    let community = card.community_code.clone();
                    let grid_id = card.id;
                    let residents = (!public.get())
                        .then(|| account.get())
                        .flatten()
                        .filter(|a| matches!(a.role.as_str(), "district_admin" | "street_operator" | "grid_worker" | "grid_head"))
                        .filter(|_| stats.is_some())
                        .map(|a| view! { <ResidentsPanel lang=lang grid=grid_id csrf=a.csrf_token.clone() /> });
                    view! {
                        <GridPanel lang=lang card=card stats=stats />
                        {residents}
                        <Show when=move || may_edit && editing.get().is_none()>
                            <button class="primary" data-testid="edit-community" on:click={let c = community.clone(); move |_| wanted.set(Some(Screen::Editor(c.clone())))}>
                                {move || tr!(lang.get(), "edit_community")}</button>
                        </Show>
                    }
                })}
                {move || editor_open.get().then(|| editor.get_value()).flatten().map(|ctl| view! { <EditorPanel ctl=ctl close=leave_editor /> })}
                {move || (show_admin.get() && !public.get()).then(|| account.get()).flatten().map(|a| view! { <AdminPanel lang=lang csrf=a.csrf_token.clone() /> })}
                {move || (show_density.get() && !public.get() && account.get().is_some()).then(|| view! { <DensityView lang=lang map=map restyle=restyle.read_only() /> })}
                {move || account.get().and_then(|a| case_screen.get().map(|screen| (a, screen))).map(|(a, screen)| match screen {
                    Screen::Case(id) => view! {
                        <CasePage lang=lang csrf=a.csrf_token.clone() id=id map=map restyle=restyle.read_only() back=Callback::new(move |_| wanted.set(Some(Screen::Cases))) />
                    }.into_any(),
                    Screen::Report => {
                        let channels = match a.role.as_str() {
                            "street_operator" => vec![Channel::Hotline, Channel::Patrol, Channel::Camera, Channel::Leader, Channel::Department],
                            _ => vec![Channel::Patrol],
                        };
                        view! {
                            <ReportForm lang=lang csrf=a.csrf_token.clone() pin=pin channels=channels done=Callback::new(move |id| wanted.set(Some(Screen::Case(id)))) />
                        }.into_any()
                    }
                    _ => view! {
                        <CaseDesk lang=lang csrf=a.csrf_token.clone() map=map restyle=restyle.read_only() open=Callback::new(move |id| wanted.set(Some(Screen::Case(id)))) report=Callback::new(move |_| wanted.set(Some(Screen::Report))) />
                    }.into_any(),
                })}
                <section class="layers">
                    <h4>{move || tr!(lang.get(), "layers")}</h4>
                    {visible.iter().copied().map(|(key, sig)| {
                        // Blocks and special grids are staff layers; the public map has no such switch.
                        let staff_only = matches!(key, "blocks" | "special");
                        view! {
                            <Show when=move || !(staff_only && public.get())>
                                <label><input type="checkbox" prop:checked=move || sig.get() on:change=move |_| sig.update(|v| *v = !*v) />
                                {move || t(lang.get(), key)}</label>
                            </Show>
                        }
                    }).collect_view()}
                    <Show when=move || public.get()>
                        <label><input type="checkbox" data-testid="public-heat" prop:checked=move || public_heat.get() on:change=move |_| public_heat.update(|v| *v = !*v) />
                        {move || tr!(lang.get(), "public_heat")}</label>
                    </Show>
                </section>
                <Show when=move || !public.get()><Legend lang=lang /></Show>
            </aside>
        </main>
        <Show when=move || show_login.get()>
            <LoginDialog lang=lang done=signed_in cancel=Callback::new(move |_| show_login.set(false)) />
        </Show>
    }
}
