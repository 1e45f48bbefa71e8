//! `glint serve` over real HTTP: the contract's routes, signatures and statuses, caching
//! headers, limits, saturation, and the Cloud Run and Azure event routes, against a local store
//! (and once against moto's S3 server).

#![allow(clippy::expect_used, reason = "test helpers fail by panicking")]

mod peers;

use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use glint_runtime::signing::Signer;
use peers::{Process, Reply};
use serde_json::{Value, json};

const KEY: &str = "8f1c2a9b7d3e4f5061728394a5b6c7d8";

/// A running `glint serve`.
struct Server {
    _process: Process,
    base: String,
}

/// Starts `glint serve` on a free port with `args` and only the environment given.
fn serve(args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut command = peers::glint();
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied());
    let mut process = Process::spawn(command, "glint serve");
    let line = process.wait_for_line("\"listening\"", Duration::from_secs(30));
    let addr = serde_json::from_str::<Value>(&line).expect("JSON log line")["addr"].as_str().expect("addr").to_string();
    Server { _process: process, base: format!("http://{addr}") }
}

impl Server {
    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        peers::get(&format!("{}{path}", self.base), headers)
    }

    fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        peers::post(&format!("{}{path}", self.base), headers, body)
    }
}

/// A store directory holding `photos/hopper.jpg`, a corrupt JPEG and a key with spaces, `+`
/// and non-ASCII characters.
fn store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let photos = dir.path().join("photos");
    std::fs::create_dir_all(&photos).expect("mkdir");
    std::fs::write(photos.join("hopper.jpg"), peers::fixture("decode/hopper.jpg")).expect("write");
    std::fs::write(photos.join("été + a b.jpg"), peers::fixture("decode/hopper.jpg")).expect("write");
    std::fs::write(photos.join("broken.jpg"), peers::fixture("corrupt/pillow_truncated_jpeg.jpg")).expect("write");
    dir
}

fn store_arg(dir: &tempfile::TempDir) -> String {
    format!("file://{}", dir.path().display())
}

fn decode(bytes: &[u8]) -> (image::ImageFormat, u32, u32) {
    let img = image::load_from_memory(bytes).expect("decodes");
    (image::guess_format(bytes).expect("format"), img.width(), img.height())
}

fn error_of(reply: &Reply) -> (u16, String) {
    assert_eq!(reply.header("content-type"), Some("application/json"), "status {}", reply.status);
    let body = reply.json();
    assert!(body["detail"].is_string(), "{body}");
    (reply.status, body["error"].as_str().expect("error").to_string())
}

