//! The one paging rule every paginated read in `sources/` follows: send back the token the
//! last page gave (`NextToken`, or IAM's `Marker` while `IsTruncated`), stop when there is
//! none, and stop with a problem when a service hands back the token it was sent (it would
//! page forever).

/// Where a paginated read stands.
#[derive(Debug, Default)]
pub struct Pager {
    token: Option<String>,
    pages: usize,
}

/// What to do after a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Send the next request with [`Pager::token`].
    More,
    /// The last page was read.
    Done,
    /// The service returned the token it was sent: stop and say so ([`Pager::repeated`]).
    Repeated,
}

impl Pager {
    /// The token to send with the next request (`None` for the first).
    pub fn token(&self) -> Option<String> {
        self.token.clone()
    }

    /// Pages read so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Records a page and the token it returned; an empty token is no token.
    pub fn next(&mut self, returned: Option<&str>) -> Next {
        self.pages += 1;
        let returned = returned.filter(|t| !t.is_empty());
        match returned {
            None => {
                self.token = None;
                Next::Done
            }
            Some(t) if self.token.as_deref() == Some(t) => Next::Repeated,
            Some(t) => {
                self.token = Some(t.to_string());
                Next::More
            }
        }
    }

    /// IAM's form: `Marker` counts only while `IsTruncated`.
    pub fn next_marker(&mut self, truncated: bool, marker: Option<&str>) -> Next {
        self.next(marker.filter(|_| truncated))
    }

    /// The problem text for [`Next::Repeated`].
    pub fn repeated(&self, action: &str) -> String {
        format!(
            "{action} returned the token it was sent after page {}; stopped paging",
            self.pages
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_until_no_token_and_treats_empty_as_none() {
        let mut p = Pager::default();
        assert_eq!(p.token(), None);
        assert_eq!(p.next(Some("a")), Next::More);
        assert_eq!(p.token().as_deref(), Some("a"));
        assert_eq!(p.next(Some("b")), Next::More);
        assert_eq!(p.next(Some("")), Next::Done);
        assert_eq!(p.pages(), 3);
        assert_eq!(p.token(), None);
    }

    #[test]
    fn a_token_handed_back_stops_the_read() {
        let mut p = Pager::default();
        assert_eq!(p.next(Some("t")), Next::More);
        assert_eq!(p.next(Some("t")), Next::Repeated);
        assert_eq!(
            p.repeated("cloudtrail:LookupEvents"),
            "cloudtrail:LookupEvents returned the token it was sent after page 2; stopped paging"
        );
    }

    #[test]
    fn an_iam_marker_counts_only_while_truncated() {
        let mut p = Pager::default();
        assert_eq!(p.next_marker(true, Some("m1")), Next::More);
        assert_eq!(p.next_marker(false, Some("m2")), Next::Done);
        let mut q = Pager::default();
        assert_eq!(q.next_marker(true, None), Next::Done);
    }
}
