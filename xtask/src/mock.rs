//! `cargo xtask mock KIND/FAMILY`: will serve a catalogued document's generated router with
//! example answers, for trying a client without a back-end.

use crate::cli::MockArgs;
use crate::Error;

/// Runs `mock`. The generated server stubs it serves come with issue 4.
pub fn run(_args: &MockArgs) -> Result<(), Error> {
    Err(Error::NotYet {
        command: String::from("mock"),
        what: "serves a generated router with example answers, which needs the server stubs",
        issue: 4,
    })
}
