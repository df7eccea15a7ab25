//! CloudWatch Logs filter patterns, evaluated against CloudTrail events (CIS section 4).
//!
//! Prowler and Security Hub judge a metric filter by searching its pattern text for each
//! event name with a regular expression, so a pattern that names every event but joins them
//! with `&&` (it can never fire) passes, and one written with different spacing or quoting
//! fails. guardpost evaluates the pattern as CloudWatch does against sample CloudTrail events
//! of the activity the control is about: the filter covers the control when it matches every
//! one of them.
//!
//! Supported: JSON patterns (`{ $.a.b = "x*" && ($.c != 1 || $.d NOT EXISTS) }`: `=`, `!=`,
//! `<`, `>`, `<=`, `>=`, `*` wildcards, `IS NULL` / `IS TRUE` / `IS FALSE`, `EXISTS`,
//! `NOT EXISTS`, array indexes, parentheses, `&&` binding tighter than `||`) and term
//! patterns (`ERROR "Failed authentication"`, `?a ?b`, `-term`). A pattern this does not
//! understand (regular expressions, space-delimited `[..]` patterns) matches nothing, so the
//! filter is not credited, and the finding says so.

use serde_json::Value;

/// Why a pattern could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

/// A parsed filter pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    Json(Expr),
    /// Every `all` term and at least one `any` term (when there are some) occur in the
    /// event's text, and no `none` term does.
    Terms {
        all: Vec<String>,
        any: Vec<String>,
        none: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Test(Vec<Step>, Test),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Cmp(Op, String),
    Exists(bool),
    IsNull,
    Is(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, Unsupported> {
        let t = text.trim();
        if let Some(inner) = t.strip_prefix('{') {
            let inner = inner
                .strip_suffix('}')
                .ok_or_else(|| Unsupported("a JSON pattern must end with }".into()))?;
            let mut p = Parser {
                s: inner.as_bytes(),
                i: 0,
            };
            let e = p.or()?;
            p.ws();
            if p.i != p.s.len() {
                return Err(Unsupported(format!(
                    "unexpected text at {:?}",
                    String::from_utf8_lossy(&p.s[p.i..])
                )));
            }
            return Ok(Pattern::Json(e));
        }
        if t.starts_with('[') || t.starts_with('%') {
            return Err(Unsupported(
                "space-delimited and regular-expression patterns are not evaluated".into(),
            ));
        }
        terms(t)
    }

    /// Whether the pattern matches `event` (a CloudTrail record).
    pub fn matches(&self, event: &Value) -> bool {
        match self {
            Pattern::Json(e) => eval(e, event),
            Pattern::Terms { all, any, none } => {
                let text = event.to_string();
                all.iter().all(|t| text.contains(t.as_str()))
                    && (any.is_empty() || any.iter().any(|t| text.contains(t.as_str())))
                    && !none.iter().any(|t| text.contains(t.as_str()))
            }
        }
    }
}

fn terms(t: &str) -> Result<Pattern, Unsupported> {
    let (mut all, mut any, mut none) = (Vec::new(), Vec::new(), Vec::new());
    let mut rest = t;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let (kind, r) = match rest.as_bytes()[0] {
            b'?' => (1, &rest[1..]),
            b'-' => (2, &rest[1..]),
            _ => (0, rest),
        };
        let (term, r) = if let Some(q) = r.strip_prefix('"') {
            let end = q
                .find('"')
                .ok_or_else(|| Unsupported("unterminated quoted term".into()))?;
            (q[..end].to_string(), &q[end + 1..])
        } else {
            let end = r.find(char::is_whitespace).unwrap_or(r.len());
            (r[..end].to_string(), &r[end..])
        };
        [&mut all, &mut any, &mut none][kind].push(term);
        rest = r;
    }
    Ok(Pattern::Terms { all, any, none })
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.ws();
        if self.s[self.i..].starts_with(tok.as_bytes()) {
            self.i += tok.len();
            true
        } else {
            false
        }
    }

    /// A keyword (`NOT`, `EXISTS`, ...), case-insensitive, followed by a boundary.
    fn keyword(&mut self, kw: &str) -> bool {
        self.ws();
        let end = self.i + kw.len();
        if end <= self.s.len()
            && self.s[self.i..end].eq_ignore_ascii_case(kw.as_bytes())
            && self
                .s
                .get(end)
                .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_')
        {
            self.i = end;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, Unsupported> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, Unsupported> {
        let mut left = self.unary()?;
        while self.eat("&&") {
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, Unsupported> {
        if self.eat("(") {
            let e = self.or()?;
            if !self.eat(")") {
                return Err(Unsupported("missing )".into()));
            }
            return Ok(e);
        }
        let path = self.selector()?;
        let test = if self.keyword("NOT") {
            if !self.keyword("EXISTS") {
                return Err(Unsupported("NOT must be followed by EXISTS".into()));
            }
            Test::Exists(false)
        } else if self.keyword("EXISTS") {
            Test::Exists(true)
        } else if self.keyword("IS") {
            if self.keyword("NULL") {
                Test::IsNull
            } else if self.keyword("TRUE") {
                Test::Is(true)
            } else if self.keyword("FALSE") {
                Test::Is(false)
            } else {
                return Err(Unsupported(
                    "IS must be followed by NULL, TRUE or FALSE".into(),
                ));
            }
        } else {
            let op = if self.eat("!=") {
                Op::Ne
            } else if self.eat("<=") {
                Op::Le
            } else if self.eat(">=") {
                Op::Ge
            } else if self.eat("=") {
                Op::Eq
            } else if self.eat("<") {
                Op::Lt
            } else if self.eat(">") {
                Op::Gt
            } else {
                return Err(Unsupported(
                    "expected a comparison after the selector".into(),
                ));
            };
            Test::Cmp(op, self.value()?)
        };
        Ok(Expr::Test(path, test))
    }

    fn selector(&mut self) -> Result<Vec<Step>, Unsupported> {
        if !self.eat("$") {
            return Err(Unsupported("a JSON test must start with $".into()));
        }
        let mut path = Vec::new();
        loop {
            if self.s.get(self.i) == Some(&b'.') {
                self.i += 1;
                let start = self.i;
                while self.s.get(self.i).is_some_and(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'@' | b':')
                }) {
                    self.i += 1;
                }
                if start == self.i {
                    return Err(Unsupported("empty field name in selector".into()));
                }
                path.push(Step::Key(
                    String::from_utf8_lossy(&self.s[start..self.i]).into_owned(),
                ));
            } else if self.s.get(self.i) == Some(&b'[') {
                let end = self.s[self.i..]
                    .iter()
                    .position(|c| *c == b']')
                    .ok_or_else(|| Unsupported("missing ]".into()))?;
                let n = std::str::from_utf8(&self.s[self.i + 1..self.i + end])
                    .ok()
                    .and_then(|n| n.trim().parse().ok())
                    .ok_or_else(|| {
                        Unsupported("only numeric array indexes are evaluated".into())
                    })?;
                path.push(Step::Index(n));
                self.i += end + 1;
            } else {
                return Ok(path);
            }
        }
    }

    fn value(&mut self) -> Result<String, Unsupported> {
        self.ws();
        if self.s.get(self.i) == Some(&b'"') {
            let end = self.s[self.i + 1..]
                .iter()
                .position(|c| *c == b'"')
                .ok_or_else(|| Unsupported("unterminated string".into()))?;
            let v = String::from_utf8_lossy(&self.s[self.i + 1..self.i + 1 + end]).into_owned();
            self.i += end + 2;
            return Ok(v);
        }
        if self.s.get(self.i) == Some(&b'%') {
            return Err(Unsupported(
                "regular-expression values are not evaluated".into(),
            ));
        }
        let start = self.i;
        while self.i < self.s.len()
            && !self.s[self.i].is_ascii_whitespace()
            && !matches!(self.s[self.i], b')' | b'&' | b'|')
        {
            self.i += 1;
        }
        if start == self.i {
            return Err(Unsupported("missing value".into()));
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
}

fn lookup<'v>(event: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(event, |v, step| match step {
        Step::Key(k) => v.get(k.as_str()),
        Step::Index(i) => v.get(*i),
    })
}

