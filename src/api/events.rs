//! The change feed reads the change log. A tailer task of each process reads the
//! store's log from where it last read and broadcasts the new entries to the
//! process's subscriptions; it reads when a write of this process says so, and,
//! with a store other processes write too (Neo4j), every poll interval, so a
//! subscriber hears the writes made through any instance.
//!
//! A subscription starts where it asks (`after`: the number of the last change
//! it saw) or at the present, reads what it missed from the log, then follows
//! the broadcast; numbers tell it where it is, so it skips what it has seen and
//! goes back to the log for what it has not (after a reconnection, or when it
//! falls behind the broadcast): no gap, no duplicate.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::{broadcast, Notify, OnceCell};

use crate::store::{ChangeQuery, LogEntry, Repository, StoreError};

/// Batches of entries a slow subscriber may fall behind by before it reads the
/// log instead. One batch is what one read of the tailer found, so a large
/// import does not push out a subscriber that reads promptly.
pub const CAPACITY: usize = 256;

/// How often the tailer reads a shared store's log unasked, by default.
pub const DEFAULT_POLL: Duration = Duration::from_millis(250);

/// Entries the tailer and a catching-up subscriber read per store call.
const PAGE: usize = 500;

/// Consecutive entries of the log, as one read of the tailer found them.
type Batch = Arc<Vec<Arc<LogEntry>>>;

/// One process's view of the change log, shared by its subscriptions.
#[derive(Clone)]
pub struct Feed {
    shared: Arc<Shared>,
}

struct Shared {
    repo: Arc<dyn Repository>,
    sender: broadcast::Sender<Batch>,
    /// The number of the last entry broadcast.
    last: AtomicU64,
    /// Wakes the tailer: a write of this process committed (or the feed ended).
    wake: Arc<Notify>,
    /// How often the tailer reads the log unasked, in ms (0: only when woken).
    poll_ms: AtomicU64,
    /// Set once the tailer runs (from the log's end at that time).
    started: OnceCell<()>,
}

impl Feed {
    /// The feed over `repo`'s log; `poll` is how often the tailer reads it unasked
    /// (`None`: only after this process's writes, enough when no other process
    /// writes to the store).
    pub fn new(repo: Arc<dyn Repository>, poll: Option<Duration>) -> Self {
        Feed {
            shared: Arc::new(Shared {
                repo,
                sender: broadcast::channel(CAPACITY).0,
                last: AtomicU64::new(0),
                wake: Arc::new(Notify::new()),
                poll_ms: AtomicU64::new(poll.map_or(0, |p| p.as_millis().max(1) as u64)),
                started: OnceCell::new(),
            }),
        }
    }

    /// Changes how often the tailer reads the log unasked (before it starts).
    pub fn set_poll(&self, poll: Option<Duration>) {
        self.shared.poll_ms.store(
            poll.map_or(0, |p| p.as_millis().max(1) as u64),
            Ordering::Relaxed,
        );
    }

    /// A write of this process committed: the tailer reads the log now. Before
    /// the first subscription there is nobody to tell, and nothing is read.
    pub fn written(&self) {
        if self.shared.started.initialized() {
            self.shared.wake.notify_one();
        }
    }

    /// How many subscriptions are listening.
    pub fn subscribers(&self) -> usize {
        self.shared.sender.receiver_count()
    }

    /// Starts the tailer once, at the log's end.
    async fn start(&self) -> Result<(), StoreError> {
        self.shared
            .started
            .get_or_try_init(|| async {
                let last = self.shared.repo.last_change().await?;
                self.shared.last.store(last, Ordering::SeqCst);
                tokio::spawn(tail(Arc::downgrade(&self.shared), self.shared.wake.clone()));
                Ok::<_, StoreError>(())
            })
            .await
            .map(|_| ())
    }

