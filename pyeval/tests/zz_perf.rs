use std::rc::Rc;
use pyeval::{Host, HostValue, Interp, Limits, Value};
struct H;
impl Host for H {
    fn global(&mut self, name: &str) -> Option<Value> { pyeval::stdlib(name) }
    fn call(&mut self, _: &mut Interp, _: &Rc<dyn HostValue>, _: Vec<Value>, _: Vec<(Rc<str>, Value)>, _: u32) -> Result<Value, String> { Ok(Value::None) }
    fn get_attr(&mut self, _: &Rc<dyn HostValue>, _: &str) -> Result<Value, String> { Err("x".into()) }
    fn set_attr(&mut self, _: &Rc<dyn HostValue>, _: &str, _: Value) -> Result<(), String> { Err("x".into()) }
}
#[test]
fn perf() {
    let src = "def a(s): return re.sub(r'\\s+$', '', s)\ndef b(s): return re.sub(r'([a-z])[0-9]+', r'\\1', s)\ndef c(s): return re.sub(r'^\\s+[A-Za-z]:.+$', '', s, flags=re.M)\ndef d(s): return '\\n'.join(l for l in s.splitlines() if not re.match(r'\\s*\\d', l))\n";
    let limits = Limits::default();
    let mut m = pyeval::parse(src, &limits).load(&mut H, &limits);
    assert!(m.warnings().is_empty(), "{:?}", m.warnings());
    let line = "Foo.hs:12:5: error: x12 y3 Variable not in scope   \n    C:\\x\\y  \n";
    let big = line.repeat(20_000);
    println!("text {} bytes", big.len());
    for f in ["a", "b", "c", "d"] {
        let t = std::time::Instant::now();
        let fv = m.global(f).unwrap();
        let r = m.call(&mut H, &fv, vec![Value::str(&big)]);
        println!("{f}: {:?} ok={}", t.elapsed(), r.is_ok());
    }
}
