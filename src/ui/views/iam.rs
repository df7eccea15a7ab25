//! The IAM pane (users, roles, groups, policies) and the IAM facts shown on a principal's page.
use crate::app::columns::Elide;
use crate::app::{IamTab, IamView};
use crate::dataset::Dataset;
use crate::model::{IamRole, IamUser};
use crate::ui::columns::elide;
use crate::ui::{block, theme::Theme};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

pub use crate::model::{age_days, days_ago};

fn date(d: Option<DateTime<Utc>>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "never".into())
}

/// Who a role's trust policy lets in (computed once per dataset by the posture engine).
pub fn trust_principals<'a>(data: &'a Dataset, role_arn: &str) -> &'a [String] {
    data.trust
        .get(role_arn)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn kv<'a>(k: &str, v: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k:<16}"), theme.dimmed()),
        Span::styled(v, theme.text()),
    ])
}

pub fn user_facts(u: &IamUser, now: DateTime<Utc>, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        kv(
            "Created",
            format!(
                "{} ({})",
                date(Some(u.create_date)),
                days_ago(u.create_date, now)
            ),
            theme,
        ),
        kv(
            "Console",
            match &u.login_profile {
                Some(_) => format!("yes · password last used {}", date(u.password_last_used)),
                None => "no".into(),
            },
            theme,
        ),
        kv(
            "MFA",
            if u.mfa_devices.is_empty() {
                "none".into()
            } else {
                u.mfa_devices
                    .iter()
                    .map(|m| {
                        format!(
                            "{} ({})",
                            m.serial_number,
                            if m.is_virtual() {
                                "virtual"
                            } else {
                                "hardware"
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            theme,
        ),
        kv(
            "Groups",
            if u.group_list.is_empty() {
                "none".into()
            } else {
                u.group_list.join(", ")
            },
            theme,
        ),
    ];
    let attached: Vec<String> = u
        .attached_managed_policies
        .iter()
        .map(|p| p.policy_name.clone())
        .collect();
    let inline: Vec<String> = u
        .user_policy_list
        .iter()
        .map(|p| p.policy_name.clone())
        .collect();
    out.push(kv(
        "Policies",
        if attached.is_empty() {
            "none attached directly".into()
        } else {
            attached.join(", ")
        },
        theme,
    ));
    if !inline.is_empty() {
        out.push(kv("Inline policies", inline.join(", "), theme));
    }
    if u.access_keys.is_empty() {
        out.push(kv("Access keys", "none".into(), theme));
    }
    for (i, k) in u.access_keys.iter().enumerate() {
        let last = match &k.last_used {
            Some(l) if l.last_used_date.is_some() => format!(
                "last used {} ({}) with {} in {}",
                date(l.last_used_date),
                l.last_used_date
                    .map(|d| days_ago(d, now))
                    .unwrap_or_default(),
                l.service_name.as_deref().unwrap_or("?"),
                l.region.as_deref().unwrap_or("?")
            ),
            _ => "never used".into(),
        };
        let style = if k.is_active() {
            theme.text()
        } else {
            theme.dimmed()
        };
        out.push(Line::from(vec![
            Span::styled(
                format!("{:<16}", if i == 0 { "Access keys" } else { "" }),
                theme.dimmed(),
            ),
            Span::styled(
                format!(
                    "{} {} · {} days old · {}",
                    k.access_key_id,
                    k.status,
                    age_days(k.create_date, now),
                    last
                ),
                style,
            ),
        ]));
    }
    let tags: Vec<String> = u
        .tags
        .iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect();
    out.push(kv(
        "Tags",
        if tags.is_empty() {
            "none".into()
        } else {
            tags.join(", ")
        },
        theme,
    ));
    out
}

/// 3600 -> "1h", 5400 -> "1h 30m", 900 -> "15m".
fn session_length(secs: i32) -> String {
    let (h, m) = (secs / 3600, secs % 3600 / 60);
    match (h, m) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

pub fn role_facts(
    r: &IamRole,
    trust: &[String],
    now: DateTime<Utc>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut out = vec![kv(
        "Created",
        format!(
            "{} ({})",
            date(Some(r.create_date)),
            days_ago(r.create_date, now)
        ),
        theme,
    )];
    if let Some(d) = &r.description {
        out.push(kv("Description", d.clone(), theme));
    }
    if let Some(secs) = r.max_session_duration {
        out.push(kv("Max session", session_length(secs), theme));
    }
    let last = r.role_last_used.as_ref().and_then(|l| l.last_used_date);
    out.push(kv(
        "Last used",
        match last {
            Some(d) => format!("{} ({})", date(Some(d)), days_ago(d, now)),
            None => "never (or not in the tracking period)".into(),
        },
        theme,
    ));
    for (i, p) in trust.iter().cloned().enumerate() {
        out.push(kv(if i == 0 { "Trusted by" } else { "" }, p, theme));
    }
    let attached: Vec<String> = r
        .attached_managed_policies
        .iter()
        .map(|p| p.policy_name.clone())
        .collect();
    out.push(kv(
        "Policies",
        if attached.is_empty() {
            "none".into()
        } else {
            attached.join(", ")
        },
        theme,
    ));
    let inline: Vec<String> = r
        .role_policy_list
        .iter()
        .map(|p| p.policy_name.clone())
        .collect();
    if !inline.is_empty() {
        out.push(kv("Inline policies", inline.join(", "), theme));
    }
    let tags: Vec<String> = r
        .tags
        .iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect();
    if !tags.is_empty() {
        out.push(kv("Tags", tags.join(", "), theme));
    }
    out
}

/// IAM facts for any principal or policy ARN; empty when the inventory does not know it.
pub fn facts(data: &Dataset, arn: &str, theme: &Theme) -> Vec<Line<'static>> {
    let Some(iam) = &data.iam else {
        return Vec::new();
    };
    let now = data.captured_at;
    if let Some(u) = iam.user_by_arn(arn) {
        return user_facts(u, now, theme);
    }
    if let Some(r) = iam.role_by_arn(arn) {
        return role_facts(r, trust_principals(data, &r.arn), now, theme);
    }
    if let Some(g) = iam.group_by_arn(arn) {
        let members: Vec<&str> = iam
            .user_detail_list
            .iter()
            .filter(|u| u.group_list.contains(&g.group_name))
            .map(|u| u.user_name.as_str())
            .collect();
        let pols: Vec<&str> = g
            .attached_managed_policies
            .iter()
            .map(|p| p.policy_name.as_str())
            .chain(g.group_policy_list.iter().map(|p| p.policy_name.as_str()))
            .collect();
        return vec![
            kv(
                "Members",
                if members.is_empty() {
                    "none".into()
                } else {
                    members.join(", ")
                },
                theme,
            ),
            kv(
                "Policies",
                if pols.is_empty() {
                    "none".into()
                } else {
                    pols.join(", ")
                },
                theme,
            ),
        ];
    }
    if let Some(p) = iam.policy(arn) {
        let mut out = vec![
            kv(
                "Managed by",
                if p.is_aws_managed() {
                    "AWS managed".into()
                } else {
                    "customer managed".into()
                },
                theme,
            ),
            kv("Attachments", p.attachment_count.to_string(), theme),
            kv("Version", p.default_version_id.clone(), theme),
        ];
        // The document itself is the page's Document tab (scrollable, never cut off).
        let statements = match &p.document["Statement"] {
            serde_json::Value::Array(a) => a.len(),
            serde_json::Value::Null => 0,
            _ => 1,
        };
        out.push(kv(
            "Document",
            format!("{statements} statement(s) · h/l: read it"),
            theme,
        ));
        return out;
    }
    Vec::new()
}

/// One IAM table row before it is fitted: its cells and its style.
type IamRow = (Vec<Span<'static>>, ratatui::style::Style);

pub fn render(data: &Dataset, v: &IamView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let tabs: Vec<String> = IamTab::ALL
        .iter()
        .map(|t| {
            if *t == v.tab {
                format!("[{}]", t.label())
            } else {
                t.label().to_string()
            }
        })
        .collect();
    let mut title = format!("IAM {} [{}]", tabs.join(" "), v.list.rows.len());
    if !v.list.filter.is_empty() {
        title.push_str(&format!(" /{}", v.list.filter));
    }
    let blk = block(
        elide(&title, area.width.saturating_sub(4) as usize, Elide::End).into_owned(),
        theme,
    );
    let Some(iam) = &data.iam else {
        frame.render_widget(
            Paragraph::new("No IAM inventory in this dataset.")
                .style(theme.dimmed())
                .block(blk),
            area,
        );
        return;
    };
    let now = data.captured_at;
    let h = area.height.saturating_sub(3) as usize;
    let c = v.list.cursor;
    let offset = c.window(h);
    let visible = v.list.rows.iter().enumerate().skip(offset).take(h);
    let findings_on = |arn: &str| {
        data.resources
            .get(arn)
            .map(|r| r.findings.len())
            .unwrap_or(0)
    };
    let sel = |i: usize| {
        if i == c.selected {
            theme.selected()
        } else {
            theme.text()
        }
    };
    // Cells are cut to their column's width with "…" below, never silently.
    let (header, widths, rows): (Vec<&str>, Vec<Constraint>, Vec<IamRow>) = match v.tab {
        IamTab::Users => (
            vec![
                "USER",
                "CONSOLE",
                "MFA",
                "KEYS",
                "OLDEST KEY",
                "KEY LAST USED",
                "GROUPS",
                "FINDINGS",
                "TAGS",
            ],
            if area.width >= 120 {
                vec![
                    Constraint::Length(18),
                    Constraint::Length(8),
                    Constraint::Length(5),
                    Constraint::Length(5),
                    Constraint::Length(10),
                    Constraint::Length(13),
                    Constraint::Length(22),
                    Constraint::Length(8),
                    Constraint::Fill(1),
                ]
            } else {
                // Narrow: the user name keeps its room; the rest give way (cut with "…").
                vec![
                    Constraint::Length(18),
                    Constraint::Length(7),
                    Constraint::Length(3),
                    Constraint::Length(4),
                    Constraint::Length(7),
                    Constraint::Length(10),
                    Constraint::Length(10),
                    Constraint::Length(8),
                    Constraint::Fill(1),
                ]
            },
            visible
                .map(|(i, &ri)| {
                    let u = &iam.user_detail_list[ri];
                    let active = u.active_keys().count();
                    let oldest = u.active_keys().map(|k| age_days(k.create_date, now)).max();
                    let last = u
                        .access_keys
                        .iter()
                        .filter_map(|k| k.last_used_date())
                        .max();
                    (
                        vec![
                            Span::from(u.user_name.clone()),
                            Span::from(if u.has_console() { "yes" } else { "no" }),
                            (Span::styled(
                                if u.has_mfa() { "yes" } else { "NO" },
                                if u.has_mfa() || !u.has_console() {
                                    theme.ok()
                                } else {
                                    theme.error()
                                },
                            )),
                            Span::from(format!("{active}/{}", u.access_keys.len())),
                            Span::from(
                                oldest
                                    .map(|d| format!("{d}d"))
                                    .unwrap_or_else(|| "-".into()),
                            ),
                            Span::from(
                                last.map(|d| d.format("%Y-%m-%d").to_string())
                                    .unwrap_or_else(|| "-".into()),
                            ),
                            Span::from(u.group_list.join(",")),
                            Span::from(findings_on(&u.arn).to_string()),
                            Span::from(
                                u.tags
                                    .iter()
                                    .map(|t| format!("{}={}", t.key, t.value))
                                    .collect::<Vec<_>>()
                                    .join(" "),
                            ),
                        ],
                        sel(i),
                    )
                })
                .collect(),
        ),
        IamTab::Roles => (
            vec!["ROLE", "TRUSTED BY", "LAST USED", "POLICIES", "FINDINGS"],
            vec![
                // Room for the longest service-role names where there is room for it.
                Constraint::Length(if area.width >= 120 { 34 } else { 24 }),
                Constraint::Fill(2),
                Constraint::Length(11),
                Constraint::Fill(1),
                Constraint::Length(8),
            ],
            visible
                .map(|(i, &ri)| {
                    let r = &iam.role_detail_list[ri];
                    (
                        vec![
                            Span::from(r.role_name.clone()),
                            Span::from(trust_principals(data, &r.arn).join("; ")),
                            Span::from(date(
                                r.role_last_used.as_ref().and_then(|l| l.last_used_date),
                            )),
                            Span::from(
                                r.attached_managed_policies
                                    .iter()
                                    .map(|p| p.policy_name.as_str())
                                    .chain(
                                        r.role_policy_list.iter().map(|p| p.policy_name.as_str()),
                                    )
                                    .collect::<Vec<_>>()
                                    .join(","),
                            ),
                            Span::from(findings_on(&r.arn).to_string()),
                        ],
                        sel(i),
                    )
                })
                .collect(),
        ),
        IamTab::Groups => (
            vec!["GROUP", "MEMBERS", "POLICIES", "FINDINGS"],
            vec![
                Constraint::Length(24),
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Length(8),
            ],
            visible
                .map(|(i, &ri)| {
                    let g = &iam.group_detail_list[ri];
                    let members = iam
                        .user_detail_list
                        .iter()
                        .filter(|u| u.group_list.contains(&g.group_name))
                        .count();
                    (
                        vec![
                            Span::from(g.group_name.clone()),
                            Span::from(members.to_string()),
                            Span::from(
                                g.attached_managed_policies
                                    .iter()
                                    .map(|p| p.policy_name.as_str())
                                    .chain(
                                        g.group_policy_list.iter().map(|p| p.policy_name.as_str()),
                                    )
                                    .collect::<Vec<_>>()
                                    .join(","),
                            ),
                            Span::from(findings_on(&g.arn).to_string()),
                        ],
                        sel(i),
                    )
                })
                .collect(),
        ),
        IamTab::Policies => (
            vec!["POLICY", "TYPE", "ATTACHED", "UPDATED", "FINDINGS"],
            vec![
                Constraint::Fill(1),
                Constraint::Length(9),
                Constraint::Length(8),
                Constraint::Length(11),
                Constraint::Length(8),
            ],
            visible
                .map(|(i, &ri)| {
                    let p = &iam.policies[ri];
                    (
                        vec![
                            Span::from(p.policy_name.clone()),
                            Span::from(if p.is_aws_managed() {
                                "AWS"
                            } else {
                                "customer"
                            }),
                            Span::from(p.attachment_count.to_string()),
                            Span::from(p.update_date.format("%Y-%m-%d").to_string()),
                            Span::from(findings_on(&p.arn).to_string()),
                        ],
                        sel(i),
                    )
                })
                .collect(),
        ),
    };
    let inner = Rect {
        width: area.width.saturating_sub(2),
        ..area
    };
    // As `Table` lays its columns out (Flex::Start, spacing 1).
    let cols = Layout::horizontal(widths.clone())
        .flex(ratatui::layout::Flex::Start)
        .spacing(1)
        .split(inner);
    let fit = |span: Span<'static>, w: u16| {
        let text = elide(&span.content, w as usize, Elide::End).into_owned();
        Cell::from(Span::styled(text, span.style))
    };
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|(cells, style)| {
            let cells = cells
                .into_iter()
                .zip(cols.iter())
                .map(|(c, r)| fit(c, r.width));
            Row::new(cells.collect::<Vec<_>>()).style(style)
        })
        .collect();
    let header: Vec<Cell> = header
        .into_iter()
        .zip(cols.iter())
        .map(|(h, r)| fit(Span::raw(h), r.width))
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .block(blk)
        .column_spacing(1);
    frame.render_widget(table, area);
    let _ = Line::default();
}

impl super::Draw for crate::app::views::iam::IamView {
    fn draw(&self, cx: &super::DrawCx, frame: &mut Frame, area: Rect) {
        render(cx.data, self, cx.theme, frame, area)
    }
}
