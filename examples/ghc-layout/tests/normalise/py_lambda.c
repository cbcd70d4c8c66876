#include <stdio.h>

int main(void) {
    fprintf(stderr, "the secret is out\n");
    return 0;
}
