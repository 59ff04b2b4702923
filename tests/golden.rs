//! Golden outputs (issue 21): what jixiao writes for every input set, kept as SHA-256 digests
//! in `tests/golden/`, so that a change meant to leave the outputs as they were (a refactor)
//! proves it byte for byte, as `scripts/same-outputs` does against an older binary.
//!
//! The input sets are those of `scripts/same-outputs`: samples/2023, samples/stacked,
//! samples/variants, each workbook of tests/fixtures/real/ and each hostile
//! tests/fixtures/*.xls*. Each set is converted by the binary
//! (`convert IN -o out.xlsx --json out.json --csv csv`) and checked
//! (`check IN --format json`); its golden file lists the exit code and the digests of what
//! each command printed, of the workbook (the whole file and every part of the package), of
//! the JSON and of each CSV file. Text outputs also keep a 16-bit fingerprint per line, so
//! that a difference names the first line that differs, not only the file.
//!
//! `JIXIAO_BLESS=1 cargo test --test golden` rewrites the golden files from the code as it
//! is (and removes those of input sets that are gone). Otherwise a difference fails naming
//! the input set, the output or part that differs and, for a text output, its first
//! differing line as written now.
//!
//! Nothing is normalized: the outputs hold no time (the workbook's document properties carry
//! a fixed date, `template::layout::deterministic_workbook`), no temporary name (outputs are
//! written through a temporary file renamed into place) and no absolute path. They do hold
//! paths as given on the command line (the JSON's inputs, the summary line on stderr), so
//! each set runs in a temporary folder holding a copy of its input at the same relative path,
//! with relative output paths: every run sees the same paths. Unix only: on Windows the paths
//! found in a folder are printed with `\` and the zip records another host.
#![cfg(unix)]

mod common;

use common::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;

/// The input sets, as paths relative to the crate root, in the order of
/// `scripts/same-outputs`.
fn input_sets() -> Vec<String> {
    let mut sets: Vec<String> = ["samples/2023", "samples/stacked", "samples/variants"]
        .map(String::from)
        .to_vec();
    for dir in ["tests/fixtures/real", "tests/fixtures"] {
        let mut files: Vec<String> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                p.is_file() && (ext.starts_with("xls") || ext == "ods")
            })
            .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_str().unwrap()))
            .collect();
        files.sort();
        sets.extend(files);
    }
    sets
}

