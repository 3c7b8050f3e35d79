//! The feed and what viewers do with Bops: ranking and paging without repeats, likes,
//! views once a day, comments, follows and loyalty, and tips that name their Bop. The
//! uploader's own activity never counts (SPEC FAN-6). Both databases.

use boptone::{
    AppError,
    accounts::UserId,
    bops::{
        CommentOrder, FeedBop,
        engagement::{self, Viewer},
        feed, service,
    },
    both_databases,
    db::query,
    events::PlatformEvent,
    fans::{loyalty, service as fans},
    payments::{CardInput, sandbox},
    testing::TestDb,
    time::{DAY, HOUR, now_ms},
    tips::{TipForm, TipInput},
};

async fn ready(t: &TestDb, artist: UserId, caption: &str, published_at: i64) -> i64 {
    t.ready_bop(artist, caption, published_at).await
}

async fn two_artists(t: &TestDb) -> (UserId, UserId) {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    let nova = t.user_by_handle("nova_reyes").await;
    let other: i64 = query(
        "SELECT p.user_id FROM artist_profiles p WHERE p.user_id <> $1 AND p.onboarding_completed = TRUE ORDER BY p.user_id LIMIT 1",
    )
    .bind(nova.0)
    .scalar_one(&t.db)
    .await
    .expect("another artist");
    (nova, UserId(other))
}

/// How many "new follower" notifications `artist` has.
async fn followed_notices(t: &TestDb, artist: UserId) -> i64 {
    query("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'fan.followed'")
        .bind(artist.0)
        .scalar_one(&t.db)
        .await
        .expect("count")
}

/// A fan who signed up through the form.
async fn a_fan(t: &TestDb, state: &boptone::state::AppState) -> UserId {
    t.signed_up_fan(state, "Fan", "fan@example.com")
        .await
        .user
        .id
}

async fn handle_of(t: &TestDb, user: UserId) -> String {
    query("SELECT handle FROM users WHERE id = $1")
        .bind(user.0)
        .scalar_one(&t.db)
        .await
        .expect("handle")
}

/// Every Bop of a whole feed session, page by page.
async fn whole_session(t: &TestDb, viewer: Option<UserId>, now: i64) -> Vec<FeedBop> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let page = feed::page(&t.db, viewer, cursor.as_deref(), now)
            .await
            .expect("page");
        all.extend(page.bops);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return all,
        }
    }
    panic!("the feed never ended");
}

async fn the_feed_ranks_pages_and_never_repeats(t: TestDb) {
    let (nova, other) = two_artists(&t).await;
    let state = t.state();
    let now = now_ms();
    let fan = a_fan(&t, &state).await;
    // More Bops than the ranked window, so the session goes on by date after it.
    let total = feed::WINDOW + 15;
    for i in 0..total {
        let artist = if i % 2 == 0 { nova } else { other };
        ready(&t, artist, &format!("Bop {i}"), now - (i + 30) * HOUR).await;
    }
    // Not in any feed: one deleted, one still processing.
    let deleted = ready(&t, nova, "deleted", now - HOUR).await;
    service::delete(&t.db, nova, deleted).await.expect("delete");
    query("INSERT INTO bops (artist_id, caption, state, original_key, original_bytes, created_at) VALUES ($1, 'wip', 'processing', 'k', 1, $2)")
        .bind(nova.0)
        .bind(now)
        .execute(&t.db)
        .await
        .expect("processing");

    let anonymous = whole_session(&t, None, now).await;
    let mut ids: Vec<i64> = anonymous.iter().map(|b| b.id).collect();
    assert_eq!(ids.len() as i64, total, "every ready Bop, once");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len() as i64, total, "no Bop comes twice");
    assert!(!ids.contains(&deleted));
    // Nothing liked yet, so the newest comes first.
    assert_eq!(anonymous[0].caption, "Bop 0");

    // A new Bop from a followed artist comes first for their follower, even when older
    // Bops have far more engagement.
    let other_handle = handle_of(&t, other).await;
    fans::follow(&t.db, fan, &other_handle)
        .await
        .expect("follow");
    let fresh = ready(&t, other, "new from someone I follow", now - 20 * HOUR).await;
    let popular = ready(&t, nova, "popular", now - 2 * HOUR).await;
    for n in 0..5 {
        let viewer = Viewer::Device(format!("device-{n:016}"));
        engagement::view(&state, &viewer, popular, now)
            .await
            .expect("view");
    }
    let first = feed::page(&t.db, Some(fan), None, now).await.expect("page");
    assert_eq!(first.bops[0].id, fresh);
    assert!(first.bops[0].following);
    let anonymous_first = feed::page(&t.db, None, None, now).await.expect("page");
    assert_eq!(
        anonymous_first.bops[0].id, popular,
        "for strangers, the popular one"
    );

    // A Bop published after the session started does not join it.
    let session = whole_session(&t, Some(fan), now).await;
    let later = ready(&t, nova, "later", now + 1).await;
    assert!(session.iter().all(|b| b.id != later));
    assert_eq!(session.len() as i64, total + 2);

    // A cursor that does not parse is refused with a message.
    let err = feed::page(&t.db, None, Some("r.nonsense"), now)
        .await
        .expect_err("refused");
    assert!(err.field_message("cursor").is_some());
    // A shared Bop opens; a deleted one is not found.
    assert_eq!(
        feed::one(&t.db, None, fresh).await.expect("one").caption,
        "new from someone I follow"
    );
    assert!(matches!(
        feed::one(&t.db, None, deleted).await,
        Err(AppError::NotFound)
    ));
}

