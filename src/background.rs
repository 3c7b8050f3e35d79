//! The app assembled: every job kind it runs and its cron schedules, and where each
//! domain's handlers for provider changes and platform events are registered.

use std::{sync::Arc, time::Duration};

use tokio::task::JoinHandle;

use crate::{
    accounts::service::PurgeExpired,
    error::AppError,
    events::bus::{DispatchEvent, EventHandlers},
    jobs::{
        cron::{self, ScheduleSpec},
        worker::{self, CancellationToken, JobContext, Registry, WorkerConfig},
    },
    mail::SendEmail,
    notifications::service::DeliverNotifications,
    payments::routing::PaymentRoutes,
    state::AppState,
};

/// Where provider changes and platform events go (held by [`AppState`]).
pub struct Routes {
    pub payments: PaymentRoutes,
    pub events: EventHandlers,
}

/// Each domain's handlers: payment purposes by reference prefix, and the jobs that
/// react to platform events (analytics, loyalty, Toney and workflows join here).
pub fn routes() -> Routes {
    Routes {
        payments: PaymentRoutes::new()
            .purpose(crate::tips::PURPOSE, crate::tips::service::TipPayments)
            .purpose(crate::signup::PURPOSE, crate::signup::SignupPayments)
            .purpose(
                crate::payouts::service::PURPOSE,
                crate::payouts::service::PayoutPayments,
            )
            .subscriptions(crate::signup::SignupPayments)
            .accounts(crate::payouts::service::PayoutPayments),
        events: EventHandlers::new()
            .register::<DeliverNotifications>()
            .register::<crate::fans::service::CreditLoyalty>()
            .register::<crate::fans::service::NotifyFollowers>()
            .register::<crate::bops::service::CountBopTips>(),
    }
}

/// Every job kind, so any worker can run any job.
pub fn registry() -> Registry {
    Registry::new()
        .register::<SendEmail>()
        .register::<PurgeExpired>()
        .register::<crate::accounts::service::SendAccountLink>()
        .register::<DispatchEvent>()
        .register::<DeliverNotifications>()
        .register::<crate::payments::events::ProcessPaymentEvent>()
        .register::<crate::tips::service::SettleTips>()
        .register::<crate::payouts::service::ScheduledPayouts>()
        .register::<crate::payouts::service::SubmitPayout>()
        .register::<crate::reconciliation::service::Reconcile>()
        .register::<crate::bops::transcode::Transcode>()
        .register::<crate::music::transcode::ProcessTrack>()
        .register::<crate::fans::service::CreditLoyalty>()
        .register::<crate::fans::service::NotifyFollowers>()
        .register::<crate::bops::service::CountBopTips>()
        .register::<crate::bops::service::SweepStuckBops>()
        .register::<crate::bops::engagement::PruneViews>()
}

/// The schedules declared in code (stored and fired through `cron_schedules`).
pub fn schedules() -> Vec<ScheduleSpec> {
    vec![
        ScheduleSpec::of("accounts.purge_expired", "*/10 * * * *", &PurgeExpired),
        ScheduleSpec::of(
            "ledger.reconcile",
            "30 3 * * *",
            &crate::reconciliation::service::Reconcile,
        ),
        ScheduleSpec::of(
            "payouts.scheduled",
            "0 6 * * *",
            &crate::payouts::service::ScheduledPayouts,
        ),
        ScheduleSpec::of(
            "bops.prune_views",
            "20 4 * * *",
            &crate::bops::engagement::PruneViews,
        ),
        ScheduleSpec::of(
            "bops.sweep_stuck",
            "*/15 * * * *",
            &crate::bops::service::SweepStuckBops,
        ),
        ScheduleSpec::of(
            "tips.settle",
            "5 * * * *",
            &crate::tips::service::SettleTips,
        ),
    ]
}

/// Starts the worker pool and the cron scheduler; both stop when `stop` is cancelled.
pub async fn start(
    state: AppState,
    config: WorkerConfig,
    stop: CancellationToken,
) -> Result<Vec<JoinHandle<()>>, AppError> {
    cron::ensure(&state.db, &schedules()).await?;
    let scheduler = tokio::spawn(cron::run(
        state.db.clone(),
        Duration::from_secs(30),
        stop.clone(),
    ));
    let workers = tokio::spawn(worker::run(
        JobContext { state },
        Arc::new(registry()),
        config,
        stop,
    ));
    Ok(vec![workers, scheduler])
}

/// Runs every due job in this task until none is left (tests, one-off commands);
/// returns how many ran.
pub async fn run_pending(state: &AppState) -> Result<usize, AppError> {
    worker::run_pending(
        &JobContext {
            state: state.clone(),
        },
        &registry(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_handler_is_a_registered_job() {
        let jobs: Vec<_> = registry().kinds().collect();
        for kind in routes().events.kinds() {
            assert!(jobs.contains(&kind), "{kind} is not in registry()");
        }
    }

    #[test]
    fn every_payment_purpose_has_one_domain() {
        let purposes: Vec<_> = routes().payments.purposes().collect();
        assert_eq!(purposes, ["payout", "signup", "tip"]);
    }
}
