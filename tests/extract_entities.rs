//! Golden tests for entity extraction: the whole extractor on real articles, compared
//! with their reference annotations, plus the contract the attribution stage relies on.

use proptest::prelude::*;
use quotewire::extract::entities::{find_entities, EntityTable};
use quotewire::extract::{
    extract, Entity, EntityKind, Extraction, Gender, InputFormat, KnownMetadata, Span,
};
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// Names compared the way the scorer compares them: lower case, no dots or punctuation,
/// no leading "the".
fn norm(name: &str) -> String {
    let lowered: String = name
        .replace('.', "")
        .replace(['’', '‘'], "'")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' || c.is_whitespace() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    let joined = lowered.split_whitespace().collect::<Vec<_>>().join(" ");
    joined
        .strip_prefix("the ")
        .map(str::to_string)
        .unwrap_or(joined)
}

fn names_of(e: &Entity) -> HashSet<String> {
    std::iter::once(&e.name)
        .chain(&e.aliases)
        .map(|n| norm(n))
        .collect()
}

fn kind_of(t: &str) -> EntityKind {
    match t {
        "person" => EntityKind::Person,
        "organization" => EntityKind::Organization,
        "location" => EntityKind::Location,
        _ => EntityKind::Misc,
    }
}

struct Figures {
    found: usize,
    gold: usize,
    correct: usize,
    returned: usize,
    merged: usize,
    pairs: usize,
}

fn load(dir: &str, name: &str) -> (Extraction, Value) {
    let base = Path::new(FIXTURES).join(dir).join(name);
    let text = std::fs::read_to_string(base.with_extension("txt")).expect("fixture text");
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(base.with_extension("gold.json")).expect("fixture gold"),
    )
    .expect("gold is JSON");
    (
        extract(&text, InputFormat::Text, &KnownMetadata::default()),
        gold,
    )
}

fn score(extraction: &Extraction, gold: &Value) -> Figures {
    let gold_entities = gold["entities"].as_array().cloned().unwrap_or_default();
    let optional: HashSet<String> = gold["optional_entities"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(norm).collect())
        .unwrap_or_default();
    let gold_names: Vec<(EntityKind, HashSet<String>)> = gold_entities
        .iter()
        .map(|g| {
            let mut names: HashSet<String> = g["aliases"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(norm)
                .collect();
            names.insert(norm(g["name"].as_str().unwrap_or("")));
            (kind_of(g["type"].as_str().unwrap_or("")), names)
        })
        .collect();
    let ours: Vec<(EntityKind, HashSet<String>)> = extraction
        .entities
        .iter()
        .filter(|e| e.kind != EntityKind::Misc)
        .map(|e| (e.kind, names_of(e)))
        .collect();

    let found = gold_names
        .iter()
        .filter(|(k, g)| ours.iter().any(|(ok, o)| ok == k && !o.is_disjoint(g)))
        .count();
    let mut returned = 0;
    let mut correct = 0;
    for (kind, names) in &ours {
        let in_gold = gold_names.iter().any(|(_, g)| !g.is_disjoint(names));
        if !in_gold && !names.is_disjoint(&optional) {
            continue;
        }
        returned += 1;
        correct += gold_names
            .iter()
            .any(|(k, g)| k == kind && !g.is_disjoint(names)) as usize;
    }
    let pairs = gold["merge_pairs"].as_array().cloned().unwrap_or_default();
    let merged = pairs
        .iter()
        .filter(|p| {
            let (a, b) = (
                norm(p[0].as_str().unwrap_or("")),
                norm(p[1].as_str().unwrap_or("")),
            );
            ours.iter().any(|(_, n)| n.contains(&a) && n.contains(&b))
        })
        .count();
    Figures {
        found,
        gold: gold_names.len(),
        correct,
        returned,
        merged,
        pairs: pairs.len(),
    }
}

fn seed() -> Extraction {
    load("seed", "nato-japan-office").0
}

fn entity<'e>(x: &'e Extraction, name: &str) -> &'e Entity {
    x.entities
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no entity {name:?} in {:#?}", x.entities))
}

#[test]
fn seed_entities_match_the_reference() {
    let (x, gold) = load("seed", "nato-japan-office");
    let f = score(&x, &gold);
    assert!(
        f.found * 100 >= f.gold * 95,
        "recall {}/{}",
        f.found,
        f.gold
    );
    assert!(
        f.correct * 100 >= f.returned * 90,
        "precision {}/{}",
        f.correct,
        f.returned
    );
    assert_eq!(f.merged, f.pairs, "every merge pair ends up in one entity");
}