async fn likes_views_and_comments_count_once_and_never_the_artists_own(t: TestDb) {
    let (nova, other) = two_artists(&t).await;
    let state = t.state();
    let now = now_ms();
    let fan = a_fan(&t, &state).await;
    let bop = ready(&t, nova, "watch me", now - HOUR).await;

    // Likes: once per fan, undone once; the artist's own like shows but never counts.
    assert_eq!(
        engagement::like(&state, fan, bop)
            .await
            .expect("like")
            .likes,
        1
    );
    assert_eq!(
        engagement::like(&state, fan, bop)
            .await
            .expect("again")
            .likes,
        1
    );
    assert_eq!(
        engagement::like(&state, nova, bop)
            .await
            .expect("own")
            .likes,
        1
    );
    let seen_by_nova = feed::one(&t.db, Some(nova), bop).await.expect("one");
    assert!(seen_by_nova.liked && seen_by_nova.own);
    assert_eq!(
        engagement::unlike(&state, fan, bop)
            .await
            .expect("unlike")
            .likes,
        0
    );
    assert_eq!(
        engagement::unlike(&state, fan, bop)
            .await
            .expect("again")
            .likes,
        0
    );
    assert_eq!(
        engagement::unlike(&state, nova, bop)
            .await
            .expect("own")
            .likes,
        0
    );

    // Views: once per viewer per Bop per day; a device counts as a viewer; never the
    // artist's own.
    let device = Viewer::Device("0123456789abcdef".into());
    assert!(
        engagement::view(&state, &Viewer::User(fan), bop, now)
            .await
            .expect("view")
    );
    assert!(
        !engagement::view(&state, &Viewer::User(fan), bop, now + 60_000)
            .await
            .expect("same day")
    );
    assert!(
        engagement::view(&state, &Viewer::User(fan), bop, now + DAY)
            .await
            .expect("next day")
    );
    assert!(
        engagement::view(&state, &device, bop, now)
            .await
            .expect("device")
    );
    assert!(
        !engagement::view(&state, &device, bop, now)
            .await
            .expect("device again")
    );
    assert!(
        !engagement::view(&state, &Viewer::User(nova), bop, now)
            .await
            .expect("own")
    );
    assert_eq!(
        engagement::counts(&t.db, bop).await.expect("counts").views,
        3
    );

    // Old view records are forgotten; the counts they made stay.
    let long_ago = now - 5 * DAY;
    assert!(
        engagement::view(
            &state,
            &Viewer::Device("fedcba9876543210".into()),
            bop,
            long_ago
        )
        .await
        .expect("an old view")
    );
    assert_eq!(engagement::prune_views(&t.db, now).await.expect("prune"), 1);
    assert_eq!(
        engagement::counts(&t.db, bop).await.expect("counts").views,
        4
    );
    assert!(
        !engagement::view(&state, &device, bop, now)
            .await
            .expect("still deduped today")
    );

    // Comments: counted for fans, not for the artist's own; checked before writing.
    let mine = engagement::comment(&state, fan, bop, "  so good  ")
        .await
        .expect("comment")
        .comment;
    assert_eq!(mine.body, "so good");
    assert!(mine.can_delete && !mine.by_artist);
    let posted = engagement::comment(&state, nova, bop, "thank you!")
        .await
        .expect("reply");
    assert_eq!(
        posted.counts.comments, 1,
        "the artist's own reply is not counted"
    );
    let reply = posted.comment;
    assert!(reply.by_artist);
    assert!(
        engagement::comment(&state, fan, bop, "   ")
            .await
            .expect_err("empty")
            .field_message("body")
            .is_some()
    );
    assert_eq!(
        engagement::counts(&t.db, bop)
            .await
            .expect("counts")
            .comments,
        1
    );
    // Top order: the liked comment first.
    assert_eq!(
        engagement::like_comment(&t.db, other, reply.id, true)
            .await
            .expect("like"),
        1
    );
    assert_eq!(
        engagement::like_comment(&t.db, other, reply.id, true)
            .await
            .expect("again"),
        1
    );
    let top = engagement::comments(&t.db, Some(other), bop, CommentOrder::Top)
        .await
        .expect("top");
    assert_eq!(top[0].id, reply.id);
    assert!(top[0].liked && !top[0].can_delete);
    let newest = engagement::comments(&t.db, None, bop, CommentOrder::Newest)
        .await
        .expect("newest");
    assert_eq!(
        newest.iter().map(|c| c.id).collect::<Vec<_>>(),
        [reply.id, mine.id]
    );

    // Deleting: a stranger's attempt is "not found"; the Bop's artist may.
    assert!(matches!(
        engagement::delete_comment(&state, other, mine.id).await,
        Err(AppError::NotFound)
    ));
    assert_eq!(
        engagement::delete_comment(&state, nova, mine.id)
            .await
            .expect("artist deletes")
            .comments,
        0
    );
    assert!(matches!(
        engagement::delete_comment(&state, fan, mine.id).await,
        Err(AppError::NotFound)
    ));

    // A deleted Bop takes no more likes, views or comments.
    service::delete(&t.db, nova, bop).await.expect("delete");
    assert!(matches!(
        engagement::like(&state, fan, bop).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        engagement::view(&state, &device, bop, now + 2 * DAY).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        engagement::comment(&state, fan, bop, "hello?").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        engagement::comments(&t.db, None, bop, CommentOrder::Newest).await,
        Err(AppError::NotFound)
    ));
}

