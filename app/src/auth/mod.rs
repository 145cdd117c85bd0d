//! Accounts, sign-in, sessions and the role guards every server function starts with.

mod permissions;
mod roles;
pub(crate) mod server_fns;
#[cfg(feature = "ssr")]
pub mod sign_up;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
pub mod totp;

pub use permissions::*;
pub use roles::*;
pub use server_fns::*;
