/* Output without a trailing newline: the golden file has none either, and the
 * buffered text must still be flushed when main returns. */
#include <stdio.h>

int main(void) {
    printf("no newline at the end");
    return 0;
}
