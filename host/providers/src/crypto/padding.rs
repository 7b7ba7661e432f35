//! PKCS#7 padding to 32-byte blocks.
//!
//! Hand-written because both providers pad to a multiple of **32** bytes (pad values 1..=32),
//! while the `block-padding` crate used by `cbc` pads to the cipher's 16-byte block and rejects pad
//! values above 16 — which real callbacks (pad 22, 30, 31) carry. The cipher therefore runs with
//! `NoPadding` and these two functions do the padding.

use super::CryptoError;

/// The block size both providers pad to.
pub(crate) const BLOCK: usize = 32;

/// Appends 1..=32 bytes of value `n` so the length becomes a multiple of 32.
pub(crate) fn pad(buf: &mut Vec<u8>) {
    let n = BLOCK - buf.len() % BLOCK;
    // n is in 1..=32, so the cast cannot truncate.
    buf.resize(buf.len() + n, n as u8);
}

/// Returns the length of `buf` without its padding, checking every pad byte.
///
/// No padding oracle arises from the early returns: the signature over the ciphertext is verified
/// before anything is decrypted.
pub(crate) fn unpadded_len(buf: &[u8]) -> Result<usize, CryptoError> {
    let Some(&last) = buf.last() else {
        return Err(CryptoError::BadLength { reason: "decrypted frame is empty".into() });
    };
    let n = usize::from(last);
    if n == 0 || n > BLOCK || n > buf.len() {
        return Err(CryptoError::BadPadding { pad: last });
    }
    let body = buf.len() - n;
    if buf[body..].iter().any(|&b| b != last) {
        return Err(CryptoError::BadPadding { pad: last });
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_to_32_with_a_full_block_when_aligned() {
        for len in 0..100 {
            let mut buf = vec![7u8; len];
            pad(&mut buf);
            assert_eq!(buf.len() % BLOCK, 0);
            assert!(buf.len() > len && buf.len() - len <= BLOCK);
            assert_eq!(unpadded_len(&buf), Ok(len));
        }
    }

    #[test]
    fn rejects_zero_oversized_and_inconsistent_pads() {
        assert_eq!(unpadded_len(&[]), Err(CryptoError::BadLength { reason: "decrypted frame is empty".into() }));
        assert_eq!(unpadded_len(&[1, 2, 0]), Err(CryptoError::BadPadding { pad: 0 }));
        assert_eq!(unpadded_len(&[33; 64]), Err(CryptoError::BadPadding { pad: 33 }));
        assert_eq!(unpadded_len(&[5, 5, 5]), Err(CryptoError::BadPadding { pad: 5 }));
        assert_eq!(unpadded_len(&[9, 4, 3, 3]), Err(CryptoError::BadPadding { pad: 3 }));
        assert_eq!(unpadded_len(&[9, 3, 3, 3]), Ok(1));
    }
}
