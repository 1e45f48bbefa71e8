//! S3 faults between the `glint` Lambda function and a real S3 server: a fault-injecting proxy
//! on 127.0.0.1, in front of moto's S3 server, answers chosen requests with throttling, server
//! errors, dropped connections, stalls or bodies cut off half-way, and passes the rest through.
//!
//! What must hold: transient faults are retried (with backoff) and the event succeeds;
//! persistent ones are reported as retryable, so Lambda or SQS delivers the event again; an
//! output is complete or absent, never partial; the input is never touched.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail by panicking")]

mod peers;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use peers::{Emulator, Moto, Process, s3_event, sqs_message, start_function};
use serde_json::json;

const INPUT: &str = "glint-in";
const OUTPUT: &str = "glint-out";

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// Pass it to S3 and the answer back.
    Pass,
    /// Answer with this status and S3 error code, as S3 does when throttling or failing.
    Status(u16, &'static str),
    /// Close the connection without answering.
    Drop,
    /// Hold the connection open and never answer.
    Stall,
    /// Pass it to S3, but send only the headers and half of the body back, then close.
    CutBody,
}

/// One request seen by the proxy.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
}

type Rule = dyn Fn(&str, &str, &[Seen]) -> Fault + Send + Sync;

/// The fault-injecting proxy: one thread per connection, one request per connection (it
/// answers with `connection: close`), so every request is seen and decided on by `rule`.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`127.0.0.1:PORT`) that asks `rule(method, path, seen so
    /// far)` what to do with each request.
    fn start(upstream: u16, rule: impl Fn(&str, &str, &[Seen]) -> Fault + Send + Sync + 'static) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let rule: Arc<Rule> = Arc::new(rule);
        let (seen2, stop2) = (Arc::clone(&seen), Arc::clone(&stop));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if stop2.load(Ordering::Relaxed) {
                    return;
                }
                let (seen, stop, rule) = (Arc::clone(&seen2), Arc::clone(&stop2), Arc::clone(&rule));
                std::thread::spawn(move || serve_one(client, upstream, &*rule, &seen, &stop));
            }
        });
        Proxy { port, seen, stop }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests seen so far for which `filter(method, path)` holds.
    fn count(&self, filter: impl Fn(&str, &str) -> bool) -> usize {
        self.seen.lock().unwrap().iter().filter(|s| filter(&s.method, &s.path)).count()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Reads one HTTP/1.1 request (head and `content-length` body) from `client`, decides, acts.
fn serve_one(client: TcpStream, upstream: u16, rule: &Rule, seen: &Mutex<Vec<Seen>>, stop: &AtomicBool) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let mut parts = head.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    assert!(header("transfer-encoding").is_none(), "the proxy does not handle chunked requests: {head}");
    let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let fault = {
        let mut seen = seen.lock().unwrap();
        let fault = rule(&method, &path, &seen);
        seen.push(Seen { method: method.clone(), path: path.clone() });
        fault
    };
    let mut client = client;
    match fault {
        Fault::Drop => {
            let _ = client.shutdown(Shutdown::Both);
        }
        Fault::Stall => {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Fault::Status(status, code) => {
            let xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>injected by the test proxy</Message><RequestId>test</RequestId></Error>"
            );
            let mut reply = format!(
                "HTTP/1.1 {status} Injected\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                xml.len()
            );
            if method != "HEAD" {
                reply.push_str(&xml);
            }
            let _ = client.write_all(reply.as_bytes());
        }
        Fault::Pass | Fault::CutBody => {
            // One request per upstream connection too: ask S3 to close after answering, and
            // read its answer to the end.
            let request_head: String = head
                .lines()
                .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
                .map(|l| format!("{l}\r\n"))
                .collect();
            let mut s3 = TcpStream::connect(("127.0.0.1", upstream)).unwrap();
            s3.write_all(format!("{request_head}connection: close\r\n\r\n").as_bytes()).unwrap();
            s3.write_all(&body).unwrap();
            let mut answer = Vec::new();
            s3.read_to_end(&mut answer).unwrap();
            let split = answer.windows(4).position(|w| w == b"\r\n\r\n").map_or(answer.len(), |i| i + 4);
            let (answer_head, answer_body) = answer.split_at(split);
            let answer_head: String = String::from_utf8_lossy(answer_head)
                .lines()
                .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
                .map(|l| format!("{l}\r\n"))
                .collect();
            let _ = client.write_all(format!("{answer_head}connection: close\r\n\r\n").as_bytes());
            let body_part = if fault == Fault::CutBody { &answer_body[..answer_body.len() / 2] } else { answer_body };
            let _ = client.write_all(body_part);
            let _ = client.shutdown(Shutdown::Both);
        }
    }
}

