//! The workbench (工作台) custom display of an app: key figures, an image, a list or a web view
//! shown on the app's tile, set corp-wide with `agent/set_workbench_template`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::client::Client;
use crate::api::ApiError;

/// One key figure or list entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkbenchItem {
    /// Key figure label (keydata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Key figure value (keydata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Entry title (list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Link opened on tap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jump_url: Option<String>,
    /// Mini-program page opened on tap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagepath: Option<String>,
}

/// The workbench template of an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkbenchTemplate {
    /// Back to the normal (non-custom) display.
    Normal,
    /// Up to 4 key figures.
    KeyData(Vec<WorkbenchItem>),
    /// One image (best at 3.35:1).
    Image {
        /// Image URL.
        url: String,
        /// Link opened on tap.
        jump_url: Option<String>,
    },
    /// Up to 3 list entries.
    List(Vec<WorkbenchItem>),
    /// A web page.
    Webview {
        /// Page URL.
        url: String,
        /// Link opened on tap.
        jump_url: Option<String>,
    },
}

impl WorkbenchTemplate {
    fn body(&self, agent_id: i64, replace_user_data: bool) -> Value {
        let (kind, payload) = match self {
            WorkbenchTemplate::Normal => ("normal", None),
            WorkbenchTemplate::KeyData(items) => ("keydata", Some(json!({ "items": items }))),
            WorkbenchTemplate::List(items) => ("list", Some(json!({ "items": items }))),
            WorkbenchTemplate::Image { url, jump_url } => ("image", Some(link(url, jump_url))),
            WorkbenchTemplate::Webview { url, jump_url } => ("webview", Some(link(url, jump_url))),
        };
        let mut body =
            json!({ "agentid": agent_id, "type": kind, "replace_user_data": replace_user_data });
        if let Some(payload) = payload {
            body[kind] = payload;
        }
        body
    }

    fn from_answer(answer: &Value) -> Result<Self, String> {
        let kind = answer
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("normal");
        let payload = answer.get(kind).cloned().unwrap_or(Value::Null);
        let items = || -> Result<Vec<WorkbenchItem>, String> {
            serde_json::from_value(payload.get("items").cloned().unwrap_or(json!([])))
                .map_err(|e| e.to_string())
        };
        let url = || {
            payload
                .get("url")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let jump_url = || {
            payload
                .get("jump_url")
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        match kind {
            "normal" => Ok(WorkbenchTemplate::Normal),
            "keydata" => Ok(WorkbenchTemplate::KeyData(items()?)),
            "list" => Ok(WorkbenchTemplate::List(items()?)),
            "image" => Ok(WorkbenchTemplate::Image {
                url: url(),
                jump_url: jump_url(),
            }),
            "webview" => Ok(WorkbenchTemplate::Webview {
                url: url(),
                jump_url: jump_url(),
            }),
            other => Err(format!("unknown workbench type {other:?}")),
        }
    }
}

fn link(url: &str, jump_url: &Option<String>) -> Value {
    let mut payload = json!({ "url": url });
    if let Some(jump) = jump_url {
        payload["jump_url"] = json!(jump);
    }
    payload
}

impl Client {
    /// `agent/set_workbench_template` for this client's app; `replace_user_data` overwrites the
    /// data already set per user.
    pub async fn set_workbench_template(
        &self,
        template: &WorkbenchTemplate,
        replace_user_data: bool,
    ) -> Result<(), ApiError> {
        let path = "agent/set_workbench_template";
        self.send(self.post(path, &template.body(self.agent_id, replace_user_data)))
            .await
    }

    /// `agent/get_workbench_template` of this client's app.
    pub async fn workbench_template(&self) -> Result<WorkbenchTemplate, ApiError> {
        let path = "agent/get_workbench_template";
        let answer: Value = self
            .call(self.post(path, &json!({ "agentid": self.agent_id })))
            .await?;
        WorkbenchTemplate::from_answer(&answer).map_err(|detail| self.invalid(path, detail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_and_answer_round_trip() {
        let templates = [
            WorkbenchTemplate::Normal,
            WorkbenchTemplate::KeyData(vec![WorkbenchItem {
                key: Some("待审批".into()),
                data: Some("3".into()),
                ..Default::default()
            }]),
            WorkbenchTemplate::Image {
                url: "https://i".into(),
                jump_url: Some("https://j".into()),
            },
        ];
        for template in templates {
            let body = template.body(7, false);
            assert_eq!(WorkbenchTemplate::from_answer(&body), Ok(template));
        }
    }

    #[test]
    fn keydata_body_shape() {
        let t = WorkbenchTemplate::List(vec![]);
        assert_eq!(
            t.body(7, true),
            json!({"agentid":7,"type":"list","replace_user_data":true,"list":{"items":[]}})
        );
    }
}
