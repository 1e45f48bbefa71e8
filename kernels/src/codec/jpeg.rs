//! JPEG: the structure walk that every JPEG gets before decoding, and decoding with
//! libjpeg-turbo, optionally shrunk while decoding (the IDCT computes 1/2, 1/4 or 1/8 of the
//! pixels directly, as libvips' and Pillow's `draft` shrink-on-load do).
//!
//! The walk refuses what the decoders would otherwise get wrong or silently patch: a file that
//! ends before its end-of-image marker (decoders fill the rest with grey and call it success),
//! and coding processes glint does not take (arithmetic, lossless, hierarchical). It also
//! collects the EXIF block and the ICC profile (which may span several APP2 segments).

use crate::error::DecodeError;

fn broken(reason: impl Into<String>) -> DecodeError {
    DecodeError::Corrupt { format: "jpeg", reason: reason.into() }
}

/// Metadata found by the walk.
#[derive(Debug, Default)]
pub(super) struct Markers {
    /// The TIFF block of the first APP1 "Exif" segment.
    pub exif: Option<Vec<u8>>,
    /// The ICC profile, reassembled from its APP2 chunks.
    pub icc: Option<Vec<u8>>,
    /// Adobe APP14 colour transform or four components: the image is CMYK/YCCK.
    pub cmyk: bool,
    /// Where the restart intervals begin, when the file is one sequential scan with restart
    /// markers: bands of such a file decode independently (see [`decode_rgb`]).
    pub restarts: Option<Restarts>,
}

/// The layout of a single-scan sequential JPEG with restart markers. The entropy decoder
/// starts afresh at every marker (the DC predictions reset), so a run of whole intervals, put
/// behind the file's headers with the frame height changed, is a JPEG of its own.
#[derive(Debug)]
pub(super) struct Restarts {
    /// MCUs per restart interval (the DRI segment).
    interval: usize,
    /// Offset of the frame header's height field.
    height_at: usize,
    /// The largest horizontal and vertical sampling factors: an MCU is 8 times these.
    sampling: (usize, usize),
    /// Offset of the first byte of entropy-coded data (the end of the SOS segment).
    data_start: usize,
    /// Offset of the marker that ends the scan.
    data_end: usize,
    /// Offsets of the RSTn markers in the scan, in order.
    markers: Vec<usize>,
}

/// The most restart markers a layout records: more than a 100-megapixel image has MCUs (1.6
/// million of 8x8 pixels), so every real file fits, and the offsets stay under 17 MiB.
const MAX_RESTARTS: usize = 1 << 21;

