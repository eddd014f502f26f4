//! `autocrm demo`: loads the demo network on first start and greets the visitor
//! with where to open autocrm and whom to sign in as.

use autocrm_domain::access::Role;
use autocrm_store::demo::DemoAccount;
use autocrm_store::{Db, StoreError};

/// Loads the demo data into an empty database; returns the accounts to sign in with.
pub async fn ensure(db: &Db) -> Result<Vec<DemoAccount>, StoreError> {
    autocrm_store::demo::ensure(db).await
}

/// The welcome banner, in Chinese and English.
pub fn print_welcome(url: &str, accounts: &[DemoAccount]) {
    println!("{}", welcome(url, accounts));
}

fn welcome(url: &str, accounts: &[DemoAccount]) -> String {
    let rule = "─".repeat(78);
    let mut out = String::new();
    out.push_str(&format!("\n{rule}\n"));
    out.push_str("  autocrm 演示版已启动 / autocrm demo is running\n\n");
    out.push_str(&format!("  请在浏览器中打开 / Open in your browser:  {url}\n\n"));
    if accounts.is_empty() {
        out.push_str("  此数据目录已有其他账号，未加载演示账号。\n");
        out.push_str("  This data directory already has other accounts; no demo accounts were loaded.\n");
    } else {
        out.push_str("  演示账号 / Demo accounts:\n\n");
        let header = ["用户名 username", "密码 password", "角色 role", "姓名 name", "经销商 dealer"];
        let rows: Vec<[String; 5]> = accounts
            .iter()
            .map(|a| {
                [
                    a.username.clone(),
                    a.password.clone(),
                    format!("{} {}", role_zh(a.role), role_en(a.role)),
                    a.display_name.clone(),
                    a.dealer.clone().unwrap_or_else(|| "—".into()),
                ]
            })
            .collect();
        let mut widths = header.map(width);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let line = |cells: &[String]| {
            let mut s = String::from("  ");
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                s.push_str(cell);
                if i + 1 < cells.len() {
                    s.push_str(&" ".repeat(w - width(cell) + 2));
                }
            }
            s.push('\n');
            s
        };
        out.push_str(&line(&header.map(String::from)));
        for row in &rows {
            out.push_str(&line(row));
        }
    }
    out.push_str("\n  数据保存在数据目录中，再次运行 autocrm demo 会继续使用。按 Ctrl+C 停止。\n");
    out.push_str("  Data stays in the data directory and is reused by the next `autocrm demo`. Press Ctrl+C to stop.\n");
    out.push_str(&rule);
    out
}

/// Role names from the UI's translation files, so the banner and the screens agree.
fn role_zh(role: Role) -> String {
    autocrm_web::i18n::Tr::new("zh-CN").tv("role", role.as_str())
}

fn role_en(role: Role) -> String {
    autocrm_web::i18n::Tr::new("en").tv("role", role.as_str())
}

/// Columns a string takes in a terminal: Chinese characters take two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_lists_every_account_aligned() {
        let accounts = autocrm_store::demo::accounts();
        let text = welcome("http://127.0.0.1:8080", &accounts);
        assert!(text.contains("http://127.0.0.1:8080"));
        for a in &accounts {
            assert!(text.contains(&a.username), "{}", a.username);
        }
        assert!(text.contains("销售顾问 Sales consultant"));
        // Every row's password column starts at the same terminal column.
        let starts: std::collections::HashSet<usize> = text
            .lines()
            .filter(|l| l.contains(" demo1234 "))
            .map(|l| width(&l[..l.find(" demo1234 ").unwrap()]))
            .collect();
        assert_eq!(starts.len(), 1, "{text}");
    }

    #[test]
    fn chinese_takes_two_columns() {
        assert_eq!(width("王丽"), 4);
        assert_eq!(width("SH001"), 5);
        assert_eq!(width("—"), 1);
    }
}
