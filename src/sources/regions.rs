//! Region names: a typo (`--region nosuch-1`) is bad input, reported before anything is read,
//! not a region where every service looks off.

/// Every AWS region guardpost knows of (commercial, including opt-in ones; GovCloud; China).
pub const KNOWN_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-1",
    "ap-south-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "mx-central-1",
    "sa-east-1",
    "us-gov-east-1",
    "us-gov-west-1",
    "cn-north-1",
    "cn-northwest-1",
];

/// A region AWS may have added after this list: the shape of every region name
/// (`<area>-<direction>-<n>`, with `-gov` / `-iso*` partitions), e.g. `ap-southeast-8`.
fn looks_like_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    let n = parts.len();
    (3..=4).contains(&n)
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..n - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && KNOWN_DIRECTIONS.contains(&parts[n - 2])
        && !parts[n - 1].is_empty()
        && parts[n - 1].bytes().all(|b| b.is_ascii_digit())
}

const KNOWN_DIRECTIONS: &[&str] = &[
    "east",
    "west",
    "north",
    "south",
    "central",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
];

/// Checks region names given on the command line or in the config file. The error names the
/// valid regions.
pub fn validate<S: AsRef<str>>(regions: &[S]) -> Result<(), String> {
    let bad: Vec<&str> = regions
        .iter()
        .map(AsRef::as_ref)
        .filter(|r| !KNOWN_REGIONS.contains(r) && !looks_like_region(r))
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(format!(
        "unknown region{} {}; valid regions: {}",
        if bad.len() > 1 { "s" } else { "" },
        bad.iter()
            .map(|r| format!("{:?}", crate::model::coverage::plain(r)))
            .collect::<Vec<_>>()
            .join(", "),
        KNOWN_REGIONS.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_rejected_new_regions_accepted() {
        assert!(validate(&["us-east-1", "eu-west-1", "us-gov-west-1"]).is_ok());
        // Not in the list, but shaped like a region (AWS adds regions).
        assert!(validate(&["ap-southeast-9"]).is_ok());
        let e = validate(&["us-east-1", "nosuch-1"]).unwrap_err();
        assert!(
            e.starts_with("unknown region \"nosuch-1\"; valid regions: us-east-1, "),
            "{e}"
        );
        for bad in [
            "",
            "us-east",
            "useast-1",
            "us-east-1a",
            "US-EAST-1",
            "eu-nowhere-1",
            "x-east-1",
        ] {
            assert!(validate(&[bad]).is_err(), "{bad}");
        }
    }
}