/// The golden file of an input set: `tests/golden/samples_2023.txt`,
/// `tests/golden/fixtures_real_central-pku-2019.xlsx.txt`.
fn golden_path(set: &str) -> std::path::PathBuf {
    let name = set.strip_prefix("tests/").unwrap_or(set).replace('/', "_");
    root().join("tests/golden").join(format!("{name}.txt"))
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Lines of a text output as they are compared: split at `\n`, each kept whole.
fn lines(text: &[u8]) -> Vec<&[u8]> {
    if text.is_empty() {
        return Vec::new();
    }
    text.strip_suffix(b"\n")
        .unwrap_or(text)
        .split(|b| *b == b'\n')
        .collect()
}

/// A line's fingerprint: the first 16 bits of its SHA-256, in hex. Enough to point at the
/// first differing line (the whole output's digest decides whether it differs at all).
fn fingerprint(line: &[u8]) -> String {
    sha256(line)[..4].to_string()
}

/// Fingerprints per golden-file row.
const PER_ROW: usize = 64;

/// What one input set gave: (what, digest) in the order written, and the text outputs by
/// their digest.
#[derive(Default)]
struct Record {
    entries: Vec<(String, String)>,
    texts: BTreeMap<String, Vec<u8>>,
}

impl Record {
    fn add(&mut self, what: impl Into<String>, value: impl Into<String>) {
        self.entries.push((what.into(), value.into()));
    }

    fn add_text(&mut self, what: impl Into<String>, bytes: Vec<u8>) {
        let digest = sha256(&bytes);
        self.add(what, digest.clone());
        self.texts.insert(digest, bytes);
    }

    /// The golden file's text.
    fn render(&self, set: &str) -> String {
        let mut s = format!(
            "# jixiao's outputs for {set} (tests/golden.rs), run in a folder holding a copy of it:\n\
             #   jixiao convert {set} -o out.xlsx --json out.json --csv csv\n\
             #   jixiao check {set} --format json\n\
             # JIXIAO_BLESS=1 cargo test --test golden rewrites this file.\n"
        );
        for (what, value) in &self.entries {
            let _ = writeln!(s, "{what}\t{value}");
        }
        for (digest, text) in &self.texts {
            let prints: Vec<String> = lines(text).iter().map(|l| fingerprint(l)).collect();
            let _ = writeln!(s, "lines\t{digest}\t{}", prints.len());
            for row in prints.chunks(PER_ROW) {
                let _ = writeln!(s, "  {}", row.concat());
            }
        }
        s
    }
}

/// A golden file read back: its entries and the line fingerprints of its text outputs.
struct Golden {
    entries: Vec<(String, String)>,
    prints: BTreeMap<String, Vec<String>>,
}

fn parse(text: &str) -> Golden {
    let mut g = Golden {
        entries: Vec::new(),
        prints: BTreeMap::new(),
    };
    let mut last = None;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if let Some(row) = line.strip_prefix("  ") {
            let digest: &String = last.as_ref().expect("fingerprints follow a lines row");
            let prints = g.prints.get_mut(digest).unwrap();
            prints.extend((0..row.len() / 4).map(|i| row[i * 4..i * 4 + 4].to_string()));
        } else if let Some(rest) = line.strip_prefix("lines\t") {
            let digest = rest.split('\t').next().unwrap().to_string();
            g.prints.insert(digest.clone(), Vec::new());
            last = Some(digest);
        } else if let Some((what, value)) = line.split_once('\t') {
            g.entries.push((what.to_string(), value.to_string()));
        }
    }
    g
}

/// Copies a file, or a folder with everything in it, to `to`.
fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

fn exit(o: &std::process::Output) -> String {
    o.status.code().map_or("killed".into(), |c| c.to_string())
}

/// Converts and checks one input set, as the golden file records it.
fn run(set: &str) -> Record {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    copy(&root().join(set), &here.join(set));
    let mut r = Record::default();

    let o = jixiao_in(
        here,
        &[
            "convert", set, "-o", "out.xlsx", "--json", "out.json", "--csv", "csv",
        ],
    );
    r.add("convert exit", exit(&o));
    r.add_text("convert stdout", o.stdout);
    r.add_text("convert stderr", o.stderr);
    let xlsx = here.join("out.xlsx");
    if xlsx.exists() {
        let bytes = std::fs::read(&xlsx).unwrap();
        r.add("out.xlsx", sha256(&bytes));
        for (name, body) in parts(&bytes) {
            r.add(format!("out.xlsx!{name}"), sha256(&body));
        }
    }
    let json = here.join("out.json");
    if json.exists() {
        r.add_text("out.json", std::fs::read(&json).unwrap());
    }
    let csv = here.join("csv");
    if csv.exists() {
        let mut names: Vec<String> = std::fs::read_dir(&csv)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        for n in names {
            r.add_text(format!("csv/{n}"), std::fs::read(csv.join(&n)).unwrap());
        }
    }

    let o = jixiao_in(here, &["check", set, "--format", "json"]);
    r.add("check exit", exit(&o));
    r.add_text("check stdout", o.stdout);
    r.add_text("check stderr", o.stderr);
    r
}

