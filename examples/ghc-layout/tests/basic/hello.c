#include <stdio.h>
int main(void) { puts("Hello, GHC layout!"); return 0; }
