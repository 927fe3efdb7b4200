//! The side panels: grid details, the located chain, search results, layers and legend.

use crate::tr;
use leptos::prelude::*;
use wangge_domain::plan::{Band, GridKind};

use crate::kit::api::{self, GridCard, GridHistory, GridStats, Located, SearchHit};
use crate::kit::i18n::{t, Lang};

/// Colour class of a deviation, matching the map's grid fill.
fn deviation_class(kind: GridKind, households: i32) -> &'static str {
    if kind == GridKind::Dedicated {
        return "dev-dedicated";
    }
    let d = Band::default().deviation(households.max(0) as u32).abs();
    if d <= 0.1 {
        "dev-ok"
    } else if d <= 0.2 {
        "dev-warn"
    } else {
        "dev-bad"
    }
}

/// Details of the selected grid: the public card, and the statistics when the viewer is staff in scope.
#[component]
pub fn GridPanel(lang: ReadSignal<Lang>, card: GridCard, stats: Option<GridStats>) -> impl IntoView {
    let kind = card.kind;
    // Offices see the grid's incidents across redraws (others are refused, and see nothing).
    let history = RwSignal::new(None::<GridHistory>);
    if stats.is_some() {
        let id = card.id;
        leptos::task::spawn_local(async move {
            if let Ok(h) = api::grid_history(id).await {
                history.try_set(Some(h));
            }
        });
    }
    let contacts = card.contacts.clone();
    let no_contact = contacts.is_empty();
    let stats_view = stats.map(|s| {
        let deviation = Band::default().deviation(s.households.max(0) as u32);
        let bar = (f64::from(s.households.max(0)) / 600.0 * 100.0).min(100.0);
        let class = deviation_class(card.kind, s.households);
        view! {
            <dl data-testid="grid-stats">
                <dt>{move || tr!(lang.get(), "households")}</dt><dd data-testid="grid-households">{s.households}</dd>
                <dt>{move || tr!(lang.get(), "residents")}</dt><dd>{s.residents}</dd>
                <dt>{move || tr!(lang.get(), "registered")}</dt><dd>{s.registered_residents}</dd>
                <dt>{move || tr!(lang.get(), "buildings")}</dt><dd>{s.buildings}</dd>
                <dt>{move || tr!(lang.get(), "elements")}</dt>
                <dd>{format!("{} / {} / {}", s.elements.place, s.elements.facility, s.elements.organization)}</dd>
            </dl>
            <div class="bar" title=format!("{:+.0}%", deviation * 100.0)>
                <div class=format!("fill {class}") style=format!("width:{bar:.0}%")></div>
                <div class="target"></div>
            </div>
            <p class="muted">{move || tr!(lang.get(), "deviation")} ": " {format!("{:+.0}%", deviation * 100.0)}</p>
        }
    });
    view! {
        <section class="card" data-testid="grid-panel">
            <h2>{card.name.clone()}</h2>
            <p class="chain">{card.street_name.clone()} " › " {card.community_name.clone()}</p>
            <dl>
                <dt>{move || tr!(lang.get(), "code")}</dt><dd data-testid="grid-code">{card.code.clone()}</dd>
                <dt>{move || tr!(lang.get(), "kind")}</dt><dd>{move || t(lang.get(), if kind == GridKind::Dedicated { "dedicated" } else { "natural" })}</dd>
                <dt>{move || tr!(lang.get(), "worker")}</dt>
                <dd data-testid="grid-contacts">
                    {contacts.into_iter().map(|c| {
                        let phone = c.work_phone.clone().unwrap_or_default();
                        let tel = format!("tel:{phone}");
                        view! { <span class="contact">{c.name.clone()} " " <a href=tel>{phone}</a></span> }
                    }).collect_view()}
                    <Show when=move || no_contact><span>{move || tr!(lang.get(), "unassigned")}</span></Show>
                </dd>
            </dl>
            {stats_view}
            {move || history.get().filter(|h| !h.months.is_empty()).map(|h| view! { <HistoryChart lang=lang history=h /> })}
        </section>
    }
}

