/* Legacy spec: a non-zero exit code and an expected stderr. */
#include <stdio.h>

int main(void) {
    fputs("failing on purpose\n", stderr);
    return 7;
}