#[test]
fn dev_entities_stay_above_the_floor() {
    let dir = Path::new(FIXTURES).join("dev");
    let mut total = Figures {
        found: 0,
        gold: 0,
        correct: 0,
        returned: 0,
        merged: 0,
        pairs: 0,
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dev fixtures")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .into_string()
                .ok()?
                .strip_suffix(".txt")
                .map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in names {
        let (x, gold) = load("dev", &name);
        let f = score(&x, &gold);
        total.found += f.found;
        total.gold += f.gold;
        total.correct += f.correct;
        total.returned += f.returned;
        total.merged += f.merged;
        total.pairs += f.pairs;
    }
    assert!(
        total.found * 100 >= total.gold * 80,
        "recall {}/{}",
        total.found,
        total.gold
    );
    assert!(
        total.correct * 100 >= total.returned * 85,
        "precision {}/{}",
        total.correct,
        total.returned
    );
    assert!(
        total.merged * 100 >= total.pairs * 75,
        "merges {}/{}",
        total.merged,
        total.pairs
    );
}

#[test]
fn titles_are_roles_and_mentions_name_only_the_person() {
    let x = seed();
    let smith = entity(&x, "Julianne Smith");
    assert_eq!(smith.kind, EntityKind::Person);
    assert!(
        smith.roles.iter().any(|r| r == "U.S. Ambassador to NATO"),
        "{:?}",
        smith.roles
    );
    assert!(smith.aliases.contains(&"Smith".to_string()));
    assert_eq!(smith.gender, Some(Gender::Female));
    for span in &smith.mentions {
        let text = span.slice(&x.body);
        assert!(
            text == "Julianne Smith" || text == "Smith",
            "mention {text:?}"
        );
    }
    let mao = entity(&x, "Mao Ning");
    assert!(
        mao.roles
            .iter()
            .any(|r| r == "spokesperson for the Chinese Foreign Ministry"),
        "{:?}",
        mao.roles
    );
    assert!(mao.aliases.contains(&"Mao".to_string()));
    let lungescu = entity(&x, "Oana Lungescu");
    assert!(
        lungescu.roles.iter().any(|r| r == "NATO spokesperson"),
        "{:?}",
        lungescu.roles
    );
    let putin = entity(&x, "Vladimir Putin");
    assert_eq!(putin.gender, Some(Gender::Male));
    assert!(putin.roles.iter().any(|r| r == "Russian President"));
}

#[test]
fn standing_aliases_possessives_and_compounds_merge() {
    let x = seed();
    let us = entity(&x, "United States");
    assert!(
        us.aliases.contains(&"U.S.".to_string()),
        "U.S.-led and U.S. Ambassador give U.S.: {:?}",
        us.aliases
    );
    let china = entity(&x, "China");
    for alias in ["PRC", "Communist China"] {
        assert!(
            china.aliases.contains(&alias.to_string()),
            "{alias} in {:?}",
            china.aliases
        );
    }
    let nato = entity(&x, "NATO");
    assert_eq!(nato.kind, EntityKind::Organization);
    assert!(
        nato.mentions.iter().all(|s| s.slice(&x.body) == "NATO"),
        "NATO's gives the mention NATO"
    );
    assert_eq!(
        entity(&x, "United Kingdom").aliases,
        vec!["U.K.".to_string()]
    );
}

#[test]
fn sentence_starts_demonyms_and_headings_give_no_names() {
    let x = seed();
    for word in [
        "Besides",
        "Since",
        "Citing",
        "Japanese",
        "Russian",
        "Highlighting",
        "Speaking",
        "Primarily",
    ] {
        assert!(
            !x.entities
                .iter()
                .any(|e| e.name == word || e.aliases.iter().any(|a| a == word)),
            "{word} is no entity"
        );
    }
    let japan = entity(&x, "Japan");
    let japanese = x.body.find("Japanese Foreign Minister").expect("seed text");
    assert!(
        japan.mentions.iter().all(|s| s.start != japanese),
        "a demonym in a title is no mention of Japan"
    );

    let table = find_entities(
        "NATO TO OPEN OFFICE IN JAPAN\n\nThe Plan Was Announced On Monday\n\nOfficials met.",
        &[],
    );
    let names: Vec<&str> = table.entities.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["NATO"],
        "a capitalised heading gives only known names"
    );
}

