"""Checks the emulator against boto3: botocore parses every response with the same service models
the Rust SDK is generated from, so a response that parses here has the right shape there too.

Run with ./run_tests.sh (sets up the venv first).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
ACCOUNT = "123456789012"


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


class Emu:
    def __init__(self, port: int, startup: float):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.startup = startup

    def control(self, method: str, path: str, doc=None):
        data = None if doc is None else json.dumps(doc).encode()
        req = urllib.request.Request(self.url + "/_guardpost" + path, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def seed(self, doc):
        return self.control("POST", "/seed", doc)

    def fault(self, doc):
        return self.control("POST", "/fault", doc)

    def requests(self, **query):
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        return self.control("GET", "/requests" + (f"?{qs}" if qs else ""))["requests"]

    def state(self, region="us-east-1", account=ACCOUNT):
        return self.control("GET", f"/state?region={region}&account={account}")["accounts"][account][region]

    def client(self, service: str, region: str = "us-east-1", retries: int = 1, access_key: str = "testing"):
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id=access_key,
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": retries, "mode": "standard"}),
        )


@pytest.fixture(scope="session")
def emu():
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("AWS_"):
            del env[k]
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), "--port", "0", "--exit-on-stdin-eof"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,
        env=env,
        text=True,
    )
    line = proc.stdout.readline()
    startup = time.monotonic() - start
    assert line.startswith("READY "), line
    yield Emu(int(line.split()[1]), startup)
    proc.stdin.close()  # --exit-on-stdin-eof: the server exits by itself
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(autouse=True)
def clean(emu):
    emu.control("POST", "/reset", {"moto": False})
    yield


def err(e: ClientError) -> tuple[str, int, str]:
    r = e.response
    return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"].get("Message", "")


# ---------------------------------------------------------------------------------------------
# Server basics
# ---------------------------------------------------------------------------------------------


def test_starts_fast_and_prints_ready(emu):
    assert emu.startup < 3.0, f"startup took {emu.startup:.2f}s"
    assert emu.control("GET", "/health") == {"ok": True}


def test_unknown_control_endpoint_is_a_400(emu):
    with pytest.raises(urllib.error.HTTPError) as e:
        emu.control("POST", "/nope", {})
    assert e.value.code == 400


# ---------------------------------------------------------------------------------------------
# Security Hub
# ---------------------------------------------------------------------------------------------


def test_securityhub_not_enabled_is_invalid_access(emu):
    sh = emu.client("securityhub")
    for call in (sh.describe_hub, lambda: sh.get_findings()):
        with pytest.raises(ClientError) as e:
            call()
        code, status, msg = err(e.value)
        assert code == "InvalidAccessException"
        assert status == 401
        assert "not subscribed to AWS Security Hub" in msg
        assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "InvalidAccessException"
        assert e.value.response["Code"] == "InvalidAccessException"  # modeled member


def test_securityhub_enable_and_describe(emu):
    sh = emu.client("securityhub", region="eu-west-1")
    sh.enable_security_hub(EnableDefaultStandards=False)
    hub = sh.describe_hub()
    assert hub["HubArn"] == f"arn:aws:securityhub:eu-west-1:{ACCOUNT}:hub/default"
    assert hub["SubscribedAt"]
    with pytest.raises(ClientError) as e:
        sh.enable_security_hub()
    assert err(e.value)[:2] == ("ResourceConflictException", 409)
    # per region: us-east-1 is still not enabled
    with pytest.raises(ClientError) as e:
        emu.client("securityhub", region="us-east-1").describe_hub()
    assert err(e.value)[0] == "InvalidAccessException"


def test_securityhub_max_results_over_100_rejected(emu):
    emu.seed({"securityhub": {"us-east-1": {"generate": 3}}})
    sh = emu.client("securityhub")
    with pytest.raises(ClientError) as e:
        sh.get_findings(MaxResults=101)
    code, status, msg = err(e.value)
    assert (code, status) == ("InvalidInputException", 400)
    assert "100" in msg
    assert len(sh.get_findings(MaxResults=100)["Findings"]) == 3


def test_securityhub_pagination_250_findings_three_pages(emu):
    emu.seed({"securityhub": {"us-east-1": {"generate": 250}}})
    sh = emu.client("securityhub")
    pages = list(sh.get_paginator("get_findings").paginate(PaginationConfig={"PageSize": 100}))
    assert [len(p["Findings"]) for p in pages] == [100, 100, 50]
    ids = [f["Id"] for p in pages for f in p["Findings"]]
    assert len(set(ids)) == 250
    assert "NextToken" not in pages[-1]
    gets = emu.requests(service="securityhub", operation="GetFindings")
    assert len(gets) == 3
    assert "NextToken" not in gets[0]["params"] and "NextToken" in gets[1]["params"]
    assert gets[0]["params"]["MaxResults"] == 100


def test_securityhub_invalid_next_token(emu):
    emu.seed({"securityhub": {"us-east-1": {"generate": 1}}})
    with pytest.raises(ClientError) as e:
        emu.client("securityhub").get_findings(NextToken="garbage!")
    assert err(e.value)[0] == "InvalidInputException"


def _sh_seed(emu):
    gd_product = "arn:aws:securityhub:us-east-1::product/aws/guardduty"
    aa_product = "arn:aws:securityhub:us-east-1::product/aws/access-analyzer"
    return emu.seed({
        "securityhub": {
            "us-east-1": {
                "findings": [
                    {"Id": "f-iam5", "Title": "MFA", "Severity": {"Label": "MEDIUM"},
                     "Compliance": {"Status": "FAILED", "SecurityControlId": "IAM.5"},
                     "Resources": [{"Type": "AwsIamUser", "Id": f"arn:aws:iam::{ACCOUNT}:user/alice"}]},
                    {"Id": "f-iam3", "Title": "Old key", "Severity": {"Label": "HIGH"},
                     "Compliance": {"Status": "FAILED", "SecurityControlId": "IAM.3"},
                     "Resources": [{"Type": "AwsIamAccessKey", "Id": "AKIAOLD"}]},
                    {"Id": "f-resolved", "Title": "Done", "Severity": {"Label": "LOW"}, "Workflow": {"Status": "RESOLVED"}},
                    {"Id": "f-archived", "Title": "Gone", "Severity": {"Label": "CRITICAL"}, "RecordState": "ARCHIVED"},
                    {"Id": f"arn:aws:guardduty:us-east-1:{ACCOUNT}:detector/d/finding/abc", "ProductArn": gd_product,
                     "Title": "GD", "Severity": {"Label": "CRITICAL"}, "Workflow": {"Status": "NOTIFIED"}},
                    {"Id": "f-aa", "ProductArn": aa_product, "Title": "AA", "Severity": {"Label": "INFORMATIONAL"},
                     "AwsAccountId": "210987654321"},
                ]
            }
        }
    })


def _ids(resp):
    return sorted(f["Id"].rsplit("/", 1)[-1] for f in resp["Findings"])


def test_securityhub_filters(emu):
    _sh_seed(emu)
    sh = emu.client("securityhub")
    eq = lambda v: [{"Value": v, "Comparison": "EQUALS"}]  # noqa: E731
    assert len(sh.get_findings()["Findings"]) == 6
    default = {"RecordState": eq("ACTIVE"), "WorkflowStatus": eq("NEW") + eq("NOTIFIED")}
    assert _ids(sh.get_findings(Filters=default)) == ["abc", "f-aa", "f-iam3", "f-iam5"]
    assert _ids(sh.get_findings(Filters={"RecordState": [{"Value": "ACTIVE", "Comparison": "NOT_EQUALS"}]})) == ["f-archived"]
    assert _ids(sh.get_findings(Filters={"SeverityLabel": eq("CRITICAL") + eq("HIGH")})) == ["abc", "f-archived", "f-iam3"]
    assert _ids(sh.get_findings(Filters={"ProductName": eq("GuardDuty")})) == ["abc"]
    assert _ids(sh.get_findings(Filters={"ProductName": eq("IAM Access Analyzer")})) == ["f-aa"]
    assert _ids(sh.get_findings(Filters={"AwsAccountId": eq("210987654321")})) == ["f-aa"]
    assert _ids(sh.get_findings(Filters={"Id": eq("f-iam5")})) == ["f-iam5"]
    assert _ids(sh.get_findings(Filters={"ResourceId": [{"Value": f"arn:aws:iam::{ACCOUNT}:user/", "Comparison": "PREFIX"}]})) == ["f-iam5"]
    assert _ids(sh.get_findings(Filters={"ComplianceSecurityControlId": eq("IAM.3")})) == ["f-iam3"]
    assert _ids(sh.get_findings(Filters={"ComplianceSecurityControlId": [{"Value": "IAM.", "Comparison": "PREFIX"}],
                                         "SeverityLabel": [{"Value": "HIGH", "Comparison": "NOT_EQUALS"}]})) == ["f-iam5"]
    with pytest.raises(ClientError) as e:
        sh.get_findings(Filters={"MalwareName": eq("x")})
    assert err(e.value)[0] == "InvalidInputException"


def test_securityhub_sort(emu):
    _sh_seed(emu)
    sh = emu.client("securityhub")
    labels = [f["Severity"]["Label"] for f in sh.get_findings(SortCriteria=[{"Field": "SeverityLabel", "SortOrder": "desc"}])["Findings"]]
    assert labels == ["CRITICAL", "CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"]
    titles = [f["Title"] for f in sh.get_findings(SortCriteria=[{"Field": "Title", "SortOrder": "asc"}])["Findings"]]
    assert titles == sorted(titles)


def _asff(i: int, **kw):
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    f = {
        "SchemaVersion": "2018-10-08",
        "Id": f"imported-{i}",
        "ProductArn": f"arn:aws:securityhub:us-east-1:{ACCOUNT}:product/{ACCOUNT}/default",
        "GeneratorId": "guardpost",
        "AwsAccountId": ACCOUNT,
        "Types": ["Software and Configuration Checks"],
        "CreatedAt": now,
        "UpdatedAt": now,
        "Severity": {"Label": "HIGH"},
        "Title": f"Imported {i}",
        "Description": "d",
        "Resources": [{"Type": "AwsAccount", "Id": f"AWS::::Account:{ACCOUNT}"}],
    }
    f.update(kw)
    return f


def test_securityhub_batch_import(emu):
    sh = emu.client("securityhub")
    sh.enable_security_hub()
    bad = _asff(2)
    bad["Title"] = ""  # boto3 requires the member; the service rejects it empty
    r = sh.batch_import_findings(Findings=[_asff(1), bad])
    assert (r["SuccessCount"], r["FailedCount"]) == (1, 1)
    assert r["FailedFindings"][0]["Id"] == "imported-2"
    f = sh.get_findings()["Findings"][0]
    assert f["Workflow"]["Status"] == "NEW" and f["RecordState"] == "ACTIVE" and f["Severity"]["Label"] == "HIGH"
    assert f["ProductName"] == "default" and f["CompanyName"] == ACCOUNT
    # a re-import does not reset what BatchUpdateFindings owns
    sh.batch_update_findings(FindingIdentifiers=[{"Id": f["Id"], "ProductArn": f["ProductArn"]}], Workflow={"Status": "SUPPRESSED"})
    sh.batch_import_findings(Findings=[_asff(1, Title="Imported again", Workflow={"Status": "NEW"})])
    f = sh.get_findings()["Findings"][0]
    assert f["Title"] == "Imported again" and f["Workflow"]["Status"] == "SUPPRESSED"
    with pytest.raises(ClientError) as e:
        sh.batch_import_findings(Findings=[_asff(i) for i in range(101)])
    assert err(e.value)[:2] == ("InvalidInputException", 400)


def test_securityhub_batch_update(emu):
    _sh_seed(emu)
    sh = emu.client("securityhub")
    prod = "arn:aws:securityhub:us-east-1::product/aws/securityhub"
    r = sh.batch_update_findings(
        FindingIdentifiers=[{"Id": "f-iam5", "ProductArn": prod}, {"Id": "nope", "ProductArn": prod}, {"Id": "f-iam5", "ProductArn": prod}],
        Workflow={"Status": "RESOLVED"},
        Note={"Text": "fixed by guardpost", "UpdatedBy": "guardpost"},
        Severity={"Label": "LOW"},
    )
    assert r["ProcessedFindings"] == [{"Id": "f-iam5", "ProductArn": prod}]
    codes = sorted(u["ErrorCode"] for u in r["UnprocessedFindings"])
    assert codes == ["DuplicatedFindingIdentifier", "FindingNotFound"]
    assert all(u["ErrorMessage"] for u in r["UnprocessedFindings"])
    [f] = [f for f in emu.state()["securityhub"]["findings"] if f["Id"] == "f-iam5"]
    assert f["Workflow"]["Status"] == "RESOLVED" and f["WorkflowState"] == "RESOLVED"
    assert f["Note"]["Text"] == "fixed by guardpost" and f["Note"]["UpdatedBy"] == "guardpost" and f["Note"]["UpdatedAt"]
    assert f["Severity"] == {"Label": "LOW", "Normalized": 1}
    # the wrong ProductArn does not match
    r = sh.batch_update_findings(FindingIdentifiers=[{"Id": "f-iam5", "ProductArn": "arn:x"}], Workflow={"Status": "NEW"})
    assert r["ProcessedFindings"] == [] and r["UnprocessedFindings"][0]["ErrorCode"] == "FindingNotFound"
    # limits
    with pytest.raises(ClientError) as e:
        sh.batch_update_findings(FindingIdentifiers=[{"Id": f"x{i}", "ProductArn": prod} for i in range(101)], Workflow={"Status": "NEW"})
    assert err(e.value)[:2] == ("InvalidInputException", 400)
    with pytest.raises(ClientError) as e:
        sh.batch_update_findings(FindingIdentifiers=[{"Id": "f-iam5", "ProductArn": prod}], Note={"Text": "x" * 513, "UpdatedBy": "me"})
    assert err(e.value)[0] == "InvalidInputException"
    sh.batch_update_findings(FindingIdentifiers=[{"Id": "f-iam5", "ProductArn": prod}], Note={"Text": "x" * 512, "UpdatedBy": "me"})
    with pytest.raises(ClientError) as e:
        sh.batch_update_findings(FindingIdentifiers=[{"Id": "f-iam5", "ProductArn": prod}])
    assert err(e.value)[0] == "InvalidInputException"
    log = emu.requests(operation="BatchUpdateFindings")
    assert log[0]["params"]["Workflow"] == {"Status": "RESOLVED"} and log[0]["status"] == 200


# ---------------------------------------------------------------------------------------------
# GuardDuty
# ---------------------------------------------------------------------------------------------


def test_guardduty_detectors(emu):
    gd = emu.client("guardduty")
    assert gd.list_detectors()["DetectorIds"] == []
    det = gd.create_detector(Enable=True)["DetectorId"]
    assert gd.list_detectors()["DetectorIds"] == [det]
    with pytest.raises(ClientError) as e:
        gd.create_detector(Enable=True)
    assert err(e.value)[:2] == ("BadRequestException", 400)
    assert emu.client("guardduty", region="eu-west-1").list_detectors()["DetectorIds"] == []
    with pytest.raises(ClientError) as e:
        gd.list_findings(DetectorId="0" * 32)
    assert err(e.value)[:2] == ("BadRequestException", 400)
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "BadRequestException"


def test_guardduty_findings_lifecycle(emu):
    seeded = emu.seed({"guardduty": {"us-east-1": {"findings": [
        {"id": "a" * 32, "severity": 8.0, "type": "Policy:IAMUser/RootCredentialUsage"},
        {"id": "b" * 32, "severity": 2.0},
        {"id": "c" * 32, "severity": 5.0, "service": {"archived": True}},
    ]}}})
    det = seeded["guardduty"]["us-east-1"]["detectorId"]
    gd = emu.client("guardduty")
    active = {"Criterion": {"service.archived": {"Eq": ["false"]}}}
    ids = gd.list_findings(DetectorId=det, FindingCriteria=active)["FindingIds"]
    assert sorted(ids) == ["a" * 32, "b" * 32]
    assert sorted(gd.list_findings(DetectorId=det, FindingCriteria={"Criterion": {"service.archived": {"Neq": ["false"]}}})["FindingIds"]) == ["c" * 32]
    assert gd.list_findings(DetectorId=det, FindingCriteria={"Criterion": {"severity": {"GreaterThanOrEqual": 7}}})["FindingIds"] == ["a" * 32]
    fs = gd.get_findings(DetectorId=det, FindingIds=ids)["Findings"]
    assert {f["Id"] for f in fs} == set(ids)
    f = next(f for f in fs if f["Id"] == "a" * 32)
    assert f["Type"] == "Policy:IAMUser/RootCredentialUsage" and f["Severity"] == 8.0
    assert f["AccountId"] == ACCOUNT and f["Region"] == "us-east-1" and f["Service"]["DetectorId"] == det
    gd.archive_findings(DetectorId=det, FindingIds=["a" * 32])
    assert gd.list_findings(DetectorId=det, FindingCriteria=active)["FindingIds"] == ["b" * 32]
    state = emu.state()["guardduty"]["detectors"][det]["findings"]
    assert next(x for x in state if x["id"] == "a" * 32)["service"]["archived"] is True
    gd.unarchive_findings(DetectorId=det, FindingIds=["a" * 32])
    assert len(gd.list_findings(DetectorId=det, FindingCriteria=active)["FindingIds"]) == 2
    gd.update_findings_feedback(DetectorId=det, FindingIds=["b" * 32], Feedback="NOT_USEFUL", Comments="test")
    assert gd.get_findings(DetectorId=det, FindingIds=["b" * 32])["Findings"][0]["Service"]["UserFeedback"] == "NOT_USEFUL"
    log = emu.requests(service="guardduty", operation="ArchiveFindings")
    assert log[0]["params"] == {"DetectorId": det, "FindingIds": ["a" * 32]}
    with pytest.raises(ClientError) as e:
        gd.archive_findings(DetectorId=det, FindingIds=["f" * 32])
    assert err(e.value)[0] == "BadRequestException"


def test_guardduty_limits_and_pagination(emu):
    det = emu.seed({"guardduty": {"us-east-1": {"generate": 120}}})["guardduty"]["us-east-1"]["detectorId"]
    gd = emu.client("guardduty")
    pages = list(gd.get_paginator("list_findings").paginate(DetectorId=det, PaginationConfig={"PageSize": 50}))
    assert [len(p["FindingIds"]) for p in pages] == [50, 50, 20]
    ids = [i for p in pages for i in p["FindingIds"]]
    assert len(set(ids)) == 120
    with pytest.raises(ClientError) as e:
        gd.list_findings(DetectorId=det, MaxResults=51)
    assert err(e.value)[:2] == ("BadRequestException", 400)
    with pytest.raises(ClientError) as e:
        gd.get_findings(DetectorId=det, FindingIds=ids[:51])
    code, status, msg = err(e.value)
    assert (code, status) == ("BadRequestException", 400) and "50" in msg
    assert len(gd.get_findings(DetectorId=det, FindingIds=ids[:50])["Findings"]) == 50
    for op in (gd.archive_findings, gd.unarchive_findings):
        with pytest.raises(ClientError):
            op(DetectorId=det, FindingIds=ids[:51])


def test_guardduty_sample_findings(emu):
    gd = emu.client("guardduty")
    det = gd.create_detector(Enable=True)["DetectorId"]
    gd.create_sample_findings(DetectorId=det, FindingTypes=["Recon:IAMUser/MaliciousIPCaller"])
    [fid] = gd.list_findings(DetectorId=det)["FindingIds"]
    [f] = gd.get_findings(DetectorId=det, FindingIds=[fid])["Findings"]
    assert f["Type"] == "Recon:IAMUser/MaliciousIPCaller"
    assert f["Arn"] == f"arn:aws:guardduty:us-east-1:{ACCOUNT}:detector/{det}/finding/{fid}"


# ---------------------------------------------------------------------------------------------
# IAM Access Analyzer
# ---------------------------------------------------------------------------------------------


def test_access_analyzer_analyzers(emu):
    aa = emu.client("accessanalyzer")
    assert aa.list_analyzers()["analyzers"] == []
    arn = aa.create_analyzer(analyzerName="acct", type="ACCOUNT")["arn"]
    assert arn == f"arn:aws:access-analyzer:us-east-1:{ACCOUNT}:analyzer/acct"
    aa.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS")
    assert {a["name"] for a in aa.list_analyzers()["analyzers"]} == {"acct", "unused"}
    assert [a["name"] for a in aa.list_analyzers(type="ACCOUNT_UNUSED_ACCESS")["analyzers"]] == ["unused"]
    with pytest.raises(ClientError) as e:
        aa.create_analyzer(analyzerName="acct", type="ACCOUNT")
    assert err(e.value)[:2] == ("ConflictException", 409)
    with pytest.raises(ClientError) as e:
        aa.list_findings_v2(analyzerArn=arn.replace("acct", "missing"))
    assert err(e.value)[:2] == ("ResourceNotFoundException", 404)
    assert e.value.response["resourceType"] == "AWS::AccessAnalyzer::Analyzer"


def test_access_analyzer_findings(emu):
    seeded = emu.seed({"accessanalyzer": {"us-east-1": {"analyzers": [
        {"name": "unused", "type": "ACCOUNT_UNUSED_ACCESS", "findings": [
            {"id": "k1", "findingType": "UnusedIAMUserAccessKey", "resource": f"arn:aws:iam::{ACCOUNT}:user/bob",
             "findingDetails": [{"unusedIamUserAccessKeyDetails": {"accessKeyId": "AKIABOB", "lastAccessed": "2024-01-01T00:00:00Z"}}]},
            {"id": "r1", "findingType": "UnusedIAMRole", "resource": f"arn:aws:iam::{ACCOUNT}:role/old"},
            {"id": "p1", "findingType": "UnusedIAMUserPassword", "status": "ARCHIVED"},
        ], "generate": 150},
    ]}}})
    arn = seeded["accessanalyzer"]["us-east-1"]["analyzers"][0]["arn"]
    aa = emu.client("accessanalyzer")
    active = aa.list_findings_v2(analyzerArn=arn, filter={"status": {"eq": ["ACTIVE"]}}, maxResults=10)
    assert len(active["findings"]) == 10 and "nextToken" in active
    all_active = [f for p in aa.get_paginator("list_findings_v2").paginate(analyzerArn=arn, filter={"status": {"eq": ["ACTIVE"]}}) for f in p["findings"]]
    assert len(all_active) == 152
    assert {"k1", "r1"} <= {f["id"] for f in all_active}
    k1 = next(f for f in all_active if f["id"] == "k1")
    assert k1["findingType"] == "UnusedIAMUserAccessKey" and k1["resourceType"] == "AWS::IAM::User"
    assert isinstance(k1["createdAt"], datetime)
    only = aa.list_findings_v2(analyzerArn=arn, filter={"findingType": {"eq": ["UnusedIAMUserAccessKey"]}})["findings"]
    assert [f["id"] for f in only] == ["k1"]
    got = aa.get_finding_v2(analyzerArn=arn, id="k1")
    assert got["findingDetails"][0]["unusedIamUserAccessKeyDetails"]["accessKeyId"] == "AKIABOB"
    with pytest.raises(ClientError) as e:
        aa.get_finding_v2(analyzerArn=arn, id="nope")
    assert err(e.value)[:2] == ("ResourceNotFoundException", 404)
    aa.update_findings(analyzerArn=arn, ids=["k1", "r1"], status="ARCHIVED")
    left = aa.list_findings_v2(analyzerArn=arn, filter={"status": {"eq": ["ACTIVE"]}, "id": {"eq": ["k1", "r1"]}})["findings"]
    assert left == []
    an = emu.state()["accessanalyzer"]["analyzers"][arn]
    assert {f["id"]: f["status"] for f in an["findings"] if f["id"] in ("k1", "r1")} == {"k1": "ARCHIVED", "r1": "ARCHIVED"}
    aa.update_findings(analyzerArn=arn, ids=["k1"], status="ACTIVE")
    assert aa.get_finding_v2(analyzerArn=arn, id="k1")["status"] == "ACTIVE"
    log = emu.requests(operation="UpdateFindings")
    assert log[0]["service"] == "accessanalyzer" and log[0]["params"]["ids"] == ["k1", "r1"] and log[0]["params"]["status"] == "ARCHIVED"


# ---------------------------------------------------------------------------------------------
# Multi-account: Security Hub / GuardDuty administrators, organization analyzers
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def org(emu):
    """An organization in moto managed by ACCOUNT; `add(name)` creates a member account (moto
    picks its id). The clean fixture keeps moto's state, so the organization is deleted
    afterwards (a full reset if that fails) to keep it from leaking into other tests."""
    orgs = emu.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    created = []

    def add(name: str) -> str:
        created.append(orgs.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"])
        return created[-1]

    yield orgs, add
    try:
        for a in created:
            orgs.remove_account_from_organization(AccountId=a)
        orgs.delete_organization()
    except ClientError:
        emu.control("POST", "/reset")


def test_securityhub_administrator_sees_members_across_linked_regions(emu, org):
    orgs, add = org
    admin, m1, m2 = add("audit"), add("m1"), add("m2")
    outsider = "444455556666"  # not in the organization, not a member
    # only the management account designates the administrator
    with pytest.raises(ClientError) as e:
        emu.client("securityhub", access_key=m1).enable_organization_admin_account(AdminAccountId=admin)
    assert err(e.value)[:2] == ("AccessDeniedException", 403)
    mgmt = emu.client("securityhub")
    r = mgmt.enable_organization_admin_account(AdminAccountId=admin)
    assert (r["AdminAccountId"], r["Feature"]) == (admin, "SecurityHub")
    assert mgmt.list_organization_admin_accounts()["AdminAccounts"] == [{"AccountId": admin, "Status": "ENABLED"}]
    delegated = orgs.list_delegated_administrators(ServicePrincipal="securityhub.amazonaws.com")["DelegatedAdministrators"]
    assert [d["Id"] for d in delegated] == [admin]
    with pytest.raises(ClientError) as e:
        mgmt.enable_organization_admin_account(AdminAccountId="999999999999")
    assert err(e.value)[0] == "InvalidInputException"

    emu.seed({"account": admin, "securityhub": {"us-east-1": [{"Id": "admin-1"}]}})
    emu.seed({"account": m1, "securityhub": {"us-east-1": [{"Id": "m1-use1-a"}, {"Id": "m1-use1-b"}], "eu-west-1": [{"Id": "m1-euw1"}]}})
    emu.seed({"account": m2, "securityhub": {"us-east-1": [{"Id": "m2-use1"}], "eu-west-1": [{"Id": "m2-euw1-a"}, {"Id": "m2-euw1-b"}],
                                              "ap-southeast-2": {"enabled": False, "findings": [{"Id": "m2-disabled"}]}}})
    emu.seed({"account": outsider, "securityhub": {"us-east-1": [{"Id": "outsider"}]}})

    sh = emu.client("securityhub", access_key=admin)
    assert sh.describe_hub()["HubArn"].endswith(f":{admin}:hub/default")  # enabled by the designation
    r = sh.create_members(AccountDetails=[{"AccountId": m1, "Email": "m1@example.com"}, {"AccountId": m2}, {"AccountId": admin}])
    assert [u["AccountId"] for u in r["UnprocessedAccounts"]] == [admin]
    members = sh.list_members()["Members"]
    assert {m["AccountId"] for m in members} == {m1, m2}
    assert all(m["AdministratorId"] == admin and m["MemberStatus"] == "ENABLED" for m in members)
    got = sh.get_members(AccountIds=[m1, outsider])
    assert [m["Email"] for m in got["Members"]] == ["m1@example.com"] and got["UnprocessedAccounts"][0]["AccountId"] == outsider
    member = emu.client("securityhub", access_key=m1)
    assert member.get_administrator_account()["Administrator"]["AccountId"] == admin
    assert emu.client("securityhub", access_key=outsider).get_administrator_account().get("Administrator") is None

    def ids(client, **kw):
        return sorted(f["Id"] for p in client.get_paginator("get_findings").paginate(**kw) for f in p["Findings"])

    # one region: the administrator's own findings and its members'
    assert ids(sh) == ["admin-1", "m1-use1-a", "m1-use1-b", "m2-use1"]
    # a finding aggregator in us-east-1 linking eu-west-1
    agg = sh.create_finding_aggregator(RegionLinkingMode="SPECIFIED_REGIONS", Regions=["eu-west-1"])
    assert agg["FindingAggregationRegion"] == "us-east-1" and agg["Regions"] == ["eu-west-1"]
    arn = agg["FindingAggregatorArn"]
    assert arn.startswith(f"arn:aws:securityhub:us-east-1:{admin}:finding-aggregator/")
    assert sh.list_finding_aggregators()["FindingAggregators"] == [{"FindingAggregatorArn": arn}]
    assert sh.get_finding_aggregator(FindingAggregatorArn=arn)["RegionLinkingMode"] == "SPECIFIED_REGIONS"
    with pytest.raises(ClientError) as e:
        sh.create_finding_aggregator(RegionLinkingMode="ALL_REGIONS")
    assert err(e.value)[0] == "InvalidInputException"
    every = ["admin-1", "m1-euw1", "m1-use1-a", "m1-use1-b", "m2-euw1-a", "m2-euw1-b", "m2-use1"]
    pages = list(sh.get_paginator("get_findings").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["Findings"]) for p in pages] == [3, 3, 1]
    found = [f for p in pages for f in p["Findings"]]
    assert sorted(f["Id"] for f in found) == every
    by_id = {f["Id"]: f for f in found}
    assert by_id["m1-euw1"]["AwsAccountId"] == m1 and by_id["m1-euw1"]["Region"] == "eu-west-1"
    assert by_id["admin-1"]["AwsAccountId"] == admin
    eq = lambda v: [{"Value": v, "Comparison": "EQUALS"}]  # noqa: E731
    assert ids(sh, Filters={"AwsAccountId": eq(m2)}) == ["m2-euw1-a", "m2-euw1-b", "m2-use1"]
    assert ids(sh, Filters={"Region": eq("eu-west-1"), "AwsAccountId": eq(m1)}) == ["m1-euw1"]
    sorted_ids = [f["AwsAccountId"] for f in sh.get_findings(SortCriteria=[{"Field": "AwsAccountId", "SortOrder": "asc"}])["Findings"]]
    assert sorted_ids == sorted(sorted_ids)
    # ALL_REGIONS: ap-southeast-2 has state, but m2 has Security Hub disabled there
    sh.update_finding_aggregator(FindingAggregatorArn=arn, RegionLinkingMode="ALL_REGIONS")
    assert ids(sh) == every
    # members still see only their own; a linked region alone shows only itself
    assert ids(member) == ["m1-use1-a", "m1-use1-b"]
    with pytest.raises(ClientError) as e:
        emu.client("securityhub", region="eu-west-1", access_key=admin).get_findings()
    assert err(e.value)[0] == "InvalidAccessException"  # the administrator never enabled it there
    # the administrator updates a member's finding (in a linked region, too)
    prod = "arn:aws:securityhub:eu-west-1::product/aws/securityhub"
    r = sh.batch_update_findings(FindingIdentifiers=[{"Id": "m1-euw1", "ProductArn": prod}], Workflow={"Status": "SUPPRESSED"})
    assert r["ProcessedFindings"] == [{"Id": "m1-euw1", "ProductArn": prod}]
    [f] = emu.state(region="eu-west-1", account=m1)["securityhub"]["findings"]
    assert f["Workflow"]["Status"] == "SUPPRESSED"
    # a member cannot touch another member's finding
    r = member.batch_update_findings(FindingIdentifiers=[{"Id": "m2-use1", "ProductArn": prod.replace("eu-west-1", "us-east-1")}],
                                     Workflow={"Status": "RESOLVED"})
    assert r["UnprocessedFindings"][0]["ErrorCode"] == "FindingNotFound"
    # server-side state shows the relationships
    st = emu.state(account=admin)["securityhub"]
    assert set(st["members"]) == {m1, m2} and st["findingAggregator"]["FindingAggregatorArn"] == arn
    assert emu.state(account=m1)["securityhub"]["administrator"]["AccountId"] == admin
    assert emu.state()["securityhub"]["organizationAdminAccounts"] == [{"AccountId": admin, "Status": "ENABLED"}]
    # the log records the caller's account
    assert {r["account"] for r in emu.requests(service="securityhub", operation="GetFindings")} == {admin, m1}
    # disassociated members drop out
    sh.disassociate_members(AccountIds=[m2])
    assert ids(sh) == ["admin-1", "m1-euw1", "m1-use1-a", "m1-use1-b"]
    assert [m["AccountId"] for m in sh.list_members()["Members"]] == [m1]
    assert {m["AccountId"]: m["MemberStatus"] for m in sh.list_members(OnlyAssociated=False)["Members"]}[m2] == "REMOVED"
    assert emu.client("securityhub", access_key=m2).get_administrator_account().get("Administrator") is None
    sh.delete_members(AccountIds=[m2])
    assert [m["AccountId"] for m in sh.list_members(OnlyAssociated=False)["Members"]] == [m1]
    sh.delete_finding_aggregator(FindingAggregatorArn=arn)
    assert sh.list_finding_aggregators()["FindingAggregators"] == []
    assert ids(sh) == ["admin-1", "m1-use1-a", "m1-use1-b"]
    mgmt.disable_organization_admin_account(AdminAccountId=admin)
    assert mgmt.list_organization_admin_accounts()["AdminAccounts"] == []
    assert orgs.list_delegated_administrators()["DelegatedAdministrators"] == []


def test_securityhub_finding_aggregator_modes(emu):
    emu.seed({"securityhub": {r: [{"Id": f"f-{r}"}] for r in ("us-east-1", "eu-west-1", "eu-central-1", "ap-south-1")}})
    sh = emu.client("securityhub")
    for bad in ({"RegionLinkingMode": "ALL_REGIONS", "Regions": ["eu-west-1"]}, {"RegionLinkingMode": "SPECIFIED_REGIONS"},
                {"RegionLinkingMode": "SPECIFIED_REGIONS", "Regions": ["us-east-1"]}, {"RegionLinkingMode": "SOME"}):
        with pytest.raises(ClientError) as e:
            sh.create_finding_aggregator(**bad)
        assert err(e.value)[:2] == ("InvalidInputException", 400), bad
    arn = sh.create_finding_aggregator(RegionLinkingMode="ALL_REGIONS_EXCEPT_SPECIFIED", Regions=["eu-central-1"])["FindingAggregatorArn"]
    assert sorted(f["Region"] for f in sh.get_findings()["Findings"]) == ["ap-south-1", "eu-west-1", "us-east-1"]
    # from a linked region: only that region; the ARN works from any region
    euw1 = emu.client("securityhub", region="eu-west-1")
    assert [f["Region"] for f in euw1.get_findings()["Findings"]] == ["eu-west-1"]
    assert euw1.get_finding_aggregator(FindingAggregatorArn=arn)["FindingAggregationRegion"] == "us-east-1"
    with pytest.raises(ClientError) as e:
        sh.get_finding_aggregator(FindingAggregatorArn=arn + "0")
    assert err(e.value)[:2] == ("ResourceNotFoundException", 404)


def test_guardduty_administrator_sees_member_findings(emu):
    admin, m1, m2, outsider = "111122223333", "222233334444", "333344445555", "444455556666"
    det = emu.seed({"account": admin, "guardduty": {"us-east-1": [{"id": "ad" * 16}]}})["guardduty"]["us-east-1"]["detectorId"]
    m1_det = emu.seed({"account": m1, "guardduty": {"us-east-1": [{"id": "a1" * 16, "severity": 8.0}, {"id": "a2" * 16}],
                                                    "eu-west-1": [{"id": "e1" * 16}]}})["guardduty"]["us-east-1"]["detectorId"]
    emu.seed({"account": m2, "guardduty": {"us-east-1": [{"id": "b1" * 16}]}})
    emu.seed({"account": outsider, "guardduty": {"us-east-1": [{"id": "c1" * 16}]}})
    gd = emu.client("guardduty", access_key=admin)
    # without an organization in moto any account may designate an administrator
    gd.enable_organization_admin_account(AdminAccountId=admin)
    assert gd.list_organization_admin_accounts()["AdminAccounts"] == [{"AdminAccountId": admin, "AdminStatus": "ENABLED"}]
    with pytest.raises(ClientError) as e:  # not the caller's detector
        gd.create_members(DetectorId="0" * 32, AccountDetails=[{"AccountId": m1, "Email": "m1@example.com"}])
    assert err(e.value)[:2] == ("BadRequestException", 400)
    r = gd.create_members(DetectorId=det, AccountDetails=[{"AccountId": m1, "Email": "m1@example.com"}, {"AccountId": m2, "Email": "m2@example.com"}])
    assert r["UnprocessedAccounts"] == []
    members = {m["AccountId"]: m for m in gd.list_members(DetectorId=det)["Members"]}
    assert set(members) == {m1, m2} and members[m1]["DetectorId"] == m1_det
    assert members[m1]["RelationshipStatus"] == "Enabled" and members[m1]["AdministratorId"] == admin
    assert gd.get_members(DetectorId=det, AccountIds=[m2])["Members"][0]["Email"] == "m2@example.com"
    assert emu.client("guardduty", access_key=m1).get_administrator_account(DetectorId=m1_det)["Administrator"]["AccountId"] == admin

    ids = sorted(gd.list_findings(DetectorId=det)["FindingIds"])
    assert ids == sorted(["ad" * 16, "a1" * 16, "a2" * 16, "b1" * 16])
    fs = {f["Id"]: f for f in gd.get_findings(DetectorId=det, FindingIds=ids)["Findings"]}
    assert fs["a1" * 16]["AccountId"] == m1 and fs["b1" * 16]["AccountId"] == m2 and fs["ad" * 16]["AccountId"] == admin
    assert fs["a1" * 16]["Service"]["DetectorId"] == m1_det and f":{m1}:detector/{m1_det}/" in fs["a1" * 16]["Arn"]
    only_m1 = gd.list_findings(DetectorId=det, FindingCriteria={"Criterion": {"accountId": {"Eq": [m1]}}})["FindingIds"]
    assert sorted(only_m1) == ["a1" * 16, "a2" * 16]
    high = gd.list_findings(DetectorId=det, FindingCriteria={"Criterion": {"severity": {"GreaterThanOrEqual": 7}}})["FindingIds"]
    assert high == ["a1" * 16]
    # members see only their own
    member = emu.client("guardduty", access_key=m1)
    assert sorted(member.list_findings(DetectorId=m1_det)["FindingIds"]) == ["a1" * 16, "a2" * 16]
    # the administrator archives a member's finding and gives feedback on one
    gd.archive_findings(DetectorId=det, FindingIds=["a1" * 16])
    gd.update_findings_feedback(DetectorId=det, FindingIds=["b1" * 16], Feedback="USEFUL")
    m1_state = emu.state(account=m1)["guardduty"]["detectors"][m1_det]["findings"]
    assert next(f for f in m1_state if f["id"] == "a1" * 16)["service"]["archived"] is True
    active = {"Criterion": {"service.archived": {"Eq": ["false"]}, "accountId": {"Eq": [m1]}}}
    assert gd.list_findings(DetectorId=det, FindingCriteria=active)["FindingIds"] == ["a2" * 16]
    with pytest.raises(ClientError) as e:  # not the administrator's, not a member's
        gd.archive_findings(DetectorId=det, FindingIds=["c1" * 16])
    assert err(e.value)[0] == "BadRequestException"
    # another region: no relationship there
    assert emu.client("guardduty", region="eu-west-1", access_key=admin).list_detectors()["DetectorIds"] == []
    st = emu.state(account=admin)["guardduty"]
    assert set(st["members"]) == {m1, m2} and st["organizationAdminAccounts"][0]["adminAccountId"] == admin
    assert emu.state(account=m2)["guardduty"]["administrator"]["accountId"] == admin
    gd.disassociate_members(DetectorId=det, AccountIds=[m2])
    assert "b1" * 16 not in gd.list_findings(DetectorId=det)["FindingIds"]
    assert [m["AccountId"] for m in gd.list_members(DetectorId=det)["Members"]] == [m1]
    assert len(gd.list_members(DetectorId=det, OnlyAssociated="false")["Members"]) == 2
    gd.delete_members(DetectorId=det, AccountIds=[m2])
    assert len(gd.list_members(DetectorId=det, OnlyAssociated="false")["Members"]) == 1
    assert {r["account"] for r in emu.requests(service="guardduty", operation="ListFindings")} == {admin, m1}


def test_guardduty_organization_admin_needs_management_account(emu, org):
    orgs, add = org
    audit, member = add("audit"), add("member")
    with pytest.raises(ClientError) as e:
        emu.client("guardduty", access_key=member).enable_organization_admin_account(AdminAccountId=audit)
    assert err(e.value)[:2] == ("BadRequestException", 400)
    mgmt = emu.client("guardduty")
    mgmt.enable_organization_admin_account(AdminAccountId=audit)
    assert mgmt.list_organization_admin_accounts()["AdminAccounts"] == [{"AdminAccountId": audit, "AdminStatus": "ENABLED"}]
    # designating it enables GuardDuty there, and Organizations knows the delegation
    assert len(emu.client("guardduty", access_key=audit).list_detectors()["DetectorIds"]) == 1
    [d] = orgs.list_delegated_administrators(ServicePrincipal="guardduty.amazonaws.com")["DelegatedAdministrators"]
    assert d["Id"] == audit
    mgmt.disable_organization_admin_account(AdminAccountId=audit)
    assert mgmt.list_organization_admin_accounts()["AdminAccounts"] == []


def test_access_analyzer_organization_analyzer(emu, org):
    orgs, add = org
    audit, member = add("audit"), add("member")
    # a plain member account may not create one
    with pytest.raises(ClientError) as e:
        emu.client("accessanalyzer", access_key=member).create_analyzer(analyzerName="org", type="ORGANIZATION")
    assert err(e.value) == ("AccessDeniedException", 403, f"Account {member} is not a delegated administrator")
    # the management account: only once the organization trusts the service
    mgmt = emu.client("accessanalyzer")
    with pytest.raises(ClientError) as e:
        mgmt.create_analyzer(analyzerName="org", type="ORGANIZATION")
    assert err(e.value)[:2] == ("ValidationException", 400)
    # an account outside any organization
    with pytest.raises(ClientError) as e:
        emu.client("accessanalyzer", access_key="555566667777").create_analyzer(analyzerName="org", type="ORGANIZATION_UNUSED_ACCESS")
    assert err(e.value)[:2] == ("ValidationException", 400)
    # ACCOUNT analyzers need nothing
    emu.client("accessanalyzer", access_key=member).create_analyzer(analyzerName="mine", type="ACCOUNT")
    orgs.enable_aws_service_access(ServicePrincipal="access-analyzer.amazonaws.com")
    orgs.register_delegated_administrator(AccountId=audit, ServicePrincipal="access-analyzer.amazonaws.com")
    aa = emu.client("accessanalyzer", access_key=audit)
    arn = aa.create_analyzer(analyzerName="org", type="ORGANIZATION")["arn"]
    assert arn == f"arn:aws:access-analyzer:us-east-1:{audit}:analyzer/org"
    # findings seeded under the member's own account-level analyzer show in the organization analyzer
    emu.seed({"account": member, "accessanalyzer": {"us-east-1": [
        {"name": "mine", "type": "ACCOUNT", "findings": [{"id": "m-bucket", "resource": "arn:aws:s3:::member-bucket"}]},
        {"name": "unused", "type": "ACCOUNT_UNUSED_ACCESS", "findings": [{"id": "m-unused"}]},
    ]}})
    emu.seed({"account": audit, "accessanalyzer": {"us-east-1": [{"name": "org", "findings": [{"id": "a-bucket"}]}]}})
    found = {f["id"]: f for f in aa.list_findings_v2(analyzerArn=arn)["findings"]}
    assert set(found) == {"a-bucket", "m-bucket"}
    assert found["m-bucket"]["resourceOwnerAccount"] == member and found["a-bucket"]["resourceOwnerAccount"] == audit
    only = aa.list_findings_v2(analyzerArn=arn, filter={"resourceOwnerAccount": {"eq": [member]}})["findings"]
    assert [f["id"] for f in only] == ["m-bucket"]
    assert aa.get_finding_v2(analyzerArn=arn, id="m-bucket")["resource"] == "arn:aws:s3:::member-bucket"
    aa.update_findings(analyzerArn=arn, ids=["m-bucket"], status="ARCHIVED")
    mine = emu.client("accessanalyzer", access_key=member)
    member_arn = f"arn:aws:access-analyzer:us-east-1:{member}:analyzer/mine"
    assert [f["status"] for f in mine.list_findings_v2(analyzerArn=member_arn)["findings"]] == ["ARCHIVED"]
    # the management account (service trusted now) may create one too
    mgmt.create_analyzer(analyzerName="org-unused", type="ORGANIZATION_UNUSED_ACCESS")


# ---------------------------------------------------------------------------------------------
# CloudTrail (JSON 1.1: POST /, X-Amz-Target)
# ---------------------------------------------------------------------------------------------

KEY_A = "AKIAIOSFODNN7AAAAAAA"
KEY_B = "AKIAIOSFODNN7BBBBBBB"


def _by_key(key):
    return [{"AttributeKey": "AccessKeyId", "AttributeValue": key}]


def _ct(emu, region="us-east-1", validate=True):
    return boto3.client(
        "cloudtrail", region_name=region, endpoint_url=emu.url,
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, parameter_validation=validate),
    )


def test_cloudtrail_lookup_events_shape(emu):
    now = datetime.now(timezone.utc)
    seeded = emu.seed({"cloudtrail": {"us-east-1": {"events": [
        {"EventName": "CreateUser", "EventSource": "iam.amazonaws.com", "AccessKeyId": KEY_A, "Username": "mallory",
         "EventTime": (now - timedelta(hours=1)).isoformat(), "sourceIPAddress": "203.0.113.9",
         "userAgent": "curl/8.5.0", "errorCode": "AccessDenied",
         "Resources": [{"ResourceType": "AWS::IAM::User", "ResourceName": "backdoor"}]},
    ]}}})
    eid = seeded["cloudtrail"]["us-east-1"]["eventIds"][0]
    resp = _ct(emu).lookup_events(LookupAttributes=_by_key(KEY_A))
    assert resp["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
    [e] = resp["Events"]
    assert "NextToken" not in resp
    # botocore parsed EventTime (epoch seconds on the wire) into a datetime
    assert isinstance(e["EventTime"], datetime) and abs((e["EventTime"] - (now - timedelta(hours=1))).total_seconds()) < 1
    assert (e["EventId"], e["EventName"], e["EventSource"], e["AccessKeyId"], e["Username"], e["ReadOnly"]) == (
        eid, "CreateUser", "iam.amazonaws.com", KEY_A, "mallory", "false")
    assert e["Resources"] == [{"ResourceType": "AWS::IAM::User", "ResourceName": "backdoor"}]
    rec = json.loads(e["CloudTrailEvent"])
    assert rec["userIdentity"] == {
        "type": "IAMUser", "principalId": rec["userIdentity"]["principalId"],
        "arn": f"arn:aws:iam::{ACCOUNT}:user/mallory", "accountId": ACCOUNT, "accessKeyId": KEY_A, "userName": "mallory"}
    assert (rec["eventSource"], rec["eventName"], rec["awsRegion"], rec["eventID"]) == ("iam.amazonaws.com", "CreateUser", "us-east-1", eid)
    assert (rec["sourceIPAddress"], rec["userAgent"], rec["errorCode"]) == ("203.0.113.9", "curl/8.5.0", "AccessDenied")
    assert "not authorized" in rec["errorMessage"]
    assert rec["readOnly"] is False and rec["eventType"] == "AwsApiCall" and rec["recipientAccountId"] == ACCOUNT
    assert rec["eventVersion"] and rec["requestID"]
    assert datetime.fromisoformat(rec["eventTime"].replace("Z", "+00:00")) == e["EventTime"].replace(microsecond=0)
    # the request log names the model's members
    [r] = emu.requests(service="cloudtrail")
    assert (r["operation"], r["status"], r["params"]["LookupAttributes"]) == ("LookupEvents", 200, _by_key(KEY_A))


def test_cloudtrail_rust_sdk_target_prefix_is_accepted(emu):
    # botocore sends the model's full targetPrefix; the Rust SDK sends the Smithy service name.
    emu.seed({"cloudtrail": {"us-east-1": {"generate": {"count": 3, "access_key_id": KEY_A}}}})
    for target in ("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", "CloudTrail_20131101.LookupEvents"):
        req = urllib.request.Request(emu.url + "/", data=b"{}", method="POST", headers={
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target,
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=0"})
        with urllib.request.urlopen(req) as resp:
            assert len(json.loads(resp.read())["Events"]) == 3
    req = urllib.request.Request(emu.url + "/", data=b"{}", method="POST", headers={
        "X-Amz-Target": "CloudTrail_20131101.NoSuchThing",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=0"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 400 and json.loads(e.value.read())["__type"] == "UnknownOperationException"


def test_cloudtrail_pagination_newest_first_and_90_days(emu):
    now = datetime.now(timezone.utc)
    emu.seed({"cloudtrail": {"us-east-1": {
        "generate": {"count": 120, "access_key_id": KEY_A, "days": 30},
        "events": [{"EventName": "Old", "AccessKeyId": KEY_A, "EventTime": (now - timedelta(days=91)).isoformat()}],
    }}})
    ct = _ct(emu)
    pages = list(ct.get_paginator("lookup_events").paginate(LookupAttributes=_by_key(KEY_A)))
    assert [len(p["Events"]) for p in pages] == [50, 50, 20]
    events = [e for p in pages for e in p["Events"]]
    times = [e["EventTime"] for e in events]
    assert times == sorted(times, reverse=True), "newest first"
    assert len({e["EventId"] for e in events}) == 120
    assert all(e["EventName"] != "Old" for e in events), "older than 90 days: never returned"
    # an explicit StartTime before the 90 days does not bring it back
    got = ct.lookup_events(LookupAttributes=_by_key(KEY_A), StartTime=now - timedelta(days=200), MaxResults=50)
    assert "Old" not in [e["EventName"] for e in got["Events"]]
    # MaxResults smaller than 50
    r = ct.lookup_events(LookupAttributes=_by_key(KEY_A), MaxResults=7)
    assert len(r["Events"]) == 7 and r["NextToken"]
    r2 = ct.lookup_events(LookupAttributes=_by_key(KEY_A), MaxResults=7, NextToken=r["NextToken"])
    assert r2["Events"][0]["EventTime"] <= r["Events"][-1]["EventTime"]
    assert not {e["EventId"] for e in r["Events"]} & {e["EventId"] for e in r2["Events"]}
    # generated events: spread over the window, cycling through names, IPs, agents
    recs = [json.loads(e["CloudTrailEvent"]) for e in events]
    assert len({r["sourceIPAddress"] for r in recs}) == 3 and len({e["EventName"] for e in events}) == 8
    assert sum(1 for r in recs if r.get("errorCode") == "AccessDenied") == 120 // 7
    assert min(times) > now - timedelta(days=30) and max(times) < now


def test_cloudtrail_filters_and_time_range(emu):
    now = datetime.now(timezone.utc)
    emu.seed({"cloudtrail": {
        "us-east-1": {"generate": {"count": 40, "access_key_id": KEY_A, "days": 40},
                      "events": [{"EventName": "DeleteTrail", "EventSource": "cloudtrail.amazonaws.com", "AccessKeyId": KEY_B,
                                  "Username": "bob", "EventId": "ev-1", "EventTime": (now - timedelta(days=1)).isoformat(),
                                  "Resources": [{"ResourceType": "AWS::CloudTrail::Trail", "ResourceName": "main"}]}]},
        "eu-west-1": {"generate": {"count": 5, "access_key_id": KEY_A}},
    }})
    ct = _ct(emu)

    def names(**kw):
        return [e["EventName"] for p in ct.get_paginator("lookup_events").paginate(**kw) for e in p["Events"]]

    assert len(names(LookupAttributes=_by_key(KEY_A))) == 40, "per region"
    assert names(LookupAttributes=_by_key(KEY_B)) == ["DeleteTrail"]
    assert len(_ct(emu, "eu-west-1").lookup_events(LookupAttributes=_by_key(KEY_A))["Events"]) == 5
    for key, value in (("EventId", "ev-1"), ("EventName", "DeleteTrail"), ("Username", "bob"),
                       ("EventSource", "cloudtrail.amazonaws.com"), ("ResourceType", "AWS::CloudTrail::Trail"),
                       ("ResourceName", "main")):
        assert names(LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}]) == ["DeleteTrail"], key
    assert names(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ListUsers"}]) == ["ListUsers"] * 5
    read_only = names(LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "true"}])
    assert len(read_only) == 25 and "CreateUser" not in read_only
    assert len(names()) == 41, "no attribute: everything"
    # StartTime / EndTime are inclusive bounds on EventTime
    ten = names(LookupAttributes=_by_key(KEY_A), StartTime=now - timedelta(days=10), EndTime=now)
    assert len(ten) == 10  # event i at now - 40 d * (i + 0.5) / 40
    assert len(names(LookupAttributes=_by_key(KEY_A), EndTime=now - timedelta(days=30))) == 10
    assert names(EventCategory="insight") == []


def test_cloudtrail_limits(emu):
    emu.seed({"cloudtrail": {"us-east-1": {"generate": {"count": 60, "access_key_id": KEY_A}}}})
    ct = _ct(emu, validate=False)
    now = datetime.now(timezone.utc)
    cases = [
        (dict(MaxResults=51), "InvalidMaxResultsException"),
        (dict(MaxResults=0), "InvalidMaxResultsException"),
        (dict(LookupAttributes=_by_key(KEY_A) + [{"AttributeKey": "EventName", "AttributeValue": "ListUsers"}]), "InvalidLookupAttributesException"),
        (dict(LookupAttributes=[{"AttributeKey": "Nope", "AttributeValue": "x"}]), "InvalidLookupAttributesException"),
        (dict(LookupAttributes=[{"AttributeKey": "AccessKeyId", "AttributeValue": ""}]), "InvalidLookupAttributesException"),
        (dict(LookupAttributes=[{"AttributeKey": "AccessKeyId"}]), "InvalidLookupAttributesException"),
        (dict(StartTime=now, EndTime=now - timedelta(seconds=1)), "InvalidTimeRangeException"),
        (dict(NextToken="not-a-token"), "InvalidNextTokenException"),
        (dict(EventCategory="data"), "InvalidEventCategoryException"),
    ]
    for kw, want in cases:
        with pytest.raises(ClientError) as e:
            ct.lookup_events(**kw)
        code, status, msg = err(e.value)
        assert (code, status) == (want, 400), (kw, code, msg)
        assert msg
        # modeled exceptions: botocore maps them to the client's exception classes
        assert isinstance(e.value, getattr(ct.exceptions, want, ClientError))
    # a token is only valid with the parameters it was issued for
    tok = ct.lookup_events(LookupAttributes=_by_key(KEY_A))["NextToken"]
    assert len(ct.lookup_events(LookupAttributes=_by_key(KEY_A), NextToken=tok)["Events"]) == 10
    with pytest.raises(ClientError) as e:
        ct.lookup_events(LookupAttributes=_by_key(KEY_B), NextToken=tok)
    assert err(e.value)[0] == "InvalidNextTokenException"
    # StartTime == EndTime is a valid (empty) range
    assert ct.lookup_events(StartTime=now, EndTime=now)["Events"] == []


def test_cloudtrail_faults(emu):
    emu.seed({"cloudtrail": {"us-east-1": {"generate": {"count": 3, "access_key_id": KEY_A}},
                             "eu-west-1": {"generate": {"count": 3, "access_key_id": KEY_A}}}})
    emu.fault([
        {"kind": "access_denied", "service": "cloudtrail", "operation": "LookupEvents", "region": "eu-west-1"},
        {"kind": "throttle", "service": "cloudtrail", "operation": "LookupEvents", "region": "us-east-1", "count": 2},
    ])
    with pytest.raises(ClientError) as e:
        _ct(emu, "eu-west-1").lookup_events(LookupAttributes=_by_key(KEY_A))
    code, status, msg = err(e.value)
    assert (code, status) == ("AccessDeniedException", 400)
    assert msg == (f"User: arn:aws:iam::{ACCOUNT}:user/guardpost-test is not authorized to perform: cloudtrail:LookupEvents "
                   "because no identity-based policy allows the cloudtrail:LookupEvents action")
    with pytest.raises(ClientError) as e:
        _ct(emu).lookup_events()
    assert err(e.value)[:2] == ("ThrottlingException", 400)
    # botocore's retry sees ThrottlingException as throttling: the second throttle is absorbed
    ct = emu.client("cloudtrail", retries=2)
    assert len(ct.lookup_events(LookupAttributes=_by_key(KEY_A))["Events"]) == 3
    assert [r["status"] for r in emu.requests(service="cloudtrail", region="us-east-1")] == [400, 400, 200]
    emu.fault({"kind": "latency", "service": "cloudtrail", "ms": 300, "count": 1})
    t = time.monotonic()
    ct.lookup_events()
    assert time.monotonic() - t >= 0.3


def test_cloudtrail_state_and_seed_forms(emu):
    out = emu.seed({"cloudtrail": {"us-east-1": [
        {"EventName": "A", "EventId": "e1", "CloudTrailEvent": "{not json"},
        {"EventName": "B", "EventId": "e2", "CloudTrailEvent": None},
    ], "eu-west-1": {"generate": 4}}})
    assert out["cloudtrail"]["us-east-1"]["eventIds"] == ["e1", "e2"]
    assert len(out["cloudtrail"]["eu-west-1"]["eventIds"]) == 4
    held = emu.state()["cloudtrail"]["events"]
    assert {e["EventId"]: e.get("CloudTrailEvent") for e in held} == {"e1": "{not json", "e2": None}
    events = _ct(emu).lookup_events()["Events"]
    assert {e["EventId"] for e in events} == {"e1", "e2"}
    assert [e for e in events if e["EventId"] == "e2"][0].get("CloudTrailEvent") is None
    assert emu.state("eu-west-1")["cloudtrail"]["events"][0]["AccessKeyId"] == "AKIAIOSFODNN7EXAMPLE"


# ---------------------------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------------------------


def test_throttle_fault_surfaces_and_retries(emu):
    emu.seed({"securityhub": {"us-east-1": {"generate": 2}}})
    emu.fault({"kind": "throttle", "service": "securityhub", "operation": "GetFindings", "count": 1})
    with pytest.raises(ClientError) as e:
        emu.client("securityhub").get_findings()
    assert err(e.value)[:2] == ("TooManyRequestsException", 429)
    # consumed: the next call works
    assert len(emu.client("securityhub").get_findings()["Findings"]) == 2
    # with retries, two throttles are absorbed by the SDK (3 attempts)
    emu.fault({"kind": "throttle", "service": "securityhub", "operation": "GetFindings", "count": 2})
    sh = emu.client("securityhub", retries=3)
    before = len(emu.requests(operation="GetFindings"))
    assert len(sh.get_findings()["Findings"]) == 2
    log = emu.requests(operation="GetFindings")[before:]
    assert [r["status"] for r in log] == [429, 429, 200]
    assert log[0]["error"] == "TooManyRequestsException"


def test_throttle_errors_per_service(emu):
    det = emu.seed({"guardduty": {"us-east-1": {"generate": 1}}})["guardduty"]["us-east-1"]["detectorId"]
    emu.fault([
        {"kind": "throttle", "service": "guardduty", "operation": "ListFindings", "count": 1},
        {"kind": "throttle", "service": "accessanalyzer", "operation": "ListAnalyzers", "count": 1},
        {"kind": "throttle", "service": "iam", "operation": "ListUsers", "count": 1},
    ])
    with pytest.raises(ClientError) as e:
        emu.client("guardduty").list_findings(DetectorId=det)
    assert err(e.value)[:2] == ("TooManyRequestsException", 429)
    with pytest.raises(ClientError) as e:
        emu.client("accessanalyzer").list_analyzers()
    assert err(e.value)[:2] == ("ThrottlingException", 429)
    with pytest.raises(ClientError) as e:
        emu.client("iam").list_users()
    assert err(e.value)[:2] == ("Throttling", 400)


def test_access_denied_fault(emu):
    _sh_seed(emu)
    emu.fault({"kind": "access_denied", "service": "securityhub", "operation": "BatchUpdateFindings"})
    sh = emu.client("securityhub")
    prod = "arn:aws:securityhub:us-east-1::product/aws/securityhub"
    with pytest.raises(ClientError) as e:
        sh.batch_update_findings(FindingIdentifiers=[{"Id": "f-iam5", "ProductArn": prod}], Workflow={"Status": "RESOLVED"})
    code, status, msg = err(e.value)
    assert (code, status) == ("AccessDeniedException", 403)
    assert "is not authorized to perform: securityhub:BatchUpdateFindings" in msg
    assert f"arn:aws:iam::{ACCOUNT}:user/" in msg
    # other operations are unaffected, and the state did not change
    assert sh.get_findings(Filters={"Id": [{"Value": "f-iam5", "Comparison": "EQUALS"}]})["Findings"][0]["Workflow"]["Status"] == "NEW"
    emu.fault({"kind": "access_denied", "service": "iam", "operation": "ListUsers", "count": 1})
    with pytest.raises(ClientError) as e:
        emu.client("iam").list_users()
    code, status, msg = err(e.value)
    assert (code, status) == ("AccessDenied", 403) and "iam:ListUsers" in msg
    emu.fault({"kind": "access_denied", "service": "guardduty", "operation": "ListDetectors", "count": 1})
    with pytest.raises(ClientError) as e:
        emu.client("guardduty").list_detectors()
    assert err(e.value)[0] == "AccessDeniedException" and "guardduty:ListDetectors" in err(e.value)[2]
    assert emu.control("GET", "/faults")["faults"][0]["service"] == "securityhub"
    emu.control("DELETE", "/faults")
    sh.batch_update_findings(FindingIdentifiers=[{"Id": "f-iam5", "ProductArn": prod}], Workflow={"Status": "RESOLVED"})


def test_not_enabled_fault(emu):
    emu.seed({
        "securityhub": {"eu-west-1": {"generate": 1}},
        "guardduty": {"eu-west-1": {"generate": 1}},
        "accessanalyzer": {"eu-west-1": {"analyzers": [{"name": "a"}]}},
    })
    for svc in ("securityhub", "guardduty", "accessanalyzer"):
        emu.fault({"kind": "not_enabled", "service": svc, "region": "eu-west-1"})
    with pytest.raises(ClientError) as e:
        emu.client("securityhub", region="eu-west-1").get_findings()
    assert err(e.value)[0] == "InvalidAccessException"
    assert emu.client("guardduty", region="eu-west-1").list_detectors()["DetectorIds"] == []
    assert emu.client("accessanalyzer", region="eu-west-1").list_analyzers()["analyzers"] == []


def test_latency_fault(emu):
    emu.fault({"kind": "latency", "service": "guardduty", "operation": "ListDetectors", "ms": 300, "count": 1})
    gd = emu.client("guardduty")
    t = time.monotonic()
    gd.list_detectors()
    assert time.monotonic() - t >= 0.3
    t = time.monotonic()
    gd.list_detectors()
    assert time.monotonic() - t < 0.3


def test_generic_error_fault(emu):
    emu.fault({"kind": "error", "service": "securityhub", "operation": "DescribeHub", "code": "InternalException", "status": 500, "message": "boom", "count": 1})
    with pytest.raises(ClientError) as e:
        emu.client("securityhub").describe_hub()
    assert err(e.value) == ("InternalException", 500, "boom")


# ---------------------------------------------------------------------------------------------
# Accounts, regions, request log
# ---------------------------------------------------------------------------------------------


def test_state_is_per_account_and_region(emu):
    emu.seed({"securityhub": {"us-east-1": {"generate": 2}, "eu-west-1": {"generate": 5}}})
    emu.seed({"account": "210987654321", "securityhub": {"us-east-1": {"generate": 7}}})
    assert len(emu.client("securityhub").get_findings()["Findings"]) == 2
    assert len(emu.client("securityhub", region="eu-west-1").get_findings()["Findings"]) == 5
    # a 12-digit access key id selects that account
    other = emu.client("securityhub", access_key="210987654321")
    assert len(other.get_findings()["Findings"]) == 7
    assert {r["region"] for r in emu.requests(service="securityhub")} == {"us-east-1", "eu-west-1"}
    assert {r["account"] for r in emu.requests(service="securityhub")} == {ACCOUNT, "210987654321"}


def test_request_log(emu):
    emu.client("guardduty", region="ap-southeast-2").list_detectors()
    emu.client("sts").get_caller_identity()
    reqs = emu.requests()
    assert [(r["service"], r["operation"], r["region"]) for r in reqs] == [
        ("guardduty", "ListDetectors", "ap-southeast-2"),
        ("sts", "GetCallerIdentity", "us-east-1"),
    ]
    assert emu.requests(since=reqs[0]["seq"])[0]["operation"] == "GetCallerIdentity"
    emu.control("DELETE", "/requests")
    assert emu.requests() == []


def test_unimplemented_operation_says_so(emu):
    with pytest.raises(ClientError) as e:
        emu.client("securityhub").describe_standards()
    assert err(e.value)[:2] == ("NotImplementedException", 501)


# ---------------------------------------------------------------------------------------------
# IAM and STS (moto)
# ---------------------------------------------------------------------------------------------


def test_iam_and_sts_via_moto(emu):
    iam = emu.client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert key["Status"] == "Active"
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert iam.list_access_keys(UserName="alice")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    ident = emu.client("sts").get_caller_identity()
    assert ident["Account"] == ACCOUNT
    policy = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")["Policy"]
    assert policy["PolicyName"] == "AdministratorAccess"
    upd = emu.requests(service="iam", operation="UpdateAccessKey")[0]
    assert upd["params"] == {"UserName": "alice", "AccessKeyId": key["AccessKeyId"], "Status": "Inactive"}
    assert upd["status"] == 200
    # a key created with alice's credentials belongs to the same account in our services too
    sh = emu.client("securityhub", access_key=key["AccessKeyId"])
    with pytest.raises(ClientError):
        sh.describe_hub()
    assert emu.requests(service="securityhub")[-1]["account"] == ACCOUNT
    iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName="alice")


def test_iam_authorization_details_paginated_in_front_of_moto(emu):
    iam = emu.client("iam")
    for i in range(7):
        iam.create_user(UserName=f"u{i}")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument="{}")
    pages = list(iam.get_paginator("get_account_authorization_details").paginate(
        Filter=["User", "Role"],
        PaginationConfig={"PageSize": 3}))
    # boto3 follows Marker/IsTruncated: 8 principals, 3 a page
    users = [u["UserName"] for p in pages for u in p["UserDetailList"]]
    assert sorted(users) == [f"u{i}" for i in range(7)]
    assert [r["RoleName"] for p in pages for r in p["RoleDetailList"]] == ["r1"]
    assert len(pages) == 3
    assert all(len(p["UserDetailList"]) + len(p["GroupDetailList"]) + len(p["RoleDetailList"])
               + len(p["Policies"]) <= 3 for p in pages)
    assert [p["IsTruncated"] for p in pages][-1] is False
    assert all(p["IsTruncated"] and p["Marker"] for p in pages[:-1])
    log = emu.requests(service="iam", operation="GetAccountAuthorizationDetails")
    assert [r["params"].get("MaxItems") for r in log] == ["3"] * len(pages)
    assert "Marker" not in log[0]["params"] and all("Marker" in r["params"] for r in log[1:])
    assert all(r["accessKeyId"] == "testing" for r in log)
    with pytest.raises(ClientError) as e:
        iam.get_account_authorization_details(MaxItems=1001)
    assert err(e.value)[:2] == ("ValidationError", 400)
    with pytest.raises(ClientError) as e:
        iam.get_account_authorization_details(Marker="nope")
    assert err(e.value)[:2] == ("ValidationError", 400)


def test_wrong_mfa_code_fault_on_assume_role(emu):
    sts = emu.client("sts")
    emu.control("POST", "/fault", {"kind": "error", "service": "sts", "operation": "AssumeRole",
                                   "code": "AccessDenied", "status": 403, "count": 1,
                                   "message": "MultiFactorAuthentication failed with invalid MFA one time pass code."})
    args = dict(RoleArn="arn:aws:iam::111122223333:role/audit", RoleSessionName="gp",
                SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/alice", TokenCode="123456")
    with pytest.raises(ClientError) as e:
        sts.assume_role(**args)
    assert err(e.value) == ("AccessDenied", 403, "MultiFactorAuthentication failed with invalid MFA one time pass code.")
    creds = sts.assume_role(**args)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    calls = emu.requests(service="sts", operation="AssumeRole")
    assert [c["params"]["TokenCode"] for c in calls] == ["123456", "123456"]
    assert [c["status"] for c in calls] == [403, 200]


def test_clock_control_ages_iam_resources(emu):
    old = (datetime.now(timezone.utc) - timedelta(days=500)).strftime("%Y-%m-%dT%H:%M:%SZ")
    emu.control("POST", "/clock", {"frozen_at": old})
    iam = emu.client("iam")
    try:
        iam.create_user(UserName="aged")
        iam.create_access_key(UserName="aged")
    finally:
        emu.control("POST", "/clock", {"frozen_at": None})
    created = iam.list_access_keys(UserName="aged")["AccessKeyMetadata"][0]["CreateDate"]
    age = datetime.now(timezone.utc) - created
    assert timedelta(days=499) < age < timedelta(days=501)
    fresh = iam.create_user(UserName="fresh")["User"]["CreateDate"]
    assert datetime.now(timezone.utc) - fresh < timedelta(minutes=5)


def test_full_reset_clears_moto(emu):
    iam = emu.client("iam")
    iam.create_user(UserName="temp")
    emu.control("POST", "/reset", {})
    assert all(u["UserName"] != "temp" for u in iam.list_users()["Users"])
