#!/usr/bin/env python3
"""Seeds the emulator (tests/emulator/) with ~50 IAM principals for tools/bench_check.sh.

Usage: bench_seed.py URL   (AWS_* variables are set by the caller; any credentials work)

Users, roles, groups, customer managed policies and access keys: a mix of misconfigured and
healthy ones, some created under the emulator's backdated clock (POST /_guardpost/clock) so
keys and credentials look old. Prints a one-line summary of what it created.
"""

import datetime as dt
import json
import sys
import urllib.request

import boto3

URL = sys.argv[1]
ACCT = "123456789012"
PARTNER = "444455556666"
VENDOR = "777788889999"


def clock(days_ago):
    at = None
    if days_ago is not None:
        at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days_ago)).isoformat()
    req = urllib.request.Request(
        URL + "/_guardpost/clock",
        data=json.dumps({"frozen_at": at}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(req).read()


def doc(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def trust(principal, condition=None):
    s = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        s["Condition"] = condition
    return doc([s])


iam = boto3.client("iam", endpoint_url=URL, region_name="us-east-1")
sts = boto3.client("sts", endpoint_url=URL, region_name="us-east-1")
counts = {"users": 0, "roles": 0, "groups": 0, "policies": 0, "keys": 0}


def user(name, tags=True):
    kw = {"Tags": [{"Key": "owner", "Value": "team-a"}]} if tags else {}
    iam.create_user(UserName=name, **kw)
    counts["users"] += 1


def key(name):
    counts["keys"] += 1
    return iam.create_access_key(UserName=name)["AccessKey"]


def use_key(k):
    boto3.client(
        "sts",
        endpoint_url=URL,
        region_name="us-east-1",
        aws_access_key_id=k["AccessKeyId"],
        aws_secret_access_key=k["SecretAccessKey"],
    ).get_caller_identity()


def role(name, trust_doc, policies=(), path="/"):
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_doc, Path=path)["Role"]["Arn"]
    for p in policies:
        iam.attach_role_policy(RoleName=name, PolicyArn=p)
    counts["roles"] += 1
    return arn


def use_role(arn):
    c = sts.assume_role(RoleArn=arn, RoleSessionName="bench")["Credentials"]
    boto3.client(
        "sts",
        endpoint_url=URL,
        region_name="us-east-1",
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    ).get_caller_identity()


def policy(name, statements):
    counts["policies"] += 1
    return iam.create_policy(PolicyName=name, PolicyDocument=doc(statements))["Policy"]["Arn"]


def group(name, policies=(), inline=None):
    iam.create_group(GroupName=name)
    for p in policies:
        iam.attach_group_policy(GroupName=name, PolicyArn=p)
    if inline:
        iam.put_group_policy(GroupName=name, PolicyName=name + "-inline", PolicyDocument=doc(inline))
    counts["groups"] += 1


def console(name):
    iam.create_login_profile(UserName=name, Password="Correct-Horse-Battery-9!")


def mfa(name):
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")


# --- 400 days ago: old users, keys and roles.
clock(400)
for i in range(4):
    user(f"legacy-svc-{i}")
    k = key(f"legacy-svc-{i}")
    if i % 2 == 0:
        clock(300)
        use_key(k)
        clock(400)
old_roles = [role(f"legacy-role-{i}", trust({"Service": "ec2.amazonaws.com"})) for i in range(3)]
user("old-console")
console("old-console")
clock(200)
use_role(old_roles[0])
clock(None)

# --- Policies and groups.
star = policy("StarAdmin", [{"Effect": "Allow", "Action": "*", "Resource": "*"}])
read = policy("ReadBuckets", [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}])
deploy = policy("DeployLambda", [{"Effect": "Allow", "Action": ["lambda:UpdateFunctionCode", "lambda:GetFunction"], "Resource": "*"}])
iam_mgr = policy("PolicyManager", [{"Effect": "Allow", "Action": ["iam:CreatePolicyVersion", "iam:ListPolicies"], "Resource": "*"}])
passrole = policy("LaunchInstances", [{"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}])
policy("UnattachedStar", [{"Effect": "Allow", "Action": "*", "Resource": "*"}])
kms = policy("KmsAll", [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}])
ct = policy("CloudTrailAll", [{"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}])
group("admins", [star])
group("readers", [read])
group("deployers", [deploy])
group("launchers", [passrole])
group("platform", [iam_mgr, kms])
group("auditors", ["arn:aws:iam::aws:policy/SecurityAudit"])
group("empty-group")
group("ops", inline=[{"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}])

# --- Users.
for i in range(6):  # healthy: console + MFA, in readers, no keys
    n = f"dev-{i}"
    user(n)
    console(n)
    mfa(n)
    iam.add_user_to_group(GroupName="readers", UserName=n)
for i in range(3):  # console without MFA
    n = f"contractor-{i}"
    user(n, tags=(i != 0))
    console(n)
    iam.add_user_to_group(GroupName="deployers", UserName=n)
for i in range(3):  # two active keys
    n = f"ci-{i}"
    user(n)
    key(n)
    key(n)
    iam.add_user_to_group(GroupName="launchers", UserName=n)
user("admin-alice")
console("admin-alice")
mfa("admin-alice")
iam.add_user_to_group(GroupName="admins", UserName="admin-alice")
user("inline-bob")
iam.put_user_policy(UserName="inline-bob", PolicyName="bob-inline",
                    PolicyDocument=doc([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]))
user("direct-carol")
iam.attach_user_policy(UserName="direct-carol", PolicyArn=ct)
iam.attach_user_policy(UserName="direct-carol", PolicyArn="arn:aws:iam::aws:policy/AWSCloudShellFullAccess")
user("platform-dan")
console("platform-dan")
mfa("platform-dan")
iam.add_user_to_group(GroupName="platform", UserName="platform-dan")
user("auditor-erin")
iam.add_user_to_group(GroupName="auditors", UserName="auditor-erin")
user("break-glass-1")
console("break-glass-1")
key("break-glass-1")
user("terraform")
k = key("terraform")
use_key(k)
iam.attach_user_policy(UserName="terraform", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")

# --- Roles.
role("support", trust({"AWS": f"arn:aws:iam::{ACCT}:root"}),
     ["arn:aws:iam::aws:policy/AWSSupportAccess"])
role("partner-admin", trust({"AWS": f"arn:aws:iam::{PARTNER}:root"}),
     ["arn:aws:iam::aws:policy/AdministratorAccess"])
role("partner-mfa", trust({"AWS": f"arn:aws:iam::{PARTNER}:root"},
                          {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
     ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
role("vendor-extid", trust({"AWS": f"arn:aws:iam::{VENDOR}:root"},
                           {"StringEquals": {"sts:ExternalId": "acme-7f3a"}}),
     ["arn:aws:iam::aws:policy/SecurityAudit"])
role("vendor-readonly", trust({"AWS": f"arn:aws:iam::{VENDOR}:root"}),
     ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
role("trust-anyone", trust({"AWS": "*"}))
role("trust-anyone-org", trust({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}))
role("github-deploy", trust({"Federated": f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"},
                            {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}),
     [deploy])
role("ec2-app", trust({"Service": "ec2.amazonaws.com"}), [read])
role("lambda-exec", trust({"Service": "lambda.amazonaws.com"}), [passrole])
role("admin-role", trust({"AWS": f"arn:aws:iam::{ACCT}:root"}), [star])
role("incident-response", trust({"AWS": f"arn:aws:iam::{ACCT}:root"}),
     ["arn:aws:iam::aws:policy/AdministratorAccess"])
role("AWSServiceRoleForSupport", trust({"Service": "support.amazonaws.com"}),
     path="/aws-service-role/support.amazonaws.com/")
for arn in [f"arn:aws:iam::{ACCT}:role/ec2-app", f"arn:aws:iam::{ACCT}:role/support"]:
    use_role(arn)

iam.update_account_password_policy(MinimumPasswordLength=8, PasswordReusePrevention=5)

# --- Scale (issue 15's account): BENCH_USERS more users, each in a group with a console
# password and a key; BENCH_SH_FINDINGS open Security Hub findings in us-east-1.
import os

for i in range(int(os.environ.get("BENCH_USERS", "0"))):
    name = f"scale-user-{i:04d}"
    user(name)
    console(name)
    key(name)
    iam.add_user_to_group(GroupName="platform", UserName=name)
sh = int(os.environ.get("BENCH_SH_FINDINGS", "0"))
if sh:
    req = urllib.request.Request(
        URL + "/_guardpost/seed",
        data=json.dumps({"account": ACCT, "securityhub": {"us-east-1": {"generate": sh}}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(req).read()
    counts["securityhub findings"] = sh

total = counts["users"] + counts["roles"] + counts["groups"] + counts["policies"]
print(f"seeded {total} principals and policies: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
