//! Word lists for realistic Chinese benchmark data: people's names (with pinyin for
//! usernames), cities with their province, sales region and telephone area code,
//! and the words dealer names and addresses are made of.

/// Common surnames, most frequent first, with pinyin.
#[rustfmt::skip]
pub(crate) const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"),
    ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"),
    ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"), ("郑", "zheng"),
    ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"),
    ("邓", "deng"), ("曹", "cao"), ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"),
    ("袁", "yuan"), ("潘", "pan"), ("于", "yu"), ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"),
    ("叶", "ye"), ("程", "cheng"), ("苏", "su"), ("魏", "wei"), ("吕", "lv"), ("丁", "ding"), ("任", "ren"),
    ("沈", "shen"), ("姚", "yao"), ("卢", "lu"), ("姜", "jiang"), ("崔", "cui"), ("钟", "zhong"), ("谭", "tan"),
    ("陆", "lu"), ("汪", "wang"), ("范", "fan"), ("金", "jin"), ("石", "shi"), ("廖", "liao"), ("贾", "jia"),
    ("夏", "xia"), ("韦", "wei"), ("付", "fu"), ("方", "fang"), ("白", "bai"), ("邹", "zou"), ("孟", "meng"),
    ("熊", "xiong"), ("秦", "qin"), ("邱", "qiu"), ("江", "jiang"), ("尹", "yin"), ("薛", "xue"), ("闫", "yan"),
    ("段", "duan"), ("雷", "lei"), ("侯", "hou"), ("龙", "long"), ("史", "shi"), ("陶", "tao"), ("黎", "li"),
    ("贺", "he"), ("顾", "gu"), ("毛", "mao"), ("郝", "hao"), ("龚", "gong"), ("邵", "shao"), ("万", "wan"),
    ("钱", "qian"), ("严", "yan"), ("武", "wu"), ("戴", "dai"), ("莫", "mo"), ("孔", "kong"), ("向", "xiang"),
    ("汤", "tang"), ("欧阳", "ouyang"), ("上官", "shangguan"),
];

/// Given names of two characters, with pinyin.
#[rustfmt::skip]
pub(crate) const GIVEN_TWO: &[(&str, &str)] = &[
    ("志强", "zhiqiang"), ("晓燕", "xiaoyan"), ("建华", "jianhua"), ("海涛", "haitao"), ("丽娟", "lijuan"),
    ("文博", "wenbo"), ("子轩", "zixuan"), ("雨涵", "yuhan"), ("思远", "siyuan"), ("俊杰", "junjie"),
    ("浩然", "haoran"), ("欣怡", "xinyi"), ("佳琪", "jiaqi"), ("梦瑶", "mengyao"), ("晨曦", "chenxi"),
    ("宇航", "yuhang"), ("一鸣", "yiming"), ("天宇", "tianyu"), ("明辉", "minghui"), ("国强", "guoqiang"),
    ("建军", "jianjun"), ("永刚", "yonggang"), ("春梅", "chunmei"), ("秀英", "xiuying"), ("桂兰", "guilan"),
    ("玉兰", "yulan"), ("红梅", "hongmei"), ("立新", "lixin"), ("振华", "zhenhua"), ("德明", "deming"),
    ("小红", "xiaohong"), ("小明", "xiaoming"), ("晓东", "xiaodong"), ("伟东", "weidong"), ("海燕", "haiyan"),
    ("丽华", "lihua"), ("金凤", "jinfeng"), ("雪梅", "xuemei"), ("婷婷", "tingting"), ("静怡", "jingyi"),
    ("嘉欣", "jiaxin"), ("子涵", "zihan"), ("诗涵", "shihan"), ("若曦", "ruoxi"), ("雅婷", "yating"),
    ("博文", "bowen"), ("泽宇", "zeyu"), ("昊天", "haotian"), ("睿哲", "ruizhe"), ("鹏飞", "pengfei"),
    ("志刚", "zhigang"), ("建平", "jianping"), ("晓峰", "xiaofeng"), ("文静", "wenjing"), ("慧敏", "huimin"),
    ("雪莹", "xueying"), ("佳怡", "jiayi"), ("思琪", "siqi"), ("明杰", "mingjie"), ("家豪", "jiahao"),
    ("俊宇", "junyu"), ("宏伟", "hongwei"), ("立军", "lijun"), ("海波", "haibo"), ("云飞", "yunfei"),
    ("永强", "yongqiang"), ("春华", "chunhua"), ("秀梅", "xiumei"), ("玉梅", "yumei"), ("晓丽", "xiaoli"),
    ("丽萍", "liping"), ("美玲", "meiling"), ("凤英", "fengying"), ("国华", "guohua"), ("建国", "jianguo"),
    ("卫东", "weidong"), ("红霞", "hongxia"), ("新华", "xinhua"), ("志明", "zhiming"), ("文杰", "wenjie"),
    ("子豪", "zihao"), ("宇轩", "yuxuan"), ("欣然", "xinran"), ("梓萱", "zixuan"), ("一诺", "yinuo"),
    ("雨桐", "yutong"), ("可馨", "kexin"), ("思彤", "sitong"), ("浩宇", "haoyu"), ("晨阳", "chenyang"),
    ("志远", "zhiyuan"), ("建明", "jianming"), ("振宇", "zhenyu"), ("天明", "tianming"), ("少华", "shaohua"),
    ("永红", "yonghong"), ("丽丽", "lili"), ("晓梅", "xiaomei"), ("俊峰", "junfeng"), ("海军", "haijun"),
    ("红艳", "hongyan"), ("亚楠", "yanan"), ("佳慧", "jiahui"), ("雅琴", "yaqin"), ("光明", "guangming"),
];

