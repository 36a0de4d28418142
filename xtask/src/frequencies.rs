//! `specs/frequencies.toml`: the regulated frequency class of each endpoint, beside the
//! catalog. It sets the generated servers' default deadlines. Every problem is reported at once;
//! a table for a document the catalog does not have is one, and so (at generation) is a class for
//! an endpoint the document does not have.

use crate::catalog::{Catalog, Entry};
use ofb_codegen::{Frequency, Settings};
use std::collections::BTreeMap;
use std::path::Path;

/// Classes by document id (`regulated/accounts`), then by `(METHOD, path)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frequencies(BTreeMap<String, BTreeMap<(String, String), Frequency>>);

type Raw = BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>;

impl Frequencies {
    /// Reads the file, checked against `catalog` where one is given; a missing file means no
    /// classes.
    pub fn load(path: &Path, catalog: Option<&Catalog>) -> Result<Frequencies, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        Self::parse(&text, catalog).map_err(|problems| {
            problems
                .iter()
                .map(|p| format!("{}: {p}", path.display()))
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    /// Parses the file's text, reporting every problem.
    pub fn parse(text: &str, catalog: Option<&Catalog>) -> Result<Frequencies, Vec<String>> {
        let raw: Raw = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut out = BTreeMap::new();
        let mut problems = Vec::new();
        for (kind, families) in raw {
            for (family, endpoints) in families {
                let id = format!("{kind}/{family}");
                if catalog.is_some_and(|c| c.find(&id).is_none()) {
                    problems.push(format!("[{id}]: the catalog has no document {id}"));
                    continue;
                }
                let mut classes = BTreeMap::new();
                for (endpoint, class) in endpoints {
                    let Some((method, route)) = endpoint.split_once(' ') else {
                        problems.push(format!(
                            "[{id}] \"{endpoint}\": write the endpoint as \"METHOD /path\""
                        ));
                        continue;
                    };
                    match class.parse::<Frequency>() {
                        Ok(f) => {
                            classes.insert((method.to_ascii_uppercase(), route.to_owned()), f);
                        }
                        Err(e) => problems.push(format!("[{id}] \"{endpoint}\": {e}")),
                    }
                }
                out.insert(id, classes);
            }
        }
        if problems.is_empty() {
            Ok(Frequencies(out))
        } else {
            Err(problems)
        }
    }

    /// The class recorded for `METHOD path` of `entry`.
    pub fn class(&self, entry: &Entry, method: &str, path: &str) -> Option<Frequency> {
        self.0
            .get(&entry.id())?
            .get(&(method.to_ascii_uppercase(), path.to_owned()))
            .copied()
    }

    /// `settings` with the classes of `entry`'s endpoints.
    pub fn apply(&self, entry: &Entry, settings: Settings) -> Settings {
        self.0
            .get(&entry.id())
            .into_iter()
            .flatten()
            .fold(settings, |s, ((m, p), f)| s.with_frequency(m, p, *f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::load(&crate::repo_root().join("specs/catalog.toml")).expect("the catalog loads")
    }

    #[test]
    fn the_file_of_the_repository_is_valid() {
        let c = catalog();
        let f = Frequencies::load(&crate::repo_root().join("specs/frequencies.toml"), Some(&c))
            .expect("specs/frequencies.toml is valid");
        let accounts = f.0.get("regulated/accounts").expect("accounts has classes");
        assert_eq!(
            accounts.get(&(
                String::from("GET"),
                String::from("/accounts/{accountId}/balances")
            )),
            Some(&Frequency::High)
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let text = "[regulated.accounts]\n\"GET /a\" = \"often\"\n\"nospace\" = \"low\"\n\
                    [regulated.nothing]\n\"GET /x\" = \"low\"\n";
        let problems = Frequencies::parse(text, Some(&catalog())).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].contains("unknown frequency class `often`"),
            "{problems:?}"
        );
        assert!(problems[1].contains("\"METHOD /path\""), "{problems:?}");
        assert!(
            problems[2].contains("no document regulated/nothing"),
            "{problems:?}"
        );
    }
}
