;; Writes one line to stdout with fd_write.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "Hello from WebAssembly!\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))   ;; iov.base
    (i32.store (i32.const 4) (i32.const 24))   ;; iov.len
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