/// Why `now` is not the golden file `was` of `set`: each output or part that differs, a
/// text output with its first differing line.
fn differences(set: &str, was: &str, now: &Record) -> Vec<String> {
    let g = parse(was);
    let before: BTreeMap<&str, &str> = g
        .entries
        .iter()
        .map(|(w, v)| (w.as_str(), v.as_str()))
        .collect();
    let after: BTreeMap<&str, &str> = now
        .entries
        .iter()
        .map(|(w, v)| (w.as_str(), v.as_str()))
        .collect();
    let mut out = Vec::new();
    for (what, value) in &now.entries {
        match before.get(what.as_str()) {
            None => out.push(format!("{set}: {what} is new (not in the golden file)")),
            Some(old) if *old != value => {
                let mut m = format!("{set}: {what} differs");
                if what.ends_with(" exit") {
                    let _ = write!(m, ": was {old}, now {value}");
                } else if let Some(text) = now.texts.get(value) {
                    m += &first_difference(g.prints.get(*old), text);
                }
                out.push(m);
            }
            Some(_) => {}
        }
    }
    for (what, _) in &g.entries {
        if !after.contains_key(what.as_str()) {
            out.push(format!("{set}: {what} is no longer written"));
        }
    }
    if out.is_empty() && g.entries != now.entries {
        out.push(format!(
            "{set}: the same outputs and parts, in another order (the workbook's parts?)"
        ));
    }
    if out.is_empty() {
        out.push(format!(
            "{set}: the golden file is not as the test writes it (edited by hand?)"
        ));
    }
    out
}

/// Where a text output first differs from the golden line fingerprints `was`.
fn first_difference(was: Option<&Vec<String>>, text: &[u8]) -> String {
    let Some(was) = was else {
        return " (the golden file has no lines for it)".into();
    };
    let now = lines(text);
    for (i, line) in now.iter().enumerate() {
        if was.get(i) != Some(&fingerprint(line)) {
            let what = if i < was.len() { "now" } else { "added" };
            return format!(
                "; first differing line {} of {} ({what}): {}",
                i + 1,
                now.len(),
                String::from_utf8_lossy(line)
            );
        }
    }
    format!(
        "; its {} lines are the first {} it had (lines removed at the end)",
        now.len(),
        was.len()
    )
}

#[test]
fn outputs_are_as_the_golden_files_record() {
    let started = std::time::Instant::now();
    let sets = input_sets();
    assert!(sets.len() >= 25, "input sets missing: {sets:?}");
    // One worker per core: each set is two short runs of the binary.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let queue = Mutex::new(sets.iter());
    let records = Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let Some(set) = queue.lock().unwrap().next() else {
                        break;
                    };
                    let r = run(set);
                    records.lock().unwrap().insert(set.clone(), r);
                }
            });
        }
    });
    let records = records.into_inner().unwrap();
    let bless = std::env::var_os("JIXIAO_BLESS").is_some_and(|v| v == "1");
    let dir = root().join("tests/golden");
    let mut failures = Vec::new();
    for set in &sets {
        let now = records[set].render(set);
        let path = golden_path(set);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &now).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Err(_) => failures.push(format!(
                "{set}: no golden file {} (JIXIAO_BLESS=1 cargo test --test golden writes it)",
                path.display()
            )),
            Ok(was) if was != now => failures.extend(differences(set, &was, &records[set])),
            Ok(_) => {}
        }
    }
    // A golden file whose input set is gone.
    let known: Vec<_> = sets.iter().map(|s| golden_path(s)).collect();
    for e in std::fs::read_dir(&dir).into_iter().flatten() {
        let p = e.unwrap().path();
        if !known.contains(&p) {
            if bless {
                std::fs::remove_file(&p).unwrap();
            } else {
                failures.push(format!(
                    "{}: a golden file of no input set (removed by JIXIAO_BLESS=1)",
                    p.display()
                ));
            }
        }
    }
    eprintln!(
        "golden: {} input sets in {:.2} s ({workers} workers){}",
        sets.len(),
        started.elapsed().as_secs_f64(),
        if bless { ", golden files written" } else { "" }
    );
    assert!(
        failures.is_empty(),
        "outputs differ from tests/golden/ (JIXIAO_BLESS=1 cargo test --test golden accepts \
         them, if the change is meant):\n{}",
        failures.join("\n")
    );
}
