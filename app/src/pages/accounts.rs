pub mod account_page;
pub mod forgot_password_page;
pub mod reset_password_page;
pub mod sign_in_page;
pub mod sign_up_page;
pub mod verify_email_page;
