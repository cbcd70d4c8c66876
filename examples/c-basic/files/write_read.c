/* Write a file in the current directory (the case's private scratch dir), then
 * read it back and append to it. */
#include <stdio.h>

static int dump(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    char line[128];
    while (fgets(line, sizeof line, f) != NULL) {
        printf("read: %s", line);
    }
    fclose(f);
    return 0;
}

int main(void) {
    const char *path = "./note.txt";
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    fprintf(f, "first line\nsecond line\n");
    fclose(f);
    if (dump(path) != 0) return 1;

    f = fopen(path, "a");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    fprintf(f, "appended line\n");
    long size = ftell(f);
    fclose(f);
    printf("size after append: %ld\n", size);
    return dump(path);
}
