//! A reproducible generator of realistic news articles, for benchmarks and load tests.
//!
//! The same `(count, seed)` always gives the same articles, so a benchmark can be rerun
//! on the same corpus anywhere. Articles vary in length (3 to 40 paragraphs), mix
//! direct, split and partial quotes with the cue constructions real reporting uses,
//! introduce speakers with roles and refer back to them by surname and pronoun, and name
//! places and organisations, so that every stage of the extractor does real work.

use serde::Serialize;

/// One generated article, in the shape `POST /v1/articles` and `quotewire ingest` take.
#[derive(Debug, Clone, Serialize)]
pub struct GeneratedArticle {
    pub url: String,
    pub title: String,
    pub byline: String,
    pub published: String,
    pub source: String,
    pub text: String,
}

/// Generates article `index` of the corpus seeded by `seed`; each article depends only on
/// `(seed, index)`, so a corpus can be generated in parallel or resumed.
pub fn article(seed: u64, index: u64) -> GeneratedArticle {
    let mut rng = SplitMix64::new(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let source = rng.pick(OUTLETS);
    let place = rng.pick(PLACES);
    let topic = rng.pick(TOPICS);
    let org = rng.pick(ORGANISATIONS);

    let speaker_count = 1 + rng.below(4) as usize;
    let speakers: Vec<Person> = (0..speaker_count)
        .map(|_| Person::random(&mut rng))
        .collect();

    let day = rng.below(28) + 1;
    let month = rng.below(12) + 1;
    let year = 2015 + rng.below(11);
    let published = format!("{year}-{month:02}-{day:02}");
    let byline = Person::random(&mut rng).full_name();

    let title = format!(
        "{} {} {} over {}",
        org.0,
        rng.pick(HEADLINE_VERBS),
        place.0,
        topic
    );

    let paragraphs = 3 + rng.below(38) as usize;
    let mut body = Vec::with_capacity(paragraphs + 1);
    body.push(format!(
        "{} officials in {} on {} said talks on {} would continue, as the {} weighed its next step.",
        place.1, place.0, WEEKDAYS[rng.below(7) as usize], topic, org.0
    ));
    let mut introduced = vec![false; speakers.len()];
    for _ in 0..paragraphs {
        let who = rng.below(speakers.len() as u64) as usize;
        let paragraph = if rng.below(3) == 0 {
            narrative(&mut rng, &place, &org, topic)
        } else {
            quote_paragraph(&mut rng, &speakers[who], !introduced[who], &org, topic)
        };
        introduced[who] = true;
        body.push(paragraph);
    }

    let text = format!(
        "{title}\n\nBy {byline}\n\n{published}\n\n{}\n",
        body.join("\n\n")
    );
    GeneratedArticle {
        url: format!("https://news.example.org/{year}/{month:02}/{index}-{seed}"),
        title,
        byline,
        published,
        source: source.to_string(),
        text,
    }
}

struct Person {
    given: &'static str,
    family: &'static str,
    female: bool,
    role: &'static str,
}

impl Person {
    fn random(rng: &mut SplitMix64) -> Person {
        let female = rng.below(2) == 0;
        let given = if female {
            rng.pick(FEMALE_NAMES)
        } else {
            rng.pick(MALE_NAMES)
        };
        Person {
            given,
            family: rng.pick(FAMILY_NAMES),
            female,
            role: rng.pick(ROLES),
        }
    }

    fn full_name(&self) -> String {
        format!("{} {}", self.given, self.family)
    }
}

fn narrative(
    rng: &mut SplitMix64,
    place: &(&str, &str),
    org: &(&str, &str),
    topic: &str,
) -> String {
    let sentences = 1 + rng.below(4);
    let mut out = Vec::new();
    for _ in 0..sentences {
        out.push(match rng.below(4) {
            0 => format!(
                "The {} has pressed {} for months on {}, according to people familiar with the matter.",
                org.0, place.0, topic
            ),
            1 => format!(
                "{} ({}) members are expected to meet in {} next week.",
                org.0, org.1, rng.pick(PLACES).0
            ),
            2 => format!(
                "Critics in {} called the plan a \u{201c}{}\u{201d} and asked for a full review of its costs.",
                rng.pick(PLACES).0,
                rng.pick(SCARE_TERMS)
            ),
            _ => format!(
                "Trade between {} and {} grew by {} per cent last year, official figures show.",
                place.0,
                rng.pick(PLACES).0,
                rng.below(40) + 1
            ),
        });
    }
    out.join(" ")
}

fn quote_paragraph(
    rng: &mut SplitMix64,
    who: &Person,
    first_time: bool,
    org: &(&str, &str),
    topic: &str,
) -> String {
    let statement = statement(rng, topic);
    let pronoun = if who.female { "she" } else { "he" };
    let cue = rng.pick(CUE_VERBS);
    let name = if first_time {
        format!("{} {} {}", who.role, who.given, who.family)
    } else {
        who.family.to_string()
    };
    match rng.below(6) {
        0 => format!("\u{201c}{statement},\u{201d} {name} {cue}."),
        1 => format!("\u{201c}{statement},\u{201d} {cue} {name}."),
        2 => format!("{name} {cue}: \u{201c}{statement}.\u{201d}"),
        3 if !first_time => format!("\u{201c}{statement},\u{201d} {pronoun} {cue}."),
        4 => format!(
            "{name} {cue} the {} was \u{201c}{}\u{201d} and would not change course on {topic}.",
            org.0,
            rng.pick(PARTIAL_FRAGMENTS)
        ),
        _ => format!(
            "\u{201c}{statement},\u{201d} {name} told {}. \u{201c}{}.\u{201d}",
            rng.pick(OUTLETS),
            statement_tail(rng)
        ),
    }
}

fn statement(rng: &mut SplitMix64, topic: &str) -> String {
    format!(
        "{} {} {}",
        rng.pick(STATEMENT_OPENINGS),
        topic,
        rng.pick(STATEMENT_ENDINGS)
    )
}

fn statement_tail(rng: &mut SplitMix64) -> &'static str {
    rng.pick(STATEMENT_TAILS)
}

