/* exit(0) explicitly: no .exit sidecar, so the suite default 0 applies. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    puts("exiting with 0");
    exit(0);
}
