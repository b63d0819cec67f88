//! The office's audit log (`supervisor audit`): an entry for each command
//! that changes the ledger or writes outputs, with the command line and
//! counts but never an answer, a note, a family label or a laptop's name;
//! append-only against UPDATE and DELETE; `--since` and `--json`. On
//! SQLite and, with `SAFEVISIT_TEST_POSTGRES`, on PostgreSQL (each test in
//! a schema of its own, dropped at the end; skipped with a message
//! without the variable).

mod office_support;
mod vault_support;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

use office_support::pg::PgSchema;
use office_support::*;
use safevisit::supervisor::{Office, devices};

/// The office under test: its folder and, on PostgreSQL, its ledger.
struct Desk {
    dir: PathBuf,
    ledger: Option<String>,
}

impl Desk {
    /// `safevisit --lang en supervisor ARGS… --out DIR [--ledger URL]`.
    fn run(&self, args: &[&OsStr]) -> Output {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_safevisit"));
        cmd.env_remove("SAFEVISIT_LEDGER")
            .args(["--lang", "en", "supervisor"])
            .args(args)
            .arg("--out")
            .arg(&self.dir);
        if let Some(l) = &self.ledger {
            cmd.arg("--ledger").arg(l);
        }
        cmd.output().expect("run safevisit")
    }

    fn audit_json(&self, extra: &[&str]) -> serde_json::Value {
        let mut args: Vec<&OsStr> = vec![OsStr::new("audit"), OsStr::new("--json")];
        args.extend(extra.iter().map(OsStr::new));
        let out = self.run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("JSON")
    }

