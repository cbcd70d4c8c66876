/* Interleaved writes to both streams: each stream is captured and compared apart. */
#include <stdio.h>

int main(void) {
    for (int i = 1; i <= 3; i++) {
        printf("out %d\n", i);
        fflush(stdout);
        fprintf(stderr, "err %d\n", i);
    }
    printf("out done\n");
    fprintf(stderr, "err done\n");
    return 0;
}
