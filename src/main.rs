//! The `quotewire` binary: parses the command line and calls into the library.

use std::process::ExitCode;

use quotewire::extract::{extract, InputFormat, KnownMetadata};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("extract") if args.len() > 1 => {
            for path in &args[1..] {
                let bytes = match std::fs::read(path) {
                    Ok(b) => b,
                    Err(e) => {
                        eprintln!("error: {path}: {e}");
                        return ExitCode::FAILURE;
                    }
                };
                let text = String::from_utf8_lossy(&bytes);
                let format = if path.ends_with(".html") || path.ends_with(".htm") {
                    InputFormat::Html
                } else {
                    InputFormat::sniff(&text)
                };
                let out = extract(&text, format, &KnownMetadata::default());
                println!("{}", serde_json::to_string(&out).expect("extraction serialises"));
            }
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: quotewire extract FILE...");
            ExitCode::from(2)
        }
    }
}
