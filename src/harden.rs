//! Keep the process's memory out of core dumps and away from other
//! processes of the same user. Every subcommand calls [`harden_process`]
//! first, before a key or an answer is in memory.
//!
//! - `RLIMIT_CORE` 0 (soft and hard): a crash writes no core file, so the
//!   device's secret key and decrypted answers never land on disk that way
//!   (systemd-coredump also honours the limit).
//! - On Linux, `PR_SET_DUMPABLE` 0: no core dump even if a limit is raised
//!   again, and another process of the same user cannot attach a debugger
//!   or read `/proc/<pid>/mem`.
//!
//! Elsewhere only the limit is set; docs/SECURITY.md says what that leaves.
//! Swap is outside what a process can control without locking all its
//! memory; docs/SECURITY.md asks for encrypted swap instead.

use std::io;

/// What could not be hardened, for a warning. The app runs on regardless:
/// refusing to start would keep a worker from her visit.
#[derive(Debug)]
pub struct HardenError {
    pub what: &'static str,
    pub error: io::Error,
}

impl std::fmt::Display for HardenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.error)
    }
}

/// Turn off core dumps (and, on Linux, make the process non-dumpable).
pub fn harden_process() -> Result<(), HardenError> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        )
        .map_err(|e| HardenError {
            what: "RLIMIT_CORE",
            error: e.into(),
        })?;
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::process::{DumpableBehavior, set_dumpable_behavior};
        set_dumpable_behavior(DumpableBehavior::NotDumpable).map_err(|e| HardenError {
            what: "PR_SET_DUMPABLE",
            error: e.into(),
        })?;
    }
    Ok(())
}

/// Whether this process may leave a core dump: the core limit, and on
/// Linux the dumpable flag. For tests and `safevisit status`-style checks.
pub fn core_dumps_possible() -> bool {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit};
        let limit = getrlimit(Resource::Core);
        if limit.current != Some(0) {
            return true;
        }
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::process::{DumpableBehavior, dumpable_behavior};
        if !matches!(dumpable_behavior(), Ok(DumpableBehavior::NotDumpable)) {
            return true;
        }
    }
    cfg!(not(unix))
}
