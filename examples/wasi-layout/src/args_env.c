/* Legacy spec: arguments and environment reach the guest. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("arg[%d]=%s\n", i, argv[i]);
    const char *greeting = getenv("GREETING");
    const char *empty = getenv("EMPTY");
    printf("GREETING=%s\n", greeting ? greeting : "(unset)");
    printf("EMPTY=%s\n", empty ? (*empty ? empty : "(empty)") : "(unset)");
    return 0;
}
