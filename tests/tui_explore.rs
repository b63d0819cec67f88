mod tui_support;
use safevisit::i18n::Lang;
use tui_support::Harness;

#[test]
fn explore() {
    let mut h = Harness::first_run(Lang::Nl);
    println!("{}", h.screen());
    h.key("Enter");
    println!("{}", h.screen());
    h.text("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")
        .key("Enter");
    println!("{}", h.screen());
    h.key("Tab").text("laptop-3").key("Enter");
    println!("{}", h.screen());
    h.text("appelboom kersen peer wortel").key("Enter");
    println!("{}", h.screen());
    h.text("appelboom kersen peer wortel").key("Enter");
    println!("{}", h.screen());
    h.key("n");
    println!("{}", h.screen());
    h.text("Appelboom")
        .key("Tab")
        .key("Tab")
        .text("thuis")
        .key("Tab")
        .text("Lotte, Bram, Noor, Sem");
    h.key("Alt-k")
        .text("Noor")
        .key("Enter")
        .text("5")
        .key("Enter");
    h.key("Alt-k")
        .text("Sem")
        .key("Enter")
        .text("11")
        .key("Enter");
    h.key("Alt-o")
        .text("Lotte")
        .key("Enter")
        .text("moeder")
        .key("Enter");
    println!("{}", h.screen());
    for _ in 0..12 {
        h.key("Down");
    }
    println!("{}", h.screen());
    h.key("Enter");
    println!("{}", h.screen());
    h.key("j");
    println!("{}", h.screen());
    h.text("Ik heb 112 gebeld").key("Enter");
    println!("{}", h.screen());
    h.key("Tab").key("n").key("Tab").key("n").key("Tab");
    println!("{}", h.screen());
    h.text("Sem zegt dat hij zich verstopt als het luid wordt");
    println!("{}", h.screen());
    h.key("F6");
    println!("{}", h.screen());
    h.key("Tab");
    println!("{}", h.screen());
    h.key("F2");
    println!("{}", h.screen());
}
