/* Its spec needs the `sockets` proposal, so it is skipped; it would fail
 * if it were run. */
#include <stdio.h>

int main(void) {
    fputs("this test should have been skipped\n", stderr);
    return 1;
}
