//! Signed, encrypted callbacks to the configured URL, delivered and retried like the services do.
//!
//! A change made through the API (a member created, a department deleted), an approval decision or
//! a check-in becomes a [`SimEvent`]. The provider's [`CallbackFormat`] words it (WeCom XML
//! `change_contact` / `sys_approval_change`, DingTalk JSON `user_add_org` / `bpms_instance_change`
//! / `attendance_check_record`) and wraps the encrypted text in its envelope; this module encrypts
//! with the shared [`CallbackCrypto`], posts, and retries: WeCom waits 5 s per attempt and tries 3
//! times; DingTalk expects an encrypted `success` within 1.5 s and retries failures (3 attempts
//! here). Every attempt is recorded.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::approvals::Approval;
use super::attendance::Punch;
use super::directory::{Department, User};
use super::recorder::{CallbackAttempt, Recorder};
use crate::crypto::{CallbackCrypto, Envelope};

/// Something that happened in the simulated tenant and is pushed to the callback URL.
#[derive(Debug, Clone, PartialEq)]
pub enum SimEvent {
    /// A member was created (snapshot after the change).
    UserCreated(User),
    /// A member was changed (snapshot after the change).
    UserUpdated(User),
    /// A member was deleted.
    UserDeleted(String),
    /// A department was created.
    DepartmentCreated(Department),
    /// A department was changed.
    DepartmentUpdated(Department),
    /// A department was deleted.
    DepartmentDeleted(u64),
    /// An approval was submitted or decided (snapshot after the change).
    Approval(Approval),
    /// A member checked in.
    CheckIn(Punch),
}

/// An event worded by a provider, before encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worded {
    /// Short name for the recorder (`change_contact/create_user`, `bpms_instance_change`…).
    pub name: String,
    /// The plaintext XML or JSON to encrypt.
    pub plaintext: String,
}

/// One HTTP request carrying an encrypted event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Query string (signature, timestamp, nonce), without `?`.
    pub query: String,
    /// Request body.
    pub body: String,
    /// Content type of the body.
    pub content_type: &'static str,
}

/// What differs between the services' callbacks.
pub trait CallbackFormat: Send + Sync + 'static {
    /// Words an event; `None` for events this service does not push.
    fn word(&self, event: &SimEvent, now_ms: i64) -> Option<Worded>;
    /// The timestamp to sign (seconds for WeCom, milliseconds for DingTalk) and a nonce.
    fn stamp(&self, now_ms: i64) -> (String, String);
    /// Wraps an encrypted envelope into the request the service sends.
    fn wrap(&self, envelope: &Envelope) -> Delivery;
    /// Whether the receiver's answer acknowledges the event.
    fn accepted(&self, crypto: &CallbackCrypto, status: u16, body: &str) -> Result<(), String>;
    /// How long one attempt may take.
    fn timeout(&self) -> Duration;
    /// How many attempts in total.
    fn attempts(&self) -> u32 {
        3
    }
}

/// An app's callback settings: how its service words events, and its crypto parameters.
pub struct CallbackSettings<'a> {
    /// The service's wording and envelope.
    pub format: Arc<dyn CallbackFormat>,
    /// Signature token.
    pub token: &'a str,
    /// 43-character EncodingAESKey.
    pub aes_key: &'a str,
    /// Receive id embedded in every encrypted message.
    pub receive_id: &'a str,
}

/// Encrypts, posts and retries callbacks for one simulator.
pub struct CallbackEmitter {
    url: Mutex<Option<String>>,
    timeout_override: Mutex<Option<Duration>>,
    format: Arc<dyn CallbackFormat>,
    crypto: CallbackCrypto,
    client: reqwest::Client,
}

