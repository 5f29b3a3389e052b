use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(prodinsight::run_from_args() as u8)
}
