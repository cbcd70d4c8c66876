/* One guest program for the engine tests; argv[1] picks the behaviour. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern char **environ;

static int nested_exit(int depth, int code) {
    if (depth == 0) exit(code);
    return nested_exit(depth - 1, code) + 1;
}

/* Keeps every allocation reachable so the compiler cannot elide malloc. */
void *volatile alloc_head;

static int try_open(const char *path) {
    FILE *f = fopen(path, "r");
    if (f) { fclose(f); printf("%s: opened\n", path); return 1; }
    printf("%s: denied\n", path);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: guest MODE\n"); return 2; }
    const char *mode = argv[1];
    if (!strcmp(mode, "args")) {
        for (int i = 0; i < argc; i++) printf("[%s]\n", argv[i]);
    } else if (!strcmp(mode, "env")) {
        for (char **e = environ; *e; e++) printf("%s\n", *e);
    } else if (!strcmp(mode, "stdin")) {
        int c; long n = 0;
        while ((c = getchar()) != EOF) { putchar(c); n++; }
        fprintf(stderr, "%ld bytes\n", n);
    } else if (!strcmp(mode, "exit")) {
        nested_exit(5, atoi(argv[2]));
    } else if (!strcmp(mode, "malloc")) {
        long mib = 0;
        for (;;) {
            char *p = malloc(1 << 20);
            if (!p) break;
            memset(p, 1, 1 << 20);
            *(void **)p = alloc_head;
            alloc_head = p;
            mib++;
        }
        printf("allocation failed after %ld MiB\n", mib);
    } else if (!strcmp(mode, "files")) {
        FILE *f = fopen("out.txt", "w");
        if (!f) { perror("fopen out.txt"); return 1; }
        fputs("written by the guest\n", f);
        fclose(f);
        mkdir("sub", 0755);
        char buf[64] = {0};
        f = fopen("in.txt", "r");
        if (!f) { perror("fopen in.txt"); return 1; }
        fgets(buf, sizeof buf, f);
        fclose(f);
        printf("read: %s", buf);
    } else if (!strcmp(mode, "write")) {
        FILE *f = fopen(argv[2], "w");
        if (!f) { printf("write %s: denied\n", argv[2]); return 0; }
        fclose(f);
        printf("write %s: allowed\n", argv[2]);
    } else if (!strcmp(mode, "escape")) {
        int opened = 0;
        for (int i = 2; i < argc; i++) opened += try_open(argv[i]);
        return opened;
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    return 0;
}
