#include <stdio.h>

/* Prints numbers the golden does not have; hide_numbers hides them on
 * both sides. */
int main(void) {
    printf("took %d ticks in %d steps\n", 12345, 3);
    return 0;
}
