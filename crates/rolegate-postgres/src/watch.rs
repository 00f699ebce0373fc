//! The watcher: `LISTEN rolegate` on a connection of its own, a poll of the version as the fallback for lost
//! notifications, and reconnection with backoff.

use std::future::poll_fn;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior, sleep, timeout};
use tokio_postgres::{AsyncMessage, Client, Config, NoTls};

use crate::error::{Error, db, with_causes};
use crate::read::read_version;
use crate::{CHANNEL, describe_target};

/// How a [`Watcher`] polls and reconnects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchOptions {
    poll_interval: Duration,
    first_retry: Duration,
    max_retry: Duration,
}

impl Default for WatchOptions {
    /// Polls every 15 s; retries a lost connection after 100 ms, doubling up to 10 s.
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(15),
            first_retry: Duration::from_millis(100),
            max_retry: Duration::from_secs(10),
        }
    }
}

impl WatchOptions {
    /// How often the version is read, for changes whose notification was lost (default 15 s): the longest a change
    /// can go unseen while the connection is up.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// The wait before the first reconnection attempt, doubled after each failure up to `max` (default 100 ms and
    /// 10 s).
    pub fn retry(mut self, first: Duration, max: Duration) -> Self {
        self.first_retry = first;
        self.max_retry = max.max(first);
        self
    }
}

/// What a [`Watcher`] saw. Every event but [`WatchEvent::Disconnected`] means: load the role data again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// A change was committed: the store is at `version` (or later).
    Notified {
        /// The version the change made.
        version: u64,
    },
    /// The poll found a version newer than any seen: a notification was lost (or is late).
    Polled {
        /// The store's version.
        version: u64,
    },
    /// Connected again after the connection was lost. Notifications sent meanwhile are lost: load again.
    Reconnected {
        /// The store's version.
        version: u64,
    },
    /// The connection was lost, or reconnecting failed; the watcher tries again after `retry_in`.
    Disconnected {
        /// Why.
        reason: String,
        /// When it tries again.
        retry_in: Duration,
    },
}

impl WatchEvent {
    /// The store's version the event reports, if it reports one.
    pub fn version(&self) -> Option<u64> {
        match self {
            Self::Notified { version }
            | Self::Polled { version }
            | Self::Reconnected { version } => Some(*version),
            Self::Disconnected { .. } => None,
        }
    }
}

/// Watches the store for changes: a task that listens on its own connection, polls, reconnects, and reports
/// [`WatchEvent`]s. Stops when dropped.
#[derive(Debug)]
pub struct Watcher {
    events: mpsc::Receiver<WatchEvent>,
    task: JoinHandle<()>,
    version: u64,
}

impl Watcher {
    /// Connects, listens, and reads the version; fails when the database cannot be reached now (later losses are
    /// retried for as long as the watcher lives). Runs on the current tokio runtime.
    pub async fn start(url: &str, options: WatchOptions) -> Result<Watcher, Error> {
        let config = crate::config(url, "rolegate-watcher")?;
        let (listener, version) = Listener::connect(&config).await?;
        // Room for a burst; when it is full the consumer has events waiting anyway, and one reload covers them all.
        let (sender, events) = mpsc::channel(64);
        let task = tokio::spawn(run(config, options, listener, version, sender));
        Ok(Watcher {
            events,
            task,
            version,
        })
    }

    /// The store's version when the watcher started.
    pub fn version_at_start(&self) -> u64 {
        self.version
    }

