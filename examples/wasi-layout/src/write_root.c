/* Operations spec: `root` is preopened as the guest's `/`; the test
 * changes it (create, rename, delete, mkdir). It fails if the tree is not
 * a fresh copy: `out.txt` must not exist yet and `greeting.txt` must. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what) {
    fprintf(stderr, "%s: %s\n", what, strerror(errno));
    return 1;
}

int main(void) {
    char buf[128] = {0};
    FILE *in = fopen("/greeting.txt", "r");
    if (!in)
        return fail("open /greeting.txt (was the root changed by an earlier run?)");
    if (!fgets(buf, sizeof buf, in))
        return fail("read /greeting.txt");
    fclose(in);
    printf("read: %s", buf);

    int fd = open("/out.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        return fail("create /out.txt (left over from an earlier run?)");
    const char text[] = "written by the guest\n";
    if (write(fd, text, sizeof text - 1) != (ssize_t)(sizeof text - 1))
        return fail("write /out.txt");
    close(fd);
    printf("created out.txt\n");

    if (rename("/out.txt", "/moved.txt") != 0)
        return fail("rename /out.txt");
    printf("renamed it to moved.txt\n");
    if (unlink("/greeting.txt") != 0)
        return fail("unlink /greeting.txt");
    printf("removed greeting.txt\n");
    if (mkdir("/made", 0755) != 0)
        return fail("mkdir /made");
    printf("made a directory\n");
    return 0;
}
