#include <stdio.h>

int main(void) {
    printf("hello from a program make built and ran\n");
    return 0;
}
