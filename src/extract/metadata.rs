//! Reading article metadata out of short strings: dates, byline lines, author names and
//! titles with a site name attached. Shared by the plain-text and the HTML cleaners.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

const MONTH: &str = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";

/// ASCII digits only (`[0-9]`, not `\d`): the parsers read no others, and Unicode digit
/// classes would double the start-up cost of building the expression.
static ISO_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)([0-9]{4})[-/]([0-9]{2})[-/]([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?(?:\.[0-9]+)?\s*(Z|[+-][0-9]{2}:?[0-9]{2})?)?",
    )
    .expect("valid regex")
});

static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b){MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?-u:\b)"
    ))
    .expect("valid regex")
});

static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\.?,?\s+(\d{{4}})(?-u:\b)"
    ))
    .expect("valid regex")
});

/// A clock time with an optional meridiem and a time-zone abbreviation.
static CLOCK_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(\d{1,2})[:.](\d{2})\s*([ap])?\.?\s*(?:m\.?)?\s*(UTC|GMT|EDT|EST|CDT|CST|MDT|MST|PDT|PST|BST|CEST|CET|JST|KST|IST|AEST|AEDT)?(?-u:\b)",
    )
    .expect("valid regex")
});

/// Words that may stand around a date on a line that states nothing but the date.
static DATE_LINE_FILLER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(published|updated|last|modified|posted|on|at|date|dated|first|am|pm|a\.m|p\.m|utc|gmt|edt|est|cdt|cst|mdt|mst|pdt|pst|bst|cest|cet|jst|kst|ist|aest|aedt|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|originally|ago|hours?|minutes?|mins?|days?|read|\d+)(?-u:\b)",
    )
    .expect("valid regex")
});

fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    months
        .iter()
        .position(|m| lower.starts_with(m))
        .map(|i| i as u32 + 1)
}

fn valid_ymd(year: i32, month: u32, day: u32) -> Option<String> {
    chrono::NaiveDate::from_ymd_opt(year, month, day)
        .filter(|_| (1900..=2100).contains(&year))
        .map(|d| d.format("%Y-%m-%d").to_string())
}

fn zone_offset(zone: &str) -> Option<&'static str> {
    Some(match zone.to_ascii_uppercase().as_str() {
        "UTC" | "GMT" => "+00:00",
        "EDT" => "-04:00",
        "EST" | "CDT" => "-05:00",
        "CST" | "MDT" => "-06:00",
        "MST" | "PDT" => "-07:00",
        "PST" => "-08:00",
        "BST" | "CET" => "+01:00",
        "CEST" => "+02:00",
        "IST" => "+05:30",
        "JST" | "KST" => "+09:00",
        "AEST" => "+10:00",
        "AEDT" => "+11:00",
        _ => return None,
    })
}

/// A date found in a string, and where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    /// `YYYY-MM-DD`, or an RFC 3339 datetime when the string states a time and a zone.
    pub value: String,
    pub start: usize,
    pub end: usize,
}

/// The first calendar date in `text` (ISO, "May 7, 2023", "7 May 2023"), with the time of
/// day when one is stated with its zone.
pub fn find_date(text: &str) -> Option<FoundDate> {
    if !has_year(text) {
        return None;
    }
    let mut best: Option<FoundDate> = None;
    let mut consider = |found: Option<FoundDate>| {
        if let Some(f) = found {
            if best.as_ref().is_none_or(|b| f.start < b.start) {
                best = Some(f);
            }
        }
    };
    consider(ISO_DATE.captures_iter(text).find_map(|c| {
        let whole = c.get(0)?;
        let date = valid_ymd(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)?;
        let value = match (c.get(4), c.get(5), c.get(7)) {
            (Some(h), Some(m), Some(zone)) => {
                let secs = c.get(6).map_or("00", |s| s.as_str());
                let zone = match zone.as_str() {
                    "Z" => "Z".to_string(),
                    z if z.len() == 5 => format!("{}:{}", &z[..3], &z[3..]),
                    z => z.to_string(),
                };
                format!("{date}T{}:{}:{secs}{zone}", h.as_str(), m.as_str())
            }
            _ => date,
        };
        Some(FoundDate {
            value,
            start: whole.start(),
            end: whole.end(),
        })
    }));
    consider(MONTH_DAY_YEAR.captures_iter(text).find_map(|c| {
        let whole = c.get(0)?;
        let value = valid_ymd(c[3].parse().ok()?, month_number(&c[1])?, c[2].parse().ok()?)?;
        Some(FoundDate {
            value,
            start: whole.start(),
            end: whole.end(),
        })
    }));
    consider(DAY_MONTH_YEAR.captures_iter(text).find_map(|c| {
        let whole = c.get(0)?;
        let value = valid_ymd(c[3].parse().ok()?, month_number(&c[2])?, c[1].parse().ok()?)?;
        Some(FoundDate {
            value,
            start: whole.start(),
            end: whole.end(),
        })
    }));
    let mut found = best?;
    if found.value.len() == 10 {
        if let Some(datetime) = stated_time(text, &found.value) {
            found.value = datetime;
        }
    }
    Some(found)
}

