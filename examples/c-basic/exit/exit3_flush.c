/* exit(3) from a helper function; buffered stdout without a newline must still be
 * flushed by exit(). exit3_flush.exit expects 3. */
#include <stdio.h>
#include <stdlib.h>

static void give_up(int code) {
    printf("giving up with %d", code);
    exit(code);
}

int main(void) {
    give_up(3);
    puts("not reached");
    return 0;
}
