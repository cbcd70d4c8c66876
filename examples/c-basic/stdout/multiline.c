/* Several lines, including an empty one and leading spaces, in order. */
#include <stdio.h>

int main(void) {
    puts("first line");
    puts("second line");
    puts("");
    puts("    indented fourth line");
    for (int i = 1; i <= 3; i++) {
        printf("loop %d of 3\n", i);
    }
    puts("last line");
    return 0;
}
