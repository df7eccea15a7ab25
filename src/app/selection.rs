//! What is selected, computed once by the focused view ([`super::views::ViewBehaviour::selection`])
//! and used by every key that acts on it: `x` (actions), `:incident`, `c` (copy ARN) and `b`
//! (console URL).

use super::state::Status;
use super::views::Reaction;
use crate::console;
use crate::dataset::Dataset;

/// An IAM principal (or other resource) by ARN, with its resource type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub arn: String,
    /// `AwsIamUser`, `AwsIamRole`, ... (the resource index's type names).
    pub kind: String,
    pub region: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// The finding under the cursor (findings table, finding page).
    pub finding: Option<usize>,
    /// Marked findings (findings table); actions go to all of them.
    pub marked: Vec<usize>,
    /// How many of `marked` the filter hides (the dialog says so: actions go to them too).
    pub marked_hidden: usize,
    /// The resource or principal a page or row is about (resource page, resources row, IAM row).
    pub principal: Option<Principal>,
    /// A journal entry (index into `ActState::entries`).
    pub journal: Option<usize>,
}

impl Selection {
    pub fn finding(i: Option<usize>) -> Selection {
        Selection {
            finding: i,
            ..Default::default()
        }
    }

    pub fn resource(data: &Dataset, ri: usize) -> Selection {
        Selection {
            principal: data.resources.resources.get(ri).map(|r| Principal {
                arn: r.arn.clone(),
                kind: r.kind.clone(),
                region: r.region.clone(),
            }),
            ..Default::default()
        }
    }

    /// `c`: the ARN of the selection (a finding's primary resource).
    pub fn copy_arn(&self, data: &Dataset) -> Reaction {
        if let Some(i) = self.finding {
            return match data.findings.get(i).and_then(|f| f.primary_resource()) {
                Some(r) => Reaction::copy(r.arn.clone(), Status::info(format!("copied {}", r.arn))),
                None => Reaction::status(Status::warn("this finding names no resource")),
            };
        }
        match &self.principal {
            Some(p) => Reaction::copy(p.arn.clone(), Status::info(format!("copied {}", p.arn))),
            None => Reaction::default(),
        }
    }

    /// `b`: the AWS console URL of the selection.
    pub fn console_url(&self, data: &Dataset) -> Reaction {
        let copied =
            |u: String| Reaction::copy(u.clone(), Status::info(format!("console URL copied: {u}")));
        if let Some(i) = self.finding {
            return match data.findings.get(i).map(console::finding_url) {
                Some(Ok(u)) => copied(u),
                Some(Err(why)) => Reaction::status(Status::warn(why)),
                None => Reaction::status(Status::warn("no console page for this finding")),
            };
        }
        match &self.principal {
            Some(p) => match console::resource_url(&p.arn, &p.kind, p.region.as_deref()) {
                Ok(u) => copied(u),
                Err(why) => Reaction::status(Status::warn(why)),
            },
            None => Reaction::default(),
        }
    }
}
