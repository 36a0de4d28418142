//! What the xtask integration tests share: a plain-HTTP document server on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// Serves `body` to every request on a free loopback port for up to ten seconds, then stops by
/// itself; returns the URL of the document at `path` (`doc.yml`, `widgets/1.1.0.yaml`).
pub fn serve(body: Vec<u8>, path: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("address");
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            match listener.accept() {
                Ok((mut s, _)) => {
                    s.set_nonblocking(false).ok();
                    s.set_read_timeout(Some(Duration::from_secs(2))).ok();
                    // Read the request head, which ends with an empty line.
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match s.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/yaml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = s.write_all(reply.as_bytes());
                    let _ = s.write_all(&body);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    format!("http://{addr}/{path}")
}
