//! Custom app menus (`menu/create|get|delete`), validated locally before sending so that an
//! admin learns which button is wrong instead of getting a bare errcode.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::client::Client;
use crate::api::ApiError;

/// At most 3 top-level buttons.
const MAX_TOP: usize = 3;
/// At most 5 sub-buttons per top-level button.
const MAX_SUB: usize = 5;
/// Name byte limits: top-level and sub-menu.
const MAX_TOP_NAME: usize = 16;
const MAX_SUB_NAME: usize = 40;
/// `key` byte limit (click-like types).
const MAX_KEY: usize = 128;
/// `url` byte limit (view).
const MAX_URL: usize = 1024;

/// Button types that send a `key` back in the click event.
const KEY_TYPES: &[&str] = &[
    "click",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
];

/// An app menu.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Menu {
    /// Top-level buttons (1–3).
    pub button: Vec<Button>,
}

/// A menu button: either a leaf with a `type`, or a parent with `sub_button`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    /// `click`, `view`, `view_miniprogram`, `scancode_*`, `pic_*`, `location_select`; absent on
    /// a parent.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Label.
    pub name: String,
    /// Event key (click-like types).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Link (view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Mini-program appid (view_miniprogram).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// Mini-program page (view_miniprogram).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagepath: Option<String>,
    /// Children (1–5), for a parent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_button: Vec<Button>,
}

/// What is wrong with a button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuProblem {
    /// No top-level buttons, or more than 3.
    TopLevelCount(usize),
    /// More than 5 sub-buttons.
    SubButtonCount(usize),
    /// A sub-button has sub-buttons itself.
    TooDeep,
    /// The name is empty or longer than the limit (bytes).
    NameLength {
        /// Its length in bytes.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// A leaf without `type`.
    MissingType,
    /// A `type` WeCom does not know.
    UnknownType(String),
    /// A field the type requires is missing or empty.
    MissingField(&'static str),
    /// A field is longer than its limit (bytes).
    FieldTooLong {
        /// The field.
        field: &'static str,
        /// The limit.
        max: usize,
    },
}

/// A menu that WeCom would refuse, and where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("menu {path}: {problem}")]
pub struct MenuError {
    /// Where, e.g. `button[1].sub_button[0]`, or `button` for the whole list.
    pub path: String,
    /// What.
    pub problem: MenuProblem,
}

impl std::fmt::Display for MenuProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MenuProblem::TopLevelCount(n) => write!(f, "{n} top-level buttons, need 1..={MAX_TOP}"),
            MenuProblem::SubButtonCount(n) => write!(f, "{n} sub-buttons, at most {MAX_SUB}"),
            MenuProblem::TooDeep => f.write_str("sub-buttons cannot have sub-buttons"),
            MenuProblem::NameLength { bytes, max } => {
                write!(f, "name is {bytes} bytes, need 1..={max}")
            }
            MenuProblem::MissingType => f.write_str("a button without sub-buttons needs a type"),
            MenuProblem::UnknownType(t) => write!(f, "unknown button type {t:?}"),
            MenuProblem::MissingField(field) => write!(f, "{field} is required for this type"),
            MenuProblem::FieldTooLong { field, max } => {
                write!(f, "{field} is longer than {max} bytes")
            }
        }
    }
}

