//! URL signatures, as the contract defines them: the first path segment is the URL-safe base64
//! (no padding) of HMAC-SHA256, keyed with the hex `GLINT_SIGNING_KEY`, over the rest of the
//! path (and query) exactly as sent, starting at the `/` after the signature.
//!
//! Without a key every signature must be `_`; with one, `_` is refused. The comparison is the
//! `hmac` crate's constant-time check, so a forger learns nothing from response times.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The signature segment used when signing is off.
pub const UNSIGNED: &str = "_";

/// Why a signature was refused (all answered with 403).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// `_` while a key is configured.
    #[error("this server requires signed URLs; '_' is not a signature")]
    Missing,
    /// A signature while no key is configured.
    #[error("this server does not sign URLs: use '_' as the signature segment")]
    Unexpected,
    /// Not base64, or not the right HMAC.
    #[error("signature does not match")]
    Mismatch,
}

/// A bad `GLINT_SIGNING_KEY`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("GLINT_SIGNING_KEY: {0}")]
pub struct KeyError(&'static str);

/// Checks signatures against one key, or insists on `_` when there is none.
#[derive(Clone)]
pub struct Signer {
    key: Option<Vec<u8>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.write_str(if self.key.is_some() { "Signer(key set)" } else { "Signer(unsigned)" })
    }
}

impl Signer {
    /// No key: every signature must be `_`.
    pub fn unsigned() -> Self {
        Signer { key: None }
    }

    /// A key given in hex.
    pub fn from_hex(hex_key: &str) -> Result<Self, KeyError> {
        let hex_key = hex_key.trim();
        if hex_key.is_empty() {
            return Err(KeyError("set but empty; unset it to turn signing off"));
        }
        let key =
            hex::decode(hex_key).map_err(|_| KeyError("not hexadecimal (e.g. the output of openssl rand -hex 32)"))?;
        Ok(Signer { key: Some(key) })
    }

    /// `GLINT_SIGNING_KEY` from any lookup, or no signing when it is unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, KeyError> {
        get("GLINT_SIGNING_KEY").map_or_else(|| Ok(Signer::unsigned()), |k| Signer::from_hex(&k))
    }

    /// Whether a key is configured.
    pub fn is_signing(&self) -> bool {
        self.key.is_some()
    }

    /// The signature segment for `rest` (`/{pipeline}/src/{key}` or `/process?ops=...`).
    pub fn sign(&self, rest: &str) -> String {
        match self.mac(rest) {
            Some(mac) => URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()),
            None => UNSIGNED.to_string(),
        }
    }

    /// Accepts `signature` for `rest`, or says why not.
    pub fn verify(&self, signature: &str, rest: &str) -> Result<(), SignatureError> {
        match self.mac(rest) {
            None if signature == UNSIGNED => Ok(()),
            None => Err(SignatureError::Unexpected),
            Some(_) if signature == UNSIGNED => Err(SignatureError::Missing),
            Some(mac) => {
                let given = URL_SAFE_NO_PAD.decode(signature).map_err(|_| SignatureError::Mismatch)?;
                mac.verify_slice(&given).map_err(|_| SignatureError::Mismatch)
            }
        }
    }

    fn mac(&self, rest: &str) -> Option<Hmac<Sha256>> {
        let key = self.key.as_ref()?;
        // HMAC takes keys of any length; this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
        mac.update(rest.as_bytes());
        Some(mac)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let signer = Signer::from_hex("4a656665").unwrap();
        let sig = signer.sign("what do ya want for nothing?");
        let expected = hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843").unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(&sig).unwrap(), expected);
        assert!(!sig.contains('=') && !sig.contains('+') && !sig.contains('/'));
        assert_eq!(signer.verify(&sig, "what do ya want for nothing?"), Ok(()));
    }

    #[test]
    fn refusals() {
        let signer = Signer::from_hex("00112233445566778899aabbccddeeff").unwrap();
        let rest = "/resize:100x/src/a.jpg";
        let good = signer.sign(rest);
        assert_eq!(signer.verify(&good, "/resize:101x/src/a.jpg"), Err(SignatureError::Mismatch));
        assert_eq!(signer.verify("_", rest), Err(SignatureError::Missing));
        assert_eq!(signer.verify("not*base64", rest), Err(SignatureError::Mismatch));
        assert_eq!(signer.verify(&good[..good.len() - 2], rest), Err(SignatureError::Mismatch));

        let open = Signer::unsigned();
        assert_eq!(open.verify("_", rest), Ok(()));
        assert_eq!(open.verify(&good, rest), Err(SignatureError::Unexpected));
        assert_eq!(open.sign(rest), "_");
    }

    #[test]
    fn bad_keys() {
        assert!(Signer::from_hex("").is_err());
        assert!(Signer::from_hex("xyz").is_err());
        assert!(Signer::from_lookup(|_| None).is_ok_and(|s| !s.is_signing()));
    }
}
