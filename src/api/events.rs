//! The change feed: every write made through the API is published on an
//! in-process broadcast channel, and each subscription filters what it receives.
//!
//! The channel is per process: with several API instances, a subscriber hears the
//! writes made through its own instance only (see docs/subscriptions.md for what
//! would carry events between instances).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::Stream;
use tokio::sync::broadcast;

use crate::store::Change;

/// Changes a slow subscriber may fall behind by before it misses some.
pub const CAPACITY: usize = 4_096;

/// One change, as published.
#[derive(Debug, Clone)]
pub struct Event {
    /// The record and what happened to it.
    pub change: Change,
    /// The key label that made the change.
    pub by: String,
    /// When the write committed (as seen by the API).
    pub at: DateTime<Utc>,
}

/// Publishes changes to every subscription of this process.
#[derive(Clone)]
pub struct ChangeBus {
    sender: broadcast::Sender<Arc<Event>>,
    /// Held while one write's changes are sent, so that another's do not interleave.
    publishing: Arc<std::sync::Mutex<()>>,
}

impl Default for ChangeBus {
    fn default() -> Self {
        ChangeBus {
            sender: broadcast::channel(CAPACITY).0,
            publishing: Arc::default(),
        }
    }
}

impl ChangeBus {
    /// Publishes the changes of one write, in order and together. Nobody listening
    /// is fine.
    pub fn publish(&self, changes: Vec<Change>, by: &str) {
        let at = Utc::now();
        let _together = self
            .publishing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for change in changes {
            let _ = self.sender.send(Arc::new(Event {
                change,
                by: by.to_string(),
                at,
            }));
        }
    }

    /// The changes published from now on; `Err(n)` when the subscriber fell
    /// behind and `n` changes were dropped for it.
    pub fn subscribe(&self) -> impl Stream<Item = Result<Arc<Event>, u64>> + Send + 'static {
        futures_util::stream::unfold(self.sender.subscribe(), |mut receiver| async move {
            match receiver.recv().await {
                Ok(event) => Some((Ok(event), receiver)),
                Err(broadcast::error::RecvError::Lagged(n)) => Some((Err(n), receiver)),
                Err(broadcast::error::RecvError::Closed) => None,
            }
        })
    }

    /// How many subscriptions are listening.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }
}
