//! Test harness: every test spawns the real server on a fresh PostGIS database (cloned from a migrated template)
//! and talks to it over HTTP.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor, PgConnection, PgPool};
use std::str::FromStr;
use wangge_domain::access::{Assignment, Role, Scope};
use wangge_server::auth::password::NewPassword;
use wangge_server::auth::vault::DataKey;
use wangge_server::auth::Security;
use wangge_server::config::Settings;
use wangge_server::db::cluster::Durability;
use wangge_server::startup;
use wangge_server::state::AppState;
use wangge_server::store::accounts::NewAccount;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// The shared real-data folder beside the checkout, or `None` (with a message) when it is absent locally.
/// Under CI (`CI` set) a missing folder is a failure, never a skip.
pub fn shared_data() -> Option<PathBuf> {
    let dir = workspace().join("../shared/data");
    if dir.join("README.md").exists() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!("../shared/data is missing; CI must have it");
    }
    eprintln!("SKIPPED: ../shared/data is not beside the checkout");
    None
}

/// URL of the server's maintenance database: `DATABASE_URL`'s server, or the project-local cluster.
fn server_url() -> String {
    let settings = Settings::from_env();
    match settings.database_url {
        Some(url) => {
            let opts = PgConnectOptions::from_str(&url).expect("DATABASE_URL");
            opts.database("postgres").to_url_lossy().to_string()
        }
        // The tests' own cluster, explicitly without flushes: its databases are thrown away.
        None => wangge_server::db::cluster::ensure_running(&workspace().join(".wangge-test"), Durability::Throwaway)
            .expect("local PostGIS cluster")
            .url("postgres"),
    }
}

/// Where the audit head of test database `db` is anchored.
fn anchor_of(db: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{db}-audit-head.json"))
}

fn with_db(server: &str, db: &str) -> String {
    let opts = PgConnectOptions::from_str(server).expect("url");
    opts.database(db).to_url_lossy().to_string()
}

/// The script that partitions the template by district (`WANGGE_TEST_SCHEMA=by-district`).
const PARTITION_BY_DISTRICT: &str = include_str!("../sql/partition_by_district.sql");

/// Name of the template database for the current migrations (and partitioning script).
fn template_name() -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    let script = if by_district() { PARTITION_BY_DISTRICT.as_bytes() } else { &[] };
    for b in wangge_server::db::MIGRATOR.iter().flat_map(|m| m.checksum.iter()).chain(script) {
        h = (h ^ u64::from(*b)).wrapping_mul(0x100000001b3);
    }
    let variant = if by_district() { "_bd" } else { "" };
    format!("wangge_tpl_{:012x}{variant}", h & 0xffff_ffff_ffff)
}

/// Whether the tests run on the schema partitioned by district (`WANGGE_TEST_SCHEMA=by-district`): every table a
/// district owns divided into a partition per district, as Citus would shard it (`sql/partition_by_district.sql`).
pub fn by_district() -> bool {
    match std::env::var("WANGGE_TEST_SCHEMA").as_deref() {
        Ok("by-district") => true,
        Ok("" | "plain") | Err(_) => false,
        Ok(other) => panic!("WANGGE_TEST_SCHEMA is `by-district` or `plain`, not `{other}`"),
    }
}

