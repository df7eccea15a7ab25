#!/usr/bin/env python3
"""guardpost's local AWS emulator: one HTTP server on 127.0.0.1.

* IAM and STS are served by moto's server app (pinned in requirements.txt).
* Security Hub, GuardDuty, IAM Access Analyzer (REST-JSON) and CloudTrail (JSON 1.1, routed by
  X-Amz-Target) are the project's own implementation, in front of moto, chosen by the service
  name in the SigV4 Authorization header's credential scope. Routing, request members and limits
  come from botocore's service models, the same models the Rust SDK is generated from, so paths
  and member names match the real services.
* A control API under /_guardpost/ (unsigned JSON) seeds state, injects faults, resets, shows
  server-side state and the log of AWS requests made.

Start: `.venv/bin/python server.py --port 0`; prints `READY <port>` on stdout once listening.
See README.md.
"""

from __future__ import annotations

import argparse
import base64
import copy
import io
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

import botocore.loaders  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

DEFAULT_ACCOUNT = "123456789012"
PRINCIPAL_NAME = "guardpost-test"

# SigV4 signing name -> (botocore model name, short name used in the control API)
OWN_SERVICES = {
    "securityhub": "securityhub",
    "guardduty": "guardduty",
    "access-analyzer": "accessanalyzer",
    "cloudtrail": "cloudtrail",
}
SERVICE_ALIASES = {
    "securityhub": "securityhub",
    "security-hub": "securityhub",
    "guardduty": "guardduty",
    "access-analyzer": "accessanalyzer",
    "accessanalyzer": "accessanalyzer",
    "cloudtrail": "cloudtrail",
    "iam": "iam",
    "sts": "sts",
    # CloudWatch signs as "monitoring"; its IAM actions are cloudwatch:*.
    "monitoring": "cloudwatch",
}

# The error each service sends when it throttles a caller.
THROTTLE = {
    # Security Hub answers throttled calls with TooManyRequestsException / 429.
    "securityhub": ("TooManyRequestsException", 429, "Too Many Requests"),
    "guardduty": ("TooManyRequestsException", 429, "Rate exceeded"),
    "accessanalyzer": ("ThrottlingException", 429, "Rate exceeded"),
    # JSON 1.1 services throttle with a 400.
    "cloudtrail": ("ThrottlingException", 400, "Rate exceeded"),
    "iam": ("Throttling", 400, "Rate exceeded"),
    "sts": ("Throttling", 400, "Rate exceeded"),
    "ec2": ("RequestLimitExceeded", 503, "Request limit exceeded."),
}
ACTION_PREFIX = {
    "securityhub": "securityhub",
    "guardduty": "guardduty",
    "accessanalyzer": "access-analyzer",
    "cloudtrail": "cloudtrail",
    "iam": "iam",
    "sts": "sts",
    "ec2": "ec2",
}
QUERY_NS = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: int | None = None, extra: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra or {}


# ---------------------------------------------------------------------------------------------
# Service models (botocore's JSON models: same Smithy source as the Rust SDK)
# ---------------------------------------------------------------------------------------------


class ServiceModel:
    def __init__(self, name: str):
        self.name = name
        self.model = botocore.loaders.Loader().load_service_model(name, "service-2")
        self.shapes = self.model["shapes"]
        # "rest-json" routes by method + path; "json" (JSON 1.1) has every operation on POST / and
        # names it in the X-Amz-Target header: "<targetPrefix>.<Operation>".
        self.protocol = self.model["metadata"]["protocol"]
        self.target_prefix = self.model["metadata"].get("targetPrefix")
        self.routes = []
        for op_name, op in self.model["operations"].items():
            http = op["http"]
            uri = http["requestUri"].split("?", 1)[0]
            literal = 0
            pattern = ""
            for part in re.split(r"(\{[^}]+\})", uri):
                if part.startswith("{"):
                    label = part[1:-1]
                    if label.endswith("+"):
                        pattern += f"(?P<{label[:-1]}>.+)"
                    else:
                        pattern += f"(?P<{label}>[^/]+)"
                else:
                    pattern += re.escape(part)
                    literal += len(part)
            self.routes.append((http["method"], re.compile("^" + pattern.rstrip("/") + "/?$"), literal, op_name))

    def route(self, method: str, path: str, headers: dict | None = None) -> tuple[str, dict] | None:
        if self.protocol == "json":
            target = (headers or {}).get("x-amz-target", "")
            prefix, _, op = target.rpartition(".")
            # botocore sends the model's full targetPrefix ("com.amazonaws.cloudtrail.v20131101.
            # CloudTrail_20131101"), the Rust SDK the Smithy service name alone
            # ("CloudTrail_20131101"); AWS accepts both.
            short = (self.target_prefix or "").rsplit(".", 1)[-1]
            if method != "POST" or path not in ("", "/") or prefix not in (self.target_prefix, short) or op not in self.model["operations"]:
                return None
            return op, {}
        best = None
        for m, rx, literal, op in self.routes:
            if m != method:
                continue
            mt = rx.match(path)
            if mt and (best is None or literal > best[0]):
                best = (literal, op, {k: unquote(v) for k, v in mt.groupdict().items()})
        return (best[1], best[2]) if best else None

    def error_status(self, code: str) -> int | None:
        shape = self.shapes.get(code)
        if shape and shape.get("exception"):
            return shape.get("error", {}).get("httpStatusCode")
        return None

    def parse_input(self, op: str, labels: dict, query: dict, headers: dict, body: bytes) -> tuple[dict, dict]:
        """Returns (params by model member name, raw wire body)."""
        opm = self.model["operations"][op]
        if "input" not in opm:
            return {}, {}
        shape = self.shapes[opm["input"]["shape"]]
        try:
            wire = json.loads(body) if body.strip() else {}
        except ValueError:
            raise ApiError("SerializationException", "Request body is not valid JSON", 400)
        if not isinstance(wire, dict):
            raise ApiError("SerializationException", "Request body must be a JSON object", 400)
        params: dict[str, Any] = {}
        for mname, m in shape.get("members", {}).items():
            loc = m.get("location")
            lname = m.get("locationName", mname)
            mshape = self.shapes[m["shape"]]
            if loc == "uri":
                if lname in labels:
                    params[mname] = labels[lname]
            elif loc == "querystring":
                if mshape["type"] == "map":
                    continue
                if lname in query:
                    vals = query[lname]
                    params[mname] = vals if mshape["type"] == "list" else self._scalar(mshape, vals[0])
            elif loc == "header":
                if lname.lower() in headers:
                    params[mname] = self._scalar(mshape, headers[lname.lower()])
            elif lname in wire:
                params[mname] = wire[lname]
        return params, wire

    def _scalar(self, shape: dict, raw: str) -> Any:
        t = shape["type"]
        try:
            if t in ("integer", "long"):
                return int(raw)
            if t in ("double", "float"):
                return float(raw)
        except ValueError:
            raise ApiError("SerializationException", f"Cannot parse '{raw}' as a number", 400)
        if t == "boolean":
            return raw.lower() == "true"
        return raw

    def validate(self, op: str, params: dict, skip: tuple = ()) -> list[str]:
        """Checks required members, lengths, ranges and enums as the service's front end does."""
        opm = self.model["operations"][op]
        if "input" not in opm:
            return []
        errors: list[str] = []
        shape = self.shapes[opm["input"]["shape"]]
        for req in shape.get("required", []):
            if req not in params:
                errors.append(f"Value null at '{self._wire(shape, req)}' failed to satisfy constraint: Member must not be null")
        for mname, val in params.items():
            if mname in skip:
                continue
            m = shape["members"][mname]
            self._check(m["shape"], val, self._wire(shape, mname), errors, 0, top=True)
        return errors

    @staticmethod
    def _wire(shape: dict, member: str) -> str:
        name = shape["members"][member].get("locationName", member)
        return name[:1].lower() + name[1:]

    def _check(self, shape_name: str, val: Any, path: str, errors: list, depth: int, top: bool = False) -> None:
        if depth > 12 or val is None:
            return
        shape = self.shapes[shape_name]
        t = shape["type"]
        lo, hi = shape.get("min"), shape.get("max")
        if t == "structure":
            if not isinstance(val, dict):
                errors.append(f"Value at '{path}' failed to satisfy constraint: Member must be a structure")
                return
            members = shape.get("members", {})
            by_wire = {m.get("locationName", n): n for n, m in members.items()}
            for req in shape.get("required", []):
                if members[req].get("locationName", req) not in val:
                    errors.append(f"Value null at '{path}.{self._wire(shape, req)}' failed to satisfy constraint: Member must not be null")
            for k, v in val.items():
                if k in by_wire:
                    self._check(members[by_wire[k]]["shape"], v, f"{path}.{k}", errors, depth + 1)
        elif t == "list":
            if not isinstance(val, list):
                errors.append(f"Value at '{path}' failed to satisfy constraint: Member must be a list")
                return
            if lo is not None and len(val) < lo:
                errors.append(f"Value at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {lo}")
            if hi is not None and len(val) > hi:
                errors.append(f"Value at '{path}' failed to satisfy constraint: Member must have length less than or equal to {hi}")
            for i, v in enumerate(val[:200]):
                self._check(shape["member"]["shape"], v, f"{path}.{i + 1}.member", errors, depth + 1)
        elif t == "map":
            if not isinstance(val, dict):
                errors.append(f"Value at '{path}' failed to satisfy constraint: Member must be a map")
                return
            if lo is not None and len(val) < lo:
                errors.append(f"Value at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {lo}")
            if hi is not None and len(val) > hi:
                errors.append(f"Value at '{path}' failed to satisfy constraint: Member must have length less than or equal to {hi}")
            for k, v in val.items():
                self._check(shape["value"]["shape"], v, f"{path}.{k}", errors, depth + 1)
        elif t == "string":
            if not isinstance(val, str):
                errors.append(f"Value at '{path}' failed to satisfy constraint: Member must be a string")
                return
            if "enum" in shape and val not in shape["enum"]:
                errors.append(f"Value '{val}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(shape['enum'])}]")
            if lo is not None and len(val) < lo:
                errors.append(f"Value '{val}' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {lo}")
            if hi is not None and len(val) > hi:
                errors.append(f"Value at '{path}' failed to satisfy constraint: Member must have length less than or equal to {hi}")
        elif t in ("integer", "long", "double", "float"):
            if isinstance(val, bool) or not isinstance(val, (int, float)):
                errors.append(f"Value at '{path}' failed to satisfy constraint: Member must be a number")
                return
            if lo is not None and val < lo:
                errors.append(f"Value '{val}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {lo}")
            if hi is not None and val > hi:
                errors.append(f"Value '{val}' at '{path}' failed to satisfy constraint: Member must have value less than or equal to {hi}")
        elif t == "boolean":
            if not isinstance(val, bool):
                errors.append(f"Value at '{path}' failed to satisfy constraint: Member must be a boolean")


# ---------------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------------


class RegionState:
    def __init__(self) -> None:
        # Security Hub
        self.sh_enabled = False
        self.sh_subscribed_at: str | None = None
        self.sh_findings: dict[tuple[str, str], dict] = {}  # (ProductArn, Id) -> ASFF finding
        # GuardDuty: detector id -> {"createdAt", "status", "findings": {id: finding}, "feedback"}
        self.gd_detectors: dict[str, dict] = {}
        # Access Analyzer: analyzer arn -> {"summary": AnalyzerSummary, "findings": {id: FindingV2}}
        self.aa_analyzers: dict[str, dict] = {}
        # CloudTrail event history: LookupEvents `Event`s in wire form (EventTime in epoch seconds)
        self.ct_events: dict[str, dict] = {}  # EventId -> Event
        # CloudTrail trails homed in this region: Name -> trail (wire fields plus "logging",
        # "EventSelectors", "AdvancedEventSelectors")
        self.ct_trails: dict[str, dict] = {}
        # Multi-account (both services keep their administrator-member relationships per region,
        # as AWS does). Administrator side: member account -> Member record in wire form.
        self.sh_members: dict[str, dict] = {}
        self.gd_members: dict[str, dict] = {}
        # Member side: the administrator's Invitation / Administrator record, or None.
        self.sh_admin: dict | None = None
        self.gd_admin: dict | None = None
        # Management account side: the organization's designated administrator account(s):
        # account -> AdminStatus ("ENABLED").
        self.sh_org_admins: dict[str, str] = {}
        self.gd_org_admins: dict[str, str] = {}
        # Security Hub cross-region aggregation homed in this region (FindingAggregator output
        # fields), or None.
        self.sh_aggregator: dict | None = None

    def dump(self) -> dict:
        return {
            "securityhub": {
                "enabled": self.sh_enabled,
                "subscribedAt": self.sh_subscribed_at,
                "findings": list(self.sh_findings.values()),
                "members": self.sh_members,
                "administrator": self.sh_admin,
                "organizationAdminAccounts": [{"AccountId": a, "Status": st} for a, st in self.sh_org_admins.items()],
                "findingAggregator": self.sh_aggregator,
            },
            "guardduty": {
                "detectors": {
                    d: {"createdAt": v["createdAt"], "status": v["status"], "findings": list(v["findings"].values())}
                    for d, v in self.gd_detectors.items()
                },
                "members": self.gd_members,
                "administrator": self.gd_admin,
                "organizationAdminAccounts": [{"adminAccountId": a, "adminStatus": st} for a, st in self.gd_org_admins.items()],
            },
            "accessanalyzer": {
                "analyzers": {
                    a: {"summary": v["summary"], "findings": list(v["findings"].values())}
                    for a, v in self.aa_analyzers.items()
                }
            },
            "cloudtrail": {"events": ct_sorted(self.ct_events.values())},
        }


# Faults of the transport: a 200 whose body is cut in half, a connection dropped without an
# answer, an answer that is not an AWS error at all (a proxy's HTML page).
STREAM_FAULTS = ("truncate", "reset", "raw")


