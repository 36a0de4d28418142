//! Whom a change breaks: one table, keyed by what the change does and which way the data
//! travels, with the reason printed next to every change.
//!
//! The principle: a request is produced by the client and consumed by the server, a response
//! the other way round. A change that makes fewer messages valid (a tightened constraint, a
//! newly required member, a value removed) breaks the producer, whose messages may now be
//! refused; a change that makes more messages valid or takes a guarantee away (a loosened
//! constraint, a member removed or made optional, a new value) breaks the consumer, who may
//! now receive what it never had to handle. A change of type breaks both. Two exceptions come
//! from the generated code itself: a new enum value in a response lands in the enum's
//! `Unknown` catch-all, and a new status in a response lands in the client's fallback, so
//! neither breaks a client; the server trait has one method per operation and one response
//! variant per status, so operations added or removed and statuses removed break servers.

use super::Side;

/// What a change does to the messages of its side; the key of the table with [`Side`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// An operation was added.
    OperationAdded,
    /// An operation was removed.
    OperationRemoved,
    /// A response status was added.
    StatusAdded,
    /// A response status was removed.
    StatusRemoved,
    /// A member that must be present was added (parameter, property, body, header).
    AddedRequired,
    /// A member that may be absent was added.
    AddedOptional,
    /// A member was removed.
    Removed,
    /// A member became required.
    MadeRequired,
    /// A member became optional.
    MadeOptional,
    /// Fewer values are valid: a constraint tightened or added, a value or alternative
    /// removed, `null` no longer allowed, a changed pattern (which cannot be proven wider).
    Narrowed,
    /// More values are valid: a constraint loosened or dropped, an alternative added, `null`
    /// now allowed.
    Widened,
    /// An enum value was added.
    ValueAdded,
    /// Neither set of values contains the other: a type or media type change, one format for
    /// another.
    Incompatible,
}

impl Class {
    /// The kebab-case name used in JSON reports.
    pub fn name(self) -> &'static str {
        match self {
            Class::OperationAdded => "operation-added",
            Class::OperationRemoved => "operation-removed",
            Class::StatusAdded => "status-added",
            Class::StatusRemoved => "status-removed",
            Class::AddedRequired => "added-required",
            Class::AddedOptional => "added-optional",
            Class::Removed => "removed",
            Class::MadeRequired => "made-required",
            Class::MadeOptional => "made-optional",
            Class::Narrowed => "narrowed",
            Class::Widened => "widened",
            Class::ValueAdded => "value-added",
            Class::Incompatible => "incompatible",
        }
    }
}

/// The verdict for one party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Whether code written against the old document must change.
    pub breaking: bool,
    /// Why, in a sentence.
    pub rule: &'static str,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// What the change does.
    pub class: Class,
    /// Which way the data travels.
    pub side: Side,
    /// For consumers of the generated client.
    pub client: Verdict,
    /// For implementers of the generated server trait.
    pub server: Verdict,
}

const fn row(class: Class, side: Side, client: Verdict, server: Verdict) -> Rule {
    Rule {
        class,
        side,
        client,
        server,
    }
}

const fn breaks(rule: &'static str) -> Verdict {
    Verdict {
        breaking: true,
        rule,
    }
}

const fn ok(rule: &'static str) -> Verdict {
    Verdict {
        breaking: false,
        rule,
    }
}

use Class as C;
use Side::{Operation as Op, Request as Req, Response as Res};

