//! One table model for a report, rendered twice: as the HTML table of the page and
//! as the sheet of its Excel export, so the download is exactly what the manager
//! looked at (same columns, same labels, same numbers).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// A cell of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A share in [0, 1]; `None`: nothing to divide.
    Rate(Option<f64>),
    /// A fractional count (expected buyers).
    Num(f64),
}

impl Cell {
    /// How the page shows the cell.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Rate(r) => percent(*r),
            Cell::Num(x) => format!("{x:.1}"),
        }
    }
}

/// `12.3%`, or `—` for an unknown rate.
pub fn percent(r: Option<f64>) -> String {
    match r {
        Some(r) => format!("{:.1}%", r * 100.0),
        None => "—".into(),
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// The sheet's name and the file's title line.
    pub title: String,
    /// What the report covers (period, grouping), shown above the table.
    pub subtitle: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// The total line, when the report has one.
    pub total: Option<Vec<Cell>>,
}

impl Table {
    /// Rows in the export (without title and header lines).
    pub fn len(&self) -> usize {
        self.rows.len() + usize::from(self.total.is_some())
    }

    /// The table as an .xlsx workbook: title, subtitle, header, rows, total; rates as
    /// percentages, counts as numbers, so Excel can sum and chart them.
    pub fn xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        // Excel refuses sheet names over 31 characters or with []:*?/\.
        let name: String = self.title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        sheet.set_name(if name.is_empty() { "report" } else { &name })?;
        let bold = Format::new().set_bold();
        let pct = Format::new().set_num_format("0.0%");
        let pct_bold = Format::new().set_num_format("0.0%").set_bold();
        let num = Format::new().set_num_format("0.0");
        sheet.write_string_with_format(0, 0, &self.title, &bold)?;
        sheet.write_string(1, 0, &self.subtitle)?;
        for (c, h) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(3, c as u16, h, &bold)?;
            sheet.set_column_width(c as u16, if c == 0 { 22 } else { 12 })?;
        }
        let lines = self.rows.iter().map(|r| (r, false)).chain(self.total.iter().map(|r| (r, true)));
        for (i, (row, is_total)) in lines.enumerate() {
            let r = 4 + i as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) if is_total => sheet.write_string_with_format(r, c, s, &bold)?,
                    Cell::Text(s) => sheet.write_string(r, c, s)?,
                    Cell::Int(n) if is_total => sheet.write_number_with_format(r, c, *n as f64, &bold)?,
                    Cell::Int(n) => sheet.write_number(r, c, *n as f64)?,
                    Cell::Rate(Some(x)) => sheet.write_number_with_format(r, c, *x, if is_total { &pct_bold } else { &pct })?,
                    Cell::Rate(None) => sheet.write_string(r, c, "—")?,
                    Cell::Num(x) => sheet.write_number_with_format(r, c, *x, &num)?,
                };
            }
        }
        book.save_to_buffer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_show_as_the_page_shows_them() {
        assert_eq!(Cell::Rate(Some(0.1234)).display(), "12.3%");
        assert_eq!(Cell::Rate(None).display(), "—");
        assert_eq!(Cell::Num(2.25).display(), "2.2");
        assert_eq!(Cell::Int(7).display(), "7");
    }

    #[test]
    fn a_table_becomes_a_workbook() {
        let t = Table {
            title: "漏斗: 来源 / funnel".into(),
            subtitle: "2026-01-01 – 2026-12-31".into(),
            headers: vec!["来源".into(), "线索".into(), "订车率".into()],
            rows: vec![vec![Cell::Text("到店".into()), Cell::Int(3), Cell::Rate(Some(0.5))]],
            total: Some(vec![Cell::Text("合计".into()), Cell::Int(3), Cell::Rate(None)]),
        };
        let bytes = t.xlsx().expect("a workbook");
        assert_eq!(&bytes[..2], b"PK", "an .xlsx is a zip file");
        assert_eq!(t.len(), 2);
    }
}
