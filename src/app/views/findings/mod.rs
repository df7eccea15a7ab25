//! The findings table: the list model (scope → closed filter → sort → filter → groups).
pub mod list;