#[test]
fn acronyms_join_the_expansion_the_article_gives() {
    let body =
        "The Korean Central News Agency (KCNA) reported the test. KCNA said it was a success.";
    let table = find_entities(body, &[]);
    let kcna = table
        .entities
        .iter()
        .find(|e| e.name == "Korean Central News Agency")
        .expect("expansion");
    assert_eq!(kcna.kind, EntityKind::Organization);
    assert_eq!(kcna.aliases, ["KCNA"]);
    assert_eq!(kcna.mentions.len(), 3);
}

#[test]
fn organisation_and_place_cues_type_unknown_names() {
    let body = "Officials at the Irving Police Department met staff of the Adler Planetarium and \
                the Council on American-Islamic Relations in Mountain View.";
    let table = find_entities(body, &[]);
    let kind = |name: &str| {
        table
            .entities
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.kind)
    };
    assert_eq!(
        kind("Irving Police Department"),
        Some(EntityKind::Organization)
    );
    assert_eq!(kind("Adler Planetarium"), Some(EntityKind::Location));
    assert_eq!(
        kind("Council on American-Islamic Relations"),
        Some(EntityKind::Organization)
    );
    assert_eq!(kind("Mountain View"), Some(EntityKind::Location));
}

#[test]
fn resolve_mention_finds_surnames_and_creates_speakers() {
    let body =
        "Foreign Minister Yoshimasa Hayashi spoke. Hayashi left. Kenji Watanabe said nothing.";
    let mut table = find_entities(body, &[]);
    let hayashi_at = body.find("Hayashi left").expect("text");
    let found = table
        .mentions
        .iter()
        .find(|m| m.span.start == hayashi_at)
        .expect("surname mention")
        .entity;
    assert_eq!(table.entities[found].name, "Yoshimasa Hayashi");

    let span = Span::new(hayashi_at, hayashi_at + "Hayashi".len());
    assert_eq!(table.resolve_mention(body, span, EntityKind::Person), found);

    let mut table = EntityTable::default();
    let at = body.find("Kenji Watanabe").expect("text");
    let id = table.resolve_mention(
        body,
        Span::new(at, at + "Kenji Watanabe".len()),
        EntityKind::Person,
    );
    assert_eq!(table.entities[id].name, "Kenji Watanabe");
    assert_eq!(
        table.entities[id].gender,
        Some(Gender::Male),
        "from the given-name tables"
    );
    let again = table.resolve_mention(
        body,
        Span::new(at + 6, at + "Kenji Watanabe".len()),
        EntityKind::Person,
    );
    assert_eq!(
        again, id,
        "an overlapping speaker span resolves to the same entity"
    );
    assert_eq!(table.mentions.len(), 1);
}

#[test]
fn resolve_mention_upgrades_misc_to_person() {
    let body = "Cold Harbour Tenley spoke first. Tenley said the rest.";
    let mut table = find_entities(body, &[]);
    let at = body.rfind("Tenley").expect("text");
    let id = table.resolve_mention(body, Span::new(at, at + 6), EntityKind::Person);
    assert_eq!(table.entities[id].kind, EntityKind::Person);
    assert_sorted_and_disjoint(&table, body);
}

fn assert_sorted_and_disjoint(table: &EntityTable, body: &str) {
    for pair in table.mentions.windows(2) {
        assert!(
            pair[0].span.end <= pair[1].span.start,
            "mentions sorted and disjoint: {pair:?}"
        );
    }
    for m in &table.mentions {
        assert!(body.is_char_boundary(m.span.start) && body.is_char_boundary(m.span.end));
        assert!(table.entities[m.entity].mentions.contains(&m.span));
    }
}

proptest! {
    #[test]
    fn any_text_gives_valid_disjoint_mentions(body in "(\\PC|[A-Z][a-z]{1,8}|[A-Z]\\.|'s|’s|-| |\n\n|&|of ){0,80}") {
        let table = find_entities(&body, &[]);
        assert_sorted_and_disjoint(&table, &body);
    }

    #[test]
    fn resolving_any_span_keeps_mentions_valid(body in "[A-Z][a-z]{2,6}( [A-Z][a-z]{2,6}){0,3}( said\\. )?[A-Za-z ]{0,20}", cut in 0usize..40, len in 0usize..20) {
        let mut table = find_entities(&body, &[]);
        let start = (0..=cut.min(body.len())).rev().find(|&i| body.is_char_boundary(i)).unwrap_or(0);
        let end = (start..=(start + len).min(body.len())).rev().find(|&i| body.is_char_boundary(i)).unwrap_or(start);
        if end > start {
            table.resolve_mention(&body, Span::new(start, end), EntityKind::Person);
        }
        assert_sorted_and_disjoint(&table, &body);
    }
}

