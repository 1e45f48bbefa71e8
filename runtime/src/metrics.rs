//! What each invocation cost, by stage, and the one CloudWatch Embedded Metric Format (EMF)
//! line a Lambda invocation prints with it. CloudWatch turns that line into metrics without an
//! API call (and so without latency or a client to build); anywhere else it is a JSON log line.
//!
//! Metrics (namespace `glint`, dimensions `Trigger` and `Outcome`): `FetchMs`, `DecodeMs`,
//! `ProcessMs`, `EncodeMs`, `StoreMs`, `BytesIn`, `BytesOut`, `Objects`, `Failed`, `Skipped`.
//! `Backend` and the request id travel as properties.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

/// Time spent in each stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stages {
    /// Reading the source from the store (or the request body).
    pub fetch: Duration,
    /// Decoding to pixels.
    pub decode: Duration,
    /// Running the pipeline.
    pub process: Duration,
    /// Encoding the result.
    pub encode: Duration,
    /// Writing the result to the store.
    pub store: Duration,
}

impl Stages {
    /// Adds another job's stages to these.
    pub fn add(&mut self, other: &Stages) {
        self.fetch += other.fetch;
        self.decode += other.decode;
        self.process += other.process;
        self.encode += other.encode;
        self.store += other.store;
    }
}

/// How an invocation ended, as one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything processed.
    Ok,
    /// Nothing to do (own outputs, test events, other event kinds).
    Skipped,
    /// Some objects failed, others did not.
    Partial,
    /// Everything that was attempted failed.
    Failed,
}

impl Outcome {
    /// The word used in logs and as the metric dimension.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Skipped => "skipped",
            Outcome::Partial => "partial",
            Outcome::Failed => "failed",
        }
    }
}

/// Totals for one invocation.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// The request id (Lambda's, or the HTTP request's).
    pub request_id: String,
    /// What triggered it: `s3`, `sqs`, `http`, `direct`.
    pub trigger: &'static str,
    /// The backend name.
    pub backend: &'static str,
    /// Stage times summed over the objects.
    pub stages: Stages,
    /// Source bytes read.
    pub bytes_in: u64,
    /// Result bytes written.
    pub bytes_out: u64,
    /// Objects processed successfully.
    pub objects: u32,
    /// Objects that failed.
    pub failed: u32,
    /// Objects skipped.
    pub skipped: u32,
}

impl Invocation {
    /// Starts the totals for one invocation.
    pub fn new(request_id: &str, trigger: &'static str, backend: &'static str) -> Self {
        Invocation { request_id: request_id.to_string(), trigger, backend, ..Default::default() }
    }

    /// The outcome the counts add up to.
    pub fn outcome(&self) -> Outcome {
        match (self.objects, self.failed) {
            (0, 0) => Outcome::Skipped,
            (_, 0) => Outcome::Ok,
            (0, _) => Outcome::Failed,
            _ => Outcome::Partial,
        }
    }

    /// The EMF document, stamped `at`.
    pub fn emf(&self, at: SystemTime) -> serde_json::Value {
        let ms = |d: Duration| (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0;
        let timestamp = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let metric = |name: &str, unit: &str| json!({"Name": name, "Unit": unit});
        json!({
            "_aws": {
                "Timestamp": timestamp,
                "CloudWatchMetrics": [{
                    "Namespace": "glint",
                    "Dimensions": [["Trigger", "Outcome"]],
                    "Metrics": [
                        metric("FetchMs", "Milliseconds"),
                        metric("DecodeMs", "Milliseconds"),
                        metric("ProcessMs", "Milliseconds"),
                        metric("EncodeMs", "Milliseconds"),
                        metric("StoreMs", "Milliseconds"),
                        metric("BytesIn", "Bytes"),
                        metric("BytesOut", "Bytes"),
                        metric("Objects", "Count"),
                        metric("Failed", "Count"),
                        metric("Skipped", "Count"),
                    ],
                }],
            },
            "Trigger": self.trigger,
            "Outcome": self.outcome().as_str(),
            "Backend": self.backend,
            "RequestId": self.request_id,
            "FetchMs": ms(self.stages.fetch),
            "DecodeMs": ms(self.stages.decode),
            "ProcessMs": ms(self.stages.process),
            "EncodeMs": ms(self.stages.encode),
            "StoreMs": ms(self.stages.store),
            "BytesIn": self.bytes_in,
            "BytesOut": self.bytes_out,
            "Objects": self.objects,
            "Failed": self.failed,
            "Skipped": self.skipped,
        })
    }

    /// Prints the EMF line on standard output, where Lambda collects it.
    pub fn emit(&self) {
        use std::io::Write as _;
        let line = self.emf(SystemTime::now()).to_string();
        // One write of one whole line, so it cannot interleave with log lines; a closed stdout
        // has nobody to tell.
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emf_document() {
        let mut inv = Invocation::new("req-1", "s3", "cpu");
        inv.stages.decode = Duration::from_micros(12_345);
        inv.objects = 2;
        inv.failed = 1;
        inv.bytes_in = 10;
        let doc = inv.emf(UNIX_EPOCH + Duration::from_secs(1));
        assert_eq!(doc["_aws"]["Timestamp"], 1000);
        assert_eq!(doc["_aws"]["CloudWatchMetrics"][0]["Namespace"], "glint");
        // Every declared metric has a value at the top level, as EMF requires.
        for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"].as_array().unwrap() {
            let name = m["Name"].as_str().unwrap();
            assert!(doc[name].is_number(), "{name} missing");
        }
        for d in doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0].as_array().unwrap() {
            assert!(doc[d.as_str().unwrap()].is_string());
        }
        assert_eq!(doc["DecodeMs"], 12.345);
        assert_eq!(doc["Outcome"], "partial");
        assert_eq!(doc["Backend"], "cpu");
    }

    #[test]
    fn outcomes() {
        let mut inv = Invocation::new("r", "sqs", "cpu");
        assert_eq!(inv.outcome(), Outcome::Skipped);
        inv.failed = 1;
        assert_eq!(inv.outcome(), Outcome::Failed);
        inv.objects = 1;
        inv.failed = 0;
        assert_eq!(inv.outcome(), Outcome::Ok);
    }
}