/// Walks the marker segments from SOI to EOI.
pub(super) fn walk(bytes: &[u8]) -> Result<Markers, DecodeError> {
    let truncated = || Err(broken("file is truncated: the image data ends before the end-of-image marker"));
    let mut markers = Markers::default();
    let mut icc_chunks: Vec<(u8, &[u8])> = Vec::new();
    // What a restart layout needs: the interval, the frame (sequential only), the scan count.
    let (mut interval, mut frame, mut scans) = (0usize, None, 0usize);
    let (mut restarts, mut usable): (Vec<usize>, bool) = (Vec::new(), true);
    let mut i = 2;
    loop {
        // Markers may be padded with any number of 0xFF bytes.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) else {
            return if i >= bytes.len() { truncated() } else { Err(broken(format!("no marker at byte {i}"))) };
        };
        i += 2;
        match marker {
            0xD9 => break,
            0x01 | 0xD0..=0xD7 => continue,
            0xC3 | 0xC7 | 0xCB | 0xCF => {
                return Err(DecodeError::UnsupportedFeature("JPEG variant: lossless coding".into()));
            }
            0xC5 | 0xC6 | 0xCD | 0xCE => {
                return Err(DecodeError::UnsupportedFeature("JPEG variant: hierarchical coding".into()));
            }
            0xC9 | 0xCA => return Err(DecodeError::UnsupportedFeature("JPEG variant: arithmetic coding".into())),
            _ => {}
        }
        let Some(len) = bytes.get(i..i + 2).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]))) else {
            return truncated();
        };
        if len < 2 {
            return Err(broken(format!("segment of length {len} at byte {i}")));
        }
        let Some(body) = bytes.get(i + 2..i + len) else { return truncated() };
        match marker {
            0xE1 if markers.exif.is_none() => {
                if let Some(tiff) = body.strip_prefix(b"Exif\0\0") {
                    markers.exif = Some(tiff.to_vec());
                }
            }
            0xE2 => {
                // "ICC_PROFILE\0", chunk number, chunk count, data.
                if let Some(rest) = body.strip_prefix(b"ICC_PROFILE\0")
                    && rest.len() >= 2
                {
                    icc_chunks.push((rest[0], &rest[2..]));
                }
            }
            0xEE => markers.cmyk |= body.starts_with(b"Adobe"),
            0xC0..=0xC2 => {
                markers.cmyk |= body.get(5) == Some(&4);
                // Baseline and extended sequential frames: P, Y, X, Nf, then Nf x (C, HV, Tq).
                let comps = body
                    .get(6..)
                    .unwrap_or_default()
                    .chunks_exact(3)
                    .take(usize::from(body.get(5).copied().unwrap_or(0)));
                let sampling =
                    comps.fold((0, 0), |(h, v), c| (h.max(usize::from(c[1] >> 4)), v.max(usize::from(c[1] & 15))));
                let height = body.get(1..3).map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
                frame =
                    (marker != 0xC2 && height > 0 && (1..=4).contains(&sampling.0) && (1..=4).contains(&sampling.1))
                        .then_some((i + 3, sampling));
            }
            0xDD => interval = body.get(..2).map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]]))),
            _ => {}
        }
        i += len;
        if marker == 0xDA {
            scans += 1;
            let data_start = i;
            // Entropy-coded data runs to the first 0xFF not followed by 0x00 or RSTn.
            loop {
                // memchr: a vector search, where a plain byte loop would cost a tenth of the
                // whole decode on a large photo.
                let Some(p) = memchr::memchr(0xFF, &bytes[i..]) else { return truncated() };
                i += p;
                match bytes.get(i + 1) {
                    None => return truncated(),
                    Some(0x00) => i += 2,
                    Some(&rst @ 0xD0..=0xD7) => {
                        // The layout is dropped past the cap, so a flood of markers costs no
                        // more memory than a large photograph's, and when the markers are out
                        // of sequence: the whole-file decode refuses such a file, and bands
                        // (which renumber their markers) must not accept it instead.
                        if scans == 1 && interval > 0 && usable {
                            usable = restarts.len() < MAX_RESTARTS && rst == 0xD0 + (restarts.len() % 8) as u8;
                            restarts.push(i);
                        }
                        i += 2;
                    }
                    Some(_) => break,
                }
            }
            if scans == 1
                && interval > 0
                && usable
                && let Some((height_at, sampling)) = frame
            {
                markers.restarts = Some(Restarts {
                    interval,
                    height_at,
                    sampling,
                    data_start,
                    data_end: i,
                    markers: std::mem::take(&mut restarts),
                });
            } else {
                markers.restarts = None;
            }
        }
    }
    if !icc_chunks.is_empty() {
        icc_chunks.sort_by_key(|(n, _)| *n);
        markers.icc = Some(icc_chunks.iter().flat_map(|(_, d)| d.iter().copied()).collect());
    }
    Ok(markers)
}

/// A JPEG decoded to RGB by libjpeg-turbo.
pub(super) struct Pixels {
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The denominator of the shrink applied while decoding (1, 2, 4 or 8).
    pub shrink: u32,
}

/// The header's dimensions.
pub(super) fn dimensions(bytes: &[u8]) -> Result<(u32, u32), DecodeError> {
    let mut d = decompressor()?;
    let h = d.read_header(bytes).map_err(|e| broken(e.to_string()))?;
    Ok((h.width as u32, h.height as u32))
}

