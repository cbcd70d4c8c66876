//! Native imports: a module's imports of one import module satisfied from a
//! native dynamic library, any signature, through libffi (no generated
//! code), on every engine.
//!
//! A description file names the library and the import module, and says
//! what a wasm signature cannot: which `i32` parameters are guest pointers
//! and how many bytes they cover, and which are structs passed by value:
//!
//! ```toml
//! library = "libfoo.so"            # relative to this file, or a name the loader finds
//! module = "native"                # the import module it satisfies
//! [functions.checksum]
//! params = ["ptr(len=1)", "i32"]   # param 0 points at param 1 bytes
//! [functions.fill_point]
//! params = ["ptr(struct=Point)"]   # a pointer to one Point
//! [functions.norm]
//! params = ["struct(Point)"]       # a Point by value (the guest passes its address)
//! [structs.Point]
//! fields = ["f32", "f32"]
//! ```
//!
//! Every import of `module` is looked up in the library by its name; its
//! parameter and result types come from the module's import type. A
//! parameter not annotated passes its value as it is (`i32`, `i64`, `f32`,
//! `f64`). A `ptr(...)` parameter is a guest address: it is bounds-checked
//! against the guest's linear memory (`len=N`: the value of parameter N;
//! `size=N`: N bytes; `struct=S`: the size of S) and passed as the host
//! address; a range outside memory traps the guest and never touches host
//! memory. A `struct(S)` parameter (the guest passes the address of the
//! struct, as the wasm32 C ABI does) is copied out of guest memory and
//! passed by value with the platform's C ABI. Struct fields are `i32`,
//! `i64`, `f32` or `f64`, laid out as C lays them out (the same on wasm32
//! and 64-bit hosts for these types).
//!
//! [`Native::load`] reads a description, loads the library, finds every
//! listed symbol and prepares each call once per process. A backend lists
//! its module's imports as [`ImportSig`]s and calls [`bind_imports`], the
//! one loop every engine shares: it checks each import of a described
//! module against the description and returns a [`Binding`] per import,
//! which the backend defines as a host function that calls
//! [`Binding::invoke`] with the instance's memory.

mod ffi;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::Deserialize;

pub use ffi::{Call, Value};

/// A wasm value type as native calls see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    I32,
    I64,
    F32,
    F64,
}

impl Scalar {
    fn parse(text: &str) -> Option<Scalar> {
        Some(match text {
            "i32" => Scalar::I32,
            "i64" => Scalar::I64,
            "f32" => Scalar::F32,
            "f64" => Scalar::F64,
            _ => return None,
        })
    }

    /// Size and alignment in C.
    fn size(self) -> usize {
        match self {
            Scalar::I32 | Scalar::F32 => 4,
            Scalar::I64 | Scalar::F64 => 8,
        }
    }
}

/// A struct's fields and their offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructLayout {
    pub name: String,
    pub fields: Vec<(Scalar, usize)>,
    pub size: usize,
    pub align: usize,
}

impl StructLayout {
    fn new(name: &str, fields: &[Scalar]) -> Self {
        let mut offset: usize = 0;
        let mut align: usize = 1;
        let mut out = Vec::new();
        for f in fields {
            let a = f.size();
            offset = offset.div_ceil(a) * a;
            out.push((*f, offset));
            offset += a;
            align = align.max(a);
        }
        StructLayout {
            name: name.to_owned(),
            fields: out,
            size: offset.div_ceil(align) * align,
            align,
        }
    }
}

/// How one parameter crosses into native code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// Its wasm value as it is.
    Value,
    /// A guest pointer covering `Extent` bytes.
    Ptr(Extent),
    /// A guest pointer to a struct passed by value.
    Struct(Arc<StructLayout>),
}

/// How many bytes a `ptr` covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extent {
    /// The value of another parameter.
    LenParam(usize),
    /// A fixed size.
    Bytes(u64),
}

