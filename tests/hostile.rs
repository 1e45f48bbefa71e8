//! The hostile-input corpus through the real binary: every damaged and hostile file of the
//! shared corpus (`corrupt/`, `malicious/`, PngSuite's `x*` files) goes through
//! `glint process` with a resize pipeline and must fail with exit status 1, exactly one
//! `ERROR <input>: <reason>` line, no panic, within 2 s and under 200 MB of peak memory. The
//! few files of those folders that are valid images are listed in [`ACCEPTED`] with the reason,
//! and must come out as clean images with no metadata. Then every valid image of the corpus
//! must go through.
//!
//! Peak memory is the kernel's maximum resident set over waited-for children
//! (`getrusage(RUSAGE_CHILDREN)`), so this binary holds one test, which runs the hostile files
//! before the valid ones (large photographs would mask their figures). Ignored like the other
//! corpus tests; CI runs it with `--include-ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

#[path = "hostile/accepted.rs"]
mod accepted;
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use accepted::ACCEPTED;
use common::testdata;
use nix::sys::resource::{UsageWho, getrusage};

/// Valid inputs glint may decline (as in `tests/extended.rs`), with a word of the reason.
const DECLINED: &[(&str, &str)] = &[
    ("jpeg_variants/imgproxy_test1.arith.jpg", "arithmetic"),
    ("jpeg_variants/pillow_ultrahdr.jpg", "truncated"),
    ("png/imgpng_cicp_pq.png", ""),
];

const MAX_SECONDS: f64 = 2.0;
const MAX_RSS_MB: f64 = 200.0;

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(testdata().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

/// The corpus-relative name of a file, `dir/name`.
fn rel(path: &Path) -> String {
    let dir = path.parent().unwrap().file_name().unwrap().to_string_lossy();
    format!("{dir}/{}", path.file_name().unwrap().to_string_lossy())
}

/// Largest resident set of any waited-for child so far, in MB.
fn children_max_rss_mb() -> f64 {
    // Linux reports ru_maxrss in KiB.
    getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss() as f64 / 1024.0
}

struct Run {
    status: i32,
    stderr: String,
    seconds: f64,
    output: Option<Vec<u8>>,
}

fn process(input: &Path, out_dir: &Path) -> Run {
    let out = out_dir.join("out.png");
    let _ = std::fs::remove_file(&out);
    let start = Instant::now();
    let result = Command::new(env!("CARGO_BIN_EXE_glint"))
        .args(["process", "--backend", "cpu", "--ops", "resize:320x320", "-o"])
        .arg(&out)
        .arg(input)
        .output()
        .unwrap();
    Run {
        status: result.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&result.stderr).into_owned(),
        seconds: start.elapsed().as_secs_f64(),
        output: std::fs::read(&out).ok(),
    }
}

#[test]
#[ignore = "extended run: needs the shared corpus (../shared/testdata or GLINT_TESTDATA)"]
fn hostile_files_are_refused_cleanly_and_valid_ones_go_through() {
    let tmp = tempfile::tempdir().unwrap();
    let mut hostile: Vec<PathBuf> = ["corrupt", "malicious"].iter().flat_map(|d| files(d)).collect();
    hostile.extend(files("pngsuite").into_iter().filter(|p| rel(p).starts_with("pngsuite/x")));

    let (mut rejected, mut accepted) = (0, 0);
    let mut slowest = (0.0, String::new());
    let mut largest = (children_max_rss_mb(), String::from("(before the run)"));
    let mut failures = Vec::new();
    for path in &hostile {
        let name = rel(path);
        let run = process(path, tmp.path());
        let rss = children_max_rss_mb();
        if rss > largest.0 {
            largest = (rss, name.clone());
        }
        if run.seconds > slowest.0 {
            slowest = (run.seconds, name.clone());
        }
        let lines: Vec<&str> = run.stderr.lines().collect();
        println!("{name:<60} exit {} {:>6.3} s  {}", run.status, run.seconds, lines.first().unwrap_or(&""));
        if run.stderr.contains("panicked") {
            failures.push(format!("{name}: panicked: {}", run.stderr));
        }
        if run.seconds > MAX_SECONDS {
            failures.push(format!("{name}: took {:.2} s", run.seconds));
        }
        if let Some((_, why)) = ACCEPTED.iter().find(|(f, _)| *f == name) {
            accepted += 1;
            println!("    accepted: {why}");
            match &run.output {
                Some(out) if run.status == 0 && lines.is_empty() => {
                    let decoded = glint_kernels::decode(out, &glint_kernels::Limits::default());
                    if decoded.is_err() {
                        failures.push(format!("{name}: the output does not decode"));
                    }
                    for needle in [&b"Exif"[..], b"<?php", b"<svg"] {
                        if out.windows(needle.len()).any(|w| w == needle) {
                            failures.push(format!("{name}: output carries {:?}", String::from_utf8_lossy(needle)));
                        }
                    }
                }
                _ => failures.push(format!("{name}: expected success, got exit {}: {}", run.status, run.stderr)),
            }
            continue;
        }
        let prefix = format!("ERROR {}: ", path.display());
        let clean = run.status == 1
            && lines.len() == 1
            && lines[0].starts_with(&prefix)
            && lines[0].len() > prefix.len()
            && run.output.is_none();
        if clean {
            rejected += 1;
        } else {
            failures
                .push(format!("{name}: expected exit 1 and one ERROR line, got exit {}: {:?}", run.status, run.stderr));
        }
    }
    println!(
        "hostile corpus: {} files tried, {rejected} rejected cleanly, {accepted} valid ones accepted; \
         slowest {:.3} s ({}); largest peak RSS {:.1} MB ({})",
        hostile.len(),
        slowest.0,
        slowest.1,
        largest.0,
        largest.1
    );
    if largest.0 > MAX_RSS_MB {
        failures.push(format!("peak RSS {:.1} MB (from {}) is over {MAX_RSS_MB} MB", largest.0, largest.1));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(rejected + accepted, hostile.len());
    assert!(rejected >= 50, "only {rejected} files rejected");

    // Every valid image of the corpus goes through the same command.
    let mut ok = 0;
    let mut slowest = (Duration::ZERO, String::new());
    for dir in ["photos", "exif_orientation", "jpeg_variants", "png", "webp_gif", "pngsuite"] {
        for path in files(dir) {
            let name = rel(&path);
            if name.starts_with("pngsuite/x") {
                continue;
            }
            let run = process(&path, tmp.path());
            if run.seconds > slowest.0.as_secs_f64() {
                slowest = (Duration::from_secs_f64(run.seconds), name.clone());
            }
            assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
            if let Some((_, reason)) = DECLINED.iter().find(|(f, _)| *f == name) {
                assert!(run.status == 0 || run.stderr.contains(reason), "{name}: {}", run.stderr);
                continue;
            }
            assert!(run.status == 0 && run.output.is_some(), "{name}: exit {}: {}", run.status, run.stderr);
            ok += 1;
        }
    }
    println!("valid corpus: {ok} images processed; slowest {:.3} s ({})", slowest.0.as_secs_f64(), slowest.1);
    assert!(ok > 150, "only {ok} valid images");
}
