//! The effect interpreter: carries out what `app::update` asks for and answers with events.
pub mod effects;
