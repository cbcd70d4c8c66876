#include <stdio.h>
int main(void) { fprintf(stderr, "exit_wasm: giving up\n"); return 1; }