/// Four digits in a row: every date form read here has a year, and most lines have none.
fn has_year(text: &str) -> bool {
    let mut run = 0;
    for b in text.bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run == 4 {
            return true;
        }
    }
    false
}

/// "3:04 PM EDT" beside a date: the RFC 3339 datetime, when the zone is known.
fn stated_time(text: &str, date: &str) -> Option<String> {
    let c = CLOCK_TIME.captures(text)?;
    let zone = zone_offset(c.get(4)?.as_str())?;
    let mut hour: u32 = c[1].parse().ok()?;
    let minute: u32 = c[2].parse().ok()?;
    match c.get(3).map(|m| m.as_str().to_ascii_lowercase()) {
        Some(ref m) if m == "p" && hour < 12 => hour += 12,
        Some(ref m) if m == "a" && hour == 12 => hour = 0,
        _ => {}
    }
    (hour < 24 && minute < 60).then(|| format!("{date}T{hour:02}:{minute:02}:00{zone}"))
}

/// Normalises a machine-readable date (JSON-LD, `<meta>`, `<time datetime>`).
pub fn normalize_date(value: &str) -> Option<String> {
    find_date(value.trim()).map(|f| f.value)
}

static GLUED_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(,\s*(?:19|20)\d\d)(\d{1,2}[:.]\d\d)").expect("valid regex"));
static GLUED_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([A-Z]{2,}|[a-z])([A-Z][a-z])").expect("valid regex"));

/// Whether a line says "Updated ..." or "Modified ..." rather than when it was published.
pub fn is_update_line(line: &str) -> bool {
    let lower = line.trim_start().to_ascii_lowercase();
    lower.starts_with("updated")
        || lower.starts_with("last updated")
        || lower.starts_with("modified")
}

/// The date of a line that states nothing but a date ("Friday, July 21, 2017",
/// "Published 3:04 PM EDT, Mon May 8, 2023").
pub fn date_line(line: &str) -> Option<String> {
    // Every date read here has a year, and ungluing only adds spaces: no year, no date.
    if line.len() > 120 || !has_year(line) {
        return None;
    }
    // Text copied from a page glues neighbouring elements: "May 8, 20238:12 AM UTCUpdated".
    let unglued = GLUED_YEAR.replace_all(line, "$1 $2");
    let unglued = GLUED_WORDS.replace_all(&unglued, "$1 $2");
    let line = unglued.as_ref();
    let found = find_date(line)?;
    let rest = format!("{} {}", &line[..found.start], &line[found.end..]);
    let rest = DATE_LINE_FILLER.replace_all(&rest, " ");
    let leftover = rest.chars().filter(|c| c.is_alphanumeric()).count();
    (leftover <= 2).then_some(found.value)
}

static BYLINE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:written|posted|words|story|text|reporting|report|compiled|edited|photos?)?\s*by\s*:?\s+(.+)$")
        .expect("valid regex")
});

