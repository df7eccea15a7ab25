//! A tiny in-process HTTP/1.1 server speaking the wire protocols guardpost's live layer uses
//! for STS (awsQuery XML), Security Hub, GuardDuty and IAM Access Analyzer (restJson1), so the
//! real SDK clients can be exercised over real HTTP on loopback: pagination, filters, the raw
//! body capture and fault cases (service off, access denied, throttling).
//!
//! Requests are routed by path; the service and region come from the SigV4 credential scope
//! in the Authorization header (so this also checks that the SDK signs for the right region).
//! IAM is not faked here: it is covered against the project's moto-based emulator.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub const ACCOUNT: &str = "123456789012";
pub const CALLER: &str = "arn:aws:iam::123456789012:user/auditor";

/// What a service does in one region.
#[derive(Debug, Clone)]
pub enum Behavior<T> {
    On(T),
    /// Security Hub: InvalidAccessException; GuardDuty: no detector; Access Analyzer: no analyzer.
    Off,
    /// 403 AccessDeniedException on the first call.
    Denied,
}

#[derive(Debug, Clone)]
pub struct Analyzer {
    pub arn: String,
    pub kind: String,
    pub status: String,
    pub findings: Vec<Value>,
}

#[derive(Debug, Default)]
pub struct Spec {
    pub securityhub: HashMap<String, Behavior<Vec<Value>>>,
    pub guardduty: HashMap<String, Behavior<(String, Vec<Value>)>>,
    pub access_analyzer: HashMap<String, Behavior<Vec<Analyzer>>>,
    /// (service, region) → how many requests to answer with 429 TooManyRequestsException first.
    pub throttle: HashMap<(String, String), usize>,
    /// Page sizes the fake uses (the SDK asks for larger pages; smaller pages prove paging).
    pub aa_list_page: usize,
    pub aa_details_page: usize,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub service: String,
    pub region: String,
    pub method: String,
    pub path: String,
    pub body: String,
}

pub struct FakeAws {
    pub url: String,
    log: Arc<Mutex<Vec<Request>>>,
}

impl FakeAws {
    pub fn start(spec: Spec) -> FakeAws {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(Mutex::new(spec));
        let l = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let (state, log) = (state.clone(), l.clone());
                std::thread::spawn(move || serve(stream, state, log));
            }
        });
        FakeAws { url, log }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    /// Requests to `service` in `region` whose path starts with `path`.
    pub fn count(&self, service: &str, region: &str, method: &str, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| {
                r.service == service
                    && r.region == region
                    && r.method == method
                    && r.path.starts_with(path)
            })
            .count()
    }
}

fn serve(stream: TcpStream, state: Arc<Mutex<Spec>>, log: Arc<Mutex<Vec<Request>>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (service, region) = scope(headers.get("authorization").map(String::as_str));
        let req = Request {
            service,
            region,
            method,
            path: target,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        log.lock().unwrap().push(req.clone());
        let (status, content_type, extra, body) = respond(&req, &mut state.lock().unwrap());
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{extra}x-amzn-requestid: fake\r\n\r\n",
            body.len()
        );
        if out.write_all(head.as_bytes()).is_err() || out.write_all(body.as_bytes()).is_err() {
            return;
        }
    }
}

/// (service, region) from `Credential=AKID/DATE/REGION/SERVICE/aws4_request`.
fn scope(auth: Option<&str>) -> (String, String) {
    let Some(cred) = auth.and_then(|a| a.split("Credential=").nth(1)) else {
        return (String::new(), String::new());
    };
    let parts: Vec<&str> = cred.split(['/', ',']).collect();
    (
        parts.get(3).unwrap_or(&"").to_string(),
        parts.get(2).unwrap_or(&"").to_string(),
    )
}