async fn ensure_template(server: &str) -> String {
    let name = template_name();
    let lock = File::create(std::env::temp_dir().join(format!("{name}.lock"))).expect("lock file");
    lock.lock().expect("template lock");
    let mut admin = PgConnection::connect(server).await.expect("connect to server");
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .expect("query");
    if !exists {
        // a build a killed run left behind
        admin.execute(format!("DROP DATABASE IF EXISTS {name}_build").as_str()).await.expect("drop a stale build");
        admin.execute(format!("CREATE DATABASE {name}_build").as_str()).await.expect("create template");
        let pool =
            wangge_server::db::connect_and_migrate(&with_db(server, &format!("{name}_build"))).await.expect("migrate");
        if by_district() {
            pool.execute(PARTITION_BY_DISTRICT).await.expect("partition by district");
        }
        pool.close().await;
        admin.execute(format!("ALTER DATABASE {name}_build RENAME TO {name}").as_str()).await.expect("rename");
    }
    name
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The key tests encrypt residents' personal data under.
pub const TEST_DATA_KEY: &str = "5e0f8c1d2b3a49687766554433221100ffeeddccbbaa99887766554433221100";
/// The password of every account tests create.
pub const TEST_PASSWORD: &str = "test-password-1";
/// The district the default caller plans (the demo district's code).
pub const TEST_DISTRICT: &str = "990101";

/// Someone calling the API: anonymous, or signed in with a session cookie and its CSRF token.
#[derive(Clone)]
pub struct Caller {
    address: String,
    client: reqwest::Client,
    session: Option<(String, String)>,
}

impl Caller {
    /// A request carrying this caller's session, to finish by hand (headers, raw bodies).
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.client.request(method, format!("{}{path}", self.address));
        if let Some((cookie, csrf)) = &self.session {
            r = r
                .header("cookie", format!("{}={cookie}", wangge_server::auth::session::COOKIE))
                .header("x-csrf-token", csrf);
        }
        r
    }

    /// The same caller without the CSRF header (to prove writes need it).
    pub fn without_csrf(&self) -> Caller {
        let mut c = self.clone();
        if let Some((_, csrf)) = &mut c.session {
            csrf.clear();
        }
        c
    }

    /// GET a path, returning status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.request(reqwest::Method::GET, path).send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// GET a path, returning status and the body as text.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.request(reqwest::Method::GET, path).send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.text().await.unwrap_or_default())
    }

    /// Send JSON with a method, returning status and JSON body.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
        let r = self.request(method, path).json(body).send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// POST JSON.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    /// PUT JSON.
    pub async fn put(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }

    /// POST raw bytes with a content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let r = self
            .request(reqwest::Method::POST, path)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// A test's HTTP client: it drops a pooled connection after a second idle, well before the server's five-second
/// keep-alive closes it, so a request is never sent on a connection the server is closing at that instant (hyper
/// cannot resend a POST whose connection closed under it, and reports `IncompleteMessage`).
fn http_client(builder: reqwest::ClientBuilder) -> reqwest::Client {
    builder.pool_idle_timeout(std::time::Duration::from_secs(1)).build().expect("client")
}

/// A running server on its own fresh database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The database, for assertions that look behind the API.
    pub pool: PgPool,
    /// The app state (cache included).
    pub state: AppState,
    /// The default caller: a planner of district 990101 (`app.get(…)` and friends go through it).
    pub caller: Caller,
    server: String,
    db: String,
}

impl std::ops::Deref for TestApp {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.caller
    }
}

impl TestApp {
    /// Create a fresh database and start the server on a free port, with no rate limit on anonymous callers.
    pub async fn spawn() -> TestApp {
        Self::spawn_with_public_rate(usize::MAX).await
    }

    /// Create a fresh database and start the server, allowing `public_rate` anonymous requests a minute.
    pub async fn spawn_with_public_rate(public_rate: usize) -> TestApp {
        Self::spawn_on(server_url(), public_rate).await
    }

