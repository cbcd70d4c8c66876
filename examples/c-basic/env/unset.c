/* A variable nobody sets reads as NULL, and so does one removed with unsetenv(). */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    const char *missing = getenv("XH_NEVER_SET");
    printf("XH_NEVER_SET is %s\n", missing == NULL ? "NULL" : missing);
    if (setenv("XH_TEMP", "temporary", 1) != 0) {
        perror("setenv");
        return 1;
    }
    printf("XH_TEMP=%s\n", getenv("XH_TEMP"));
    unsetenv("XH_TEMP");
    printf("XH_TEMP after unsetenv is %s\n", getenv("XH_TEMP") == NULL ? "NULL" : "set");
    return 0;
}
