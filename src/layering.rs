//! Keeps the layering true (docs/architecture.md): no cycle between the top-level modules of
//! `src/`, and the few "never imports" rules. Reads the sources: every `crate::NAME` path in a
//! file under `src/NAME...` is an edge from that file's top-level module to `NAME`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeMap<String, Vec<String>>>;

fn collect(dir: &Path, src: &Path, graph: &mut Graph) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, src, graph);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "main.rs" || rel == "lib.rs" {
            continue;
        }
        let top = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != top {
                    graph
                        .entry(top.clone())
                        .or_default()
                        .entry(name)
                        .or_default()
                        .push(format!("{rel}:{}", n + 1));
                }
            }
        }
    }
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut g = Graph::new();
    collect(&src, &src, &mut g);
    g
}

/// A path from `from` back to itself, if any (depth-first).
fn cycle_through(g: &Graph, from: &str) -> Option<Vec<String>> {
    fn walk(
        g: &Graph,
        target: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in g.get(at).into_iter().flat_map(|e| e.keys()) {
            if next == target {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(g, target, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![from.to_string()];
    walk(g, from, from, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn no_cycle_between_top_level_modules() {
    let g = graph();
    assert!(g.contains_key("app") && g.contains_key("ui"), "{g:?}");
    for m in g.keys() {
        if let Some(cycle) = cycle_through(&g, m) {
            let evidence: Vec<String> = cycle
                .windows(2)
                .map(|w| format!("{} -> {} ({})", w[0], w[1], g[&w[0]][&w[1]][0]))
                .collect();
            panic!("module cycle: {}", evidence.join(", "));
        }
    }
}

#[test]
fn lower_layers_never_import_the_app_or_the_ui() {
    let g = graph();
    let forbidden = [
        ("report", "app"),
        ("remediation", "app"),
        ("ui", "sources"),
        ("ui", "posture"),
        ("ui", "runtime"),
        ("app", "runtime"),
        ("app", "ui"),
    ];
    for (from, to) in forbidden {
        if let Some(at) = g.get(from).and_then(|e| e.get(to)) {
            panic!("{from} must not import {to}: {}", at.join(", "));
        }
    }
}

#[test]
fn the_checker_sees_a_cycle() {
    let mut g = Graph::new();
    g.entry("a".into())
        .or_default()
        .insert("b".into(), vec!["a.rs:1".into()]);
    g.entry("b".into())
        .or_default()
        .insert("a".into(), vec!["b.rs:1".into()]);
    assert_eq!(
        cycle_through(&g, "a"),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
    g.get_mut("b").unwrap().clear();
    assert_eq!(cycle_through(&g, "a"), None);
}