    /// The next event; `None` only if the watcher's task ended (it does not while the watcher lives).
    pub async fn next(&mut self) -> Option<WatchEvent> {
        self.events.recv().await
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A listening connection: the client, and the notifications (and the end of the connection) its driver forwards.
struct Listener {
    client: Client,
    notifications: mpsc::UnboundedReceiver<Result<String, String>>,
    driver: JoinHandle<()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl Listener {
    /// Connects, runs `LISTEN`, then reads the version (in that order, so that no change falls between).
    async fn connect(config: &Config) -> Result<(Listener, u64), Error> {
        let (client, mut connection) =
            config
                .connect(NoTls)
                .await
                .map_err(|source| Error::Connect {
                    target: describe_target(config),
                    source,
                })?;
        let (sender, notifications) = mpsc::unbounded_channel();
        let driver = tokio::spawn(async move {
            loop {
                match poll_fn(|cx| connection.poll_message(cx)).await {
                    Some(Ok(AsyncMessage::Notification(notification))) => {
                        let _ = sender.send(Ok(notification.payload().to_owned()));
                    }
                    Some(Ok(_)) => {} // a notice
                    Some(Err(error)) => {
                        let _ = sender.send(Err(with_causes(&error)));
                        return;
                    }
                    None => {
                        let _ = sender.send(Err("the server closed the connection".to_owned()));
                        return;
                    }
                }
            }
        });
        let listener = Listener {
            client,
            notifications,
            driver,
        };
        listener
            .client
            .batch_execute(&format!("listen {CHANNEL}"))
            .await
            .map_err(db("listen for changes"))?;
        let version = read_version(&listener.client).await?;
        Ok((listener, version))
    }
}

/// The watcher's task: forwards notifications, polls, and reconnects until the watcher is dropped.
async fn run(
    config: Config,
    options: WatchOptions,
    mut listener: Listener,
    mut seen: u64,
    events: mpsc::Sender<WatchEvent>,
) {
    let report = |event: WatchEvent| {
        // Full: events are waiting, and the reload they cause covers this one. Closed: the watcher is being dropped.
        let _ = events.try_send(event);
    };
    loop {
        let lost = listen(&options, &mut listener, &mut seen, &report).await;
        let lost = format!(
            "lost the connection to the role store at {}: {lost}",
            describe_target(&config)
        );
        drop(listener);
        let mut retry_in = options.first_retry;
        let mut reason = lost;
        listener = loop {
            tracing::warn!(target: "rolegate::postgres", %reason, ?retry_in, "role store connection lost; retrying");
            report(WatchEvent::Disconnected {
                reason: reason.clone(),
                retry_in,
            });
            sleep(retry_in).await;
            match Listener::connect(&config).await {
                Ok((listener, version)) => {
                    tracing::info!(target: "rolegate::postgres", version, "role store connection back");
                    seen = seen.max(version);
                    report(WatchEvent::Reconnected { version });
                    break listener;
                }
                Err(error) => {
                    reason = with_causes(&error);
                    retry_in = (retry_in * 2).min(options.max_retry);
                }
            }
        };
    }
}

/// Listens and polls until the connection is lost; returns why.
async fn listen(
    options: &WatchOptions,
    listener: &mut Listener,
    seen: &mut u64,
    report: &impl Fn(WatchEvent),
) -> String {
    let mut poll = tokio::time::interval_at(
        Instant::now() + options.poll_interval,
        options.poll_interval,
    );
    poll.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // A poll that takes longer than this means the connection is gone without saying so.
    let poll_timeout = options.poll_interval.max(Duration::from_secs(5));
    loop {
        tokio::select! {
            message = listener.notifications.recv() => match message {
                Some(Ok(payload)) => {
                    let version = match payload.parse::<u64>() {
                        Ok(version) => version,
                        // Not ours (someone else's NOTIFY on the channel): read the version instead.
                        Err(_) => match read_version(&listener.client).await {
                            Ok(version) => version,
                            Err(error) => return with_causes(&error),
                        },
                    };
                    *seen = (*seen).max(version);
                    report(WatchEvent::Notified { version });
                }
                Some(Err(reason)) => return reason,
                None => return "the connection ended".to_owned(),
            },
            _ = poll.tick() => {
                match timeout(poll_timeout, read_version(&listener.client)).await {
                    Ok(Ok(version)) => {
                        if version > *seen {
                            *seen = version;
                            report(WatchEvent::Polled { version });
                        }
                    }
                    Ok(Err(error)) => return with_causes(&error),
                    Err(_) => return format!("reading the version took over {poll_timeout:?}"),
                }
            }
        }
    }
}
