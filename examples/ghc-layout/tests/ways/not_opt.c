#include <stdio.h>

int main(void) {
#ifdef OPTASM
    printf("built for optasm\n");
#else
    printf("built for normal\n");
#endif
    return 0;
}
