//! A 300-item checklist for benchmarks.

use std::fmt::Write;

/// A 300-item checklist: 10 sections of 30 items, a third of them behind a
/// `show_if`, yes/no items with red flags, a scored scale per section with
/// bands, and outcomes that read the scores.
pub fn big_checklist() -> String {
    let mut s = String::from(
        "id = \"groot\"\nversion = 1\napplies_to = \"visit\"\ntitle = { nl = \"Groot\", en = \"Big\" }\n\
         description = { nl = \"x\", en = \"x\" }\nnotice = { nl = \"x\", en = \"x\" }\n",
    );
    for sec in 0..10 {
        let _ = write!(
            s,
            "\n[[sections]]\nid = \"s{sec}\"\ntitle = {{ nl = \"S{sec}\", en = \"S{sec}\" }}\n"
        );
        for i in 0..30 {
            let id = format!("i{sec}_{i}");
            let kind = match i % 3 {
                0 => "kind = \"yes_no\"\npoints = { ja = 1 }",
                1 => {
                    "kind = \"scale\"\nmin = 0\nmax = 3\nmin_label = { nl = \"nooit\", en = \"never\" }\nmax_label = { nl = \"vaak\", en = \"often\" }"
                }
                _ => "kind = \"short_text\"",
            };
            let _ = write!(
                s,
                "\n[[sections.items]]\nid = \"{id}\"\n{kind}\nrequired = true\ntext = {{ nl = \"Vraag {id}\", en = \"Question {id}\" }}\n"
            );
            if i % 3 == 1 {
                let _ = writeln!(
                    s,
                    "show_if = 'i{sec}_{} == \"ja\" or i{sec}_{} != \"nee\"'",
                    i - 1,
                    i - 1
                );
            }
            if i % 3 == 0 && i % 2 == 0 {
                let _ = write!(
                    s,
                    "\n[[sections.items.red_flags]]\nid = \"f{id}\"\nwhen = '{id} == \"ja\"'\nlevel = \"attention\"\n\
                     message = {{ nl = \"m\", en = \"m\" }}\naction = {{ nl = \"a\", en = \"a\" }}\n"
                );
            }
        }
    }
    for sec in 0..10 {
        let _ = write!(
            s,
            "\n[[scores]]\nid = \"sc{sec}\"\ntitle = {{ nl = \"t\", en = \"t\" }}\nsections = [\"s{sec}\"]\n\
             \n[[scores.bands]]\nid = \"laag\"\nfrom = 0\nto = 20\nlabel = {{ nl = \"l\", en = \"l\" }}\nmeaning = {{ nl = \"m\", en = \"m\" }}\n\
             \n[[scores.bands]]\nid = \"hoog\"\nfrom = 21\nlabel = {{ nl = \"h\", en = \"h\" }}\nmeaning = {{ nl = \"m\", en = \"m\" }}\n"
        );
    }
    let _ = write!(
        s,
        "\n[[outcomes]]\nid = \"o\"\ntitle = {{ nl = \"o\", en = \"o\" }}\n\
         \n[[outcomes.rules]]\nwhen = 'band(sc0) == \"hoog\" or score(sc1) > 30'\nvalue = \"a\"\nlabel = {{ nl = \"a\", en = \"a\" }}\n\
         \n[[outcomes.rules]]\nwhen = 'answered(i0_0) and i0_0 == \"ja\"'\nvalue = \"b\"\nlabel = {{ nl = \"b\", en = \"b\" }}\n\
         \n[[outcomes.rules]]\nvalue = \"c\"\nlabel = {{ nl = \"c\", en = \"c\" }}\n"
    );
    s
}