class Emulator:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.models = {m: ServiceModel(m) for m in OWN_SERVICES.values()}
        self.state: dict[tuple[str, str], RegionState] = {}
        self.faults: list[dict] = []
        self.requests: list[dict] = []
        self.seq = 0
        self.freezer = None
        self.moto_app = DomainDispatcherApplication(create_backend_app)
        # GetAccountAuthorizationDetails walks: generation -> (items, unused)
        self.gaad_cache: dict[str, tuple[list, None]] = {}
        # Credential reports as AWS keeps them: one per account, generated at a time and served
        # unchanged until a GenerateCredentialReport more than 4 hours later (moto builds the
        # report afresh on every GetCredentialReport and dates it 2015).
        self.cred_reports: dict[str, tuple[float, str]] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def region_state(self, account: str, region: str) -> RegionState:
        key = (account, region)
        if key not in self.state:
            self.state[key] = RegionState()
        return self.state[key]

    def reset(self, moto: bool = True) -> None:
        with self.lock:
            self.state.clear()
            self.faults.clear()
            self.requests.clear()
            self.gaad_cache.clear()
            self.cred_reports.clear()
            self.seq = 0
            self.set_clock(None)
        if moto:
            from moto.iam.models import iam_backends
            from moto.moto_api._internal.models import moto_api_backend

            # moto's reset rebuilds each account's IAM backend (~1,600 managed policies, about a
            # second per account) only to drop it right after; an organization's accounts would
            # make that many seconds. Dropping them first gives the same clean state.
            dict.clear(iam_backends)
            moto_api_backend.reset()
            warm_up_moto()

    def set_clock(self, when: str | None) -> None:
        if self.freezer is not None:
            self.freezer.stop()
            self.freezer = None
        if when:
            import freezegun

            self.freezer = freezegun.freeze_time(when, tick=True)
            self.freezer.start()

    def log(self, entry: dict) -> dict:
        with self.lock:
            self.seq += 1
            entry = {"seq": self.seq, "time": now_iso(), **entry}
            self.requests.append(entry)
            return entry

    def take_fault(self, service: str, op: str, region: str, account: str, params: dict | None = None) -> tuple[float, dict | None]:
        """Returns (latency in seconds, the error fault to apply or None); consumes counted faults.
        A fault with `params` applies only to requests whose parameters hold those values
        (e.g. {"RoleArn": ...} denies AssumeRole into one account only)."""
        latency = 0.0
        chosen = None
        with self.lock:
            for f in list(self.faults):
                if f["service"] not in ("*", service):
                    continue
                if f.get("operation", "*") not in ("*", op):
                    continue
                if f.get("region") not in (None, region) or f.get("account") not in (None, account):
                    continue
                if any((params or {}).get(k) != v for k, v in (f.get("params") or {}).items()):
                    continue
                if f["kind"] == "latency":
                    latency += f["ms"] / 1000.0
                elif chosen is None:
                    chosen = f
                else:
                    continue
                if f.get("count") is not None:
                    f["count"] -= 1
                    f["applied"] = f.get("applied", 0) + 1
                    if f["count"] <= 0:
                        self.faults.remove(f)
                else:
                    f["applied"] = f.get("applied", 0) + 1
        return latency, chosen

    # -- WSGI --------------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_guardpost/") or path == "/_guardpost":
            return self.control(environ, start_response)
        body = read_body(environ)
        cred = parse_credential(environ.get("HTTP_AUTHORIZATION", ""))
        # Smithy RPC v2 CBOR (CloudWatch): moto speaks the same operations as JSON 1.0, so the
        # request is translated to JSON on the way in and the answer to CBOR on the way out.
        cbor_op = None
        if environ.get("HTTP_SMITHY_PROTOCOL", "").lower() == "rpc-v2-cbor":
            cbor_op, body = cbor_request(environ, body)
        # The answer is held back whole, so a `truncate` fault can cut its body in half (with a
        # Content-Length that matches: the HTTP exchange is fine, the document is not).
        held: dict = {}

        def hold(status, headers, exc_info=None):
            held["status"], held["headers"] = status, list(headers)
            return lambda _data: None

        if cred and cred["service"] in OWN_SERVICES:
            out = self.own_service(environ, hold, cred, body)
        else:
            out = self.moto_passthrough(environ, hold, cred, body)
        chunks = b"".join(out)
        if hasattr(out, "close"):
            out.close()
        if cbor_op:
            chunks = cbor_response(cbor_op, held, chunks)
        if environ.get("guardpost.truncate") and held["status"].startswith("200"):
            chunks = chunks[: len(chunks) // 2]
        headers = [(k, v) for k, v in held["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(chunks))))
        start_response(held["status"], headers)
        return [chunks]

    def stream_fault(self, environ, start_response, fault: dict, entry: dict):
        """Faults of the transport rather than of the API. Returns a response to send, or None
        to answer normally (`truncate` marks the exchange; `__call__` cuts the body)."""
        kind = fault["kind"]
        if kind == "truncate":
            environ["guardpost.truncate"] = True
            entry["fault"] = "truncate"
            return None
        if kind == "raw":
            status = int(fault.get("status", 502))
            payload = str(fault.get("body", "")).encode()
            entry.update(status=status, error="raw", fault="raw")
            self.log(entry)
            start_response(f"{status} {reason(status)}", [("Content-Type", fault.get("content_type", "text/html")), ("Content-Length", str(len(payload)))])
            return [payload]
        # reset: the connection is dropped without an answer. SO_LINGER 0 makes the close an RST;
        # the request handler's own close comes after, so shut it down now as well.
        entry.update(status=None, error="ConnectionReset", fault="reset")
        self.log(entry)
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        raise ConnectionResetError("guardpost emulator fault: connection reset")

    # -- moto (IAM, STS, anything else moto serves) -----------------------------------------------
    def moto_passthrough(self, environ, start_response, cred, body: bytes):
        service = SERVICE_ALIASES.get(cred["service"], cred["service"]) if cred else "unsigned"
        region = cred["region"] if cred else None
        params: dict[str, Any] = {}
        ctype = environ.get("CONTENT_TYPE", "")
        if body and "x-www-form-urlencoded" in ctype:
            params = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        qs = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        for k, v in qs.items():
            params.setdefault(k, v[0] if len(v) == 1 else v)
        # JSON protocols (AWS Config, CloudWatch Logs) name the operation in X-Amz-Target.
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        path = environ.get("PATH_INFO", "")
        # REST-JSON APIs with one path segment per operation (the Account API): its name.
        rest_op = path[1:2].upper() + path[2:] if path.count("/") == 1 and path[1:2].islower() else None
        s3 = s3_operation(environ.get("REQUEST_METHOD", ""), path, environ.get("QUERY_STRING", "")) \
            if service == "s3" else None
        if s3:
            service, s3op = s3
        op = params.pop("Action", None) or (target.rsplit(".", 1)[-1] if target else None) \
            or (s3op if s3 else None) or rest_op or f"{environ.get('REQUEST_METHOD')} {path}"
        params.pop("Version", None)
        account = self.account_for(cred["access_key"]) if cred else DEFAULT_ACCOUNT
        entry = {"service": service, "operation": op, "region": region, "account": account, "params": params}
        if cred:
            # Which credentials signed the call (the access key id only: never a secret), so a
            # test can tell calls signed with assumed-role credentials from the caller's own.
            entry["accessKeyId"] = cred["access_key"]
        latency, fault = self.take_fault(service, op, region, account, params) if cred else (0.0, None)
        if latency:
            time.sleep(latency)
        if fault and fault["kind"] in STREAM_FAULTS:
            out = self.stream_fault(environ, start_response, fault, entry)
            if out is not None:
                return out
            fault = None
        if fault:
            code, status, message = self.fault_error(fault, service, op, region, account)
            entry.update(status=status, error=code)
            self.log(entry)
            ns = QUERY_NS.get(service, "https://iam.amazonaws.com/doc/2010-05-08/")
            if target or ctype.startswith("application/json"):
                doc = json.dumps({"__type": code, "message": message}).encode()
                start_response(f"{status} {reason(status)}", [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code), ("Content-Length", str(len(doc)))])
                return [doc]
            if service == "s3":
                # S3's REST-XML errors are not wrapped in an ErrorResponse.
                xml = (
                    f"<Error><Code>{code}</Code><Message>{xml_escape(message)}</Message>"
                    f"<RequestId>{uuid.uuid4()}</RequestId></Error>"
                ).encode()
            elif service == "ec2":
                # EC2's query protocol has its own error document.
                xml = (
                    f"<Response><Errors><Error><Code>{code}</Code><Message>{xml_escape(message)}</Message>"
                    f"</Error></Errors><RequestID>{uuid.uuid4()}</RequestID></Response>"
                ).encode()
            else:
                xml = (
                    f'<ErrorResponse xmlns="{ns}"><Error><Type>Sender</Type><Code>{code}</Code>'
                    f"<Message>{xml_escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
                ).encode()
            start_response(f"{status} {reason(status)}", [("Content-Type", "text/xml"), ("Content-Length", str(len(xml)))])
            return [xml]
        if (service, op) == ("iam", "GetAccountAuthorizationDetails"):
            return self.gaad_page(environ, start_response, params, entry)
        if (service, op) in (("iam", "GenerateCredentialReport"), ("iam", "GetCredentialReport")):
            return self.credential_report(start_response, op, account, entry)
        status_box = {}

        def sr(status, headers, exc_info=None):
            status_box["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        out = self.moto_app(environ, sr)
        chunks = b"".join(out)
        if hasattr(out, "close"):
            out.close()
        entry["status"] = status_box.get("status")
        if entry["status"] and entry["status"] >= 400:
            m = re.search(rb"<Code>([^<]+)</Code>", chunks)
            entry["error"] = m.group(1).decode() if m else None
        self.log(entry)
        return [chunks]

    def gaad_page(self, environ, start_response, params: dict, entry: dict):
        """GetAccountAuthorizationDetails with real pagination. moto answers everything in one
        page whatever MaxItems says; AWS pages by MaxItems (1..1000, default 100) counted over
        the four lists together (users, groups, roles, policies, in that order), with
        IsTruncated and an opaque Marker. The first page asks moto for the full answer and keeps
        it; later pages (Marker = generation + offset) slice that copy, so every page of one
        walk sees the same data."""
        try:
            max_items = int(params.get("MaxItems") or 100)
        except ValueError:
            max_items = 0
        marker = params.get("Marker")
        if not 1 <= max_items <= 1000:
            return self.query_error(start_response, entry, "iam", "ValidationError", 400,
                                    "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: "
                                    "Member must have value less than or equal to 1000")
        if marker:
            try:
                gen, offset = marker.split(":", 1)
                offset = int(offset)
                with self.lock:
                    flat, head = self.gaad_cache[gen]
            except (ValueError, KeyError):
                return self.query_error(start_response, entry, "iam", "ValidationError", 400, "Invalid Marker.")
        else:
            status_box = {}

            def sr(status, headers, exc_info=None):
                status_box["status"] = int(status.split()[0])
                return lambda _data: None

            out = self.moto_app(environ, sr)
            body = b"".join(out)
            if hasattr(out, "close"):
                out.close()
            if status_box.get("status") != 200:
                entry["status"] = status_box.get("status")
                self.log(entry)
                start_response(f"{entry['status']} {reason(entry['status'] or 500)}",
                               [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
                return [body]
            flat, head = gaad_split(body)
            gen = uuid.uuid4().hex[:12]
            offset = 0
            with self.lock:
                # A few walks may be in flight at once (parallel tests share nothing, but one
                # loader could restart); keep the newest handful.
                self.gaad_cache[gen] = (flat, head)
                while len(self.gaad_cache) > 4:
                    self.gaad_cache.pop(next(iter(self.gaad_cache)))
        page = flat[offset:offset + max_items]
        nxt = offset + len(page)
        truncated = nxt < len(flat)
        lists = {k: [] for k in GAAD_LISTS}
        for key, xml in page:
            lists[key].append(xml)
        parts = [f'<GetAccountAuthorizationDetailsResponse xmlns="{QUERY_NS["iam"]}"><GetAccountAuthorizationDetailsResult>']
        for key in GAAD_LISTS:
            parts.append(f"<{key}>" + "".join(lists[key]) + f"</{key}>")
        parts.append(f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>")
        if truncated:
            parts.append(f"<Marker>{gen}:{nxt}</Marker>")
        parts.append(f"</GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId>"
                     "</ResponseMetadata></GetAccountAuthorizationDetailsResponse>")
        payload = "".join(parts).encode()
        entry["status"] = 200
        entry["items"] = len(page)
        self.log(entry)
        start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))])
        return [payload]

    def credential_report(self, start_response, op: str, account: str, entry: dict):
        """GenerateCredentialReport / GetCredentialReport with AWS's lifetime: a report is a
        snapshot taken when generated, and a new one is generated only when the last is more
        than four hours old (STARTED, then COMPLETE). GetCredentialReport answers that snapshot
        and its GeneratedTime (clock: the emulator's, so /_guardpost/clock applies)."""
        from datetime import datetime, timezone

        from moto.iam.models import iam_backends

        now = datetime.now(timezone.utc).timestamp()
        with self.lock:
            have = self.cred_reports.get(account)
        if op == "GenerateCredentialReport":
            if have is None or now - have[0] > 4 * 3600:
                backend = iam_backends[account]["global"]
                backend.generate_report()
                with self.lock:
                    self.cred_reports[account] = (now, backend.get_credential_report())
                result = "<State>STARTED</State><Description>No report exists. Starting a new report generation task</Description>"
            else:
                result = "<State>COMPLETE</State>"
        else:
            if have is None:
                return self.query_error(start_response, entry, "iam", "ReportNotPresent", 410,
                                        "Credential report not present")
            generated = datetime.fromtimestamp(have[0], timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            result = (f"<Content>{base64.b64encode(have[1].encode()).decode()}</Content>"
                      f"<ReportFormat>text/csv</ReportFormat><GeneratedTime>{generated}</GeneratedTime>")
        payload = (f'<{op}Response xmlns="{QUERY_NS["iam"]}"><{op}Result>{result}</{op}Result>'
                   f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{op}Response>").encode()
        entry["status"] = 200
        self.log(entry)
        start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))])
        return [payload]

    def age_credential_report(self, doc: dict) -> dict:
        """Makes an account's credential report `seconds` older (a report generated earlier by
        someone else, which AWS keeps serving for four hours)."""
        account = doc.get("account", DEFAULT_ACCOUNT)
        with self.lock:
            if account not in self.cred_reports:
                raise ValueError(f"account {account} has no credential report")
            when, csv = self.cred_reports[account]
            self.cred_reports[account] = (when - float(doc["seconds"]), csv)
        return {"ok": True}

    def query_error(self, start_response, entry: dict, service: str, code: str, status: int, message: str):
        entry.update(status=status, error=code)
        self.log(entry)
        ns = QUERY_NS.get(service, QUERY_NS["iam"])
        xml = (
            f'<ErrorResponse xmlns="{ns}"><Error><Type>Sender</Type><Code>{code}</Code>'
            f"<Message>{xml_escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
        ).encode()
        start_response(f"{status} {reason(status)}", [("Content-Type", "text/xml"), ("Content-Length", str(len(xml)))])
        return [xml]

    def account_for(self, access_key: str) -> str:
        if re.fullmatch(r"\d{12}", access_key or ""):
            return access_key
        try:
            from moto.iam.models import get_account_id_from

            return get_account_id_from(access_key)
        except Exception:  # pragma: no cover - moto internals
            return DEFAULT_ACCOUNT

    def fault_error(self, fault: dict, service: str, op: str, region: str | None, account: str) -> tuple[str, int, str]:
        kind = fault["kind"]
        if kind == "throttle":
            code, status, message = THROTTLE.get(service, ("ThrottlingException", 429, "Rate exceeded"))
        elif kind == "access_denied":
            action = f"{ACTION_PREFIX.get(service, service)}:{op}"
            principal = fault.get("principal") or f"arn:aws:iam::{account}:user/{PRINCIPAL_NAME}"
            resource = fault.get("resource") or default_resource(service, region, account)
            if service in ("iam", "sts"):
                code, status = "AccessDenied", 403
            elif service == "ec2":
                code, status = "UnauthorizedOperation", 403
            elif service == "cloudtrail":
                code, status = "AccessDeniedException", 400  # JSON 1.1: client errors are 400s
            else:
                code, status = "AccessDeniedException", 403
            message = f"User: {principal} is not authorized to perform: {action}"
            if resource is not None:  # LookupEvents has no resource-level permissions
                message += f" on resource: {resource}"
            if fault.get("explicit_deny"):
                message += " with an explicit deny in an identity-based policy"
            else:
                message += " because no identity-based policy allows the " + action + " action"
        else:  # "error"
            code = fault.get("code", "InternalServerError")
            status = int(fault.get("status", 500))
            message = fault.get("message", "Internal error")
        return (fault.get("code", code), int(fault.get("status", status)), fault.get("message", message))

    # -- own services ----------------------------------------------------------------------------
    def own_service(self, environ, start_response, cred, body: bytes):
        svc = OWN_SERVICES[cred["service"]]
        model = self.models[svc]
        region = cred["region"]
        account = self.account_for(cred["access_key"])
        method = environ.get("REQUEST_METHOD", "GET")
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
        parts = urlsplit(raw_uri)
        query = parse_qs(parts.query or environ.get("QUERY_STRING", ""), keep_blank_values=True)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        routed = model.route(method, parts.path, headers)
        entry: dict[str, Any] = {"service": svc, "operation": None, "region": region, "account": account, "params": {},
                                 "accessKeyId": cred["access_key"]}
        try:
            if routed is None:
                if model.protocol == "json":
                    raise ApiError("UnknownOperationException", f"No {svc} operation for X-Amz-Target {headers.get('x-amz-target')!r}", 400)
                raise ApiError("UnknownOperationException", f"No {svc} operation for {method} {parts.path}", 404)
            op, labels = routed
            entry["operation"] = op
            params, wire = model.parse_input(op, labels, query, headers, body)
            entry["params"] = params
            latency, fault = self.take_fault(svc, op, region, account, params)
            if latency:
                time.sleep(latency)
            if fault and fault["kind"] in STREAM_FAULTS:
                out = self.stream_fault(environ, start_response, fault, entry)
                if out is not None:
                    return out
                fault = None
            if fault:
                code, status, message = self.fault_error(fault, svc, op, region, account)
                raise ApiError(code, message, status)
            handler = getattr(self, f"{svc}_{op}", None)
            if handler is None:
                raise ApiError("NotImplementedException", f"The guardpost emulator does not implement {svc}:{op}", 501)
            skip = ("Findings",) if (svc, op) == ("securityhub", "BatchImportFindings") else ()
            errors = model.validate(op, params, skip)
            if errors:
                raise self.validation_error(svc, errors)
            with self.lock:
                result = handler(self.region_state(account, region), params, account=account, region=region)
            status = 200
            payload = json.dumps(result if result is not None else {}).encode()
            entry["status"] = status
            self.log(entry)
            hdrs = [("Content-Type", self.content_type(model)), ("Content-Length", str(len(payload))), ("x-amzn-RequestId", str(uuid.uuid4()))]
            start_response("200 OK", hdrs)
            return [payload]
        except ApiError as e:
            status = e.status or model.error_status(e.code) or 400
            entry.update(status=status, error=e.code, message=e.message)
            self.log(entry)
            if svc == "securityhub":
                doc = {"__type": e.code, "Code": e.code, "Message": e.message}
            else:
                doc = {"__type": e.code, "message": e.message}
            doc.update(e.extra)
            payload = json.dumps(doc).encode()
            hdrs = [
                ("Content-Type", self.content_type(model)),
                ("Content-Length", str(len(payload))),
                ("x-amzn-RequestId", str(uuid.uuid4())),
                ("x-amzn-ErrorType", e.code),
            ]
            start_response(f"{status} {reason(status)}", hdrs)
            return [payload]

    @staticmethod
    def content_type(model: ServiceModel) -> str:
        if model.protocol == "json":
            return f"application/x-amz-json-{model.model['metadata'].get('jsonVersion', '1.1')}"
        return "application/json"

    def validation_error(self, svc: str, errors: list[str]) -> ApiError:
        n = len(errors)
        msg = f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(errors[:5])
        if svc == "cloudtrail":
            # CloudTrail answers bad input with the operation's modeled exceptions.
            first = errors[0]
            for needle, code in (("'lookupAttributes", "InvalidLookupAttributesException"), ("'maxResults'", "InvalidMaxResultsException"), ("'eventCategory'", "InvalidEventCategoryException")):
                if needle in first:
                    return ApiError(code, msg, 400)
            return ApiError("ValidationException", msg, 400)
        if svc == "securityhub":
            return ApiError("InvalidInputException", msg, 400)
        if svc == "guardduty":
            return ApiError("BadRequestException", msg, 400)
        return ApiError("ValidationException", msg, 400, {"reason": "fieldValidationFailed"})

    # =============================================================================================
    # Security Hub
    # =============================================================================================
    def sh_require(self, rs: RegionState, account: str) -> None:
        if not rs.sh_enabled:
            raise ApiError("InvalidAccessException", f"Account {account} is not subscribed to AWS Security Hub", 401)

    def securityhub_EnableSecurityHub(self, rs, p, account, region):
        if rs.sh_enabled:
            raise ApiError("ResourceConflictException", f"Account {account} is already subscribed to Security Hub", 409)
        rs.sh_enabled = True
        rs.sh_subscribed_at = now_iso()
        return {}

    def securityhub_DisableSecurityHub(self, rs, p, account, region):
        self.sh_require(rs, account)
        rs.sh_enabled = False
        return {}

    def securityhub_DescribeHub(self, rs, p, account, region):
        self.sh_require(rs, account)
        hub = f"arn:aws:securityhub:{region}:{account}:hub/default"
        if "HubArn" in p and p["HubArn"] != hub:
            raise ApiError("ResourceNotFoundException", f"Hub {p['HubArn']} not found", 404)
        return {
            "HubArn": hub,
            "SubscribedAt": rs.sh_subscribed_at,
            "AutoEnableControls": True,
            "ControlFindingGenerator": "SECURITY_CONTROL",
        }

    def securityhub_BatchImportFindings(self, rs, p, account, region):
        self.sh_require(rs, account)
        findings = p["Findings"]
        if not isinstance(findings, list) or not 1 <= len(findings) <= 100:
            raise ApiError("InvalidInputException", "Findings must contain between 1 and 100 findings", 400)
        required = self.models["securityhub"].shapes["AwsSecurityFinding"]["required"]
        failed, ok = [], 0
        for f in findings:
            missing = [r for r in required if not f.get(r)]
            if missing:
                failed.append({
                    "Id": f.get("Id") or "<missing>",
                    "ErrorCode": "InvalidInput",
                    "ErrorMessage": f"Finding does not adhere to Amazon Finding Format. data.{missing[0]} is required",
                })
                continue
            sh_store(rs, f, account, region, fill=False)
            ok += 1
        return {"FailedCount": len(failed), "SuccessCount": ok, "FailedFindings": failed}

    def securityhub_GetFindings(self, rs, p, account, region):
        self.sh_require(rs, account)
        max_results = p.get("MaxResults", 100)
        if not 1 <= max_results <= 100:
            raise ApiError("InvalidInputException", f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100", 400)
        filters = p.get("Filters") or {}
        # The administrator sees its associated members' findings too, and in a finding
        # aggregator's home region those of every linked region.
        matched = [f for _a, _r, st in self.sh_scope(account, region) for f in st.sh_findings.values() if sh_match(f, filters)]
        for crit in reversed(p.get("SortCriteria") or []):
            field = crit.get("Field")
            if not field:
                continue
            desc = crit.get("SortOrder", "asc").lower() == "desc"
            matched.sort(key=lambda f, fld=field: sort_key(sh_values(f, fld)), reverse=desc)
        start = decode_token(p.get("NextToken"), "InvalidInputException")
        page = matched[start:start + max_results]
        out = {"Findings": copy.deepcopy(page)}
        if start + max_results < len(matched):
            out["NextToken"] = encode_token(start + max_results)
        return out

    def securityhub_BatchUpdateFindings(self, rs, p, account, region):
        self.sh_require(rs, account)
        idents = p["FindingIdentifiers"]
        if not isinstance(idents, list) or not 1 <= len(idents) <= 100:
            raise ApiError("InvalidInputException", "FindingIdentifiers must contain between 1 and 100 identifiers", 400)
        updatable = ("Note", "Severity", "VerificationState", "Confidence", "Criticality", "Types", "UserDefinedFields", "Workflow", "RelatedFindings")
        if not any(k in p for k in updatable):
            raise ApiError("InvalidInputException", "At least one of the updatable fields must be provided", 400)
        note = p.get("Note")
        if note is not None and len(note.get("Text", "")) > 512:
            raise ApiError("InvalidInputException", "Invalid parameter 'Note.Text'. Note.Text must be 512 characters or fewer.", 400)
        if note is not None and len(note.get("UpdatedBy", "")) > 512:
            raise ApiError("InvalidInputException", "Invalid parameter 'Note.UpdatedBy'. Note.UpdatedBy must be 512 characters or fewer.", 400)
        processed, unprocessed, seen = [], [], set()
        now = now_iso()
        scope = self.sh_scope(account, region)
        for ident in idents:
            key = (ident.get("ProductArn"), ident.get("Id"))
            ident = {"Id": ident.get("Id"), "ProductArn": ident.get("ProductArn")}
            if key in seen:
                unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "DuplicatedFindingIdentifier", "ErrorMessage": "Duplicated finding identifier"})
                continue
            seen.add(key)
            # The administrator may update its members' findings (and, in the aggregation
            # region, those of linked regions); the caller's own come first.
            f = next((st.sh_findings[key] for _a, _r, st in scope if key in st.sh_findings), None)
            if f is None:
                unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "FindingNotFound", "ErrorMessage": "Finding Not Found"})
                continue
            if "Workflow" in p and p["Workflow"].get("Status"):
                st = p["Workflow"]["Status"]
                f["Workflow"] = {"Status": st}
                f["WorkflowState"] = {"NEW": "NEW", "NOTIFIED": "ASSIGNED", "RESOLVED": "RESOLVED", "SUPPRESSED": "DEFERRED"}[st]
            if note is not None:
                f["Note"] = {"Text": note["Text"], "UpdatedBy": note["UpdatedBy"], "UpdatedAt": now}
            if "Severity" in p:
                sev = dict(f.get("Severity") or {})
                s = p["Severity"]
                if "Label" in s:
                    sev["Label"] = s["Label"]
                    sev["Normalized"] = LABEL_TO_NORMALIZED[s["Label"]]
                elif "Normalized" in s:
                    sev["Normalized"] = s["Normalized"]
                    sev["Label"] = normalized_to_label(s["Normalized"])
                if "Product" in s:
                    sev["Product"] = s["Product"]
                f["Severity"] = sev
            for k in ("VerificationState", "Confidence", "Criticality", "Types", "RelatedFindings"):
                if k in p:
                    f[k] = copy.deepcopy(p[k])
            if "UserDefinedFields" in p:
                f["UserDefinedFields"] = {**(f.get("UserDefinedFields") or {}), **p["UserDefinedFields"]}
            f["ProcessedAt"] = now
            processed.append(ident)
        return {"ProcessedFindings": processed, "UnprocessedFindings": unprocessed}

    # -- Security Hub: administrator and members, cross-region aggregation ----------------------
    def sh_aggregator_of(self, account: str) -> dict | None:
        for (acct, _r), st in self.state.items():
            if acct == account and st.sh_aggregator is not None:
                return st.sh_aggregator
        return None

    def sh_linked_regions(self, agg: dict) -> list[str]:
        home = agg["FindingAggregationRegion"]
        known = sorted({r for (_a, r) in self.state})
        mode = agg["RegionLinkingMode"]
        if mode == "ALL_REGIONS":
            regions = known
        elif mode == "ALL_REGIONS_EXCEPT_SPECIFIED":
            regions = [r for r in known if r not in agg.get("Regions", [])]
        elif mode == "SPECIFIED_REGIONS":
            regions = list(agg.get("Regions", []))
        else:  # NO_REGIONS
            regions = []
        return [r for r in regions if r != home]

    def sh_scope(self, account: str, region: str) -> list[tuple[str, str, RegionState]]:
        """(account, region, state) whose findings `account` sees from `region`: its own, its
        associated members' (with Security Hub enabled there) and, when `region` is the home of
        its finding aggregator, the same in every linked region. Members created in the
        aggregation region count in every linked region."""
        regions = [region]
        agg = self.sh_aggregator_of(account)
        if agg is not None and agg["FindingAggregationRegion"] == region:
            regions += self.sh_linked_regions(agg)
        home = self.state.get((account, region))
        out = []
        for r in regions:
            accounts = [account]
            for st in (home, self.state.get((account, r))):
                if st is not None:
                    accounts += [m for m, rec in st.sh_members.items() if rec["MemberStatus"] == "ENABLED" and m not in accounts]
            for a in accounts:
                st = self.state.get((a, r))
                if st is not None and st.sh_enabled:
                    out.append((a, r, st))
        return out

    def sh_org_caller(self, account: str, admin: str | None = None) -> str:
        """The account whose state keeps the organization's Security Hub administrator: the
        management account when `account` is in a moto organization (anyone else is refused),
        else the caller itself. `admin`, when given, must be in that organization."""
        org = org_info(account)
        if org is None:
            return account
        if org["master"] != account:
            raise ApiError("AccessDeniedException", f"Account {account} is not the management account of organization {org['id']}. "
                           "Only the organization management account can manage the Security Hub administrator account.", 403)
        if admin is not None and admin not in org["accounts"]:
            raise ApiError("InvalidInputException", f"Account {admin} is not a member of organization {org['id']}.", 400)
        return account

    def securityhub_EnableOrganizationAdminAccount(self, rs, p, account, region):
        admin = p["AdminAccountId"]
        self.sh_org_caller(account, admin)
        others = [a for a in rs.sh_org_admins if a != admin]
        if others:
            raise ApiError("InvalidInputException", f"Account {others[0]} is already the Security Hub administrator account of the organization. "
                           "Disable it before designating another one.", 400)
        rs.sh_org_admins[admin] = "ENABLED"
        # Designating the administrator enables Security Hub in that account (in this region).
        st = self.region_state(admin, region)
        if not st.sh_enabled:
            st.sh_enabled, st.sh_subscribed_at = True, now_iso()
        org_delegate(account, admin, "securityhub.amazonaws.com", True)
        return {"AdminAccountId": admin, "Feature": p.get("Feature", "SecurityHub")}

    def securityhub_DisableOrganizationAdminAccount(self, rs, p, account, region):
        self.sh_org_caller(account)
        if p["AdminAccountId"] not in rs.sh_org_admins:
            raise ApiError("InvalidInputException", f"Account {p['AdminAccountId']} is not the Security Hub administrator account of the organization.", 400)
        del rs.sh_org_admins[p["AdminAccountId"]]
        org_delegate(account, p["AdminAccountId"], "securityhub.amazonaws.com", False)
        return {}

    def securityhub_ListOrganizationAdminAccounts(self, rs, p, account, region):
        self.sh_org_caller(account)
        items = [{"AccountId": a, "Status": st} for a, st in rs.sh_org_admins.items()]
        page, token = paginate(items, p.get("NextToken"), p.get("MaxResults") or 10, "InvalidInputException")
        out = {"AdminAccounts": page, "Feature": p.get("Feature", "SecurityHub")}
        if token:
            out["NextToken"] = token
        return out

    def securityhub_CreateMembers(self, rs, p, account, region):
        self.sh_require(rs, account)
        unprocessed = []
        now = now_iso()
        for det in p["AccountDetails"]:
            m = det.get("AccountId")
            if not m or not re.fullmatch(r"\d{12}", m):
                unprocessed.append({"AccountId": m or "", "ProcessingResult": f"Invalid account ID {m!r}"})
                continue
            if m == account:
                unprocessed.append({"AccountId": m, "ProcessingResult": "The administrator account cannot be a member of itself."})
                continue
            if rs.sh_admin is not None:
                unprocessed.append({"AccountId": m, "ProcessingResult": f"Account {account} is a member account of {rs.sh_admin['AccountId']} and cannot have members."})
                continue
            st = self.region_state(m, region)
            if st.sh_admin is not None and st.sh_admin["AccountId"] != account:
                unprocessed.append({"AccountId": m, "ProcessingResult": f"Account {m} is already a member of administrator account {st.sh_admin['AccountId']}."})
                continue
            if st.sh_members:
                unprocessed.append({"AccountId": m, "ProcessingResult": f"Account {m} is an administrator account and cannot be a member."})
                continue
            # Associated at once, as organization members are (no invitation round trip).
            rec = rs.sh_members.get(m) or {"AccountId": m, "InvitedAt": now}
            rec.update({"MasterId": account, "AdministratorId": account, "MemberStatus": "ENABLED", "UpdatedAt": now})
            if det.get("Email"):
                rec["Email"] = det["Email"]
            rs.sh_members[m] = rec
            st.sh_admin = {"AccountId": account, "InvitationId": (st.sh_admin or {}).get("InvitationId") or uuid.uuid4().hex,
                           "InvitedAt": rec["InvitedAt"], "MemberStatus": "ENABLED"}
        return {"UnprocessedAccounts": unprocessed}

    def securityhub_ListMembers(self, rs, p, account, region):
        self.sh_require(rs, account)
        only = p.get("OnlyAssociated", True)
        items = [copy.deepcopy(m) for m in rs.sh_members.values() if not only or m["MemberStatus"] == "ENABLED"]
        page, token = paginate(items, p.get("NextToken"), p.get("MaxResults") or 50, "InvalidInputException")
        out = {"Members": page}
        if token:
            out["NextToken"] = token
        return out

    def securityhub_GetMembers(self, rs, p, account, region):
        self.sh_require(rs, account)
        found, unprocessed = [], []
        for m in p["AccountIds"]:
            if m in rs.sh_members:
                found.append(copy.deepcopy(rs.sh_members[m]))
            else:
                unprocessed.append({"AccountId": m, "ProcessingResult": f"Account {m} is not a member of administrator account {account}."})
        return {"Members": found, "UnprocessedAccounts": unprocessed}

    def _sh_unlink(self, rs, account, region, ids: list, delete: bool) -> list:
        unprocessed = []
        for m in ids:
            rec = rs.sh_members.get(m)
            if rec is None:
                unprocessed.append({"AccountId": m, "ProcessingResult": f"Account {m} is not a member of administrator account {account}."})
                continue
            if delete:
                del rs.sh_members[m]
            else:
                rec.update(MemberStatus="REMOVED", UpdatedAt=now_iso())
            st = self.state.get((m, region))
            if st is not None and st.sh_admin is not None and st.sh_admin["AccountId"] == account:
                st.sh_admin = None
        return unprocessed

    def securityhub_DisassociateMembers(self, rs, p, account, region):
        self.sh_require(rs, account)
        self._sh_unlink(rs, account, region, p["AccountIds"], delete=False)
        return {}

    def securityhub_DeleteMembers(self, rs, p, account, region):
        self.sh_require(rs, account)
        return {"UnprocessedAccounts": self._sh_unlink(rs, account, region, p["AccountIds"], delete=True)}

    def securityhub_GetAdministratorAccount(self, rs, p, account, region):
        self.sh_require(rs, account)
        return {"Administrator": copy.deepcopy(rs.sh_admin)} if rs.sh_admin else {}

    def securityhub_GetMasterAccount(self, rs, p, account, region):
        self.sh_require(rs, account)
        return {"Master": copy.deepcopy(rs.sh_admin)} if rs.sh_admin else {}

    def _sh_aggregator_spec(self, p: dict, region: str) -> tuple[str, list]:
        mode = p["RegionLinkingMode"]
        regions = p.get("Regions") or []
        if mode not in ("ALL_REGIONS", "ALL_REGIONS_EXCEPT_SPECIFIED", "SPECIFIED_REGIONS", "NO_REGIONS"):
            raise ApiError("InvalidInputException", f"Invalid RegionLinkingMode {mode}: expected ALL_REGIONS, ALL_REGIONS_EXCEPT_SPECIFIED, SPECIFIED_REGIONS or NO_REGIONS.", 400)
        if mode in ("ALL_REGIONS", "NO_REGIONS") and regions:
            raise ApiError("InvalidInputException", f"Regions must be empty when RegionLinkingMode is {mode}.", 400)
        if mode == "SPECIFIED_REGIONS" and not regions:
            raise ApiError("InvalidInputException", "Regions must list at least one Region when RegionLinkingMode is SPECIFIED_REGIONS.", 400)
        if region in regions:
            raise ApiError("InvalidInputException", f"Regions must not include the aggregation Region {region}.", 400)
        return mode, list(dict.fromkeys(regions))

    def sh_aggregator_by_arn(self, account: str, arn: str) -> tuple[RegionState, dict]:
        for (acct, _r), st in self.state.items():
            if acct == account and st.sh_aggregator is not None and st.sh_aggregator["FindingAggregatorArn"] == arn:
                return st, st.sh_aggregator
        raise ApiError("ResourceNotFoundException", f"Finding aggregator {arn} not found.", 404)

    def securityhub_CreateFindingAggregator(self, rs, p, account, region):
        self.sh_require(rs, account)
        mode, regions = self._sh_aggregator_spec(p, region)
        existing = self.sh_aggregator_of(account)
        if existing is not None:
            raise ApiError("InvalidInputException", f"Account {account} already has a finding aggregator ({existing['FindingAggregatorArn']}); "
                           "update or delete it instead.", 400)
        rs.sh_aggregator = {
            "FindingAggregatorArn": f"arn:aws:securityhub:{region}:{account}:finding-aggregator/{uuid.uuid4()}",
            "FindingAggregationRegion": region,
            "RegionLinkingMode": mode,
            "Regions": regions,
        }
        return copy.deepcopy(rs.sh_aggregator)

    def securityhub_UpdateFindingAggregator(self, rs, p, account, region):
        self.sh_require(rs, account)
        st, agg = self.sh_aggregator_by_arn(account, p["FindingAggregatorArn"])
        if agg["FindingAggregationRegion"] != region:
            raise ApiError("InvalidInputException", f"Update the finding aggregator from its aggregation Region {agg['FindingAggregationRegion']}.", 400)
        agg["RegionLinkingMode"], agg["Regions"] = self._sh_aggregator_spec(p, region)
        return copy.deepcopy(agg)

    def securityhub_ListFindingAggregators(self, rs, p, account, region):
        self.sh_require(rs, account)
        agg = self.sh_aggregator_of(account)
        return {"FindingAggregators": [{"FindingAggregatorArn": agg["FindingAggregatorArn"]}] if agg else []}

    def securityhub_GetFindingAggregator(self, rs, p, account, region):
        self.sh_require(rs, account)
        return copy.deepcopy(self.sh_aggregator_by_arn(account, p["FindingAggregatorArn"])[1])

    def securityhub_DeleteFindingAggregator(self, rs, p, account, region):
        self.sh_require(rs, account)
        st, _agg = self.sh_aggregator_by_arn(account, p["FindingAggregatorArn"])
        st.sh_aggregator = None
        return {}

    # =============================================================================================
    # GuardDuty
    # =============================================================================================
    def gd_detector(self, rs: RegionState, detector_id: str) -> dict:
        d = rs.gd_detectors.get(detector_id)
        if d is None:
            raise ApiError("BadRequestException", "The request is rejected because the input detectorId is not owned by the current account.", 400)
        return d

    def gd_ids(self, p: dict, key: str = "FindingIds") -> list[str]:
        ids = p.get(key) or []
        if len(ids) > 50:
            raise ApiError("BadRequestException", f"1 validation error detected: Value at 'findingIds' failed to satisfy constraint: Member must have length less than or equal to 50", 400)
        return ids

    def guardduty_ListDetectors(self, rs, p, account, region):
        mr = p.get("MaxResults", 50)
        ids = list(rs.gd_detectors)
        start = decode_token(p.get("NextToken"), "BadRequestException")
        out = {"detectorIds": ids[start:start + mr]}
        if start + mr < len(ids):
            out["nextToken"] = encode_token(start + mr)
        return out

    def guardduty_CreateDetector(self, rs, p, account, region):
        if rs.gd_detectors:
            raise ApiError("BadRequestException", "The request is rejected because a detector already exists for the current account.", 400)
        det = gd_new_detector(rs, enabled=p.get("Enable", True))
        return {"detectorId": det, "unprocessedDataSources": {}}

    def guardduty_DeleteDetector(self, rs, p, account, region):
        self.gd_detector(rs, p["DetectorId"])
        del rs.gd_detectors[p["DetectorId"]]
        return {}

    def guardduty_GetDetector(self, rs, p, account, region):
        d = self.gd_detector(rs, p["DetectorId"])
        return {
            "createdAt": d["createdAt"],
            "findingPublishingFrequency": "SIX_HOURS",
            "serviceRole": f"arn:aws:iam::{account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
            "status": d["status"],
            "updatedAt": d["createdAt"],
            "tags": {},
        }

    def gd_findings(self, rs, account: str, region: str, detector_id: str) -> dict[str, dict]:
        """The findings a detector's owner sees: its own and, for an administrator, those of
        every associated (Enabled) member's detector in the region. A member's findings keep
        their own accountId, arn and service.detectorId. On an id clash the caller's own win."""
        d = self.gd_detector(rs, detector_id)
        merged = dict(d["findings"])
        for m, rec in rs.gd_members.items():
            st = self.state.get((m, region))
            if rec["relationshipStatus"] != "Enabled" or st is None:
                continue
            for md in st.gd_detectors.values():
                for fid, f in md["findings"].items():
                    merged.setdefault(fid, f)
        return merged

    def guardduty_ListFindings(self, rs, p, account, region):
        findings = self.gd_findings(rs, account, region, p["DetectorId"])
        mr = p.get("MaxResults", 50)
        if not 1 <= mr <= 50:
            raise ApiError("BadRequestException", f"1 validation error detected: Value '{mr}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50", 400)
        crit = ((p.get("FindingCriteria") or {}).get("criterion")) or {}
        matched = [f for f in findings.values() if gd_match(f, crit)]
        sort = p.get("SortCriteria") or {}
        if sort.get("attributeName"):
            matched.sort(key=lambda f: sort_key(path_values(f, sort["attributeName"])), reverse=sort.get("orderBy", "ASC") == "DESC")
        start = decode_token(p.get("NextToken"), "BadRequestException")
        out = {"findingIds": [f["id"] for f in matched[start:start + mr]]}
        if start + mr < len(matched):
            out["nextToken"] = encode_token(start + mr)
        return out

    def guardduty_GetFindings(self, rs, p, account, region):
        findings = self.gd_findings(rs, account, region, p["DetectorId"])
        ids = self.gd_ids(p)
        found = [copy.deepcopy(findings[i]) for i in ids if i in findings]
        sort = p.get("SortCriteria") or {}
        if sort.get("attributeName"):
            found.sort(key=lambda f: sort_key(path_values(f, sort["attributeName"])), reverse=sort.get("orderBy", "ASC") == "DESC")
        return {"findings": found}

    def _gd_set(self, rs, p, fn, account, region):
        findings = self.gd_findings(rs, account, region, p["DetectorId"])
        ids = self.gd_ids(p)
        unknown = [i for i in ids if i not in findings]
        if unknown:
            raise ApiError("BadRequestException", f"The request is rejected because the input findingId {unknown[0]} is not valid.", 400)
        for i in ids:
            fn(findings[i])
        return {}

    def guardduty_ArchiveFindings(self, rs, p, account, region):
        return self._gd_set(rs, p, lambda f: f.setdefault("service", {}).__setitem__("archived", True), account, region)

    def guardduty_UnarchiveFindings(self, rs, p, account, region):
        return self._gd_set(rs, p, lambda f: f.setdefault("service", {}).__setitem__("archived", False), account, region)

    def guardduty_UpdateFindingsFeedback(self, rs, p, account, region):
        def fb(f):
            f.setdefault("service", {})["userFeedback"] = p["Feedback"]
            if p.get("Comments") is not None:
                f["service"]["feedbackComments"] = p["Comments"]

        return self._gd_set(rs, p, fb, account, region)

    def guardduty_CreateSampleFindings(self, rs, p, account, region):
        det = p["DetectorId"]
        d = self.gd_detector(rs, det)
        types = p.get("FindingTypes") or [
            "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
            "Recon:IAMUser/MaliciousIPCaller",
            "Policy:IAMUser/RootCredentialUsage",
        ]
        for t in types:
            f = gd_fill({"type": t, "title": f"Sample finding: {t}", "service": {"additionalInfo": {"sample": True, "value": '{"sample":true}', "type": "default"}}}, account, region, det)
            d["findings"][f["id"]] = f
        return {}

    # -- GuardDuty: administrator and members ---------------------------------------------------
    def gd_org_caller(self, account: str, admin: str | None = None) -> None:
        org = org_info(account)
        if org is None:
            return
        if org["master"] != account:
            raise ApiError("BadRequestException", f"The request is rejected because the current account {account} is not the management account "
                           f"of organization {org['id']}.", 400)
        if admin is not None and admin not in org["accounts"]:
            raise ApiError("BadRequestException", f"The request is rejected because account {admin} is not a member of organization {org['id']}.", 400)

    def guardduty_EnableOrganizationAdminAccount(self, rs, p, account, region):
        admin = p["AdminAccountId"]
        self.gd_org_caller(account, admin)
        others = [a for a in rs.gd_org_admins if a != admin]
        if others:
            raise ApiError("BadRequestException", f"The request is rejected because account {others[0]} is already the GuardDuty "
                           "delegated administrator of the organization.", 400)
        rs.gd_org_admins[admin] = "ENABLED"
        # Designating the delegated administrator enables GuardDuty there (in this region).
        st = self.region_state(admin, region)
        if not st.gd_detectors:
            gd_new_detector(st)
        org_delegate(account, admin, "guardduty.amazonaws.com", True)
        return {}

    def guardduty_DisableOrganizationAdminAccount(self, rs, p, account, region):
        self.gd_org_caller(account)
        if p["AdminAccountId"] not in rs.gd_org_admins:
            raise ApiError("BadRequestException", f"The request is rejected because account {p['AdminAccountId']} is not the GuardDuty "
                           "delegated administrator of the organization.", 400)
        del rs.gd_org_admins[p["AdminAccountId"]]
        org_delegate(account, p["AdminAccountId"], "guardduty.amazonaws.com", False)
        return {}

    def guardduty_ListOrganizationAdminAccounts(self, rs, p, account, region):
        self.gd_org_caller(account)
        items = [{"adminAccountId": a, "adminStatus": st} for a, st in rs.gd_org_admins.items()]
        page, token = paginate(items, p.get("NextToken"), p.get("MaxResults") or 50, "BadRequestException")
        out = {"adminAccounts": page}
        if token:
            out["nextToken"] = token
        return out

    def gd_member_view(self, rec: dict, region: str) -> dict:
        out = copy.deepcopy(rec)
        st = self.state.get((rec["accountId"], region))
        if st is not None and st.gd_detectors:
            out["detectorId"] = next(iter(st.gd_detectors))
        return out

    def guardduty_CreateMembers(self, rs, p, account, region):
        self.gd_detector(rs, p["DetectorId"])
        unprocessed = []
        now = now_iso()
        for det in p["AccountDetails"]:  # nested values are in wire form
            m = det["accountId"]
            if not re.fullmatch(r"\d{12}", m):
                unprocessed.append({"accountId": m, "result": f"The request is rejected because the input account ID {m} is not valid."})
                continue
            if m == account:
                unprocessed.append({"accountId": m, "result": "The request is rejected because the current account cannot be a member of itself."})
                continue
            if rs.gd_admin is not None:
                unprocessed.append({"accountId": m, "result": f"The request is rejected because the current account is a member of {rs.gd_admin['accountId']} and cannot have members."})
                continue
            st = self.region_state(m, region)
            if st.gd_admin is not None and st.gd_admin["accountId"] != account:
                unprocessed.append({"accountId": m, "result": f"The request is rejected because account {m} is already associated with administrator account {st.gd_admin['accountId']}."})
                continue
            if st.gd_members:
                unprocessed.append({"accountId": m, "result": f"The request is rejected because account {m} is an administrator account."})
                continue
            # Associated at once, as organization members are (no invitation round trip).
            rec = rs.gd_members.get(m) or {"accountId": m, "invitedAt": now}
            rec.update({"masterId": account, "administratorId": account, "email": det["email"], "relationshipStatus": "Enabled", "updatedAt": now})
            rs.gd_members[m] = rec
            st.gd_admin = {"accountId": account, "invitationId": (st.gd_admin or {}).get("invitationId") or uuid.uuid4().hex,
                           "relationshipStatus": "Enabled", "invitedAt": rec["invitedAt"]}
        return {"unprocessedAccounts": unprocessed}

    def guardduty_ListMembers(self, rs, p, account, region):
        self.gd_detector(rs, p["DetectorId"])
        only = str(p.get("OnlyAssociated", "true")).lower() != "false"
        items = [self.gd_member_view(m, region) for m in rs.gd_members.values() if not only or m["relationshipStatus"] == "Enabled"]
        page, token = paginate(items, p.get("NextToken"), p.get("MaxResults") or 50, "BadRequestException")
        out = {"members": page}
        if token:
            out["nextToken"] = token
        return out

    def guardduty_GetMembers(self, rs, p, account, region):
        self.gd_detector(rs, p["DetectorId"])
        found, unprocessed = [], []
        for m in p["AccountIds"]:
            if m in rs.gd_members:
                found.append(self.gd_member_view(rs.gd_members[m], region))
            else:
                unprocessed.append({"accountId": m, "result": f"The request is rejected because account {m} is not a member of the current account."})
        return {"members": found, "unprocessedAccounts": unprocessed}

    def _gd_unlink(self, rs, p, account, region, delete: bool) -> dict:
        self.gd_detector(rs, p["DetectorId"])
        unprocessed = []
        for m in p["AccountIds"]:
            rec = rs.gd_members.get(m)
            if rec is None:
                unprocessed.append({"accountId": m, "result": f"The request is rejected because account {m} is not a member of the current account."})
                continue
            if delete:
                del rs.gd_members[m]
            else:
                rec.update(relationshipStatus="Removed", updatedAt=now_iso())
            st = self.state.get((m, region))
            if st is not None and st.gd_admin is not None and st.gd_admin["accountId"] == account:
                st.gd_admin = None
        return {"unprocessedAccounts": unprocessed}

    def guardduty_DisassociateMembers(self, rs, p, account, region):
        return self._gd_unlink(rs, p, account, region, delete=False)

    def guardduty_DeleteMembers(self, rs, p, account, region):
        return self._gd_unlink(rs, p, account, region, delete=True)

    def guardduty_GetAdministratorAccount(self, rs, p, account, region):
        self.gd_detector(rs, p["DetectorId"])
        return {"administrator": copy.deepcopy(rs.gd_admin)} if rs.gd_admin else {}

    def guardduty_GetMasterAccount(self, rs, p, account, region):
        self.gd_detector(rs, p["DetectorId"])
        return {"master": copy.deepcopy(rs.gd_admin)} if rs.gd_admin else {}

    # =============================================================================================
    # IAM Access Analyzer
    # =============================================================================================
    def aa_analyzer(self, rs: RegionState, arn: str) -> dict:
        a = rs.aa_analyzers.get(arn)
        if a is None:
            raise ApiError("ResourceNotFoundException", f"Analyzer {arn} not found.", 404, {"resourceId": arn, "resourceType": "AWS::AccessAnalyzer::Analyzer"})
        return a

    def accessanalyzer_ListAnalyzers(self, rs, p, account, region):
        items = [a["summary"] for a in rs.aa_analyzers.values() if not p.get("type") or a["summary"]["type"] == p["type"]]
        mr = p.get("maxResults") or 100
        start = decode_token(p.get("nextToken"), "ValidationException")
        out = {"analyzers": copy.deepcopy(items[start:start + mr])}
        if start + mr < len(items):
            out["nextToken"] = encode_token(start + mr)
        return out

    def aa_findings(self, account: str, region: str, a: dict) -> dict[str, dict]:
        """An analyzer's findings. An organization analyzer (ORGANIZATION, ORGANIZATION_UNUSED_ACCESS,
        ORGANIZATION_INTERNAL_ACCESS) also sees what the analyzers of the matching account type
        (ACCOUNT, ...) of the organization's other accounts found in the region: their
        resourceOwnerAccount is that account. On an id clash its own findings win."""
        typ = a["summary"]["type"]
        if not typ.startswith("ORGANIZATION"):
            return a["findings"]
        org = org_info(account)
        if org is None:
            return a["findings"]
        family = "ACCOUNT" + typ[len("ORGANIZATION"):]
        merged = dict(a["findings"])
        for other in sorted(org["accounts"] - {account}):
            st = self.state.get((other, region))
            if st is None:
                continue
            for an in st.aa_analyzers.values():
                if an["summary"]["type"] == family:
                    for fid, f in an["findings"].items():
                        merged.setdefault(fid, f)
        return merged

    def aa_check_org_analyzer(self, account: str, typ: str) -> None:
        """Organization analyzers: only the management account or a delegated administrator
        for access-analyzer.amazonaws.com (Organizations RegisterDelegatedAdministrator) may
        create one, and the organization must trust the service (EnableAWSServiceAccess or the
        delegation)."""
        if not typ.startswith("ORGANIZATION"):
            return
        org = org_info(account)
        principal = "access-analyzer.amazonaws.com"
        if org is None:
            raise ApiError("ValidationException", f"Account {account} is not part of an AWS organization: an analyzer of type {typ} needs one "
                           "(use type ACCOUNT).", 400, {"reason": "notSupported"})
        delegated = principal in org["admins"].get(account, set())
        if account != org["master"] and not delegated:
            raise ApiError("AccessDeniedException", f"Account {account} is not a delegated administrator", 403)
        if account == org["master"] and principal not in org["services"] and not any(principal in s for s in org["admins"].values()):
            raise ApiError("ValidationException", "Service not enabled for AWS Organizations", 400, {"reason": "fieldValidationFailed"})

    def accessanalyzer_CreateAnalyzer(self, rs, p, account, region):
        self.aa_check_org_analyzer(account, p["type"])
        arn = aa_arn(account, region, p["analyzerName"])
        if arn in rs.aa_analyzers:
            raise ApiError("ConflictException", f"Analyzer {p['analyzerName']} already exists.", 409, {"resourceId": p["analyzerName"], "resourceType": "AWS::AccessAnalyzer::Analyzer"})
        aa_new_analyzer(rs, account, region, p["analyzerName"], p["type"], p.get("tags") or {}, p.get("configuration"))
        return {"arn": arn}

    def accessanalyzer_DeleteAnalyzer(self, rs, p, account, region):
        arn = aa_arn(account, region, p["analyzerName"])
        self.aa_analyzer(rs, arn)
        del rs.aa_analyzers[arn]
        return {}

    def accessanalyzer_GetAnalyzer(self, rs, p, account, region):
        arn = aa_arn(account, region, p["analyzerName"])
        return {"analyzer": copy.deepcopy(self.aa_analyzer(rs, arn)["summary"])}

    def accessanalyzer_ListFindingsV2(self, rs, p, account, region):
        a = self.aa_analyzer(rs, p["analyzerArn"])
        mr = p.get("maxResults") or 100
        if mr < 1:
            raise ApiError("ValidationException", "maxResults must be at least 1", 400, {"reason": "fieldValidationFailed"})
        flt = p.get("filter") or {}
        matched = [f for f in self.aa_findings(account, region, a).values() if aa_match(f, flt)]
        sort = p.get("sort") or {}
        if sort.get("attributeName"):
            matched.sort(key=lambda f: sort_key(path_values(f, sort["attributeName"])), reverse=sort.get("orderBy", "ASC") == "DESC")
        start = decode_token(p.get("nextToken"), "ValidationException")
        out = {"findings": [aa_summary(f) for f in matched[start:start + mr]]}
        if start + mr < len(matched):
            out["nextToken"] = encode_token(start + mr)
        return out

    def accessanalyzer_GetFindingV2(self, rs, p, account, region):
        a = self.aa_analyzer(rs, p["analyzerArn"])
        f = self.aa_findings(account, region, a).get(p["id"])
        if f is None:
            raise ApiError("ResourceNotFoundException", f"Finding {p['id']} not found.", 404, {"resourceId": p["id"], "resourceType": "AWS::AccessAnalyzer::Finding"})
        return copy.deepcopy(f)

    def accessanalyzer_UpdateFindings(self, rs, p, account, region):
        a = self.aa_analyzer(rs, p["analyzerArn"])
        ids = p.get("ids")
        if not ids and not p.get("resourceArn"):
            raise ApiError("ValidationException", "Either ids or resourceArn must be provided.", 400, {"reason": "fieldValidationFailed"})
        findings = self.aa_findings(account, region, a)
        targets = []
        for i in ids or []:
            if i not in findings:
                raise ApiError("ResourceNotFoundException", f"Finding {i} not found.", 404, {"resourceId": i, "resourceType": "AWS::AccessAnalyzer::Finding"})
            targets.append(findings[i])
        if p.get("resourceArn"):
            targets += [f for f in findings.values() if f.get("resource") == p["resourceArn"]]
        now = now_iso()
        for f in targets:
            if f["status"] != "RESOLVED":
                f["status"] = p["status"]
                f["updatedAt"] = now
        return {}

    # =============================================================================================
    # CloudTrail (event history)
    # =============================================================================================
    # -- CloudTrail trails (the logging baseline). Bucket and key are not checked: the
    # emulator records what it is told, as the read path needs.
    TRAIL_FIELDS = ("Name", "S3BucketName", "S3KeyPrefix", "SnsTopicName", "SnsTopicARN", "IncludeGlobalServiceEvents",
                    "IsMultiRegionTrail", "HomeRegion", "TrailARN", "LogFileValidationEnabled", "CloudWatchLogsLogGroupArn",
                    "CloudWatchLogsRoleArn", "KmsKeyId", "IsOrganizationTrail")

    def ct_trail_view(self, t: dict) -> dict:
        return {k: t[k] for k in self.TRAIL_FIELDS if t.get(k) is not None}

    def ct_find(self, account: str, region: str, name: str) -> dict:
        """A trail by name (homed in `region`) or by ARN (homed anywhere in the account)."""
        if name.startswith("arn:"):
            for (acct, _r), st in self.state.items():
                if acct == account:
                    for t in st.ct_trails.values():
                        if t["TrailARN"] == name:
                            return t
        else:
            t = self.region_state(account, region).ct_trails.get(name)
            if t is not None:
                return t
        raise ApiError("TrailNotFoundException", f"Unknown trail: {name} for the user: {account}", 400)

    def cloudtrail_CreateTrail(self, rs, p, account, region):
        name = p["Name"]
        if name in rs.ct_trails:
            raise ApiError("TrailAlreadyExistsException", f"Trail {name} already exists for customer: {account}", 400)
        t = {
            "Name": name, "S3BucketName": p["S3BucketName"], "S3KeyPrefix": p.get("S3KeyPrefix"),
            "IncludeGlobalServiceEvents": p.get("IncludeGlobalServiceEvents", True),
            "IsMultiRegionTrail": p.get("IsMultiRegionTrail", False), "HomeRegion": region,
            "TrailARN": f"arn:aws:cloudtrail:{region}:{account}:trail/{name}",
            "LogFileValidationEnabled": p.get("EnableLogFileValidation", False),
            "CloudWatchLogsLogGroupArn": p.get("CloudWatchLogsLogGroupArn"), "CloudWatchLogsRoleArn": p.get("CloudWatchLogsRoleArn"),
            "KmsKeyId": p.get("KmsKeyId"), "IsOrganizationTrail": p.get("IsOrganizationTrail", False),
            "logging": False,
            "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}],
            "AdvancedEventSelectors": None,
        }
        rs.ct_trails[name] = t
        return self.ct_trail_view(t)

    def cloudtrail_UpdateTrail(self, rs, p, account, region):
        t = self.ct_find(account, region, p["Name"])
        for src, dst in (("S3BucketName", "S3BucketName"), ("IsMultiRegionTrail", "IsMultiRegionTrail"),
                         ("EnableLogFileValidation", "LogFileValidationEnabled"), ("KmsKeyId", "KmsKeyId"),
                         ("CloudWatchLogsLogGroupArn", "CloudWatchLogsLogGroupArn"), ("CloudWatchLogsRoleArn", "CloudWatchLogsRoleArn")):
            if src in p:
                t[dst] = p[src] if p[src] != "" else None
        return self.ct_trail_view(t)

    def cloudtrail_DeleteTrail(self, rs, p, account, region):
        t = self.ct_find(account, region, p["Name"])
        self.region_state(account, t["HomeRegion"]).ct_trails.pop(t["Name"], None)
        return {}

    def cloudtrail_DescribeTrails(self, rs, p, account, region):
        names = p.get("trailNameList") or []
        shadow = p.get("includeShadowTrails", True)
        out = []
        for (acct, r), st in sorted(self.state.items()):
            if acct != account:
                continue
            for t in st.ct_trails.values():
                if r == region or (shadow and t["IsMultiRegionTrail"]):
                    if not names or t["Name"] in names or t["TrailARN"] in names:
                        out.append(self.ct_trail_view(t))
        return {"trailList": out}

    def cloudtrail_GetTrailStatus(self, rs, p, account, region):
        return {"IsLogging": self.ct_find(account, region, p["Name"])["logging"]}

    def cloudtrail_StartLogging(self, rs, p, account, region):
        self.ct_find(account, region, p["Name"])["logging"] = True
        return {}

    def cloudtrail_StopLogging(self, rs, p, account, region):
        self.ct_find(account, region, p["Name"])["logging"] = False
        return {}

    def cloudtrail_GetEventSelectors(self, rs, p, account, region):
        t = self.ct_find(account, region, p["TrailName"])
        out = {"TrailARN": t["TrailARN"]}
        if t["AdvancedEventSelectors"] is not None:
            out["AdvancedEventSelectors"] = t["AdvancedEventSelectors"]
        else:
            out["EventSelectors"] = t["EventSelectors"]
        return out

    def cloudtrail_PutEventSelectors(self, rs, p, account, region):
        t = self.ct_find(account, region, p["TrailName"])
        if p.get("AdvancedEventSelectors") is not None:
            t["AdvancedEventSelectors"], t["EventSelectors"] = p["AdvancedEventSelectors"], []
        else:
            t["EventSelectors"], t["AdvancedEventSelectors"] = p.get("EventSelectors") or [], None
        return self.cloudtrail_GetEventSelectors(rs, p, account, region)

    def cloudtrail_LookupEvents(self, rs, p, account, region):
        attrs = p.get("LookupAttributes") or []
        if len(attrs) > 1:
            raise ApiError("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.", 400)
        start = ct_time(p.get("StartTime"), "StartTime")
        end = ct_time(p.get("EndTime"), "EndTime")
        if start is not None and end is not None and start > end:
            raise ApiError("InvalidTimeRangeException", "Start time must be less than or equal to end time.", 400)
        mr = p.get("MaxResults", 50)
        # The event history keeps 90 days: anything older is never returned.
        horizon = datetime.now(timezone.utc).timestamp() - CT_RETENTION_DAYS * 86400
        if p.get("EventCategory") == "insight":
            matched = []  # no Insights events are emulated
        else:
            matched = [
                e for e in ct_sorted(rs.ct_events.values())
                if e["EventTime"] >= horizon
                and (start is None or e["EventTime"] >= start)
                and (end is None or e["EventTime"] <= end)
                and all(ct_match(e, a) for a in attrs)
            ]
        # A token is only valid with the parameters that produced it (as on AWS).
        query = json.dumps([attrs, p.get("StartTime"), p.get("EndTime"), p.get("EventCategory")], sort_keys=True)
        fingerprint = uuid.uuid5(uuid.NAMESPACE_OID, query).hex[:16]
        offset = 0
        if p.get("NextToken"):
            try:
                tok = json.loads(base64.urlsafe_b64decode(p["NextToken"].encode()))
                offset = int(tok["offset"])
                ok = tok.get("q") == fingerprint and offset >= 0
            except Exception:
                ok = False
            if not ok:
                raise ApiError("InvalidNextTokenException", "Invalid NextToken: it is malformed or was issued for different parameters.", 400)
        out = {"Events": copy.deepcopy(matched[offset:offset + mr])}
        if offset + mr < len(matched):
            out["NextToken"] = base64.urlsafe_b64encode(json.dumps({"offset": offset + mr, "q": fingerprint}).encode()).decode()
        return out

    # =============================================================================================
    # Control API
    # =============================================================================================
    def control(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "").rstrip("/")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        body = read_body(environ)
        try:
            doc = json.loads(body) if body.strip() else {}
            route = (method, path[len("/_guardpost"):] or "/")
            if route == ("GET", "/health"):
                out = {"ok": True}
            elif route == ("POST", "/reset"):
                self.reset(moto=doc.get("moto", True) if isinstance(doc, dict) else True)
                out = {"ok": True}
            elif route == ("POST", "/seed"):
                out = self.seed(doc)
            elif route == ("POST", "/fault"):
                out = self.add_faults(doc)
            elif route == ("GET", "/fault") or route == ("GET", "/faults"):
                with self.lock:
                    out = {"faults": copy.deepcopy(self.faults)}
            elif route in (("DELETE", "/fault"), ("DELETE", "/faults")):
                with self.lock:
                    self.faults.clear()
                out = {"ok": True}
            elif route == ("GET", "/state"):
                out = self.dump_state(query)
            elif route == ("GET", "/requests"):
                with self.lock:
                    reqs = list(self.requests)
                since = int(query.get("since", 0))
                reqs = [r for r in reqs if r["seq"] > since]
                for k in ("service", "operation", "region", "account"):
                    if k in query:
                        want = SERVICE_ALIASES.get(query[k], query[k]) if k == "service" else query[k]
                        reqs = [r for r in reqs if r.get(k) == want]
                out = {"requests": reqs}
            elif route == ("DELETE", "/requests"):
                with self.lock:
                    self.requests.clear()
                out = {"ok": True}
            elif route == ("POST", "/iam/credential-report/age"):
                out = self.age_credential_report(doc)
            elif route == ("POST", "/iam/backdate"):
                out = self.iam_backdate(doc)
            elif route == ("POST", "/clock"):
                self.set_clock(doc.get("frozen_at"))
                out = {"ok": True, "now": now_iso()}
            else:
                raise ValueError(f"unknown control endpoint {method} {path}")
            status = "200 OK"
        except Exception as e:  # a bad control request is the test's bug: say what it was
            out = {"error": f"{type(e).__name__}: {e}"}
            status = "400 Bad Request"
        payload = json.dumps(out).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]

    def iam_backdate(self, doc: dict) -> dict:
        """Makes a user's access keys (all, or `access_key_id`) `days` old in moto, optionally
        last used `last_used_days` ago: IAM has no API to age a key, and the posture rules
        (rotation, unused credentials) need old ones."""
        from datetime import datetime, timedelta, timezone

        from moto.iam.models import AccessKeyLastUsed, iam_backends

        backend = iam_backends[doc.get("account", DEFAULT_ACCOUNT)]["global"]
        user = backend.get_user(doc["user"])
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        changed = []
        for key in user.access_keys:
            if doc.get("access_key_id") not in (None, key.access_key_id):
                continue
            key.create_date = now - timedelta(days=int(doc.get("days", 0)))
            if doc.get("last_used_days") is not None:
                key.last_used = AccessKeyLastUsed(now - timedelta(days=int(doc["last_used_days"])), doc.get("service", "s3"), doc.get("region", "us-east-1"))
            changed.append(key.access_key_id)
        if doc.get("user_days") is not None:
            user.create_date = now - timedelta(days=int(doc["user_days"]))
        return {"changed": changed}

    def add_faults(self, doc) -> dict:
        items = doc if isinstance(doc, list) else doc.get("faults", [doc]) if isinstance(doc, dict) else []
        added = []
        for f in items:
            f = dict(f)
            kind = f.get("kind")
            if kind not in ("throttle", "access_denied", "not_enabled", "latency", "error") + STREAM_FAULTS:
                raise ValueError(f"unknown fault kind {kind!r}: throttle, access_denied, not_enabled, latency, error, truncate, reset, raw")
            f["service"] = SERVICE_ALIASES.get(f.get("service", "*"), f.get("service", "*"))
            if kind == "not_enabled":
                region = f["region"]
                account = f.get("account", DEFAULT_ACCOUNT)
                with self.lock:
                    rs = self.region_state(account, region)
                    if f["service"] == "securityhub":
                        rs.sh_enabled = False
                        rs.sh_subscribed_at = None
                    elif f["service"] == "guardduty":
                        rs.gd_detectors.clear()
                    elif f["service"] == "accessanalyzer":
                        rs.aa_analyzers.clear()
                    else:
                        raise ValueError("not_enabled needs service securityhub, guardduty or accessanalyzer")
                added.append(f)
                continue
            if kind == "latency":
                f["ms"] = float(f.get("ms", 0))
            if kind in ("throttle", "truncate", "reset") and "count" not in f:
                f["count"] = 1
            f.setdefault("operation", "*")
            f.setdefault("count", None)
            with self.lock:
                self.faults.append(f)
            added.append(f)
        return {"faults": added}

    def dump_state(self, query: dict) -> dict:
        with self.lock:
            out: dict[str, dict] = {}
            for (account, region), rs in self.state.items():
                if query.get("account", account) != account or query.get("region", region) != region:
                    continue
                d = rs.dump()
                if "service" in query:
                    svc = SERVICE_ALIASES.get(query["service"], query["service"])
                    d = {svc: d[svc]}
                out.setdefault(account, {})[region] = copy.deepcopy(d)
            return {"accounts": out}

    def seed(self, doc: dict) -> dict:
        account = doc.get("account", DEFAULT_ACCOUNT)
        result: dict[str, Any] = {"account": account, "securityhub": {}, "guardduty": {}, "accessanalyzer": {}, "cloudtrail": {}}
        with self.lock:
            for region, spec in (doc.get("securityhub") or {}).items():
                if isinstance(spec, list):
                    spec = {"findings": spec}
                rs = self.region_state(account, region)
                if spec.get("enabled", True):
                    if not rs.sh_enabled:
                        rs.sh_enabled = True
                        rs.sh_subscribed_at = now_iso()
                else:
                    rs.sh_enabled = False
                ids = []
                for f in spec.get("findings", []):
                    ids.append(sh_store(rs, f, account, region, fill=True)["Id"])
                for i in range(int(spec.get("generate", 0))):
                    ids.append(sh_store(rs, sh_generated(i, account, region), account, region, fill=True)["Id"])
                result["securityhub"][region] = {"findingIds": ids}
            for region, spec in (doc.get("guardduty") or {}).items():
                if isinstance(spec, list):
                    spec = {"findings": spec}
                rs = self.region_state(account, region)
                det = spec.get("detectorId") or (next(iter(rs.gd_detectors)) if rs.gd_detectors else None)
                if det is None or det not in rs.gd_detectors:
                    det = gd_new_detector(rs, det_id=det, enabled=spec.get("enabled", True))
                d = rs.gd_detectors[det]
                ids = []
                for f in spec.get("findings", []):
                    f = gd_fill(copy.deepcopy(f), account, region, det)
                    d["findings"][f["id"]] = f
                    ids.append(f["id"])
                for i in range(int(spec.get("generate", 0))):
                    f = gd_fill({"title": f"Generated finding {i}", "severity": [2.0, 5.0, 8.0, 9.5][i % 4]}, account, region, det)
                    d["findings"][f["id"]] = f
                    ids.append(f["id"])
                result["guardduty"][region] = {"detectorId": det, "findingIds": ids}
            for region, spec in (doc.get("accessanalyzer") or {}).items():
                if isinstance(spec, list):
                    spec = {"analyzers": spec}
                rs = self.region_state(account, region)
                out = []
                for a in spec.get("analyzers", []):
                    name = a.get("name", "guardpost-analyzer")
                    arn = aa_arn(account, region, name)
                    if arn not in rs.aa_analyzers:
                        aa_new_analyzer(rs, account, region, name, a.get("type", "ACCOUNT"), a.get("tags") or {}, a.get("configuration"))
                    an = rs.aa_analyzers[arn]
                    if "status" in a:
                        an["summary"]["status"] = a["status"]
                    ids = []
                    for f in a.get("findings", []):
                        f = aa_fill(copy.deepcopy(f), account, an["summary"]["type"])
                        an["findings"][f["id"]] = f
                        ids.append(f["id"])
                    for i in range(int(a.get("generate", 0))):
                        f = aa_fill({"resource": f"arn:aws:iam::{account}:role/generated-{i}"}, account, an["summary"]["type"])
                        an["findings"][f["id"]] = f
                        ids.append(f["id"])
                    out.append({"arn": arn, "findingIds": ids})
                result["accessanalyzer"][region] = {"analyzers": out}
            for region, spec in (doc.get("cloudtrail") or {}).items():
                if isinstance(spec, list):
                    spec = {"events": spec}
                rs = self.region_state(account, region)
                ids = []
                for e in spec.get("events", []):
                    ev = ct_event(e, account, region)
                    rs.ct_events[ev["EventId"]] = ev
                    ids.append(ev["EventId"])
                gen = spec.get("generate")
                if gen is not None:
                    if not isinstance(gen, dict):
                        gen = {"count": gen}
                    for e in ct_generated(gen):
                        ev = ct_event(e, account, region)
                        rs.ct_events[ev["EventId"]] = ev
                        ids.append(ev["EventId"])
                result["cloudtrail"][region] = {"eventIds": ids}
        return result


