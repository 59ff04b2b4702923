//! Inputs that never lie (issue 19, the readers' half): each hostile or unusual file below
//! sits beside a good sample in one run through the binary; the sample is always
//! converted, and the file is refused with its code and reason, or read as Excel shows it.

mod common;

use common::*;
use serde_json::Value;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What one run over sample 1 and some files made by the test gave.
struct Run {
    code: i32,
    json: Value,
    secs: f64,
}

impl Run {
    fn input(&self, name: &str) -> &Value {
        self.json["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} not among the inputs: {}", self.json))
    }

    /// The findings about the file `name`.
    fn findings(&self, name: &str) -> Vec<&Value> {
        self.json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["file"].as_str().unwrap().ends_with(name))
            .collect()
    }

    /// `name` failed with `code` and exactly `reason`; the sample beside it was converted.
    fn refused(&self, name: &str, code: &str, reason: &str) {
        let i = self.input(name);
        assert_eq!(i["status"], "failed", "{name}: {i}");
        assert_eq!(i["reason"], format!("{reason} [{code}]"), "{name}");
        let f = self.findings(name);
        assert_eq!(f.len(), 1, "{name}: {f:?}");
        assert_eq!(f[0]["code"], code, "{name}");
        assert_eq!(f[0]["message"], reason, "{name}");
        assert_eq!(self.code, 1, "{name}");
    }
}

/// Runs `convert` over a folder holding sample 1 and the given files, with `extra`
/// arguments; the sample must be converted whatever the files are.
fn run_beside_sample(files: &[(&str, &[u8])], extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("in");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::copy(root().join("samples/2023/1.xlsx"), inbox.join("1.xlsx")).unwrap();
    for (name, bytes) in files {
        std::fs::write(inbox.join(name), bytes).unwrap();
    }
    run_inputs(&[inbox], dir.path(), extra)
}

fn run_inputs(inputs: &[PathBuf], out_dir: &Path, extra: &[&str]) -> Run {
    let out = out_dir.join("out.xlsx");
    let json = out_dir.join("out.json");
    let mut args: Vec<&str> = vec!["convert"];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    args.extend([
        "-o",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "-q",
    ]);
    args.extend(extra);
    let t = Instant::now();
    let o = jixiao(&args);
    let secs = t.elapsed().as_secs_f64();
    assert!(out.exists(), "no workbook written: {}", lossy(&o.stderr));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let run = Run {
        code: o.status.code().unwrap(),
        json,
        secs,
    };
    let good = run.input("/1.xlsx");
    assert_eq!(good["status"], "ok", "{good}");
    assert_eq!(good["forms"], 1, "{good}");
    run
}

// ---------------------------------------------------------------------------------------
// Zip packages written by hand: entries of one name twice, sizes that lie.

/// CRC-32 (IEEE), bit by bit: the test's parts are small.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One entry of a zip written by hand: its name, compression method (0 stored, 8
/// deflated), the CRC and inflated size it declares, and its data as stored.
struct Entry {
    name: String,
    method: u16,
    crc: u32,
    size: u32,
    data: Vec<u8>,
}

impl Entry {
    fn stored(name: &str, body: &[u8]) -> Entry {
        Entry {
            name: name.into(),
            method: 0,
            crc: crc32(body),
            size: body.len() as u32,
            data: body.to_vec(),
        }
    }
}

/// A zip of the entries in order, duplicates and all (the zip library refuses to write
/// two entries of one name).
fn raw_zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend(20u16.to_le_bytes()); // made by
            }
            h.extend(20u16.to_le_bytes()); // needed
            h.extend(0x0800u16.to_le_bytes()); // UTF-8 names
            h.extend(e.method.to_le_bytes());
            h.extend([0, 0, 0x21, 0]); // time, date (1980-01-01)
            h.extend(e.crc.to_le_bytes());
            h.extend((e.data.len() as u32).to_le_bytes());
            h.extend(e.size.to_le_bytes());
            h.extend((e.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend([0u8; 6]); // comment, disk, internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(e.name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&e.data);
        central.extend(header(0x0201_4b50, true));
    }
    let start = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend([0u8; 2]);
    out
}

