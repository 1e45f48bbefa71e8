//! `glint info`: what this host offers (backends, limits, formats), and with files, what their
//! headers say (format, size, orientation) without decoding them.

use std::path::PathBuf;
use std::process::ExitCode;

use glint_kernels::codec::probe;
use glint_kernels::{Format, Limits};

use super::{EXIT_FAILED, usage_error};

#[derive(clap::Args)]
pub struct Args {
    /// Image files to describe.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let limits = match Limits::from_env() {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    if !args.files.is_empty() {
        return describe(&args.files, &limits);
    }
    let threads = rayon::current_num_threads();
    let source = |var: &str| if std::env::var_os(var).is_some() { "from the environment" } else { "default" };
    let formats = |f: fn(Format) -> bool| {
        [Format::Jpeg, Format::Png, Format::Webp, Format::Gif, Format::Tiff, Format::Avif]
            .into_iter()
            .filter(|x| f(*x))
            .map(Format::name)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let lines = [
        format!("glint {}", env!("CARGO_PKG_VERSION")),
        "backends:".into(),
        format!("  cpu: available, {threads} threads, {}", cpu_features()),
        format!("  gpu: {}", gpu_line()),
        "limits:".into(),
        format!("  GLINT_MAX_PIXELS = {} ({})", limits.max_pixels, source("GLINT_MAX_PIXELS")),
        format!("  GLINT_MAX_BYTES  = {} ({})", limits.max_bytes, source("GLINT_MAX_BYTES")),
        "formats:".into(),
        format!("  read:  {}", formats(Format::is_readable)),
        format!("  write: {}", formats(Format::is_writable)),
    ];
    println_all(&lines);
    ExitCode::SUCCESS
}

/// What `gpu` and `auto` would use here.
fn gpu_line() -> String {
    if glint_runtime::backend::in_lambda() {
        return "not probed inside AWS Lambda (auto uses the CPU)".into();
    }
    match glint_kernels::gpu::shared(glint_kernels::gpu::AdapterPolicy::Any) {
        Ok(ctx) => {
            let a = ctx.adapter();
            let auto = if a.software {
                "used by --backend gpu only; auto never picks a software adapter".to_string()
            } else {
                format!(
                    "used by --backend gpu, and by auto for images of {} pixels or more",
                    glint_runtime::backend::AUTO_GPU_MIN_PIXELS
                )
            };
            format!(
                "{} ({}, {}, driver {}), max binding {} MiB; {auto}",
                a.name,
                a.kind,
                a.backend,
                a.driver,
                a.max_binding >> 20
            )
        }
        Err(e) => format!("none ({e}); auto uses the CPU, --backend gpu is refused"),
    }
}

fn describe(files: &[PathBuf], limits: &Limits) -> ExitCode {
    let mut failed = false;
    for file in files {
        let result = std::fs::read(file)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|bytes| probe(&bytes, limits).map(|p| (p, bytes.len())).map_err(|e| e.to_string()));
        match result {
            Ok((p, size)) => {
                let (w, h) = p.upright_size();
                println_all(&[format!(
                    "{}: {} {}x{} (stored {}x{}, EXIF orientation {}), {size} bytes",
                    file.display(),
                    p.format,
                    w,
                    h,
                    p.width,
                    p.height,
                    p.orientation
                )]);
            }
            Err(e) => {
                eprintln!("ERROR {}: {e}", file.display());
                failed = true;
            }
        }
    }
    if failed { ExitCode::from(EXIT_FAILED) } else { ExitCode::SUCCESS }
}

/// The SIMD extensions the CPU reports (the compiler vectorises for the baseline; these tell
/// what a faster build could use).
fn cpu_features() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        let mut f = vec!["x86_64"];
        if std::arch::is_x86_feature_detected!("sse4.1") {
            f.push("sse4.1");
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            f.push("avx2");
        }
        if std::arch::is_x86_feature_detected!("fma") {
            f.push("fma");
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            f.push("avx512f");
        }
        f.join(" ")
    }
    #[cfg(target_arch = "aarch64")]
    {
        "aarch64 neon".to_string()
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        std::env::consts::ARCH.to_string()
    }
}

fn println_all(lines: &[String]) {
    for l in lines {
        println!("{l}");
    }
}
