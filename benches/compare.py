#!/usr/bin/env python3
"""glint side by side with the field: Pillow, OpenCV and libvips (through
../shared/peers/peers.py) and, in a criterion run, fast_image_resize.

Set up the peers once, build glint, then run:

    VENV=$(../shared/peers/setup.sh | tail -1)
    cargo build --release
    $VENV/bin/python benches/compare.py                       # print the table
    $VENV/bin/python benches/compare.py --write docs/benchmarks.md

With --write, the part of the file between `<!-- compare:begin -->` and `<!-- compare:end -->`
is replaced (appended with the markers if they are missing).

Method (see METHOD below, which is also written into the docs):
- every row interleaves glint and its peers, round after round (--runs, default 7; which side
  goes first alternates), after one warm-up run of each; the median over rounds is reported;
- glint's whole-job rows spawn `target/release/glint process ...` and time the whole process;
  peak RSS comes from os.wait4 (ru_maxrss) of that child;
- the peers run in a long-lived worker process each (this script, `_worker` mode), timed
  in-process with the image already in memory (interpreter start-up and imports not counted);
- op-alone rows time the op on decoded pixels on both sides: `glint bench --input FILE` (decode
  not timed, best of --iterations) against the same op in the peer's worker (best of the same
  number of runs on the pixels it decoded once);
- the resize row comes from criterion (`cargo bench --bench peers`, filtered to CRITERION_IDS),
  where glint and fast_image_resize run in the same process; the same run gives glint's
  in-process whole-job figures (info rows). --criterion reuse reads the last estimates instead.
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(REPO, "..", "shared")
PEERS_DIR = os.path.join(SHARED, "peers")
DEFAULT_IMAGE = os.path.join(SHARED, "testdata", "photos", "ianare_42_IndexError_12MP.jpg")
BEGIN, END = "<!-- compare:begin -->", "<!-- compare:end -->"

# The work, spelled once for both sides.
THUMB_W = 800
THUMB = f"resize:{THUMB_W}x:linear=false/format:jpeg:q=80"  # what the peers do: encoded values
THUMB_LINEAR = f"resize:{THUMB_W}x/format:jpeg:q=80"  # glint's default, linear light
CHAIN_W, CHAIN_H, CHAIN_SIGMA, CHAIN_SAT = 1600, 1200, 1.0, 1.2
CHAIN = (f"resize:{CHAIN_W}x{CHAIN_H}:linear=false/sharpen:{CHAIN_SIGMA:g}/levels:auto/"
         f"saturation:{CHAIN_SAT:g}/format:jpeg:q=80")
RESIZE_OP = "resize:852x639:fit=fill:linear=false"
BLUR_OP = "blur:3"
TONE_OPS = [("gamma:2.2", "gamma:2.2"), ("contrast:1.3", "contrast:1.3"), ("saturation:1.3", "saturation:1.3")]
# What compare.py reads from `cargo bench --bench peers` (benches/peers.rs).
CRITERION_IDS = ["resize_12mp/glint", "resize_12mp/fast_image_resize", "resize_12mp/glint_linear",
                 "resize_12mp/fast_image_resize_linear", "pipeline_12mp/thumb_800", "pipeline_12mp/chain_5op"]
CRITERION_FILTER = "^(" + "|".join(CRITERION_IDS) + ")$"
BIG_SIZE = (11520, 8640)  # 99.5 MP, under the default 100 MP limit
BIG_OPS = "resize:1000x/format:jpeg:q=80"

METHOD = """\
What each side measures:

- **12 MP -> 800 px**: glint is the whole process, spawned: `glint process IN --ops {thumb}
  -o OUT.jpg --backend cpu` (start-up, reading the file, decoding with JPEG shrink-on-load,
  Lanczos3, encoding, writing). The peers are `peers.py`'s `thumb:{w}` timed in-process with the
  file already in memory and the result left in memory: libvips `thumbnail_buffer` (its
  shrink-on-load, Lanczos3) plus `jpegsave` Q=80; Pillow `draft` (DCT shrink) plus
  `resize(LANCZOS)` plus JPEG quality 80. Both peers resample the encoded sRGB values, so the
  gated row runs glint with `linear=false`; the `linear=true` row is glint's default (linear
  light), against the same peers, for information. The libvips operation cache is off.
