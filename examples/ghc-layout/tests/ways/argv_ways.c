#include <stdio.h>
#include <string.h>

/* Checks its arguments against the way it was built for: GHC's driver
 * passes a way's RTS flags as +RTS ... -RTS before extra_run_opts. */
int main(int argc, char **argv) {
#ifdef OPTASM
    const char *want[] = {"+RTS", "-xo", "-RTS", "user-arg"};
#else
    const char *want[] = {"user-arg"};
#endif
    int n = (int)(sizeof want / sizeof want[0]);
    if (argc - 1 != n) {
        printf("got %d arguments, want %d\n", argc - 1, n);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(argv[i + 1], want[i]) != 0) {
            printf("argument %d is %s, want %s\n", i + 1, argv[i + 1], want[i]);
            return 1;
        }
    }
    printf("arguments as the way gives them\n");
    return 0;
}
