//! The key an event-driven result is written under, derived from the source key and the
//! pipeline alone: the same upload and pipeline always give the same key (and the same bytes),
//! so a duplicate event rewrites an identical object instead of adding another.
//!
//! `uploads/2024/beach day.jpg` with `resize:800x/format:webp` becomes
//! `uploads/2024/beach day-3f9a1c2e7b40.webp`: the source's path and stem kept for people, a
//! hash of the canonical pipeline and the full source key (so `a.jpg` and `a.png` stay
//! apart), and the output format's extension.

use glint_kernels::Format;
use sha2::{Digest, Sha256};

/// Hex digits of the hash in derived keys (48 bits).
pub const HASH_DIGITS: usize = 12;

/// The derived key for `source_key` processed by the pipeline written `canonical_pipeline`
/// (its `Display` form) into `format`.
pub fn output_key(source_key: &str, canonical_pipeline: &str, format: Format) -> String {
    let (dir, name) = source_key.rsplit_once('/').map_or(("", source_key), |(d, n)| (d, n));
    // A leading dot is part of the name (".profile"), not an extension.
    let stem = match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    };
    let mut hasher = Sha256::new();
    hasher.update(canonical_pipeline.as_bytes());
    hasher.update([0]);
    hasher.update(source_key.as_bytes());
    let digest = hex::encode(hasher.finalize());
    let hash = &digest[..HASH_DIGITS];
    let ext = format.extension();
    if dir.is_empty() { format!("{stem}-{hash}.{ext}") } else { format!("{dir}/{stem}-{hash}.{ext}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_path_and_stem() {
        let k = output_key("uploads/2024/beach day.jpg", "resize:800x/format:webp", Format::Webp);
        assert!(k.starts_with("uploads/2024/beach day-") && k.ends_with(".webp"), "{k}");
        assert_eq!(k.len(), "uploads/2024/beach day-".len() + HASH_DIGITS + ".webp".len());
        assert_eq!(k, output_key("uploads/2024/beach day.jpg", "resize:800x/format:webp", Format::Webp));
    }

    #[test]
    fn differs_by_source_and_pipeline() {
        let a = output_key("a.jpg", "invert", Format::Png);
        assert_ne!(a, output_key("a.png", "invert", Format::Png));
        assert_ne!(a, output_key("a.jpg", "grayscale", Format::Png));
        assert!(output_key(".hidden", "invert", Format::Png).starts_with(".hidden-"));
        assert!(output_key("noext", "invert", Format::Jpeg).ends_with(".jpg"));
    }
}