async fn follows_notify_the_artist_and_loyalty_grows_once_per_event(t: TestDb) {
    let (nova, other) = two_artists(&t).await;
    let state = t.state();
    let now = now_ms();
    let fan = a_fan(&t, &state).await;
    let bop = ready(&t, nova, "hi", now - HOUR).await;

    let followed = fans::follow(&t.db, fan, "@Nova_Reyes")
        .await
        .expect("follow");
    assert!(followed.following);
    assert_eq!(
        fans::follow(&t.db, fan, "nova_reyes")
            .await
            .expect("again")
            .followers,
        followed.followers
    );
    assert!(matches!(
        fans::follow(&t.db, fan, "nobody_here").await,
        Err(AppError::NotFound)
    ));
    assert!(
        fans::follow(&t.db, nova, "nova_reyes")
            .await
            .expect_err("self")
            .field_message("handle")
            .is_some()
    );
    let list = fans::following(&t.db, fan).await.expect("following");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].handle, "nova_reyes");

    engagement::like(&state, fan, bop).await.expect("like");
    engagement::view(&state, &Viewer::User(fan), bop, now)
        .await
        .expect("view");
    engagement::comment(&state, fan, bop, "love it")
        .await
        .expect("comment");
    boptone::background::run_pending(&state)
        .await
        .expect("jobs");

    let notified = followed_notices(&t, nova).await;
    assert_eq!(notified, 1, "one follow, one notification");

    let failed: i64 = query("SELECT COUNT(*) FROM jobs WHERE last_error IS NOT NULL")
        .scalar_one(&t.db)
        .await
        .expect("jobs");
    assert_eq!(failed, 0, "every handler ran");
    let points = fans::points(&t.db, fan, nova.0, now_ms())
        .await
        .expect("points");
    let expected = [
        loyalty::Signal::Follow,
        loyalty::Signal::Like,
        loyalty::Signal::View,
        loyalty::Signal::Comment,
    ]
    .into_iter()
    .map(loyalty::weight)
    .sum::<i64>();
    // Decay between the credits is a few milliseconds' worth: at most a point or two.
    assert!(
        (expected - 5..=expected).contains(&points),
        "{points} vs {expected}"
    );

    // A retried credit of the same event changes nothing.
    let event_id: i64 =
        query("SELECT id FROM platform_events WHERE name = 'bop.liked' ORDER BY id DESC LIMIT 1")
            .scalar_one(&t.db)
            .await
            .expect("event");
    let like = PlatformEvent::BopLiked {
        bop_id: bop,
        artist_id: nova.0,
        fan_id: fan.0,
    };
    let mut tx = t.db.begin().await.expect("begin");
    assert!(
        !fans::credit(&mut tx, event_id, &like, now_ms())
            .await
            .expect("credit")
    );
    tx.commit().await.expect("commit");
    assert!(
        fans::points(&t.db, fan, nova.0, now_ms())
            .await
            .expect("points")
            <= points
    );
    // The artist's own activity never builds loyalty to themselves.
    assert_eq!(
        fans::loyalty_signal(&PlatformEvent::BopLiked {
            bop_id: bop,
            artist_id: nova.0,
            fan_id: nova.0
        }),
        None
    );

    // Loyalty lifts the artist for that fan: it is in the feed's ranking.
    let unfollowed = fans::unfollow(&t.db, fan, "nova_reyes")
        .await
        .expect("unfollow");
    assert!(!unfollowed.following);
    assert_eq!(unfollowed.followers, followed.followers - 1);
    assert!(
        fans::following(&t.db, fan)
            .await
            .expect("following")
            .is_empty()
    );

    // Following again after unfollowing tells the artist nothing new.
    fans::follow(&t.db, fan, "nova_reyes").await.expect("again");
    boptone::background::run_pending(&state)
        .await
        .expect("jobs");
    let notified = followed_notices(&t, nova).await;
    assert_eq!(notified, 1);
    // Liking again after unliking adds no loyalty.
    let points = fans::points(&t.db, fan, nova.0, now_ms())
        .await
        .expect("points");
    engagement::unlike(&state, fan, bop).await.expect("unlike");
    engagement::like(&state, fan, bop)
        .await
        .expect("like again");
    boptone::background::run_pending(&state)
        .await
        .expect("jobs");
    assert!(
        fans::points(&t.db, fan, nova.0, now_ms())
            .await
            .expect("points")
            <= points
    );

    // Loyalty lifts the artist in that fan's feed: two Bops alike in all but their
    // artist rank Nova's first for this fan; for a stranger the newer id wins the tie.
    let at = now_ms() - 10 * HOUR;
    let novas = ready(&t, nova, "nova's", at).await;
    let others = ready(&t, other, "other's", at).await;
    let order = |page: Vec<FeedBop>| {
        page.iter()
            .map(|b| b.id)
            .filter(|id| *id == novas || *id == others)
            .collect::<Vec<_>>()
    };
    let mine = feed::page(&t.db, Some(fan), None, now_ms())
        .await
        .expect("page");
    assert_eq!(order(mine.bops), [novas, others]);
    let strangers = feed::page(&t.db, None, None, now_ms()).await.expect("page");
    assert_eq!(order(strangers.bops), [others, novas]);
}

