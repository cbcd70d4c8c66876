#include <stdio.h>

/* Prints its arguments, and whether TEST_HC_OPTS reached the compiler. */
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        printf("arg %d: %s\n", i, argv[i]);
#ifdef FROM_TEST_HC_OPTS
    printf("built with TEST_HC_OPTS\n");
#endif
    return 0;
}
