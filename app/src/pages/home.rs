pub mod landing_page;
