/* Create a directory with files and a subdirectory, then list it sorted
 * (readdir order is up to the engine). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int touch(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    fputs(text, f);
    fclose(f);
    return 0;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(void) {
    if (mkdir("box", 0755) != 0 || mkdir("box/inner", 0755) != 0) {
        perror("mkdir");
        return 1;
    }
    if (touch("box/b.txt", "bee\n") || touch("box/a.txt", "a\n") || touch("box/c.txt", "")) {
        return 1;
    }
    DIR *dir = opendir("box");
    if (dir == NULL) {
        perror("opendir box");
        return 1;
    }
    char *names[16];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 16) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        size_t len = strlen(entry->d_name);
        char *name = malloc(len + 2);
        if (name == NULL) return 1;
        memcpy(name, entry->d_name, len + 1);
        if (entry->d_type == DT_DIR) strcat(name, "/");
        names[count++] = name;
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], by_name);
    printf("box has %d entries:\n", count);
    for (int i = 0; i < count; i++) {
        struct stat st;
        char path[64];
        snprintf(path, sizeof path, "box/%s", names[i]);
        long size = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long)st.st_size : -1;
        if (size >= 0) {
            printf("  %s (%ld bytes)\n", names[i], size);
        } else {
            printf("  %s\n", names[i]);
        }
        free(names[i]);
    }
    return 0;
}