/// The last 24 months of a grid's incidents as bars: the part reported in the grid itself dark, the part carried
/// over from the grids it came from light.
#[component]
fn HistoryChart(lang: ReadSignal<Lang>, history: GridHistory) -> impl IntoView {
    let months: Vec<_> = history.months.iter().rev().take(24).rev().cloned().collect();
    let top = months.iter().map(|m| m.incidents).fold(1.0, f64::max);
    let (w, h) = (260.0, 64.0);
    let step = w / months.len().max(1) as f64;
    let bars = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x = i as f64 * step;
            let all = m.incidents / top * h;
            let own = (m.own as f64).min(m.incidents) / top * h;
            let title = format!("{}: {:.1} ({})", m.month, m.incidents, m.own);
            view! {
                <g><title>{title}</title>
                    <rect class="carried" x=format!("{x:.1}") y=format!("{:.1}", h - all) width=format!("{:.1}", step * 0.8) height=format!("{all:.1}") />
                    <rect class="own" x=format!("{x:.1}") y=format!("{:.1}", h - own) width=format!("{:.1}", step * 0.8) height=format!("{own:.1}") />
                </g>
            }
        })
        .collect_view();
    let first = months.first().map(|m| m.month.clone()).unwrap_or_default();
    let last = months.last().map(|m| m.month.clone()).unwrap_or_default();
    let redrawn = history.ancestors.len() > 1;
    // Households of the grid's place, version by version (a redraw shows where they came from).
    let households = history
        .versions
        .iter()
        .map(|v| format!("v{} {:.0}", v.plan_version, v.households))
        .collect::<Vec<_>>()
        .join(" → ");
    view! {
        <div class="grid-history" data-testid="grid-history">
            <h4>{move || tr!(lang.get(), "grid_history")}</h4>
            <svg viewBox=format!("0 0 {w} {h}") preserveAspectRatio="none">{bars}</svg>
            <p class="muted"><span>{first}</span> " – " <span>{last}</span>
                {redrawn.then(|| view! { " · " {move || tr!(lang.get(), "grid_history_carried")} })}</p>
            <p class="muted" data-testid="grid-history-households">
                {move || tr!(lang.get(), "grid_history_households")} ": " {households}
            </p>
        </div>
    }
}

/// The street → community → grid chain of a clicked point.
#[component]
pub fn LocatedPanel(lang: ReadSignal<Lang>, located: Located) -> impl IntoView {
    let name =
        |a: &Option<wangge_domain::located::Area>| a.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "—".into());
    let grid =
        located.grid().map(|g| if g.name == g.code { g.code.clone() } else { format!("{} ({})", g.name, g.code) });
    let has_grid = grid.is_some();
    let specials: Vec<String> = located.special_grids.iter().map(|s| format!("{} · {}", s.name, s.kind)).collect();
    view! {
        <section class="card" data-testid="located">
            <h3>{move || tr!(lang.get(), "located")}</h3>
            <p class="chain">
                {name(&located.street)} " › " {name(&located.community)} " › "
                <b data-testid="located-grid">{grid.unwrap_or_default()}</b>
            </p>
            <Show when=move || !has_grid><p class="muted">{move || tr!(lang.get(), "no_grid")}</p></Show>
            <ul class="specials">{specials.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
        </section>
    }
}

/// Search results; `pick` is called with the chosen hit.
#[component]
pub fn SearchResults(lang: ReadSignal<Lang>, hits: Vec<SearchHit>, pick: Callback<SearchHit>) -> impl IntoView {
    let empty = hits.is_empty();
    view! {
        <ul class="results" data-testid="search-results">
            {hits.into_iter().map(|h| {
                let hit = h.clone();
                view! {
                    <li><button on:click=move |_| pick.run(hit.clone())>
                        <span class="kind">{h.kind.as_str()}</span> {h.label.clone()}
                        <small>{h.detail.clone().unwrap_or_default()}</small>
                    </button></li>
                }
            }).collect_view()}
            <Show when=move || empty><li class="muted">{move || tr!(lang.get(), "no_results")}</li></Show>
        </ul>
    }
}

/// The deviation legend.
#[component]
pub fn Legend(lang: ReadSignal<Lang>) -> impl IntoView {
    view! {
        <section class="legend">
            <h4>{move || tr!(lang.get(), "legend")}</h4>
            <p><i class="sw dev-ok"></i>{move || tr!(lang.get(), "within10")}</p>
            <p><i class="sw dev-warn"></i>{move || tr!(lang.get(), "within20")}</p>
            <p><i class="sw dev-bad"></i>{move || tr!(lang.get(), "beyond")}</p>
            <p><i class="sw dev-dedicated"></i>{move || tr!(lang.get(), "dedicated")}</p>
        </section>
    }
}