/// The parts of a package, in order.
fn parts_of(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut body = Vec::new();
            f.read_to_end(&mut body).unwrap();
            (f.name().unwrap().to_string(), body)
        })
        .collect()
}

fn zip_of(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in parts {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(body).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn sample_parts() -> Vec<(String, Vec<u8>)> {
    parts_of(&std::fs::read(root().join("samples/2023/1.xlsx")).unwrap())
}

fn part_text(parts: &[(String, Vec<u8>)], name: &str) -> String {
    let (_, b) = parts.iter().find(|(n, _)| n == name).unwrap();
    String::from_utf8(b.clone()).unwrap()
}

fn set_part(parts: &mut [(String, Vec<u8>)], name: &str, body: String) {
    parts.iter_mut().find(|(n, _)| n == name).unwrap().1 = body.into_bytes();
}

fn replace_once(s: &str, from: &str, to: &str) -> String {
    assert_eq!(s.matches(from).count(), 1, "{from} once");
    s.replacen(from, to, 1)
}

const ODS_NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0""#;

const MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
const MANIFEST: &[u8] = br#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

/// content.xml around one table's rows.
fn ods_content(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2"><office:body><office:spreadsheet><table:table table:name="表1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
}

fn ods_parts(content: &str) -> Vec<(String, Vec<u8>)> {
    vec![
        ("mimetype".into(), MIMETYPE.to_vec()),
        ("content.xml".into(), content.as_bytes().to_vec()),
        ("META-INF/manifest.xml".into(), MANIFEST.to_vec()),
    ]
}

/// Writes bits into a deflate stream, least significant first.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, bits: u32) {
        self.acc |= (value as u64) << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, written from its most significant bit.
    fn code(&mut self, code: u32, bits: u32) {
        let rev = (0..bits).fold(0, |r, i| (r << 1) | ((code >> i) & 1));
        self.put(rev, bits);
    }

    /// A literal byte in the fixed Huffman code.
    fn literal(&mut self, b: u8) {
        match b {
            0..=143 => self.code(0x30 + b as u32, 8),
            _ => self.code(0x190 + (b as u32 - 144), 9),
        }
    }
}

/// A deflate stream (one block, fixed Huffman codes) that inflates to `head`, then
/// `period` repeated `times` times, then `tail`: the period is written once and copied
/// by matches of 258 bytes, so a stream of a few megabytes inflates to hundreds, made in
/// milliseconds. `period` must be 3 to 32,768 bytes long.
fn deflate_repeated(head: &[u8], period: &[u8], times: u64, tail: &[u8]) -> Vec<u8> {
    let mut w = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    w.put(1, 1); // the final block
    w.put(1, 2); // fixed Huffman codes
    for &b in head.iter().chain(period) {
        w.literal(b);
    }
    // The distance back to the period's start: its code and extra bits (RFC 1951 3.2.5).
    let dist = period.len() as u32;
    let (mut code, mut base, mut extra) = (0u32, 1u32, 0u32);
    while base + (1 << extra) <= dist {
        base += 1 << extra;
        code += 1;
        if code >= 4 && code % 2 == 0 {
            extra += 1;
        }
    }
    let mut left = (times - 1) * period.len() as u64;
    let copy = |w: &mut Bits, len: u32| {
        // Lengths 3–10 have codes 257–264 with no extra bits; 258 is 285.
        match len {
            258 => w.code(0xC5, 8),
            3..=10 => w.code(len - 3 + 1, 7),
            _ => unreachable!(),
        }
        w.code(code, 5);
        w.put(dist - base, extra);
    };
    while left >= 258 + 3 || left == 258 {
        copy(&mut w, 258);
        left -= 258;
    }
    while left > 0 {
        let len = left.min(10) as u32;
        let len = if left - len as u64 > 0 && left - (len as u64) < 3 {
            len - 3
        } else {
            len
        };
        copy(&mut w, len);
        left -= len as u64;
    }
    for &b in tail {
        w.literal(b);
    }
    w.code(0, 7); // end of block
    w.put(0, 7);
    w.out
}

#[test]
fn the_repeating_deflate_stream_inflates_to_what_it_says() {
    let bytes = deflate_repeated(b"<a>", b"<row/>", 1000, b"</a>");
    let mut out = Vec::new();
    zip::ZipArchive::new(Cursor::new(raw_zip(&[Entry {
        name: "x".into(),
        method: 8,
        crc: crc32(&[b"<a>".as_slice(), &b"<row/>".repeat(1000), b"</a>"].concat()),
        size: 3 + 6000 + 4,
        data: bytes,
    }])))
    .unwrap()
    .by_index(0)
    .unwrap()
    .read_to_end(&mut out)
    .unwrap();
    assert_eq!(
        out,
        [b"<a>".as_slice(), &b"<row/>".repeat(1000), b"</a>"].concat()
    );
}

const EMPTY_ROW: &[u8] = b"<table:table-row><table:table-cell/></table:table-row>";

/// An .ods whose content.xml is `rows` empty rows (55 bytes each: 4.9 million pass the
/// 256 MB a part may inflate to), and its length. `declared`: the size its headers give,
/// else the true one (with a true CRC when it is small enough to compute here).
fn ods_bomb(rows: u64, declared: Option<u32>) -> (Vec<u8>, u64) {
    let content = ods_content("");
    let (head, tail) = content.split_at(content.find("</table:table>").unwrap());
    let len = (head.len() + tail.len()) as u64 + rows * EMPTY_ROW.len() as u64;
    let data = deflate_repeated(head.as_bytes(), EMPTY_ROW, rows, tail.as_bytes());
    let crc = if len < 10 << 20 {
        crc32(
            &[
                head.as_bytes(),
                &EMPTY_ROW.repeat(rows as usize),
                tail.as_bytes(),
            ]
            .concat(),
        )
    } else {
        0 // never checked: the reader must stop long before the end, where it would be
    };
    let zip = raw_zip(&[
        Entry::stored("mimetype", MIMETYPE),
        Entry {
            name: "content.xml".into(),
            method: 8,
            crc,
            size: declared.unwrap_or(len as u32),
            data,
        },
        Entry::stored("META-INF/manifest.xml", MANIFEST),
    ]);
    (zip, len)
}

/// A 4 MB .ods whose content.xml inflates to 4 GB held 12 GB and took half a minute
/// before its E001: content.xml is now streamed under the XLSX reader's byte budget, so
/// a part that says it is large is refused before anything is inflated, and one that
/// says it is small is refused where it passes what it said (1 KB here; the reader's
/// own stop at 256 MB is behind that).
#[test]
fn an_ods_bomb_stops_at_the_byte_budget() {
    // 330 MB of rows (3 MB compressed), the declared size a lie: 1 KB.
    let (lying, _) = ods_bomb(6_000_000, Some(1024));
    assert!(lying.len() < 8 << 20, "{}", lying.len());
    // The same, saying its size (over 256 MB): refused before inflating.
    let (honest, len) = ods_bomb(6_000_000, None);
    let run = run_beside_sample(&[("lying.ods", &lying), ("honest.ods", &honest)], &[]);
    run.refused(
        "lying.ods",
        "E001",
        "文件已损坏或不是表格文件（content.xml 解压后超过压缩包中声明的大小）",
    );
    run.refused(
        "honest.ods",
        "E001",
        &format!(
            "文件解压后过大（部件 content.xml 为 {len} 字节，单个上限 268435456，合计上限 1073741824）"
        ),
    );
    // A debug build inflates and scans 256 MB in well under this; all 4 GB took minutes.
    assert!(run.secs < 60.0, "{} s", run.secs);
    // The same rows, fewer: read (an empty sheet), the file is not refused.
    let (small, _) = ods_bomb(10_000, None);
    let run = run_beside_sample(&[("small.ods", &small)], &[]);
    assert_eq!(run.input("small.ods")["status"], "ok");
}

/// A formula saved without its result in an .ods (as scripts write them) is E005 at its
/// cell, as in an .xlsx, never an empty cell.
#[test]
fn an_ods_formula_without_a_result_is_e005() {
    let content = ods_content(
        r#"<table:table-row><table:table-cell office:value-type="float" office:value="99"><text:p>99</text:p></table:table-cell><table:table-cell table:formula="of:=SUM([.A1:.A2])"/><table:table-cell table:formula="of:=&quot;&quot;" office:value-type="string" office:string-value=""><text:p/></table:table-cell></table:table-row>"#,
    );
    let bytes = zip_of(&ods_parts(&content));
    let run = run_beside_sample(&[("f.ods", &bytes)], &[]);
    assert_eq!(run.input("f.ods")["status"], "ok");
    let f = run.findings("f.ods");
    let e005: Vec<_> = f.iter().filter(|f| f["code"] == "E005").collect();
    assert_eq!(e005.len(), 1, "{f:?}");
    assert_eq!(e005[0]["cell"], "B1");
    assert_eq!(
        e005[0]["message"],
        "有1个公式单元格没有保存计算结果（如 表1!B1 “=SUM(A1:A2)”），其值无法读取；请在 Excel/WPS 中打开并保存后重新运行"
    );
}

/// A package with two entries of one name is E001 naming it, never one of them picked.
#[test]
fn duplicate_zip_entries_are_e001() {
    let mut entries: Vec<Entry> = sample_parts()
        .iter()
        .map(|(n, b)| Entry::stored(n, b))
        .collect();
    let sheet = part_text(&sample_parts(), "xl/worksheets/sheet1.xml");
    let other = replace_once(
        &sheet,
        "<sheetData>",
        "<sheetData><row r=\"40\"><c r=\"A40\" t=\"inlineStr\"><is><t>另一张</t></is></c></row>",
    );
    entries.push(Entry::stored("xl/worksheets/sheet1.xml", other.as_bytes()));
    let xlsx = raw_zip(&entries);

    let content = ods_content(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>甲</text:p></table:table-cell></table:table-row>"#,
    );
    let mut ods: Vec<Entry> = ods_parts(&content)
        .iter()
        .map(|(n, b)| Entry::stored(n, b))
        .collect();
    ods.push(Entry::stored(
        "content.xml",
        content.replace('甲', "乙").as_bytes(),
    ));
    let ods = raw_zip(&ods);

    let run = run_beside_sample(&[("dup.xlsx", &xlsx), ("dup.ods", &ods)], &[]);
    run.refused(
        "dup.xlsx",
        "E001",
        "文件已损坏或不是表格文件（压缩包内有重复的条目 xl/worksheets/sheet1.xml，无法确定读哪一个）",
    );
    run.refused(
        "dup.ods",
        "E001",
        "文件已损坏或不是表格文件（压缩包内有重复的条目 content.xml，无法确定读哪一个）",
    );
}

/// Password-protected .xls (a FILEPASS record after the globals' BOF, RC4 and XOR) is
/// E002, not E001 "corrupt, 86,692,380,220,992 cells".
#[test]
fn encrypted_xls_is_e002() {
    let rc4 = std::fs::read(root().join("tests/fixtures/encrypted-rc4.xls")).unwrap();
    let xor = std::fs::read(root().join("tests/fixtures/encrypted-xor.xls")).unwrap();
    let run = run_beside_sample(&[("rc4.xls", &rc4), ("xor.xls", &xor)], &[]);
    for name in ["rc4.xls", "xor.xls"] {
        run.refused(name, "E002", "文件设有密码保护，无法读取");
    }
}

/// The real .xls the encrypted fixtures are made from, with a FILEPASS record of `body`
/// inserted after the globals' BOF (the sheets' offsets in BOUNDSHEET moved to match).
fn with_filepass(xls: &[u8], body: &[u8]) -> Vec<u8> {
    let mut src = cfb::CompoundFile::open(Cursor::new(xls)).unwrap();
    let streams: Vec<PathBuf> = src
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| e.path().to_path_buf())
        .collect();
    let mut dst = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    for path in streams {
        let mut data = Vec::new();
        src.open_stream(&path)
            .unwrap()
            .read_to_end(&mut data)
            .unwrap();
        if path == Path::new("/Workbook") {
            let mut record = 0x002Fu16.to_le_bytes().to_vec();
            record.extend((body.len() as u16).to_le_bytes());
            record.extend(body);
            let bof_len = u16::from_le_bytes([data[2], data[3]]) as usize + 4;
            let mut out = data[..bof_len].to_vec();
            out.extend(&record);
            out.extend(&data[bof_len..]);
            // BOUNDSHEET (0x0085): its first four bytes are the sheet's stream offset.
            let mut i = 0;
            while i + 4 <= out.len() {
                let typ = u16::from_le_bytes([out[i], out[i + 1]]);
                let len = u16::from_le_bytes([out[i + 2], out[i + 3]]) as usize;
                if typ == 0x0085 {
                    let at = i + 4;
                    let pos = u32::from_le_bytes(out[at..at + 4].try_into().unwrap());
                    let moved = pos + record.len() as u32;
                    out[at..at + 4].copy_from_slice(&moved.to_le_bytes());
                }
                if typ == 0x000A {
                    break;
                }
                i += 4 + len;
            }
            data = out;
        }
        dst.create_stream(&path).unwrap().write_all(&data).unwrap();
    }
    dst.flush().unwrap();
    dst.into_inner().into_inner()
}

