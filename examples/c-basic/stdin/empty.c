/* No empty.stdin file exists, so stdin is empty: the first read hits EOF. */
#include <stdio.h>

int main(void) {
    long n = 0;
    while (getchar() != EOF) {
        n++;
    }
    printf("read %ld bytes from stdin\n", n);
    return 0;
}
