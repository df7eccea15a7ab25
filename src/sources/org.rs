//! AWS Organizations, read from the management or a delegated-administrator account: the
//! accounts, where each sits (OU path) and the service control policies on the way down.
//!
//! Calls: DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent and
//! ListAccountsForParent (per parent, every page), and when SCPs are enabled ListPolicies
//! (SERVICE_CONTROL_POLICY), DescribePolicy and ListTargetsForPolicy (each SCP once).
//! Per-target calls run at most [`CONCURRENCY`] at a time.

use super::describe_error;
use crate::model::org::{AccountRef, OrgAccount, OrgMembership, Organization, Scp, ScpLevel};
use aws_config::SdkConfig;
use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus};
use std::collections::HashMap;
use std::sync::Arc;

pub const SOURCE: &str = "organizations";
/// Organizations' API allows a few calls per second per account: more in flight only throttles.
pub const CONCURRENCY: usize = 4;

/// The organization with its SCPs, as read.
#[derive(Debug, Clone, Default)]
pub struct OrgRead {
    pub org: Option<Organization>,
    /// Target (root, OU or account id) -> the SCP ids attached there.
    pub attachments: HashMap<String, Vec<String>>,
    pub policies: HashMap<String, Scp>,
    /// OU and root names by id, for the SCP levels' labels.
    pub names: HashMap<String, String>,
    /// Why SCPs are not known (`None`: read, or not enabled).
    pub scp_error: Option<String>,
}