fn eval(e: &Expr, event: &Value) -> bool {
    match e {
        Expr::And(a, b) => eval(a, event) && eval(b, event),
        Expr::Or(a, b) => eval(a, event) || eval(b, event),
        Expr::Test(path, test) => {
            let v = lookup(event, path);
            match test {
                Test::Exists(want) => v.is_some() == *want,
                Test::IsNull => v.is_some_and(Value::is_null),
                Test::Is(b) => v.and_then(Value::as_bool) == Some(*b),
                // A missing field matches no comparison, `!=` included: a filter is credited
                // only for events it certainly counts.
                Test::Cmp(op, want) => v.is_some_and(|v| compare(v, *op, want)),
            }
        }
    }
}

fn compare(v: &Value, op: Op, want: &str) -> bool {
    if let (Some(n), Ok(w)) = (v.as_f64(), want.parse::<f64>()) {
        return match op {
            Op::Eq => n == w,
            Op::Ne => n != w,
            Op::Lt => n < w,
            Op::Gt => n > w,
            Op::Le => n <= w,
            Op::Ge => n >= w,
        };
    }
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => return false,
    };
    match op {
        Op::Eq => wildcard(want, &text),
        Op::Ne => !wildcard(want, &text),
        // Ordering applies to numbers only.
        _ => false,
    }
}

