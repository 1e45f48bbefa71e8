//! `glint process`: the pipeline over files, directories and standard input.
//!
//! Everything that can be checked before reading an image is checked first (pipeline, limits,
//! backend, where outputs go) and fails with status 2. Then inputs are processed concurrently;
//! each failure prints one `ERROR <input>: <reason>` line and the rest go on. Outputs are
//! written to a temporary name and renamed, so a result is either complete or absent.

use std::collections::HashSet;
use std::io::{IsTerminal, Read, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use glint_kernels::{Format, Limits, Pipeline};
use indicatif::{ProgressBar, ProgressStyle};

use glint_runtime::backend::{BackendChoice, Selector};

use super::{EXIT_FAILED, usage_error};

#[derive(clap::Args)]
pub struct Args {
    /// Image files, directories (their images, recursively) or `-` for standard input.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// The pipeline: `resize:800x/sharpen:1/format:webp`, or the same as JSON.
    #[arg(long, value_name = "PIPELINE")]
    ops: String,
    /// Output file (one input) or directory (several inputs); without it, a single result is
    /// written to standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// Where ops run: auto, cpu or gpu.
    #[arg(long, env = "GLINT_BACKEND", default_value = "auto", value_name = "auto|cpu|gpu")]
    backend: BackendChoice,
    /// Inputs processed at the same time (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<NonZeroUsize>,
}

/// Where an input comes from.
enum Source {
    File(PathBuf),
    Stdin,
}

/// Where a result goes.
enum Dest {
    /// This exact file.
    File(PathBuf),
    /// This path with the output format's extension.
    Stem(PathBuf),
    Stdout,
}

struct Job {
    source: Source,
    /// The input as the user will recognise it in messages.
    label: String,
    dest: Dest,
}

/// What every job shares.
struct Context {
    pipeline: Pipeline,
    limits: Limits,
    backends: Selector,
    /// The format a single `-o FILE` asks for by its extension.
    dest_format: Option<Format>,
    written: Mutex<HashSet<PathBuf>>,
}

pub fn run(args: Args) -> ExitCode {
    let pipeline = match Pipeline::parse(&args.ops) {
        Ok(p) => p,
        Err(e) => return usage_error(format_args!("invalid pipeline: {e}")),
    };
    let limits = match Limits::from_env() {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    let backends = match args.backend.open() {
        Ok(b) => b,
        Err(e) => return usage_error(e),
    };
    let (inputs, failures) = match expand_inputs(&args.inputs) {
        Ok(x) => x,
        Err(e) => return usage_error(e),
    };
    let several = inputs.len() + failures.len() > 1 || args.inputs.iter().any(|p| p.is_dir());
    let (jobs, dest_format) = match plan_outputs(inputs, args.output.as_deref(), several, pipeline.output().is_some()) {
        Ok(x) => x,
        Err(e) => return usage_error(e),
    };

    let ctx = Context { pipeline, limits, backends, dest_format, written: Mutex::new(HashSet::new()) };
    let workers =
        args.jobs.map_or_else(|| std::thread::available_parallelism().map_or(1, NonZeroUsize::get), NonZeroUsize::get);
    let progress = (jobs.len() > 1 && std::io::stderr().is_terminal()).then(|| {
        let pb = ProgressBar::new(jobs.len() as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise} eta {eta} {wide_msg}") {
            pb.set_style(style);
        }
        pb
    });
    let report = |label: &str, reason: &str| {
        let line = format!("ERROR {label}: {}", reason.replace('\n', " "));
        match &progress {
            Some(pb) => pb.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    };
    for (label, reason) in &failures {
        report(label, reason);
    }

    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(!failures.is_empty());
    std::thread::scope(|s| {
        for _ in 0..workers.min(jobs.len()).max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    if let Some(pb) = &progress {
                        pb.set_message(job.label.clone());
                    }
                    if let Err(reason) = run_job(job, &ctx) {
                        report(&job.label, &reason);
                        failed.store(true, Ordering::Relaxed);
                    }
                    if let Some(pb) = &progress {
                        pb.inc(1);
                    }
                }
            });
        }
    });
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    if failed.into_inner() { ExitCode::from(EXIT_FAILED) } else { ExitCode::SUCCESS }
}

/// Files (and directories expanded into their images) in order; unreadable directory entries
/// come back as failures to report.
/// An input found on the command line: where it comes from, its label for messages, and its
/// path relative to the directory it was found in (for directory inputs).
type Found = (Source, String, Option<PathBuf>);
/// An input that could not even be listed, and why.
type Unlisted = (String, String);

fn expand_inputs(inputs: &[PathBuf]) -> Result<(Vec<Found>, Vec<Unlisted>), String> {
    let mut out = Vec::new();
    let mut failures = Vec::new();
    let mut stdin_seen = false;
    for input in inputs {
        if input.as_os_str() == "-" {
            if stdin_seen {
                return Err("standard input (-) given more than once".into());
            }
            stdin_seen = true;
            out.push((Source::Stdin, "-".to_string(), None));
        } else if input.is_dir() {
            let walker = walkdir::WalkDir::new(input).follow_links(false).sort_by_file_name();
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_image_name(e.path()) => {
                        let rel = e.path().strip_prefix(input).map(Path::to_path_buf).ok();
                        out.push((Source::File(e.path().to_path_buf()), e.path().display().to_string(), rel));
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let label = e.path().map_or_else(|| input.display().to_string(), |p| p.display().to_string());
                        failures.push((label, format!("cannot read: {e}")));
                    }
                }
            }
        } else {
            out.push((Source::File(input.clone()), input.display().to_string(), None));
        }
    }
    Ok((out, failures))
}

