//! The real protocol peers the runtime tests talk to, started by the tests on 127.0.0.1 and
//! stopped when dropped: moto's S3 server, cargo-lambda's Lambda runtime emulator, and the
//! `glint` binary itself (as a Lambda function or as `glint serve`).
//!
//! The peers' executables come from `GLINT_MOTO_SERVER` and `GLINT_CARGO_LAMBDA`, else from
//! `PATH`. A missing peer fails the test with a message saying how to get it: these tests never
//! skip silently.

#![allow(dead_code, reason = "each test binary uses a different subset")]
#![allow(clippy::expect_used, reason = "test helpers fail by panicking")]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// How the peers are installed (for failure messages).
const HOW: &str = "install them with `../shared/peers/setup.sh` (or `pip install 'moto[server]' cargo-lambda`) \
                   and point GLINT_MOTO_SERVER / GLINT_CARGO_LAMBDA at the executables, or put them on PATH";

/// Characters left as they are in a URL path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Characters S3 leaves as they are in the keys of event notifications (space becomes `+`).
const EVENT_KEY: &AsciiSet = &SEGMENT.remove(b' ').remove(b'/');

/// Percent-encodes each `/`-separated segment of a key.
pub fn encode_key(key: &str) -> String {
    key.split('/').map(|s| utf8_percent_encode(s, SEGMENT).to_string()).collect::<Vec<_>>().join("/")
}

/// Encodes a key the way S3 event notifications do (`+` for a space, `%XX` for the rest).
pub fn event_key(key: &str) -> String {
    utf8_percent_encode(key, EVENT_KEY).to_string().replace(' ', "+")
}

/// An executable named by `var`, else found on `PATH`; fails the test when there is none.
pub fn executable(var: &str, name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(var) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "{var}={} does not exist; {HOW}", path.display());
        return path;
    }
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(name)).find(|p| p.is_file()))
        .unwrap_or_else(|| panic!("{name} not found (set {var} or PATH); {HOW}"))
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("no free port")
}

