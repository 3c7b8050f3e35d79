//! Reports as stored, and operators' decisions. Owns `reports`; taking something down
//! goes through the module that owns it.

use sqlx::FromRow;

use super::{Decision, Reason, Reported, Subject};
use crate::{
    accounts::UserId,
    bops,
    db::{Db, query},
    error::AppError,
    time::now_ms,
};

/// Who posted `subject_id` and whether it can be seen (a live Bop, a comment on one).
async fn author_of(db: &Db, subject: Subject, id: i64) -> Result<i64, AppError> {
    let sql = match subject {
        Subject::Bop => {
            "SELECT artist_id FROM bops WHERE id = $1 AND state = 'ready' AND deleted_at IS NULL"
        }
        Subject::Comment => {
            "SELECT c.author_id FROM bop_comments c JOIN bops b ON b.id = c.bop_id \
             WHERE c.id = $1 AND c.deleted_at IS NULL AND b.deleted_at IS NULL"
        }
    };
    let author: Option<i64> = query(sql).bind(id).scalar_optional(db).await?;
    author.ok_or(AppError::NotFound)
}

/// `reporter` reports a Bop or comment for `reason`. Reporting the same thing again
/// changes nothing; what cannot be seen is not found; nobody reports their own.
pub async fn report(
    db: &Db,
    reporter: UserId,
    subject: Subject,
    id: i64,
    reason: Reason,
) -> Result<(), AppError> {
    let author = author_of(db, subject, id).await?;
    if author == reporter.0 {
        return Err(AppError::Conflict("You can't report your own post.".into()));
    }
    const SQL: &str = "INSERT INTO reports (reporter_id, subject, subject_id, reason, state, created_at) \
                       VALUES ($1, $2, $3, $4, 'open', $5) ON CONFLICT DO NOTHING";
    query(SQL)
        .bind(reporter.0)
        .bind(subject.as_str())
        .bind(id)
        .bind(reason.as_str())
        .bind(now_ms())
        .execute(db)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct OpenRow {
    #[sqlx(try_from = "String")]
    subject: Subject,
    subject_id: i64,
    #[sqlx(try_from = "String")]
    reason: Reason,
    created_at: i64,
    text: Option<String>,
    author_handle: Option<String>,
    bop_id: Option<i64>,
}

/// Everything with open reports, the most reported first (then the oldest).
pub async fn open(db: &Db, limit: usize) -> Result<Vec<Reported>, AppError> {
    const SQL: &str = "SELECT r.subject, r.subject_id, r.reason, r.created_at, \
         COALESCE(b.caption, c.body) AS text, COALESCE(ub.handle, uc.handle) AS author_handle, \
         COALESCE(b.id, c.bop_id) AS bop_id \
         FROM reports r \
         LEFT JOIN bops b ON r.subject = 'bop' AND b.id = r.subject_id \
         LEFT JOIN users ub ON ub.id = b.artist_id \
         LEFT JOIN bop_comments c ON r.subject = 'comment' AND c.id = r.subject_id \
         LEFT JOIN users uc ON uc.id = c.author_id \
         WHERE r.state = 'open' ORDER BY r.created_at, r.id";
    let rows: Vec<OpenRow> = query(SQL).fetch_all(db).await?;
    let mut gathered: Vec<Reported> = Vec::new();
    for row in rows {
        match gathered
            .iter_mut()
            .find(|g| g.subject == row.subject && g.subject_id == row.subject_id)
        {
            Some(g) => {
                g.reports += 1;
                if !g.reasons.contains(&row.reason) {
                    g.reasons.push(row.reason);
                }
            }
            None => gathered.push(Reported {
                subject: row.subject,
                subject_id: row.subject_id,
                text: row.text.unwrap_or_default(),
                author_handle: row.author_handle.unwrap_or_default(),
                link: row
                    .bop_id
                    .map(|id| format!("/bops/{id}"))
                    .unwrap_or_default(),
                reports: 1,
                reasons: vec![row.reason],
                first_reported_at: row.created_at,
            }),
        }
    }
    gathered.sort_by(|a, b| {
        b.reports
            .cmp(&a.reports)
            .then(a.first_reported_at.cmp(&b.first_reported_at))
    });
    gathered.truncate(limit);
    Ok(gathered)
}

/// An operator's decision on everything reported about one Bop or comment: kept, or
/// removed everywhere (softly: a Bop's money records stay). Closes its open reports.
pub async fn decide(
    db: &Db,
    operator: UserId,
    subject: Subject,
    id: i64,
    decision: Decision,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    const CLOSE: &str = "UPDATE reports SET state = $3, resolved_at = $4, resolved_by = $5 \
                         WHERE subject = $1 AND subject_id = $2 AND state = 'open'";
    let closed = query(CLOSE)
        .bind(subject.as_str())
        .bind(id)
        .bind(decision.as_str())
        .bind(now_ms())
        .bind(operator.0)
        .execute(&mut tx)
        .await?;
    if closed == 0 {
        return Err(AppError::NotFound);
    }
    if decision == Decision::Remove {
        match subject {
            Subject::Bop => bops::service::take_down(&mut tx, id).await?,
            Subject::Comment => bops::engagement::take_down_comment(&mut tx, id).await?,
        }
    }
    tx.commit().await
}
