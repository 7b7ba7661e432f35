//! The framing both providers share: AES-256-CBC over `random16 || u32be(len) || msg || receive_id`,
//! padded to 32-byte blocks, and signed with SHA1 over the sorted token, timestamp, nonce and
//! ciphertext.

use std::fmt;

use aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, InnerIvInit, KeyInit};

use super::{CryptoError, padding, signature};
use crate::api::Secret;

/// Length of an EncodingAESKey as configured in the provider consoles.
const ENCODING_AES_KEY_LEN: usize = 43;
/// random(16) + length(4): the fixed header of every decrypted frame.
const HEADER: usize = 20;
/// How much of a foreign receive id an error message repeats.
const RECEIVE_ID_ECHO: usize = 64;
/// Largest decoded ciphertext [`CallbackCrypto::decrypt_with`] keeps on the stack; ordinary
/// callbacks (an approval change is about 1.5 KiB) fit, larger ones fall back to the heap.
const STACK_FRAME: usize = 8192;
/// The stack buffer for the common case: zeroing a buffer costs by its size, and 8 KiB of zeroes
/// per callback showed in profiles, so ciphertexts that fit get this smaller one.
const SMALL_STACK_FRAME: usize = 2048;

/// One connection's callback crypto: its token, AES key and the receive id frames must carry.
///
/// The receive id is the WeCom corp id (self-built app) or suite id (third-party suite); for
/// DingTalk it is the app key (event subscription), the corp id (legacy registered callback) or the
/// suite key (third-party app). `Debug` shows only the receive id: the token and the key are
/// secrets.
#[derive(Clone)]
pub struct CallbackCrypto {
    token: Secret,
    cipher: Aes256,
    iv: [u8; 16],
    receive_id: String,
}

/// An encrypted message with everything the receiver needs to verify it; the provider modules
/// turn it into the XML or JSON reply shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Base64 of the AES-256-CBC ciphertext.
    pub encrypt: String,
    /// Lower-case hex SHA1 signature over token, timestamp, nonce and `encrypt`.
    pub msg_signature: String,
    /// The timestamp that was signed, exactly as given (seconds for WeCom, milliseconds for DingTalk).
    pub timestamp: String,
    /// The nonce that was signed.
    pub nonce: String,
}

impl fmt::Debug for CallbackCrypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackCrypto")
            .field("token", &self.token)
            .field("encoding_aes_key", &"<redacted>")
            .field("receive_id", &self.receive_id)
            .finish()
    }
}