/// "Jane Doe | Reuters", "Jane Doe, CNN": two to four capitalised words, one `|` or `,`,
/// then a capitalised organisation of letters, spaces and `&.'’-`. Read by hand: as a
/// regular expression its bounded Unicode classes cost a third of the extractor's start-up.
fn name_bar_org(line: &str) -> Option<(&str, &str)> {
    let separator = memchr::memchr2(b'|', b',', line.as_bytes())?;
    let (name, organisation) = (line[..separator].trim_end(), &line[separator + 1..]);
    let organisation = organisation.trim_start();
    let name_word = |word: &str| {
        let mut chars = word.chars();
        chars.next().is_some_and(is_capital_letter)
            && chars.clone().next().is_some()
            && chars.all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-'))
    };
    let words = name.split_whitespace();
    if !(2..=4).contains(&words.clone().count()) || !words.clone().all(name_word) {
        return None;
    }
    let mut chars = organisation.chars();
    let rest = chars.clone().skip(1);
    let organisation_ok = chars.next().is_some_and(is_capital_letter)
        && (1..=40).contains(&rest.clone().count())
        && rest
            .clone()
            .all(|c| c.is_alphabetic() || matches!(c, '&' | '.' | '\'' | '’' | ' ' | '-'));
    organisation_ok.then_some((name, organisation))
}

fn is_capital_letter(c: char) -> bool {
    c.is_uppercase() && c.is_alphabetic()
}

/// A byline line: the author names, a date it states and an organisation it names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BylineLine {
    pub names: String,
    pub date: Option<String>,
    pub organisation: Option<String>,
}

/// Reads "By Jane Doe and John Roe", "Written by Jane Doe on May 7, 2023",
/// "Jane Doe | Reuters". `None` when the line names no person.
pub fn byline_line(line: &str) -> Option<BylineLine> {
    let line = line.trim();
    if line.is_empty() || line.len() > 200 {
        return None;
    }
    // Every byline prefix has "by" in its first two dozen characters; most lines have not.
    let head_end = line.char_indices().nth(24).map_or(line.len(), |(i, _)| i);
    let head = &line.as_bytes()[..head_end];
    let has_by = head.windows(2).any(|w| w.eq_ignore_ascii_case(b"by"));
    // `is_match` runs on the fast engines; captures only for the lines that match.
    let prefix = if has_by && BYLINE_PREFIX.is_match(line) {
        BYLINE_PREFIX.captures(line)
    } else {
        None
    };
    if let Some(c) = prefix {
        let date = find_date(line);
        let mut rest = c.get(1)?.as_str();
        if let Some(d) = &date {
            let start = c.get(1)?.start();
            if d.start >= start {
                rest = &line[start..d.start];
            }
        }
        let names = author_names(cut_trailers(rest));
        return (!names.is_empty()).then(|| BylineLine {
            names,
            date: date.map(|d| d.value),
            organisation: None,
        });
    }
    if line.len() <= 100 && !has_year(line) {
        if let Some((names, organisation)) = name_bar_org(line) {
            let names = author_names(names);
            let organisation = organisation.trim();
            if !names.is_empty() && organisation.split_whitespace().count() <= 4 {
                return Some(BylineLine {
                    names,
                    date: None,
                    organisation: Some(organisation.to_string()),
                });
            }
        }
    }
    None
}

/// The names part of a byline ends at a date word or a separator.
fn cut_trailers(rest: &str) -> &str {
    let lower = rest.to_ascii_lowercase();
    let mut end = rest.len();
    for marker in [
        " on ",
        " | ",
        " published",
        " updated",
        " posted",
        " - ",
        " — ",
        " – ",
        "\u{a0}|",
    ] {
        if let Some(i) = lower.find(marker) {
            end = end.min(i);
        }
    }
    rest[..end].trim_end_matches([' ', ',', '.', ';', ':', '-', '|'])
}

/// Words that show a byline names a role, a desk or a site rather than a person.
const NOT_A_PERSON: &[&str] = &[
    "staff",
    "print",
    "editor",
    "editors",
    "editorial",
    "newsroom",
    "desk",
    "reporter",
    "reporters",
    "correspondent",
    "wire",
    "wires",
    "agency",
    "news",
    "team",
    "admin",
    "administrator",
    "contributor",
    "contributors",
    "writer",
    "writers",
    "board",
    "press",
    "media",
    "online",
    "digital",
    "services",
    "service",
    "associated",
    "reuters",
    "bureau",
    "guest",
    "share",
    "email",
    "comments",
    "the",
    "published",
    "updated",
    "photo",
    "photos",
    "video",
    "subscribe",
    "follow",
    "sponsored",
    "partner",
    "content",
    "opinion",
    "analysis",
    "politics",
    "world",
    "business",
    "sports",
    "health",
    "science",
    "post",
    "times",
    "journal",
    "herald",
    "tribune",
    "gazette",
    "telegraph",
    "guardian",
    "daily",
    "weekly",
    "magazine",
    "network",
    "radio",
    "tv",
    "television",
    "channel",
    "broadcasting",
];

