pub mod billing_page;
pub mod checkout_page;
pub mod connect_page;