/// Writes tests/fixtures/encrypted-{rc4,xor}.xls (see tests/fixtures/README.md):
/// `cargo test --test inputs_never_lie -- --ignored make_encrypted_xls`.
#[test]
#[ignore]
fn make_encrypted_xls() {
    let xls = std::fs::read(root().join("tests/fixtures/real/hubei-ezhou-2019.xls")).unwrap();
    // XOR obfuscation: type 0, key, verifier.
    let xor = [0u8, 0, 0x34, 0x12, 0x78, 0x56];
    // RC4: type 1, version 1.1, then salt, verifier and its hash (16 bytes each).
    let mut rc4 = vec![1u8, 0, 1, 0, 1, 0];
    rc4.extend((0..48u8).map(|i| i.wrapping_mul(37)));
    for (name, body) in [("encrypted-xor.xls", &xor[..]), ("encrypted-rc4.xls", &rc4)] {
        std::fs::write(
            root().join("tests/fixtures").join(name),
            with_filepass(&xls, body),
        )
        .unwrap();
    }
}

/// The fixtures are what `make_encrypted_xls` makes, and without their FILEPASS the
/// workbook reads.
#[test]
fn the_encrypted_fixtures_are_the_real_xls_with_a_filepass() {
    let xls = std::fs::read(root().join("tests/fixtures/real/hubei-ezhou-2019.xls")).unwrap();
    let grids =
        |bytes: &[u8]| jixiao::read::read_bytes(bytes, Path::new("x.xls"), &Default::default());
    assert!(grids(&xls).is_ok());
    for name in ["encrypted-xor.xls", "encrypted-rc4.xls"] {
        let bytes = std::fs::read(root().join("tests/fixtures").join(name)).unwrap();
        let e = grids(&bytes).unwrap_err();
        assert_eq!(e.code, jixiao::code::Code::E002, "{name}");
    }
}

