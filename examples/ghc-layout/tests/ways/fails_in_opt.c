#include <stdio.h>

int main(void) {
#ifdef OPTASM
    printf("wrong answer\n");
#else
    printf("right answer\n");
#endif
    return 0;
}