impl std::fmt::Debug for CallbackEmitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackEmitter")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl CallbackEmitter {
    /// An emitter with no URL configured (events are dropped until one is set).
    pub fn new(format: Arc<dyn CallbackFormat>, crypto: CallbackCrypto) -> Self {
        CallbackEmitter {
            url: Mutex::new(None),
            timeout_override: Mutex::new(None),
            format,
            crypto,
            client: reqwest::Client::new(),
        }
    }

    /// The emitter of an app's callback settings; `None` (callbacks disabled, logged) if the key
    /// is not a valid EncodingAESKey.
    pub fn for_app(settings: CallbackSettings<'_>) -> Option<Arc<Self>> {
        match CallbackCrypto::new(settings.token, settings.aes_key, settings.receive_id) {
            Ok(crypto) => Some(Arc::new(CallbackEmitter::new(settings.format, crypto))),
            Err(err) => {
                tracing::error!(error = %err, "callbacks disabled");
                None
            }
        }
    }

    /// Sets or clears the callback URL.
    pub fn set_url(&self, url: Option<String>) {
        *self.url.lock().unwrap_or_else(|p| p.into_inner()) = url;
    }

    /// Shortens (or lengthens) the per-attempt timeout, so tests of the retry need not wait 5 s.
    pub fn set_timeout(&self, timeout: Option<Duration>) {
        *self
            .timeout_override
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = timeout;
    }

    /// Words, encrypts and delivers `event` in the background; records every attempt. Returns the
    /// task, or `None` when no URL is set, the service does not push this event, or no tokio
    /// runtime is running.
    pub fn emit(
        self: &Arc<Self>,
        event: &SimEvent,
        now_ms: i64,
        recorder: Arc<Recorder>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        let url = self.url.lock().unwrap_or_else(|p| p.into_inner()).clone()?;
        let worded = self.format.word(event, now_ms)?;
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let emitter = Arc::clone(self);
        Some(runtime.spawn(async move { emitter.deliver(&url, worded, &recorder).await }))
    }

    async fn deliver(&self, url: &str, worded: Worded, recorder: &Recorder) {
        let timeout = self
            .timeout_override
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .unwrap_or_else(|| self.format.timeout());
        for attempt in 1..=self.format.attempts() {
            let (timestamp, nonce) = self.format.stamp(now_ms());
            let envelope = self.crypto.encrypt(&worded.plaintext, &timestamp, &nonce);
            let delivery = self.format.wrap(&envelope);
            let separator = if url.contains('?') { '&' } else { '?' };
            let target = format!("{url}{separator}{}", delivery.query);
            let sent = self
                .client
                .post(&target)
                .header(reqwest::header::CONTENT_TYPE, delivery.content_type)
                .body(delivery.body)
                .timeout(timeout)
                .send()
                .await;
            let (status, error) = match sent {
                Ok(response) => {
                    let status = response.status().as_u16();
                    match response.text().await {
                        Ok(body) => (
                            Some(status),
                            self.format.accepted(&self.crypto, status, &body).err(),
                        ),
                        Err(err) => (Some(status), Some(format!("reading the answer: {err}"))),
                    }
                }
                Err(err) if err.is_timeout() => {
                    (None, Some(format!("no answer within {timeout:?}")))
                }
                Err(err) => (None, Some(err.to_string())),
            };
            let delivered = error.is_none();
            recorder.record_callback(CallbackAttempt {
                url: target,
                event: worded.name.clone(),
                attempt,
                status,
                error,
                delivered,
                plaintext: worded.plaintext.clone(),
            });
            if delivered {
                return;
            }
        }
        tracing::warn!(event = %worded.name, "callback not acknowledged after all attempts");
    }
}

/// Real time in ms: signatures carry the time of sending, as the real services' do.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A random nonce: decimal digits (WeCom's pushes) or alphanumerics (DingTalk's).
pub fn random_nonce(len: usize, digits_only: bool) -> String {
    let alphabet: &[u8] = if digits_only {
        b"0123456789"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    };
    (0..len)
        .map(|_| char::from(alphabet[rand::random_range(0..alphabet.len())]))
        .collect()
}

/// Text safe inside `<![CDATA[...]]>` (a literal `]]>` is split across two sections).
pub fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdata_survives_its_terminator() {
        assert_eq!(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(cdata("张三"), "<![CDATA[张三]]>");
    }
}
