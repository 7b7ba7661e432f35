//! The per-provider facts the shared call logic needs: which error codes mean "refresh the token",
//! which mean "try again later", and what an administrator should do about the common ones.
//!
//! Codes come from the reference tables (WeCom `WxCpErrorMsgEnum`, DingTalk global error codes).
//! Anything not listed is permanent: failing fast is safer than retrying a request that cannot
//! succeed.

use std::fmt;

use super::error::{ErrCode, ErrorClass};

/// Which service a request went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// WeCom (企业微信), `qyapi.weixin.qq.com`.
    WeCom,
    /// DingTalk (钉钉), `oapi.dingtalk.com` and `api.dingtalk.com`.
    DingTalk,
}

/// The error-code table of one provider.
struct Rules {
    /// Numeric codes meaning the access token is invalid or expired (on an API call).
    token_invalid: &'static [i64],
    /// Numeric codes meaning "busy or rate limited, retry later".
    transient: &'static [i64],
    /// Textual (v1.0 API) codes meaning the token is invalid.
    token_invalid_text: &'static [&'static str],
    /// Textual (v1.0 API) code prefixes meaning "retry later".
    transient_text: &'static [&'static str],
    /// What an administrator should check, per code.
    hints: &'static [(i64, &'static str)],
}

const WECOM: Rules = Rules {
    // 40001 is "invalid secret" at gettoken but "invalid credential" on API calls; the caller
    // decides which by whether the request was a token fetch.
    token_invalid: &[40001, 40014, 42001, 41001],
    transient: &[-1, 45009, 45033],
    token_invalid_text: &[],
    transient_text: &[],
    hints: &[
        (
            40001,
            "check the app secret (corpsecret) configured for this connection",
        ),
        (40013, "check the corp id configured for this connection"),
        (
            40091,
            "the secret does not belong to this corp or app; copy it again from the admin console",
        ),
        (
            48002,
            "grant this app permission for the API in the WeCom admin console",
        ),
        (
            50001,
            "add the redirect domain to the app's trusted domains",
        ),
        (
            50002,
            "the member is outside the app's visible range; widen the visible range",
        ),
        (
            60011,
            "the app has no permission for that member, department or tag; widen its visible range",
        ),
        (
            60020,
            "add this server's IP to the app's trusted IPs (企业可信IP)",
        ),
        (
            81013,
            "no valid recipient: every user, department and tag was invalid or outside the visible range",
        ),
        (
            82001,
            "every specified member, department or tag is invalid",
        ),
        (
            45009,
            "the API rate limit was hit; spread calls out over time",
        ),
        (
            93000,
            "the robot webhook key is wrong or the robot was removed from its group",
        ),
    ],
};

const DINGTALK: Rules = Rules {
    token_invalid: &[40014, 42001, 40001],
    transient: &[-1, 90002, 90018, 45009],
    token_invalid_text: &[
        "InvalidAuthentication",
        "invalidAuthentication",
        "Unauthorized",
    ],
    transient_text: &[
        "Throttling",
        "ServiceUnavailable",
        "InternalError",
        "SystemBusy",
        "Forbidden.AccessDenied.QpsLimit",
    ],
    hints: &[
        (
            40001,
            "check the app key and app secret configured for this connection",
        ),
        (
            40089,
            "check the app key and app secret configured for this connection",
        ),
        (
            60011,
            "the app has no permission for that member or department; widen its scope",
        ),
        (60020, "add this server's IP to the app's IP allow-list"),
        (33012, "the userid does not exist in this organisation"),
        (
            853004,
            "login signature mismatch; check the app secret used for login",
        ),
        (
            853002,
            "the server clock differs from DingTalk's by more than a minute; fix NTP",
        ),
        (
            90018,
            "the organisation is being rate limited; spread calls out over time",
        ),
        (
            300001,
            "the robot access_token is wrong or the robot was removed from its group",
        ),
        (
            310000,
            "the robot's security settings refused the post: check its signing secret, keywords or IP list",
        ),
        (
            410100,
            "the robot sent more than 20 messages a minute and is throttled for 10 minutes",
        ),
    ],
};

