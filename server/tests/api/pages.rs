use boptone::{both_databases, testing::TestDb};

use crate::helpers::TestApp;

async fn public_pages_render_on_the_server(db: TestDb) {
    let app = TestApp::spawn(db).await;
    boptone::seed::seed_demo(&app.state.db).await.expect("seed");
    for (path, text) in [
        ("/", "Your business."),
        ("/signin", "Welcome back"),
        ("/signup", "Create your account"),
        ("/forgot-password", "Reset your password"),
        ("/feed", "No Bops yet"),
        ("/shop", "No products yet"),
        ("/music", "Nova Reyes"),
        ("/artists/kofi_mensah", "highlife"),
        ("/me", "Sign in to see your account"),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.expect("html");
        assert!(html.contains(text), "{path} should contain {text:?}");
        assert!(
            html.contains("/pkg/boptone.js"),
            "{path} loads the app for hydration"
        );
        assert!(html.contains("<title>"), "{path} has a title");
    }
}

async fn unknown_paths_answer_404(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.text()
            .await
            .expect("html")
            .contains("This page took a wrong turn")
    );
    let artist = app.get("/artists/nobody_here").await;
    assert!(
        artist
            .text()
            .await
            .expect("html")
            .contains("Artist not found")
    );
}

both_databases!(public_pages_render_on_the_server, unknown_paths_answer_404);