/// Given names of one character, with pinyin.
#[rustfmt::skip]
pub(crate) const GIVEN_ONE: &[(&str, &str)] = &[
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
    ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("辉", "hui"),
    ("鹏", "peng"), ("斌", "bin"), ("宇", "yu"), ("浩", "hao"), ("凯", "kai"), ("健", "jian"), ("俊", "jun"),
    ("帆", "fan"), ("旭", "xu"), ("宁", "ning"), ("欣", "xin"), ("婷", "ting"), ("雪", "xue"), ("琳", "lin"),
    ("晨", "chen"), ("璐", "lu"), ("倩", "qian"), ("颖", "ying"), ("慧", "hui"), ("悦", "yue"), ("峰", "feng"),
    ("毅", "yi"), ("博", "bo"), ("睿", "rui"), ("昊", "hao"), ("怡", "yi"), ("瑶", "yao"), ("琪", "qi"), ("鑫", "xin"),
];

pub(crate) struct City {
    pub name: &'static str,
    /// One of `autocrm_domain::org::PROVINCES`.
    pub province: &'static str,
    /// Code of the sales region (see [`REGIONS`]).
    pub region: &'static str,
    /// Prefix of the dealer codes in this city (`SH` → `SH001`); unique.
    pub code: &'static str,
    pub area_code: &'static str,
    /// Relative size of the car market: how many dealers the city gets.
    pub weight: u64,
}

const fn city(name: &'static str, province: &'static str, region: &'static str, code: &'static str, area_code: &'static str, weight: u64) -> City {
    City { name, province, region, code, area_code, weight }
}

/// Sales regions of the OEM, as Chinese automakers commonly cut the country.
pub(crate) const REGIONS: &[(&str, &str)] = &[
    ("EAST", "华东大区"),
    ("SOUTH", "华南大区"),
    ("NORTH", "华北大区"),
    ("SOUTHWEST", "西南大区"),
    ("CENTRAL", "华中大区"),
    ("SHANDONG", "山东大区"),
    ("NORTHEAST", "东北大区"),
    ("NORTHWEST", "西北大区"),
];

