#include <stdio.h>
#include <stdlib.h>

int main(void) {
    const char *g = getenv("GREETING");
    printf("GREETING=%s\n", g ? g : "(unset)");
    return 0;
}
