//! AWS console URLs for resources and findings (the `b` key).
use crate::model::{Finding, Source};

/// The console page of a resource, when its type has one.
pub fn resource_url(arn: &str, kind: &str, region: Option<&str>) -> Option<String> {
    let name = arn.rsplit('/').next().unwrap_or(arn);
    let region = region.unwrap_or("us-east-1");
    let url = match kind {
        "AwsIamUser" => format!("https://console.aws.amazon.com/iam/home#/users/details/{name}"),
        "AwsIamRole" => format!("https://console.aws.amazon.com/iam/home#/roles/details/{name}"),
        "AwsIamGroup" => format!("https://console.aws.amazon.com/iam/home#/groups/details/{name}"),
        "AwsIamPolicy" => format!(
            "https://console.aws.amazon.com/iam/home#/policies/details/{}",
            encode(arn)
        ),
        "AwsIamAccessKey" | "AwsAccount" => {
            "https://console.aws.amazon.com/iam/home#/security_credentials".into()
        }
        "AwsS3Bucket" => {
            let bucket = arn.trim_start_matches("arn:aws:s3:::");
            format!("https://s3.console.aws.amazon.com/s3/buckets/{bucket}")
        }
        "AwsEc2SecurityGroup" => format!(
            "https://{region}.console.aws.amazon.com/ec2/home?region={region}#SecurityGroup:groupId={name}"
        ),
        "AwsEc2Instance" => format!(
            "https://{region}.console.aws.amazon.com/ec2/home?region={region}#InstanceDetails:instanceId={name}"
        ),
        "AwsKmsKey" => format!(
            "https://{region}.console.aws.amazon.com/kms/home?region={region}#/kms/keys/{name}"
        ),
        "AwsLambdaFunction" => {
            let f = arn.rsplit(':').next().unwrap_or(arn);
            format!(
                "https://{region}.console.aws.amazon.com/lambda/home?region={region}#/functions/{f}"
            )
        }
        _ => return None,
    };
    Some(url)
}

/// The finding's own page in its service's console.
pub fn finding_url(f: &Finding) -> Option<String> {
    let rec = f.records.first()?;
    let region = &f.region;
    match f.source {
        Source::GuardDuty => Some(format!(
            "https://{region}.console.aws.amazon.com/guardduty/home?region={region}#/findings?macros=current&fId={}",
            rec.id
        )),
        Source::SecurityHub => Some(format!(
            "https://{region}.console.aws.amazon.com/securityhub/home?region={region}#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A{}",
            encode(&rec.id)
        )),
        Source::AccessAnalyzer => Some(format!(
            "https://{region}.console.aws.amazon.com/access-analyzer/home?region={region}#/findings"
        )),
        Source::Posture => {
            let r = f.primary_resource()?;
            resource_url(&r.arn, &r.kind, r.region.as_deref())
        }
    }
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
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
        assert!(resource_url("x", "AwsUnknownThing", None).is_none());
    }

    #[test]
    fn policy_arn_is_encoded() {
        let u = resource_url("arn:aws:iam::1:policy/A B", "AwsIamPolicy", None).unwrap();
        assert!(
            u.ends_with("arn%3Aaws%3Aiam%3A%3A1%3Apolicy%2FA%20B"),
            "{u}"
        );
    }
}
