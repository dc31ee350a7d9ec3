//! The component under wasmtime: a Rust host that runs the shared scenarios
//! (tests/scenarios/scenarios.json) on a virtual wall clock, checks what the
//! component imports and exports, and times a create → complete → get loop.
//!
//!   background-manager-wasmtime-host COMPONENT scenarios SCENARIOS.json
//!   background-manager-wasmtime-host COMPONENT bench N

mod check;
mod host;
mod scenario;

use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(component), Some(mode)) = (args.get(1), args.get(2)) else {
        bail!("usage: {} COMPONENT (scenarios FILE | bench N)", args[0]);
    };
    let runtime = host::Runtime::load(component)?;
    check::interface(&runtime)?;
    check::contract(&runtime)?;
    // Counted with the scenarios by scripts/test.sh, as TAP counts are.
    println!("# pass 2");
    match mode.as_str() {
        "scenarios" => {
            let file = args.get(3).context("scenarios FILE")?;
            scenario::run_all(&runtime, file)
        }
        "bench" => {
            let n: usize = args.get(3).map_or(Ok(10_000), |n| n.parse())?;
            host::bench(&runtime, n)
        }
        other => bail!("unknown mode {other}"),
    }
}