- **in-process (info)**: glint's whole jobs again, from criterion's `pipeline_12mp` group
  (`glint_kernels::process` on JPEG bytes in memory, the output left in memory, warm
  allocator), set against the peers' in-process medians of this run: the same footing as the
  peers, but measured in another process at another moment.
- **peak RSS**: ru_maxrss of the spawned glint process against a child Python process that runs
  libvips' `thumb:{w}` once, less the ru_maxrss of the same child that only imports the peers
  and reads the file (the interpreter and libraries: the baseline is reported).
- **resize op**: criterion, same process and group: glint `{resize}` on the decoded photo
  against fast_image_resize (U8x3, Lanczos3, its rayon feature on, so both use all cores).
  The `linear` row pairs glint's default with fast_image_resize through its sRGB mapper (u8 to
  linear u16, resize, back).
- **op alone** (blur, gamma, contrast, saturation): glint `glint bench --input IN --ops OP
  --backend cpu` (the op on the decoded pixels, decode untimed, best of N runs) against
  OpenCV doing what `peers.py` does for that op (`GaussianBlur` with `BORDER_REPLICATE`, `LUT`,
  `cvtColor` twice plus `addWeighted`) on pixels it decoded once, best of the same N runs,
  writing into an output array allocated beforehand (glint's op owns its input and works in
  place where it can, so neither side pays for a fresh 36 MB output in the point ops).
- **5-op chain**: glint whole process `glint process IN --ops {chain} -o OUT.jpg --backend cpu`
  against libvips in-process from the JPEG bytes: `thumbnail_buffer` to {cw}x{ch} (shrink-on-load,
  Lanczos3), unsharp mask `in + (in - gaussblur({sigma:g}))`, materialised, then auto levels
  (Rec.601 luma, 0.5th and 99.5th percentiles, linear stretch on every channel), saturation
  `grey + {sat:g}*(in - grey)` with Rec.601 grey, `jpegsave` Q=80. PSNR between the two
  outputs shows how close the work is.
- **100 MP**: a {bw}x{bh} JPEG (q90) is made at run time in a temporary folder by upscaling
  the photo with libvips; glint `process --ops {big} --backend cpu`, peak RSS of the process.
- **threads**: `glint bench --input IN --ops OP` with `RAYON_NUM_THREADS=1` against `=2`
  (glint's CPU kernels run on rayon's global pool, which reads that variable). Just before each
  of these rows, one busy loop per core measures how many cores are actually free.

Where the comparison is not even:

- glint's whole-process rows carry process start-up, reading and writing files and a cold heap
  (every page of its buffers faulted in), which the peers' warm in-process figures do not; on a
  busy machine a fresh process also waits for a core more than a long-lived one does. The
  in-process info rows show the size of that handicap; the targets are stated on whole process.
- libvips' peak RSS is a difference of two peaks (with and without the thumbnail); glint's is
  its whole process. Pillow and OpenCV memory is not measured. Two builds of the same glint
  source differed by 0.5 MB in that peak (median of 40 runs each, 2026-12-04): a margin that
  small is within build-to-build noise.
- The libvips chain is a hand translation: thumbnail's resize, `gaussblur` at integer
  precision, percentiles from `percent`; the PSNR note says how close the outputs are.
- The Rust peers (criterion) get the decoded pixels as the glint op does; fast_image_resize
  reuses its `Resizer` between iterations, glint has nothing of the kind to reuse.
