//! The simulated organisation: departments, members and tags, shared by both simulators.
//!
//! The real services change their directory only through their APIs (user/create, department/
//! delete, …) and enforce rules while doing so (the root cannot be deleted, a department with
//! members cannot be deleted, userids are unique case-insensitively, …). Those rules are the same
//! on both services, so they live here once as [`DirectoryError`]s; each provider maps them to its
//! own errcode.

use std::collections::BTreeMap;

/// The root department's id on both services.
pub const ROOT_DEPARTMENT: u64 = 1;

/// A department. `parent_id` is 0 for the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    /// Department id; the root is 1.
    pub id: u64,
    /// Display name (Chinese).
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Parent department id, 0 for the root.
    pub parent_id: u64,
    /// Sort order; on WeCom a larger value sorts first.
    pub order: u64,
    /// Userids of the department's leaders.
    pub leaders: Vec<String>,
}

/// A member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Unique id, compared case-insensitively.
    pub userid: String,
    /// Display name (Chinese).
    pub name: String,
    /// Mobile number (digits only), unique.
    pub mobile: String,
    /// E-mail address.
    pub email: String,
    /// Job title.
    pub position: String,
    /// 1 = male, 2 = female.
    pub gender: u8,
    /// Departments the member belongs to; the first is the main one unless `main_department` says
    /// otherwise.
    pub departments: Vec<u64>,
    /// Parallel to `departments`: whether the member leads that department.
    pub is_leader_in_dept: Vec<bool>,
    /// The main department.
    pub main_department: u64,
    /// Userids of direct superiors.
    pub direct_leader: Vec<String>,
    /// Employee number (DingTalk `job_number`).
    pub job_number: String,
    /// Hire date, Unix milliseconds.
    pub hired_date_ms: i64,
    /// Whether the account is enabled.
    pub enabled: bool,
}

impl User {
    /// A member with only a userid, to be filled in from a create request.
    pub fn blank(userid: impl Into<String>, hired_date_ms: i64) -> Self {
        User {
            userid: userid.into(),
            name: String::new(),
            mobile: String::new(),
            email: String::new(),
            position: String::new(),
            gender: 0,
            departments: Vec::new(),
            is_leader_in_dept: Vec::new(),
            main_department: 0,
            direct_leader: Vec::new(),
            job_number: String::new(),
            hired_date_ms,
            enabled: true,
        }
    }
}

/// A tag (WeCom) / label (DingTalk): a named set of members and departments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Tag id.
    pub id: u64,
    /// Tag name.
    pub name: String,
    /// Member userids.
    pub users: Vec<String>,
    /// Department ids.
    pub departments: Vec<u64>,
}

/// Why a directory change or lookup was refused; providers map each to their errcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// No department with this id.
    #[error("department {0} not found")]
    DepartmentNotFound(u64),
    /// The parent of a new or moved department does not exist.
    #[error("parent department {0} not found")]
    ParentNotFound(u64),
    /// A department that still has members cannot be deleted.
    #[error("department {0} still has members")]
    DepartmentHasMembers(u64),
    /// A department that still has sub-departments cannot be deleted.
    #[error("department {0} still has sub-departments")]
    DepartmentHasChildren(u64),
    /// The root department cannot be deleted.
    #[error("the root department cannot be deleted")]
    RootDepartment,
    /// The id, or the name under the same parent, is taken.
    #[error("department {0} already exists")]
    DepartmentExists(String),
    /// Name empty, too long, or with forbidden characters.
    #[error("invalid department name {0:?}")]
    InvalidDepartmentName(String),
    /// Moving a department under its own subtree.
    #[error("department {0} cannot be moved under its own subtree")]
    CircularParent(u64),
    /// No member with this userid.
    #[error("user {0} not found")]
    UserNotFound(String),
    /// The userid is taken (case-insensitively).
    #[error("userid {0} already exists")]
    UserExists(String),
    /// The userid breaks the character or length rules.
    #[error("invalid userid {0:?}")]
    InvalidUserId(String),
    /// The member name is empty or longer than 64 characters.
    #[error("invalid member name {0:?}")]
    InvalidUserName(String),
    /// Another member has this mobile number.
    #[error("mobile {0} already exists")]
    MobileExists(String),
    /// Mobile and e-mail cannot both be empty.
    #[error("mobile and email cannot both be empty")]
    NoContact,
    /// No tag with this id.
    #[error("tag {0} not found")]
    TagNotFound(u64),
    /// The tag name is taken.
    #[error("tag {0} already exists")]
    TagExists(String),
}

