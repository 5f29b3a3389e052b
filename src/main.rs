use std::process::ExitCode;

// Ingest parses records on one thread and frees them on another; glibc's allocator serialises that
// on an arena lock, mimalloc does not (measured in bench/ingest.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ExitCode::from(prodinsight::run_from_args() as u8)
}