/// Particles that may stand lower-case inside a name.
const NAME_PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "da", "di", "del", "la", "le", "bin", "ibn", "al", "el",
    "du", "dos", "y",
];

/// Whether a string looks like one person's name: two to five words, capitalised,
/// without digits, e-mail or URL, and no role or site word.
pub fn is_person_name(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    if !(2..=5).contains(&words.len()) || name.len() > 60 {
        return false;
    }
    if name.chars().any(|c| {
        c.is_ascii_digit() || matches!(c, '@' | '/' | ':' | '|' | '#' | '(' | ')' | '?' | '!')
    }) {
        return false;
    }
    let capitalised = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    let all_ok = words.iter().all(|w| {
        let lower = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        let starts_upper = w.chars().next().is_some_and(char::is_uppercase);
        !NOT_A_PERSON.contains(&lower.as_str())
            && (starts_upper || NAME_PARTICLES.contains(&lower.as_str()))
    });
    let shouting = words.len() > 1 && words.iter().all(|w| w.chars().all(|c| !c.is_lowercase()));
    all_ok && capitalised >= 2 && !shouting
}

/// Names title-cased when a site prints them in capitals ("JANE DOE" to "Jane Doe").
fn title_case_if_shouting(name: &str) -> String {
    if name.chars().any(char::is_lowercase) {
        return name.to_string();
    }
    name.split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_string() + &chars.as_str().to_lowercase()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The person names in a list of authors ("Jane Doe, John Roe and Ann Poe"), joined by
/// ", "; names that are not people (a site, a desk, "Staff") are left out.
pub fn author_names(list: &str) -> String {
    let list = replace_markdown_links(list, false);
    let mut names: Vec<String> = Vec::new();
    let normalised = list
        .replace(" and ", ",")
        .replace(" & ", ",")
        .replace(';', ",");
    for part in normalised.split(',') {
        let part = part
            .trim()
            .trim_start_matches("By ")
            .trim_start_matches("by ")
            .trim();
        let part = part.trim_matches(|c: char| !c.is_alphanumeric() && c != '.');
        let candidate = title_case_if_shouting(part);
        if is_person_name(&candidate) && !names.contains(&candidate) {
            names.push(candidate);
        }
    }
    names.join(", ")
}

/// `[text](target)` markdown links, each kept as its text; with `images`, `![alt](target)`
/// pictures instead, dropped whole. A byte scan with the matches of the expressions
/// `\[([^\]\n]*)\]\([^)\n]*\)` and `!\[[^\]\n]*\]\([^)\n]*\)`, without their start-up
/// cost (millions of instructions each).
pub(super) fn replace_markdown_links(text: &str, images: bool) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    // `text[..copied]` is in `out` already.
    let mut copied = 0;
    let mut from = 0;
    while let Some(offset) = memchr::memchr(b'[', &bytes[from..]) {
        let open = from + offset;
        from = open + 1;
        let start = match images {
            false => open,
            true if open > 0 && bytes[open - 1] == b'!' => open - 1,
            true => continue,
        };
        let Some(close) = memchr::memchr2(b']', b'\n', &bytes[open + 1..]).map(|o| open + 1 + o)
        else {
            break;
        };
        if bytes[close] != b']' || bytes.get(close + 1) != Some(&b'(') {
            continue;
        }
        let Some(end) = memchr::memchr2(b')', b'\n', &bytes[close + 2..]).map(|o| close + 2 + o)
        else {
            continue;
        };
        if bytes[end] != b')' {
            continue;
        }
        let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[copied..start]);
        if !images {
            out.push_str(&text[open + 1..close]);
        }
        copied = end + 1;
        from = end + 1;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
    }
}

const TITLE_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » "];

