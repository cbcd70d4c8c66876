/* cat: copy stdin to stdout byte for byte (cat.stdin is the input). */
#include <stdio.h>

int main(void) {
    char buf[256];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        fwrite(buf, 1, n, stdout);
    }
    if (ferror(stdin)) {
        perror("read stdin");
        return 1;
    }
    return 0;
}
