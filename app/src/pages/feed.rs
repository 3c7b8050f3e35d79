pub mod feed_page;