/// The organisation: departments by id, members by lower-cased userid, tags by id.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    departments: BTreeMap<u64, Department>,
    users: BTreeMap<String, User>,
    tags: BTreeMap<u64, Tag>,
}

/// Checks the userid rules: 1–64 bytes, `[A-Za-z0-9][A-Za-z0-9_-@.]*`.
pub fn valid_userid(userid: &str) -> bool {
    let mut chars = userid.chars();
    (1..=64).contains(&userid.len())
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_-@.".contains(c))
}

fn check_department_name(name: &str) -> Result<(), DirectoryError> {
    let len = name.chars().count();
    if len == 0 || len > 32 || name.chars().any(|c| "\\:?*\"“<>|".contains(c)) {
        return Err(DirectoryError::InvalidDepartmentName(name.to_owned()));
    }
    Ok(())
}

impl Directory {
    /// Inserts a department as is (used by the tenant generator; no rule checks).
    pub(crate) fn insert_department(&mut self, department: Department) {
        self.departments.insert(department.id, department);
    }

    /// Inserts a member as is (used by the tenant generator; no rule checks).
    pub(crate) fn insert_user(&mut self, user: User) {
        self.users.insert(user.userid.to_lowercase(), user);
    }

    /// Inserts a tag as is (used by the tenant generator; no rule checks).
    pub(crate) fn insert_tag(&mut self, tag: Tag) {
        self.tags.insert(tag.id, tag);
    }

    /// A department for in-place edits by the tenant generator.
    pub(crate) fn department_mut(&mut self, id: u64) -> Option<&mut Department> {
        self.departments.get_mut(&id)
    }

    /// One department.
    pub fn department(&self, id: u64) -> Result<&Department, DirectoryError> {
        self.departments
            .get(&id)
            .ok_or(DirectoryError::DepartmentNotFound(id))
    }

    /// All departments, by id.
    pub fn departments(&self) -> impl Iterator<Item = &Department> {
        self.departments.values()
    }

    /// A department and its whole subtree, parents before children.
    pub fn subtree(&self, id: u64) -> Result<Vec<&Department>, DirectoryError> {
        let mut out = vec![self.department(id)?];
        let mut next = 0;
        while next < out.len() {
            let parent = out[next].id;
            out.extend(
                self.departments
                    .values()
                    .filter(|d| d.parent_id == parent && d.id != parent),
            );
            next += 1;
        }
        Ok(out)
    }

    /// Direct sub-departments of a department.
    pub fn children(&self, id: u64) -> Result<Vec<&Department>, DirectoryError> {
        self.department(id)?;
        Ok(self
            .departments
            .values()
            .filter(|d| d.parent_id == id && d.id != id)
            .collect())
    }

    /// One member, looked up case-insensitively.
    pub fn user(&self, userid: &str) -> Result<&User, DirectoryError> {
        self.users
            .get(&userid.to_lowercase())
            .ok_or_else(|| DirectoryError::UserNotFound(userid.to_owned()))
    }

    /// Whether a member exists (case-insensitively).
    pub fn has_user(&self, userid: &str) -> bool {
        self.users.contains_key(&userid.to_lowercase())
    }

