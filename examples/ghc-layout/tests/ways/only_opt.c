#include <stdio.h>

int main(void) {
#ifdef OPTASM
    printf("built for optasm\n");
#else
    printf("built for another way\n");
#endif
    return 0;
}
