//! World knowledge for naming and typing entities: countries, cities, regions,
//! organisations, given names, titles and cue words.
//!
//! The tables are compact text files in `data/` (see `data/README.md` for each file's
//! source and licence), embedded with `include_str!` and parsed once into hash maps the
//! first time they are used.

use super::{EntityKind, Gender};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// A multiply-rotate hash over eight bytes at a time (the scheme of rustc's FxHash): the
/// keys are short words, where SipHash's per-call cost dominates and flooding resistance
/// buys nothing (the tables are ours, and the per-article sets are as long as the article).
#[derive(Default)]
pub struct WordHasher(u64);

const WORD_HASH_SEED: u64 = 0xf135_7aea_2e62_a9c5;

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = self.0.wrapping_add(word).wrapping_mul(WORD_HASH_SEED);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        // The multiply leaves its best bits at the top; the table indexes by the bottom ones.
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // The length keeps "ab" apart from "ab\0".
            self.add(tail_word(rest) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }
}

/// The one to seven bytes of `rest` as a little-endian word padded with zeros, read as
/// two overlapping loads (a copy into a zeroed buffer costs a call to `memcpy`).
fn tail_word(rest: &[u8]) -> u64 {
    let len = rest.len();
    let two = |at: usize| u64::from(u16::from_le_bytes([rest[at], rest[at + 1]]));
    let four = |at: usize| {
        u64::from(u32::from_le_bytes([
            rest[at],
            rest[at + 1],
            rest[at + 2],
            rest[at + 3],
        ]))
    };
    match len {
        0 => 0,
        1 => u64::from(rest[0]),
        2..=3 => two(0) | two(len - 2) << (8 * (len - 2)),
        _ => four(0) | four(len - 4) << (8 * (len - 4)),
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;
pub type FastSet<K> = HashSet<K, BuildHasherDefault<WordHasher>>;

/// What the gazetteer knows about a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// The standing name of the thing ("United States" for "U.S.").
    pub canonical: &'static str,
    pub kind: EntityKind,
}

/// Gender data for a given name; `Unisex` when neither sex has a clear majority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GivenName {
    Gendered(Gender),
    Unisex,
}

impl GivenName {
    pub fn gender(self) -> Option<Gender> {
        match self {
            GivenName::Gendered(g) => Some(g),
            GivenName::Unisex => None,
        }
    }
}

