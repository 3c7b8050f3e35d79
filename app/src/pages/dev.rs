pub mod mailbox_page;
