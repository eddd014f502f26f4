//! The network: sales regions, dealer groups (each with a home region), dealers
//! spread over real cities by the size of their car market, and every dealer's four
//! departments plus the OEM's own.

use std::collections::HashSet;

use autocrm_domain::org::DepartmentKind;
use sea_query::Value;

use super::names::{self, CITIES, City};
use super::rng::{Rng, cumulative};
use super::{Load, Scale, SeedDealer, SeedGroup, SeedRegion, Step, World, id, opt_id, text};

pub(crate) const STEP: Step = Step { name: "org", tables: &["region", "dealer_group", "dealer", "department"], plan };

pub(crate) const DEALER_DEPARTMENTS: [(DepartmentKind, &str); 4] = [
    (DepartmentKind::Sales, "销售部"),
    (DepartmentKind::Service, "售后服务部"),
    (DepartmentKind::Parts, "配件部"),
    (DepartmentKind::Finance, "财务部"),
];

pub(crate) const OEM_DEPARTMENTS: [(DepartmentKind, &str); 3] = [
    (DepartmentKind::Cac, "客户服务中心"),
    (DepartmentKind::TechSupport, "技术支持中心"),
    (DepartmentKind::Marketing, "市场部"),
];

const CODE_NAME_COLUMNS: &[&str] = &["id", "code", "name", "active", "version", "created_at", "updated_at"];
const DEALER_COLUMNS: &[&str] = &[
    "id", "code", "name", "level", "region_id", "group_id", "province", "city", "address", "phone", "active", "version",
    "created_at", "updated_at",
];
const DEPARTMENT_COLUMNS: &[&str] = &["id", "dealer_id", "kind", "name", "active", "version", "created_at", "updated_at"];

/// How big the network is at each scale.
struct Shape {
    regions: &'static [&'static str],
    groups: usize,
    dealers: usize,
    /// Dealers that belong to a group (the rest are independent).
    grouped: usize,
    oem_departments: bool,
}

fn shape(scale: Scale) -> Shape {
    match scale {
        Scale::Oem => Shape {
            regions: &["EAST", "SOUTH", "NORTH", "SOUTHWEST", "CENTRAL", "SHANDONG", "NORTHEAST", "NORTHWEST"],
            groups: 60,
            dealers: 1_000,
            grouped: 820,
            oem_departments: true,
        },
        Scale::Dealer => Shape { regions: &["EAST"], groups: 1, dealers: 3, grouped: 3, oem_departments: false },
    }
}

