/* printf formatting of floating point: %f, %e, %g, precision, width, infinities. */
#include <math.h>
#include <stdio.h>

int main(void) {
    printf("f: %f %f\n", 3.14159, -0.5);
    printf("precision: %.2f %.0f %.0f %.3f\n", 2.5, 2.5, 3.5, 1.0 / 3.0);
    printf("width: [%8.3f] [%-8.2f] [%08.2f]\n", -2.5, 1.25, 3.75);
    printf("e: %e %.2E\n", 12345.678, 0.000123);
    printf("g: %g %g %g %g\n", 0.0001, 0.00001, 123456.0, 1234567.0);
    printf("float arg: %.1f\n", (double)1.5f);
    printf("inf: %f %f\n", INFINITY, -INFINITY);
    printf("sqrt(2) = %.6f\n", sqrt(2.0));
    return 0;
}
