pub mod artist_page;
pub mod music_page;
pub mod release_page;