/// `*` matches any run of characters; everything else literally.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(at) => rest = &rest[at + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(p: &str, e: Value) -> bool {
        Pattern::parse(p).unwrap().matches(&e)
    }

    #[test]
    fn json_patterns_match_as_cloudwatch_does() {
        let root = json!({"userIdentity": {"type": "Root"}, "eventType": "AwsApiCall"});
        let cis = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;
        assert!(m(cis, root.clone()));
        let invoked = json!({"userIdentity": {"type": "Root", "invokedBy": "s3.amazonaws.com"}, "eventType": "AwsApiCall"});
        assert!(!m(cis, invoked));
        // Spacing and quoting do not matter; wildcards do.
        assert!(m(
            r#"{$.errorCode="*UnauthorizedOperation"}"#,
            json!({"errorCode": "Client.UnauthorizedOperation"})
        ));
        assert!(m(
            "{ ($.errorCode = AccessDenied*) }",
            json!({"errorCode": "AccessDeniedException"})
        ));
        assert!(!m(
            "{ $.errorCode = AccessDenied* }",
            json!({"errorCode": "NotAccessDenied"})
        ));
        // && binds tighter than ||.
        let p = "{ $.a = 1 || $.b = 2 && $.c = 3 }";
        assert!(m(p, json!({"a": 1})));
        assert!(!m(p, json!({"b": 2})));
        // Numbers, booleans, nulls, arrays.
        assert!(m("{ $.n >= 5 }", json!({"n": 7})));
        assert!(m("{ $.flag IS TRUE }", json!({"flag": true})));
        assert!(m("{ $.x IS NULL }", json!({"x": null})));
        assert!(m(
            r#"{ $.resources[1].type = "AWS::S3::Bucket" }"#,
            json!({"resources": [{}, {"type": "AWS::S3::Bucket"}]})
        ));
        // A missing field matches no comparison, not even !=.
        assert!(!m(
            r#"{ $.additionalEventData.MFAUsed != "Yes" }"#,
            json!({})
        ));
    }

    #[test]
    fn names_joined_with_and_never_match_one_event() {
        // Every event name is in the text, which is what a regex check looks for.
        let p = "{ ($.eventName = CreateTrail) && ($.eventName = DeleteTrail) }";
        assert!(!m(p, json!({"eventName": "CreateTrail"})));
        assert!(!m(p, json!({"eventName": "DeleteTrail"})));
    }

    #[test]
    fn term_patterns_and_unsupported_ones() {
        assert!(m(
            r#"ConsoleLogin "Failed authentication""#,
            json!({"eventName": "ConsoleLogin", "errorMessage": "Failed authentication"})
        ));
        assert!(!m(
            "ConsoleLogin -Failed",
            json!({"eventName": "ConsoleLogin", "errorMessage": "Failed authentication"})
        ));
        assert!(m(
            "?DeleteTrail ?StopLogging",
            json!({"eventName": "StopLogging"})
        ));
        assert!(m("", json!({"anything": 1})));
        assert!(Pattern::parse("[ip, user, ...]").is_err());
        assert!(Pattern::parse("{ $.a = %ab+% }").is_err());
        assert!(Pattern::parse("{ $.a = 1 ").is_err());
        assert!(Pattern::parse("{ $.a = 1 && }").is_err());
        assert!(Pattern::parse("{ a = 1 }").is_err());
    }
}
