//! The security headers every answer carries: a Content Security Policy that lets the page run only our own scripts
//! (the two inline ones of `index.html` by hash, the WebAssembly app, MapLibre's blob workers) and talk only to our
//! own server; no framing; no referrer sent elsewhere; no content-type sniffing.

use std::path::Path;

use actix_web::middleware::DefaultHeaders;
use anyhow::{Context, Result};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The Content Security Policy for an app serving the web app in `web_dir` (if any).
pub fn content_security_policy(web_dir: Option<&Path>) -> Result<String> {
    let hashes = match web_dir {
        Some(dir) => {
            let index = dir.join("index.html");
            let html = std::fs::read_to_string(&index).with_context(|| format!("reading {}", index.display()))?;
            inline_script_hashes(&html)
        }
        None => Vec::new(),
    };
    let scripts: String = hashes.iter().map(|h| format!(" 'sha256-{h}'")).collect();
    Ok(format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; \
         child-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ))
}

/// The `DefaultHeaders` middleware adding `csp` and the other security headers to every answer.
pub fn security_headers(csp: &str) -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", csp.to_owned()))
        .add(("X-Frame-Options", "DENY"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

/// SHA-256 (base64) of every inline `<script>` body in `html`.
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + open_end];
        let body_start = start + open_end + 1;
        let Some(len) = rest[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let body = &rest[body_start..body_start + len];
            out.push(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes())));
        }
        rest = &rest[body_start + len..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<script type="module">init();</script><script src="/x.js"></script><script>a</script>"#;
        let h = inline_script_hashes(html);
        assert_eq!(h.len(), 2);
        assert_eq!(h[0], base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"init();")));
    }
}
