//! The condition language's lexer and recursive-descent parser.
//!
//! ```text
//! condition := or
//! or        := and ("or" and)*
//! and       := unary ("and" unary)*
//! unary     := "not" unary | compare
//! compare   := sum [ ("==" | "!=" | "<" | "<=" | ">" | ">=") sum
//!                  | "in" sum | "not" "in" sum ]
//! sum       := operand ("+" operand)*
//! operand   := STRING | NUMBER | "true" | "false" | list | call | name | "(" or ")"
//! list      := "[" [ operand ("," operand)* [","] ] "]"
//! call      := [ IDENT "." ] IDENT "(" [ or ("," or)* ] ")"
//! name      := IDENT [ "." IDENT ]
//! ```
//!
//! Every node keeps the byte range it came from, so errors point at the exact
//! column. Never panics, whatever the input: depth and length are bounded.

use std::ops::Range;

use crate::checklist::diagnostic::{Msg, codes};

/// Longest condition accepted, in bytes.
pub const MAX_LEN: usize = 4096;
/// Deepest nesting of parentheses, lists and `not` accepted.
const MAX_DEPTH: usize = 48;

/// A parse or type error inside a condition, located by byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CondError {
    pub span: Range<usize>,
    /// The diagnostic code (`diagnostic::codes`).
    pub code: &'static str,
    /// Boxed: a condition's `Result` stays small on the happy path.
    pub message: Box<Msg>,
    pub help: Option<Box<Msg>>,
}

