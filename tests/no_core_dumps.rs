//! Every subcommand turns core dumps off before a secret is in memory
//! (`safevisit::harden`). Here in a process of its own, read back the way
//! an administrator would: `/proc/self/limits` and the dumpable flag.

#[test]
fn after_hardening_no_core_dump_can_be_written() {
    safevisit::harden::harden_process().expect("hardening works on this system");
    assert!(!safevisit::harden::core_dumps_possible());
    #[cfg(target_os = "linux")]
    {
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let core = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .expect("a core limit line");
        let fields: Vec<&str> = core.split_whitespace().collect();
        // "Max core file size  <soft>  <hard>  bytes"
        assert_eq!(&fields[4..6], ["0", "0"], "{core}");
    }
}
