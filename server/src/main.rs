//! The `boptone` binary.

use anyhow::Context as _;
use boptone::{
    db::{Db, DbOptions},
    jobs::{bench, worker::WorkerConfig},
    seed,
};
use boptone_server::{
    config::{Cli, Command},
    startup::{Application, build_state, redact, shutdown_signal},
    telemetry,
};
use clap::Parser;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = cli.config;
    telemetry::init(config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            // Listening for SIGTERM starts before the port opens: a stop that arrives
            // while the server starts up is still a clean stop.
            let shutdown = shutdown_signal();
            let app = Application::build(&config).await?;
            tracing::info!(url = %config.public_url(), port = app.port(), database = %redact(&config.database_url), "Boptone is serving");
            app.run_until(shutdown).await
        }
        Command::Worker => {
            let shutdown = shutdown_signal();
            let state = build_state(&config).await?;
            let stop = CancellationToken::new();
            let workers = WorkerConfig {
                concurrency: config.job_workers.max(1),
                ..WorkerConfig::default()
            };
            let concurrency = workers.concurrency;
            let tasks = boptone::background::start(state.clone(), workers, stop.clone()).await?;
            tracing::info!(concurrency, "worker started");
            shutdown.await;
            stop.cancel();
            for task in tasks {
                task.await.context("worker task")?;
            }
            state.db.close().await;
            Ok(())
        }
        Command::Migrate => {
            let db = Db::connect(&config.database_url, &DbOptions::default()).await?;
            db.migrate().await.context("applying migrations")?;
            tracing::info!(database = %redact(&config.database_url), "migrations applied");
            db.close().await;
            Ok(())
        }
        Command::BenchJobs {
            jobs,
            concurrency,
            samples,
        } => {
            let state = build_state(&config).await?;
            let mut drains = Vec::new();
            for c in concurrency {
                let result = bench::drain(&state, jobs, c).await?;
                eprintln!("drain c={c}: {:.0} jobs/s", result.jobs_per_s);
                drains.push(result);
            }
            let latency = bench::latency(&state, samples).await?;
            eprintln!(
                "latency: p50 {:.2} ms, p99 {:.2} ms",
                latency.p50_ms, latency.p99_ms
            );
            let report = serde_json::json!({
                "database": state.db.dialect().as_str(),
                "drain": drains,
                "latency": latency,
            });
            println!("{report}");
            state.db.close().await;
            Ok(())
        }
        Command::BenchEarnings {
            days,
            tips_per_day,
            samples,
        } => {
            let state = build_state(&config).await?;
            let result =
                boptone::earnings::bench::run(&state.db, days, tips_per_day, samples).await?;
            eprintln!(
                "earnings of {} transactions (loaded in {:.1} s): p50 {:.2} ms, p99 {:.2} ms",
                result.transactions, result.load_s, result.p50_ms, result.p99_ms
            );
            let report = serde_json::json!({
                "database": state.db.dialect().as_str(),
                "earnings": result,
            });
            println!("{report}");
            state.db.close().await;
            Ok(())
        }
        Command::BenchFeed {
            bops,
            fans,
            samples,
        } => {
            let state = build_state(&config).await?;
            let result = boptone::bops::bench::run(&state.db, bops, fans, samples).await?;
            eprintln!(
                "feed with {bops} Bops and {fans} fans (loaded in {:.1} s): first page p99 {:.2} ms, next page p99 {:.2} ms, anonymous p99 {:.2} ms",
                result.load_s,
                result.first_page.p99_ms,
                result.next_page.p99_ms,
                result.anonymous.p99_ms
            );
            println!("{}", serde_json::to_string(&result)?);
            state.db.close().await;
            Ok(())
        }
        Command::SeedDemo => {
            let state = build_state(&config).await?;
            let report = seed::seed_demo(&state.db)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            // The clips are made once and kept (`DEMO_CLIPS_DIR`, `data/demo-clips`).
            let clips =
                std::env::var("DEMO_CLIPS_DIR").unwrap_or_else(|_| "data/demo-clips".into());
            let clips = std::path::Path::new(&clips);
            let bops = seed::seed_bops(&state, clips)
                .await
                .map_err(|e| anyhow::anyhow!("demo Bops: {e}"))?;
            tracing::info!(
                users_created = report.users_created,
                profiles_created = report.profiles_created,
                bops_posted = bops,
                "demo data loaded (password for every demo account: {})",
                seed::DEMO_PASSWORD
            );
            state.db.close().await;
            Ok(())
        }
    }
}
