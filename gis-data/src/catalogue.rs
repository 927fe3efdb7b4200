//! The default case catalogue: the national classification of city-management components and events
//! (GB/T 47678.5-2026, `type,major_code,major_name,minor_code,minor_name`), the community-side taxonomy of disputes
//! and hidden dangers (`field,parent,order,value`, `EVENT_TYPE_1`/`EVENT_TYPE_2` rows), and the official holiday
//! calendar (`date,kind,name`). No public source gives handling time limits, default departments or which
//! categories a grid worker may resolve: [`defaults_for`] supplies clearly labelled defaults per major class, which a
//! district admin edits.

use std::io::Read;

use serde::Deserialize;
use wangge_domain::case::{LimitUnit, TimeLimit};

/// Why a catalogue file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// Not CSV of the expected columns.
    #[error("catalogue CSV: {0}")]
    Csv(#[from] csv::Error),
    /// A row that makes no sense.
    #[error("catalogue row {row}: {why}")]
    Row {
        /// 1-based data row.
        row: usize,
        /// What is wrong.
        why: String,
    },
}

/// Which catalogue a category comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catalogue {
    /// National components (部件), code prefix `C`.
    Component,
    /// National events and matters (事件), code prefix `E`.
    Event,
    /// Community-side disputes and hidden dangers, code prefix `G`.
    Grid,
    /// A district's own categories, code prefix `L`.
    Local,
}

impl Catalogue {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Catalogue::Component => "component",
            Catalogue::Event => "event",
            Catalogue::Grid => "grid",
            Catalogue::Local => "local",
        }
    }

    /// Whether its categories are kept off public pages until a district decides otherwise: the community-side
    /// disputes and hidden dangers name neighbours, tenants and security matters.
    pub fn sensitive_by_default(self) -> bool {
        self == Catalogue::Grid
    }

    fn prefix(self) -> char {
        match self {
            Catalogue::Component => 'C',
            Catalogue::Event => 'E',
            Catalogue::Grid => 'G',
            Catalogue::Local => 'L',
        }
    }
}

/// What a district starts with for a minor category; every field is editable.
#[derive(Debug, Clone, PartialEq)]
pub struct Defaults {
    /// Handling time limit.
    pub limit: TimeLimit,
    /// Urgent.
    pub urgent: bool,
    /// The department cases of it go to unless a rule says otherwise.
    pub department: &'static str,
    /// A grid worker may resolve it themselves.
    pub self_resolvable: bool,
}

/// A minor category of the default catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct CategorySeed {
    /// Unique code: catalogue prefix + major + minor (`E06001`, `C01001`, `G0201`).
    pub code: String,
    /// Its catalogue.
    pub catalogue: Catalogue,
    /// Major class code with the prefix (`E06`).
    pub major_code: String,
    /// Major class name.
    pub major_name: String,
    /// Minor category name.
    pub name: String,
    /// Order within the catalogue.
    pub sort: i32,
    /// Labelled defaults.
    pub defaults: Defaults,
}

/// The category public reports of no listed kind go to, for the street center to classify (its own code and major
/// class, as a district's local category).
pub fn unclassified() -> CategorySeed {
    CategorySeed {
        code: "L99001".into(),
        catalogue: Catalogue::Local,
        major_code: "L99".into(),
        major_name: "待分类".into(),
        name: "其他问题（待分类）".into(),
        sort: 99_001,
        defaults: defaults_for(Catalogue::Local, "99", "其他问题"),
    }
}

/// A problem on the short list residents choose from (and Open311's service), mapped to an official category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicServiceSeed {
    /// Open311 `service_code`.
    pub code: &'static str,
    /// The category its reports are filed under.
    pub category: &'static str,
    /// Name in Chinese.
    pub name: &'static str,
    /// Name in English.
    pub name_en: &'static str,
    /// Other words residents use for it.
    pub keywords: &'static str,
}

const fn service(
    code: &'static str,
    category: &'static str,
    name: &'static str,
    name_en: &'static str,
    keywords: &'static str,
) -> PublicServiceSeed {
    PublicServiceSeed { code, category, name, name_en, keywords }
}