/// SplitMix64: tiny, fast and good enough for test data; reproducible on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const OUTLETS: &[&str] = &[
    "Reuters",
    "Associated Press",
    "Agence France-Presse",
    "BBC News",
    "Kyodo News",
    "The Guardian",
    "Al Jazeera",
    "Deutsche Welle",
    "NHK",
    "CNN",
];
/// A place and its demonym.
const PLACES: &[(&str, &str)] = &[
    ("Japan", "Japanese"),
    ("Germany", "German"),
    ("Brazil", "Brazilian"),
    ("Kenya", "Kenyan"),
    ("India", "Indian"),
    ("Canada", "Canadian"),
    ("France", "French"),
    ("Mexico", "Mexican"),
    ("Australia", "Australian"),
    ("Nigeria", "Nigerian"),
    ("Poland", "Polish"),
    ("Indonesia", "Indonesian"),
    ("Egypt", "Egyptian"),
    ("Chile", "Chilean"),
    ("Norway", "Norwegian"),
];
/// An organisation and its acronym.
const ORGANISATIONS: &[(&str, &str)] = &[
    ("World Health Organization", "WHO"),
    ("European Union", "EU"),
    ("International Monetary Fund", "IMF"),
    ("World Trade Organization", "WTO"),
    ("African Union", "AU"),
    ("United Nations", "UN"),
    ("Organization of American States", "OAS"),
    ("World Bank", "WB"),
];
const TOPICS: &[&str] = &[
    "fishing rights",
    "vaccine supplies",
    "grain exports",
    "carbon pricing",
    "border security",
    "water sharing",
    "rare earth mining",
    "debt relief",
    "port access",
    "refugee quotas",
];
const HEADLINE_VERBS: &[&str] = &[
    "presses",
    "warns",
    "courts",
    "rebukes",
    "backs",
    "questions",
];
const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const FEMALE_NAMES: &[&str] = &[
    "Maria", "Aiko", "Fatima", "Ingrid", "Priya", "Olga", "Grace", "Lucia", "Amara", "Chloe",
    "Mei", "Sofia", "Hanna", "Nadia", "Elena",
];
const MALE_NAMES: &[&str] = &[
    "Kenji", "Carlos", "Ahmed", "Lars", "Rahul", "Dmitri", "Samuel", "Jonas", "Kwame", "Pierre",
    "Wei", "Mateo", "Tomasz", "Omar", "David",
];
const FAMILY_NAMES: &[&str] = &[
    "Tanaka",
    "Okafor",
    "Schneider",
    "Silva",
    "Kowalski",
    "Haddad",
    "Novak",
    "Larsen",
    "Mehta",
    "Moreau",
    "Petrov",
    "Mensah",
    "Alvarez",
    "Lindqvist",
    "Nakamura",
    "Osei",
    "Fischer",
    "Rossi",
    "Kim",
    "Duarte",
];
const ROLES: &[&str] = &[
    "Foreign Minister",
    "Trade Minister",
    "spokesperson",
    "Ambassador",
    "Senator",
    "Prime Minister",
    "central bank governor",
    "Defence Secretary",
    "President",
];
const CUE_VERBS: &[&str] = &[
    "said",
    "added",
    "warned",
    "argued",
    "noted",
    "insisted",
    "stated",
    "remarked",
    "explained",
];
const STATEMENT_OPENINGS: &[&str] = &[
    "We will not accept any deal on",
    "There is real progress on",
    "Nobody should be surprised by the debate over",
    "Our partners understand that",
    "It is far too early to judge the talks on",
    "History will judge how we handled",
];
const STATEMENT_ENDINGS: &[&str] = &[
    "unless it protects the people who depend on it",
    "and we expect an agreement before the end of the year",
    "because the costs fall on the poorest households",
    "is a question for every government in the region",
    "without a clear timetable and independent checks",
];
const STATEMENT_TAILS: &[&str] = &[
    "The door remains open",
    "We have said this from the start",
    "Nothing has been decided yet",
    "The next round will be harder",
];
const PARTIAL_FRAGMENTS: &[&str] = &[
    "deeply concerned",
    "ready to compromise",
    "running out of patience",
    "committed to a fair outcome",
];
const SCARE_TERMS: &[&str] = &["reset", "grand bargain", "partnership", "road map"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_index_give_the_same_article() {
        let a = article(7, 42);
        let b = article(7, 42);
        assert_eq!(a.text, b.text);
        assert_eq!(a.url, b.url);
        assert_ne!(article(7, 43).text, a.text);
        assert_ne!(article(8, 42).text, a.text);
    }

    #[test]
    fn articles_carry_quotes_and_metadata() {
        let with_quotes = (0..50)
            .filter(|i| article(1, *i).text.contains('\u{201c}'))
            .count();
        assert!(
            with_quotes > 40,
            "only {with_quotes} of 50 articles quote anyone"
        );
        let a = article(1, 0);
        assert!(a.text.starts_with(&a.title));
        assert!(a.text.contains(&a.byline));
        assert_eq!(a.published.len(), 10);
    }
}
