//! `cargo xtask quickstart`: will walk the partner API quickstart against local servers.

use crate::Error;

/// Runs `quickstart`. The partner API and typed clients it walks through come with issue 5.
pub fn run() -> Result<(), Error> {
    Err(Error::NotYet {
        command: String::from("quickstart"),
        what: "walks the partner API quickstart, which needs the partner API and typed clients",
        issue: 5,
    })
}
