//! Following `links.next` of the regulated list responses to the last page.
//!
//! Only the query of `links.next` is taken: it is sent to the operation's own path on the
//! client's base URL, so that a link naming another host never receives the token or the mTLS
//! identity. The walk ends at a page without `links.next`, at a page whose `data` is empty,
//! and at a link already followed (its query compared with its pairs sorted), so a server that
//! links a page to itself, or two pages to each other, cannot make it loop and bill.

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
}

/// What a page says of the next one, read in one pass that skips everything else.
#[derive(serde::Deserialize)]
struct PageBody {
    links: Option<Links>,
    #[serde(default)]
    data: Items,
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

/// The query of the page `body` links to next, resolved against `current`.
fn next_query(body: &[u8], current: &reqwest::Url) -> Option<String> {
    let paged: PageBody = serde_json::from_slice(body).ok()?;
    if paged.data.0 == Some(0) {
        return None;
    }
    let next = paged.links?.next?;
    let url = current.join(next.trim()).ok()?;
    url.query().filter(|q| !q.is_empty()).map(str::to_owned)
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
                    },
                    None,
                )
            }
            Err(e) => (
                Walk {
                    core: self.clone(),
                    next: None,
                    first_id: None,
                    seen: BTreeSet::new(),
                },
                Some(e),
            ),
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
            if let Ok(reply) = &result {
                if let Some(query) = next_query(&reply.body, &p.url) {
                    if w.seen.insert(canonical(&query)) {
                        let mut following = p.clone();
                        following.url.set_query(Some(&query));
                        w.next = Some(following);
                    }
                }
            }
            Some((result, w))
        });
        use futures_util::StreamExt;
        Pages {
            inner: Box::pin(failed.chain(walk)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).expect("valid")
    }

    #[test]
    fn next_takes_the_query_only() {
        let cur = url("http://127.0.0.1:1/open-banking/accounts/v2/accounts?page=1");
        let body = br#"{"data":[{}],"links":{"self":"x","next":"https://elsewhere.example/a/b?page=2&page-size=25"}}"#;
        assert_eq!(
            next_query(body, &cur).as_deref(),
            Some("page=2&page-size=25")
        );
    }

    #[test]
    fn data_of_any_shape_still_yields_the_link() {
        let cur = url("http://127.0.0.1:1/x?page=1");
        for data in [r#"{"a":1}"#, "null", "\"x\"", "3"] {
            let body = format!(r#"{{"data":{data},"links":{{"next":"/x?page=2"}}}}"#);
            assert_eq!(
                next_query(body.as_bytes(), &cur).as_deref(),
                Some("page=2"),
                "{data}"
            );
        }
    }

    #[test]
    fn an_empty_page_ends_the_walk() {
        let cur = url("http://127.0.0.1:1/x?page=3");
        let body = br#"{"data":[],"links":{"next":"/x?page=4"}}"#;
        assert_eq!(next_query(body, &cur), None);
        let body = br#"{"data":[1],"links":{"next":"/x?page=4"}}"#;
        assert_eq!(next_query(body, &cur).as_deref(), Some("page=4"));
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
        assert_eq!(next_query(br#"{"links":{"self":"x"}}"#, &cur), None);
        assert_eq!(next_query(br#"{"links":{"next":null}}"#, &cur), None);
        assert_eq!(next_query(br#"{"data":[]}"#, &cur), None);
        assert_eq!(next_query(b"<html>", &cur), None);
    }
}
