//! The seeded tenant generator: a department tree, members with Chinese names, tags and leaders.
//!
//! Determinism matters more than realism: the same [`SimConfig`] must produce the same tenant on
//! every machine, so tests can name users and demos look the same twice. Every random choice comes
//! from a [`StdRng`] seeded from the config (rand documents StdRng as reproducible for a fixed
//! rand version, which Cargo.lock pins).

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::SimConfig;
use super::directory::{Department, Directory, ROOT_DEPARTMENT, Tag, User};

/// (hanzi, pinyin) surnames; userids are built from the pinyin like real tenants usually are.
const SURNAMES: &[(&str, &str)] = &[
    ("张", "zhang"),
    ("王", "wang"),
    ("李", "li"),
    ("赵", "zhao"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
];

/// (hanzi, pinyin) given-name characters.
const GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀", "xiu"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂", "gui"),
    ("婷", "ting"),
    ("浩", "hao"),
];

/// (name, English name) of generated departments.
const DEPARTMENTS: &[(&str, &str)] = &[
    ("研发中心", "R&D"),
    ("销售部", "Sales"),
    ("财务部", "Finance"),
    ("人力资源部", "HR"),
    ("市场部", "Marketing"),
    ("客服部", "Support"),
    ("采购部", "Purchasing"),
    ("法务部", "Legal"),
    ("行政部", "Admin"),
    ("产品部", "Product"),
    ("质量部", "Quality"),
    ("运维部", "Operations"),
];

/// Job titles.
const POSITIONS: &[&str] = &[
    "工程师",
    "高级工程师",
    "销售经理",
    "会计",
    "出纳",
    "人事专员",
    "产品经理",
    "客服专员",
    "总监",
];

/// Tags every tenant gets; the first two are used by the sample rules.
const TAGS: &[&str] = &["经理", "财务审批人", "新员工"];

