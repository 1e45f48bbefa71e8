//! The `glint` binary as an AWS Lambda function, driven through cargo-lambda's runtime emulator
//! (the real Lambda runtime protocol) against moto's S3 server (the real S3 protocol), both
//! started by the tests on 127.0.0.1.
//!
//! Each test starts its own S3 server, emulator and function, so tests are independent.

#![allow(clippy::expect_used, reason = "test helpers fail by panicking")]

mod peers;

use std::time::Duration;

use glint_runtime::signing::Signer;
use peers::{Emulator, Moto, Process, Reply, s3_event, s3_record, sqs_message, start_function};
use serde_json::{Value, json};

const INPUT: &str = "glint-in";
const OUTPUT: &str = "glint-out";

/// A function behind an emulator, with S3 buckets `glint-in` and `glint-out`. Fields drop in
/// order: the function before its peers.
struct Stack {
    function: Process,
    emulator: Emulator,
    s3: Moto,
}

/// Starts the stack: GLINT_OPS `resize:64x/format:webp` from `glint-in/uploads/` into
/// `glint-out/thumbs/`, with `env` added (or overriding).
fn stack(env: &[(&str, &str)]) -> Stack {
    let s3 = Moto::start();
    s3.create_bucket(INPUT);
    s3.create_bucket(OUTPUT);
    let emulator = Emulator::start();
    let mut vars = s3.env();
    for (k, v) in [
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
    Stack { function, emulator, s3 }
}

impl Stack {
    fn upload(&self, key: &str, bytes: &[u8]) {
        self.s3.put(INPUT, key, bytes, "image/jpeg", &[]);
    }

    fn invoke(&self, event: &Value) -> Reply {
        self.emulator.invoke(event)
    }

    /// The EMF line of the `n`th invocation (waiting for it to be printed).
    fn emf(&self, n: usize) -> Value {
        for _ in 0..200 {
            if let Some(v) = self.function.emf().get(n) {
                return v.clone();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no EMF line #{n}; output: {:?}", self.function.out())
    }
}

fn hopper() -> Vec<u8> {
    peers::fixture("decode/hopper.jpg")
}

fn decode(bytes: &[u8]) -> (image::ImageFormat, u32, u32) {
    let format = image::guess_format(bytes).expect("an image");
    let img = image::load_from_memory(bytes).expect("decodes");
    (format, img.width(), img.height())
}

#[test]
fn s3_event_writes_the_output_object() {
    let stack = stack(&[]);
    stack.upload("uploads/hopper.jpg", &hopper());
    let reply = stack.invoke(&s3_event(INPUT, "uploads/hopper.jpg", 6412));
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json(), json!({"processed": 1, "skipped": 0, "failed": 0}));

    let keys = stack.s3.keys(OUTPUT);
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].starts_with("thumbs/uploads/hopper-") && keys[0].ends_with(".webp"), "{keys:?}");
    let object = stack.s3.get(OUTPUT, &keys[0]).expect("output object");
    assert_eq!(decode(&object.body), (image::ImageFormat::WebP, 64, 64));
    assert_eq!(object.content_type.as_deref(), Some("image/webp"));
    assert_eq!(object.metadata.get("glint-output").map(String::as_str), Some("resize:64x/format:webp"));
    assert_eq!(object.metadata.get("glint-source").map(String::as_str), Some("s3://glint-in/uploads/hopper.jpg"));
    // The input is untouched.
    assert_eq!(stack.s3.get(INPUT, "uploads/hopper.jpg").expect("input").body, hopper());

    let emf = stack.emf(0);
    assert_eq!(
        (emf["Trigger"].as_str(), emf["Outcome"].as_str(), emf["Backend"].as_str()),
        (Some("s3"), Some("ok"), Some("cpu"))
    );
    assert_eq!((emf["Objects"].as_u64(), emf["BytesIn"].as_u64()), (Some(1), Some(6412)));
    assert_eq!(emf["BytesOut"].as_u64(), Some(object.body.len() as u64));
    for stage in ["FetchMs", "DecodeMs", "ProcessMs", "EncodeMs", "StoreMs"] {
        assert!(emf[stage].as_f64().is_some_and(|ms| ms > 0.0), "{stage} in {emf}");
    }
    // Log lines are JSON and carry the Lambda request id.
    let processed = stack.function.logged("\"processed\"");
    let line: Value = serde_json::from_str(&processed).expect("JSON log line");
    assert_eq!(line["span"]["requestId"], emf["RequestId"]);
}

