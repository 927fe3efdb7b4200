//! The district admin's stage limits: how long each waiting stage of a case (accepting, filing, dispatching, the
//! district center, reviewing, verifying) may take, the labelled default until the district sets its own.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;
use wangge_api::cases::StageLimit;
use wangge_api::paths::{self, fill};
use wangge_domain::case::LimitUnit;

use crate::kit::http::{get, send};
use crate::kit::i18n::{t, Lang};
use crate::tr;

/// The stage limits table, each row editable.
#[component]
pub fn StageLimits(lang: ReadSignal<Lang>, csrf: StoredValue<String>) -> impl IntoView {
    let limits = RwSignal::new(Vec::<StageLimit>::new());
    let note = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            if let Ok(r) = get(paths::STAGE_LIMITS).await {
                limits.set(r.answer().unwrap_or_default());
            }
        })
    };
    load();
    let save = move |state: String, amount: String, unit: String| {
        spawn_local(async move {
            let body = json!({ "amount": amount.trim().parse::<u32>().unwrap_or(0), "unit": unit });
            match send("PUT", &fill(paths::STAGE_LIMIT, &[&state]), &body, &csrf.get_value()).await {
                Ok(r) if r.ok() => {
                    note.set(Some(tr!(lang.get_untracked(), "saved").to_owned()));
                    load();
                }
                Ok(r) => note.set(Some(r.message())),
                Err(e) => note.set(Some(e)),
            }
        });
    };
    view! {
        <h3>{move || tr!(lang.get(), "stage_limits")}</h3>
        {move || note.get().map(|n| view! { <p class="note" data-testid="stage-note" on:click=move |_| note.set(None)>{n}</p> })}
        <table class="stages" data-testid="stage-limits">
            <tbody>
            {move || limits.get().into_iter().map(|l| {
                let state = l.state.as_str().to_owned();
                let key = format!("state_{state}");
                let amount = RwSignal::new(l.limit.amount.to_string());
                let unit = RwSignal::new(l.limit.unit.as_str().to_owned());
                let row_state = state.clone();
                view! {
                    <tr data-testid="stage-row" data-state=state.clone()>
                        <td>{move || t(lang.get(), &key)}</td>
                        <td><input class="amount" type="number" min="1" data-testid="stage-amount" prop:value=move || amount.get()
                            on:input=move |ev| amount.set(event_target_value(&ev)) /></td>
                        <td><select data-testid="stage-unit" on:change=move |ev| unit.set(event_target_value(&ev))>
                            {LimitUnit::ALL.iter().map(|u| {
                                let ukey = format!("unit_{u}");
                                view! { <option value=u.as_str() selected=u.as_str() == l.limit.unit.as_str()>{move || t(lang.get(), &ukey)}</option> }
                            }).collect_view()}
                        </select></td>
                        <td class="muted">{l.is_default.then(|| tr!(lang.get(), "default_mark"))}</td>
                        <td><button data-testid="stage-save" on:click=move |_| save(row_state.clone(), amount.get_untracked(), unit.get_untracked())>
                            {move || tr!(lang.get(), "save")}</button></td>
                    </tr>
                }
            }).collect_view()}
            </tbody>
        </table>
    }
}
