pub mod artist_page;
pub mod music_page;