#[rustfmt::skip]
pub(crate) const CITIES: &[City] = &[
    city("北京", "北京", "NORTH", "BJ", "010", 10), city("天津", "天津", "NORTH", "TJ", "022", 6),
    city("石家庄", "河北", "NORTH", "SJZ", "0311", 4), city("唐山", "河北", "NORTH", "TS", "0315", 3),
    city("保定", "河北", "NORTH", "BD", "0312", 2), city("太原", "山西", "NORTH", "TY", "0351", 3),
    city("大同", "山西", "NORTH", "DT", "0352", 1), city("呼和浩特", "内蒙古", "NORTH", "HHHT", "0471", 2),
    city("包头", "内蒙古", "NORTH", "BT", "0472", 2),
    city("沈阳", "辽宁", "NORTHEAST", "SY", "024", 5), city("大连", "辽宁", "NORTHEAST", "DL", "0411", 4),
    city("长春", "吉林", "NORTHEAST", "CC", "0431", 4), city("吉林", "吉林", "NORTHEAST", "JL", "0432", 1),
    city("哈尔滨", "黑龙江", "NORTHEAST", "HEB", "0451", 4), city("大庆", "黑龙江", "NORTHEAST", "DQ", "0459", 1),
    city("上海", "上海", "EAST", "SH", "021", 10), city("南京", "江苏", "EAST", "NJ", "025", 6),
    city("苏州", "江苏", "EAST", "SUZ", "0512", 6), city("无锡", "江苏", "EAST", "WX", "0510", 4),
    city("常州", "江苏", "EAST", "CZ", "0519", 3), city("南通", "江苏", "EAST", "NT", "0513", 3),
    city("徐州", "江苏", "EAST", "XZ", "0516", 3), city("杭州", "浙江", "EAST", "HZ", "0571", 7),
    city("宁波", "浙江", "EAST", "NB", "0574", 5), city("温州", "浙江", "EAST", "WZ", "0577", 4),
    city("金华", "浙江", "EAST", "JH", "0579", 2), city("绍兴", "浙江", "EAST", "SX", "0575", 2),
    city("合肥", "安徽", "EAST", "HF", "0551", 4), city("芜湖", "安徽", "EAST", "WUH", "0553", 1),
    city("济南", "山东", "SHANDONG", "JN", "0531", 5), city("青岛", "山东", "SHANDONG", "QD", "0532", 5),
    city("烟台", "山东", "SHANDONG", "YT", "0535", 3), city("潍坊", "山东", "SHANDONG", "WF", "0536", 3),
    city("临沂", "山东", "SHANDONG", "LY", "0539", 2), city("淄博", "山东", "SHANDONG", "ZB", "0533", 2),
    city("广州", "广东", "SOUTH", "GZ", "020", 9), city("深圳", "广东", "SOUTH", "SZ", "0755", 9),
    city("东莞", "广东", "SOUTH", "DG", "0769", 5), city("佛山", "广东", "SOUTH", "FS", "0757", 5),
    city("珠海", "广东", "SOUTH", "ZH", "0756", 2), city("惠州", "广东", "SOUTH", "HUZ", "0752", 2),
    city("南宁", "广西", "SOUTH", "NN", "0771", 3), city("柳州", "广西", "SOUTH", "LZ", "0772", 2),
    city("海口", "海南", "SOUTH", "HK", "0898", 2), city("福州", "福建", "SOUTH", "FZ", "0591", 4),
    city("厦门", "福建", "SOUTH", "XM", "0592", 4), city("泉州", "福建", "SOUTH", "QZ", "0595", 3),
    city("郑州", "河南", "CENTRAL", "ZZ", "0371", 5), city("洛阳", "河南", "CENTRAL", "LUY", "0379", 2),
    city("武汉", "湖北", "CENTRAL", "WH", "027", 6), city("宜昌", "湖北", "CENTRAL", "YC", "0717", 1),
    city("长沙", "湖南", "CENTRAL", "CS", "0731", 5), city("株洲", "湖南", "CENTRAL", "ZHZ", "0731", 1),
    city("南昌", "江西", "CENTRAL", "NC", "0791", 3), city("赣州", "江西", "CENTRAL", "GAZ", "0797", 1),
    city("成都", "四川", "SOUTHWEST", "CD", "028", 8), city("绵阳", "四川", "SOUTHWEST", "MY", "0816", 2),
    city("重庆", "重庆", "SOUTHWEST", "CQ", "023", 7), city("贵阳", "贵州", "SOUTHWEST", "GY", "0851", 3),
    city("遵义", "贵州", "SOUTHWEST", "ZY", "0851", 1), city("昆明", "云南", "SOUTHWEST", "KM", "0871", 4),
    city("拉萨", "西藏", "SOUTHWEST", "LS", "0891", 1),
    city("西安", "陕西", "NORTHWEST", "XA", "029", 6), city("宝鸡", "陕西", "NORTHWEST", "BJI", "0917", 1),
    city("兰州", "甘肃", "NORTHWEST", "LZH", "0931", 2), city("西宁", "青海", "NORTHWEST", "XN", "0971", 1),
    city("银川", "宁夏", "NORTHWEST", "YCH", "0951", 1), city("乌鲁木齐", "新疆", "NORTHWEST", "WLMQ", "0991", 2),
];

