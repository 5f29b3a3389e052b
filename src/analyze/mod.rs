pub mod offline;
pub mod taxonomy;
pub struct Options { pub full: bool, pub threads: Option<usize>, pub quiet: bool }
pub fn run(_s: &mut crate::store::Store, _o: &Options) -> crate::error::Result<()> { Ok(()) }
