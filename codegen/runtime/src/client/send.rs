//! One call: the request written and checked, the token asked for, the attempts the retry
//! policy allows, and the answer sorted into a success or an [`Error`] that keeps it.

use super::config::Core;
use super::error::{Error, ErrorKind, Raw};
use super::request::{Endpoint, Outgoing, Request};
use super::response::{Incoming, Reply, Response};
use http::{HeaderMap, HeaderName, HeaderValue};
use std::time::Duration;

const INTERACTION_ID: &str = "x-fapi-interaction-id";

/// What a single call may set besides its typed request.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// The deadline of this call, instead of the client's.
    pub timeout: Option<Duration>,
    /// The `x-fapi-interaction-id` to send, instead of a minted one.
    pub interaction_id: Option<String>,
    /// Extra headers for this call.
    pub headers: Vec<(String, String)>,
    /// Sends the request even where it breaks the document's rules (to probe a server, or
    /// when the document is wrong); checked by default.
    pub unchecked: bool,
}

/// A request ready to go out, and to go out again (retries, further pages).
#[derive(Debug, Clone)]
pub(super) struct Prepared {
    pub(super) endpoint: &'static Endpoint,
    pub(super) method: reqwest::Method,
    pub(super) url: reqwest::Url,
    pub(super) headers: HeaderMap,
    pub(super) body: Option<(&'static str, bytes::Bytes)>,
    pub(super) signed: bool,
    pub(super) timeout: Duration,
}

impl Core {
    /// Sends `request` and sorts the answer (what the generated methods call).
    pub async fn call<Q: Request>(
        &self,
        request: Q,
        options: CallOptions,
    ) -> Result<Reply<<Q::Response as Response>::Success>, Error<Q::Response>> {
        let (prepared, id) = self.prepare::<Q, Q::Response>(request, &options)?;
        self.execute::<Q::Response>(&prepared, id).await
    }

    /// Writes and checks the request; returns it with the interaction id of its first attempt.
    pub(super) fn prepare<Q: Request, R>(
        &self,
        mut request: Q,
        options: &CallOptions,
    ) -> Result<(Prepared, Option<String>), Error<R>> {
        let endpoint = Q::ENDPOINT;
        // Every call carries an interaction id, declared or not: it is what a support ticket
        // names on either side.
        let id = options
            .interaction_id
            .clone()
            .or_else(|| {
                request
                    .interaction_id()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            })
            .unwrap_or_else(super::mint_interaction_id);
        request.set_interaction_id(&id);
        let id = Some(id);
        let invalid = |violations| Error {
            operation: endpoint.name,
            interaction_id: id.clone(),
            kind: Box::new(ErrorKind::Invalid { violations }),
        };
        if !options.unchecked {
            request.validate().map_err(invalid)?;
        }
        let mut out = Outgoing::new(endpoint.path);
        request.write(&mut out);
        let mut problems = std::mem::take(&mut out.problems);
        let mut url = self.inner.base.clone();
        let path = format!("{}{}", url.path().trim_end_matches('/'), out.path);
        url.set_path(&path);
        if !out.query.is_empty() {
            url.query_pairs_mut().extend_pairs(out.query.iter());
        }
        let mut headers = HeaderMap::new();
        let extra = options
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()));
        for (name, value) in out
            .headers
            .iter()
            .map(|(n, v)| (*n, v.as_str()))
            .chain(extra)
        {
            match (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                (Ok(n), Ok(v)) => {
                    headers.append(n, v);
                }
                // The value is not repeated: it may be a credential.
                _ => problems.push(format!(
                    "header `{name}` cannot be sent (its name or value has characters a header cannot carry)"
                )),
            }
        }
        if !problems.is_empty() {
            let violations = crate::Violations::new(
                problems
                    .into_iter()
                    .map(|message| crate::Violation {
                        pointer: String::new(),
                        rule: crate::Rule::Type,
                        message,
                    })
                    .collect(),
            );
            return Err(invalid(violations));
        }
        let method =
            reqwest::Method::from_bytes(endpoint.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        Ok((
            Prepared {
                endpoint,
                method,
                url,
                headers,
                body: out.body.map(|(m, b)| (m, bytes::Bytes::from(b))),
                signed: out.signed,
                timeout: options.timeout.unwrap_or(self.inner.timeout),
            },
            id,
        ))
    }