/// The short public list a district starts with, in the order shown (the problems residents of Chinese cities and
/// FixMyStreet's users report most), each filed under its GB/T 47678.5 event; editable.
pub const PUBLIC_SERVICES: [PublicServiceSeed; 20] = [
    service("road_damage", "E06013", "道路破损", "Damaged road or pavement", "坑洼 路面 人行道 pothole"),
    service("manhole", "E01002", "井盖缺失或破损", "Missing or broken manhole cover", "窨井 下水道 盖子 drain cover"),
    service("streetlight", "E01037", "路灯不亮", "Street light out", "灯 照明 lamp light"),
    service("exposed_garbage", "E06010", "暴露垃圾", "Rubbish left out", "垃圾 脏乱 litter trash"),
    service("bin_overflow", "E06042", "垃圾桶满溢", "Overflowing bin", "垃圾箱 垃圾站 bin"),
    service(
        "bulky_items",
        "E06035",
        "废弃家具电器",
        "Abandoned furniture or appliances",
        "沙发 床垫 冰箱 电视 bulky e-waste",
    ),
    service("dumping", "E06011", "乱倒渣土垃圾", "Fly-tipping", "渣土 建筑垃圾 倾倒 illegal dumping"),
    service("dead_animal", "E06037", "动物尸体", "Dead animal", "死猫 死狗 carcass"),
    service("graffiti", "E07001", "小广告和涂鸦", "Graffiti or fly-posting", "牛皮癣 张贴 喷涂 graffiti poster"),
    service("street_vending", "E09006", "占道经营", "Street trading on the pavement", "摆摊 小贩 vendor"),
    service("car_parking", "E09009", "机动车乱停放", "Badly parked car", "停车 堵路 parking"),
    service("bike_parking", "E09011", "共享单车乱停", "Badly parked shared bikes", "单车 自行车 电动车 bike"),
    service("fire_lane", "E09012", "占用消防通道", "Blocked fire lane", "消防 通道 堵塞 fire access"),
    service("noise", "E06028", "噪声扰民", "Noise", "吵 噪音 广场舞 noise"),
    service("cooking_fumes", "E06027", "油烟污染", "Cooking fumes", "烧烤 油烟 smoke"),
    service("construction_nuisance", "E08001", "施工扰民", "Building-site nuisance", "工地 夜间施工 construction"),
    service("illegal_building", "E06001", "私搭乱建", "Unauthorised building", "违建 搭建 违章建筑"),
    service("tree", "E04002", "行道树倒伏或损坏", "Fallen or damaged street tree", "树 树枝 tree"),
    service("sewage", "E06030", "污水乱排", "Waste water let out", "污水 排水 废水 water waste"),
    service("other", "L99001", "其他问题", "Something else", "其他 other"),
];

/// The departments a district starts with.
pub const DEFAULT_DEPARTMENTS: [&str; 12] =
    ["城管", "住建", "市场监管", "公安", "消防", "生态环境", "水务", "民政", "交通运输", "应急管理", "司法", "教育"];

const fn limit(amount: u32, unit: LimitUnit) -> TimeLimit {
    TimeLimit { amount, unit }
}

/// The labelled defaults for a minor category of `major` (code without prefix, or the taxonomy's level-2 name).
/// Not from any standard: chosen so that street litter is a working day's job and a fire hazard a day's.
pub fn defaults_for(catalogue: Catalogue, major: &str, minor: &str) -> Defaults {
    use LimitUnit::*;
    let d = |amount, unit, department, self_resolvable| Defaults {
        limit: limit(amount, unit),
        urgent: false,
        department,
        self_resolvable,
    };
    match (catalogue, major) {
        (Catalogue::Grid, _) => match minor {
            "消防隐患" | "安全生产" => Defaults {
                urgent: true,
                ..d(24, Hours, if minor == "消防隐患" { "消防" } else { "应急管理" }, false)
            },
            "社会治安" => d(3, WorkingDays, "公安", false),
            "市监食监" | "药品监管" => d(5, WorkingDays, "市场监管", false),
            "交通运输" => d(5, WorkingDays, "交通运输", false),
            "城市管理" => d(3, WorkingDays, "城管", true),
            "环保生态" => d(5, WorkingDays, "生态环境", false),
            "建设水务" | "规划建设" => d(5, WorkingDays, "住建", false),
            "教育校园" => d(5, WorkingDays, "教育", false),
            "家庭邻里" | "物业管理" | "房屋租赁" => d(5, WorkingDays, "司法", true),
            _ => d(10, WorkingDays, if major == "矛盾纠纷" { "司法" } else { "民政" }, false),
        },
        (_, "01") => d(3, WorkingDays, if minor.contains("水") { "水务" } else { "住建" }, false),
        (_, "02") => d(2, WorkingDays, "交通运输", false),
        (_, "03") => d(1, WorkingDays, "城管", true),
        (_, "04") => d(3, WorkingDays, "城管", true),
        (_, "06") => d(8, WorkingHours, "城管", true),
        (_, "07") => d(2, WorkingDays, "城管", true),
        (_, "08") => d(3, WorkingDays, "住建", false),
        (_, "09") => d(4, WorkingHours, "城管", true),
        _ => d(5, WorkingDays, "城管", false),
    }
}

#[derive(Deserialize)]
struct NationalRow {
    r#type: String,
    major_code: String,
    major_name: String,
    minor_code: String,
    minor_name: String,
}

