pub mod funnel_page;
pub mod jobs_page;
pub mod reconciliation_page;
pub mod reports_page;
