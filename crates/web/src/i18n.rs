//! Translations: every label of the UI comes from `locales/<lang>.toml`.
//! Chinese (zh-CN) is the default; English is the second language.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::http::HeaderMap;

pub const DEFAULT: &str = "zh-CN";
/// Translation files per language, one per capability (as every other layer).
macro_rules! locale_files {
    ($lang:literal) => {
        &[
            include_str!(concat!("../locales/", $lang, "/common.toml")),
            include_str!(concat!("../locales/", $lang, "/auth.toml")),
            include_str!(concat!("../locales/", $lang, "/home.toml")),
            include_str!(concat!("../locales/", $lang, "/org.toml")),
            include_str!(concat!("../locales/", $lang, "/users.toml")),
            include_str!(concat!("../locales/", $lang, "/audit.toml")),
            include_str!(concat!("../locales/", $lang, "/api_tokens.toml")),
            include_str!(concat!("../locales/", $lang, "/customers.toml")),
            include_str!(concat!("../locales/", $lang, "/vehicles.toml")),
            include_str!(concat!("../locales/", $lang, "/search.toml")),
            include_str!(concat!("../locales/", $lang, "/identity.toml")),
            include_str!(concat!("../locales/", $lang, "/imports.toml")),
            include_str!(concat!("../locales/", $lang, "/leads.toml")),
            include_str!(concat!("../locales/", $lang, "/notifications.toml")),
            include_str!(concat!("../locales/", $lang, "/test_drives.toml")),
            include_str!(concat!("../locales/", $lang, "/quotes.toml")),
            include_str!(concat!("../locales/", $lang, "/traffic.toml")),
            include_str!(concat!("../locales/", $lang, "/analytics.toml")),
        ]
    };
}
pub const LANGS: [(&str, &[&str]); 2] = [("zh-CN", locale_files!("zh-CN")), ("en", locale_files!("en"))];
pub const LANG_COOKIE: &str = "acrm_lang";

type Table = HashMap<String, String>;

fn flatten(prefix: &str, v: &toml::Value, out: &mut Table) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), format!("{other:?}"));
        }
    }
}

/// Every language's table, parsed once.
pub fn tables() -> &'static HashMap<&'static str, Table> {
    static T: OnceLock<HashMap<&'static str, Table>> = OnceLock::new();
    T.get_or_init(|| {
        LANGS
            .iter()
            .map(|(lang, files)| {
                let mut t = Table::new();
                for text in files.iter() {
                    let v: toml::Value = toml::from_str(text).unwrap_or_else(|e| panic!("locales/{lang}: {e}"));
                    flatten("", &v, &mut t);
                }
                (*lang, t)
            })
            .collect()
    })
}

/// A translator for one language.
#[derive(Clone, Copy)]
pub struct Tr {
    pub lang: &'static str,
    table: &'static Table,
}

impl Tr {
    pub fn new(lang: &str) -> Tr {
        let lang = LANGS.iter().map(|(l, _)| *l).find(|l| *l == lang).unwrap_or(DEFAULT);
        Tr { lang, table: &tables()[lang] }
    }

    /// The label for `key`; the key itself when missing (a test keeps that from
    /// happening in shipped templates).
    pub fn t<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        self.table.get(key).map(String::as_str).unwrap_or(key)
    }

    /// A validation message of the domain rules in this language (they are written
    /// in English for the API; unknown ones stay as they are).
    pub fn msg(&self, message: &str) -> String {
        self.table.get(&format!("msg.{message}")).cloned().unwrap_or_else(|| message.to_string())
    }

    /// The label of an enumerated value, e.g. `tv("role", "admin")` → `role.admin`.
    pub fn tv(&self, group: &str, value: &str) -> String {
        let key = format!("{group}.{value}");
        self.table.get(&key).cloned().unwrap_or_else(|| value.to_string())
    }
}

/// The language of a request: the `acrm_lang` cookie, else the signed-in user's
/// setting, else the browser's `Accept-Language`, else Chinese.
pub fn negotiate(headers: &HeaderMap, user_locale: Option<&str>) -> &'static str {
    let known = |l: &str| LANGS.iter().map(|(k, _)| *k).find(|k| k.eq_ignore_ascii_case(l));
    if let Some(l) = crate::auth::cookie(headers, LANG_COOKIE).and_then(known) {
        return l;
    }
    if let Some(l) = user_locale.and_then(known) {
        return l;
    }
    let accept = headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    for part in accept.split(',') {
        let tag = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            return "zh-CN";
        }
        if tag.starts_with("en") {
            return "en";
        }
    }
    DEFAULT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key() {
        let t = tables();
        let zh = &t["zh-CN"];
        for (lang, table) in t {
            for k in zh.keys() {
                assert!(table.contains_key(k), "{lang} lacks {k}");
            }
            for k in table.keys() {
                assert!(zh.contains_key(k), "zh-CN lacks {k} (present in {lang})");
            }
        }
    }

    #[test]
    fn every_key_used_in_templates_exists() {
        let zh = &tables()["zh-CN"];
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut missing = vec![];
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for chunk in text.split(".t(\"").skip(1) {
                    let key = chunk.split('"').next().unwrap();
                    if !zh.contains_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "labels without a translation: {missing:#?}");
    }

    #[test]
    fn language_negotiation() {
        let mut h = HeaderMap::new();
        assert_eq!(negotiate(&h, None), "zh-CN");
        h.insert("accept-language", "en-US,en;q=0.9".parse().unwrap());
        assert_eq!(negotiate(&h, None), "en");
        assert_eq!(negotiate(&h, Some("zh-CN")), "zh-CN");
        h.insert("cookie", "acrm_lang=en".parse().unwrap());
        assert_eq!(negotiate(&h, Some("zh-CN")), "en");
    }
}
