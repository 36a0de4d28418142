//! Following `links.next` of the regulated list responses to the last page.
//!
//! Only the query of `links.next` is taken: it is sent to the operation's own path on the
//! client's base URL, so that a link naming another host never receives the token or the mTLS
//! identity. The walk ends at a page without `links.next`, at a page whose `data` is empty, at
//! `meta.totalPages` pages, at the client's page limit, and at a link already followed (its
//! query compared with its pairs sorted), so a server that links a page to itself, or keeps
//! minting new links, cannot make it loop and bill; [`Pages::stopped`] says which ended it.

use super::config::Core;
use super::error::Error;
use super::request::Paged;
use super::response::{Reply, Response};
use super::send::{CallOptions, Prepared};
use futures_core::Stream;
use std::collections::BTreeSet;
use std::pin::Pin;
use std::task::{Context, Poll};

type Item<R> = Result<Reply<<R as Response>::Success>, Error<R>>;

/// The pages of a list operation, in order: a [`Stream`], or call [`Pages::next`]. Each page
/// is one call, with its own interaction id; the walk ends after the last page or the first
/// error.
pub struct Pages<R: Response> {
    inner: Pin<Box<dyn Stream<Item = Item<R>> + Send>>,
    stopped: std::sync::Arc<std::sync::Mutex<Option<Stop>>>,
}

/// Why a walk of pages ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The last page had no `links.next`, or an empty `data`.
    LastPage,
    /// As many pages as `meta.totalPages` said there are.
    TotalPages(u64),
    /// The client's page limit ([`Config::page_limit`](super::Config::page_limit)).
    PageLimit(usize),
    /// `links.next` named a page already fetched.
    RepeatedLink,
    /// A call failed (the error was the last item).
    Error,
}

impl<R: Response> std::fmt::Debug for Pages<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pages")
    }
}

struct Walk {
    core: Core,
    next: Option<Prepared>,
    first_id: Option<String>,
    seen: BTreeSet<String>,
    fetched: usize,
    stopped: std::sync::Arc<std::sync::Mutex<Option<Stop>>>,
}

impl Walk {
    fn stop(&self, why: Stop) {
        if let Ok(mut s) = self.stopped.lock() {
            *s = Some(why);
        }
    }
}

/// What a page says of the next one, read in one pass that skips everything else.
#[derive(serde::Deserialize)]
struct PageBody {
    links: Option<Links>,
    #[serde(default)]
    data: Items,
    meta: Option<PageMeta>,
}

#[derive(serde::Deserialize)]
struct PageMeta {
    #[serde(rename = "totalPages")]
    total_pages: Option<serde_json::Value>,
}

/// How many items `data` holds, when it is an array.
#[derive(Default)]
struct Items(Option<usize>);

