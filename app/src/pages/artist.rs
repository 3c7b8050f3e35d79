pub mod bops_page;
pub mod dashboard_page;
pub mod earnings_page;
pub mod payout_page;
pub mod payouts_page;
pub mod setup_page;
pub mod signup_page;
pub mod signup_return_page;
