//! Reading an uploaded file into rows of text: CSV in UTF-8 (with or without BOM)
//! or GBK (what Excel on a Chinese Windows saves), comma-, semicolon- or
//! tab-separated; or the first sheet of an .xlsx workbook. Pure: bytes in, table out.

use serde::{Deserialize, Serialize};

use super::Problem;

/// The text of a file, before any column is understood. Row numbers are the ones
/// the user sees in the file (a CSV line, an Excel row), 1-based.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub header_row: usize,
    pub rows: Vec<(usize, Vec<String>)>,
    /// Rows that could not be read at all (bad encoding), with the reason.
    pub problems: Vec<Problem>,
}

pub const BAD_ENCODING: &str = "is not UTF-8 or GBK text (bad encoding)";
pub const NOT_A_TABLE: &str = "the file has no header row: save it as CSV (UTF-8 or GBK) or .xlsx";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Gbk,
    /// Neither decodes the whole file: each field is tried as UTF-8, then GBK.
    Mixed,
}

/// Whether the bytes are an .xlsx (a zip) rather than CSV text.
pub fn is_xlsx(filename: &str, bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || filename.to_lowercase().ends_with(".xlsx")
}

/// Reads a CSV or .xlsx file; the header row is the one among the first ten that
/// names the most known fields (title lines above it are skipped).
pub fn read(filename: &str, bytes: &[u8]) -> Result<Table, String> {
    let raw = if is_xlsx(filename, bytes) { read_xlsx(bytes)? } else { read_csv(bytes) };
    Ok(with_header(raw))
}

struct Raw {
    rows: Vec<(usize, Vec<String>)>,
    problems: Vec<Problem>,
}

fn with_header(raw: Raw) -> Table {
    let candidates = raw.rows.iter().take(10).enumerate();
    let best = candidates
        .map(|(i, (_, cells))| (i, cells.iter().filter(|c| super::fields::Field::detect(c).is_some()).count()))
        .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)));
    let Some((at, _)) = best else { return Table { problems: raw.problems, ..Table::default() } };
    let mut rows = raw.rows;
    let (header_row, headers) = rows[at].clone();
    let rest = rows.split_off(at + 1);
    let problems = raw.problems.into_iter().filter(|p| p.row > header_row).collect();
    Table { headers, header_row, rows: rest, problems }
}

fn detect_encoding(bytes: &[u8]) -> Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        Encoding::Utf8
    } else if encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes).is_some() {
        Encoding::Gbk
    } else {
        Encoding::Mixed
    }
}

fn decode(field: &[u8], enc: Encoding) -> Option<String> {
    let utf8 = || std::str::from_utf8(field).ok().map(str::to_string);
    let gbk = || encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(field).map(|c| c.into_owned());
    match enc {
        Encoding::Utf8 => utf8(),
        Encoding::Gbk => gbk(),
        Encoding::Mixed => utf8().or_else(gbk),
    }
}

/// The separator the first lines use most: comma (on a tie), tab or semicolon.
fn delimiter(bytes: &[u8]) -> u8 {
    let head: Vec<u8> = bytes.split(|&b| b == b'\n').take(10).flatten().copied().collect();
    // `max_by_key` keeps the last of equals: comma last, so it wins ties.
    [b';', b'\t', b','].into_iter().max_by_key(|d| head.iter().filter(|b| *b == d).count()).unwrap_or(b',')
}

fn read_csv(bytes: &[u8]) -> Raw {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let enc = detect_encoding(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(bytes))
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut record = csv::ByteRecord::new();
    // The csv crate does not count blank lines; count newlines up to each record.
    let (mut at, mut line_at) = (0usize, 1usize);
    let mut line_of = |byte: usize| {
        let byte = byte.min(bytes.len());
        if byte > at {
            line_at += bytes[at..byte].iter().filter(|&&b| b == b'\n').count();
            at = byte;
        }
        line_at
    };
    loop {
        let line = line_of(reader.position().byte() as usize);
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                problems.push(Problem::new(line, "", "", &format!("cannot be read as CSV: {e}")));
                continue;
            }
        }
        // A record's position is where reading began, before any blank lines skipped.
        let start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
        let start = start + bytes.get(start..).unwrap_or_default().iter().take_while(|b| matches!(b, b'\n' | b'\r')).count();
        let line = if start > 0 { line_of(start) } else { line };
        let mut cells = Vec::with_capacity(record.len());
        let mut bad = false;
        for f in record.iter() {
            match decode(f, enc) {
                Some(s) => cells.push(s.trim().to_string()),
                None => {
                    bad = true;
                    cells.push(String::from_utf8_lossy(f).trim().to_string());
                }
            }
        }
        if bad {
            problems.push(Problem::new(line, "", "", BAD_ENCODING));
            continue;
        }
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push((line, cells));
        }
    }
    Raw { rows, problems }
}

