/* Prints the descriptor number a freshly opened file gets. WASI preview 1
 * promises no numbering, and the engines differ: see suite.toml. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    int fd = open("numbered.txt", O_CREAT | O_WRONLY, 0644);
    if (fd < 0) {
        perror("open numbered.txt");
        return 1;
    }
    printf("fd=%d\n", fd);
    close(fd);
    return 0;
}
