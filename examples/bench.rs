//! `cargo run --release --example bench -- N [RUNS] [--cli]`: convert against the floors
//! on N generated workbooks; see BENCHMARKS.md.
//!
//! In one process, RUNS rounds, each timing one after the other (interleaved, so a slow
//! moment of a shared machine hits all three alike):
//! - **inflate**: every part of every file inflated, nothing parsed;
//! - **floor**: calamine reading every sheet's cells and merges;
//! - **convert**: `jixiao convert DIR -o OUT.xlsx`, exactly as the command line runs it.
//!
//! and prints each round and the medians, with the median of the rounds' convert/floor
//! ratios. With `--cli` it first runs the built command line (`target/release/jixiao`, or
//! `JIXIAO_BIN`) RUNS times for each output option alone, all together, and `-j 1`,
//! reporting the median wall time and the peak RSS of each (the process's own, from
//! `wait4`), and one sample form alone (a clerk's single-file latency).

#[path = "harness/mod.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The command line's allocator, so the in-process convert is the command line's; the
/// floors run under it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // As the command line does (src/main.rs): no transparent huge pages.
    #[cfg(target_os = "linux")]
    // SAFETY: plain integers, no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = args.iter().any(|a| a == "--cli");
    let mut nums = args.iter().filter_map(|a| a.parse::<usize>().ok());
    let n = nums.next().unwrap_or(1000);
    let runs = nums.next().unwrap_or(5).max(1);
    // JIXIAO_BENCH_DIR shares the generated files between checkouts (100,000 forms are
    // about 1 GB and take minutes to generate). `g2`: departments of 20 forms each.
    let dir = std::env::var_os("JIXIAO_BENCH_DIR")
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench"),
            PathBuf::from,
        )
        .join(format!("g2-{n}"));
    eprintln!("generating {n} workbooks in {} …", dir.display());
    let files = harness::generate(&dir, n);
    let out_dir = dir.with_file_name(format!("g2-{n}-out"));
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join("汇总.xlsx");
    // Warm the page cache so every phase reads from memory.
    harness::inflate_floor(&files);
    // The command line first: a child's peak RSS (`wait4`) starts from this process's at
    // the fork, and the rounds below leave this process with a convert's memory.
    if cli {
        options(&dir, &out_dir, runs);
    }

    let threads = rayon::current_num_threads();
    println!("N = {n}, {threads} threads, {runs} rounds\n");
    println!(
        "| round | inflate (s) | floor (s) | convert (s) | convert/floor | floor peak RSS (MB) | convert peak RSS (MB) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let (mut inflate, mut floor, mut convert, mut ratios) = (vec![], vec![], vec![], vec![]);
    let mut rss = 0f64;
    let mut done = None;
    for round in 1..=runs {
        drop(done.take()); // the previous batch is freed before the clock starts
        let (t_inflate, _) = time(|| harness::inflate_floor(&files));
        harness::reset_peak();
        let (t_floor, _) = time(|| harness::floor(&files));
        let floor_rss = harness::peak_rss_mb();
        harness::reset_peak();
        let (t_convert, d) = time(|| harness::convert(&files, &out));
        let convert_rss = harness::peak_rss_mb();
        rss = rss.max(convert_rss);
        done = Some(d);
        let ratio = t_convert.as_secs_f64() / t_floor.as_secs_f64();
        println!(
            "| {round} | {:.3} | {:.3} | {:.3} | {ratio:.3} | {floor_rss:.0} | {convert_rss:.0} |",
            t_inflate.as_secs_f64(),
            t_floor.as_secs_f64(),
            t_convert.as_secs_f64(),
        );
        inflate.push(t_inflate.as_secs_f64());
        floor.push(t_floor.as_secs_f64());
        convert.push(t_convert.as_secs_f64());
        ratios.push(ratio);
    }
    let done = done.expect("ran once");
    println!(
        "| **median** | {:.3} | {:.3} | {:.3} | **{:.3}** | | {rss:.0} (max) |",
        median(&mut inflate),
        median(&mut floor),
        median(&mut convert),
        median(&mut ratios)
    );
    eprintln!(
        "convert: {} files, {} forms, {} indicators, {} findings",
        done.batch.inputs.len(),
        done.forms,
        done.indicators,
        done.findings
    );
    drop(done);
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let t = Instant::now();
    let v = f();
    (t.elapsed(), v)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The command line, option by option: median wall time of `runs` runs, interleaved
/// across the variants, and the largest peak RSS.
fn options(dir: &Path, out: &Path, runs: usize) {
    let bin = std::env::var_os("JIXIAO_BIN").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/jixiao"),
        PathBuf::from,
    );
    let o = |s: &str| out.join(s).to_string_lossy().into_owned();
    let d = dir.to_string_lossy().into_owned();
    let xlsx = o("汇总.xlsx");
    let base = vec!["convert".to_string(), d.clone(), "-o".into(), xlsx.clone()];
    let with = |extra: &[String]| {
        let mut v = base.clone();
        v.extend(extra.iter().cloned());
        v
    };
    let json = vec!["--json".to_string(), o("汇总.json")];
    let csv = vec!["--csv".to_string(), o("csv")];
    let feedback = vec!["--feedback".to_string(), o("反馈")];
    let sheets = vec!["--form-sheets".to_string()];
    let all: Vec<String> = [json.clone(), csv.clone(), feedback.clone()].concat();
    let variants: Vec<(&str, Vec<String>)> = vec![
        ("plain", base.clone()),
        ("-j 1", with(&["-j".into(), "1".into()])),
        ("--json", with(&json)),
        ("--csv", with(&csv)),
        ("--feedback", with(&feedback)),
        ("--form-sheets", with(&sheets)),
        ("--json --csv --feedback", with(&all)),
        (
            "all, with --form-sheets",
            with(&[all.clone(), sheets.clone()].concat()),
        ),
    ];
    let mut times = vec![Vec::new(); variants.len()];
    let mut peaks = vec![0f64; variants.len()];
    for _ in 0..runs {
        for (k, (_, args)) in variants.iter().enumerate() {
            let (t, rss) = run(&bin, args);
            times[k].push(t);
            peaks[k] = peaks[k].max(rss);
        }
    }
    println!("\n| command line | wall (s, median) | × plain | peak RSS (MB) |");
    println!("|---|---:|---:|---:|");
    let plain = median(&mut times[0].clone());
    for (k, (name, _)) in variants.iter().enumerate() {
        let t = median(&mut times[k]);
        println!("| {name} | {t:.3} | {:.2} | {:.0} |", t / plain, peaks[k]);
    }
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2023/1.xlsx");
    let one = vec![
        "convert".to_string(),
        sample.to_string_lossy().into_owned(),
        "-o".into(),
        o("one.xlsx"),
    ];
    let mut t1: Vec<f64> = (0..runs).map(|_| run(&bin, &one).0).collect();
    println!("| one sample form (latency) | {:.3} | | |", median(&mut t1));
}

/// Runs the command line once: wall seconds and peak RSS in MB (`wait4`'s `ru_maxrss`).
// The child is reaped by `wait4` itself, which also gives its peak memory.
#[allow(clippy::zombie_processes)]
fn run(bin: &Path, args: &[String]) -> (f64, f64) {
    let t = Instant::now();
    let child = std::process::Command::new(bin)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the command line is built (cargo build --release)");
    let mut status = 0;
    // SAFETY: rusage is plain data, filled by wait4 for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let wall = t.elapsed().as_secs_f64();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1,
        "{args:?} failed: {status}"
    );
    (wall, usage.ru_maxrss as f64 / 1024.0)
}
