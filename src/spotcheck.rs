//! `sample` and `review` as one call each, as [`crate::convert`] is for `convert`: read,
//! refuse what must not be overwritten, write through [`write::OutputSet`] (atomic).
//!
//! - [`sample`]: reads the forms, ranks and draws ([`crate::sample`]), writes 抽查.xlsx
//!   ([`write::sample`]). An existing sample workbook is replaced only when no reviewer
//!   has written in it.
//! - [`review`]: reads a filled 抽查.xlsx back ([`crate::review`]), writes 复核结果.xlsx
//!   and the JSON ([`write::review`]); never over the 抽查.xlsx it reads.

use crate::batch::{self, Options};
use crate::model::Batch;
use crate::own;
use crate::read::Limits;
use crate::review::{self, Review};
use crate::sample::{self, Plan, Sample};
use crate::write;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// What to sample and where to write it.
#[derive(Debug, Clone, Default)]
pub struct SampleRequest {
    pub inputs: Vec<PathBuf>,
    /// The sample workbook (.xlsx).
    pub output: PathBuf,
    pub plan: Plan,
    /// The scoring profile asked for (`--profile`), as named: printed in the titles.
    pub profile: Option<String>,
    /// The scoring profile itself (建议得分, 等级), resolved from `profile` by the caller.
    pub scoring: std::sync::Arc<crate::profile::Profile>,
    pub limits: Limits,
}

/// What [`sample`] did.
#[derive(Debug)]
pub struct Sampled {
    pub batch: Batch,
    /// `None` when no form was found (nothing was written).
    pub sample: Option<Sample>,
    /// For the console: a killed run's files swept up.
    pub notes: Vec<String>,
}

fn folder(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Draws a sample and writes the sample workbook.
///
/// # Example
///
/// ```
/// use jixiao::spotcheck::{SampleRequest, sample};
///
/// let out = tempfile::tempdir()?;
/// let req = SampleRequest {
///     inputs: vec!["samples/2023".into()],
///     output: out.path().join("抽查.xlsx"),
///     plan: jixiao::sample::Plan { size: jixiao::sample::Size::Count(2), seed: Some(1) },
///     ..Default::default()
/// };
/// let done = sample(&req)?;
/// let s = done.sample.expect("forms were read");
/// assert_eq!(s.drawn.len(), 2);
/// assert!(s.picks().all(|p| !p.reason().is_empty()));
/// // Unfilled, it may be drawn again over itself.
/// sample(&req)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sample(req: &SampleRequest) -> Result<Sampled> {
    let notes = write::disk::sweep(&[folder(&req.output)]);
    let found = batch::discover(&req.inputs)?;
    own::check_output_dir("-o", &req.output)?;
    own::check_output(found.iter().map(|f| f.path.as_path()), &req.output)?;
    if own::own_file(&req.output) == Some(own::Own::Sample) && filled(&req.output, &req.limits) {
        return Err(Error::SampleFilled {
            path: req.output.clone(),
        });
    }
    let b = batch::read_found(
        &found,
        &Options {
            limits: req.limits,
            keep_source: false,
            // A quarter of the memory: at 100,000 forms 1.7 GB was held.
            pack: true,
            profile: req.scoring.clone(),
        },
    );
    if b.forms.is_empty() {
        return Ok(Sampled {
            batch: b,
            sample: None,
            notes,
        });
    }
    let s = sample::draw(&b, &req.plan);
    let info = write::sample::Info {
        profile: req.profile.clone(),
    };
    // Too many sheets for review is known before the workbook is made (at 100,000 forms
    // the default 20,000 projects took 25 s and 4 GB to be refused after).
    let sheets = write::sample::sheet_count(&s) as u64;
    if sheets > MAX_SAMPLE_SHEETS {
        return Err(Error::SampleTooLarge {
            path: req.output.clone(),
            drawn: s.drawn.len(),
            why: format!("{sheets} 个工作表，上限 {MAX_SAMPLE_SHEETS}"),
        });
    }
    let bytes = write::sample::to_xlsx(&b, &s, &info).map_err(Error::SampleWorkbook)?;
    // Read back as `review` will read it, before anyone fills it in.
    if let Err(e) = crate::read::read_bytes(&bytes, &req.output, &sample_limits(&Limits::default()))
    {
        return Err(Error::SampleTooLarge {
            path: req.output.clone(),
            drawn: s.drawn.len(),
            why: e.reason,
        });
    }
    let mut set = write::OutputSet::default();
    set.stage(&req.output, &bytes)?;
    set.commit()?;
    Ok(Sampled {
        batch: b,
        sample: Some(s),
        notes,
    })
}