fn plan(world: &mut World, rng: &mut Rng) -> Vec<Load> {
    let shape = shape(world.scale);
    let t: Value = world.now.into();
    let versioned = move |mut row: Vec<Value>| {
        row.extend([Value::from(1i64), t.clone(), t.clone()]);
        row
    };

    // Regions.
    let mut region_rows = Vec::new();
    for code in shape.regions {
        let (code, name) = names::REGIONS.iter().find(|(c, _)| c == code).expect("region in the word list");
        let rid = world.next_id("region");
        world.regions.push(SeedRegion { id: rid, code });
        region_rows.push(versioned(vec![id(rid), text(*code), text(*name), true.into()]));
    }
    let cities_of = |region: &str| CITIES.iter().filter(|c| c.region == region).collect::<Vec<&City>>();
    let market = |region: &str| cities_of(region).iter().map(|c| c.weight).sum::<u64>();

    // Dealer groups: a home region each (bigger markets get more groups) and a size.
    let region_weights = cumulative(world.regions.iter().map(|r| market(r.code)));
    let mut words = names::GROUP_WORDS.to_vec();
    rng.shuffle(&mut words);
    let mut group_rows = Vec::new();
    for (i, word) in words.iter().take(shape.groups).enumerate() {
        let gid = world.next_id("dealer_group");
        let region = if i < world.regions.len() { i } else { rng.weighted(&region_weights) };
        let name = format!("{word}{}", rng.pick(names::GROUP_SUFFIXES));
        world.groups.push(SeedGroup { id: gid, region, word });
        group_rows.push(versioned(vec![id(gid), text(format!("G{:03}", i + 1)), text(name), true.into()]));
    }
    let sizes = group_sizes(rng, shape.groups, shape.grouped);

    // Dealers: each group's stores in its home region, then independents anywhere.
    let mut placements: Vec<(Option<usize>, &City)> = Vec::new();
    for (g, size) in sizes.iter().enumerate() {
        let cities = cities_of(world.regions[world.groups[g].region].code);
        let weights = cumulative(cities.iter().map(|c| c.weight));
        for _ in 0..*size {
            placements.push((Some(g), cities[rng.weighted(&weights)]));
        }
    }
    let in_regions: Vec<&City> = CITIES.iter().filter(|c| shape.regions.contains(&c.region)).collect();
    let weights = cumulative(in_regions.iter().map(|c| c.weight));
    while placements.len() < shape.dealers {
        placements.push((None, in_regions[rng.weighted(&weights)]));
    }

    let mut per_city = std::collections::HashMap::<&str, usize>::new();
    let mut taken_names = HashSet::new();
    let mut dealer_rows = Vec::new();
    for (group, city) in placements {
        let did = world.next_id("dealer");
        let n = per_city.entry(city.code).or_default();
        *n += 1;
        let code = format!("{}{:03}", city.code, n);
        let level = match rng.below(100) {
            0..15 => "A",
            15..50 => "B",
            50..85 => "C",
            _ => "D",
        };
        let region_id = world.regions.iter().find(|r| r.code == city.region).expect("the city's region is seeded").id;
        let group_id = group.map(|g| world.groups[g].id);
        let name = dealer_name(rng, &mut taken_names, city, group.map(|g| world.groups[g].word));
        let address = format!("{}市{}{}号", city.name, rng.pick(names::ROADS), rng.range(1, 2999));
        // Landlines start with 2–8.
        let phone = format!("{}-{}{:07}", city.area_code, rng.range(2, 8), rng.below(10_000_000));
        let departments = [0; 4].map(|_| world.next_id("department"));
        world.dealers.push(SeedDealer { id: did, region_id, group_id, level, departments });
        dealer_rows.push(versioned(vec![
            id(did),
            text(code),
            text(name),
            text(level),
            id(region_id),
            opt_id(group_id),
            text(city.province),
            text(city.name),
            text(address),
            text(phone),
            true.into(),
        ]));
    }

    // Departments: the dealers' (ids reserved above, in dealer order), then the OEM's.
    let mut oem = Vec::new();
    if shape.oem_departments {
        for (kind, name) in OEM_DEPARTMENTS {
            let did = world.next_id("department");
            world.oem_departments.push((kind, did));
            oem.push(versioned(vec![id(did), Value::BigInt(None), text(kind.as_str()), text(name), true.into()]));
        }
    }
    let dealers = world.dealers.clone();
    let department_total = (dealers.len() * DEALER_DEPARTMENTS.len() + oem.len()) as u64;
    let department_rows = dealers
        .into_iter()
        .flat_map(move |d| {
            let versioned = versioned.clone();
            DEALER_DEPARTMENTS.iter().zip(d.departments).map(move |((kind, name), dep)| {
                versioned(vec![id(dep), id(d.id), text(kind.as_str()), text(*name), true.into()])
            })
        })
        .chain(oem);

    vec![
        load("region", CODE_NAME_COLUMNS, region_rows),
        load("dealer_group", CODE_NAME_COLUMNS, group_rows),
        load("dealer", DEALER_COLUMNS, dealer_rows),
        Load { table: "department", columns: DEPARTMENT_COLUMNS, total: department_total, rows: Box::new(department_rows) },
    ]
}

pub(super) fn load(table: &'static str, columns: &'static [&'static str], rows: Vec<Vec<Value>>) -> Load {
    Load { table, columns, total: rows.len() as u64, rows: Box::new(rows.into_iter()) }
}

/// Group sizes of 4–20 stores, adjusted to add up to exactly `total` (each at least 2).
fn group_sizes(rng: &mut Rng, groups: usize, total: usize) -> Vec<usize> {
    if groups == 0 {
        return Vec::new();
    }
    let mut sizes: Vec<usize> = (0..groups).map(|_| rng.range(4, 20) as usize).collect();
    let mut sum: usize = sizes.iter().sum();
    while sum != total {
        let g = rng.below(groups as u64) as usize;
        if sum < total {
            sizes[g] += 1;
            sum += 1;
        } else if sizes[g] > 2 {
            sizes[g] -= 1;
            sum -= 1;
        }
    }
    sizes
}

/// `杭州华信东岳4S店` for a group's store, `南京城东东岳4S店` for an independent one;
/// a district word or a number keeps names apart within a city.
fn dealer_name(rng: &mut Rng, taken: &mut HashSet<String>, city: &City, group_word: Option<&str>) -> String {
    let brand = names::BRAND;
    let mut candidates = Vec::new();
    if let Some(w) = group_word {
        candidates.push(format!("{}{w}{brand}4S店", city.name));
    }
    let start = rng.below(names::DISTRICTS.len() as u64) as usize;
    for i in 0..names::DISTRICTS.len() {
        let district = names::DISTRICTS[(start + i) % names::DISTRICTS.len()];
        candidates.push(format!("{}{}{district}{brand}4S店", city.name, group_word.unwrap_or("")));
    }
    for name in candidates {
        if taken.insert(name.clone()) {
            return name;
        }
    }
    let mut n = 2;
    loop {
        let name = format!("{}{}{brand}{n}号4S店", city.name, group_word.unwrap_or(""));
        if taken.insert(name.clone()) {
            return name;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_sizes_add_up() {
        let mut rng = Rng::for_step(42, "org");
        let sizes = group_sizes(&mut rng, 60, 820);
        assert_eq!(sizes.iter().sum::<usize>(), 820);
        assert!(sizes.iter().all(|s| *s >= 2));
        assert_eq!(group_sizes(&mut rng, 1, 3), vec![3]);
    }
}
