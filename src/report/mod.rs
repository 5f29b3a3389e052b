pub fn run(_s: &crate::store::Store, _a: &crate::cli::ReportArgs) -> crate::error::Result<i32> { Ok(0) }
