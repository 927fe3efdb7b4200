//! `wangge`: the Wangge server and its command-line tasks.

use std::net::TcpListener;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use geo::{BooleanOps, Geometry, Rect};
use wangge_domain::access::{Assignment, Role, Scope};
use wangge_domain::boundary::Boundary;
use wangge_domain::codes::{CommunityCode, DistrictCode, StreetCode};
use wangge_domain::households::HouseholdModel;
use wangge_gis_data::boundaries::{parse_boundaries, Datum};
use wangge_gis_data::demo::DemoSize;
use wangge_server::auth::password::NewPassword;
use wangge_server::config::Settings;
use wangge_server::store::accounts::{self, NewAccount};
use wangge_server::store::blocks::{self, build_blocks, DEFAULT_BLOCK_ROAD_CLASSES};
use wangge_server::store::hierarchy::{misplaced, upsert_area, Level};
use wangge_server::{audit, bench, db, import, startup};

#[derive(Parser)]
#[command(name = "wangge", about = "Wangge: GIS for urban community grid governance (网格化管理)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LevelArg {
    District,
    Street,
    Community,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (WANGGE_BIND, default 127.0.0.1:8080).
    Serve,
    /// Load the generated demo district and its demo accounts (once; later runs do nothing), the case catalogue
    /// from the shared data folder when it is there, the district's default departments and a year of generated
    /// cases. The accounts' password is WANGGE_DEMO_PASSWORD (default `wangge-demo-2026`).
    Demo {
        /// The shared data folder (catalogue and holidays).
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        /// Generated cases to add.
        #[arg(long, default_value_t = 3000)]
        cases: usize,
    },
    /// Back the database up into a new folder: a `pg_dump` archive, the personal-data key (keep it apart from the
    /// dump: it decrypts every resident), the audit chain's anchored head and a manifest.
    Backup {
        /// The folder to create.
        out: PathBuf,
    },
    /// Restore a backup folder into an empty database (the configured one), with its key and audit head.
    Restore {
        /// The backup folder.
        from: PathBuf,
    },
    /// Archive whole past months of cases and their trail: their partitions are written to a `pg_dump` file in a
    /// new folder and leave the live database. Refused while a case of those months is not finished.
    Archive {
        /// Archive the months before this one (YYYY-MM, China time).
        #[arg(long, value_parser = parse_month)]
        before: chrono::NaiveDate,
        /// The folder to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Bring archived months back from an archive folder.
    Unarchive {
        /// The archive folder.
        from: PathBuf,
    },
    /// Import a real set of historical incidents as closed cases of a district of its own, its areas as communities
    /// (`sf`: 178k San Francisco incidents in the census tracts; `la311`: Los Angeles 311 requests with their whole
    /// life in the neighborhood councils), each located on import.
    ImportIncidents {
        #[arg(long, value_enum)]
        preset: import::incidents::Preset,
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
    },
    /// Import the case catalogue (the national classification of components and events, the community-side
    /// taxonomy) and the official holiday calendar from the shared data folder. Categories already present keep a
    /// district's changes.
    ImportCatalogue {
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
    },
    /// Create a district admin account (the first account of a district). The password is read from the first line
    /// of standard input, or from WANGGE_ADMIN_PASSWORD when set.
    CreateAdmin {
        #[arg(long)]
        username: String,
        /// The district the admin manages (6-digit code).
        #[arg(long)]
        district: String,
        #[arg(long, default_value = "管理员")]
        display_name: String,
    },
    /// Print the database URL in use (starting the local cluster if needed).
    DbUrl,
    /// Import an OpenStreetMap file (.osm XML or .osm.pbf): buildings, roads, land use, POIs.
    ImportOsm {
        file: PathBuf,
        /// Gross floor area per household, m².
        #[arg(long, default_value_t = 120.0)]
        gross_m2_per_household: f64,
        /// Floors assumed when a residential building has none.
        #[arg(long, default_value_t = 6)]
        default_floors: u16,
    },
    /// Import one boundary from GeoJSON (FeatureCollection with one feature, Feature, or bare geometry).
    ImportBoundary {
        file: PathBuf,
        #[arg(long, value_enum)]
        level: LevelArg,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// The file is in GCJ-02 (Amap); convert to WGS84.
        #[arg(long)]
        gcj02: bool,
        /// Clip to min_lon,min_lat,max_lon,max_lat.
        #[arg(long, value_delimiter = ',', num_args = 4)]
        clip: Option<Vec<f64>>,
    },
    /// Import official street and community codes from the china-division CSVs.
    ImportDivisions {
        #[arg(long)]
        district: String,
        #[arg(long)]
        district_name: String,
        #[arg(long)]
        streets: PathBuf,
        #[arg(long)]
        communities: PathBuf,
    },
    /// Build road-bounded blocks in a community.
    BuildBlocks { community: String },
    /// Print a community's block graph in the partitioner's JSON format (households, area and perimeter in metres,
    /// points in local metres, shared boundary lengths), for `wangge partition` and for other tools.
    Graph {
        community: String,
        /// First split every block holding more than this many households (and more than one building) into
        /// building cells, as a planner would split a compound too large for one grid (330 = the top of a
        /// 300 ± 10 % band). The split is stored.
        #[arg(long)]
        split_above: Option<i32>,
    },
    /// Divide a block graph (JSON: {nodes: [{id, households, area, perimeter, x, y}], edges: [{a, b, length}],
    /// fixed: {block id: grid label}}) into contiguous ~target-household grids; prints the result as JSON.
    Partition {
        /// The graph file.
        input: PathBuf,
        #[arg(long, default_value_t = 300)]
        target: u32,
        #[arg(long, default_value_t = 0.10)]
        tolerance: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Time budget in milliseconds (the partitioner's default when not given).
        #[arg(long)]
        budget_ms: Option<u64>,
    },
    /// Add households in one corner of a graph file's community, then time "rebalance the community" against a
    /// fresh suggestion (prints a Markdown table; no database needed).
    BenchRebalance {
        /// The graph file (the partitioner's JSON format).
        input: PathBuf,
        /// Share of the households added.
        #[arg(long, default_value_t = 0.05)]
        share: f64,
    },
    /// Benchmark tiles against Martin on the same tables (prints a Markdown table).
    BenchTiles {
        /// The shared data folder.
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        /// The Martin binary.
        #[arg(long, default_value = "martin")]
        martin: PathBuf,
    },
    /// Measure the grid editor's stroke latency in headless Chromium on a generated community with many grids.
    BenchEditor {
        /// Blocks per side of the generated community (50 → about 2,100 blocks and 290,000 households; larger
        /// communities need more than 999 grids, the most a community can hold).
        #[arg(long, default_value_t = 50)]
        blocks_per_side: usize,
        /// Grids in the draft the editor opens (999 is the most a community can have: 3-digit grid sequence).
        #[arg(long, default_value_t = 999)]
        grids: usize,
    },
    /// Benchmark case intake through HTTP against raw INSERTs of the same rows, and the case desk's list over many
    /// cases, in a database of its own (prints a Markdown table).
    BenchCases {
        /// The shared data folder (the catalogue).
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        #[arg(long, default_value_t = 20_000)]
        reports: usize,
        /// Cases in the desk's table.
        #[arg(long, default_value_t = 1_000_000)]
        desk_cases: usize,
    },
    /// One generated city of 10 M people on one machine (30,625 grids, 1 M buildings, 10 M cases; kept in its own
    /// database between runs): start-up time, cache memory, and locate, tile, density and desk latency with and
    /// without publishes running (prints Markdown tables).
    BenchCity {
        /// The shared data folder (the catalogue).
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        /// Generate the city again even if an earlier run left it.
        #[arg(long)]
        fresh: bool,
    },
    /// Benchmark Open311's request list over many public requests against PostGIS answering the same page, and
    /// partner intake under load, in a database of its own (prints a Markdown table).
    BenchOpen311 {
        /// The shared data folder (the catalogue).
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        /// Public requests in the table.
        #[arg(long, default_value_t = 1_000_000)]
        requests: usize,
        /// Concurrent partner clients posting.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Requests they post.
        #[arg(long, default_value_t = 4000)]
        posts: usize,
    },
    /// Benchmark the density bins of a street-sized view over many generated incidents against PostGIS
    /// (`ST_HexagonGrid`) and the memory floor, in a database of its own (prints a Markdown table).
    BenchHeat {
        /// The shared data folder (San Francisco's incidents).
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        /// Generated incidents.
        #[arg(long, default_value_t = 10_000_000)]
        incidents: usize,
        /// Timed runs per side.
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Time Gi* (analytic z and `permutations` conditional randomisations) on units given as JSON
    /// (`{"y": [...], "neighbours": [[...], ...]}`, as `bench/gi_star_compare.py` writes it); prints JSON.
    BenchGistar {
        /// The units.
        input: PathBuf,
        #[arg(long, default_value_t = 999)]
        permutations: usize,
    },
    /// Time the locate cache after a publish over a generated city of grids: read whole again against patched
    /// (the published community's box read again), in a database of its own (prints a Markdown table).
    BenchCache {
        /// Generated grids per side (175 → 30,625 grids).
        #[arg(long, default_value_t = 175)]
        grids_per_side: usize,
        /// Timed refreshes each way.
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// Time dividing a generated compound of many buildings into building cells, in a database of its own (prints
    /// a Markdown table).
    BenchSplit {
        /// Compound sizes (buildings), comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "500,2000")]
        buildings: Vec<usize>,
    },
    /// Benchmark locate against PostGIS on the SF data (prints a Markdown table).
    BenchLocate {
        /// The shared data folder.
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        /// Synthetic grids per side (80 → 6,400 grids).
        #[arg(long, default_value_t = 80)]
        grids_per_side: usize,
    },
}

fn clip(boundary: Boundary, bbox: &[f64]) -> Result<Boundary> {
    let rect = Rect::new((bbox[0], bbox[1]), (bbox[2], bbox[3])).to_polygon();
    let clipped = boundary.multi_polygon().intersection(&rect);
    Boundary::parse(Geometry::MultiPolygon(clipped)).context("the clipped boundary")
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Command::BenchRebalance { input, share } = &cli.command {
        let text = std::fs::read_to_string(input).with_context(|| format!("reading {}", input.display()))?;
        let graph: wangge_domain::partition::BlockGraphInput = serde_json::from_str(&text).context("the graph JSON")?;
        let report = bench::rebalance::bench_rebalance(&graph, *share)?;
        println!("{}", bench::rebalance::markdown(&input.display().to_string(), &report));
        return Ok(());
    }
    if let Command::Partition { input, target, tolerance, seed, budget_ms } = &cli.command {
        // a pure computation: no database needed
        let text = std::fs::read_to_string(input).with_context(|| format!("reading {}", input.display()))?;
        let graph: wangge_domain::partition::BlockGraphInput = serde_json::from_str(&text).context("the graph JSON")?;
        let options = wangge_domain::partition::Options {
            target: *target,
            tolerance: *tolerance,
            seed: *seed,
            ..Default::default()
        };
        let options = match budget_ms {
            Some(ms) => wangge_domain::partition::Options { budget: std::time::Duration::from_millis(*ms), ..options },
            None => options,
        };
        let result = wangge_domain::partition::partition(&graph, &options)?;
        println!("{}", serde_json::to_string_pretty(&result)?);
        return Ok(());
    }
    if let Command::BenchGistar { input, permutations } = &cli.command {
        // a pure computation: no database needed
        let text = std::fs::read_to_string(input).with_context(|| format!("reading {}", input.display()))?;
        let units: serde_json::Value = serde_json::from_str(&text).context("the units JSON")?;
        let y: Vec<f64> = serde_json::from_value(units["y"].clone()).context("y")?;
        let neighbours: Vec<Vec<u32>> = serde_json::from_value(units["neighbours"].clone()).context("neighbours")?;
        let t = std::time::Instant::now();
        let gi = wangge_domain::hotspot::gi_star(&y, &neighbours);
        let analytic_s = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let p_sim = wangge_domain::hotspot::gi_star_pseudo_p(&y, &neighbours, *permutations, 12345);
        let permutations_s = t.elapsed().as_secs_f64();
        let out = serde_json::json!({ "units": y.len(), "permutations": permutations, "analytic_s": analytic_s,
            "permutations_s": permutations_s, "z": gi.z, "p_sim": p_sim });
        println!("{out}");
        return Ok(());
    }
    let mut settings = Settings::from_env();
    if settings.database_url.is_none() {
        match cli.command {
            Command::BenchLocate { .. } => settings.db_name = "wangge_bench".to_owned(),
            Command::BenchTiles { .. } => settings.db_name = "wangge_tilebench".to_owned(),
            Command::BenchEditor { .. } => settings.db_name = "wangge_editorbench".to_owned(),
            Command::BenchHeat { .. } => settings.db_name = "wangge_heatbench".to_owned(),
            _ => {}
        }
    }
    let url = db::database_url(&settings)?;
    let key_file = settings.data_dir.join("data.key");
    if let Command::Restore { from } = &cli.command {
        // Into an empty database: before the migrations would create the tables the dump brings.
        let held = wangge_server::backup::restore(from, &url, &key_file, &settings.audit_anchor()).await?;
        println!("restored {held:?} into {}; the key is in {}", db::without_password(&url), key_file.display());
        if settings.data_key.is_some() {
            println!("WANGGE_DATA_KEY is set: it must be the backup's key, or residents will not decrypt");
        }
        return Ok(());
    }
    db::create_database_if_missing(&url).await?;
    let pool = db::connect_and_migrate(&url).await?;
    match cli.command {
        Command::Serve => {
            let listener = TcpListener::bind(&settings.bind).with_context(|| format!("binding {}", settings.bind))?;
            tracing::info!("Wangge serving on http://{} (database {})", settings.bind, db::without_password(&url));
            let state = wangge_server::state::AppState::new(pool, settings.security()?).await?;
            if let Some(read_url) = &settings.database_read_url {
                state.reads.attach(read_url).await?;
                tracing::info!("read-only queries go to the replica {}", db::without_password(read_url));
            }
            wangge_server::jobs::spawn(&state);
            let web_dir = settings.web_dir.join("index.html").exists().then(|| settings.web_dir.clone());
            match &web_dir {
                Some(d) => tracing::info!("serving the web app from {}", d.display()),
                None => tracing::warn!(
                    "no web app at {} (run bin/build-web); serving the API only",
                    settings.web_dir.display()
                ),
            }
            startup::run(listener, state, web_dir)?.await?;
        }
        Command::Demo { data, cases } => {
            match import::demo::load_demo(&pool, DemoSize::default()).await? {
                Some(s) => println!("{}", serde_json::to_string_pretty(&s)?),
                None => println!("demo district already loaded"),
            }
            let district = wangge_gis_data::demo::DEMO_DISTRICT_CODE;
            import::catalogue::seed_departments(&pool, district).await?;
            if data.join("cn-holidays").exists() {
                let s = import::catalogue::import_catalogue(&pool, &data).await?;
                println!("case catalogue: {}", serde_json::to_string(&s)?);
                let (off, on) = wangge_server::store::catalogue::calendar_days(&pool).await?;
                let calendar = wangge_domain::case::clock::WorkCalendar::default().with_days(off, on);
                let made = import::demo_cases::generate_cases(&pool, district, cases, &calendar).await?;
                println!("generated cases: {made}");
            } else {
                println!("{} not found: no case catalogue and no generated cases", data.display());
            }
            let password = std::env::var("WANGGE_DEMO_PASSWORD").unwrap_or_else(|_| "wangge-demo-2026".to_owned());
            let password = NewPassword::parse(&password)?;
            for (username, role, scope) in import::demo::create_demo_accounts(&pool, &password).await? {
                println!("demo account {username:<10} {role:<18} {scope}");
            }
        }
        Command::CreateAdmin { username, district, display_name } => {
            let district: DistrictCode = district.parse()?;
            let password = match std::env::var("WANGGE_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let password = NewPassword::parse(&password)?;
            let assignment = Assignment::new(Role::DistrictAdmin, Scope::District(district.clone()))?;
            let new = NewAccount {
                username: &username,
                display_name: &display_name,
                assignment: &assignment,
                district: &district,
                work_phone: None,
                password: &password,
            };
            // The account and its audit entry commit together.
            let mut tx = pool.begin().await?;
            let account = accounts::create(&mut *tx, new).await?;
            let entry = audit::Entry {
                district: district.as_str(),
                actor: "system",
                action: "create-admin",
                target: Some(format!("account {username}")),
                status: 201,
                before: None,
                after: Some(serde_json::to_value(&account)?),
            };
            audit::stage_in(&mut tx, &[entry]).await?;
            tx.commit().await?;
            audit::chain_pending(&pool, &settings.security()?.audit_head).await?;
            println!("{}", serde_json::to_string_pretty(&account)?);
        }
        Command::DbUrl => println!("{url}"),
        Command::ImportIncidents { preset, data } => {
            let s = import::incidents::import_incidents(&pool, &data, preset).await?;
            println!("{}", serde_json::to_string_pretty(&s)?);
        }
        Command::ImportCatalogue { data } => {
            let s = import::catalogue::import_catalogue(&pool, &data).await?;
            println!("{}", serde_json::to_string_pretty(&s)?);
        }
        Command::ImportOsm { file, gross_m2_per_household, default_floors } => {
            let model = HouseholdModel { gross_m2_per_household, default_floors, ..HouseholdModel::default() };
            let s = import::osm::import_osm(&pool, &file, &model).await?;
            println!("{}", serde_json::to_string_pretty(&s)?);
        }
        Command::ImportBoundary { file, level, code, name, gcj02, clip: bbox } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let mut features = parse_boundaries(&text, if gcj02 { Datum::Gcj02 } else { Datum::Wgs84 })?;
            if features.len() != 1 {
                bail!("{} holds {} features; give a file with exactly one", file.display(), features.len());
            }
            let mut boundary = features.remove(0).boundary;
            if let Some(b) = bbox {
                boundary = clip(boundary, &b)?;
            }
            let level = match level {
                LevelArg::District => {
                    code.parse::<DistrictCode>()?;
                    Level::District
                }
                LevelArg::Street => {
                    code.parse::<StreetCode>()?;
                    Level::Street
                }
                LevelArg::Community => {
                    code.parse::<CommunityCode>()?;
                    Level::Community
                }
            };
            if let Some(m) = misplaced(&pool, level, &code, &boundary).await? {
                anyhow::bail!("{} {code} does not fit the hierarchy: {m}", level.table());
            }
            upsert_area(&pool, level, &code, &name, Some(&boundary), false).await?;
            println!("stored {} {code} {name}", level.table());
        }
        Command::ImportDivisions { district, district_name, streets, communities } => {
            let district: DistrictCode = district.parse()?;
            let s =
                import::divisions::import_divisions(&pool, &district, &district_name, &streets, &communities).await?;
            println!("{}", serde_json::to_string_pretty(&s)?);
        }
        Command::BuildBlocks { community } => {
            let code: CommunityCode = community.parse()?;
            let mut tx = pool.begin().await?;
            let s = build_blocks(&mut tx, code.as_str(), &DEFAULT_BLOCK_ROAD_CLASSES).await?;
            tx.commit().await?;
            println!("{}", serde_json::to_string_pretty(&s)?);
        }
        Command::Graph { community, split_above } => {
            let code: CommunityCode = community.parse()?;
            if let Some(high) = split_above {
                let mut tx = pool.begin().await?;
                for d in blocks::divide_compounds(&mut tx, code.as_str(), high).await? {
                    eprintln!("split block {} into {} building cells", d.block, d.cells.len());
                }
                tx.commit().await?;
            }
            let graph =
                wangge_server::store::plans::partition_input(&mut *pool.acquire().await?, code.as_str(), &[]).await?;
            println!("{}", serde_json::to_string(&graph)?);
        }
        Command::BenchLocate { data, grids_per_side } => {
            let runs = bench::locate::bench_locate(&pool, &data, grids_per_side).await?;
            println!("{}", bench::locate::markdown(&runs));
        }
        Command::Partition { .. } | Command::BenchGistar { .. } | Command::BenchRebalance { .. } => {
            unreachable!("handled before connecting")
        }
        Command::BenchEditor { blocks_per_side, grids } => {
            let report = bench::editor::bench_editor(&pool, blocks_per_side, grids, &std::env::current_dir()?).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Command::Archive { before, out } => {
            let head = settings.security()?.audit_head;
            let m = wangge_server::archive::archive(&pool, &url, &head, before, &out).await?;
            for t in &m.tables {
                println!("archived {} {}: {} rows", t.parent, t.month.format("%Y-%m"), t.rows);
            }
            println!("into {} (sha256 {})", out.join(wangge_server::archive::DUMP).display(), m.sha256);
        }
        Command::Unarchive { from } => {
            let head = settings.security()?.audit_head;
            let m = wangge_server::archive::unarchive(&pool, &url, &head, &from).await?;
            for t in &m.tables {
                println!("restored {} {}: {} rows", t.parent, t.month.format("%Y-%m"), t.rows);
            }
        }
        Command::Backup { out } => {
            let key = match &settings.data_key {
                Some(k) => k.clone(),
                None => {
                    std::fs::read_to_string(&key_file).with_context(|| format!("reading {}", key_file.display()))?
                }
            };
            let held = wangge_server::backup::backup(&url, &key, &settings.audit_anchor(), &out).await?;
            println!("backed up {held:?}:");
            for f in wangge_server::backup::files(&out) {
                println!("  {}", f.display());
            }
            eprintln!("WARNING: {}", wangge_server::backup::KEY_WARNING);
        }
        // Handled above, before the migrations.
        Command::Restore { .. } => {}
        Command::BenchHeat { data, incidents, runs } => {
            let reports = bench::heat::bench_heat(&pool, incidents, runs, &data).await?;
            println!("{}", bench::heat::markdown(&reports));
        }
        Command::BenchCache { grids_per_side, runs } => {
            let report = bench::cache::bench_cache(&pool, &url, grids_per_side, runs).await?;
            println!("{}", bench::cache::markdown(&report));
        }
        Command::BenchSplit { buildings } => {
            let runs = bench::split::bench_split(&pool, &url, &buildings).await?;
            println!("{}", bench::split::markdown(&runs));
        }
        Command::BenchCases { data, clients, reports, desk_cases } => {
            let report = bench::cases::bench_cases(&pool, &url, &data, clients, reports, desk_cases).await?;
            println!("{}", bench::cases::markdown(&report));
        }
        Command::BenchCity { data, fresh } => {
            let report = bench::city::bench_city(&pool, &url, &data, fresh).await?;
            println!("{}", bench::city::markdown(&report));
        }
        Command::BenchOpen311 { data, requests, clients, posts } => {
            let report = bench::open311::bench_open311(&pool, &url, &data, requests, clients, posts).await?;
            println!("{}", bench::open311::markdown(&report));
        }
        Command::BenchTiles { data, martin } => {
            let (tiles, passes) = bench::tiles::bench_tiles(&pool, &url, &data, &martin).await?;
            println!("{}", bench::tiles::markdown(tiles, &passes));
        }
    }
    Ok(())
}

/// A month given as `YYYY-MM`: its first day.
fn parse_month(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a month (YYYY-MM)"))
}
