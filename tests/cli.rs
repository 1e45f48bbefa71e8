//! The `glint` binary as a user runs it: `process` on files, directories and standard input,
//! output naming and formats, one `ERROR` line per failed input, exit statuses 0 / 1 / 2, and
//! `info`. No run may print a panic message.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::fixture;
use glint_kernels::codec::{Format, Sniffed, sniff};

fn glint(args: &[&str]) -> Output {
    glint_with(args, &[], None)
}

fn glint_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_glint"));
    cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for var in ["GLINT_MAX_PIXELS", "GLINT_MAX_BYTES", "GLINT_BACKEND"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let mut child = cmd.spawn().expect("run glint");
    if let Some(data) = stdin {
        child.stdin.take().expect("stdin").write_all(data).expect("write stdin");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("wait for glint");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic message in stderr: {stderr}");
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn format_of(path: &Path) -> Format {
    match sniff(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))) {
        Sniffed::Known(f) => f,
        other => panic!("{}: {other:?}", path.display()),
    }
}

fn f(name: &str) -> String {
    fixture(name).display().to_string()
}

#[test]
fn one_file_with_the_format_from_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small.webp");
    let r = glint(&["process", &f("decode/hopper.jpg"), "--ops", "resize:64x/sharpen:1", "-o", out.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    assert_eq!(format_of(&out), Format::Webp);
    // The pipeline's format wins over the extension.
    let out = dir.path().join("named.png");
    let r =
        glint(&["process", &f("decode/hopper.jpg"), "--ops", "resize:64x/format:jpeg", "-o", out.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(0));
    assert_eq!(format_of(&out), Format::Jpeg);
    // No format anywhere: the input's.
    let out = dir.path().join("plain");
    let r = glint(&["process", &f("decode/hopper.jpg"), "--ops", "flip:h", "-o", out.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(0));
    assert_eq!(format_of(&out), Format::Jpeg);
    // GIF input without a format: written as PNG, which glint writes.
    let out = dir.path().join("from_gif");
    let r = glint(&["process", &f("decode/pillow_hopper.gif"), "--ops", "invert", "-o", out.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(0));
    assert_eq!(format_of(&out), Format::Png);
}

#[test]
fn directories_recursively_with_failures_reported_one_line_each() {
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("a/b")).unwrap();
    std::fs::copy(fixture("decode/hopper.jpg"), src.path().join("one.jpg")).unwrap();
    std::fs::copy(fixture("decode/basn6a08.png"), src.path().join("a/two.png")).unwrap();
    std::fs::copy(fixture("corrupt/pillow_truncated_jpeg.jpg"), src.path().join("a/b/broken.jpg")).unwrap();
    std::fs::write(src.path().join("a/notes.txt"), "not an image").unwrap();
    let dst = tempfile::tempdir().unwrap();
    let r = glint(&[
        "process",
        src.path().to_str().unwrap(),
        "--ops",
        "resize:32x/format:webp",
        "-o",
        dst.path().to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    let err = stderr(&r);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("ERROR ") && lines[0].contains("broken.jpg: ") && lines[0].contains("truncated"),
        "{err}"
    );
    assert_eq!(format_of(&dst.path().join("one.webp")), Format::Webp);
    assert_eq!(format_of(&dst.path().join("a/two.webp")), Format::Webp);
    assert!(!dst.path().join("a/b/broken.webp").exists(), "no output for a failed input");
    assert!(!dst.path().join("a/notes.webp").exists());
    let leftovers: Vec<_> = walk(dst.path())
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(".tmp")))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn several_files_and_a_missing_one() {
    let dst = tempfile::tempdir().unwrap();
    let r = glint(&[
        "process",
        &f("decode/hopper.jpg"),
        "/no/such/file.jpg",
        &f("decode/basn2c08.png"),
        "--ops",
        "grayscale",
        "-o",
        dst.path().to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    assert_eq!(r.status.code(), Some(1));
    let err = stderr(&r);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("ERROR /no/such/file.jpg: cannot read"), "{err}");
    assert!(dst.path().join("hopper.jpg").is_file());
    assert!(dst.path().join("basn2c08.png").is_file());
}

#[test]
fn standard_input_to_standard_output() {
    let input = std::fs::read(fixture("decode/hopper.jpg")).unwrap();
    let r = glint_with(&["process", "-", "--ops", "resize:40x/format:png"], &[], Some(&input));
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    assert!(r.stdout.starts_with(b"\x89PNG"));
    let r = glint_with(&["process", "-", "--ops", "resize:40x"], &[], Some(b"garbage"));
    assert_eq!(r.status.code(), Some(1));
    assert!(stderr(&r).starts_with("ERROR -: not an image"), "{}", stderr(&r));
}

#[test]
fn usage_and_pipeline_errors_exit_2_before_reading_anything() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.png");
    let o = out.to_str().unwrap();
    for (args, needle) in [
        (vec!["process", "/no/such/file.jpg", "--ops", "blur:0", "-o", o], "blur: sigma=0"),
        (vec!["process", "/no/such/file.jpg", "--ops", "sparkle", "-o", o], "unknown op 'sparkle'"),
        (vec!["process", &f("decode/hopper.jpg"), &f("decode/hopper.tif"), "--ops", "invert"], "need -o DIR"),
        (vec!["process", &f("decode/hopper.jpg"), "--ops", "invert", "-o", "out.bmp"], "output format"),
        (vec!["process", &f("decode/hopper.jpg"), "--ops", "invert", "--backend", "tpu", "-o", o], "tpu"),
        (vec!["process", &f("decode/hopper.jpg"), "-o", o], "--ops"),
    ] {
        let r = glint(&args);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {}", stderr(&r));
        assert!(stderr(&r).contains(needle), "{args:?}: {}", stderr(&r));
        assert!(!stderr(&r).contains("ERROR "), "{args:?}: no input was read");
    }
    assert!(!out.exists());
    let r = glint_with(
        &["process", &f("decode/hopper.jpg"), "--ops", "invert", "-o", o],
        &[("GLINT_MAX_PIXELS", "many")],
        None,
    );
    assert_eq!(r.status.code(), Some(2));
    assert!(stderr(&r).contains("GLINT_MAX_PIXELS"));
}

#[test]
fn backends_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    for backend in ["cpu", "gpu", "auto"] {
        let out = dir.path().join(format!("{backend}.png"));
        let r = glint(&[
            "process",
            &f("decode/hopper.jpg"),
            "--ops",
            "resize:64x/sharpen:1",
            "--backend",
            backend,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.status.code(), Some(0), "--backend {backend}: {}", stderr(&r));
    }
    let cpu = std::fs::read(dir.path().join("cpu.png")).unwrap();
    assert_eq!(std::fs::read(dir.path().join("gpu.png")).unwrap(), cpu, "both backends give the same pixels");
    // With no Vulkan driver to load, `gpu` is refused before any input is read.
    let out = dir.path().join("none.png");
    let r = glint_with(
        &["process", &f("decode/hopper.jpg"), "--ops", "invert", "--backend", "gpu", "-o", out.to_str().unwrap()],
        &[("VK_ICD_FILENAMES", "/nonexistent.json"), ("VK_DRIVER_FILES", "/nonexistent.json")],
        None,
    );
    assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
    assert!(stderr(&r).contains("--backend gpu: no GPU adapter"), "{}", stderr(&r));
    assert!(!out.exists());
}

#[test]
fn limits_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("x.png");
    let r = glint_with(
        &["process", &f("decode/hopper.jpg"), "--ops", "invert", "-o", o.to_str().unwrap()],
        &[("GLINT_MAX_PIXELS", "1000")],
        None,
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(stderr(&r).contains("GLINT_MAX_PIXELS"), "{}", stderr(&r));
    let r = glint_with(
        &["process", &f("decode/hopper.jpg"), "--ops", "invert", "-o", o.to_str().unwrap()],
        &[("GLINT_MAX_BYTES", "1000")],
        None,
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(stderr(&r).contains("GLINT_MAX_BYTES"), "{}", stderr(&r));
    assert!(!o.exists());
}

#[test]
fn info_reports_backends_limits_and_files() {
    let r = glint_with(&["info"], &[("GLINT_MAX_PIXELS", "5000000")], None);
    assert_eq!(r.status.code(), Some(0));
    let text = String::from_utf8_lossy(&r.stdout);
    for needle in [
        "cpu: available",
        "gpu:",
        "GLINT_MAX_PIXELS = 5000000 (from the environment)",
        "GLINT_MAX_BYTES",
        "write: jpeg png webp avif",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    let r = glint(&["info", &f("decode/pillow_hopper_orientation_6.jpg")]);
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(text.contains("jpeg 128x128") && text.contains("orientation 6"), "{text}");
}
