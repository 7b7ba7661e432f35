//! Tags (标签): named groups of members and departments, usable as message recipients.

use serde::{Deserialize, Serialize};

use super::client::Client;
use crate::api::{ApiError, split_list};

/// A tag.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Tag {
    /// Tag id.
    #[serde(deserialize_with = "int_or_string")]
    pub tagid: i64,
    /// Tag name.
    pub tagname: String,
}

/// What WeCom refused when changing a tag's members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagMembersResult {
    /// Userids that were invalid.
    pub invalid_users: Vec<String>,
    /// Department ids that were invalid.
    pub invalid_parties: Vec<String>,
}

#[derive(Deserialize)]
struct TagList {
    #[serde(default)]
    taglist: Vec<Tag>,
}

#[derive(Deserialize)]
struct TagCreated {
    #[serde(deserialize_with = "int_or_string")]
    tagid: i64,
}

#[derive(Deserialize)]
struct TagMembersAnswer {
    #[serde(default)]
    invalidlist: Option<String>,
    #[serde(default)]
    invalidparty: Option<Vec<serde_json::Value>>,
}

#[derive(Serialize)]
struct TagCreate<'a> {
    tagname: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tagid: Option<i64>,
}

#[derive(Serialize)]
struct TagMembers<'a> {
    tagid: i64,
    userlist: &'a [String],
    partylist: &'a [i64],
}

/// Older answers return `tagid` as a string, current ones as a number.
fn int_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Int(i64),
        Text(String),
    }
    match Id::deserialize(d)? {
        Id::Int(n) => Ok(n),
        Id::Text(s) => s.parse().map_err(serde::de::Error::custom),
    }
}

impl Client {
    /// `tag/list`.
    pub async fn list_tags(&self) -> Result<Vec<Tag>, ApiError> {
        Ok(self.call::<TagList>(self.get("tag/list")).await?.taglist)
    }

    /// `tag/create`; returns the tag id.
    pub async fn create_tag(&self, name: &str, id: Option<i64>) -> Result<i64, ApiError> {
        let req = self.post(
            "tag/create",
            &TagCreate {
                tagname: name,
                tagid: id,
            },
        );
        Ok(self.call::<TagCreated>(req).await?.tagid)
    }

    /// `tag/addtagusers`: adds members and departments; reports the invalid ones.
    pub async fn add_tag_members(
        &self,
        tagid: i64,
        users: &[String],
        departments: &[i64],
    ) -> Result<TagMembersResult, ApiError> {
        self.tag_members("tag/addtagusers", tagid, users, departments)
            .await
    }

    /// `tag/deltagusers`: removes members and departments; reports the invalid ones.
    pub async fn remove_tag_members(
        &self,
        tagid: i64,
        users: &[String],
        departments: &[i64],
    ) -> Result<TagMembersResult, ApiError> {
        self.tag_members("tag/deltagusers", tagid, users, departments)
            .await
    }

    async fn tag_members(
        &self,
        path: &str,
        tagid: i64,
        users: &[String],
        departments: &[i64],
    ) -> Result<TagMembersResult, ApiError> {
        let body = TagMembers {
            tagid,
            userlist: users,
            partylist: departments,
        };
        let answer: TagMembersAnswer = self.call(self.post(path, &body)).await?;
        Ok(TagMembersResult {
            invalid_users: split_list(answer.invalidlist.as_deref(), '|'),
            invalid_parties: answer
                .invalidparty
                .unwrap_or_default()
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_id_may_be_a_string() {
        let tag: Tag = serde_json::from_str(r#"{"tagid":"7","tagname":"a"}"#).unwrap();
        assert_eq!(tag.tagid, 7);
        let tag: Tag = serde_json::from_str(r#"{"tagid":8,"tagname":"b"}"#).unwrap();
        assert_eq!(tag.tagid, 8);
    }
}
