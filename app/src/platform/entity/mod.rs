//! sea-orm entities, one file a table, without runtime features (services take `&DbConn`).

pub mod need;
pub mod prison;
pub mod province;
pub mod session;
pub mod user;
pub mod user_scope;
