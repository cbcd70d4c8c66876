/* Legacy spec with the older `dirs`: `data.dir` is preopened under its own
 * name, as a private copy the test may write into. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    char buf[128] = {0};
    FILE *in = fopen("data.dir/input.txt", "r");
    if (!in || !fgets(buf, sizeof buf, in)) {
        fprintf(stderr, "read data.dir/input.txt: %s\n", strerror(errno));
        return 1;
    }
    fclose(in);
    printf("input: %s", buf);
    int fd = open("data.dir/new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        fprintf(stderr, "create data.dir/new.txt: %s\n", strerror(errno));
        return 1;
    }
    close(fd);
    printf("created data.dir/new.txt\n");
    return 0;
}
