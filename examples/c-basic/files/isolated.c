/* Each case runs in its own scratch directory: write a file here, and check that
 * note.txt (written by files/write_read) and box/ (files/mkdir_list) are not visible,
 * whichever order the cases run in. */
#include <stdio.h>
#include <unistd.h>

static void check_absent(const char *path, const char *writer) {
    printf("%s from %s: %s\n", path, writer, access(path, F_OK) == 0 ? "VISIBLE" : "not visible");
}

int main(void) {
    FILE *f = fopen("isolated.txt", "w");
    if (f == NULL) {
        perror("isolated.txt");
        return 1;
    }
    fputs("mine\n", f);
    fclose(f);
    printf("isolated.txt: %s\n", access("isolated.txt", F_OK) == 0 ? "visible" : "MISSING");
    check_absent("note.txt", "files/write_read");
    check_absent("box", "files/mkdir_list");
    return 0;
}
