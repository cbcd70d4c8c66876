// The native library of the native-imports tests: functions of 0 to 12
// parameters of mixed types, pointer + length in and out, i64 and f32
// results, a struct by pointer and by value.
#include <math.h>
#include <stdint.h>

typedef struct { float x; float y; } Point;

int32_t answer(void) { return 42; }
float halve(float x) { return x / 2; }
int32_t add2(int32_t a, int32_t b) { return a + b; }
double mix3(int32_t a, double b, int64_t c) { return a * b + (double)c; }
int64_t mul64(int64_t a, int64_t b) { return a * b; }
float sum5f(float a, int32_t b, float c, int64_t d, double e) { return a + b + c + d + (float)e; }
int64_t sum8(int32_t a, int64_t b, int32_t c, int64_t d, int32_t e, int64_t f, int32_t g, int64_t h) {
    return a + b + c + d + e + f + g + h;
}
double mix12(int32_t a, int64_t b, float c, double d, int32_t e, int64_t f, float g, double h,
             int32_t i, int64_t j, float k, double l) {
    return a + b + c + d + e + f + g + h + i + j + k + l;
}
uint32_t checksum(const uint8_t *p, int32_t len) {
    uint32_t s = 7;
    for (int32_t i = 0; i < len; i++) s = s * 31 + p[i];
    return s;
}
void fill(uint8_t *p, int32_t len, int32_t start) {
    for (int32_t i = 0; i < len; i++) p[i] = (uint8_t)(start + i);
}
void fill_point(Point *p) { p->x = 1.5f; p->y = -2.25f; }
float norm1(Point p) { return fabsf(p.x) + fabsf(p.y); }