fn read_xlsx(bytes: &[u8]) -> Result<Raw, String> {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|e| format!("not a readable .xlsx workbook: {e}"))?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(format!("the first sheet cannot be read: {e}")),
        None => return Err("the workbook has no sheet".into()),
    };
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let first_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let mut cells: Vec<String> = vec![String::new(); first_col];
        cells.extend(row.iter().map(|c| match c {
            Data::Int(i) => i.to_string(),
            Data::Float(f) => float_text(*f),
            Data::String(s) => s.trim().to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(d) if d.is_datetime() => excel_date(d.as_f64()),
            Data::DateTime(d) => float_text(d.as_f64()),
            Data::DateTimeIso(s) => s.chars().take(10).collect(),
            Data::DurationIso(s) => s.clone(),
            Data::Error(_) | Data::Empty => String::new(),
        }));
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if !cells.is_empty() {
            rows.push((first_row + i + 1, cells));
        }
    }
    Ok(Raw { rows, problems: vec![] })
}

/// Excel keeps mobiles and ID-less numbers as floats: `13812345678` must not come
/// out as `1.3812345678e10`.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { f.to_string() }
}

/// An Excel serial date (days since 1899-12-30 in the 1900 system) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    base.checked_add_signed(chrono::Duration::days(serial.floor() as i64))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf8_csv_with_bom_and_a_title_line_finds_its_header() {
        let csv = "\u{feff}客户清单 2026-11\n姓名,手机,车架号\n张三,13812345678,LSVAU2180N2183294\n\n李四,13912345678,\n";
        let t = read("a.csv", csv.as_bytes()).unwrap();
        assert_eq!(t.headers, ["姓名", "手机", "车架号"]);
        assert_eq!(t.header_row, 2);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0], (3, vec!["张三".to_string(), "13812345678".into(), "LSVAU2180N2183294".into()]));
        assert_eq!(t.rows[1].0, 5, "row numbers are the file's lines");
    }

    #[test]
    fn a_gbk_csv_from_chinese_excel_is_decoded() {
        let text = "姓名;手机\n王五;13712345678\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert!(std::str::from_utf8(&gbk).is_err(), "really GBK");
        let t = read("kunden.csv", &gbk).unwrap();
        assert_eq!(t.headers, ["姓名", "手机"]);
        assert_eq!(t.rows[0].1, ["王五", "13712345678"]);
    }

    #[test]
    fn a_line_in_neither_utf8_nor_gbk_is_reported_by_row() {
        let mut bytes = "姓名,手机\n张三,13812345678\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xff\xfe\xff,13912345678\n");
        bytes.extend_from_slice("李四,13612345678\n".as_bytes());
        let t = read("x.csv", &bytes).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.problems.len(), 1);
        assert_eq!((t.problems[0].row, t.problems[0].reason.as_str()), (3, BAD_ENCODING));
    }

    #[test]
    fn excel_numbers_and_dates_read_as_people_wrote_them() {
        assert_eq!(float_text(13812345678.0), "13812345678");
        assert_eq!(float_text(1.5), "1.5");
        assert_eq!(excel_date(45000.0), "2023-03-15");
    }

    #[test]
    fn tab_separated_files_are_understood() {
        let t = read("x.txt", "name\tmobile\nZhang San\t13812345678\n".as_bytes()).unwrap();
        assert_eq!(t.headers, ["name", "mobile"]);
    }
}