/// A function behind the emulator whose S3 traffic goes through a proxy with `rule`; buckets
/// as in `s3_lambda.rs`. Fields drop in order: the function before its peers.
struct Stack {
    function: Process,
    emulator: Emulator,
    proxy: Proxy,
    s3: Moto,
}

fn stack(rule: impl Fn(&str, &str, &[Seen]) -> Fault + Send + Sync + 'static, env: &[(&str, &str)]) -> Stack {
    let s3 = Moto::start();
    s3.create_bucket(INPUT);
    s3.create_bucket(OUTPUT);
    let upstream: u16 = s3.endpoint.rsplit(':').next().unwrap().parse().unwrap();
    let proxy = Proxy::start(upstream, rule);
    let emulator = Emulator::start();
    let mut vars = s3.env();
    let endpoint = proxy.endpoint();
    for (k, v) in [
        ("AWS_ENDPOINT_URL_S3", endpoint.as_str()),
        ("GLINT_OPS", "resize:64x/format:webp"),
        ("GLINT_OUTPUT", "s3://glint-out/thumbs"),
        ("GLINT_INPUT", "s3://glint-in/uploads/"),
        ("GLINT_STORE", "s3://glint-in"),
    ]
    .iter()
    .chain(env)
    {
        vars.retain(|(name, _)| name != k);
        vars.push((k.to_string(), v.to_string()));
    }
    let function = start_function(&emulator, &vars);
    Stack { function, emulator, proxy, s3 }
}

fn hopper() -> Vec<u8> {
    peers::fixture("decode/hopper.jpg")
}

/// Requests for the object `key` of the input bucket (path-style addressing).
fn is_source(key: &'static str) -> impl Fn(&str, &str) -> bool {
    move |_, path| path.starts_with(&format!("/{INPUT}/{key}"))
}

fn is_put(method: &str, path: &str) -> bool {
    method == "PUT" && path.starts_with(&format!("/{OUTPUT}/"))
}

/// How many earlier requests matched `filter`.
fn earlier(seen: &[Seen], filter: impl Fn(&str, &str) -> bool) -> usize {
    seen.iter().filter(|s| filter(&s.method, &s.path)).count()
}

