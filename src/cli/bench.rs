//! `glint bench`: throughput of every op on each available backend, on a synthetic image, as a
//! table. Each op is timed on its own (the best of several runs, so scheduling noise inflates
//! nothing); MPix/s counts input pixels, GB/s the bytes read plus written.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use glint_kernels::spec::EXAMPLES;
use glint_kernels::{Backend, Image, Limits, Pipeline};

use super::usage_error;

#[derive(clap::Args)]
pub struct Args {
    /// Image size as WxH.
    #[arg(long, default_value = "2048x1536")]
    size: String,
    /// Ops to time (pipeline specs, comma-free, space-separated); default: one example per op.
    #[arg(long, num_args = 1.., value_name = "PIPELINE")]
    ops: Vec<String>,
    /// Timed runs per op (the fastest is reported).
    #[arg(long, default_value_t = 5)]
    iterations: u32,
}

pub fn run(args: Args) -> ExitCode {
    let Some((w, h)) =
        args.size.split_once('x').and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
    else {
        return usage_error(format_args!("--size {}: expected WxH, e.g. 2048x1536", args.size));
    };
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > Limits::default().max_pixels {
        return usage_error(format_args!("--size {w}x{h}: between 1x1 and 100 megapixels"));
    }
    let specs: Vec<String> =
        if args.ops.is_empty() { EXAMPLES.iter().map(|s| (*s).to_string()).collect() } else { args.ops };
    let mut pipelines = Vec::new();
    for spec in &specs {
        match Pipeline::parse(spec) {
            Ok(p) => pipelines.push((spec.clone(), p)),
            Err(e) => return usage_error(format_args!("invalid pipeline {spec}: {e}")),
        }
    }
    let image = Image::test_card(w, h);
    let limits = Limits::default();
    let mut lines = vec![
        format!(
            "# glint bench: {w}x{h} RGB, best of {} runs, {} threads",
            args.iterations.max(1),
            rayon::current_num_threads()
        ),
        format!("{:<40} {:>7} {:>10} {:>10} {:>8}", "op", "backend", "ms", "MPix/s", "GB/s"),
    ];
    for (spec, pipeline) in &pipelines {
        let mut best = Duration::MAX;
        let mut out_bytes = 0usize;
        for _ in 0..args.iterations.max(1) {
            let input = image.clone();
            let t = Instant::now();
            match pipeline.run(input, Backend::Cpu, &limits) {
                Ok(out) => {
                    best = best.min(t.elapsed());
                    out_bytes = out.data().len();
                }
                Err(e) => {
                    eprintln!("ERROR {spec}: {e}");
                    break;
                }
            }
        }
        if best == Duration::MAX {
            continue;
        }
        let secs = best.as_secs_f64();
        let mpix = f64::from(w) * f64::from(h) / secs / 1e6;
        let gbs = (image.data().len() + out_bytes) as f64 / secs / 1e9;
        lines.push(format!("{spec:<40} {:>7} {:>10.2} {mpix:>10.1} {gbs:>8.2}", Backend::Cpu.name(), secs * 1e3));
    }
    print_lines(&lines);
    ExitCode::SUCCESS
}

fn print_lines(lines: &[String]) {
    for l in lines {
        println!("{l}");
    }
}
