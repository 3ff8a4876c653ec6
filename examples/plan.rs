use rusqlite::config::DbConfig;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let conn = rusqlite::Connection::open(&args[1]).unwrap();
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, args.get(3).is_some()).unwrap();
    println!("{}", rusqlite::version());
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", args[2])).unwrap();
    let n = stmt.parameter_count();
    let params: Vec<rusqlite::types::Value> = (0..n).map(|i| if i == 0 { "ele".to_string().into() } else { format!("ele{}", char::MAX).into() }).collect();
    let mut rows = stmt.query(rusqlite::params_from_iter(params)).unwrap();
    while let Some(r) = rows.next().unwrap() { println!("{:?} {}", r.get::<_, i64>(0).unwrap(), r.get::<_, String>(3).unwrap()); }
}
