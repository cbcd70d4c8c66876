/* perror() formats "PREFIX: strerror(errno)" on stderr. */
#include <errno.h>
#include <stdio.h>

int main(void) {
    errno = EINVAL;
    perror("xharness");
    errno = ERANGE;
    perror("range check");
    return 0;
}
