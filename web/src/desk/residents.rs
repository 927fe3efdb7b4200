//! Registered residents of a grid, for staff whose role and scope allow it: masked in the list; one click reveals a
//! resident's personal data, and the server writes the reveal to the audit log.

use crate::tr;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};
use wangge_api::paths::{self, fill};

use crate::kit::http::{get_ok, send};
use crate::kit::i18n::Lang;

/// The residents of grid `grid` (masked), each with a reveal button.
#[component]
pub fn ResidentsPanel(lang: ReadSignal<Lang>, grid: i64, csrf: String) -> impl IntoView {
    let rows = RwSignal::new(None::<Vec<Value>>);
    let revealed = RwSignal::new(None::<Value>);
    let csrf = StoredValue::new(csrf);
    spawn_local(async move {
        rows.set(get_ok(&format!("{}?grid={grid}", paths::RESIDENTS)).await.ok().and_then(|v| v.as_array().cloned()));
    });
    let reveal = move |id: i64| {
        spawn_local(async move {
            if let Ok(r) = send("POST", &fill(paths::RESIDENT_REVEAL, &[&id]), &json!({}), &csrf.get_value()).await {
                if r.ok() {
                    revealed.set(Some(r.body));
                }
            }
        });
    };
    view! {
        {move || rows.get().map(|list| view! {
            <section class="card residents" data-testid="residents">
                <h3>{move || tr!(lang.get(), "registered")} " (" {list.len()} ")"</h3>
                <ul>
                    {list.into_iter().map(|r| {
                        let id = r["id"].as_i64().unwrap_or_default();
                        view! {
                            <li data-testid="resident-row">
                                <span>{r["name"].as_str().unwrap_or_default().to_owned()}</span> " "
                                <code>{r["id_card"].as_str().unwrap_or_default().to_owned()}</code> " "
                                <span>{r["phone"].as_str().unwrap_or_default().to_owned()}</span> " "
                                <button data-testid="reveal" on:click=move |_| reveal(id)>{move || tr!(lang.get(), "reveal")}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {move || revealed.get().map(|r| view! {
                    <p class="note" data-testid="revealed">
                        {r["name"].as_str().unwrap_or_default().to_owned()} " · " {r["id_card"].as_str().unwrap_or_default().to_owned()} " · "
                        {r["phone"].as_str().unwrap_or_default().to_owned()}
                        <br/><small>{move || tr!(lang.get(), "reveal_audited")}</small>
                    </p>
                })}
            </section>
        })}
    }
}