impl OrgRead {
    /// Where `account` sits, with the SCPs of its chain: what its analysis needs.
    pub fn membership(&self, account: &OrgAccount) -> OrgMembership {
        let org = self.org.as_ref();
        let scps = match (org, &self.scp_error) {
            (Some(o), None) if o.scp_enabled && !account.chain.is_empty() => Some(
                account
                    .chain
                    .iter()
                    .map(|target| ScpLevel {
                        target: target.clone(),
                        name: self.names.get(target).cloned().unwrap_or_else(|| {
                            if *target == account.id {
                                account.name.clone()
                            } else {
                                target.clone()
                            }
                        }),
                        policies: self
                            .attachments
                            .get(target)
                            .into_iter()
                            .flatten()
                            .filter_map(|id| self.policies.get(id).cloned())
                            .collect(),
                    })
                    .collect(),
            ),
            _ => None,
        };
        OrgMembership {
            organization_id: org.and_then(|o| o.id.clone()),
            management_account: org.and_then(|o| o.management_account.clone()),
            ou_path: account.ou_path.clone(),
            accounts: org
                .map(|o| {
                    o.accounts
                        .iter()
                        .map(|a| AccountRef {
                            id: a.id.clone(),
                            name: a.name.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            scps,
            scp_error: self.scp_error.clone(),
        }
    }
}

/// Runs `f` over `items`, at most `limit` at a time, keeping the input order.
async fn bounded<T, R, F, Fut>(items: Vec<T>, limit: usize, f: F) -> Vec<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = R> + Send + 'static,
{
    let gate = Arc::new(tokio::sync::Semaphore::new(limit.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let fut = f(item);
        let gate = gate.clone();
        set.spawn(async move {
            let _permit = gate.acquire_owned().await;
            (i, fut.await)
        });
    }
    let mut out: Vec<(usize, R)> = Vec::new();
    while let Some(r) = set.join_next().await {
        if let Ok(r) = r {
            out.push(r);
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Reads the organization. `Err` when it cannot be listed at all (not a member, not the
/// management or a delegated-administrator account, denied): the caller falls back to the
/// config's account list or stops.
pub async fn read(conf: &SdkConfig) -> Result<OrgRead, String> {
    let client = super::aws::client!(aws_sdk_organizations, conf);
    let described = Box::pin(client.describe_organization().send())
        .await
        .map_err(|e| describe_error("organizations:DescribeOrganization", &e))?;
    let o = described.organization();
    let org_id = o.and_then(|o| o.id()).map(str::to_string);
    let management = o.and_then(|o| o.master_account_id()).map(str::to_string);

    let roots = Box::pin(client.list_roots().send())
        .await
        .map_err(|e| describe_error("organizations:ListRoots", &e))?;
    let mut names: HashMap<String, String> = HashMap::new();
    // OU (or root) id -> parent id.
    let mut parent_of: HashMap<String, String> = HashMap::new();
    let mut scp_enabled = false;
    let mut frontier: Vec<String> = Vec::new();
    for r in roots.roots() {
        let Some(id) = r.id() else { continue };
        names.insert(id.to_string(), r.name().unwrap_or("Root").to_string());
        scp_enabled |= r.policy_types().iter().any(|t| {
            t.r#type() == Some(&PolicyType::ServiceControlPolicy)
                && t.status() == Some(&PolicyTypeStatus::Enabled)
        });
        frontier.push(id.to_string());
    }
    // The OU tree, level by level.
    while !frontier.is_empty() {
        let c = client.clone();
        let levels = bounded(frontier.clone(), CONCURRENCY, move |parent: String| {
            let c = c.clone();
            async move {
                let mut ous = Vec::new();
                let mut token = None;
                loop {
                    let page = Box::pin(
                        c.list_organizational_units_for_parent()
                            .parent_id(&parent)
                            .set_next_token(token)
                            .send(),
                    )
                    .await
                    .map_err(|e| {
                        describe_error("organizations:ListOrganizationalUnitsForParent", &e)
                    })?;
                    for ou in page.organizational_units() {
                        if let Some(id) = ou.id() {
                            ous.push((id.to_string(), ou.name().unwrap_or(id).to_string()));
                        }
                    }
                    token = page.next_token().map(str::to_string);
                    if token.is_none() {
                        break;
                    }
                }
                Ok::<_, String>((parent, ous))
            }
        })
        .await;
        frontier.clear();
        for level in levels {
            let (parent, ous) = level?;
            for (id, name) in ous {
                names.insert(id.clone(), name);
                parent_of.insert(id.clone(), parent.clone());
                frontier.push(id);
            }
        }
    }

    // Every parent's accounts (root and each OU, every page): the accounts and where each
    // sits in a few calls per OU, not a ListParents call per account.
    let parents: Vec<String> = names.keys().cloned().collect();
    let c = client.clone();
    let listed = bounded(parents, CONCURRENCY, move |parent: String| {
        let c = c.clone();
        async move {
            let mut out = Vec::new();
            let mut token = None;
            loop {
                let page = Box::pin(
                    c.list_accounts_for_parent()
                        .parent_id(&parent)
                        .set_next_token(token)
                        .send(),
                )
                .await
                .map_err(|e| describe_error("organizations:ListAccountsForParent", &e))?;
                for a in page.accounts() {
                    let Some(id) = a.id() else { continue };
                    let status = a
                        .state()
                        .map(|s| s.as_str().to_string())
                        .or_else(|| a.status().map(|s| s.as_str().to_string()))
                        .unwrap_or_default();
                    out.push((
                        id.to_string(),
                        a.name().unwrap_or_default().to_string(),
                        status,
                        parent.clone(),
                    ));
                }
                token = page.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
            Ok::<_, String>(out)
        }
    })
    .await;
    let mut found = Vec::new();
    for l in listed {
        found.extend(l?);
    }
    let mut accounts = Vec::new();
    for (id, name, status, parent) in found {
        let parent = Some(parent);
        // Root first: walk up, then reverse.
        let mut chain = Vec::new();
        let mut at = parent;
        while let Some(p) = at {
            if chain.contains(&p) {
                break; // a cycle would be the service's bug; never loop on it
            }
            at = parent_of.get(&p).cloned();
            chain.push(p);
        }
        chain.reverse();
        let ou_path = chain
            .iter()
            .map(|t| names.get(t).map_or(t.as_str(), String::as_str))
            .collect::<Vec<_>>()
            .join("/");
        chain.push(id.clone());
        accounts.push(OrgAccount {
            id,
            name,
            status,
            ou_path,
            chain,
        });
    }
    accounts.sort_by(|a, b| a.id.cmp(&b.id));

    let mut read = OrgRead {
        org: Some(Organization {
            id: org_id,
            management_account: management,
            accounts,
            scp_enabled,
        }),
        names,
        ..OrgRead::default()
    };
    if scp_enabled && let Err(e) = Box::pin(read_scps(&client, &mut read)).await {
        read.scp_error = Some(e);
    }
    Ok(read)
}

/// Every SCP (ListPolicies), its document (DescribePolicy) and where it is attached
/// (ListTargetsForPolicy): calls per policy, not per account, so a large organization with few
/// SCPs costs a few calls.
async fn read_scps(
    client: &aws_sdk_organizations::Client,
    read: &mut OrgRead,
) -> Result<(), String> {
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let page = Box::pin(
            client
                .list_policies()
                .filter(PolicyType::ServiceControlPolicy)
                .set_next_token(token)
                .send(),
        )
        .await
        .map_err(|e| describe_error("organizations:ListPolicies", &e))?;
        ids.extend(
            page.policies()
                .iter()
                .filter_map(|p| p.id())
                .map(str::to_string),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let c = client.clone();
    let described = bounded(ids, CONCURRENCY, move |id: String| {
        let c = c.clone();
        async move {
            let out = Box::pin(c.describe_policy().policy_id(&id).send())
                .await
                .map_err(|e| describe_error("organizations:DescribePolicy", &e))?;
            let p = out.policy();
            let name = p
                .and_then(|p| p.policy_summary())
                .and_then(|s| s.name())
                .unwrap_or(&id)
                .to_string();
            let text = p.and_then(|p| p.content()).unwrap_or_default();
            // An unparseable document is kept as text: the SCP bound then treats it as
            // allowing everything rather than guessing.
            let document = serde_json::from_str(text)
                .unwrap_or_else(|_| serde_json::Value::String(text.to_string()));
            let mut targets = Vec::new();
            let mut token = None;
            loop {
                let page = Box::pin(
                    c.list_targets_for_policy()
                        .policy_id(&id)
                        .set_next_token(token)
                        .send(),
                )
                .await
                .map_err(|e| describe_error("organizations:ListTargetsForPolicy", &e))?;
                targets.extend(
                    page.targets()
                        .iter()
                        .filter_map(|t| t.target_id())
                        .map(str::to_string),
                );
                token = page.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
            Ok::<_, String>((Scp { id, name, document }, targets))
        }
    })
    .await;
    for d in described {
        let (scp, targets) = d?;
        for t in targets {
            read.attachments.entry(t).or_default().push(scp.id.clone());
        }
        read.policies.insert(scp.id.clone(), scp);
    }
    // Policy order is stable: the order the policies were listed in.
    for ids in read.attachments.values_mut() {
        ids.sort();
    }
    Ok(())
}

/// The organization from the config file's account list (no Organizations access): accounts
/// only, no OU paths, no SCPs.
pub fn from_list(ids: &[String]) -> OrgRead {
    OrgRead {
        org: Some(Organization {
            id: None,
            management_account: None,
            accounts: ids
                .iter()
                .map(|id| OrgAccount {
                    id: id.clone(),
                    name: String::new(),
                    status: "ACTIVE".into(),
                    ou_path: String::new(),
                    chain: Vec::new(),
                })
                .collect(),
            scp_enabled: false,
        }),
        ..OrgRead::default()
    }
}

/// The finding services AWS aggregates for an organization, with their service principals.
pub const AGGREGATED: &[(&str, &str)] = &[
    (super::securityhub::SOURCE, "securityhub.amazonaws.com"),
    (super::guardduty::SOURCE, "guardduty.amazonaws.com"),
    (
        super::access_analyzer::SOURCE,
        "access-analyzer.amazonaws.com",
    ),
];

/// The delegated administrator of each aggregated finding service
/// (organizations:ListDelegatedAdministrators): `(source, account)`. A service without one is
/// left out (its findings are then read in each account). `Err`: the organization cannot say
/// (not the management account or a delegated administrator of Organizations).
pub async fn delegated_admins(conf: &SdkConfig) -> Result<Vec<(&'static str, String)>, String> {
    let client = super::aws::client!(aws_sdk_organizations, conf);
    let mut out = Vec::new();
    for (source, principal) in AGGREGATED {
        let page = Box::pin(
            client
                .list_delegated_administrators()
                .service_principal(*principal)
                .send(),
        )
        .await
        .map_err(|e| describe_error("organizations:ListDelegatedAdministrators", &e))?;
        let active = page
            .delegated_administrators()
            .iter()
            .find(|a| a.status().is_none_or(|s| s.as_str() == "ACTIVE"))
            .and_then(|a| a.id());
        if let Some(id) = active {
            out.push((*source, id.to_string()));
        }
    }
    Ok(out)
}
