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

    /// [`Pager::next`] for the common loop: `Ok(true)` to read another page, `Ok(false)` when
    /// done, `Err` with the problem text when the service handed back its token.
    pub fn advance(&mut self, returned: Option<&str>, action: &str) -> Result<bool, String> {
        match self.next(returned) {
            Next::More => Ok(true),
            Next::Done => Ok(false),
            Next::Repeated => Err(self.repeated(action)),
        }
    }

    /// IAM's form of [`Pager::advance`]: `Marker` counts only while `IsTruncated`.
    pub fn advance_marker(
        &mut self,
        truncated: bool,
        marker: Option<&str>,
        action: &str,
    ) -> Result<bool, String> {
        self.advance(marker.filter(|_| truncated), action)
    }

    /// The problem text for [`Next::Repeated`].
    pub fn repeated(&self, action: &str) -> String {
        format!(
            "{action} returned the token it was sent after page {}; stopped paging",
            self.pages
        )
    }
}

/// Reads every page of one paginated call: `call(token)` answers a page's items and the token
/// it returned, or the (described) error. Returns what was read and, when the read stopped
/// early (an error, or a token handed back), why.
pub async fn read_all<T, F, Fut>(action: &str, mut call: F) -> (Vec<T>, Option<String>)
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), String>>,
{
    let mut pager = Pager::default();
    let mut items = Vec::new();
    loop {
        match call(pager.token()).await {
            Ok((page, next)) => {
                items.extend(page);
                match pager.advance(next.as_deref(), action) {
                    Ok(true) => {}
                    Ok(false) => return (items, None),
                    Err(why) => return (items, Some(why)),
                }
            }
            Err(e) => return (items, Some(e)),
        }
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

    #[tokio::test]
    async fn read_all_follows_tokens_and_keeps_what_it_read_when_a_page_fails() {
        let pages = |token: Option<String>| async move {
            match token.as_deref() {
                None => Ok((vec![1, 2], Some("a".to_string()))),
                Some("a") => Ok((vec![3], Some("b".to_string()))),
                Some("b") => Ok((vec![4], None)),
                _ => unreachable!(),
            }
        };
        assert_eq!(read_all("x:List", pages).await, (vec![1, 2, 3, 4], None));
        let failing = |token: Option<String>| async move {
            match token {
                None => Ok((vec![1], Some("a".to_string()))),
                Some(_) => Err("AccessDenied: missing permission x:List".to_string()),
            }
        };
        assert_eq!(
            read_all("x:List", failing).await,
            (
                vec![1],
                Some("AccessDenied: missing permission x:List".into())
            )
        );
        let stuck = |_t: Option<String>| async move { Ok((vec![0], Some("same".to_string()))) };
        let (items, why) = read_all("x:List", stuck).await;
        assert_eq!(items, vec![0, 0]);
        assert!(why.unwrap().contains("returned the token it was sent"));
    }

    #[test]
    fn an_iam_marker_counts_only_while_truncated() {
        let mut p = Pager::default();
        assert_eq!(p.advance_marker(true, Some("m1"), "iam:List"), Ok(true));
        assert_eq!(p.advance_marker(false, Some("m2"), "iam:List"), Ok(false));
        let mut q = Pager::default();
        assert_eq!(q.advance_marker(true, None, "iam:List"), Ok(false));
        assert_eq!(q.advance_marker(true, Some("m"), "iam:List"), Ok(true));
        assert!(q.advance_marker(true, Some("m"), "iam:List").is_err());
    }
}
