#!/usr/bin/env python3
"""Generates data/demo-snapshot.json: the embedded demo account "acme-prod".

Deterministic (fixed seed, no clock, no network, standard library only): running it twice
gives byte-identical output. Usage, from the repository root:

    python3 tools/gen_demo.py            # writes data/demo-snapshot.json
    python3 tools/gen_demo.py --check    # exits 1 if the committed file is out of date

Every record is shaped like the API output guardpost stores in a snapshot (docs/snapshot-format.md):
Security Hub GetFindings (ASFF), GuardDuty GetFindings (REST wire shape, camelCase), IAM Access
Analyzer ListAnalyzers / GetFindingV2, and the IAM inventory (IAM API field names).

The account's story (what is deliberately wrong) is told in docs/snapshot-format.md. No secret
access key appears anywhere: only access key ids (AKIA.../ASIA...), which are not secrets.
"""

import hashlib
import json
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 20261120
R = random.Random(SEED)

NOW = datetime(2026, 11, 20, 9, 0, 0, tzinfo=timezone.utc)
ACCT = "111122223333"
ALIAS = "acme-prod"
PARTNER = "444455556666"  # Globex, the migration partner
MGMT = "999988887777"  # the AWS Organizations management account
SECTOOLS = "777788889999"  # the security tooling account
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
SH_REGIONS = ["us-east-1", "eu-west-1"]  # Security Hub is not enabled in ap-southeast-2

# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def cr_time(dt):
    """Credential report time format."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def ago(days=0, hours=0, minutes=0, seconds=0):
    return NOW - timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def at(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def jitter(dt, max_seconds=3600):
    """dt plus a random offset (and random milliseconds)."""
    return dt + timedelta(seconds=R.randint(0, max_seconds), milliseconds=R.randint(0, 999))


def rand_between(days_hi, days_lo):
    """A random time between days_hi and days_lo days before capture."""
    lo = int(days_lo * 86400)
    hi = int(days_hi * 86400)
    return NOW - timedelta(seconds=R.randint(lo, hi), milliseconds=R.randint(0, 999))


def hexid(n):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))


def awsid(prefix, n):
    """IAM unique ids / access key ids: prefix + uppercase base32-like characters."""
    return prefix + "".join(R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))


def uuid4():
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    s = {"Effect": "Allow", "Action": action, "Resource": resource}
    s.update(extra)
    return s


# ----------------------------------------------------------------------------------------------
# IAM inventory
# ----------------------------------------------------------------------------------------------

ACCOUNT_CREATED = at("2019-06-03T10:15:42Z")


def aws_policy(name, path, version, created, updated, document, description):
    return {
        "name": name,
        "arn": f"arn:aws:iam::aws:policy{path}{name}",
        "path": path,
        "version": version,
        "created": created,
        "updated": updated,
        "document": document,
        "description": description,
    }


AWS_POLICIES = [
    aws_policy("AdministratorAccess", "/", "v1", at("2015-02-06T18:39:46Z"), at("2015-02-06T18:39:46Z"),
               doc(allow("*")), "Provides full access to AWS services and resources."),
    aws_policy("ReadOnlyAccess", "/", "v122", at("2015-02-06T18:39:48Z"), at("2026-10-08T17:22:10Z"),
               doc(allow(["a4b:Get*", "a4b:List*", "acm:Describe*", "acm:Get*", "acm:List*",
                          "cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*",
                          "cloudtrail:LookupEvents", "ec2:Describe*", "ec2:Get*", "iam:Generate*",
                          "iam:Get*", "iam:List*", "iam:Simulate*", "kms:Describe*", "kms:Get*",
                          "kms:List*", "lambda:Get*", "lambda:List*", "rds:Describe*",
                          "rds:List*", "s3:Describe*", "s3:Get*", "s3:List*",
                          "secretsmanager:Describe*", "secretsmanager:List*", "sqs:Get*",
                          "sqs:List*"])),
               "Provides read-only access to AWS services and resources. (Document abbreviated in the demo.)"),
    aws_policy("SecurityAudit", "/", "v46", at("2015-02-06T18:41:01Z"), at("2026-09-17T20:41:55Z"),
               doc(allow(["access-analyzer:Get*", "access-analyzer:List*", "cloudtrail:Describe*",
                          "cloudtrail:Get*", "config:Describe*", "config:Get*", "ec2:Describe*",
                          "guardduty:Get*", "guardduty:List*", "iam:GenerateCredentialReport",
                          "iam:Get*", "iam:List*", "kms:Describe*", "kms:List*",
                          "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock",
                          "securityhub:Describe*", "securityhub:Get*", "securityhub:List*"])),
               "The security audit template grants access to read security configuration metadata. (Document abbreviated in the demo.)"),
    aws_policy("AWSSupportAccess", "/", "v1", at("2015-02-06T18:41:11Z"), at("2015-02-06T18:41:11Z"),
               doc(allow(["support:*"])), "Allow users to access the AWS Support Center."),
    aws_policy("AWSCloudShellFullAccess", "/", "v1", at("2020-12-15T17:49:27Z"), at("2020-12-15T17:49:27Z"),
               doc(allow(["cloudshell:*"])), "Grants full access to AWS CloudShell"),
    aws_policy("AmazonS3FullAccess", "/", "v2", at("2015-02-06T18:40:58Z"), at("2021-09-27T20:16:37Z"),
               doc(allow(["s3:*", "s3-object-lambda:*"])), "Provides full access to all buckets via the AWS Management Console."),
    aws_policy("AmazonS3ReadOnlyAccess", "/", "v3", at("2015-02-06T18:40:59Z"), at("2023-08-10T21:31:39Z"),
               doc(allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*",
                          "s3-object-lambda:List*"])), "Provides read only access to all buckets via the AWS Management Console."),
    aws_policy("AmazonEC2FullAccess", "/", "v5", at("2015-02-06T18:40:15Z"), at("2018-11-27T02:16:56Z"),
               doc(allow("ec2:*"), allow("elasticloadbalancing:*"), allow("cloudwatch:*"),
                   allow("autoscaling:*"),
                   allow("iam:CreateServiceLinkedRole", Condition={"StringEquals": {"iam:AWSServiceName": [
                       "autoscaling.amazonaws.com", "ec2scheduled.amazonaws.com",
                       "elasticloadbalancing.amazonaws.com", "spot.amazonaws.com",
                       "spotfleet.amazonaws.com", "transitgateway.amazonaws.com"]}})),
               "Provides full access to Amazon EC2 via the AWS Management Console."),
    aws_policy("AWSLambdaBasicExecutionRole", "/service-role/", "v1", at("2015-04-09T15:03:43Z"), at("2015-04-09T15:03:43Z"),
               doc(allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"])),
               "Provides write permissions to CloudWatch Logs."),
    aws_policy("AWS_ConfigRole", "/service-role/", "v41", at("2020-09-14T17:50:05Z"), at("2026-08-21T16:05:10Z"),
               doc(allow(["cloudtrail:DescribeTrails", "ec2:Describe*", "iam:GetAccountAuthorizationDetails",
                          "iam:GetAccountPasswordPolicy", "iam:GetPolicy", "iam:GetRole",
                          "kms:DescribeKey", "rds:Describe*", "s3:GetBucketAcl",
                          "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock"])),
               "Allows access to AWS services which AWS Config supports. (Document abbreviated in the demo.)"),
    aws_policy("AWSSecurityHubServiceRolePolicy", "/aws-service-role/", "v19", at("2018-11-27T23:47:51Z"), at("2026-06-13T18:31:02Z"),
               doc(allow(["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "config:PutConfigRule",
                          "config:DeleteConfigRule", "config:GetComplianceDetailsByConfigRule",
                          "iam:GetCredentialReport", "iam:GenerateCredentialReport"])),
               "AWS Security Hub service-linked role policy. (Document abbreviated in the demo.)"),
    aws_policy("AmazonGuardDutyServiceRolePolicy", "/aws-service-role/", "v14", at("2017-11-28T20:12:59Z"), at("2026-05-20T17:40:00Z"),
               doc(allow(["ec2:DescribeInstances", "ec2:DescribeImages", "ec2:DescribeVpcEndpoints",
                          "organizations:DescribeAccount", "s3:GetBucketPublicAccessBlock",
                          "s3:ListAllMyBuckets"])),
               "Enables access to AWS resources used or managed by Amazon GuardDuty. (Document abbreviated in the demo.)"),
    aws_policy("AccessAnalyzerServiceRolePolicy", "/aws-service-role/", "v22", at("2019-12-02T17:13:35Z"), at("2026-03-28T21:09:41Z"),
               doc(allow(["iam:GetRole", "iam:ListRoles", "kms:GetKeyPolicy", "kms:ListKeys",
                          "s3:GetBucketPolicy", "s3:GetBucketAcl", "sqs:GetQueueAttributes",
                          "secretsmanager:GetResourcePolicy", "lambda:GetPolicy"])),
               "Allows Access Analyzer to analyze resource metadata. (Document abbreviated in the demo.)"),
    aws_policy("AWSSupportServiceRolePolicy", "/aws-service-role/", "v29", at("2018-04-19T18:04:44Z"), at("2026-02-10T19:22:31Z"),
               doc(allow(["support:*"]), allow(["ec2:Describe*", "iam:GetAccountSummary"])),
               "Enables resource access for AWS to provide billing, administrative and support services. (Document abbreviated in the demo.)"),
]
AWS_POLICY = {p["name"]: p for p in AWS_POLICIES}

CUSTOMER_POLICIES = [
    {
        "name": "AcmeFullAccess",
        "created": at("2020-04-17T13:02:51Z"), "updated": at("2022-11-03T08:44:12Z"), "version": "v3",
        "description": "Developer access (grown over time)",
        "document": doc({"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"}),
    },
    {
        "name": "AcmePolicyManager",
        "created": at("2023-02-20T15:31:07Z"), "updated": at("2023-02-20T15:31:07Z"), "version": "v1",
        "description": "Lets the data team maintain their own managed policies",
        "document": doc({"Sid": "ManagePolicies", "Effect": "Allow",
                         "Action": ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
                                    "iam:DeletePolicyVersion", "iam:ListPolicyVersions", "iam:GetPolicyVersion"],
                         "Resource": f"arn:aws:iam::{ACCT}:policy/*"}),
    },
    {
        "name": "AcmeIamSelfService",
        "created": at("2024-03-18T10:05:44Z"), "updated": at("2024-05-02T12:19:30Z"), "version": "v2",
        "description": "Self-service for one's own IAM user",
        "document": doc({"Sid": "SelfService", "Effect": "Allow",
                         "Action": ["iam:Put*", "iam:Get*", "iam:List*", "iam:CreateAccessKey",
                                    "iam:UpdateAccessKey"],
                         "Resource": f"arn:aws:iam::{ACCT}:user/${{aws:username}}"}),
    },
    {
        "name": "AcmeDeployArtifacts",
        "created": at("2025-03-04T09:12:00Z"), "updated": at("2025-03-04T09:12:00Z"), "version": "v1",
        "description": "Deploy the web front end from GitHub Actions",
        "document": doc(allow(["s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
                              ["arn:aws:s3:::acme-public-website", "arn:aws:s3:::acme-public-website/*"]),
                        allow("cloudfront:CreateInvalidation")),
    },
]
CUSTOMER = {p["name"]: p for p in CUSTOMER_POLICIES}
for p in CUSTOMER_POLICIES:
    p["arn"] = f"arn:aws:iam::{ACCT}:policy/{p['name']}"
    p["path"] = "/"


def pol(name):
    p = AWS_POLICY.get(name) or CUSTOMER[name]
    return {"PolicyName": name, "PolicyArn": p["arn"]}


def virtual_mfa(user, enabled):
    return {"SerialNumber": f"arn:aws:iam::{ACCT}:mfa/{user}", "EnableDate": iso(enabled)}


def key(status, created, last_used=None, service=None, region=None):
    return {"id": awsid("AKIA", 16), "status": status, "created": created, "last_used": last_used,
            "service": service, "region": region}


# name, created, tags, groups, attached, inline, keys, mfa, login(created, reset), pw_last_used, pw_changed
USERS = [
    dict(name="alice", created=at("2021-02-11T09:14:03Z"),
         tags=[("owner", "alice@acme.example"), ("team", "platform")], groups=["Admins"],
         attached=[], inline=[],
         keys=[key("Active", jitter(ago(38)), jitter(ago(1)), "sts", "us-east-1")],
         mfa=[virtual_mfa("alice", at("2021-02-11T09:31:40Z"))],
         login=(at("2021-02-11T09:20:15Z"), False), pw_last_used=at("2026-11-20T08:41:12Z"),
         pw_changed=at("2026-08-02T16:03:29Z")),
    dict(name="bob", created=at("2022-05-23T13:40:51Z"),
         tags=[("owner", "bob@acme.example"), ("team", "web")], groups=["Developers"],
         attached=[], inline=[],
         keys=[key("Active", jitter(ago(61)), jitter(ago(3)), "ec2", "us-east-1")],
         mfa=[], login=(at("2022-05-23T13:42:07Z"), False), pw_last_used=at("2026-11-18T06:52:37Z"),
         pw_changed=at("2022-05-23T13:58:14Z")),
    dict(name="carol", created=at("2020-11-30T11:22:09Z"),
         tags=[("owner", "carol@acme.example"), ("team", "data")], groups=[],
         attached=["AmazonEC2FullAccess", "AWSCloudShellFullAccess", "AcmePolicyManager"], inline=[],
         keys=[key("Active", jitter(ago(203)), jitter(ago(6)), "s3", "us-east-1")],
         mfa=[virtual_mfa("carol", at("2020-11-30T11:40:02Z"))],
         login=(at("2020-11-30T11:25:44Z"), False), pw_last_used=at("2026-11-15T10:17:55Z"),
         pw_changed=at("2026-03-09T09:01:12Z")),
    dict(name="dave", created=at("2023-01-09T08:05:33Z"),
         tags=[("owner", "dave@acme.example"), ("team", "security")], groups=["ReadOnly"],
         attached=[], inline=[],
         keys=[key("Active", jitter(ago(44)), jitter(ago(1)), "securityhub", "eu-west-1")],
         mfa=[{"SerialNumber": f"arn:aws:iam::{ACCT}:u2f/user/dave/yubikey-5c-DAVE4KQ2RW7M3XPL5TN8HJ6Y",
               "EnableDate": "2023-01-09T08:22:48Z"}],
         login=(at("2023-01-09T08:07:10Z"), False), pw_last_used=at("2026-11-19T15:33:02Z"),
         pw_changed=at("2026-07-21T07:45:00Z")),
    dict(name="eve", created=at("2024-03-18T09:58:21Z"),
         tags=[("team", "web")], groups=["Developers"],
         attached=["AcmeIamSelfService"], inline=[], keys=[],
         mfa=[virtual_mfa("eve", at("2024-03-18T10:11:05Z"))],
         login=(at("2024-03-18T10:00:02Z"), False), pw_last_used=at("2026-11-11T14:09:26Z"),
         pw_changed=at("2025-09-30T08:12:44Z")),
    dict(name="frank", created=at("2022-09-05T12:31:17Z"),
         tags=[("owner", "frank@acme.example"), ("team", "finance")], groups=["ReadOnly"],
         attached=[], inline=[], keys=[],
         mfa=[virtual_mfa("frank", at("2022-09-05T12:40:59Z"))],
         login=(at("2022-09-05T12:33:40Z"), False), pw_last_used=at("2026-07-10T16:48:03Z"),
         pw_changed=at("2024-01-15T09:20:31Z")),
    dict(name="grace", created=at("2026-11-15T10:02:44Z"),
         tags=[("owner", "grace@acme.example"), ("team", "web")], groups=["Developers"],
         attached=[], inline=[], keys=[], mfa=[],
         login=(at("2026-11-15T10:03:18Z"), True), pw_last_used=None,
         pw_changed=at("2026-11-15T10:03:18Z")),
    dict(name="heidi", created=at("2021-07-19T07:55:02Z"),
         tags=[("owner", "heidi@acme.example"), ("status", "offboarded-2025-05")], groups=["ReadOnly"],
         attached=[], inline=[],
         keys=[key("Inactive", at("2024-06-03T11:20:45Z"), at("2025-04-11T17:02:00Z"), "s3", "us-east-1")],
         mfa=[], login=None, pw_last_used=at("2025-04-30T15:41:19Z"), pw_changed=None),
    dict(name="ci-deploy", created=at("2025-09-28T14:12:37Z"),
         tags=[("owner", "platform-team"), ("purpose", "ci")], groups=[],
         attached=[],
         inline=[("ci-deploy-inline", doc(
             {"Sid": "Artifacts", "Effect": "Allow", "Action": "s3:*",
              "Resource": ["arn:aws:s3:::acme-build-artifacts", "arn:aws:s3:::acme-build-artifacts/*"]},
             {"Sid": "Stacks", "Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"},
             {"Sid": "Deploy", "Effect": "Allow",
              "Action": ["iam:PassRole", "ec2:RunInstances", "lambda:UpdateFunctionCode",
                         "lambda:CreateFunction"], "Resource": "*"}))],
         keys=[key("Active", at("2025-10-04T14:20:09Z"), jitter(ago(2)), "sts", "ap-northeast-3"),
               key("Active", jitter(ago(30)), jitter(ago(0, 1)), "cloudformation", "us-east-1")],
         mfa=[], login=None, pw_last_used=None, pw_changed=None),
    dict(name="legacy-backup", created=at("2022-03-14T16:40:22Z"),
         tags=[("purpose", "nightly-backup")], groups=[],
         attached=["AmazonS3FullAccess"], inline=[],
         keys=[key("Active", at("2022-03-14T16:40:25Z"))],
         mfa=[], login=None, pw_last_used=None, pw_changed=None),
    dict(name="svc-reporting", created=at("2024-01-22T10:30:00Z"),
         tags=[("owner", "data-team")], groups=[], attached=[],
         inline=[("reporting-athena", doc(
             allow(["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"]),
             allow(["s3:GetObject", "s3:ListBucket", "s3:PutObject"],
                   ["arn:aws:s3:::acme-data-lake-raw", "arn:aws:s3:::acme-data-lake-raw/*"])))],
         keys=[key("Active", at("2024-01-22T10:31:12Z"), at("2026-05-04T06:15:00Z"), "athena", "us-east-1")],
         mfa=[], login=None, pw_last_used=None, pw_changed=None),
    dict(name="terraform", created=at("2023-04-02T18:20:11Z"),
         tags=[("owner", "platform-team"), ("purpose", "iac")], groups=[],
         attached=["AdministratorAccess"], inline=[],
         keys=[key("Active", jitter(ago(58)), jitter(ago(0, 3)), "iam", "us-east-1"),
               key("Inactive", jitter(ago(150)), jitter(ago(60)), "s3", "us-east-1")],
         mfa=[], login=None, pw_last_used=None, pw_changed=None),
    dict(name="break-glass-1", created=at("2023-06-12T09:00:14Z"),
         tags=[("guardpost:break-glass", "true"), ("owner", "security-team")], groups=["Admins"],
         attached=[], inline=[], keys=[],
         mfa=[{"SerialNumber": "GAHT10483726", "EnableDate": "2023-06-12T09:14:51Z"}],
         login=(at("2023-06-12T09:02:30Z"), False), pw_last_used=at("2026-06-01T13:05:44Z"),
         pw_changed=at("2026-06-01T13:20:18Z")),
    dict(name="break-glass-2", created=at("2023-06-12T09:03:40Z"),
         tags=[("guardpost:break-glass", "true"), ("owner", "security-team")], groups=["Admins"],
         attached=[], inline=[],
         keys=[key("Active", jitter(ago(150)), jitter(ago(95)), "s3", "us-east-1")],
         mfa=[virtual_mfa("break-glass-2", at("2023-06-12T09:16:27Z"))],
         login=(at("2023-06-12T09:04:55Z"), False), pw_last_used=None,
         pw_changed=at("2023-06-12T09:04:55Z")),
]
for u in USERS:
    u["arn"] = f"arn:aws:iam::{ACCT}:user/{u['name']}"
    u["id"] = awsid("AIDA", 17)
USER = {u["name"]: u for u in USERS}
CI_KEY_OLD = USER["ci-deploy"]["keys"][0]["id"]

GROUPS = [
    dict(name="Admins", created=at("2019-06-03T11:02:10Z"), attached=["AdministratorAccess"], inline=[]),
    dict(name="Developers", created=at("2020-04-17T12:58:03Z"), attached=["AcmeFullAccess"],
         inline=[("deny-billing-and-org", doc({"Effect": "Deny",
                                                "Action": ["aws-portal:*", "organizations:*", "account:*"],
                                                "Resource": "*"}))]),
    dict(name="ReadOnly", created=at("2020-04-17T13:00:40Z"), attached=["ReadOnlyAccess"], inline=[]),
]


def trust(principal, action="sts:AssumeRole", condition=None):
    s = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        s["Condition"] = condition
    return doc(s)


def svc_trust(service):
    return trust({"Service": service})


OIDC = f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"
ROLES = [
    dict(name="ec2-app-role", path="/", created=at("2022-02-01T10:44:19Z"),
         desc="Instance role for the prod web application", trust=svc_trust("ec2.amazonaws.com"),
         tags=[("owner", "web-team")], attached=["AmazonS3ReadOnlyAccess"],
         inline=[("app-runtime", doc(
             allow(["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
                   f"arn:aws:sqs:us-east-1:{ACCT}:partner-orders-inbound"),
             allow("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:prod/*")))],
         last_used=(jitter(ago(0, 0, 5), 60), "us-east-1")),
    dict(name="OrganizationAccountAccessRole", path="/", created=at("2019-06-03T10:15:50Z"), desc=None,
         trust=trust({"AWS": f"arn:aws:iam::{MGMT}:root"}), tags=[], attached=["AdministratorAccess"],
         inline=[], last_used=(jitter(ago(33)), "us-east-1")),
    dict(name="acme-partner-admin", path="/", created=at("2024-10-14T15:27:36Z"),
         desc="Temporary admin for the Globex migration - remove after cutover",
         trust=trust({"AWS": f"arn:aws:iam::{PARTNER}:root"}), tags=[("owner", "carol@acme.example")],
         attached=["AdministratorAccess"], inline=[], last_used=(jitter(ago(4)), "eu-west-1"),
         max_session=43200),
    dict(name="security-audit", path="/", created=at("2022-08-08T08:08:08Z"),
         desc="Read-only audit access for the security tooling account",
         trust=trust({"AWS": f"arn:aws:iam::{SECTOOLS}:root"},
                     condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
         tags=[("owner", "security-team")], attached=["SecurityAudit", "ReadOnlyAccess"], inline=[],
         last_used=(jitter(ago(2)), "us-east-1")),
    dict(name="data-import-role", path="/", created=at("2021-11-02T16:50:27Z"),
         desc="Legacy vendor data import", trust=trust({"AWS": "*"}), tags=[],
         attached=["AmazonS3FullAccess"], inline=[], last_used=(jitter(ago(12)), "us-east-1")),
    dict(name="incident-response", path="/", created=at("2023-06-12T09:30:02Z"),
         desc="Assumed by responders during an incident (MFA required)",
         trust=trust({"AWS": f"arn:aws:iam::{ACCT}:root"},
                     condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
         tags=[("owner", "security-team"), ("purpose", "incident-response")],
         attached=["AdministratorAccess"], inline=[], last_used=None, max_session=3600),
    dict(name="build-runner-role", path="/", created=at("2025-02-11T11:11:40Z"),
         desc="CodeBuild runner for infrastructure builds", trust=svc_trust("codebuild.amazonaws.com"),
         tags=[("owner", "platform-team")], attached=[],
         inline=[("build-runner", doc(
             {"Sid": "Launch", "Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"},
             allow(["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"])))],
         last_used=(jitter(ago(0, 6)), "us-east-1")),
    dict(name="reporting-lambda-exec", path="/service-role/", created=at("2024-01-22T11:02:55Z"),
         desc=None, trust=svc_trust("lambda.amazonaws.com"), tags=[],
         attached=["AWSLambdaBasicExecutionRole"],
         inline=[("read-lake", doc(allow("s3:GetObject", "arn:aws:s3:::acme-data-lake-raw/*")))],
         last_used=(jitter(ago(0, 1)), "us-east-1")),
    dict(name="legacy-etl-role", path="/", created=at("2021-05-06T09:40:12Z"),
         desc="Glue ETL for the old warehouse", trust=svc_trust("glue.amazonaws.com"), tags=[],
         attached=[], inline=[("etl", doc(allow(["s3:*", "glue:*"])))],
         last_used=(at("2026-04-02T03:15:09Z"), "us-east-1")),
    dict(name="config-recorder-role", path="/", created=at("2020-02-19T10:00:31Z"),
         desc="Custom role for the AWS Config recorder", trust=svc_trust("config.amazonaws.com"), tags=[],
         attached=["AWS_ConfigRole"], inline=[], last_used=(jitter(ago(0, 0, 20), 60), "eu-west-1")),
    dict(name="github-actions-deploy", path="/", created=at("2025-03-04T09:15:27Z"),
         desc="Deploys the website from acme/webapp main",
         trust=trust({"Federated": OIDC}, "sts:AssumeRoleWithWebIdentity",
                     {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/webapp:ref:refs/heads/main"}}),
         tags=[("owner", "web-team")], attached=["AcmeDeployArtifacts"], inline=[],
         last_used=(jitter(ago(0, 3)), "us-east-1")),
    dict(name="AWSServiceRoleForSecurityHub", path="/aws-service-role/securityhub.amazonaws.com/",
         created=at("2021-03-01T12:00:44Z"), desc=None, trust=svc_trust("securityhub.amazonaws.com"),
         tags=[], attached=["AWSSecurityHubServiceRolePolicy"], inline=[],
         last_used=(jitter(ago(0, 0, 30), 60), "eu-west-1")),
    dict(name="AWSServiceRoleForAmazonGuardDuty", path="/aws-service-role/guardduty.amazonaws.com/",
         created=at("2021-03-01T11:52:10Z"), desc="A service-linked role required for Amazon GuardDuty to access your resources. ",
         trust=svc_trust("guardduty.amazonaws.com"), tags=[], attached=["AmazonGuardDutyServiceRolePolicy"],
         inline=[], last_used=(jitter(ago(0, 0, 40), 60), "ap-southeast-2")),
    dict(name="AWSServiceRoleForAccessAnalyzer", path="/aws-service-role/access-analyzer.amazonaws.com/",
         created=at("2023-03-02T14:20:01Z"), desc=None, trust=svc_trust("access-analyzer.amazonaws.com"),
         tags=[], attached=["AccessAnalyzerServiceRolePolicy"], inline=[],
         last_used=(jitter(ago(0, 1)), "us-east-1")),
    dict(name="AWSServiceRoleForSupport", path="/aws-service-role/support.amazonaws.com/",
         created=ACCOUNT_CREATED + timedelta(seconds=31), desc="Enables resource access for AWS to provide billing, administrative and support services",
         trust=svc_trust("support.amazonaws.com"), tags=[], attached=["AWSSupportServiceRolePolicy"],
         inline=[], last_used=None),
]
for r in ROLES:
    r["arn"] = f"arn:aws:iam::{ACCT}:role{r['path']}{r['name']}"
    r["id"] = awsid("AROA", 17)
ROLE = {r["name"]: r for r in ROLES}


def tags_json(pairs):
    return [{"Key": k, "Value": v} for k, v in pairs]


def inline_json(pairs):
    return [{"PolicyName": n, "PolicyDocument": d} for n, d in pairs]


def build_iam():
    counts = {}
    for holder in USERS + GROUPS + ROLES:
        for name in holder["attached"]:
            counts[name] = counts.get(name, 0) + 1

    users = []
    for u in USERS:
        j = {
            "UserName": u["name"], "UserId": u["id"], "Arn": u["arn"], "Path": "/",
            "CreateDate": iso(u["created"]),
        }
        if u["pw_last_used"]:
            j["PasswordLastUsed"] = iso(u["pw_last_used"])
        j["Tags"] = tags_json(u["tags"])
        j["GroupList"] = list(u["groups"])
        j["AttachedManagedPolicies"] = [pol(n) for n in u["attached"]]
        j["UserPolicyList"] = inline_json(u["inline"])
        j["AccessKeys"] = []
        for k in u["keys"]:
            kj = {"AccessKeyId": k["id"], "Status": k["status"], "CreateDate": iso(k["created"])}
            if k["last_used"]:
                kj["LastUsed"] = {"LastUsedDate": iso(k["last_used"]), "ServiceName": k["service"],
                                  "Region": k["region"]}
            else:
                kj["LastUsed"] = {"ServiceName": "N/A", "Region": "N/A"}
            j["AccessKeys"].append(kj)
        j["MFADevices"] = list(u["mfa"])
        if u["login"]:
            j["LoginProfile"] = {"CreateDate": iso(u["login"][0]), "PasswordResetRequired": u["login"][1]}
        users.append(j)

    groups = []
    for g in GROUPS:
        groups.append({
            "GroupName": g["name"], "GroupId": awsid("AGPA", 17),
            "Arn": f"arn:aws:iam::{ACCT}:group/{g['name']}", "Path": "/", "CreateDate": iso(g["created"]),
            "AttachedManagedPolicies": [pol(n) for n in g["attached"]],
            "GroupPolicyList": inline_json(g["inline"]),
        })

    roles = []
    for r in ROLES:
        j = {"RoleName": r["name"], "RoleId": r["id"], "Arn": r["arn"], "Path": r["path"],
             "CreateDate": iso(r["created"])}
        if r["desc"]:
            j["Description"] = r["desc"]
        j["MaxSessionDuration"] = r.get("max_session", 3600)
        j["AssumeRolePolicyDocument"] = r["trust"]
        j["Tags"] = tags_json(r["tags"])
        j["AttachedManagedPolicies"] = [pol(n) for n in r["attached"]]
        j["RolePolicyList"] = inline_json(r["inline"])
        if r["last_used"]:
            j["RoleLastUsed"] = {"LastUsedDate": iso(r["last_used"][0]), "Region": r["last_used"][1]}
        else:
            j["RoleLastUsed"] = {}
        roles.append(j)

    policies = []
    for p in AWS_POLICIES + CUSTOMER_POLICIES:
        policies.append({
            "PolicyName": p["name"], "PolicyId": awsid("ANPA", 17), "Arn": p["arn"], "Path": p["path"],
            "DefaultVersionId": p["version"], "AttachmentCount": counts.get(p["name"], 0),
            "IsAttachable": True, "CreateDate": iso(p["created"]), "UpdateDate": iso(p["updated"]),
            "Description": p["description"], "Document": p["document"],
        })

    mfa_devices = sum(len(u["mfa"]) for u in USERS) + 1  # + the root user's virtual device
    summary = {
        "AccessKeysPerUserQuota": 2, "AccountAccessKeysPresent": 0, "AccountMFAEnabled": 1,
        "AccountPasswordPresent": 1, "AccountSigningCertificatesPresent": 0,
        "AssumeRolePolicySizeQuota": 2048, "AttachedPoliciesPerGroupQuota": 10,
        "AttachedPoliciesPerRoleQuota": 10, "AttachedPoliciesPerUserQuota": 10,
        "GlobalEndpointTokenVersion": 1, "GroupPolicySizeQuota": 5120, "Groups": len(GROUPS),
        "GroupsPerUserQuota": 10, "GroupsQuota": 300, "InstanceProfiles": 1,
        "InstanceProfilesQuota": 1000, "MFADevices": mfa_devices, "MFADevicesInUse": mfa_devices,
        "Policies": len(CUSTOMER_POLICIES), "PoliciesQuota": 1500, "PolicySizeQuota": 6144,
        "PolicyVersionsInUse": sum(counts.get(p["name"], 0) > 0 for p in AWS_POLICIES + CUSTOMER_POLICIES),
        "PolicyVersionsInUseQuota": 10000, "Providers": 1, "RolePolicySizeQuota": 10240,
        "Roles": len(ROLES), "RolesQuota": 1000, "ServerCertificates": 2,
        "ServerCertificatesQuota": 20, "SigningCertificatesPerUserQuota": 2,
        "UserPolicySizeQuota": 2048, "Users": len(USERS), "UsersQuota": 5000,
        "VersionsPerPolicyQuota": 5,
    }

    report = [{
        "user": "<root_account>", "arn": f"arn:aws:iam::{ACCT}:root",
        "user_creation_time": cr_time(ACCOUNT_CREATED), "password_enabled": "not_supported",
        "password_last_used": cr_time(ROOT_PW_LAST_USED), "password_last_changed": "not_supported",
        "password_next_rotation": "not_supported", "mfa_active": "true",
        "access_key_1_active": "false", "access_key_1_last_rotated": "N/A",
        "access_key_1_last_used_date": "N/A", "access_key_1_last_used_region": "N/A",
        "access_key_1_last_used_service": "N/A", "access_key_2_active": "false",
        "access_key_2_last_rotated": "N/A", "access_key_2_last_used_date": "N/A",
        "access_key_2_last_used_region": "N/A", "access_key_2_last_used_service": "N/A",
        "cert_1_active": "false", "cert_1_last_rotated": "N/A", "cert_2_active": "false",
        "cert_2_last_rotated": "N/A",
    }]
    for u in USERS:
        has_pw = u["login"] is not None
        row = {
            "user": u["name"], "arn": u["arn"], "user_creation_time": cr_time(u["created"]),
            "password_enabled": "true" if has_pw else "false",
        }
        if u["pw_last_used"]:
            row["password_last_used"] = cr_time(u["pw_last_used"])
        else:
            row["password_last_used"] = "no_information" if has_pw else "N/A"
        row["password_last_changed"] = cr_time(u["pw_changed"]) if has_pw and u["pw_changed"] else "N/A"
        row["password_next_rotation"] = "N/A"
        row["mfa_active"] = "true" if u["mfa"] else "false"
        for i in (1, 2):
            k = u["keys"][i - 1] if len(u["keys"]) >= i else None
            p = f"access_key_{i}_"
            if k is None:
                row.update({p + "active": "false", p + "last_rotated": "N/A", p + "last_used_date": "N/A",
                            p + "last_used_region": "N/A", p + "last_used_service": "N/A"})
            else:
                row[p + "active"] = "true" if k["status"] == "Active" else "false"
                row[p + "last_rotated"] = cr_time(k["created"])
                if k["last_used"]:
                    row[p + "last_used_date"] = cr_time(k["last_used"])
                    row[p + "last_used_region"] = k["region"]
                    row[p + "last_used_service"] = k["service"]
                else:
                    row[p + "last_used_date"] = "N/A"
                    row[p + "last_used_region"] = "N/A"
                    row[p + "last_used_service"] = "N/A"
        row.update({"cert_1_active": "false", "cert_1_last_rotated": "N/A", "cert_2_active": "false",
                    "cert_2_last_rotated": "N/A"})
        report.append(row)

    return {
        "AccountId": ACCT,
        "UserDetailList": users,
        "GroupDetailList": groups,
        "RoleDetailList": roles,
        "Policies": policies,
        "PasswordPolicy": {
            "MinimumPasswordLength": 8, "RequireSymbols": False, "RequireNumbers": True,
            "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
            "AllowUsersToChangePassword": True, "ExpirePasswords": False,
        },
        "SummaryMap": summary,
        "Root": {"AccountMFAEnabled": True, "AccountAccessKeysPresent": False, "VirtualMFA": True,
                 "PasswordLastUsed": iso(ROOT_PW_LAST_USED)},
        "ServerCertificates": [
            {"ServerCertificateName": "acme-legacy-www-2024", "ServerCertificateId": awsid("ASCA", 17),
             "Arn": f"arn:aws:iam::{ACCT}:server-certificate/acme-legacy-www-2024",
             "UploadDate": "2024-08-20T13:44:09Z", "Expiration": "2025-08-31T23:59:59Z"},
            {"ServerCertificateName": "acme-partner-api-2026", "ServerCertificateId": awsid("ASCA", 17),
             "Arn": f"arn:aws:iam::{ACCT}:server-certificate/acme-partner-api-2026",
             "UploadDate": "2026-02-02T10:10:31Z", "Expiration": "2027-02-28T23:59:59Z"},
        ],
        "CredentialReport": report,
    }


# The root user signed in three days before the capture (see the GuardDuty RootCredentialUsage finding).
ROOT_PW_LAST_USED = at("2026-11-17T14:02:11Z")


# ----------------------------------------------------------------------------------------------
# Resources (the things findings are about)
# ----------------------------------------------------------------------------------------------

CANONICAL_OWNER = hexid(64)


def res(rtype, rid, region, details=None, tags=None):
    r = {"Type": rtype, "Id": rid, "Partition": "aws", "Region": region}
    if tags:
        r["Tags"] = tags
    if details is not None:
        r["Details"] = {rtype: details}
    return r


def perm(port, cidr="0.0.0.0/0", to_port=None, proto="tcp"):
    return {"IpProtocol": proto, "FromPort": port, "ToPort": to_port or port,
            "IpRanges": [{"CidrIp": cidr}]}


def sg(region, sgid, name, vpc, perms):
    return res("AwsEc2SecurityGroup", f"arn:aws:ec2:{region}:{ACCT}:security-group/{sgid}", region,
               {"GroupName": name, "GroupId": sgid, "OwnerId": ACCT, "VpcId": vpc, "IpPermissions": perms,
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]})


class Instance:
    def __init__(self, region, iid, name, itype, ami, private_ip, public_ip, subnet, vpc, sgs, launched,
                 profile=None, platform=None):
        self.__dict__.update(locals())
        del self.__dict__["self"]
        self.az = region + ("a" if iid[-1] in "01234567" else "b")

    @property
    def arn(self):
        return f"arn:aws:ec2:{self.region}:{ACCT}:instance/{self.iid}"

    def asff(self):
        d = {"Type": self.itype, "ImageId": self.ami,
             "IpV4Addresses": [a for a in (self.public_ip, self.private_ip) if a],
             "VpcId": self.vpc, "SubnetId": self.subnet, "LaunchedAt": iso(self.launched),
             "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "optional",
                                 "HttpPutResponseHopLimit": 1}}
        if self.profile:
            d["IamInstanceProfileArn"] = f"arn:aws:iam::{ACCT}:instance-profile/{self.profile}"
        return res("AwsEc2Instance", self.arn, self.region, d, {"Name": self.name})

    def gd(self):
        ni = {"ipv6Addresses": [], "networkInterfaceId": "eni-0" + hexid(16),
              "privateDnsName": f"ip-{self.private_ip.replace('.', '-')}.ec2.internal"
              if self.region == "us-east-1" else
              f"ip-{self.private_ip.replace('.', '-')}.{self.region}.compute.internal",
              "privateIpAddress": self.private_ip,
              "privateIpAddresses": [{"privateDnsName": "", "privateIpAddress": self.private_ip}],
              "securityGroups": [{"groupId": g, "groupName": n} for g, n in self.sgs],
              "subnetId": self.subnet, "vpcId": self.vpc}
        ni["privateIpAddresses"][0]["privateDnsName"] = ni["privateDnsName"]
        if self.public_ip:
            ni["publicDnsName"] = f"ec2-{self.public_ip.replace('.', '-')}.compute-1.amazonaws.com" \
                if self.region == "us-east-1" else \
                f"ec2-{self.public_ip.replace('.', '-')}.{self.region}.compute.amazonaws.com"
            ni["publicIp"] = self.public_ip
        d = {"availabilityZone": self.az, "imageDescription": "Amazon Linux 2023 AMI 2023.6.20241010.0 x86_64 HVM kernel-6.1"
             if not self.platform else "Microsoft Windows Server 2019 with Desktop Experience Locale English AMI",
             "imageId": self.ami, "instanceId": self.iid, "instanceState": "running",
             "instanceType": self.itype, "launchTime": iso(self.launched), "networkInterfaces": [ni],
             "productCodes": [], "tags": [{"key": "Name", "value": self.name}]}
        if self.platform:
            d["platform"] = self.platform
        if self.profile:
            d["iamInstanceProfile"] = {"arn": f"arn:aws:iam::{ACCT}:instance-profile/{self.profile}",
                                       "id": awsid("AIPA", 17)}
        return d


VPC_PROD = "vpc-0e1f2a3b4c5d6e7f8"
VPC_DEFAULT = "vpc-1a2b3c4d"
VPC_EU = "vpc-0f0e0d0c0b0a09080"
VPC_SYD = "vpc-0c3d4e5f6a7b8c9d0"
SG_SSH = "sg-0a1b2c3d4e5f60718"

SGS = {
    "bastion-ssh": sg("us-east-1", SG_SSH, "bastion-ssh", VPC_PROD, [perm(22)]),
    "win-jumpbox-rdp": sg("us-east-1", "sg-0f9e8d7c6b5a43210", "win-jumpbox-rdp", VPC_PROD, [perm(3389)]),
    "legacy-app-sg": sg("us-east-1", "sg-0123abcd4567ef890", "legacy-app-sg", VPC_PROD,
                        [perm(22), perm(3306), perm(443)]),
    "dev-all-open": sg("us-east-1", "sg-0badc0ffee1234567", "dev-all-open", VPC_PROD,
                       [perm(8080), perm(9000, to_port=9100)]),
    "default-use1": sg("us-east-1", "sg-06c7d8e9f0a1b2c3d", "default", VPC_DEFAULT,
                       [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-06c7d8e9f0a1b2c3d", "UserId": ACCT}]}]),
    "eu-bastion": sg("eu-west-1", "sg-0e1d2c3b4a5968778", "eu-bastion", VPC_EU, [perm(22)]),
    "default-euw1": sg("eu-west-1", "sg-0aa0bb0cc0dd0ee0f", "default", VPC_EU,
                       [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-0aa0bb0cc0dd0ee0f", "UserId": ACCT}]}]),
}

INST = {
    "app-prod-1": Instance("us-east-1", "i-0abc1234def567890", "app-prod-1", "m6i.large", "ami-0c7217cdde317cfec",
                           "10.20.11.37", None, "subnet-0a11b22c33d44e55f", VPC_PROD,
                           [("sg-0123abcd4567ef890", "legacy-app-sg")], at("2026-06-14T08:12:40Z"),
                           profile="ec2-app-role"),
    "bastion-1": Instance("us-east-1", "i-0b4571017a9c3d2e1", "bastion-1", "t3.micro", "ami-0c7217cdde317cfec",
                          "10.20.0.12", "54.210.33.17", "subnet-0f1e2d3c4b5a69788", VPC_PROD,
                          [(SG_SSH, "bastion-ssh")], at("2025-12-02T10:40:05Z")),
    "win-jumpbox": Instance("us-east-1", "i-0c0ffee0123456789", "win-jumpbox", "t3.large", "ami-0f9c44e98edf38a2b",
                            "10.20.0.45", "3.91.140.208", "subnet-0f1e2d3c4b5a69788", VPC_PROD,
                            [("sg-0f9e8d7c6b5a43210", "win-jumpbox-rdp")], at("2024-09-19T13:05:33Z"),
                            platform="windows"),
    "batch-worker-3": Instance("us-east-1", "i-0d15ea5e0ddba11ad", "batch-worker-3", "c6i.2xlarge",
                               "ami-0c7217cdde317cfec", "10.20.12.201", None, "subnet-0a11b22c33d44e55f", VPC_PROD,
                               [("sg-0badc0ffee1234567", "dev-all-open")], at("2026-10-27T22:14:09Z")),
    "eu-web-1": Instance("eu-west-1", "i-0e1ee7c0ffee00001", "eu-web-1", "t3.medium", "ami-0d64bb532e0502c46",
                         "10.40.1.21", "34.245.10.77", "subnet-0e0e1f1f2a2a3b3b4", VPC_EU,
                         [("sg-0e1d2c3b4a5968778", "eu-bastion")], at("2026-03-03T09:30:00Z")),
    "eu-web-2": Instance("eu-west-1", "i-0e1ee7c0ffee00002", "eu-web-2", "t3.medium", "ami-0d64bb532e0502c46",
                         "10.40.2.22", "52.49.201.6", "subnet-0e0e1f1f2a2a3b3b5", VPC_EU,
                         [("sg-0e1d2c3b4a5968778", "eu-bastion")], at("2026-03-03T09:30:12Z")),
    "syd-test-1": Instance("ap-southeast-2", "i-0a5e2d7c9b1f30465", "syd-test-1", "t3.small", "ami-0310483fb2b488153",
                           "10.60.0.9", "13.236.88.140", "subnet-0abcabcabcabcabc1", VPC_SYD,
                           [("sg-0d0d1e1e2f2f3a3a4", "launch-wizard-1")], at("2026-08-22T04:41:51Z")),
}
TERMINATED = Instance("us-east-1", "i-0f00d0f00d0f00d01", "load-test-tmp", "c5.xlarge", "ami-0c7217cdde317cfec",
                      "10.20.12.99", None, "subnet-0a11b22c33d44e55f", VPC_PROD,
                      [("sg-0badc0ffee1234567", "dev-all-open")], at("2026-08-01T10:00:00Z"))


def bucket(name, region, created):
    return res("AwsS3Bucket", f"arn:aws:s3:::{name}", region,
               {"OwnerId": CANONICAL_OWNER, "OwnerName": "acme-aws", "CreatedAt": iso(created), "Name": name})


BUCKETS = {n: bucket(n, reg, at(c)) for n, reg, c in [
    ("acme-public-website", "us-east-1", "2020-06-01T12:00:03Z"),
    ("acme-marketing-assets", "us-east-1", "2021-04-12T09:31:18Z"),
    ("acme-data-lake-raw", "us-east-1", "2022-01-10T15:45:51Z"),
    (f"acme-backups-{ACCT}", "us-east-1", "2022-03-14T16:38:02Z"),
    ("acme-partner-exchange", "us-east-1", "2024-10-14T15:40:29Z"),
    (f"acme-cloudtrail-logs-{ACCT}", "us-east-1", "2019-06-03T11:20:40Z"),
    ("acme-eu-customer-uploads", "eu-west-1", "2023-05-08T10:02:17Z"),
    ("acme-eu-logs", "eu-west-1", "2023-05-08T10:05:44Z"),
]}


def account_res(region):
    return res("AwsAccount", f"AWS::::Account:{ACCT}", region)


def user_res(name):
    u = USER[name]
    return res("AwsIamUser", u["arn"], "us-east-1",
               {"UserName": name, "UserId": u["id"], "CreateDate": iso(u["created"]), "Path": "/",
                "GroupList": list(u["groups"]), "AttachedManagedPolicies": [pol(n) for n in u["attached"]]})


def policy_res(name):
    p = CUSTOMER[name]
    return res("AwsIamPolicy", p["arn"], "us-east-1",
               {"PolicyName": name, "DefaultVersionId": p["version"], "IsAttachable": True,
                "AttachmentCount": 1, "CreateDate": iso(p["created"]), "UpdateDate": iso(p["updated"]),
                "Path": "/"})


def rds(region, ident, engine, version, cls, encrypted, public):
    return res("AwsRdsDbInstance", f"arn:aws:rds:{region}:{ACCT}:db:{ident}", region,
               {"DBInstanceIdentifier": ident, "DBInstanceClass": cls, "Engine": engine,
                "EngineVersion": version, "StorageEncrypted": encrypted, "PubliclyAccessible": public,
                "MultiAz": False, "DbiResourceId": "db-" + awsid("", 26)})


KMS_APP = uuid4()
KMS_PARTNER = uuid4()
KMS_EU = uuid4()


def kms(region, key_id, desc, created):
    return res("AwsKmsKey", f"arn:aws:kms:{region}:{ACCT}:key/{key_id}", region,
               {"KeyId": key_id, "KeyManager": "CUSTOMER", "KeyState": "Enabled", "Origin": "AWS_KMS",
                "Description": desc, "KeyRotationStatus": False,
                "CreationDate": round(created.timestamp(), 3)})


def lam(region, name, runtime, role, modified):
    return res("AwsLambdaFunction", f"arn:aws:lambda:{region}:{ACCT}:function:{name}", region,
               {"FunctionName": name, "Runtime": runtime, "Role": ROLE[role]["arn"],
                "Handler": "handler.main", "LastModified": iso_ms(modified).replace("Z", "+0000"),
                "Version": "$LATEST", "MemorySize": 256, "Timeout": 30})


def trail(region, name, multi, validation, kms_key=None):
    d = {"Name": name, "TrailArn": f"arn:aws:cloudtrail:{region}:{ACCT}:trail/{name}",
         "HomeRegion": region, "IsMultiRegionTrail": multi, "IncludeGlobalServiceEvents": multi,
         "LogFileValidationEnabled": validation, "S3BucketName": f"acme-cloudtrail-logs-{ACCT}",
         "HasCustomEventSelectors": True, "IsOrganizationTrail": False}
    if kms_key:
        d["KmsKeyId"] = kms_key
    return res("AwsCloudTrailTrail", d["TrailArn"], region, d)


def volume(region, vol, inst, size, created):
    return res("AwsEc2Volume", f"arn:aws:ec2:{region}:{ACCT}:volume/{vol}", region,
               {"CreateTime": iso(created), "Encrypted": False, "Size": size, "Status": "in-use",
                "VolumeType": "gp3", "Attachments": [{"AttachTime": iso(created), "DeleteOnTermination": True,
                                                      "InstanceId": inst, "Status": "attached"}]})


def vpc_res(region, vpc, cidr, default=False):
    return res("AwsEc2Vpc", f"arn:aws:ec2:{region}:{ACCT}:vpc/{vpc}", region,
               {"CidrBlockAssociationSet": [{"CidrBlock": cidr, "CidrBlockState": "associated",
                                             "AssociationId": "vpc-cidr-assoc-0" + hexid(16)}],
                "DhcpOptionsId": "dopt-0" + hexid(16), "State": "available"})


RES = {}
RES.update({f"sg:{k}": v for k, v in SGS.items()})
RES.update({f"i:{k}": v.asff() for k, v in INST.items()})
RES["i:load-test-tmp"] = TERMINATED.asff()
RES.update({f"s3:{k}": v for k, v in BUCKETS.items()})
for reg in REGIONS:
    RES[f"account:{reg}"] = account_res(reg)
for u in USERS:
    RES[f"user:{u['name']}"] = user_res(u["name"])
RES["policy:AcmeFullAccess"] = policy_res("AcmeFullAccess")
RES["rds:orders-db"] = rds("us-east-1", "orders-db", "postgres", "15.7", "db.r6g.large", False, False)
RES["rds:reporting-replica"] = rds("us-east-1", "reporting-replica", "postgres", "15.7", "db.t4g.medium", True, True)
RES["rds:eu-customers"] = rds("eu-west-1", "eu-customers", "mysql", "8.0.39", "db.m6g.large", False, False)
RES["kms:app-data"] = kms("us-east-1", KMS_APP, "app-data: application secrets and uploads", at("2021-09-14T10:01:33Z"))
RES["kms:partner-share"] = kms("us-east-1", KMS_PARTNER, "partner-share: Globex exchange bucket", at("2024-10-14T15:38:10Z"))
RES["kms:eu-data"] = kms("eu-west-1", KMS_EU, "eu-data: customer uploads", at("2023-05-08T09:58:20Z"))
RES["lambda:legacy-report-generator"] = lam("us-east-1", "legacy-report-generator", "python3.7",
                                            "reporting-lambda-exec", at("2022-08-30T14:22:05Z"))
RES["lambda:image-resize-public"] = lam("us-east-1", "image-resize-public", "nodejs18.x",
                                        "reporting-lambda-exec", at("2025-07-08T09:00:41Z"))
RES["lambda:eu-thumbnailer"] = lam("eu-west-1", "eu-thumbnailer", "python3.8", "reporting-lambda-exec",
                                   at("2023-06-01T12:13:14Z"))
RES["trail:acme-mgmt-trail"] = trail("us-east-1", "acme-mgmt-trail", True, True)
RES["trail:acme-eu-app-trail"] = trail("eu-west-1", "acme-eu-app-trail", False, False)
RES["vol:app-prod-1"] = volume("us-east-1", "vol-0aa11bb22cc33dd44", "i-0abc1234def567890", 100, at("2026-06-14T08:12:41Z"))
RES["vol:batch-worker-3"] = volume("us-east-1", "vol-0ee55ff66aa77bb88", "i-0d15ea5e0ddba11ad", 500, at("2026-10-27T22:14:10Z"))
RES["vpc:prod"] = vpc_res("us-east-1", VPC_PROD, "10.20.0.0/16")
RES["vpc:default"] = vpc_res("us-east-1", VPC_DEFAULT, "172.31.0.0/16", True)
RES["vpc:eu"] = vpc_res("eu-west-1", VPC_EU, "10.40.0.0/16")


# ----------------------------------------------------------------------------------------------
# Security Hub control findings
# ----------------------------------------------------------------------------------------------

# control id -> (severity, title, Config rule stem, {standard: id in that standard}, description)
# Standards: fsbp = AWS Foundational Security Best Practices v1.0.0, cis12 / cis14 / cis30 = CIS AWS
# Foundations Benchmark v1.2.0 / v1.4.0 / v3.0.0, pci = PCI DSS v3.2.1.
CONTROLS = {
    "EC2.13": ("HIGH", "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22", "restricted-ssh",
               {"fsbp": "EC2.13", "cis12": "4.1", "pci": "PCI.EC2.5"},
               "This control checks whether an Amazon EC2 security group allows ingress from 0.0.0.0/0 or ::/0 to port 22. The control fails if the security group allows ingress from 0.0.0.0/0 or ::/0 to port 22."),
    "EC2.14": ("HIGH", "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389", "restricted-rdp",
               {"cis12": "4.2"},
               "This control checks whether an Amazon EC2 security group allows ingress from 0.0.0.0/0 or ::/0 to port 3389. The control fails if the security group allows ingress from 0.0.0.0/0 or ::/0 to port 3389."),
    "EC2.19": ("CRITICAL", "Security groups should not allow unrestricted access to ports with high risk", "vpc-sg-restricted-common-ports",
               {"fsbp": "EC2.19"},
               "This control checks whether unrestricted incoming traffic for an Amazon EC2 security group is accessible to the specified ports that are considered to be high risk."),
    "EC2.18": ("HIGH", "Security groups should only allow unrestricted incoming traffic for authorized ports", "vpc-sg-port-restriction-check",
               {"fsbp": "EC2.18"},
               "This control checks whether an Amazon EC2 security group permits unrestricted incoming traffic from unauthorized ports. The control fails if the security group has inbound rules that allow traffic from 0.0.0.0/0 or ::/0 to ports other than 80 and 443."),
    "EC2.2": ("HIGH", "VPC default security groups should not allow inbound or outbound traffic", "vpc-default-security-group-closed",
              {"fsbp": "EC2.2", "cis12": "4.3", "cis14": "5.3", "cis30": "5.4", "pci": "PCI.EC2.2"},
              "This control checks whether the default security group of a VPC allows inbound or outbound traffic. The control fails if the security group allows inbound or outbound traffic."),
    "EC2.6": ("MEDIUM", "VPC flow logging should be enabled in all VPCs", "vpc-flow-logs-enabled",
              {"cis12": "2.9", "cis14": "3.9", "cis30": "3.7", "pci": "PCI.EC2.6"},
              "This control checks whether Amazon VPC Flow Logs are found and enabled for VPCs. The traffic type is set to Reject."),
    "EC2.7": ("MEDIUM", "EBS default encryption should be enabled", "ec2-ebs-encryption-by-default",
              {"fsbp": "EC2.7", "cis14": "2.2.1", "cis30": "2.2.1"},
              "This control checks whether account-level encryption is enabled by default for Amazon Elastic Block Store (Amazon EBS) volumes."),
    "EC2.3": ("MEDIUM", "Attached Amazon EBS volumes should be encrypted at-rest", "encrypted-volumes",
              {"fsbp": "EC2.3"},
              "This control checks whether the EBS volumes that are in an attached state are encrypted."),
    "EC2.8": ("HIGH", "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)", "ec2-imdsv2-check",
              {"fsbp": "EC2.8", "cis30": "5.6"},
              "This control checks whether your Amazon EC2 instance metadata version is configured with Instance Metadata Service Version 2 (IMDSv2). The control passes if HttpTokens is set to required for IMDSv2. The control fails if HttpTokens is set to optional."),
    "EC2.9": ("HIGH", "Amazon EC2 instances should not have a public IPv4 address", "ec2-instance-no-public-ip",
              {"fsbp": "EC2.9"},
              "This control checks whether EC2 instances have a public IP address. The control fails if the publicIp field is present in the EC2 instance configuration item."),
    "S3.1": ("MEDIUM", "S3 general purpose buckets should have block public access settings enabled", "s3-account-level-public-access-blocks-periodic",
             {"fsbp": "S3.1", "cis14": "2.1.5", "cis30": "2.1.4", "pci": "PCI.S3.6"},
             "This control checks whether the preceding Amazon S3 block public access settings are configured at the account level for an S3 general purpose bucket."),
    "S3.8": ("HIGH", "S3 general purpose buckets should block public access", "s3-bucket-level-public-access-prohibited",
             {"fsbp": "S3.8", "cis14": "2.1.5", "cis30": "2.1.4"},
             "This control checks whether an Amazon S3 general purpose bucket blocks public access at the bucket level."),
    "S3.2": ("CRITICAL", "S3 general purpose buckets should block public read access", "s3-bucket-public-read-prohibited",
             {"fsbp": "S3.2", "pci": "PCI.S3.2"},
             "This control checks whether an Amazon S3 general purpose bucket permits public read access."),
    "S3.5": ("MEDIUM", "S3 general purpose buckets should require requests to use SSL", "s3-bucket-ssl-requests-only",
             {"fsbp": "S3.5", "cis14": "2.1.2", "cis30": "2.1.1", "pci": "PCI.S3.5"},
             "This control checks whether Amazon S3 general purpose buckets have policies that require requests to use SSL."),
    "S3.9": ("MEDIUM", "S3 general purpose buckets should have server access logging enabled", "s3-bucket-logging-enabled",
             {"fsbp": "S3.9"},
             "This control checks whether server access logging is enabled for an Amazon S3 general purpose bucket."),
    "RDS.3": ("MEDIUM", "RDS DB instances should have encryption at-rest enabled", "rds-storage-encrypted",
              {"fsbp": "RDS.3", "cis14": "2.3.1", "cis30": "2.3.1"},
              "This control checks whether storage encryption is enabled for your Amazon RDS DB instances."),
    "RDS.2": ("CRITICAL", "RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration", "rds-instance-public-access-check",
              {"fsbp": "RDS.2", "cis30": "2.3.3", "pci": "PCI.RDS.2"},
              "This control checks whether Amazon RDS instances are publicly accessible by evaluating the PubliclyAccessible field in the instance configuration item."),
    "CloudTrail.1": ("HIGH", "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events", "multi-region-cloudtrail-enabled",
                     {"fsbp": "CloudTrail.1", "cis12": "2.1", "cis14": "3.1", "cis30": "3.1"},
                     "This control checks that there is at least one multi-Region AWS CloudTrail trail that captures read and write management events."),
    "CloudTrail.2": ("MEDIUM", "CloudTrail should have encryption at-rest enabled", "cloud-trail-encryption-enabled",
                     {"fsbp": "CloudTrail.2", "cis12": "2.7", "cis14": "3.7", "cis30": "3.5", "pci": "PCI.CloudTrail.1"},
                     "This control checks whether AWS CloudTrail is configured to use the server-side encryption (SSE) AWS KMS key encryption."),
    "CloudTrail.4": ("LOW", "CloudTrail log file validation should be enabled", "cloud-trail-log-file-validation-enabled",
                     {"fsbp": "CloudTrail.4", "cis12": "2.2", "cis14": "3.2", "cis30": "3.2", "pci": "PCI.CloudTrail.3"},
                     "This control checks whether CloudTrail log file validation is enabled."),
    "CloudTrail.5": ("LOW", "CloudTrail trails should be integrated with Amazon CloudWatch Logs", "cloud-trail-cloud-watch-logs-enabled",
                     {"fsbp": "CloudTrail.5", "cis12": "2.4", "cis14": "3.4", "pci": "PCI.CloudTrail.4"},
                     "This control checks whether CloudTrail trails are configured to send logs to CloudWatch Logs."),
    "Config.1": ("CRITICAL", "AWS Config should be enabled and use the service-linked role for resource recording", "config-enabled",
                 {"fsbp": "Config.1", "cis12": "2.5", "cis14": "3.5", "cis30": "3.3", "pci": "PCI.Config.1"},
                 "This control checks whether AWS Config is enabled in your account in the current AWS Region, records all resources that correspond to controls that are enabled in the current Region, and uses the service-linked AWS Config role."),
    "KMS.4": ("MEDIUM", "AWS KMS key rotation should be enabled", "cmk-backing-key-rotation-enabled",
              {"cis12": "2.8", "cis14": "3.8", "cis30": "3.6", "pci": "PCI.KMS.1"},
              "This control checks whether automatic key rotation is enabled for each customer managed key."),
    "Lambda.1": ("CRITICAL", "Lambda function policies should prohibit public access", "lambda-function-public-access-prohibited",
                 {"fsbp": "Lambda.1", "pci": "PCI.Lambda.1"},
                 "This control checks whether the Lambda function resource-based policy prohibits public access outside of your account."),
    "Lambda.2": ("MEDIUM", "Lambda functions should use supported runtimes", "lambda-function-settings-check",
                 {"fsbp": "Lambda.2"},
                 "This control checks whether the AWS Lambda function settings for runtimes match the expected values set for the supported runtimes in each language."),
    "IAM.1": ("HIGH", "IAM policies should not allow full \"*\" administrative privileges", "iam-policy-no-statements-with-admin-access",
              {"fsbp": "IAM.1", "cis12": "1.22", "cis14": "1.16", "pci": "PCI.IAM.3"},
              "This control checks whether the default version of IAM policies (also known as customer managed policies) has administrator access that includes a statement with \"Effect\": \"Allow\" with \"Action\": \"*\" over \"Resource\": \"*\"."),
    "IAM.2": ("LOW", "IAM users should not have IAM policies attached", "iam-user-no-policies-check",
              {"fsbp": "IAM.2", "cis12": "1.16", "cis14": "1.15", "pci": "PCI.IAM.2"},
              "This control checks whether your IAM users have policies attached. The control fails if your IAM users have policies attached. Instead, IAM users must inherit permissions from IAM groups or assume a role."),
    "IAM.3": ("MEDIUM", "IAM users' access keys should be rotated every 90 days or less", "access-keys-rotated",
              {"fsbp": "IAM.3", "cis12": "1.4", "cis14": "1.14"},
              "This control checks whether the active access keys are rotated within 90 days."),
    "IAM.4": ("CRITICAL", "IAM root user access key should not exist", "iam-root-access-key-check",
              {"fsbp": "IAM.4", "cis12": "1.12", "cis14": "1.4", "pci": "PCI.IAM.1"},
              "This control checks whether the root user access key is present."),
    "IAM.5": ("MEDIUM", "MFA should be enabled for all IAM users that have a console password", "mfa-enabled-for-iam-console-access",
              {"fsbp": "IAM.5", "cis12": "1.2", "cis14": "1.10"},
              "This control checks whether AWS multi-factor authentication (MFA) is enabled for all IAM users that use a console password."),
    "IAM.6": ("CRITICAL", "Hardware MFA should be enabled for the root user", "root-account-hardware-mfa-enabled",
              {"fsbp": "IAM.6", "cis12": "1.14", "cis14": "1.6", "pci": "PCI.IAM.4"},
              "This control checks whether your AWS account is enabled to use a hardware multi-factor authentication (MFA) device to sign in with root user credentials."),
    "IAM.8": ("MEDIUM", "Unused IAM user credentials should be removed", "iam-user-unused-credentials-check",
              {"fsbp": "IAM.8", "cis12": "1.3", "pci": "PCI.IAM.7"},
              "This control checks whether your IAM users have passwords or active access keys that have not been used for 90 days."),
    "IAM.9": ("CRITICAL", "MFA should be enabled for the root user", "root-account-mfa-enabled",
              {"cis12": "1.13", "cis14": "1.5", "pci": "PCI.IAM.5"},
              "This control checks whether the root user of your account requires multi-factor authentication for console sign-in."),
    "IAM.10": ("MEDIUM", "Password policies for IAM users should have strong configurations", "iam-password-policy",
               {"pci": "PCI.IAM.8"},
               "This control checks whether the account password policy for IAM users uses the following minimum PCI DSS configurations."),
    "IAM.13": ("MEDIUM", "Ensure IAM password policy requires at least one symbol", "iam-password-policy-symbol",
               {"cis12": "1.7"}, "Password policies are, in part, used to enforce password complexity requirements. Ensure the password policy requires at least one symbol."),
    "IAM.15": ("MEDIUM", "Ensure IAM password policy requires minimum password length of 14 or greater", "iam-password-policy-length",
               {"cis12": "1.9", "cis14": "1.8", "cis30": "1.8"},
               "Password policies are, in part, used to enforce password complexity requirements. Ensure the password policy requires a minimum password length of 14."),
    "IAM.16": ("LOW", "Ensure IAM password policy prevents password reuse", "iam-password-policy-reuse",
               {"cis12": "1.10", "cis14": "1.9", "cis30": "1.9"},
               "This control checks whether the number of passwords to remember is set to 24. The control fails if the value is not 24."),
    "IAM.17": ("LOW", "Ensure IAM password policy expires passwords within 90 days or less", "iam-password-policy-expiry",
               {"cis12": "1.11"}, "IAM password policies can require passwords to be rotated or expired after a given number of days."),
    "IAM.18": ("LOW", "Ensure a support role has been created to manage incidents with AWS Support", "iam-policy-in-use",
               {"cis12": "1.20", "cis14": "1.17", "cis30": "1.17"},
               "This control checks whether the AWSSupportAccess managed policy is attached to at least one IAM user, group, or role."),
    "IAM.19": ("MEDIUM", "MFA should be enabled for all IAM users", "iam-user-mfa-enabled",
               {"pci": "PCI.IAM.6"}, "This control checks whether the IAM users have multi-factor authentication (MFA) enabled."),
    "IAM.22": ("MEDIUM", "IAM user credentials unused for 45 days should be removed", "iam-user-unused-credentials-check-45",
               {"cis14": "1.12", "cis30": "1.12"},
               "This control checks whether your IAM users have passwords or active access keys that have not been used for 45 days or more."),
    "CloudWatch.1": ("LOW", "A log metric filter and alarm should exist for usage of the \"root\" user", "cloudwatch-root-usage",
                     {"cis12": "3.3", "cis14": "4.3", "pci": "PCI.CW.1"},
                     "This control checks whether a log metric filter and alarm exist for usage of the root user."),
    "GuardDuty.1": ("HIGH", "GuardDuty should be enabled", "guardduty-enabled-centralized",
                    {"fsbp": "GuardDuty.1", "pci": "PCI.GuardDuty.1"},
                    "This control checks whether Amazon GuardDuty is enabled in your AWS account and Region."),
}

CIS12_TITLES = {
    "4.1": "Ensure no security groups allow ingress from 0.0.0.0/0 to port 22",
    "4.2": "Ensure no security groups allow ingress from 0.0.0.0/0 to port 3389",
    "4.3": "Ensure the default security group of every VPC restricts all traffic",
    "2.1": "Ensure CloudTrail is enabled in all regions",
    "2.2": "Ensure CloudTrail log file validation is enabled",
    "2.4": "Ensure CloudTrail trails are integrated with CloudWatch Logs",
    "2.5": "Ensure AWS Config is enabled",
    "2.7": "Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
    "2.8": "Ensure rotation for customer created CMKs is enabled",
    "2.9": "Ensure VPC flow logging is enabled in all VPCs",
    "1.2": "Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password",
    "1.3": "Ensure credentials unused for 90 days or greater are disabled",
    "1.4": "Ensure access keys are rotated every 90 days or less",
    "1.7": "Ensure IAM password policy requires at least one symbol",
    "1.9": "Ensure IAM password policy requires minimum length of 14 or greater",
    "1.10": "Ensure IAM password policy prevents password reuse",
    "1.11": "Ensure IAM password policy expires passwords within 90 days or less",
    "1.12": "Ensure no root account access key exists",
    "1.13": "Ensure MFA is enabled for the \"root\" account",
    "1.14": "Ensure hardware MFA is enabled for the \"root\" account",
    "1.16": "Ensure IAM policies are attached only to groups or roles",
    "1.20": "Ensure a support role has been created to manage incidents with AWS Support",
    "1.22": "Ensure IAM policies that allow full \"*:*\" administrative privileges are not created",
    "3.3": "Ensure a log metric filter and alarm exist for usage of \"root\" account",
}

STANDARDS = {
    "fsbp": {"id": "standards/aws-foundational-security-best-practices/v/1.0.0",
             "path": "aws-foundational-security-best-practices/v/1.0.0",
             "type": "AWS-Foundational-Security-Best-Practices",
             "name": "AWS Foundational Security Best Practices v1.0.0"},
    "cis12": {"id": "ruleset/cis-aws-foundations-benchmark/v/1.2.0",
              "path": "cis-aws-foundations-benchmark/v/1.2.0",
              "type": "CIS AWS Foundations Benchmark", "name": "CIS AWS Foundations Benchmark v1.2.0"},
    "cis14": {"id": "standards/cis-aws-foundations-benchmark/v/1.4.0",
              "path": "cis-aws-foundations-benchmark/v/1.4.0",
              "type": "CIS AWS Foundations Benchmark", "name": "CIS AWS Foundations Benchmark v1.4.0"},
    "cis30": {"id": "standards/cis-aws-foundations-benchmark/v/3.0.0",
              "path": "cis-aws-foundations-benchmark/v/3.0.0",
              "type": "CIS AWS Foundations Benchmark", "name": "CIS AWS Foundations Benchmark v3.0.0"},
    "pci": {"id": "standards/pci-dss/v/3.2.1", "path": "pci-dss/v/3.2.1", "type": "PCI-DSS",
            "name": "PCI DSS v3.2.1"},
}
# us-east-1 runs with consolidated control findings OFF (one finding per standard, the older
# behaviour many accounts still have); eu-west-1 has it ON (one finding per control).
REGION_STANDARDS = {"us-east-1": ["fsbp", "cis12", "cis14", "pci"], "eu-west-1": ["fsbp", "cis30"]}
CONSOLIDATED = {"us-east-1": False, "eu-west-1": True}

SEV_NORMALIZED = {"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 40, "HIGH": 70, "CRITICAL": 90}
RULE_SUFFIX = {}


def config_rule(region, ctl, std):
    key = (region, ctl, std if not CONSOLIDATED[region] else "")
    if key not in RULE_SUFFIX:
        RULE_SUFFIX[key] = hexid(8)
    return f"securityhub-{CONTROLS[ctl][2]}-{RULE_SUFFIX[key]}"


def related_requirements(ctl, stds):
    out = []
    m = CONTROLS[ctl][3]
    for s in stds:
        if s == "cis12":
            out.append(f"CIS AWS Foundations {m[s]}")
        elif s in ("cis14", "cis30"):
            out.append(f"CIS AWS Foundations Benchmark v{s[3]}.{s[4]}.0/{m[s]}")
        elif s == "pci":
            out.append(f"PCI DSS v3.2.1/{m[s]}")
    return out


def control_finding(region, ctl, resource, std, first, updated, workflow="NEW", compliance="FAILED",
                    record="ACTIVE", note=None):
    sev, title, _, mapping, desc = CONTROLS[ctl]
    fid = uuid4()
    if std is None:  # consolidated
        stds = [s for s in REGION_STANDARDS[region] if s in mapping]
        finding_id = f"arn:aws:securityhub:{region}:{ACCT}:security-control/{ctl}/finding/{fid}"
        generator = f"security-control/{ctl}"
        ftitle = title
        types = ["Software and Configuration Checks/Industry and Regulatory Standards"]
        pf = {}
        rec_url = f"https://docs.aws.amazon.com/console/securityhub/{ctl}/remediation"
    else:
        stds = [std]
        sid = mapping[std]
        st = STANDARDS[std]
        finding_id = f"arn:aws:securityhub:{region}:{ACCT}:subscription/{st['path']}/{sid}/finding/{fid}"
        types = [f"Software and Configuration Checks/Industry and Regulatory Standards/{st['type']}"]
        control_arn = f"arn:aws:securityhub:{region}:{ACCT}:control/{st['path']}/{sid}"
        if std == "cis12":
            generator = f"arn:aws:securityhub:::ruleset/{st['path']}/rule/{sid}"
            ftitle = f"{sid} {CIS12_TITLES[sid]}"
            rec_url = f"https://docs.aws.amazon.com/console/securityhub/standards-cis-{sid}/remediation"
            pf = {"StandardsGuideArn": f"arn:aws:securityhub:::ruleset/{st['path']}",
                  "StandardsGuideSubscriptionArn": f"arn:aws:securityhub:{region}:{ACCT}:subscription/{st['path']}",
                  "RuleId": sid, "RecommendationUrl": rec_url}
        else:
            generator = f"{st['path']}/{sid}"
            ftitle = f"{sid} {title}"
            rec_url = f"https://docs.aws.amazon.com/console/securityhub/{sid if std == 'pci' else ctl}/remediation"
            pf = {"StandardsArn": f"arn:aws:securityhub:{region}::{st['id']}",
                  "StandardsSubscriptionArn": f"arn:aws:securityhub:{region}:{ACCT}:subscription/{st['path']}",
                  "ControlId": sid, "RecommendationUrl": rec_url}
        pf["StandardsControlArn"] = control_arn
    pf["RelatedAWSResources:0/name"] = config_rule(region, ctl, std)
    pf["RelatedAWSResources:0/type"] = "AWS::Config::ConfigRule"
    pf["aws/securityhub/ProductName"] = "Security Hub"
    pf["aws/securityhub/CompanyName"] = "AWS"
    pf["Resources:0/Id"] = resource["Id"]
    pf["aws/securityhub/FindingId"] = f"arn:aws:securityhub:{region}::product/aws/securityhub/{finding_id}"

    label = sev if compliance == "FAILED" else "INFORMATIONAL"
    f = {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": f"arn:aws:securityhub:{region}::product/aws/securityhub",
        "ProductName": "Security Hub",
        "CompanyName": "AWS",
        "Region": region,
        "GeneratorId": generator,
        "AwsAccountId": ACCT,
        "Types": types,
        "FirstObservedAt": iso_ms(first),
        "LastObservedAt": iso_ms(updated),
        "CreatedAt": iso_ms(first),
        "UpdatedAt": iso_ms(updated),
        "Severity": {"Product": SEV_NORMALIZED[label], "Label": label, "Normalized": SEV_NORMALIZED[label],
                     "Original": label},
        "Title": ftitle,
        "Description": desc,
        "Remediation": {"Recommendation": {
            "Text": "For information on how to correct this issue, consult the AWS Security Hub controls documentation.",
            "Url": rec_url}},
        "ProductFields": pf,
        "Resources": [resource],
        "Compliance": {"Status": compliance, "SecurityControlId": ctl,
                       "AssociatedStandards": [{"StandardsId": STANDARDS[s]["id"]} for s in stds]},
        "WorkflowState": "RESOLVED" if workflow == "RESOLVED" else "NEW",
        "Workflow": {"Status": workflow},
        "RecordState": record,
        "FindingProviderFields": {"Severity": {"Label": label, "Original": label}, "Types": types},
        "ProcessedAt": iso_ms(updated + timedelta(seconds=R.randint(2, 40), milliseconds=R.randint(0, 999))),
    }
    reqs = related_requirements(ctl, stds)
    if reqs:
        f["Compliance"]["RelatedRequirements"] = reqs
    if note:
        f["Note"] = {"Text": note[0], "UpdatedBy": USER[note[1]]["arn"], "UpdatedAt": iso_ms(note[2])}
    return f


# (region, control, resource key, options). Options: first=(hi, lo) days window, wf=workflow
# (or {standard: workflow}), status, record, note=(text, user, when)
SUPPRESS_BASTION = ("Bastion is public by design; SSH source ranges reviewed in SEC-412.", "alice", at("2026-09-03T10:12:40Z"))
SUPPRESS_WEBSITE = ("Static website bucket, public by design (CloudFront migration planned, WEB-88).", "carol", at("2026-08-19T15:30:02Z"))
CONTROL_SPECS = [
    # --- us-east-1: one finding per enabled standard ---
    ("us-east-1", "EC2.13", "sg:bastion-ssh", dict(first=(96, 95), wf={"cis12": "NOTIFIED"})),
    ("us-east-1", "EC2.13", "sg:legacy-app-sg", dict(first=(118, 110))),
    ("us-east-1", "EC2.14", "sg:win-jumpbox-rdp", dict(first=(70, 60), wf="NOTIFIED")),
    ("us-east-1", "EC2.19", "sg:legacy-app-sg", dict(first=(118, 110))),
    ("us-east-1", "EC2.18", "sg:legacy-app-sg", dict(first=(118, 110))),
    ("us-east-1", "EC2.18", "sg:dev-all-open", dict(first=(25, 23))),
    ("us-east-1", "EC2.2", "sg:default-use1", dict(first=(119, 119))),
    ("us-east-1", "EC2.6", "vpc:prod", dict(first=(119, 119))),
    ("us-east-1", "EC2.6", "vpc:default", dict(first=(119, 119), wf="SUPPRESSED",
                                               note=("Default VPC has no workloads; deletion scheduled.", "dave", at("2026-10-01T09:00:13Z")))),
    ("us-east-1", "EC2.7", "account:us-east-1", dict(first=(119, 119))),
    ("us-east-1", "EC2.3", "vol:app-prod-1", dict(first=(119, 100))),
    ("us-east-1", "EC2.3", "vol:batch-worker-3", dict(first=(24, 23))),
    ("us-east-1", "EC2.8", "i:app-prod-1", dict(first=(119, 100))),
    ("us-east-1", "EC2.8", "i:batch-worker-3", dict(first=(24, 23))),
    ("us-east-1", "EC2.8", "i:win-jumpbox", dict(first=(110, 90), wf="NOTIFIED")),
    ("us-east-1", "EC2.8", "i:load-test-tmp", dict(first=(100, 98), record="ARCHIVED")),
    ("us-east-1", "EC2.9", "i:bastion-1", dict(first=(119, 115), wf="SUPPRESSED", note=SUPPRESS_BASTION)),
    ("us-east-1", "EC2.9", "i:win-jumpbox", dict(first=(110, 90))),
    ("us-east-1", "S3.1", "account:us-east-1", dict(first=(45, 44))),
    ("us-east-1", "S3.8", "s3:acme-public-website", dict(first=(119, 118), wf="SUPPRESSED", note=SUPPRESS_WEBSITE)),
    ("us-east-1", "S3.8", "s3:acme-marketing-assets", dict(first=(45, 44))),
    ("us-east-1", "S3.2", "s3:acme-public-website", dict(first=(119, 118), wf="NOTIFIED")),
    ("us-east-1", "S3.5", "s3:acme-data-lake-raw", dict(first=(119, 80))),
    ("us-east-1", "S3.5", f"s3:acme-backups-{ACCT}", dict(first=(119, 80))),
    ("us-east-1", "S3.5", "s3:acme-partner-exchange", dict(first=(119, 80))),
    ("us-east-1", "S3.5", "s3:acme-public-website", dict(first=(119, 80))),
    ("us-east-1", "S3.9", "s3:acme-data-lake-raw", dict(first=(119, 80))),
    ("us-east-1", "S3.9", f"s3:acme-backups-{ACCT}", dict(first=(119, 80))),
    ("us-east-1", "S3.9", "s3:acme-marketing-assets", dict(first=(119, 80))),
    ("us-east-1", "RDS.3", "rds:orders-db", dict(first=(119, 100))),
    ("us-east-1", "RDS.2", "rds:reporting-replica", dict(first=(52, 50), wf="NOTIFIED")),
    ("us-east-1", "CloudTrail.1", "account:us-east-1", dict(first=(119, 117))),
    ("us-east-1", "CloudTrail.2", "trail:acme-mgmt-trail", dict(first=(119, 117))),
    ("us-east-1", "CloudTrail.5", "trail:acme-mgmt-trail", dict(first=(119, 117))),
    ("us-east-1", "Config.1", "account:us-east-1", dict(first=(119, 117))),
    ("us-east-1", "KMS.4", "kms:app-data", dict(first=(119, 110))),
    ("us-east-1", "KMS.4", "kms:partner-share", dict(first=(119, 110))),
    ("us-east-1", "Lambda.1", "lambda:image-resize-public", dict(first=(88, 86))),
    ("us-east-1", "Lambda.2", "lambda:legacy-report-generator", dict(first=(119, 110), wf="NOTIFIED")),
    ("us-east-1", "IAM.1", "policy:AcmeFullAccess", dict(first=(119, 118))),
    ("us-east-1", "IAM.2", "user:carol", dict(first=(119, 118))),
    ("us-east-1", "IAM.2", "user:eve", dict(first=(119, 118))),
    ("us-east-1", "IAM.2", "user:legacy-backup", dict(first=(119, 118))),
    ("us-east-1", "IAM.2", "user:terraform", dict(first=(119, 118), wf="SUPPRESSED",
                                                   note=("Terraform CI user; replacing with OIDC role in PLAT-231.", "alice", at("2026-08-28T11:41:09Z")))),
    ("us-east-1", "IAM.3", "user:carol", dict(first=(113, 113))),
    ("us-east-1", "IAM.3", "user:ci-deploy", dict(first=(119, 118), wf={"fsbp": "NOTIFIED", "cis12": "NOTIFIED", "cis14": "NOTIFIED"})),
    ("us-east-1", "IAM.3", "user:legacy-backup", dict(first=(119, 118))),
    ("us-east-1", "IAM.3", "user:svc-reporting", dict(first=(119, 118))),
    ("us-east-1", "IAM.3", "user:break-glass-2", dict(first=(60, 60))),
    ("us-east-1", "IAM.5", "user:bob", dict(first=(119, 118), wf="NOTIFIED")),
    ("us-east-1", "IAM.5", "user:grace", dict(first=(4.9, 4.8))),
    ("us-east-1", "IAM.6", "account:us-east-1", dict(first=(119, 118))),
    ("us-east-1", "IAM.8", "user:legacy-backup", dict(first=(119, 118))),
    ("us-east-1", "IAM.8", "user:svc-reporting", dict(first=(110, 109))),
    ("us-east-1", "IAM.8", "user:frank", dict(first=(42, 41))),
    ("us-east-1", "IAM.8", "user:break-glass-1", dict(first=(81, 80))),
    ("us-east-1", "IAM.8", "user:break-glass-2", dict(first=(5, 5))),
    ("us-east-1", "IAM.9", "account:us-east-1", dict(first=(119, 118), status="PASSED", wf="RESOLVED")),
    ("us-east-1", "IAM.4", "account:us-east-1", dict(first=(119, 118), status="PASSED", wf="RESOLVED")),
    ("us-east-1", "IAM.10", "account:us-east-1", dict(first=(119, 118))),
    ("us-east-1", "IAM.13", "account:us-east-1", dict(first=(119, 118))),
    ("us-east-1", "IAM.15", "account:us-east-1", dict(first=(119, 118))),
    ("us-east-1", "IAM.16", "account:us-east-1", dict(first=(119, 118))),
    ("us-east-1", "IAM.17", "account:us-east-1", dict(first=(119, 118))),
    ("us-east-1", "IAM.18", "account:us-east-1", dict(first=(119, 118))),
    ("us-east-1", "IAM.19", "user:bob", dict(first=(119, 118))),
    ("us-east-1", "IAM.19", "user:grace", dict(first=(4.9, 4.8))),
    ("us-east-1", "IAM.19", "user:ci-deploy", dict(first=(119, 118))),
    ("us-east-1", "IAM.19", "user:legacy-backup", dict(first=(119, 118))),
    ("us-east-1", "IAM.19", "user:svc-reporting", dict(first=(119, 118))),
    ("us-east-1", "IAM.19", "user:terraform", dict(first=(119, 118))),
    ("us-east-1", "IAM.19", "user:heidi", dict(first=(119, 118))),
    ("us-east-1", "IAM.22", "user:legacy-backup", dict(first=(119, 118))),
    ("us-east-1", "IAM.22", "user:svc-reporting", dict(first=(119, 118))),
    ("us-east-1", "IAM.22", "user:frank", dict(first=(88, 87))),
    ("us-east-1", "IAM.22", "user:break-glass-1", dict(first=(119, 118))),
    ("us-east-1", "IAM.22", "user:break-glass-2", dict(first=(50, 50))),
    ("us-east-1", "CloudWatch.1", "account:us-east-1", dict(first=(119, 118))),
    ("us-east-1", "GuardDuty.1", "account:us-east-1", dict(first=(119, 118), status="PASSED", wf="RESOLVED")),
    # --- eu-west-1: consolidated control findings ---
    ("eu-west-1", "EC2.13", "sg:eu-bastion", dict(first=(75, 74))),
    ("eu-west-1", "EC2.2", "sg:default-euw1", dict(first=(80, 80))),
    ("eu-west-1", "EC2.6", "vpc:eu", dict(first=(80, 80))),
    ("eu-west-1", "EC2.7", "account:eu-west-1", dict(first=(80, 80))),
    ("eu-west-1", "EC2.8", "i:eu-web-1", dict(first=(80, 79))),
    ("eu-west-1", "EC2.8", "i:eu-web-2", dict(first=(80, 79), wf="NOTIFIED")),
    ("eu-west-1", "EC2.9", "i:eu-web-1", dict(first=(80, 79))),
    ("eu-west-1", "EC2.9", "i:eu-web-2", dict(first=(80, 79))),
    ("eu-west-1", "S3.1", "account:eu-west-1", dict(first=(80, 80), wf="NOTIFIED")),
    ("eu-west-1", "S3.8", "s3:acme-eu-customer-uploads", dict(first=(19, 18))),
    ("eu-west-1", "S3.5", "s3:acme-eu-customer-uploads", dict(first=(80, 79))),
    ("eu-west-1", "S3.5", "s3:acme-eu-logs", dict(first=(80, 79))),
    ("eu-west-1", "S3.9", "s3:acme-eu-customer-uploads", dict(first=(80, 79))),
    ("eu-west-1", "RDS.3", "rds:eu-customers", dict(first=(80, 79))),
    ("eu-west-1", "CloudTrail.1", "account:eu-west-1", dict(first=(80, 80))),
    ("eu-west-1", "CloudTrail.2", "trail:acme-eu-app-trail", dict(first=(80, 80))),
    ("eu-west-1", "CloudTrail.4", "trail:acme-eu-app-trail", dict(first=(80, 80))),
    ("eu-west-1", "Config.1", "account:eu-west-1", dict(first=(80, 80))),
    ("eu-west-1", "KMS.4", "kms:eu-data", dict(first=(80, 79), wf="RESOLVED")),
    ("eu-west-1", "Lambda.2", "lambda:eu-thumbnailer", dict(first=(80, 79))),
    ("eu-west-1", "GuardDuty.1", "account:eu-west-1", dict(first=(80, 80), status="PASSED", wf="RESOLVED")),
]


def build_control_findings():
    out = {r: [] for r in SH_REGIONS}
    for region, ctl, rkey, opts in CONTROL_SPECS:
        resource = RES[rkey]
        hi, lo = opts.get("first", (119, 1))
        first = rand_between(hi, lo)
        if opts.get("record") == "ARCHIVED":
            updated = first + timedelta(days=R.randint(20, 30), seconds=R.randint(0, 86400))
        else:
            updated = jitter(ago(0, R.randint(1, 30)), 3000)
        status = opts.get("status", "FAILED")
        wf = opts.get("wf", "NEW")
        stds = [None] if CONSOLIDATED[region] else \
            [s for s in REGION_STANDARDS[region] if s in CONTROLS[ctl][3]]
        assert stds, (region, ctl)
        for std in stds:
            w = wf.get(std, "NEW") if isinstance(wf, dict) else wf
            f0 = first + timedelta(seconds=R.randint(0, 900))
            out[region].append(control_finding(region, ctl, resource, std, f0, updated + timedelta(seconds=R.randint(0, 600)),
                                               workflow=w, compliance=status,
                                               record=opts.get("record", "ACTIVE"), note=opts.get("note")))
    return out


# ----------------------------------------------------------------------------------------------
# GuardDuty
# ----------------------------------------------------------------------------------------------

DETECTORS = {r: hexid(32) for r in REGIONS}


def rip(ip, city, cc, country, lat, lon, asn, asn_org, isp, org=None):
    return {"city": {"cityName": city}, "country": {"countryCode": cc, "countryName": country},
            "geoLocation": {"lat": lat, "lon": lon}, "ipAddressV4": ip,
            "organization": {"asn": str(asn), "asnOrg": asn_org, "isp": isp, "org": org or isp}}


# Documentation address ranges (RFC 5737) and made-up networks: nothing here points at a real host.
IP_MALICIOUS = rip("203.0.113.45", "Bucharest", "RO", "Romania", 44.4268, 26.1025, 64512, "CARPATHIA-HOSTING", "Carpathia Hosting SRL")
IP_EXFIL = rip("198.51.100.77", "Frankfurt am Main", "DE", "Germany", 50.1109, 8.6821, 64513, "RHEIN-CLOUD-AS", "Rhein Cloud GmbH")
IP_OFFICE = rip("192.0.2.10", "Seattle", "US", "United States", 47.6062, -122.3321, 64514, "ACME-CORP", "Acme Corp")
IP_BOB_HOME = rip("192.0.2.44", "Portland", "US", "United States", 45.5152, -122.6784, 64515, "CASCADE-BROADBAND", "Cascade Broadband")
IP_SAO_PAULO = rip("203.0.113.199", "Sao Paulo", "BR", "Brazil", -23.5505, -46.6333, 64516, "PAULISTA-TELECOM", "Paulista Telecom")
IP_BRUTE = rip("203.0.113.201", "Shenzhen", "CN", "China", 22.5431, 114.0579, 64517, "PEARL-RIVER-NET", "Pearl River Networks")
IP_PROBE = rip("198.51.100.23", "Amsterdam", "NL", "Netherlands", 52.3676, 4.9041, 64518, "POLDER-HOSTING", "Polder Hosting BV")
IP_TOR = rip("198.51.100.201", "Berlin", "DE", "Germany", 52.52, 13.405, 64519, "TOR-EXIT-EXAMPLE", "Example Exit Relay e.V.")
IP_IRC = rip("198.51.100.66", "Kyiv", "UA", "Ukraine", 50.4501, 30.5234, 64520, "DNIPRO-DC", "Dnipro Datacenter")
IP_POOL = rip("203.0.113.88", "Singapore", "SG", "Singapore", 1.3521, 103.8198, 64521, "LIONCITY-VPS", "Lion City VPS Pte")
IP_BRUTE_EU = rip("203.0.113.7", "Moscow", "RU", "Russia", 55.7558, 37.6173, 64522, "VOLGA-HOST", "Volga Host LLC")
IP_SYD = rip("198.51.100.140", "Hanoi", "VN", "Vietnam", 21.0278, 105.8342, 64523, "RED-RIVER-NET", "Red River Networks")


def ak(key_id, principal_id, user, user_type="IAMUser"):
    return {"accessKeyId": key_id, "principalId": principal_id, "userName": user, "userType": user_type}


def user_ak(name, index=0):
    u = USER[name]
    return ak(u["keys"][index]["id"], u["id"], name)


def api_action(api, service, ip, caller="Remote IP", error=None):
    a = {"api": api, "callerType": caller, "remoteIpDetails": ip, "serviceName": service,
         "affectedResources": {}}
    if error:
        a["errorCode"] = error
    return {"actionType": "AWS_API_CALL", "awsApiCallAction": a}


def net_action(direction, inst, local_port, local_name, ip, remote_port, remote_name="Unknown"):
    return {"actionType": "NETWORK_CONNECTION", "networkConnectionAction": {
        "blocked": False, "connectionDirection": direction,
        "localIpDetails": {"ipAddressV4": inst.private_ip},
        "localPortDetails": {"port": local_port, "portName": local_name}, "protocol": "TCP",
        "remoteIpDetails": ip, "remotePortDetails": {"port": remote_port, "portName": remote_name}}}


def probe_action(inst, port, name, ip):
    return {"actionType": "PORT_PROBE", "portProbeAction": {"blocked": False, "portProbeDetails": [{
        "localIpDetails": {"ipAddressV4": inst.private_ip}, "localPortDetails": {"port": port, "portName": name},
        "remoteIpDetails": ip}]}}


def dns_action(domain):
    return {"actionType": "DNS_REQUEST", "dnsRequestAction": {
        "blocked": False, "domain": domain, "domainWithSuffix": ".".join(domain.split(".")[-2:]),
        "protocol": "UDP"}}


def inst_resource(name):
    return {"instanceDetails": INST[name].gd(), "resourceType": "Instance"}


def key_resource(details):
    return {"accessKeyDetails": details, "resourceType": "AccessKey"}


def s3_resource(details, bucket_name, public):
    b = BUCKETS[bucket_name]["Details"]["AwsS3Bucket"]
    block = not public
    return {"accessKeyDetails": details, "resourceType": "S3Bucket", "s3BucketDetails": [{
        "arn": f"arn:aws:s3:::{bucket_name}", "createdAt": b["CreatedAt"].replace("Z", ".000Z"),
        "defaultServerSideEncryption": {"encryptionType": "AES256"}, "name": bucket_name,
        "owner": {"id": CANONICAL_OWNER},
        "publicAccess": {"effectivePermission": "PUBLIC" if public else "NOT_PUBLIC",
                         "permissionConfiguration": {
                             "accountLevelPermissions": {"blockPublicAccess": {
                                 "blockPublicAcls": False, "blockPublicPolicy": False,
                                 "ignorePublicAcls": False, "restrictPublicBuckets": False}},
                             "bucketLevelPermissions": {
                                 "accessControlList": {"allowsPublicReadAccess": False, "allowsPublicWriteAccess": False},
                                 "blockPublicAccess": {"blockPublicAcls": block, "blockPublicPolicy": block,
                                                       "ignorePublicAcls": block, "restrictPublicBuckets": block},
                                 "bucketPolicy": {"allowsPublicReadAccess": public, "allowsPublicWriteAccess": False}}}},
        "tags": [], "type": "Destination"}]}


GD_TYPES_ASFF = {
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS": "Effects/Data Exfiltration/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.OutsideAWS",
    "Recon:IAMUser/MaliciousIPCaller": "TTPs/Discovery/Recon:IAMUser-MaliciousIPCaller",
    "Policy:IAMUser/RootCredentialUsage": "TTPs/Policy:IAMUser-RootCredentialUsage",
    "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B": "TTPs/UnauthorizedAccess:IAMUser-ConsoleLoginSuccess.B",
    "Discovery:IAMUser/AnomalousBehavior": "TTPs/Discovery/IAMUser-AnomalousBehavior",
    "CredentialAccess:IAMUser/AnomalousBehavior": "TTPs/Credential Access/IAMUser-AnomalousBehavior",
    "Persistence:IAMUser/AnomalousBehavior": "TTPs/Persistence/IAMUser-AnomalousBehavior",
    "UnauthorizedAccess:IAMUser/MaliciousIPCaller": "TTPs/UnauthorizedAccess:IAMUser-MaliciousIPCaller",
    "UnauthorizedAccess:IAMUser/TorIPCaller": "TTPs/Command and Control/UnauthorizedAccess:IAMUser-TorIPCaller",
    "UnauthorizedAccess:EC2/SSHBruteForce": "TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce",
    "UnauthorizedAccess:EC2/RDPBruteForce": "TTPs/Initial Access/UnauthorizedAccess:EC2-RDPBruteForce",
    "Recon:EC2/PortProbeUnprotectedPort": "TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort",
    "CryptoCurrency:EC2/BitcoinTool.B!DNS": "TTPs/Command and Control/CryptoCurrency:EC2-BitcoinTool.B!DNS",
    "CryptoCurrency:EC2/BitcoinTool.B": "TTPs/Command and Control/CryptoCurrency:EC2-BitcoinTool.B",
    "Backdoor:EC2/C&CActivity.B!DNS": "TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS",
    "Behavior:EC2/NetworkPortUnusual": "Unusual Behaviors/VM/Behavior:EC2-NetworkPortUnusual",
    "Policy:S3/BucketBlockPublicAccessDisabled": "Effects/Data Exposure/Policy:S3-BucketBlockPublicAccessDisabled",
    "Stealth:IAMUser/CloudTrailLoggingDisabled": "TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled",
    "Discovery:S3/MaliciousIPCaller": "TTPs/Discovery:S3-MaliciousIPCaller",
    "Trojan:EC2/BlackholeTraffic": "TTPs/Command and Control/Trojan:EC2-BlackholeTraffic",
}

FEATURE = {"AWS_API_CALL": "CloudTrail", "NETWORK_CONNECTION": "FlowLogs", "PORT_PROBE": "FlowLogs",
           "DNS_REQUEST": "DnsLogs"}


def gd(region, ftype, severity, title, desc, resource, action, first, last, count, archived=False,
       role="TARGET", additional=None, sh=True, sh_workflow="NEW"):
    fid = hexid(32)
    det = DETECTORS[region]
    if last.second == 0 and last.microsecond == 0:
        last = last + timedelta(seconds=R.randint(1, 59), milliseconds=R.randint(0, 999))
    created = first + timedelta(minutes=R.randint(5, 25), milliseconds=R.randint(0, 999))
    updated = last + timedelta(minutes=R.randint(5, 25), milliseconds=R.randint(0, 999))
    service = {"action": action, "additionalInfo": {"type": "default", "value": json.dumps(additional or {},
                                                                                         separators=(",", ":"))},
               "archived": archived, "count": count, "detectorId": det,
               "eventFirstSeen": iso_ms(first), "eventLastSeen": iso_ms(last),
               "featureName": FEATURE[action["actionType"]], "resourceRole": role, "serviceName": "guardduty"}
    f = {"accountId": ACCT, "arn": f"arn:aws:guardduty:{region}:{ACCT}:detector/{det}/finding/{fid}",
         "createdAt": iso_ms(created), "description": desc, "id": fid, "partition": "aws", "region": region,
         "resource": resource, "schemaVersion": "2.0", "service": service, "severity": severity,
         "title": title, "type": ftype, "updatedAt": iso_ms(updated)}
    return f, (sh, sh_workflow)


def pascal(obj):
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "asn":
                out["Asn"] = int(v)
            else:
                out[k[0].upper() + k[1:]] = pascal(v)
        return out
    if isinstance(obj, list):
        return [pascal(v) for v in obj]
    return obj


def flatten(prefix, obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            flatten(f"{prefix}/{k}", v, out)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            flatten(f"{prefix}.{i}_", v, out)
    elif isinstance(obj, bool):
        out[prefix] = "true" if obj else "false"
    else:
        out[prefix] = str(obj)


def severity_label(score):
    return "CRITICAL" if score >= 9 else "HIGH" if score >= 7 else "MEDIUM" if score >= 4 else "LOW"


def gd_to_asff(f, workflow):
    region = f["region"]
    det = f["service"]["detectorId"]
    sh_id = f["arn"]
    label = severity_label(f["severity"])
    types = [GD_TYPES_ASFF[f["type"]]]
    pf = {}
    flatten("aws/guardduty/service", {k: v for k, v in f["service"].items()}, pf)
    pf["aws/securityhub/FindingId"] = f"arn:aws:securityhub:{region}::product/aws/guardduty/{sh_id}"
    pf["aws/securityhub/ProductName"] = "GuardDuty"
    pf["aws/securityhub/CompanyName"] = "Amazon"

    resources = []
    r = f["resource"]
    if "accessKeyDetails" in r:
        d = r["accessKeyDetails"]
        resources.append(res("AwsIamAccessKey", f"AWS::IAM::AccessKey:{d['accessKeyId']}", region,
                             {"PrincipalId": d["principalId"], "PrincipalType": d["userType"],
                              "PrincipalName": d["userName"]}))
    if r["resourceType"] == "Instance":
        iid = r["instanceDetails"]["instanceId"]
        inst = next(i for i in INST.values() if i.iid == iid)
        resources.insert(0, inst.asff())
    if r["resourceType"] == "S3Bucket":
        b = r["s3BucketDetails"][0]["name"]
        resources.insert(0, BUCKETS[b])

    action = f["service"]["action"]
    asff_action = {"ActionType": action["actionType"]}
    for k, v in action.items():
        if k != "actionType":
            v = dict(v)
            v.pop("affectedResources", None)
            v.pop("domainWithSuffix", None)
            asff_action[k[0].upper() + k[1:]] = pascal(v)

    return {
        "SchemaVersion": "2018-10-08",
        "Id": sh_id,
        "ProductArn": f"arn:aws:securityhub:{region}::product/aws/guardduty",
        "ProductName": "GuardDuty",
        "CompanyName": "Amazon",
        "Region": region,
        "GeneratorId": f"arn:aws:guardduty:{region}:{ACCT}:detector/{det}",
        "AwsAccountId": ACCT,
        "Types": types,
        "FirstObservedAt": f["service"]["eventFirstSeen"],
        "LastObservedAt": f["service"]["eventLastSeen"],
        "CreatedAt": f["createdAt"],
        "UpdatedAt": f["updatedAt"],
        "Severity": {"Product": f["severity"], "Label": label, "Normalized": int(round(f["severity"] * 10))},
        "Title": f["title"],
        "Description": f["description"],
        "SourceUrl": f"https://{region}.console.aws.amazon.com/guardduty/home?region={region}#/findings?macros=current&fId={f['id']}",
        "ProductFields": pf,
        "Resources": resources,
        "Action": asff_action,
        "WorkflowState": "NEW",
        "Workflow": {"Status": workflow},
        "RecordState": "ACTIVE",
        "FindingProviderFields": {"Severity": {"Label": label, "Original": str(f["severity"])}, "Types": types},
        "Sample": False,
        "ProcessedAt": iso_ms(at(f["updatedAt"][:19] + "Z") + timedelta(seconds=R.randint(20, 240))),
    }


def build_guardduty():
    ec2_role = ROLE["ec2-app-role"]
    app = INST["app-prod-1"]
    temp_key = awsid("ASIA", 16)
    root_key = awsid("ASIA", 16)
    root_key_old = awsid("ASIA", 16)
    bob_session = awsid("ASIA", 16)
    alice_session = awsid("ASIA", 16)
    ci = user_ak("ci-deploy", 0)
    F = {"us-east-1": [], "eu-west-1": [], "ap-southeast-2": []}

    def add(region, pair):
        F[region].append(pair)

    # us-east-1 ---------------------------------------------------------------------------------
    t = rand_between(9.2, 9.0)
    add("us-east-1", gd("us-east-1", "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", 8,
                        "Credentials for instance role ec2-app-role used from external IP address.",
                        f"Credentials created exclusively for an EC2 instance using instance role ec2-app-role have been used from external IP address {IP_EXFIL['ipAddressV4']}.",
                        key_resource(ak(temp_key, f"{ec2_role['id']}:{app.iid}", "ec2-app-role", "AssumedRole")),
                        api_action("ListBuckets", "s3.amazonaws.com", IP_EXFIL), t, t + timedelta(hours=19, minutes=41),
                        14, sh_workflow="NOTIFIED"))
    t = rand_between(9.1, 8.9)
    add("us-east-1", gd("us-east-1", "Behavior:EC2/NetworkPortUnusual", 5,
                        f"Unusual outbound communication seen from EC2 instance {app.iid} on server port 6667.",
                        f"EC2 instance {app.iid} is communicating with a remote host {IP_IRC['ipAddressV4']} on an unusual server port 6667.",
                        inst_resource("app-prod-1"), net_action("OUTBOUND", app, 41622, "Unknown", IP_IRC, 6667, "IRC"),
                        t, t + timedelta(hours=5), 37, role="ACTOR"))
    t = rand_between(6.3, 6.1)
    add("us-east-1", gd("us-east-1", "Recon:IAMUser/MaliciousIPCaller", 5,
                        "Reconnaissance API ListUsers was invoked from a known malicious IP address.",
                        f"API ListUsers, commonly used in reconnaissance attacks, was invoked from a known malicious IP address {IP_MALICIOUS['ipAddressV4']}. Unauthorized actors perform such activity to gather information and discover resources like databases, S3 buckets etc., in order to further tailor the attack.",
                        key_resource(ci), api_action("ListUsers", "iam.amazonaws.com", IP_MALICIOUS),
                        t, ago(2, 1, 14), 23, additional={"threatListName": "ProofPoint", "threatName": "Scanner"}))
    t = rand_between(6.1, 6.0)
    add("us-east-1", gd("us-east-1", "Discovery:IAMUser/AnomalousBehavior", 5,
                        "User ci-deploy is anomalously invoking APIs commonly used in Discovery tactics.",
                        "APIs commonly used in Discovery tactics were invoked by user IAMUser : ci-deploy under unusual circumstances. Such activity is not typically seen from this user.",
                        key_resource(ci), api_action("ListAttachedRolePolicies", "iam.amazonaws.com", IP_MALICIOUS),
                        t, t + timedelta(hours=2, minutes=7), 1,
                        additional={"anomalies": {"anomalousAPIs": "iam.amazonaws.com:[ListAttachedRolePolicies, ListRoles, GetAccountAuthorizationDetails] (success)"},
                                    "profiledBehavior": {"rareProfiledAPIsAccountProfiling": "ListRoles", "frequentProfiledASNsUserIdentityProfiling": "16509"},
                                    "unusualBehavior": {"unusualASNsForUser": str(64512), "unusualUserAgentsForUser": "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-kali3-amd64"}}))
    t = rand_between(5.3, 5.1)
    add("us-east-1", gd("us-east-1", "CredentialAccess:IAMUser/AnomalousBehavior", 5,
                        "User ci-deploy is anomalously invoking APIs commonly used in CredentialAccess tactics.",
                        "APIs commonly used in CredentialAccess tactics were invoked by user IAMUser : ci-deploy under unusual circumstances. Such activity is not typically seen from this user.",
                        key_resource(ci), api_action("GetSecretValue", "secretsmanager.amazonaws.com", IP_MALICIOUS),
                        t, t + timedelta(minutes=48), 6,
                        additional={"anomalies": {"anomalousAPIs": "secretsmanager.amazonaws.com:[GetSecretValue, ListSecrets] (success)"}}))
    t = rand_between(5.0, 4.9)
    add("us-east-1", gd("us-east-1", "Persistence:IAMUser/AnomalousBehavior", 5,
                        "User ci-deploy is anomalously invoking APIs commonly used in Persistence tactics.",
                        "APIs commonly used in Persistence tactics were invoked by user IAMUser : ci-deploy under unusual circumstances. Such activity is not typically seen from this user.",
                        key_resource(ci), api_action("ImportKeyPair", "ec2.amazonaws.com", IP_MALICIOUS),
                        t, t + timedelta(minutes=3), 1,
                        additional={"anomalies": {"anomalousAPIs": "ec2.amazonaws.com:[ImportKeyPair] (success)"}}))
    t = rand_between(5.0, 4.8)
    add("us-east-1", gd("us-east-1", "UnauthorizedAccess:IAMUser/MaliciousIPCaller", 5,
                        "API DescribeInstances was invoked from a known malicious IP address.",
                        f"API DescribeInstances was invoked from a known malicious IP address {IP_MALICIOUS['ipAddressV4']}.",
                        key_resource(ci), api_action("DescribeInstances", "ec2.amazonaws.com", IP_MALICIOUS),
                        t, ago(2, 0, 51), 41, additional={"threatListName": "ProofPoint", "threatName": "Scanner"}))
    add("us-east-1", gd("us-east-1", "Policy:IAMUser/RootCredentialUsage", 2,
                        "API ListUsers was invoked using root credentials.",
                        f"API ListUsers was invoked using root credentials from IP address {IP_OFFICE['ipAddressV4']}.",
                        key_resource(ak(root_key, ACCT, "Root", "Root")),
                        api_action("ListUsers", "iam.amazonaws.com", IP_OFFICE),
                        ROOT_PW_LAST_USED + timedelta(seconds=41), ROOT_PW_LAST_USED + timedelta(minutes=17, seconds=3), 9))
    t = rand_between(70.2, 70.0)
    add("us-east-1", gd("us-east-1", "Policy:IAMUser/RootCredentialUsage", 2,
                        "API GetCostAndUsage was invoked using root credentials.",
                        f"API GetCostAndUsage was invoked using root credentials from IP address {IP_OFFICE['ipAddressV4']}.",
                        key_resource(ak(root_key_old, ACCT, "Root", "Root")),
                        api_action("GetCostAndUsage", "ce.amazonaws.com", IP_OFFICE),
                        t, t + timedelta(minutes=6), 3, archived=True, sh=False))
    bob_login = USER["bob"]["pw_last_used"]
    add("us-east-1", gd("us-east-1", "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B", 5,
                        "Unusual console login seen from multiple locations for bob.",
                        "Multiple worldwide successful console logins for bob were observed within a short period of time.",
                        key_resource(ak(bob_session, USER["bob"]["id"], "bob")),
                        api_action("ConsoleLogin", "signin.amazonaws.com", IP_SAO_PAULO),
                        bob_login - timedelta(hours=3, minutes=12), bob_login, 2,
                        additional={"recentConsoleLogins": [
                            {"ipAddress": IP_BOB_HOME["ipAddressV4"], "time": iso(bob_login - timedelta(hours=3, minutes=12))},
                            {"ipAddress": IP_SAO_PAULO["ipAddressV4"], "time": iso(bob_login)}]}))
    t = rand_between(40.5, 40.0)
    add("us-east-1", gd("us-east-1", "UnauthorizedAccess:IAMUser/TorIPCaller", 5,
                        "API DescribeInstances was invoked from a Tor exit node IP address.",
                        f"API DescribeInstances was invoked from a Tor exit node IP address {IP_TOR['ipAddressV4']}.",
                        key_resource(ak(alice_session, USER["alice"]["id"], "alice")),
                        api_action("DescribeInstances", "ec2.amazonaws.com", IP_TOR), t, t + timedelta(minutes=9), 4,
                        archived=True, additional={"threatListName": "TorNode"}))
    bastion = INST["bastion-1"]
    add("us-east-1", gd("us-east-1", "UnauthorizedAccess:EC2/SSHBruteForce", 2,
                        f"{IP_BRUTE['ipAddressV4']} is performing SSH brute force attacks against {bastion.iid}.",
                        f"{IP_BRUTE['ipAddressV4']} is performing SSH brute force attacks against {bastion.iid}. Brute force attacks are used to gain unauthorized access to your instance by guessing the SSH password.",
                        inst_resource("bastion-1"), net_action("INBOUND", bastion, 22, "SSH", IP_BRUTE, 51822),
                        rand_between(60.5, 60), ago(1, 2, 11), 1840))
    add("us-east-1", gd("us-east-1", "Recon:EC2/PortProbeUnprotectedPort", 2,
                        f"Unprotected port on EC2 instance {bastion.iid} is being probed.",
                        f"EC2 instance has an unprotected port which is being probed by a known malicious host.",
                        inst_resource("bastion-1"), probe_action(bastion, 22, "SSH", IP_PROBE),
                        rand_between(100.5, 100), ago(90, 7), 312, archived=True, sh=False,
                        additional={"threatListName": "ProofPoint", "threatName": "Scanner"}))
    jump = INST["win-jumpbox"]
    add("us-east-1", gd("us-east-1", "Recon:EC2/PortProbeUnprotectedPort", 2,
                        f"Unprotected port on EC2 instance {jump.iid} is being probed.",
                        "EC2 instance has an unprotected port which is being probed by a known malicious host.",
                        inst_resource("win-jumpbox"), probe_action(jump, 3389, "RDP", IP_PROBE),
                        rand_between(58.5, 58), ago(0, 12, 40), 977,
                        additional={"threatListName": "ProofPoint", "threatName": "Scanner"}))
    t = rand_between(30.0, 29.8)  # Security Hub's GuardDuty integration was paused then: no SH copy
    add("us-east-1", gd("us-east-1", "UnauthorizedAccess:EC2/RDPBruteForce", 2,
                        f"{IP_PROBE['ipAddressV4']} is performing RDP brute force attacks against {jump.iid}.",
                        f"{IP_PROBE['ipAddressV4']} is performing RDP brute force attacks against {jump.iid}. Brute force attacks are used to gain unauthorized access to your instance by guessing the RDP password.",
                        inst_resource("win-jumpbox"), net_action("INBOUND", jump, 3389, "RDP", IP_PROBE, 60112),
                        t, ago(4, 3), 264, sh=False))
    worker = INST["batch-worker-3"]
    t = rand_between(20.4, 20.0)
    add("us-east-1", gd("us-east-1", "CryptoCurrency:EC2/BitcoinTool.B!DNS", 8,
                        f"Bitcoin-related domain name queried by EC2 instance {worker.iid}.",
                        f"EC2 instance {worker.iid} is querying a domain name that is associated with Bitcoin-related activity.",
                        inst_resource("batch-worker-3"), dns_action("xmr.pool.minergate.com"),
                        t, ago(0, 4, 55), 5302, role="ACTOR", sh_workflow="NOTIFIED",
                        additional={"threatListName": "ProofPoint", "threatName": "CryptoCurrency"}))
    t = rand_between(19.2, 19.0)
    add("us-east-1", gd("us-east-1", "Backdoor:EC2/C&CActivity.B!DNS", 8,
                        f"Command and Control server domain name queried by EC2 instance {worker.iid}.",
                        f"EC2 instance {worker.iid} is querying a domain name associated with a known Command & Control server.",
                        inst_resource("batch-worker-3"), dns_action("kx3n.telemetry-sync.example"),
                        t, ago(1, 6, 2), 88, role="ACTOR"))
    t = rand_between(45.0, 44.9)
    add("us-east-1", gd("us-east-1", "Policy:S3/BucketBlockPublicAccessDisabled", 2,
                        "Amazon S3 Block Public Access was disabled for S3 bucket acme-marketing-assets.",
                        "Amazon S3 Block Public Access was disabled for S3 bucket acme-marketing-assets by IAM user carol calling DeleteBucketPublicAccessBlock. If this behavior is not expected, it may indicate a configuration mistake or that your credentials are compromised.",
                        s3_resource(user_ak("carol"), "acme-marketing-assets", True),
                        api_action("DeleteBucketPublicAccessBlock", "s3.amazonaws.com", IP_OFFICE),
                        t, t, 1))

    # eu-west-1 ---------------------------------------------------------------------------------
    t = rand_between(28.7, 28.5)  # during the SH integration pause: no SH copy
    add("eu-west-1", gd("eu-west-1", "Stealth:IAMUser/CloudTrailLoggingDisabled", 2,
                        "AWS CloudTrail trail acme-eu-app-trail was disabled.",
                        "AWS CloudTrail trail acme-eu-app-trail was disabled by terraform calling StopLogging under unusual circumstances. This can be attackers attempt to cover their tracks by eliminating any trace of activity performed while they accessed your account.",
                        key_resource(user_ak("terraform")), api_action("StopLogging", "cloudtrail.amazonaws.com", IP_OFFICE),
                        t, t, 1, sh=False))
    web1, web2 = INST["eu-web-1"], INST["eu-web-2"]
    add("eu-west-1", gd("eu-west-1", "UnauthorizedAccess:EC2/SSHBruteForce", 2,
                        f"{IP_BRUTE_EU['ipAddressV4']} is performing SSH brute force attacks against {web1.iid}.",
                        f"{IP_BRUTE_EU['ipAddressV4']} is performing SSH brute force attacks against {web1.iid}. Brute force attacks are used to gain unauthorized access to your instance by guessing the SSH password.",
                        inst_resource("eu-web-1"), net_action("INBOUND", web1, 22, "SSH", IP_BRUTE_EU, 40522),
                        rand_between(70.5, 70), ago(1, 9), 655))
    add("eu-west-1", gd("eu-west-1", "Recon:EC2/PortProbeUnprotectedPort", 2,
                        f"Unprotected port on EC2 instance {web2.iid} is being probed.",
                        "EC2 instance has an unprotected port which is being probed by a known malicious host.",
                        inst_resource("eu-web-2"), probe_action(web2, 22, "SSH", IP_BRUTE_EU),
                        rand_between(74.5, 74), ago(0, 20), 120))
    add("eu-west-1", gd("eu-west-1", "Recon:EC2/PortProbeUnprotectedPort", 2,
                        f"Unprotected port on EC2 instance {web1.iid} is being probed.",
                        "EC2 instance has an unprotected port which is being probed by a known malicious host.",
                        inst_resource("eu-web-1"), probe_action(web1, 22, "SSH", IP_PROBE),
                        rand_between(110, 109), ago(95), 47, archived=True, sh=False))
    t = rand_between(15.3, 15.0)
    add("eu-west-1", gd("eu-west-1", "CryptoCurrency:EC2/BitcoinTool.B", 8,
                        f"Bitcoin-related IP address contacted by EC2 instance {web2.iid}.",
                        f"EC2 instance {web2.iid} is communicating with a Bitcoin-related IP address {IP_POOL['ipAddressV4']}.",
                        inst_resource("eu-web-2"), net_action("OUTBOUND", web2, 49152, "Unknown", IP_POOL, 3333),
                        t, ago(0, 2, 30), 2210, role="ACTOR"))
    t = rand_between(14.2, 14.0)
    add("eu-west-1", gd("eu-west-1", "Trojan:EC2/BlackholeTraffic", 5,
                        f"EC2 instance {web2.iid} is attempting to communicate with a black hole IP address.",
                        f"EC2 instance {web2.iid} is attempting to communicate with a black hole IP address {IP_POOL['ipAddressV4']}.",
                        inst_resource("eu-web-2"), net_action("OUTBOUND", web2, 49200, "Unknown", IP_POOL, 443, "HTTPS"),
                        t, ago(3), 17, role="ACTOR"))
    t = rand_between(4.2, 4.0)
    add("eu-west-1", gd("eu-west-1", "Discovery:S3/MaliciousIPCaller", 8,
                        "The S3 API ListObjects was invoked from a known malicious IP address.",
                        f"The S3 API ListObjects was invoked from a known malicious IP address {IP_MALICIOUS['ipAddressV4']} against bucket acme-eu-customer-uploads.",
                        s3_resource(ci, "acme-eu-customer-uploads", False),
                        api_action("ListObjects", "s3.amazonaws.com", IP_MALICIOUS), t, ago(2, 3), 19,
                        sh_workflow="NOTIFIED", additional={"threatListName": "ProofPoint", "threatName": "Scanner"}))
    t = rand_between(19.0, 18.9)
    add("eu-west-1", gd("eu-west-1", "Policy:S3/BucketBlockPublicAccessDisabled", 2,
                        "Amazon S3 Block Public Access was disabled for S3 bucket acme-eu-customer-uploads.",
                        "Amazon S3 Block Public Access was disabled for S3 bucket acme-eu-customer-uploads by IAM user carol calling PutBucketPublicAccessBlock. If this behavior is not expected, it may indicate a configuration mistake or that your credentials are compromised.",
                        s3_resource(user_ak("carol"), "acme-eu-customer-uploads", False),
                        api_action("PutBucketPublicAccessBlock", "s3.amazonaws.com", IP_OFFICE), t, t, 1))

    # ap-southeast-2 (GuardDuty only: Security Hub is not enabled there) -------------------------
    syd = INST["syd-test-1"]
    add("ap-southeast-2", gd("ap-southeast-2", "Recon:EC2/PortProbeUnprotectedPort", 2,
                             f"Unprotected port on EC2 instance {syd.iid} is being probed.",
                             "EC2 instance has an unprotected port which is being probed by a known malicious host.",
                             inst_resource("syd-test-1"), probe_action(syd, 22, "SSH", IP_SYD),
                             rand_between(80.5, 80), ago(0, 7), 2100, sh=False))
    add("ap-southeast-2", gd("ap-southeast-2", "UnauthorizedAccess:EC2/SSHBruteForce", 2,
                             f"{IP_SYD['ipAddressV4']} is performing SSH brute force attacks against {syd.iid}.",
                             f"{IP_SYD['ipAddressV4']} is performing SSH brute force attacks against {syd.iid}. Brute force attacks are used to gain unauthorized access to your instance by guessing the SSH password.",
                             inst_resource("syd-test-1"), net_action("INBOUND", syd, 22, "SSH", IP_SYD, 33190),
                             rand_between(50.5, 50), ago(0, 9), 3180, sh=False))

    native, copies = {}, {}
    for region, pairs in F.items():
        native[region] = [f for f, _ in pairs]
        copies[region] = [gd_to_asff(f, wf) for f, (sh, wf) in pairs if sh]
    return native, copies


# ----------------------------------------------------------------------------------------------
# IAM Access Analyzer
# ----------------------------------------------------------------------------------------------

AA_ASFF_TYPE = {"AWS::S3::Bucket": "AwsS3Bucket", "AWS::IAM::Role": "AwsIamRole", "AWS::KMS::Key": "AwsKmsKey",
                "AWS::SQS::Queue": "AwsSqsQueue", "AWS::SecretsManager::Secret": "AwsSecretsManagerSecret",
                "AWS::Lambda::Function": "AwsLambdaFunction", "AWS::IAM::User": "AwsIamUser"}
UNUSED_TITLES = {
    "UnusedIAMRole": ("Unused IAM Role", "contains unused iam role"),
    "UnusedIAMUserAccessKey": ("Unused IAM User Access Key", "contains unused iam user access key"),
    "UnusedIAMUserPassword": ("Unused IAM User Password", "contains unused iam user password"),
    "UnusedPermission": ("Unused Permission", "contains unused permissions"),
}


def analyzer(region, prefix, atype, created, last_res=None):
    name = f"{prefix}-{uuid4()}"
    a = {"arn": f"arn:aws:access-analyzer:{region}:{ACCT}:analyzer/{name}", "createdAt": iso(created)}
    if atype == "ACCOUNT_UNUSED_ACCESS":
        a["configuration"] = {"unusedAccess": {"unusedAccessAge": 90}}
    if last_res:
        a["lastResourceAnalyzed"] = last_res
        a["lastResourceAnalyzedAt"] = iso(jitter(ago(0, 1), 1800))
    a.update({"name": name, "status": "ACTIVE", "tags": {}, "type": atype})
    return a


def aa_external(an, resource, rtype, principal, actions, public=False, condition=None, status="ACTIVE",
                created_days=(100, 20), sources=("POLICY",), sh=True, sh_workflow="NEW"):
    created = rand_between(*created_days)
    updated = created if status == "ACTIVE" else created + timedelta(days=R.randint(1, 10), seconds=R.randint(0, 9999))
    f = {"analyzedAt": iso(jitter(ago(0, 2), 3600)), "createdAt": iso(created),
         "findingDetails": [{"externalAccessDetails": {
             "action": list(actions), "condition": condition or {}, "isPublic": public,
             "principal": principal, "resourceControlPolicyRestriction": "NOT_APPLICABLE",
             "sources": [{"type": s} for s in sources]}}],
         "findingType": "ExternalAccess", "id": uuid4(), "resource": resource,
         "resourceOwnerAccount": ACCT, "resourceType": rtype, "status": status, "updatedAt": iso(updated),
         "analyzerArn": an["arn"]}
    return f, (sh, sh_workflow)


def aa_unused(an, resource, rtype, ftype, details, created_days=(60, 10), status="ACTIVE", sh=True):
    created = rand_between(*created_days)
    f = {"analyzedAt": iso(jitter(ago(0, 5), 3600)), "createdAt": iso(created),
         "findingDetails": details, "findingType": ftype, "id": uuid4(), "resource": resource,
         "resourceOwnerAccount": ACCT, "resourceType": rtype, "status": status,
         "updatedAt": iso(jitter(ago(0, 5), 3600)), "analyzerArn": an["arn"]}
    return f, (sh, "NEW")


def aa_to_asff(f, region, workflow):
    an = f["analyzerArn"]
    rtype = AA_ASFF_TYPE[f["resourceType"]]
    resource = f["resource"]
    if f["findingType"] == "ExternalAccess":
        d = f["findingDetails"][0]["externalAccessDetails"]
        ptype, pval = next(iter(d["principal"].items()))
        public = d["isPublic"]
        sh_id = f"{an}/{resource}"
        types = ["Software and Configuration Checks/AWS Security Best Practices/External Access Granted"]
        title = f"{rtype}/{resource}/ allows {'public' if public else 'cross-account'} access"
        desc = f"{f['resourceType']}/{resource}/ allows {'public' if public else 'cross-account'} access from {ptype} {pval}"
        sev = ("HIGH", 70, 9) if public else ("LOW", 1, 1)
        other = {"External Principal Type": ptype,
                 "Condition": "none" if not d["condition"] else json.dumps(d["condition"], separators=(",", ":")),
                 "Resource Control Policy Restriction Type": "NOT_APPLICABLE",
                 "Action Granted": ",".join(d["action"]), "External Principal": pval}
        pf = {"ResourceOwnerAccount": ACCT}
        remediation = ("If the access isn't intended, it indicates a potential security risk. Use the console for the "
                       "resource to modify or remove the policy that grants the unintended access. You can use the "
                       "Rescan button on the Finding details page in the Access Analyzer console to confirm whether "
                       "the change removed the access. If the access is removed, the status changes to Resolved.")
    else:
        ftype = f["findingType"]
        sh_id = f"{an}/{resource}/{ftype}"
        tname, phrase = UNUSED_TITLES[ftype]
        types = [f"Software and Configuration Checks/AWS Security Best Practices/{tname}"]
        title = f"{rtype}/{resource}/ {phrase}"
        desc = f"{f['resourceType']}/{resource}/ {phrase}"
        sev = ("MEDIUM", 40, 40)
        other = None
        pf = {"findingId": f["id"], "findingType": ftype, "ResourceOwnerAccount": ACCT}
        last = None
        for d in f["findingDetails"]:
            for v in d.values():
                if v.get("lastAccessed"):
                    last = v["lastAccessed"]
        if last and ftype == "UnusedIAMRole":
            pf["roleLastUsedTimestamp"] = last
        remediation = ("Review the unused access and remove it if it is not needed: delete the unused role, access key "
                       "or password, or remove the unused permissions from the policies attached to the principal.")
    pf["aws/securityhub/FindingId"] = f"arn:aws:securityhub:{region}::product/aws/access-analyzer/{sh_id}"
    pf["aws/securityhub/ProductName"] = "IAM Access Analyzer"
    pf["aws/securityhub/CompanyName"] = "AWS"
    r = {"Type": rtype, "Id": resource, "Partition": "aws", "Region": region}
    if other:
        r["Details"] = {"Other": other}
    created = at(f["createdAt"])
    return {
        "SchemaVersion": "2018-10-08",
        "Id": sh_id,
        "ProductArn": f"arn:aws:securityhub:{region}::product/aws/access-analyzer",
        "ProductName": "IAM Access Analyzer",
        "CompanyName": "AWS",
        "Region": region,
        "GeneratorId": "aws/access-analyzer",
        "AwsAccountId": ACCT,
        "Types": types,
        "CreatedAt": iso_ms(created + timedelta(seconds=R.randint(30, 300))),
        "UpdatedAt": iso_ms(at(f["updatedAt"]) + timedelta(seconds=R.randint(30, 300))),
        "Severity": {"Product": sev[2], "Label": sev[0], "Normalized": sev[1]},
        "Title": title,
        "Description": desc,
        "Remediation": {"Recommendation": {"Text": remediation}},
        "SourceUrl": f"https://console.aws.amazon.com/access-analyzer/home?region={region}#/findings/details/{f['id']}",
        "ProductFields": pf,
        "Resources": [r],
        "WorkflowState": "NEW",
        "Workflow": {"Status": workflow},
        "RecordState": "ACTIVE",
        "FindingProviderFields": {"Severity": {"Label": sev[0], "Original": sev[0]}, "Types": types},
        "ProcessedAt": iso_ms(at(f["updatedAt"]) + timedelta(seconds=R.randint(300, 600))),
    }


def build_access_analyzer():
    use1 = analyzer("us-east-1", "ConsoleAnalyzer", "ACCOUNT", at("2023-03-02T14:19:40Z"), "arn:aws:s3:::acme-data-lake-raw")
    unused = analyzer("us-east-1", "UnusedAccess-ConsoleAnalyzer", "ACCOUNT_UNUSED_ACCESS", at("2025-06-17T08:30:12Z"))
    euw1 = analyzer("eu-west-1", "ConsoleAnalyzer", "ACCOUNT", at("2023-05-08T09:40:02Z"), "arn:aws:s3:::acme-eu-logs")
    partner = {"AWS": f"arn:aws:iam::{PARTNER}:root"}
    kms_actions = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom",
                   "kms:ReEncryptTo"]
    U = []
    U.append(aa_external(use1, "arn:aws:s3:::acme-public-website", "AWS::S3::Bucket", {"AWS": "*"},
                         ["s3:GetObject"], public=True, created_days=(119, 118)))
    U.append(aa_external(use1, "arn:aws:s3:::acme-partner-exchange", "AWS::S3::Bucket", partner,
                         ["s3:GetObject", "s3:ListBucket", "s3:PutObject"], created_days=(119, 118)))
    U.append(aa_external(use1, f"arn:aws:kms:us-east-1:{ACCT}:key/{KMS_PARTNER}", "AWS::KMS::Key", partner,
                         kms_actions, created_days=(119, 118)))
    U.append(aa_external(use1, ROLE["acme-partner-admin"]["arn"], "AWS::IAM::Role", partner,
                         ["sts:AssumeRole"], created_days=(119, 118), sh_workflow="NOTIFIED"))
    U.append(aa_external(use1, ROLE["data-import-role"]["arn"], "AWS::IAM::Role", {"AWS": "*"},
                         ["sts:AssumeRole"], public=True, created_days=(119, 118)))
    U.append(aa_external(use1, ROLE["OrganizationAccountAccessRole"]["arn"], "AWS::IAM::Role",
                         {"AWS": f"arn:aws:iam::{MGMT}:root"}, ["sts:AssumeRole"], status="ARCHIVED",
                         created_days=(119, 118), sh=False))
    U.append(aa_external(use1, ROLE["security-audit"]["arn"], "AWS::IAM::Role", {"AWS": f"arn:aws:iam::{SECTOOLS}:root"},
                         ["sts:AssumeRole"], condition={"aws:MultiFactorAuthPresent": "true"},
                         created_days=(119, 118)))
    U.append(aa_external(use1, ROLE["github-actions-deploy"]["arn"], "AWS::IAM::Role", {"Federated": OIDC},
                         ["sts:AssumeRoleWithWebIdentity"],
                         condition={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                    "token.actions.githubusercontent.com:sub": "repo:acme/webapp:ref:refs/heads/main"},
                         created_days=(119, 118), sh=False))
    U.append(aa_external(use1, f"arn:aws:sqs:us-east-1:{ACCT}:partner-orders-inbound", "AWS::SQS::Queue", partner,
                         ["sqs:SendMessage"], created_days=(119, 118)))
    U.append(aa_external(use1, f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:prod/partner-api-token-Qm3xTz",
                         "AWS::SecretsManager::Secret", partner, ["secretsmanager:GetSecretValue"],
                         created_days=(61, 60), sh=False))
    U.append(aa_external(use1, f"arn:aws:lambda:us-east-1:{ACCT}:function:image-resize-public", "AWS::Lambda::Function",
                         {"AWS": "*"}, ["lambda:InvokeFunction"], public=True, created_days=(88, 86)))

    svc = USER["svc-reporting"]
    lb = USER["legacy-backup"]
    U.append(aa_unused(unused, ROLE["legacy-etl-role"]["arn"], "AWS::IAM::Role", "UnusedIAMRole",
                       [{"unusedIamRoleDetails": {"lastAccessed": iso(ROLE["legacy-etl-role"]["last_used"][0])}}],
                       created_days=(140 - 90, 139 - 90)))
    U.append(aa_unused(unused, svc["arn"], "AWS::IAM::User", "UnusedIAMUserAccessKey",
                       [{"unusedIamUserAccessKeyDetails": {"accessKeyId": svc["keys"][0]["id"],
                                                           "lastAccessed": iso(svc["keys"][0]["last_used"])}}],
                       created_days=(110, 109)))
    U.append(aa_unused(unused, lb["arn"], "AWS::IAM::User", "UnusedIAMUserAccessKey",
                       [{"unusedIamUserAccessKeyDetails": {"accessKeyId": lb["keys"][0]["id"]}}],
                       created_days=(119, 118), sh=False))
    U.append(aa_unused(unused, USER["frank"]["arn"], "AWS::IAM::User", "UnusedIAMUserPassword",
                       [{"unusedIamUserPasswordDetails": {"lastAccessed": iso(USER["frank"]["pw_last_used"])}}],
                       created_days=(43, 42)))
    U.append(aa_unused(unused, USER["break-glass-1"]["arn"], "AWS::IAM::User", "UnusedIAMUserPassword",
                       [{"unusedIamUserPasswordDetails": {"lastAccessed": iso(USER["break-glass-1"]["pw_last_used"])}}],
                       created_days=(80, 79), sh=False))
    U.append(aa_unused(unused, USER["ci-deploy"]["arn"], "AWS::IAM::User", "UnusedPermission",
                       [{"unusedPermissionDetails": {"serviceNamespace": "lambda", "actions": [
                           {"action": "lambda:CreateFunction"}, {"action": "lambda:UpdateFunctionCode"}]}},
                        {"unusedPermissionDetails": {"serviceNamespace": "ec2", "actions": [
                            {"action": "ec2:RunInstances"}]}}],
                       created_days=(200 - 90, 199 - 90), sh=False))
    U.append(aa_unused(unused, ROLE["build-runner-role"]["arn"], "AWS::IAM::Role", "UnusedPermission",
                       [{"unusedPermissionDetails": {"serviceNamespace": "iam", "actions": [{"action": "iam:PassRole"}]}}],
                       created_days=(30, 29)))
    U.append(aa_unused(unused, ROLE["ec2-app-role"]["arn"], "AWS::IAM::Role", "UnusedPermission",
                       [{"unusedPermissionDetails": {"serviceNamespace": "sqs",
                                                     "lastAccessed": "2026-03-30T11:02:41Z",
                                                     "actions": [{"action": "sqs:DeleteMessage", "lastAccessed": "2026-03-30T11:02:41Z"},
                                                                 {"action": "sqs:SendMessage"}]}}],
                       created_days=(20, 19), sh=False))

    E = []
    E.append(aa_external(euw1, f"arn:aws:kms:eu-west-1:{ACCT}:key/{KMS_EU}", "AWS::KMS::Key", partner,
                         kms_actions, created_days=(80, 79)))
    E.append(aa_external(euw1, "arn:aws:s3:::acme-eu-customer-uploads", "AWS::S3::Bucket",
                         {"AWS": "*"}, ["s3:GetObject", "s3:ListBucket"], public=True, created_days=(19, 18.9),
                         sources=("BUCKET_ACL",), sh_workflow="NOTIFIED"))
    E.append(aa_external(euw1, ROLE["acme-partner-admin"]["arn"], "AWS::IAM::Role", partner,
                         ["sts:AssumeRole"], created_days=(80, 79), sh=False))
    E.append(aa_external(euw1, ROLE["data-import-role"]["arn"], "AWS::IAM::Role", {"AWS": "*"},
                         ["sts:AssumeRole"], public=True, created_days=(80, 79), sh=False))

    native = {"us-east-1": {"analyzers": [use1, unused], "findings": [f for f, _ in U]},
              "eu-west-1": {"analyzers": [euw1], "findings": [f for f, _ in E]}}
    copies = {"us-east-1": [aa_to_asff(f, "us-east-1", wf) for f, (sh, wf) in U if sh],
              "eu-west-1": [aa_to_asff(f, "eu-west-1", wf) for f, (sh, wf) in E if sh]}
    return native, copies, {"us-east-1": [use1, unused], "eu-west-1": [euw1]}


# ----------------------------------------------------------------------------------------------
# Assembly
# ----------------------------------------------------------------------------------------------


def build():
    iam = build_iam()
    controls = build_control_findings()
    gd_native, gd_copies = build_guardduty()
    aa_native, aa_copies, analyzers = build_access_analyzer()

    securityhub = []
    for region in SH_REGIONS:
        findings = controls[region] + gd_copies[region] + aa_copies[region]
        findings.sort(key=lambda f: f["UpdatedAt"], reverse=True)  # GetFindings default: newest first
        securityhub.append({"region": region, "findings": findings})

    guardduty = [{"region": r, "detector_id": DETECTORS[r], "findings": gd_native[r]} for r in REGIONS]
    access_analyzer = [{"region": r, "analyzers": aa_native[r]["analyzers"], "findings": aa_native[r]["findings"]}
                       for r in SH_REGIONS]

    services = []
    for r in REGIONS:
        sh_on = r in SH_REGIONS
        services.append({"service": "securityhub", "region": r, "enabled": sh_on,
                         "detail": f"arn:aws:securityhub:{r}:{ACCT}:hub/default" if sh_on else None})
        services.append({"service": "guardduty", "region": r, "enabled": True, "detail": DETECTORS[r]})
        if r in analyzers:
            # One entry per analyzer, detail = its type (the posture engine's convention).
            for a in analyzers[r]:
                services.append({"service": "access-analyzer", "region": r, "enabled": True,
                                 "detail": f"{a['arn']}; type={a['type']}"})
        else:
            services.append({"service": "access-analyzer", "region": r, "enabled": False, "detail": None})
        trail_detail = {"us-east-1": "acme-mgmt-trail (multi-region, home us-east-1)",
                        "eu-west-1": "acme-mgmt-trail (multi-region, home us-east-1); acme-eu-app-trail (logging stopped)",
                        "ap-southeast-2": "acme-mgmt-trail (multi-region, home us-east-1)"}[r]
        services.append({"service": "cloudtrail", "region": r, "enabled": True, "detail": trail_detail})
        services.append({"service": "config", "region": r, "enabled": sh_on,
                         "detail": f"recorder default, role arn:aws:iam::{ACCT}:role/config-recorder-role" if sh_on
                         else "no configuration recorder"})

    return {
        "format": "guardpost-snapshot",
        "version": 1,
        "captured_at": iso(NOW),
        **baseline(),
        "account": {"id": ACCT, "alias": ALIAS, "caller_arn": USER["alice"]["arn"]},
        "regions": REGIONS,
        "securityhub": securityhub,
        "guardduty": guardduty,
        "access_analyzer": access_analyzer,
        "iam": iam,
        "services": services,
        "problems": [],
    }


# ----------------------------------------------------------------------------------------------
# The native baseline (issue 15): EC2 facts from the same groups and instances the Security Hub
# findings describe, CloudTrail's trails, AWS Config, the security contact
# ----------------------------------------------------------------------------------------------

# app-prod-1 still answers IMDSv1: the root cause of the instance-credential exfiltration story.
IMDS_V1 = {"i-0abc1234def567890", "i-0c0ffee0123456789"}
FLOW_LOGS = {VPC_PROD: ["fl-0a1b2c3d4e5f60718"]}
VPCS = {"us-east-1": [(VPC_PROD, False), (VPC_DEFAULT, True)], "eu-west-1": [(VPC_EU, True)],
        "ap-southeast-2": [(VPC_SYD, True)]}


def native_perm(p):
    out = {"protocol": p["IpProtocol"]}
    if p["IpProtocol"] != "-1":
        out["from_port"], out["to_port"] = p["FromPort"], p["ToPort"]
    out["ipv4"] = [r["CidrIp"] for r in p.get("IpRanges", [])]
    out["groups"] = [g["GroupId"] for g in p.get("UserIdGroupPairs", [])]
    return out


def native_acl(region, vpc, n):
    # Every VPC's default ACL, as AWS makes it: allow all in and out (rule 100), deny the rest.
    acl = "acl-0" + hashlib.sha1(vpc.encode()).hexdigest()[:16]
    entries = [{"rule_number": num, "egress": eg, "protocol": "-1", "action": act, "cidr": "0.0.0.0/0"}
               for eg in (False, True) for num, act in ((100, "allow"), (32767, "deny"))]
    return {"id": acl, "vpc_id": vpc, "is_default": True, "entries": entries}


def baseline():
    ec2 = []
    for n, region in enumerate(REGIONS):
        groups = []
        for g in SGS.values():
            if g["Region"] != region:
                continue
            d = g["Details"]["AwsEc2SecurityGroup"]
            groups.append({"id": d["GroupId"], "name": d["GroupName"], "vpc_id": d["VpcId"],
                           "ingress": [native_perm(p) for p in d["IpPermissions"]],
                           "egress": [native_perm(p) for p in d["IpPermissionsEgress"]]})
        instances = [{"id": i.iid, "state": "running", "name": i.name,
                      "http_tokens": "optional" if i.iid in IMDS_V1 else "required", "http_endpoint": "enabled"}
                     for i in INST.values() if i.region == region]
        ec2.append({
            "region": region,
            "security_groups": groups,
            "network_acls": [native_acl(region, v, n) for v, _ in VPCS[region]],
            "vpcs": [{"id": v, "is_default": d, "flow_logs": FLOW_LOGS.get(v, [])} for v, d in VPCS[region]],
            "instances": instances,
            # Sydney was opened later and never got the account's defaults.
            "ebs_encryption_by_default": region != "ap-southeast-2",
        })
    # The trails the Security Hub findings describe: the multi-region management trail records
    # write events only and is not KMS-encrypted; the EU app trail is single-region,
    # unvalidated, unencrypted, and terraform stopped it.
    org_trail = {"name": "acme-mgmt-trail", "arn": f"arn:aws:cloudtrail:us-east-1:{ACCT}:trail/acme-mgmt-trail",
                 "home_region": "us-east-1", "multi_region": True, "organization": False, "log_file_validation": True,
                 "kms_key_id": None,
                 "cloudwatch_logs_log_group_arn": f"arn:aws:logs:us-east-1:{ACCT}:log-group:aws-cloudtrail-logs:*",
                 "s3_bucket": f"acme-cloudtrail-logs-{ACCT}", "logging": True, "management": "write-only"}
    old_trail = {"name": "acme-eu-app-trail", "arn": f"arn:aws:cloudtrail:eu-west-1:{ACCT}:trail/acme-eu-app-trail",
                 "home_region": "eu-west-1", "multi_region": False, "organization": False,
                 "log_file_validation": False, "kms_key_id": None, "cloudwatch_logs_log_group_arn": None,
                 "s3_bucket": f"acme-cloudtrail-logs-{ACCT}", "logging": False, "management": "all"}
    trails = [{"region": "us-east-1", "trails": [org_trail]}, {"region": "eu-west-1", "trails": [old_trail]},
              {"region": "ap-southeast-2", "trails": []}]
    recorder = lambda glob: {"name": "default", "all_supported": True, "include_global": glob, "recording": True}
    config = [{"region": "us-east-1", "recorders": [recorder(True)], "delivery_channels": ["default"]},
              {"region": "eu-west-1", "recorders": [recorder(False)], "delivery_channels": ["default"]},
              {"region": "ap-southeast-2", "recorders": [], "delivery_channels": []}]
    # CloudWatch: the security team alarms on root use in us-east-1, but every CIS section 4
    # control still fails at its first link: the management trail records writes only.
    topic = f"arn:aws:sns:us-east-1:{ACCT}:security-alerts"
    monitoring = [{"region": "us-east-1",
                   "metric_filters": [{"name": "root-usage", "log_group": "aws-cloudtrail-logs",
                                       "pattern": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
                                       "metrics": [{"namespace": "CISBenchmark", "name": "RootUsage"}]}],
                   "alarms": [{"name": "root-usage", "arn": f"arn:aws:cloudwatch:us-east-1:{ACCT}:alarm:root-usage",
                               "metrics": [{"namespace": "CISBenchmark", "name": "RootUsage"}],
                               "actions": [topic], "actions_enabled": True}],
                   "subscriptions": [{"topic_arn": topic, "protocol": "email", "confirmed": True}]}] + \
                 [{"region": r, "metric_filters": [], "alarms": [], "subscriptions": []} for r in REGIONS if r != "us-east-1"]
    # S3: the account blocks public ACLs but not public policies; the trails' bucket is private
    # but keeps no access logs.
    s3 = {"public_access_block": {"block_public_acls": True, "ignore_public_acls": True,
                                  "block_public_policy": False, "restrict_public_buckets": False},
          "trail_buckets": [{"name": f"acme-cloudtrail-logs-{ACCT}", "trails": ["acme-mgmt-trail", "acme-eu-app-trail"],
                             "policy_public": False, "acl_public": False,
                             "public_access_block": {"block_public_acls": True, "ignore_public_acls": True,
                                                     "block_public_policy": True, "restrict_public_buckets": True},
                             "logging_target": ""}]}
    return {"ec2": ec2, "trails": trails, "config_recorders": config, "monitoring": monitoring, "s3": s3,
            "contacts": {"security": None}}


# ----------------------------------------------------------------------------------------------
# Self-checks (the Rust test tests/demo_snapshot.rs checks the same and more)
# ----------------------------------------------------------------------------------------------

B64 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def strings(obj, path="$"):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield path + ".<key>", k
            yield from strings(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from strings(v, f"{path}[{i}]")
    elif isinstance(obj, str):
        yield path, obj


def secret_like(s):
    """A 40-character run of base64 characters mixing upper, lower and digits."""
    run = []
    for ch in s + "\0":
        if ch in B64:
            run.append(ch)
            continue
        if len(run) == 40:
            t = "".join(run)
            if any(c.isupper() for c in t) and any(c.islower() for c in t) and any(c.isdigit() for c in t):
                return True
        run = []
    return False


def check(snap):
    for path, s in strings(snap):
        assert "secretaccesskey" not in s.lower(), path
        assert not secret_like(s), (path, s)
    gd_ids = {f["arn"] for g in snap["guardduty"] for f in g["findings"]}
    users = {u["UserName"] for u in snap["iam"]["UserDetailList"]}
    for sh in snap["securityhub"]:
        for f in sh["findings"]:
            if f["ProductName"] == "GuardDuty":
                assert f["Id"] in gd_ids, f["Id"]
            for r in f["Resources"]:
                if r["Type"] == "AwsIamUser":
                    assert r["Id"].split("/")[-1] in users, r["Id"]
    counts = {}
    for key in ("securityhub", "guardduty", "access_analyzer"):
        for b in snap[key]:
            counts[(key, b["region"])] = len(b["findings"])
    return counts


def render():
    snap = build()
    counts = check(snap)
    text = json.dumps(snap, indent=1, ensure_ascii=False) + "\n"
    return text, counts


def main():
    out = Path(__file__).resolve().parent.parent / "data" / "demo-snapshot.json"
    text, counts = render()
    if "--check" in sys.argv[1:]:
        if out.read_text(encoding="utf-8") != text:
            print(f"{out} is out of date: run python3 tools/gen_demo.py", file=sys.stderr)
            sys.exit(1)
        return
    out.write_text(text, encoding="utf-8")
    total = 0
    for (key, region), n in counts.items():
        print(f"{key:16} {region:15} {n:4}")
        total += n
    print(f"{'total':32} {total:4}")


if __name__ == "__main__":
    main()