# ---------------------------------------------------------------------------------------------
# AWS Organizations (moto's state): who is the management account, who is in the organization
# ---------------------------------------------------------------------------------------------


def _org_backend(account: str):
    """moto's Organizations backend of `account` if moto has one, without creating it."""
    from moto.organizations.models import organizations_backends

    per_account = dict.get(organizations_backends, account)
    return dict.get(per_account, "aws") if per_account is not None else None


def org_info(account: str) -> dict | None:
    """The moto organization `account` belongs to: {"id", "master", "accounts" (ids, the
    management account included), "admins" ({account: {service principals}}: delegated
    administrators), "services" (trusted service principals)}; None when it is in none."""
    from moto.organizations.models import organizations_backends

    backend = _org_backend(account)
    if backend is None or backend.org is None:
        master = organizations_backends.master_accounts.get(account)
        backend = _org_backend(master[0]) if master else None
    if backend is None or backend.org is None:
        return None
    accounts = {a.id for a in backend.accounts}
    if account not in accounts:
        return None
    return {
        "id": backend.org.id,
        "master": backend.org.master_account_id,
        "accounts": accounts,
        "admins": {adm.account.id: set(adm.services) for adm in backend.admins},
        "services": {svc["ServicePrincipal"] for svc in backend.services},
    }


