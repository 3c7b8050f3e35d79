use boptone::{both_databases, testing::TestDb};

use crate::helpers::TestApp;

async fn health_readiness_and_metrics_answer(db: TestDb) {
    let app = TestApp::spawn_with(db, |c| c.metrics_token = Some("ops-token".into())).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.expect("body"), "ok");

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);

    app.get("/").await;
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("ops-token")
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("metrics");
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    assert!(metrics.contains(r#"route="/healthz""#), "{metrics}");
}

async fn readiness_fails_without_the_database(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.state.db.close().await;
    assert_eq!(app.get("/readyz").await.status(), 503);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

async fn responses_carry_a_request_id(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app.get("/healthz").await;
    let id = res
        .headers()
        .get("x-request-id")
        .expect("request id")
        .to_str()
        .expect("ascii");
    assert_eq!(id.len(), 36, "a uuid: {id}");
}

both_databases!(
    health_readiness_and_metrics_answer,
    readiness_fails_without_the_database,
    responses_carry_a_request_id
);
