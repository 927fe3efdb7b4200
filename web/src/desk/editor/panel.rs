//! The editor's panel: state shown as the live list of grids, tools, messages, conflicts, history and forms.

use super::*;

fn deviation_class(r: &Row) -> &'static str {
    if r.dedicated {
        return "dev-dedicated";
    }
    let band = Band::default();
    let d = r.deviation.abs();
    if r.blocks == 0 {
        "dev-empty"
    } else if d <= band.tolerance {
        "dev-ok"
    } else if d <= 2.0 * band.tolerance {
        "dev-warn"
    } else {
        "dev-bad"
    }
}

/// The editor's panel.
#[component]
pub fn EditorPanel(ctl: Rc<Controller>, close: Callback<()>) -> impl IntoView {
    let lang = ctl.lang;
    let (rows, active, tool, unassigned, save_state, history, message, conflict, confirm, busy) = (
        ctl.rows,
        ctl.active,
        ctl.tool,
        ctl.unassigned,
        ctl.save_state,
        ctl.history,
        ctl.message,
        ctl.conflict,
        ctl.confirm,
        ctl.busy,
    );
    let before_proposal = ctl.before_proposal;
    let community = ctl.model.borrow().community.clone();
    // Views need `Send` handles: the controller lives in local storage and closures fetch it.
    let cv: StoredValue<Rc<Controller>, LocalStorage> = StoredValue::new_local(ctl.clone());
    let tool_button = move |value: Tool, key: &'static str| {
        view! {
            <button class:on=move || tool.get() == value data-testid=format!("tool-{key}") on:click=move |_| tool.set(value)>
                {move || t(lang.get(), key)}
            </button>
        }
    };
    let export = move |format: &'static str| cv.get_value().export_url(format).unwrap_or_default();
    // Drawing tools take the mouse: the map pans with the click tool only. Lassos and polygons are terra-draw's.
    Effect::new(move |_| {
        let drawing = matches!(tool.get(), Tool::Brush | Tool::Border | Tool::Lasso | Tool::Erase | Tool::Cut);
        let ctl = cv.get_value();
        if let Some(d) = &*ctl.drawing.borrow() {
            d.set_mode(match tool.get() {
                Tool::Lasso => "freehand",
                Tool::Polygon => "polygon",
                _ => "static",
            });
        }
        ctl.map.set_drag_pan(!drawing);
        ctl.map.set_cursor(if drawing || tool.get() == Tool::Split { "crosshair" } else { "" });
    });
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let c = cv.get_value();
        let zipped = file.name().to_lowercase().ends_with(".zip");
        spawn_local(async move {
            if zipped {
                if let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                    c.import(Layer::Shapefile(js_sys::Uint8Array::new(&buffer).to_vec())).await;
                }
            } else if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                c.import(Layer::GeoJson(text.as_string().unwrap_or_default())).await;
            }
        });
    };
    view! {
        <section class="card editor" data-testid="editor">
            <div class="editor-head">
                <h2>{move || tr!(lang.get(), "edit_grids")} " · " {community.clone()}</h2>
                <button data-testid="editor-close" on:click=move |_| close.run(())>{move || tr!(lang.get(), "close")}</button>
            </div>
            <div class="tools">
                {tool_button(Tool::Click, "click")}
                {tool_button(Tool::Brush, "brush")}
                {tool_button(Tool::Border, "border")}
                {tool_button(Tool::Lasso, "lasso")}
                {tool_button(Tool::Erase, "erase")}
                {tool_button(Tool::Split, "split")}
                {tool_button(Tool::Cut, "cut")}
                {tool_button(Tool::Policy, "policy")}
                {tool_button(Tool::Special, "special")}
                {tool_button(Tool::Polygon, "polygon")}
            </div>
            <Show when=move || matches!(tool.get(), Tool::Special | Tool::Polygon)>
                <SpecialForm ctl=cv />
            </Show>
            <Show when=move || tool.get() == Tool::Policy>
                <PolicyForm ctl=cv />
            </Show>
            <div class="tools">
                <button data-testid="new-grid" on:click=move |_| cv.get_value().new_grid()>{move || tr!(lang.get(), "new_grid")}</button>
                <button data-testid="undo" disabled=move || !history.get().0 on:click=move |_| cv.get_value().undo(false)>{move || tr!(lang.get(), "undo")}</button>
                <button data-testid="redo" disabled=move || !history.get().1 on:click=move |_| cv.get_value().undo(true)>{move || tr!(lang.get(), "redo")}</button>
            </div>
            <div class="tools">
                <button data-testid="suggest" disabled=move || busy.get().is_some()
                    on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.suggest().await }) }>{move || tr!(lang.get(), "suggest")}</button>
                <button data-testid="rebalance" disabled=move || busy.get().is_some() || active.get().is_none()
                    on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.rebalance().await }) }>{move || tr!(lang.get(), "rebalance")}</button>
                <button data-testid="rebalance-community" disabled=move || busy.get().is_some()
                    on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.rebalance_community().await }) }>{move || tr!(lang.get(), "rebalance_community")}</button>
                <Show when=move || before_proposal.get().is_some()>
                    <button data-testid="undo-proposal" disabled=move || busy.get().is_some()
                        on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.undo_proposal().await }) }>{move || tr!(lang.get(), "undo_proposal")}</button>
                </Show>
            </div>
            {move || busy.get().map(|what| view! {
                <p class="progress" data-testid="busy"><span class="spinner"></span>{move || t(lang.get(), what)}</p>
            })}
            <p class="muted" data-testid="save-state">{move || t(lang.get(), match save_state.get() {
                SaveState::Saved => "saved", SaveState::Dirty => "unsaved", SaveState::Saving => "saving" })}</p>
            <Show when=move || { unassigned.get() > 0 }>
                <p class="gap">
                    <span data-testid="unassigned">{move || unassigned.get()}</span> " " {move || tr!(lang.get(), "unassigned_blocks")} " "
                    <button on:click=move |_| cv.get_value().zoom_to_unassigned()>{move || tr!(lang.get(), "zoom_to")}</button>
                </p>
            </Show>
            {move || message.get().map(|(error, text)| view! {
                <p class=if error { "error" } else { "note" } data-testid="editor-message" on:click=move |_| message.set(None)>{text}</p>
            })}
            {move || conflict.get().map(|k| {
                view! {
                    <div class="conflict" data-testid="conflict">
                        <p>{move || t(lang.get(), if k == Conflict::Revision { "conflict_revision" } else { "conflict_published" })}</p>
                        <button data-testid="keep-mine" on:click=move |_| { let a = cv.get_value(); spawn_local(async move { a.keep_as_new_draft().await }) }>
                            {move || tr!(lang.get(), "keep_mine")}</button>
                        <button data-testid="rebase" on:click=move |_| { let b = cv.get_value(); spawn_local(async move { b.rebase().await }) }>
                            {move || tr!(lang.get(), "rebase")}</button>
                    </div>
                }
            })}
            {move || confirm.get().map(|d| {
                let moved = d["moved"].as_array().map_or(0, Vec::len);
                let households = d["households_moved"].as_i64().unwrap_or_default();
                let flows: Vec<String> = d["flows"].as_array().into_iter().flatten().take(8)
                    .map(|f| format!("{} → {}: {} / {}", f["from"].as_str().unwrap_or("—"), f["to"].as_str().unwrap_or("—"), f["blocks"], f["households"])).collect();
                view! {
                    <div class="confirm" data-testid="publish-confirm">
                        <p><b data-testid="diff-blocks">{moved}</b> " " {move || tr!(lang.get(), "blocks_change")} ", "
                           <b data-testid="diff-households">{households}</b> " " {move || tr!(lang.get(), "households_move")}</p>
                        <ul>{flows.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
                        <button class="primary" data-testid="publish-confirm-yes" on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.publish().await }) }>
                            {move || tr!(lang.get(), "publish")}</button>
                        <button on:click=move |_| confirm.set(None)>{move || tr!(lang.get(), "cancel")}</button>
                    </div>
                }
            })}
            <ul class="grid-rows" data-testid="grid-rows">
                <For each=move || rows.get() key=|r| (r.ix, r.key.clone(), r.label.clone(), r.households, r.blocks, r.pieces, r.locked, r.dedicated) let:r>
                    {
                        let ix = r.ix;
                        let class = deviation_class(&r);
                        view! {
                            <li class:active=move || active.get() == Some(ix) data-testid="grid-row" data-grid-key=r.key.clone()
                                on:click=move |_| active.set(Some(ix))>
                                <i class="sw" style=format!("background:{}", color(ix))></i>
                                <span class="label">{r.label.clone()}</span>
                                <span class=format!("hh {class}") data-testid="row-households">{r.households}</span>
                                <span class="dev">{format!("{:+.0}%", r.deviation * 100.0)}</span>
                                {(r.pieces > 1).then(|| view! {
                                    <button class="warn" title="discontiguous" on:click=move |ev| { ev.stop_propagation(); cv.get_value().zoom_to_fragment(ix) }>
                                        {format!("⚠ {}", r.pieces)}</button>
                                })}
                                <button class:on=r.dedicated title="dedicated" on:click=move |ev| { ev.stop_propagation(); cv.get_value().toggle_dedicated(ix) }>"专"</button>
                                <button class:on=r.locked data-testid="lock" title="lock" on:click=move |ev| { ev.stop_propagation(); cv.get_value().toggle_lock(ix) }>
                                    {move || t(lang.get(), if r.locked { "grid_locked" } else { "lock" })}</button>
                                <button title="merge into the active grid" on:click=move |ev| { ev.stop_propagation(); cv.get_value().merge_into_active(ix) }>"⇢"</button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <div class="tools">
                <button data-testid="save" on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.save().await; }) }>{move || tr!(lang.get(), "save")}</button>
                <button class="primary" data-testid="publish" on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.prepare_publish().await }) }>
                    {move || tr!(lang.get(), "publish")}</button>
            </div>
            <details class="history" on:toggle=move |_| { let c = cv.get_value(); spawn_local(async move { c.load_versions().await }) }>
                <summary data-testid="history">{move || tr!(lang.get(), "history")}</summary>
                <HistoryCompare ctl=cv />
            </details>
            <div class="tools">
                <a data-testid="export-geojson" href=move || { save_state.get(); export("geojson") } download>"GeoJSON"</a>
                <a data-testid="export-shapefile" href=move || { save_state.get(); export("shapefile") } download>"Shapefile"</a>
                <a data-testid="export-csv" href=move || { save_state.get(); export("csv") } download>"CSV"</a>
                <label class="import">{move || tr!(lang.get(), "import")}
                    <input type="file" data-testid="import-file" accept=".geojson,.json,.zip,application/geo+json,application/json,application/zip" on:change=on_file />
                </label>
            </div>
        </section>
    }
}