/// A generator stream derived from the seed and a purpose, so adding users does not change the
/// credentials and vice versa.
pub fn rng(seed: u64, purpose: &str) -> StdRng {
    let mixed = purpose
        .bytes()
        .fold(seed ^ 0x9e37_79b9_7f4a_7c15, |acc, b| {
            (acc ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    StdRng::seed_from_u64(mixed)
}

/// A random string over `[A-Za-z0-9]` (secrets, keys, tokens).
pub fn alphanumeric(rng: &mut StdRng, len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect()
}

/// A random lower-case hex string (corp ids, app keys).
pub fn hex(rng: &mut StdRng, len: usize) -> String {
    (0..len)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect()
}

/// Builds the tenant: `departments` departments in a tree under root 1, `users` members, tags.
pub fn generate(config: &SimConfig) -> Directory {
    let mut rng = rng(config.seed, "tenant");
    let mut dir = Directory::default();
    let department_count = config.departments.max(1);
    let mut dept_ids = vec![ROOT_DEPARTMENT];
    dir.insert_department(Department {
        id: ROOT_DEPARTMENT,
        name: "模拟科技有限公司".into(),
        name_en: "Simulated Tech".into(),
        parent_id: 0,
        order: 100_000_000,
        leaders: Vec::new(),
    });
    for index in 1..department_count {
        let id = index as u64 + 1;
        let (name, name_en) = DEPARTMENTS[(index - 1) % DEPARTMENTS.len()];
        let round = (index - 1) / DEPARTMENTS.len();
        let (name, name_en) = if round == 0 {
            (name.to_string(), name_en.to_string())
        } else {
            (
                format!("{name}{}", round + 1),
                format!("{name_en} {}", round + 1),
            )
        };
        // Mostly shallow trees, like real companies: half the departments hang off the root.
        let parent = if rng.random_bool(0.5) {
            ROOT_DEPARTMENT
        } else {
            *dept_ids.choose(&mut rng).unwrap_or(&ROOT_DEPARTMENT)
        };
        dir.insert_department(Department {
            id,
            name,
            name_en,
            parent_id: parent,
            order: 100_000_000 - id * 1000,
            leaders: Vec::new(),
        });
        dept_ids.push(id);
    }

    let mut taken = std::collections::HashSet::new();
    let mut users: Vec<User> = Vec::with_capacity(config.users);
    for index in 0..config.users {
        let (surname, surname_py) = *SURNAMES.choose(&mut rng).unwrap_or(&SURNAMES[0]);
        let given_len = rng.random_range(1..=2);
        let mut name = surname.to_string();
        let mut userid = surname_py.to_string();
        for _ in 0..given_len {
            let (ch, py) = *GIVEN.choose(&mut rng).unwrap_or(&GIVEN[0]);
            name.push_str(ch);
            userid.push_str(py);
        }
        let base = userid.clone();
        let mut suffix = 1;
        while !taken.insert(userid.clone()) {
            suffix += 1;
            userid = format!("{base}{suffix}");
        }
        // Everyone outside the root department, except the first member (the boss).
        let main = if index == 0 || dept_ids.len() == 1 {
            ROOT_DEPARTMENT
        } else {
            dept_ids[1 + rng.random_range(0..dept_ids.len() - 1)]
        };
        let mut departments = vec![main];
        if dept_ids.len() > 2 && rng.random_bool(0.1) {
            let extra = dept_ids[1 + rng.random_range(0..dept_ids.len() - 1)];
            if extra != main {
                departments.push(extra);
            }
        }
        let mobile = format!("13{}{:08}", rng.random_range(0..10), 10_000_000 + index);
        users.push(User {
            email: format!("{userid}@sim-corp.example.com"),
            userid,
            name,
            mobile,
            position: POSITIONS
                .choose(&mut rng)
                .unwrap_or(&POSITIONS[0])
                .to_string(),
            gender: rng.random_range(1..=2),
            is_leader_in_dept: vec![false; departments.len()],
            main_department: main,
            departments,
            direct_leader: Vec::new(),
            job_number: format!("E{:05}", index + 1),
            hired_date_ms: 1_546_300_800_000 + rng.random_range(0..1_500) * 86_400_000,
            enabled: true,
        });
    }

    // The first member of each department leads it; members report to their main department's
    // leader.
    for &dept in &dept_ids {
        if let Some(leader) = users.iter_mut().find(|u| u.departments.contains(&dept))
            && let Some(slot) = leader.departments.iter().position(|d| *d == dept)
        {
            leader.is_leader_in_dept[slot] = true;
        }
    }
    let leader_of = |dept: u64, users: &[User]| {
        users
            .iter()
            .find(|u| {
                u.departments
                    .iter()
                    .zip(&u.is_leader_in_dept)
                    .any(|(d, l)| *d == dept && *l)
            })
            .map(|u| u.userid.clone())
    };
    let leaders: Vec<(u64, Option<String>)> = dept_ids
        .iter()
        .map(|&d| (d, leader_of(d, &users)))
        .collect();
    for user in &mut users {
        if let Some((_, Some(leader))) = leaders.iter().find(|(d, _)| *d == user.main_department)
            && *leader != user.userid
        {
            user.direct_leader = vec![leader.clone()];
        }
    }
    for &(dept, ref leader) in &leaders {
        if let Some(department) = dir.department_mut(dept) {
            department.leaders = leader.iter().cloned().collect();
        }
    }

    let managers: Vec<String> = users
        .iter()
        .filter(|u| u.is_leader_in_dept.iter().any(|l| *l))
        .map(|u| u.userid.clone())
        .collect();
    let finance: Vec<String> = users
        .iter()
        .filter(|u| u.position == "会计" || u.position == "出纳")
        .map(|u| u.userid.clone())
        .collect();
    let newcomers: Vec<String> = users
        .iter()
        .rev()
        .take(3)
        .map(|u| u.userid.clone())
        .collect();
    for (index, (name, members)) in TAGS.iter().zip([managers, finance, newcomers]).enumerate() {
        dir.insert_tag(Tag {
            id: index as u64 + 1,
            name: name.to_string(),
            users: members,
            departments: Vec::new(),
        });
    }
    for user in users {
        dir.insert_user(user);
    }
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(seed: u64) -> SimConfig {
        SimConfig {
            seed,
            users: 60,
            departments: 9,
        }
    }

    #[test]
    fn same_seed_same_tenant() {
        let a = generate(&config(42));
        let b = generate(&config(42));
        let names = |d: &Directory| {
            d.users()
                .map(|u| (u.userid.clone(), u.name.clone(), u.mobile.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        assert_eq!(
            a.departments().cloned().collect::<Vec<_>>(),
            b.departments().cloned().collect::<Vec<_>>()
        );
        assert_ne!(names(&a), names(&generate(&config(43))));
    }

    #[test]
    fn shape_matches_the_config() {
        let dir = generate(&config(5));
        assert_eq!(dir.users().count(), 60);
        assert_eq!(dir.departments().count(), 9);
        let root = dir.department(ROOT_DEPARTMENT).unwrap();
        assert_eq!(root.parent_id, 0);
        // Every department hangs off the tree rooted at 1.
        assert_eq!(dir.subtree(ROOT_DEPARTMENT).unwrap().len(), 9);
        // Unique userids and mobiles; everyone has an e-mail and a Chinese name.
        let mobiles: std::collections::HashSet<_> = dir.users().map(|u| u.mobile.clone()).collect();
        assert_eq!(mobiles.len(), 60);
        assert!(
            dir.users()
                .all(|u| u.name.chars().all(|c| !c.is_ascii()) && u.email.contains('@'))
        );
        assert!(
            dir.users()
                .all(|u| crate::sim::directory::valid_userid(&u.userid))
        );
    }

    #[test]
    fn leaders_tags_and_multi_department_members_exist() {
        let dir = generate(&SimConfig {
            seed: 9,
            users: 200,
            departments: 10,
        });
        assert!(
            dir.departments()
                .filter(|d| d.id != ROOT_DEPARTMENT)
                .all(|d| d.leaders.len() <= 1)
        );
        assert!(dir.departments().any(|d| !d.leaders.is_empty()));
        assert!(dir.users().any(|u| u.departments.len() > 1));
        assert!(dir.users().any(|u| !u.direct_leader.is_empty()));
        assert!(!dir.tag(1).unwrap().users.is_empty());
        assert_eq!(dir.tags().count(), TAGS.len());
    }

    #[test]
    fn degenerate_configs_do_not_panic() {
        let dir = generate(&SimConfig {
            seed: 0,
            users: 0,
            departments: 0,
        });
        assert_eq!(dir.departments().count(), 1);
        let dir = generate(&SimConfig {
            seed: 0,
            users: 500,
            departments: 1,
        });
        assert_eq!(dir.users().count(), 500);
    }
}
