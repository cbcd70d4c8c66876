//! Native imports on wasmer: the WASI imports plus a host function for
//! every import of a described module, and an instance built from them.

use std::path::PathBuf;

use wasmer::{
    Function, FunctionEnv, FunctionEnvMut, FunctionType, Imports, Instance, Memory,
    Module as WmModule, RuntimeError, Store, Type, Value as WmValue,
};
use wasmer_wasix::WasiFunctionEnv;

use crate::native::{Native, Scalar, Value};

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
    for file in files {
        let native = Native::load(file).map_err(|e| e.to_string())?;
        for import in module.imports().filter(|i| i.module() == native.module) {
            let name = import.name().to_owned();
            let Some(ty) = import.ty().func().cloned() else {
                return Err(format!(
                    "{}: import `{}::{name}` is not a function",
                    native.file.display(),
                    native.module
                ));
            };
            let scalars = |types: &[Type]| -> Result<Vec<Scalar>, String> {
                types
                    .iter()
                    .map(|t| {
                        scalar(*t).ok_or_else(|| {
                            format!(
                                "{}: import `{}::{name}` has a {t} value, which a C function cannot take",
                                native.file.display(),
                                native.module
                            )
                        })
                    })
                    .collect()
            };
            let params = scalars(ty.params())?;
            let results = scalars(ty.results())?;
            let call = native
                .bind(&name, &params, &results)
                .map_err(|e| e.to_string())?;
            let label = format!("{}::{name}", native.module);
            let f = Function::new_with_env(
                store,
                &memory_env,
                FunctionType::new(ty.params().to_vec(), ty.results().to_vec()),
                move |mut env: FunctionEnvMut<Option<Memory>>, args: &[WmValue]| {
                    let (memory, store) = env.data_and_store_mut();
                    let memory = memory.as_ref().ok_or_else(|| {
                        RuntimeError::new(format!("{label}: the module exports no `memory`"))
                    })?;
                    let view = memory.view(&store);
                    let values: Vec<Value> = args.iter().map(value).collect();
                    // SAFETY: the view is this instance's memory, taken
                    // just now inside its host call; nothing else touches
                    // it meanwhile.
                    let out = unsafe { call.invoke(&values, view.data_ptr(), view.data_size()) }
                        .map_err(|m| RuntimeError::new(format!("{label}: {m}")))?;
                    Ok(out.map(wm_value).into_iter().collect())
                },
            );
            imports.define(&native.module, &name, f);
        }
    }
    let instance = Instance::new(store, module, &imports).map_err(|e| e.to_string())?;
    if let Ok(memory) = instance.exports.get_memory("memory") {
        *memory_env.as_mut(store) = Some(memory.clone());
    }
    wasi.initialize(store, instance.clone())
        .map_err(|e| format!("cannot set up WASI for the instance: {e}"))?;
    Ok(instance)
}

fn scalar(t: Type) -> Option<Scalar> {
    Some(match t {
        Type::I32 => Scalar::I32,
        Type::I64 => Scalar::I64,
        Type::F32 => Scalar::F32,
        Type::F64 => Scalar::F64,
        _ => return None,
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
