//! Prints the oracle's cases for a document, to read what it tries:
//! `cargo run -p ofb-oracle --example cases -- FILE.yml [TARGET-SUBSTRING]`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: cases FILE.yml [TARGET-SUBSTRING]");
        return ExitCode::FAILURE;
    };
    let filter = args.next().unwrap_or_default();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let yaml: serde_yaml::Value = match serde_yaml::from_str(text.trim_start_matches('\u{feff}')) {
        Ok(y) => y,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let doc = match serde_json::to_value(&yaml) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let oracle = match ofb_oracle::Oracle::new(&doc) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    for target in ofb_oracle::targets(&doc) {
        if !target.contains(&filter) {
            continue;
        }
        println!("== {target}");
        if let Some(why) = oracle.unjudgeable(&target) {
            println!("   skipped: {why}");
        }
        let refused = oracle.refused(&target).into_iter().map(|mut c| {
            c.origin = ofb_oracle::Origin::Generated {
                what: format!("REFUSED {}", c.origin),
            };
            c
        });
        for case in oracle.cases(&target).into_iter().chain(refused) {
            let verdict = match &case.verdict {
                Ok(()) => "valid".to_string(),
                Err(e) => format!("invalid ({})", e.join("; ")),
            };
            let at = case
                .mutated_at
                .as_deref()
                .map(|p| format!(" [at {p:?} under {:?}]", case.alternatives_at))
                .unwrap_or_default();
            println!("-- {}{at}: {verdict}\n   {}", case.origin, case.instance);
        }
    }
    ExitCode::SUCCESS
}