/// Errors in a description or against a module's imports.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", file.display())]
pub struct NativeError {
    /// The description file.
    pub file: PathBuf,
    /// What is wrong and what to do.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDescription {
    library: String,
    module: String,
    #[serde(default)]
    functions: BTreeMap<String, RawFunction>,
    #[serde(default)]
    structs: BTreeMap<String, RawStruct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFunction {
    #[serde(default)]
    params: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStruct {
    fields: Vec<String>,
}

/// A loaded description: the library and the annotations.
pub struct Native {
    /// The description file.
    pub file: PathBuf,
    /// The import module it satisfies.
    pub module: String,
    params: BTreeMap<String, Vec<Param>>,
    library: ffi::Library,
    prepared: Mutex<BTreeMap<(String, String), Arc<Call>>>,
}

impl std::fmt::Debug for Native {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Native")
            .field("file", &self.file)
            .field("module", &self.module)
            .finish()
    }
}

impl Native {
    /// The description at `file`, loaded once per process.
    pub fn load(file: &Path) -> Result<Arc<Native>, NativeError> {
        static LOADED: OnceLock<Mutex<BTreeMap<PathBuf, Arc<Native>>>> = OnceLock::new();
        let err = |message: String| NativeError {
            file: file.to_path_buf(),
            message,
        };
        let key = std::fs::canonicalize(file).map_err(|e| err(format!("cannot read: {e}")))?;
        let loaded = LOADED.get_or_init(Default::default);
        if let Some(n) = loaded.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(n.clone());
        }
        let text = std::fs::read_to_string(&key).map_err(|e| err(format!("cannot read: {e}")))?;
        let raw: RawDescription = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
        let structs = structs(&raw).map_err(err)?;
        let mut params = BTreeMap::new();
        for (name, f) in &raw.functions {
            let parsed: Result<Vec<Param>, String> =
                f.params.iter().map(|p| param(p, &structs)).collect();
            params.insert(
                name.clone(),
                parsed.map_err(|m| err(format!("[functions.{name}]: {m}")))?,
            );
        }
        let base = key.parent().unwrap_or(Path::new("/"));
        let library = ffi::Library::open(&raw.library, base).map_err(err)?;
        let native = Arc::new(Native {
            file: key.clone(),
            module: raw.module,
            params,
            library,
            prepared: Mutex::new(BTreeMap::new()),
        });
        loaded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, native.clone());
        Ok(native)
    }

    /// The prepared call for import `name` of wasm type `params -> results`.
    pub fn bind(
        &self,
        name: &str,
        params: &[Scalar],
        results: &[Scalar],
    ) -> Result<Arc<Call>, NativeError> {
        let err = |message: String| NativeError {
            file: self.file.clone(),
            message: format!("import `{}::{name}`: {message}", self.module),
        };
        let key = (name.to_owned(), format!("{params:?}->{results:?}"));
        if let Some(c) = self
            .prepared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(c.clone());
        }
        if results.len() > 1 {
            return Err(err(
                "returns several values; a C function returns one".into()
            ));
        }
        let kinds = match self.params.get(name) {
            Some(k) => k.clone(),
            None => vec![Param::Value; params.len()],
        };
        if kinds.len() != params.len() {
            return Err(err(format!(
                "the description lists {} parameters, the module's import has {}",
                kinds.len(),
                params.len()
            )));
        }
        for (i, (k, t)) in kinds.iter().zip(params).enumerate() {
            match k {
                Param::Ptr(Extent::LenParam(n)) => {
                    if params
                        .get(*n)
                        .is_none_or(|t| !matches!(t, Scalar::I32 | Scalar::I64))
                    {
                        return Err(err(format!(
                            "parameter {i}: len={n} must name an integer parameter"
                        )));
                    }
                    if *t != Scalar::I32 {
                        return Err(err(format!(
                            "parameter {i} is a pointer, so it must be i32 in wasm32, not {t:?}"
                        )));
                    }
                }
                Param::Ptr(_) | Param::Struct(_) if *t != Scalar::I32 => {
                    return Err(err(format!(
                        "parameter {i} is a pointer, so it must be i32 in wasm32, not {t:?}"
                    )));
                }
                _ => {}
            }
        }
        let symbol = self.library.symbol(name).map_err(err)?;
        let call = Arc::new(Call::new(
            symbol,
            kinds,
            params.to_vec(),
            results.first().copied(),
        ));
        self.prepared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, call.clone());
        Ok(call)
    }
}

/// A wasm value type as C sees it: a [`Scalar`], or the engine's name for
/// a type C cannot take.
pub type ValueSig = Result<Scalar, String>;

/// One import of a module as [`bind_imports`] sees it.
#[derive(Debug, Clone)]
pub struct ImportSig {
    /// The import module (`env`, `native`, ...).
    pub module: String,
    /// The import's name.
    pub name: String,
    /// For a function: its parameter and result types. `None` for a
    /// memory, table, global or tag.
    pub func: Option<(Vec<ValueSig>, Vec<ValueSig>)>,
}

/// A native function bound to one import of a module.
#[derive(Clone)]
pub struct Binding {
    /// Index of the import in the list given to [`bind_imports`].
    pub index: usize,
    /// `MODULE::NAME`, the prefix of every error the call reports.
    pub label: String,
    call: Arc<Call>,
}

impl std::fmt::Debug for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Binding")
            .field("index", &self.index)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl Binding {
    /// Call the native function with `args` against the guest memory of
    /// `len` bytes at `base`; errors (a pointer outside memory) are
    /// prefixed with the import's name, for the guest's trap.
    ///
    /// # Safety
    ///
    /// As for [`Call::invoke`]: `base` and `len` are the instance's
    /// memory, taken inside the host call.
    pub unsafe fn invoke(
        &self,
        args: &[Value],
        base: *mut u8,
        len: u64,
    ) -> Result<Option<Value>, String> {
        // SAFETY: forwarded from this function's own contract.
        unsafe { self.call.invoke(args, base, len) }.map_err(|m| format!("{}: {m}", self.label))
    }

    /// The error for a module that exports no memory to pass pointers into.
    pub fn no_memory(&self) -> String {
        format!("{}: the module exports no `memory`", self.label)
    }
}

