//! The offline page (issue 20) in a real browser: headless Chromium loads a copy of
//! `dist/web/index.html` (built by `scripts/web`) from `file://` with the four samples
//! embedded (its self-test mode), and the workbook and feedback workbooks the page produces
//! must equal, byte for byte, what the library writes natively for the same files
//! (`convert::run_bytes`). No request may leave the page: every name resolves to nothing,
//! the page's policy blocks any request, and any console message (a blocked request is
//! one) fails the test.
//!
//! Skipped with a message when Chromium or the built page is missing; under `JIXIAO_CI`
//! (`.ci/run`, which installs both) it fails instead.

mod common;

use jixiao::convert::{Shape, run_bytes};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium and the built page, or `None` (the test skips) outside CI.
fn setup() -> Option<(PathBuf, PathBuf)> {
    let chromium = ["chromium", "chromium-browser"].iter().find_map(|b| {
        let ok = Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| PathBuf::from(b))
    });
    let page = common::root().join("dist/web/index.html");
    let ci = std::env::var_os("JIXIAO_CI").is_some();
    match (chromium, page.is_file()) {
        (Some(c), true) => Some((c, page)),
        (c, built) => {
            let why = if c.is_none() {
                "Chromium is missing (apt-get install chromium)"
            } else {
                "the page is not built (scripts/web)"
            };
            assert!(
                !ci,
                "JIXIAO_CI is set but {why}: .ci/run installs Chromium and runs scripts/web; \
                 this test must not be skipped in CI"
            );
            let _ = built;
            eprintln!("SKIPPED: {why}");
            None
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// The samples as a dropped folder `2023` gives them to the page.
fn samples() -> Vec<(String, Vec<u8>)> {
    (1..=4)
        .map(|i| {
            let path = common::root().join(format!("samples/2023/{i}.xlsx"));
            (format!("2023/{i}.xlsx"), std::fs::read(path).unwrap())
        })
        .collect()
}

const FIELDS: [(&str, &str); 5] = [
    ("unit", "某某县财政局"),
    ("date", ""),
    ("deadline", "2024年3月15日"),
    ("contact", "张三"),
    ("phone", "0745-1234567"),
];

/// A copy of the page in `dir` with `script` where the self-test goes.
fn page_with(page: &Path, dir: &Path, script: &str) -> PathBuf {
    let html = std::fs::read_to_string(page).unwrap();
    assert!(
        html.contains("<!--@selftest-->"),
        "the page has no self-test slot"
    );
    let path = dir.join("index.html");
    std::fs::write(&path, html.replacen("<!--@selftest-->", script, 1)).unwrap();
    path
}

/// Loads `page` from file:// in headless Chromium, no name resolving; returns the DOM
/// after the load and the console messages Chromium logged.
fn load(chromium: &Path, page: &Path, profile: &Path) -> (String, Vec<String>) {
    load_with(chromium, page, profile, &[])
}

/// [`load`] with more of Chromium's options.
fn load_with(chromium: &Path, page: &Path, profile: &Path, more: &[&str]) -> (String, Vec<String>) {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .args(more)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let o = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).unwrap();
        s
    });
    let e = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).unwrap();
        s
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(180) {
            child.kill().unwrap();
            panic!("Chromium did not finish within 3 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let (dom, log) = (o.join().unwrap(), e.join().unwrap());
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    (dom, console)
}

/// The text of `<pre id="selftest">` in a dumped DOM.
fn selftest_output(dom: &str) -> serde_json::Value {
    let start = dom
        .find("<pre id=\"selftest\"")
        .unwrap_or_else(|| panic!("no self-test output in the page:\n{dom:.2000}"));
    let rest = &dom[start..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    let text = &rest[..rest.find("</pre>").unwrap()];
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap()
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

/// The same package parts, each byte for byte.
fn same_package(what: &str, page: &[u8], native: &[u8]) {
    let (p, n) = (common::parts(page), common::parts(native));
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    // A page built before the library last changed differs too.
    let stale = "(dist/web/index.html older than the library? run scripts/web)";
    assert_eq!(
        names(&p),
        names(&n),
        "{what}: the package parts differ {stale}"
    );
    for ((name, a), (_, b)) in p.iter().zip(&n) {
        assert!(
            a == b,
            "{what}: part {name} differs {stale}:\npage:   {}\nnative: {}",
            String::from_utf8_lossy(&a[..a.len().min(800)]),
            String::from_utf8_lossy(&b[..b.len().min(800)])
        );
    }
    assert!(
        page == native,
        "{what}: same parts, but the packages differ"
    );
}

#[test]
fn the_page_writes_what_the_library_writes() {
    let Some((chromium, page)) = setup() else {
        return;
    };
    let t = compare(&chromium, &page, &samples());
    if let Some(png) = std::env::var_os("JIXIAO_WEB_SCREENSHOT") {
        // docs/web.png: JIXIAO_WEB_SCREENSHOT=docs/web.png cargo test --test web
        let dir = tempfile::tempdir().unwrap();
        let test_page = page_with(&page, dir.path(), &selftest_script(&samples()));
        let status = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
            ])
            .args([
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--window-size=1280,1500",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .arg(format!("--screenshot={}", Path::new(&png).display()))
            .arg(format!("file://{}", test_page.display()))
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    }
    assert_eq!(t.forms, 4);
    assert_eq!(t.departments, ["靖州县禁毒办.xlsx"]);
    eprintln!(
        "page {} KB; 4 samples in headless Chromium: wasm compiled in {:.0} ms, read and \
         written in {:.0} ms; Chromium start to exit {:.1} s",
        std::fs::metadata(&page).unwrap().len() / 1024,
        t.load_ms,
        t.run_ms,
        t.wall.as_secs_f64()
    );
}

/// The clerk's way through the page: files handed to it as a drop or a picker hands them
/// (`File`s, a folder's names), read one by one with the page repainting between them,
/// the fields filled from the `jixiao设置.txt` among them, the summary and the table shown.
/// Run under Chromium's virtual time, so the page's timers finish before the DOM is dumped.
#[test]
fn the_clerk_s_way_through_the_page() {
    let Some((chromium, page)) = setup() else {
        return;
    };
    let settings = "编制单位 = 测试县财政局\n联系人 = 李四\n评分口径 = hubei2020\n"
        .as_bytes()
        .to_vec();
    let mut files = samples();
    files.push(("2023/jixiao设置.txt".into(), settings.clone()));
    let list: Vec<_> = files
        .iter()
        .map(|(n, b)| serde_json::json!({"name": n, "hex": hex(b)}))
        .collect();
    let script = format!(
        "<script>window.addEventListener('load', async () => {{
           const list = {}.map(f => ({{ name: f.name,
             file: new File([unhex(f.hex)], f.name.split('/').pop()) }}));
           await start(list);
           const pre = document.createElement('pre');
           pre.id = 'selftest';
           pre.style.display = 'none';
           pre.textContent = JSON.stringify({{ unit: $('f-unit').value,
             contact: $('f-contact').value, profile: $('f-profile').value,
             profiles: [...$('f-profile').options].map(o => o.value),
             workbook: hex(outputs.workbook) }});
           document.body.append(pre);
         }});</script>",
        serde_json::Value::from(list)
    );
    let dir = tempfile::tempdir().unwrap();
    let test_page = page_with(&page, dir.path(), &script);
    let profile = dir.path().join("profile");
    let (dom, console) = load_with(
        &chromium,
        &test_page,
        &profile,
        &["--virtual-time-budget=60000"],
    );
    assert!(
        console.is_empty(),
        "the page logged:\n{}",
        console.join("\n")
    );
    let out = selftest_output(&dom);
    assert_eq!(out["unit"], "测试县财政局");
    assert_eq!(out["contact"], "李四");
    // The 评分口径 list holds the built-in profiles; the settings file's alias picked one.
    let names: Vec<String> = jixiao::profile::builtins()
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(out["profiles"], serde_json::json!(names));
    assert_eq!(out["profile"], "湖北2020");
    let parsed = jixiao::settings::parse(&settings).settings;
    let shape = Shape {
        feedback: true,
        letterhead: (&parsed).into(),
        profile: parsed.scoring_profile(),
        ..Default::default()
    };
    let native = run_bytes(&files, &shape, |_, _| {}).unwrap();
    let line = jixiao::write::terminal::summary(&native.batch);
    assert!(
        dom.contains(&format!("<div id=\"line\">{line}</div>")),
        "{line}"
    );
    assert!(dom.contains("id=\"status\">完成：5 个文件"));
    assert!(dom.contains("<td>4.xlsx</td><td class=\"ok\">已读取（1 张表）</td>"));
    assert!(dom.contains("<td>jixiao设置.txt</td><td class=\"skipped\">已跳过</td>"));
    assert!(dom.contains("<td class=\"sev-错误\">错误</td><td>S001</td>"));
    same_package(
        "汇总.xlsx",
        &unhex(out["workbook"].as_str().unwrap()),
        &native.workbook,
    );
}

