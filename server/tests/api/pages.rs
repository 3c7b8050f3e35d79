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

/// The artist's pages with upload forms and self-refreshing lists render whole on the
/// server, again and again: their browser-only cleanup once panicked when the server
/// ran it on another thread, and the browser got a dropped connection.
async fn artist_pages_with_uploads_render_whole(db: TestDb) {
    let app = TestApp::spawn(db).await;
    boptone::seed::seed_demo(&app.state.db).await.expect("seed");
    app.sign_in_demo("nova@demo.boptone.app").await;
    for _ in 0..5 {
        for (path, text) in [
            ("/dashboard/music", "Upload a track"),
            ("/dashboard/music/releases/new", "Tracks, in order"),
            ("/dashboard/bops", "Post a Bop"),
            ("/dashboard/bops/new", "Post Bop"),
            ("/artist/setup", "Set up your profile"),
        ] {
            let res = app.get(path).await;
            assert_eq!(res.status(), 200, "{path}");
            let html = res.text().await.expect("the whole page");
            assert!(html.contains(text), "{path} should contain {text:?}");
            assert!(html.contains("</html>"), "{path} arrives whole");
        }
    }
}

both_databases!(
    public_pages_render_on_the_server,
    unknown_paths_answer_404,
    artist_pages_with_uploads_render_whole
);