/// Sample 1 with its `（2023年度）` cell (A2) holding a date serial formatted
/// `yyyy"年度"` (Excel shows 2023年度), written as Excel writes it, not by jixiao.
fn sample_with_year_as_date() -> Vec<u8> {
    let mut parts = sample_parts();
    let sheet = part_text(&parts, "xl/worksheets/sheet1.xml");
    let sheet = replace_once(
        &sheet,
        r#"<c r="A2" s="2" t="s"><v>1</v></c>"#,
        r#"<c r="A2" s="6"><v>45000</v></c>"#,
    );
    set_part(&mut parts, "xl/worksheets/sheet1.xml", sheet);
    let styles = part_text(&parts, "xl/styles.xml");
    let styles = replace_once(
        &styles,
        "<fonts ",
        r#"<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年度&quot;"/></numFmts><fonts "#,
    );
    let styles = replace_once(&styles, r#"<cellXfs count="6">"#, r#"<cellXfs count="7">"#);
    let styles = replace_once(
        &styles,
        "</cellXfs>",
        r#"<xf numFmtId="176" fontId="2" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#,
    );
    set_part(&mut parts, "xl/styles.xml", styles);
    zip_of(&parts)
}

/// A date in the 年度 cell is read as its year, as Excel shows it: no L004.
#[test]
fn a_date_in_the_year_cell_is_its_year() {
    let bytes = sample_with_year_as_date();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("年度为日期.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = run_inputs(
        &[root().join("samples/2023/1.xlsx"), path.clone()],
        out.path(),
        &[],
    );
    let projects = run.json["projects"].as_array().unwrap();
    let form = projects
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with("年度为日期.xlsx"))
        .unwrap();
    assert_eq!(form["year"], 2023, "{form}");
    let f = run.findings("年度为日期.xlsx");
    assert!(!f.iter().any(|f| f["code"] == "L004"), "{f:?}");
    // Through calamine too (the fast reader's fallback).
    for via_calamine in [false, true] {
        let limits = jixiao::read::Limits {
            xlsx_via_calamine: via_calamine,
            ..Default::default()
        };
        let g = jixiao::read::read_bytes(&bytes, &path, &limits).unwrap();
        let a2 = jixiao::grid::Pos::parse("A2").unwrap();
        assert_eq!(g[0].get(a2), &jixiao::grid::Value::text("2023年度"));
    }
}