impl CondError {
    /// An error in a condition. Its code follows from what it says: a name
    /// that is not known, or else a type error (the parser marks its own
    /// errors as syntax; places that forbid something say so).
    pub fn new(span: Range<usize>, message: impl Into<Msg>) -> CondError {
        let message = message.into();
        let code = if message.en.starts_with("unknown ") || message.en.contains(" has no option ") {
            codes::UNKNOWN_NAME
        } else if message.en.contains("cannot be used in") || message.en.contains("can only") {
            codes::CONDITION_PLACE
        } else {
            codes::CONDITION_TYPE
        };
        CondError {
            span,
            code,
            message: Box::new(message),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<Msg>) -> CondError {
        self.help = Some(Box::new(help.into()));
        self
    }

    pub fn with_code(mut self, code: &'static str) -> CondError {
        self.code = code;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    pub fn is_equality(self) -> bool {
        matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

/// A name with the byte range it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Range<usize>,
}

/// A parsed, not yet type-checked condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub ast: Ast,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Node>),
    /// `item`, `other_checklist.item`, or a keyword such as `age`.
    Name {
        checklist: Option<Ident>,
        name: Ident,
    },
    /// `answered(x)`, `score(x)`, `count(section, condition)`,
    /// `roster.children_under(3)`, …
    Call {
        /// The part before the dot (`roster` in `roster.children_under(3)`).
        scope: Option<Ident>,
        func: Ident,
        args: Vec<Node>,
    },
    /// `a + b`: numbers added.
    Add(Box<Node>, Box<Node>),
    Cmp(CmpOp, Box<Node>, Box<Node>),
    In {
        needle: Box<Node>,
        haystack: Box<Node>,
        negated: bool,
    },
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Op(CmpOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Plus,
    And,
    Or,
    Not,
    In,
    True,
    False,
    End,
}

/// A token in Dutch.
fn describe_nl(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("naam `{s}`"),
        Tok::Str(s) => format!("tekst \"{s}\""),
        Tok::Num(n) => format!("getal {n}"),
        Tok::End => "het einde van de voorwaarde".into(),
        other => describe(other),
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("name `{s}`"),
        Tok::Str(s) => format!("text \"{s}\""),
        Tok::Num(n) => format!("number {n}"),
        Tok::Op(op) => format!("`{}`", op.symbol()),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Dot => "`.`".into(),
        Tok::Plus => "`+`".into(),
        Tok::And => "`and`".into(),
        Tok::Or => "`or`".into(),
        Tok::Not => "`not`".into(),
        Tok::In => "`in`".into(),
        Tok::True => "`true`".into(),
        Tok::False => "`false`".into(),
        Tok::End => "the end of the condition".into(),
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn lex(src: &str) -> Result<Vec<(Tok, Range<usize>)>, CondError> {
    let mut out = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < src.len() {
        let c = src[i..].chars().next().unwrap_or(' ');
        let start = i;
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let single = |t: Tok| (t, start..start + 1);
        match c {
            '(' => out.push(single(Tok::LParen)),
            ')' => out.push(single(Tok::RParen)),
            '[' => out.push(single(Tok::LBracket)),
            ']' => out.push(single(Tok::RBracket)),
            ',' => out.push(single(Tok::Comma)),
            '.' => out.push(single(Tok::Dot)),
            '+' => out.push(single(Tok::Plus)),
            '=' | '!' | '<' | '>' => {
                let next = bytes.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    ('=', Some(b'=')) => (CmpOp::Eq, 2),
                    ('!', Some(b'=')) => (CmpOp::Ne, 2),
                    ('<', Some(b'=')) => (CmpOp::Le, 2),
                    ('>', Some(b'=')) => (CmpOp::Ge, 2),
                    ('<', _) => (CmpOp::Lt, 1),
                    ('>', _) => (CmpOp::Gt, 1),
                    ('=', _) => {
                        return Err(CondError::new(
                            start..start + 1,
                            Msg::new(
                                "een enkele `=` is geen vergelijking",
                                "a single `=` is not a comparison",
                            ),
                        )
                        .with_help(Msg::new(
                            "schrijf `==` om te vergelijken",
                            "write `==` to compare",
                        )));
                    }
                    _ => {
                        return Err(CondError::new(
                            start..start + 1,
                            Msg::new("onverwachte `!`", "unexpected `!`"),
                        )
                        .with_help(Msg::new(
                            "schrijf `!=` voor \"niet gelijk\", of `not` voor een voorwaarde",
                            "write `!=` for \"not equal\", or `not` before a condition",
                        )));
                    }
                };
                out.push((Tok::Op(op), start..start + len));
                i += len;
                continue;
            }
            '"' | '\'' => {
                let quote = c;
                let mut j = i + 1;
                let mut text = String::new();
                loop {
                    let Some(ch) = src[j..].chars().next() else {
                        return Err(CondError::new(
                            start..src.len(),
                            Msg::new(
                                "deze tekst heeft geen sluitend aanhalingsteken",
                                "this text has no closing quote",
                            ),
                        )
                        .with_help(Msg::new(
                            format!("sluit de tekst af met {quote}"),
                            format!("end the text with {quote}"),
                        )));
                    };
                    j += ch.len_utf8();
                    if ch == quote {
                        break;
                    }
                    if ch == '\\' {
                        let Some(esc) = src[j..].chars().next() else {
                            continue;
                        };
                        j += esc.len_utf8();
                        text.push(esc);
                    } else {
                        text.push(ch);
                    }
                }
                out.push((Tok::Str(text), start..j));
                i = j;
                continue;
            }
            c if c.is_ascii_digit()
                || (c == '-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                let mut j = i + 1;
                while j < src.len()
                    && (bytes[j].is_ascii_digit() || bytes[j] == b'.' || bytes[j] == b'_')
                {
                    j += 1;
                }
                let text: String = src[i..j].chars().filter(|&c| c != '_').collect();
                let num: f64 = text.parse().map_err(|_| {
                    CondError::new(
                        start..j,
                        Msg::new(
                            format!("`{}` is geen getal", &src[i..j]),
                            format!("`{}` is not a number", &src[i..j]),
                        ),
                    )
                })?;
                if !num.is_finite() {
                    return Err(CondError::new(
                        start..j,
                        Msg::new("dit getal is te groot", "this number is too large"),
                    ));
                }
                out.push((Tok::Num(num), start..j));
                i = j;
                continue;
            }
            c if is_ident_start(c) => {
                let mut j = i + 1;
                while j < src.len() && is_ident_char(bytes[j] as char) {
                    j += 1;
                }
                let word = &src[i..j];
                let tok = match word {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "in" => Tok::In,
                    "true" => Tok::True,
                    "false" => Tok::False,
                    _ => Tok::Ident(word.to_string()),
                };
                out.push((tok, start..j));
                i = j;
                continue;
            }
            '&' | '|' => {
                let word = if c == '&' { "and" } else { "or" };
                return Err(CondError::new(
                    start..start + 1,
                    Msg::new(format!("onverwachte `{c}`"), format!("unexpected `{c}`")),
                )
                .with_help(Msg::new(
                    format!("schrijf `{word}`"),
                    format!("write `{word}`"),
                )));
            }
            other => {
                return Err(CondError::new(
                    start..start + other.len_utf8(),
                    Msg::new(
                        format!("onverwacht teken `{other}`"),
                        format!("unexpected character `{other}`"),
                    ),
                ));
            }
        }
        i += c.len_utf8();
    }
    out.push((Tok::End, src.len()..src.len()));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }

    fn span(&self) -> Range<usize> {
        self.toks[self.pos].1.clone()
    }

    fn bump(&mut self) -> (Tok, Range<usize>) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self, expected: &str) -> CondError {
        CondError::new(
            self.span(),
            Msg::new(
                format!(
                    "verwacht: {}, gevonden: {}",
                    expected
                        .replace(
                            " or the end of the condition",
                            " of het einde van de voorwaarde"
                        )
                        .replace(" or ", " of "),
                    describe_nl(self.peek())
                ),
                format!("expected {expected}, found {}", describe(self.peek())),
            ),
        )
    }

    fn enter(&mut self) -> Result<(), CondError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(CondError::new(
                self.span(),
                Msg::new(
                    "deze voorwaarde is te diep genest",
                    "this condition is nested too deeply",
                ),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Node, CondError> {
        let mut left = self.and()?;
        while *self.peek() == Tok::Or {
            self.bump();
            let right = self.and()?;
            let span = left.span.start..right.span.end;
            left = Node {
                ast: Ast::Or(Box::new(left), Box::new(right)),
                span,
            };
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Node, CondError> {
        let mut left = self.unary()?;
        while *self.peek() == Tok::And {
            self.bump();
            let right = self.unary()?;
            let span = left.span.start..right.span.end;
            left = Node {
                ast: Ast::And(Box::new(left), Box::new(right)),
                span,
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Node, CondError> {
        if *self.peek() == Tok::Not {
            let (_, s) = self.bump();
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            let span = s.start..inner.span.end;
            return Ok(Node {
                ast: Ast::Not(Box::new(inner)),
                span,
            });
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Node, CondError> {
        let left = self.sum()?;
        let negated = match self.peek() {
            Tok::Op(op) => {
                let op = *op;
                self.bump();
                let right = self.sum()?;
                let span = left.span.start..right.span.end;
                return Ok(Node {
                    ast: Ast::Cmp(op, Box::new(left), Box::new(right)),
                    span,
                });
            }
            Tok::In => false,
            Tok::Not if matches!(self.toks.get(self.pos + 1), Some((Tok::In, _))) => {
                self.bump();
                true
            }
            _ => return Ok(left),
        };
        self.bump(); // `in`
        let right = self.sum()?;
        let span = left.span.start..right.span.end;
        Ok(Node {
            ast: Ast::In {
                needle: Box::new(left),
                haystack: Box::new(right),
                negated,
            },
            span,
        })
    }

    fn sum(&mut self) -> Result<Node, CondError> {
        let mut left = self.operand()?;
        while *self.peek() == Tok::Plus {
            self.bump();
            let right = self.operand()?;
            let span = left.span.start..right.span.end;
            left = Node {
                ast: Ast::Add(Box::new(left), Box::new(right)),
                span,
            };
        }
        Ok(left)
    }

    /// The arguments of a call, after its `(`, up to and with its `)`.
    fn args(&mut self) -> Result<(Vec<Node>, Range<usize>), CondError> {
        let mut args = Vec::new();
        if *self.peek() != Tok::RParen {
            self.enter()?;
            loop {
                args.push(self.or()?);
                if *self.peek() == Tok::Comma {
                    self.bump();
                } else {
                    break;
                }
            }
            self.depth -= 1;
        }
        if *self.peek() != Tok::RParen {
            return Err(self.unexpected("`,` or `)`"));
        }
        let (_, close) = self.bump();
        Ok((args, close))
    }

    fn operand(&mut self) -> Result<Node, CondError> {
        let (tok, span) = self.bump();
        let ast = match tok {
            Tok::Str(s) => Ast::Str(s),
            Tok::Num(n) => Ast::Num(n),
            Tok::True => Ast::Bool(true),
            Tok::False => Ast::Bool(false),
            Tok::LParen => {
                self.enter()?;
                let inner = self.or()?;
                self.depth -= 1;
                if *self.peek() != Tok::RParen {
                    return Err(self.unexpected("`)`"));
                }
                let (_, close) = self.bump();
                return Ok(Node {
                    ast: inner.ast,
                    span: span.start..close.end,
                });
            }
            Tok::LBracket => {
                self.enter()?;
                let mut elems = Vec::new();
                loop {
                    if *self.peek() == Tok::RBracket {
                        break;
                    }
                    elems.push(self.operand()?);
                    if *self.peek() == Tok::Comma {
                        self.bump();
                    } else if *self.peek() != Tok::RBracket {
                        return Err(self.unexpected("`,` or `]`"));
                    }
                }
                self.depth -= 1;
                let (_, close) = self.bump();
                return Ok(Node {
                    ast: Ast::List(elems),
                    span: span.start..close.end,
                });
            }
            Tok::Ident(name) => {
                let first = Ident {
                    name,
                    span: span.clone(),
                };
                match self.peek() {
                    Tok::LParen => {
                        self.bump();
                        let (args, close) = self.args()?;
                        return Ok(Node {
                            ast: Ast::Call {
                                scope: None,
                                func: first,
                                args,
                            },
                            span: span.start..close.end,
                        });
                    }
                    Tok::Dot => {
                        self.bump();
                        let (t, s2) = self.bump();
                        let Tok::Ident(second) = t else {
                            return Err(CondError::new(
                                s2,
                                Msg::new(
                                    format!("verwacht: de naam van een vraag na `{}.`", first.name),
                                    format!("expected an item name after `{}.`", first.name),
                                ),
                            ));
                        };
                        if *self.peek() == Tok::LParen {
                            self.bump();
                            let (args, close) = self.args()?;
                            return Ok(Node {
                                ast: Ast::Call {
                                    scope: Some(first),
                                    func: Ident {
                                        name: second,
                                        span: s2,
                                    },
                                    args,
                                },
                                span: span.start..close.end,
                            });
                        }
                        return Ok(Node {
                            ast: Ast::Name {
                                checklist: Some(first),
                                name: Ident {
                                    name: second,
                                    span: s2.clone(),
                                },
                            },
                            span: span.start..s2.end,
                        });
                    }
                    _ => Ast::Name {
                        checklist: None,
                        name: first,
                    },
                }
            }
            other => {
                let msg = Msg::new(
                    format!(
                        "verwacht: een vraag, een waarde of `(`, gevonden: {}",
                        describe_nl(&other)
                    ),
                    format!(
                        "expected an item, a value or `(`, found {}",
                        describe(&other)
                    ),
                );
                return Err(CondError::new(span, msg));
            }
        };
        Ok(Node { ast, span })
    }
}

/// Parse a condition into its syntax tree.
pub fn parse(src: &str) -> Result<Node, CondError> {
    parse_inner(src).map_err(|e| e.with_code(codes::CONDITION_SYNTAX))
}

fn parse_inner(src: &str) -> Result<Node, CondError> {
    if src.len() > MAX_LEN {
        return Err(CondError::new(
            0..0,
            Msg::new(
                format!("deze voorwaarde is langer dan {MAX_LEN} bytes"),
                format!("this condition is longer than {MAX_LEN} bytes"),
            ),
        ));
    }
    if src.trim().is_empty() {
        return Err(CondError::new(
            0..src.len(),
            Msg::new("de voorwaarde is leeg", "the condition is empty"),
        )
        .with_help(Msg::new(
            "laat de sleutel dan weg, of schrijf een voorwaarde zoals `vraag == \"ja\"`",
            "leave the key out instead, or write a condition such as `item == \"ja\"`",
        )));
    }
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let node = p.or()?;
    if *p.peek() != Tok::End {
        return Err(p.unexpected("`and`, `or` or the end of the condition"));
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(n: &Node) -> String {
        match &n.ast {
            Ast::Bool(b) => b.to_string(),
            Ast::Num(x) => x.to_string(),
            Ast::Str(s) => format!("{s:?}"),
            Ast::List(v) => format!("[{}]", v.iter().map(shape).collect::<Vec<_>>().join(",")),
            Ast::Name { checklist, name } => match checklist {
                Some(c) => format!("{}.{}", c.name, name.name),
                None => name.name.clone(),
            },
            Ast::Call { scope, func, args } => {
                format!(
                    "{}{}({})",
                    scope
                        .as_ref()
                        .map_or(String::new(), |s| format!("{}.", s.name)),
                    func.name,
                    args.iter().map(shape).collect::<Vec<_>>().join(", ")
                )
            }
            Ast::Add(a, b) => format!("({} + {})", shape(a), shape(b)),
            Ast::Cmp(op, a, b) => format!("({} {} {})", shape(a), op.symbol(), shape(b)),
            Ast::In {
                needle,
                haystack,
                negated,
            } => format!(
                "({} {}in {})",
                shape(needle),
                if *negated { "not " } else { "" },
                shape(haystack)
            ),
            Ast::And(a, b) => format!("({} and {})", shape(a), shape(b)),
            Ast::Or(a, b) => format!("({} or {})", shape(a), shape(b)),
            Ast::Not(a) => format!("not {}", shape(a)),
        }
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let n = parse(r#"a == "ja" or not b == 1 and c in ["x", 'y']"#).unwrap();
        assert_eq!(
            shape(&n),
            r#"((a == "ja") or (not (b == 1) and (c in ["x","y"])))"#
        );
    }

    #[test]
    fn qualified_names_calls_and_not_in() {
        let n =
            parse("veiligheid.acuut == \"ja\" and answered(x) and \"o\" not in m and age >= -1.5")
                .unwrap();
        assert_eq!(
            shape(&n),
            r#"((((veiligheid.acuut == "ja") and answered(x)) and ("o" not in m)) and (age >= -1.5))"#
        );
    }

    #[test]
    fn aggregates_roster_calls_and_sums() {
        let n =
            parse(r#"count(plan, wie == "ja" or not answered(x)) < roster.children + 1"#).unwrap();
        assert_eq!(
            shape(&n),
            r#"(count(plan, ((wie == "ja") or not answered(x))) < (roster.children + 1))"#
        );
        let n = parse("roster.children_under(3) > 0 and any(s, a > 1 + b)").unwrap();
        assert_eq!(
            shape(&n),
            "((roster.children_under(3) > 0) and any(s, (a > (1 + b))))"
        );
        let e = parse("count(plan wie)").unwrap_err();
        assert!(e.message.contains("expected `,` or `)`"), "{}", e.message);
    }

    #[test]
    fn hyphenated_ids_are_names() {
        let n = parse("trauma-kind.r01 > 2").unwrap();
        assert_eq!(shape(&n), "(trauma-kind.r01 > 2)");
    }

    #[test]
    fn spans_point_at_the_offending_token() {
        let e = parse("a == \"ja\" and and").unwrap_err();
        assert_eq!(e.span, 14..17);
        assert!(e.message.contains("found `and`"), "{}", e.message);
        let e = parse("a = 1").unwrap_err();
        assert_eq!(e.span, 2..3);
        assert_eq!(
            e.help.map(|h| h.en).as_deref(),
            Some("write `==` to compare")
        );
        let e = parse("a == \"ja").unwrap_err();
        assert!(e.message.contains("no closing quote"));
        assert_eq!(e.span.start, 5);
        let e = parse("(a == 1").unwrap_err();
        assert!(e.message.contains("expected `)`"));
        let e = parse("a == 1 b").unwrap_err();
        assert_eq!(e.span, 7..8);
    }

    #[test]
    fn empty_huge_and_deep_conditions_are_errors_not_panics() {
        assert!(parse("   ").is_err());
        assert!(parse(&"x".repeat(MAX_LEN + 1)).is_err());
        let deep = format!("{}a{}", "(".repeat(500), ")".repeat(500));
        assert!(
            parse(&deep)
                .unwrap_err()
                .message
                .contains("nested too deeply")
        );
        let nots = format!("{}a", "not ".repeat(500));
        assert!(parse(&nots).is_err());
    }
}
