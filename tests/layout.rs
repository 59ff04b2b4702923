//! The layout of the code (docs/architecture.md), checked: the library's top-level modules
//! import one another without a cycle, and the writers render a batch without reaching
//! into the batch module or a rule's internals.
//!
//! A module's imports are every `crate::…` path in its files (a `use` line or a path in
//! code, `crate::{a, b}` groups too), leaving out comments and `#[cfg(test)]` items: tests
//! may use any stage to build what they test. `LAYOUT_SRC=<dir>` checks another tree
//! (an older checkout, to see the check fail).

mod common;

use common::root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The code of a Rust file without its comments, string and char literals (blanked, line
/// breaks kept so line numbers hold) and without its `#[cfg(test)]` items.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend(s.iter().map(|&c| if c == b'\n' { b'\n' } else { b' ' }))
    };
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"/*") {
            let end = rest[2..]
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(rest.len(), |p| p + 4);
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"r\"") || rest.starts_with(b"r#") || rest.starts_with(b"br") {
            // A raw string: r"…", r#"…"#, br#"…"#.
            let start = if rest[0] == b'b' { 2 } else { 1 };
            let hashes = rest[start..].iter().take_while(|&&c| c == b'#').count();
            if rest.get(start + hashes) != Some(&b'"') {
                out.push(b[i]);
                i += 1;
                continue;
            }
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let body = start + hashes + 1;
            let end = rest[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(rest.len(), |p| body + p + close.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'\'' {
            // A char literal ('x', '\n', '\u{..}', '"') and not a lifetime ('a).
            let end = if rest.get(1) == Some(&b'\\') {
                rest[2..].iter().position(|&c| c == b'\'').map(|p| p + 3)
            } else {
                let ch = std::str::from_utf8(&rest[1..rest.len().min(6)])
                    .ok()
                    .or_else(|| {
                        (2..=5)
                            .rev()
                            .find_map(|n| std::str::from_utf8(&rest[1..rest.len().min(n)]).ok())
                    })
                    .and_then(|s| s.chars().next());
                ch.map(|c| 1 + c.len_utf8())
                    .filter(|&n| rest.get(n) == Some(&b'\''))
                    .map(|n| n + 1)
            };
            match end {
                Some(end) => {
                    blank(&mut out, &rest[..end]);
                    i += end;
                }
                None => {
                    out.push(b'\'');
                    i += 1;
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    let code = String::from_utf8(out).expect("blanking keeps UTF-8");
    without_test_items(&code)
}

/// `code` without each `#[cfg(test)]` attribute and the item it is on (a block to its
/// matching brace, or a declaration to its `;`), blanked.
fn without_test_items(code: &str) -> String {
    let mut b = code.as_bytes().to_vec();
    let mut from = 0;
    while let Some(p) = code[from..].find("#[cfg(test)]").map(|p| p + from) {
        let mut depth = 0usize;
        let mut end = b.len();
        for (j, &c) in b.iter().enumerate().skip(p + "#[cfg(test)]".len()) {
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    end = j + 1;
                    break;
                }
                _ => {}
            }
        }
        for c in &mut b[p..end] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
        from = end;
    }
    String::from_utf8(b).expect("blanking keeps UTF-8")
}

/// The top-level modules the library declares (`mod x;` in lib.rs), and the names lib.rs
/// re-exports from one of them (`pub use error::{Error, Result}`, `pub use wording as vocab`).
fn modules(src: &Path) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let lib = code_only(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut mods = BTreeSet::new();
    let mut aliases = BTreeMap::new();
    for line in lib.lines().map(str::trim) {
        let line = line.trim_start_matches("pub ");
        if let Some(m) = line.strip_prefix("mod ") {
            mods.insert(m.trim_end_matches(';').trim().to_string());
        } else if let Some(u) = line.strip_prefix("use ") {
            let u = u.trim_end_matches(';');
            if let Some((m, names)) = u.split_once("::") {
                for n in names.trim_matches(|c| c == '{' || c == '}').split(',') {
                    aliases.insert(n.trim().to_string(), m.trim().to_string());
                }
            } else if let Some((m, alias)) = u.split_once(" as ") {
                aliases.insert(alias.trim().to_string(), m.trim().to_string());
            }
        }
    }
    (mods, aliases)
}

/// Every `.rs` file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The first name of each path in a `crate::{…}` group (`a`, `b::c` → a, b), nested
/// groups included only by their first name.
fn group_heads(group: &str) -> Vec<&str> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    heads.push(&group[start..]);
    heads
        .into_iter()
        .map(|h| {
            let h = h.trim();
            let end = h
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(h.len());
            &h[..end]
        })
        .filter(|h| !h.is_empty())
        .collect()
}

/// One import: the module it reaches, the path as written, where.
struct Import {
    to: String,
    path: String,
    at: String,
}

/// Every top-level module's imports of the others.
fn imports(src: &Path) -> BTreeMap<String, Vec<Import>> {
    let (mods, aliases) = modules(src);
    let mut out: BTreeMap<String, Vec<Import>> = BTreeMap::new();
    for file in files(src) {
        let rel = file.strip_prefix(src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if !mods.contains(&module) {
            continue; // lib.rs, and the binary's main.rs, desk.rs, zh.rs
        }
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        for (n, line) in code.lines().enumerate() {
            let mut rest = line;
            while let Some(p) = rest.find("crate::") {
                let before = rest[..p].chars().next_back();
                let after = &rest[p + "crate::".len()..];
                rest = after;
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // `jixiao_crate::`, not ours
                }
                let heads = if after.starts_with('{') {
                    // The group may span lines: take it from the rest of the file.
                    let from = code.lines().skip(n).collect::<Vec<_>>().join("\n");
                    let g_start = from.find("crate::{").map_or(0, |q| q + "crate::{".len());
                    let body = &from[g_start..];
                    let mut depth = 1;
                    let end = body
                        .char_indices()
                        .find(|&(_, c)| {
                            match c {
                                '{' => depth += 1,
                                '}' => depth -= 1,
                                _ => {}
                            }
                            depth == 0
                        })
                        .map_or(body.len(), |(i, _)| i);
                    group_heads(&body[..end])
                        .into_iter()
                        .map(String::from)
                        .collect()
                } else {
                    let end = after
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(after.len());
                    vec![after[..end].to_string()]
                };
                for h in heads {
                    let to = aliases.get(&h).cloned().unwrap_or(h);
                    if mods.contains(&to) && to != module {
                        let shown = line.trim().chars().take(100).collect::<String>();
                        out.entry(module.clone()).or_default().push(Import {
                            to,
                            path: shown,
                            at: format!("src/{}:{}", rel.display(), n + 1),
                        });
                    }
                }
            }
        }
    }
    out
}

fn src_dir() -> PathBuf {
    std::env::var_os("LAYOUT_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("src"))
}

/// A cycle among the modules, as the imports that make it, if there is one.
fn find_cycle(graph: &BTreeMap<String, Vec<Import>>) -> Option<Vec<&Import>> {
    fn visit<'a>(
        m: &str,
        graph: &'a BTreeMap<String, Vec<Import>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<&'a Import>,
        on_path: &mut Vec<String>,
    ) -> Option<Vec<&'a Import>> {
        if let Some(i) = on_path.iter().position(|x| x == m) {
            return Some(path[i..].to_vec());
        }
        if done.contains(m) {
            return None;
        }
        on_path.push(m.to_string());
        let mut seen = BTreeSet::new();
        for imp in graph.get(m).into_iter().flatten() {
            if !seen.insert(&imp.to) {
                continue;
            }
            path.push(imp);
            if let Some(c) = visit(&imp.to, graph, done, path, on_path) {
                return Some(c);
            }
            path.pop();
        }
        on_path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(c) = visit(m, graph, &mut done, &mut Vec::new(), &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

/// Imports left out of the cycle check, each with why, until they go: the check fails
/// too when one no longer exists, so this list only shrinks.
// None left: wording depends on nothing, normalize parses with its words.
const KNOWN: &[(&str, &str, &str)] = &[];

#[test]
fn no_import_cycle_between_top_level_modules() {
    let mut graph = imports(&src_dir());
    for (from, to, _) in KNOWN {
        let edges = graph.get_mut(*from).expect("a module");
        let n = edges.len();
        edges.retain(|i| i.to != *to);
        assert!(
            edges.len() < n,
            "{from} no longer imports {to}: take it off KNOWN"
        );
    }
    // `cargo test --test layout -- --nocapture` prints the graph.
    for (m, edges) in &graph {
        let to: BTreeSet<&str> = edges.iter().map(|i| i.to.as_str()).collect();
        println!("{m} → {}", to.into_iter().collect::<Vec<_>>().join(", "));
    }
    assert!(
        graph.values().map(Vec::len).sum::<usize>() > 20,
        "the check sees the imports"
    );
    if let Some(cycle) = find_cycle(&graph) {
        let shown: Vec<String> = cycle
            .iter()
            .map(|i| format!("  → {} at {}: {}", i.to, i.at, i.path))
            .collect();
        panic!("an import cycle:\n{}", shown.join("\n"));
    }
}

#[test]
fn the_writers_render_a_batch_without_the_batch_module_or_rule_internals() {
    let graph = imports(&src_dir());
    let bad: Vec<String> = graph
        .get("write")
        .into_iter()
        .flatten()
        .filter(|i| match i.to.as_str() {
            "batch" | "convert" | "locate" | "extract" => true,
            // The public catalogue (说明 lists every rule), nothing else of the rules.
            "rules" => {
                !(i.path.contains("rules::CATALOGUE") || i.path.ends_with("use crate::rules;"))
            }
            _ => false,
        })
        .map(|i| format!("{}: {}", i.at, i.path))
        .collect();
    assert!(bad.is_empty(), "write imports:\n{}", bad.join("\n"));
    // `use crate::rules;` brings the module in: then only its catalogue is named.
    let src = src_dir().join("write");
    for file in files(&src) {
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        for (n, line) in code.lines().enumerate() {
            for (p, _) in line.match_indices("rules::") {
                let name = &line[p + "rules::".len()..];
                assert!(
                    name.starts_with("CATALOGUE"),
                    "{}:{}: {}",
                    file.display(),
                    n + 1,
                    line.trim()
                );
            }
        }
    }
}

#[test]
fn own_files_are_known_in_one_module_that_imports_only_the_reader() {
    let graph = imports(&src_dir());
    let own: BTreeSet<&str> = graph
        .get("own")
        .into_iter()
        .flatten()
        .map(|i| i.to.as_str())
        .collect();
    // It reads a file's 说明 sheet through `read` (the only module naming calamine); the
    // readers know no marker: the batch tells them which sheet to read first.
    assert!(
        own.iter().all(|m| ["grid", "error", "read"].contains(m)),
        "own imports {own:?}"
    );
    // The markers are spelled once, in own.rs.
    for file in files(&src_dir()) {
        let text = std::fs::read_to_string(&file).unwrap();
        if file.ends_with("own.rs") {
            continue;
        }
        for marker in [
            "\"jixiao 汇总输出",
            "\"jixiao 问题反馈",
            "\"jixiao 抽查底稿",
            "\"jixiao 复核结果",
            "\".jixiao-\"",
        ] {
            assert!(
                !text.contains(marker),
                "{} spells {marker} (use crate::own)",
                file.display()
            );
        }
    }
}

#[test]
fn the_lexer_leaves_out_comments_strings_and_tests() {
    let code = "use crate::a; // crate::b\nlet s = \"crate::c\"; let r = r#\"crate::d\"#;\n\
                let c = '{'; fn f<'a>(x: &'a str) {}\n#[cfg(test)]\nmod tests { use crate::e; }\n\
                crate::f::g(); /* crate::h */";
    let kept = code_only(code);
    assert!(kept.contains("crate::a") && kept.contains("crate::f"));
    for gone in ["crate::b", "crate::c", "crate::d", "crate::e", "crate::h"] {
        assert!(!kept.contains(gone), "{gone} in {kept}");
    }
    assert_eq!(kept.lines().count(), code.lines().count());
    assert_eq!(group_heads(" a, b::{c, d}, Error "), ["a", "b", "Error"]);
}