#[test]
fn keys_with_spaces_plus_and_non_ascii() {
    let stack = stack(&[]);
    let key = "uploads/été 2024/summer day + naïve.jpg";
    stack.upload(key, &hopper());
    let event = s3_event(INPUT, key, 6412);
    assert_eq!(event["Records"][0]["s3"]["object"]["key"], "uploads/%C3%A9t%C3%A9+2024/summer+day+%2B+na%C3%AFve.jpg");
    let reply = stack.invoke(&event);
    assert_eq!(reply.json()["processed"], 1, "{}", String::from_utf8_lossy(&reply.body));
    let keys = stack.s3.keys(OUTPUT);
    assert_eq!(keys.len(), 1);
    assert!(keys[0].starts_with("thumbs/uploads/été 2024/summer day + naïve-"), "{keys:?}");
    assert_eq!(decode(&stack.s3.get(OUTPUT, &keys[0]).expect("output").body).1, 64);
}

#[test]
fn the_same_event_twice_gives_one_identical_output() {
    let stack = stack(&[]);
    stack.upload("uploads/hopper.jpg", &hopper());
    let event = s3_event(INPUT, "uploads/hopper.jpg", 6412);
    assert_eq!(stack.invoke(&event).json()["processed"], 1);
    let keys = stack.s3.keys(OUTPUT);
    let first = stack.s3.get(OUTPUT, &keys[0]).expect("output").body;
    assert_eq!(stack.invoke(&event).json()["processed"], 1);
    assert_eq!(stack.s3.keys(OUTPUT), keys);
    assert_eq!(stack.s3.get(OUTPUT, &keys[0]).expect("output").body, first);
}

#[test]
fn events_for_glint_outputs_do_nothing() {
    // Output in the input bucket (under another prefix), so the trigger could see it.
    let stack = stack(&[("GLINT_OUTPUT", "s3://glint-in/processed")]);
    stack.upload("uploads/hopper.jpg", &hopper());
    assert_eq!(stack.invoke(&s3_event(INPUT, "uploads/hopper.jpg", 6412)).json()["processed"], 1);
    let keys = stack.s3.keys(INPUT);
    let output = keys.iter().find(|k| k.starts_with("processed/")).expect("an output").clone();

    // An event for the output itself: it lies in GLINT_OUTPUT.
    let reply = stack.invoke(&s3_event(INPUT, &output, 100));
    assert_eq!(reply.json(), json!({"processed": 0, "skipped": 1, "failed": 0}));
    // A glint result copied among the uploads is recognised by its metadata.
    let result = stack.s3.get(INPUT, &output).expect("output").body;
    stack.s3.put(INPUT, "uploads/copied.webp", &result, "image/webp", &[("glint-output", "resize:64x/format:webp")]);
    let reply = stack.invoke(&s3_event(INPUT, "uploads/copied.webp", result.len()));
    assert_eq!(reply.json(), json!({"processed": 0, "skipped": 1, "failed": 0}));

    let mut expected = keys.clone();
    expected.push("uploads/copied.webp".into());
    expected.sort();
    assert_eq!(stack.s3.keys(INPUT), expected, "nothing new was written");
    assert_eq!(stack.emf(2)["Outcome"], "skipped");
}

