//! The IAM pane: users, roles, groups and policies (h/l switch tabs).
use super::resource::ResourceView;
use super::{Cx, Reaction, Remap, SimpleList, View, ViewBehaviour, words_match};
use crate::app::cursor::{Cursor, move_cursor};
use crate::app::keymap::{Action, Hint};
use crate::app::selection::{Principal, Selection};
use crate::app::state::Status;
use crate::dataset::Dataset;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamTab {
    Users,
    Roles,
    Groups,
    Policies,
}

impl IamTab {
    pub const ALL: [IamTab; 4] = [
        IamTab::Users,
        IamTab::Roles,
        IamTab::Groups,
        IamTab::Policies,
    ];
    pub fn label(self) -> &'static str {
        match self {
            IamTab::Users => "Users",
            IamTab::Roles => "Roles",
            IamTab::Groups => "Groups",
            IamTab::Policies => "Policies",
        }
    }
    /// The resource index's type name for this tab's rows.
    pub fn kind(self) -> &'static str {
        match self {
            IamTab::Users => "AwsIamUser",
            IamTab::Roles => "AwsIamRole",
            IamTab::Groups => "AwsIamGroup",
            IamTab::Policies => "AwsIamPolicy",
        }
    }
}

#[derive(Debug, Clone)]
pub struct IamView {
    pub tab: IamTab,
    pub list: SimpleList,
}

impl IamView {
    pub fn new(data: &Dataset, tab: IamTab, filter: &str) -> IamView {
        IamView {
            tab,
            list: iam_list(data, tab, filter),
        }
    }

    /// The ARN of the row under the cursor.
    pub fn selected_arn(&self, data: &Dataset) -> Option<String> {
        iam_arn(
            data,
            self.tab,
            self.list.rows.get(self.list.cursor.selected).copied(),
        )
    }
}

impl IamView {
    /// `y`: the row's inventory record as JSON, to the clipboard.
    fn copy_json(&self, data: &Dataset) -> Reaction {
        match self.selected_arn(data) {
            Some(arn) => copy_entity_json(data, &arn),
            None => Reaction::status(Status::warn("no IAM row selected: nothing to copy")),
        }
    }
}

/// An IAM user, role (with its trust document), group or customer policy as JSON in the IAM
/// API's field names, to the clipboard (`y`).
pub(crate) fn copy_entity_json(data: &Dataset, arn: &str) -> Reaction {
    let Some(iam) = data.iam.as_ref() else {
        return Reaction::status(Status::warn("no IAM inventory loaded: nothing to copy"));
    };
    let found = if let Some(u) = iam.user_by_arn(arn) {
        Some(("user", &u.user_name, serde_json::to_string_pretty(u)))
    } else if let Some(r) = iam.role_by_arn(arn) {
        Some(("role", &r.role_name, serde_json::to_string_pretty(r)))
    } else if let Some(g) = iam.group_by_arn(arn) {
        Some(("group", &g.group_name, serde_json::to_string_pretty(g)))
    } else {
        iam.policies
            .iter()
            .find(|p| p.arn == arn)
            .map(|p| ("policy", &p.policy_name, serde_json::to_string_pretty(p)))
    };
    match found {
        Some((what, name, Ok(text))) => {
            let status = Status::info(format!(
                "copied the JSON of {what} {name} ({} bytes)",
                text.len()
            ));
            Reaction::copy(text, status)
        }
        Some((_, name, Err(e))) => {
            Reaction::status(Status::error(format!("cannot copy {name}: {e}")))
        }
        None => Reaction::status(Status::warn(format!("{arn} is not in the IAM inventory"))),
    }
}