fn decompressor() -> Result<turbojpeg::Decompressor, DecodeError> {
    turbojpeg::Decompressor::new().map_err(|e| broken(format!("cannot start the decoder: {e}")))
}

/// Decodes to RGB, shrunk by the largest factor (of 1/2, 1/4, 1/8) that keeps the result at
/// least `min` in both directions. The caller has checked the header's size against the limits.
/// A large image with a restart layout is decoded in bands, in parallel.
pub(super) fn decode_rgb(
    bytes: &[u8],
    min: Option<(u32, u32)>,
    restarts: Option<&Restarts>,
) -> Result<Pixels, DecodeError> {
    decode_rgb_in_bands(bytes, min, restarts, None)
}

/// Images below this many pixels are decoded in one piece: bands would save little.
const BANDED_PIXELS: usize = 1 << 20;

/// Image rows per band (rounded to whole MCU rows) when the bands are chosen from the image: a
/// 12 MP photograph decodes in two bands, a 100 MP one in six. Four bands made a 12 MP
/// thumbnail on two cores no faster than two (2-5% slower, near the noise: a decoder is set up
/// per band, and with 4:2:0 chroma each band decodes rows it drops), and single-core hosts,
/// most Lambda sizes, gain nothing from more.
///
/// The count of bands depends on the file alone, never on the host's threads, because
/// libjpeg-turbo reports some damage late: bytes left over at the end of a restart interval are
/// counted, and only reported when it next searches for a marker, which may lie in another band
/// or past the end of this one. Cut in the same places everywhere, a file decodes or is refused
/// alike on every host.
const BAND_ROWS: usize = 1536;

/// [`decode_rgb`] with the number of bands given (`None`: chosen from the image).
pub(super) fn decode_rgb_in_bands(
    bytes: &[u8],
    min: Option<(u32, u32)>,
    restarts: Option<&Restarts>,
    bands: Option<usize>,
) -> Result<Pixels, DecodeError> {
    let mut d = decompressor()?;
    let header = d.read_header(bytes).map_err(|e| broken(e.to_string()))?;
    let (w, h) = (header.width, header.height);
    let mut shrink = 1;
    if let Some((mw, mh)) = min {
        for s in [8usize, 4, 2] {
            if w.div_ceil(s) >= mw as usize && h.div_ceil(s) >= mh as usize {
                shrink = s;
                break;
            }
        }
    }
    let factor = turbojpeg::ScalingFactor::new(1, shrink);
    let (sw, sh) = (factor.scale(w), factor.scale(h));
    let mut data = Vec::new();
    data.try_reserve_exact(sw * sh * 3).map_err(|_| broken(format!("cannot allocate {sw}x{sh} pixels")))?;
    data.resize(sw * sh * 3, 0);
    if let Some(r) = restarts
        && let bands = bands.unwrap_or(if w * h >= BANDED_PIXELS { h.div_ceil(BAND_ROWS) } else { 1 })
        && bands > 1
        && let Some(plan) = BandPlan::new(r, w, h, shrink, bands)
        // Any failure is left to the whole-file decode below, which reports it.
        && plan.decode(bytes, r, &mut data, sw * 3).is_ok()
    {
        return Ok(Pixels { data, width: sw as u32, height: sh as u32, shrink: shrink as u32 });
    }
    d.set_scaling_factor(factor).map_err(|e| broken(e.to_string()))?;
    // Progressive files may hold any number of scans; real encoders use about ten.
    d.set_scan_limit(500).map_err(|e| broken(e.to_string()))?;
    let image = turbojpeg::Image {
        pixels: &mut data[..],
        width: sw,
        pitch: sw * 3,
        height: sh,
        format: turbojpeg::PixelFormat::RGB,
    };
    d.decompress(bytes, image).map_err(|e| broken(e.to_string()))?;
    Ok(Pixels { data, width: sw as u32, height: sh as u32, shrink: shrink as u32 })
}