/// Bind every import of the described modules in `files` to its native
/// function, checking its type against the description. The errors name
/// the description file and the import.
pub fn bind_imports(files: &[PathBuf], imports: &[ImportSig]) -> Result<Vec<Binding>, String> {
    let mut out = Vec::new();
    for file in files {
        let native = Native::load(file).map_err(|e| e.to_string())?;
        for (index, import) in imports.iter().enumerate() {
            if import.module != native.module {
                continue;
            }
            let name = &import.name;
            let at = || {
                format!(
                    "{}: import `{}::{name}`",
                    native.file.display(),
                    native.module
                )
            };
            let Some((params, results)) = &import.func else {
                return Err(format!("{} is not a function", at()));
            };
            let scalars = |types: &[Result<Scalar, String>]| -> Result<Vec<Scalar>, String> {
                types
                    .iter()
                    .map(|t| {
                        t.clone().map_err(|t| {
                            format!("{} has a {t} value, which a C function cannot take", at())
                        })
                    })
                    .collect()
            };
            let (params, results) = (scalars(params)?, scalars(results)?);
            let call = native
                .bind(name, &params, &results)
                .map_err(|e| e.to_string())?;
            out.push(Binding {
                index,
                label: format!("{}::{name}", native.module),
                call,
            });
        }
    }
    Ok(out)
}

fn structs(raw: &RawDescription) -> Result<BTreeMap<String, Arc<StructLayout>>, String> {
    let mut out = BTreeMap::new();
    for (name, s) in &raw.structs {
        let fields: Result<Vec<Scalar>, String> = s
            .fields
            .iter()
            .map(|f| {
                Scalar::parse(f).ok_or_else(|| {
                    format!("[structs.{name}]: field type {f:?} is not i32, i64, f32 or f64")
                })
            })
            .collect();
        let fields = fields?;
        if fields.is_empty() {
            return Err(format!("[structs.{name}] has no fields"));
        }
        out.insert(name.clone(), Arc::new(StructLayout::new(name, &fields)));
    }
    Ok(out)
}

/// `i32` (etc.: a value), `ptr(len=N)`, `ptr(size=N)`, `ptr(struct=S)`, `struct(S)`.
fn param(text: &str, structs: &BTreeMap<String, Arc<StructLayout>>) -> Result<Param, String> {
    let text = text.trim();
    if Scalar::parse(text).is_some() || text == "value" {
        return Ok(Param::Value);
    }
    let find = |s: &str| {
        structs
            .get(s)
            .cloned()
            .ok_or_else(|| format!("unknown struct {s:?}; define it under [structs.{s}]"))
    };
    if let Some(s) = text
        .strip_prefix("struct(")
        .and_then(|r| r.strip_suffix(')'))
    {
        return find(s.trim()).map(Param::Struct);
    }
    let Some(inner) = text.strip_prefix("ptr(").and_then(|r| r.strip_suffix(')')) else {
        return Err(format!(
            "bad parameter {text:?}: use i32/i64/f32/f64, ptr(len=N), ptr(size=N), ptr(struct=S) or struct(S)"
        ));
    };
    let (key, value) = inner
        .split_once('=')
        .ok_or_else(|| format!("bad parameter {text:?}: ptr needs len=, size= or struct="))?;
    match key.trim() {
        "len" => value
            .trim()
            .parse()
            .map(|n| Param::Ptr(Extent::LenParam(n)))
            .map_err(|_| format!("bad parameter {text:?}: len= takes a parameter index")),
        "size" => value
            .trim()
            .parse()
            .map(|n| Param::Ptr(Extent::Bytes(n)))
            .map_err(|_| format!("bad parameter {text:?}: size= takes a number of bytes")),
        "struct" => find(value.trim()).map(|s| Param::Ptr(Extent::Bytes(s.size as u64))),
        other => Err(format!("bad parameter {text:?}: unknown ptr key {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_layout_follows_c() {
        let s = StructLayout::new("S", &[Scalar::I32, Scalar::F64, Scalar::F32]);
        assert_eq!(
            s.fields,
            [(Scalar::I32, 0), (Scalar::F64, 8), (Scalar::F32, 16)]
        );
        assert_eq!((s.size, s.align), (24, 8));
    }

    #[test]
    fn parameters_parse_and_bad_ones_say_why() {
        let mut structs = BTreeMap::new();
        structs.insert(
            "P".to_string(),
            Arc::new(StructLayout::new("P", &[Scalar::F32, Scalar::F32])),
        );
        assert_eq!(
            param("ptr(len=1)", &structs),
            Ok(Param::Ptr(Extent::LenParam(1)))
        );
        assert_eq!(
            param("ptr(size=16)", &structs),
            Ok(Param::Ptr(Extent::Bytes(16)))
        );
        assert_eq!(
            param("ptr(struct=P)", &structs),
            Ok(Param::Ptr(Extent::Bytes(8)))
        );
        assert!(matches!(param("struct(P)", &structs), Ok(Param::Struct(_))));
        assert_eq!(param("i64", &structs), Ok(Param::Value));
        assert!(
            param("ptr(struct=Q)", &structs)
                .unwrap_err()
                .contains("[structs.Q]")
        );
        assert!(
            param("pointer", &structs)
                .unwrap_err()
                .contains("ptr(len=N)")
        );
    }
}
