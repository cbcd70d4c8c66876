;; Prints its argument count as a digit and a newline (argv[0] plus args.wat's sidecar lines).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $sizes (i32.const 16) (i32.const 20)))
    (i32.store8 (i32.const 64) (i32.add (i32.const 48) (i32.load (i32.const 16))))
    (i32.store8 (i32.const 65) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 2))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
