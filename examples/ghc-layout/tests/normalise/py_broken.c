#include <stdio.h>

int main(void) {
    printf("as it is\n");
    return 0;
}
