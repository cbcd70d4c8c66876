/* exit(1) after a message on stderr; exit1.exit expects 1. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    fprintf(stderr, "failing on purpose\n");
    exit(1);
}
