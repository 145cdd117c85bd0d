//! Accounts, sign-in, sessions and the role guards every server function starts with.

mod permissions;
mod roles;
mod server_fns;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use permissions::*;
pub use roles::*;
pub use server_fns::*;
