//! Shell completions and man pages, generated from the command-line definition itself so they
//! never drift from `--help`.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

pub use clap_complete::Shell;

/// The completion script for `shell`, on `out`.
pub fn completions(mut cmd: clap::Command, shell: Shell, out: &mut impl Write) {
    let name = cmd.get_name().to_string();
    clap_complete::generate(shell, &mut cmd, name, out);
}

/// The main page (`prodinsight.1`) on `out`.
pub fn man_page(cmd: clap::Command, out: &mut impl Write) -> Result<()> {
    clap_mangen::Man::new(cmd)
        .render(out)
        .map_err(|e| Error::io("writing the man page", e))
}

/// `prodinsight.1` and one `prodinsight-COMMAND.1` per command (and per report view) in `dir`.
pub fn man_pages(cmd: clap::Command, dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let mut written = Vec::new();
    write_page(cmd.clone(), dir, &mut written)?;
    let root = cmd.get_name().to_string();
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("{root}-{}", sub.get_name());
        write_page(sub.clone().name(name.clone()), dir, &mut written)?;
        for view in sub.get_subcommands().filter(|s| s.get_name() != "help") {
            let view_name = format!("{name}-{}", view.get_name());
            write_page(view.clone().name(view_name), dir, &mut written)?;
        }
    }
    Ok(written)
}

fn write_page(cmd: clap::Command, dir: &Path, written: &mut Vec<std::path::PathBuf>) -> Result<()> {
    let path = dir.join(format!("{}.1", cmd.get_name()));
    let mut buf = Vec::new();
    man_page(cmd, &mut buf)?;
    std::fs::write(&path, buf).map_err(|e| Error::io(path.display().to_string(), e))?;
    written.push(path);
    Ok(())
}