type Response = (u16, &'static str, String, String);

fn json_ok(v: Value) -> Response {
    (200, "application/json", String::new(), v.to_string())
}

fn json_err(status: u16, code: &str, message: &str) -> Response {
    (
        status,
        "application/json",
        format!("x-amzn-errortype: {code}\r\n"),
        json!({ "message": message, "Message": message }).to_string(),
    )
}

fn denied() -> Response {
    json_err(
        403,
        "AccessDeniedException",
        "User is not authorized to perform this action",
    )
}

fn page<T: Clone>(items: &[T], token: Option<&str>, size: usize) -> (Vec<T>, Option<String>) {
    let start: usize = token.and_then(|t| t.parse().ok()).unwrap_or(0);
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    (items[start.min(end)..end].to_vec(), next)
}

fn query(path: &str, key: &str) -> Option<String> {
    let q = path.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

fn respond(req: &Request, spec: &mut Spec) -> Response {
    let key = (req.service.clone(), req.region.clone());
    if let Some(n) = spec.throttle.get_mut(&key)
        && *n > 0
    {
        *n -= 1;
        return json_err(429, "TooManyRequestsException", "Rate exceeded");
    }
    let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
    let path = req.path.split('?').next().unwrap_or("");
    match (req.service.as_str(), req.method.as_str(), path) {
        ("sts", "POST", "/") => (
            200,
            "text/xml",
            String::new(),
            format!(
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                 <GetCallerIdentityResult><Arn>{CALLER}</Arn><UserId>AIDAFAKE</UserId>\
                 <Account>{ACCOUNT}</Account></GetCallerIdentityResult>\
                 <ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata>\
                 </GetCallerIdentityResponse>"
            ),
        ),
        ("securityhub", "POST", "/findings") => match spec.securityhub.get(&req.region) {
            None | Some(Behavior::Off) => json_err(
                401,
                "InvalidAccessException",
                "Account is not subscribed to AWS Security Hub",
            ),
            Some(Behavior::Denied) => denied(),
            Some(Behavior::On(findings)) => {
                let wanted = |field: &str| -> Vec<String> {
                    body["Filters"][field]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|f| f["Value"].as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let (states, workflows) = (wanted("RecordState"), wanted("WorkflowStatus"));
                let matching: Vec<Value> = findings
                    .iter()
                    .filter(|f| {
                        let rs = f["RecordState"].as_str().unwrap_or("");
                        let ws = f["Workflow"]["Status"].as_str().unwrap_or("");
                        (states.is_empty() || states.iter().any(|s| s == rs))
                            && (workflows.is_empty() || workflows.iter().any(|s| s == ws))
                    })
                    .cloned()
                    .collect();
                let size = body["MaxResults"].as_u64().unwrap_or(100) as usize;
                let (items, next) = page(&matching, body["NextToken"].as_str(), size);
                let mut v = json!({ "Findings": items });
                if let Some(n) = next {
                    v["NextToken"] = json!(n);
                }
                json_ok(v)
            }
        },
        ("guardduty", method, p) if p.starts_with("/detector") => {
            let Some(b) = spec.guardduty.get(&req.region) else {
                return json_ok(json!({ "detectorIds": [] }));
            };
            let (detector, findings) = match b {
                Behavior::Denied => return denied(),
                Behavior::Off => return json_ok(json!({ "detectorIds": [] })),
                Behavior::On(d) => d,
            };
            let rest: Vec<&str> = p.trim_start_matches("/detector").split('/').collect();
            match (method, rest.as_slice()) {
                ("GET", [""]) => json_ok(json!({ "detectorIds": [detector] })),
                ("GET", ["", id]) if id == detector => json_ok(json!({
                    "createdAt": "2026-01-01T00:00:00.000Z",
                    "findingPublishingFrequency": "SIX_HOURS",
                    "serviceRole": "arn:aws:iam::123456789012:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
                    "status": "ENABLED",
                    "updatedAt": "2026-01-01T00:00:00.000Z"
                })),
                ("POST", ["", id, "findings"]) if id == detector => {
                    let cond = &body["findingCriteria"]["criterion"]["service.archived"];
                    let archived = cond["equals"]
                        .as_array()
                        .or(cond["eq"].as_array())
                        .and_then(|a| a.first())
                        .and_then(|v| v.as_str())
                        .map(|v| v == "true");
                    let ids: Vec<Value> = findings
                        .iter()
                        .filter(|f| {
                            archived.is_none_or(|a| f["service"]["archived"].as_bool() == Some(a))
                        })
                        .map(|f| f["id"].clone())
                        .collect();
                    let size = body["maxResults"].as_u64().unwrap_or(50) as usize;
                    let (items, next) = page(&ids, body["nextToken"].as_str(), size);
                    let mut v = json!({ "findingIds": items });
                    if let Some(n) = next {
                        v["nextToken"] = json!(n);
                    }
                    json_ok(v)
                }
                ("POST", ["", id, "findings", "get"]) if id == detector => {
                    let ids: Vec<&str> = body["findingIds"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                        .unwrap_or_default();
                    if ids.len() > 50 {
                        return json_err(400, "BadRequestException", "at most 50 finding ids");
                    }
                    let got: Vec<&Value> = findings
                        .iter()
                        .filter(|f| ids.contains(&f["id"].as_str().unwrap_or("")))
                        .collect();
                    json_ok(json!({ "findings": got }))
                }
                _ => json_err(404, "BadRequestException", "no such route"),
            }
        }
        ("access-analyzer", "GET", "/analyzer") => match spec.access_analyzer.get(&req.region) {
            Some(Behavior::Denied) => denied(),
            None | Some(Behavior::Off) => json_ok(json!({ "analyzers": [] })),
            Some(Behavior::On(analyzers)) => json_ok(json!({
                "analyzers": analyzers.iter().map(|a| json!({
                    "arn": a.arn,
                    "name": a.arn.rsplit('/').next().unwrap(),
                    "type": a.kind,
                    "status": a.status,
                    "createdAt": "2026-01-01T00:00:00Z",
                    "tags": {},
                })).collect::<Vec<_>>()
            })),
        },
        ("access-analyzer", "POST", "/findingv2") => {
            let Some(Behavior::On(analyzers)) = spec.access_analyzer.get(&req.region) else {
                return denied();
            };
            let arn = body["analyzerArn"].as_str().unwrap_or("");
            let Some(a) = analyzers.iter().find(|a| a.arn == arn) else {
                return json_err(404, "ResourceNotFoundException", "no such analyzer");
            };
            let summaries: Vec<Value> = a
                .findings
                .iter()
                .map(|f| {
                    json!({
                        "id": f["id"], "analyzedAt": f["analyzedAt"], "createdAt": f["createdAt"],
                        "updatedAt": f["updatedAt"], "resourceType": f["resourceType"],
                        "resourceOwnerAccount": f["resourceOwnerAccount"], "status": f["status"],
                        "resource": f["resource"], "findingType": f["findingType"],
                    })
                })
                .collect();
            let size = spec.aa_list_page.max(1);
            let (items, next) = page(&summaries, body["nextToken"].as_str(), size);
            let mut v = json!({ "findings": items });
            if let Some(n) = next {
                v["nextToken"] = json!(n);
            }
            json_ok(v)
        }
        ("access-analyzer", "GET", p) if p.starts_with("/findingv2/") => {
            let Some(Behavior::On(analyzers)) = spec.access_analyzer.get(&req.region) else {
                return denied();
            };
            let id = p.trim_start_matches("/findingv2/");
            let arn = query(&req.path, "analyzerArn").unwrap_or_default();
            let Some(f) = analyzers
                .iter()
                .filter(|a| a.arn == arn)
                .flat_map(|a| a.findings.iter())
                .find(|f| f["id"] == id)
            else {
                return json_err(404, "ResourceNotFoundException", "no such finding");
            };
            let mut f = f.clone();
            let details = f["findingDetails"].as_array().cloned().unwrap_or_default();
            let size = spec.aa_details_page.max(1);
            let token = query(&req.path, "nextToken");
            let (items, next) = page(&details, token.as_deref(), size);
            f["findingDetails"] = json!(items);
            if let Some(n) = next {
                f["nextToken"] = json!(n);
            }
            json_ok(f)
        }
        _ => json_err(404, "UnknownOperationException", "no such route"),
    }
}
