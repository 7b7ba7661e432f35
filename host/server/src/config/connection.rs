//! `[connections.<name>]`: one WeCom corp app or DingTalk app the server talks to.
//!
//! Both providers share the shape (corp id, agent id, callback token and AES key); only the
//! credentials differ, and that difference is kept in [`Credentials`].

use base64::Engine;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use url::Url;

use super::check::Checker;
use super::error::{ConfigError, ConfigReason};
use super::raw::{Provider, RawConnection};
use super::secret::Secret;

/// Length of an EncodingAESKey as both consoles issue it: 43 base64 characters, no padding.
const AES_KEY_CHARS: usize = 43;

/// Decodes EncodingAESKeys. The consoles issue random characters, so the unused low bits of the
/// last one are often set; a strict decoder would reject real keys.
const AES_KEY_ENGINE: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// A checked connection.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The name from the config, used in callback URLs and by rules.
    pub name: String,
    /// WeCom CorpID or DingTalk corpId. For WeCom it is also the callback receive-id.
    pub corp_id: String,
    /// The app's AgentId, needed to send app messages.
    pub agent_id: i64,
    /// How the app authenticates to the provider's API.
    pub credentials: Credentials,
    /// The token used to sign callbacks.
    pub callback_token: Secret,
    /// The 43-character EncodingAESKey used to encrypt callbacks.
    pub callback_aes_key: Secret,
    /// Overrides the provider's API origin (for simulators and private deployments).
    pub api_base: Option<Url>,
}

/// The provider-specific part of a connection.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// WeCom: the app secret paired with the corp id.
    Wecom {
        /// The app's Secret.
        secret: Secret,
    },
    /// DingTalk: the app's own key and secret.
    Dingtalk {
        /// AppKey (ClientID).
        app_key: String,
        /// AppSecret (ClientSecret).
        app_secret: Secret,
    },
}

impl Connection {
    /// Which provider this connection talks to.
    pub fn provider(&self) -> Provider {
        match self.credentials {
            Credentials::Wecom { .. } => Provider::Wecom,
            Credentials::Dingtalk { .. } => Provider::Dingtalk,
        }
    }

    /// The id a callback's plaintext must end with: WeCom encrypts with the CorpID, DingTalk
    /// (internal apps) with the AppKey. A mismatch means the callback was meant for another app.
    pub fn receive_id(&self) -> &str {
        match &self.credentials {
            Credentials::Wecom { .. } => &self.corp_id,
            Credentials::Dingtalk { app_key, .. } => app_key,
        }
    }

    /// Checks `raw` as the connection `name`.
    pub(super) fn from_raw(
        check: &Checker<'_>,
        name: &str,
        raw: RawConnection,
    ) -> Result<Self, ConfigError> {
        let key = |field: &str| format!("connections.{name}.{field}");
        let credentials = match raw.provider {
            Provider::Wecom => {
                check.absent(&key("app_key"), &raw.app_key, raw.provider)?;
                check.absent(&key("app_secret"), &raw.app_secret, raw.provider)?;
                Credentials::Wecom {
                    secret: check.required_secret(&key("secret"), raw.secret.as_deref())?,
                }
            }
            Provider::Dingtalk => {
                check.absent(&key("secret"), &raw.secret, raw.provider)?;
                Credentials::Dingtalk {
                    app_key: check.required(&key("app_key"), raw.app_key)?,
                    app_secret: check
                        .required_secret(&key("app_secret"), raw.app_secret.as_deref())?,
                }
            }
        };
        let aes_key_path = key("callback_aes_key");
        let callback_aes_key =
            check.required_secret(&aes_key_path, raw.callback_aes_key.as_deref())?;
        decode_aes_key(callback_aes_key.expose())
            .map_err(|why| check.error(&aes_key_path, ConfigReason::InvalidAesKey(why)))?;
        Ok(Connection {
            name: name.to_owned(),
            corp_id: check.required(&key("corp_id"), raw.corp_id)?,
            agent_id: check.required(&key("agent_id"), raw.agent_id)?,
            credentials,
            callback_token: check
                .required_secret(&key("callback_token"), raw.callback_token.as_deref())?,
            callback_aes_key,
            api_base: raw
                .api_base
                .map(|url| check.http_url(&key("api_base"), &url))
                .transpose()?,
        })
    }
}

/// Decodes an EncodingAESKey; the error never contains the key.
fn decode_aes_key(key: &str) -> Result<[u8; 32], String> {
    if key.len() != AES_KEY_CHARS {
        return Err(format!(
            "expected {AES_KEY_CHARS} characters, found {}",
            key.chars().count()
        ));
    }
    let bytes = AES_KEY_ENGINE
        .decode(key)
        .map_err(|_| "not base64 (letters, digits, `+` and `/` only)".to_owned())?;
    bytes
        .try_into()
        .map_err(|bytes: Vec<u8>| format!("decodes to {} bytes, expected 32", bytes.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_console_keys_decode() {
        // EncodingAESKeys from the providers' published callback examples.
        for key in [
            "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
            "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        ] {
            assert_eq!(decode_aes_key(key).unwrap().len(), 32);
        }
    }

    #[test]
    fn wrong_length_and_alphabet_are_rejected_without_echoing_the_key() {
        let short = decode_aes_key("abcdef").unwrap_err();
        assert!(short.contains("expected 43 characters, found 6"), "{short}");
        let bad = decode_aes_key(&"!".repeat(43)).unwrap_err();
        assert!(bad.contains("not base64") && !bad.contains('!'), "{bad}");
    }
}
