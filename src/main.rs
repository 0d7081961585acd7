//! The `seatmail` binary: parse the command line, call the library, map errors to exit codes
//! (0 done, 1 failed, 2 bad usage or config).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use tokio::sync::mpsc;

use seatmail::apply::Processed;
use seatmail::cli::{
    one_line, opt, print_detail, print_rows, Cli, Command, ImapAction, ImportWhat, MessagesAction, OutboxAction, QueueAction,
    SubsAction, UserAction, VendorAction,
};
use seatmail::config::Config;
use seatmail::parse::{self, Catalog};
use seatmail::store::Store;
use seatmail::{app, import, out};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("seatmail: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("seatmail: {e:#}");
            if e.downcast_ref::<seatmail::config::ConfigError>().is_some()
                || matches!(e.downcast_ref::<app::AppError>(), Some(app::AppError::Config(_) | app::AppError::Templates(_)))
            {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SEATMAIL_LOG").unwrap_or_else(|_| EnvFilter::new("seatmail=info,warn"));
    // Colours only for a person at a terminal: a log file or journald gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).with_ansi(ansi).init();
}

fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    let path = Config::locate(path);
    Ok(Config::load(&path)?)
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Ok(Store::open(&config.database).await?)
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Run { once } => run(config, once).await,
        Command::Demo => demo(config).await,
        Command::Parse { json, files } => parse_files(config, json, &files),
        Command::Import { what } => import(config, what).await,
        Command::Subs { action } => subs(config, action).await,
        Command::Messages { action } => messages(config, action).await,
        Command::Queue { action } => queue(config, action).await,
        Command::Outbox { action } => outbox(config, action).await,
        Command::Imap { action } => imap(config, action).await,
        Command::CheckConfig { connect } => check_config(config, connect).await,
        Command::User { action } => user(config, action).await,
        Command::Vendor { action } => vendor(config, action).await,
    }
}

async fn run(config_path: Option<&Path>, once: bool) -> anyhow::Result<ExitCode> {
    let app = app::App::build(load_config(config_path)?).await?;
    app.run(app::shutdown_signal(), once, None).await?;
    Ok(ExitCode::SUCCESS)
}

