pub mod shop_page;
