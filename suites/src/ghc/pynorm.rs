//! Normalisers a `.T` file writes in Python (`normalise_fun(lambda s:
//! …)`, a `def` of the file, `normalise_errmsg_fun(f, g)`), run on a
//! test's output by the evaluator.
//!
//! A case carries them as plain data ([`PythonNorms`]: the file, the test
//! and the chain as [`Norm`]s). To run one, the file is evaluated again
//! (once per thread, then kept) with a host that keeps each test's
//! Python functions, and its module stays alive so the functions still
//! see the file's globals (`re`, helpers). The chain runs in the driver's
//! order: the function added last runs first; the driver's own
//! normalisers in the chain run as their regex rules.
//!
//! A function that fails (raises, returns something other than a string,
//! is not found) is skipped: the text goes on unchanged and the problem is
//! returned, naming the file and line, so the record can say so.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use pyeval::{Limits, Value};

use super::config::Config;
use super::host::FileHost;
use super::normalise::Norm;

/// Which output a chain normalises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NormStream {
    /// `normalise_fun`: stdout.
    Stdout,
    /// `normalise_errmsg_fun`: stderr (and a compile's output).
    Stderr,
}

/// A test's normaliser chains that hold a Python function.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PythonNorms {
    /// The `.T` file (absolute).
    pub file: PathBuf,
    /// The line of the test's declaration.
    pub line: u32,
    /// The test's name.
    pub test: String,
    /// The config the file is evaluated with.
    pub config: Arc<Config>,
    /// The stdout chain in the order the options added it (empty: the
    /// chain holds no Python function and runs as regex rules).
    pub stdout: Vec<Norm>,
    /// The stderr chain, likewise.
    pub stderr: Vec<Norm>,
}

impl PythonNorms {
    /// The chains of a test whose options added `stdout` / `stderr`, or
    /// `None` when neither holds a Python function.
    pub fn of(
        file: PathBuf,
        line: u32,
        test: &str,
        config: &Config,
        stdout: &[Norm],
        stderr: &[Norm],
    ) -> Option<Self> {
        let python = |chain: &[Norm]| {
            if chain.iter().any(|n| matches!(n, Norm::Python(_))) {
                chain.to_vec()
            } else {
                Vec::new()
            }
        };
        let (stdout, stderr) = (python(stdout), python(stderr));
        (!stdout.is_empty() || !stderr.is_empty()).then(|| PythonNorms {
            file,
            line,
            test: test.to_owned(),
            config: Arc::new(config.clone()),
            stdout,
            stderr,
        })
    }

    /// Whether `stream`'s chain runs here.
    pub fn covers(&self, stream: NormStream) -> bool {
        !self.chain(stream).is_empty()
    }

    fn chain(&self, stream: NormStream) -> &[Norm] {
        match stream {
            NormStream::Stdout => &self.stdout,
            NormStream::Stderr => &self.stderr,
        }
    }

    /// Run `stream`'s chain on `text`, the last-added function first.
    /// Returns the text and, for each function that could not run (and
    /// was skipped), why.
    pub fn apply(&self, stream: NormStream, text: &str) -> (String, Vec<String>) {
        let mut problems = Vec::new();
        let chain = self.chain(stream);
        if chain.is_empty() {
            return (text.to_owned(), problems);
        }
        let at = format!("{}:{}", self.file.display(), self.line);
        let replay = match replayed(self) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!(
                    "{at}: the normalisers of {} could not run ({e}); compared without them",
                    self.test
                ));
                return (text.to_owned(), problems);
            }
        };
        let functions = replay.functions(&self.test, stream);
        // The i-th Python entry of the chain is the i-th kept function.
        let mut python_index: Vec<usize> = Vec::with_capacity(chain.len());
        let mut k = 0;
        for n in chain {
            python_index.push(k);
            if matches!(n, Norm::Python(_)) {
                k += 1;
            }
        }
        let mut out = text.to_owned();
        for (i, n) in chain.iter().enumerate().rev() {
            let step = match n {
                Norm::Python(name) => match functions.get(python_index[i]) {
                    Some(f) => replay
                        .call(f, &out)
                        .map_err(|e| format!("normaliser {name} raised: {e}")),
                    None => Err(format!("normaliser {name} was not found again in the file")),
                },
                other => super::normalise::apply_rules(other, &out),
            };
            match step {
                Ok(next) => out = next,
                Err(e) => problems.push(format!(
                    "{at}: test {}: {e}; compared without it",
                    self.test
                )),
            }
        }
        (out, problems)
    }
}

/// A `.T` file evaluated again, its module alive, with every test's
/// Python normalisers.
struct Replayed {
    config: Arc<Config>,
    module: RefCell<pyeval::Module>,
    kept: BTreeMap<String, (Vec<Value>, Vec<Value>)>,
}

impl Replayed {
    fn functions(&self, test: &str, stream: NormStream) -> &[Value] {
        match (self.kept.get(test), stream) {
            (Some((out, _)), NormStream::Stdout) => out,
            (Some((_, err)), NormStream::Stderr) => err,
            (None, _) => &[],
        }
    }

    fn call(&self, f: &Value, text: &str) -> Result<String, String> {
        let mut host = FileHost::new(&self.config);
        let result = self
            .module
            .borrow_mut()
            .call(&mut host, f, vec![Value::str(text)])?;
        match &result {
            Value::Str(s) => Ok(s.to_string()),
            other => Err(format!("it returned a {}, not a string", other.type_name())),
        }
    }
}

thread_local! {
    /// Replayed files of this thread, by path and config.
    static REPLAYED: RefCell<HashMap<PathBuf, Vec<Rc<Replayed>>>> = RefCell::new(HashMap::new());
}

/// The replay of `norms.file` under `norms.config`, evaluated on first use.
fn replayed(norms: &PythonNorms) -> Result<Rc<Replayed>, String> {
    let found = REPLAYED.with(|r| {
        r.borrow()
            .get(&norms.file)
            .and_then(|v| v.iter().find(|x| x.config == norms.config).cloned())
    });
    if let Some(r) = found {
        return Ok(r);
    }
    let src = std::fs::read(&norms.file)
        .map_err(|e| format!("cannot read {}: {e}", norms.file.display()))?;
    let src = String::from_utf8_lossy(&src);
    let limits = Limits::default();
    let program = pyeval::parse(&src, &limits);
    let mut host = FileHost::keeping_functions(&norms.config);
    let module = program.load(&mut host, &limits);
    let kept = std::mem::take(&mut host.kept);
    drop(host);
    let r = Rc::new(Replayed {
        config: norms.config.clone(),
        module: RefCell::new(module),
        kept,
    });
    REPLAYED.with(|m| {
        m.borrow_mut()
            .entry(norms.file.clone())
            .or_default()
            .push(r.clone())
    });
    Ok(r)
}
