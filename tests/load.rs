//! `glint serve` under load and abuse, on loopback: many clients at once, well above the
//! server's concurrency limit, sending a mix of good, corrupt, oversized and badly signed
//! requests. The server must stay up, answer every request with the status its kind calls for
//! or with 503 + Retry-After when saturated, keep its memory bounded, and still serve normally
//! afterwards. The run is bounded in requests and in time, and prints its figures
//! (throughput, latency percentiles of the good requests, peak memory) for the record.
//!
//! Figures are printed, never asserted: speed is measured, not tested. Memory is bounded, so
//! it is asserted.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail by panicking")]

mod peers;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use glint_runtime::signing::Signer;
use peers::{Process, Reply};
use serde_json::Value;

const KEY: &str = "5c0ffee5c0ffee5c0ffee5c0ffee5c0f";
/// Images processed at once by the server under test.
const CONCURRENCY: usize = 2;
/// Clients sending at once: eight times the server's limit.
const CLIENTS: usize = 16;
/// The run ends after this many requests or this long, whichever comes first.
const REQUESTS: usize = 20_000;
const MAX_RUN: Duration = Duration::from_secs(10);
/// A client told 503 waits this long before its next request (not the second `Retry-After`
/// asks for, so the server stays saturated throughout).
const BACK_OFF: Duration = Duration::from_millis(20);
/// Largest accepted upload (GLINT_MAX_BYTES), and the oversized body sent.
const MAX_BYTES: usize = 1 << 20;
const OVERSIZED: usize = 4 << 20;
/// The server's peak resident memory must stay under this.
const MAX_RSS_MB: f64 = 256.0;

/// The kinds of request in the mix, with the statuses each may get besides 503.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    GoodGet,
    GoodPost,
    Corrupt,
    Oversized,
    Unsigned,
}

impl Kind {
    fn expected(self) -> u16 {
        match self {
            Kind::GoodGet | Kind::GoodPost => 200,
            Kind::Corrupt => 415,
            Kind::Oversized => 413,
            Kind::Unsigned => 403,
        }
    }
}

/// Request `i` of the run: mostly good work, the rest abuse.
fn kind(i: usize) -> Kind {
    match i % 10 {
        0..=3 => Kind::GoodGet,
        4..=5 => Kind::GoodPost,
        6 => Kind::Corrupt,
        7 => Kind::Oversized,
        _ => Kind::Unsigned,
    }
}

struct Outcome {
    kind: Kind,
    status: u16,
    retry_after: bool,
    seconds: f64,
}

/// Peak resident set of a process, in MB (the kernel's high-water mark).
fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmHWM");
    kb / 1024.0
}

/// POSTs a large body the way careful clients (curl among them) do: with `Expect:
/// 100-continue`, sending the body only if the server asks for it. A server that refuses the
/// request from its headers answers at once and never has to read, or drain, the body.
fn post_large(addr: &str, path: &str, body: &[u8]) -> Reply {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let read_head = |reader: &mut BufReader<std::net::TcpStream>| {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim_end().is_empty() {
                return lines;
            }
            lines.push(line.trim_end().to_string());
        }
    };
    let mut lines = read_head(&mut reader);
    if lines.first().is_some_and(|l| l.contains(" 100 ")) {
        stream.write_all(body).unwrap();
        lines = read_head(&mut reader);
    }
    let status: u16 = lines[0].split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    let mut headers = ureq::http::HeaderMap::new();
    for line in &lines[1..] {
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(
                ureq::http::HeaderName::from_bytes(k.trim().as_bytes()).unwrap(),
                ureq::http::HeaderValue::from_str(v.trim()).unwrap(),
            );
        }
    }
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
    Reply { status, headers, body: rest }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[test]