/// Pick two versions of the community's plan and see on the map which blocks changed grid between them.
#[component]
fn HistoryCompare(ctl: StoredValue<Rc<Controller>, LocalStorage>) -> impl IntoView {
    let c = ctl.get_value();
    let (lang, versions, compared, lineage) = (c.lang, c.versions, c.compared, c.lineage);
    let older = RwSignal::new(None::<i64>);
    let newer = RwSignal::new(None::<i64>);
    let label = |p: &Value| {
        format!(
            "v{} · {} · {}",
            p["version"],
            p["status"].as_str().unwrap_or_default(),
            p["published_at"]
                .as_str()
                .or(p["valid_from"].as_str())
                .map(|d| d.chars().take(10).collect::<String>())
                .unwrap_or_default()
        )
    };
    let options =
        move || versions.get().iter().map(|p| (p["id"].as_i64().unwrap_or_default(), label(p))).collect::<Vec<_>>();
    let pick =
        move |sig: RwSignal<Option<i64>>| move |ev: leptos::ev::Event| sig.set(event_target_value(&ev).parse().ok());
    view! {
        <div class="tools">
            <select data-testid="history-older" on:change=pick(older)>
                <option value="">{move || tr!(lang.get(), "from_version")}</option>
                {move || options().into_iter().map(|(id, l)| view! { <option value=id.to_string()>{l}</option> }).collect_view()}
            </select>
            <select data-testid="history-newer" on:change=pick(newer)>
                <option value="">{move || tr!(lang.get(), "to_version")}</option>
                {move || options().into_iter().map(|(id, l)| view! { <option value=id.to_string()>{l}</option> }).collect_view()}
            </select>
            <button data-testid="history-compare" disabled=move || older.get().is_none() || newer.get().is_none()
                on:click=move |_| {
                    if let (Some(a), Some(b)) = (older.get_untracked(), newer.get_untracked()) {
                        let c = ctl.get_value();
                        spawn_local(async move { c.compare(a, b).await });
                    }
                }>{move || tr!(lang.get(), "compare")}</button>
        </div>
        {move || compared.get().map(|d| view! {
            <p class="muted" data-testid="history-result">
                <b>{d["diff"]["moved"].as_array().map_or(0, Vec::len)}</b> " " {move || tr!(lang.get(), "blocks_change")} ", "
                <b>{d["diff"]["households_moved"].as_i64().unwrap_or_default()}</b> " " {move || tr!(lang.get(), "households_move")}
            </p>
        })}
        {move || lineage.get().map(|l| view! { <Lineage lang=lang lineage=l /> })}
    }
}

