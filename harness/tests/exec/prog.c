// A wasm guest for the `xharness exec` tests: prints its argv, $GREETING
// and the name of its first preopened directory (which differs between
// engines: "." on wasmtime, "/" on wasmer), then does what argv[1] asks:
// `stdin` echoes a line, `file` reads data.txt, `exit N` exits with N.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
int main(int argc, char **argv) {
    printf("argc=%d", argc);
    for (int i = 0; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    const char *g = getenv("GREETING");
    printf("GREETING=%s\n", g ? g : "(unset)");
    __wasi_prestat_t pre;
    if (__wasi_fd_prestat_get(3, &pre) == 0) {
        char name[256] = {0};
        size_t n = pre.u.dir.pr_name_len < 255 ? pre.u.dir.pr_name_len : 255;
        if (__wasi_fd_prestat_dir_name(3, (uint8_t *)name, n) != 0) name[0] = 0;
        printf("fd3=%s\n", name);
    }
    if (argc > 1 && strcmp(argv[1], "stdin") == 0) {
        char buf[256];
        if (fgets(buf, sizeof buf, stdin)) printf("stdin=%s", buf);
    }
    if (argc > 1 && strcmp(argv[1], "file") == 0) {
        FILE *f = fopen("data.txt", "r"); char buf[256];
        if (f && fgets(buf, sizeof buf, f)) printf("file=%s", buf); else printf("file=(unreadable)\n");
    }
    fflush(stdout);
    if (argc > 2 && strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
    return 0;
}
