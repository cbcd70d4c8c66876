#include <stdio.h>
int main(void) {
    FILE *f = fopen("data.txt", "r");
    if (!f) { perror("data.txt"); return 2; }
    char line[128];
    while (fgets(line, sizeof line, f)) printf("read: %s", line);
    fclose(f);
    return 0;
}
