// Calls the native library's functions: as imports of module "native"
// when built for wasm, linked directly when built natively, so both
// builds must print the same thing. `oob` passes a pointer outside the
// guest's memory (only meaningful in wasm: the call must trap).
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __wasm__
#define NATIVE(name) __attribute__((import_module("native"), import_name(#name)))
#else
#define NATIVE(name)
#endif

typedef struct { float x; float y; } Point;

NATIVE(answer) int32_t answer(void);
NATIVE(halve) float halve(float);
NATIVE(add2) int32_t add2(int32_t, int32_t);
NATIVE(mix3) double mix3(int32_t, double, int64_t);
NATIVE(mul64) int64_t mul64(int64_t, int64_t);
NATIVE(sum5f) float sum5f(float, int32_t, float, int64_t, double);
NATIVE(sum8) int64_t sum8(int32_t, int64_t, int32_t, int64_t, int32_t, int64_t, int32_t, int64_t);
NATIVE(mix12) double mix12(int32_t, int64_t, float, double, int32_t, int64_t, float, double,
                           int32_t, int64_t, float, double);
NATIVE(checksum) uint32_t checksum(const uint8_t *, int32_t);
NATIVE(fill) void fill(uint8_t *, int32_t, int32_t);
NATIVE(fill_point) void fill_point(Point *);
NATIVE(norm1) float norm1(Point);

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "oob") == 0) {
        printf("before\n");
        fflush(stdout);
        printf("%u\n", checksum((const uint8_t *)(uintptr_t)0x7ffffff0u, 1 << 20));
        return 0;
    }
    printf("answer %d\n", answer());
    printf("halve %.3f\n", halve(5.0f));
    printf("add2 %d\n", add2(40, 2));
    printf("mix3 %.3f\n", mix3(3, 1.5, 10000000000LL));
    printf("mul64 %lld\n", (long long)mul64(3000000000LL, 7));
    printf("sum5f %.3f\n", sum5f(0.5f, 2, 0.25f, 4, 8.125));
    printf("sum8 %lld\n", (long long)sum8(1, 2, 3, 4, 5, 6, 7, 8000000000LL));
    printf("mix12 %.3f\n", mix12(1, 2, 3.5f, 4.25, 5, 6, 7.5f, 8.125, 9, 10, 11.5f, 12.75));
    uint8_t buf[64];
    for (int i = 0; i < 64; i++) buf[i] = (uint8_t)(i * 3);
    printf("checksum %u\n", checksum(buf, 64));
    fill(buf, 16, 100);
    printf("fill %u %u %u\n", buf[0], buf[15], buf[16]);
    Point p = {0, 0};
    fill_point(&p);
    printf("fill_point %.3f %.3f\n", p.x, p.y);
    Point q = {-3.5f, 1.25f};
    printf("norm1 %.3f\n", norm1(q));
    return 0;
}
