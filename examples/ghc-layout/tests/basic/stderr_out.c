#include <stdio.h>
int main(void) {
    fprintf(stderr, "stderr_out.wasm:   something   went wrong\n");
    return 0;
}
