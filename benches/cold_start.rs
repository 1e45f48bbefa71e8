//! Cold start of the Lambda function: the time from spawning `glint` (as Lambda would start the
//! `bootstrap` executable) to its first request for work, `GET /2018-06-01/runtime/invocation/next`,
//! arriving at a runtime API stub on 127.0.0.1. Everything glint does before it can take an
//! event is inside that time: process start, settings, logging, the router, the runtime client.
//!
//! Run with `cargo bench --bench cold_start` (`GLINT_COLD_START_RUNS`, default 50).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NEXT: &str = "GET /2018-06-01/runtime/invocation/next ";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::var("GLINT_COLD_START_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let api = listener.local_addr()?.to_string();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_glint"))
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", &api)
            .env("AWS_LAMBDA_FUNCTION_NAME", "glint")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
            .env("AWS_REGION", "us-east-1")
            .env("GLINT_OPS", "resize:800x/format:webp")
            .env("GLINT_INPUT", "s3://photos/uploads/")
            .env("GLINT_OUTPUT", "s3://photos-out/thumbs")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let (stream, _) = listener.accept()?;
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line)?;
        let elapsed = started.elapsed();
        child.kill()?;
        child.wait()?;
        if !line.starts_with(NEXT) {
            return Err(format!("first request was {line:?}, expected {NEXT:?}").into());
        }
        times.push(elapsed);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "cold start to first /next over {runs} runs: min {:.1} ms, median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms(times[0]),
        ms(at(0.5)),
        ms(at(0.9)),
        ms(times[times.len() - 1])
    );
    Ok(())
}
