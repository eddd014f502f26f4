//! What a column means: the fields an import understands, the header words
//! (Chinese and English) they are recognized by, and the column mapping the user
//! confirms or changes before anything is written.

use serde::{Deserialize, Serialize};

/// A field of the customer (and their vehicle) a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Kind,
    Mobile,
    Landline,
    Email,
    IdNumber,
    Uscc,
    Gender,
    Birthday,
    Occupation,
    Province,
    City,
    District,
    Address,
    Vin,
    Plate,
    Model,
    Color,
    SaleDate,
    EngineNo,
}

/// Each field with the header words it is recognized by (compared after
/// [`normalize`]: case, spaces, punctuation and bracketed notes ignored).
const SYNONYMS: &[(Field, &[&str])] = &[
    (Field::Name, &["姓名", "客户", "客户姓名", "客户名称", "客户名", "名称", "名字", "单位名称", "公司名称", "企业名称", "name", "customername", "customer", "fullname", "company", "companyname"]),
    (Field::Kind, &["客户类型", "客户类别", "客户性质", "类型", "kind", "type", "customertype"]),
    (Field::Mobile, &["手机", "手机号", "手机号码", "移动电话", "电话", "联系电话", "电话号码", "联系方式", "mobile", "mobilephone", "mobileno", "cell", "cellphone", "phone", "phoneno", "telephone", "tel"]),
    (Field::Landline, &["座机", "固定电话", "固话", "办公电话", "家庭电话", "landline", "officephone", "homephone"]),
    (Field::Email, &["邮箱", "电子邮箱", "电子邮件", "邮件", "email", "mail", "emailaddress"]),
    (Field::IdNumber, &["身份证", "身份证号", "身份证号码", "证件号", "证件号码", "idnumber", "idno", "idcard", "id"]),
    (Field::Uscc, &["统一社会信用代码", "社会信用代码", "信用代码", "uscc", "unifiedsocialcreditcode", "creditcode"]),
    (Field::Gender, &["性别", "gender", "sex"]),
    (Field::Birthday, &["生日", "出生日期", "出生年月", "birthday", "birthdate", "dateofbirth", "dob"]),
    (Field::Occupation, &["职业", "occupation", "job"]),
    (Field::Province, &["省份", "省", "province"]),
    (Field::City, &["城市", "市", "city"]),
    (Field::District, &["区县", "区", "县", "district"]),
    (Field::Address, &["地址", "详细地址", "联系地址", "通讯地址", "住址", "address", "street"]),
    (Field::Vin, &["车架号", "车架号码", "车辆识别代号", "车辆识别码", "底盘号", "vin", "vincode"]),
    (Field::Plate, &["车牌", "车牌号", "车牌号码", "号牌", "牌照", "plate", "licenseplate", "licenceplate", "plateno"]),
    (Field::Model, &["车型", "车型代码", "车型名称", "model", "vehiclemodel", "modelcode"]),
    (Field::Color, &["颜色", "车身颜色", "外观颜色", "color", "colour"]),
    (Field::SaleDate, &["购车日期", "销售日期", "购买日期", "开票日期", "交车日期", "saledate", "purchasedate", "dateofpurchase", "deliverydate"]),
    (Field::EngineNo, &["发动机号", "发动机号码", "发动机编号", "engineno", "enginenumber", "engine"]),
];

impl Field {
    pub const ALL: [Field; 20] = [
        Field::Name,
        Field::Kind,
        Field::Mobile,
        Field::Landline,
        Field::Email,
        Field::IdNumber,
        Field::Uscc,
        Field::Gender,
        Field::Birthday,
        Field::Occupation,
        Field::Province,
        Field::City,
        Field::District,
        Field::Address,
        Field::Vin,
        Field::Plate,
        Field::Model,
        Field::Color,
        Field::SaleDate,
        Field::EngineNo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Kind => "kind",
            Field::Mobile => "mobile",
            Field::Landline => "landline",
            Field::Email => "email",
            Field::IdNumber => "id_number",
            Field::Uscc => "uscc",
            Field::Gender => "gender",
            Field::Birthday => "birthday",
            Field::Occupation => "occupation",
            Field::Province => "province",
            Field::City => "city",
            Field::District => "district",
            Field::Address => "address",
            Field::Vin => "vin",
            Field::Plate => "plate",
            Field::Model => "model",
            Field::Color => "color",
            Field::SaleDate => "sale_date",
            Field::EngineNo => "engine_no",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }

    /// The field a header names, if any.
    pub fn detect(header: &str) -> Option<Field> {
        let h = normalize(header);
        if h.is_empty() {
            return None;
        }
        SYNONYMS.iter().find(|(_, words)| words.contains(&h.as_str())).map(|(f, _)| *f)
    }
}

/// Lower case without spaces, punctuation or a bracketed note: `手机号码（必填）`
/// and `Mobile No.` become `手机号码` and `mobileno`.
pub fn normalize(header: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in header.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// One column of the file and the field it fills (`None`: not imported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Column {
    /// 0-based position in the file.
    pub index: usize,
    pub header: String,
    #[schema(value_type = Option<String>)]
    pub field: Option<Field>,
}

