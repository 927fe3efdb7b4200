//! The district admin's panel: the district's accounts (create, disable or enable, re-scope) and the audit log
//! (newest entries, and a check of the hash chain): the district's own chain, or the shared one (entries about no
//! one district, and the log from before chains were per district).

use crate::desk::stage_limits::StageLimits;
use crate::tr;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};
use wangge_api::accounts::Account;
use wangge_api::paths::{self, fill};
use wangge_domain::access::{Role, Scope, ROLES};

use crate::kit::http::{get_ok, send};
use crate::kit::i18n::{t, Lang};

fn scope_text(scope: &Scope) -> String {
    match scope {
        Scope::District(d) => format!("district: {}", d.as_str()),
        Scope::Street(s) => format!("street: {}", s.as_str()),
        Scope::Community(c) => format!("community: {}", c.as_str()),
        Scope::Grids(gs) => format!("grids: {}", gs.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(", ")),
        Scope::Department(d) => format!("department: {}", d.as_str()),
    }
}

/// The panel.
#[component]
pub fn AdminPanel(lang: ReadSignal<Lang>, csrf: String) -> impl IntoView {
    let accounts = RwSignal::new(Vec::<Account>::new());
    let audit = RwSignal::new(Vec::<Value>::new());
    let chain = RwSignal::new(None::<Value>);
    // Which chain is shown: the district's (false) or the shared one.
    let shared = RwSignal::new(false);
    let chain_query = move || if shared.get_untracked() { "?chain=000000" } else { "" };
    let message = RwSignal::new(None::<(bool, String)>);
    let csrf = StoredValue::new(csrf);
    let load_audit = move || {
        spawn_local(async move {
            let limit = if shared.get_untracked() { "&limit=15" } else { "?limit=15" };
            if let Ok(v) = get_ok(&format!("{}{}{limit}", paths::AUDIT, chain_query())).await {
                audit.set(v.as_array().cloned().unwrap_or_default());
            }
        });
    };
    let reload = move || {
        spawn_local(async move {
            match get_ok(paths::ACCOUNTS).await {
                Ok(v) => match serde_json::from_value(v) {
                    Ok(list) => accounts.set(list),
                    Err(e) => message.set(Some((true, e.to_string()))),
                },
                Err(e) => message.set(Some((true, e))),
            }
        });
        load_audit();
    };
    reload();
    // Whether the district publishes its incident density on the public map.
    let publishes = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(v) = get_ok(paths::DENSITY_PUBLISHED).await {
            publishes.set(v["enabled"].as_bool().unwrap_or(false));
        }
    });
    let (username, display, role, scope_kind, scope_value, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(Role::GridWorker),
        RwSignal::new("grids".to_owned()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = scope_value.get_untracked();
        let scope = match scope_kind.get_untracked().as_str() {
            "grids" => {
                json!({ "grids": value.split([',', ' ', '，']).filter(|s| !s.is_empty()).collect::<Vec<_>>() })
            }
            kind => json!({ kind: value.trim() }),
        };
        let body = json!({ "username": username.get_untracked().trim(), "display_name": display.get_untracked().trim(),
                           "role": role.get_untracked().as_str(), "scope": scope, "password": password.get_untracked() });
        spawn_local(async move {
            match send("POST", paths::ACCOUNTS, &body, &csrf.get_value()).await {
                Ok(r) if r.ok() => {
                    message.set(Some((
                        false,
                        format!(
                            "{} {}",
                            tr!(lang.get_untracked(), "account_created"),
                            body["username"].as_str().unwrap_or_default()
                        ),
                    )));
                    password.set(String::new());
                    reload();
                }
                Ok(r) => message.set(Some((true, r.message()))),
                Err(e) => message.set(Some((true, e))),
            }
        });
    };
    let toggle = move |id: i64, disabled: bool| {
        spawn_local(async move {
            match send("PUT", &fill(paths::ACCOUNT, &[&id]), &json!({ "disabled": !disabled }), &csrf.get_value()).await
            {
                Ok(r) if r.ok() => reload(),
                Ok(r) => message.set(Some((true, r.message()))),
                Err(e) => message.set(Some((true, e))),
            }
        });
    };
    let verify = move |_| {
        spawn_local(async move {
            match get_ok(&format!("{}{}", paths::AUDIT_VERIFY, chain_query())).await {
                Ok(v) => chain.set(Some(v)),
                Err(e) => message.set(Some((true, e))),
            }
        });
    };
    view! {
        <section class="card admin" data-testid="admin">
            <h2>{move || tr!(lang.get(), "accounts")}</h2>
            {move || message.get().map(|(error, text)| view! {
                <p class=if error { "error" } else { "note" } data-testid="admin-message" on:click=move |_| message.set(None)>{text}</p>
            })}
            <table class="accounts" data-testid="accounts">
                <tbody>
                {move || accounts.get().into_iter().map(|a| {
                    let (id, disabled) = (a.id, a.disabled);
                    let role = format!("role_{}", a.role.as_str());
                    let scope = scope_text(&a.scope);
                    let username = a.username.clone();
                    view! {
                        <tr class:disabled=disabled data-testid="account-row" data-username=username>
                            <td><b>{a.username}</b><br/><small>{a.display_name}</small></td>
                            <td>{move || t(lang.get(), &role)}<br/><small>{scope}</small></td>
                            <td><button data-testid="account-toggle" on:click=move |_| toggle(id, disabled)>
                                {move || t(lang.get(), if disabled { "enable" } else { "disable" })}</button></td>
                        </tr>
                    }
                }).collect_view()}
                </tbody>
            </table>
            <form class="new-account" on:submit=create>
                <h3>{move || tr!(lang.get(), "new_account")}</h3>
                <input data-testid="new-username" placeholder=move || tr!(lang.get(), "username") prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev)) />
                <input data-testid="new-display" placeholder=move || tr!(lang.get(), "display_name") prop:value=move || display.get() on:input=move |ev| display.set(event_target_value(&ev)) />
                <select data-testid="new-role" on:change=move |ev| {
                    if let Some(r) = ROLES.into_iter().find(|r| r.as_str() == event_target_value(&ev)) {
                        role.set(r)
                    }
                }>
                    {ROLES.iter().map(|r| {
                        let key = format!("role_{}", r.as_str());
                        view! { <option value=r.as_str() selected=*r == Role::GridWorker>{move || t(lang.get(), &key)}</option> }
                    }).collect_view()}
                </select>
                <div class="row">
                    <select data-testid="new-scope-kind" on:change=move |ev| scope_kind.set(event_target_value(&ev))>
                        <option value="grids">{move || tr!(lang.get(), "scope_grids")}</option>
                        <option value="community">{move || tr!(lang.get(), "community")}</option>
                        <option value="street">{move || tr!(lang.get(), "street")}</option>
                        <option value="district">{move || tr!(lang.get(), "scope_district")}</option>
                        <option value="department">{move || tr!(lang.get(), "scope_department")}</option>
                    </select>
                    <input data-testid="new-scope" placeholder=move || tr!(lang.get(), "scope_codes") prop:value=move || scope_value.get() on:input=move |ev| scope_value.set(event_target_value(&ev)) />
                </div>
                <input data-testid="new-password" type="password" autocomplete="new-password" placeholder=move || tr!(lang.get(), "password")
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                <button class="primary" type="submit" data-testid="new-account-submit">{move || tr!(lang.get(), "create")}</button>
            </form>
            <StageLimits lang=lang csrf=csrf />
            <label class="publish">
                <input type="checkbox" data-testid="publish-density" prop:checked=move || publishes.get()
                    on:change=move |_| {
                        let on = !publishes.get_untracked();
                        spawn_local(async move {
                            match send("PUT", paths::DENSITY_PUBLISHED, &json!({ "enabled": on }), &csrf.get_value()).await {
                                Ok(r) if r.ok() => publishes.set(on),
                                Ok(r) => message.set(Some((true, r.message()))),
                                Err(e) => message.set(Some((true, e))),
                            }
                        });
                    } />
                {move || tr!(lang.get(), "publish_density")}
            </label>
            <h3>{move || tr!(lang.get(), "audit_log")}</h3>
            <div class="segmented" data-testid="audit-chains">
                {[(false, "chain_district"), (true, "chain_shared")].map(|(which, key)| view! {
                    <button class:active=move || shared.get() == which
                        on:click=move |_| { shared.set(which); chain.set(None); load_audit(); }>
                        {move || t(lang.get(), key)}</button>
                })}
            </div>
            <button data-testid="audit-verify" on:click=verify>{move || tr!(lang.get(), "verify_chain")}</button>
            {move || chain.get().map(|c| {
                let intact = c["intact"].as_bool().unwrap_or_default();
                view! {
                    <p class=if intact { "note" } else { "error" } data-testid="audit-result">
                        {move || t(lang.get(), if intact { "chain_intact" } else { "chain_broken" })} " · "
                        {c["chain"].as_str().unwrap_or_default().to_owned()} " · "
                        {c["entries"].as_i64().unwrap_or_default()} " " {move || tr!(lang.get(), "entries")}
                        {c["first_broken"].as_i64().map(|n| format!(" · #{n}"))}
                        {c["reason"].as_str().map(|r| {
                            let key = format!("reason_{r}");
                            view! { " · " {move || t(lang.get(), &key)} }
                        })}
                        {c["anchor"]["seq"].as_i64().map(|n| view! { " · " {move || tr!(lang.get(), "anchored_at")} {format!(" #{n}")} })}
                    </p>
                }
            })}
            <ol class="audit" data-testid="audit-entries">
                {move || audit.get().into_iter().map(|e| view! {
                    <li><small>{e["at"].as_str().unwrap_or_default().chars().take(19).collect::<String>().replace('T', " ")}</small> " "
                        <b>{e["actor"].as_str().unwrap_or_default().to_owned()}</b> " " {e["action"].as_str().unwrap_or_default().to_owned()}
                        " " <small>{e["target"].as_str().unwrap_or_default().to_owned()}</small></li>
                }).collect_view()}
            </ol>
        </section>
    }
}
