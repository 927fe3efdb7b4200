//! The staff sign-in dialog.

use crate::tr;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::kit::api::{self, Account, LoginError};
use crate::kit::i18n::{t, Lang};

/// A modal form; `done` receives the account once signed in, `cancel` closes it.
#[component]
pub fn LoginDialog(lang: ReadSignal<Lang>, done: Callback<Account>, cancel: Callback<()>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (u, p) = (username.get_untracked(), password.get_untracked());
        spawn_local(async move {
            match api::login(u.trim(), &p).await {
                Ok(account) => done.run(account),
                Err(e) => error.set(Some(match e {
                    LoginError::Credentials => "bad_credentials",
                    LoginError::Locked => "locked",
                    LoginError::Slowed => "slowed",
                    LoginError::Other => "login_failed",
                })),
            }
            password.set(String::new());
            busy.set(false);
        });
    };
    view! {
        <div class="overlay">
            <form class="card dialog" data-testid="login-form" on:submit=submit>
                <h2>{move || tr!(lang.get(), "staff_sign_in")}</h2>
                <label>{move || tr!(lang.get(), "username")}
                    <input data-testid="login-username" autocomplete="username" required
                        prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev)) />
                </label>
                <label>{move || tr!(lang.get(), "password")}
                    <input data-testid="login-password" type="password" autocomplete="current-password" required
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </label>
                {move || error.get().map(|k| view! { <p class="error" data-testid="login-error">{move || t(lang.get(), k)}</p> })}
                <div class="row">
                    <button type="button" on:click=move |_| cancel.run(())>{move || tr!(lang.get(), "cancel")}</button>
                    <button type="submit" class="primary" data-testid="login-submit" disabled=move || busy.get()>
                        {move || tr!(lang.get(), "sign_in")}
                    </button>
                </div>
            </form>
        </div>
    }
}