#[test]
fn sqs_batch_reports_exactly_the_failed_message() {
    let stack = stack(&[]);
    stack.upload("uploads/a.jpg", &hopper());
    stack.upload("uploads/broken.jpg", &peers::fixture("corrupt/pillow_truncated_jpeg.jpg"));
    stack.upload("uploads/b.jpg", &hopper());
    let batch = json!({"Records": [
        sqs_message("m-1", &s3_event(INPUT, "uploads/a.jpg", 6412)),
        sqs_message("m-2", &s3_event(INPUT, "uploads/broken.jpg", 6698)),
        sqs_message("m-3", &s3_event(INPUT, "uploads/b.jpg", 6412)),
        sqs_message("m-4", &json!({"Service": "Amazon S3", "Event": "s3:TestEvent"})),
    ]});
    let reply = stack.invoke(&batch);
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json(), json!({"batchItemFailures": [{"itemIdentifier": "m-2"}]}));
    let keys = stack.s3.keys(OUTPUT);
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.iter().any(|k| k.starts_with("thumbs/uploads/a-"))
            && keys.iter().any(|k| k.starts_with("thumbs/uploads/b-"))
    );
    let emf = stack.emf(0);
    assert_eq!((emf["Trigger"].as_str(), emf["Outcome"].as_str()), (Some("sqs"), Some("partial")));
    assert_eq!((emf["Objects"].as_u64(), emf["Failed"].as_u64(), emf["Skipped"].as_u64()), (Some(2), Some(1), Some(1)));
    let failure = stack.function.logged("record failed");
    assert!(failure.contains("broken.jpg") && failure.contains("\"retryable\":false"), "{failure}");
}

