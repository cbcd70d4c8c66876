/* No spec: the defaults apply (no arguments, no environment, exit 0,
 * outputs not compared). Exits 1 if the defaults were not applied. */
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv) {
    (void)argv;
    printf("this output is not compared\n");
    if (argc != 1) {
        fprintf(stderr, "expected no arguments, got %d\n", argc - 1);
        return 1;
    }
    if (environ && environ[0]) {
        fprintf(stderr, "expected no environment, got %s\n", environ[0]);
        return 1;
    }
    return 0;
}
