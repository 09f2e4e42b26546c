//! The description server (hyper, HTTP/1.1 only), bounded: at most [`MAX_CONNECTIONS`] at
//! once (more are closed at once), request heads of at most 8 KiB (431 beyond), read within
//! [`HEAD_TIMEOUT`], whole connections within [`CONNECTION_TIMEOUT`]; one request per
//! connection (`Connection: close`, as the real body answers). Unknown paths get 404, other
//! methods 405; bodies sent by a client are never read.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use vcam_core::pairing::Pairing;

use crate::description::{self, DEVICE_PATH, Device, Mode, SERVICE_PATH, UNPAIRED_TARGET};

/// Most connections served at once.
pub(crate) const MAX_CONNECTIONS: usize = 16;
/// Time a client has to send its request head.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// Time a whole connection may take.
pub(crate) const CONNECTION_TIMEOUT: Duration = Duration::from_secs(15);
/// Largest request head read (hyper's smallest buffer limit).
const MAX_HEAD: usize = 8192;

/// What the server serves, and whom it tells that the description was fetched.
#[derive(Debug)]
pub(crate) struct Site {
    pub(crate) device: Device,
    pub(crate) pairing: Arc<Mutex<Pairing>>,
    /// Set once a host fetched the device description the way EOS Utility does.
    pub(crate) fetched: watch::Sender<bool>,
}

impl Site {
    fn respond<B>(&self, req: &Request<B>) -> Response<Full<Bytes>> {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            let mut r = reply(StatusCode::METHOD_NOT_ALLOWED, "");
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return r;
        }
        let body = match req.uri().path() {
            DEVICE_PATH => {
                if self.device.mode == Mode::EosUtility && fetched_like_windows(req) {
                    self.fetched.send_replace(true);
                }
                self.device.device_xml(&self.target())
            }
            SERVICE_PATH => description::service_xml(),
            _ => return reply(StatusCode::NOT_FOUND, ""),
        };
        let mut r = reply(StatusCode::OK, &body);
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
        if req.method() == Method::HEAD {
            *r.body_mut() = Full::new(Bytes::new());
        }
        r
    }

    /// X_targetId: the paired client, or nobody.
    fn target(&self) -> String {
        let paired = match self.pairing.lock() {
            Ok(p) => p.paired().map(|c| c.guid),
            Err(poisoned) => poisoned.into_inner().paired().map(|c| c.guid),
        };
        paired.map_or_else(
            || UNPAIRED_TARGET.to_string(),
            |g| description::target_id(&g),
        )
    }
}

/// Whether the request is the one a Windows host (EOS Utility's UPnP stack) sends:
/// `User-Agent: Microsoft-Windows/<version> UPnP/1.0` (docs/reference/vendors-wifi-sony-fuji.md
/// §4.3: only this fetch makes the body open its PTP/IP port).
fn fetched_like_windows<B>(req: &Request<B>) -> bool {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ua| ua.starts_with("Microsoft-Windows/") && ua.contains("UPnP/1.0"))
}

/// A response with the real body's headers: Content-Length and `Connection: close` (the
/// caller adds Content-Type).
fn reply(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    let headers = r.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// Serves `site` on `listener` until the task is dropped.
pub(crate) async fn serve(listener: TcpListener, site: Arc<Site>) {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(%e, "description server: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tracing::debug!(%peer, "description server busy: connection closed");
            continue;
        };
        let site = Arc::clone(&site);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let response = site.respond(&req);
                tracing::debug!(%peer, path = req.uri().path(), status = %response.status(), "description request");
                async move { Ok::<_, Infallible>(response) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .max_buf_size(MAX_HEAD)
                .keep_alive(false)
                .title_case_headers(true)
                .auto_date_header(false)
                .serve_connection(TokioIo::new(stream), service);
            match tokio::time::timeout(CONNECTION_TIMEOUT, connection).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::debug!(%peer, %e, "description connection ended"),
                Err(_) => tracing::debug!(%peer, "description connection too slow: dropped"),
            }
            drop(permit);
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use vcam_core::pairing::{AcceptPolicy, ClientId};

    fn site(mode: Mode) -> Site {
        Site {
            device: Device {
                url_base: "http://127.0.0.1:49152/upnp/".into(),
                model_name: "Canon EOS 6D".into(),
                serial_number: "033024014483".into(),
                udn: crate::ssdp::canon_udn([0, 0xBB, 0xC1, 0x85, 0x9F, 0xAB]),
                mode,
                usb_product_id: 0x3250,
                nickname: "EOS6D".into(),
            },
            pairing: Arc::new(Mutex::new(Pairing::new(AcceptPolicy::Accept))),
            fetched: watch::channel(false).0,
        }
    }

    fn get(path: &str, ua: Option<&str>) -> Request<()> {
        let mut b = Request::get(path);
        if let Some(ua) = ua {
            b = b.header(header::USER_AGENT, ua);
        }
        b.body(()).unwrap()
    }

    #[test]
    fn paths_methods_and_the_paired_target() {
        let site = site(Mode::CameraConnect);
        assert_eq!(site.respond(&get("/", None)).status(), 404);
        assert_eq!(
            site.respond(&get("/upnp/../etc/passwd", None)).status(),
            404
        );
        let post = Request::post(DEVICE_PATH).body(()).unwrap();
        assert_eq!(site.respond(&post).status(), 405);
        let ok = site.respond(&get(DEVICE_PATH, None));
        assert_eq!(ok.status(), 200);
        let names: Vec<_> = ok.headers().keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["content-length", "connection", "content-type"]);
        assert!(site.target().ends_with("FFFFFFFFFFFF"));
        site.pairing
            .lock()
            .unwrap()
            .decide(
                std::time::SystemTime::UNIX_EPOCH,
                &ClientId::new([0xAB; 16], "phone"),
            )
            .unwrap();
        assert_eq!(site.target(), "uuid:ABABABAB-ABAB-ABAB-ABAB-ABABABABABAB");
        assert_eq!(site.respond(&get(SERVICE_PATH, None)).status(), 200);
    }

    #[test]
    fn only_a_windows_fetch_opens_eos_utility() {
        let site = site(Mode::EosUtility);
        let rx = site.fetched.subscribe();
        site.respond(&get(DEVICE_PATH, Some("python-requests/2.0")));
        site.respond(&get(SERVICE_PATH, Some("Microsoft-Windows/10.0 UPnP/1.0")));
        assert!(!*rx.borrow());
        site.respond(&get(DEVICE_PATH, Some("Microsoft-Windows/10.0 UPnP/1.0")));
        assert!(*rx.borrow());
    }
}
