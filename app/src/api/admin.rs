//! Operator server functions (admins only): the job queue and the cron schedules.

use boptone::{
    AppError,
    jobs::{KindCount, ScheduleRow, TroubledJob},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::guards,
    boptone::{
        accounts::Role,
        jobs::{JobId, cron, queue},
    },
};

/// Everything the jobs page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobsReport {
    pub counts: Vec<KindCount>,
    pub troubled: Vec<TroubledJob>,
    pub schedules: Vec<ScheduleRow>,
}

#[server(prefix = "/api", endpoint = "admin/jobs")]
pub async fn jobs_overview() -> Result<JobsReport, AppError> {
    guards::respond(
        async move {
            guards::require_role(Role::Admin).await?;
            let db = guards::app_state()?.db;
            Ok(JobsReport {
                counts: queue::counts(&db).await?,
                troubled: queue::troubled(&db, 100).await?,
                schedules: cron::list(&db).await?,
            })
        }
        .await,
    )
}

/// Runs a dead or retrying job again now, with fresh attempts.
#[server(prefix = "/api", endpoint = "admin/jobs/retry")]
pub async fn retry_job(id: i64) -> Result<(), AppError> {
    guards::respond(
        async move {
            guards::require_role(Role::Admin).await?;
            queue::retry_now(&guards::app_state()?.db, JobId(id)).await
        }
        .await,
    )
}

/// Deletes a dead or waiting job.
#[server(prefix = "/api", endpoint = "admin/jobs/discard")]
pub async fn discard_job(id: i64) -> Result<(), AppError> {
    guards::respond(
        async move {
            guards::require_role(Role::Admin).await?;
            queue::discard(&guards::app_state()?.db, JobId(id)).await
        }
        .await,
    )
}