async fn a_tip_from_a_bop_names_it_and_counts_for_it(t: TestDb) {
    let (nova, other) = two_artists(&t).await;
    let state = t.state();
    let now = now_ms();
    let bop = ready(&t, nova, "tip me", now - HOUR).await;
    let others = ready(&t, other, "not nova's", now - HOUR).await;
    let tip = |bop: i64, key: &str| {
        TipInput::parse(
            &TipForm {
                handle: "nova_reyes".into(),
                amount: "5".into(),
                message: String::new(),
                email: "guest@example.com".into(),
                cover_fee: false,
                idempotency_key: key.into(),
                bop: Some(bop),
            },
            false,
        )
        .expect("valid tip")
    };
    // Another artist's Bop on Nova's tip is not found, and nothing is written.
    assert!(matches!(
        boptone::tips::service::start(
            &state,
            None,
            "203.0.113.9",
            &tip(others, "tip-bbbbbbbbbbbb")
        )
        .await,
        Err(AppError::NotFound)
    ));
    let url =
        boptone::tips::service::start(&state, None, "203.0.113.9", &tip(bop, "tip-cccccccccccc"))
            .await
            .expect("checkout");
    let session = url.rsplit('/').next().expect("session").to_owned();
    let card = CardInput {
        number: "4242424242424242".into(),
        expiry: "12/34".into(),
        cvc: "123".into(),
        name: String::new(),
    };
    sandbox::pay(&state, &session, &card, (2026, 11))
        .await
        .expect("paid");
    boptone::background::run_pending(&state)
        .await
        .expect("jobs");

    let named: i64 = query("SELECT COUNT(*) FROM tips WHERE bop_id = $1 AND state = 'succeeded'")
        .bind(bop)
        .scalar_one(&t.db)
        .await
        .expect("tips");
    assert_eq!(named, 1);
    let events: i64 = query("SELECT COUNT(*) FROM platform_events WHERE name = 'bop.tip.received'")
        .scalar_one(&t.db)
        .await
        .expect("events");
    assert_eq!(events, 1);
    let (tips, cents): (i64, i64) = query("SELECT tip_count, tip_cents FROM bops WHERE id = $1")
        .bind(bop)
        .fetch_one(&t.db)
        .await
        .expect("bop");
    assert_eq!((tips, cents), (1, boptone::fees::tip(500, false).net));
    let title: String =
        query("SELECT title FROM notifications WHERE user_id = $1 AND kind = 'tip.received'")
            .bind(nova.0)
            .scalar_one(&t.db)
            .await
            .expect("notified once");
    assert_eq!(title, "A fan kicked in $5.00 on your Bop");
}