#[test]
fn towns_surnames_and_short_forms_merge() {
    let body = "Police in Irving, Texas arrested him. The Church of Scientology replied. \
                Scientology declined to comment. Mary Major said little. Major left early.";
    let table = find_entities(body, &[]);
    let named = |name: &str| {
        table
            .entities
            .iter()
            .find(|e| e.name == name || e.aliases.iter().any(|a| a == name))
    };
    let irving = named("Irving").expect("the town");
    assert_eq!(irving.kind, EntityKind::Location);
    assert!(std::iter::once(&irving.name)
        .chain(&irving.aliases)
        .any(|n| n == "Irving, Texas"));
    let church = named("Church of Scientology").expect("the church");
    assert!(
        church.aliases.iter().any(|a| a == "Scientology"),
        "{:?}",
        church.aliases
    );
    let mary = named("Mary Major").expect("a title word after a given name is a surname");
    assert_eq!(mary.kind, EntityKind::Person);
    assert!(
        mary.aliases.iter().any(|a| a == "Major"),
        "{:?}",
        mary.aliases
    );
}

/// The entity whose name or alias is `name` in a table built from `body`.
fn named<'t>(table: &'t EntityTable, name: &str) -> Option<&'t Entity> {
    table
        .entities
        .iter()
        .find(|e| e.name == name || e.aliases.iter().any(|a| a == name))
}

#[test]
fn occupations_family_roles_and_function_word_surnames_make_people() {
    let body = "The show hangs portraits by photographer Okonkwo beside a gown by designer \
                Zandrelli. Voters returned Peter To to the council, and his wife Ottilie \
                Brandvold thanked them.";
    let table = find_entities(body, &[]);
    for name in ["Okonkwo", "Zandrelli", "Peter To", "Ottilie Brandvold"] {
        assert_eq!(
            named(&table, name).map(|e| e.kind),
            Some(EntityKind::Person),
            "{name}: {:?}",
            table.entities
        );
    }
}

#[test]
fn a_list_after_a_name_is_not_its_role() {
    let body = "Many former members of Falun Gong, including actor Jason Beghe, left.";
    let table = find_entities(body, &[]);
    let group = named(&table, "Falun Gong").expect("the group is named");
    assert_ne!(group.kind, EntityKind::Person, "{:?}", group.roles);
    assert_eq!(
        named(&table, "Jason Beghe").map(|e| e.kind),
        Some(EntityKind::Person)
    );
}

#[test]
fn organisations_run_into_the_person_they_introduce_and_end_before_where_they_are() {
    let body = "Executive director of the Council on Rural Affairs Dana Whitfield said the \
                Committee for the Protection of Journalists and a team from Ohio State \
                University of the US agreed.";
    let table = find_entities(body, &[]);
    let kind = |name: &str| named(&table, name).map(|e| e.kind);
    assert_eq!(
        kind("Council on Rural Affairs"),
        Some(EntityKind::Organization)
    );
    assert_eq!(kind("Dana Whitfield"), Some(EntityKind::Person));
    assert_eq!(
        kind("Committee for the Protection of Journalists"),
        Some(EntityKind::Organization)
    );
    assert_eq!(
        kind("Ohio State University"),
        Some(EntityKind::Organization)
    );
    assert_eq!(kind("United States"), Some(EntityKind::Location));
}

#[test]
fn staff_titles_web_sites_branches_and_place_nouns_type_unknown_names() {
    let body = "On Monday, Ofwat officials met the State Department Spokesperson, Jeff Rathke. \
                The travel site Tripfinder.com and the British Red Cross sent help to the \
                village of Dunmere.";
    let table = find_entities(body, &[]);
    let kind = |name: &str| named(&table, name).map(|e| e.kind);
    assert_eq!(kind("Ofwat"), Some(EntityKind::Organization));
    assert_eq!(kind("State Department"), Some(EntityKind::Organization));
    assert_eq!(kind("Jeff Rathke"), Some(EntityKind::Person));
    assert_eq!(kind("Tripfinder.com"), Some(EntityKind::Organization));
    assert_eq!(kind("British Red Cross"), Some(EntityKind::Organization));
    assert_eq!(kind("Dunmere"), Some(EntityKind::Location));
}

