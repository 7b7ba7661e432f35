//! The card an assignee receives: the task title as the headline, then project, due date and
//! assigner, linking to the task in the ERP.

use worklink_sdk::messaging::TextCard;
use worklink_sdk::payload::TaskAssigned;
use worklink_sdk::prelude::*;

use crate::settings::Settings;

/// The description of a card whose task has no project, due date or assigner.
const NO_DETAILS: &str = "A task was assigned to you.";

/// The card for `task`, within the provider's size limits.
pub fn build(task: &TaskAssigned, settings: &Settings) -> TextCard {
    let mut lines = Vec::new();
    if let Some(project) = &task.project {
        lines.push(format!("Project: {project}"));
    }
    if let Some(due) = &task.due {
        lines.push(format!("Due: {due}"));
    }
    if let Some(assigner) = &task.assigner {
        lines.push(format!("Assigned by: {}", assigner.label()));
    }
    if lines.is_empty() {
        // WeCom and DingTalk refuse a card without a description.
        lines.push(NO_DETAILS.to_owned());
    }
    let title = format!("{}{}", settings.title_prefix, task.title);
    let card = TextCard::new(title, lines.join("\n"), task.url.clone());
    match &settings.button_text {
        Some(text) => card.button(text.clone()),
        None => card,
    }
    .fitted()
}

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_sdk::payload::Person;

    fn task() -> TaskAssigned {
        TaskAssigned {
            task_id: "T-1".into(),
            title: "Review contract".into(),
            url: "https://erp.example/task/1".into(),
            assignee: Person {
                employee_id: Some("E1".into()),
                ..Person::default()
            },
            assigner: None,
            due: None,
            project: None,
        }
    }

    #[test]
    fn absent_details_still_give_the_card_a_description() {
        let card = build(&task(), &Settings::default());
        assert_eq!(card.title, "Review contract");
        assert_eq!(card.description, NO_DETAILS);
        assert_eq!(card.button_text, None);
    }

    #[test]
    fn every_detail_gets_a_line() {
        let mut task = task();
        task.project = Some("Apollo".into());
        task.due = Some("2026-12-01".into());
        task.assigner = Some(Person {
            name: Some("Wang Fang".into()),
            ..Person::default()
        });
        let settings = Settings {
            title_prefix: "[ERP] ".into(),
            ..Settings::default()
        };
        let card = build(&task, &settings);
        assert_eq!(card.title, "[ERP] Review contract");
        assert_eq!(
            card.description,
            "Project: Apollo\nDue: 2026-12-01\nAssigned by: Wang Fang"
        );
    }
}
