/* A non-zero return from main is the exit code: return1.exit expects 1. */
#include <stdio.h>

int main(void) {
    puts("returning 1");
    return 1;
}