#[test]
fn transient_faults_are_retried_and_the_event_succeeds() {
    let source = is_source("uploads/hopper.jpg");
    let stack = stack(
        move |method, path, seen| {
            let get = |m: &str, p: &str| m == "GET" && source(m, p);
            if get(method, path) && earlier(seen, get) < 2 {
                Fault::Status(503, "SlowDown")
            } else if is_put(method, path) && earlier(seen, is_put) == 0 {
                Fault::Drop
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    stack.s3.put(INPUT, "uploads/hopper.jpg", &hopper(), "image/jpeg", &[]);
    let reply = stack.emulator.invoke(&s3_event(INPUT, "uploads/hopper.jpg", 6412));
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let keys = stack.s3.keys(OUTPUT);
    assert_eq!(keys.len(), 1, "{keys:?}");
    let out = stack.s3.get(OUTPUT, &keys[0]).unwrap();
    assert_eq!(image::load_from_memory(&out.body).expect("a whole image").width(), 64);
    let gets = stack.proxy.count(|m, p| m == "GET" && is_source("uploads/hopper.jpg")(m, p));
    assert_eq!(gets, 3, "two throttled reads, then one that went through");
    assert_eq!(stack.proxy.count(is_put), 2, "one dropped write, then one that went through");
}

#[test]
fn a_body_cut_off_half_way_is_read_again() {
    let source = is_source("uploads/hopper.jpg");
    let stack = stack(
        move |method, path, seen| {
            let get = |m: &str, p: &str| m == "GET" && source(m, p);
            if get(method, path) && earlier(seen, get) == 0 { Fault::CutBody } else { Fault::Pass }
        },
        &[],
    );
    stack.s3.put(INPUT, "uploads/hopper.jpg", &hopper(), "image/jpeg", &[]);
    let reply = stack.emulator.invoke(&s3_event(INPUT, "uploads/hopper.jpg", 6412));
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(stack.s3.keys(OUTPUT).len(), 1);
    assert_eq!(stack.proxy.count(|m, p| m == "GET" && is_source("uploads/hopper.jpg")(m, p)), 2);
}

#[test]
fn persistent_write_faults_are_retryable_and_leave_no_output() {
    let stack = stack(
        |method, path, _| if is_put(method, path) { Fault::Status(500, "InternalError") } else { Fault::Pass },
        &[],
    );
    let input = hopper();
    stack.s3.put(INPUT, "uploads/hopper.jpg", &input, "image/jpeg", &[]);
    let started = Instant::now();
    let reply = stack.emulator.invoke(&s3_event(INPUT, "uploads/hopper.jpg", 6412));
    assert_eq!(reply.status, 500, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["errorType"], "glint.storage.retryable");
    assert!(started.elapsed() < Duration::from_secs(30), "gave up after {:?}", started.elapsed());
    // The SDK's standard retry mode: three attempts.
    assert_eq!(stack.proxy.count(is_put), 3);
    assert!(stack.s3.keys(OUTPUT).is_empty(), "no partial or stray output");
    assert_eq!(stack.s3.keys(INPUT), ["uploads/hopper.jpg"]);
    assert_eq!(stack.s3.get(INPUT, "uploads/hopper.jpg").unwrap().body, input, "the input is untouched");
}

#[test]
fn a_stalled_server_times_out_and_is_retryable() {
    let stack = stack(
        |method, path, _| {
            if method == "GET" && is_source("uploads/hopper.jpg")(method, path) { Fault::Stall } else { Fault::Pass }
        },
        &[("GLINT_S3_TIMEOUT", "1"), ("AWS_MAX_ATTEMPTS", "2")],
    );
    stack.s3.put(INPUT, "uploads/hopper.jpg", &hopper(), "image/jpeg", &[]);
    let started = Instant::now();
    let reply = stack.emulator.invoke(&s3_event(INPUT, "uploads/hopper.jpg", 6412));
    let took = started.elapsed();
    assert_eq!(reply.status, 500, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["errorType"], "glint.storage.retryable");
    assert!(took < Duration::from_secs(20), "two 1 s attempts took {took:?}");
    assert_eq!(stack.proxy.count(|m, p| m == "GET" && is_source("uploads/hopper.jpg")(m, p)), 2);
    assert!(stack.s3.keys(OUTPUT).is_empty());
}

#[test]
fn sqs_batch_reports_only_the_message_whose_storage_failed() {
    let stack = stack(
        |method, path, _| {
            if is_source("uploads/flaky.jpg")(method, path) {
                Fault::Status(503, "ServiceUnavailable")
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    stack.s3.put(INPUT, "uploads/a.jpg", &hopper(), "image/jpeg", &[]);
    stack.s3.put(INPUT, "uploads/flaky.jpg", &hopper(), "image/jpeg", &[]);
    let batch = json!({"Records": [
        sqs_message("m-1", &s3_event(INPUT, "uploads/a.jpg", 6412)),
        sqs_message("m-2", &s3_event(INPUT, "uploads/flaky.jpg", 6412)),
    ]});
    let reply = stack.emulator.invoke(&batch);
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json(), json!({"batchItemFailures": [{"itemIdentifier": "m-2"}]}));
    let keys = stack.s3.keys(OUTPUT);
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].starts_with("thumbs/uploads/a-"), "{keys:?}");
    let failure = stack.function.logged("record failed");
    assert!(failure.contains("flaky.jpg") && failure.contains("\"retryable\":true"), "{failure}");
}
