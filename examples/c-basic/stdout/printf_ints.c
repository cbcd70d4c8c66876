/* printf formatting of integers: widths, flags, bases, lengths, and wasm32 sizes. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

int main(void) {
    printf("d: %d %d %d\n", 0, 42, -42);
    printf("width: [%5d] [%-5d] [%05d] [%+d]\n", 42, 42, 42, 7);
    printf("bases: %x %X %#x %o %#o\n", 255, 255, 255, 8, 8);
    printf("unsigned: %u\n", UINT_MAX);
    printf("int limits: %d %d\n", INT_MIN, INT_MAX);
    printf("long long: %lld\n", LLONG_MAX);
    printf("int64: %lld\n", (long long)INT64_MIN);
    printf("char: %c%c%c\n", 'w', 'a', 's');
    printf("string: [%s] [%8s] [%-8s] [%.3s]\n", "abc", "abc", "abc", "abcdef");
    printf("percent: 100%%\n");
    printf("sizeof: int=%zu long=%zu ptr=%zu size_t=%zu\n",
           sizeof(int), sizeof(long), sizeof(void *), sizeof(size_t));
    return 0;
}