/// A file a directory walk picks up: a name with an image extension glint reads, not hidden.
fn is_image_name(path: &Path) -> bool {
    let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
    let readable =
        path.extension().and_then(|e| e.to_str()).and_then(Format::from_extension).is_some_and(Format::is_readable);
    !hidden && readable
}

/// Decides every job's destination, and the format a single `-o FILE` names.
fn plan_outputs(
    inputs: Vec<Found>,
    output: Option<&Path>,
    several: bool,
    pipeline_names_format: bool,
) -> Result<(Vec<Job>, Option<Format>), String> {
    if several {
        let Some(dir) = output else {
            return Err("several inputs need -o DIR, a directory for the results".into());
        };
        if dir.exists() && !dir.is_dir() {
            return Err(format!("-o {}: with several inputs, -o must be a directory", dir.display()));
        }
        let jobs = inputs
            .into_iter()
            .map(|(source, label, rel)| {
                let name = match (&source, rel) {
                    (_, Some(rel)) => rel,
                    (Source::File(p), None) => PathBuf::from(p.file_name().unwrap_or(p.as_os_str())),
                    (Source::Stdin, None) => PathBuf::from("stdin"),
                };
                Job { source, label, dest: Dest::Stem(dir.join(name)) }
            })
            .collect();
        return Ok((jobs, None));
    }
    let mut jobs = Vec::with_capacity(1);
    let mut dest_format = None;
    for (source, label, _) in inputs {
        let dest = match output {
            None => {
                if std::io::stdout().is_terminal() {
                    return Err(
                        "no -o given and standard output is a terminal: give -o FILE (or redirect the output)".into()
                    );
                }
                Dest::Stdout
            }
            Some(dir) if dir.is_dir() => {
                let name = match &source {
                    Source::File(p) => PathBuf::from(p.file_name().unwrap_or(p.as_os_str())),
                    Source::Stdin => PathBuf::from("stdin"),
                };
                Dest::Stem(dir.join(name))
            }
            Some(file) => {
                if let Some(ext) = file.extension().and_then(|e| e.to_str()) {
                    match Format::from_extension(ext).filter(|f| f.is_writable()) {
                        Some(f) => dest_format = Some(f),
                        None if pipeline_names_format => {}
                        None => {
                            return Err(format!(
                                "-o {}: glint cannot tell an output format from '.{ext}'; use .jpg, .png, .webp or .avif, or add format:... to the pipeline",
                                file.display()
                            ));
                        }
                    }
                }
                Dest::File(file.to_path_buf())
            }
        };
        jobs.push(Job { source, label, dest });
    }
    Ok((jobs, dest_format))
}

/// Runs one input end to end; the error is the reason to print.
fn run_job(job: &Job, ctx: &Context) -> Result<(), String> {
    let bytes = read_input(&job.source, ctx.limits.max_bytes)?;
    let result = glint_runtime::guard::catch(|| {
        // The header says how big the work is, which decides the backend under `auto`; a
        // header that cannot be read fails in `process` with the decoder's message.
        let pixels =
            glint_kernels::codec::probe(&bytes, &ctx.limits).map_or(0, |p| u64::from(p.width) * u64::from(p.height));
        glint_kernels::process(&bytes, &ctx.pipeline, ctx.backends.for_pixels(pixels), &ctx.limits, ctx.dest_format)
    })
    .map_err(|panic| format!("internal error (please report): {panic}"))?
    .map_err(|e| e.to_string())?;
    match &job.dest {
        Dest::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(&result.bytes)
                .and_then(|()| out.flush())
                .map_err(|e| format!("cannot write to standard output: {e}"))
        }
        Dest::File(path) => write_atomically(path, &result.bytes, ctx),
        Dest::Stem(stem) => {
            let mut path = stem.clone();
            path.set_extension(result.format.extension());
            write_atomically(&path, &result.bytes, ctx)
        }
    }
}

/// Reads a whole input, refusing anything over `max` bytes before reading it.
fn read_input(source: &Source, max: u64) -> Result<Vec<u8>, String> {
    let too_big = |n: u64| format!("input is {n} bytes, over the limit of {max} bytes (GLINT_MAX_BYTES)");
    let mut buf = Vec::new();
    match source {
        Source::Stdin => {
            std::io::stdin()
                .lock()
                .take(max + 1)
                .read_to_end(&mut buf)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
        }
        Source::File(path) => {
            let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
            let meta = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
            if !meta.is_file() {
                return Err("not a regular file".into());
            }
            if meta.len() > max {
                return Err(too_big(meta.len()));
            }
            file.take(max + 1).read_to_end(&mut buf).map_err(|e| format!("cannot read: {e}"))?;
        }
    }
    if buf.len() as u64 > max {
        return Err(too_big(buf.len() as u64));
    }
    Ok(buf)
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so readers
/// never see a partial image; two inputs that would write the same path are refused.
fn write_atomically(path: &Path, bytes: &[u8], ctx: &Context) -> Result<(), String> {
    {
        let mut written = ctx.written.lock().map_err(|_| "output bookkeeping failed".to_string())?;
        if !written.insert(path.to_path_buf()) {
            return Err(format!("{} is also the output of another input; not overwriting it", path.display()));
        }
    }
    glint_runtime::storage::local::write_atomically(path, bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