/// Read the national classification CSV.
pub fn read_national(input: impl Read) -> Result<Vec<CategorySeed>, CatalogueError> {
    let mut out = Vec::new();
    for (i, row) in csv::Reader::from_reader(input).deserialize::<NationalRow>().enumerate() {
        let r = row?;
        let catalogue = match r.r#type.as_str() {
            "component" => Catalogue::Component,
            "event" => Catalogue::Event,
            other => return Err(CatalogueError::Row { row: i + 1, why: format!("type {other:?}") }),
        };
        if r.minor_code.len() != 5 || !r.minor_code.starts_with(&r.major_code) || r.major_code.len() != 2 {
            return Err(CatalogueError::Row { row: i + 1, why: format!("code {:?}", r.minor_code) });
        }
        let defaults = defaults_for(catalogue, &r.major_code, &r.minor_name);
        out.push(CategorySeed {
            code: format!("{}{}", catalogue.prefix(), r.minor_code),
            catalogue,
            major_code: format!("{}{}", catalogue.prefix(), r.major_code),
            major_name: r.major_name,
            name: r.minor_name,
            sort: i as i32,
            defaults,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
struct TaxonomyRow {
    field: String,
    parent: String,
    order: u32,
    value: String,
}

/// Read the community-side taxonomy CSV: its level-2 event types become minor categories under their level-1 type.
pub fn read_grid_taxonomy(input: impl Read) -> Result<Vec<CategorySeed>, CatalogueError> {
    let rows: Vec<TaxonomyRow> = csv::Reader::from_reader(input).deserialize().collect::<Result<_, _>>()?;
    let majors: Vec<&TaxonomyRow> = rows.iter().filter(|r| r.field == "EVENT_TYPE_1").collect();
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.field == "EVENT_TYPE_2") {
        let major = majors
            .iter()
            .find(|m| m.value == r.parent)
            .ok_or_else(|| CatalogueError::Row { row: i + 1, why: format!("no level-1 type {:?}", r.parent) })?;
        out.push(CategorySeed {
            code: format!("G{:02}{:02}", major.order, r.order),
            catalogue: Catalogue::Grid,
            major_code: format!("G{:02}", major.order),
            major_name: major.value.clone(),
            name: r.value.clone(),
            sort: 1000 + i as i32,
            defaults: defaults_for(Catalogue::Grid, &major.value, &r.value),
        });
    }
    Ok(out)
}

/// The intake channels the taxonomy records (来源), in its order: shown beside ours to check that channels are data.
pub fn read_channels(input: impl Read) -> Result<Vec<String>, CatalogueError> {
    let rows: Vec<TaxonomyRow> = csv::Reader::from_reader(input).deserialize().collect::<Result<_, _>>()?;
    Ok(rows.into_iter().filter(|r| r.field == "EVENT_SOURCE").map(|r| r.value).collect())
}

/// An official calendar day.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CalendarDay {
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// `holiday` (a day off) or `workday` (a weekend day worked).
    pub kind: String,
    /// The holiday's name.
    pub name: String,
}

/// Read the official holiday CSV.
pub fn read_holidays(input: impl Read) -> Result<Vec<CalendarDay>, CatalogueError> {
    let days: Vec<CalendarDay> = csv::Reader::from_reader(input).deserialize().collect::<Result<_, _>>()?;
    for (i, d) in days.iter().enumerate() {
        if !matches!(d.kind.as_str(), "holiday" | "workday") {
            return Err(CatalogueError::Row { row: i + 1, why: format!("kind {:?}", d.kind) });
        }
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_rows_become_prefixed_codes_with_defaults() {
        let csv = "type,major_code,major_name,minor_code,minor_name\ncomponent,01,市政公用设施,01001,供水井盖\nevent,06,市容环境类,06001,私搭乱建\n";
        let seeds = read_national(csv.as_bytes()).unwrap();
        assert_eq!(seeds[0].code, "C01001");
        assert_eq!(seeds[0].defaults.department, "水务");
        assert_eq!(seeds[1].major_code, "E06");
        assert!(seeds[1].defaults.self_resolvable);
        assert!(read_national("type,major_code,major_name,minor_code,minor_name\nx,01,a,01001,b\n".as_bytes()).is_err());
    }

    #[test]
    fn taxonomy_level_two_types_nest_under_level_one() {
        let csv = "field,parent,order,value\nEVENT_SOURCE,,1,群众来访\nEVENT_TYPE_1,,2,问题隐患\nEVENT_TYPE_2,问题隐患,6,消防隐患\n";
        let seeds = read_grid_taxonomy(csv.as_bytes()).unwrap();
        assert_eq!(seeds.len(), 1);
        assert_eq!((seeds[0].code.as_str(), seeds[0].major_code.as_str()), ("G0206", "G02"));
        assert!(seeds[0].defaults.urgent);
        assert_eq!(read_channels(csv.as_bytes()).unwrap(), vec!["群众来访"]);
    }
}