def org_delegate(caller: str, account: str, principal: str, enable: bool) -> None:
    """Security Hub's and GuardDuty's EnableOrganizationAdminAccount register the account as
    the organization's delegated administrator for the service (Organizations
    ListDelegatedAdministrators shows it), Disable... deregisters it. No-op without an
    organization."""
    from moto.organizations.models import FakeDelegatedAdministrator

    org = org_info(caller)
    if org is None or account == org["master"]:
        return
    backend = _org_backend(org["master"])
    admin = next((a for a in backend.admins if a.account.id == account), None)
    if enable:
        if admin is None:
            admin = FakeDelegatedAdministrator(backend.get_account_by_id(account))
            backend.admins.append(admin)
        if principal not in admin.services:
            admin.services[principal] = {"ServicePrincipal": principal, "DelegationEnabledDate": time.time()}
    elif admin is not None:
        admin.services.pop(principal, None)
        if not admin.services:
            backend.admins.remove(admin)


def _allow_securityhub_delegation() -> None:
    """moto's Organizations does not know securityhub.amazonaws.com as a delegated
    administrator service (AWS does): without it ListDelegatedAdministrators filtered by it
    would fail."""
    try:
        from moto.organizations.models import FakeDelegatedAdministrator

        if "securityhub.amazonaws.com" not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
            FakeDelegatedAdministrator.SUPPORTED_SERVICES.append("securityhub.amazonaws.com")
    except Exception:  # pragma: no cover - moto internals
        pass