impl<'de> serde::Deserialize<'de> for Items {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Count;
        impl<'de> serde::de::Visitor<'de> for Count {
            type Value = Items;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Items, A::Error> {
                let mut n = 0;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Items(Some(n)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Items, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Items(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Items, E> {
                Ok(Items(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Items, E> {
                Ok(Items(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Items, E> {
                Ok(Items(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Items, E> {
                Ok(Items(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Items, E> {
                Ok(Items(None))
            }
            fn visit_unit<E>(self) -> Result<Items, E> {
                Ok(Items(None))
            }
        }
        d.deserialize_any(Count)
    }
}

#[derive(serde::Deserialize)]
struct Links {
    next: Option<String>,
}

impl<R: Response> Pages<R> {
    /// The next page, or `None` after the last.
    pub async fn next(&mut self) -> Option<Item<R>> {
        std::future::poll_fn(|cx| self.inner.as_mut().poll_next(cx)).await
    }

    /// Why the walk ended, once it has (`None` while pages remain).
    pub fn stopped(&self) -> Option<Stop> {
        self.stopped.lock().ok().and_then(|s| *s)
    }

    /// Every page's success, in order, or the first error.
    pub async fn collect_all(mut self) -> Result<Vec<Reply<R::Success>>, Error<R>> {
        let mut out = Vec::new();
        while let Some(page) = self.next().await {
            out.push(page?);
        }
        Ok(out)
    }
}

impl<R: Response> Stream for Pages<R> {
    type Item = Item<R>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item<R>>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// What a page says of the next: its query (resolved against `current`), or why there is none;
/// and `meta.totalPages`, when the page gives it.
fn next_query(body: &[u8], current: &reqwest::Url) -> (Option<String>, Option<u64>) {
    let Ok(paged) = serde_json::from_slice::<PageBody>(body) else {
        return (None, None);
    };
    let total = paged
        .meta
        .and_then(|m| m.total_pages)
        .and_then(|t| t.as_u64());
    if paged.data.0 == Some(0) {
        return (None, total);
    }
    let next = paged
        .links
        .and_then(|l| l.next)
        .and_then(|n| current.join(n.trim()).ok())
        .and_then(|url| url.query().filter(|q| !q.is_empty()).map(str::to_owned));
    (next, total)
}

/// A query in a form that compares equal however its pairs are ordered.
fn canonical(query: &str) -> String {
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort_unstable();
    pairs.join("&")
}

impl Core {
    /// Walks the pages of a list operation from `request`'s page on.
    pub fn pages<Q: Paged>(&self, request: Q, options: CallOptions) -> Pages<Q::Response> {
        let first: Result<(Prepared, Option<String>), Error<Q::Response>> =
            self.prepare::<Q, Q::Response>(request, &options);
        let stopped = std::sync::Arc::new(std::sync::Mutex::new(None));
        let (walk, failed) = match first {
            Ok((p, id)) => {
                let mut seen = BTreeSet::new();
                seen.insert(canonical(p.url.query().unwrap_or_default()));
                (
                    Walk {
                        core: self.clone(),
                        next: Some(p),
                        first_id: id,
                        seen,
                        fetched: 0,
                        stopped: stopped.clone(),
                    },
                    None,
                )
            }
            Err(e) => {
                if let Ok(mut s) = stopped.lock() {
                    *s = Some(Stop::Error);
                }
                (
                    Walk {
                        core: self.clone(),
                        next: None,
                        first_id: None,
                        seen: BTreeSet::new(),
                        fetched: 0,
                        stopped: stopped.clone(),
                    },
                    Some(e),
                )
            }
        };
        let failed = futures_util::stream::iter(failed.map(Err));
        let walk = futures_util::stream::unfold(walk, move |mut w| async move {
            let p = w.next.take()?;
            let id = w
                .first_id
                .take()
                // Like every call, each page carries an interaction id of its own.
                .or_else(|| Some(super::mint_interaction_id()));
            let result = w.core.execute::<Q::Response>(&p, id).await;
            w.fetched += 1;
            match &result {
                Err(_) => w.stop(Stop::Error),
                Ok(reply) => match next_query(&reply.body, &p.url) {
                    (None, _) => w.stop(Stop::LastPage),
                    (Some(_), Some(total)) if w.fetched as u64 >= total => {
                        w.stop(Stop::TotalPages(total))
                    }
                    (Some(_), _) if w.fetched >= w.core.inner.page_limit => {
                        w.stop(Stop::PageLimit(w.core.inner.page_limit))
                    }
                    (Some(query), _) => {
                        if w.seen.insert(canonical(&query)) {
                            let mut following = p.clone();
                            following.url.set_query(Some(&query));
                            w.next = Some(following);
                        } else {
                            w.stop(Stop::RepeatedLink);
                        }
                    }
                },
            }
            Some((result, w))
        });
        use futures_util::StreamExt;
        Pages {
            inner: Box::pin(failed.chain(walk)),
            stopped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).expect("valid")
    }

    fn nq(body: &[u8], cur: &reqwest::Url) -> Option<String> {
        next_query(body, cur).0
    }

    #[test]
    fn total_pages_are_read_where_given() {
        let cur = url("http://127.0.0.1:1/x?page=1");
        let body = br#"{"data":[1],"links":{"next":"/x?page=2"},"meta":{"totalPages":3}}"#;
        assert_eq!(
            next_query(body, &cur),
            (Some(String::from("page=2")), Some(3))
        );
        let body = br#"{"data":[1],"meta":{"totalPages":"x"}}"#;
        assert_eq!(next_query(body, &cur), (None, None));
    }

    #[test]
    fn next_takes_the_query_only() {
        let cur = url("http://127.0.0.1:1/open-banking/accounts/v2/accounts?page=1");
        let body = br#"{"data":[{}],"links":{"self":"x","next":"https://elsewhere.example/a/b?page=2&page-size=25"}}"#;
        assert_eq!(nq(body, &cur).as_deref(), Some("page=2&page-size=25"));
    }

    #[test]
    fn data_of_any_shape_still_yields_the_link() {
        let cur = url("http://127.0.0.1:1/x?page=1");
        for data in [r#"{"a":1}"#, "null", "\"x\"", "3"] {
            let body = format!(r#"{{"data":{data},"links":{{"next":"/x?page=2"}}}}"#);
            assert_eq!(
                nq(body.as_bytes(), &cur).as_deref(),
                Some("page=2"),
                "{data}"
            );
        }
    }

    #[test]
    fn an_empty_page_ends_the_walk() {
        let cur = url("http://127.0.0.1:1/x?page=3");
        let body = br#"{"data":[],"links":{"next":"/x?page=4"}}"#;
        assert_eq!(nq(body, &cur), None);
        let body = br#"{"data":[1],"links":{"next":"/x?page=4"}}"#;
        assert_eq!(nq(body, &cur).as_deref(), Some("page=4"));
    }

    #[test]
    fn queries_compare_whatever_their_order() {
        assert_eq!(
            canonical("page=2&page-size=25"),
            canonical("page-size=25&page=2")
        );
        assert_ne!(canonical("page=2"), canonical("page=3"));
    }

    #[test]
    fn no_next_no_page() {
        let cur = url("http://127.0.0.1:1/x?page=3");
        assert_eq!(nq(br#"{"links":{"self":"x"}}"#, &cur), None);
        assert_eq!(nq(br#"{"links":{"next":null}}"#, &cur), None);
        assert_eq!(nq(br#"{"data":[]}"#, &cur), None);
        assert_eq!(nq(b"<html>", &cur), None);
    }
}