"""


# ------------------------------------------------------------------ the peers' side (worker)
def _peers():
    sys.path.insert(0, PEERS_DIR)
    import peers  # noqa: E402  (../shared/peers/peers.py)
    return peers


def _vips():
    import pyvips
    pyvips.cache_set_max(0)  # repeated runs on the same bytes must not hit the operation cache
    return pyvips


def vips_chain(data):
    """The 5-op chain in libvips, as close to glint's semantics as it allows."""
    pyvips = _vips()
    t0 = time.perf_counter()
    im = pyvips.Image.thumbnail_buffer(data, CHAIN_W, height=CHAIN_H, size="down")
    if im.hasalpha():
        im = im.flatten()
    blur = im.gaussblur(CHAIN_SIGMA, precision="integer")
    im = (im + (im - blur)).cast("uchar").copy_memory()  # sharpen, amount 1
    luma = im.recomb([[0.299, 0.587, 0.114]]).cast("uchar")
    lo, hi = luma.percent(0.5), luma.percent(99.5)
    if hi > lo:
        scale = 255.0 / (hi - lo)
        im = im.linear(scale, -lo * scale, uchar=True)
    grey = im.recomb([[0.299, 0.587, 0.114]])
    im = (im * CHAIN_SAT + grey * (1.0 - CHAIN_SAT)).cast("uchar")
    enc = im.write_to_buffer(".jpg", Q=80)
    return enc, time.perf_counter() - t0