/// The proposed mapping: each header recognized once; a field already taken by an
/// earlier column leaves the later one unmapped.
pub fn detect_mapping(headers: &[String]) -> Vec<Column> {
    let mut taken = std::collections::HashSet::new();
    headers
        .iter()
        .enumerate()
        .map(|(index, h)| {
            let field = Field::detect(h).filter(|f| taken.insert(*f));
            Column { index, header: h.clone(), field }
        })
        .collect()
}

/// Applies the user's changes — `(column, field)` where the column is the header
/// text or its 1-based number and an empty field means "do not import" — and checks
/// the result: no field twice, and a name column present.
pub fn apply_overrides(mapping: &mut [Column], overrides: &[(String, String)]) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for (col, field) in overrides {
        let field_v = if field.trim().is_empty() { None } else { Field::parse(field) };
        if field_v.is_none() && !field.trim().is_empty() {
            errors.push(format!("{field:?} is not an import field"));
            continue;
        }
        let target = match col.trim().parse::<usize>() {
            Ok(n) if n >= 1 && n <= mapping.len() => Some(n - 1),
            _ => mapping.iter().position(|c| c.header == col.trim()),
        };
        match target {
            Some(i) => mapping[i].field = field_v,
            None => errors.push(format!("the file has no column {col:?}")),
        }
    }
    errors.extend(check(mapping));
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// What makes a mapping unusable.
pub fn check(mapping: &[Column]) -> Vec<String> {
    let mut errors = Vec::new();
    for f in Field::ALL {
        let n = mapping.iter().filter(|c| c.field == Some(f)).count();
        if n > 1 {
            errors.push(format!("the field {} is mapped to {n} columns", f.as_str()));
        }
    }
    if !mapping.iter().any(|c| c.field == Some(Field::Name)) {
        errors.push("no column is mapped to name".into());
    }
    errors
}

/// `col=field,col=field` (the command line's `--mapping`).
pub fn parse_overrides(spec: &str) -> Result<Vec<(String, String)>, String> {
    spec.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.split_once('=')
                .map(|(c, f)| (c.trim().to_string(), f.trim().to_string()))
                .ok_or_else(|| format!("{p:?} is not column=field"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_headers_are_recognized() {
        let m = detect_mapping(&headers(&[
            "姓名", "手机号码（必填）", "身份证号", "邮箱", "性别", "生日", "省份", "城市", "地址", "车架号", "车牌号", "车型",
            "颜色", "销售日期", "发动机号", "客户类型", "统一社会信用代码", "备注",
        ]));
        let fields: Vec<_> = m.iter().map(|c| c.field.map(Field::as_str).unwrap_or("-")).collect();
        assert_eq!(
            fields,
            [
                "name", "mobile", "id_number", "email", "gender", "birthday", "province", "city", "address", "vin", "plate", "model",
                "color", "sale_date", "engine_no", "kind", "uscc", "-"
            ]
        );
    }

    #[test]
    fn english_headers_are_recognized_whatever_their_spelling() {
        let m = detect_mapping(&headers(&["Customer Name", "Mobile No.", "E-mail", "VIN", "License Plate", "Sale_Date", "ID Number"]));
        let fields: Vec<_> = m.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                Some(Field::Name),
                Some(Field::Mobile),
                Some(Field::Email),
                Some(Field::Vin),
                Some(Field::Plate),
                Some(Field::SaleDate),
                Some(Field::IdNumber)
            ]
        );
    }

    #[test]
    fn a_second_phone_column_is_not_mapped_twice() {
        let m = detect_mapping(&headers(&["姓名", "手机", "电话"]));
        assert_eq!(m[1].field, Some(Field::Mobile));
        assert_eq!(m[2].field, None);
        assert!(check(&m).is_empty());
    }

    #[test]
    fn the_user_changes_the_mapping_by_header_or_number() {
        let mut m = detect_mapping(&headers(&["客户", "联系号码", "备注"]));
        assert_eq!(m[1].field, None);
        apply_overrides(&mut m, &parse_overrides("联系号码=mobile,3=").unwrap()).unwrap();
        assert_eq!(m[1].field, Some(Field::Mobile));
        let err = apply_overrides(&mut m, &[("2".into(), "name".into())]).unwrap_err();
        assert!(err.iter().any(|e| e.contains("name is mapped to 2 columns")), "{err:?}");
        assert!(apply_overrides(&mut m, &[("nope".into(), "vin".into())]).is_err());
        assert!(apply_overrides(&mut m, &[("1".into(), "shoe_size".into())]).is_err());
    }

    #[test]
    fn without_a_name_column_nothing_can_be_imported() {
        let m = detect_mapping(&headers(&["手机", "车架号"]));
        assert_eq!(check(&m), ["no column is mapped to name"]);
    }
}
