//! How a generated router behaves: body limit, deadlines, the response check.

use super::Operation;
use std::collections::BTreeMap;
use std::time::Duration;

/// Settings of a generated router, built with `with_*` methods from [`Config::default`].
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) body_limit: usize,
    deadline_all: Option<Duration>,
    deadlines: BTreeMap<String, Duration>,
    pub(crate) check_responses: bool,
}

impl Default for Config {
    /// A 1 MiB body limit, each operation's deadline from its frequency class, and the response
    /// check on in debug builds (and so in tests), off in release builds.
    fn default() -> Self {
        Config {
            body_limit: 1024 * 1024,
            deadline_all: None,
            deadlines: BTreeMap::new(),
            check_responses: cfg!(debug_assertions),
        }
    }
}

impl Config {
    /// The largest request body accepted, in bytes; a larger one gets a 413.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The deadline of every operation that has none of its own.
    pub fn with_deadlines(mut self, deadline: Duration) -> Self {
        self.deadline_all = Some(deadline);
        self
    }

    /// The deadline of one operation, by its function name (`get_accounts`).
    pub fn with_deadline(mut self, operation: &str, deadline: Duration) -> Self {
        self.deadlines.insert(operation.to_owned(), deadline);
        self
    }

    /// Whether what the back-end returns is validated before it goes out: a response that
    /// breaks the document becomes a 500 in the error envelope and an error in the log.
    pub fn with_response_check(mut self, on: bool) -> Self {
        self.check_responses = on;
        self
    }

    /// The deadline of `op`: its own, else the one for all, else its class's budget.
    pub fn deadline(&self, op: &Operation) -> Duration {
        self.deadlines
            .get(op.name)
            .copied()
            .or(self.deadline_all)
            .unwrap_or_else(|| op.frequency.budget())
    }

    /// The body limit in bytes.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// Whether responses are checked.
    pub fn checks_responses(&self) -> bool {
        self.check_responses
    }
}
