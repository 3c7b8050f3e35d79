pub mod jobs_page;
