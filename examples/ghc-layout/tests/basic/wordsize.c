#include <stdio.h>
int main(void) { printf("%d\n", (int)(sizeof(void *) * 8)); return 0; }