/// Why a menu was not pushed.
#[derive(Debug, Clone, Error)]
pub enum MenuPushError {
    /// Refused locally; nothing was sent.
    #[error(transparent)]
    Invalid(#[from] MenuError),
    /// WeCom refused it.
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl Menu {
    /// Checks the menu against WeCom's documented limits.
    pub fn validate(&self) -> Result<(), MenuError> {
        let count = self.button.len();
        if count == 0 || count > MAX_TOP {
            return Err(MenuError {
                path: "button".into(),
                problem: MenuProblem::TopLevelCount(count),
            });
        }
        for (i, button) in self.button.iter().enumerate() {
            let path = format!("button[{i}]");
            check_name(&path, &button.name, MAX_TOP_NAME)?;
            if button.sub_button.is_empty() {
                check_leaf(&path, button)?;
                continue;
            }
            if button.sub_button.len() > MAX_SUB {
                let problem = MenuProblem::SubButtonCount(button.sub_button.len());
                return Err(MenuError { path, problem });
            }
            for (j, sub) in button.sub_button.iter().enumerate() {
                let path = format!("{path}.sub_button[{j}]");
                check_name(&path, &sub.name, MAX_SUB_NAME)?;
                if !sub.sub_button.is_empty() {
                    return Err(MenuError {
                        path,
                        problem: MenuProblem::TooDeep,
                    });
                }
                check_leaf(&path, sub)?;
            }
        }
        Ok(())
    }
}

fn check_name(path: &str, name: &str, max: usize) -> Result<(), MenuError> {
    let bytes = name.len();
    if bytes == 0 || bytes > max {
        return Err(MenuError {
            path: path.into(),
            problem: MenuProblem::NameLength { bytes, max },
        });
    }
    Ok(())
}

fn check_leaf(path: &str, button: &Button) -> Result<(), MenuError> {
    let fail = |problem| {
        Err(MenuError {
            path: path.into(),
            problem,
        })
    };
    let Some(kind) = button.kind.as_deref() else {
        return fail(MenuProblem::MissingType);
    };
    let required: &[(&'static str, &Option<String>, usize)] = match kind {
        k if KEY_TYPES.contains(&k) => &[("key", &button.key, MAX_KEY)],
        "view" => &[("url", &button.url, MAX_URL)],
        "view_miniprogram" => &[
            ("appid", &button.appid, usize::MAX),
            ("pagepath", &button.pagepath, usize::MAX),
        ],
        other => return fail(MenuProblem::UnknownType(other.to_owned())),
    };
    for (field, value, max) in required {
        match value.as_deref() {
            None | Some("") => return fail(MenuProblem::MissingField(field)),
            Some(v) if v.len() > *max => {
                return fail(MenuProblem::FieldTooLong { field, max: *max });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

impl Client {
    /// `menu/create` for this client's app, after local validation.
    pub async fn create_menu(&self, menu: &Menu) -> Result<(), MenuPushError> {
        menu.validate()?;
        let req = self
            .post("menu/create", menu)
            .query("agentid", self.agent_id);
        Ok(self.send(req).await?)
    }

    /// `menu/get` of this client's app.
    pub async fn get_menu(&self) -> Result<Menu, ApiError> {
        self.call(self.get("menu/get").query("agentid", self.agent_id))
            .await
    }

    /// `menu/delete` of this client's app.
    pub async fn delete_menu(&self) -> Result<(), ApiError> {
        self.send(self.get("menu/delete").query("agentid", self.agent_id))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(kind: &str, name: &str) -> Button {
        Button {
            kind: Some(kind.into()),
            name: name.into(),
            key: Some("K".into()),
            ..Button::default()
        }
    }

    fn parent(name: &str, subs: Vec<Button>) -> Button {
        Button {
            name: name.into(),
            sub_button: subs,
            ..Button::default()
        }
    }

    fn problem(menu: &Menu) -> (String, MenuProblem) {
        let err = menu.validate().unwrap_err();
        (err.path, err.problem)
    }

    #[test]
    fn a_valid_menu_passes() {
        let view = Button {
            url: Some("https://x".into()),
            key: None,
            ..leaf("view", "官网")
        };
        let menu = Menu {
            button: vec![
                leaf("click", "今日"),
                parent("更多", vec![view, leaf("scancode_push", "扫码")]),
            ],
        };
        assert_eq!(menu.validate(), Ok(()));
    }

    #[test]
    fn counts_are_enforced() {
        assert_eq!(
            problem(&Menu::default()),
            ("button".into(), MenuProblem::TopLevelCount(0))
        );
        let four = Menu {
            button: (0..4).map(|i| leaf("click", &format!("b{i}"))).collect(),
        };
        assert_eq!(problem(&four).1, MenuProblem::TopLevelCount(4));
        let six = Menu {
            button: vec![parent(
                "p",
                (0..6).map(|i| leaf("click", &format!("s{i}"))).collect(),
            )],
        };
        assert_eq!(
            problem(&six),
            ("button[0]".into(), MenuProblem::SubButtonCount(6))
        );
    }

    #[test]
    fn name_limits_are_bytes() {
        // 6 CJK characters = 18 bytes > 16 for a top-level button, fine for a sub-button.
        let long = "一二三四五六";
        let menu = Menu {
            button: vec![leaf("click", long)],
        };
        assert_eq!(
            problem(&menu).1,
            MenuProblem::NameLength { bytes: 18, max: 16 }
        );
        let menu = Menu {
            button: vec![parent("p", vec![leaf("click", long)])],
        };
        assert_eq!(menu.validate(), Ok(()));
    }

    #[test]
    fn path_names_the_sub_button() {
        let bad = Button {
            key: None,
            ..leaf("click", "x")
        };
        let menu = Menu {
            button: vec![
                leaf("click", "a"),
                parent("p", vec![leaf("click", "ok"), bad]),
            ],
        };
        assert_eq!(
            problem(&menu),
            (
                "button[1].sub_button[1]".into(),
                MenuProblem::MissingField("key")
            )
        );
        let text = menu.validate().unwrap_err().to_string();
        assert_eq!(
            text,
            "menu button[1].sub_button[1]: key is required for this type"
        );
    }

    #[test]
    fn types_and_their_fields() {
        let unknown = Menu {
            button: vec![leaf("dance", "x")],
        };
        assert_eq!(
            problem(&unknown).1,
            MenuProblem::UnknownType("dance".into())
        );
        let untyped = Menu {
            button: vec![Button {
                name: "x".into(),
                ..Button::default()
            }],
        };
        assert_eq!(problem(&untyped).1, MenuProblem::MissingType);
        let mini = Menu {
            button: vec![Button {
                appid: Some("wx1".into()),
                ..leaf("view_miniprogram", "m")
            }],
        };
        assert_eq!(problem(&mini).1, MenuProblem::MissingField("pagepath"));
        let deep = Menu {
            button: vec![parent("p", vec![parent("q", vec![leaf("click", "r")])])],
        };
        assert_eq!(
            problem(&deep),
            ("button[0].sub_button[0]".into(), MenuProblem::TooDeep)
        );
    }
}