/// First words of dealer-group names (fictional).
#[rustfmt::skip]
pub(crate) const GROUP_WORDS: &[&str] = &[
    "华信", "恒通", "瑞丰", "鸿运", "远大", "嘉和", "金桥", "正通", "盛世", "宏达", "泰和", "天元", "富华",
    "海昌", "中联", "华泰", "万通", "大昌", "新港", "明珠", "永盛", "东方", "华远", "宝利", "通达", "安达",
    "顺达", "骏马", "龙腾", "锦华", "欣荣", "合众", "众诚", "信诚", "德润", "汇通", "鼎盛", "丰华", "凯旋",
    "金鹏", "宏图", "九州", "四海", "华夏", "同德", "利达", "昌盛", "世纪", "广达", "恒信", "中瑞", "华瑞",
    "百联", "振华", "粤通", "闽运", "江南", "蓝天", "天润", "瑞祥", "祥和", "和信", "信达", "安盛",
];

pub(crate) const GROUP_SUFFIXES: &[&str] = &["汽车集团", "汽贸集团", "汽车服务集团", "汽车销售集团"];

/// The OEM's brand, part of every dealer's name.
pub(crate) const BRAND: &str = "东岳";
pub(crate) const OEM_NAME: &str = crate::demo::OEM_NAME;

/// Parts of a city a store is named after.
#[rustfmt::skip]
pub(crate) const DISTRICTS: &[&str] = &[
    "城东", "城西", "城南", "城北", "高新", "经开", "新区", "中心", "空港", "滨江", "港城", "北郊", "南郊",
    "东郊", "西郊", "汽车城",
];

#[rustfmt::skip]
pub(crate) const ROADS: &[&str] = &[
    "人民路", "解放路", "中山路", "建设大道", "迎宾大道", "汽车城路", "工业大道", "世纪大道", "长江路",
    "黄河路", "南京路", "和平路", "开发大道", "机场路", "环城北路", "环城南路", "科技大道", "金融街",
];

#[rustfmt::skip]
pub(crate) const MOBILE_PREFIXES: &[&str] = &[
    "138", "139", "137", "136", "135", "158", "159", "186", "188", "189", "133", "153", "177", "180", "181",
    "150", "151", "152", "187", "199",
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use autocrm_domain::org::{PROVINCES, parse_code};

    use super::*;

    #[test]
    fn cities_are_valid_and_codes_unique() {
        let mut codes = HashSet::new();
        for c in CITIES {
            assert!(PROVINCES.contains(&c.province), "{} has province {}", c.name, c.province);
            assert!(REGIONS.iter().any(|(r, _)| *r == c.region), "{} has region {}", c.name, c.region);
            assert!(codes.insert(c.code), "dealer code prefix {} used twice", c.code);
            assert!(parse_code("code", &format!("{}999", c.code)).is_ok());
        }
        for (r, _) in REGIONS {
            assert!(CITIES.iter().any(|c| c.region == *r), "region {r} has no city");
        }
    }

    #[test]
    fn enough_group_words_for_sixty_groups() {
        let unique: HashSet<_> = GROUP_WORDS.iter().collect();
        assert_eq!(unique.len(), GROUP_WORDS.len());
        assert!(GROUP_WORDS.len() >= 60);
    }

    #[test]
    fn pinyin_is_plain_lowercase() {
        for (_, p) in SURNAMES.iter().chain(GIVEN_TWO).chain(GIVEN_ONE) {
            assert!(p.chars().all(|c| c.is_ascii_lowercase()), "{p}");
        }
    }
}
