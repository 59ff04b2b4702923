//! The `jixiao` command line: parses arguments and calls the library, nothing else.
//!
//! Everything a user reads here is in Chinese: the help (headings and usage lines set by
//! hand, see [`zh`]), usage errors (clap's English kept as a second line) and the summary
//! of drop-a-folder mode ([`desk`]).

mod desk;
mod zh;

use anyhow::{Context, Result, bail};
use clap::{ArgAction, Parser, Subcommand, ValueEnum};
use jixiao::model::{Severity, Status};
use jixiao::{batch, convert, rules, template, write};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "jixiao",
    version,
    about = "项目支出绩效自评表 → 清洗、核验、汇总\n\
             把文件夹（或几个文件）拖到 jixiao 上，即在文件夹旁生成“文件夹名-汇总.xlsx”。",
    override_usage = "jixiao <文件夹或文件>... [--open]\n  \
                      jixiao convert <输入>... -o <汇总.xlsx> [选项]\n  \
                      jixiao check <输入>... [选项]\n  \
                      jixiao template -o <模板.xlsx> [--year 年度] [--force]\n  \
                      jixiao rules [代码 | --profiles]\n  \
                      jixiao sample <输入>... -o <抽查.xlsx> [--size N | --ratio R] [--seed S] [--profile 方案]\n  \
                      jixiao review <抽查.xlsx> -o <复核结果.xlsx> [--json 文件]",
    help_template = zh::HELP_TEMPLATE,
    subcommand_help_heading = "命令（commands）",
    subcommand_value_name = "命令",
    args_conflicts_with_subcommands = true,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    next_help_heading = "选项（options）"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// 要汇总的文件夹或文件（可直接拖到 jixiao.exe 上）；结果写在第一个旁边
    #[arg(value_name = "文件夹或文件", help_heading = "参数（arguments）")]
    inputs: Vec<PathBuf>,
    /// 完成后用系统默认程序（Excel、WPS）打开汇总工作簿
    #[arg(long)]
    open: bool,
    /// 显示帮助（help）
    #[arg(short = 'h', long, action = ArgAction::Help, global = true, display_order = 1000)]
    help: Option<bool>,
    /// 显示版本（version）
    #[arg(short = 'V', long, action = ArgAction::Version)]
    version: Option<bool>,
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
#[command(help_template = zh::HELP_TEMPLATE)]
enum Command {
    /// 转换：把工作簿（文件或文件夹）汇总为一个工作簿
    #[command(
        override_usage = "jixiao convert <输入>... -o <汇总.xlsx> [选项]",
        help_template = zh::HELP_TEMPLATE,
        next_help_heading = "选项（options）"
    )]
    Convert {
        /// 输入的文件或文件夹（文件夹按自然顺序逐层读取）
        #[arg(
            required = true,
            value_name = "输入",
            help_heading = "参数（arguments）"
        )]
        inputs: Vec<PathBuf>,
        /// 要写入的汇总工作簿（.xlsx）；已存在时只替换 jixiao 先前生成的汇总
        #[arg(short, long, value_name = "汇总.xlsx", value_parser = zh::xlsx_output)]
        output: PathBuf,
        /// 同时写出 JSON 文档（“-” 表示输出到标准输出）
        #[arg(long, value_name = "文件")]
        json: Option<PathBuf>,
        /// 发现达到该级别的问题时以退出码 1 结束（error、warning、never；默认 never）
        #[arg(
            long,
            value_enum,
            default_value = "never",
            value_name = "级别",
            hide_default_value = true,
            hide_possible_values = true
        )]
        fail_on: FailOn,
        /// 工作线程数（默认：全部核心）
        #[arg(short, long, value_name = "N")]
        jobs: Option<usize>,
        /// 只输出错误
        #[arg(short, long)]
        quiet: bool,
        /// 为每张表写出原表、清洗两张工作表（默认：不超过 50 张表时写出）
        #[arg(long, conflicts_with = "no_form_sheets")]
        form_sheets: bool,
        /// 不写出每张表的原表、清洗工作表
        #[arg(long)]
        no_form_sheets: bool,
        #[command(flatten)]
        limits: LimitArgs,
        /// 同时把各清单工作表写成 UTF-8 CSV 文件（带 BOM），放在此文件夹
        #[arg(long, value_name = "文件夹")]
        csv: Option<PathBuf>,
        /// 同时为每个主管部门在此文件夹写出一个反馈工作簿（该部门的问题清单与各表清洗工作表），供退回更正
        #[arg(long, value_name = "文件夹")]
        feedback: Option<PathBuf>,
        /// 设置文件（jixiao template --settings 生成）：编制单位、编制日期、反馈截止日期、联系人等
        #[arg(long, value_name = "设置.txt")]
        settings: Option<PathBuf>,
        /// 评分口径：算建议得分和等级的依据，如 财预2020、中央转移支付、湖北2020，或评分口径文件的路径（jixiao rules --profiles 查看；默认 财预〔2020〕10号，或设置文件中的评分口径）
        #[arg(long, value_name = "口径")]
        profile: Option<String>,
    },
    /// 检查：读取并核验，不写文件，像编译器一样逐条列出问题
    #[command(
        override_usage = "jixiao check <输入>... [--format text|json] [--fail-on error|warning|never] [--info]",
        help_template = zh::HELP_TEMPLATE,
        next_help_heading = "选项（options）"
    )]
    Check {
        /// 输入的文件或文件夹
        #[arg(
            required = true,
            value_name = "输入",
            help_heading = "参数（arguments）"
        )]
        inputs: Vec<PathBuf>,
        /// 输出格式：text（文字，默认）或 json
        #[arg(
            long,
            value_enum,
            default_value = "text",
            value_name = "格式",
            hide_default_value = true,
            hide_possible_values = true
        )]
        format: OutputFormat,
        /// 发现达到该级别的问题时以退出码 1 结束（error、warning、never；默认 error）
        #[arg(
            long,
            value_enum,
            default_value = "error",
            value_name = "级别",
            hide_default_value = true,
            hide_possible_values = true
        )]
        fail_on: FailOn,
        /// 同时列出提示（推算值、分值等）
        #[arg(long)]
        info: bool,
        /// 评分口径：算建议得分和等级的依据，如 财预2020、中央转移支付、湖北2020，或评分口径文件的路径（jixiao rules --profiles 查看；默认 财预〔2020〕10号）
        #[arg(long, value_name = "口径")]
        profile: Option<String>,

        /// 工作线程数（默认：全部核心）
        #[arg(short, long, value_name = "N")]
        jobs: Option<usize>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// 模板：写出一张空白的标准格式自评表，供部门填写
    #[command(
        override_usage = "jixiao template -o <模板.xlsx> [--year 年度] [--force]\n       jixiao template --settings [设置.txt] [--force]",
        help_template = zh::HELP_TEMPLATE,
        next_help_heading = "选项（options）"
    )]
    Template {
        /// 要写入的文件（.xlsx）；已存在时拒绝覆盖，除非加 --force
        #[arg(
            short,
            long,
            value_name = "模板.xlsx",
            value_parser = zh::xlsx_output,
            required_unless_present = "settings"
        )]
        output: Option<PathBuf>,
        /// 改为写出设置文件（默认 jixiao设置.txt）：编制单位、反馈截止日期、联系人等，用记事本修改后放进要拖放的文件夹
        #[arg(long, value_name = "设置.txt", num_args = 0..=1, default_missing_value = jixiao::settings::FILE_NAME, conflicts_with_all = ["output", "year"])]
        settings: Option<PathBuf>,
        /// 表头中的年度
        #[arg(long, value_name = "年度")]
        year: Option<i32>,
        /// 允许覆盖已存在的文件
        #[arg(long)]
        force: bool,
    },
    /// 规则：列出全部问题代码，或显示一条规则的说明
    #[command(
        override_usage = "jixiao rules [代码 | --profiles]",
        help_template = zh::HELP_TEMPLATE,
        next_help_heading = "选项（options）"
    )]
    Rules {
        /// 规则代码，如 S001
        #[arg(value_name = "代码", help_heading = "参数（arguments）")]
        code: Option<String>,
        /// 列出评分口径（计分方法、等级、容差）及其依据
        #[arg(long, conflicts_with = "code")]
        profiles: bool,
    },
    /// 抽查：按风险分、分部门抽取项目，写出抽查清单和每个项目的复核底稿（供打印填写）
    #[command(
        override_usage = "jixiao sample <输入>... -o <抽查.xlsx> [--size N | --ratio R] [--seed S] [--profile 方案]",
        help_template = zh::HELP_TEMPLATE,
        next_help_heading = "选项（options）"
    )]
    Sample {
        /// 输入的文件或文件夹（文件夹按自然顺序逐层读取）
        #[arg(
            required = true,
            value_name = "输入",
            help_heading = "参数（arguments）"
        )]
        inputs: Vec<PathBuf>,
        /// 要写入的抽查工作簿（.xlsx）；已存在时只替换 jixiao 先前生成且尚未填写的抽查底稿
        #[arg(short, long, value_name = "抽查.xlsx", value_parser = zh::xlsx_output)]
        output: PathBuf,
        /// 抽取的项目数
        #[arg(long, value_name = "N", value_parser = zh::sample_size, conflicts_with = "ratio")]
        size: Option<usize>,
        /// 抽取比例，如 0.2 或 20%（默认 20%，向上取整）
        #[arg(long, value_name = "R", value_parser = zh::sample_ratio)]
        ratio: Option<rust_decimal::Decimal>,
        /// 随机种子：同一输入、同一种子抽出同一样本（默认 20240101）
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
        /// 评分方案名称（写入抽查清单标题；jixiao rules 列出可用方案）
        #[arg(long, value_name = "方案")]
        profile: Option<String>,
        /// 只输出错误
        #[arg(short, long)]
        quiet: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// 复核：读回复核人填写的抽查底稿，计算各项目、各部门的偏离度
    #[command(
        override_usage = "jixiao review <抽查.xlsx> -o <复核结果.xlsx> [--json 文件]",
        help_template = zh::HELP_TEMPLATE,
        next_help_heading = "选项（options）"
    )]
    Review {
        /// jixiao sample 生成、复核人已填写的抽查工作簿
        #[arg(value_name = "抽查.xlsx", help_heading = "参数（arguments）")]
        input: PathBuf,
        /// 要写入的复核结果工作簿（.xlsx）
        #[arg(short, long, value_name = "复核结果.xlsx", value_parser = zh::xlsx_output)]
        output: PathBuf,
        /// 同时写出 JSON 文档（“-” 表示输出到标准输出）
        #[arg(long, value_name = "文件")]
        json: Option<PathBuf>,
        /// 只输出错误
        #[arg(short, long)]
        quiet: bool,
    },
}

