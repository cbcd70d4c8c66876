/* XH_GREETING is set for every case by [run] env in suite.toml. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    const char *greeting = getenv("XH_GREETING");
    if (greeting == NULL) {
        fprintf(stderr, "XH_GREETING is not set\n");
        return 1;
    }
    printf("XH_GREETING=%s\n", greeting);
    return 0;
}
