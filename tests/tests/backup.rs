//! `wangge backup` and `wangge restore`: a backup of a live database, restored into a fresh PostgreSQL cluster,
//! keeps its audit chain intact (against the anchored head that travels with it) and its residents readable under
//! the key that travels with it, and under no other.

use serde_json::json;
use wangge_domain::access::{Role, Scope};
use wangge_server::audit::anchor::HeadAnchor;
use wangge_server::audit::verify_all;
use wangge_server::auth::vault::DataKey;
use wangge_server::backup::{backup, restore, KEY};
use wangge_server::db::cluster::{ensure_running, Durability};
use wangge_tests::{TestApp, TEST_DATA_KEY};

#[tokio::test]
async fn a_backup_restores_into_a_fresh_cluster_with_its_audit_chain_and_readable_residents() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.sign_in_as("admin-b", Role::DistrictAdmin, Scope::District("990101".parse().unwrap())).await;
    let building: i64 =
        sqlx::query_scalar("SELECT id FROM building ORDER BY id LIMIT 1").fetch_one(&app.pool).await.unwrap();
    let (s, r) = admin
        .post(
            "/api/residents",
            &json!({ "name": "王小明", "id_card": "320115199001011234", "phone": "13812345678",
                                          "building_id": building }),
        )
        .await;
    assert_eq!(s, 201, "{r}");

    let unique = format!("{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default());
    let folder = std::env::temp_dir().join(format!("wangge-backup-{unique}"));
    let held = backup(&app.database_url(), TEST_DATA_KEY, &app.audit_anchor(), &folder).await.expect("backup");
    assert!(held.residents >= 1 && held.audit_entries >= 2, "{held:?}");
    assert!(
        backup(&app.database_url(), TEST_DATA_KEY, &app.audit_anchor(), &folder).await.is_err(),
        "never over a backup"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(folder.join(KEY)).unwrap().permissions().mode() & 0o777, 0o600, "the key is private");

    // A fresh cluster, as on a new machine.
    let root = std::env::temp_dir().join(format!("wangge-restore-{unique}"));
    let cluster = ensure_running(&root, Durability::Throwaway).expect("a fresh cluster");
    let target = cluster.url("wangge_restored");
    let (key_file, anchor) = (root.join("data.key"), root.join("audit-head.json"));
    let restored = restore(&folder, &target, &key_file, &anchor).await.expect("restore");
    assert_eq!(
        (restored.residents, restored.audit_entries, restored.cases),
        (held.residents, held.audit_entries, held.cases)
    );
    assert!(restore(&folder, &target, &key_file, &anchor).await.is_err(), "never into a database with tables");
    let other_key = root.join("other.key");
    std::fs::write(&other_key, "00".repeat(32)).unwrap();
    assert!(
        restore(&folder, &cluster.url("wangge_second"), &other_key, &anchor).await.is_err(),
        "never over another key"
    );

    let pool = sqlx::PgPool::connect(&target).await.unwrap();
    let key = DataKey::from_hex(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    let chains = verify_all(&pool, &HeadAnchor::new(anchor.clone(), key.clone())).await.unwrap();
    let district = chains.iter().find(|c| c.chain == "990101").expect("the district's chain");
    assert!(chains.iter().all(|c| c.intact) && district.anchor.is_some(), "{chains:?}");
    assert_eq!(chains.iter().map(|c| c.entries).sum::<i64>(), held.audit_entries);
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT name_enc FROM resident WHERE id = $1")
        .bind(r["id"].as_i64().unwrap())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(key.open(&sealed).ok().as_deref(), Some("王小明"), "the resident decrypts under the backup's key");
    assert!(DataKey::ephemeral().open(&sealed).is_err(), "and under no other");

    pool.close().await;
    cluster.stop().expect("stop the cluster");
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&folder);
}
