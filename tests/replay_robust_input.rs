//! `safevisit replay` reads scripts like `checklists validate` reads
//! checklists: a device, a FIFO or an oversized file is refused at once,
//! never read without bound and never waited on; an unknown word is quoted
//! short.

use std::process::Command;
use std::time::Duration;

fn replay(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .arg("replay")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A generous budget for a loaded machine: the assertion is on the
    // answer, the budget only stops a hang from hanging the test run.
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if child.try_wait().unwrap().is_none() {
        child.kill().unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_device_a_fifo_and_an_oversized_script_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = replay(&["/dev/zero"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("a device (such as /dev/zero), not a file"),
        "{err}"
    );

    let fifo = dir.path().join("kersenboom.replay");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let (code, err) = replay(&[fifo.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("a pipe (FIFO), not a file"), "{err}");

    let big = dir.path().join("groot.replay");
    std::fs::write(&big, vec![b'#'; 5 * 1024 * 1024]).unwrap();
    let (code, err) = replay(&[big.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("5242880 bytes, more than the 4194304"),
        "{err}"
    );
}

#[test]
fn an_unknown_word_is_quoted_short() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("lang.replay");
    std::fs::write(&script, format!("{}\n", "a".repeat(100_000))).unwrap();
    let (code, err) = replay(&[script.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("unknown step `{}…`", "a".repeat(60))),
        "{err}"
    );
    assert!(err.len() < 1000, "{} bytes of error", err.len());
}
