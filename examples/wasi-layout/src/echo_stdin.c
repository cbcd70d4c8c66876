/* Operations spec: `write` feeds stdin, `read` expects its echo on stdout
 * (compared as a prefix, as the official runner reads it), `run` gives an
 * argument and the environment. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    const char *mode = getenv("MODE");
    printf("%s %s: ", argc > 1 ? argv[1] : "?", mode ? mode : "?");
    int c;
    while ((c = getchar()) != EOF)
        putchar(c);
    printf("\n(more output after the expected prefix)\n");
    return 0;
}
