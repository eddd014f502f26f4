//! One row of a file checked with the same domain newtypes every other door uses
//! (`Mobile::parse`, `Vin::parse`…): either a clean row ready to write, or the
//! list of what is wrong with it — row number, column, value, reason. Pure.

use autocrm_domain::customers::{CustomerKind, Email, Gender, IdNumber, Landline, Mobile, PersonName, Phone, Uscc};
use autocrm_domain::vehicles::{Plate, Vin};
use chrono::NaiveDate;

use super::Problem;
use super::fields::{Column, Field};

/// A customer row that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct RowData {
    pub row: usize,
    pub kind: CustomerKind,
    pub name: String,
    pub mobile: Option<Mobile>,
    pub landline: Option<Landline>,
    pub email: Option<Email>,
    pub id_number: Option<IdNumber>,
    pub uscc: Option<Uscc>,
    pub gender: Option<Gender>,
    pub birthday: Option<NaiveDate>,
    pub occupation: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
    pub vehicle: Option<VehicleData>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VehicleData {
    pub vin: Vin,
    pub vin_check_ok: bool,
    pub plate: Option<Plate>,
    pub model: Option<String>,
    pub color: Option<String>,
    pub sale_date: Option<NaiveDate>,
    pub engine_no: Option<String>,
}

pub const NEEDS_KEY: &str = "needs a mobile, an ID number or a USCC to be matched with customers on file";
pub const NOT_A_DATE: &str = "is not a date (use YYYY-MM-DD)";
pub const NOT_A_GENDER: &str = "must be 男/女 or male/female";
pub const NOT_A_KIND: &str = "must be 个人, 企业 or 政府 (person, enterprise, government)";
pub const VEHICLE_NEEDS_VIN: &str = "is required when the row has vehicle columns";
pub const TOO_LONG_100: &str = "must be at most 100 characters";
pub const COLUMN_COUNT: &str = "the row has more columns than the header";

/// Every message a row can get from this module (for the UI's translations).
pub const MESSAGES: &[&str] =
    &[NEEDS_KEY, NOT_A_DATE, NOT_A_GENDER, NOT_A_KIND, VEHICLE_NEEDS_VIN, TOO_LONG_100, COLUMN_COUNT];

/// A date as people type it: `2024-03-05`, `2024/3/5`, `2024.03.05`, `20240305`,
/// `2024年3月5日`.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim().replace(['年', '月', '/', '.'], "-").replace('日', "");
    let s = s.split([' ', 'T']).next().unwrap_or_default();
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().or_else(|| NaiveDate::parse_from_str(s, "%Y%m%d").ok())
}

fn parse_gender(raw: &str) -> Option<Gender> {
    match raw.trim().to_lowercase().as_str() {
        "男" | "m" | "male" | "先生" => Some(Gender::Male),
        "女" | "f" | "female" | "女士" => Some(Gender::Female),
        "未知" | "unknown" | "-" => Some(Gender::Unknown),
        _ => None,
    }
}

fn parse_kind(raw: &str) -> Option<CustomerKind> {
    match raw.trim().to_lowercase().as_str() {
        "个人" | "私人" | "个人客户" | "person" | "private" | "individual" => Some(CustomerKind::Person),
        "企业" | "公司" | "企业客户" | "单位" | "enterprise" | "company" | "business" => Some(CustomerKind::Enterprise),
        "政府" | "机关" | "事业单位" | "政府机关" | "government" | "institution" => Some(CustomerKind::Government),
        _ => None,
    }
}

