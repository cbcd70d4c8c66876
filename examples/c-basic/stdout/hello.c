/* The smallest case: one line on stdout, exit code 0. */
#include <stdio.h>

int main(void) {
    printf("Hello, world!\n");
    return 0;
}
