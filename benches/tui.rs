//! Keystroke to a fully rendered 80×24 frame on a 300-item checklist:
//! `update` (answer, derive, flags) plus `view` on a `TestBackend`; and
//! opening the question overview (Ctrl-G) on a visit of 1,000 questions.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use safevisit::checklist::model::Origin;
use safevisit::checklist::{Catalog, SourceFile};
use safevisit::i18n::Lang;
use safevisit::tui::app::{Options, SequentialIds, State};
use safevisit::tui::event::{Event, Key};
use safevisit::tui::memory_vault::MemoryVault;
use safevisit::tui::shell::Shell;
use safevisit::tui::theme::Theme;
use time::Duration;
use time::macros::datetime;

#[path = "support/big_checklist.rs"]
mod big_checklist;
#[path = "support/mod.rs"]
mod support;

/// A checklist of `sections` × 25 questions, every one visible and
/// required: yes/no and short text in turn.
fn thousand_questions(sections: usize) -> String {
    use std::fmt::Write;
    let mut s = String::from(
        "id = \"duizend\"\nversion = 1\napplies_to = \"visit\"\ntitle = { nl = \"Duizend\", en = \"Thousand\" }\n\
         description = { nl = \"x\", en = \"x\" }\nnotice = { nl = \"x\", en = \"x\" }\n",
    );
    for sec in 0..sections {
        let _ = write!(
            s,
            "\n[[sections]]\nid = \"s{sec}\"\ntitle = {{ nl = \"Sectie {sec}\", en = \"Section {sec}\" }}\n"
        );
        for i in 0..25 {
            let kind = if i % 2 == 0 { "yes_no" } else { "short_text" };
            let _ = write!(
                s,
                "\n[[sections.items]]\nid = \"v{sec}_{i}\"\nkind = \"{kind}\"\nrequired = true\n\
                 text = {{ nl = \"Vraag {i} van sectie {sec}: hoe gaat het thuis met de kinderen?\", en = \"Question {i} of section {sec}: how are the children at home?\" }}\n"
            );
        }
    }
    s
}

fn shell() -> Shell<TestBackend, MemoryVault> {
    shell_with(big_checklist::big_checklist(), 100)
}

/// A visit on `checklist`, started, with `answered` questions answered.
fn shell_with(checklist: String, answered: usize) -> Shell<TestBackend, MemoryVault> {
    let cat = Catalog::build(
        Vec::new(),
        vec![SourceFile {
            path: "groot.toml".into(),
            bytes: checklist.into_bytes(),
            origin: Origin::File("groot.toml".into()),
        }],
    );
    let state = State::new(Options {
        lang: Lang::Nl,
        theme: Theme::from_no_color(false),
        size: (80, 24),
        now: datetime!(2026-03-04 10:00),
        lock_after: Duration::minutes(5),
        catalog: Arc::new(cat),
        ids: Box::new(SequentialIds::default()),
        vault_exists: true,
    });
    let mut s = Shell::new(
        Terminal::new(TestBackend::new(80, 24)).unwrap(),
        state,
        MemoryVault::with_passphrase("een twee drie vier"),
    );
    let keys = |s: &mut Shell<TestBackend, MemoryVault>, text: &str| {
        for c in text.chars() {
            s.handle(Event::Key(Key::Char(c)));
        }
    };
    keys(&mut s, "een twee drie vier");
    s.handle(Event::Key(Key::Enter));
    s.handle(Event::Key(Key::Char('n')));
    keys(&mut s, "Appelboom");
    for _ in 0..12 {
        s.handle(Event::Key(Key::Down));
    }
    s.handle(Event::Key(Key::Enter));
    // Move a third of the way in, answering as we go.
    for _ in 0..answered {
        s.handle(Event::Key(Key::Char('n')));
        s.handle(Event::Key(Key::Tab));
    }
    // Stop on a yes/no item, so 'j' and 'n' answer it.
    for _ in 0..3 {
        s.draw().unwrap();
        if screen(&s).contains("1 Ja") {
            // A flag is raised once; acknowledge it so the panel stays closed.
            s.handle(Event::Key(Key::Char('j')));
            if screen_after_draw(&mut s).contains("RODE VLAG") {
                keys(&mut s, "gebeld");
                s.handle(Event::Key(Key::Enter));
            }
            return s;
        }
        s.handle(Event::Key(Key::Tab));
    }
    panic!("no yes/no item found:\n{}", screen(&s));
}