    /// The entries after `after` (the present, when `None`) that `query`'s
    /// kinds and id admit, in order, then those to come; an error ends it (the
    /// subscriber resumes with the number of the last entry it got).
    pub async fn subscribe(
        &self,
        after: Option<u64>,
        filter: ChangeQuery,
    ) -> Result<
        impl Stream<Item = Result<Arc<LogEntry>, Arc<StoreError>>> + Send + 'static,
        StoreError,
    > {
        self.start().await?;
        // Listen first, then read the position: whatever is broadcast after it
        // reaches the receiver.
        let receiver = self.shared.sender.subscribe();
        let next = after.unwrap_or_else(|| self.shared.last.load(Ordering::SeqCst)) + 1;
        let reader = Reader {
            shared: self.shared.clone(),
            receiver,
            next,
            pending: std::collections::VecDeque::new(),
            catching_up: true,
            filter,
            failed: false,
        };
        Ok(futures_util::stream::unfold(reader, |mut r| async move {
            let item = r.next().await?;
            Some((item, r))
        }))
    }
}

/// The tailer: reads the log on from the last entry broadcast whenever woken or
/// polled, and broadcasts what it finds. It holds the feed only while it reads,
/// and ends with it (the feed's end wakes it).
async fn tail(shared: Weak<Shared>, wake: Arc<Notify>) {
    let mut failures = 0u32;
    loop {
        let poll = match shared.upgrade() {
            Some(s) => s.poll_ms.load(Ordering::Relaxed),
            None => return,
        };
        if poll == 0 && failures == 0 {
            wake.notified().await;
        } else {
            let pause = Duration::from_millis(poll.max(100) << failures.min(5));
            let _ = tokio::time::timeout(pause, wake.notified()).await;
        }
        let Some(s) = shared.upgrade() else { return };
        match drain(&s).await {
            Ok(()) => failures = 0,
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, "the change feed could not read the log; it tries again");
            }
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.wake.notify_one();
    }
}

/// Reads and broadcasts every entry after the last broadcast.
async fn drain(s: &Shared) -> Result<(), StoreError> {
    loop {
        let after = s.last.load(Ordering::SeqCst);
        let page = s
            .repo
            .changes(&ChangeQuery {
                after,
                first: PAGE,
                ..Default::default()
            })
            .await?;
        let Some(last) = page.items.last().map(|e| e.seq) else {
            return Ok(());
        };
        s.last.store(last, Ordering::SeqCst);
        let _ = s
            .sender
            .send(Arc::new(page.items.into_iter().map(Arc::new).collect()));
        if !page.has_next_page {
            return Ok(());
        }
    }
}

/// One subscription's place in the log.
struct Reader {
    shared: Arc<Shared>,
    receiver: broadcast::Receiver<Batch>,
    /// The number of the next entry this subscriber has not seen.
    next: u64,
    /// Entries read, to hand out.
    pending: std::collections::VecDeque<Arc<LogEntry>>,
    /// Reading the log rather than the broadcast.
    catching_up: bool,
    /// The kinds and id wanted (its `after` and `first` are this reader's).
    filter: ChangeQuery,
    failed: bool,
}

