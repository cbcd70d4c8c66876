/* Writing only to stderr: stdout must stay empty (no stdout golden file). */
#include <stdio.h>

int main(void) {
    fprintf(stderr, "warning: this goes to stderr\n");
    fprintf(stderr, "value=%d\n", 17);
    return 0;
}
