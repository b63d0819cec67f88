//! Input the import must refuse without blocking and without memory in
//! proportion to its size (review F8): a FIFO and devices are refused
//! before they are opened for reading; a large file of zeros and a file
//! whose age header is one endless line are refused after a few KiB of
//! header. The sound bundle of the same run still lands, and the whole
//! run stays small and quick.

mod office_support;
mod vault_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use office_support::*;

/// Run the import as a child and wait for it with `wait4`: its exit code,
/// stdout, stderr, and its own peak resident memory (kB).
fn import_measured(
    office: &Path,
    key: &Path,
    bundles: &[&Path],
) -> (Option<i32>, String, String, i64) {
    let dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (dir.path().join("out"), dir.path().join("err"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_safevisit"));
    cmd.args(["--lang", "en", "supervisor", "import", "--out"])
        .arg(office)
        .arg("-i")
        .arg(key)
        .args(bundles)
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    // Reaped below with wait4 (for its resource usage), not `Child::wait`.
    #[allow(clippy::zombie_processes)]
    let child = cmd.spawn().expect("run safevisit");
    let pid = child.id() as libc::pid_t;
    let clock = Instant::now();
    let mut status = 0;
    // SAFETY: `rusage` is a plain C struct that wait4 fills in; `status`
    // is valid for the call. Until wait4 reaps the child, its pid stays
    // ours, so the kill below can only reach it.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        loop {
            let got = libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage);
            if got == pid {
                break;
            }
            assert_eq!(got, 0, "wait4");
            // Never wait forever: an input that blocks fails the test.
            if clock.elapsed() > Duration::from_secs(60) {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut usage);
                panic!("the import did not finish within 60 s");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        usage
    };
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (
        code,
        std::fs::read_to_string(&out_path).unwrap(),
        std::fs::read_to_string(&err_path).unwrap(),
        usage.ru_maxrss,
    )
}

fn reported(err: &str, file: &str, what: &str) {
    assert!(
        err.lines().any(|l| l.starts_with(file) && l.contains(what)),
        "no report naming {file} with {what:?} in:\n{err}"
    );
}

#[test]
fn fifos_devices_zeros_and_endless_headers_are_refused_in_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let org = age::x25519::Identity::generate();
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    finalize(&mut a, "appelboom", 1, 3, 12);
    let sound = export(&mut a, &root);
    let key = key_file(&root, "org-key.txt", &org);

    let fifo = root.join("pijp.age");
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
    )
    .unwrap();
    // 200 MB of zeros, sparse (nothing on disk).
    let zeros: PathBuf = root.join("nullen.age");
    std::fs::File::create(&zeros)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    // An age header whose stanza line runs on for 10 MB without a newline.
    let endless = root.join("kop.age");
    let mut bytes = b"age-encryption.org/v1\n-> X25519 ".to_vec();
    bytes.resize(bytes.len() + 10 * 1024 * 1024, b'A');
    std::fs::write(&endless, &bytes).unwrap();
    drop(bytes);

    let office = root.join("kantoor");
    enrol_signers(&office, &[&key], &[&sound]);
    let clock = Instant::now();
    let (code, out, err, peak_kb) = import_measured(
        &office,
        &key,
        &[
            &fifo,
            Path::new("/dev/zero"),
            Path::new("/dev/urandom"),
            &zeros,
            &endless,
            &sound,
        ],
    );
    let took = clock.elapsed();
    assert_eq!(code, Some(3), "{err}");
    reported(&err, "pijp.age", "not a regular file but a pipe (FIFO)");
    reported(&err, "zero", "not a regular file but a device");
    reported(&err, "urandom", "not a regular file but a device");
    reported(&err, "nullen.age", "not an age file");
    reported(&err, "kop.age", "not an age file");
    assert_eq!(
        out.trim(),
        "3 new, 0 already imported, 5 rejected, gaps: 0",
        "{err}"
    );
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 3);
    // The two regular files are remembered as rejected, by their hash.
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM bundles WHERE outcome = 'rejected' AND length(sha256) = 64"
        ),
        2
    );
    // Before, 2 GB of zeros took 3.1 GB: the 200 MB here would take more
    // than 200 MB, the endless line more than 10 MB.
    eprintln!("peak memory {peak_kb} kB, {took:?}");
    assert!(peak_kb < 80 * 1024, "peak memory {peak_kb} kB");
    assert!(took < Duration::from_secs(30), "took {took:?}");
}