#[test]
fn a_surname_that_is_a_place_stays_with_the_person() {
    let body = "Ottilie Paris, a former member, spoke on Monday. \
                Paris was born in Switzerland and now lives in Sydney.";
    let table = find_entities(body, &[]);
    let person = named(&table, "Ottilie Paris").expect("the person");
    assert_eq!(person.kind, EntityKind::Person);
    assert!(
        person.aliases.iter().any(|a| a == "Paris"),
        "{:?}",
        person.aliases
    );
    assert!(
        !table
            .entities
            .iter()
            .any(|e| e.kind == EntityKind::Location && e.name == "Paris"),
        "{:?}",
        table.entities
    );
}

#[test]
fn descriptors_products_and_abbreviations_keep_the_name_apart() {
    let body = "The book by Marxist Ernesto Guevara sold well. Guevara wrote it in exile. \
                The recently released Google Chrome is gaining users, and Chrome is fast. \
                PC World's analysis of its own traffic agreed.";
    let table = find_entities(body, &[]);
    let guevara = named(&table, "Ernesto Guevara").expect("the author");
    assert_eq!(guevara.kind, EntityKind::Person);
    assert!(
        guevara.aliases.iter().any(|a| a == "Guevara"),
        "{:?}",
        table.entities
    );
    assert_eq!(
        named(&table, "Google").map(|e| e.kind),
        Some(EntityKind::Organization)
    );
    assert!(named(&table, "Google Chrome").is_none());
    assert!(named(&table, "PC World").is_some(), "{:?}", table.entities);
    assert!(named(&table, "World").is_none());
}

#[test]
fn currencies_titles_and_places_after_a_name_are_not_names() {
    let body = "He was freed on US$ 20,000 bail. A crowd gathered at the Kennedy Space Center \
                on Sunday, and he resigned as Foreign Affairs minister. Team Estonia rebuilt \
                its robot, and the team's captain, Marta Kask, said so.";
    let table = find_entities(body, &[]);
    assert!(
        named(&table, "United States").is_none(),
        "{:?}",
        table.entities
    );
    assert_eq!(
        named(&table, "Kennedy Space Center").map(|e| e.kind),
        Some(EntityKind::Location)
    );
    assert!(named(&table, "Affairs").is_none(), "{:?}", table.entities);
    assert_eq!(
        named(&table, "Team Estonia").map(|e| e.kind),
        Some(EntityKind::Organization),
        "{:?}",
        table.entities
    );
    let kask = named(&table, "Marta Kask").expect("the captain");
    assert_eq!(kask.kind, EntityKind::Person);
    assert_eq!(kask.roles, ["captain"]);
}

#[test]
fn long_organisation_names_stay_whole_and_lose_their_nationality_in_an_alias() {
    let body = "Prints went to galleries from the Ruskin Foundation for the Applied Arts, and \
                the Danish Ministry of Fisheries approved the loan.";
    let table = find_entities(body, &[]);
    assert_eq!(
        named(&table, "Ruskin Foundation for the Applied Arts").map(|e| e.kind),
        Some(EntityKind::Organization),
        "{:?}",
        table.entities
    );
    assert!(named(&table, "Applied Arts").is_none());
    let ministry = named(&table, "Danish Ministry of Fisheries").expect("the ministry");
    assert!(
        ministry
            .aliases
            .iter()
            .any(|a| a == "Ministry of Fisheries"),
        "{:?}",
        ministry.aliases
    );
}

#[test]
fn a_plain_name_listed_beside_a_person_is_a_person_but_an_affiliation_is_not() {
    let body = "The show has prints by photographers Walker Evans, Chuck Close, and Brannoc \
                Vestergaard. Councillor Raymond Chan of Kestrel Works, and Leung Kwok-hung \
                won seats.";
    let table = find_entities(body, &[]);
    assert_eq!(
        named(&table, "Brannoc Vestergaard").map(|e| e.kind),
        Some(EntityKind::Person),
        "{:?}",
        table.entities
    );
    assert_ne!(
        named(&table, "Kestrel Works").map(|e| e.kind),
        Some(EntityKind::Person),
        "{:?}",
        table.entities
    );
}
