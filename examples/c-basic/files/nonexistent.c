/* Open an absolute path that exists nowhere and print the error text. wasi-libc
 * maps "/nonexistent/x" onto the "." pre-open, so wasmtime reports ENOENT; wasmer
 * brings its own virtual root, where the answer differs (see suite.toml). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    FILE *f = fopen("/nonexistent/x", "r");
    if (f != NULL) {
        puts("open /nonexistent/x: succeeded?!");
        fclose(f);
        return 1;
    }
    printf("open /nonexistent/x: %s\n", strerror(errno));
    return 0;
}
