//! The feed's order (SPEC BOP-3): a pure function of a Bop's age, its engagement and
//! the viewer's bond with its artist, so it can be tested by its properties and tuned
//! in one place. Ranking orders; it never moves money, so it may use floats.

/// What the ranking knows of one Bop, for one viewer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signals {
    /// Since it was published, in milliseconds (negative counts as zero).
    pub age_ms: i64,
    /// Counted views, likes, comments and tips (the artist's own never count).
    pub views: i64,
    pub likes: i64,
    pub comments: i64,
    pub tips: i64,
    /// The viewer's loyalty to the artist, 0 (none) to 1 (the artist's best fan).
    pub loyalty: f64,
    /// Whether the viewer follows the artist.
    pub followed: bool,
}

/// How much each kind of engagement weighs against one view.
pub const WEIGHTS: Weights = Weights {
    view: 1.0,
    like: 4.0,
    comment: 6.0,
    tip: 25.0,
};

pub struct Weights {
    pub view: f64,
    pub like: f64,
    pub comment: f64,
    pub tip: f64,
}

/// A Bop loses half its recency every this many hours.
pub const HALF_LIFE_HOURS: f64 = 36.0;
/// A Bop from an artist the viewer follows counts as new this long: it comes first.
pub const NEW_FROM_FOLLOWED_MS: i64 = 24 * 60 * 60 * 1000;
/// The lift a followed artist gets after that.
const FOLLOWED_LIFT: f64 = 1.5;
/// Above every score a Bop can reach otherwise: new Bops from followed artists first.
const NEW_FROM_FOLLOWED_BONUS: f64 = 1.0e6;

/// The Bop's score for this viewer; the feed shows higher scores first (ties by id,
/// newest first, in the query). Properties (tested): newer beats older all else equal;
/// more engagement never ranks lower; more loyalty never ranks lower; a new Bop from a
/// followed artist beats any Bop that is not; the same inputs give the same score.
pub fn score(s: &Signals) -> f64 {
    let count = |n: i64| n.max(0) as f64;
    let engagement = WEIGHTS.view * count(s.views)
        + WEIGHTS.like * count(s.likes)
        + WEIGHTS.comment * count(s.comments)
        + WEIGHTS.tip * count(s.tips);
    let age_hours = s.age_ms.max(0) as f64 / 3_600_000.0;
    let recency = 0.5_f64.powf(age_hours / HALF_LIFE_HOURS);
    let loyalty = if s.loyalty.is_finite() {
        s.loyalty.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let bond = (1.0 + loyalty) * if s.followed { FOLLOWED_LIFT } else { 1.0 };
    let base = (1.0 + engagement.ln_1p()) * recency * bond;
    if s.followed && s.age_ms.max(0) < NEW_FROM_FOLLOWED_MS {
        NEW_FROM_FOLLOWED_BONUS + base
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOUR: i64 = 3_600_000;

    fn signals() -> impl Strategy<Value = Signals> {
        (
            0i64..90 * 24 * HOUR,
            0i64..1_000_000,
            0i64..100_000,
            0i64..10_000,
            0i64..1_000,
            0.0f64..=1.0,
            any::<bool>(),
        )
            .prop_map(
                |(age_ms, views, likes, comments, tips, loyalty, followed)| Signals {
                    age_ms,
                    views,
                    likes,
                    comments,
                    tips,
                    loyalty,
                    followed,
                },
            )
    }

    proptest! {
        #[test]
        fn newer_beats_older_all_else_equal(s in signals(), older_by in 1i64..30 * 24 * HOUR) {
            let older = Signals { age_ms: s.age_ms + older_by, ..s };
            prop_assert!(score(&s) >= score(&older));
            // Strictly, while the difference is visible at all.
            if s.age_ms + older_by < 60 * 24 * HOUR {
                prop_assert!(score(&s) > score(&older));
            }
        }

        #[test]
        fn more_engagement_never_ranks_lower(s in signals(), extra in 1i64..1000, which in 0u8..4) {
            let mut more = s;
            match which {
                0 => more.views += extra,
                1 => more.likes += extra,
                2 => more.comments += extra,
                _ => more.tips += extra,
            }
            prop_assert!(score(&more) >= score(&s));
        }

        #[test]
        fn loyalty_and_follows_never_rank_lower(s in signals(), extra in 0.0f64..=1.0) {
            let loyal = Signals { loyalty: (s.loyalty + extra).min(1.0), ..s };
            prop_assert!(score(&loyal) >= score(&s));
            let followed = Signals { followed: true, ..s };
            prop_assert!(score(&followed) >= score(&s));
        }

        #[test]
        fn a_new_bop_from_a_followed_artist_comes_first(new in signals(), other in signals()) {
            let new = Signals { followed: true, age_ms: new.age_ms % NEW_FROM_FOLLOWED_MS, ..new };
            let other_is_new_followed = other.followed && other.age_ms < NEW_FROM_FOLLOWED_MS;
            prop_assume!(!other_is_new_followed);
            prop_assert!(score(&new) > score(&other));
        }

        #[test]
        fn deterministic(s in signals()) {
            prop_assert_eq!(score(&s).to_bits(), score(&s).to_bits());
        }
    }

    #[test]
    fn engagement_outweighs_a_little_age() {
        let quiet = Signals {
            age_ms: 2 * HOUR,
            views: 3,
            likes: 0,
            comments: 0,
            tips: 0,
            loyalty: 0.0,
            followed: false,
        };
        let loved = Signals {
            age_ms: 10 * HOUR,
            views: 5_000,
            likes: 900,
            comments: 120,
            tips: 15,
            ..quiet
        };
        assert!(score(&loved) > score(&quiet));
        // Bad input does not poison the order.
        assert!(
            score(&Signals {
                loyalty: f64::NAN,
                views: -5,
                age_ms: -1,
                ..quiet
            })
            .is_finite()
        );
    }
}
