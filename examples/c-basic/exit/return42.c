/* return 42 from main, computed at run time: return42.exit expects 42. */
#include <stdio.h>

int main(int argc, char **argv) {
    (void)argv;
    int code = 40 + argc + 1;
    printf("returning %d\n", code);
    return code;
}
