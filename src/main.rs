//! The `jixiao` command line: parses arguments and calls the library, nothing else.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use jixiao::model::{Severity, Status};
use jixiao::{batch, convert, rules, template, write};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "jixiao",
    version,
    about = "项目支出绩效自评表 → 清洗、核验、汇总"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Never => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Convert workbooks (files or folders) into one consolidated workbook.
    Convert {
        /// Input files or folders (walked recursively, in sorted order).
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The consolidated workbook to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Also write the JSON document to this file ("-" for stdout).
        #[arg(long)]
        json: Option<PathBuf>,
        /// Exit 1 when findings reach this severity.
        #[arg(long, value_enum, default_value = "never")]
        fail_on: FailOn,
        /// Worker threads (default: all cores).
        #[arg(short, long)]
        jobs: Option<usize>,
        /// Print nothing but errors.
        #[arg(short, long)]
        quiet: bool,
        /// Write each form's 原表 and 清洗 sheets (default: up to 50 forms).
        #[arg(long, overrides_with = "no_form_sheets")]
        form_sheets: bool,
        /// Do not write the per-form sheets.
        #[arg(long)]
        no_form_sheets: bool,
        #[command(flatten)]
        limits: LimitArgs,
        /// Also write the list sheets as UTF-8 CSV files (with BOM) into this folder.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Also write one workbook per 主管部门 into this folder (its 问题清单 of errors and
        /// warnings, and its forms' 清洗 sheets), to send back for correction.
        #[arg(long)]
        feedback: Option<PathBuf>,
    },
    /// Read and check workbooks; write nothing, print findings like a compiler.
    Check {
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// Exit 1 when findings reach this severity.
        #[arg(long, value_enum, default_value = "error")]
        fail_on: FailOn,
        /// Also print info findings (derived values, weights).
        #[arg(long)]
        info: bool,
        /// Worker threads (default: all cores).
        #[arg(short, long)]
        jobs: Option<usize>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Write a blank form in the canonical layout.
    Template {
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long)]
        year: Option<i32>,
    },
    /// List the rule codes, or print one rule's documentation.
    Rules { code: Option<String> },
}

/// Limits that keep a hostile or broken file from exhausting memory.
#[derive(clap::Args)]
struct LimitArgs {
    /// Refuse files larger than this many megabytes.
    #[arg(long, default_value_t = 50)]
    max_file_mb: u64,
    /// Refuse files spanning more cells than this: every sheet from A1 to its last used
    /// cell, plus merged regions, added up over the file.
    #[arg(long, default_value_t = 5_000_000)]
    max_cells: u64,
}

impl LimitArgs {
    fn limits(&self) -> jixiao::read::Limits {
        jixiao::read::Limits {
            max_file_bytes: self.max_file_mb.saturating_mul(1024 * 1024),
            max_sheet_cells: self.max_cells,
            ..Default::default()
        }
    }
}

fn main() -> ExitCode {
    jixiao::read::quiet_reader_panics();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 (error): {e:#}");
            ExitCode::from(2)
        }
    }
}

fn threads(jobs: Option<usize>) -> Result<()> {
    if let Some(n) = jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("无法设置线程数")?;
    }
    Ok(())
}

/// Converts, with a progress bar on stderr when it is a terminal, there are more than
/// 20 inputs and the user did not ask for quiet.
fn convert_with_progress(req: &convert::Request, quiet: bool) -> Result<jixiao::model::Batch> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let files = batch::discover(&req.inputs)?.len();
    if quiet || files <= 20 || !std::io::stderr().is_terminal() {
        return convert::run(req, |_, _| {});
    }
    let bar = indicatif::ProgressBar::new(files as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} 个文件 · {msg} · 剩余 {eta}")
            .expect("valid template"),
    );
    let (forms, failed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let b = convert::run(req, |input, f| {
        let bad = usize::from(input.status == Status::Failed);
        let n = forms.fetch_add(f.len(), Ordering::Relaxed) + f.len();
        let e = failed.fetch_add(bad, Ordering::Relaxed) + bad;
        bar.set_message(format!("{n} 张表 · {e} 个文件失败"));
        bar.inc(1);
    });
    bar.finish_and_clear();
    b
}

fn exit(fail: bool) -> ExitCode {
    ExitCode::from(u8::from(fail))
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Convert {
            inputs,
            output,
            json,
            fail_on,
            jobs,
            quiet,
            form_sheets,
            no_form_sheets,
            limits,
            csv,
            feedback,
        } => {
            threads(jobs)?;
            let req = convert::Request {
                inputs,
                output,
                json,
                csv,
                feedback,
                form_sheets: match (form_sheets, no_form_sheets) {
                    (true, _) => Some(true),
                    (_, true) => Some(false),
                    _ => None,
                },
                limits: limits.limits(),
            };
            let b = convert_with_progress(&req, quiet)?;
            let output = req.output;
            for i in b.inputs.iter().filter(|i| i.status == Status::Failed) {
                eprintln!("{}: {}", i.path, i.reason.as_deref().unwrap_or(""));
            }
            if !quiet {
                eprintln!("{} → {}", write::terminal::summary(&b), output.display());
            }
            let fail = batch::should_fail(&b, fail_on.threshold());
            // The process ends here: freeing a batch of thousands of forms one string at a
            // time is measurable and useless, the OS reclaims it at once.
            std::mem::forget(b);
            Ok(exit(fail))
        }
        Command::Check {
            inputs,
            format,
            fail_on,
            info,
            jobs,
            limits,
        } => {
            threads(jobs)?;
            let opts = batch::Options {
                limits: limits.limits(),
                ..Default::default()
            };
            let b = batch::run(&inputs, &opts)?;
            match format {
                OutputFormat::Json => print!("{}", write::json::to_json(&b)),
                OutputFormat::Text => {
                    let color =
                        std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                    let min = if info {
                        Severity::Info
                    } else {
                        Severity::Warning
                    };
                    print!("{}", write::terminal::report(&b, min, color));
                }
            }
            Ok(exit(batch::should_fail(&b, fail_on.threshold())))
        }
        Command::Template { output, year } => {
            let bytes = template::blank(year).context("无法生成模板")?;
            write::write_atomic(&output, &bytes)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { code } => {
            match code {
                None => {
                    for r in rules::CATALOGUE {
                        println!("{}  {:<7}  {}", r.code, r.severity.as_str(), r.title);
                    }
                }
                Some(c) => {
                    let Some(r) = rules::find(&c) else {
                        bail!("没有规则 {c}（unknown rule code）；运行 jixiao rules 查看全部");
                    };
                    println!(
                        "{} ({}) {}\n\n{}",
                        r.code,
                        r.severity.as_str(),
                        r.title,
                        r.doc_text()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
