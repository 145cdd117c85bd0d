//! Accounts, sign-in, sessions and the role guards every server function starts with.

mod roles;
mod server_fns;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use roles::*;
pub use server_fns::*;
