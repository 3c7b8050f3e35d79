pub mod funnel_page;
pub mod jobs_page;