    /// Every column of every row of the log, as the database holds them.
    fn raw_log(&self) -> String {
        let sql = "SELECT at || '|' || os_user || '|' || command || '|' || action || '|' || details
                   FROM audit_log ORDER BY audit_id";
        match &self.ledger {
            None => {
                let conn = rusqlite::Connection::open(self.dir.join("safevisit.sqlite")).unwrap();
                let mut st = conn.prepare(sql).unwrap();
                st.query_map([], |r| r.get::<_, String>(0))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            Some(l) => {
                let mut c = postgres::Client::connect(l, postgres::NoTls).unwrap();
                c.query(sql, &[])
                    .unwrap()
                    .iter()
                    .map(|r| r.get::<_, String>(0))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
    }

    /// `sql` on the ledger: `Err` with the database's message.
    fn exec(&self, sql: &str) -> Result<(), String> {
        match &self.ledger {
            None => rusqlite::Connection::open(self.dir.join("safevisit.sqlite"))
                .unwrap()
                .execute_batch(sql)
                .map_err(|e| e.to_string()),
            Some(l) => postgres::Client::connect(l, postgres::NoTls)
                .unwrap()
                .batch_execute(sql)
                .map_err(|e| {
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |d| d.message().to_string())
                }),
        }
    }
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// Two laptops, the Appelboom family on one and the Kersenboom family on
/// the other, imported together with a damaged file; then a case closed,
/// one handed over, a laptop revoked: the log after each.
fn the_log_follows_every_command(ledger: Option<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let added = std::process::Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["supervisor", "keygen", "--add-signing-key"])
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let mut b = laptop(&root.join("b"), "device-b", "laptop-7", &[&org]);
    finalize(&mut a, "appelboom", 1, 2, 12);
    finalize(&mut b, "kersenboom", 1, 1, 12);
    let from_a = export(&mut a, &root.join("out-a"));
    let from_b = export(&mut b, &root.join("out-b"));
    let damaged = root.join("beschadigd.svb");
    let bytes = std::fs::read(&from_a).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).unwrap();

    let desk = Desk {
        dir: root.join("kantoor"),
        ledger,
    };
    {
        let office = Office::open_at(&desk.dir, desk.ledger.as_deref()).unwrap();
        for v in [&a, &b] {
            devices::enrol(office.ledger(), &v.device_card().unwrap(), NOW, false).unwrap();
        }
    }
    let log = desk.audit_json(&[]);
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0]["action"], "enrol");
    assert_eq!(log[0]["at"], NOW);
    assert_eq!(log[0]["details"]["device"], "device-a");
    assert_eq!(log[0]["details"]["outcome"], "new");
    assert_eq!(log[1]["details"]["device"], "device-b");

    let import = desk.run(&[
        os("import"),
        os("-i"),
        key.as_os_str(),
        from_a.as_os_str(),
        from_b.as_os_str(),
        damaged.as_os_str(),
    ]);
    assert_eq!(import.status.code(), Some(3), "{}", stderr(&import));
    let log = desk.audit_json(&[]);
    let log = log.as_array().unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["enrol", "enrol", "receipts", "receipts", "import"],
        "{log:?}"
    );
    let run = &log[4];
    let d = &run["details"];
    assert_eq!(d["bundles"], 3);
    assert_eq!(d["new"], 3);
    assert_eq!(d["rejected"], 1);
    assert_eq!(d["conflicts"], 0);
    assert_eq!(d["receipts"].as_array().unwrap().len(), 2);
    let files = d["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(files[0]["outcome"], "imported");
    assert_eq!(files[0]["device"], "device-a");
    assert_eq!(files[0]["new"], 2);
    for f in files {
        let sha = f["sha256"].as_str().unwrap();
        assert_eq!(sha.len(), 64, "{f}");
        assert!(sha.chars().all(|c| c.is_ascii_hexdigit()), "{f}");
    }
    assert_eq!(files[2]["file"], "beschadigd.svb");
    assert_eq!(files[2]["outcome"], "rejected");
    let reason = files[2]["reason"].as_str().unwrap();
    assert!(
        !reason.is_empty() && reason.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
        "a reason code: {reason}"
    );
    let command = run["command"].as_str().unwrap();
    assert!(
        command.starts_with("safevisit --lang en supervisor import -i "),
        "{command}"
    );
    assert!(command.contains("beschadigd.svb"), "{command}");
    assert_eq!(log[2]["details"]["device"], "device-a");
    assert_eq!(log[2]["details"]["visits"], 2);
    assert_eq!(log[2]["details"]["file"], "receipts/device-a-1.age");

    let close = desk.run(&[
        os("close-case"),
        os("appelboom-00001"),
        os("--reason"),
        os("doel_bereikt"),
        os("--on"),
        os("2025-04-01"),
        os("-i"),
        key.as_os_str(),
    ]);
    assert_eq!(close.status.code(), Some(0), "{}", stderr(&close));
    let hand = desk.run(&[
        os("handover"),
        os("kersenboom-00001"),
        os("--to"),
        os("device-a"),
        os("-i"),
        key.as_os_str(),
    ]);
    assert_eq!(hand.status.code(), Some(0), "{}", stderr(&hand));
    let revoke = desk.run(&[
        os("revoke"),
        os("device-b"),
        os("--since"),
        os("2025-03-01"),
        os("--reason"),
        os("laptop gestolen uit de auto"),
    ]);
    assert_eq!(revoke.status.code(), Some(0), "{}", stderr(&revoke));

    let log = desk.audit_json(&[]);
    let log = log.as_array().unwrap();
    let actions: Vec<&str> = log[5..]
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "close-case",
            "outputs",
            "receipts",
            "handover",
            "receipts",
            "revoke"
        ],
        "{log:?}"
    );
    // The derived files were written again for the closed case.
    assert_eq!(log[6]["details"]["scope"], "changed");
    assert_eq!(log[6]["details"]["csv_rows"], 3);
    let closed = &log[5]["details"];
    assert_eq!(closed["case"], "appelboom-00001");
    assert_eq!(closed["reason"], "doel_bereikt");
    assert_eq!(closed["closed_on"], "2025-04-01");
    assert_eq!(closed["already_closed"], false);
    let handed = &log[8]["details"];
    assert_eq!(handed["case"], "kersenboom-00001");
    assert_eq!(handed["device"], "device-a");
    assert_eq!(handed["file"], "handovers/device-a-kersenboom-00001.age");
    // Laptop B held the case: its receipt tells it.
    assert_eq!(log[9]["details"]["device"], "device-b");
    assert_eq!(log[9]["details"]["closed_cases"], 1);
    let revoked = &log[10];
    assert_eq!(revoked["details"]["device"], "device-b");
    assert_eq!(revoked["details"]["since"], "2025-03-01T00:00:00");
    assert_eq!(revoked["details"]["reason"], "laptop gestolen uit de auto");
    let command = revoked["command"].as_str().unwrap();
    assert!(
        command.contains(
            "revoke device-b --since 2025-03-01 --reason 'laptop gestolen uit de auto' --out "
        ),
        "{command}"
    );
    // Ids are increasing, times are the office's clock.
    for pair in log.windows(2) {
        assert!(pair[0]["id"].as_i64() < pair[1]["id"].as_i64());
    }
    let os_user = log[10]["os_user"].as_str().unwrap();
    assert!(!os_user.is_empty());

    // Nothing of the visits themselves: no label, note, name, place, nor
    // the laptops' names, in any column.
    let raw = desk.raw_log();
    for secret in [
        "Appelboom",
        "Kersenboom",
        "ruzies over geld",
        "Lotte",
        "Noor",
        "woonkamer",
        "schulden",
        "laptop-3",
        "laptop-7",
    ] {
        assert!(!raw.contains(secret), "{secret:?} in the audit log:\n{raw}");
    }

    // --since: the enrolments were at NOW (2025), the rest today.
    let since = desk.audit_json(&["--since", "2026-01-01"]);
    let since = since.as_array().unwrap();
    assert_eq!(since.len(), log.len() - 2);
    assert_eq!(since[0]["action"], "receipts");
    let none = desk.audit_json(&["--since", "2999-01-01T00:00:00"]);
    assert_eq!(none.as_array().unwrap().len(), 0);
    let bad = desk.run(&[os("audit"), os("--since"), os("gisteren")]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("--since gisteren: not a date"),
        "{}",
        stderr(&bad)
    );

    // The readable table: a header and a line per entry, the command below.
    let table = desk.run(&[os("audit")]);
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(text.starts_with("time"), "{text}");
    assert!(
        text.contains("3 bundle(s): 3 new, 0 already imported, 0 conflicts, 1 rejected"),
        "{text}"
    );
    // (The enrolments were made through the library, by this test.)
    assert_eq!(text.matches("command: ").count(), log.len(), "{text}");
    assert_eq!(
        text.matches("command: safevisit --lang en supervisor")
            .count(),
        log.len() - 2,
        "{text}"
    );

    // Append-only: the database itself refuses a change or a removal.
    let before = desk.raw_log();
    let update = desk.exec("UPDATE audit_log SET os_user = 'iemand'");
    assert!(update.unwrap_err().contains("append-only"));
    let delete = desk.exec("DELETE FROM audit_log");
    assert!(delete.unwrap_err().contains("append-only"));
    assert_eq!(desk.raw_log(), before);
}

