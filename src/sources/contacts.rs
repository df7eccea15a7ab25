//! The account's security contact (account:GetAlternateContact, SECURITY), read once per load
//! from the Account API's home region. "Not set" is AWS's ResourceNotFoundException, a fact;
//! any other failure leaves it unknown.

use super::{Progress, describe_error};
use crate::model::SourceProblem;
use crate::model::account::{AlternateContacts, Contact};
use aws_config::SdkConfig;
use aws_sdk_account::types::AlternateContactType;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

pub const SOURCE: &str = "account";

pub struct ContactsResult {
    pub contacts: Option<AlternateContacts>,
    pub problems: Vec<SourceProblem>,
}

pub async fn load(conf: &SdkConfig, p: &Progress) -> ContactsResult {
    let watch = super::ThrottleWatch::new(SOURCE, None, p);
    let client = super::aws::client!(aws_sdk_account, conf, watch);
    match Box::pin(
        client
            .get_alternate_contact()
            .alternate_contact_type(AlternateContactType::Security)
            .send(),
    )
    .await
    {
        Ok(o) => ContactsResult {
            contacts: Some(AlternateContacts {
                security: o.alternate_contact().map(|c| Contact {
                    name: c.name().unwrap_or_default().to_string(),
                    email: c.email_address().unwrap_or_default().to_string(),
                }),
            }),
            problems: Vec::new(),
        },
        Err(e) if e.code() == Some("ResourceNotFoundException") => ContactsResult {
            contacts: Some(AlternateContacts { security: None }),
            problems: Vec::new(),
        },
        Err(e) => {
            let message = describe_error("account:GetAlternateContact", &e);
            tracing::warn!(source = SOURCE, %message, "source problem");
            ContactsResult {
                contacts: None,
                problems: vec![SourceProblem {
                    source: SOURCE.into(),
                    region: None,
                    message,
                }],
            }
        }
    }
}
