//! The Wangge map app. Browser-only: on other targets this binary does nothing.

#[cfg(target_arch = "wasm32")]
mod admin;
#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod draw;
#[cfg(target_arch = "wasm32")]
mod editor;
#[cfg(target_arch = "wasm32")]
mod http;
// Pure: compiled (and unit-tested) on the host too.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod i18n;
#[cfg(target_arch = "wasm32")]
mod login;
#[cfg(target_arch = "wasm32")]
mod maplibre;
#[cfg(target_arch = "wasm32")]
mod panels;
#[cfg(target_arch = "wasm32")]
mod residents;
// Pure: compiled (and unit-tested) on the host too.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod screen;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("wangge-web runs in the browser: build it with bin/build-web");
}
