//! Restart and upgrade: a daemon stopped in the middle of a backlog and started again; the
//! current binary on a database an older version created (migrations applied once, forward
//! only); and a database newer than the binary refused with a clear message.

use std::borrow::Cow;

use crate::support::{mail, wait_logged, Env, REPO};

#[test]
fn stopped_during_a_backlog_and_started_again() {
    let mut env = Env::new();
    env.vars.push(("SEATMAIL_ANSWERS__MAX_PER_CORRESPONDENT_PER_DAY".into(), "100000".into()));
    for team in 0..150 {
        let subject = format!("Licence for team {}", ["red", "blue", "green"][team % 3]);
        env.deliver(&mail("admin@contoso.be", &subject, if team % 2 == 0 {
            "Please add 1 Microsoft 365 Business Premium licence.\n"
        } else {
            "Please remove 1 Microsoft 365 Business Premium licence.\n"
        }).0);
    }
    let daemon = env.spawn();
    wait_logged(60, "the backlog started", &daemon, || !env.messages().is_empty());
    assert!(daemon.stop().success(), "SIGTERM in the middle of a backlog: a clean exit");
    let done_before = env.messages().len();
    let daemon = env.spawn();
    wait_logged(120, "the rest of the backlog", &daemon, || {
        env.json(&["messages", "list", "--limit", "1000", "--json"]).as_array().unwrap().len() == 150
    });
    assert!(daemon.stop().success());
    assert!(env.maildir_files("new").is_empty());
    assert_eq!(env.quantity("S-FLEX"), 10, "75 added, 75 removed, once each");
    assert_eq!(env.answers().len(), 150);
    println!("backlog: {done_before} of 150 before the stop, the rest after the restart");
}

fn migrations(upto: i64) -> sqlx::migrate::Migrator {
    let dir = std::path::Path::new(REPO).join("migrations/sqlite");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let migrations: Vec<sqlx::migrate::Migration> = files
        .iter()
        .filter_map(|f| {
            let name = f.file_name()?.to_str()?.to_string();
            let version: i64 = name.split('_').next()?.parse().ok()?;
            (version <= upto).then(|| {
                sqlx::migrate::Migration::new(
                    version,
                    Cow::Owned(name),
                    sqlx::migrate::MigrationType::Simple,
                    Cow::Owned(std::fs::read_to_string(f).unwrap()),
                    false,
                )
            })
        })
        .collect();
    sqlx::migrate::Migrator { migrations: Cow::Owned(migrations), ..sqlx::migrate::Migrator::DEFAULT }
}

fn applied_versions(db: &std::path::Path) -> Vec<i64> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.display())).await.unwrap();
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version").fetch_all(&mut c).await.unwrap()
    })
}

#[test]
fn a_new_binary_upgrades_an_old_database_once_and_refuses_a_newer_one() {
    // Always on SQLite: the test builds the file an older version left; the PostgreSQL
    // migrations run from an empty database in every test of the PostgreSQL pass.
    let env = Env::bare_with_db("", Some("sqlite:PLACEHOLDER"));
    let db = env.path("old.db");
    let config = std::fs::read_to_string(&env.config).unwrap().replace("sqlite:PLACEHOLDER", &format!("sqlite:{}", db.display()));
    std::fs::write(&env.config, config).unwrap();
    // The database as the version with migrations 1-3 left it, with a customer in it.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite:{}?mode=rwc", db.display());
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        migrations(3).run(&mut c).await.unwrap();
        sqlx::query("INSERT INTO customers (id, name, language, updated_at) VALUES ('C9', 'Old Customer', 'nl', '2025-01-01T00:00:00.000Z')")
            .execute(&mut c)
            .await
            .unwrap();
        sqlx::query("INSERT INTO subscriptions (id, customer_id, product, quantity, assigned, billing, term_start, status, updated_at) \
                     VALUES ('OLD-1', 'C9', 'SPB', 7, 2, 'flexible', '2025-01-01', 'active', '2025-01-01T00:00:00.000Z')")
            .execute(&mut c)
            .await
            .unwrap();
    });
    assert_eq!(applied_versions(&db), vec![1, 2, 3]);
    let current: Vec<i64> = migrations(i64::MAX).iter().map(|m| m.version).collect();
    env.ok(&["check-config"]);
    assert_eq!(env.quantity("OLD-1"), 7, "the old data is there");
    assert_eq!(applied_versions(&db), current, "the newer migrations applied");
    env.ok(&["subs", "list"]);
    assert_eq!(applied_versions(&db), current, "and only once");

    // A database a newer version has migrated: this binary must not touch it.
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.display())).await.unwrap();
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
                     VALUES (999, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)")
            .execute(&mut c)
            .await
            .unwrap();
    });
    let out = env.run(&["subs", "list"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("migration") && err.contains("999"), "{err}");
    assert!(!err.contains("panicked"));
}
