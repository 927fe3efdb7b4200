//! Building and running the HTTP server.

use std::net::TcpListener;
use std::path::PathBuf;
use wangge_api::error::ErrorCode;
use wangge_api::paths;

use actix_web::dev::Server;
use actix_web::error::QueryPayloadError;
use actix_web::{web, App, HttpRequest, HttpServer};
use anyhow::Result;

use crate::error::ApiError;
use crate::state::{AppState, JSON_LIMIT};

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(ErrorCode::BadQuery, err.to_string()).into()
}

fn path_error(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(ErrorCode::BadPath, err.to_string()).into()
}

/// Start serving on `listener` (already bound; port 0 in tests), with the built web app from `web_dir` at `/` when
/// given.
pub fn run(listener: TcpListener, state: AppState, web_dir: Option<PathBuf>) -> Result<Server> {
    let data = web::Data::new(state);
    let csp = crate::headers::content_security_policy(web_dir.as_deref())?;
    let server = HttpServer::new(move || {
        let app = App::new()
            .app_data(data.clone())
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::PayloadConfig::new(JSON_LIMIT))
            .wrap(actix_web::middleware::from_fn(crate::auth::guard::guard))
            .wrap(actix_web::middleware::from_fn(crate::open311::errors::open311_errors))
            .wrap(actix_web::middleware::Compress::default())
            .wrap(crate::headers::security_headers(&csp))
            .wrap(actix_web::middleware::from_fn(crate::request_log::trace))
            .configure(crate::routes::configure);
        let not_found =
            web::to(|| async { Err::<actix_web::HttpResponse, _>(ApiError::not_found("route", "(no such endpoint)")) });
        match &web_dir {
            Some(dir) => {
                // A path of one of the app's screens (`/admin`, `/grids/7`) gets the app, whose router shows that
                // screen; anything else that names no file is a 404.
                let index = dir.join("index.html");
                let app_screen = web::to(move |req: HttpRequest| {
                    let index = index.clone();
                    async move {
                        let first = req.path().trim_start_matches('/').split('/').next().unwrap_or_default();
                        if !paths::APP_SCREENS.contains(&first) {
                            return Err::<actix_web::HttpResponse, actix_web::Error>(
                                ApiError::not_found("file", req.path()).into(),
                            );
                        }
                        let page = actix_files::NamedFile::open_async(index).await?;
                        Ok(page.into_response(&req))
                    }
                });
                app.service(actix_files::Files::new("/", dir).index_file("index.html").default_handler(app_screen))
            }
            None => app.default_service(not_found),
        }
    })
    .listen(listener)?
    .run();
    Ok(server)
}
