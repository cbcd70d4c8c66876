//! Syntax tree of the Python subset: expressions, statements and function definitions.

use std::rc::Rc;

use super::value::Value;

/// A name in the source.
pub type Name = Rc<str>;

/// An expression with the line it starts on.
#[derive(Debug)]
pub struct Expr {
    pub line: u32,
    pub kind: ExprKind,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    MatMul,
    LShift,
    RShift,
    BitOr,
    BitAnd,
    BitXor,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Pos,
    Invert,
    Not,
}

/// Which kind of comprehension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Dict,
    Gen,
}

/// One `for ... in ... [if ...]*` clause of a comprehension.
#[derive(Debug)]
pub struct CompFor {
    pub target: Expr,
    pub iter: Expr,
    pub conds: Vec<Expr>,
}

/// A comprehension or generator expression.
#[derive(Debug)]
pub struct Comp {
    pub kind: CompKind,
    pub elt: Expr,
    /// The value expression of a dict comprehension.
    pub value: Option<Expr>,
    pub fors: Vec<CompFor>,
}

/// A call argument.
#[derive(Debug)]
pub enum Arg {
    Pos(Expr),
    Star(Expr),
    Kw(Name, Expr),
    StarStar(Expr),
}

/// An item of a dict display.
#[derive(Debug)]
pub enum DictItem {
    Pair(Expr, Expr),
    Spread(Expr),
}

/// A piece of an f-string.
#[derive(Debug)]
pub enum FPart {
    Lit(Rc<str>),
    Field {
        expr: Expr,
        conv: Option<char>,
        spec: Vec<FPart>,
    },
}

/// Expression kinds.
#[derive(Debug)]
pub enum ExprKind {
    Const(Value),
    Name(Name),
    FStr(Vec<FPart>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Set(Vec<Expr>),
    Dict(Vec<DictItem>),
    /// `*x` inside a display or a target.
    Starred(Box<Expr>),
    Comp(Box<Comp>),
    Attr(Box<Expr>, Name),
    Index(Box<Expr>, Box<Expr>),
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    Call(Box<Expr>, Vec<Arg>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
    Lambda(Rc<FuncDef>),
    /// `x := v`.
    Walrus(Name, Box<Expr>),
}

/// How a parameter takes its argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    Normal,
    VarArgs,
    KwOnly,
    VarKw,
}

/// A function parameter.
#[derive(Debug)]
pub struct Param {
    pub name: Name,
    pub kind: ParamKind,
    pub default: Option<Expr>,
}

/// The body of a function.
#[derive(Debug)]
pub enum Body {
    Block(Vec<Stmt>),
    Lambda(Expr),
}

/// A `def` or `lambda`.
#[derive(Debug)]
pub struct FuncDef {
    pub name: Name,
    pub params: Vec<Param>,
    pub body: Body,
    /// Names declared `global` in the body.
    pub globals: Vec<Name>,
    /// Names declared `nonlocal` in the body.
    pub nonlocals: Vec<Name>,
}

/// An `except` clause (any exception class matches: the evaluator's errors have none).
#[derive(Debug)]
pub struct Handler {
    pub name: Option<Name>,
    pub body: Vec<Stmt>,
}

/// A statement with its first line.
#[derive(Debug)]
pub struct Stmt {
    pub line: u32,
    pub kind: StmtKind,
}

/// Statement kinds.
#[derive(Debug)]
pub enum StmtKind {
    Expr(Expr),
    Assign(Vec<Expr>, Expr),
    AugAssign(Expr, BinOp, Expr),
    /// `x: T` or `x: T = v` (the annotation is not evaluated).
    AnnAssign(Expr, Option<Expr>),
    If(Vec<(Expr, Vec<Stmt>)>, Vec<Stmt>),
    For(Expr, Expr, Vec<Stmt>, Vec<Stmt>),
    While(Expr, Vec<Stmt>, Vec<Stmt>),
    Def(Rc<FuncDef>, Vec<Expr>),
    Return(Option<Expr>),
    Pass,
    Break,
    Continue,
    Global(Vec<Name>),
    Nonlocal(Vec<Name>),
    Assert(Expr, Option<Expr>),
    Del(Vec<Expr>),
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Handler>,
        orelse: Vec<Stmt>,
        finally: Vec<Stmt>,
    },
    Raise(Option<Expr>),
    /// `import a.b as c`: (dotted name, alias).
    Import(Vec<(Name, Option<Name>)>),
    /// `from m import a as b, ...` (`*` is the name `*`).
    ImportFrom(Name, Vec<(Name, Option<Name>)>),
    /// A statement that parses but is not supported (`class`, `with`, …).
    Unsupported(&'static str),
}