/// Where the grids of a version came from, against the version it replaced: every grid that is not unchanged, and
/// the codes retired.
#[component]
fn Lineage(lang: ReadSignal<Lang>, lineage: wangge_api::plans::Lineage) -> impl IntoView {
    use wangge_domain::lineage::Origin;
    let changed: Vec<_> =
        lineage.grids.into_iter().filter(|g| g.origin.is_some_and(|o| o != Origin::Unchanged)).collect();
    let retired = lineage.retired.join(", ");
    view! {
        <div class="lineage" data-testid="lineage">
            <p class="muted">{move || tr!(lang.get(), "lineage_note")}</p>
            <ul>
                {changed.into_iter().map(|g| {
                    let key = g.origin.map_or("origin_new", |o| match o {
                        Origin::Unchanged => "origin_unchanged",
                        Origin::Reshaped => "origin_reshaped",
                        Origin::Split => "origin_split",
                        Origin::Merged => "origin_merged",
                        Origin::New => "origin_new",
                    });
                    let from = g.parents.iter()
                        .map(|p| format!("{} ({:.0}%)", &p.code[p.code.len().saturating_sub(3)..], p.share * 100.0))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let code = g.code[g.code.len().saturating_sub(3)..].to_owned();
                    view! {
                        <li data-origin=g.origin.map(|o| o.as_str())>
                            <b>{code}</b> " " {move || t(lang.get(), key)} " " {(!from.is_empty()).then(|| format!("← {from}"))}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(!retired.is_empty()).then(|| view! { <p data-testid="retired">{move || tr!(lang.get(), "retired_codes")} " " {retired.clone()}</p> })}
        </div>
    }
}

/// Name and theme for the special grid being picked.
#[component]
fn PolicyForm(ctl: StoredValue<Rc<Controller>, LocalStorage>) -> impl IntoView {
    let c = ctl.get_value();
    let (lang, policy) = (c.lang, c.policy);
    let choices = [
        (SplitPolicy::Never, "policy_never"),
        (SplitPolicy::Always, "policy_always"),
        (SplitPolicy::Units, "policy_units"),
        (SplitPolicy::Auto, "policy_auto"),
    ];
    view! {
        <div class="policy-form">
            <p class="muted">{move || tr!(lang.get(), "policy_hint")}</p>
            <select data-testid="policy-choice" on:change=move |ev| {
                if let Some(p) = SplitPolicy::parse(&event_target_value(&ev)) { policy.set(p) }
            }>
                {choices.into_iter().map(|(p, key)| view! {
                    <option value=p.as_str() selected=move || policy.get() == p>{move || t(lang.get(), key)}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn SpecialForm(ctl: StoredValue<Rc<Controller>, LocalStorage>) -> impl IntoView {
    let c = ctl.get_value();
    let (lang, special, polygon, tool) = (c.lang, c.special, c.polygon, c.tool);
    let ready = move || {
        if tool.get() == Tool::Polygon {
            polygon.get().len() >= 3
        } else {
            !special.get().is_empty()
        }
    };
    let name = RwSignal::new(String::new());
    let theme = RwSignal::new("safety".to_owned());
    view! {
        <div class="special-form">
            <p class="muted">
                {move || t(lang.get(), if tool.get() == Tool::Polygon { "polygon_hint" } else { "special_hint" })} " "
                <b data-testid="special-count">{move || if tool.get() == Tool::Polygon { polygon.get().len() } else { special.get().len() }}</b>
            </p>
            <input data-testid="special-name" placeholder=move || tr!(lang.get(), "special_name") prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev)) />
            <select data-testid="special-theme" on:change=move |ev| theme.set(event_target_value(&ev))>
                <option value="safety">{move || tr!(lang.get(), "theme_safety")}</option>
                <option value="river">{move || tr!(lang.get(), "theme_river")}</option>
                <option value="environment">{move || tr!(lang.get(), "theme_environment")}</option>
                <option value="fire">{move || tr!(lang.get(), "theme_fire")}</option>
            </select>
            <button data-testid="special-save" disabled=move || !ready() || name.get().trim().is_empty()
                on:click=move |_| {
                    let c = ctl.get_value();
                    let (n, th) = (name.get_untracked(), theme.get_untracked());
                    spawn_local(async move { c.save_special(n, th).await });
                }>{move || tr!(lang.get(), "special_save")}</button>
        </div>
    }
}