/// How a file with a restart layout splits into bands of whole MCU rows.
struct BandPlan {
    width: usize,
    height: usize,
    shrink: usize,
    /// MCU height in pixels, and MCU rows in the image.
    mcu_h: usize,
    mcu_rows: usize,
    /// Restart intervals per MCU row (each row starts an interval).
    per_row: usize,
    /// MCU rows per band.
    band_rows: usize,
    /// MCU rows decoded beyond each side of a band and dropped: with vertically subsampled
    /// chroma, the upsampling of a row reads the chroma row above and below it, so a band
    /// decoded alone would differ from the whole file along its edges.
    context: usize,
}

impl BandPlan {
    fn new(r: &Restarts, width: usize, height: usize, shrink: usize, bands: usize) -> Option<Self> {
        let (mcu_w, mcu_h) = (8 * r.sampling.0, 8 * r.sampling.1);
        let (mcu_cols, mcu_rows) = (width.div_ceil(mcu_w), height.div_ceil(mcu_h));
        // Bands must start at intervals: every MCU row has to begin one.
        if mcu_cols % r.interval != 0 || r.markers.len() + 1 < mcu_rows * (mcu_cols / r.interval) {
            return None;
        }
        let context = usize::from(r.sampling.1 > 1);
        let band_rows = mcu_rows.div_ceil(bands);
        // Bands much thinner than their context would mostly decode rows twice.
        if band_rows < 4 * (context + 1) || mcu_h % shrink != 0 {
            return None;
        }
        Some(BandPlan { width, height, shrink, mcu_h, mcu_rows, per_row: mcu_cols / r.interval, band_rows, context })
    }

    /// Decodes every band in parallel into `out` (rows `pitch` bytes long).
    fn decode(&self, bytes: &[u8], r: &Restarts, out: &mut [u8], pitch: usize) -> Result<(), DecodeError> {
        use rayon::prelude::*;
        let out_rows = self.band_rows * self.mcu_h / self.shrink;
        out.par_chunks_mut(out_rows * pitch).enumerate().try_for_each(|(k, dst)| {
            let r0 = k * self.band_rows;
            let r1 = (r0 + self.band_rows).min(self.mcu_rows);
            let (a, b) = (r0.saturating_sub(self.context), (r1 + self.context).min(self.mcu_rows));
            let jpeg = self.band_file(bytes, r, a, b)?;
            let band_h = (b * self.mcu_h).min(self.height) - a * self.mcu_h;
            let factor = turbojpeg::ScalingFactor::new(1, self.shrink);
            let rows = factor.scale(band_h);
            let skip = (r0 - a) * self.mcu_h / self.shrink;
            let mut d = decompressor()?;
            d.set_scaling_factor(factor).map_err(|e| broken(e.to_string()))?;
            let mut decode = |pixels: &mut [u8]| {
                let image = turbojpeg::Image {
                    pixels,
                    width: factor.scale(self.width),
                    pitch,
                    height: rows,
                    format: turbojpeg::PixelFormat::RGB,
                };
                d.decompress(&jpeg, image).map_err(|e| broken(e.to_string()))
            };
            if skip == 0 && rows * pitch == dst.len() {
                decode(dst)
            } else {
                let mut whole = vec![0u8; rows * pitch];
                decode(&mut whole)?;
                let kept = whole.get(skip * pitch..skip * pitch + dst.len()).ok_or_else(|| broken("band size"))?;
                dst.copy_from_slice(kept);
                Ok(())
            }
        })
    }

