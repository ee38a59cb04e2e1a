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

/// Writes a slow subscriber may fall behind by before it misses some. The channel
/// carries one message per write, however many records the write changed, so an
/// import of thousands of records does not push out a subscriber that reads
/// promptly.
pub const CAPACITY: usize = 1_024;

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

/// The changes of one write, in order, and the number of the first of them in
/// this process's feed (so that a subscriber that lagged knows how many it missed).
#[derive(Debug)]
struct Batch {
    first: u64,
    events: Vec<Arc<Event>>,
}

/// Publishes changes to every subscription of this process.
#[derive(Clone)]
pub struct ChangeBus {
    sender: broadcast::Sender<Arc<Batch>>,
    /// The number the next change gets; held while a write's batch is numbered
    /// and sent, so that numbers follow the order of the channel.
    next: Arc<std::sync::Mutex<u64>>,
}

impl Default for ChangeBus {
    fn default() -> Self {
        ChangeBus {
            sender: broadcast::channel(CAPACITY).0,
            next: Arc::default(),
        }
    }
}

impl ChangeBus {
    /// Publishes the changes of one write, in order and together. Nobody listening
    /// is fine.
    pub fn publish(&self, changes: Vec<Change>, by: &str) {
        if changes.is_empty() {
            return;
        }
        let at = Utc::now();
        let events: Vec<Arc<Event>> = changes
            .into_iter()
            .map(|change| {
                Arc::new(Event {
                    change,
                    by: by.to_string(),
                    at,
                })
            })
            .collect();
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let first = *next;
        *next += events.len() as u64;
        let _ = self.sender.send(Arc::new(Batch { first, events }));
    }

    /// The changes published from now on, one by one; `Err(n)` when the
    /// subscriber fell behind and `n` changes were dropped for it.
    pub fn subscribe(&self) -> impl Stream<Item = Result<Arc<Event>, u64>> + Send + 'static {
        struct Reader {
            receiver: broadcast::Receiver<Arc<Batch>>,
            /// The batch being handed out, and the index of its next event.
            current: Option<(Arc<Batch>, usize)>,
            /// The number of the next change this subscriber expects, once known.
            expected: Option<u64>,
            /// A lag noticed, reported before the next event.
            lagged: bool,
        }
        let reader = Reader {
            receiver: self.sender.subscribe(),
            current: None,
            expected: None,
            lagged: false,
        };
        futures_util::stream::unfold(reader, |mut r| async move {
            loop {
                if let Some((batch, i)) = r.current.take() {
                    if let Some(event) = batch.events.get(i) {
                        let event = event.clone();
                        r.expected = Some(batch.first + i as u64 + 1);
                        r.current = Some((batch, i + 1));
                        return Some((Ok(event), r));
                    }
                }
                match r.receiver.recv().await {
                    Ok(batch) => {
                        let missed = match (r.lagged, r.expected) {
                            (true, Some(expected)) => batch.first.saturating_sub(expected),
                            _ => 0,
                        };
                        r.lagged = false;
                        r.expected = Some(batch.first);
                        r.current = Some((batch, 0));
                        if missed > 0 {
                            return Some((Err(missed), r));
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(writes)) => {
                        if r.expected.is_none() {
                            // Nothing read yet: the count of writes is all we know.
                            return Some((Err(writes), r));
                        }
                        r.lagged = true;
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
    }

    /// How many subscriptions are listening.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ChangeKind, Record};
    use futures_util::StreamExt;

    fn change(_: usize) -> Change {
        let actor = crate::synthetic::dataset(2, 1).unwrap().actors[0].clone();
        Change::new(ChangeKind::Created, Record::Actor(actor))
    }

    #[tokio::test]
    async fn one_write_of_many_records_does_not_overflow_a_prompt_subscriber() {
        let bus = ChangeBus::default();
        let mut feed = Box::pin(bus.subscribe());
        bus.publish((0..5 * CAPACITY).map(change).collect(), "import");
        for _ in 0..5 * CAPACITY {
            assert!(feed.next().await.unwrap().is_ok());
        }
    }

    #[tokio::test]
    async fn a_lagging_subscriber_is_told_how_many_changes_it_missed() {
        let bus = ChangeBus::default();
        let mut feed = Box::pin(bus.subscribe());
        bus.publish(vec![change(0)], "a");
        assert!(feed.next().await.unwrap().is_ok());
        for i in 0..CAPACITY + 10 {
            bus.publish(vec![change(i), change(i)], "a");
        }
        assert_eq!(feed.next().await.unwrap().unwrap_err(), 20);
        assert!(feed.next().await.unwrap().is_ok());
    }
}
