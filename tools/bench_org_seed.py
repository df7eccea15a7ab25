#!/usr/bin/env python3
"""Seeds the emulator (tests/emulator/) with an AWS Organization for tools/bench_org.sh.

Usage: bench_org_seed.py URL ACCOUNTS USERS ROLES POLICIES

The management account (the emulator's default) creates ACCOUNTS member accounts (moto's
CreateAccount makes OrganizationAccountAccessRole in each), spread over three OUs, then in each
member through that role: USERS users (half with an access key, a quarter with a console
password and a virtual MFA device), ROLES roles trusting the management account, POLICIES
customer managed policies, each policy attached to a user or a role. Eight threads seed eight
accounts at a time. Prints a one-line summary.
"""

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3

URL, N, USERS, ROLES, POLICIES = sys.argv[1], *map(int, sys.argv[2:6])
KW = dict(endpoint_url=URL, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def doc(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def member(account, mgmt):
    c = boto3.client("sts", **KW).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="seed"
    )["Credentials"]
    iam = boto3.client(
        "iam", endpoint_url=URL, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"],
    )
    arns = []
    for p in range(POLICIES):
        arns.append(iam.create_policy(
            PolicyName=f"app-{p}",
            PolicyDocument=doc([{"Effect": "Allow", "Action": [f"s3:Get{p}*", "dynamodb:Query"],
                                 "Resource": f"arn:aws:s3:::bucket-{p}/*"}]),
        )["Policy"]["Arn"])
    for u in range(USERS):
        iam.create_user(UserName=f"user-{u}")
        if u % 2 == 0:
            iam.create_access_key(UserName=f"user-{u}")
        elif u % 4 == 1:
            # A console user with a virtual MFA device (a quarter of the users).
            iam.create_login_profile(UserName=f"user-{u}", Password="Bench-Passw0rd!")
            serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"user-{u}")["VirtualMFADevice"]["SerialNumber"]
            iam.enable_mfa_device(UserName=f"user-{u}", SerialNumber=serial,
                                  AuthenticationCode1="123456", AuthenticationCode2="654321")
    trust = doc([{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{mgmt}:root"}, "Action": "sts:AssumeRole"}])
    for r in range(ROLES):
        iam.create_role(RoleName=f"role-{r}", AssumeRolePolicyDocument=trust)
    for i, arn in enumerate(arns):
        if i % 2 == 0 and USERS:
            iam.attach_user_policy(UserName=f"user-{i % USERS}", PolicyArn=arn)
        elif ROLES:
            iam.attach_role_policy(RoleName=f"role-{i % ROLES}", PolicyArn=arn)


def main():
    org = boto3.client("organizations", **KW)
    mgmt = org.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
    root = org.list_roots()["Roots"][0]["Id"]
    ous = [org.create_organizational_unit(ParentId=root, Name=n)["OrganizationalUnit"]["Id"]
           for n in ("prod", "dev", "sandbox")]
    ids = []
    for i in range(N):
        a = org.create_account(AccountName=f"acct-{i:03}", Email=f"a{i}@example.com")["CreateAccountStatus"]["AccountId"]
        # moto pages ListAccounts by join time: no two accounts may share one.
        time.sleep(0.002)
        org.move_account(AccountId=a, SourceParentId=root, DestinationParentId=ous[i % 3])
        ids.append(a)
    started = time.time()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda a: member(a, mgmt), ids))
    print(f"seeded {N} accounts x ({USERS} users, {ROLES} roles, {POLICIES} policies) in {time.time() - started:.0f} s")


main()
