//! Small HTTP helpers shared by the three simulators: the request as they see it, JSON
//! responses, opaque cursors, and connections that can be cut without an answer.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::connect_info::Connected;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    /// The query parameters in order, percent- and plus-decoded.
    pub fn pairs(&self) -> Vec<(String, String)> {
        match &self.query {
            Some(q) => url::form_urlencoded::parse(q.as_bytes()).into_owned().collect(),
            None => Vec::new(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// HTTP Basic credentials (user, password).
    pub fn basic_auth(&self) -> Option<(String, String)> {
        let h = self.header("authorization")?;
        let (scheme, rest) = h.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let raw = STANDARD.decode(rest.trim()).ok()?;
        let s = String::from_utf8(raw).ok()?;
        let (u, p) = s.split_once(':').unwrap_or((&s, ""));
        Some((u.to_string(), p.to_string()))
    }

    pub fn bearer(&self) -> Option<&str> {
        let h = self.header("authorization")?;
        let (scheme, rest) = h.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
    }

    /// Path segments after `prefix` (e.g. "/v3/"), or None when the path is elsewhere.
    pub fn segments<'a>(&'a self, prefix: &str) -> Option<Vec<&'a str>> {
        let rest = self.path.strip_prefix(prefix)?;
        Some(rest.trim_end_matches('/').split('/').collect())
    }

    /// The body as JSON; an empty body reads as `{}`.
    pub fn json(&self) -> Result<serde_json::Value, String> {
        if self.body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(serde_json::json!({}));
        }
        serde_json::from_slice(&self.body).map_err(|e| format!("the request body is not valid JSON: {e}"))
    }
}

pub fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => bytes_response(status, "application/json; charset=utf-8", bytes),
        Err(e) => bytes_response(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", e.to_string().into_bytes()),
    }
}

pub fn bytes_response(status: StatusCode, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(bytes));
    *r.status_mut() = status;
    set(&mut r, header::CONTENT_TYPE.as_str(), content_type);
    r
}

pub fn empty(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}

pub fn set(r: &mut Response, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
        r.headers_mut().insert(n, v);
    }
}

/// Appends `v` as JSON. `Value`'s `Display` is compiled inside serde_json, so this runs
/// optimized even in a debug build of this crate, where a generic `to_writer` call would be
/// instantiated unoptimized (and serving a 500-record page would take ten times longer).
pub fn push_json(out: &mut Vec<u8>, v: &serde_json::Value) {
    use std::io::Write;
    let _ = write!(out, "{v}");
}

/// Appends, comma-separated, up to `limit` of the rows in `start..len` that `keep` accepts;
/// returns the first accepted row left over, where the next page starts.
pub fn push_rows(
    out: &mut Vec<u8>,
    start: usize,
    len: usize,
    limit: usize,
    keep: impl Fn(usize) -> bool,
    write: impl Fn(&mut Vec<u8>, usize),
) -> Option<usize> {
    for (n, i) in (start..len).filter(|&i| keep(i)).enumerate() {
        if n == limit {
            return Some(i);
        }
        if n > 0 {
            out.push(b',');
        }
        write(out, i);
    }
    None
}

/// Opaque cursor text: URL-safe, so it can sit in a query string without escaping.
pub fn encode_cursor(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s.as_bytes())
}

pub fn decode_cursor(s: &str) -> Option<String> {
    URL_SAFE_NO_PAD.decode(s.as_bytes()).ok().and_then(|b| String::from_utf8(b).ok())
}

/// A JSON id that may be sent as a number or a string.
pub fn id_str(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The 5xx a flaky upstream answers with: a JSON 500 from the app, HTML 502/503 from the proxy
/// in front of it (connectors must not assume an error body is JSON).
pub fn injected_failure(code: u16, json_body: serde_json::Value) -> Response {
    match code {
        502 => bytes_response(
            StatusCode::BAD_GATEWAY,
            "text/html",
            b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
        ),
        503 => {
            let mut r = bytes_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/html",
                b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>".to_vec(),
            );
            set(&mut r, "retry-after", "1");
            r
        }
        _ => json(StatusCode::INTERNAL_SERVER_ERROR, &json_body),
    }
}

/// A one-page PDF with the given lines (ASCII; other characters become '?'), served as a resume.
pub fn tiny_pdf(lines: &[String]) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 720 Td 16 TL\n");
    for l in lines {
        let esc: String = l
            .chars()
            .map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' })
            .collect::<String>()
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        content.push_str(&format!("({esc}) Tj T*\n"));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{}endstream", content.len(), content),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{}\nendobj\n", i + 1, o));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n", objects.len() + 1, xref));
    out.into_bytes()
}

// ---- connections a handler can cut ----
//
// axum gives a handler no way to drop its connection, and a body that fails after the status
// line would still show the client a success status. So the sandbox accepts connections
// itself: each socket is wrapped with a `Cut` switch the handler receives as connect info.
// Once switched, every read and write on the socket fails, hyper gives the connection up and
// drops the socket, and the client sees the connection close before any byte of an answer
// (reqwest: a request error, no status), as when the network drops after the server committed.

/// The switch of one accepted connection (see `Cut::cut`).
#[derive(Clone, Debug, Default)]
pub struct Cut(Arc<AtomicBool>);

impl Cut {
    /// Closes the connection without answering. The returned response is never sent; it only
    /// gives the handler something to return.
    pub fn cut(&self) -> Response {
        self.0.store(true, SeqCst);
        empty(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn is_cut(&self) -> bool {
        self.0.load(SeqCst)
    }
}

/// The peer of an accepted connection and its switch.
#[derive(Clone, Debug)]
pub struct Peer {
    #[allow(dead_code)] // for Debug (axum's connection traces)
    addr: SocketAddr,
    cut: Cut,
}

impl Connected<IncomingStream<'_, CutListener>> for Cut {
    fn connect_info(stream: IncomingStream<'_, CutListener>) -> Self {
        stream.remote_addr().cut.clone()
    }
}

/// A TCP listener whose connections carry a `Cut` switch.
pub struct CutListener(pub TcpListener);

impl Listener for CutListener {
    type Io = CutIo;
    type Addr = Peer;

    async fn accept(&mut self) -> (CutIo, Peer) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    let cut = Cut::default();
                    return (CutIo { inner: stream, cut: cut.clone() }, Peer { addr, cut });
                }
                // Out of file descriptors and the like: wait instead of spinning (as axum does).
                Err(e) => {
                    tracing::debug!(error = %e, "the sandbox could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Peer> {
        Ok(Peer { addr: self.0.local_addr()?, cut: Cut::default() })
    }
}

/// A socket that fails every operation once its `Cut` is switched.
pub struct CutIo {
    inner: TcpStream,
    cut: Cut,
}

fn cut_error() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "the sandbox cut this connection")
}

impl AsyncRead for CutIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.cut.is_cut() {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for CutIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.cut.is_cut() {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.cut.is_cut() {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.cut.is_cut() {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