def _cv_op(peers, im, op, dst):
    """The op stage of peers.opencv_run, on pixels already decoded, written into `dst` (allocated
    beforehand: glint's ops get an image they own and write in place where they can, so OpenCV
    is spared the output allocation too)."""
    import cv2
    name, args = peers._parse(op)
    if name == "blur":
        return cv2.GaussianBlur(im, (0, 0), float(args[0]), dst=dst, borderType=cv2.BORDER_REPLICATE)
    if name in ("gamma", "contrast"):
        return cv2.LUT(im, peers._tone_lut(name, args), dst=dst)
    if name == "saturation":
        f = float(args[0])
        grey = cv2.cvtColor(cv2.cvtColor(im, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
        return cv2.addWeighted(im, f, grey, 1.0 - f, 0, dst=dst)
    raise SystemExit(f"opencv: no op {name}")


def worker():
    """Answers one JSON request per line on stdin with one JSON line on stdout."""
    peers = _peers()
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing else may write to the answer channel
    files, decoded = {}, {}

    def data(path):
        if path not in files:
            files[path] = open(path, "rb").read()
        return files[path]

    for line in sys.stdin:
        req = json.loads(line)
        cmd = req["cmd"]
        try:
            if cmd == "versions":
                v = {}
                try:
                    import PIL
                    v["Pillow"] = PIL.__version__
                except ImportError:
                    pass
                try:
                    import cv2
                    v["OpenCV"] = f"{cv2.__version__} ({cv2.getNumThreads()} threads)"
                except ImportError:
                    pass
                try:
                    pyvips = _vips()
                    v["libvips"] = "%d.%d.%d (pyvips %s)" % (pyvips.version(0), pyvips.version(1),
                                                              pyvips.version(2), pyvips.__version__)
                except ImportError:
                    pass
                ans = v
            elif cmd == "e2e":  # peers.py's own thumb
                if req["peer"] == "vips":
                    _vips()
                enc, stages = peers.PEERS[req["peer"]](req["op"], data(req["image"]))
                if req.get("save"):
                    open(req["save"], "wb").write(enc)
                ans = {"s": sum(stages)}
            elif cmd == "chain":
                enc, s = vips_chain(data(req["image"]))
                if req.get("save"):
                    open(req["save"], "wb").write(enc)
                ans = {"s": s}
            elif cmd == "op":
                import cv2
                import numpy as np
                key = req["image"]
                if key not in decoded:
                    decoded[key] = cv2.imdecode(np.frombuffer(data(key), np.uint8), cv2.IMREAD_COLOR)
                best = None
                dst = np.empty_like(decoded[key])
                for _ in range(req["iterations"]):
                    t0 = time.perf_counter()
                    _cv_op(peers, decoded[key], req["op"], dst)
                    d = time.perf_counter() - t0
                    best = d if best is None else min(best, d)
                ans = {"s": best}
            elif cmd == "psnr":
                x, y = peers._load(req["a"]), peers._load(req["b"])
                if x.shape != y.shape:
                    ans = {"psnr": None, "why": f"sizes differ: {x.shape} vs {y.shape}"}
                else:
                    mse = float(((x - y) ** 2).mean())
                    ans = {"psnr": None if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)}
            elif cmd == "gen_big":
                pyvips = _vips()
                im = pyvips.Image.new_from_file(req["src"], access="sequential")
                w, h = req["size"]
                im = im.resize(w / im.width, vscale=h / im.height, kernel="linear")
                im.write_to_file(req["dst"], Q=90)
                ans = {"bytes": os.path.getsize(req["dst"])}
            else:
                ans = {"error": f"unknown request {cmd}"}
        except Exception as e:  # the parent reports it and carries on
            ans = {"error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(ans) + "\n")
        out.flush()


def once(what, image):
    """One libvips thumbnail (or, with 'none', only the imports and the read), then exit: the
    parent reads this process's peak RSS."""
    peers = _peers()
    _vips()
    import PIL.Image  # noqa: F401  (the same libraries as the worker, in both cases)
    import cv2  # noqa: F401
    data = open(image, "rb").read()
    if what == "vips":
        peers.vips_run(f"thumb:{THUMB_W}", data)


# ------------------------------------------------------------------ the parent
class Worker:
    def __init__(self):
        self.p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "_worker"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, **req):
        self.p.stdin.write(json.dumps(req) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("peer worker died")
        ans = json.loads(line)
        if "error" in ans:
            raise RuntimeError(ans["error"])
        return ans

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def spawn(argv, env=None, capture=False):
    """Runs a child; returns (wall seconds, peak RSS in bytes, exit status, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    out = p.stdout.read().decode() if capture else ""
    err = p.stderr.read().decode()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {p.returncode}: {err.strip()[-500:]}")
    return wall, ru.ru_maxrss * 1024, p.returncode, out


def median(xs):
    return statistics.median(xs) if xs else None


def interleave(runs, sides, log):
    """sides: name -> callable returning seconds (or a dict of figures with key 's'). One warm-up
    each, then `runs` rounds; the order of the sides alternates between rounds."""
    names = list(sides)
    for n in names:
        sides[n]()
    res = {n: [] for n in names}
    for r in range(runs):
        order = names if r % 2 == 0 else names[::-1]
        for n in order:
            res[n].append(sides[n]())
        log(".")
    return res


def bench_ms(out, spec):
    """The cpu 'total ms' of SPEC in `glint bench`'s table."""
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == spec and parts[1] == "cpu":
            return float(parts[2]) / 1e3
    raise RuntimeError(f"glint bench printed no cpu row for {spec}:\n{out}")


def criterion_estimates(target_dir, ids):
    res = {}
    for n in ids:
        path = os.path.join(target_dir, "criterion", *n.split("/"), "new", "estimates.json")
        try:
            with open(path) as f:
                res[n] = json.load(f)["median"]["point_estimate"] / 1e9
        except (OSError, KeyError, ValueError):
            res[n] = None
    return res


def machine():
    model, flags = "unknown CPU", set()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    mem = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    simd = "/".join(f for f in ("avx2", "avx512f", "neon") if f in flags) or "no AVX2"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memtxt = f"{mem / 2**30:.0f} GiB" if mem else "unknown memory"
    return f"{model}, {cores} cores available ({simd}), {memtxt}, {platform.system()} {platform.machine()}"


def cores_free(seconds=0.5):
    """How many cores this script can get right now: one busy child per core for `seconds`,
    their CPU time over the wall time."""
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    code = f"import time\nt=time.perf_counter()\nwhile time.perf_counter()-t<{seconds}: pass"
    t0 = time.perf_counter()
    pids = [subprocess.Popen([sys.executable, "-S", "-c", code]).pid for _ in range(n)]
    cpu = 0.0
    for pid in pids:
        _, _, ru = os.wait4(pid, 0)
        cpu += ru.ru_utime + ru.ru_stime
    return cpu / (time.perf_counter() - t0), n


def loadavg():
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "unknown"


def lock_versions():
    try:
        text = open(os.path.join(REPO, "Cargo.lock")).read()
    except OSError:
        return {}
    out = {}
    for name in ("fast_image_resize", "image"):
        m = re.search(r'name = "%s"\nversion = "([^"]+)"' % re.escape(name), text)
        if m:
            out[name] = m.group(1)
    return out


def rel(path):
    return os.path.relpath(os.path.abspath(path), REPO)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--image", default=DEFAULT_IMAGE, help="the 12 MP JPEG (default: the photo in ../shared/testdata)")
    ap.add_argument("--glint", help="the glint binary (default: target/release/glint)")
    ap.add_argument("--runs", type=int, default=7, help="interleaved rounds per row (median reported)")
    ap.add_argument("--iterations", type=int, default=5, help="op-alone rows: best of this many per round, both sides")
    ap.add_argument("--criterion", choices=["run", "reuse", "skip"], default="run",
                    help="run `cargo bench --bench peers` for the resize row, reuse its last estimates, or skip")
    ap.add_argument("--only", help="comma-separated row groups: thumb,rss,resize,ops,chain,big,threads")
    ap.add_argument("--write", metavar="MD", help="replace the marked section of this Markdown file")
    a = ap.parse_args()

    target_dir = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    glint = a.glint or os.path.join(target_dir, "release", "glint")
    if not os.access(glint, os.X_OK):
        sys.exit(f"no glint binary at {rel(glint)}: run `cargo build --release` first")
    if not os.path.exists(a.image):
        sys.exit(f"no input image {rel(a.image)}: see ../shared/testdata, or pass --image")
    groups = set((a.only or "thumb,rss,resize,ops,chain,big,threads").split(","))
    img = os.path.abspath(a.image)
    base_env = dict(os.environ)
    base_env.pop("RAYON_NUM_THREADS", None)
    base_env.pop("GLINT_BACKEND", None)

    def log(s):
        print(s, end="", file=sys.stderr, flush=True)

    rows, notes = [], []
    load_start, (free_start, ncores) = loadavg(), cores_free()
    glint_rss = None
    w = Worker()
    versions = w.ask(cmd="versions")
    tmp = tempfile.mkdtemp(prefix="glint-compare-")
    started = time.time()
    try:
        def glint_process(ops, src, out, env=None):
            wall, rss, _, _ = spawn([glint, "process", src, "--ops", ops, "-o", out, "--backend", "cpu"],
                                    env=env or base_env)
            return {"s": wall, "rss": rss}

        def psnr(x, y):
            ans = w.ask(cmd="psnr", a=x, b=y)
            if "why" in ans:
                return ans["why"]
            return "identical" if ans["psnr"] is None else f"{ans['psnr']:.1f} dB"

        # --- criterion first: the resize row, and glint's in-process figures for the whole jobs
        est = {}
        if a.criterion != "skip" and groups & {"resize", "thumb", "chain"}:
            if a.criterion == "run":
                log("criterion: cargo bench --bench peers ...\n")
                r = subprocess.run(["cargo", "bench", "--bench", "peers", "--", CRITERION_FILTER, "--noplot"],
                                   cwd=REPO, env=base_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
                if r.returncode != 0:
                    raise RuntimeError(f"cargo bench failed:\n{r.stdout[-2000:]}")
            est = criterion_estimates(target_dir, CRITERION_IDS)

        def in_process(bench_id, label, peer_s, peer_name, target):
            g = est.get(bench_id)
            if g is not None:
                rows.append(dict(work=label, glint=fmt_ms(g), peer=f"{peer_name} {fmt_ms(peer_s)}", ratio=g / peer_s,
                                 vs=peer_name, target=target, op="<=", gated=False,
                                 note=f"glint: criterion `{bench_id}` median, bytes in memory; "
                                      "not interleaved with the peers"))

        # --- 12 MP -> 800 px, whole job
        if groups & {"thumb", "rss"}:
            for label, ops, gated in ((f"12 MP JPEG -> {THUMB_W} px JPEG q80, `linear=false` (peers' resampling)", THUMB, True),
                                      (f"same, glint's default `linear=true` (info)", THUMB_LINEAR, False)):
                log(f"thumb {ops} ")
                gout = os.path.join(tmp, "glint-thumb.jpg")
                res = interleave(a.runs, {
                    "glint": lambda ops=ops: glint_process(ops, img, gout),
                    "vips": lambda: w.ask(cmd="e2e", peer="vips", op=f"thumb:{THUMB_W}", image=img),
                    "pillow": lambda: w.ask(cmd="e2e", peer="pillow", op=f"thumb:{THUMB_W}", image=img),
                }, log)
                log("\n")
                g = median([r["s"] for r in res["glint"]])
                v = median([r["s"] for r in res["vips"]])
                p = median([r["s"] for r in res["pillow"]])
                best_name, best = min((("libvips", v), ("Pillow", p)), key=lambda x: x[1])
                vout = os.path.join(tmp, "vips-thumb.jpg")
                w.ask(cmd="e2e", peer="vips", op=f"thumb:{THUMB_W}", image=img, save=vout)
                rows.append(dict(work=label, glint=fmt_ms(g), peer=f"libvips {fmt_ms(v)}, Pillow {fmt_ms(p)}",
                                 ratio=g / best, vs=best_name, target=0.8, op="<=", gated=gated,
                                 note=f"PSNR vs libvips {psnr(gout, vout)}"))
                if gated:
                    glint_rss = median([r["rss"] for r in res["glint"]])
                    in_process("pipeline_12mp/thumb_800", "same, glint in-process like the peers (info)", best,
                               best_name, 0.8)

        if "rss" in groups and glint_rss is not None:
            log("rss ")
            me = os.path.abspath(__file__)
            vr, br = [], []
            for _ in range(max(3, a.runs // 2)):
                vr.append(spawn([sys.executable, me, "_once", "vips", img])[1])
                br.append(spawn([sys.executable, me, "_once", "none", img])[1])
                log(".")
            log("\n")
            vnet = median(vr) - median(br)
            rows.append(dict(work=f"same (`linear=false`), peak RSS", glint=fmt_mb(glint_rss),
                             peer=f"libvips {fmt_mb(vnet)} ({fmt_mb(median(vr))} less {fmt_mb(median(br))} "
                                  f"interpreter baseline)",
                             ratio=glint_rss / vnet if vnet > 0 else float("inf"), vs="libvips", target=1.0, op="<=",
                             gated=True, note="glint: whole process, nothing subtracted"))

        # --- resize op, criterion
        if "resize" in groups and a.criterion != "skip":
            for label, gn, fn, gated in (("resize op alone, 4032x3024 RGB8 -> 852x639 Lanczos3 (criterion)",
                                          "glint", "fast_image_resize", True),
                                         ("same, linear light: glint default / fast_image_resize sRGB mapper (info)",
                                          "glint_linear", "fast_image_resize_linear", False)):
                g, f = est.get(f"resize_12mp/{gn}"), est.get(f"resize_12mp/{fn}")
                if g is None or f is None:
                    notes.append(f"resize row: no criterion estimates for {gn}/{fn} under target/criterion")
                    continue
                rows.append(dict(work=label, glint=fmt_ms(g), peer=f"fast_image_resize {fmt_ms(f)}", ratio=g / f,
                                 vs="fast_image_resize", target=1.0, op="<=", gated=gated,
                                 note="criterion median, same process"))

        # --- ops alone on decoded pixels
        if "ops" in groups:
            for spec, peer_op in [(BLUR_OP, BLUR_OP)] + TONE_OPS:
                log(f"op {spec} ")

                def gl(spec=spec):
                    _, _, _, out = spawn([glint, "bench", "--input", img, "--ops", spec, "--backend", "cpu",
                                          "--iterations", str(a.iterations)], env=base_env, capture=True)
                    return bench_ms(out, spec)

                res = interleave(a.runs, {
                    "glint": gl,
                    "opencv": lambda peer_op=peer_op: w.ask(cmd="op", op=peer_op, image=img,
                                                            iterations=a.iterations)["s"],
                }, log)
                log("\n")
                g, c = median(res["glint"]), median(res["opencv"])
                rows.append(dict(work=f"`{spec}` alone on 12 MP", glint=fmt_ms(g), peer=f"OpenCV {fmt_ms(c)}",
                                 ratio=g / c, vs="OpenCV", target=0.8 if spec == BLUR_OP else 1.0, op="<=",
                                 gated=True, note=f"best of {a.iterations} per round, decoded pixels"))

        # --- the 5-op chain
        if "chain" in groups:
            log("chain ")
            gout = os.path.join(tmp, "glint-chain.jpg")
            res = interleave(a.runs, {
                "glint": lambda: glint_process(CHAIN, img, gout),
                "vips": lambda: w.ask(cmd="chain", image=img),
            }, log)
            log("\n")
            g = median([r["s"] for r in res["glint"]])
            v = median([r["s"] for r in res["vips"]])
            vout = os.path.join(tmp, "vips-chain.jpg")
            w.ask(cmd="chain", image=img, save=vout)
            rows.append(dict(work=f"5-op chain on 12 MP: `{CHAIN}`", glint=fmt_ms(g), peer=f"libvips {fmt_ms(v)}",
                             ratio=g / v, vs="libvips", target=0.8, op="<=", gated=True,
                             note=f"glint whole process; PSNR vs libvips {psnr(gout, vout)}"))
            in_process("pipeline_12mp/chain_5op", "same chain, glint in-process like libvips (info)", v, "libvips", 0.8)

        # --- 100 MP
        if "big" in groups:
            log("100 MP: generating ")
            big = os.path.join(tmp, "big.jpg")
            t0 = time.perf_counter()
            size = w.ask(cmd="gen_big", src=img, dst=big, size=list(BIG_SIZE))["bytes"]
            log(f"({size / 1e6:.0f} MB in {time.perf_counter() - t0:.0f} s) ")
            out = os.path.join(tmp, "glint-big.jpg")
            rs = []
            for _ in range(3):
                rs.append(glint_process(BIG_OPS, big, out))
                log(".")
            log("\n")
            rss = median([r["rss"] for r in rs])
            rows.append(dict(work=f"{BIG_SIZE[0]}x{BIG_SIZE[1]} ({BIG_SIZE[0] * BIG_SIZE[1] / 1e6:.0f} MP) JPEG -> "
                                  f"1000 px thumbnail, peak RSS", glint=fmt_mb(rss), peer="-",
                             ratio=rss / 2**20, vs="MB", target=256, op="<=", gated=True, unit="MB",
                             note=f"`{BIG_OPS}`, {fmt_ms(median([r['s'] for r in rs]))} whole process"))

        # --- threads
        if "threads" in groups:
            for spec in (RESIZE_OP, BLUR_OP):
                log(f"threads {spec} ")
                free, ncores = cores_free()

                def gl(n, spec=spec):
                    env = dict(base_env, RAYON_NUM_THREADS=str(n))
                    _, _, _, out = spawn([glint, "bench", "--input", img, "--ops", spec, "--backend", "cpu",
                                          "--iterations", str(a.iterations)], env=env, capture=True)
                    if f"cpu: {n} threads" not in out:
                        raise RuntimeError(f"glint bench did not run on {n} threads:\n{out}")
                    return bench_ms(out, spec)

                res = interleave(a.runs, {"1": lambda: gl(1), "2": lambda: gl(2)}, log)
                log("\n")
                t1, t2 = median(res["1"]), median(res["2"])
                rows.append(dict(work=f"`{spec}` on 12 MP, 2 threads vs 1", glint=f"{fmt_ms(t2)} vs {fmt_ms(t1)}",
                                 peer="-", ratio=t1 / t2, vs="speed-up", target=1.8, op=">=", gated=True,
                                 unit="x speed-up", note=f"`RAYON_NUM_THREADS`, best of {a.iterations} per "
                                                          f"round; {free:.1f} of {ncores} cores were free just before"
                                                          + (" (busy machine: the speed-up is understated)"
                                                             if free < 1.8 else "")))
    finally:
        w.close()
        shutil.rmtree(tmp, ignore_errors=True)

    elapsed = time.time() - started
    free_end = cores_free()[0]
    notes.append(f"Other work on the machine: load average (1 min) {load_start} at the start, {loadavg()} at the "
                 f"end; {free_start:.1f} and {free_end:.1f} of {ncores} cores free to a busy loop. It shows up as "
                 "noise, worst in the thread-scaling rows; figures from a busy machine are rough.")
    text = render(rows, notes, a, versions, elapsed)
    print(text)
    if a.write:
        write_section(a.write, text)
        print(f"wrote {a.write}", file=sys.stderr)


def fmt_ms(s):
    return "n/a" if s is None else f"{s * 1e3:.1f} ms"


def fmt_mb(b):
    return "n/a" if b is None else f"{b / 2**20:.1f} MB"


def verdict(r):
    ok = r["ratio"] <= r["target"] if r["op"] == "<=" else r["ratio"] >= r["target"]
    if not r["gated"]:
        return "info: " + ("would pass" if ok else "would miss")
    return "**pass**" if ok else "**miss**"


def render(rows, notes, a, versions, elapsed):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = "?"
    argv = " ".join(rel(x) if os.path.exists(x) and os.path.isabs(x) else x for x in sys.argv[1:])
    lv = lock_versions()
    peers = ", ".join(f"{k} {v}" for k, v in versions.items())
    rust = ", ".join(f"{k} {v}" for k, v in lv.items())
    out = [
        "## Against the field: `benches/compare.py`",
        "",
        f"Measured {now} at commit {commit}, in {elapsed / 60:.1f} min. Machine: {machine()}.",
        f"Peers: {peers}; in the criterion run: {rust}. Each peer keeps its default threading.",
        "Command (the peers' virtual environment is what `../shared/peers/setup.sh` prints):",
        "",
        "    VENV=$(../shared/peers/setup.sh | tail -1)",
        "    cargo build --release",
        f"    $VENV/bin/python benches/compare.py {argv}".rstrip(),
        "",
        f"Times are medians over {a.runs} interleaved rounds (op-alone rows: of the best of {a.iterations} "
        "runs per round); ratio = glint / the peer named (the faster one where two are named). "
        "Rows marked info are not targets.",
        "",
        "| work | glint | peer | ratio | target | result | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.get("unit") == "MB":
            ratio, target = f"{r['ratio']:.0f} MB", f"{r['op']} {r['target']} MB"
        elif r.get("unit"):
            ratio, target = f"{r['ratio']:.2f}x", f"{r['op']} {r['target']}x"
        else:
            ratio, target = f"{r['ratio']:.2f}x {r['vs']}", f"{r['op']} {r['target']}x"
        out.append(f"| {r['work']} | {r['glint']} | {r['peer']} | {ratio} | {target} | {verdict(r)} | {r['note']} |")
    out.append("")
    for n in notes:
        out.append(f"- {n}")
    if notes:
        out.append("")
    out.append(METHOD.format(thumb=THUMB, w=THUMB_W, resize=RESIZE_OP, chain=CHAIN, cw=CHAIN_W, ch=CHAIN_H,
                             sigma=CHAIN_SIGMA, sat=CHAIN_SAT, bw=BIG_SIZE[0], bh=BIG_SIZE[1], big=BIG_OPS))
    return "\n".join(out).rstrip() + "\n"


def write_section(path, text):
    try:
        doc = open(path).read()
    except FileNotFoundError:
        doc = ""
    block = f"{BEGIN}\n{text}{END}\n"
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        doc = head + block + ("\n" + tail if tail else "")
    else:
        doc = doc.rstrip("\n") + "\n\n" + block
    with open(path, "w") as f:
        f.write(doc)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        worker()
    elif len(sys.argv) > 1 and sys.argv[1] == "_once":
        once(sys.argv[2], sys.argv[3])
    else:
        main()
