//! The deadline of the request being served, for work that cannot be interrupted
//! from outside.
//!
//! A timer around a future only fires between two polls of it; a loop that scans a
//! hundred thousand actors without awaiting would run to its end however late. The
//! API sets the request's deadline for the task that runs it ([`scope`]), and the
//! loops of the embedded store and of graph exploration ask [`expired`] as they go,
//! stop with [`Expired`] once it has passed, and [`pace`] themselves so that the
//! worker thread serves other connections meanwhile. Outside a scope (the seed
//! command, benchmarks, tests of a store alone) there is no deadline.

use std::future::Future;
use std::time::Instant;

tokio::task_local! {
    static DEADLINE: Instant;
}

/// The request ran out of time; what it was doing has stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the request's deadline passed")]
pub struct Expired;

/// Runs `fut` with `deadline` as the deadline of the loops it reaches.
pub async fn scope<F: Future>(deadline: Instant, fut: F) -> F::Output {
    DEADLINE.scope(deadline, fut).await
}

/// Whether the current request's deadline has passed (never, outside a request).
pub fn expired() -> bool {
    DEADLINE.try_with(|d| Instant::now() >= *d).unwrap_or(false)
}

/// How long the current request has left; `None` outside a request.
pub fn remaining() -> Option<std::time::Duration> {
    DEADLINE
        .try_with(|d| d.saturating_duration_since(Instant::now()))
        .ok()
}

/// `Err(Expired)` once the current request's deadline has passed.
pub fn check() -> Result<(), Expired> {
    if expired() {
        Err(Expired)
    } else {
        Ok(())
    }
}

/// How many steps a loop takes between two looks at the clock.
pub const STEPS: usize = 1_024;

/// Call once per step of a long loop: every [`STEPS`] steps it checks the deadline
/// and yields to the other tasks of the worker thread.
pub async fn pace(step: &mut usize) -> Result<(), Expired> {
    *step += 1;
    if (*step).is_multiple_of(STEPS) {
        check()?;
        tokio::task::yield_now().await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn outside_a_request_there_is_no_deadline() {
        assert!(!expired());
        assert_eq!(check(), Ok(()));
    }

    #[tokio::test]
    async fn a_passed_deadline_stops_a_paced_loop() {
        let past = Instant::now() - Duration::from_millis(1);
        let steps = scope(past, async {
            let mut step = 0;
            while pace(&mut step).await.is_ok() {}
            step
        })
        .await;
        assert_eq!(steps, STEPS);
    }

    #[tokio::test]
    async fn a_future_deadline_lets_work_go_on() {
        let later = Instant::now() + Duration::from_secs(60);
        let result = scope(later, async {
            let mut step = 0;
            for _ in 0..10 * STEPS {
                pace(&mut step).await?;
            }
            Ok::<_, Expired>(step)
        })
        .await;
        assert_eq!(result, Ok(10 * STEPS));
    }
}