#[test]
fn test_events_and_other_event_kinds_are_skipped() {
    let stack = stack(&[]);
    let reply = stack.invoke(&json!({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": INPUT}));
    assert_eq!(reply.status, 200);
    let removed = json!({"Records": [s3_record("ObjectRemoved:Delete", INPUT, "uploads/x.jpg", 0)]});
    assert_eq!(stack.invoke(&removed).json(), json!({"processed": 0, "skipped": 1, "failed": 0}));
    let garbage = stack.invoke(&json!({"hello": "world"}));
    assert_eq!(garbage.status, 500);
    assert_eq!(garbage.json()["errorType"], "glint.bad_event");
    assert!(stack.s3.keys(OUTPUT).is_empty());
}

#[test]
fn direct_invocation() {
    let stack = stack(&[]);
    stack.upload("uploads/hopper.jpg", &hopper());
    let reply = stack.invoke(&json!({
        "source": "s3://glint-in/uploads/hopper.jpg",
        "ops": "resize:32x/format:png",
        "dest": "s3://glint-out/direct/small.png"
    }));
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let body = reply.json();
    let written = stack.s3.get(OUTPUT, "direct/small.png").expect("dest object").body;
    assert_eq!(
        body,
        json!({"dest": "s3://glint-out/direct/small.png", "width": 32, "height": 32, "bytes": written.len(), "backend": "cpu"})
    );
    assert_eq!(decode(&written), (image::ImageFormat::Png, 32, 32));

    let bad = stack.invoke(
        &json!({"source": "s3://glint-in/uploads/hopper.jpg", "ops": "blur:0", "dest": "s3://glint-out/x.png"}),
    );
    assert_eq!((bad.status, bad.json()["errorType"].as_str()), (500, Some("glint.bad_pipeline")));
    let same = stack.invoke(&json!({"source": "s3://glint-in/uploads/hopper.jpg", "ops": "invert", "dest": "s3://glint-in/uploads/hopper.jpg"}));
    assert!(same.json()["errorMessage"].as_str().is_some_and(|m| m.contains("never overwrites its input")));
    assert_eq!(stack.s3.get(INPUT, "uploads/hopper.jpg").expect("input").body, hopper());
}

#[test]
fn function_url_requests_take_the_http_routes() {
    let key = "00112233445566778899aabbccddeeff";
    let stack = stack(&[("GLINT_SIGNING_KEY", key)]);
    stack.upload("uploads/hopper.jpg", &hopper());
    let signer = Signer::from_hex(key).expect("key");
    let url = |rest: &str| format!("{}/{}{rest}", stack.emulator.function_url(), signer.sign(rest));

    let ok = peers::get(&url("/resize:50x/format:png/src/uploads/hopper.jpg"), &[]);
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    assert_eq!(ok.header("content-type"), Some("image/png"));
    assert_eq!(decode(&ok.body), (image::ImageFormat::Png, 50, 50));
    assert!(ok.header("etag").is_some() && ok.header("cache-control").is_some_and(|c| c.contains("immutable")));

    let unsigned = peers::get(&format!("{}/_/resize:50x/src/uploads/hopper.jpg", stack.emulator.function_url()), &[]);
    assert_eq!((unsigned.status, unsigned.json()["error"].as_str()), (403, Some("signature")));
    let unknown = peers::get(&url("/sparkle/src/uploads/hopper.jpg"), &[]);
    assert_eq!((unknown.status, unknown.json()["error"].as_str()), (400, Some("bad_pipeline")));
    let missing = peers::get(&url("/invert/src/uploads/nothing.jpg"), &[]);
    assert_eq!((missing.status, missing.json()["error"].as_str()), (404, Some("not_found")));

    // A result over what a synchronous Lambda response can carry comes back as a redirect to
    // a copy in GLINT_OUTPUT.
    let big = peers::get(&url("/resize:4000x4000:enlarge=true/format:png/src/uploads/hopper.jpg"), &[]);
    assert_eq!(big.status, 303, "{}", String::from_utf8_lossy(&big.body));
    let location = big.header("location").expect("Location").to_string();
    assert!(location.starts_with(&stack.s3.endpoint) && location.contains("X-Amz-Signature"), "{location}");
    let fetched = peers::get(&location, &[]);
    assert_eq!(fetched.status, 200);
    assert!(fetched.body.len() > 4_700_000, "{} bytes", fetched.body.len());
    assert_eq!(decode(&fetched.body), (image::ImageFormat::Png, 4000, 4000));
    assert!(stack.s3.keys(OUTPUT).iter().any(|k| k.starts_with("thumbs/responses/") && k.ends_with(".png")));
}

#[test]
fn images_too_large_for_the_function_memory_are_refused_not_retried() {
    let stack = stack(&[("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"), ("GLINT_OPS", "resize:4000x4000:enlarge=true")]);
    stack.upload("uploads/hopper.jpg", &hopper());
    let reply = stack.invoke(&s3_event(INPUT, "uploads/hopper.jpg", 6412));
    // Not retryable: the invocation succeeds, with the failure counted and logged.
    assert_eq!(reply.json(), json!({"processed": 0, "skipped": 0, "failed": 1}));
    let line = stack.function.logged("record failed");
    assert!(line.contains("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") && line.contains("\"kind\":\"too_large\""), "{line}");
    assert!(stack.s3.keys(OUTPUT).is_empty());
}

#[test]
fn storage_faults_fail_the_invocation_so_lambda_retries() {
    // S3 at an address where nothing listens.
    let closed = format!("http://127.0.0.1:{}", peers::free_port());
    let stack = stack(&[("AWS_ENDPOINT_URL_S3", &closed)]);
    let reply = stack.invoke(&s3_event(INPUT, "uploads/hopper.jpg", 6412));
    assert_eq!(reply.status, 500, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["errorType"], "glint.storage.retryable");
}

#[test]
fn refuses_an_output_inside_the_watched_input_at_start() {
    let mut command = peers::glint();
    command
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .env("AWS_LAMBDA_FUNCTION_NAME", "glint")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("GLINT_OPS", "invert")
        .env("GLINT_INPUT", "s3://photos/")
        .env("GLINT_OUTPUT", "s3://photos/thumbs");
    let mut process = Process::spawn(command, "glint");
    let status = process.wait(Duration::from_secs(30));
    assert_eq!(status.code(), Some(2));
    let err = process.err().join("\n");
    assert!(err.contains("would trigger glint again"), "{err}");
}
