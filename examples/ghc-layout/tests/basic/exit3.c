#include <stdio.h>
int main(void) { puts("leaving with 3"); return 3; }