#[test]
fn signed_get_from_the_store() {
    let dir = store();
    let server = serve(&["--store", &store_arg(&dir)], &[("GLINT_SIGNING_KEY", KEY)]);
    let signer = Signer::from_hex(KEY).expect("key");
    let signed = |rest: &str| format!("/{}{rest}", signer.sign(rest));

    let ok = server.get(&signed("/resize:64x/format:webp/src/photos/hopper.jpg"), &[]);
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    assert_eq!(decode(&ok.body), (image::ImageFormat::WebP, 64, 64));
    assert_eq!(ok.header("content-type"), Some("image/webp"));
    assert_eq!(ok.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert!(ok.header("x-request-id").is_some());
    let etag = ok.header("etag").expect("ETag").to_string();

    // The client already has it: 304, no body, no processing.
    let again = server.get(&signed("/resize:64x/format:webp/src/photos/hopper.jpg"), &[("if-none-match", &etag)]);
    assert_eq!((again.status, again.body.len()), (304, 0));
    assert_eq!(again.header("etag"), Some(etag.as_str()));

    // Keys are percent-encoded per segment; the signature covers the path as sent.
    let odd = server.get(&signed(&format!("/resize:32x/src/photos/{}", peers::encode_key("été + a b.jpg"))), &[]);
    assert_eq!(odd.status, 200, "{}", String::from_utf8_lossy(&odd.body));
    assert_eq!(decode(&odd.body), (image::ImageFormat::Jpeg, 32, 32));

    // Missing, wrong and replayed-on-another-path signatures.
    assert_eq!(error_of(&server.get("/_/resize:64x/src/photos/hopper.jpg", &[])), (403, "signature".into()));
    let wrong = format!("/{}/resize:64x/src/photos/hopper.jpg", Signer::from_hex("00").expect("key").sign("/x"));
    assert_eq!(error_of(&server.get(&wrong, &[])), (403, "signature".into()));
    let replayed = signed("/resize:64x/src/photos/hopper.jpg").replace("resize:64x", "resize:640x");
    assert_eq!(error_of(&server.get(&replayed, &[])), (403, "signature".into()));
}

#[test]
fn unsigned_server_takes_only_the_underscore() {
    let dir = store();
    let server = serve(&["--store", &store_arg(&dir)], &[]);
    assert_eq!(server.get("/_/invert/src/photos/hopper.jpg", &[]).status, 200);
    let signed = format!(
        "/{}/invert/src/photos/hopper.jpg",
        Signer::from_hex(KEY).expect("key").sign("/invert/src/photos/hopper.jpg")
    );
    assert_eq!(error_of(&server.get(&signed, &[])), (403, "signature".into()));
    let health = server.get("/healthz", &[]);
    assert_eq!((health.status, health.json()), (200, json!({"status": "ok"})));
}

#[test]
fn post_processes_the_request_body() {
    let dir = store();
    let server = serve(&["--store", &store_arg(&dir)], &[("GLINT_SIGNING_KEY", KEY)]);
    let signer = Signer::from_hex(KEY).expect("key");
    let rest = "/process?ops=resize:32x/format:png";
    let reply = server.post(&format!("/{}{rest}", signer.sign(rest)), &[], &peers::fixture("decode/hopper.jpg"));
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(decode(&reply.body), (image::ImageFormat::Png, 32, 32));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    // The signature covers the query too.
    let other = format!("/{}/process?ops=resize:33x/format:png", signer.sign(rest));
    assert_eq!(error_of(&server.post(&other, &[], &peers::fixture("decode/hopper.jpg"))), (403, "signature".into()));
}

#[test]
fn errors_have_their_status_and_a_json_body() {
    let dir = store();
    std::fs::write(dir.path().join("photos/large.png"), peers::fixture("flower.png")).expect("write");
    let server = serve(&["--store", &store_arg(&dir)], &[("GLINT_MAX_BYTES", "50000")]);
    let (status, error) = error_of(&server.get("/_/sparkle:3/src/photos/hopper.jpg", &[]));
    assert_eq!((status, error.as_str()), (400, "bad_pipeline"));
    let detail =
        server.get("/_/sparkle:3/src/photos/hopper.jpg", &[]).json()["detail"].as_str().unwrap_or_default().to_string();
    assert!(detail.contains("unknown op 'sparkle'"), "{detail}");
    assert_eq!(error_of(&server.get("/_/blur:0/src/photos/hopper.jpg", &[])), (400, "bad_pipeline".into()));
    assert_eq!(error_of(&server.get("/_/invert/src/photos/none.jpg", &[])), (404, "not_found".into()));
    assert_eq!(error_of(&server.get("/_/invert/src/photos/broken.jpg", &[])), (415, "unsupported_image".into()));
    assert_eq!(error_of(&server.get("/_/invert/src/photos/large.png", &[])), (413, "too_large".into()));
    assert_eq!(error_of(&server.get("/_/invert/src/..%2F..%2Fetc%2Fpasswd", &[])), (400, "invalid_key".into()));
    assert_eq!(error_of(&server.get("/_/invert/photos/hopper.jpg", &[])), (400, "bad_request".into()));
    assert_eq!(error_of(&server.get("/nothing", &[])), (405, "method_not_allowed".into()));
    // An oversized body is refused before it is read.
    let big = peers::fixture("flower.png");
    assert_eq!(error_of(&server.post("/_/process?ops=invert", &[], &big)), (413, "too_large".into()));
    assert_eq!(error_of(&server.post("/_/process", &[], b"x")), (400, "bad_request".into()));
    assert_eq!(
        error_of(&server.post("/_/process?ops=invert", &[], b"not an image")),
        (415, "unsupported_image".into())
    );
}

#[test]
fn saturation_answers_503_with_retry_after() {
    let dir = store();
    let server = Arc::new(serve(&["--store", &store_arg(&dir), "--concurrency", "1"], &[]));
    let n = 4;
    let barrier = Arc::new(Barrier::new(n));
    let replies: Vec<Reply> = (0..n)
        .map(|_| {
            let (server, barrier) = (Arc::clone(&server), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                server.get("/_/resize:3000x3000:enlarge=true/clahe/blur:20/sharpen:3/src/photos/hopper.jpg", &[])
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("request thread"))
        .collect();
    let ok = replies.iter().filter(|r| r.status == 200).count();
    let busy: Vec<&Reply> = replies.iter().filter(|r| r.status == 503).collect();
    assert!(
        ok >= 1 && !busy.is_empty() && ok + busy.len() == n,
        "statuses: {:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for reply in busy {
        assert_eq!(reply.header("retry-after"), Some("1"));
        assert_eq!(error_of(reply).1, "saturated");
    }
}

#[test]
fn slow_requests_time_out_with_503() {
    let dir = store();
    let server = serve(&["--store", &store_arg(&dir), "--timeout", "1"], &[]);
    // About 5 s of work on two cores.
    let reply = server.get("/_/resize:6000x6000:enlarge=true/clahe/blur:40/sharpen:5/src/photos/hopper.jpg", &[]);
    assert_eq!(error_of(&reply), (503, "timeout".into()));
    assert_eq!(reply.header("retry-after"), Some("1"));
}

#[test]
fn cloud_run_storage_cloudevents() {
    let dir = store();
    let out = tempfile::tempdir().expect("tempdir");
    let output = format!("file://{}", out.path().display());
    let server =
        serve(&["--store", &store_arg(&dir)], &[("GLINT_OPS", "resize:48x/format:png"), ("GLINT_OUTPUT", &output)]);
    let event =
        json!({"bucket": "photos-bucket", "name": "photos/hopper.jpg", "contentType": "image/jpeg", "size": "6412"});
    let binary = server.post(
        "/",
        &[
            ("ce-specversion", "1.0"),
            ("ce-type", "google.cloud.storage.object.v1.finalized"),
            ("ce-source", "//storage.googleapis.com/projects/_/buckets/photos-bucket"),
            ("ce-id", "1"),
            ("content-type", "application/json"),
        ],
        event.to_string().as_bytes(),
    );
    assert_eq!(binary.status, 200, "{}", String::from_utf8_lossy(&binary.body));
    let result = binary.json();
    assert_eq!((result["width"].as_u64(), result["height"].as_u64()), (Some(48), Some(48)));
    let dest = result["dest"].as_str().expect("dest").strip_prefix("file://").expect("file URI").to_string();
    assert!(dest.starts_with(&out.path().display().to_string()), "{dest}");
    assert_eq!(decode(&std::fs::read(&dest).expect("result file")), (image::ImageFormat::Png, 48, 48));

    // Structured mode, same object: the same result, rewritten.
    let structured = json!({"specversion": "1.0", "type": "google.cloud.storage.object.v1.finalized", "source": "s", "id": "2", "data": event});
    let reply =
        server.post("/", &[("content-type", "application/cloudevents+json")], structured.to_string().as_bytes());
    assert_eq!(reply.json()["dest"], result["dest"]);
    // Another event type is acknowledged and ignored; a request that is no CloudEvent is refused.
    let deleted =
        server.post("/", &[("ce-type", "google.cloud.storage.object.v1.deleted")], event.to_string().as_bytes());
    assert!(deleted.status == 200 && deleted.json()["skipped"].is_string());
    assert_eq!(error_of(&server.post("/", &[], event.to_string().as_bytes())), (400, "bad_request".into()));
    let files: Vec<_> = walk(out.path());
    assert_eq!(files.len(), 1, "{files:?}");
}

#[test]
fn azure_functions_blob_trigger() {
    let dir = store();
    let out = tempfile::tempdir().expect("tempdir");
    let output = format!("file://{}", out.path().display());
    let server =
        serve(&["--store", &store_arg(&dir)], &[("GLINT_OPS", "resize:40x/format:webp"), ("GLINT_OUTPUT", &output)]);
    let invocation = |blob: &str| {
        json!({
            "Data": {"blob": "(not read: glint reads the blob from its store)"},
            "Metadata": {"BlobTrigger": blob, "Uri": format!("https://account.blob.core.windows.net/{blob}"), "sys": {"MethodName": "glint"}}
        })
    };
    let reply = server.post(
        "/glint",
        &[("content-type", "application/json")],
        invocation("photos/hopper.jpg").to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let body = reply.json();
    assert_eq!(body["Outputs"], json!({}));
    assert!(body["Logs"][0].as_str().is_some_and(|l| l.contains("photos/hopper.jpg")));
    let dest =
        body["ReturnValue"]["dest"].as_str().expect("dest").strip_prefix("file://").expect("file URI").to_string();
    assert_eq!(decode(&std::fs::read(dest).expect("result")), (image::ImageFormat::WebP, 40, 40));

    let broken = server.post("/glint", &[], invocation("photos/broken.jpg").to_string().as_bytes());
    assert_eq!(error_of(&broken), (415, "unsupported_image".into()));
    assert_eq!(error_of(&server.post("/glint", &[], b"{}")), (400, "bad_request".into()));
}

#[test]
fn serves_from_s3() {
    let s3 = peers::Moto::start();
    s3.create_bucket("glint-photos");
    s3.put("glint-photos", "library/hopper.jpg", &peers::fixture("decode/hopper.jpg"), "image/jpeg", &[]);
    let env = s3.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = serve(&["--store", "s3://glint-photos/library"], &env);
    let reply = server.get("/_/resize:20x/format:png/src/hopper.jpg", &[]);
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(decode(&reply.body), (image::ImageFormat::Png, 20, 20));
    assert_eq!(error_of(&server.get("/_/invert/src/missing.jpg", &[])), (404, "not_found".into()));
}

#[test]
fn refuses_bad_settings_at_start() {
    for (args, env, expected) in [
        (vec!["--store", "ftp://x"], vec![], "expected s3://BUCKET/KEY or file://PATH"),
        (vec![], vec![("GLINT_OPS", "blur:0")], "GLINT_OPS: invalid pipeline"),
        (vec![], vec![("GLINT_SIGNING_KEY", "not hex")], "GLINT_SIGNING_KEY"),
    ] {
        let mut command = peers::glint();
        command.env_clear().args(["serve", "--listen", "127.0.0.1:0"]).args(&args).envs(env);
        let mut process = Process::spawn(command, "glint serve");
        assert_eq!(process.wait(Duration::from_secs(30)).code(), Some(2), "{args:?}");
        let err = process.err().join("\n");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir").map(|e| e.expect("entry")) {
        let path = entry.path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}