/// Every rule. Requests: the client produces, the server consumes; responses: the reverse.
// Kept as a table: one row per line pair reads better than rustfmt's layout.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    row(C::OperationAdded, Op,
        ok("a new method to call; existing calls are unchanged"),
        breaks("a new trait method every implementation must provide")),
    row(C::OperationRemoved, Op,
        breaks("the method is gone: calls to it no longer compile, and servers answer 404"),
        breaks("the trait method is gone: implementations of it no longer compile")),
    row(C::StatusAdded, Res,
        ok("a new response variant; until handled it arrives through the fallback"),
        ok("a new answer servers may give; what they returned before stays valid")),
    row(C::StatusRemoved, Res,
        ok("servers no longer give this answer: harmless, though a match arm for it must go"),
        breaks("the response variant is gone: implementations returning it no longer compile")),
    row(C::AddedRequired, Req,
        breaks("clients must now send it; requests without it are refused"),
        ok("servers receive more than before")),
    row(C::AddedOptional, Req,
        ok("clients may send it; requests without it stay valid"),
        ok("servers may use it when present; requests without it are as before")),
    row(C::Removed, Req,
        ok("what clients sent stays acceptable: unlisted members are tolerated"),
        breaks("servers no longer receive it: code that read it must change")),
    row(C::MadeRequired, Req,
        breaks("clients that omitted it are now refused"),
        ok("servers can now rely on it")),
    row(C::MadeOptional, Req,
        ok("clients may keep sending it"),
        breaks("servers can no longer rely on it: it may be absent")),
    row(C::Narrowed, Req,
        breaks("values clients sent before may now be refused"),
        ok("servers receive a subset of what they accepted")),
    row(C::Widened, Req,
        ok("everything clients sent stays valid"),
        breaks("servers may receive values they never had to handle")),
    row(C::ValueAdded, Req,
        ok("everything clients sent stays valid"),
        breaks("servers must accept and handle a new value")),
    row(C::Incompatible, Req,
        breaks("what clients sent no longer fits the new definition"),
        breaks("servers receive a different kind of value")),
    row(C::AddedRequired, Res,
        ok("clients receive more than before"),
        breaks("servers must now produce it")),
    row(C::AddedOptional, Res,
        ok("clients may receive it; responses without it stay valid"),
        ok("servers may produce it")),
    row(C::Removed, Res,
        breaks("clients no longer receive it: code that read it must change"),
        ok("what servers produced stays acceptable: unlisted members are ignored")),
    row(C::MadeRequired, Res,
        ok("clients can now rely on it"),
        breaks("servers must now always produce it")),
    row(C::MadeOptional, Res,
        breaks("clients can no longer rely on it: it may be absent"),
        ok("servers may keep producing it")),
    row(C::Narrowed, Res,
        ok("clients receive a subset of what they accepted"),
        breaks("values servers produced before may now be invalid")),
    row(C::Widened, Res,
        breaks("clients may receive values they never had to handle"),
        ok("everything servers produced stays valid")),
    row(C::ValueAdded, Res,
        ok("an unknown value lands in the enum's Unknown catch-all, so tolerant clients keep working"),
        ok("a new value servers may produce; nothing they produced becomes invalid")),
    row(C::Incompatible, Res,
        breaks("clients receive a different kind of value"),
        breaks("what servers produced no longer fits the new definition")),
];

/// Used for a class and side the table has no row for, which the tests prove cannot happen.
const UNLISTED: Rule = row(
    C::Incompatible,
    Op,
    breaks("no rule covers this change, so it is taken as breaking"),
    breaks("no rule covers this change, so it is taken as breaking"),
);

/// The rule for a change of `class` on `side`.
pub fn classify(class: Class, side: Side) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.class == class && r.side == side)
        .unwrap_or(&UNLISTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBER_CLASSES: [Class; 9] = [
        C::AddedRequired,
        C::AddedOptional,
        C::Removed,
        C::MadeRequired,
        C::MadeOptional,
        C::Narrowed,
        C::Widened,
        C::ValueAdded,
        C::Incompatible,
    ];

    #[test]
    fn every_class_the_walk_emits_has_exactly_one_row() {
        let mut wanted = vec![
            (C::OperationAdded, Op),
            (C::OperationRemoved, Op),
            (C::StatusAdded, Res),
            (C::StatusRemoved, Res),
        ];
        for class in MEMBER_CLASSES {
            wanted.push((class, Req));
            wanted.push((class, Res));
        }
        for (class, side) in &wanted {
            let n = RULES
                .iter()
                .filter(|r| r.class == *class && r.side == *side)
                .count();
            assert_eq!(n, 1, "{class:?} on {side:?}");
        }
        assert_eq!(RULES.len(), wanted.len(), "no row the walk cannot reach");
    }

    /// Requests and responses mirror each other: whatever breaks the producer of a request
    /// (the client) breaks the producer of a response (the server), except where the table's
    /// header says why not.
    #[test]
    fn requests_and_responses_mirror_each_other() {
        for class in MEMBER_CLASSES {
            if class == C::ValueAdded {
                continue;
            }
            let req = classify(class, Req);
            let res = classify(class, Res);
            assert_eq!(req.client.breaking, res.server.breaking, "{class:?}");
            assert_eq!(req.server.breaking, res.client.breaking, "{class:?}");
        }
        let value = classify(C::ValueAdded, Res);
        assert!(!value.client.breaking && !value.server.breaking);
        assert!(classify(C::ValueAdded, Req).server.breaking);
    }

    #[test]
    fn operation_rules_follow_the_trait_and_the_fallback() {
        assert!(!classify(C::OperationAdded, Op).client.breaking);
        assert!(classify(C::OperationAdded, Op).server.breaking);
        let removed = classify(C::OperationRemoved, Op);
        assert!(removed.client.breaking && removed.server.breaking);
        let added = classify(C::StatusAdded, Res);
        assert!(!added.client.breaking && !added.server.breaking);
        let gone = classify(C::StatusRemoved, Res);
        assert!(!gone.client.breaking && gone.server.breaking);
        assert_eq!(
            classify(C::StatusAdded, Req).client.rule,
            "no rule covers this change, so it is taken as breaking"
        );
    }
}