    /// MCU rows `a..b` as a JPEG of their own: the headers with the frame height changed, the
    /// intervals of those rows with their restart markers renumbered from RST0, and an EOI.
    fn band_file(&self, bytes: &[u8], r: &Restarts, a: usize, b: usize) -> Result<Vec<u8>, DecodeError> {
        let (first, last) = (a * self.per_row, b * self.per_row);
        // Interval `j` starts after marker `j - 1` and ends at marker `j`.
        let start = if first == 0 { r.data_start } else { r.markers[first - 1] + 2 };
        let end = if last == self.mcu_rows * self.per_row { r.data_end } else { r.markers[last - 1] };
        let band_h = (b * self.mcu_h).min(self.height) - a * self.mcu_h;
        let mut jpeg = Vec::with_capacity(r.data_start + end - start + 2);
        jpeg.extend_from_slice(&bytes[..r.data_start]);
        jpeg[r.height_at..r.height_at + 2]
            .copy_from_slice(&u16::try_from(band_h).map_err(|_| broken("band height"))?.to_be_bytes());
        let base = jpeg.len();
        jpeg.extend_from_slice(&bytes[start..end]);
        for (n, &m) in r.markers[first..last - 1].iter().enumerate() {
            jpeg[base + m - start + 1] = 0xD0 + (n % 8) as u8;
        }
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        Ok(jpeg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `bytes` whole at `shrink`, then in 2..=5 bands wherever a band plan exists,
    /// and requires the same bytes. Returns whether any band plan existed.
    fn check_bands(name: &str, bytes: &[u8]) -> bool {
        let markers = walk(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(r) = markers.restarts.as_ref() else { return false };
        let (w, h) = dimensions(bytes).unwrap();
        let mut split = false;
        for shrink in [1u32, 2, 4, 8] {
            let min = (w.div_ceil(shrink), h.div_ceil(shrink));
            let whole = decode_rgb_in_bands(bytes, Some(min), Some(r), Some(1)).unwrap();
            assert_eq!(whole.shrink, shrink, "{name}");
            for bands in 2..=5 {
                let Some(plan) = BandPlan::new(r, w as usize, h as usize, shrink as usize, bands) else { continue };
                split = true;
                let mut out = vec![0u8; whole.data.len()];
                plan.decode(bytes, r, &mut out, whole.width as usize * 3).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(out == whole.data, "{name}: 1/{shrink} in {bands} bands differs from the whole decode");
            }
        }
        split
    }

    #[test]
    fn bands_decode_like_the_whole_file() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/restart/");
        // Intervals of 4 MCUs (4:2:0) and of one MCU row (4:4:4) split; 3 MCUs in rows of 32
        // (4:2:2) do not, and decode whole.
        for (name, splits) in
            [("flower_rst_420.jpg", true), ("flower_rst_444.jpg", true), ("flower_rst_422.jpg", false)]
        {
            let bytes = std::fs::read(format!("{dir}{name}")).unwrap();
            assert_eq!(check_bands(name, &bytes), splits, "{name}");
        }
        // Markers out of sequence: no layout, so the whole-file decode judges the file.
        let mut bytes = std::fs::read(format!("{dir}flower_rst_444.jpg")).unwrap();
        let third = walk(&bytes).unwrap().restarts.unwrap().markers[2];
        bytes[third + 1] = 0xD5;
        assert!(walk(&bytes).unwrap().restarts.is_none());
        // No restart markers, or several scans: no layout.
        let plain = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/decode/hopper.jpg")).unwrap();
        assert!(walk(&plain).unwrap().restarts.is_none());
    }

    #[test]
    fn damaged_files_fare_the_same_in_bands_and_whole() {
        // Bytes changed, cut out or repeated in the scan, and markers renumbered. Bands make the
        // same pixels as the whole-file decode wherever both decode, and the same on any number
        // of threads. They may accept a file that the whole decode refuses for one reason only:
        // bytes left over in an interval, which libjpeg-turbo reports at its next search for a
        // marker, and a band can end before that search (see [`BAND_ROWS`]).
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/restart/");
        let mut seed = 0x9e37_79b9_u32;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as usize % n
        };
        let pools = [1, 3].map(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap());
        let (mut decoded, mut refused, mut late) = (0, 0, 0);
        for name in ["flower_rst_420.jpg", "flower_rst_444.jpg"] {
            let good = std::fs::read(format!("{dir}{name}")).unwrap();
            let layout = walk(&good).unwrap().restarts.unwrap();
            let (start, end) = (layout.data_start, layout.data_end);
            for round in 0..80 {
                let mut bytes = good.clone();
                let at = start + next(end - start - 64);
                let len = 1 + next(40);
                match round % 4 {
                    0 => bytes[at] = next(256) as u8,
                    1 => bytes[layout.markers[next(layout.markers.len())] + 1] = 0xD0 + next(8) as u8,
                    2 => drop(bytes.drain(at..at + len)),
                    _ => drop(bytes.splice(at..at, good[at..at + len].to_vec())),
                }
                let Ok(markers) = walk(&bytes) else { continue };
                let r = markers.restarts.as_ref();
                let whole = decode_rgb_in_bands(&bytes, None, r, Some(1));
                let [one, three] =
                    pools.each_ref().map(|p| p.install(|| decode_rgb_in_bands(&bytes, None, r, Some(3))));
                let banded = match (one, three) {
                    (Ok(a), Ok(b)) => {
                        assert!(a.data == b.data, "{name} round {round}: bands differ between 1 and 3 threads");
                        Ok(a)
                    }
                    (Err(_), Err(e)) => Err(e),
                    _ => panic!("{name} round {round}: bands fare differently on 1 and 3 threads"),
                };
                match (whole, banded) {
                    (Ok(w), Ok(b)) => {
                        assert!(w.data == b.data, "{name} round {round}: pixels differ");
                        decoded += 1;
                    }
                    (Err(_), Err(_)) => refused += 1,
                    (Err(e), Ok(_)) if e.to_string().contains("extraneous bytes before marker") => late += 1,
                    (w, b) => panic!("{name} round {round}: whole {:?}, bands {:?}", w.err(), b.err()),
                }
            }
        }
        assert!(decoded > 0 && refused > 0, "{decoded} decoded, {refused} refused, {late} reported late");
    }

    #[test]
    #[ignore = "extended: reads the photographs of the test corpus"]
    #[allow(clippy::print_stderr, reason = "the count of photos checked goes into the test log")]
    fn corpus_photos_decode_in_bands_like_whole() {
        let dir = std::env::var_os("GLINT_TESTDATA")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/testdata").into())
            .join("photos");
        let mut split = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")) {
                split += usize::from(check_bands(&path.display().to_string(), &std::fs::read(&path).unwrap()));
            }
        }
        assert!(split > 0, "no photo in {} has a restart layout", dir.display());
        eprintln!("{split} photos decoded in bands, identical to the whole decode at 1, 1/2, 1/4 and 1/8");
    }

    #[test]
    fn walk_finds_the_end_and_refuses_every_prefix() {
        // SOI, a comment, SOS with two data bytes (one stuffed FF), EOI.
        let ok = [0xFF, 0xD8, 0xFF, 0xFE, 0, 3, b'x', 0xFF, 0xDA, 0, 2, 1, 0xFF, 0, 2, 0xFF, 0xD9];
        assert!(walk(&ok).is_ok());
        for cut in 2..ok.len() - 1 {
            assert!(walk(&ok[..cut]).is_err(), "prefix of {cut} bytes");
        }
    }

    #[test]
    fn icc_chunks_are_reassembled_in_order() {
        let mut f = vec![0xFF, 0xD8];
        for (n, data) in [(2u8, &b"world"[..]), (1u8, &b"hello "[..])] {
            let body: Vec<u8> = [&b"ICC_PROFILE\0"[..], &[n, 2], data].concat();
            f.extend([0xFF, 0xE2]);
            f.extend(((body.len() + 2) as u16).to_be_bytes());
            f.extend(body);
        }
        f.extend([0xFF, 0xD9]);
        assert_eq!(walk(&f).unwrap().icc.as_deref(), Some(&b"hello world"[..]));
    }
}