fn screen_after_draw(s: &mut Shell<TestBackend, MemoryVault>) -> String {
    s.draw().unwrap();
    screen(s)
}

fn screen(s: &Shell<TestBackend, MemoryVault>) -> String {
    let buf = s.terminal.backend().buffer();
    buf.content().iter().map(|c| c.symbol()).collect()
}

fn bench(c: &mut Criterion) {
    let mut s = shell();
    // On a yes/no item: 'j' and 'n' alternate its answer, each a full derive.
    let mut flip = false;
    let mut press = |s: &mut Shell<TestBackend, MemoryVault>| {
        flip = !flip;
        s.handle(Event::Key(Key::Char(if flip { 'j' } else { 'n' })));
        s.draw().unwrap();
    };
    c.bench_function("keystroke to rendered frame (300 items)", |b| {
        b.iter(|| press(black_box(&mut s)))
    });
    // The tail: p50 and p99 over many single keystrokes, as wall time and
    // as this thread's CPU time. On a busy machine the wall-time tail is
    // the scheduler's (time slices of other processes); the CPU time is the
    // keystroke's own work.
    let (mut wall, mut cpu): (Vec<u128>, Vec<u128>) = (0..20_000)
        .map(|_| {
            let c = thread_cpu_ns();
            let t = Instant::now();
            press(&mut s);
            (t.elapsed().as_nanos(), thread_cpu_ns() - c)
        })
        .unzip();
    for (what, samples) in [("wall time", &mut wall), ("CPU time", &mut cpu)] {
        samples.sort_unstable();
        let pct = |p: f64| {
            samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)] as f64 / 1000.0
        };
        println!(
            "keystroke to rendered frame ({what}): p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
            pct(0.5),
            pct(0.99),
            pct(1.0)
        );
    }
}

/// This thread's CPU time in nanoseconds.
fn thread_cpu_ns() -> u128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0);
    ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128
}

/// Ctrl-G to a drawn overview, on a visit of 1,000 questions (about 200 of
/// them answered, 201 with the last yes): building its rows and drawing
/// the page on screen.
fn overview(c: &mut Criterion) {
    let mut s = shell_with(thousand_questions(40), 200);
    s.draw().unwrap();
    let open = |s: &mut Shell<TestBackend, MemoryVault>| {
        s.handle(Event::Key(Key::Ctrl('g')));
        s.draw().unwrap();
    };
    let close = |s: &mut Shell<TestBackend, MemoryVault>| {
        s.handle(Event::Key(Key::Esc));
        s.draw().unwrap();
    };
    open(&mut s);
    assert!(
        screen(&s).contains("Ga naar vraag · 799 open verplicht"),
        "{}",
        screen(&s)
    );
    close(&mut s);
    let mut g = c.benchmark_group("overview");
    g.bench_function("open the question overview (1,000 questions)", |b| {
        b.iter_batched(
            || (),
            |()| {
                open(black_box(&mut s));
                close(&mut s);
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
    let mut samples: Vec<u128> = (0..2_000)
        .map(|_| {
            let t = Instant::now();
            open(&mut s);
            let e = t.elapsed().as_nanos();
            close(&mut s);
            e
        })
        .collect();
    samples.sort_unstable();
    let pct = |p: f64| {
        samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)] as f64 / 1000.0
    };
    println!(
        "open the question overview (1,000 questions): p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
}

fn start_to_home(c: &mut Criterion) {
    let dir = support::big_vault();
    let mut g = c.benchmark_group("start");
    g.sample_size(20);
    g.bench_function("start to drawn home screen, 10,000 visits", |b| {
        b.iter(|| assert_eq!(support::start_to_home(&dir), 10_000))
    });
    g.finish();
}

criterion_group!(benches, bench, overview, start_to_home);
criterion_main!(benches);
