#include <stdio.h>
/* Ticket 4321: the answer is off by one. */
int main(void) { printf("%d\n", 6 * 7 + 1); return 0; }