fn the_server_stays_up_and_bounded_under_load_and_abuse() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("photos")).unwrap();
    let photo = peers::fixture("flower.png");
    std::fs::write(dir.path().join("photos/flower.png"), &photo).unwrap();
    let corrupt = peers::fixture("corrupt/pillow_truncated_jpeg.jpg");
    let oversized = vec![0x42u8; OVERSIZED];

    let mut command = peers::glint();
    let store = format!("file://{}", dir.path().display());
    let max_bytes = MAX_BYTES.to_string();
    let concurrency = CONCURRENCY.to_string();
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["serve", "--listen", "127.0.0.1:0", "--backend", "cpu", "--store", &store])
        .args(["--concurrency", &concurrency, "--timeout", "30"])
        .env("GLINT_SIGNING_KEY", KEY)
        .env("GLINT_MAX_BYTES", &max_bytes);
    let mut server: Process = Process::spawn(command, "glint serve");
    let line = server.wait_for_line("\"listening\"", Duration::from_secs(30));
    let addr = serde_json::from_str::<Value>(&line).unwrap()["addr"].as_str().unwrap().to_string();
    let base = format!("http://{addr}");
    let rss_idle = peak_rss_mb(server.pid());

    let signer = Signer::from_hex(KEY).unwrap();
    let next = AtomicUsize::new(0);
    let outcomes = Mutex::new(Vec::with_capacity(REQUESTS));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..CLIENTS {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= REQUESTS || started.elapsed() > MAX_RUN {
                        return;
                    }
                    let kind = kind(i);
                    // A different size each time, so no two good requests are the same work.
                    let width = 200 + i % 300;
                    let t = Instant::now();
                    let reply: Reply = match kind {
                        Kind::GoodGet | Kind::Unsigned => {
                            // Enlarged to 1-2 MP, so each request is real work for the server.
                            let rest = format!(
                                "/resize:{}x:enlarge=true/sharpen:1/format:webp/src/photos/flower.png",
                                width * 4
                            );
                            let signature =
                                if kind == Kind::GoodGet { signer.sign(&rest) } else { "bm90LWEtc2lnbmF0dXJl".into() };
                            peers::get(&format!("{base}/{signature}{rest}"), &[])
                        }
                        Kind::GoodPost | Kind::Corrupt => {
                            let rest = format!("/process?ops=resize:{width}x/format:jpeg");
                            let body: &[u8] = if kind == Kind::GoodPost { &photo } else { &corrupt };
                            peers::post(&format!("{base}/{}{rest}", signer.sign(&rest)), &[], body)
                        }
                        Kind::Oversized => {
                            let rest = format!("/process?ops=resize:{width}x/format:jpeg");
                            post_large(&addr, &format!("/{}{rest}", signer.sign(&rest)), &oversized)
                        }
                    };
                    let outcome = Outcome {
                        kind,
                        status: reply.status,
                        retry_after: reply.header("retry-after").is_some(),
                        seconds: t.elapsed().as_secs_f64(),
                    };
                    let busy = outcome.status == 503;
                    outcomes.lock().unwrap().push(outcome);
                    if busy {
                        std::thread::sleep(BACK_OFF);
                    }
                }
            });
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let outcomes = outcomes.into_inner().unwrap();

    // Still up, and still serving good work normally once the load is gone.
    let health = peers::get(&format!("{base}/healthz"), &[]);
    assert_eq!(health.status, 200);
    let rest = "/resize:300x/format:webp/src/photos/flower.png";
    let after = peers::get(&format!("{base}/{}{rest}", signer.sign(rest)), &[]);
    assert_eq!(after.status, 200, "{}", String::from_utf8_lossy(&after.body));
    let rss_peak = peak_rss_mb(server.pid());

    let mut table: BTreeMap<(Kind, u16), usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for o in &outcomes {
        *table.entry((o.kind, o.status)).or_default() += 1;
        let fine = o.status == o.kind.expected() || (o.status == 503 && o.retry_after);
        if !fine {
            wrong.push(format!("{:?} got {}", o.kind, o.status));
        }
    }
    let mut good: Vec<f64> = outcomes.iter().filter(|o| o.status == 200).map(|o| o.seconds * 1000.0).collect();
    good.sort_by(f64::total_cmp);
    let busy = outcomes.iter().filter(|o| o.status == 503).count();
    println!(
        "load: {} requests from {CLIENTS} clients against --concurrency {CONCURRENCY} in {elapsed:.1} s: \
         {:.0} requests/s, {} processed ({:.1}/s), {busy} answered 503",
        outcomes.len(),
        outcomes.len() as f64 / elapsed,
        good.len(),
        good.len() as f64 / elapsed,
    );
    println!(
        "load: latency of the processed requests: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&good, 0.5),
        percentile(&good, 0.99),
        good.last().copied().unwrap_or(f64::NAN)
    );
    println!("load: server peak RSS {rss_peak:.1} MB (after start-up {rss_idle:.1} MB)");
    for ((kind, status), n) in &table {
        println!("load:   {kind:?} -> {status}: {n}");
    }

    assert!(wrong.is_empty(), "unexpected statuses: {wrong:?}");
    assert!(busy > 0, "{CLIENTS} clients never saturated a limit of {CONCURRENCY}");
    assert!(!good.is_empty(), "no request was processed");
    assert!(rss_peak < MAX_RSS_MB, "peak RSS {rss_peak:.1} MB");
    assert!(server.err().iter().all(|l| !l.contains("panicked")), "{:?}", server.err());
}