fn text(v: &str) -> Option<String> {
    let t = v.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Checks one row against the mapping. `today` bounds birth dates in ID numbers.
pub fn validate(row: usize, cells: &[String], mapping: &[Column], today: NaiveDate) -> Result<RowData, Vec<Problem>> {
    let problems = std::cell::RefCell::new(Vec::new());
    let header = |f: Field| mapping.iter().find(|c| c.field == Some(f)).map(|c| c.header.clone()).unwrap_or_default();
    let cell = |f: Field| -> Option<&str> {
        let c = mapping.iter().find(|c| c.field == Some(f))?;
        cells.get(c.index).map(|s| s.trim()).filter(|s| !s.is_empty())
    };
    let fail = |f: Field, value: &str, reason: &str| problems.borrow_mut().push(Problem::new(row, &header(f), value, reason));

    if cells.len() > mapping.len() && cells[mapping.len()..].iter().any(|c| !c.trim().is_empty()) {
        problems.borrow_mut().push(Problem::new(row, "", &cells[mapping.len()..].join(","), COLUMN_COUNT));
    }

    let mut kind = match cell(Field::Kind) {
        None => None,
        Some(v) => match parse_kind(v) {
            Some(k) => Some(k),
            None => {
                fail(Field::Kind, v, NOT_A_KIND);
                None
            }
        },
    };
    let uscc = cell(Field::Uscc).and_then(|v| match Uscc::parse(v) {
        Ok(p) => Some(p.code),
        Err(e) => {
            fail(Field::Uscc, v, &e.message);
            None
        }
    });
    if kind.is_none() {
        kind = Some(if uscc.is_some() { CustomerKind::Enterprise } else { CustomerKind::Person });
    }
    let kind = kind.unwrap_or_default();

    let name = match cell(Field::Name) {
        None => {
            fail(Field::Name, "", autocrm_domain::customers::REQUIRED);
            String::new()
        }
        Some(v) if kind.is_organization() => {
            if v.chars().count() > 100 {
                fail(Field::Name, v, TOO_LONG_100);
            }
            v.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        Some(v) => match PersonName::parse(v) {
            Ok(n) => n.as_str().to_string(),
            Err(e) => {
                fail(Field::Name, v, &e.message);
                String::new()
            }
        },
    };

    let (mut mobile, mut landline) = (None, None);
    if let Some(v) = cell(Field::Mobile) {
        match Phone::parse(v) {
            Ok(Phone::Mobile(m)) => mobile = Some(m),
            Ok(Phone::Landline(l)) => landline = Some(l),
            Err(e) => fail(Field::Mobile, v, &e.message),
        }
    }
    if let Some(v) = cell(Field::Landline) {
        match Landline::parse(v) {
            Ok(l) => landline = Some(l),
            Err(e) => fail(Field::Landline, v, &e.message),
        }
    }
    let email = cell(Field::Email).and_then(|v| Email::parse(v).map_err(|e| fail(Field::Email, v, &e.message)).ok());
    let id_number =
        cell(Field::IdNumber).and_then(|v| IdNumber::parse_on(v, today).map_err(|e| fail(Field::IdNumber, v, &e.message)).ok());
    let gender = match cell(Field::Gender) {
        Some(v) => parse_gender(v).or_else(|| {
            fail(Field::Gender, v, NOT_A_GENDER);
            None
        }),
        None => id_number.as_ref().map(IdNumber::gender),
    };
    let birthday = match cell(Field::Birthday) {
        Some(v) => parse_date(v).or_else(|| {
            fail(Field::Birthday, v, NOT_A_DATE);
            None
        }),
        None => id_number.as_ref().map(IdNumber::birth_date),
    };
    let short = |f: Field, fail: &dyn Fn(Field, &str, &str)| {
        cell(f).and_then(|v| {
            if v.chars().count() > 100 {
                fail(f, v, TOO_LONG_100);
                None
            } else {
                Some(v.to_string())
            }
        })
    };
    let occupation = short(Field::Occupation, &fail);
    let province = short(Field::Province, &fail);
    let city = short(Field::City, &fail);
    let district = short(Field::District, &fail);
    let address = cell(Field::Address).and_then(text);

    let vehicle_fields = [Field::Plate, Field::Model, Field::Color, Field::SaleDate, Field::EngineNo];
    let vehicle = match cell(Field::Vin) {
        Some(v) => match Vin::parse(v) {
            Ok(p) => {
                let plate = cell(Field::Plate).and_then(|v| Plate::parse(v).map_err(|e| fail(Field::Plate, v, &e.message)).ok());
                let sale_date = cell(Field::SaleDate).and_then(|v| {
                    parse_date(v).or_else(|| {
                        fail(Field::SaleDate, v, NOT_A_DATE);
                        None
                    })
                });
                Some(VehicleData {
                    vin: p.vin,
                    vin_check_ok: p.check_ok,
                    plate,
                    model: short(Field::Model, &fail),
                    color: short(Field::Color, &fail),
                    sale_date,
                    engine_no: short(Field::EngineNo, &fail),
                })
            }
            Err(e) => {
                fail(Field::Vin, v, &e.message);
                None
            }
        },
        None => {
            if vehicle_fields.iter().any(|f| cell(*f).is_some()) {
                fail(Field::Vin, "", VEHICLE_NEEDS_VIN);
            }
            None
        }
    };

    let mut problems = problems.into_inner();
    if mobile.is_none() && id_number.is_none() && uscc.is_none() && problems.is_empty() {
        let col = [Field::Mobile, Field::IdNumber, Field::Uscc].into_iter().map(header).find(|h| !h.is_empty()).unwrap_or_default();
        problems.push(Problem::new(row, &col, "", NEEDS_KEY));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(RowData {
        row,
        kind,
        name,
        mobile,
        landline,
        email,
        id_number,
        uscc,
        gender,
        birthday,
        occupation,
        province,
        city,
        district,
        address,
        vehicle,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::fields::detect_mapping;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn mapping(h: &[&str]) -> Vec<Column> {
        detect_mapping(&h.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn cells(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_good_row_is_normalized_and_fills_gaps_from_the_id_number() {
        let m = mapping(&["姓名", "手机", "身份证号", "车架号", "车牌号", "购车日期"]);
        let r = validate(
            2,
            &cells(&["张三", "+86 138-1234-5678", "11010519491231002X", "1m8gdm9axkp042788", "沪A·12345", "2024年3月5日"]),
            &m,
            today(),
        )
        .unwrap();
        assert_eq!(r.mobile.unwrap().as_str(), "13812345678");
        assert_eq!(r.gender, Some(Gender::Female));
        assert_eq!(r.birthday, NaiveDate::from_ymd_opt(1949, 12, 31));
        let v = r.vehicle.unwrap();
        assert_eq!(v.vin.as_str(), "1M8GDM9AXKP042788");
        assert_eq!(v.plate.unwrap().as_str(), "沪A12345");
        assert_eq!(v.sale_date, NaiveDate::from_ymd_opt(2024, 3, 5));
    }

    #[test]
    fn every_bad_cell_is_named_with_row_column_and_reason() {
        let m = mapping(&["姓名", "手机", "车架号", "性别"]);
        let p = validate(7, &cells(&["李四", "12345", "1M8GDM9A1KP042788", "x"]), &m, today()).unwrap_err();
        let got: Vec<_> = p.iter().map(|p| (p.row, p.column.as_str(), p.reason.as_str())).collect();
        assert!(got.contains(&(7, "手机", autocrm_domain::customers::NOT_A_PHONE)), "{got:?}");
        assert!(got.contains(&(7, "车架号", autocrm_domain::vehicles::VIN_CHECK)), "{got:?}");
        assert!(got.contains(&(7, "性别", NOT_A_GENDER)), "{got:?}");
    }

    #[test]
    fn a_landline_in_the_phone_column_is_kept_as_a_landline() {
        let m = mapping(&["name", "phone", "id number"]);
        let r = validate(2, &cells(&["王五", "021-62345678", "440524188001010014"]), &m, today()).unwrap();
        assert!(r.mobile.is_none());
        assert_eq!(r.landline.unwrap().area_code(), "021");
    }

    #[test]
    fn a_row_without_any_strong_key_cannot_be_matched_and_is_refused() {
        let m = mapping(&["姓名", "手机", "邮箱"]);
        let p = validate(3, &cells(&["赵六", "", "zl@example.com"]), &m, today()).unwrap_err();
        assert_eq!(p[0].reason, NEEDS_KEY);
        assert_eq!(p[0].column, "手机");
    }

    #[test]
    fn an_organization_is_recognized_by_its_credit_code() {
        let m = mapping(&["客户名称", "统一社会信用代码"]);
        let r = validate(2, &cells(&["上海东岳物流有限公司", "91350200776049653A"]), &m, today()).unwrap();
        assert_eq!(r.kind, CustomerKind::Enterprise);
    }

    #[test]
    fn extra_cells_beyond_the_header_are_reported() {
        let m = mapping(&["姓名", "手机"]);
        let p = validate(4, &cells(&["钱七", "13812345678", "surplus"]), &m, today()).unwrap_err();
        assert_eq!(p[0].reason, COLUMN_COUNT);
    }

    #[test]
    fn dates_are_read_in_the_usual_chinese_forms() {
        for s in ["2024-03-05", "2024/3/5", "2024.03.05", "20240305", "2024年3月5日", "2024-03-05 00:00:00"] {
            assert_eq!(parse_date(s), NaiveDate::from_ymd_opt(2024, 3, 5), "{s}");
        }
        assert_eq!(parse_date("next tuesday"), None);
    }
}
