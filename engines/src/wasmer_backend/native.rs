//! Native imports on wasmer: the WASI imports plus a host function for
//! every import of a described module ([`crate::native::bind_imports`]),
//! and an instance built from them.

use std::path::PathBuf;

use wasmer::{
    Function, FunctionEnv, FunctionEnvMut, FunctionType, Imports, Instance, Memory,
    Module as WmModule, RuntimeError, Store, Type, Value as WmValue,
};
use wasmer_wasix::WasiFunctionEnv;

use crate::native::{ImportSig, Scalar, Value, bind_imports};

/// Instantiate `module` with WASI and the native imports of `files`.
pub(super) fn instantiate(
    store: &mut Store,
    module: &WmModule,
    wasi: &mut WasiFunctionEnv,
    files: &[PathBuf],
) -> Result<Instance, String> {
    let mut imports: Imports = wasi
        .import_object_for_all_wasi_versions(store, module)
        .map_err(|e| format!("cannot build the WASI imports: {e}"))?;
    let memory_env = FunctionEnv::new(store, None::<Memory>);
    let list: Vec<_> = module.imports().collect();
    let sigs: Vec<ImportSig> = list
        .iter()
        .map(|i| ImportSig {
            module: i.module().to_owned(),
            name: i.name().to_owned(),
            func: i.ty().func().map(|f| {
                (
                    f.params().iter().map(|t| scalar(*t)).collect(),
                    f.results().iter().map(|t| scalar(*t)).collect(),
                )
            }),
        })
        .collect();
    for binding in bind_imports(files, &sigs)? {
        let import = &list[binding.index];
        let Some(ty) = import.ty().func().cloned() else {
            continue;
        };
        let f = Function::new_with_env(
            store,
            &memory_env,
            FunctionType::new(ty.params().to_vec(), ty.results().to_vec()),
            move |mut env: FunctionEnvMut<Option<Memory>>, args: &[WmValue]| {
                let (memory, store) = env.data_and_store_mut();
                let memory = memory
                    .as_ref()
                    .ok_or_else(|| RuntimeError::new(binding.no_memory()))?;
                let view = memory.view(&store);
                let values: Vec<Value> = args.iter().map(value).collect();
                // SAFETY: the view is this instance's memory, taken just now
                // inside its host call; nothing else touches it meanwhile.
                let out = unsafe { binding.invoke(&values, view.data_ptr(), view.data_size()) }
                    .map_err(RuntimeError::new)?;
                Ok(out.map(wm_value).into_iter().collect())
            },
        );
        imports.define(import.module(), import.name(), f);
    }
    let instance = Instance::new(store, module, &imports).map_err(|e| e.to_string())?;
    if let Ok(memory) = instance.exports.get_memory("memory") {
        *memory_env.as_mut(store) = Some(memory.clone());
    }
    wasi.initialize(store, instance.clone())
        .map_err(|e| format!("cannot set up WASI for the instance: {e}"))?;
    Ok(instance)
}

fn scalar(t: Type) -> Result<Scalar, String> {
    Ok(match t {
        Type::I32 => Scalar::I32,
        Type::I64 => Scalar::I64,
        Type::F32 => Scalar::F32,
        Type::F64 => Scalar::F64,
        other => return Err(other.to_string()),
    })
}

fn value(v: &WmValue) -> Value {
    match v {
        WmValue::I32(x) => Value::I32(*x),
        WmValue::I64(x) => Value::I64(*x),
        WmValue::F32(x) => Value::F32(*x),
        WmValue::F64(x) => Value::F64(*x),
        _ => Value::I32(0),
    }
}

fn wm_value(v: Value) -> WmValue {
    match v {
        Value::I32(x) => WmValue::I32(x),
        Value::I64(x) => WmValue::I64(x),
        Value::F32(x) => WmValue::F32(x),
        Value::F64(x) => WmValue::F64(x),
    }
}