struct Gazetteer {
    /// Exact surface form -> what it names.
    names: FastMap<&'static str, Known>,
    /// Demonym ("Japanese") -> country canonical name.
    demonyms: FastMap<&'static str, &'static str>,
    given_names: FastMap<&'static str, GivenName>,
    /// Lower-cased words of person titles ("prime", "minister", "spokesperson").
    title_words: FastSet<&'static str>,
    org_cues: FastSet<&'static str>,
    location_cues: FastSet<&'static str>,
    non_names: FastSet<&'static str>,
    countries: FastSet<&'static str>,
    /// Countries, US states and the regions of `regions.txt`: what qualifies a town
    /// ("Irving, Texas").
    qualifiers: FastSet<&'static str>,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::load);

/// Rows of a data file: non-empty lines that are not `#` comments.
fn rows(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

fn list(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.split('|').map(str::trim).filter(|s| !s.is_empty())
}

impl Gazetteer {
    fn load() -> Gazetteer {
        // Sized for the data files up front: growing the tables cost a sixth of the load.
        let mut names: FastMap<&'static str, Known> =
            FastMap::with_capacity_and_hasher(8192, Default::default());
        let mut demonyms = FastMap::default();
        let mut add = |name: &'static str, canonical: &'static str, kind: EntityKind| {
            names.entry(name).or_insert(Known { canonical, kind });
        };

        // Countries first: a country's name wins over a city or organisation of that name.
        let mut country_by_code: HashMap<&str, &'static str> = HashMap::new();
        let mut countries = FastSet::default();
        let mut capitals = Vec::new();
        for row in rows(include_str!("../../data/countries.tsv")) {
            let mut cols = row.split('\t');
            let (code, name) = (cols.next().unwrap_or(""), cols.next().unwrap_or(""));
            if name.is_empty() {
                continue;
            }
            country_by_code.insert(code, name);
            countries.insert(name);
            add(name, name, EntityKind::Location);
            list(cols.next().unwrap_or("")).for_each(|a| add(a, name, EntityKind::Location));
            list(cols.next().unwrap_or("")).for_each(|d| {
                demonyms.entry(d).or_insert(name);
            });
            capitals.extend(list(cols.next().unwrap_or("")));
        }
        for row in rows(include_str!("../../data/country_fixes.tsv")) {
            let mut cols = row.split('\t');
            let Some(&name) = country_by_code.get(cols.next().unwrap_or("")) else {
                continue;
            };
            list(cols.next().unwrap_or("")).for_each(|a| add(a, name, EntityKind::Location));
            list(cols.next().unwrap_or("")).for_each(|d| {
                demonyms.insert(d, name);
            });
        }
        for row in rows(include_str!("../../data/organizations.tsv")) {
            let mut cols = row.split('\t');
            let name = cols.next().unwrap_or("").trim();
            add(name, name, EntityKind::Organization);
            list(cols.next().unwrap_or("")).for_each(|a| add(a, name, EntityKind::Organization));
        }
        let mut qualifiers = countries.clone();
        let states = [
            include_str!("../../data/us_states.txt"),
            include_str!("../../data/regions.txt"),
        ];
        qualifiers.extend(states.into_iter().flat_map(rows).map(str::trim));
        let places = [
            include_str!("../../data/regions.txt"),
            include_str!("../../data/un_regions.txt"),
            include_str!("../../data/us_states.txt"),
            include_str!("../../data/cities.txt"),
        ];
        for name in capitals
            .into_iter()
            .chain(places.into_iter().flat_map(rows))
        {
            add(name.trim(), name.trim(), EntityKind::Location);
        }

        let mut given_names = FastMap::with_capacity_and_hasher(16384, Default::default());
        let given = [
            include_str!("../../data/given_names_extra.tsv"),
            include_str!("../../data/given_names.tsv"),
        ];
        for row in given.into_iter().flat_map(rows) {
            let (name, sex) = row.split_once('\t').unwrap_or((row, "U"));
            let gender = match sex.trim() {
                "F" => GivenName::Gendered(Gender::Female),
                "M" => GivenName::Gendered(Gender::Male),
                _ => GivenName::Unisex,
            };
            given_names.entry(name.trim()).or_insert(gender);
        }

        let words =
            |text: &'static str| -> FastSet<&'static str> { rows(text).map(str::trim).collect() };
        Gazetteer {
            names,
            demonyms,
            given_names,
            title_words: rows(include_str!("../../data/titles.txt"))
                .flat_map(str::split_whitespace)
                .collect(),
            org_cues: words(include_str!("../../data/org_cues.txt")),
            location_cues: words(include_str!("../../data/location_cues.txt")),
            non_names: words(include_str!("../../data/non_names.txt")),
            countries,
            qualifiers,
        }
    }
}

/// The country, place or organisation `name` stands for, if the gazetteer knows it.
pub fn lookup(name: &str) -> Option<Known> {
    GAZETTEER.names.get(name).copied()
}

/// The country a demonym ("Japanese", "U.S." used as an adjective aside) refers to.
pub fn demonym(word: &str) -> Option<&'static str> {
    GAZETTEER.demonyms.get(word).copied()
}

pub fn given_name(word: &str) -> Option<GivenName> {
    GAZETTEER.given_names.get(word).copied()
}

/// Whether a lower-cased word belongs to a person title ("minister", "spokesperson").
pub fn is_title_word(lower: &str) -> bool {
    GAZETTEER.title_words.contains(lower)
}

/// Whether a lower-cased word ends organisation names ("ministry", "tv", "university").
pub fn is_org_cue(lower: &str) -> bool {
    GAZETTEER.org_cues.contains(lower)
}

/// Whether a lower-cased word ends place names ("street", "airport", "island").
pub fn is_location_cue(lower: &str) -> bool {
    GAZETTEER.location_cues.contains(lower)
}

/// Whether `name` is a country's own name ("Georgia", not "Regina" the city).
pub fn is_country(name: &str) -> bool {
    GAZETTEER.countries.contains(name)
}

/// Whether `name` is a country, US state or region that can follow a town after a comma.
pub fn is_qualifier(name: &str) -> bool {
    GAZETTEER.qualifiers.contains(name)
}

/// Whether a lower-cased word is a function word, month or day that names nothing alone.
pub fn is_non_name(lower: &str) -> bool {
    GAZETTEER.non_names.contains(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_words_are_the_bytes_padded_with_zeros() {
        let bytes = b"abcdefg";
        for len in 0..8 {
            let mut padded = [0u8; 8];
            padded[..len].copy_from_slice(&bytes[..len]);
            assert_eq!(
                tail_word(&bytes[..len]),
                u64::from_le_bytes(padded),
                "{len}"
            );
        }
    }

    #[test]
    fn standing_aliases_resolve_to_the_country() {
        for alias in ["U.S.", "US", "USA", "United States"] {
            assert_eq!(
                lookup(alias).map(|k| k.canonical),
                Some("United States"),
                "{alias}"
            );
        }
        for alias in ["PRC", "Communist China", "People's Republic of China"] {
            assert_eq!(lookup(alias).map(|k| k.canonical), Some("China"), "{alias}");
        }
        assert_eq!(lookup("U.K.").map(|k| k.canonical), Some("United Kingdom"));
        assert_eq!(
            lookup("Britain").map(|k| k.canonical),
            Some("United Kingdom")
        );
        assert_eq!(
            lookup("U.N.").map(|k| (k.canonical, k.kind)),
            Some(("United Nations", EntityKind::Organization))
        );
    }

    #[test]
    fn places_regions_and_cities_are_locations() {
        for place in [
            "Tokyo",
            "Brussels",
            "Sydney",
            "Indo-Pacific",
            "Asia",
            "Texas",
            "Sahel",
        ] {
            assert_eq!(
                lookup(place).map(|k| k.kind),
                Some(EntityKind::Location),
                "{place}"
            );
        }
    }

    #[test]
    fn demonyms_name_their_country() {
        assert_eq!(demonym("Japanese"), Some("Japan"));
        assert_eq!(demonym("Chinese"), Some("China"));
        assert_eq!(demonym("Emirati"), Some("United Arab Emirates"));
        assert_eq!(demonym("Tokyo"), None);
    }

    #[test]
    fn given_names_carry_gender() {
        assert_eq!(
            given_name("Julianne").and_then(GivenName::gender),
            Some(Gender::Female)
        );
        assert_eq!(
            given_name("Vladimir").and_then(GivenName::gender),
            Some(Gender::Male)
        );
        assert_eq!(
            given_name("Narendra").and_then(GivenName::gender),
            Some(Gender::Male)
        );
        assert_eq!(given_name("Nato"), None);
    }

    #[test]
    fn cue_words_are_known() {
        assert!(is_title_word("spokesperson") && is_title_word("minister"));
        assert!(is_org_cue("ministry") && is_org_cue("tv"));
        assert!(is_location_cue("airport"));
        assert!(is_non_name("besides") && is_non_name("since"));
    }
}