impl Reader {
    async fn next(&mut self) -> Option<Result<Arc<LogEntry>, Arc<StoreError>>> {
        if self.failed {
            return None;
        }
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(Ok(e));
            }
            if self.catching_up {
                if let Err(e) = self.read_log().await {
                    self.failed = true;
                    return Some(Err(Arc::new(e)));
                }
                continue;
            }
            match self.receiver.recv().await {
                Ok(batch) => {
                    let Some(first) = batch.first().map(|e| e.seq) else {
                        continue;
                    };
                    if first > self.next {
                        // Something between is not in hand: read it from the log.
                        self.catching_up = true;
                        continue;
                    }
                    for e in batch.iter() {
                        if e.seq < self.next {
                            continue;
                        }
                        self.next = e.seq + 1;
                        if self.filter.admits(e) {
                            self.pending.push_back(e.clone());
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => self.catching_up = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Reads the next page of wanted entries from the log; once it has read all
    /// that was broadcast when it began, the reader follows the broadcast again.
    async fn read_log(&mut self) -> Result<(), StoreError> {
        let broadcast = self.shared.last.load(Ordering::SeqCst);
        if self.next > broadcast {
            self.catching_up = false;
            return Ok(());
        }
        let page = self
            .shared
            .repo
            .changes(&ChangeQuery {
                after: self.next - 1,
                first: PAGE,
                ..self.filter.clone()
            })
            .await?;
        if let Some(last) = page.items.last() {
            self.next = last.seq + 1;
        }
        self.pending.extend(page.items.into_iter().map(Arc::new));
        if !page.has_next_page {
            // Everything wanted up to the log's end (at least up to what was
            // broadcast) is in hand.
            self.next = self.next.max(broadcast + 1);
            self.catching_up = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory::MemoryStore;
    use crate::store::Write;
    use futures_util::StreamExt;

    fn store() -> Arc<MemoryStore> {
        Arc::new(MemoryStore::new(crate::synthetic::dataset(10, 1).unwrap()))
    }

    async fn create(store: &MemoryStore, feed: &Feed, i: usize) {
        let mut actor = crate::synthetic::dataset(2, 1).unwrap().actors[0].clone();
        actor.id = crate::domain::ActorId::parse(format!("feed-{i:05}")).unwrap();
        store
            .write(Write::CreateActor(actor), "test")
            .await
            .unwrap();
        feed.written();
    }

    async fn take(
        stream: &mut (impl Stream<Item = Result<Arc<LogEntry>, Arc<StoreError>>> + Unpin),
        n: usize,
    ) -> Vec<u64> {
        let mut seqs = Vec::new();
        while seqs.len() < n {
            let e = tokio::time::timeout(Duration::from_secs(10), stream.next())
                .await
                .expect("an entry in time")
                .expect("the stream goes on")
                .expect("no error");
            seqs.push(e.seq);
        }
        seqs
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_the_broadcast_reads_the_log_and_misses_nothing() {
        let store = store();
        let feed = Feed::new(store.clone(), None);
        let mut slow = Box::pin(feed.subscribe(None, ChangeQuery::default()).await.unwrap());
        // Many more batches than the broadcast holds, each published on its own.
        let n = CAPACITY * 3;
        for i in 0..n {
            create(&store, &feed, i).await;
            tokio::task::yield_now().await;
        }
        let seqs = take(&mut slow, n).await;
        assert_eq!(seqs, (1..=n as u64).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn resuming_after_a_number_replays_the_rest_then_goes_live_without_repeats() {
        let store = store();
        let feed = Feed::new(store.clone(), None);
        for i in 0..5 {
            create(&store, &feed, i).await;
        }
        // Before any subscription the feed has not started: the log has them all.
        let mut resumed = Box::pin(
            feed.subscribe(Some(2), ChangeQuery::default())
                .await
                .unwrap(),
        );
        assert_eq!(take(&mut resumed, 3).await, vec![3, 4, 5]);
        create(&store, &feed, 5).await;
        create(&store, &feed, 6).await;
        assert_eq!(take(&mut resumed, 2).await, vec![6, 7]);
        // A subscriber from now on sees only what comes next.
        let mut live = Box::pin(feed.subscribe(None, ChangeQuery::default()).await.unwrap());
        create(&store, &feed, 7).await;
        assert_eq!(take(&mut live, 1).await, vec![8]);
        assert_eq!(take(&mut resumed, 1).await, vec![8]);
    }

    #[tokio::test]
    async fn the_feed_ends_its_tailer_with_it() {
        let store = store();
        let feed = Feed::new(store.clone(), None);
        let stream = feed.subscribe(None, ChangeQuery::default()).await.unwrap();
        drop(stream);
        let weak = Arc::downgrade(&feed.shared);
        drop(feed);
        tokio::task::yield_now().await;
        assert!(weak.upgrade().is_none());
    }
}