/// Limits that keep a hostile or broken file from exhausting memory.
#[derive(clap::Args)]
struct LimitArgs {
    /// 拒绝读取超过此大小（MB）的文件（默认 50）
    #[arg(
        long,
        default_value_t = 50,
        value_name = "MB",
        hide_default_value = true
    )]
    max_file_mb: u64,
    /// 拒绝读取单元格总数超过此数的文件（各工作表从 A1 到最后一个单元格，加上合并区域；默认 5000000）
    #[arg(
        long,
        default_value_t = 5_000_000,
        value_name = "N",
        hide_default_value = true
    )]
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

/// No transparent huge pages for this process. mimalloc asks for them (`madvise`), so
/// every fresh part of its heap faulted in a whole zeroed 2 MB page, and rust_xlsxwriter
/// starts a thread (with a fresh heap) per sheet: at 10,000 forms the kernel's page
/// zeroing was a third of `--form-sheets`' CPU, and the plain run's peak about 10 %
/// higher (BENCHMARKS.md).
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc rather than the system's: see Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_huge_pages();
    jixiao::read::quiet_reader_panics();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            cmd.build();
            let sub = std::env::args().nth(1).unwrap_or_default();
            let usage = match cmd.find_subcommand_mut(&sub) {
                Some(c) => c.render_usage(),
                None => cmd.render_usage(),
            };
            return zh::usage_error(e, &usage.to_string());
        }
    };
    if cli.command.is_none() {
        return desk::run(&cli.inputs, cli.open);
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", zh::error_text(&e));
            // A workbook `review` cannot read or that is no sample is 1, as a file
            // `convert` cannot read; a missing input, usage and outputs 2.
            let input = matches!(
                e.downcast_ref::<jixiao::Error>(),
                Some(jixiao::Error::ReviewInput { .. })
            );
            ExitCode::from(if input { 1 } else { 2 })
        }
    }
}