/// Every reader in the page: the real forms of many provinces (.xlsx, .xls, .ods), the
/// provincial variants of samples/variants, encrypted and damaged files, files that are
/// not spreadsheets, dropped as one folder.
#[test]
fn the_fixtures_in_the_page() {
    let Some((chromium, page)) = setup() else {
        return;
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (dir, shown) in [
        ("tests/fixtures", "fixtures"),
        ("samples/variants", "variants"),
    ] {
        let dir = common::root().join(dir);
        files.extend(
            walkdir::WalkDir::new(&dir)
                .sort_by_file_name()
                .into_iter()
                .map(|e| e.unwrap())
                .filter(|e| e.file_type().is_file())
                .map(|e| {
                    let below = e.path().strip_prefix(&dir).unwrap().to_string_lossy();
                    let name = format!("{shown}/{}", below.replace('\\', "/"));
                    (name, std::fs::read(e.path()).unwrap())
                }),
        );
    }
    let t = compare(&chromium, &page, &files);
    assert!(t.forms >= 19, "{} forms", t.forms);
    eprintln!(
        "fixtures: {} files, {} forms, read and written in {:.0} ms",
        files.len(),
        t.forms,
        t.run_ms
    );
}

/// The page's time for many forms (BENCHMARKS.md): the workbooks
/// `cargo run --release --example bench -- 300 1` generates into `target/bench/300`, or
/// those in `JIXIAO_WEB_BENCH` (a folder). `cargo test --test web -- --ignored --nocapture`.
#[test]
#[ignore]
fn many_forms_in_the_page() {
    let Some((chromium, page)) = setup() else {
        return;
    };
    let dir = std::env::var_os("JIXIAO_WEB_BENCH")
        .map_or_else(|| common::root().join("target/bench/300"), PathBuf::from);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx") && !p.ends_with("汇总.xlsx"))
        .map(|p| {
            let name = format!("bench/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    let t = compare(&chromium, &page, &files);
    eprintln!(
        "{} files, {} forms, {} feedback workbooks in headless Chromium: wasm compiled in \
         {:.0} ms, read and written in {:.0} ms; Chromium start to exit {:.1} s",
        files.len(),
        t.forms,
        t.departments.len(),
        t.load_ms,
        t.run_ms,
        t.wall.as_secs_f64()
    );
}

/// What one run of the page gave.
struct Timing {
    forms: u64,
    departments: Vec<String>,
    load_ms: f64,
    run_ms: f64,
    wall: Duration,
}

/// The self-test's input: `files` and [`FIELDS`], converted while the page loads.
fn selftest_script(files: &[(String, Vec<u8>)]) -> String {
    let selftest = serde_json::json!({
        "fields": FIELDS.iter().map(|(k, v)| (k.to_string(), serde_json::json!(v)))
            .collect::<serde_json::Map<_, _>>(),
        "files": files.iter().map(|(n, b)| serde_json::json!({"name": n, "hex": hex(b)}))
            .collect::<Vec<_>>(),
    });
    format!("<script>const JIXIAO_SELFTEST = {selftest};</script>")
}

/// Runs the page on `files` and holds its outputs against the library's.
fn compare(chromium: &Path, page: &Path, files: &[(String, Vec<u8>)]) -> Timing {
    let dir = tempfile::tempdir().unwrap();
    let test_page = page_with(page, dir.path(), &selftest_script(files));
    let started = Instant::now();
    let (dom, console) = load(chromium, &test_page, &dir.path().join("profile"));
    let wall = started.elapsed();
    assert!(
        console.is_empty(),
        "the page logged (a blocked request is logged):\n{}",
        console.join("\n")
    );
    let out = selftest_output(&dom);
    assert!(
        out.get("error").is_none(),
        "the page failed: {}",
        out["error"]
    );
    assert_eq!(out["violations"], serde_json::json!([]), "blocked requests");

    let set = |k: &str| {
        let v = FIELDS.iter().find(|(f, _)| *f == k).unwrap().1;
        (!v.is_empty()).then(|| v.to_string())
    };
    let shape = Shape {
        feedback: true,
        letterhead: jixiao::write::workbook::Letterhead {
            unit: set("unit"),
            date: set("date"),
            deadline: set("deadline"),
            contact: set("contact"),
            phone: set("phone"),
            ..Default::default()
        },
        ..Default::default()
    };
    let native = run_bytes(files, &shape, |_, _| {}).unwrap();

    let summary = &out["summary"];
    assert_eq!(summary["forms"], native.batch.forms.len());
    assert_eq!(
        summary["line"],
        jixiao::write::terminal::summary(&native.batch)
    );
    let issues = jixiao::write::tables::findings(&native.batch).len;
    assert_eq!(summary["issues"].as_array().unwrap().len(), issues);
    assert!(issues > 0);

    let workbook = unhex(out["workbook"].as_str().unwrap());
    same_package("汇总.xlsx", &workbook, &native.workbook);
    let feedback = unzip(&unhex(out["feedback"].as_str().unwrap()));
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&feedback), names(&native.feedback));
    for ((name, a), (_, b)) in feedback.iter().zip(&native.feedback) {
        same_package(name, a, b);
    }
    Timing {
        forms: summary["forms"].as_u64().unwrap(),
        departments: names(&feedback),
        load_ms: out["load_ms"].as_f64().unwrap(),
        run_ms: out["run_ms"].as_f64().unwrap(),
        wall,
    }
}

/// The check above is not blind: a page that tries a request is caught.
#[test]
fn a_request_from_the_page_is_caught() {
    let Some((chromium, page)) = setup() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let probe = "<script>fetch('https://example.com/x').catch(() => {});</script>";
    let test_page = page_with(&page, dir.path(), probe);
    let (_, console) = load(&chromium, &test_page, &dir.path().join("profile"));
    assert!(
        console
            .iter()
            .any(|l| l.contains("example.com") && l.contains("Content Security Policy")),
        "the blocked request was not logged: {console:?}"
    );
}