impl Provider {
    fn rules(self) -> &'static Rules {
        match self {
            Provider::WeCom => &WECOM,
            Provider::DingTalk => &DINGTALK,
        }
    }

    /// Classifies a provider error code. `token_fetch` is true when the failing request was the
    /// token fetch itself: there an "invalid credential" code means a bad secret, and refreshing
    /// the token cannot help.
    pub fn classify(self, code: &ErrCode, token_fetch: bool) -> ErrorClass {
        let rules = self.rules();
        match code {
            ErrCode::Number(n) if rules.transient.contains(n) => ErrorClass::Transient,
            ErrCode::Number(n) if !token_fetch && rules.token_invalid.contains(n) => {
                ErrorClass::TokenInvalid
            }
            ErrCode::Text(t) if rules.transient_text.iter().any(|p| t.starts_with(p)) => {
                ErrorClass::Transient
            }
            ErrCode::Text(t) if !token_fetch && rules.token_invalid_text.contains(&t.as_str()) => {
                ErrorClass::TokenInvalid
            }
            _ => ErrorClass::Permanent,
        }
    }

    /// What an administrator should do about this code, when there is a known answer.
    pub fn hint(self, code: &ErrCode) -> Option<&'static str> {
        match code {
            ErrCode::Number(n) => self
                .rules()
                .hints
                .iter()
                .find(|(c, _)| c == n)
                .map(|(_, h)| *h),
            ErrCode::Text(t) if t.contains("IpNotInWhiteList") || t.contains("IpNotAllowed") => {
                Some("add this server's IP to the app's IP allow-list")
            }
            ErrCode::Text(_) => None,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::WeCom => "wecom",
            Provider::DingTalk => "dingtalk",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(code: i64) -> ErrCode {
        ErrCode::Number(code)
    }

    #[test]
    fn wecom_token_codes_refresh_on_calls_only() {
        let w = Provider::WeCom;
        assert_eq!(w.classify(&n(40014), false), ErrorClass::TokenInvalid);
        assert_eq!(w.classify(&n(42001), false), ErrorClass::TokenInvalid);
        assert_eq!(w.classify(&n(40001), false), ErrorClass::TokenInvalid);
        assert_eq!(w.classify(&n(40001), true), ErrorClass::Permanent);
    }

    #[test]
    fn busy_and_rate_limits_are_transient() {
        for code in [-1, 45009, 45033] {
            assert_eq!(
                Provider::WeCom.classify(&n(code), false),
                ErrorClass::Transient
            );
        }
        for code in [-1, 90018] {
            assert_eq!(
                Provider::DingTalk.classify(&n(code), false),
                ErrorClass::Transient
            );
        }
        for text in ["Throttling.Api", "Forbidden.AccessDenied.QpsLimitForApi"] {
            let throttled = ErrCode::Text(text.into());
            assert_eq!(
                Provider::DingTalk.classify(&throttled, false),
                ErrorClass::Transient
            );
        }
    }

    #[test]
    fn everything_else_is_permanent() {
        for code in [60020, 81013, 60011, 40013, 12345] {
            assert_eq!(
                Provider::WeCom.classify(&n(code), false),
                ErrorClass::Permanent
            );
        }
        assert_eq!(
            Provider::DingTalk.classify(&n(33012), false),
            ErrorClass::Permanent
        );
    }

    #[test]
    fn dingtalk_text_codes() {
        let bad = ErrCode::Text("InvalidAuthentication".into());
        assert_eq!(
            Provider::DingTalk.classify(&bad, false),
            ErrorClass::TokenInvalid
        );
        let ip = ErrCode::Text("Forbidden.AccessDenied.IpNotInWhiteList".into());
        assert_eq!(
            Provider::DingTalk.classify(&ip, false),
            ErrorClass::Permanent
        );
        assert!(Provider::DingTalk.hint(&ip).unwrap().contains("allow-list"));
    }

    #[test]
    fn hints_name_the_fix() {
        assert!(
            Provider::WeCom
                .hint(&n(60020))
                .unwrap()
                .contains("trusted IPs")
        );
        assert!(Provider::WeCom.hint(&n(40001)).unwrap().contains("secret"));
        assert!(
            Provider::WeCom
                .hint(&n(81013))
                .unwrap()
                .contains("no valid recipient")
        );
        assert_eq!(Provider::WeCom.hint(&n(99999)), None);
    }
}