    /// All members, ordered by lower-cased userid (a stable order for cursors).
    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.users.values()
    }

    /// Members directly in a department.
    pub fn members(&self, department: u64) -> Result<Vec<&User>, DirectoryError> {
        self.department(department)?;
        Ok(self
            .users
            .values()
            .filter(|u| u.departments.contains(&department))
            .collect())
    }

    /// One tag.
    pub fn tag(&self, id: u64) -> Result<&Tag, DirectoryError> {
        self.tags.get(&id).ok_or(DirectoryError::TagNotFound(id))
    }

    /// All tags, by id.
    pub fn tags(&self) -> impl Iterator<Item = &Tag> {
        self.tags.values()
    }

    /// Every member reachable from a department (its subtree) — a message to a department reaches
    /// them all.
    pub fn members_deep(&self, department: u64) -> Result<Vec<String>, DirectoryError> {
        let ids: Vec<u64> = self.subtree(department)?.iter().map(|d| d.id).collect();
        Ok(self
            .users
            .values()
            .filter(|u| u.departments.iter().any(|d| ids.contains(d)))
            .map(|u| u.userid.clone())
            .collect())
    }

    /// Creates a department; `id` None picks the next free id.
    pub fn create_department(
        &mut self,
        id: Option<u64>,
        name: &str,
        name_en: &str,
        parent_id: u64,
        order: u64,
    ) -> Result<u64, DirectoryError> {
        check_department_name(name)?;
        if !self.departments.contains_key(&parent_id) {
            return Err(DirectoryError::ParentNotFound(parent_id));
        }
        if self
            .departments
            .values()
            .any(|d| d.parent_id == parent_id && d.name == name)
        {
            return Err(DirectoryError::DepartmentExists(name.to_owned()));
        }
        let id = match id {
            Some(id) if self.departments.contains_key(&id) => {
                return Err(DirectoryError::DepartmentExists(id.to_string()));
            }
            Some(id) => id,
            None => self.departments.keys().max().copied().unwrap_or(0) + 1,
        };
        self.departments.insert(
            id,
            Department {
                id,
                name: name.to_owned(),
                name_en: name_en.to_owned(),
                parent_id,
                order,
                leaders: Vec::new(),
            },
        );
        Ok(id)
    }

    /// Renames, moves or reorders a department.
    pub fn update_department(
        &mut self,
        id: u64,
        name: Option<&str>,
        parent_id: Option<u64>,
        order: Option<u64>,
    ) -> Result<(), DirectoryError> {
        self.department(id)?;
        if let Some(name) = name {
            check_department_name(name)?;
        }
        if let Some(parent) = parent_id {
            if !self.departments.contains_key(&parent) {
                return Err(DirectoryError::ParentNotFound(parent));
            }
            if self.subtree(id)?.iter().any(|d| d.id == parent) {
                return Err(DirectoryError::CircularParent(id));
            }
        }
        let department = self
            .departments
            .get_mut(&id)
            .ok_or(DirectoryError::DepartmentNotFound(id))?;
        if let Some(name) = name {
            department.name = name.to_owned();
        }
        if let Some(parent) = parent_id {
            department.parent_id = parent;
        }
        if let Some(order) = order {
            department.order = order;
        }
        Ok(())
    }

    /// Deletes an empty, childless, non-root department.
    pub fn delete_department(&mut self, id: u64) -> Result<(), DirectoryError> {
        if id == ROOT_DEPARTMENT {
            return Err(DirectoryError::RootDepartment);
        }
        self.department(id)?;
        if !self.children(id)?.is_empty() {
            return Err(DirectoryError::DepartmentHasChildren(id));
        }
        if !self.members(id)?.is_empty() {
            return Err(DirectoryError::DepartmentHasMembers(id));
        }
        self.departments.remove(&id);
        Ok(())
    }

    fn check_user(&self, user: &User, replacing: Option<&str>) -> Result<(), DirectoryError> {
        if !valid_userid(&user.userid) {
            return Err(DirectoryError::InvalidUserId(user.userid.clone()));
        }
        let name_len = user.name.chars().count();
        if name_len == 0 || name_len > 64 {
            return Err(DirectoryError::InvalidUserName(user.name.clone()));
        }
        if user.mobile.is_empty() && user.email.is_empty() {
            return Err(DirectoryError::NoContact);
        }
        let other = |u: &&User| replacing.is_none_or(|r| !u.userid.eq_ignore_ascii_case(r));
        if !user.mobile.is_empty()
            && self
                .users
                .values()
                .filter(other)
                .any(|u| u.mobile == user.mobile)
        {
            return Err(DirectoryError::MobileExists(user.mobile.clone()));
        }
        if let Some(&missing) = user
            .departments
            .iter()
            .find(|d| !self.departments.contains_key(d))
        {
            return Err(DirectoryError::DepartmentNotFound(missing));
        }
        Ok(())
    }

    /// Adds a member after checking the userid, name, contact and department rules.
    pub fn create_user(&mut self, mut user: User) -> Result<(), DirectoryError> {
        if self.has_user(&user.userid) {
            return Err(DirectoryError::UserExists(user.userid));
        }
        if user.departments.is_empty() {
            user.departments.push(ROOT_DEPARTMENT);
        }
        user.is_leader_in_dept.resize(user.departments.len(), false);
        if !user.departments.contains(&user.main_department) {
            user.main_department = user.departments[0];
        }
        self.check_user(&user, None)?;
        self.insert_user(user);
        Ok(())
    }

    /// Changes a member: `change` edits a copy, which replaces the original if it passes the rules.
    pub fn update_user(
        &mut self,
        userid: &str,
        change: impl FnOnce(&mut User),
    ) -> Result<(), DirectoryError> {
        let mut user = self.user(userid)?.clone();
        change(&mut user);
        user.userid = self.user(userid)?.userid.clone();
        user.is_leader_in_dept.resize(user.departments.len(), false);
        if !user.departments.contains(&user.main_department) {
            user.main_department = user.departments.first().copied().unwrap_or(ROOT_DEPARTMENT);
        }
        self.check_user(&user, Some(userid))?;
        self.insert_user(user);
        Ok(())
    }

    /// Removes a member (and their tag memberships and leader roles).
    pub fn delete_user(&mut self, userid: &str) -> Result<User, DirectoryError> {
        let user = self
            .users
            .remove(&userid.to_lowercase())
            .ok_or_else(|| DirectoryError::UserNotFound(userid.to_owned()))?;
        for tag in self.tags.values_mut() {
            tag.users.retain(|u| !u.eq_ignore_ascii_case(userid));
        }
        for department in self.departments.values_mut() {
            department
                .leaders
                .retain(|u| !u.eq_ignore_ascii_case(userid));
        }
        Ok(user)
    }

    /// Creates a tag; `id` None picks the next free id.
    pub fn create_tag(&mut self, id: Option<u64>, name: &str) -> Result<u64, DirectoryError> {
        if self.tags.values().any(|t| t.name == name) {
            return Err(DirectoryError::TagExists(name.to_owned()));
        }
        let id = match id {
            Some(id) if self.tags.contains_key(&id) => {
                return Err(DirectoryError::TagExists(id.to_string()));
            }
            Some(id) => id,
            None => self.tags.keys().max().copied().unwrap_or(0) + 1,
        };
        self.tags.insert(
            id,
            Tag {
                id,
                name: name.to_owned(),
                users: Vec::new(),
                departments: Vec::new(),
            },
        );
        Ok(id)
    }

    /// Adds members and departments to a tag; returns the userids and department ids that do not
    /// exist (the real services report them instead of failing).
    pub fn add_tag_members(
        &mut self,
        id: u64,
        users: &[String],
        departments: &[u64],
    ) -> Result<(Vec<String>, Vec<u64>), DirectoryError> {
        self.tag(id)?;
        let (known_users, bad_users): (Vec<String>, Vec<String>) =
            users.iter().cloned().partition(|u| self.has_user(u));
        let (known_depts, bad_depts): (Vec<u64>, Vec<u64>) = departments
            .iter()
            .partition(|d| self.departments.contains_key(d));
        let tag = self
            .tags
            .get_mut(&id)
            .ok_or(DirectoryError::TagNotFound(id))?;
        for user in known_users {
            if !tag.users.iter().any(|u| u.eq_ignore_ascii_case(&user)) {
                tag.users.push(user);
            }
        }
        for dept in known_depts {
            if !tag.departments.contains(&dept) {
                tag.departments.push(dept);
            }
        }
        Ok((bad_users, bad_depts))
    }

    /// Removes members and departments from a tag.
    pub fn remove_tag_members(
        &mut self,
        id: u64,
        users: &[String],
        departments: &[u64],
    ) -> Result<(), DirectoryError> {
        let tag = self
            .tags
            .get_mut(&id)
            .ok_or(DirectoryError::TagNotFound(id))?;
        tag.users
            .retain(|u| !users.iter().any(|r| r.eq_ignore_ascii_case(u)));
        tag.departments.retain(|d| !departments.contains(d));
        Ok(())
    }

    /// Every member a tag reaches: its members plus the members of its departments' subtrees.
    pub fn tag_reach(&self, id: u64) -> Result<Vec<String>, DirectoryError> {
        let tag = self.tag(id)?;
        let mut out = tag.users.clone();
        for &dept in &tag.departments {
            out.extend(self.members_deep(dept).unwrap_or_default());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{SimConfig, tenant};

    fn sample() -> Directory {
        tenant::generate(&SimConfig {
            seed: 3,
            users: 30,
            departments: 5,
        })
    }

    fn new_user(userid: &str) -> User {
        User {
            userid: userid.into(),
            name: "新员工".into(),
            mobile: "13900000001".into(),
            email: String::new(),
            position: String::new(),
            gender: 1,
            departments: vec![1],
            is_leader_in_dept: vec![],
            main_department: 1,
            direct_leader: vec![],
            job_number: String::new(),
            hired_date_ms: 0,
            enabled: true,
        }
    }

    #[test]
    fn userid_rules() {
        assert!(valid_userid("zhang.san-01@x"));
        assert!(!valid_userid("_zhang"));
        assert!(!valid_userid(""));
        assert!(!valid_userid(&"a".repeat(65)));
        assert!(!valid_userid("张三"));
    }

    #[test]
    fn users_are_unique_case_insensitively() {
        let mut dir = sample();
        dir.create_user(new_user("NewHire")).unwrap();
        let mut dup = new_user("newhire");
        dup.mobile = "13900000002".into();
        assert_eq!(
            dir.create_user(dup),
            Err(DirectoryError::UserExists("newhire".into()))
        );
        assert_eq!(dir.user("NEWHIRE").unwrap().userid, "NewHire");
    }

    #[test]
    fn mobile_must_be_unique_and_contact_present() {
        let mut dir = sample();
        dir.create_user(new_user("a1")).unwrap();
        assert_eq!(
            dir.create_user(new_user("a2")),
            Err(DirectoryError::MobileExists("13900000001".into()))
        );
        let mut nocontact = new_user("a3");
        nocontact.mobile.clear();
        assert_eq!(dir.create_user(nocontact), Err(DirectoryError::NoContact));
    }

    #[test]
    fn department_delete_rules() {
        let mut dir = sample();
        assert_eq!(
            dir.delete_department(1),
            Err(DirectoryError::RootDepartment)
        );
        let id = dir.create_department(None, "临时组", "tmp", 1, 0).unwrap();
        let child = dir.create_department(None, "子组", "sub", id, 0).unwrap();
        assert_eq!(
            dir.delete_department(id),
            Err(DirectoryError::DepartmentHasChildren(id))
        );
        let mut member = new_user("m1");
        member.departments = vec![child];
        dir.create_user(member).unwrap();
        assert_eq!(
            dir.delete_department(child),
            Err(DirectoryError::DepartmentHasMembers(child))
        );
        dir.delete_user("m1").unwrap();
        dir.delete_department(child).unwrap();
        dir.delete_department(id).unwrap();
        assert_eq!(
            dir.department(id),
            Err(DirectoryError::DepartmentNotFound(id))
        );
    }

    #[test]
    fn no_cycles_and_names_checked() {
        let mut dir = sample();
        let a = dir.create_department(None, "甲", "a", 1, 0).unwrap();
        let b = dir.create_department(None, "乙", "b", a, 0).unwrap();
        assert_eq!(
            dir.update_department(a, None, Some(b), None),
            Err(DirectoryError::CircularParent(a))
        );
        assert!(matches!(
            dir.create_department(None, "a|b", "", 1, 0),
            Err(DirectoryError::InvalidDepartmentName(_))
        ));
        assert_eq!(
            dir.create_department(None, "x", "", 999, 0),
            Err(DirectoryError::ParentNotFound(999))
        );
    }

    #[test]
    fn tags_report_unknown_members() {
        let mut dir = sample();
        let id = dir.create_tag(None, "测试标签").unwrap();
        let known = dir.users().next().unwrap().userid.clone();
        let (bad_users, bad_depts) = dir
            .add_tag_members(id, &[known.clone(), "ghost".into()], &[1, 404])
            .unwrap();
        assert_eq!(
            (bad_users, bad_depts),
            (vec!["ghost".to_string()], vec![404])
        );
        assert_eq!(dir.tag(id).unwrap().users, vec![known]);
        assert_eq!(dir.tag_reach(id).unwrap().len(), 1 + dir.users().count());
    }
}