    /// A signed body: the JSON `body` signed by the configured signer, afresh for each attempt
    /// (a retried token with the same `jti` would be refused as a replay).
    fn signed(&self, body: &[u8]) -> Result<String, crate::Violations> {
        let problem = |message: String| {
            crate::Violations::new(vec![crate::Violation {
                pointer: String::new(),
                rule: crate::Rule::Type,
                message,
            }])
        };
        let Some(signer) = &self.inner.signer else {
            return Err(problem(String::from(
                "the body is signed (application/jwt) and the client has no signer: \
                 Config::with_signer",
            )));
        };
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| problem(format!("the body cannot be signed: {e}")))?;
        signer.sign(&value).map_err(|e| problem(e.to_string()))
    }

    /// For a signed answer (`application/jwt`), the same answer with the verified payload as
    /// its JSON body; `None` for any other answer.
    async fn verified(
        &self,
        endpoint: &Endpoint,
        incoming: &Incoming,
    ) -> Result<Option<Incoming>, super::Mismatch> {
        if !endpoint.signed_response
            || incoming.media().as_deref() != Some(crate::jws::MEDIA)
            || incoming.body.is_empty()
        {
            return Ok(None);
        }
        let problem = |message: String| {
            super::Mismatch::Decode(crate::decode::DecodeError {
                pointer: String::new(),
                message,
                line: 0,
                column: 0,
            })
        };
        let Some(verifier) = &self.inner.verifier else {
            return Err(problem(String::from(
                "the answer is signed (application/jwt) and the client has no verifier: \
                 Config::with_verifier",
            )));
        };
        let token = std::str::from_utf8(&incoming.body)
            .map_err(|_| problem(String::from("the signed answer is not text")))?;
        let v = verifier
            .verify(token)
            .await
            .map_err(|e| problem(e.to_string()))?;
        let mut headers = incoming.headers.clone();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Ok(Some(Incoming {
            status: incoming.status,
            headers,
            body: bytes::Bytes::from(serde_json::to_vec(&v.body).unwrap_or_default()),
            check: incoming.check,
            verified: true,
        }))
    }

    /// Sends `p` as often as the retry policy allows and sorts the last answer.
    pub(super) async fn execute<R: Response>(
        &self,
        p: &Prepared,
        id: Option<String>,
    ) -> Result<Reply<R::Success>, Error<R>> {
        let fail = |id: Option<String>, kind| Error {
            operation: p.endpoint.name,
            interaction_id: id,
            kind: Box::new(kind),
        };
        // The headers of every attempt but the token, written once. The call's headers replace
        // the client's of the same name; the runtime's own (Accept, the token) give way to any
        // the caller set, the interaction id is the call's.
        let mut base = self.inner.headers.clone();
        for name in p.headers.keys() {
            base.remove(name);
        }
        for (name, value) in &p.headers {
            base.append(name, value.clone());
        }
        // Media types come from the document: one a header cannot carry is left out rather
        // than trusted.
        if !base.contains_key(http::header::ACCEPT) {
            if let Ok(v) = HeaderValue::from_str(p.endpoint.accept) {
                if !v.is_empty() {
                    base.insert(http::header::ACCEPT, v);
                }
            }
        }
        if let Some(v) = id.as_deref().and_then(|i| HeaderValue::from_str(i).ok()) {
            base.insert(INTERACTION_ID, v);
        }
        if let Some((media, _)) = &p.body {
            if let Ok(v) = HeaderValue::from_str(media) {
                base.insert(http::header::CONTENT_TYPE, v);
            }
        }
        let mut attempt = 1;
        let mut renewed = false;
        let incoming = loop {
            let mut headers = base.clone();
            let mut builder = self
                .inner
                .http
                .request(p.method.clone(), p.url.clone())
                .timeout(p.timeout);
            let wants_token =
                !p.endpoint.anonymous && !headers.contains_key(http::header::AUTHORIZATION);
            let mut sent_token = None;
            if let Some(provider) = self.inner.token.as_ref().filter(|_| wants_token) {
                let token = provider
                    .token()
                    .await
                    .map_err(|e| fail(id.clone(), ErrorKind::Token(e)))?;
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| {
                        fail(
                            id.clone(),
                            ErrorKind::Token(super::TokenError::new(
                                "the token cannot be sent in a header",
                            )),
                        )
                    })?;
                value.set_sensitive(true);
                headers.insert(http::header::AUTHORIZATION, value);
                sent_token = Some((provider, token));
            }
            if let Some((_, body)) = &p.body {
                if p.signed {
                    let token = self.signed(body).map_err(|violations| {
                        fail(id.clone(), ErrorKind::Invalid { violations })
                    })?;
                    builder = builder.body(token);
                } else {
                    builder = builder.body(body.clone());
                }
            }
            builder = builder.headers(headers);
            let classify = |e: reqwest::Error| {
                if e.is_timeout() {
                    ErrorKind::Timeout { after: p.timeout }
                } else if e.is_connect() {
                    ErrorKind::Connect { source: e }
                } else {
                    ErrorKind::Transport { source: e }
                }
            };
            let mut response = builder
                .send()
                .await
                .map_err(|e| fail(id.clone(), classify(e)))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let limit = self.inner.max_body;
            let too_large = || ErrorKind::BodyTooLarge { status, limit };
            if response.content_length().is_some_and(|n| n > limit as u64) {
                return Err(fail(id.clone(), too_large()));
            }
            let mut body = bytes::BytesMut::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| fail(id.clone(), classify(e)))?
            {
                if body.len() + chunk.len() > limit {
                    return Err(fail(id.clone(), too_large()));
                }
                body.extend_from_slice(&chunk);
            }
            let body = body.freeze();
            // A token refused before its time is renewed once, if its provider can.
            if status == 401 && !renewed {
                if let Some((provider, token)) = &sent_token {
                    if provider.invalidate(token) {
                        renewed = true;
                        continue;
                    }
                }
            }
            if let Some(wait) = self.inner.retry.delay(attempt, status, &headers) {
                attempt += 1;
                tokio::time::sleep(wait).await;
                continue;
            }
            break Incoming {
                status,
                headers,
                body,
                check: self.inner.check_responses,
                verified: false,
            };
        };
        let echoed = incoming
            .headers
            .get(INTERACTION_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let id = echoed.or(id);
        let raw = |i: Incoming| Raw {
            status: i.status,
            headers: i.headers,
            body: i.body,
        };
        // A signed answer is verified, and its payload decoded; the token stays the body
        // as received.
        let verified = match self.verified(p.endpoint, &incoming).await {
            Ok(v) => v,
            Err(mismatch) => {
                return Err(fail(
                    id,
                    ErrorKind::Mismatch {
                        mismatch,
                        raw: raw(incoming),
                    },
                ))
            }
        };
        match R::decode(verified.as_ref().unwrap_or(&incoming)) {
            Ok(None) => Err(fail(id, ErrorKind::Undocumented { raw: raw(incoming) })),
            Err(mismatch) => Err(fail(
                id,
                ErrorKind::Mismatch {
                    mismatch,
                    raw: raw(incoming),
                },
            )),
            Ok(Some(typed)) => match typed.split() {
                Ok(value) => Ok(Reply {
                    value,
                    status: incoming.status,
                    headers: incoming.headers,
                    body: incoming.body,
                    interaction_id: id,
                }),
                Err(response) => Err(fail(
                    id,
                    ErrorKind::Status {
                        response,
                        raw: raw(incoming),
                    },
                )),
            },
        }
    }
}