impl ViewBehaviour for IamView {
    fn key(&mut self, cx: &Cx, action: Action) -> Reaction {
        if move_cursor(
            &mut self.list.cursor,
            action,
            self.list.rows.len(),
            cx.height,
        ) {
            return Reaction::default();
        }
        match action {
            Action::Left | Action::Right => {
                let i = IamTab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                let n = IamTab::ALL.len();
                let j = if action == Action::Right {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                *self = IamView::new(cx.data, IamTab::ALL[j], "");
                Reaction::default()
            }
            Action::RawJson => self.copy_json(cx.data),
            Action::Enter => match self.selected_arn(cx.data) {
                Some(arn) => match cx.data.resources.by_arn.get(&arn) {
                    Some(&ri) => Reaction::push(View::Resource(ResourceView::new(ri))),
                    None => Reaction::status(Status::warn(format!(
                        "{arn} is not in the resource index"
                    ))),
                },
                None => Reaction::default(),
            },
            _ => Reaction::default(),
        }
    }

    fn carry_over(&self, cx: &Cx, _remap: &Remap) -> Option<View> {
        let mut list = iam_list(cx.data, self.tab, &self.list.filter);
        list.cursor = self.list.cursor;
        list.cursor.fit(list.rows.len(), cx.height);
        Some(View::Iam(IamView {
            tab: self.tab,
            list,
        }))
    }

    fn breadcrumb(&self, _data: &Dataset, _base: bool) -> Option<String> {
        Some(self.tab.label().to_string())
    }

    fn selection(&self, data: &Dataset) -> Selection {
        Selection {
            principal: self.selected_arn(data).map(|arn| Principal {
                arn,
                kind: self.tab.kind().to_string(),
                region: None,
            }),
            ..Default::default()
        }
    }

    fn hints(&self) -> &'static [Hint] {
        &[
            Hint::Bound(
                &[Action::Left, Action::Right],
                "users/roles/groups/policies",
            ),
            Hint::Bound(&[Action::Enter], "open"),
            Hint::Bound(&[Action::Act], "act"),
            Hint::Bound(&[Action::RawJson], "JSON"),
            Hint::Bound(&[Action::Filter], "filter"),
            Hint::Bound(&[Action::Help], "help"),
        ]
    }

    fn refit(&mut self, height: usize) {
        self.list.cursor.fit(self.list.rows.len(), height)
    }

    fn filter(&self) -> Option<String> {
        Some(self.list.filter.clone())
    }

    fn set_filter(&mut self, cx: &Cx, text: &str) -> Option<String> {
        // An access key id is looked up among the users whatever tab is showing.
        let key = looks_like_key_id(text);
        if key && self.tab != IamTab::Users {
            self.tab = IamTab::Users;
        }
        self.list = iam_list(cx.data, self.tab, text);
        let id = text.trim();
        (key && id.len() == 20 && self.list.rows.is_empty())
            .then(|| format!("no IAM user in this account has access key {id}"))
    }
}

/// `AKIA…` (long-term) or `ASIA…` (temporary) key ids, as typed so far.
fn looks_like_key_id(text: &str) -> bool {
    let t = text.trim();
    let up = t.to_ascii_uppercase();
    t.len() >= 4
        && !t.contains(' ')
        && (up.starts_with("AKIA") || up.starts_with("ASIA"))
        && t.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// IAM tab rows: indexes into the inventory list of that tab.
pub fn iam_list(data: &Dataset, tab: IamTab, filter: &str) -> SimpleList {
    let q = filter.to_ascii_lowercase();
    let Some(iam) = &data.iam else {
        return SimpleList {
            filter: filter.to_string(),
            ..Default::default()
        };
    };
    // Users also match their access key ids: `/AKIA…` finds who owns a key.
    let user_keys: Vec<String> = match tab {
        IamTab::Users => iam
            .user_detail_list
            .iter()
            .map(|u| {
                let ids: Vec<&str> = u
                    .access_keys
                    .iter()
                    .map(|k| k.access_key_id.as_str())
                    .collect();
                ids.join(" ")
            })
            .collect(),
        _ => Vec::new(),
    };
    let names: Vec<(&str, &str)> = match tab {
        IamTab::Users => iam
            .user_detail_list
            .iter()
            .map(|u| (u.user_name.as_str(), u.arn.as_str()))
            .collect(),
        IamTab::Roles => iam
            .role_detail_list
            .iter()
            .map(|r| (r.role_name.as_str(), r.arn.as_str()))
            .collect(),
        IamTab::Groups => iam
            .group_detail_list
            .iter()
            .map(|g| (g.group_name.as_str(), g.arn.as_str()))
            .collect(),
        IamTab::Policies => iam
            .policies
            .iter()
            .map(|p| (p.policy_name.as_str(), p.arn.as_str()))
            .collect(),
    };
    let rows = names
        .iter()
        .enumerate()
        .filter(|(i, (n, a))| {
            let keys = user_keys.get(*i).map_or("", String::as_str);
            words_match(&q, &[n, a, keys])
        })
        .map(|(i, _)| i)
        .collect();
    SimpleList {
        filter: filter.to_string(),
        rows,
        cursor: Cursor::default(),
    }
}

fn iam_arn(data: &Dataset, tab: IamTab, row: Option<usize>) -> Option<String> {
    let iam = data.iam.as_ref()?;
    let i = row?;
    Some(match tab {
        IamTab::Users => iam.user_detail_list.get(i)?.arn.clone(),
        IamTab::Roles => iam.role_detail_list.get(i)?.arn.clone(),
        IamTab::Groups => iam.group_detail_list.get(i)?.arn.clone(),
        IamTab::Policies => iam.policies.get(i)?.arn.clone(),
    })
}