/// Runs `f` on a thread; fails (instead of hanging) when it takes longer than `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .expect("the run hangs on a named pipe instead of refusing it")
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(ok.success());
}

/// A named pipe given as an input is refused (the run would hang reading it), and the
/// sample beside it converted; guarded by a timeout, so a regression fails, not hangs.
#[cfg(unix)]
#[test]
fn a_named_pipe_never_hangs_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("管道.xlsx");
    mkfifo(&fifo);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let inputs = vec![root().join("samples/2023/1.xlsx"), fifo.clone()];
    let run = within(Duration::from_secs(120), move || {
        run_inputs(&inputs, &out, &[])
    });
    run.refused("管道.xlsx", "E001", "不是普通文件（命名管道），无法读取");
}

/// A file that was regular when the inputs were walked and is a named pipe when it is
/// read (swapped in between) is refused at the read, never opened blocking. The walk and
/// the read are the library's two steps, so the swap is made between them.
#[cfg(unix)]
#[test]
fn a_file_swapped_for_a_named_pipe_after_the_walk_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("in");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::copy(root().join("samples/2023/1.xlsx"), inbox.join("1.xlsx")).unwrap();
    let swapped = inbox.join("2.xlsx");
    std::fs::copy(root().join("samples/2023/2.xlsx"), &swapped).unwrap();
    let found = jixiao::batch::discover(&[inbox]).unwrap();
    assert!(found.iter().all(|f| f.skip.is_none() && f.error.is_none()));
    std::fs::remove_file(&swapped).unwrap();
    mkfifo(&swapped);
    let batch = within(Duration::from_secs(120), move || {
        jixiao::batch::read_found(&found, &Default::default())
    });
    let input = |name: &str| {
        batch
            .inputs
            .iter()
            .find(|i| i.path.ends_with(name))
            .unwrap()
    };
    assert_eq!(input("1.xlsx").forms, 1);
    let pipe = input("2.xlsx");
    assert_eq!(
        pipe.reason.as_deref(),
        Some("读取时已不是普通文件（命名管道），无法读取；请确认文件未被替换后重新运行 [E001]")
    );
    assert!(batch.findings().any(|f| f.code == "E001"
        && f.file.ends_with("2.xlsx")
        && f.message.starts_with("读取时已不是普通文件（命名管道）")));
}

/// A broken file's reason is Chinese a sender can act on; the reading library's English is
/// kept in the JSON only (`inputs[].detail`).
#[test]
fn a_broken_files_reason_is_chinese_and_its_english_stays_in_the_json() {
    let d = tempfile::tempdir().unwrap();
    let full = std::fs::read(root().join("samples/2023/1.xlsx")).unwrap();
    std::fs::write(d.path().join("截断.xlsx"), &full[..3000]).unwrap();
    let o = jixiao_in(d.path(), &["check", "截断.xlsx"]);
    let out = lossy(&o.stdout);
    assert!(
        out.contains("截断.xlsx: 错误[E001] 文件已损坏或不是表格文件（文件不完整，可能在传输或保存时被截断，请报送单位重新发送）"),
        "{out}"
    );
    for english in ["Zip", "EOCD", "archive"] {
        assert!(!out.contains(english), "{english}: {out}");
    }
    let o = jixiao_in(d.path(), &["check", "截断.xlsx", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        json["inputs"][0]["detail"],
        "Zip error: invalid Zip archive: Could not find EOCD"
    );
    assert!(
        !json["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Zip")
    );
}