    /// Create a fresh database on the PostgreSQL server at `server` (a URL of its maintenance database) and start
    /// the server on it.
    pub async fn spawn_on(server: String, public_rate: usize) -> TestApp {
        let template = ensure_template(&server).await;
        let db = format!(
            "wangge_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
        );
        let mut admin = PgConnection::connect(&server).await.expect("connect");
        let mut tries = 0;
        loop {
            match admin.execute(format!("CREATE DATABASE {db} TEMPLATE {template}").as_str()).await {
                Ok(_) => break,
                Err(e) if tries < 20 => {
                    tries += 1;
                    eprintln!("retrying CREATE DATABASE: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                Err(e) => panic!("CREATE DATABASE: {e}"),
            }
        }
        let pool = wangge_server::db::connect_and_migrate(&with_db(&server, &db)).await.expect("connect test db");
        let key = DataKey::from_hex(TEST_DATA_KEY).expect("key");
        let anchor = anchor_of(&db);
        let state = AppState::new(pool.clone(), Security::new(key, true, public_rate, anchor)).await.expect("state");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = format!("http://{}", listener.local_addr().unwrap());
        let web = workspace().join("web/dist");
        let srv =
            startup::run(listener, state.clone(), web.join("index.html").exists().then_some(web)).expect("server");
        tokio::spawn(srv);
        let public =
            Caller { address: address.clone(), client: http_client(reqwest::Client::builder()), session: None };
        let mut app = TestApp { address, pool, state, caller: public, server, db };
        app.caller = app.sign_in_as("planner", Role::Planner, Scope::District(TEST_DISTRICT.parse().unwrap())).await;
        app
    }

    /// The URL of this app's database.
    pub fn database_url(&self) -> String {
        with_db(&self.server, &self.db)
    }

    /// The file this app's audit head is anchored in.
    pub fn audit_anchor(&self) -> PathBuf {
        anchor_of(&self.db)
    }

    /// Spawn and load a small generated demo district (1 street, 2 communities).
    pub async fn spawn_with_demo() -> TestApp {
        let app = Self::spawn().await;
        app.load_demo(wangge_gis_data::demo::DemoSize {
            streets: 1,
            communities_per_street: 2,
            blocks_per_side: 6,
            seed: 7,
        })
        .await;
        app
    }

    /// Load a generated demo district of this size into the app.
    pub async fn load_demo(&self, size: wangge_gis_data::demo::DemoSize) {
        wangge_server::import::demo::load_demo(&self.pool, size).await.expect("demo").expect("fresh");
        self.state.refresh(None).await.expect("cache");
        self.state.tiles.reload_base(&self.pool).await.expect("tiles");
    }

    /// Import the case catalogue and the official calendar from the shared data folder and give the demo district
    /// its default departments. `false` (with a message) when the folder is absent locally.
    pub async fn load_catalogue(&self) -> bool {
        let Some(data) = shared_data() else {
            return false;
        };
        wangge_server::import::catalogue::import_catalogue(&self.pool, &data).await.expect("catalogue");
        wangge_server::import::catalogue::seed_departments(&self.pool, TEST_DISTRICT).await.expect("departments");
        self.state.reload_calendar().await.expect("calendar");
        true
    }

    /// An anonymous caller.
    pub fn public(&self) -> Caller {
        Caller { address: self.address.clone(), client: http_client(reqwest::Client::builder()), session: None }
    }

    /// Create an account (password [`TEST_PASSWORD`]) straight in the database and sign it in over HTTP.
    pub async fn sign_in_as(&self, username: &str, role: Role, scope: Scope) -> Caller {
        let assignment = Assignment::new(role, scope).expect("assignment");
        let district = assignment.scope().district().unwrap_or_else(|| TEST_DISTRICT.parse().unwrap());
        let password = NewPassword::parse(TEST_PASSWORD).expect("password");
        let new = NewAccount {
            username,
            display_name: username,
            assignment: &assignment,
            district: &district,
            work_phone: Some("025-0000-0000"),
            password: &password,
        };
        wangge_server::store::accounts::create(&self.pool, new).await.expect("create account");
        self.sign_in(username, TEST_PASSWORD).await.expect("sign in")
    }

    /// Sign in over HTTP; `Err(status)` when refused.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<Caller, (u16, Value)> {
        self.sign_in_from(std::net::Ipv4Addr::LOCALHOST.into(), username, password).await
    }

    /// Sign in over HTTP from the client address `from` (any address of 127.0.0.0/8 works on Linux).
    pub async fn sign_in_from(
        &self,
        from: std::net::IpAddr,
        username: &str,
        password: &str,
    ) -> Result<Caller, (u16, Value)> {
        let client = http_client(reqwest::Client::builder().local_address(from));
        let r = client
            .clone()
            .post(format!("{}/api/session", self.address))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix(&format!("{}=", wangge_server::auth::session::COOKIE)))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned());
        let body: Value = r.json().await.unwrap_or(Value::Null);
        match (status, cookie, body["account"]["csrf_token"].as_str()) {
            (200, Some(cookie), Some(csrf)) => {
                Ok(Caller { address: self.address.clone(), client, session: Some((cookie, csrf.to_owned())) })
            }
            _ => Err((status, body)),
        }
    }

    /// A point inside community `code` (its point on surface).
    pub async fn interior_point(&self, code: &str) -> (f64, f64) {
        sqlx::query_as(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM community WHERE code = $1) s",
        )
        .bind(code)
        .fetch_one(&self.pool)
        .await
        .expect("community's interior point")
    }

    /// The lowest block id of community `code`.
    pub async fn first_block(&self, code: &str) -> i64 {
        sqlx::query_scalar("SELECT min(id) FROM block WHERE community_code = $1")
            .bind(code)
            .fetch_one(&self.pool)
            .await
            .expect("a block")
    }

    /// The plan in force in community `code`: its id and its grids as a plan body's `grids` (key, kind, blocks).
    pub async fn plan_in_force(&self, code: &str) -> (i64, Vec<Value>) {
        let (_, current) = self.get(&format!("/api/communities/{code}/grids")).await;
        let grids = current["grids"]["features"]
            .as_array()
            .expect("grids")
            .iter()
            .map(|f| {
                let p = &f["properties"];
                serde_json::json!({ "key": p["key"], "kind": p["kind"], "blocks": p["blocks"] })
            })
            .collect();
        (current["plan"]["id"].as_i64().expect("a plan in force"), grids)
    }

    /// A new draft of community `code`: a copy of the plan in force, based on it. Returns its id.
    pub async fn new_draft(&self, code: &str) -> i64 {
        let (plan, grids) = self.plan_in_force(code).await;
        let body = serde_json::json!({ "grids": grids, "based_on": plan });
        let (s, draft) = self.post(&format!("/api/communities/{code}/plans"), &body).await;
        assert_eq!(s, 201, "{draft}");
        draft["plan"]["id"].as_i64().expect("draft id")
    }

    /// The status and whole answer of an anonymous request sent exactly as written, byte for byte (an HTTP client
    /// library would resolve dot segments or refuse odd paths before sending).
    pub async fn raw(&self, method: &str, path: &str) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let host = self.address.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
        let request =
            format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.expect("answer");
        let answer = String::from_utf8_lossy(&answer).into_owned();
        (answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0), answer)
    }

    /// Wait until every committed audit entry is in the chain (the intake's entries are chained moments after their
    /// reports are answered); panics after ten seconds.
    pub async fn chained(&self) {
        for _ in 0..200 {
            let pending: i64 =
                sqlx::query_scalar("SELECT count(*) FROM audit_pending").fetch_one(&self.pool).await.expect("pending");
            if pending == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("audit entries still waiting for the chain after ten seconds");
    }

    /// A fingerprint of everything stored (row counts and a hash of grid assignments), to prove a refused
    /// request changed nothing.
    pub async fn fingerprint(&self) -> String {
        sqlx::query_scalar(
            "SELECT concat_ws('|',
                (SELECT count(*) FROM district), (SELECT count(*) FROM street), (SELECT count(*) FROM community),
                (SELECT md5(coalesce(string_agg(code || ST_AsText(geom), ',' ORDER BY code), '')) FROM community),
                (SELECT count(*) FROM block), (SELECT count(*) FROM building), (SELECT count(*) FROM plan),
                (SELECT md5(coalesce(string_agg(plan_id || ':' || block_id || ':' || grid_id, ',' ORDER BY plan_id, block_id), '')) FROM grid_block),
                (SELECT md5(coalesce(string_agg(id || status || coalesce(valid_to::text, ''), ',' ORDER BY id), '')) FROM plan),
                (SELECT count(*) FROM element), (SELECT count(*) FROM resident), (SELECT count(*) FROM special_grid))",
        )
        .fetch_one(&self.pool)
        .await
        .expect("fingerprint")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let (server, db) = (self.server.clone(), self.db.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                let _ = std::fs::remove_file(std::env::temp_dir().join(format!("{db}-audit-head.json")));
                if let Ok(mut admin) = PgConnection::connect(&server).await {
                    let _ = admin.execute(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)").as_str()).await;
                }
            });
        })
        .join()
        .ok();
    }
}

