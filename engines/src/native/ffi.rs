//! Every `unsafe` block of native imports: loading the library, finding
//! symbols, and calling through libffi with pointers into guest memory.

use std::path::Path;

use libffi::middle::{Cif, CodePtr, Type, arg};

use super::{Extent, Param, Scalar, StructLayout};

/// A wasm value crossing into or out of a native call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
}

/// A loaded dynamic library.
pub struct Library(libloading::Library);

impl Library {
    /// `name` relative to `base` when that file exists, else as the
    /// dynamic loader finds it.
    pub fn open(name: &str, base: &Path) -> Result<Library, String> {
        let local = base.join(name);
        let target = if local.exists() {
            local.into_os_string()
        } else {
            name.into()
        };
        // SAFETY: loading a library runs its initialisers; the user named
        // this library in a description file, opting in to running it.
        unsafe { libloading::Library::new(&target) }
            .map(Library)
            .map_err(|e| format!("cannot load library {name:?}: {e}"))
    }

    /// The address of function `name`.
    pub fn symbol(&self, name: &str) -> Result<CodePtr, String> {
        // SAFETY: the symbol is only used as a code address for libffi,
        // with the signature the description and the import give it.
        let sym = unsafe { self.0.get::<*const ()>(name.as_bytes()) }
            .map_err(|e| format!("the library has no function `{name}`: {e}"))?;
        Ok(CodePtr(*sym as *mut _))
    }
}

/// One prepared native function: its address and libffi call interface.
pub struct Call {
    code: CodePtr,
    cif: Cif,
    kinds: Vec<Param>,
    types: Vec<Scalar>,
    result: Option<Scalar>,
}

// SAFETY: a prepared `Cif` is never changed after `Call::new` and libffi
// only reads it during calls; the code pointer is a plain address into a
// library that stays loaded for the process's life.
unsafe impl Send for Call {}
// SAFETY: as for Send: shared use only reads.
unsafe impl Sync for Call {}

fn ffi_type(s: Scalar) -> Type {
    match s {
        Scalar::I32 => Type::i32(),
        Scalar::I64 => Type::i64(),
        Scalar::F32 => Type::f32(),
        Scalar::F64 => Type::f64(),
    }
}

fn struct_type(s: &StructLayout) -> Type {
    Type::structure(s.fields.iter().map(|(f, _)| ffi_type(*f)))
}

/// One argument's storage for the duration of a call.
enum Slot {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
    Ptr(*mut u8),
    /// A struct's bytes, 8-aligned.
    Struct(Vec<u64>),
}

impl Call {
    /// Prepare a call to `code` with wasm parameter types `types`.
    pub fn new(
        code: CodePtr,
        kinds: Vec<Param>,
        types: Vec<Scalar>,
        result: Option<Scalar>,
    ) -> Call {
        let args: Vec<Type> = kinds
            .iter()
            .zip(&types)
            .map(|(k, t)| match k {
                Param::Value => ffi_type(*t),
                Param::Ptr(_) => Type::pointer(),
                Param::Struct(s) => struct_type(s),
            })
            .collect();
        let ret = result.map_or_else(Type::void, ffi_type);
        Call {
            code,
            cif: Cif::new(args, ret),
            kinds,
            types,
            result,
        }
    }

    /// Call with `args` (one per wasm parameter) against the guest memory
    /// of `len` bytes at `base`. A pointer range outside it is an error
    /// (the guest traps) before any native code runs.
    ///
    /// # Safety
    ///
    /// `base` must point at the guest's linear memory of `len` bytes,
    /// valid and not otherwise borrowed for the duration of the call (as
    /// inside a host function of the instance that owns it).
    pub unsafe fn invoke(
        &self,
        args: &[Value],
        base: *mut u8,
        len: u64,
    ) -> Result<Option<Value>, String> {
        if args.len() != self.types.len() {
            return Err(format!(
                "expected {} arguments, got {}",
                self.types.len(),
                args.len()
            ));
        }
        let int = |v: &Value| match v {
            Value::I32(x) => *x as u32 as u64,
            Value::I64(x) => *x as u64,
            _ => 0,
        };
        let mut slots = Vec::with_capacity(args.len());
        for (i, (k, v)) in self.kinds.iter().zip(args).enumerate() {
            let slot = match (k, v) {
                (Param::Value, Value::I32(x)) => Slot::I32(*x),
                (Param::Value, Value::I64(x)) => Slot::I64(*x),
                (Param::Value, Value::F32(x)) => Slot::F32(*x),
                (Param::Value, Value::F64(x)) => Slot::F64(*x),
                (Param::Ptr(extent), v) => {
                    let size = match extent {
                        Extent::LenParam(n) => int(&args[*n]),
                        Extent::Bytes(b) => *b,
                    };
                    let addr = int(v);
                    check(i, addr, size, len)?;
                    // SAFETY: addr + size <= len was just checked, so the
                    // offset stays inside the guest memory at `base`
                    // (valid, as the caller promises).
                    Slot::Ptr(unsafe { base.add(addr as usize) })
                }
                (Param::Struct(s), v) => {
                    let addr = int(v);
                    check(i, addr, s.size as u64, len)?;
                    let mut bytes = vec![0u64; s.size.div_ceil(8)];
                    // SAFETY: the source range was checked to lie in guest
                    // memory; the destination holds at least s.size bytes.
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            base.add(addr as usize),
                            bytes.as_mut_ptr().cast::<u8>(),
                            s.size,
                        );
                    }
                    Slot::Struct(bytes)
                }
            };
            slots.push(slot);
        }
        let ffi_args: Vec<libffi::middle::Arg> = slots
            .iter()
            .map(|s| match s {
                Slot::I32(x) => arg(x),
                Slot::I64(x) => arg(x),
                Slot::F32(x) => arg(x),
                Slot::F64(x) => arg(x),
                Slot::Ptr(p) => arg(p),
                Slot::Struct(b) => arg(&b[0]),
            })
            .collect();
        // SAFETY: the CIF was built from the same parameter kinds and wasm
        // types as `ffi_args`, whose storage (`slots`) outlives the call;
        // pointers point inside guest memory, checked above. That the
        // native function really has this signature is the description's
        // promise, the one thing no check can verify.
        let result = unsafe {
            match self.result {
                None => {
                    self.cif.call::<()>(self.code, &ffi_args);
                    None
                }
                Some(Scalar::I32) => Some(Value::I32(self.cif.call::<i32>(self.code, &ffi_args))),
                Some(Scalar::I64) => Some(Value::I64(self.cif.call::<i64>(self.code, &ffi_args))),
                Some(Scalar::F32) => Some(Value::F32(self.cif.call::<f32>(self.code, &ffi_args))),
                Some(Scalar::F64) => Some(Value::F64(self.cif.call::<f64>(self.code, &ffi_args))),
            }
        };
        Ok(result)
    }
}

fn check(i: usize, addr: u64, size: u64, len: u64) -> Result<(), String> {
    match addr.checked_add(size) {
        Some(end) if end <= len => Ok(()),
        _ => Err(format!(
            "native call: pointer argument {i} covers bytes {addr}..{} outside the guest's {len}-byte memory",
            addr as u128 + size as u128
        )),
    }
}
