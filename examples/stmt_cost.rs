#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
// usage: stmt_cost DB N SQL [PARAM...]: runs SQL N times, reading every column of every row.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let conn = rusqlite::Connection::open(&args[1]).unwrap();
    let n: usize = args[2].parse().unwrap();
    let params: Vec<String> = args[4..].iter().map(|p| p.replace("MAXCHAR", &char::MAX.to_string())).collect();
    let mut rows_seen = 0;
    for _ in 0..n {
        let mut stmt = conn.prepare_cached(&args[3]).unwrap();
        let cols = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter())).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..cols { let _ = r.get_ref(i).unwrap(); }
            rows_seen += 1;
        }
    }
    println!("{rows_seen}");
}