/// Letters and digits only, lower-cased: for comparing names and titles.
pub fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A page title without the site name a page adds to it ("... | CNN Politics",
/// "Site - Title"): the site's segment when the site is known, else a short segment at
/// either end.
pub fn strip_site_name(title: &str, site: Option<&str>) -> String {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(separator) = TITLE_SEPARATORS.iter().find(|s| title.contains(**s)) else {
        return title;
    };
    let parts: Vec<&str> = title.split(separator).map(str::trim).collect();
    if let Some(site) = site.map(fold).filter(|s| !s.is_empty()) {
        let kept: Vec<&str> = parts
            .iter()
            .copied()
            .filter(|p| {
                let f = fold(p);
                !(f == site || (f.len() >= 3 && (f.starts_with(&site) || site.starts_with(&f))))
            })
            .collect();
        if !kept.is_empty() && kept.len() < parts.len() {
            // "Story | Section | Site": the section goes with the site.
            return strip_site_name(&kept.join(separator), None);
        }
    }
    let words = |p: &str| p.split_whitespace().count();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if words(last) <= 4 && words(first) >= 4 {
        return parts[..parts.len() - 1].join(separator);
    }
    if words(first) <= 3 && words(last) >= 5 && *separator != " - " {
        return parts[1..].join(separator);
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_usual_forms() {
        assert_eq!(normalize_date("May 7, 2023").as_deref(), Some("2023-05-07"));
        assert_eq!(
            normalize_date("Friday, July 21, 2017").as_deref(),
            Some("2017-07-21")
        );
        assert_eq!(
            normalize_date("7th May 2023").as_deref(),
            Some("2023-05-07")
        );
        assert_eq!(
            normalize_date("2023-05-07T10:30:00Z").as_deref(),
            Some("2023-05-07T10:30:00Z")
        );
        assert_eq!(
            normalize_date("2023-05-07T10:30:00+0200").as_deref(),
            Some("2023-05-07T10:30:00+02:00")
        );
        assert_eq!(normalize_date("Feb 30, 2023"), None);
        assert_eq!(normalize_date("2023/05/07").as_deref(), Some("2023-05-07"));
    }

    #[test]
    fn a_stated_time_with_its_zone_becomes_a_datetime() {
        let line = "Published 3:04 PM EDT, Mon May 8, 2023";
        assert_eq!(
            date_line(line).as_deref(),
            Some("2023-05-08T15:04:00-04:00")
        );
    }

    #[test]
    fn a_sentence_with_a_date_is_no_date_line() {
        assert_eq!(
            date_line("The summit opened on May 8, 2023 in Vilnius."),
            None
        );
        assert_eq!(
            date_line("Tuesday, May 3, 2011").as_deref(),
            Some("2011-05-03")
        );
    }

    #[test]
    fn byline_lines() {
        let b = byline_line("Written by [Angeline Tan](#) on May 7, 2023").expect("a byline");
        assert_eq!(b.names, "Angeline Tan");
        assert_eq!(b.date.as_deref(), Some("2023-05-07"));
        assert_eq!(
            byline_line("By JANE DOE and John Roe")
                .expect("a byline")
                .names,
            "Jane Doe, John Roe"
        );
        let reuters = byline_line("Jane Doe | Reuters").expect("a byline");
        assert_eq!(
            (reuters.names.as_str(), reuters.organisation.as_deref()),
            ("Jane Doe", Some("Reuters"))
        );
        assert_eq!(
            byline_line("By the end of the day, the talks had failed."),
            None
        );
        assert_eq!(byline_line("By CNN Staff"), None);
    }

    #[test]
    fn bylines_are_people_not_desks() {
        assert_eq!(author_names("Staff"), "");
        assert_eq!(author_names("Jane Doe, Senior Correspondent"), "Jane Doe");
        assert_eq!(author_names("news@example.com"), "");
        assert_eq!(author_names("Ludwig van Beethoven"), "Ludwig van Beethoven");
        assert_eq!(author_names("Jane Doe, Washington Post"), "Jane Doe");
    }

    #[test]
    fn titles_lose_their_site_name() {
        assert_eq!(
            strip_site_name("Senate passes the budget bill | CNN Politics", Some("CNN")),
            "Senate passes the budget bill"
        );
        assert_eq!(
            strip_site_name("Senate passes the budget bill - The Daily Planet", None),
            "Senate passes the budget bill"
        );
        assert_eq!(
            strip_site_name("Daily Planet | Senate passes the budget bill at last", None),
            "Senate passes the budget bill at last"
        );
        assert_eq!(
            strip_site_name("Pay rise - or not?", None),
            "Pay rise - or not?"
        );
        assert_eq!(
            strip_site_name(
                "Families flee the floods in the north | World News | Daily Planet",
                Some("Daily Planet")
            ),
            "Families flee the floods in the north"
        );
    }
}