/// The smallest generated demo: one street, one community of 4 × 4 blocks.
pub const SMALL_DEMO: wangge_gis_data::demo::DemoSize =
    wangge_gis_data::demo::DemoSize { streets: 1, communities_per_street: 1, blocks_per_side: 4, seed: 3 };

/// Phones reporting cases while the database goes away: `phones` tasks each send `per_phone` reports at `at`, one
/// after another, and send each again with the same request id until it is answered with 200 or 201. What each
/// answered (request id, case id) is collected as it comes.
pub struct Phones {
    /// The tasks; each ends when its reports are all answered.
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
    /// (request id, case id) of every answered report.
    pub acknowledged: std::sync::Arc<std::sync::Mutex<Vec<(String, i64)>>>,
}

impl Phones {
    /// A server on a fresh database of the PostgreSQL at `server` (a URL of its maintenance database), holding a
    /// small generated demo (one street, one community) and the case catalogue, and a grid worker of that community
    /// with a point inside it: what the phones report with. `None` without the shared data (the catalogue).
    pub async fn app_on(server: String) -> Option<(TestApp, Caller, (f64, f64))> {
        let app = TestApp::spawn_on(server, usize::MAX).await;
        app.load_demo(SMALL_DEMO).await;
        if !app.load_catalogue().await {
            return None;
        }
        let community: String =
            sqlx::query_scalar("SELECT min(code) FROM community").fetch_one(&app.pool).await.expect("a community");
        let worker =
            app.sign_in_as("worker", Role::GridWorker, Scope::Community(community.parse().expect("a code"))).await;
        let at = app.interior_point(&community).await;
        Some((app, worker, at))
    }

