#include <stdio.h>
#include <stdlib.h>
#ifndef FIXTURE
#error "setTestOpts(extra_hc_opts('-DFIXTURE=1')) did not reach the compiler"
#endif
int main(int argc, char **argv) {
    int arg = argc > 1 ? atoi(argv[1]) : -1;
    printf("SIZE=%d arg=%d\n", SIZE, arg);
    return 0;
}