#[test]
fn the_audit_log_follows_every_command_on_sqlite() {
    the_log_follows_every_command(None);
}

#[test]
fn the_audit_log_follows_every_command_on_postgres() {
    let Some(pg) = PgSchema::new("audit_log") else {
        return;
    };
    the_log_follows_every_command(Some(pg.conninfo()));
}

/// A folder with no ledger is named as such, and no ledger is made there.
#[test]
fn an_office_folder_without_a_ledger_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = Desk {
        dir: tmp.path().join("leeg"),
        ledger: None,
    };
    std::fs::create_dir(&desk.dir).unwrap();
    let out = desk.run(&[os("audit")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not an office folder"),
        "{}",
        stderr(&out)
    );
    assert!(!Path::new(&desk.dir.join("safevisit.sqlite")).exists());
}

/// An import that stops on an error (here: `visits/` is a file, so the
/// visits' JSON files cannot be written) still leaves its entry, naming
/// the kind of failure and the bundles it committed.
#[test]
fn an_import_that_fails_midway_is_logged_with_what_it_committed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    finalize(&mut a, "appelboom", 1, 2, 12);
    let bundle = export(&mut a, &root.join("out-a"));
    let desk = Desk {
        dir: root.join("kantoor"),
        ledger: None,
    };
    {
        let office = Office::open_at(&desk.dir, None).unwrap();
        devices::enrol(office.ledger(), &a.device_card().unwrap(), NOW, false).unwrap();
    }
    std::fs::write(desk.dir.join("visits"), b"geen map").unwrap();
    let out = desk.run(&[os("import"), os("-i"), key.as_os_str(), bundle.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log = desk.audit_json(&[]);
    let log = log.as_array().unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["enrol", "import"], "{log:?}");
    let d = &log[1]["details"];
    assert_eq!(d["failed"], "output", "{d}");
    assert_eq!(d["bundles"], 1, "{d}");
    assert_eq!(d["new"], 2, "{d}");
    assert_eq!(d["files"][0]["outcome"], "imported", "{d}");
    assert_eq!(d["files"][0]["sha256"].as_str().unwrap().len(), 64, "{d}");
}
