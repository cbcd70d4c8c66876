#include <stdio.h>

/* Writes to both streams, unbuffered, alternating. */
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    fprintf(stdout, "out 1\n");
    fprintf(stderr, "err 1\n");
    fprintf(stdout, "out 2\n");
    fprintf(stderr, "err 2\n");
    return 0;
}
