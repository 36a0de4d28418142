//! `cargo xtask`: see `cargo xtask --help`.

/// Generation allocates in many small pieces (token trees, names, YAML nodes); mimalloc serves
/// them faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    xtask::cli::main()
}
