#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use quotewire::config::DatabaseSettings;
use quotewire::store::{EntityFilter, EntitySort, QuoteFilter, SpeakerRef, Store};
use std::time::Instant;
fn unq(s: &str) -> String { s.replace("%20", " ") }
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let store = Store::open(&DatabaseSettings { path: args[1].clone().into(), pool_size: 1, reader_cache_kib: 8192, busy_timeout_ms: 5000 }).unwrap();
    let ents: Vec<String> = std::fs::read_to_string("/tmp/s5/targets/entities").unwrap().lines().map(|l| unq(l.split("q=").nth(1).unwrap())).collect();
    let spk: Vec<String> = std::fs::read_to_string("/tmp/s5/targets/speaker").unwrap().lines().map(|l| unq(l.split("speaker=").nth(1).unwrap())).collect();
    let srch: Vec<String> = std::fs::read_to_string("/tmp/s5/targets/search").unwrap().lines().map(|l| unq(l.split("q=").nth(1).unwrap())).collect();
    let only = args.get(2).cloned().unwrap_or_default();
    let rounds: usize = std::env::var("ROUNDS").map(|r| r.parse().unwrap()).unwrap_or(3);
    for round in 0..rounds {
        if only.is_empty() || only == "entities" { let t = Instant::now(); let mut n = 0;
        for _ in 0..20 { for q in &ents { n += store.list_entities(&EntityFilter { kind: None, q: Some(q.clone()) }, EntitySort::Mentions, None, 21).unwrap().len(); } }
        println!("{round} entities {:.1} us ({n})", t.elapsed().as_secs_f64() * 1e6 / (20 * ents.len()) as f64); }
        if only.is_empty() || only == "speaker" { let t = Instant::now();
        for _ in 0..5 { for s in &spk { store.list_quotes(&QuoteFilter { speaker: Some(SpeakerRef::Name(s.clone())), ..Default::default() }, None, 21).unwrap(); } }
        println!("{round} speaker {:.1} us", t.elapsed().as_secs_f64() * 1e6 / (5 * spk.len()) as f64); }
        if only.is_empty() || only == "search" { let t = Instant::now();
        for _ in 0..2 { for s in &srch { store.list_quotes(&QuoteFilter { q: Some(s.clone()), ..Default::default() }, None, 21).unwrap(); } }
        println!("{round} search {:.1} us", t.elapsed().as_secs_f64() * 1e6 / (2 * srch.len()) as f64); }
    }
}
