//! Policy evaluation: documents ([`document`]), a principal's effective permissions and the
//! request evaluator ([`permissions`]), and privilege escalation as a graph ([`escalation`]).

pub mod catalog;
pub mod document;
mod edges;
pub mod escalation;
mod gather;
pub mod permissions;

pub use document::*;
pub use escalation::{
    Analysis, Category, EscalationPath, Hop, Method, Reach, TargetKind, catalog, escalation_paths,
};
pub use permissions::*;