async fn followers_hear_of_new_bops_gathered_while_unread(t: TestDb) {
    let (nova, other) = two_artists(&t).await;
    let state = t.state();
    let now = now_ms();
    let fan = a_fan(&t, &state).await;
    let other_handle = handle_of(&t, other).await;
    fans::follow(&t.db, fan, "nova_reyes")
        .await
        .expect("follow");
    fans::follow(&t.db, fan, &other_handle)
        .await
        .expect("follow");
    boptone::background::run_pending(&state)
        .await
        .expect("jobs");
    // Published as the transcode job publishes: the Bop and its event.
    let publish = |artist: UserId, caption: &'static str| {
        let t = &t;
        async move {
            let id = ready(t, artist, caption, now_ms()).await;
            let mut tx = t.db.begin().await.expect("begin");
            let event = boptone::events::bus::emit(
                &mut tx,
                &PlatformEvent::BopPublished {
                    bop_id: id,
                    artist_id: artist.0,
                },
            )
            .await
            .expect("emit");
            tx.commit().await.expect("commit");
            (id, event)
        }
    };
    let bop_notes = || async {
        boptone::notifications::service::list(&t.db, fan, 20)
            .await
            .expect("list")
            .into_iter()
            .filter(|n| n.kind == "bop.published")
            .collect::<Vec<_>>()
    };

    let (first, first_event) = publish(nova, "first one #new").await;
    boptone::background::run_pending(&state)
        .await
        .expect("jobs");
    let notes = bop_notes().await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].title, "Nova Reyes posted a new Bop");
    assert_eq!(notes[0].body, "first one #new");
    assert_eq!(
        notes[0].link.as_deref(),
        Some(format!("/bops/{first}").as_str())
    );

    // A second Bop while the first is unread: one notification, gathered and on top.
    publish(other, "second").await;
    boptone::background::run_pending(&state)
        .await
        .expect("jobs");
    let notes = bop_notes().await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].title, "2 new Bops from artists you follow");
    assert_eq!(notes[0].link.as_deref(), Some("/feed"));
    // Delivering the first again (a retried job) counts nothing twice.
    let again = boptone::fans::service::NotifyFollowers {
        event_id: first_event,
    };
    use boptone::jobs::worker::Job;
    again
        .run(&boptone::jobs::worker::JobContext {
            state: state.clone(),
        })
        .await
        .expect("retry");
    assert_eq!(
        bop_notes().await[0].title,
        "2 new Bops from artists you follow"
    );

    // Once read, the next Bop starts afresh. The artist hears nothing of their own.
    boptone::notifications::service::mark_all_read(&t.db, fan)
        .await
        .expect("read");
    publish(nova, "third").await;
    boptone::background::run_pending(&state)
        .await
        .expect("jobs");
    let notes = bop_notes().await;
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].title, "Nova Reyes posted a new Bop");
    let own = boptone::notifications::service::list(&t.db, nova, 20)
        .await
        .expect("list");
    assert!(own.iter().all(|n| n.kind != "bop.published"));
    let _ = now;
}

