//! AWS console URLs for resources and findings (the `b` key).
//!
//! The region, names and ids come from findings, so an attacker can write them: a region
//! goes into the host name only if it has the shape of an AWS region
//! (`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`; commercial, GovCloud and China partitions), every name and
//! id is percent-encoded, and anything else gets no URL and a reason instead.
use crate::model::{Finding, Source};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but the RFC 3986 unreserved characters is encoded, `/`, `#`, `?`, `@` and `:`
/// included: a value can never leave its path segment or fragment parameter.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Whether `region` has the shape of an AWS region name: two letters, one or more lowercase
/// words, a number of one or two digits (`us-east-1`, `us-gov-west-1`, `cn-north-1`).
pub fn valid_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return false;
    };
    first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !middle.is_empty()
        && middle
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// The console host for a region (`None` global), or why there is none.
fn host(region: Option<&str>) -> Result<String, String> {
    let Some(r) = region else {
        return Ok("console.aws.amazon.com".into());
    };
    if !valid_region(r) {
        return Err(format!(
            "no console URL: {:?} is not an AWS region name",
            crate::sanitize::line(r)
        ));
    }
    if r.starts_with("us-gov-") {
        Ok(format!("{r}.console.amazonaws-us-gov.com"))
    } else if r.starts_with("cn-") {
        Ok(format!("{r}.console.amazonaws.cn"))
    } else if r.starts_with("us-iso") || r.starts_with("eu-isoe") {
        Err(format!(
            "no console URL: {r} is an isolated region without a public console"
        ))
    } else {
        Ok(format!("{r}.console.aws.amazon.com"))
    }
}

/// The console page of a resource, or why there is none.
pub fn resource_url(arn: &str, kind: &str, region: Option<&str>) -> Result<String, String> {
    let name = encode(arn.rsplit('/').next().unwrap_or(arn));
    let region = region.unwrap_or("us-east-1");
    let regional = |path: &str| -> Result<String, String> {
        Ok(format!("https://{}/{path}", host(Some(region))?))
    };
    let global = host(None)?;
    Ok(match kind {
        "AwsIamUser" => format!("https://{global}/iam/home#/users/details/{name}"),
        "AwsIamRole" => format!("https://{global}/iam/home#/roles/details/{name}"),
        "AwsIamGroup" => format!("https://{global}/iam/home#/groups/details/{name}"),
        "AwsIamPolicy" => format!(
            "https://{global}/iam/home#/policies/details/{}",
            encode(arn)
        ),
        "AwsIamAccessKey" | "AwsAccount" => {
            format!("https://{global}/iam/home#/security_credentials")
        }
        "AwsS3Bucket" => {
            let bucket = encode(arn.trim_start_matches("arn:aws:s3:::"));
            format!("https://s3.console.aws.amazon.com/s3/buckets/{bucket}")
        }
        "AwsEc2SecurityGroup" => regional(&format!(
            "ec2/home?region={region}#SecurityGroup:groupId={name}"
        ))?,
        "AwsEc2Instance" => regional(&format!(
            "ec2/home?region={region}#InstanceDetails:instanceId={name}"
        ))?,
        "AwsKmsKey" => regional(&format!("kms/home?region={region}#/kms/keys/{name}"))?,
        "AwsLambdaFunction" => {
            let f = encode(arn.rsplit(':').next().unwrap_or(arn));
            regional(&format!("lambda/home?region={region}#/functions/{f}"))?
        }
        other => {
            return Err(format!(
                "no console page known for {}",
                crate::sanitize::line(other)
            ));
        }
    })
}

/// The finding's own page in its service's console, or why there is none.
pub fn finding_url(f: &Finding) -> Result<String, String> {
    let rec = f
        .records
        .first()
        .ok_or_else(|| "no console page for this finding".to_string())?;
    let region = f.region.as_str();
    let page = |path: String| -> Result<String, String> {
        Ok(format!("https://{}/{path}", host(Some(region))?))
    };
    match f.source {
        Source::GuardDuty => page(format!(
            "guardduty/home?region={region}#/findings?macros=current&fId={}",
            encode(&rec.id)
        )),
        Source::SecurityHub => page(format!(
            "securityhub/home?region={region}#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A{}",
            encode(&rec.id)
        )),
        Source::AccessAnalyzer => page(format!("access-analyzer/home?region={region}#/findings")),
        Source::Posture => {
            let r = f
                .primary_resource()
                .ok_or_else(|| "this finding names no resource".to_string())?;
            resource_url(&r.arn, &r.kind, r.region.as_deref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_and_bucket_urls() {
        assert_eq!(
            resource_url(
                "arn:aws:iam::111122223333:user/ci-deploy",
                "AwsIamUser",
                None
            )
            .unwrap(),
            "https://console.aws.amazon.com/iam/home#/users/details/ci-deploy"
        );
        assert_eq!(
            resource_url("arn:aws:s3:::acme-logs", "AwsS3Bucket", Some("eu-west-1")).unwrap(),
            "https://s3.console.aws.amazon.com/s3/buckets/acme-logs"
        );
        assert!(resource_url("x", "AwsUnknownThing", None).is_err());
    }

    #[test]
    fn policy_arn_is_encoded() {
        let u = resource_url("arn:aws:iam::1:policy/A B", "AwsIamPolicy", None).unwrap();
        assert!(
            u.ends_with("arn%3Aaws%3Aiam%3A%3A1%3Apolicy%2FA%20B"),
            "{u}"
        );
    }

    #[test]
    fn region_names_are_checked() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-11",
            "us-gov-west-1",
            "cn-north-1",
        ] {
            assert!(valid_region(ok), "{ok}");
        }
        for bad in [
            "evil.example/x#",
            "US-EAST-1",
            "us-east-",
            "us-east-123",
            "useast1",
            "us-1",
            "us--east-1",
            "u-east-1",
            "us-east-1.evil.example",
            "",
        ] {
            assert!(!valid_region(bad), "{bad}");
        }
    }

    #[test]
    fn a_hostile_region_gets_no_url_and_a_reason() {
        let err = resource_url(
            "arn:aws:ec2:us-east-1:1:security-group/sg-1",
            "AwsEc2SecurityGroup",
            Some("evil.example/x#"),
        )
        .unwrap_err();
        assert!(err.contains("not an AWS region name"), "{err}");
        let u = resource_url(
            "arn:aws:ec2:eu-west-1:1:security-group/sg-1",
            "AwsEc2SecurityGroup",
            Some("eu-west-1"),
        )
        .unwrap();
        assert!(
            u.starts_with("https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#"),
            "{u}"
        );
        let gov = resource_url(
            "arn:aws-us-gov:kms:us-gov-west-1:1:key/k",
            "AwsKmsKey",
            Some("us-gov-west-1"),
        )
        .unwrap();
        assert!(
            gov.starts_with("https://us-gov-west-1.console.amazonaws-us-gov.com/"),
            "{gov}"
        );
    }

    #[test]
    fn names_and_ids_cannot_leave_their_component() {
        let u = resource_url(
            "arn:aws:iam::1:user/x#@evil.example?a=b",
            "AwsIamUser",
            None,
        )
        .unwrap();
        // The user name is `x#@evil.example?a=b` after the last `/`: encoded whole.
        assert_eq!(
            u,
            "https://console.aws.amazon.com/iam/home#/users/details/x%23%40evil.example%3Fa%3Db"
        );
        let b = resource_url("arn:aws:s3:::a/../b", "AwsS3Bucket", None).unwrap();
        assert_eq!(b, "https://s3.console.aws.amazon.com/s3/buckets/a%2F..%2Fb");
    }
}
