#include <stdio.h>

int main(void) {
    printf("one run\n");
    return 0;
}
