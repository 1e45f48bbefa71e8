//! `glint bench`: throughput of every op on each available backend, on a synthetic test card
//! (or the decoded pixels of `--input FILE`), as a table. Each op is timed on its own and the fastest of several runs is kept (noise only
//! ever adds time). On the GPU the upload, the kernels and the read-back are submitted and
//! timed apart. MPix/s counts input pixels per second of kernel time; GB/s counts the image
//! bytes read plus written (4 per pixel on the GPU, 3 or 4 on the CPU) per second.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use glint_kernels::gpu::{self, AdapterPolicy, PhaseTimes};
use glint_kernels::spec::EXAMPLES;
use glint_kernels::{Backend, Image, Limits, Pipeline};

use super::usage_error;

#[derive(clap::Args)]
pub struct Args {
    /// Image size as WxH.
    #[arg(long, default_value = "2048x1536", conflicts_with = "input")]
    size: String,
    /// Time the ops on this image file's decoded pixels instead of a test card (decoding is
    /// not timed).
    #[arg(long, value_name = "FILE")]
    input: Option<std::path::PathBuf>,
    /// Pipelines to time; default: one example per op (`format` aside: it runs no kernel).
    #[arg(long, num_args = 1.., value_name = "PIPELINE")]
    ops: Vec<String>,
    /// Timed runs per op and backend (the fastest is reported).
    #[arg(long, default_value_t = 5)]
    iterations: u32,
    /// Backends to time: cpu, gpu, or all that are available.
    #[arg(long, default_value = "all", value_parser = ["cpu", "gpu", "all"])]
    backend: String,
}

pub fn run(args: Args) -> ExitCode {
    let (image, source) = match &args.input {
        Some(path) => {
            let decoded = std::fs::read(path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| glint_kernels::decode(&bytes, &Limits::default()).map_err(|e| e.to_string()));
            match decoded {
                Ok(d) => (d.image, path.display().to_string()),
                Err(e) => return usage_error(format_args!("--input {}: {e}", path.display())),
            }
        }
        None => {
            let Some((w, h)) =
                args.size.split_once('x').and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
            else {
                return usage_error(format_args!("--size {}: expected WxH, e.g. 2048x1536", args.size));
            };
            if w == 0 || h == 0 || u64::from(w) * u64::from(h) > Limits::default().max_pixels {
                return usage_error(format_args!("--size {w}x{h}: between 1x1 and 100 megapixels"));
            }
            (Image::test_card(w, h), "test card".to_string())
        }
    };
    let (w, h) = (image.width(), image.height());
    let kind = if image.channels() == 4 { "RGBA" } else { "RGB" };
    let specs: Vec<String> =
        if args.ops.is_empty() { EXAMPLES.iter().map(|s| (*s).to_string()).collect() } else { args.ops };
    let mut pipelines = Vec::new();
    for spec in &specs {
        match Pipeline::parse(spec) {
            Ok(p) => pipelines.push((spec.clone(), p)),
            Err(e) => return usage_error(format_args!("invalid pipeline {spec}: {e}")),
        }
    }
    let want_cpu = args.backend != "gpu";
    let gpu = if args.backend == "cpu" {
        None
    } else {
        match gpu::shared(AdapterPolicy::Any) {
            Ok(ctx) => Some(ctx),
            Err(e) if args.backend == "gpu" => return usage_error(format_args!("--backend gpu: {e}")),
            Err(_) => None,
        }
    };
    let limits = Limits::default();
    let iterations = args.iterations.max(1);
    let pixels = f64::from(w) * f64::from(h);
    let gpu_name = gpu.as_ref().map_or("none".to_string(), |c| format!("{} ({})", c.adapter().name, c.adapter().kind));
    let mut lines = vec![
        format!(
            "# glint bench: {w}x{h} {kind} {source}, best of {iterations} runs; cpu: {} threads; gpu: {gpu_name}",
            rayon::current_num_threads()
        ),
        format!(
            "{:<38} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>8}",
            "op", "backend", "total ms", "up ms", "kern ms", "down ms", "MPix/s", "GB/s", "up GB/s", "dn GB/s"
        ),
    ];
    let row = |spec: &str, backend: &str, t: &PhaseTimes, kernel_bytes: f64| {
        let total = t.upload + t.kernels + t.readback;
        let ms = |d: Duration| if d.is_zero() { "-".to_string() } else { format!("{:.2}", d.as_secs_f64() * 1e3) };
        let rate = |bytes: u64, d: Duration| {
            if d.is_zero() { "-".to_string() } else { format!("{:.2}", bytes as f64 / d.as_secs_f64() / 1e9) }
        };
        let k = t.kernels.as_secs_f64();
        format!(
            "{spec:<38} {backend:>7} {:>9} {:>9} {:>9} {:>9} {:>9.1} {:>8.2} {:>8} {:>8}",
            ms(total),
            ms(t.upload),
            ms(t.kernels),
            ms(t.readback),
            pixels / k / 1e6,
            kernel_bytes / k / 1e9,
            rate(t.upload_bytes, t.upload),
            rate(t.readback_bytes, t.readback),
        )
    };
    for (spec, pipeline) in &pipelines {
        if want_cpu {
            let mut best: Option<(Duration, usize)> = None;
            for _ in 0..iterations {
                let input = image.clone();
                let t = Instant::now();
                match pipeline.run(input, Backend::Cpu, &limits) {
                    Ok(out) => {
                        let d = t.elapsed();
                        if best.is_none_or(|(b, _)| d < b) {
                            best = Some((d, out.data().len()));
                        }
                    }
                    Err(e) => {
                        eprintln!("ERROR {spec}: {e}");
                        break;
                    }
                }
            }
            if let Some((d, out_bytes)) = best {
                let t = PhaseTimes { kernels: d, ..Default::default() };
                lines.push(row(spec, "cpu", &t, (image.data().len() + out_bytes) as f64));
            }
        }
        if let Some(ctx) = &gpu {
            let mut best: Option<PhaseTimes> = None;
            for _ in 0..iterations {
                match gpu::time_phases(ctx, pipeline, &image) {
                    Ok(t) => {
                        if best.is_none_or(|b| t.kernels < b.kernels) {
                            best = Some(t);
                        }
                    }
                    Err(e) => {
                        eprintln!("ERROR {spec} on the GPU: {e}");
                        break;
                    }
                }
            }
            if let Some(t) = best {
                lines.push(row(spec, "gpu", &t, (t.upload_bytes + t.readback_bytes) as f64));
            }
        }
    }
    print_lines(&lines);
    ExitCode::SUCCESS
}

fn print_lines(lines: &[String]) {
    for l in lines {
        println!("{l}");
    }
}
