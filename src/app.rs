//! Builds the [`App`] from the config and runs its workers: the intake, the processor, the
//! provisioning worker (with a `[vendor]`) and the sender, joined by a bounded channel (a slow
//! store slows the intake instead of filling memory) and stopped by one cancellation token.
//!
//! With `[ops] notify`, the notifier (`src/notify/`) tells ops what entered the queue.
//!
//! Shutdown order: stop the intake, let the processor finish the mail in hand, let the
//! provisioning worker finish the vendor call in flight, stop the notifier, let the sender
//! finish the send in flight, close the pool.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::answer::{FileTransport, Renderer, Sender, SmtpTransport, Transport};
use crate::apply::{Processed, Processor};
use crate::config::{Config, ConfigError, ImapAuth, IntakeKind, OutboxKind, SmtpAuth};
use crate::oauth::TokenSource;
use crate::intake::imap::{ImapIntake, ImapLogin};
use crate::instance::Presence;
use crate::intake::maildir::Maildir;
use crate::parse::Catalog;
use crate::store::{Store, StoreError};
use crate::vendor::{Connector, VendorError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("templates: {0}")]
    Templates(#[from] crate::answer::RenderError),
    #[error("outbox: {0}")]
    Outbox(String),
    #[error("intake: {0}")]
    Intake(#[from] crate::intake::IntakeError),
    #[error("imap: {0}")]
    Imap(String),
    #[error("dashboard: {0}")]
    Web(#[from] crate::web::WebError),
    #[error("ops notices: {0}")]
    Notify(#[from] crate::notify::NotifyError),
    #[error(transparent)]
    Vendor(#[from] VendorError),
}

pub struct App {
    pub config: Arc<Config>,
    pub store: Store,
    pub catalog: Arc<Catalog>,
    pub renderer: Arc<Renderer>,
    outbox_wake: Arc<Notify>,
    vendor_wake: Arc<Notify>,
    /// The connector of `[vendor] kind` (none: the store is the truth).
    pub vendor: Option<Arc<Connector>>,
    /// This process as the other instances see it (its leases, its heartbeat).
    pub presence: Presence,
}

/// How long one delivery may take, whole.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

impl App {
    /// Everything that can be wrong with the set-up is found here, before any mail is read.
    pub async fn build(config: Config) -> Result<App, AppError> {
        let catalog = Arc::new(config.catalog()?);
        let renderer = Arc::new(Renderer::load(
            &config.answers.templates,
            &config.answers.from,
            &config.answers.from_name,
            config.answers.message_id_domain(),
        )?);
        let vendor = Connector::from_config(&config.vendor)?.map(Arc::new);
        let store = Store::open(&config.database).await?;
        Ok(App {
            config: Arc::new(config),
            store,
            catalog,
            renderer,
            outbox_wake: Arc::new(Notify::new()),
            vendor_wake: Arc::new(Notify::new()),
            vendor,
            presence: Presence::default(),
        })
    }

    pub fn processor(&self) -> Processor {
        Processor {
            store: self.store.clone(),
            config: self.config.clone(),
            catalog: self.catalog.clone(),
            renderer: self.renderer.clone(),
            outbox_wake: self.outbox_wake.clone(),
            vendor_wake: self.vendor_wake.clone(),
        }
    }

    /// The provisioning worker of `[vendor]`, when there is a vendor.
    pub fn vendor_worker(&self) -> Option<crate::vendor::worker::Worker> {
        let v = &self.config.vendor;
        self.vendor.as_ref().map(|connector| crate::vendor::worker::Worker {
            connector: connector.clone(),
            processor: self.processor(),
            wake: self.vendor_wake.clone(),
            retries: v.retries(),
            lease: v.lease(),
        })
    }

    pub fn sender(&self) -> Result<Sender, AppError> {
        let transport = match self.config.outbox.kind {
            OutboxKind::File => Transport::File(FileTransport::new(&self.config.outbox.file.dir).map_err(|e| {
                AppError::Outbox(format!("cannot create {}: {e}", self.config.outbox.file.dir.display()))
            })?),
            OutboxKind::Smtp => {
                Transport::Smtp(Box::new(self.smtp_transport()?))
            }
        };
        let send_timeout = match &self.config.outbox.smtp {
            Some(s) if self.config.outbox.kind == OutboxKind::Smtp => Duration::from_secs(s.timeout_secs),
            _ => SEND_TIMEOUT,
        };
        Ok(Sender {
            store: self.store.clone(),
            transport,
            wake: self.outbox_wake.clone(),
            max_attempts: self.config.outbox.max_attempts,
            retry_base: Duration::from_secs(self.config.outbox.retry_base_secs),
            send_timeout,
            ops: self.config.ops.clone(),
            presence: self.presence.clone(),
        })
    }

    /// Carry what is due now to the vendor and deliver the answers that are due, as this
    /// instance (an operator's command that settled a held request).
    pub async fn deliver_now(&self) -> Result<crate::answer::outbox::Drained, AppError> {
        self.presence.start(&self.store).await?;
        let cancel = CancellationToken::new();
        let presence = tokio::spawn(self.presence.clone().run(self.store.clone(), cancel.clone()));
        let done = async {
            if let Some(worker) = self.vendor_worker() {
                worker.drain().await?;
            }
            Ok::<_, AppError>(self.sender()?.drain().await?)
        }
        .await;
        cancel.cancel();
        let _ = presence.await;
        done
    }

    /// The notifier of `[ops] notify`.
    pub fn notifier(&self) -> Result<crate::notify::Notifier, AppError> {
        Ok(crate::notify::Notifier::new(self.store.clone(), self.config.clone(), self.catalog.clone(), self.outbox_wake.clone())?)
    }

    /// The ops dashboard (`[web]`), bound to its address and ready to serve.
    pub async fn web_server(&self) -> Result<crate::web::WebServer, AppError> {
        let state = crate::web::WebState::new(self.store.clone(), self.processor(), self.config.clone(), self.catalog.clone())?;
        Ok(crate::web::WebServer::bind(state).await?)
    }

    pub fn imap_intake(&self) -> Result<ImapIntake, AppError> {
        imap_intake(&self.config, self.store.clone())
    }

    /// The SMTP transport of `[outbox.smtp]`, whatever `outbox.kind` says.
    pub fn smtp_transport(&self) -> Result<SmtpTransport, AppError> {
        smtp_transport(&self.config)
    }

    /// Run the daemon until `cancel` (or, with `once`, until what is waiting is processed and
    /// answered). Each processed mail is also reported on `report`, for the CLI's output.
    pub async fn run(
        &self,
        cancel: CancellationToken,
        once: bool,
        report: Option<mpsc::UnboundedSender<Processed>>,
    ) -> Result<(), AppError> {
        let (tx, rx) = mpsc::channel(16);
        let tracker = TaskTracker::new();
        // Registered, and what dead instances held taken back, before any worker leases. A store
        // that cannot be written now (locked by another writer, read-only for a while) does not
        // stop the start: the heartbeat registers this instance once it can, and the workers
        // meet the same store and keep the mail until then.
        let reaped = self.presence.start(&self.store).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot register this instance in the store yet; the heartbeat tries again");
            Default::default()
        });
        if reaped.instances > 0 {
            tracing::info!(instances = reaped.instances, answers = reaped.answers, jobs = reaped.jobs, "took back the work of instances that died");
        }
        let presence_cancel = CancellationToken::new();
        let presence = tokio::spawn(self.presence.clone().run(self.store.clone(), presence_cancel.clone()));
        let intake_cancel = cancel.child_token();
        match self.config.intake.kind {
            IntakeKind::Maildir => {
                let maildir = Maildir::open(&self.config.intake.maildir, self.config.limits.max_message_bytes)?;
                tracker.spawn(maildir.run(tx, intake_cancel.clone(), once));
            }
            IntakeKind::Imap => {
                let imap = self.imap_intake()?;
                // A wrong password, an unreachable server or a refused folder is said clearly at
                // start. A connection that breaks or stalls on the way is no reason to stop a
                // daemon: its intake retries with backoff, as after any later failure (a single
                // `--once` pass reports it instead).
                match imap.check().await {
                    Ok(_) => {}
                    Err(e) if e.transient() && !once => {
                        tracing::warn!(error = %e, "imap: the check at start failed on the way; the intake retries with backoff");
                    }
                    Err(e) => return Err(AppError::Imap(e.to_string())),
                }
                tracker.spawn(imap.run(tx, intake_cancel.clone(), once));
            }
        }
        let sender = self.sender()?;
        let notifier = if self.config.ops.enabled() { Some(self.notifier()?) } else { None };
        // The dashboard binds before any worker runs, so that a taken port fails the start.
        let web = if self.config.web.enabled && !once { Some(self.web_server().await?) } else { None };
        let vendor = self.vendor_worker();
        if once {
            // Intake and processor to the end of what is waiting, then the vendor jobs that are
            // due, then every answer that is due.
            self.processor().run(rx, cancel.clone(), report).await;
            tracker.close();
            tracker.wait().await;
            if let Some(v) = &vendor {
                v.drain().await?;
            }
            // Ops hear of what this run queued; a failure here must not hold back the answers
            // (the events stay, and the next run tells them).
            if let Some(n) = &notifier {
                if let Err(e) = n.round().await {
                    tracing::error!(error = %e, "ops notices not written this time");
                }
            }
            sender.drain().await?;
        } else {
            let processor_cancel = CancellationToken::new();
            let notifier_cancel = CancellationToken::new();
            let sender_cancel = CancellationToken::new();
            let processor = tracker.spawn(self.processor().run(rx, processor_cancel.clone(), report));
            let notifier_task = notifier.map(|n| tracker.spawn(n.run(notifier_cancel.clone())));
            let vendor_cancel = CancellationToken::new();
            let vendor_task = vendor.map(|v| tracker.spawn(v.run(vendor_cancel.clone())));
            self.spawn_vendor_sync(&tracker, cancel.clone());
            let sender_task = tracker.spawn(sender.run(sender_cancel.clone()));
            if let Some(web) = web {
                tracker.spawn(web.run(cancel.clone()));
            }
            tracker.close();
            cancel.cancelled().await;
            tracing::info!("shutting down: intake first, then the mail in hand, the vendor call and the send in flight");
            intake_cancel.cancel();
            processor_cancel.cancel();
            let _ = processor.await;
            vendor_cancel.cancel();
            if let Some(t) = vendor_task {
                let _ = t.await;
            }
            notifier_cancel.cancel();
            if let Some(t) = notifier_task {
                let _ = t.await;
            }
            sender_cancel.cancel();
            let _ = sender_task.await;
            tracker.wait().await;
        }
        presence_cancel.cancel();
        let _ = presence.await;
        self.store.close().await;
        Ok(())
    }
}

impl App {
    /// `[vendor] sync_every`: the daemon brings the store in line with the vendor.
    fn spawn_vendor_sync(&self, tracker: &TaskTracker, cancel: CancellationToken) {
        if let (Some(connector), Some(every)) = (&self.vendor, self.config.vendor.sync_interval()) {
            let run = crate::vendor::sync::run_every(self.store.clone(), connector.clone(), self.catalog.clone(), every, cancel);
            tracker.spawn(run);
        }
    }
}

/// The IMAP intake of `[intake.imap]`, logging in as its `auth` says.
pub fn imap_intake(config: &Config, store: Store) -> Result<ImapIntake, AppError> {
    let cfg = config.intake.imap.clone().ok_or_else(|| AppError::Imap("no [intake.imap]".into()))?;
    let login = match (&cfg.auth, &cfg.oauth2) {
        (ImapAuth::OAuth2, Some(o)) => ImapLogin::OAuth2(TokenSource::new("intake.imap.oauth2", o, &cfg.user).map_err(ConfigError::from)?),
        (ImapAuth::OAuth2, None) => return Err(AppError::Imap("auth = \"oauth2\" without [intake.imap.oauth2]".into())),
        _ => ImapLogin::Password(cfg.password().resolve("intake.imap").map_err(ConfigError::from)?),
    };
    ImapIntake::new(cfg, login, store, config.limits.max_message_bytes).map_err(|e| AppError::Imap(e.to_string()))
}

/// The SMTP transport of `[outbox.smtp]`, logging in as its `auth` says.
pub fn smtp_transport(config: &Config) -> Result<SmtpTransport, AppError> {
    use crate::answer::SmtpLogin;
    let smtp = config.outbox.smtp.clone().ok_or_else(|| AppError::Outbox("no [outbox.smtp]".into()))?;
    let login = match (smtp.auth(), &smtp.oauth2) {
        (SmtpAuth::OAuth2, Some(o)) => {
            SmtpLogin::OAuth2(TokenSource::new("outbox.smtp.oauth2", o, smtp.user.as_deref().unwrap_or_default()).map_err(ConfigError::from)?)
        },
        (SmtpAuth::OAuth2, None) => return Err(AppError::Outbox("auth = \"oauth2\" without [outbox.smtp.oauth2]".into())),
        (SmtpAuth::Password, _) => SmtpLogin::Password(smtp.password().resolve("outbox.smtp").map_err(ConfigError::from)?),
        (SmtpAuth::None, _) => SmtpLogin::None,
    };
    SmtpTransport::new(smtp, login, &config.answers.from).map_err(AppError::Outbox)
}

/// A token cancelled by Ctrl-C or SIGTERM.
pub fn shutdown_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = ctrl_c => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = ctrl_c.await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
        t.cancel();
    });
    token
}
