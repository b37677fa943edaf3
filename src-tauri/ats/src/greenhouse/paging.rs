//! Harvest v3 paging: cursor links in `Link: <…>; rel="next"` (kept verbatim, checked to stay
//! on the API's origin, as they carry the token), and list bodies read in place.

use reqwest::header::HeaderMap;

use super::{Greenhouse, PER_PAGE};
use crate::http;
use crate::record::{self, Rec};
use model::error::{Error, Result};

impl Greenhouse {
    /// Every record of every page of a list, following the cursor.
    pub(super) async fn list_all(&self, list: &str, params: &[(&str, String)]) -> Result<Vec<ListBody>> {
        let mut url = self.first_url(list, params)?;
        let mut all = Vec::new();
        loop {
            let what = format!("GET {}", path_of(&url));
            let resp = self.get(&url, &what).await?;
            let next = next_link(resp.headers(), &url);
            all.push(read_list(resp, &what).await?);
            match next {
                Some(n) => url = self.check_next(&n)?,
                None => return Ok(all),
            }
        }
    }

    /// The first page of a list: `per_page` and the filters (later pages carry only the cursor).
    pub(super) fn first_url(&self, list: &str, params: &[(&str, String)]) -> Result<String> {
        let mut url = url::Url::parse(&format!("{}/{list}", self.base))
            .map_err(|e| Error::Validation(format!("the Greenhouse API address {:?} is not a URL: {e}", self.base)))?;
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in params {
                q.append_pair(k, v);
            }
        }
        Ok(url.to_string())
    }

    /// A stored next-page link, checked to lead to the API we hold a token for.
    pub(super) fn check_next(&self, next: &str) -> Result<String> {
        match origin_of(next) {
            Some(o) if !self.origin.is_empty() && o == self.origin => Ok(next.to_string()),
            _ => Err(Error::InvalidResponse(format!(
                "the saved next-page link {:?} does not lead to the Greenhouse API at {}; the pass has to start over",
                http::redact(next),
                self.base
            ))),
        }
    }

    /// Every page of a small list (departments, offices), following the cursor.
    pub(super) async fn fetch_all(&self, list: &str) -> Result<Vec<ListBody>> {
        self.list_all(list, &[("per_page", PER_PAGE.to_string())]).await
    }
}

/// `scheme://host[:port]` of a URL.
pub(super) fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    Some(u.origin().ascii_serialization()).filter(|o| o != "null")
}

/// The path of a URL, to name an endpoint in errors without its (long) query.
pub(super) fn path_of(url: &str) -> String {
    url::Url::parse(url).map(|u| u.path().to_string()).unwrap_or_else(|_| http::redact(url))
}

/// The `rel="next"` target of the `Link` header(s), resolved against the request URL only if
/// relative (an absolute one is kept byte for byte).
pub(super) fn next_link(headers: &HeaderMap, request_url: &str) -> Option<String> {
    for value in headers.get_all(reqwest::header::LINK) {
        let Ok(value) = value.to_str() else { continue };
        let mut rest = value;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>').map(|c| open + c) else { break };
            let target = &rest[open + 1..close];
            rest = &rest[close + 1..];
            let params = &rest[..rest.find('<').unwrap_or(rest.len())];
            let is_next = params.split(';').any(|p| {
                let Some((k, v)) = p.split_once('=') else { return false };
                k.trim().eq_ignore_ascii_case("rel")
                    && v.trim().trim_matches('"').split_whitespace().any(|r| r.eq_ignore_ascii_case("next"))
            });
            if is_next {
                if target.starts_with("http://") || target.starts_with("https://") {
                    return Some(target.to_string());
                }
                return url::Url::parse(request_url).and_then(|b| b.join(target)).ok().map(|u| u.to_string());
            }
        }
    }
    None
}

/// A list response's body. Records are sliced out of it in place and a field is parsed only
/// when a mapping reads it: no tree of every value of every record is built and dropped.
pub(super) struct ListBody {
    text: String,
    what: String,
}

pub(super) async fn read_list(resp: reqwest::Response, what: &str) -> Result<ListBody> {
    let body = resp.bytes().await.map_err(|e| {
        Error::Unreachable(format!("Greenhouse broke off its answer to {what}: {}", http::redact(&e.to_string())))
    })?;
    // Bytes that are not UTF-8 are read with replacement characters, as `text()` would: one
    // badly encoded name must not fail the page.
    let text = String::from_utf8(body.into()).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(ListBody { text, what: what.to_string() })
}

impl ListBody {
    /// The records; anything but a JSON array is an invalid response.
    pub(super) fn records(&self) -> Result<Vec<Rec<'_>>> {
        Rec::list(&self.text).map_err(|_| {
            let shape = match serde_json::from_str::<serde::de::IgnoredAny>(&self.text) {
                Ok(_) => "something other than a list of records",
                Err(_) => "something other than JSON",
            };
            record::invalid("Greenhouse", &self.what, &format!("with {shape}"), &self.text)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn links(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(reqwest::header::LINK, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn finds_the_next_link_among_others_and_keeps_it_verbatim() {
        let base = "https://harvest.greenhouse.io/v3/candidates?per_page=500";
        let h = links(&[r#"<https://harvest.greenhouse.io/v3/candidates?cursor=a%2Bb>; rel="next""#]);
        assert_eq!(next_link(&h, base).as_deref(), Some("https://harvest.greenhouse.io/v3/candidates?cursor=a%2Bb"));
        let h = links(&[r#"<https://x.test/a?cursor=1>; rel="prev", <https://x.test/a?cursor=2>; rel=next"#]);
        assert_eq!(next_link(&h, base).as_deref(), Some("https://x.test/a?cursor=2"));
        let h = links(&[r#"</v3/candidates?cursor=3>; rel="next""#]);
        assert_eq!(next_link(&h, base).as_deref(), Some("https://harvest.greenhouse.io/v3/candidates?cursor=3"));
        assert_eq!(next_link(&links(&[r#"<https://x.test/a>; rel="last""#]), base), None);
        assert_eq!(next_link(&HeaderMap::new(), base), None);
    }
}