impl CallbackCrypto {
    /// Builds the crypto for one connection, rejecting an EncodingAESKey that is not 43 base64
    /// characters (AESKey = base64_decode(EncodingAESKey + "="), 32 bytes).
    pub fn new(token: &str, encoding_aes_key: &str, receive_id: &str) -> Result<Self, CryptoError> {
        if encoding_aes_key.len() != ENCODING_AES_KEY_LEN {
            return Err(CryptoError::InvalidAesKey { reason: "must be exactly 43 characters" });
        }
        let mut padded = String::with_capacity(ENCODING_AES_KEY_LEN + 1);
        padded.push_str(encoding_aes_key);
        padded.push('=');
        // The official SDKs decode leniently: the 43rd character may carry non-zero trailing bits.
        let lenient = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
        );
        let key = lenient
            .decode(padded)
            .map_err(|_| CryptoError::InvalidAesKey { reason: "not valid base64" })?;
        let key: [u8; 32] =
            key.try_into().map_err(|_| CryptoError::InvalidAesKey { reason: "does not decode to 32 bytes" })?;
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&key[..16]);
        let cipher = Aes256::new(&key.into());
        Ok(Self { token: Secret::new(token), cipher, iv, receive_id: receive_id.to_owned() })
    }

    /// The receive id this connection expects in every frame.
    pub fn receive_id(&self) -> &str {
        &self.receive_id
    }

    /// Checks `msg_signature` over this connection's token and the given timestamp, nonce and
    /// payload (the `Encrypt` text, or the `echostr` of a URL check), in constant time.
    pub fn verify_signature(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<(), CryptoError> {
        signature::verify(self.token.expose(), timestamp, nonce, encrypt, msg_signature)
    }

    /// Signs a payload with this connection's token.
    pub fn sign(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        signature::signature(self.token.expose(), timestamp, nonce, encrypt)
    }

    /// Verifies the signature, then decrypts and checks the frame; returns the message.
    pub fn decrypt(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<String, CryptoError> {
        self.verify_signature(msg_signature, timestamp, nonce, encrypt)?;
        self.decrypt_unsigned(encrypt)
    }

    /// Decrypts a frame whose signature the caller has already checked (or that carries none, like
    /// the simulator's view of a reply).
    pub fn decrypt_unsigned(&self, encrypt: &str) -> Result<String, CryptoError> {
        let mut buf = BASE64.decode(encrypt.trim())?;
        let msg_len = self.open_in_place(&mut buf)?.len();
        // Reuse the buffer for the message instead of copying it out.
        buf.truncate(HEADER + msg_len);
        buf.drain(..HEADER);
        String::from_utf8(buf).map_err(|_| CryptoError::Utf8)
    }

    /// Verifies and decrypts like [`decrypt`](Self::decrypt), but lends the message to `read`
    /// instead of returning it.
    ///
    /// The request path only reads the plaintext, so a frame of up to [`STACK_FRAME`] bytes is
    /// decoded and decrypted in a stack buffer: no kilobyte-sized allocation per callback, which
    /// would otherwise also make the allocator consolidate its free lists on every request.
    pub(crate) fn decrypt_with<R>(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
        read: impl FnOnce(&str) -> R,
    ) -> Result<R, CryptoError> {
        self.verify_signature(msg_signature, timestamp, nonce, encrypt)?;
        let encrypt = encrypt.trim();
        let estimate = base64::decoded_len_estimate(encrypt.len());
        if estimate <= SMALL_STACK_FRAME {
            self.open_on_stack::<SMALL_STACK_FRAME, R>(encrypt, read)
        } else if estimate <= STACK_FRAME {
            self.open_on_stack::<STACK_FRAME, R>(encrypt, read)
        } else {
            let mut heap = BASE64.decode(encrypt)?;
            self.lend(&mut heap, read)
        }
    }

    /// Decodes `encrypt` into an `N`-byte stack buffer and lends the message it holds to `read`.
    fn open_on_stack<const N: usize, R>(&self, encrypt: &str, read: impl FnOnce(&str) -> R) -> Result<R, CryptoError> {
        let mut stack = [0u8; N];
        let len = BASE64.decode_slice(encrypt, &mut stack).map_err(|e| match e {
            base64::DecodeSliceError::DecodeError(e) => CryptoError::from(e),
            base64::DecodeSliceError::OutputSliceTooSmall => {
                CryptoError::BadLength { reason: "ciphertext larger than its base64 length allows".into() }
            }
        })?;
        self.lend(&mut stack[..len], read)
    }

    /// Decrypts a decoded ciphertext in place and lends its message to `read`.
    fn lend<R>(&self, buf: &mut [u8], read: impl FnOnce(&str) -> R) -> Result<R, CryptoError> {
        let msg = self.open_in_place(buf)?;
        let msg = std::str::from_utf8(msg).map_err(|_| CryptoError::Utf8)?;
        Ok(read(msg))
    }

    /// Decrypts a decoded ciphertext in place, checks padding and frame, and returns the message.
    fn open_in_place<'b>(&self, buf: &'b mut [u8]) -> Result<&'b [u8], CryptoError> {
        if buf.is_empty() || !buf.len().is_multiple_of(16) {
            return Err(CryptoError::BadLength {
                reason: format!("ciphertext is {} bytes, not a positive multiple of 16", buf.len()),
            });
        }
        let decryptor = cbc::Decryptor::<Aes256>::inner_iv_init(self.cipher.clone(), &self.iv.into());
        let frame = decryptor
            .decrypt_padded_mut::<NoPadding>(buf)
            .map_err(|_| CryptoError::BadLength { reason: "ciphertext is not block aligned".into() })?;
        let frame_len = padding::unpadded_len(frame)?;
        let frame = &frame[..frame_len];
        let msg_len = self.open_frame(frame)?;
        Ok(&frame[HEADER..HEADER + msg_len])
    }

    /// Splits `random16 || u32be(len) || msg || receive_id`, checks the receive id and returns the
    /// message length (the message starts right after the header).
    fn open_frame(&self, frame: &[u8]) -> Result<usize, CryptoError> {
        let Some((header, rest)) = frame.split_at_checked(HEADER) else {
            return Err(CryptoError::BadLength {
                reason: format!("frame is {} bytes, shorter than the {HEADER}-byte header", frame.len()),
            });
        };
        let len = u32::from_be_bytes([header[16], header[17], header[18], header[19]]) as usize;
        let Some((msg, receive_id)) = rest.split_at_checked(len) else {
            return Err(CryptoError::BadLength {
                reason: format!("message length field says {len} bytes but only {} follow", rest.len()),
            });
        };
        if receive_id != self.receive_id.as_bytes() {
            let got: String = String::from_utf8_lossy(receive_id).chars().take(RECEIVE_ID_ECHO).collect();
            return Err(CryptoError::ReceiveIdMismatch { expected: self.receive_id.clone(), got });
        }
        Ok(msg.len())
    }

    /// Encrypts and signs `plaintext` with a fresh random 16-byte prefix.
    pub fn encrypt(&self, plaintext: &str, timestamp: &str, nonce: &str) -> Envelope {
        let random: [u8; 16] = rand::random();
        self.encrypt_with_random(plaintext, timestamp, nonce, random)
    }

    /// Encrypts and signs with a caller-chosen prefix, which makes the output deterministic: for
    /// published test vectors and reproducible simulator traces.
    pub fn encrypt_with_random(&self, plaintext: &str, timestamp: &str, nonce: &str, random: [u8; 16]) -> Envelope {
        let msg = plaintext.as_bytes();
        let mut buf = Vec::with_capacity(HEADER + msg.len() + self.receive_id.len() + padding::BLOCK);
        buf.extend_from_slice(&random);
        // Callback messages are far below 4 GiB; saturate rather than wrap if one ever is not.
        buf.extend_from_slice(&u32::try_from(msg.len()).unwrap_or(u32::MAX).to_be_bytes());
        buf.extend_from_slice(msg);
        buf.extend_from_slice(self.receive_id.as_bytes());
        padding::pad(&mut buf);
        let len = buf.len();
        let encryptor = cbc::Encryptor::<Aes256>::inner_iv_init(self.cipher.clone(), &self.iv.into());
        // The buffer is padded to a multiple of 32 above, so NoPadding cannot fail here.
        let ciphertext = encryptor.encrypt_padded_mut::<NoPadding>(&mut buf, len).map(|c| BASE64.encode(c));
        let encrypt = ciphertext.unwrap_or_default();
        let msg_signature = self.sign(timestamp, nonce, &encrypt);
        Envelope { encrypt, msg_signature, timestamp: timestamp.to_owned(), nonce: nonce.to_owned() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";

    fn crypto() -> CallbackCrypto {
        CallbackCrypto::new("token-value", KEY, "corp-id").unwrap()
    }

    #[test]
    fn rejects_keys_of_the_wrong_shape() {
        let short = CallbackCrypto::new("t", &KEY[..42], "c").unwrap_err();
        assert!(matches!(short, CryptoError::InvalidAesKey { .. }));
        let bad = CallbackCrypto::new("t", &format!("{}!", &KEY[..42]), "c").unwrap_err();
        assert_eq!(bad, CryptoError::InvalidAesKey { reason: "not valid base64" });
    }

    #[test]
    fn debug_hides_token_and_key() {
        let shown = format!("{:?}", crypto());
        assert!(!shown.contains("token-value"));
        assert!(!shown.contains(KEY));
        assert!(shown.contains("corp-id"));
    }

    #[test]
    fn round_trips_every_length_around_block_boundaries() {
        let c = crypto();
        for len in 0..80 {
            let msg: String = "é".repeat(len / 2) + &"x".repeat(len % 2);
            let env = c.encrypt(&msg, "1700000000", "nonce");
            assert_eq!(c.decrypt(&env.msg_signature, "1700000000", "nonce", &env.encrypt).unwrap(), msg);
        }
    }

    #[test]
    fn lent_plaintext_matches_the_returned_one_on_stack_and_heap() {
        let c = crypto();
        // Within each stack buffer and above both, so every decode path runs.
        for len in [0, 1500, SMALL_STACK_FRAME + 100, STACK_FRAME + 100] {
            let msg = "x".repeat(len);
            let env = c.encrypt(&msg, "1700000000", "nonce");
            let lent = c.decrypt_with(&env.msg_signature, "1700000000", "nonce", &env.encrypt, str::to_owned);
            assert_eq!(lent, c.decrypt(&env.msg_signature, "1700000000", "nonce", &env.encrypt));
            assert_eq!(lent.unwrap().len(), len);
        }
        let env = c.encrypt("hello", "1", "n");
        assert_eq!(c.decrypt_with(&env.msg_signature, "2", "n", &env.encrypt, str::len), Err(CryptoError::BadSignature));
        let sig = c.sign("1", "n", "!!!");
        assert!(matches!(c.decrypt_with(&sig, "1", "n", "!!!", str::len), Err(CryptoError::Base64 { .. })));
        let sig = c.sign("1", "n", "AAAA");
        assert!(matches!(c.decrypt_with(&sig, "1", "n", "AAAA", str::len), Err(CryptoError::BadLength { .. })));
    }

    #[test]
    fn random_prefix_differs_between_calls() {
        let c = crypto();
        assert_ne!(c.encrypt("same", "1", "n").encrypt, c.encrypt("same", "1", "n").encrypt);
    }

    #[test]
    fn tampering_is_reported_precisely() {
        let c = crypto();
        let env = c.encrypt("hello", "1", "n");
        assert_eq!(c.decrypt(&env.msg_signature, "2", "n", &env.encrypt), Err(CryptoError::BadSignature));

        let other = CallbackCrypto::new("token-value", KEY, "other-corp").unwrap();
        let foreign = other.encrypt("hello", "1", "n");
        assert_eq!(
            c.decrypt(&foreign.msg_signature, "1", "n", &foreign.encrypt),
            Err(CryptoError::ReceiveIdMismatch { expected: "corp-id".into(), got: "other-corp".into() })
        );

        assert!(matches!(c.decrypt_unsigned("!!!"), Err(CryptoError::Base64 { .. })));
        assert!(matches!(c.decrypt_unsigned("AAAA"), Err(CryptoError::BadLength { .. })));
        assert!(matches!(c.decrypt_unsigned(""), Err(CryptoError::BadLength { .. })));
    }

    #[test]
    fn wrong_key_surfaces_as_a_padding_or_frame_error() {
        let env = crypto().encrypt("hello", "1", "n");
        let other = CallbackCrypto::new("token-value", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "corp-id").unwrap();
        let err = other.decrypt_unsigned(&env.encrypt).unwrap_err();
        assert!(
            matches!(err, CryptoError::BadPadding { .. } | CryptoError::BadLength { .. } | CryptoError::ReceiveIdMismatch { .. }),
            "{err:?}"
        );
    }
}