/// Waits until something accepts connections on `port`.
fn wait_for_port(port: u16, what: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited with {status} before listening on port {port}");
        }
        assert!(Instant::now() < deadline, "{what} did not listen on port {port} within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A child process, killed when dropped.
pub struct Process {
    child: Child,
    /// Lines it printed on standard output so far.
    pub stdout: Arc<Mutex<Vec<String>>>,
    /// Lines it printed on standard error so far.
    pub stderr: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Starts `command`, collecting its output lines.
    pub fn spawn(mut command: Command, what: &str) -> Process {
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let collect = |stream: Option<Box<dyn std::io::Read + Send>>| {
            let lines = Arc::new(Mutex::new(Vec::new()));
            if let Some(stream) = stream {
                let sink = Arc::clone(&lines);
                std::thread::spawn(move || {
                    for line in BufReader::new(stream).lines().map_while(Result::ok) {
                        sink.lock().expect("lines").push(line);
                    }
                });
            }
            lines
        };
        let stdout = collect(child.stdout.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>));
        let stderr = collect(child.stderr.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>));
        Process { child, stdout, stderr }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Standard output lines so far.
    pub fn out(&self) -> Vec<String> {
        self.stdout.lock().expect("lines").clone()
    }

    /// Standard error lines so far.
    pub fn err(&self) -> Vec<String> {
        self.stderr.lock().expect("lines").clone()
    }

    /// Waits for the first stdout line containing `needle`.
    pub fn wait_for_line(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.out().into_iter().find(|l| l.contains(needle)) {
                return line;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("process exited with {status} before printing {needle:?}; stderr: {:?}", self.err());
            }
            assert!(Instant::now() < deadline, "no line with {needle:?} within {timeout:?}: {:?}", self.out());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The first stdout line containing `needle`, waiting up to 5 s for it: the thread that
    /// collects the output may lag behind a reply the process sent after printing it.
    pub fn logged(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(line) = self.out().into_iter().find(|l| l.contains(needle)) {
                return line;
            }
            assert!(Instant::now() < deadline, "no line with {needle:?}: {:?}", self.out());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits for the process to end by itself.
    pub fn wait(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reader threads drain what is left.
                std::thread::sleep(Duration::from_millis(50));
                return status;
            }
            assert!(Instant::now() < deadline, "process still running after {timeout:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The metrics lines (CloudWatch EMF) printed so far.
    pub fn emf(&self) -> Vec<Value> {
        self.out()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v.get("_aws").is_some())
            .collect()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that reports every status instead of failing on errors, and never follows
/// redirects by itself.
pub fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// A response read whole.
pub struct Reply {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// From a ureq response.
    pub fn read(mut response: ureq::http::Response<ureq::Body>) -> Reply {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.body_mut().with_config().limit(256 << 20).read_to_vec().expect("response body");
        Reply { status, headers, body }
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// GET `url`.
pub fn get(url: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = client().get(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    Reply::read(request.call().unwrap_or_else(|e| panic!("GET {url}: {e}")))
}

/// POST `body` to `url`.
pub fn post(url: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut request = client().post(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    Reply::read(request.send(body).unwrap_or_else(|e| panic!("POST {url}: {e}")))
}

/// moto's S3 server, and an SDK client for it.
pub struct Moto {
    _process: Process,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    client: aws_sdk_s3::Client,
    runtime: tokio::runtime::Runtime,
}

/// An object read back.
pub struct S3Object {
    pub body: Vec<u8>,
    pub content_type: Option<String>,
    pub metadata: std::collections::HashMap<String, String>,
}

impl Moto {
    /// Starts a server on a free port and waits until it answers.
    pub fn start() -> Moto {
        let port = free_port();
        let mut command = Command::new(executable("GLINT_MOTO_SERVER", "moto_server"));
        command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        let mut process = Process::spawn(command, "moto_server");
        wait_for_port(port, "moto_server", &mut process.child);
        let endpoint = format!("http://127.0.0.1:{port}");
        let config = aws_sdk_s3::Config::builder()
            .behavior_version_latest()
            .endpoint_url(&endpoint)
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_s3::config::Credentials::new("testing", "testing", None, None, "tests"))
            .force_path_style(true)
            .build();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio");
        Moto { _process: process, endpoint, client: aws_sdk_s3::Client::from_conf(config), runtime }
    }

    /// The environment that points the AWS SDK (and so glint) at this server.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL_S3", self.endpoint.as_str()),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("GLINT_S3_FORCE_PATH_STYLE", "true"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// Creates a bucket.
    pub fn create_bucket(&self, bucket: &str) {
        self.runtime.block_on(self.client.create_bucket().bucket(bucket).send()).expect("create bucket");
    }

    /// Uploads an object with user metadata.
    pub fn put(&self, bucket: &str, key: &str, bytes: &[u8], content_type: &str, metadata: &[(&str, &str)]) {
        let mut request =
            self.client.put_object().bucket(bucket).key(key).content_type(content_type).body(bytes.to_vec().into());
        for (k, v) in metadata {
            request = request.metadata(*k, *v);
        }
        self.runtime.block_on(request.send()).unwrap_or_else(|e| panic!("put {bucket}/{key}: {e:?}"));
    }

    /// An object, or `None` when there is none.
    pub fn get(&self, bucket: &str, key: &str) -> Option<S3Object> {
        self.runtime.block_on(async {
            let out = match self.client.get_object().bucket(bucket).key(key).send().await {
                Ok(out) => out,
                Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => return None,
                Err(e) => panic!("get {bucket}/{key}: {e:?}"),
            };
            let content_type = out.content_type().map(str::to_string);
            let metadata = out.metadata().cloned().unwrap_or_default();
            let body = out.body.collect().await.expect("body").to_vec();
            Some(S3Object { body, content_type, metadata })
        })
    }

    /// Every key in a bucket, in order.
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        let out = self.runtime.block_on(self.client.list_objects_v2().bucket(bucket).send()).expect("list objects");
        out.contents().iter().filter_map(|o| o.key().map(str::to_string)).collect()
    }
}

/// cargo-lambda's Lambda runtime emulator (`cargo lambda watch --only-lambda-apis`): it serves
/// the runtime API that `glint` polls, and the invoke API the tests call.
pub struct Emulator {
    _process: Process,
    /// The port of both APIs.
    pub port: u16,
}

/// The function name the emulator gives a runtime that polls its bare runtime API.
pub const FUNCTION: &str = "_";

impl Emulator {
    /// Starts the emulator on a free port.
    pub fn start() -> Emulator {
        let port = free_port();
        let mut command = Command::new(executable("GLINT_CARGO_LAMBDA", "cargo-lambda"));
        command
            .args(["lambda", "watch", "--only-lambda-apis", "--invoke-address", "127.0.0.1"])
            .args(["--invoke-port", &port.to_string(), "--timeout", "120"])
            // It reads the workspace's metadata, though it builds nothing here.
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        let mut process = Process::spawn(command, "cargo lambda watch");
        wait_for_port(port, "cargo lambda watch", &mut process.child);
        Emulator { _process: process, port }
    }

    /// The value of `AWS_LAMBDA_RUNTIME_API` for a function served by this emulator.
    pub fn runtime_api(&self) -> String {
        format!("http://127.0.0.1:{}/.rt", self.port)
    }

    /// Invokes the function synchronously with `event`; the reply holds its response (or its
    /// error).
    pub fn invoke(&self, event: &Value) -> Reply {
        let url = format!("http://127.0.0.1:{}/2015-03-31/functions/{FUNCTION}/invocations", self.port);
        post(&url, &[("content-type", "application/json")], event.to_string().as_bytes())
    }

    /// The base URL of the function's HTTP endpoint (the emulator turns plain HTTP requests
    /// into Function URL events).
    pub fn function_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// The `glint` binary under test.
pub fn glint() -> Command {
    Command::new(env!("CARGO_BIN_EXE_glint"))
}

/// Starts `glint` as the Lambda function behind `emulator`, with `env` on top of what the
/// Lambda service sets.
pub fn start_function(emulator: &Emulator, env: &[(String, String)]) -> Process {
    let mut command = glint();
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", emulator.runtime_api())
        .env("AWS_LAMBDA_FUNCTION_NAME", FUNCTION)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    Process::spawn(command, "glint (Lambda)")
}

/// A file under `tests/fixtures`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An S3 `ObjectCreated:Put` notification for `bucket`/`key` (the key encoded as S3 does).
pub fn s3_event(bucket: &str, key: &str, size: usize) -> Value {
    serde_json::json!({"Records": [s3_record("ObjectCreated:Put", bucket, key, size)]})
}

/// One S3 notification record, as S3 writes it.
pub fn s3_record(event_name: &str, bucket: &str, key: &str, size: usize) -> Value {
    serde_json::json!({
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2026-01-01T00:00:00.000Z",
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:TEST"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "TEST", "x-amz-id-2": "TEST"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "glint",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": "TEST"}, "arn": format!("arn:aws:s3:::{bucket}")},
            "object": {"key": event_key(key), "size": size, "eTag": "0", "sequencer": "0"}
        }
    })
}

/// An SQS message carrying `body`.
pub fn sqs_message(id: &str, body: &Value) -> Value {
    serde_json::json!({
        "messageId": id,
        "receiptHandle": format!("handle-{id}"),
        "body": body.to_string(),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0", "SenderId": "TEST", "ApproximateFirstReceiveTimestamp": "0"},
        "messageAttributes": {},
        "md5OfBody": "0",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:glint",
        "awsRegion": "us-east-1"
    })
}
