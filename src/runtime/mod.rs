//! The runtime: everything with I/O around the pure app. `load` resolves and reads what to
//! show (demo, snapshot, live account), `effects` carries out what `app::update` asks for,
//! `terminal` owns the terminal and runs the loop, `incident` prepares `guardpost incident`.
pub mod effects;
pub mod fix;
pub mod incident;
pub mod load;
pub mod logging;
pub mod terminal;