/// Sheets a sample workbook may have when read back: one 底稿 per project drawn, beside
/// its lists. The forms' own limit (1,000) is for what departments send; a sample of
/// 20 % of 10,000 projects is 2,004 sheets, which `review` refused and `sample` then
/// took for a filled workbook it must not replace. About as many projects as fit the
/// default cell limit (5,000,000; a project's 底稿 is about 500 cells).
pub const MAX_SAMPLE_SHEETS: u64 = 10_000;

/// The limits a sample workbook is read back with (`review`, and `sample` checking its
/// own output and what it would replace): `limits` with room for [`MAX_SAMPLE_SHEETS`].
/// Cells, text and bytes stay as they are: they bound the memory one workbook takes.
pub fn sample_limits(limits: &Limits) -> Limits {
    Limits {
        max_sheets: limits.max_sheets.max(MAX_SAMPLE_SHEETS),
        ..*limits
    }
}

/// Whether a sample workbook holds anything a reviewer wrote (or cannot be read, which is
/// as good a reason to keep it).
fn filled(path: &Path, limits: &Limits) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return true;
    };
    let Ok(grids) = crate::read::read_bytes(&bytes, path, &sample_limits(limits)) else {
        return true;
    };
    review::read(&grids).map_or(true, |r| {
        r.projects
            .iter()
            .any(|p| p.status != review::Status::NotReviewed)
    })
}

/// What to review and where to write it.
#[derive(Debug, Clone, Default)]
pub struct ReviewRequest {
    /// The filled sample workbook.
    pub input: PathBuf,
    /// The review workbook (.xlsx).
    pub output: PathBuf,
    /// The JSON document; `-` for standard output.
    pub json: Option<PathBuf>,
    pub limits: Limits,
}

/// What [`review`] did.
#[derive(Debug)]
pub struct Reviewed {
    pub review: Review,
    /// The JSON document when asked for on standard output.
    pub stdout_json: Option<String>,
    pub notes: Vec<String>,
}

/// Reads a filled sample workbook back and writes the review workbook (and JSON).
pub fn review(req: &ReviewRequest) -> Result<Reviewed> {
    let json = req.json.as_ref().filter(|j| j.as_os_str() != "-");
    if let Some(j) = json
        && std::path::absolute(j).ok() == std::path::absolute(&req.output).ok()
    {
        return Err(Error::DuplicateOutput {
            first: "-o",
            second: "--json",
            path: req.output.clone(),
        });
    }
    let mut dirs = vec![folder(&req.output)];
    dirs.extend(json.map(|j| folder(j)));
    let notes = write::disk::sweep(&dirs);
    let input = [req.input.as_path()];
    own::check_output_dir("-o", &req.output)?;
    own::check_output(input, &req.output)?;
    if let Some(j) = json {
        own::check_output_dir("--json", j)?;
        own::check_output(input, j)?;
    }
    let bytes = std::fs::read(&req.input).map_err(|source| Error::Input {
        path: req.input.clone(),
        source,
    })?;
    let why = |why: String| Error::ReviewInput {
        path: req.input.clone(),
        why,
    };
    let grids = crate::read::read_bytes(&bytes, &req.input, &sample_limits(&req.limits))
        .map_err(|e| why(e.to_string()))?;
    let rv = review::read(&grids).map_err(|e| why(e.0))?;
    let source = batch::display_path(&req.input);
    let book = write::review::to_xlsx(&rv, &source).map_err(Error::ReviewWorkbook)?;
    let mut set = write::OutputSet::default();
    set.stage(&req.output, &book)?;
    let mut stdout_json = None;
    if let Some(j) = &req.json {
        let doc = write::review::to_json(&rv, &source);
        if j.as_os_str() == "-" {
            stdout_json = Some(doc);
        } else {
            set.stage(j, doc.as_bytes())?;
        }
    }
    set.commit()?;
    Ok(Reviewed {
        review: rv,
        stdout_json,
        notes,
    })
}
