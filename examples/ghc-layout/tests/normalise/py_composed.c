#include <stdio.h>

int main(void) {
    printf("built 42 things\n");
    return 0;
}