async fn check_config(config_path: Option<&Path>, connect: bool) -> anyhow::Result<ExitCode> {
    let path = Config::locate(config_path);
    let config = Config::load(&path)?;
    let catalog = config.catalog()?;
    seatmail::answer::Renderer::load(
        &config.answers.templates,
        &config.answers.from,
        &config.answers.from_name,
        config.answers.message_id_domain(),
    )
    .map_err(app::AppError::from)?;
    out!(
        "{}: ok (intake {:?}, database {}, outbox {:?}, {} products, trust {:?}, vendor {})",
        path.display(),
        config.intake.kind,
        seatmail::store::redact_url(&config.database.url),
        config.outbox.kind,
        catalog.products().len(),
        config.trust.require,
        config.vendor.kind.as_str()
    );
    out!("cautious mode ([policy.cautious]): {}", config.policy.cautious.describe());
    if connect {
        return Ok(if seatmail::check::connections(&config).await { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(config_path: Option<&Path>, what: ImportWhat) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path)?;
    let store = open_store(&config).await?;
    let report = match what {
        ImportWhat::Subscriptions { file } => import::import_subscriptions(&store, &config.catalog()?, &file).await?,
        ImportWhat::Contacts { file } => import::import_contacts(&store, &file).await?,
    };
    out!("imported {} customer(s), {} subscription(s), {} contact(s)", report.customers, report.subscriptions, report.contacts);
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn subs(config_path: Option<&Path>, action: SubsAction) -> anyhow::Result<ExitCode> {
    let SubsAction::List { customer, json } = action;
    let store = open_store(&load_config(config_path)?).await?;
    let rows = store.list_subscriptions(customer.as_deref()).await?;
    print_rows(
        &rows,
        json,
        &[
            ("CUSTOMER", &|r| r.customer_id.clone()),
            ("NAME", &|r| r.customer_name.clone()),
            ("SUBSCRIPTION", &|r| r.subscription_id.clone()),
            ("PRODUCT", &|r| r.product.clone()),
            ("QTY", &|r| r.quantity.to_string()),
            ("ASSIGNED", &|r| r.assigned.to_string()),
            ("AVAILABLE", &|r| format!("{} of {}", r.available, r.quantity)),
            ("BILLING", &|r| r.billing.to_string()),
            ("TERM START", &|r| r.term_start.to_string()),
            ("STATUS", &|r| r.status.to_string()),
        ],
    );
    Ok(ExitCode::SUCCESS)
}

async fn messages(config_path: Option<&Path>, action: MessagesAction) -> anyhow::Result<ExitCode> {
    let store = open_store(&load_config(config_path)?).await?;
    match action {
        MessagesAction::List { state, limit, json } => {
            let rows = store.list_messages(state, limit).await?;
            print_rows(
                &rows,
                json,
                &[
                    ("KEY", &|r| r.key[..12.min(r.key.len())].to_string()),
                    ("RECEIVED", &|r| r.received_at.chars().take(19).collect()),
                    ("FROM", &|r| opt(&r.from)),
                    ("SUBJECT", &|r| one_line(r.subject.as_deref().unwrap_or("-"), 40)),
                    ("STATE", &|r| r.state.to_string()),
                    ("REASON", &|r| r.reason.clone()),
                ],
            );
        }
        MessagesAction::Show { key, json, raw } => {
            let d = store.message_detail(&key).await?;
            if json {
                out!("{}", serde_json::to_string_pretty(&d)?);
            } else {
                print_detail(&d);
            }
            if raw {
                out!("\n--- original mail ---");
                out!("{}", String::from_utf8_lossy(&d.raw));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn queue(config_path: Option<&Path>, action: QueueAction) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path)?;
    let (d, done) = match action {
        QueueAction::List { json } => {
            let store = open_store(&config).await?;
            let rows = store.queue().await?;
            print_rows(
                &rows,
                json,
                &[
                    ("ID", &|r| r.id.to_string()),
                    ("STATE", &|r| r.state.to_string()),
                    ("RECEIVED", &|r| r.received_at.chars().take(19).collect()),
                    ("CUSTOMER", &|r| opt(&r.customer_id)),
                    ("FROM", &|r| opt(&r.from)),
                    ("REQUEST", &|r| r.request.clone()),
                    ("WHY", &|r| r.reason.clone()),
                ],
            );
            return Ok(ExitCode::SUCCESS);
        }
        QueueAction::Approve(d) => (d, QueueDecision::Approve),
        QueueAction::Reject(d) => (d, QueueDecision::Reject),
        QueueAction::Correct { decide: d, change, product, username } => {
            let change = seatmail::cli::parse_change(&change).map_err(|e| anyhow::anyhow!("--change: {e}"))?;
            let item = parse::Item {
                username: username.map(|u| u.to_ascii_lowercase()),
                change,
                product: product.map(|p| p.to_ascii_uppercase()),
            };
            (d, QueueDecision::Correct(item))
        }
    };
    let app = app::App::build(config).await?;
    let actor = d.actor.clone().or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "ops".into());
    let processor = app.processor();
    let done = match done {
        QueueDecision::Approve => processor.approve(d.id, &actor, d.note.as_deref()).await?,
        QueueDecision::Reject => processor.reject(d.id, &actor, d.note.as_deref()).await?,
        QueueDecision::Correct(item) => processor.correct(d.id, &actor, vec![item], d.note.as_deref()).await?,
    };
    out!("message {}: {} ({})", d.id, done.state, done.reason);
    // Take the change to the vendor and deliver the answer now; a running daemon would too.
    if app.deliver_now().await?.sent > 0 {
        out!("answer delivered");
    }
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}

enum QueueDecision {
    Approve,
    Reject,
    Correct(parse::Item),
}

async fn imap(config_path: Option<&Path>, action: ImapAction) -> anyhow::Result<ExitCode> {
    let store = open_store(&load_config(config_path)?).await?;
    match action {
        ImapAction::Status { json } => {
            let rows = store.imap_status().await?;
            let num = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
            print_rows(
                &rows,
                json,
                &[
                    ("FOLDER", &|r| r.mailbox.clone()),
                    ("UIDVALIDITY", &|r| num(r.uidvalidity)),
                    ("LAST UID", &|r| num(r.last_uid)),
                    ("UPDATED", &|r| opt(&r.updated_at).chars().take(19).collect()),
                    ("STALLED", &|r| opt(&r.stalled)),
                    ("FAILING", &|r| match &r.failing {
                        Some(_) => format!("{} failures, next try {}", r.failures, opt(&r.retry_at).chars().take(19).collect::<String>()),
                        None => String::new(),
                    }),
                ],
            );
            // The error in full: a table cell would cut the folder's name or the server's words.
            for r in rows.iter().filter(|_| !json) {
                if let Some(e) = &r.failing {
                    out!("{}: failing since {}: {e}", r.mailbox, opt(&r.failing_since).chars().take(19).collect::<String>());
                }
            }
        }
        ImapAction::Reset { folder } => {
            let source = if folder.starts_with("imap:") { folder.clone() } else { format!("imap:{folder}") };
            anyhow::ensure!(store.reset_imap_position(&source).await?, "no IMAP position stored for {folder}");
            out!("{folder}: position reset; a running daemon picks it up within its poll interval");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn outbox(config_path: Option<&Path>, action: OutboxAction) -> anyhow::Result<ExitCode> {
    let store = open_store(&load_config(config_path)?).await?;
    match action {
        OutboxAction::List { state, limit, json } => {
            let rows = store.list_outbox(state, limit).await?;
            print_rows(
                &rows,
                json,
                &[
                    ("ID", &|r| r.id.to_string()),
                    ("STATE", &|r| r.state.to_string()),
                    ("KIND", &|r| r.kind.to_string()),
                    ("TO", &|r| r.recipients.join(" ")),
                    ("ATTEMPTS", &|r| r.attempts.to_string()),
                    ("NEXT", &|r| r.next_attempt_at.chars().take(19).collect()),
                    ("ERROR", &|r| opt(&r.last_error)),
                ],
            );
        }
        OutboxAction::Retry { id } => {
            store.retry_outbox(id).await?;
            out!("answer {id} queued again");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn vendor(config_path: Option<&Path>, action: VendorAction) -> anyhow::Result<ExitCode> {
    use seatmail::domain::JobState;
    use seatmail::vendor::{sync, Connector};
    let config = load_config(config_path)?;
    let store = open_store(&config).await?;
    let mut code = ExitCode::SUCCESS;
    match action {
        VendorAction::Status { all, json } => {
            let states: &[JobState] = if all { &[] } else { &[JobState::Pending, JobState::Retrying, JobState::Failed] };
            seatmail::vendor::print_jobs(&store.vendor_jobs(states, 100_000).await?, json);
        }
        VendorAction::Retry { id } => {
            store.retry_vendor_job(id).await?;
            out!("vendor job {id} is due again; a running daemon sends it within seconds");
        }
        VendorAction::Sync { fix, json } => {
            let connector =
                Connector::from_config(&config.vendor)?.ok_or_else(|| anyhow::anyhow!("no vendor to read back: [vendor] kind = \"none\""))?;
            let report = sync::sync(&store, &connector, &config.catalog()?, fix).await?;
            sync::print(&report, json);
            if !report.problems.is_empty() {
                code = ExitCode::FAILURE;
            }
        }
    }
    store.close().await;
    Ok(code)
}

/// The first line of standard input: a password, never an argument (it would show in `ps`).
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    anyhow::ensure!(!password.is_empty(), "no password on standard input");
    Ok(password)
}

async fn user(config_path: Option<&Path>, action: UserAction) -> anyhow::Result<ExitCode> {
    use seatmail::web::auth::hash_password;
    if let UserAction::Hash = action {
        out!("{}", hash_password(&read_password()?)?);
        return Ok(ExitCode::SUCCESS);
    }
    let config = load_config(config_path)?;
    let store = open_store(&config).await?;
    match action {
        UserAction::Add { name, role } => {
            anyhow::ensure!(
                !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c.is_control()),
                "a user name is one word"
            );
            if config.web.users.iter().any(|u| u.name == name) {
                anyhow::bail!("{name} is a user of the config file ([web] users), which takes precedence");
            }
            let hash = hash_password(&read_password()?)?;
            let ended = store.upsert_user(&name, &hash, role).await?;
            out!("user {name} ({}) saved{}", role.as_str(), sessions_ended(ended));
        }
        UserAction::List { json } => {
            #[derive(serde::Serialize)]
            struct Listed {
                name: String,
                /// The role, and `(config)` for a user of the config file.
                role: String,
                created_at: String,
                updated_at: String,
            }
            let mut rows: Vec<Listed> = store
                .list_users()
                .await?
                .into_iter()
                .map(|u| Listed { name: u.name, role: u.role.as_str().to_string(), created_at: u.created_at, updated_at: u.updated_at })
                .collect();
            for u in &config.web.users {
                rows.push(Listed {
                    name: u.name.clone(),
                    role: format!("{} (config)", u.role.as_str()),
                    created_at: String::new(),
                    updated_at: String::new(),
                });
            }
            print_rows(
                &rows,
                json,
                &[
                    ("NAME", &|r| r.name.clone()),
                    ("ROLE", &|r| r.role.clone()),
                    ("UPDATED", &|r| r.updated_at.chars().take(19).collect()),
                ],
            );
        }
        UserAction::Remove { name } => {
            anyhow::ensure!(store.delete_user(&name).await?, "no user {name} (users of the config file are removed there)");
            out!("user {name} removed; their dashboard sessions are ended");
        }
        UserAction::Hash => {}
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

fn sessions_ended(n: u64) -> String {
    match n {
        0 => String::new(),
        1 => "; their dashboard session is ended".into(),
        n => format!("; their {n} dashboard sessions are ended"),
    }
}

fn parse_files(config_path: Option<&Path>, json: bool, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    // The catalog and limits of the config when there is one; parse needs no store.
    let located = Config::locate(config_path);
    let (catalog, limits) = if config_path.is_some() || located.exists() {
        let config = Config::load(&located)?;
        (config.catalog()?, config.limits.parse_limits())
    } else {
        (Catalog::builtin(), parse::Limits::default())
    };
    let mut failed = false;
    for file in files {
        let name = file.display().to_string();
        let raw = match std::fs::read(file) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("seatmail: cannot read {name}: {e}");
                failed = true;
                continue;
            }
        };
        let parsed = match parse::parse_contained(&raw, &catalog, &limits) {
            Ok(p) => p,
            Err(panic) => {
                eprintln!("seatmail: the parser failed on {name}: {panic}");
                failed = true;
                continue;
            }
        };
        if json {
            out!("{}", serde_json::to_string(&parsed.to_json_line(&name)).context("json")?);
        } else {
            out!("{name}");
            out!("  from      {}", parsed.from.as_deref().unwrap_or("-"));
            out!("  language  {}", parsed.language.map(|l| l.code()).unwrap_or("-"));
            out!("  outcome   {}", parsed.outcome.as_str());
            for i in &parsed.items {
                let change = match i.change {
                    parse::Change::Delta(d) => format!("{d:+}"),
                    parse::Change::Target(t) => format!("= {t}"),
                };
                out!(
                    "  item      {change} {} for {}",
                    i.product.as_deref().unwrap_or("(product not named)"),
                    i.username.as_deref().unwrap_or("(the sender's tenant)")
                );
            }
            out!("  reason    {}", parsed.reason);
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The demo operator's password, as `config/seatmail.toml` documents it.
const DEMO_PASSWORD: &str = "seatmail-demo";

/// Where the demo's dashboard is, and how to log in; the dashboard is left out (with a word)
/// when its port is taken, so that the demo itself still runs.
fn demo_dashboard(config: &mut Config) -> Option<String> {
    if !config.web.enabled {
        return None;
    }
    if let Err(e) = std::net::TcpListener::bind(&config.web.bind) {
        out!("The dashboard cannot listen on {} ({e}): the demo runs without it.\n", config.web.bind);
        config.web.enabled = false;
        return None;
    }
    let login = config
        .web
        .users
        .iter()
        .find(|u| seatmail::web::auth::verify_password(DEMO_PASSWORD, u.password_hash.expose()))
        .map(|u| format!(" (log in as {} / {DEMO_PASSWORD})", u.name))
        .unwrap_or_default();
    let line = format!("http://{}/{login}", config.web.bind);
    out!("Dashboard: {line}");
    Some(line)
}

/// The guided demo of the README's first command.
async fn demo(config_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(config_path)?;
    let demo_dir = PathBuf::from("config/demo");
    anyhow::ensure!(
        demo_dir.is_dir(),
        "the demo data is in config/demo/ of the seatmail repository: run the demo from there"
    );
    let mut config = config;
    let dashboard = demo_dashboard(&mut config);
    let app = app::App::build(config).await?;
    let catalog = app.catalog.clone();
    let r = import::import_subscriptions(&app.store, &catalog, &demo_dir.join("subscriptions.csv")).await?;
    let c = import::import_contacts(&app.store, &demo_dir.join("contacts.csv")).await?;
    out!("Imported {} demo customers with {} subscriptions and {} contacts.", r.customers, r.subscriptions, c.contacts);
    // Deliver the sample mails as a mail server would: write to tmp/, rename into new/.
    let maildir = &app.config.intake.maildir.path;
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).with_context(|| format!("creating {}", maildir.display()))?;
    }
    let mut samples: Vec<PathBuf> = std::fs::read_dir(demo_dir.join("mail"))
        .context("reading config/demo/mail")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    samples.sort();
    for (i, s) in samples.iter().enumerate() {
        let name = format!("{}.demo{:03}.{}", chrono::Utc::now().timestamp(), i, s.file_name().and_then(|n| n.to_str()).unwrap_or("mail"));
        let tmp = maildir.join("tmp").join(&name);
        std::fs::copy(s, &tmp).with_context(|| format!("copying {}", s.display()))?;
        std::fs::rename(&tmp, maildir.join("new").join(&name))?;
    }
    out!("Delivered {} sample mails to {}/new/.\n", samples.len(), maildir.display());
    let (tx, mut rx) = mpsc::unbounded_channel::<Processed>();
    let cancel = app::shutdown_signal();
    let expected = samples.len();
    let outbox_dir = app.config.outbox.file.dir.clone();
    let maildir_root = maildir.clone();
    let store = app.store.clone();
    let printer = tokio::spawn(async move {
        let mut seen = 0usize;
        while let Some(p) = rx.recv().await {
            seen += 1;
            let subject = store
                .message_detail(&p.key)
                .await
                .ok()
                .and_then(|d| d.message.subject)
                .unwrap_or_default();
            out!("{:<18} {:<40} {}", p.state.as_str(), one_line(&subject, 40), one_line(&p.reason, 110));
            if seen == expected {
                out!("\nAll {expected} sample mails are processed.");
                out!("  answers (.eml):        {}/", outbox_dir.display());
                out!("  mails by outcome:      {}/.Processed, .Rejected, .Approval, .Review, .Ignored", maildir_root.display());
                out!("  the queue:             cargo run --release -- queue list");
                out!("  seats now:             cargo run --release -- subs list");
                if let Some(d) = &dashboard {
                    out!("  the dashboard:         {d}");
                }
                out!("\nStill watching {}/new/ for more mail. Ctrl-C to stop.", maildir_root.display());
            }
        }
    });
    app.run(cancel, false, Some(tx)).await?;
    let _ = printer.await;
    out!("Stopped.");
    Ok(ExitCode::SUCCESS)
}
