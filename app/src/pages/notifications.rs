pub mod notifications_page;