_allow_securityhub_delegation()


def paginate(items: list, token: str | None, max_results: int, error_code: str) -> tuple[list, str | None]:
    start = decode_token(token, error_code)
    page = items[start:start + max_results]
    return page, (encode_token(start + max_results) if start + max_results < len(items) else None)


# ---------------------------------------------------------------------------------------------
# Security Hub helpers
# ---------------------------------------------------------------------------------------------

LABEL_TO_NORMALIZED = {"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 40, "HIGH": 70, "CRITICAL": 90}
LABEL_RANK = {"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}


def normalized_to_label(n: float) -> str:
    if n == 0:
        return "INFORMATIONAL"
    if n < 40:
        return "LOW"
    if n < 70:
        return "MEDIUM"
    if n < 90:
        return "HIGH"
    return "CRITICAL"


def product_name(product_arn: str) -> tuple[str, str]:
    m = re.search(r":product/([^/]+)/([^/]+)$", product_arn or "")
    if not m:
        return ("Default", "Personal")
    company, product = m.groups()
    names = {
        "guardduty": "GuardDuty",
        "access-analyzer": "IAM Access Analyzer",
        "securityhub": "Security Hub",
        "inspector": "Inspector",
        "macie": "Macie",
        "config": "Config",
    }
    if company == "aws":
        return (names.get(product, product), "AWS")
    return (product, company)


def sh_store(rs: RegionState, f: dict, account: str, region: str, fill: bool) -> dict:
    f = copy.deepcopy(f)
    now = now_iso()
    if fill:
        f.setdefault("SchemaVersion", "2018-10-08")
        f.setdefault("AwsAccountId", account)
        f.setdefault("ProductArn", f"arn:aws:securityhub:{region}::product/aws/securityhub")
        f.setdefault("Id", f"arn:aws:securityhub:{region}:{account}:security-control/IAM.5/finding/{uuid.uuid4()}")
        f.setdefault("GeneratorId", "security-control/IAM.5")
        f.setdefault("Types", ["Software and Configuration Checks/Industry and Regulatory Standards"])
        f.setdefault("CreatedAt", now)
        f.setdefault("UpdatedAt", f["CreatedAt"])
        f.setdefault("FirstObservedAt", f["CreatedAt"])
        f.setdefault("LastObservedAt", f["UpdatedAt"])
        f.setdefault("Title", "Generated finding")
        f.setdefault("Description", f["Title"])
        f.setdefault("Resources", [{"Type": "AwsAccount", "Id": f"AWS::::Account:{account}", "Partition": "aws", "Region": region}])
    f.setdefault("Region", region)
    name, company = product_name(f["ProductArn"])
    f.setdefault("ProductName", name)
    f.setdefault("CompanyName", company)
    sev = f.setdefault("Severity", {"Label": "INFORMATIONAL", "Normalized": 0})
    if "Label" not in sev and "Normalized" in sev:
        sev["Label"] = normalized_to_label(sev["Normalized"])
    if "Normalized" not in sev and "Label" in sev:
        sev["Normalized"] = LABEL_TO_NORMALIZED.get(sev["Label"], 0)
    if "Label" not in sev:
        sev["Label"], sev["Normalized"] = "INFORMATIONAL", 0
    f.setdefault("RecordState", "ACTIVE")
    f.setdefault("ProductFields", {})
    f["ProcessedAt"] = now
    key = (f["ProductArn"], f["Id"])
    old = rs.sh_findings.get(key)
    if old is not None and not fill:
        # BatchImportFindings cannot change what BatchUpdateFindings owns.
        for k in ("Workflow", "WorkflowState", "Note", "VerificationState", "UserDefinedFields"):
            if k in old:
                f[k] = old[k]
            else:
                f.pop(k, None)
    f.setdefault("Workflow", {"Status": "NEW"})
    f.setdefault("WorkflowState", {"NEW": "NEW", "NOTIFIED": "ASSIGNED", "RESOLVED": "RESOLVED", "SUPPRESSED": "DEFERRED"}.get(f["Workflow"].get("Status"), "NEW"))
    rs.sh_findings[key] = f
    return f


def sh_generated(i: int, account: str, region: str) -> dict:
    labels = ["LOW", "MEDIUM", "HIGH", "CRITICAL", "INFORMATIONAL"]
    controls = ["IAM.3", "IAM.5", "IAM.6", "IAM.22", "S3.1"]
    c = controls[i % len(controls)]
    return {
        "Id": f"arn:aws:securityhub:{region}:{account}:security-control/{c}/finding/gen-{i:05d}",
        "GeneratorId": f"security-control/{c}",
        "Title": f"Generated finding {i} ({c})",
        "Severity": {"Label": labels[i % len(labels)]},
        "Compliance": {"Status": "FAILED", "SecurityControlId": c},
        "Resources": [{"Type": "AwsIamUser", "Id": f"arn:aws:iam::{account}:user/user-{i % 17}", "Partition": "aws", "Region": region}],
    }


# Filter name -> dotted path into the ASFF finding ('[]' walks a list).
SH_FIELDS = {
    "ProductArn": "ProductArn",
    "AwsAccountId": "AwsAccountId",
    "AwsAccountName": "AwsAccountName",
    "Id": "Id",
    "GeneratorId": "GeneratorId",
    "Region": "Region",
    "Type": "Types[]",
    "FirstObservedAt": "FirstObservedAt",
    "LastObservedAt": "LastObservedAt",
    "CreatedAt": "CreatedAt",
    "UpdatedAt": "UpdatedAt",
    "SeverityLabel": "Severity.Label",
    "SeverityNormalized": "Severity.Normalized",
    "SeverityProduct": "Severity.Product",
    "Confidence": "Confidence",
    "Criticality": "Criticality",
    "Title": "Title",
    "Description": "Description",
    "RecommendationText": "Remediation.Recommendation.Text",
    "SourceUrl": "SourceUrl",
    "ProductName": "ProductName",
    "CompanyName": "CompanyName",
    "ResourceType": "Resources[].Type",
    "ResourceId": "Resources[].Id",
    "ResourcePartition": "Resources[].Partition",
    "ResourceRegion": "Resources[].Region",
    "ResourceAwsIamAccessKeyUserName": "Resources[].Details.AwsIamAccessKey.UserName",
    "ResourceAwsIamAccessKeyPrincipalName": "Resources[].Details.AwsIamAccessKey.PrincipalName",
    "ResourceAwsIamAccessKeyStatus": "Resources[].Details.AwsIamAccessKey.Status",
    "ResourceAwsIamUserUserName": "Resources[].Details.AwsIamUser.UserName",
    "ComplianceStatus": "Compliance.Status",
    "ComplianceSecurityControlId": "Compliance.SecurityControlId",
    "ComplianceAssociatedStandardsId": "Compliance.AssociatedStandards[].StandardsId",
    "VerificationState": "VerificationState",
    "WorkflowState": "WorkflowState",
    "WorkflowStatus": "Workflow.Status",
    "RecordState": "RecordState",
    "RelatedFindingsProductArn": "RelatedFindings[].ProductArn",
    "RelatedFindingsId": "RelatedFindings[].Id",
    "NoteText": "Note.Text",
    "NoteUpdatedAt": "Note.UpdatedAt",
    "NoteUpdatedBy": "Note.UpdatedBy",
    "FindingProviderFieldsSeverityLabel": "FindingProviderFields.Severity.Label",
    "FindingProviderFieldsSeverityOriginal": "FindingProviderFields.Severity.Original",
    "FindingProviderFieldsTypes": "FindingProviderFields.Types[]",
    "Sample": "Sample",
    "ResourceOwnerAccountId": "Resources[].ResourceOwnerAccountId"
}
SH_MAP_FIELDS = {"ProductFields": "ProductFields", "UserDefinedFields": "UserDefinedFields", "ResourceTags": "Resources[].Tags"}


def path_values(doc: Any, path: str) -> list:
    """All values at a dotted path; 'a[]' or a list along the way fans out."""
    cur = [doc]
    for part in path.split("."):
        fan = part.endswith("[]")
        key = part[:-2] if fan else part
        nxt = []
        for c in cur:
            if isinstance(c, list):
                c_items = c
            else:
                c_items = [c]
            for ci in c_items:
                if isinstance(ci, dict) and key in ci:
                    v = ci[key]
                    if isinstance(v, list):
                        nxt.extend(v)
                    else:
                        nxt.append(v)
        cur = nxt
    return [v for v in cur if v is not None]


def sh_values(f: dict, field: str) -> list:
    if field in SH_FIELDS:
        return path_values(f, SH_FIELDS[field])
    return path_values(f, field)  # a dotted ASFF path, e.g. "Severity.Label" in SortCriteria


def as_str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def string_filter_match(values: list, filters: list, field: str) -> bool:
    values = [as_str(v) for v in values]
    positive, negative = [], []
    for flt in filters:
        cmp = flt.get("Comparison", "EQUALS")
        val = flt.get("Value", "")
        if cmp == "EQUALS":
            positive.append(any(v == val for v in values))
        elif cmp == "PREFIX":
            positive.append(any(v.startswith(val) for v in values))
        elif cmp == "CONTAINS":
            positive.append(any(val in v for v in values))
        elif cmp == "CONTAINS_WORD":
            positive.append(any(val in re.split(r"\W+", v) for v in values))
        elif cmp == "NOT_EQUALS":
            negative.append(all(v != val for v in values))
        elif cmp == "PREFIX_NOT_EQUALS":
            negative.append(all(not v.startswith(val) for v in values))
        elif cmp == "NOT_CONTAINS":
            negative.append(all(val not in v for v in values))
        else:
            raise ApiError("InvalidInputException", f"Invalid comparison {cmp} for filter {field}", 400)
    # AWS: positive filters on one field are OR'd, negative ones AND'd, the two groups AND'd.
    return (not positive or any(positive)) and all(negative)


def sh_match(f: dict, filters: dict) -> bool:
    for field, flist in filters.items():
        if not flist:
            continue
        if field in SH_MAP_FIELDS:
            maps = path_values(f, SH_MAP_FIELDS[field])
            ok_all = []
            for flt in flist:
                vals = [m.get(flt.get("Key")) for m in maps if isinstance(m, dict) and flt.get("Key") in m]
                cmp = flt.get("Comparison", "EQUALS")
                if cmp == "EQUALS":
                    ok_all.append(("+", flt.get("Value") in vals))
                elif cmp == "NOT_EQUALS":
                    ok_all.append(("-", flt.get("Value") not in vals))
                elif cmp == "CONTAINS":
                    ok_all.append(("+", any(flt.get("Value", "") in v for v in vals)))
                else:
                    ok_all.append(("-", all(flt.get("Value", "") not in v for v in vals)))
            pos = [ok for s, ok in ok_all if s == "+"]
            neg = [ok for s, ok in ok_all if s == "-"]
            if not ((not pos or any(pos)) and all(neg)):
                return False
            continue
        if field not in SH_FIELDS:
            raise ApiError("InvalidInputException", f"The guardpost emulator does not support the filter {field}; add it to SH_FIELDS in tests/emulator/server.py", 400)
        values = path_values(f, SH_FIELDS[field])
        first = flist[0]
        if "Comparison" in first or ("Value" in first and "Key" not in first and "Gte" not in first):
            if not string_filter_match(values, flist, field):
                return False
        elif any(k in first for k in ("Gte", "Lte", "Eq", "Gt", "Lt")):
            for flt in flist:
                nums = [float(v) for v in values if isinstance(v, (int, float))]
                def ok(n):
                    return all([
                        "Gte" not in flt or n >= flt["Gte"], "Lte" not in flt or n <= flt["Lte"],
                        "Gt" not in flt or n > flt["Gt"], "Lt" not in flt or n < flt["Lt"],
                        "Eq" not in flt or n == flt["Eq"],
                    ])
                if not any(ok(n) for n in nums):
                    return False
        elif any(k in first for k in ("Start", "End", "DateRange")):
            for flt in flist:
                start, end = flt.get("Start"), flt.get("End")
                if "DateRange" in flt:
                    from datetime import timedelta

                    days = flt["DateRange"].get("Value", 0)
                    end = now_iso()
                    start = (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
                if not any((start is None or as_str(v) >= start) and (end is None or as_str(v) <= end) for v in values):
                    return False
        elif "Eq" in first:  # boolean filter
            if not any(v == flt["Value"] for flt in flist for v in values):
                return False
    return True


def sort_key(values: list):
    v = values[0] if values else None
    if v is None:
        return (0, 0, "")
    if isinstance(v, str) and v in LABEL_RANK:
        return (1, LABEL_RANK[v], v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (1, v, "")
    return (1, 0, as_str(v))


# ---------------------------------------------------------------------------------------------
# GuardDuty helpers
# ---------------------------------------------------------------------------------------------


def gd_new_detector(rs: RegionState, det_id: str | None = None, enabled: bool = True) -> str:
    det = det_id or uuid.uuid4().hex
    rs.gd_detectors[det] = {"createdAt": now_iso(), "status": "ENABLED" if enabled else "DISABLED", "findings": {}}
    return det


def gd_fill(f: dict, account: str, region: str, det: str) -> dict:
    now = now_iso()
    fid = f.setdefault("id", uuid.uuid4().hex)
    f.setdefault("accountId", account)
    f.setdefault("arn", f"arn:aws:guardduty:{region}:{account}:detector/{det}/finding/{fid}")
    f.setdefault("createdAt", now)
    f.setdefault("updatedAt", f["createdAt"])
    f.setdefault("partition", "aws")
    f.setdefault("region", region)
    f.setdefault("schemaVersion", "2.0")
    f.setdefault("severity", 5.0)
    f["severity"] = float(f["severity"])
    f.setdefault("type", "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS")
    f.setdefault("title", f["type"])
    f.setdefault("description", f["title"])
    f.setdefault("confidence", 5.0)
    f.setdefault("resource", {
        "resourceType": "AccessKey",
        "accessKeyDetails": {"accessKeyId": "ASIAEXAMPLEEXAMPLE", "principalId": "AIDAEXAMPLE", "userName": PRINCIPAL_NAME, "userType": "IAMUser"},
    })
    svc = f.setdefault("service", {})
    svc.setdefault("serviceName", "guardduty")
    svc.setdefault("detectorId", det)
    svc.setdefault("archived", False)
    svc.setdefault("count", 1)
    svc.setdefault("eventFirstSeen", f["createdAt"])
    svc.setdefault("eventLastSeen", f["updatedAt"])
    svc.setdefault("resourceRole", "TARGET")
    return f


def gd_match(f: dict, criterion: dict) -> bool:
    for attr, cond in criterion.items():
        values = [as_str(v) for v in path_values(f, attr)]
        if attr == "service.archived" and not values:
            values = ["false"]
        nums = []
        for v in values:
            try:
                nums.append(float(v))
            except ValueError:
                pass
        for op, arg in cond.items():
            if op in ("eq", "equals"):
                if not any(v in [as_str(a) for a in arg] for v in values):
                    return False
            elif op in ("neq", "notEquals"):
                if any(v in [as_str(a) for a in arg] for v in values):
                    return False
            elif op in ("gt", "greaterThan"):
                if not any(n > arg for n in nums):
                    return False
            elif op in ("gte", "greaterThanOrEqual"):
                if not any(n >= arg for n in nums):
                    return False
            elif op in ("lt", "lessThan"):
                if not any(n < arg for n in nums):
                    return False
            elif op in ("lte", "lessThanOrEqual"):
                if not any(n <= arg for n in nums):
                    return False
            elif op == "matches":
                if not any(re.fullmatch(a.replace("*", ".*"), v) for a in arg for v in values):
                    return False
            elif op == "notMatches":
                if any(re.fullmatch(a.replace("*", ".*"), v) for a in arg for v in values):
                    return False
    return True


# ---------------------------------------------------------------------------------------------
# Access Analyzer helpers
# ---------------------------------------------------------------------------------------------


def aa_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:access-analyzer:{region}:{account}:analyzer/{name}"


def aa_new_analyzer(rs: RegionState, account: str, region: str, name: str, typ: str, tags: dict, configuration: dict | None) -> str:
    arn = aa_arn(account, region, name)
    summary = {"arn": arn, "name": name, "type": typ, "createdAt": now_iso(), "status": "ACTIVE", "tags": tags}
    if typ.endswith("UNUSED_ACCESS"):
        summary["configuration"] = configuration or {"unusedAccess": {"unusedAccessAge": 90}}
    elif configuration:
        summary["configuration"] = configuration
    rs.aa_analyzers[arn] = {"summary": summary, "findings": {}}
    return arn


def aa_fill(f: dict, account: str, analyzer_type: str) -> dict:
    now = now_iso()
    f.setdefault("id", str(uuid.uuid4()))
    unused = analyzer_type.endswith("UNUSED_ACCESS")
    f.setdefault("findingType", "UnusedIAMRole" if unused else "ExternalAccess")
    f.setdefault("resourceType", "AWS::IAM::User" if f["findingType"] in ("UnusedIAMUserAccessKey", "UnusedIAMUserPassword") else ("AWS::IAM::Role" if unused else "AWS::S3::Bucket"))
    f.setdefault("resource", f"arn:aws:iam::{account}:role/example" if f["resourceType"] == "AWS::IAM::Role" else ("arn:aws:s3:::example-bucket" if f["resourceType"] == "AWS::S3::Bucket" else f"arn:aws:iam::{account}:user/example"))
    f.setdefault("resourceOwnerAccount", account)
    f.setdefault("status", "ACTIVE")
    f.setdefault("createdAt", now)
    f.setdefault("analyzedAt", f["createdAt"])
    f.setdefault("updatedAt", f["createdAt"])
    if "findingDetails" not in f:
        ft = f["findingType"]
        if ft == "ExternalAccess":
            det = {"externalAccessDetails": {"action": ["s3:GetObject"], "condition": {}, "isPublic": True, "principal": {"AWS": "*"}}}
        elif ft == "UnusedIAMRole":
            det = {"unusedIamRoleDetails": {}}
        elif ft == "UnusedIAMUserAccessKey":
            det = {"unusedIamUserAccessKeyDetails": {"accessKeyId": "AKIAEXAMPLEEXAMPLE"}}
        elif ft == "UnusedIAMUserPassword":
            det = {"unusedIamUserPasswordDetails": {}}
        elif ft == "UnusedPermission":
            det = {"unusedPermissionDetails": {"serviceNamespace": "s3", "actions": []}}
        else:
            det = {"internalAccessDetails": {}}
        f["findingDetails"] = [det]
    return f


AA_SUMMARY_KEYS = ("analyzedAt", "createdAt", "error", "id", "resource", "resourceType", "resourceOwnerAccount", "status", "updatedAt", "findingType")


def aa_summary(f: dict) -> dict:
    return {k: copy.deepcopy(f[k]) for k in AA_SUMMARY_KEYS if k in f}


def aa_match(f: dict, flt: dict) -> bool:
    for attr, crit in flt.items():
        values = [as_str(v) for v in path_values(f, attr)]
        if "eq" in crit and not any(v in crit["eq"] for v in values):
            return False
        if "neq" in crit and any(v in crit["neq"] for v in values):
            return False
        if "contains" in crit and not any(c in v for c in crit["contains"] for v in values):
            return False
        if "exists" in crit and bool(values) != crit["exists"]:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# CloudTrail helpers
# ---------------------------------------------------------------------------------------------

CT_RETENTION_DAYS = 90
# LookupAttributes key -> the Event member it matches (Resource* match any of Resources).
CT_ATTRIBUTES = {
    "EventId": "EventId", "EventName": "EventName", "ReadOnly": "ReadOnly", "Username": "Username",
    "EventSource": "EventSource", "AccessKeyId": "AccessKeyId",
    "ResourceType": "Resources[].ResourceType", "ResourceName": "Resources[].ResourceName",
}
# (eventSource, eventName, readOnly) cycled through by the generator.
CT_GENERATED_CALLS = [
    ("sts.amazonaws.com", "GetCallerIdentity", True),
    ("s3.amazonaws.com", "ListBuckets", True),
    ("ec2.amazonaws.com", "DescribeInstances", True),
    ("iam.amazonaws.com", "ListUsers", True),
    ("ec2.amazonaws.com", "RunInstances", False),
    ("iam.amazonaws.com", "CreateAccessKey", False),
    ("iam.amazonaws.com", "CreateUser", False),
    ("s3.amazonaws.com", "GetBucketPolicy", True),
]
CT_GENERATED_IPS = ["198.51.100.23", "203.0.113.77", "192.0.2.10"]
CT_GENERATED_AGENTS = ["aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64", "Boto3/1.34.0 Python/3.12.1", "aws-sdk-go-v2/1.24.0 os/linux"]


def ct_time(v: Any, member: str = "EventTime") -> float | None:
    """Epoch seconds from a wire timestamp (JSON 1.1 sends epoch seconds) or an ISO string."""
    if v is None:
        return None
    if isinstance(v, bool):
        raise ApiError("SerializationException", f"{member} is not a timestamp", 400)
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return datetime.fromisoformat(str(v).replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()
    except ValueError:
        raise ApiError("SerializationException", f"{member} is not a timestamp: {v!r}", 400)


def ct_iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ct_sorted(events) -> list:
    """Newest first, as LookupEvents returns them (ties by EventId, so pages are stable)."""
    return sorted(events, key=lambda e: (-e["EventTime"], e["EventId"]))


def ct_match(e: dict, attr: dict) -> bool:
    path = CT_ATTRIBUTES.get(attr.get("AttributeKey"))
    if path is None:
        raise ApiError("InvalidLookupAttributesException", f"Lookup attribute key {attr.get('AttributeKey')!r} is not supported.", 400)
    return attr.get("AttributeValue") in [as_str(v) for v in path_values(e, path)]


def ct_event(spec: dict, account: str, region: str) -> dict:
    """A LookupEvents `Event` from a seed entry: Event members (PascalCase) plus the CloudTrail
    record's own fields (sourceIPAddress, userAgent, errorCode, errorMessage) that only live in
    the CloudTrailEvent JSON string. `"CloudTrailEvent": "<string>"` is stored verbatim (e.g. to
    test a malformed record); `"CloudTrailEvent": null` leaves it out."""
    t = ct_time(spec.get("EventTime")) if spec.get("EventTime") is not None else datetime.now(timezone.utc).timestamp()
    eid = spec.get("EventId") or str(uuid.uuid4())
    name = spec.get("EventName", "GetCallerIdentity")
    source = spec.get("EventSource", "sts.amazonaws.com")
    key = spec.get("AccessKeyId", "AKIAIOSFODNN7EXAMPLE")
    user = spec.get("Username", PRINCIPAL_NAME)
    read_only = spec.get("ReadOnly")
    if read_only is None:
        read_only = name.startswith(("Get", "List", "Describe", "Lookup"))
    read_only = str(read_only).lower()
    ev = {
        "EventId": eid,
        "EventName": name,
        "ReadOnly": read_only,
        "AccessKeyId": key,
        "EventTime": t,
        "EventSource": source,
        "Username": user,
        "Resources": copy.deepcopy(spec.get("Resources", [])),
    }
    if "CloudTrailEvent" in spec:
        if spec["CloudTrailEvent"] is not None:
            ev["CloudTrailEvent"] = spec["CloudTrailEvent"]
        return ev
    record = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDA" + uuid.uuid5(uuid.NAMESPACE_OID, f"{account}/{user}").hex[:17].upper(),
            "arn": f"arn:aws:iam::{account}:user/{user}",
            "accountId": account,
            "accessKeyId": key,
            "userName": user,
        },
        "eventTime": ct_iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": spec.get("sourceIPAddress", "198.51.100.1"),
        "userAgent": spec.get("userAgent", "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64"),
    }
    if spec.get("errorCode"):
        record["errorCode"] = spec["errorCode"]
        record["errorMessage"] = spec.get("errorMessage") or (
            f"User: arn:aws:iam::{account}:user/{user} is not authorized to perform: {source.split('.')[0]}:{name}"
            if spec["errorCode"] in ("AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation") else spec["errorCode"]
        )
    record.update({
        "requestParameters": None,
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
        "eventID": eid,
        "readOnly": read_only == "true",
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    })
    ev["CloudTrailEvent"] = json.dumps(record)
    return ev


def ct_generated(gen: dict) -> list[dict]:
    """`count` events of one access key spread evenly over the last `days` days (default 30):
    event i at now - days * (i + 0.5) / count, cycling through CT_GENERATED_CALLS, _IPS and
    _AGENTS; every 7th one failed with AccessDenied."""
    count = int(gen.get("count", 0))
    days = float(gen.get("days", 30))
    key = gen.get("access_key_id", "AKIAIOSFODNN7EXAMPLE")
    user = gen.get("username", PRINCIPAL_NAME)
    now = datetime.now(timezone.utc).timestamp()
    out = []
    for i in range(count):
        source, name, ro = CT_GENERATED_CALLS[i % len(CT_GENERATED_CALLS)]
        e = {
            "EventTime": now - days * 86400 * (i + 0.5) / count,
            "EventName": name, "EventSource": source, "ReadOnly": ro,
            "AccessKeyId": key, "Username": user,
            "sourceIPAddress": CT_GENERATED_IPS[i % len(CT_GENERATED_IPS)],
            "userAgent": CT_GENERATED_AGENTS[i % len(CT_GENERATED_AGENTS)],
        }
        if i % 7 == 6:
            e["errorCode"] = "AccessDenied"
        out.append(e)
    return out


# ---------------------------------------------------------------------------------------------
# Plumbing
# ---------------------------------------------------------------------------------------------


def parse_credential(auth: str) -> dict | None:
    m = re.search(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request", auth or "")
    if not m:
        return None
    return {"access_key": m.group(1), "date": m.group(2), "region": m.group(3), "service": m.group(4).lower()}


_CBOR_MODELS: dict = {}


def _cbor_model(service_id: str):
    """The botocore model of the CBOR service whose Smithy service id is `service_id`."""
    if service_id not in _CBOR_MODELS:
        import botocore.session

        session = botocore.session.get_session()
        for name in ("cloudwatch",):
            model = session.get_service_model(name)
            if model.metadata.get("targetPrefix") == service_id:
                _CBOR_MODELS[service_id] = model
        _CBOR_MODELS.setdefault(service_id, None)
    return _CBOR_MODELS[service_id]


def _from_cbor(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.timestamp()
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: _from_cbor(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_from_cbor(x) for x in v]
    return v


def _to_cbor(shape, v: Any) -> Any:
    """JSON 1.0 values (timestamps as epoch seconds, blobs as base64) -> CBOR values typed by
    the model: timestamps become tag 1, blobs bytes."""
    import cbor2

    if shape is None or v is None:
        return v
    t = shape.type_name
    if t == "structure" and isinstance(v, dict):
        return {k: _to_cbor(shape.members.get(k), x) for k, x in v.items()}
    if t == "list" and isinstance(v, list):
        return [_to_cbor(shape.member, x) for x in v]
    if t == "map" and isinstance(v, dict):
        return {k: _to_cbor(shape.value, x) for k, x in v.items()}
    if t == "timestamp":
        if isinstance(v, str):
            v = datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
        return cbor2.CBORTag(1, float(v))
    if t == "blob" and isinstance(v, str):
        return base64.b64decode(v)
    if t in ("double", "float") and isinstance(v, int):
        return float(v)
    return v


def cbor_request(environ: dict, body: bytes) -> tuple[tuple[str, str], bytes]:
    """Rewrites a Smithy RPC v2 CBOR request (POST /service/{ServiceId}/operation/{Op}) into
    the JSON 1.0 request moto serves. Returns ((service id, operation), the new body)."""
    import cbor2

    parts = environ.get("PATH_INFO", "").strip("/").split("/")
    service_id, op = (parts[1], parts[3]) if len(parts) == 4 else ("", "")
    params = _from_cbor(cbor2.loads(body)) if body else {}
    new = json.dumps(params or {}).encode()
    environ["PATH_INFO"] = "/"
    environ["CONTENT_TYPE"] = "application/x-amz-json-1.0"
    environ["HTTP_X_AMZ_TARGET"] = f"{service_id}.{op}"
    environ["wsgi.input"] = io.BytesIO(new)
    environ["CONTENT_LENGTH"] = str(len(new))
    return (service_id, op), new


def cbor_response(op: tuple[str, str], held: dict, chunks: bytes) -> bytes:
    """moto's JSON 1.0 answer as Smithy RPC v2 CBOR: the output typed by the model, errors as
    a map with `__type` and `message`."""
    import cbor2

    doc = json.loads(chunks) if chunks.strip() else {}
    ok = held["status"].startswith("2")
    model = _cbor_model(op[0])
    if ok and model is not None:
        out = _to_cbor(model.operation_model(op[1]).output_shape, doc)
    else:
        out = {"__type": doc.get("__type", "InternalFailure"), "message": doc.get("message") or doc.get("Message", "")}
    headers = [(k, v) for k, v in held["headers"] if k.lower() not in ("content-type", "x-amzn-errortype")]
    headers += [("Content-Type", "application/cbor"), ("Smithy-Protocol", "rpc-v2-cbor")]
    held["headers"] = headers
    return cbor2.dumps(out)


# S3 names an operation by method and sub-resource (`GET /bucket?acl`).
S3_SUBRESOURCES = {
    "location": {"GET": "GetBucketLocation"},
    "policyStatus": {"GET": "GetBucketPolicyStatus"},
    "acl": {"GET": "GetBucketAcl", "PUT": "PutBucketAcl"},
    "publicAccessBlock": {"GET": "GetPublicAccessBlock", "PUT": "PutPublicAccessBlock", "DELETE": "DeletePublicAccessBlock"},
    "logging": {"GET": "GetBucketLogging", "PUT": "PutBucketLogging"},
    "policy": {"GET": "GetBucketPolicy", "PUT": "PutBucketPolicy", "DELETE": "DeleteBucketPolicy"},
}


def s3_operation(method: str, path: str, query: str) -> tuple[str, str] | None:
    """(service, operation) of a request signed for `s3`: S3 Control's account-level calls
    (`/v20180820/...`, which sign as s3) or an S3 bucket call; None when not recognised."""
    if path.startswith("/v20180820/configuration/publicAccessBlock"):
        op = {"GET": "GetPublicAccessBlock", "PUT": "PutPublicAccessBlock", "DELETE": "DeletePublicAccessBlock"}.get(method)
        return ("s3control", op) if op else None
    keys = [k.split("=", 1)[0] for k in query.split("&") if k]
    for k in keys:
        if k in S3_SUBRESOURCES and method in S3_SUBRESOURCES[k]:
            return ("s3", S3_SUBRESOURCES[k][method])
    if not keys and path.count("/") == 1 and len(path) > 1:
        return ("s3", {"PUT": "CreateBucket", "HEAD": "HeadBucket", "DELETE": "DeleteBucket"}.get(method, f"{method} {path}"))
    return None


def read_body(environ: dict) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    return body


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset, "nonce": uuid.uuid4().hex[:8]}).encode()).decode()


def decode_token(token: str | None, error_code: str) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["offset"])
    except Exception:
        raise ApiError(error_code, "The NextToken value is invalid.", 400)


GAAD_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def gaad_split(body: bytes) -> tuple[list, None]:
    """moto's one-page GetAccountAuthorizationDetails XML -> [(list name, member XML)] in API
    order, namespaces stripped (the page wrapper sets IAM's default namespace again)."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(body)
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
    result = root.find("GetAccountAuthorizationDetailsResult")
    flat = []
    for key in GAAD_LISTS:
        lst = result.find(key) if result is not None else None
        for member in (lst if lst is not None else []):
            member.tail = None
            flat.append((key, ET.tostring(member, encoding="unicode")))
    return flat, None


def default_resource(service: str, region: str | None, account: str) -> str | None:
    if service == "cloudtrail":
        return None
    if service == "securityhub":
        return f"arn:aws:securityhub:{region}:{account}:hub/default"
    if service == "guardduty":
        return f"arn:aws:guardduty:{region}:{account}:detector/*"
    if service == "accessanalyzer":
        return f"arn:aws:access-analyzer:{region}:{account}:analyzer/*"
    if service == "iam":
        return f"arn:aws:iam::{account}:user/*"
    return "*"


def warm_up_moto() -> None:
    """Builds the default account's IAM backend (about 1,600 managed policies, ~2 s) in the
    background, so the first IAM call of a test does not pay for it. moto guards backend creation
    with a lock, so a request arriving meanwhile simply waits for the same work."""

    def work():
        try:
            from moto.iam.models import iam_backends

            iam_backends[DEFAULT_ACCOUNT]["global"]
        except Exception:  # pragma: no cover - best effort
            pass

    threading.Thread(target=work, daemon=True).start()


def xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def speed_up_moto() -> None:
    """Takes per-request work out of moto's server path that gives the same answer every time.
    The org benchmark (tools/bench_org.sh) is bound by this process's CPU (one GIL); these were
    the top costs in a profile. moto itself stays unpatched on disk."""
    import moto.core.errors as moto_errors
    import moto.core.responses as moto_responses
    import moto.iam.models as iam_models
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.utilities.utils import PARTITION_NAMES

    # 1. DomainDispatcherApplication.get_backend_for_host lists moto's package directory (~180
    #    stat calls: `host in list_of_moto_modules()`) and then tries every service's URL regex,
    #    on every request, under the dispatcher's lock. The answer depends on the host alone.
    backend_for_host = DomainDispatcherApplication.get_backend_for_host
    backends_by_host: dict = {}

    def get_backend_for_host(self, host):
        try:
            return backends_by_host[host]
        except KeyError:
            backend = backend_for_host(self, host)
            if len(backends_by_host) < 4096:
                backends_by_host[host] = backend
            return backend

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host

    # 2. BaseResponse.call_action runs inspect.getmembers over the response class on every
    #    request to see whether the action is implemented. Classes do not change at run time.
    method_names = moto_responses.method_names_from_class
    names_by_class: dict = {}

    def method_names_from_class(clazz):
        names = names_by_class.get(clazz)
        if names is None:
            names = names_by_class[clazz] = frozenset(method_names(clazz))
        return names

    moto_responses.method_names_from_class = method_names_from_class

    # 3. get_account_id_from (moto: on every request, once more in account_for) scans every
    #    account x 6 partitions, creating the five unused partition backends of each account.
    #    Remember where a key was found and check it is still there (O(1)); otherwise scan as
    #    moto does, without creating backends (a backend that does not exist has no keys).
    key_home: dict = {}

    def get_account_id_from(access_key: str) -> str:
        backends = iam_models.iam_backends
        home = key_home.get(access_key)
        if home is not None:
            account = dict.get(backends, home[0])
            backend = dict.get(account, home[1]) if account is not None else None
            if backend is not None and access_key in backend.access_keys:
                return home[0]
        for account_id, account in list(backends.items()):
            for partition in PARTITION_NAMES:
                backend = dict.get(account, partition)
                if backend is not None and access_key in backend.access_keys:
                    key_home[access_key] = (account_id, partition)
                    return account_id
        return DEFAULT_ACCOUNT_ID

    iam_models.get_account_id_from = get_account_id_from

    # 4. GetAccessKeyLastUsed lists every user's keys in every account (O(all users) a call,
    #    O(accounts^2) over an organization). A user's key is always in its backend's
    #    access_keys too (IAMBackend.create_access_key / delete_access_key_by_name), so only
    #    backends holding the key id are searched, in moto's order.
    def get_access_key_last_used(self, access_key_id: str) -> dict:
        for account in list(iam_models.iam_backends.values()):
            backend = dict.get(account, self.partition)
            if backend is None or access_key_id not in backend.access_keys:
                continue
            for user_name in list(backend.users):
                for key in backend.list_access_keys(user_name):
                    if key.access_key_id == access_key_id:
                        return {"user_name": key.user_name, "last_used": key.last_used}
        raise iam_models.NotFoundException(f"The Access Key with id {access_key_id} cannot be found")

    iam_models.IAMBackend.get_access_key_last_used = get_access_key_last_used

    # 5. Every error answer builds the service's whole error table again: get_error_model makes
    #    a new ErrorLookupFactory, so its per-instance cache is always empty. Share it.
    error_luts: dict = {}
    lut_factory_init = moto_errors.ErrorLookupFactory.__init__

    def error_lookup_factory_init(self) -> None:
        lut_factory_init(self)
        self._error_lut_cache = error_luts

    moto_errors.ErrorLookupFactory.__init__ = error_lookup_factory_init


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="guardpost's local AWS emulator")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--verbose", action="store_true", help="log each request to stderr")
    ap.add_argument("--exit-on-stdin-eof", action="store_true", help="exit when stdin closes (the parent test died)")
    args = ap.parse_args(argv)

    speed_up_moto()
    emulator = Emulator()
    handler = MotoRequestHandler
    if not args.verbose:
        class QuietHandler(MotoRequestHandler):
            def log_request(self, *a, **k):
                pass

            def log(self, type, message, *a):
                if type == "error":
                    super().log(type, message, *a)

        handler = QuietHandler
    server = make_server(args.host, args.port, emulator, threaded=True, request_handler=handler)
    port = server.server_address[1]
    if args.exit_on_stdin_eof:
        def watch():
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            finally:
                os._exit(0)

        threading.Thread(target=watch, daemon=True).start()
    print(f"READY {port}", flush=True)
    # Nothing else goes to stdout: a harness that read the READY line and then ignores the pipe
    # must never see the server block on a full pipe (moto prints some diagnostics there).
    sys.stdout = sys.stderr if args.verbose else open(os.devnull, "w")
    warm_up_moto()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