    /// Start the phones of `worker`.
    pub fn start(worker: &Caller, at: (f64, f64), phones: usize, per_phone: usize) -> Phones {
        let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let tasks = (0..phones)
            .map(|phone| {
                let (caller, acknowledged) = (worker.clone(), acknowledged.clone());
                tokio::spawn(async move {
                    for i in 0..per_phone {
                        let request_id = format!("phone{phone}-{i}");
                        let body = serde_json::json!({ "request_id": request_id, "category": "E06001",
                            "channel": "patrol", "lon": at.0, "lat": at.1, "description": format!("第{i}个问题") });
                        // Until answered (at most two minutes): the same report, the same request id.
                        for _attempt in 0..1200 {
                            let r = caller
                                .request(reqwest::Method::POST, "/api/cases")
                                .json(&body)
                                .timeout(std::time::Duration::from_secs(5))
                                .send()
                                .await;
                            if let Ok(r) = r {
                                if matches!(r.status().as_u16(), 200 | 201) {
                                    let v: Value = r.json().await.expect("an answer");
                                    let id = v["case"]["id"].as_i64().expect("a case id");
                                    acknowledged.lock().expect("acknowledged").push((request_id.clone(), id));
                                    break;
                                }
                            }
                            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        }
                    }
                })
            })
            .collect();
        Phones { tasks, acknowledged }
    }

    /// How many reports were answered so far.
    pub fn answered(&self) -> usize {
        self.acknowledged.lock().expect("acknowledged").len()
    }

    /// Wait until at least `n` reports are answered.
    pub async fn until_answered(&self, n: usize) {
        while self.answered() < n {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Wait for every phone to finish; every (request id, case id) answered.
    pub async fn finish(self) -> Vec<(String, i64)> {
        for t in self.tasks {
            t.await.expect("a phone");
        }
        let acknowledged = self.acknowledged.lock().expect("acknowledged").clone();
        acknowledged
    }
}

/// Every committed audit entry, chained or still waiting for the chain (as a table expression for `FROM`).
pub const AUDIT_ENTRIES: &str =
    "(SELECT actor, action, status, after FROM audit_log UNION ALL SELECT actor, action, status, after FROM audit_pending)";

/// A real PNG photo of `w`×`h` pixels, different for each `seed`.
pub fn png(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8 ^ seed, y as u8, seed]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

/// A `multipart/form-data` body of named text fields and files: (content type, body).
pub fn multipart(fields: &[(&str, String)], files: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "wangge-test-boundary-7";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (i, (name, bytes)) in files.iter().enumerate() {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"p{i}.png\"\r\n\
                 Content-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A report as a form: its document in the `json` part, and `photo` parts.
pub fn form(json: &Value, photos: &[Vec<u8>]) -> (String, Vec<u8>) {
    let files: Vec<(&str, Vec<u8>)> = photos.iter().map(|p| ("photo", p.clone())).collect();
    multipart(&[("json", json.to_string())], &files)
}
