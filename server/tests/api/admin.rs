use boptone::{
    both_databases,
    jobs::{EnqueueOptions, queue},
    testing::TestDb,
};

use crate::helpers::TestApp;

async fn only_operators_see_and_act_on_jobs(db: TestDb) {
    let app = TestApp::spawn(db).await;
    boptone::seed::seed_demo(&app.state.db).await.expect("seed");
    assert_eq!(app.call("admin/jobs", &[]).await.status(), 401);
    app.sign_in_demo("ana@demo.boptone.app").await;
    assert_eq!(app.call("admin/jobs", &[]).await.status(), 403);
    assert_eq!(
        app.call("admin/jobs/discard", &[("id", "1")])
            .await
            .status(),
        403
    );

    // A job that can never run dies at once.
    let mut tx = app.state.db.begin().await.expect("begin");
    queue::enqueue_raw(&mut tx, "no.such.kind", "{}", 3, &EnqueueOptions::default())
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");
    app.run_jobs().await;

    app.sign_in_demo("admin@demo.boptone.app").await;
    let report: serde_json::Value = app
        .call("admin/jobs", &[])
        .await
        .json()
        .await
        .expect("json");
    let dead = &report["troubled"][0];
    assert_eq!(dead["kind"], "no.such.kind");
    assert_eq!(dead["state"], "dead");
    assert!(
        dead["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("No handler")
    );
    let id = dead["id"].as_i64().expect("id").to_string();

    assert_eq!(
        app.call("admin/jobs/retry", &[("id", &id)]).await.status(),
        200
    );
    let report: serde_json::Value = app
        .call("admin/jobs", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(report["counts"][0]["state"], "queued");
    assert_eq!(
        app.call("admin/jobs/discard", &[("id", &id)])
            .await
            .status(),
        200
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs").await, 0);
    assert_eq!(
        app.call("admin/jobs/discard", &[("id", &id)])
            .await
            .status(),
        404
    );
}

async fn only_operators_see_the_money_reports(db: TestDb) {
    let app = TestApp::spawn(db).await;
    boptone::seed::seed_demo(&app.state.db).await.expect("seed");
    for endpoint in ["admin/reconciliation", "admin/funnel"] {
        assert_eq!(app.call(endpoint, &[]).await.status(), 401, "{endpoint}");
    }
    app.sign_in_demo("nova@demo.boptone.app").await;
    for endpoint in ["admin/reconciliation", "admin/funnel"] {
        assert_eq!(app.call(endpoint, &[]).await.status(), 403, "{endpoint}");
    }
    app.sign_in_demo("admin@demo.boptone.app").await;
    let found = boptone::reconciliation::service::reconcile(&app.state, boptone::time::now_ms())
        .await
        .expect("reconcile");
    assert_eq!(found, 0, "the demo books agree");
    let rows: Vec<boptone::reconciliation::Mismatch> = app
        .call("admin/reconciliation", &[])
        .await
        .json()
        .await
        .expect("rows");
    assert!(rows.is_empty());
    let funnel: Vec<boptone::onboarding::FunnelRow> = app
        .call("admin/funnel", &[])
        .await
        .json()
        .await
        .expect("funnel");
    assert_eq!(funnel[0].artists, 5, "five demo artists signed up");
}

both_databases!(
    only_operators_see_the_money_reports,
    only_operators_see_and_act_on_jobs
);