/// A write to standard output whose reader went away (`jixiao check … | head`) is no
/// error: the run's exit code still says what it found. (`print!` panicked there.)
fn unless_closed(r: std::io::Result<()>) -> std::io::Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
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
fn convert_with_progress(req: &convert::Request, quiet: bool) -> Result<convert::Converted> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let files = batch::discover(&req.inputs)?.len();
    if quiet || files <= 20 || !std::io::stderr().is_terminal() {
        return Ok(convert::run(req, |_, _| {})?);
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
    Ok(b?)
}

/// `template` never writes over a file unless `--force`.
fn refuse_existing(path: &std::path::Path, force: bool) -> Result<()> {
    if !force && std::fs::symlink_metadata(path).is_ok() {
        bail!(
            "{} 已存在，拒绝覆盖；要覆盖请加 --force\n（file exists; pass --force to overwrite it）",
            desk::shown(path)
        );
    }
    Ok(())
}

fn exit(fail: bool) -> ExitCode {
    ExitCode::from(u8::from(fail))
}

fn run(cli: Cli) -> Result<ExitCode> {
    let Some(command) = cli.command else {
        unreachable!("drop-a-folder mode is handled in main");
    };
    match command {
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
            settings,
            profile,
        } => {
            threads(jobs)?;
            let settings = match &settings {
                Some(path) => desk::read_settings(path)?,
                None => jixiao::settings::Settings::default(),
            };
            let profile = match &profile {
                Some(name) => jixiao::profile::resolve(name).map_err(anyhow::Error::msg)?,
                None => settings.scoring_profile(),
            };
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
                form_sheets_max: None,
                nothing_without_forms: false,
                letterhead: (&settings).into(),
                profile,
            };
            let convert::Converted {
                batch: b,
                stdout_json,
                notes,
            } = convert_with_progress(&req, quiet)?;
            for n in &notes {
                eprintln!("{n}");
            }
            if let Some(doc) = stdout_json {
                print!("{doc}");
            }
            let output = req.output;
            for i in b.inputs.iter().filter(|i| i.status == Status::Failed) {
                eprintln!(
                    "{}：{}",
                    desk::shown_str(&i.path),
                    i.reason.as_deref().unwrap_or("")
                );
            }
            if !quiet {
                eprintln!(
                    "{} → {}",
                    write::terminal::summary(&b),
                    desk::shown(&output)
                );
                if let Some(s) = desk::skipped_line(&b) {
                    eprintln!("{s}");
                }
                if let Some(s) = desk::other_sheets_line(&b) {
                    eprintln!("{s}");
                }
            }
            if b.forms.is_empty() {
                eprintln!("{}", desk::NO_FORM);
            }
            let fail = b.forms.is_empty() || batch::should_fail(&b, fail_on.threshold());
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
            profile,
        } => {
            threads(jobs)?;
            let opts = batch::Options {
                limits: limits.limits(),
                profile: match &profile {
                    Some(name) => jixiao::profile::resolve(name).map_err(anyhow::Error::msg)?,
                    None => jixiao::profile::default_profile(),
                },
                pack: true,
                ..Default::default()
            };
            let b = batch::run(&inputs, &opts)?;
            match format {
                // Streamed: at 100,000 forms the document is about 1.7 GB.
                OutputFormat::Json => {
                    unless_closed(write::json::write_json(&b, std::io::stdout().lock()))?;
                }
                OutputFormat::Text => {
                    let color =
                        std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                    let min = if info {
                        Severity::Info
                    } else {
                        Severity::Warning
                    };
                    let text = write::terminal::report(&b, min, color);
                    unless_closed(std::io::stdout().lock().write_all(text.as_bytes()))?;
                }
            }
            Ok(exit(batch::should_fail(&b, fail_on.threshold())))
        }
        Command::Template {
            output,
            year,
            force,
            settings,
        } => {
            let output = match (settings, output) {
                (Some(path), _) => {
                    jixiao::own::check_output_dir("--settings", &path)?;
                    refuse_existing(&path, force)?;
                    // With its BOM: Notepad before Windows 10 (1903) needs it to see UTF-8.
                    let text = format!("\u{feff}{}", jixiao::settings::template_text());
                    write::write_atomic(&path, text.as_bytes())?;
                    return Ok(ExitCode::SUCCESS);
                }
                (None, Some(o)) => o,
                (None, None) => unreachable!("clap requires -o without --settings"),
            };
            jixiao::own::check_output_dir("-o", &output)?;
            refuse_existing(&output, force)?;
            let bytes = template::blank(year).context("无法生成模板")?;
            write::write_atomic(&output, &bytes)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sample {
            inputs,
            output,
            size,
            ratio,
            seed,
            profile,
            quiet,
            limits,
        } => {
            let size = match (size, ratio) {
                (Some(n), _) => jixiao::sample::Size::Count(n),
                (None, Some(r)) => jixiao::sample::Size::Ratio(r),
                (None, None) => jixiao::sample::Size::default(),
            };
            let scoring = match &profile {
                Some(name) => jixiao::profile::resolve(name).map_err(anyhow::Error::msg)?,
                None => jixiao::profile::default_profile(),
            };
            let req = jixiao::spotcheck::SampleRequest {
                inputs,
                output,
                plan: jixiao::sample::Plan { size, seed },
                profile,
                scoring,
                limits: limits.limits(),
            };
            let done = jixiao::spotcheck::sample(&req)?;
            for n in &done.notes {
                eprintln!("{n}");
            }
            let b = &done.batch;
            for i in b.inputs.iter().filter(|i| i.status == Status::Failed) {
                eprintln!(
                    "{}：{}",
                    desk::shown_str(&i.path),
                    i.reason.as_deref().unwrap_or("")
                );
            }
            let Some(s) = &done.sample else {
                eprintln!("{}", desk::NO_FORM);
                return Ok(exit(true));
            };
            if !quiet {
                print!("{}", write::sample::console_lines(b, s));
                eprintln!(
                    "{} → {}",
                    write::sample::console_summary(s, req.profile.as_deref()),
                    desk::shown(&req.output)
                );
            }
            Ok(exit(b.inputs.iter().any(|i| i.status == Status::Failed)))
        }
        Command::Review {
            input,
            output,
            json,
            quiet,
        } => {
            let req = jixiao::spotcheck::ReviewRequest {
                input,
                output,
                json,
                limits: Default::default(),
            };
            let done = jixiao::spotcheck::review(&req)?;
            for n in &done.notes {
                eprintln!("{n}");
            }
            let shown = desk::shown(&req.input);
            for n in &done.review.notes {
                eprintln!("{}", write::review::console_note(&shown, n));
            }
            if let Some(doc) = &done.stdout_json {
                print!("{doc}");
            } else if !quiet {
                print!("{}", write::review::console_lines(&done.review));
            }
            if !quiet {
                eprintln!(
                    "{} → {}",
                    write::review::console_summary(&done.review),
                    desk::shown(&req.output)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { code, profiles } => {
            if profiles {
                for p in jixiao::profile::builtins() {
                    println!("{}", p.describe());
                }
                return Ok(ExitCode::SUCCESS);
            }
            match code {
                None => {
                    for r in rules::CATALOGUE {
                        // The severity as the sheets print it (错误/警告/提示); `rules CODE`
                        // gives the English word beside it for scripts' readers.
                        println!("{}  {}  {}", r.code, r.severity().zh(), r.title);
                    }
                }
                Some(c) => {
                    let Some(r) = rules::find(&c) else {
                        bail!("没有规则 {c}；运行 jixiao rules 查看全部（unknown rule code）");
                    };
                    print!("{}", zh::rule_doc(r));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