async fn reports_reach_operators_who_keep_or_remove(t: TestDb) {
    use boptone::moderation::{Decision, Reason, Subject, service as moderation};
    let (nova, other) = two_artists(&t).await;
    let state = t.state();
    let fan = a_fan(&t, &state).await;
    let admin = t.user_by_handle("boptone_ops").await;
    let kept = ready(&t, nova, "fine", now_ms()).await;
    let removed = ready(&t, nova, "bad", now_ms()).await;
    let comment = engagement::comment(&state, other, kept, "rude words")
        .await
        .expect("comment")
        .comment;

    moderation::report(&t.db, fan, Subject::Bop, kept, Reason::Spam)
        .await
        .expect("report");
    moderation::report(&t.db, fan, Subject::Bop, kept, Reason::Hate)
        .await
        .expect("again: one report");
    moderation::report(&t.db, other, Subject::Bop, kept, Reason::Hate)
        .await
        .expect("report");
    moderation::report(&t.db, fan, Subject::Bop, removed, Reason::Violence)
        .await
        .expect("report");
    moderation::report(&t.db, fan, Subject::Comment, comment.id, Reason::Harassment)
        .await
        .expect("report");
    assert!(matches!(
        moderation::report(&t.db, nova, Subject::Bop, kept, Reason::Spam).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        moderation::report(&t.db, fan, Subject::Bop, 999_999, Reason::Spam).await,
        Err(AppError::NotFound)
    ));

    let open = moderation::open(&t.db, 10).await.expect("open");
    assert_eq!(open.len(), 3);
    assert_eq!(
        (open[0].subject, open[0].subject_id, open[0].reports),
        (Subject::Bop, kept, 2)
    );
    assert_eq!(open[0].reasons, [Reason::Spam, Reason::Hate]);
    assert_eq!(open[0].author_handle, "nova_reyes");

    moderation::decide(&t.db, admin, Subject::Bop, kept, Decision::Keep)
        .await
        .expect("keep");
    assert!(feed::one(&t.db, None, kept).await.is_ok(), "kept");
    moderation::decide(&t.db, admin, Subject::Bop, removed, Decision::Remove)
        .await
        .expect("remove");
    assert!(matches!(
        feed::one(&t.db, None, removed).await,
        Err(AppError::NotFound)
    ));
    moderation::decide(&t.db, admin, Subject::Comment, comment.id, Decision::Remove)
        .await
        .expect("remove comment");
    let left = engagement::comments(&t.db, None, kept, CommentOrder::Newest)
        .await
        .expect("comments");
    assert!(left.is_empty());
    assert_eq!(
        engagement::counts(&t.db, kept)
            .await
            .expect("counts")
            .comments,
        0
    );
    assert!(moderation::open(&t.db, 10).await.expect("open").is_empty());
    assert!(matches!(
        moderation::decide(&t.db, admin, Subject::Bop, kept, Decision::Remove).await,
        Err(AppError::NotFound)
    ));
}

both_databases!(
    reports_reach_operators_who_keep_or_remove,
    followers_hear_of_new_bops_gathered_while_unread,
    the_feed_ranks_pages_and_never_repeats,
    likes_views_and_comments_count_once_and_never_the_artists_own,
    follows_notify_the_artist_and_loyalty_grows_once_per_event,
    a_tip_from_a_bop_names_it_and_counts_for_it,
);
